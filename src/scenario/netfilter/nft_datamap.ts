// Maps as statement values: `meta mark set KEY map { k : v, … }`, `ct mark set KEY map { … }`,
// `dnat|snat [ip] to KEY map { k : ADDR [. PORT], … }`. In v6.12 nft compiles these to nft_lookup
// with a destination register (nft_lookup.c: the element's data is copied to dreg), then the
// statement reads that register (nft_meta_set_eval, nft_ct_set_eval, nft_nat_eval). A key with no
// element is NFT_BREAK: the rule ends there and the statement does nothing.
// KEY is one of the concatenation selectors (nft_concat.ts), several of them joined by `.`, or
// `numgen inc mod N [offset O]` (nft_numgen) or `jhash … mod N seed S` (nft_hash.ts).
import { concatKey, setLookup, type EvalCtx, type NfSet, type SetElem, type SetKeyType } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import { ScenarioError } from '../types';
import * as X from './exprs';
import { NftCursor, q } from './nft_cursor';
import { selectorAt } from './nft_concat';
import { numgenCounter, numgenSpec } from './nft_numgen';
import { elemOf, type RawElem } from './nft_sets';
import { jhashSource, jhashAhead } from './nft_hash';
import { namedDataMap } from './nft_named_maps';

export interface MapKey {
  get: (x: EvalCtx) => X.Key | undefined;
  types: SetKeyType[];
  /** the key reads the packet's conntrack entry */
  ct: boolean;
  /** how the key is named, for explanations */
  words: string;
  /** a key's value as nft prints it (an element's text) */
  show: (k: X.Key) => string;
}

/** Whether a map key followed by `map` starts at token i (a selector, a concatenation of them, numgen or jhash). */
export function mapAhead(p: NftCursor, i = p.i): boolean {
  const t = p.toks[i];
  if (t?.kind !== 'word') return false;
  if (t.text === 'numgen' || t.text === 'jhash') return p.toks.slice(i, i + 12).some((x) => x.kind === 'word' && x.text === 'map');
  let j = i;
  for (;;) {
    const at = selectorAt(p, j);
    if (!at) return false;
    j += at.n;
    if (p.toks[j]?.kind === 'word' && p.toks[j].text === '.') {
      j++;
      continue;
    }
    return p.toks[j]?.kind === 'word' && p.toks[j].text === 'map';
  }
}

/** The key before `map`, its tokens consumed. */
export function mapKey(p: NftCursor): MapKey {
  const t = p.peek();
  if (t.kind === 'word' && t.text === 'numgen') {
    p.next();
    const next = numgenCounter(numgenSpec(p, t));
    // the counter moves on each time the rule reaches the lookup, as nft_ng_inc_eval does
    return { get: () => next(), types: ['mark'], ct: false, words: 'numgen', show: String };
  }
  if (t.kind === 'word' && t.text === 'jhash' && jhashAhead(p)) {
    p.next();
    const h = jhashSource(p, t);
    return { get: h.get, types: ['mark'], ct: h.ct, words: 'jhash', show: String };
  }
  const parts: { get: (x: EvalCtx) => X.Key | undefined; show: (v: string) => string }[] = [];
  const types: SetKeyType[] = [];
  const names: string[] = [];
  let ct = false;
  for (;;) {
    const at = selectorAt(p, p.i);
    if (!at) return p.fail(p.peek(), `${q(p.peek().text)} as the key of a map is not modelled`);
    if (at.sel.l4) p.needL4(p.peek(), at.sel.l4);
    if (at.sel.l3) p.l3Known = true;
    ct ||= !!at.sel.ct;
    p.i += at.n;
    parts.push(at.sel);
    types.push(at.sel.type);
    names.push(at.words);
    if (!p.is('.')) break;
    p.next();
  }
  const get = (x: EvalCtx): X.Key | undefined => {
    const vals: X.Key[] = [];
    for (const s of parts) {
      const v = s.get(x);
      if (v === undefined) return undefined;
      vals.push(v);
    }
    return vals.length === 1 ? vals[0] : concatKey(vals);
  };
  const show = (k: X.Key): string => {
    // a concatenated key is its fields' values joined (concatKey); strings are JSON-quoted
    const vals = parts.length === 1 ? [String(k)] : String(k).split(' . ');
    return vals.map((v, i) => parts[i].show(v)).join(' . ');
  };
  return { get, types, ct, words: names.join(' . '), show };
}

/** One element of an anonymous data map: the key as written, the data's tokens. */
interface RawData {
  key: RawElem;
  data: NTok[];
}

