// Small constructors that keep the data modules short and uniform.
import type { KbEntry, KbLayer, SymbolKind } from './types';
import { MODEL_STEP_SET } from './steps';

export interface EntryOpts {
  related?: string[];
  /** model steps this symbol appears in, besides itself when it is a step */
  steps?: string[];
  counters?: string[];
}

function make(name: string, kind: SymbolKind, file: string, layer: KbLayer, summary: string, o: EntryOpts = {}): KbEntry {
  const steps = new Set<string>();
  if (kind === 'function' && MODEL_STEP_SET.has(name)) steps.add(name);
  for (const s of o.steps ?? []) steps.add(s);
  const e: KbEntry = { name, kind, file, summary, layer, related: o.related ?? [], modelSteps: [...steps] };
  if (o.counters) e.counters = o.counters;
  return e;
}

export const fn = (name: string, file: string, layer: KbLayer, summary: string, o?: EntryOpts): KbEntry =>
  make(name, 'function', file, layer, summary, o);

export const struct = (name: string, file: string, layer: KbLayer, summary: string, o?: EntryOpts): KbEntry =>
  make(name, 'struct', file, layer, summary, o);

export const macro = (name: string, file: string, layer: KbLayer, summary: string, o?: EntryOpts): KbEntry =>
  make(name, 'macro', file, layer, summary, o);

export const enumType = (name: string, file: string, layer: KbLayer, summary: string, o?: EntryOpts): KbEntry =>
  make(name, 'enum', file, layer, summary, o);

export const member = (name: string, file: string, layer: KbLayer, summary: string, o?: EntryOpts): KbEntry =>
  make(name, 'enumerator', file, layer, summary, o);

export const variable = (name: string, file: string, layer: KbLayer, summary: string, o?: EntryOpts): KbEntry =>
  make(name, 'variable', file, layer, summary, o);

/** Fields of one struct: [field, summary, opts?] triples. The struct's own entry is made separately. */
export function fields(structName: string, file: string, layer: KbLayer, list: [string, string, EntryOpts?][]): KbEntry[] {
  return list.map(([f, summary, o]) => {
    const e = make(`${structName}.${f}`, 'field', file, layer, summary, {
      ...o,
      related: [structName, ...(o?.related ?? [])],
    });
    e.struct = structName;
    e.field = f;
    return e;
  });
}

export const DROP_REASON_FILE = 'include/net/dropreason-core.h';

/** `SKB_DROP_REASON_<short>`, with the model steps that drop with it. */
export function dropReason(short: string, layer: KbLayer, summary: string, steps: string[], o: EntryOpts = {}): KbEntry {
  return make(`SKB_DROP_REASON_${short}`, 'drop-reason', DROP_REASON_FILE, layer, summary, {
    ...o,
    steps,
    related: ['skb_drop_reason', 'kfree_skb_reason', ...(o.related ?? [])],
  });
}
