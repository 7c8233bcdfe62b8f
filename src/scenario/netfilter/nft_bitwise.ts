// nft_bitwise (net/netfilter/nft_bitwise.c, v6.12): the boolean form computes
// dreg = (sreg & mask) ^ xor. nft writes `EXPR & V` as mask V, xor 0; `EXPR | V` as mask ~V,
// xor V; `EXPR ^ V` as mask all-ones, xor V (its words and, or, xor are the same operators).
import type { EvalCtx } from '../../model/net/netfilter/nf_tables';
import type { NftCursor } from './nft_cursor';
import { numgenCounter, numgenSpec } from './nft_numgen';
import { dataMap, mapAhead, mapKey, markData } from './nft_datamap';
import { jhashSource } from './nft_hash';

export interface Bitwise {
  mask: number;
  xor: number;
  /** as nft lists it */
  text: string;
}

const OPS: Record<string, '&' | '|' | '^'> = { '&': '&', and: '&', '|': '|', or: '|', xor: '^', '^': '^' };

/** Is a bitwise operator next? */
export function atBitwise(p: NftCursor): boolean {
  const t = p.peek();
  return (t.kind === 'punct' || t.kind === 'word') && Object.hasOwn(OPS, t.text);
}

/** One `& V`, `| V`, `^ V` (or and/or/xor), V read by `value` in the field's width; several chain as nft folds them. */
export function parseBitwise(p: NftCursor, width: number, value: () => number): Bitwise | null {
  const all = width >= 32 ? 0xffffffff : (1 << width) - 1;
  let mask = all;
  let xor = 0;
  const parts: string[] = [];
  while (atBitwise(p)) {
    const op = OPS[p.next().text];
    const v = value() >>> 0;
    // compose (a & m1 ^ x1) OP v into one mask/xor pair, as nft's evaluation folds constants
    if (op === '&') {
      mask = (mask & v) >>> 0;
      xor = (xor & v) >>> 0;
    } else if (op === '|') {
      mask = (mask & ~v & all) >>> 0;
      xor = ((xor & ~v) | v) >>> 0;
    } else xor = (xor ^ v) >>> 0;
    parts.push(`${op} 0x${v.toString(16)}`);
  }
  return parts.length ? { mask, xor, text: parts.join(' ') } : null;
}

export function applyBitwise(b: Bitwise | null, get: (x: EvalCtx) => number | undefined): (x: EvalCtx) => number | undefined {
  if (!b) return get;
  return (x) => {
    const v = get(x);
    return v === undefined ? undefined : (((v & b.mask) >>> 0) ^ b.xor) >>> 0;
  };
}

/**
 * The value a `meta mark set` / `ct mark set` statement writes: a constant (nft folds
 * `0x12 or 0x11` to one constant before the kernel sees it), or `meta mark`/`mark`/`ct mark`
 * with bitwise operators applied at run time (an nft_meta or nft_ct load, then nft_bitwise).
 */
export type MarkSource = { value: number } | { get: (x: EvalCtx) => number | undefined; ct: boolean };

export function markSource(p: NftCursor): MarkSource {
  const num = (): number => p.num(p.word('a mark value'), 0, 0xffffffff);
  const t = p.peek();
  // `KEY map { k : mark, … }`: a lookup whose data is the mark (nft_datamap.ts)
  if (mapAhead(p)) {
    const key = mapKey(p);
    const m = dataMap(p, key, markData(p), { want: 'mark', toD: (d) => d[0] });
    return { get: m.lookup, ct: key.ct };
  }
  if (t.kind === 'word' && t.text === 'numgen') {
    p.next();
    return { get: numgenCounter(numgenSpec(p, t)), ct: false };
  }
  if (t.kind === 'word' && t.text === 'jhash') {
    p.next();
    const h = jhashSource(p, t);
    return { get: h.get, ct: h.ct };
  }
  if (t.kind === 'word' && t.text === 'symhash') p.fail(t, 'symhash is not modelled (the flow dissector\'s hash is keyed at random)');
  if (t.kind === 'word' && /^[a-z]/.test(t.text) && !['meta', 'mark', 'ct'].includes(t.text)) p.fail(t, `a mark from a map (${t.text} … map { … }) is not modelled`);
  let get: ((x: EvalCtx) => number | undefined) | null = null;
  let ct = false;
  if (p.is('meta') || p.is('mark')) {
    if (p.is('meta')) p.next();
    p.expect('mark', 'mark');
    if (p.is('map')) p.fail(p.peek(), 'a mark from a map (meta mark map { … }) is not modelled');
    get = (x) => x.p.skb.mark;
  } else if (p.is('ct')) {
    p.next();
    p.expect('mark', 'mark');
    if (p.is('map')) p.fail(p.peek(), 'a mark from a map (ct mark map { … }) is not modelled');
    ct = true;
    get = (x) => x.nf.ctOf(x.p.skb)?.mark;
  }
  const first = get ? 0 : num();
  if (!get && atShift(p)) p.fail(p.peek(), 'a shifted constant mark is not accepted by nft 1.0.6 (it aborts: "BUG: invalid basetype")');
  if (get) get = shifted(p, get);
  const bw = parseBitwise(p, 32, num);
  if (atShift(p)) p.fail(p.peek(), 'a shift after & | ^ is not accepted by nft 1.0.6 (it aborts: "BUG: invalid basetype"); shift first');
  if (!get) return { value: bw ? (((first & bw.mask) >>> 0) ^ bw.xor) >>> 0 : first };
  return { get: applyBitwise(bw, get), ct };
}

/** `>>` or `<<` next: the lexer gives two adjacent `>`/`<` tokens */
function atShift(p: NftCursor): boolean {
  const a = p.peek();
  const b = p.peek(1);
  return a.kind === 'punct' && (a.text === '>' || a.text === '<') && b.kind === 'punct' && b.text === a.text && b.start === a.end;
}

/**
 * `KEY >> N` / `KEY << N` on a 32-bit mark: nft_bitwise's NFT_BITWISE_RSHIFT/LSHIFT (v6.12
 * nft_bitwise_eval_rshift/lshift) on the one host-order u32 word of the register, bits shifted
 * out lost. nft 1.0.6 refuses a shift of 32 bits or more in its own words; a second shift is not
 * modelled (not checked against nft).
 */
function shifted(p: NftCursor, get: (x: EvalCtx) => number | undefined): (x: EvalCtx) => number | undefined {
  if (!atShift(p)) return get;
  const t = p.next();
  p.next();
  const n = p.word('a shift amount');
  const bits = p.num(n, 0, 0xffffffff);
  const right = t.text === '>';
  if (bits >= 32) p.fail(t, `${right ? 'Right' : 'Left'} shift of ${bits} bits is undefined for type of 32 bits width`);
  if (atShift(p)) p.fail(p.peek(), 'a second shift is not modelled');
  return (x) => {
    const v = get(x);
    if (v === undefined) return undefined;
    return (right ? v >>> bits : v << bits) >>> 0;
  };
}
