// The shape of one knowledge-base entry (issue 5). Plain data: no vscode, no fs.
// Explanations are our own words; no kernel code is copied (the kernel is GPL-2.0).

/** What kind of C symbol an entry is; the resolver picks its definition pattern from this. */
export type SymbolKind =
  /** a function definition (also static inline functions in headers) */
  | 'function'
  /** `struct NAME {` */
  | 'struct'
  /** a member of a struct (or a `#define` alias the struct declares for one, like sock's sk_state) */
  | 'field'
  /** `#define NAME` */
  | 'macro'
  /** `enum NAME {` */
  | 'enum'
  /** a member of an enum */
  | 'enumerator'
  /** `SKB_DROP_REASON_X`: a member of enum skb_drop_reason, listed by DEFINE_DROP_REASON */
  | 'drop-reason'
  /** a global variable definition */
  | 'variable';

/** Where in the stack a symbol lives. */
export type KbLayer = 'L2' | 'L3' | 'L4' | 'socket' | 'netfilter' | 'core';

export interface KbEntry {
  /** the C name; for a field, `struct.field` (e.g. `sk_buff.len`) */
  name: string;
  kind: SymbolKind;
  /** the file that defines it in the reference kernel (v6.12), relative to the tree root */
  file: string;
  /** a short explanation, in our own words */
  summary: string;
  layer: KbLayer;
  /** names of related KB entries */
  related: string[];
  /** the trace `fn` names (kernel function names) of the model steps where this symbol shows up */
  modelSteps: string[];
  /** for a field: the struct (without `struct`) and the member name */
  struct?: string;
  field?: string;
  /** nstat names of counters this symbol bumps or stands for, where that helps */
  counters?: string[];
}

/** A trace path through the stack, as the model walks it for a kind of packet. */
export interface KernelPath {
  id: string;
  title: string;
  /** the trace `fn` names in order */
  steps: string[];
}
