// `exthdr hbh|rt|frag|dst|mh exists|missing` and `hbh|rt|frag|dst FIELD [op] VALUES`: nft_exthdr
// loads of IPv6 extension headers (nft_exthdr.ts ipv6Exthdr) with nft 1.0.6's templates
// (nft_exthdr6_fields.ts). nft adds no dependency in an ip6 table and `meta nfproto ipv6` in an
// inet one; an ip table refuses them. A header the packet does not have ends the rule (NFT_BREAK)
// for a field and reads "missing" for a presence test. Words and errors measured with nft 1.0.6.
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import * as X from './exprs';
import { NftCursor, q } from './nft_cursor';
import { ipv6Exthdr, type ExthdrSpec } from './nft_exthdr';
import { EXTHDR6_PRESENCE, EXTHDRS6, IPV6_PROTO_NAMES, type Exthdr6Field } from './nft_exthdr6_fields';
import { numberOf } from './values';

const HEADER_NAMES: Record<string, string> = { hbh: 'hop-by-hop options header', rt: 'routing header', frag: 'fragment header', dst: 'destination options header', mh: 'mobility header' };

const v6 = (e: Expr): Expr => ({ ...e, l3: 'ipv6', v6: true });

function notIp(p: NftCursor, kw: NTok): void {
  if (p.ruleFamily === 'ip') p.fail(kw, 'cannot use exthdr with ip (IPv6 extension headers: an ip table sees IPv4 packets only)');
}

/** `exthdr NAME exists|missing` */
export function exthdrPresence(p: NftCursor, kw: NTok): Expr {
  const n = p.next();
  if (n.kind !== 'word' || !EXTHDR6_PRESENCE.includes(n.text)) p.fail(n, `syntax error, unexpected ${q(n.text)}: exthdr takes ${EXTHDR6_PRESENCE.join(', ')}`);
  const w = p.peek();
  if (w.kind !== 'word' || (w.text !== 'exists' && w.text !== 'missing')) p.fail(w, `syntax error, unexpected ${w.kind === 'nl' || w.kind === 'eof' ? 'newline' : q(w.text)}: exthdr ${n.text} takes exists or missing`);
  p.next();
  notIp(p, kw);
  const spec: ExthdrSpec = { type: EXTHDRS6[n.text].type, offset: 0, len: 1, present: true };
  const want = w.text === 'exists' ? 1 : 0;
  const what = HEADER_NAMES[n.text];
  return v6(X.matchNum(p.text(kw), (x) => ipv6Exthdr(x, spec), '==', [[want, want]], (v) => (v ? `a ${what}` : `no ${what}`), {
    actual: (x) => (x.p.pf !== 'ipv6' ? 'not an IPv6 packet' : ipv6Exthdr(x, spec) ? `a ${what}` : `no ${what}`),
  }));
}

function fieldValue(p: NftCursor, f: Exthdr6Field, t: NTok, s: string): number {
  if (f.type === 'proto') {
    const v = Object.hasOwn(X.NFT_PROTO_BY_NAME, s) ? X.NFT_PROTO_BY_NAME[s] : Object.hasOwn(IPV6_PROTO_NAMES, s) ? IPV6_PROTO_NAMES[s] : numberOf(s);
    if (v === undefined) return p.fail(t, `Could not resolve protocol name ${q(s)}`);
    if (v > 255) p.fail(t, 'Protocol out of range');
    return v;
  }
  const v = numberOf(s);
  if (v === undefined) return p.fail(t, `${q(s)} is not a number`);
  const max = 2 ** f.len - 1;
  if (v > max) p.fail(t, `Value ${v} exceeds valid range 0-${max}`);
  return v;
}

/** after hbh, rt, frag, dst or mh: `FIELD [op] VALUES` */
export function exthdrField(p: NftCursor, kw: NTok): Expr {
  const h = EXTHDRS6[kw.text];
  const k = p.peek();
  const names = Object.keys(h.fields);
  if (kw.text === 'mh' && k.kind === 'word' && ['nexthdr', 'hdrlength', 'type', 'reserved', 'checksum'].includes(k.text)) p.fail(k, `mh ${k.text}: the fields of the mobility header are not modelled (exthdr mh exists|missing is)`);
  if (k.kind !== 'word' || !Object.hasOwn(h.fields, k.text)) {
    const un = k.kind === 'nl' || k.kind === 'eof' ? 'newline' : q(k.text);
    return p.fail(k, `syntax error, unexpected ${un}${names.length ? `, expecting ${names.join(' or ')}` : ''}${k.text === 'exists' || k.text === 'missing' ? ` (presence is written exthdr ${kw.text} ${k.text})` : ''}`);
  }
  p.next();
  const f = h.fields[k.text];
  if (p.is('set')) p.fail(p.peek(), `syntax error, unexpected set: nft 1.0.6 does not change IPv6 extension headers`);
  const b = p.peek();
  if ((b.kind === 'punct' || b.kind === 'word') && ['&', '|', '^', 'and', 'or', 'xor', '>>', '<<'].includes(b.text)) p.fail(b, `${kw.text} ${k.text} with a bitwise operation is not modelled`);
  const op = p.op();
  const nx = p.peek();
  if (nx.kind === 'word' && (nx.text === 'vmap' || nx.text.startsWith('@'))) p.fail(nx, `${kw.text} ${k.text} with ${nx.text === 'vmap' ? 'a verdict map' : 'a named set'} is not modelled`);
  const vs = p.values('a value');
  const r = p.ranges(vs, (t, s) => fieldValue(p, f, t, s));
  notIp(p, kw);
  // the bytes that hold the field, then the field's bits out of them (nft's mask)
  const first = Math.floor(f.offset / 8);
  const bytes = Math.ceil(((f.offset % 8) + f.len) / 8);
  const shift = bytes * 8 - (f.offset % 8) - f.len;
  const spec: ExthdrSpec = { type: h.type, offset: first, len: bytes, present: false };
  const get = (x: EvalCtx): number | undefined => {
    const raw = ipv6Exthdr(x, spec);
    return raw === undefined ? undefined : Math.floor(raw / 2 ** shift) % 2 ** f.len;
  };
  const name = `${kw.text} ${k.text}`;
  const show = (v: number): string => `${name} ${f.type === 'proto' ? X.showProto(v) : v}`;
  return v6(X.matchNum(p.text(kw), get, op, r, show, {
    actual: (x) => {
      const v = get(x);
      if (v !== undefined) return show(v);
      if (x.p.pf !== 'ipv6') return 'not an IPv6 packet';
      return ipv6Exthdr(x, { ...spec, present: true }) ? `no ${name} to load (the packet ends before it)` : `no ${HEADER_NAMES[kw.text]}`;
    },
  }));
}

/** the words after `rt` that make it the routing header's (the others are nft's routing expression, nft_rt) */
export function isRtExthdr(p: NftCursor): boolean {
  const k = p.peek();
  return k.kind === 'word' && Object.hasOwn(EXTHDRS6.rt.fields, k.text);
}
