// Connection tracking (net/netfilter/nf_conntrack_core.c nf_conntrack_in / __nf_conntrack_confirm,
// nf_conntrack_proto_tcp.c, _udp.c, _icmp.c). A connection is two tuples, the original
// direction and the reply direction; a packet is looked up by its tuple, and its ctinfo says
// which direction it travels and whether the connection has seen a reply yet. A new
// connection stays unconfirmed (not in the hash table) until its first packet passes the last
// hook (confirm at NF_IP_PRI_CONNTRACK_CONFIRM on POST_ROUTING or LOCAL_IN).
// One core for both families, as in the kernel: a tuple's addresses are InetAddr (union
// nf_inet_addr), and the family's own parts are the ICMP/ICMPv6 trackers
// (nf_conntrack_proto_icmp.c, nf_conntrack_proto_icmpv6.c) and where the headers are read.
import { rd16 } from '../../proto/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, PROTO_NAMES, readIp } from '../../proto/ipv4';
import { IPV6_HLEN, NEXTHDR_DEST, NEXTHDR_FRAGMENT, NEXTHDR_HOP, NEXTHDR_ICMP, NEXTHDR_ROUTING, readIpv6 } from '../../proto/ipv6';
import { formatInetAddr, inet4, inet6, type InetAddr } from '../../proto/inet_addr';
import type { PktInfo } from './nf_pktinfo';

export const CT_FILE = 'net/netfilter/nf_conntrack_core.c';

/** nf_conntrack_tuple: for ICMP and ICMPv6 the "ports" are the echo id (src) and the type (dst). */
export interface Tuple {
  /** both addresses are of one family (the tuple's l3num) */
  src: InetAddr;
  dst: InetAddr;
  proto: number;
  sport: number;
  dport: number;
}

export type CtInfo = 'IP_CT_ESTABLISHED' | 'IP_CT_RELATED' | 'IP_CT_NEW' | 'IP_CT_ESTABLISHED_REPLY' | 'IP_CT_RELATED_REPLY' | 'IP_CT_UNTRACKED';

export const IPS_ASSURED = 1 << 2;
export const IPS_SRC_NAT = 1 << 4;
export const IPS_DST_NAT = 1 << 5;
export const IPS_SRC_NAT_DONE = 1 << 7;
export const IPS_DST_NAT_DONE = 1 << 8;
export const IPS_DYING = 1 << 9;

export interface NfConn {
  id: number;
  /** [IP_CT_DIR_ORIGINAL, IP_CT_DIR_REPLY] */
  tuple: [Tuple, Tuple];
  confirmed: boolean;
  seenReply: boolean;
  status: number;
  /** TCP_CONNTRACK_* without the prefix */
  tcpState?: string;
  /** ct->proto.tcp without the state: the window tracking of both directions (nf_conntrack_tcp_window.ts) */
  tcp?: import('./nf_conntrack_tcp_window').IpCtTcp;
  mark: number;
  /** UDP: the jiffies after which a connection that has seen a reply is a stream (ct->proto.udp.stream_ts) */
  udpStreamTs?: number;
  /**
   * ct->timeout in jiffies: the span alone while unconfirmed, then the jiffy the entry expires at
   * (nf_conntrack_timeout.ts)
   */
  timeout: number;
  /** the acct extension (nf_conntrack_acct.ts), when accounting was on at creation */
  acct?: import('./nf_conntrack_acct').CtAcct;
}

/** the ICMP request types a connection can start with, and their replies (invmap in nf_conntrack_proto_icmp.c) */
const ICMP_INVERT: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMP_NEW = new Set([8, 13, 15, 17]);
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
/** invmap of nf_conntrack_proto_icmpv6.c: echo request/reply and node information query/reply */
const ICMPV6_INVERT: Record<number, number> = { 128: 129, 129: 128, 139: 140, 140: 139 };
/** valid_new of nf_conntrack_icmpv6_packet: the ICMPv6 types that may start a connection */
const ICMPV6_NEW = new Set([128, 139]);
/**
 * noct_valid_new of nf_conntrack_icmpv6_error: MLD and neighbour discovery (and multicast router
 * discovery) are never tracked; nf_conntrack_in marks them IP_CT_UNTRACKED.
 */
