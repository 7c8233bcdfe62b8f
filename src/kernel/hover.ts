// What a hover shows, as pure functions (no vscode): which KB entry is under the cursor in a
// line of C (or YAML), and the markdown for it. The editor side only adapts these.
import { ACCESSOR_STRUCTS, KERNEL_PATHS, lookup, lookupField, MODEL_STEP_SET } from './kb';
import type { KbEntry } from './kb/types';
import { entryUrl, sourceUrl } from './links';

export const SHOW_STEP_COMMAND = 'netstackExplorer.showStep';
export const GO_TO_DEFINITION_COMMAND = 'netstackExplorer.goToKernelDefinition';

export interface HoverTarget {
  entry: KbEntry;
  /** character range in the line that the hover covers, [start, end) */
  start: number;
  end: number;
}

const isIdent = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/**
 * The KB entry under `character` in `line`, or undefined. Understands `skb->len`, `skb.len`,
 * `iph->ttl` (through the variable → struct table, or a field name unique to one struct),
 * `struct sk_buff`, and plain identifiers. Constant time per call apart from the line scan.
 */
export function hoverTargetAt(line: string, character: number): HoverTarget | undefined {
  let start = character;
  let end = character;
  if (!isIdent(line[start])) {
    if (isIdent(line[start - 1])) start = end = character - 1;
    else return undefined;
  }
  while (start > 0 && isIdent(line[start - 1])) start--;
  while (end < line.length && isIdent(line[end])) end++;
  const word = line.slice(start, end);
  if (!/^[A-Za-z_]/.test(word)) return undefined;

  // `base->word` or `base.word`: a field
  const before = line.slice(0, start);
  const member = /([A-Za-z_]\w*)\s*(?:->|\.)\s*$/.exec(before);
  if (member) {
    const e = lookup(`${member[1]}->${word}`);
    if (e) return { entry: e, start: start - member[0].length, end };
  }
  // `ip_hdr(skb)->ttl`: a field through an accessor function
  const call = /([A-Za-z_]\w*)\s*\([^()]*\)\s*(?:->|\.)\s*$/.exec(before);
  if (call && ACCESSOR_STRUCTS[call[1]]) {
    const e = lookupField(ACCESSOR_STRUCTS[call[1]], word);
    if (e) return { entry: e, start: start - call[0].length, end };
  }
  // `word->x`: hovering the variable itself says nothing; let other providers answer
  const e = lookup(word);
  if (!e) return undefined;
  // a field name alone (`len`) is never looked up: too ambiguous
  if (e.kind === 'field') return undefined;
  const structKw = /\b(struct|enum)\s+$/.exec(before);
  return { entry: e, start: structKw ? start - structKw[0].length : start, end };
}

export interface HoverLinks {
  /** where the symbol was found in the user's tree: a URI string (file://…#Lnn or the editor's own) and 1-based line */
  resolved?: { uri: string; file: string; line: number; relocated?: boolean };
  /** add command links (the editor trusts them) */
  commands?: boolean;
}

function commandUri(command: string, arg: unknown): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify([arg]))}`;
}

const KIND_LABEL: Record<KbEntry['kind'], string> = {
  function: 'function',
  struct: 'struct',
  field: 'field',
  macro: 'macro',
  enum: 'enum',
  enumerator: 'enum value',
  'drop-reason': 'drop reason',
  variable: 'variable',
};

/** Where a function sits in the typical walks: "step 5 of 'forward a packet'". */
export function pathPlaces(fn: string): string[] {
  const out: string[] = [];
  for (const p of KERNEL_PATHS) {
    const i = p.steps.indexOf(fn);
    if (i >= 0) out.push(`step ${i + 1} of '${p.title}'`);
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/([\\`*_{}[\]<>|])/g, '\\$1');
}

/** The model step a symbol leads to in the packet debugger: itself if it is a step, else its first. */
export function stepFor(e: KbEntry): string | undefined {
  if (e.kind === 'function' && MODEL_STEP_SET.has(e.name)) return e.name;
  return e.modelSteps[0];
}

/** The hover markdown for an entry. */
export function buildHoverMarkdown(e: KbEntry, links: HoverLinks = {}): string {
  const title = e.kind === 'struct' ? `struct ${e.name}` : e.kind === 'field' ? `${e.struct}->${e.field}` : e.name;
  const lines: string[] = [];
  lines.push(`**\`${title}\`** — ${KIND_LABEL[e.kind]} · ${e.layer}`);
  lines.push('');
  // The actions come first: a long explanation must not push them out of the hover's box.
  if (links.commands) {
    const cmds: string[] = [];
    const step = stepFor(e);
    if (step) cmds.push(`[Show in the packet debugger](${commandUri(SHOW_STEP_COMMAND, { fn: step })})`);
    cmds.push(`[Go to definition in your tree](${commandUri(GO_TO_DEFINITION_COMMAND, { name: e.name })})`);
    lines.push(cmds.join(' · '), '');
  }
  lines.push(esc(e.summary));
  lines.push('');
  const ref = sourceUrl(e.file);
  if (links.resolved) {
    const r = links.resolved;
    const note = r.relocated ? ` (in v6.12: [${esc(e.file)}](${ref}))` : '';
    lines.push(`Defined in [${esc(r.file)}:${r.line}](${r.uri}) in your tree${note}`);
  } else {
    lines.push(`Defined in [${esc(e.file)}](${entryUrl(e)}) (v6.12)`);
  }
  if (e.counters?.length) lines.push('', `Counters: ${e.counters.map((c) => `\`${c}\``).join(', ')}`);
  const fnName = e.kind === 'function' ? e.name : undefined;
  const places = fnName ? pathPlaces(fnName) : [];
  if (places.length) lines.push('', `Path: ${places.join('; ')}`);
  if (e.modelSteps.length && !(e.modelSteps.length === 1 && e.modelSteps[0] === e.name)) {
    lines.push('', `In the model at: ${e.modelSteps.map((s) => `\`${s}\``).join(', ')}`);
  } else if (e.modelSteps.length) {
    lines.push('', 'Modelled: a step of the packet trace');
  }
  if (e.related.length) lines.push('', `Related: ${e.related.map((r) => `\`${r}\``).join(', ')}`);
  return lines.join('\n');
}
