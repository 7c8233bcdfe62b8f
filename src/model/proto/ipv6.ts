// struct ipv6hdr (include/uapi/linux/ipv6.h), struct icmp6hdr (include/uapi/linux/icmpv6.h) and
// the checksum of ICMPv6 over the IPv6 pseudo-header (csum_ipv6_magic, RFC 8200 8.1), v6.12.
import { csumFold, csumPartial } from './checksum';
import { rd16, rd32, wr16, wr32 } from './addr';

export const IPV6_HLEN = 40;
/** IPV6_MIN_MTU: every IPv6 link carries at least this much (RFC 8200 5) */
export const IPV6_MIN_MTU = 1280;
export const NEXTHDR_HOP = 0;
export const NEXTHDR_TCP = 6;
export const NEXTHDR_UDP = 17;
export const NEXTHDR_ROUTING = 43;
export const NEXTHDR_FRAGMENT = 44;
export const NEXTHDR_ICMP = 58;
export const NEXTHDR_ESP = 50;
export const NEXTHDR_AUTH = 51;
export const NEXTHDR_NONE = 59;
export const NEXTHDR_DEST = 60;

export interface Ipv6Hdr {
  version: number;
  /** traffic class */
  tclass: number;
  flowLabel: number;
  payloadLen: number;
  nexthdr: number;
  hopLimit: number;
  saddr: Uint8Array;
  daddr: Uint8Array;
}

export function readIpv6(b: Uint8Array, off: number): Ipv6Hdr {
  const w = rd32(b, off);
  return {
    version: w >>> 28,
    tclass: (w >>> 20) & 0xff,
    flowLabel: w & 0xfffff,
    payloadLen: rd16(b, off + 4),
    nexthdr: b[off + 6],
    hopLimit: b[off + 7],
    saddr: b.slice(off + 8, off + 24),
    daddr: b.slice(off + 24, off + 40),
  };
}

/** ip6_flow_hdr and the rest of the fixed header (no checksum: IPv6 has none). */
export function writeIpv6(b: Uint8Array, off: number, h: Omit<Ipv6Hdr, 'version'>): void {
  wr32(b, off, ((6 << 28) | ((h.tclass & 0xff) << 20) | (h.flowLabel & 0xfffff)) >>> 0);
  wr16(b, off + 4, h.payloadLen);
  b[off + 6] = h.nexthdr;
  b[off + 7] = h.hopLimit;
  b.set(h.saddr, off + 8);
  b.set(h.daddr, off + 24);
}

/** The pseudo-header sum of csum_ipv6_magic (addresses, upper-layer length, next header), unfolded. */
export function pseudoSum6(saddr: Uint8Array, daddr: Uint8Array, proto: number, len: number): number {
  let s = csumPartial(saddr, 0, 16);
  s = csumPartial(daddr, 0, 16, s);
  return s + Math.floor(len / 0x10000) + (len & 0xffff) + proto;
}

/** csum_ipv6_magic over a whole upper-layer packet: 0 when a received one is right. */
export function l4Csum6(b: Uint8Array, off: number, len: number, saddr: Uint8Array, daddr: Uint8Array, proto: number): number {
  return csumFold(csumPartial(b, off, len, pseudoSum6(saddr, daddr, proto, len)));
}

// ICMPv6 (include/uapi/linux/icmpv6.h)
export const ICMPV6_DEST_UNREACH = 1;
export const ICMPV6_PKT_TOOBIG = 2;
export const ICMPV6_TIME_EXCEED = 3;
export const ICMPV6_PARAMPROB = 4;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ICMPV6_MGM_REPORT = 131;
export const NDISC_ROUTER_SOLICITATION = 133;
export const NDISC_ROUTER_ADVERTISEMENT = 134;
export const NDISC_NEIGHBOUR_SOLICITATION = 135;
export const NDISC_NEIGHBOUR_ADVERTISEMENT = 136;
export const NDISC_REDIRECT = 137;
export const ICMPV6_MLD2_REPORT = 143;

export const ICMPV6_NOROUTE = 0;
export const ICMPV6_ADM_PROHIBITED = 1;
export const ICMPV6_ADDR_UNREACH = 3;
export const ICMPV6_PORT_UNREACH = 4;
export const ICMPV6_POLICY_FAIL = 5;
export const ICMPV6_REJECT_ROUTE = 6;
export const ICMPV6_EXC_HOPLIMIT = 0;
/** time exceeded code 1: fragment reassembly time exceeded */
export const ICMPV6_EXC_FRAGTIME = 1;
export const ICMPV6_HDR_FIELD = 0;
export const ICMPV6_UNK_NEXTHDR = 1;
/** parameter problem code 2: an unrecognised option; code 3: the first fragment lacks the upper-layer header (RFC 8200 4.5) */
export const ICMPV6_UNK_OPTION = 2;
export const ICMPV6_HDR_INCOMP = 3;
export const ICMPV6_HLEN = 8;

export { ICMPV6_TYPE_NAMES } from '../../trace/ipv6';

export interface Icmp6Hdr {
  type: number;
  code: number;
  checksum: number;
  /** echo: id and sequence; packet too big: the MTU; parameter problem: the pointer */
  rest: number;
}

export function readIcmp6(b: Uint8Array, off: number): Icmp6Hdr {
  return { type: b[off], code: b[off + 1], checksum: rd16(b, off + 2), rest: rd32(b, off + 4) };
}

/**
 * The ICMPv6 header at `off` of an upper-layer packet `len` bytes long (the body already in
 * place), with its checksum over the pseudo-header (icmpv6_push_pending_frames).
 */
export function writeIcmp6(b: Uint8Array, off: number, len: number, h: Omit<Icmp6Hdr, 'checksum'>, saddr: Uint8Array, daddr: Uint8Array): void {
  b[off] = h.type;
  b[off + 1] = h.code;
  wr16(b, off + 2, 0);
  wr32(b, off + 4, h.rest >>> 0);
  wr16(b, off + 2, l4Csum6(b, off, len, saddr, daddr, NEXTHDR_ICMP));
}

/** ipv6_addr_type's classes the model needs */
export const isV6Multicast = (a: Uint8Array): boolean => a[0] === 0xff;
export const isV6Any = (a: Uint8Array): boolean => a.every((x) => x === 0);
export const isV6Loopback = (a: Uint8Array): boolean => a.slice(0, 15).every((x) => x === 0) && a[15] === 1;
/** fe80::/10 */
export const isV6LinkLocal = (a: Uint8Array): boolean => a[0] === 0xfe && (a[1] & 0xc0) === 0x80;

/** addrconf_addr_solict_mult: ff02::1:ffXX:XXXX, the solicited-node group of an address */
export function solicitedNode(a: Uint8Array): Uint8Array {
  const m = new Uint8Array(16);
  m[0] = 0xff;
  m[1] = 0x02;
  m[11] = 0x01;
  m[12] = 0xff;
  m[13] = a[13];
  m[14] = a[14];
  m[15] = a[15];
  return m;
}

/** ipv6_eth_mc_map: 33:33 and the group's last four bytes */
export function ipv6McMac(a: Uint8Array): string {
  const h = (x: number): string => x.toString(16).padStart(2, '0');
  return `33:33:${h(a[12])}:${h(a[13])}:${h(a[14])}:${h(a[15])}`;
}