const ICMPV6_UNTRACKED = new Set([130, 131, 132, 133, 134, 135, 136, 143, 151, 152]);

/** A key of an address for the table's hash: the number for IPv4, the 16 bytes in hex for IPv6. */
function addrKey(a: InetAddr): string {
  return a.family === 'ipv4' ? String(a.v4) : Array.from(a.v6, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function tupleKey(t: Tuple): string {
  return `${t.proto}|${addrKey(t.src)}|${addrKey(t.dst)}|${t.sport}|${t.dport}`;
}

/** nf_ct_invert_tuple; for ICMP and ICMPv6 the request's type becomes the reply's (a type with no inverse stays as it is: see canInvert). */
export function invertTuple(t: Tuple): Tuple {
  if (t.proto === IPPROTO_ICMP) return { src: t.dst, dst: t.src, proto: t.proto, sport: t.sport, dport: ICMP_INVERT[t.dport] ?? t.dport };
  if (t.proto === NEXTHDR_ICMP) return { src: t.dst, dst: t.src, proto: t.proto, sport: t.sport, dport: ICMPV6_INVERT[t.dport] ?? t.dport };
  return { src: t.dst, dst: t.src, proto: t.proto, sport: t.dport, dport: t.sport };
}

/** Whether nf_ct_invert_tuple succeeds: nf_conntrack_invert_icmpv6_tuple fails for an ICMPv6 type without a reply type. */
export function canInvert(t: Tuple): boolean {
  return t.proto !== NEXTHDR_ICMP || Object.hasOwn(ICMPV6_INVERT, t.dport);
}

/** The address of an IPv4 tuple as the u32 IPv4 code keeps (0 for an IPv6 tuple, which IPv4-only readers never get). */
export const v4of = (a: InetAddr): number => (a.family === 'ipv4' ? a.v4 : 0);

export function describeTuple(t: Tuple): string {
  const name = PROTO_NAMES[t.proto] ?? `proto ${t.proto}`;
  const v6 = t.src.family === 'ipv6';
  const at = (a: InetAddr, port: number): string => (v6 ? `[${formatInetAddr(a)}]:${port}` : `${formatInetAddr(a)}:${port}`);
  if (t.proto === IPPROTO_TCP || t.proto === IPPROTO_UDP) return `${name}${v6 ? '6' : ''} ${at(t.src, t.sport)} → ${at(t.dst, t.dport)}`;
  if (t.proto === IPPROTO_ICMP) return `icmp ${formatInetAddr(t.src)} → ${formatInetAddr(t.dst)} type ${t.dport} id ${t.sport}`;
  if (t.proto === NEXTHDR_ICMP) return `icmpv6 ${formatInetAddr(t.src)} → ${formatInetAddr(t.dst)} type ${t.dport} id ${t.sport}`;
  return `${name} ${formatInetAddr(t.src)} → ${formatInetAddr(t.dst)}`;
}

/** The packet's addresses as InetAddr: the IPv6 header's on an IPv6 hook, else the IPv4 header's. */
export function pktAddrs(p: PktInfo): { src: InetAddr; dst: InetAddr } {
  if (p.pf === 'ipv6') return { src: inet6(p.ip6h!.saddr), dst: inet6(p.ip6h!.daddr) };
  return { src: inet4(p.iph.saddr), dst: inet4(p.iph.daddr) };
}

const icmpProto = (p: PktInfo): number => (p.pf === 'ipv6' ? NEXTHDR_ICMP : IPPROTO_ICMP);

/** nf_ct_get_tuple for the packet, or null when it carries no usable L4 header. */
export function pktTuple(p: PktInfo): Tuple | null {
  const { src, dst } = pktAddrs(p);
  if (p.l4proto === IPPROTO_TCP || p.l4proto === IPPROTO_UDP) {
    if (p.sport === undefined) return null;
    return { src, dst, proto: p.l4proto, sport: p.sport, dport: p.dport! };
  }
  if (p.l4proto === icmpProto(p)) {
    if (p.icmpType === undefined) return null;
    return { src, dst, proto: p.l4proto, sport: p.icmpId ?? 0, dport: p.icmpType };
  }
  return { src, dst, proto: p.l4proto, sport: 0, dport: 0 };
}

/** An ICMP error (nf_conntrack_icmpv4_error's types), or an ICMPv6 one (types below 128). */
export function isIcmpError(p: PktInfo): boolean {
  if (p.icmpType === undefined || p.l4proto !== icmpProto(p)) return false;
  return p.pf === 'ipv6' ? p.icmpType < 128 : ICMP_ERRORS.has(p.icmpType);
}
/** ICMPv6 neighbour discovery and MLD: conntrack marks them untracked (noct_valid_new). */
export const icmpv6Untracked = (p: PktInfo): boolean => p.pf === 'ipv6' && p.l4proto === NEXTHDR_ICMP && p.icmpType !== undefined && ICMPV6_UNTRACKED.has(p.icmpType);
export const icmpCanStart = (proto: number, type: number): boolean => (proto === NEXTHDR_ICMP ? ICMPV6_NEW.has(type) : ICMP_NEW.has(type));

/** ipv6_skip_exthdr over the quoted packet's extension headers: its upper-layer protocol and offset. */
function skipExthdr6(b: Uint8Array, off: number, tail: number): { proto: number; l4: number } | null {
  let proto = b[off + 6];
  let at = off + IPV6_HLEN;
  while (proto === NEXTHDR_HOP || proto === NEXTHDR_ROUTING || proto === NEXTHDR_DEST || proto === NEXTHDR_FRAGMENT) {
    if (at + 8 > tail) return null;
    const next = b[at];
    if (proto === NEXTHDR_FRAGMENT) {
      // a later fragment quotes no transport header
      if (rd16(b, at + 2) & 0xfff8) return null;
      at += 8;
    } else at += (b[at + 1] + 1) * 8;
    proto = next;
  }
  return { proto, l4: at };
}

/** The tuple of the datagram an ICMP or ICMPv6 error quotes (nf_conntrack_inet_error reads the inner header with nf_ct_get_tuplepr). */
export function innerTuple(p: PktInfo): { t: Tuple; off: number } | null {
  const b = p.skb.buf;
  const off = p.thoff + 8;
  let src: InetAddr, dst: InetAddr, proto: number, l4: number;
  if (p.pf === 'ipv6') {
    if (p.skb.tail - off < IPV6_HLEN) return null;
    const inner = readIpv6(b, off);
    const h = skipExthdr6(b, off, p.skb.tail);
    if (!h) return null;
    ({ proto, l4 } = h);
    src = inet6(inner.saddr);
    dst = inet6(inner.daddr);
  } else {
    if (p.skb.tail - off < 20) return null;
    const inner = readIp(b, off);
    l4 = off + inner.ihl * 4;
    proto = inner.protocol;
    src = inet4(inner.saddr);
    dst = inet4(inner.daddr);
  }
  if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) {
    if (p.skb.tail - l4 < 4) return null;
    return { t: { src, dst, proto, sport: rd16(b, l4), dport: rd16(b, l4 + 2) }, off };
  }
  if (proto === icmpProto(p)) {
    if (p.skb.tail - l4 < 8) return null;
    return { t: { src, dst, proto, sport: rd16(b, l4 + 4), dport: b[l4] }, off };
  }
  return { t: { src, dst, proto, sport: 0, dport: 0 }, off };
}

/** The bits `ct state` compares against (NF_CT_STATE_BIT, and the invalid/untracked ones). */
export function ctStateName(ctinfo: string | null): 'new' | 'established' | 'related' | 'invalid' | 'untracked' {
  switch (ctinfo) {
    case 'IP_CT_NEW':
      return 'new';
    case 'IP_CT_ESTABLISHED':
    case 'IP_CT_ESTABLISHED_REPLY':
      return 'established';
    case 'IP_CT_RELATED':
    case 'IP_CT_RELATED_REPLY':
      return 'related';
    case 'IP_CT_UNTRACKED':
      return 'untracked';
    default:
      return 'invalid';
  }
}
