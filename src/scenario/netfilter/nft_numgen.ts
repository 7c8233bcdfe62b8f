// `numgen inc mod N [offset O]`: nft_numgen (net/netfilter/nft_numgen.c, v6.12). Each expression
// has its own counter, set to N-1 when the rule is loaded (nft_ng_inc_init), so the first packet
// gets 0; each evaluation moves it on by one, back to 0 after N-1, and the value is that plus the
// offset. As a match (`numgen inc mod 2 0`: every other packet) and as the value of `meta mark
// set` / `ct mark set`. `numgen random` is refused: a draw cannot agree with the kernel's.
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import * as X from './exprs';
import { NftCursor, q } from './nft_cursor';
import { numberOf } from './values';

export interface NumgenSpec {
  mod: number;
  offset: number;
}

/** The words after `numgen`. */
export function numgenSpec(p: NftCursor, kw: NTok): NumgenSpec {
  const kind = p.word('inc or random');
  if (kind.text === 'random') p.fail(kind, 'numgen random is not modelled (the model draws no random numbers that could agree with the kernel\'s)');
  if (kind.text !== 'inc') p.fail(kind, `syntax error, unexpected ${q(kind.text)}, expecting inc or random`);
  const m = p.word('mod');
  if (m.text !== 'mod') p.fail(m, `syntax error, unexpected ${q(m.text)}, expecting mod`);
  const nt = p.word('a modulus');
  const mod = numberOf(nt.text);
  if (mod === undefined) return p.fail(nt, `syntax error, unexpected ${q(nt.text)}, expecting number`);
  let offset = 0;
  if (p.is('offset')) {
    p.next();
    const ot = p.word('an offset');
    const o = numberOf(ot.text);
    if (o === undefined) return p.fail(ot, `syntax error, unexpected ${q(ot.text)}, expecting number`);
    if (o > 0xffffffff) p.fail(ot, `Value ${ot.text} exceeds valid range 0-4294967295`);
    offset = o;
  }
  // the modulus goes to the kernel as 32 bits; nft_ng_inc_init refuses 0 (-ERANGE) and an offset
  // whose last value wraps (-EOVERFLOW)
  const mod32 = mod % 2 ** 32;
  if (mod32 === 0) p.fail(kw, 'Could not process rule: Numerical result out of range');
  if (offset + mod32 - 1 > 0xffffffff) p.fail(kw, 'Could not process rule: Value too large for defined data type');
  return { mod: mod32, offset };
}

/** A counter of its own: the values nft_ng_inc_gen returns, one per call. */
export function numgenCounter(s: NumgenSpec): () => number {
  let counter = s.mod - 1;
  return () => {
    counter = counter + 1 < s.mod ? counter + 1 : 0;
    return (counter + s.offset) >>> 0;
  };
}

/** `numgen inc mod N [offset O] [op] VALUES` */
export function numgenItem(p: NftCursor, kw: NTok): Expr {
  const s = numgenSpec(p, kw);
  const next = numgenCounter(s);
  const op = p.op();
  const max = s.offset + s.mod - 1;
  const vs = p.values('a number');
  const r = p.ranges(vs, (t) => {
    const v = numberOf(t.text);
    if (v === undefined) return p.fail(t, `${q(t.text)} is not a number`);
    if (v > max) p.fail(t, `Value ${t.text} exceeds valid range 0-${max}`);
    return v;
  });
  let last: number | undefined;
  const inner = X.matchNum(p.text(kw), () => last, op, r, (v) => `numgen ${v}`);
  return {
    ...inner,
    eval: (x: EvalCtx) => {
      last = next();
      return inner.eval(x);
    },
    actual: () => (last === undefined ? 'numgen not run yet' : `numgen gave ${last}`),
  };
}
