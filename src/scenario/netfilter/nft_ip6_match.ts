// The IPv6 matches of an nft rule: `ip6 saddr|daddr|nexthdr|hoplimit|length` and
// `icmpv6 type|code` (nftables' proto.c ip6 and icmp6 templates, evaluated by the kernel's
// nft_payload on the network and transport headers). Addresses are 128-bit, compared as
// bigints; a prefix is the range it covers, as nft turns it into a masked compare. In an inet
// table every `ip6 …` match carries the family (`l3`): nft puts `meta nfproto ipv6` before it.
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import { NEXTHDR_ICMP } from '../../model/proto/ipv6';
import { formatIpv6, parseIpv6 } from '../../trace/ipv6';
import type { NTok } from './lex';
import * as X from './exprs';
import { NftCursor, q } from './nft_cursor';
import { IPV6_PROTO_NAMES } from './nft_exthdr6_fields';
import { lookupOr } from './nft_sets';

/** nftables' icmp6_type_tbl names. */
export const ICMPV6_TYPES: Record<string, number> = {
  'destination-unreachable': 1,
  'packet-too-big': 2,
  'time-exceeded': 3,
  'parameter-problem': 4,
  'echo-request': 128,
  'echo-reply': 129,
  'mld-listener-query': 130,
  'mld-listener-report': 131,
  'mld-listener-done': 132,
  'mld-listener-reduction': 132,
  'nd-router-solicit': 133,
  'nd-router-advert': 134,
  'nd-neighbor-solicit': 135,
  'nd-neighbor-advert': 136,
  'nd-redirect': 137,
  'router-renumbering': 138,
  'ind-neighbor-solicit': 141,
  'ind-neighbor-advert': 142,
  'mld2-listener-report': 143,
};

/** nftables' icmpv6_code_tbl: the destination-unreachable codes `reject with icmpv6 type` takes. */
export const ICMPV6_REJECT_CODES: Record<string, number> = {
  'no-route': 0,
  'admin-prohibited': 1,
  'addr-unreachable': 3,
  'port-unreachable': 4,
  'policy-fail': 5,
  'reject-route': 6,
};

const showIcmp6 = (v: number): string => Object.entries(ICMPV6_TYPES).find(([, n]) => n === v)?.[0] ?? String(v);

type Range6 = [bigint, bigint];

/** An IPv6 address's 16 bytes as one number. */
export function big6(a: Uint8Array): bigint {
  let v = 0n;
  for (const b of a) v = (v << 8n) | BigInt(b);
  return v;
}

/** An address as one number, in its shortest text. */
export function fmt6(v: bigint): string {
  return formatIpv6(Uint8Array.from({ length: 16 }, (_, i) => Number((v >> BigInt(8 * (15 - i))) & 0xffn)));
}

/** An IPv6 address, a prefix ADDR/LEN or a range ADDR-ADDR, as the range of addresses it covers. */
export function addr6Range(p: NftCursor, t: NTok): Range6 {
  const s = t.text;
  const one = (x: string): bigint => {
    const a = parseIpv6(x);
    if (!a) return p.fail(t, `${q(x)} is not an IPv6 address${/^[a-z]/i.test(x) && !x.includes(':') ? ' (host names are not resolved by the model)' : ''}`);
    return big6(a);
  };
  if (s.includes('/')) {
    const [a, l] = s.split('/');
    if (!/^\d{1,3}$/.test(l) || Number(l) > 128) p.fail(t, `${q(s)}: bad prefix length`);
    const host = (1n << BigInt(128 - Number(l))) - 1n;
    const base = one(a) & ~host;
    return [base, base | host];
  }
  const dash = s.indexOf('-');
  if (dash > 0) {
    const lo = one(s.slice(0, dash));
    const hi = one(s.slice(dash + 1));
    if (hi < lo) p.fail(t, 'Range has zero or negative size');
    return [lo, hi];
  }
  const v = one(s);
  return [v, v];
}

/** A set key of an IPv6 address: 32 hex digits, which order as the addresses do. */
export function hex128(v: bigint): string {
  return v.toString(16).padStart(32, '0');
}

/** A range of addresses as nft lists it: one address, a prefix when it is one, else FIRST-LAST. */
export function addr6Text(lo: bigint, hi: bigint): string {
  if (lo === hi) return fmt6(lo);
  const size = hi - lo + 1n;
  if ((size & (size - 1n)) === 0n && (lo & (size - 1n)) === 0n) return `${fmt6(lo)}/${128 - (size.toString(2).length - 1)}`;
  return `${fmt6(lo)}-${fmt6(hi)}`;
}

function ip6Only(e: Expr): Expr {
  return { ...e, l3: 'ipv6', v6: true };
}

