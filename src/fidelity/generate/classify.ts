// The class of a difference: what it is about, without the packet, host or count that make two
// instances of one behaviour look different. The shrinker keeps a scenario smaller only while
// a difference of the same class remains; a run groups its differing scenarios by class.
import type { Difference } from '../compare';

/** One difference's class. */
export function diffClass(d: Difference): string {
  if (d.field === 'drop') return `drop: model ${d.model} vs kernel ${d.kernel}`;
  if (d.field === 'drop ttl') return 'drop: ttl at the drop';
  if (d.what === 'counter') return `counter ${d.field}: model ${Number(d.model) > Number(d.kernel) ? 'more' : 'fewer'}`;
  if (d.field === 'send result') return `send result: model ${d.model} vs kernel ${d.kernel}`;
  if (d.what === "ping's socket") return `ping heard: model ${d.model} vs kernel ${d.kernel}`.replace(/ from [\d.]+/g, '');
  if (/ socket /.test(d.what)) return `listener received: model ${d.model === '(none)' ? 'nothing' : 'something'} vs kernel ${d.kernel === '(none)' ? 'nothing' : 'something'}`;
  if (/^netfilter pass/.test(d.what)) return `netfilter ${d.field}${d.field === 'pass' ? `: model ${d.model === '(none)' ? 'none' : 'a pass'} vs kernel ${d.kernel === '(none)' ? 'none' : 'a pass'}` : ''}`;
  const frame = /^(IPv4|ARP|other) frame/.exec(d.what);
  if (frame) {
    if (d.field === 'frame') return `${frame[1]} frame only in the ${d.model === '(none)' ? 'kernel' : 'model'}`;
    return `${frame[1]} frame field ${d.field}`;
  }
  return `${d.what} ${d.field}`;
}

/** Errors first, then the kinds of difference that name a cause before the ones that follow from it. */
const ORDER = [/^error/, /^drop/, /^send result/, /^ping heard/, /^listener/, /^netfilter/, /^counter/, /frame/];

/** The class of a result: its errors' (the first words of the first error), else its most telling difference's. */
export function resultClass(r: { errors: string[]; diffs: Difference[] }): string | undefined {
  const all = [...r.errors.map(errorClass), ...r.diffs.map(diffClass)];
  if (!all.length) return undefined;
  const rank = (c: string): number => {
    const i = ORDER.findIndex((re) => re.test(c));
    return i < 0 ? ORDER.length : i;
  };
  return all.slice().sort((a, b) => rank(a) - rank(b))[0];
}

/** All the classes of a result. */
export function resultClasses(r: { errors: string[]; diffs: Difference[] }): Set<string> {
  return new Set([...r.errors.map(errorClass), ...r.diffs.map(diffClass)]);
}

export function errorClass(e: string): string {
  const setup = /^setup of \S+, line \d+ `([^`]*)` failed on the kernel: (.*)$/s.exec(e);
  if (setup) return `error: the kernel refuses \`${setup[1].split(' ').slice(0, 3).join(' ')} …\`: ${setup[2].split('\n')[0].slice(0, 80)}`;
  return `error: ${e.split('\n')[0].replace(/\d+/g, 'N').slice(0, 100)}`;
}