/** `{ K : D, … }`, K possibly `A . B`, D possibly `A . B`. */
function dataBlock(p: NftCursor): RawData[] {
  const out: RawData[] = [];
  p.expect('{');
  p.skipSeps();
  while (!p.is('}')) {
    const keyToks: NTok[] = [];
    const data: NTok[] = [];
    let inData = false;
    while (!p.is(',') && !p.is('}')) {
      const t = p.next();
      if (t.kind === 'eof') p.fail(t, 'syntax error: missing } at the end of the elements');
      if (t.kind === 'nl') continue;
      if (t.kind === 'word' && t.text === ':' && !inData) {
        inData = true;
        continue;
      }
      // `1:10` is one word: a key and its data
      const glued = !inData && t.kind === 'word' ? /^([^:]+):([^:]+)$/.exec(t.text) : null;
      if (glued) {
        keyToks.push({ ...t, text: glued[1], end: t.start + glued[1].length });
        data.push({ ...t, text: glued[2], pos: { ...t.pos, col: t.pos.col + glued[1].length + 1 }, start: t.start + glued[1].length + 1 });
        inData = true;
        continue;
      }
      (inData ? data : keyToks).push(t);
    }
    if (!keyToks.length) p.fail(p.peek(), 'syntax error: expected an element');
    if (!inData || !data.length) p.fail(keyToks[0], 'syntax error: a map element is KEY : VALUE');
    const parts = keyToks.filter((t) => !(t.kind === 'word' && t.text === '.'));
    const key: RawElem = { key: parts[0] };
    if (parts.length > 1) key.parts = parts;
    out.push({ key, data });
    if (p.is(',')) p.next();
    p.skipSeps();
  }
  p.next();
  return out;
}

/** What a map element's data is: a mark, or a NAT address with an optional port. */
export type DataKind = 'mark' | 'nat';
export interface NatData {
  addr: number;
  port?: number;
}

/**
 * `map { … }` after a key: the anonymous map, its elements checked when the rule loads (as nft's
 * are), and the lookup: the data for a packet, or undefined (NFT_BREAK).
 */
export function dataMap<D>(p: NftCursor, key: MapKey, parse: (data: NTok[]) => D, named?: { want: 'mark' | 'nat'; toD: (d: number[]) => D }): { lookup: (x: EvalCtx) => D | undefined; last: () => string } {
  p.expect('map');
  // `map @m`: a named map of the table (nft_named_maps.ts)
  if (p.peek().text.startsWith('@')) {
    if (!named) p.fail(p.peek(), 'a named map here is not modelled');
    return namedDataMap(p, key, named.want, named.toD);
  }
  const raw = dataBlock(p);
  const fields = key.types.length > 1 ? key.types : undefined;
  const anon: NfSet = { name: '', kind: 'set', keyType: key.types[0], fields, interval: !fields, constant: true, elems: [] };
  const data = new Map<SetElem, D>();
  // keys and data are checked now, positions and all; the elements go in when the rule loads
  const parsed = raw.map((r) => ({ el: elemOf(p, anon, r.key), d: parse(r.data), at: r.key.key }));
  p.checks.push(() => {
    anon.elems = [];
    data.clear();
    for (const { el, d, at } of parsed) {
      if (anon.elems.some((e) => e.lo === el.lo && e.hi === el.hi)) continue;
      const over = !fields && anon.elems.find((e) => (el.lo as number) <= (e.hi as number) && (el.hi as number) >= (e.lo as number));
      if (over) throw new ScenarioError(`Could not process rule: File exists: interval ${el.text} overlaps with ${over.text}`, at.pos);
      const copy = { ...el };
      anon.elems.push(copy);
      data.set(copy, d);
    }
  });
  let shown = '';
  return {
    lookup: (x) => {
      const k = key.get(x);
      if (k === undefined) {
        shown = `${key.words}: no such field`;
        return undefined;
      }
      const hit = setLookup(anon, k);
      shown = hit ? `${key.words} ${key.show(k)}, element ${hit.text} of the map` : `${key.words} ${key.show(k)}, in no element of the map (NFT_BREAK)`;
      return hit ? data.get(hit) : undefined;
    },
    last: () => shown,
  };
}

/** A mark as a map's data. */
export function markData(p: NftCursor): (data: NTok[]) => number {
  return (d) => {
    if (d.length !== 1) p.fail(d[1] ?? d[0], 'syntax error: a mark is one value');
    return p.num(d[0], 0, 0xffffffff);
  };
}

/** A NAT address, optionally `. PORT`, as a map's data; ranges and prefixes are not modelled. */
export function natData(p: NftCursor): (data: NTok[]) => NatData {
  return (d) => {
    const parts = d.filter((t) => !(t.kind === 'word' && t.text === '.'));
    const a = parts[0];
    if (/[-/]/.test(a.text) || parts.length > 2) p.fail(a, 'address ranges and prefixes as NAT map data are not modelled (one address, or ADDR . PORT)');
    const addr = p.addrOf(a, a.text);
    if (parts.length === 1) return { addr };
    const pt = parts[1];
    if (/-/.test(pt.text)) p.fail(pt, 'port ranges as NAT map data are not modelled');
    // a port to map to needs a transport protocol fixed before it, or the model cannot tell
    // which header it rewrites
    if (!p.l4) p.fail(pt, 'a port in NAT map data without a transport protocol match (tcp, udp) before it is not modelled');
    return { addr, port: p.portOf(pt, pt.text) };
  };
}