export function ip6Match(p: NftCursor, kw: NTok): Expr {
  if (p.ruleFamily === 'ip') p.fail(kw, 'conflicting protocols specified: ip vs. ip6 (an ip table sees IPv4 packets only)');
  if (p.l3Said === 'ipv4') p.fail(kw, 'conflicting protocols specified: ip vs. ip6');
  p.l3Said = 'ipv6';
  const k = p.key(kw, ['saddr', 'daddr', 'nexthdr', 'hoplimit', 'length']);
  const op = p.op();
  const h = (x: EvalCtx) => x.p.ip6h;
  if (k.text === 'saddr' || k.text === 'daddr') {
    // `ip6 saddr @S`, `ip6 daddr vmap { … }`: a lookup of the address (type ipv6_addr)
    const addr = (x: EvalCtx): Uint8Array | undefined => (k.text === 'saddr' ? h(x)?.saddr : h(x)?.daddr);
    const ref = lookupOr(p, kw, op, 'ipv6_addr', (x) => {
      const a = addr(x);
      return a ? hex128(big6(a)) : undefined;
    }, (v) => `ip6 ${k.text} ${addr6Text(BigInt(`0x${v}`), BigInt(`0x${v}`))}`);
    if (ref) return ip6Only(ref);
  }
  const nx = p.peek();
  if (nx.kind === 'word' && (nx.text === 'vmap' || nx.text.startsWith('@'))) p.fail(nx, `ip6 ${k.text} with ${nx.text === 'vmap' ? 'a verdict map' : 'a named set'} is not modelled`);
  const vs = p.values('a value');
  const text = p.text(kw);
  switch (k.text) {
    case 'saddr':
    case 'daddr': {
      if (op !== '==' && op !== '!=') p.fail(kw, `ip6 ${k.text} ${op}: only == and != are modelled for IPv6 addresses`);
      const rs = vs.map((t) => addr6Range(p, t));
      const get = (x: EvalCtx): Uint8Array | undefined => (k.text === 'saddr' ? h(x)?.saddr : h(x)?.daddr);
      return ip6Only({
        text,
        eval: (x) => {
          const a = get(x);
          if (!a) return false;
          const v = big6(a);
          return rs.some(([lo, hi]) => v >= lo && v <= hi) !== (op === '!=');
        },
        actual: (x) => {
          const a = get(x);
          return a ? `ip6 ${k.text} ${formatIpv6(a)}` : 'no IPv6 header';
        },
      });
    }
    case 'nexthdr': {
      // the fixed header's next header field (payload offset 6), not the protocol after the
      // extension headers (that is meta l4proto)
      const r = p.ranges(vs, (t, s) => (s === 'icmpv6' ? NEXTHDR_ICMP : s in X.PROTO_BY_NAME ? X.PROTO_BY_NAME[s] : Object.hasOwn(IPV6_PROTO_NAMES, s) ? IPV6_PROTO_NAMES[s] : p.num(t, 0, 255)));
      if (op === '==' && r.length === 1 && r[0][0] === r[0][1]) {
        const name = Object.entries(X.PROTO_BY_NAME).find(([, n]) => n === r[0][0])?.[0];
        if (name) p.sawL4([name]);
      }
      return ip6Only(X.matchNum(text, (x) => h(x)?.nexthdr, op, r, X.showProto, { actual: (x) => `ip6 nexthdr ${X.showProto(h(x)?.nexthdr ?? 0)}` }));
    }
    case 'hoplimit':
      return ip6Only(X.matchNum(text, (x) => h(x)?.hopLimit, op, p.ranges(vs, (t) => p.num(t, 0, 255)), (v) => `ip6 hoplimit ${v}`));
    default:
      return ip6Only(X.matchNum(text, (x) => h(x)?.payloadLen, op, p.ranges(vs, (t) => p.num(t, 0, 65535)), (v) => `ip6 length ${v}`));
  }
}

export function icmpv6Match(p: NftCursor, kw: NTok): Expr {
  // nft 1.0.6 loads it (ICMPv6 carried in IPv4, protocol 58): not a conflict, but not modelled
  if (p.ruleFamily === 'ip') p.fail(kw, 'icmpv6 in an ip table (ICMPv6 carried in IPv4) is not modelled');
  const k = p.key(kw, ['type', 'code']);
  p.needL4(kw, 'ipv6-icmp');
  // `ip protocol ipv6-icmp icmpv6 …` keeps the IPv4 context (nft 1.0.6 loads it: ICMPv6 in IPv4)
  p.l3Said ??= 'ipv6';
  const op = p.op();
  const nx = p.peek();
  if (nx.kind === 'word' && (nx.text === 'vmap' || nx.text.startsWith('@'))) p.fail(nx, `icmpv6 ${k.text} with ${nx.text === 'vmap' ? 'a verdict map' : 'a named set'} is not modelled`);
  const vs = p.values(k.text === 'type' ? 'an ICMPv6 type' : 'an ICMPv6 code');
  const text = p.text(kw);
  // the dependency nft adds is meta l4proto ipv6-icmp: a packet of another protocol breaks the rule
  const is6 = (x: EvalCtx): boolean => x.p.pf === 'ipv6' && x.p.l4proto === NEXTHDR_ICMP;
  if (k.text === 'type') {
    const r = p.ranges(vs, (t, s) => (Object.hasOwn(ICMPV6_TYPES, s) ? ICMPV6_TYPES[s] : /^\d+$/.test(s) ? p.num(t, 0, 255) : p.fail(t, `unknown icmpv6 type ${q(s)} (${Object.keys(ICMPV6_TYPES).join(', ')})`)));
    return { ...X.matchNum(text, (x) => (is6(x) ? x.p.icmpType : undefined), op, r, (v) => `icmpv6 type ${showIcmp6(v)}`, {
      actual: (x) => (is6(x) && x.p.icmpType !== undefined ? `icmpv6 type ${showIcmp6(x.p.icmpType)}` : `no icmpv6 header (meta l4proto ${X.showProto(x.p.l4proto)})`),
    }), v6: true };
  }
  const r = p.ranges(vs, (t, s) => (Object.hasOwn(ICMPV6_REJECT_CODES, s) ? ICMPV6_REJECT_CODES[s] : /^\d+$/.test(s) ? p.num(t, 0, 255) : p.fail(t, `unknown icmpv6 code ${q(s)} (${Object.keys(ICMPV6_REJECT_CODES).join(', ')})`)));
  return { ...X.matchNum(text, (x) => (is6(x) ? x.p.icmpCode : undefined), op, r, (v) => `icmpv6 code ${v}`), v6: true };
}
