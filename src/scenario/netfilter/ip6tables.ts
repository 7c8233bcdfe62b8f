// What `ip6tables` reads differently from `iptables` (iptables 1.8.9, nf_tables backend; the
// kernel side is v6.12's ip6_tables.c, ip6t_REJECT.c and the family-independent xt modules).
// iptables.ts parses both with the family as a parameter; this file holds the IPv6 pieces:
// addresses with prefixes, `-m icmp6 --icmpv6-type` (icmp6_match), `--reject-with icmp6-*`,
// and which tables, matches and targets are modelled on IPv6 packets. What is IPv4-only is
// refused as ip6tables refuses it (`-f`, `-m icmp`, `--reject-with icmp-host-prohibited`).
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import { NEXTHDR_ICMP } from '../../model/proto/ipv6';
import { formatIpv6, parseIpv6 } from '../../trace/ipv6';
import { ScenarioError, type Tok } from '../types';

export type IptFamily = 'ip' | 'ip6';

/** The command's name, as the tools name themselves in their messages. */
export const toolName = (fam: IptFamily): string => (fam === 'ip6' ? 'ip6tables' : 'iptables');

/**
 * The tables ip6tables may use in the model: filter, nat (NAT66 through the same nf_nat_setup_info
 * as nft's ip6 nat chains) and mangle (its OUTPUT chain a route chain, nf_route_table_hook6)
 * and raw (NOTRACK, CT --notrack: ahead of IPv6 conntrack at -300). security is not modelled for IPv6.
 */
export function ip6TableCheck(name: string, at: Tok): void {
  if (name === 'filter' || name === 'nat' || name === 'mangle' || name === 'raw') return;
  throw new ScenarioError(`ip6tables -t ${name} is not modelled: the filter, nat, mangle and raw tables are (the ${name} table is not modelled for IPv6)`, at.pos);
}

/** libxtables' protocol names ip6tables adds to the common ones (xtables_chain_protos). */
export const IP6T_EXTRA_PROTOS: Record<string, number> = { icmpv6: NEXTHDR_ICMP, 'ipv6-icmp': NEXTHDR_ICMP };

function big(a: Uint8Array): bigint {
  let v = 0n;
  for (const b of a) v = (v << 8n) | BigInt(b);
  return v;
}

