// Why a goal failed, told from the trace: the values the goal saw, and what happened to each
// packet it looked at (where it ended, which rule decided, on which scenario line).
import type { Node } from './ast';
import { Evaluator } from './eval';
import { show, truthy } from './values';
import type { PacketId, SourceAt, TraceView } from './traceView';

export interface PacketStory {
  text: string;
  /** the scenario line whose rule decided the packet's fate, when a rule did */
  decidedAt?: SourceAt;
}

const FATE_WORDS: Record<string, string> = {
  delivered: 'was delivered',
  dropped: 'was dropped',
  consumed: 'was consumed',
  transmitted: 'was transmitted out of the scenario',
  pending: 'was still waiting at the end',
};

/** One sentence on a packet's end, with the netfilter rule that decided it when one did. */
export function packetStory(v: TraceView, p: PacketId): PacketStory {
  const f = v.fate(p);
  if (!f) return { text: `there is no packet #${p}` };
  let text = `packet #${p} (${v.summary(p)}) ${FATE_WORDS[f.kind] ?? f.kind} on ${f.host} in ${f.fn}`;
  if (f.reason) text += ` (${f.reason})`;
  if (f.detail) text += ` (${f.detail})`;
  let decidedAt: SourceAt | undefined;
  const evs = v.eventsOf(p);
  // the rule whose verdict ended the packet, or the last one it passed on the host where it
  // ended; failing that, the last rule with a final verdict on the way there (a router's accept
  // that let through what a goal wanted dropped)
  const ruleEvent = (onHost: boolean): number | undefined => {
    for (let i = evs.length - 1; i >= 0; i--) {
      const e = evs[i];
      if (onHost !== (v.fieldAt(e, 'host') === f.host)) continue;
      const verdict = v.fieldAt(e, 'verdict');
      if (v.fieldAt(e, 'rule') === undefined || verdict === undefined) continue;
      if (!onHost && verdict !== 'NF_ACCEPT' && verdict !== 'NF_DROP') continue;
      return i;
    }
    return undefined;
  };
  const onHost = ruleEvent(true);
  const at = onHost ?? ruleEvent(false);
  if (at !== undefined) {
    const e = evs[at];
    const verdict = v.fieldAt(e, 'verdict');
    const table = [v.fieldAt(e, 'family'), v.fieldAt(e, 'table')].filter((x) => x !== undefined).join(' ');
    const lead = onHost === undefined ? `; on the way, ${v.fieldAt(e, 'host')} let it pass by` : f.kind === 'dropped' && verdict === 'NF_DROP' ? ' by' : '; last rule matched:';
    text += `${lead} ${table} ${v.fieldAt(e, 'chain') ?? ''} rule ${v.fieldAt(e, 'rule_index') ?? '?'} \`${v.fieldAt(e, 'rule')}\` (${verdict})`;
    decidedAt = v.ruleAt(e);
    if (decidedAt) text += ` at ${decidedAt.file}:${decidedAt.line}`;
  }
  return { text, decidedAt };
}

export interface Outcome {
  pass: boolean;
  /** the goal's value, printed */
  value: string;
  /** why it failed, from the trace (empty when it passed) */
  why: string[];
  decidedAt: SourceAt[];
}

/** Evaluates a goal; when it fails, says why from the trace. */
export function judge(node: Node, text: string, view: TraceView): Outcome {
  const ev = new Evaluator(view);
  const value = ev.value(node);
  const pass = truthy(value);
  if (pass) return { pass, value: show(value), why: [], decidedAt: [] };
  const why: string[] = [];
  const ex = new Evaluator(view);
  explainNode(node, text, ex, why);
  const missed = new Set(ex.missed.map((n) => src(n, text)));
  for (const m of missed) why.push(`nothing in the trace matches \`${m}\``);
  const decidedAt: SourceAt[] = [];
  const packets = [...ex.seen].sort((a, b) => a - b).slice(0, 3);
  for (const p of packets) {
    const s = packetStory(view, p);
    why.push(s.text);
    if (s.decidedAt) decidedAt.push(s.decidedAt);
  }
  return { pass, value: show(value), why, decidedAt };
}

const src = (n: Node, text: string): string => text.slice(n.start, n.end).trim();

function explainNode(n: Node, text: string, ev: Evaluator, out: string[]): void {
  switch (n.t) {
    case 'and':
      for (const x of n.items) if (!truthy(ev.value(x))) explainNode(x, text, ev, out);
      return;
    case 'or':
      out.push(`none of these holds: ${n.items.map((x) => `\`${src(x, text)}\``).join(', ')}`);
      for (const x of n.items) explainNode(x, text, ev, out);
      return;
    case 'not':
      out.push(`\`${src(n.of, text)}\` holds, and it must not`);
      ev.value(n.of);
      return;
    case 'cmp': {
      const l = ev.value(n.left);
      const r = ev.value(n.right);
      out.push(`\`${src(n.left, text)}\` is ${show(l)}, not ${n.op === '==' ? '' : n.op + ' '}${show(r)}`);
      return;
    }
    default:
      out.push(`\`${src(n, text)}\` is ${show(ev.value(n))}`);
  }
}
