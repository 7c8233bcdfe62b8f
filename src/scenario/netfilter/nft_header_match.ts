// `PROTO FIELD [BITWISE] [op] VALUES`: a match on a named header field (nft_header_fields.ts),
// compiled as nft compiles it: the protocol dependency, an nft_payload load, an nft_bitwise when
// the field is masked (`& V`, `| V`, `^ V`) or is a bitfield, and an nft_cmp/nft_range/lookup
// of the anonymous set. The keys the older parsers of nft_match.ts read (ip saddr, tcp dport,
// icmp type…) stay theirs unless a bitwise operator follows.
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import * as X from './exprs';
import { NftCursor, q } from './nft_cursor';
import { HEADERS, type HeaderField } from './nft_header_fields';
import { loadPayload } from './nft_payload';
import { applyBitwise, atBitwise, parseBitwise } from './nft_bitwise';
import { numberOf } from './values';

export type Legacy = { keys: string[]; parse: (p: NftCursor, kw: NTok) => Expr };

/** One value of a field, in its datatype; nft's range error when it does not fit the field's bits. */
export function fieldValue(p: NftCursor, f: HeaderField, t: NTok, s: string): number {
  const max = f.len >= 32 ? 0xffffffff : 2 ** f.len - 1;
  let v: number | undefined;
  if (typeof f.type === 'object') v = Object.hasOwn(f.type, s) ? f.type[s] : numberOf(s);
  else if (f.type === 'addr') v = numberOf(s) ?? p.addrOf(t, s);
  else if (f.type === 'proto') v = Object.hasOwn(X.PROTO_BY_NAME, s) ? X.PROTO_BY_NAME[s] : numberOf(s);
  else if (f.type === 'port') v = p.portOf(t, s);
  else v = numberOf(s);
  if (v === undefined) {
    const names = typeof f.type === 'object' ? ` (${Object.keys(f.type).join(', ')})` : '';
    return p.fail(t, `${q(s)} is not a value of this field${names}`);
  }
  if (v > max) p.fail(t, `Value ${v} exceeds valid range 0-${max}`);
  return v;
}

export function headerMatch(p: NftCursor, kw: NTok, legacy?: Legacy): Expr {
  const h = HEADERS[kw.text];
  const k = p.peek();
  if (legacy && legacy.keys.includes(k.text)) {
    const after = p.peek(1);
    const bitwise = (after.kind === 'punct' || after.kind === 'word') && ['&', '|', 'and', 'or', 'xor', 'set'].includes(after.text);
    if (!bitwise || !Object.hasOwn(h.fields, k.text)) return legacy.parse(p, kw);
  }
  const names = [...new Set([...(legacy?.keys ?? []), ...Object.keys(h.fields)])];
  if (k.kind !== 'word' || !Object.hasOwn(h.fields, k.text)) {
    if (k.kind !== 'word') p.fail(k, `syntax error: expected ${names.map((n) => `${kw.text} ${n}`).join(', ')}`);
    return p.fail(k, `${kw.text} ${k.text} is not modelled (${names.map((n) => `${kw.text} ${n}`).join(', ')} are)`);
  }
  p.next();
  const f = h.fields[k.text];
  if (p.is('set')) p.fail(p.peek(), `${kw.text} ${k.text} set: setting header fields is not modelled`);
  if (h.proto !== undefined) p.needL4(kw, kw.text);
  else p.l3Known = true;
  // an icmp/icmpv6 header match fixes the network family unless one came first (see NftCursor.l3Said)
  if (kw.text === 'icmp') p.l3Said ??= 'ipv4';
  if (kw.text === 'icmpv6') p.l3Said ??= 'ipv6';
  const bw = atBitwise(p) ? parseBitwise(p, f.len, () => {
    const t = p.word('a value');
    return fieldValue(p, f, t, t.text);
  }) : null;
  const op = p.op();
  const nx = p.peek();
  if (nx.kind === 'word' && (nx.text === 'vmap' || nx.text.startsWith('@'))) p.fail(nx, `${kw.text} ${k.text} with ${nx.text === 'vmap' ? 'a verdict map' : 'a named set'} is not modelled`);
  const vs = p.values('a value');
  const r = p.ranges(vs, (t, s) => fieldValue(p, f, t, s), f.type === 'addr');
  const text = p.text(kw);
  const proto = h.proto;
  const field = { base: h.base, offset: f.offset, len: f.len };
  // nft 1.0.6 puts an icmp type match before the fields only some types have (its ICMP
  // dependency): the rule ends on any other type; a rule that fixed another type is refused
  const need = kw.text === 'icmp' ? ICMP_FIELD_TYPES[k.text] : undefined;
  if (need && p.icmpType !== null && !need.includes(p.icmpType)) p.fail(kw, `incompatible icmp match: rule has ${p.icmpType}, need ${need[need.length - 1]}`);
  const raw = (x: EvalCtx): number | undefined => (proto !== undefined && x.p.l4proto !== proto ? undefined : need && !need.includes(x.p.icmpType ?? -1) ? undefined : loadPayload(x, field));
  const get = applyBitwise(bw, raw);
  const show = (v: number): string => `${kw.text} ${k.text} ${f.type === 'addr' ? X.showAddr(v) : v}${bw ? ` (${bw.text} applied)` : ''}`;
  return X.matchNum(text, get, op, r, show, {
    actual: (x) => {
      const v = get(x);
      if (v !== undefined) return show(v);
      if (proto !== undefined && x.p.l4proto !== proto) return `no ${kw.text} header (ip protocol ${X.showProto(x.p.l4proto)})`;
      return `no ${kw.text} ${k.text} to load (a later fragment, or the packet ends before it)`;
    },
  });
}

