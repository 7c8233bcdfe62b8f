// A fix task is about its setup: the learner edits routes, rules and sysctls, not the traffic the
// goals are judged on. Without this check, deleting the SSH attempt would "drop" it and deleting
// the ping would silence its ICMP errors. The exercise's `change:` names what may differ from the
// starting scenario (default: the hosts' setup); everything else must stay as it was.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { SourcePos } from '../scenario/types';

/** What a fix task may let the learner change. */
export const PARTS = ['setup', 'hosts', 'links', 'listen', 'traffic'] as const;
export type Part = (typeof PARTS)[number];
export const DEFAULT_CHANGE: Part[] = ['setup'];

interface Facts {
  pos: (n: YamlNode | null | undefined) => SourcePos;
  root: YamlNode | null;
  part: Map<Part, { node: YamlNode | null; items: { key: string; node: YamlNode | null }[] }>;
}

function facts(text: string, file: string): Facts | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  if (doc.errors.length || !isMap(doc.contents)) return undefined; // the scenario parser reports these
  const pos = (n: YamlNode | null | undefined): SourcePos => {
    const at = lc.linePos(n?.range?.[0] ?? 0);
    return { file, line: at.line, col: at.col };
  };
  const get = (k: string): YamlNode | null => (doc.contents as { get(k: string, keep: true): YamlNode | null }).get(k, true) ?? null;
  const part: Facts['part'] = new Map();
  const hosts = get('hosts');
  const hostItems = isMap(hosts) ? hosts.items.map((p) => ({ key: String(isScalar(p.key) ? p.key.value : p.key), node: (p.value as YamlNode) ?? null })) : [];
  part.set('hosts', { node: hosts, items: hostItems.map((h) => ({ key: h.key, node: h.node })) });
  for (const k of ['links', 'listen', 'traffic'] as const) {
    const n = get(k);
    part.set(k, { node: n, items: isSeq(n) ? n.items.map((x) => ({ key: canon(x as YamlNode), node: x as YamlNode })) : [] });
  }
  return { pos, root: doc.contents, part };
}

/** The same item however it is written: flow or block, quotes, spacing inside a line. */
function canon(n: YamlNode | null | undefined): string {
  const norm = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\s+/g, ' ').trim();
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]).sort(([x], [y]) => (String(x) < String(y) ? -1 : 1)));
    return v;
  };
  return JSON.stringify(norm(n?.toJSON() ?? null));
}

export interface KeptDifference {
  part: Part;
  /** where in the learner's scenario (or at its top when the part is gone) */
  pos: SourcePos;
  text: string;
}

/**
 * What the learner's scenario changed outside `change`, each at its place. Empty when nothing
 * did, or when either scenario is not YAML this can read (the scenario's own errors say why).
 */
export function keptDifferences(start: { text: string; file: string }, mine: { text: string; file: string }, change: readonly Part[]): KeptDifference[] {
  const a = facts(start.text, start.file);
  const b = facts(mine.text, mine.file);
  if (!a || !b) return [];
  const out: KeptDifference[] = [];
  const why = (p: Part): string => `(this task lets you change ${change.map((c) => (c === 'setup' ? "the hosts' setup" : `\`${c}\``)).join(', ')}; ${p === 'hosts' ? 'the hosts' : `\`${p}\``} must stay as given, since the goals are judged on them)`;
  if (!change.includes('hosts')) {
    const was = a.part.get('hosts')!.items.map((h) => h.key);
    const now = b.part.get('hosts')!.items;
    for (const h of now) if (!was.includes(h.key)) out.push({ part: 'hosts', pos: b.pos(h.node), text: `host \`${h.key}\` is new ${why('hosts')}` });
    for (const h of was) if (!now.some((x) => x.key === h)) out.push({ part: 'hosts', pos: b.pos(b.part.get('hosts')!.node ?? b.root), text: `host \`${h}\` is gone ${why('hosts')}` });
  }
  for (const p of ['links', 'listen', 'traffic'] as const) {
    if (change.includes(p)) continue;
    const was = a.part.get(p)!.items;
    const now = b.part.get(p)!.items;
    const n = Math.max(was.length, now.length);
    for (let i = 0; i < n; i++) {
      if (was[i]?.key === now[i]?.key) continue;
      const item = `${p === 'traffic' ? 'traffic item' : p === 'listen' ? 'listener' : 'link'} ${i + 1}`;
      const text = !now[i] ? `${item} is gone` : !was[i] ? `${item} is new` : `${item} differs from the starting scenario's (${summary(was[i].node)})`;
      out.push({ part: p, pos: b.pos(now[i]?.node ?? b.part.get(p)!.node ?? b.root), text: `${text} ${why(p)}` });
      break; // the first difference of a list says enough; the rest usually follows from it
    }
  }
  return out;
}

function summary(n: YamlNode | null): string {
  const s = canon(n);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
