// Connection tracking (net/netfilter/nf_conntrack_core.c nf_conntrack_in / __nf_conntrack_confirm,
// nf_conntrack_proto_tcp.c, _udp.c, _icmp.c). A connection is two tuples, the original
// direction and the reply direction; a packet is looked up by its tuple, and its ctinfo says
// which direction it travels and whether the connection has seen a reply yet. A new
// connection stays unconfirmed (not in the hash table) until its first packet passes the last
// hook (confirm at NF_IP_PRI_CONNTRACK_CONFIRM on POST_ROUTING or LOCAL_IN).
import { numToIp, rd16 } from '../../proto/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, PROTO_NAMES, readIp } from '../../proto/ipv4';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from '../../proto/tcp';
import type { PktInfo } from './nf_pktinfo';

export const CT_FILE = 'net/netfilter/nf_conntrack_core.c';

/** nf_conntrack_tuple: for ICMP the "ports" are the echo id (src) and the type (dst). */
export interface Tuple {
  src: number;
  dst: number;
  proto: number;
  sport: number;
  dport: number;
}

export type CtInfo = 'IP_CT_ESTABLISHED' | 'IP_CT_RELATED' | 'IP_CT_NEW' | 'IP_CT_ESTABLISHED_REPLY' | 'IP_CT_RELATED_REPLY' | 'IP_CT_UNTRACKED';

export const IPS_SRC_NAT = 1 << 4;
export const IPS_DST_NAT = 1 << 5;
export const IPS_SRC_NAT_DONE = 1 << 7;
export const IPS_DST_NAT_DONE = 1 << 8;

export interface NfConn {
  id: number;
  /** [IP_CT_DIR_ORIGINAL, IP_CT_DIR_REPLY] */
  tuple: [Tuple, Tuple];
  confirmed: boolean;
  seenReply: boolean;
  status: number;
  /** TCP_CONNTRACK_* without the prefix */
  tcpState?: string;
  mark: number;
  /** the acct extension (nf_conntrack_acct.ts), when accounting was on at creation */
  acct?: import('./nf_conntrack_acct').CtAcct;
}

/** the ICMP request types a connection can start with, and their replies (invmap in nf_conntrack_proto_icmp.c) */
const ICMP_INVERT: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMP_NEW = new Set([8, 13, 15, 17]);
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

export function tupleKey(t: Tuple): string {
  return `${t.proto}|${t.src}|${t.dst}|${t.sport}|${t.dport}`;
}

export function invertTuple(t: Tuple): Tuple {
  if (t.proto === IPPROTO_ICMP) return { src: t.dst, dst: t.src, proto: t.proto, sport: t.sport, dport: ICMP_INVERT[t.dport] ?? t.dport };
  return { src: t.dst, dst: t.src, proto: t.proto, sport: t.dport, dport: t.sport };
}

export function describeTuple(t: Tuple): string {
  const name = PROTO_NAMES[t.proto] ?? `proto ${t.proto}`;
  if (t.proto === IPPROTO_TCP || t.proto === IPPROTO_UDP) return `${name} ${numToIp(t.src)}:${t.sport} → ${numToIp(t.dst)}:${t.dport}`;
  if (t.proto === IPPROTO_ICMP) return `icmp ${numToIp(t.src)} → ${numToIp(t.dst)} type ${t.dport} id ${t.sport}`;
  return `${name} ${numToIp(t.src)} → ${numToIp(t.dst)}`;
}

/** nf_ct_get_tuple for the packet, or null when it carries no usable L4 header. */
export function pktTuple(p: PktInfo): Tuple | null {
  const { iph } = p;
  if (p.l4proto === IPPROTO_TCP || p.l4proto === IPPROTO_UDP) {
    if (p.sport === undefined) return null;
    return { src: iph.saddr, dst: iph.daddr, proto: p.l4proto, sport: p.sport, dport: p.dport! };
  }
  if (p.l4proto === IPPROTO_ICMP) {
    if (p.icmpType === undefined) return null;
    return { src: iph.saddr, dst: iph.daddr, proto: IPPROTO_ICMP, sport: p.icmpId ?? 0, dport: p.icmpType };
  }
  return { src: iph.saddr, dst: iph.daddr, proto: p.l4proto, sport: 0, dport: 0 };
}

export const isIcmpError = (p: PktInfo): boolean => p.l4proto === IPPROTO_ICMP && p.icmpType !== undefined && ICMP_ERRORS.has(p.icmpType);
export const icmpCanStart = (type: number): boolean => ICMP_NEW.has(type);

/** The tuple of the datagram an ICMP error quotes (nf_conntrack_inet_error reads the inner header). */
export function innerTuple(p: PktInfo): { t: Tuple; off: number } | null {
  const b = p.skb.buf;
  const off = p.thoff + 8;
  if (p.skb.tail - off < 20) return null;
  const inner = readIp(b, off);
  const l4 = off + inner.ihl * 4;
  if (inner.protocol === IPPROTO_TCP || inner.protocol === IPPROTO_UDP) {
    if (p.skb.tail - l4 < 4) return null;
    return { t: { src: inner.saddr, dst: inner.daddr, proto: inner.protocol, sport: rd16(b, l4), dport: rd16(b, l4 + 2) }, off };
  }
  if (inner.protocol === IPPROTO_ICMP) {
    if (p.skb.tail - l4 < 8) return null;
    return { t: { src: inner.saddr, dst: inner.daddr, proto: IPPROTO_ICMP, sport: rd16(b, l4 + 4), dport: b[l4] }, off };
  }
  return { t: { src: inner.saddr, dst: inner.daddr, proto: inner.protocol, sport: 0, dport: 0 }, off };
}

/**
 * tcp_new: may this segment open a connection? From no state a SYN opens one (SYN_SENT); a
 * bare ACK is picked up mid-stream as ESTABLISHED (nf_conntrack_tcp_loose, on by default);
 * SYN-ACK, FIN, RST or no flags cannot start one.
 */
export function tcpNewState(flags: number): string | null {
  if (flags & TCPHDR_RST) return null;
  if (flags & TCPHDR_SYN) return flags & TCPHDR_ACK ? null : 'SYN_SENT';
  if (flags & TCPHDR_FIN) return null;
  if (flags & TCPHDR_ACK) return 'ESTABLISHED';
  return null;
}

/**
 * The TCP state machine of tcp_conntracks[], reduced to the transitions that decide ctinfo and
 * the re-open of a closed connection: returns the new state, or 'REPEAT' when a SYN in the
 * original direction finds a closed connection (nf_conntrack_tcp_packet returns -NF_REPEAT).
 */
export function tcpNextState(cur: string, flags: number, reply: boolean): string {
  if (flags & TCPHDR_RST) return 'CLOSE';
  if (flags & TCPHDR_SYN) {
    if (!reply && (cur === 'TIME_WAIT' || cur === 'CLOSE')) return 'REPEAT';
    if (reply && flags & TCPHDR_ACK && cur === 'SYN_SENT') return 'SYN_RECV';
    return cur;
  }
  if (flags & TCPHDR_FIN) {
    if (cur === 'ESTABLISHED') return reply ? 'CLOSE_WAIT' : 'FIN_WAIT';
    if (cur === 'FIN_WAIT' || cur === 'CLOSE_WAIT') return 'LAST_ACK';
    return cur;
  }
  if (flags & TCPHDR_ACK) {
    if (cur === 'SYN_RECV' && !reply) return 'ESTABLISHED';
    if (cur === 'LAST_ACK') return 'TIME_WAIT';
  }
  return cur;
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
