// `jhash EXPR [. EXPR] mod N seed S [offset O]`: nft_jhash (net/netfilter/nft_hash.c, v6.12).
// The kernel hashes the bytes of the source registers with Bob Jenkins' lookup3 hash as
// include/linux/jhash.h has it (jhash(data, len, seed)), scales the 32-bit result into
// [0, N) by multiplying and keeping the high 32 bits (reciprocal_scale) and adds the offset.
// The bytes are the registers' as the loads left them: an IPv4 address in network order, a mark
// as the CPU keeps a u32 (little-endian on the x86 machines the harness runs on).
// Without `seed`, nft sends none and nft_jhash_init draws one at random: refused, since the model
// cannot agree with a random draw. `symhash` (the flow dissector's hash, keyed at random) is refused too.
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import { NftCursor, q } from './nft_cursor';
import { numberOf } from './values';
import * as X from './exprs';

export { jhash, reciprocalScale } from '../../model/net/netfilter/jhash';
import { jhash, reciprocalScale } from '../../model/net/netfilter/jhash';

/** The 32-bit fields jhash may read here: each loads 4 bytes into its register. */
const FIELDS: Record<string, { bytes: (x: EvalCtx) => number[] | undefined; ct?: boolean; l3?: boolean }> = {
  'ip saddr': { bytes: (x) => be(x.p.iph.saddr), l3: true },
  'ip daddr': { bytes: (x) => be(x.p.iph.daddr), l3: true },
  'meta mark': { bytes: (x) => le(x.p.skb.mark) },
  mark: { bytes: (x) => le(x.p.skb.mark) },
  'ct mark': { bytes: (x) => { const m = X.ctMark(x); return m === undefined ? undefined : le(m); }, ct: true },
};
const be = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le = (v: number): number[] => be(v).reverse();

/** Whether `jhash` at the cursor has the form the model reads (the caller has not consumed it). */
export function jhashAhead(p: NftCursor): boolean {
  return p.peek().kind === 'word' && p.peek().text === 'jhash';
}

/** The words after `jhash`: the hashed fields, mod, seed, offset. */
export function jhashSource(p: NftCursor, kw: NTok): { get: (x: EvalCtx) => number | undefined; ct: boolean; max: number } {
  const fields: ((x: EvalCtx) => number[] | undefined)[] = [];
  let ct = false;
  for (;;) {
    const a = p.peek();
    const b = p.peek(1);
    const two = b.kind === 'word' ? `${a.text} ${b.text}` : '';
    const key = Object.hasOwn(FIELDS, two) ? two : Object.hasOwn(FIELDS, a.text) ? a.text : '';
    if (!key) return p.fail(a, `jhash of ${q(two || a.text)} is not modelled (ip saddr, ip daddr, meta mark, ct mark are)`);
    p.i += key.includes(' ') ? 2 : 1;
    const f = FIELDS[key];
    if (f.l3) p.l3Known = true;
    ct ||= !!f.ct;
    fields.push(f.bytes);
    if (!p.is('.')) break;
    p.next();
  }
  const m = p.word('mod');
  if (m.text !== 'mod') p.fail(m, `syntax error, unexpected ${q(m.text)}, expecting mod`);
  const nt = p.word('a modulus');
  const mod = numberOf(nt.text);
  if (mod === undefined) return p.fail(nt, `syntax error, unexpected ${q(nt.text)}, expecting number`);
  let seed: number | undefined;
  let offset = 0;
  while (p.is('seed') || p.is('offset')) {
    const w = p.next();
    const vt = p.word('a number');
    const v = numberOf(vt.text);
    if (v === undefined) return p.fail(vt, `syntax error, unexpected ${q(vt.text)}, expecting number`);
    if (v > 0xffffffff) p.fail(vt, `Value ${vt.text} exceeds valid range 0-4294967295`);
    if (w.text === 'seed') seed = v;
    else offset = v;
  }
  if (seed === undefined) p.fail(kw, 'jhash without a seed is not modelled (nft_jhash_init draws a random seed the model cannot agree with)');
  const mod32 = mod % 2 ** 32;
  if (mod32 === 0) p.fail(kw, 'Could not process rule: Numerical result out of range');
  if (offset + mod32 - 1 > 0xffffffff) p.fail(kw, 'Could not process rule: Value too large for defined data type');
  const s = seed;
  return {
    ct,
    max: offset + mod32 - 1,
    get: (x) => {
      const bytes: number[] = [];
      for (const f of fields) {
        const v = f(x);
        // a load that fails (no conntrack entry for ct mark) ends the rule before the hash
        if (!v) return undefined;
        bytes.push(...v);
      }
      return (reciprocalScale(jhash(bytes, s), mod32) + offset) >>> 0;
    },
  };
}

/** `jhash FIELDS mod N seed S [offset O] [op] VALUES`: the hash compared, as a match. */
export function jhashItem(p: NftCursor, kw: NTok): Expr {
  const h = jhashSource(p, kw);
  const op = p.op();
  const vs = p.values('a number');
  const r = p.ranges(vs, (t) => {
    const v = numberOf(t.text);
    if (v === undefined) return p.fail(t, `${q(t.text)} is not a number`);
    if (v > h.max) p.fail(t, `Value ${t.text} exceeds valid range 0-${h.max}`);
    return v;
  });
  let last: number | undefined;
  const inner = X.matchNum(p.text(kw), () => last, op, r, (v) => `jhash ${v}`);
  return {
    ...inner,
    ...(h.ct && { needsCt: true }),
    eval: (x) => {
      last = h.get(x);
      return inner.eval(x);
    },
    actual: () => (last === undefined ? 'the hashed field could not be loaded' : `jhash gave ${last}`),
  };
}