function bytesOf(v: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * `-s`/`-d` of ip6tables: an address, ADDR/LEN, or ADDR/MASK with a contiguous mask (listed as
 * its length); the range of addresses it covers and its iptables-save form. A name or an IPv4
 * address is ip6tables' "host/network `X' not found".
 */
export function parseAddr6(t: Tok): { range: [bigint, bigint]; save: string } {
  const [a, l] = t.text.split('/');
  const base = parseIpv6(a);
  if (!base) throw new ScenarioError(`host/network \`${a}' not found (the model takes IPv6 addresses, not names)`, t.pos);
  let plen = 128;
  if (l !== undefined) {
    if (/^\d+$/.test(l)) {
      plen = Number(l);
      if (plen > 128) throw new ScenarioError(`invalid mask \`${l}' specified`, t.pos);
    } else {
      const m = parseIpv6(l);
      if (!m) throw new ScenarioError(`invalid mask \`${l}' specified`, t.pos);
      const mv = big(m);
      const len = [...Array(129).keys()].find((n) => mv === ((1n << 128n) - 1n) - ((1n << BigInt(128 - n)) - 1n));
      if (len === undefined) throw new ScenarioError(`a mask with holes (${l}) is not modelled for IPv6: give a prefix length`, t.pos);
      plen = len;
    }
  }
  const host = (1n << BigInt(128 - plen)) - 1n;
  const lo = big(base) & ~host;
  return { range: [lo, lo | host], save: `${formatIpv6(bytesOf(lo))}/${plen}` };
}

/** ip6_packet_match's address test: (addr & mask) == the rule's address, inverted with `!`. */
export function matchAddr6(text: string, src: boolean, r: [bigint, bigint], neg: boolean): Expr {
  const get = (x: EvalCtx): Uint8Array | undefined => (src ? x.p.ip6h?.saddr : x.p.ip6h?.daddr);
  return {
    text,
    v6: true,
    l3: 'ipv6',
    eval: (x) => {
      const a = get(x);
      if (!a) return false;
      const v = big(a);
      return (v >= r[0] && v <= r[1]) !== neg;
    },
    actual: (x) => {
      const a = get(x);
      return a ? `ip6 ${src ? 'saddr' : 'daddr'} ${formatIpv6(a)}` : 'no IPv6 header';
    },
  };
}

/** libip6t_icmp6's names: type, and the code range a name covers (0-255 for a whole type). */
export const ICMPV6_XT_TYPES: Record<string, [number, number, number]> = {
  'destination-unreachable': [1, 0, 255],
  'no-route': [1, 0, 0],
  'communication-prohibited': [1, 1, 1],
  'beyond-scope': [1, 2, 2],
  'address-unreachable': [1, 3, 3],
  'port-unreachable': [1, 4, 4],
  'failed-policy': [1, 5, 5],
  'reject-route': [1, 6, 6],
  'packet-too-big': [2, 0, 255],
  'time-exceeded': [3, 0, 255],
  'ttl-exceeded': [3, 0, 255],
  'ttl-zero-during-transit': [3, 0, 0],
  'ttl-zero-during-reassembly': [3, 1, 1],
  'parameter-problem': [4, 0, 255],
  'bad-header': [4, 0, 0],
  'unknown-header-type': [4, 1, 1],
  'unknown-option': [4, 2, 2],
  'echo-request': [128, 0, 255],
  ping: [128, 0, 255],
  'echo-reply': [129, 0, 255],
  pong: [129, 0, 255],
  'router-solicitation': [133, 0, 255],
  'router-advertisement': [134, 0, 255],
  'neighbour-solicitation': [135, 0, 255],
  'neighbor-solicitation': [135, 0, 255],
  'neighbour-advertisement': [136, 0, 255],
  'neighbor-advertisement': [136, 0, 255],
  redirect: [137, 0, 255],
};

/** `--icmpv6-type NAME|TYPE[/CODE]` → type, code range, and its iptables-save form (numbers). */
export function parseIcmp6Type(v: Tok): { type: number; min: number; max: number; save: string } {
  if (Object.hasOwn(ICMPV6_XT_TYPES, v.text)) {
    const [type, min, max] = ICMPV6_XT_TYPES[v.text];
    return { type, min, max, save: min === 0 && max === 255 ? `${type}` : `${type}/${min}` };
  }
  const m = /^(\d+)(?:\/(\d+))?$/.exec(v.text);
  if (!m || Number(m[1]) > 255 || (m[2] !== undefined && Number(m[2]) > 255)) throw new ScenarioError(`Unknown ICMPv6 type \`${v.text}'`, v.pos);
  const type = Number(m[1]);
  const code = m[2] === undefined ? undefined : Number(m[2]);
  return { type, min: code ?? 0, max: code ?? 255, save: code === undefined ? `${type}` : `${type}/${code}` };
}

/**
 * icmp6_match (ip6_tables.c): an ICMPv6 header whose type is the rule's and whose code is in its
 * range (type 255 matches any), inverted with `!`; a later fragment never matches.
 */
export function matchIcmp6(text: string, t: { type: number; min: number; max: number }, neg: boolean): Expr {
  return {
    text,
    v6: true,
    l3: 'ipv6',
    eval: (x) => {
      const p = x.p;
      if (p.pf !== 'ipv6' || p.l4proto !== NEXTHDR_ICMP || p.fragoff || p.icmpType === undefined) return false;
      return (t.type === 0xff || (p.icmpType === t.type && p.icmpCode! >= t.min && p.icmpCode! <= t.max)) !== neg;
    },
    actual: (x) => (x.p.l4proto === NEXTHDR_ICMP && x.p.icmpType !== undefined ? `icmpv6 type ${x.p.icmpType} code ${x.p.icmpCode}` : 'no icmpv6 header'),
  };
}

/** libip6t_REJECT's names (and aliases) → the ICMPv6 destination unreachable code, or tcp-reset. */
export const REJECT6_WITH: Record<string, number | 'tcp-reset'> = {
  'icmp6-no-route': 0,
  'no-route': 0,
  'icmp6-adm-prohibited': 1,
  'adm-prohibited': 1,
  'icmp6-addr-unreachable': 3,
  'addr-unreach': 3,
  'icmp6-port-unreachable': 4,
  'port-unreach': 4,
  'icmp6-policy-fail': 5,
  'policy-fail': 5,
  'icmp6-reject-route': 6,
  'reject-route': 6,
  'tcp-reset': 'tcp-reset',
};

/** The built-in matches ip6tables loads that the model runs on IPv6 packets. */
export const IP6T_MATCHES = new Set(['tcp', 'udp', 'icmp6', 'mark', 'multiport', 'comment', 'pkttype', 'hl', 'length']);

/** The targets ip6tables may use in the model (NAT66 in the nat table; CONNMARK on IPv6 conntrack). */
export const IP6T_TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'LOG', 'MARK', 'QUEUE', 'NFQUEUE', 'SNAT', 'DNAT', 'MASQUERADE', 'REDIRECT', 'CONNMARK', 'HL', 'NOTRACK', 'CT']);

/** IPv4-only extensions: ip6tables has no such module (libipt_*), so it cannot load it. */
const IPV4_ONLY = new Set(['icmp', 'ttl', 'realm', 'CLUSTERIP', 'ECN', 'TTL', 'ULOG']);

/** ip6tables' refusal of a match or target the model does not run on IPv6 packets. */
export function ip6Unsupported(kind: 'match' | 'target', name: Tok): never {
  if (IPV4_ONLY.has(name.text)) throw new ScenarioError(`Couldn't load ${kind} \`${name.text}':No such file or directory (an IPv4-only extension)`, name.pos);
  throw new ScenarioError(`ip6tables ${kind} ${name.text} is not modelled for IPv6 packets`, name.pos);
}
