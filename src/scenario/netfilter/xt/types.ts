// An iptables extension (a libxt_*/libipt_* module and the kernel's xt_* module it loads) as the
// model reads it: `-m NAME` starts an instance, its options fill the instance's state, and when
// the rule is complete the instance becomes the expressions the kernel evaluates at the place of
// the `-m` in the rule (matches run in the order they were loaded).
import type { NfEngine } from '../../../model/net/netfilter/engine';
import type { Chain, Expr } from '../../../model/net/netfilter/nf_tables';
import { ScenarioError, type Tok } from '../../types';

/** What an option's parser may read and say. */
export interface XtOpt {
  /** the option word (`--ctstate`) */
  opt: Tok;
  /** a `!` before it */
  neg: boolean;
  /** the option's value (the next word) */
  arg(what: string): Tok;
  /** the rule's -p (the last one not negated), or null */
  proto: number | null;
  table: string;
}

/** What a module's finish step knows: the `-m NAME` word and the rule around it. */
export interface XtEnd {
  tok: Tok;
  /** the words of this instance: `-m NAME --opt value …` */
  text: string;
  proto: number | null;
  table: string;
  /** a check to make when the rule is loaded into its chain */
  check(f: (e: NfEngine, c: Chain) => void): void;
}

export interface XtMatch<S = unknown> {
  /** option → takes a value (true) or is a flag (false) */
  opts: Record<string, boolean>;
  /** the protocols -p must name for the kernel to load the match (xt_match.proto) */
  protos?: number[];
  init(): S;
  /** reads one option; the words it returns, if any, are the option as iptables-save prints it */
  parse(st: S, o: XtOpt): void | string[];
  finish(st: S, e: XtEnd): Expr[];
  /** the options as iptables-save prints them (the module's save function), when they differ from the words given */
  save?(st: S): string[];
}

/** A target's options, read after `-j NAME`. */
export interface XtTarget<S = unknown> {
  opts: Record<string, boolean>;
  init(): S;
  parse(st: S, o: XtOpt): void;
  finish(st: S, e: XtEnd): Expr;
  /** the options as iptables-save prints them, when they differ from the words given */
  save?(st: S): string[];
}

export const q = (s: string): string => `"${s}"`;

export function fail(t: Tok, msg: string): never {
  throw new ScenarioError(msg, t.pos);
}

/** A number (decimal or 0x hex) up to max, in libxtables' words when it is not one. */
export function num(t: Tok, max = 0xffffffff, s = t.text): number {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(v) || v > max) fail(t, `${q(s)} is not a number in 0-${max}`);
  return v;
}

/** `A[:B]` / `A-B` ranges of numbers (an empty end is 0 or max) */
export function numRange(t: Tok, max: number, sep = ':'): [number, number] {
  const i = t.text.indexOf(sep);
  if (i < 0) {
    const v = num(t, max);
    return [v, v];
  }
  const a = t.text.slice(0, i);
  const b = t.text.slice(i + 1);
  const lo = a === '' ? 0 : num(t, max, a);
  const hi = b === '' ? max : num(t, max, b);
  if (lo > hi) fail(t, `range ${q(t.text)} is reversed (min > max)`);
  return [lo, hi];
}

/** Each option once per instance, in the module's words. */
export function once(seen: Set<string>, mod: string, o: XtOpt, key = o.opt.text): void {
  if (seen.has(key)) fail(o.opt, `${mod}: option ${q(o.opt.text)} can only be used once.`);
  seen.add(key);
}