/** icmp fields and the types that have them (nft 1.0.6's ICMP dependency: echo for id and sequence, destination-unreachable for mtu, redirect for gateway) */
const ICMP_FIELD_TYPES: Record<string, number[]> = { id: [0, 8], sequence: [0, 8], mtu: [3], gateway: [5] };

/**
 * `@nh,OFFSET,LENGTH [& V] [op] VALUES` and `@th,…`: a raw nft_payload load of LENGTH bits at bit
 * OFFSET of the network or transport header. nft adds no dependency for it: `@th` reads the
 * transport header of whatever protocol the packet carries (the kernel only refuses a later
 * fragment or a load past the end). `@ll` (the link-layer header) is not modelled.
 */
export function rawPayloadMatch(p: NftCursor, kw: NTok): Expr {
  if (kw.text === '@ll') return p.fail(kw, 'raw payload @ll (the link-layer header) is not modelled (@nh and @th are)');
  p.expect(',');
  const off = p.num(p.word('a bit offset'), 0, 0xffff);
  p.expect(',');
  const lenTok = p.word('a bit length');
  const len = p.num(lenTok, 0, 0xffff);
  if (len === 0) p.fail(lenTok, 'raw payload length 0: nothing to load');
  if (len > 32) p.fail(lenTok, `raw payloads longer than 32 bits are not modelled (this one is ${len})`);
  if (p.atEnd()) p.fail(p.peek(), 'syntax error: a raw payload needs a value to compare with');
  const f: HeaderField = { offset: off, len, type: 'int' };
  const bw = atBitwise(p) ? parseBitwise(p, len, () => {
    const t = p.word('a value');
    return fieldValue(p, f, t, t.text);
  }) : null;
  const op = p.op();
  const nx = p.peek();
  if (nx.kind === 'word' && (nx.text === 'vmap' || nx.text.startsWith('@'))) p.fail(nx, `a raw payload with ${nx.text === 'vmap' ? 'a verdict map' : 'a named set'} is not modelled`);
  const vs = p.values('a value');
  const r = p.ranges(vs, (t, s) => fieldValue(p, f, t, s));
  const field = { base: kw.text === '@nh' ? ('nh' as const) : ('th' as const), offset: off, len };
  const get = applyBitwise(bw, (x: EvalCtx) => loadPayload(x, field));
  const name = `${kw.text},${off},${len}`;
  return X.matchNum(p.text(kw), get, op, r, (v) => `${name} ${v}`, { actual: (x) => (get(x) === undefined ? `nothing at ${name} to load (a later fragment, or the packet ends before it)` : `${name} ${get(x)}`) });
}
