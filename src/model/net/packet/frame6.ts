// Crafted IPv6 frames (the `into:` items with IPv6 addresses): the IPv6 header, the extension
// headers asked for in their order (hop-by-hop, routing type 0, destination options), an
// optional Fragment header, and the slice of the upper-layer datagram (UDP or an ICMPv6 echo)
// this frame carries, its checksum over the whole datagram right unless asked otherwise.
import { ETH_HLEN, ETH_P_IPV6, writeEth } from '../../proto/ethernet';
import { IPV6_HLEN, NEXTHDR_DEST, NEXTHDR_FRAGMENT, NEXTHDR_HOP, NEXTHDR_ICMP, NEXTHDR_ROUTING, NEXTHDR_UDP, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, l4Csum6, writeIcmp6, writeIpv6 } from '../../proto/ipv6';
import { wr16, wr32 } from '../../proto/addr';

/** One extension header: options headers with PadN only or one option of type `opt` (no data), a routing header of type 0 with one address and `segleft` segments left. */
export type Ext6 = { kind: 'hop' | 'dst'; opt?: number } | { kind: 'rt0'; segleft: number };

export interface Frame6Spec {
  proto: 'udp' | 'icmp';
  saddr: Uint8Array;
  daddr: Uint8Array;
  sport: number;
  dport: number;
  icmpType?: string;
  hopLimit: number;
  tclass: number;
  /** this packet's length: IPv6 header and payload */
  size: number;
  /** the upper-layer datagram's length (header and data), of which a fragment carries a slice */
  datagram: number;
  ext: Ext6[];
  frag?: { offset: number; more: boolean };
  /** the Fragment header's identification */
  id: number;
  /** the next header the last header names instead of the upper layer's own number */
  nextHeader?: number;
  badL4Checksum: boolean;
  dstMac: string;
  srcMac: string;
  payload?: Uint8Array;
}

/** The bytes of the extension headers before the Fragment header (8 bytes each, 24 for routing). */
export function extLength(ext: readonly Ext6[]): number {
  return ext.reduce((n, e) => n + (e.kind === 'rt0' ? 24 : 8), 0);
}

export function buildFrame6(s: Frame6Spec): Uint8Array {
  const upper = s.proto === 'udp' ? NEXTHDR_UDP : NEXTHDR_ICMP;
  const dg = new Uint8Array(s.datagram);
  const hdr = 8;
  for (let i = hdr; i < s.datagram; i++) dg[i] = s.payload ? (s.payload[(i - hdr) % Math.max(s.payload.length, 1)] ?? 0) : (0x30 + ((i - hdr) % 64)) & 255;
  if (s.proto === 'udp') {
    wr16(dg, 0, s.sport);
    wr16(dg, 2, s.dport);
    wr16(dg, 4, s.datagram);
    wr16(dg, 6, 0);
    // a UDP checksum of 0 is sent as 0xffff (RFC 8200 8.1: 0 would mean none, which IPv6 forbids)
    wr16(dg, 6, l4Csum6(dg, 0, s.datagram, s.saddr, s.daddr, NEXTHDR_UDP) || 0xffff);
  } else {
    writeIcmp6(dg, 0, s.datagram, { type: s.icmpType === 'echo-reply' ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST, code: 0, rest: ((0x4242 << 16) | 1) >>> 0 }, s.saddr, s.daddr);
  }
  if (s.badL4Checksum) {
    const at = s.proto === 'udp' ? 6 : 2;
    wr16(dg, at, (((dg[at] << 8) | dg[at + 1]) ^ 0x5a5a) || 1);
  }
  const frame = new Uint8Array(ETH_HLEN + s.size);
  writeEth(frame, 0, { dst: s.dstMac, src: s.srcMac, proto: ETH_P_IPV6 });
  const ip = ETH_HLEN;
  // the chain of next-header values: each header names the one after it
  const kinds: number[] = s.ext.map((e) => (e.kind === 'hop' ? NEXTHDR_HOP : e.kind === 'dst' ? NEXTHDR_DEST : NEXTHDR_ROUTING));
  if (s.frag) kinds.push(NEXTHDR_FRAGMENT);
  const last = s.nextHeader ?? upper;
  writeIpv6(frame, ip, { tclass: s.tclass, flowLabel: 0, payloadLen: s.size - IPV6_HLEN, nexthdr: kinds[0] ?? last, hopLimit: s.hopLimit, saddr: s.saddr, daddr: s.daddr });
  let at = ip + IPV6_HLEN;
  s.ext.forEach((e, i) => {
    frame[at] = kinds[i + 1] ?? last;
    if (e.kind === 'rt0') {
      frame[at + 1] = 2;
      frame[at + 2] = 0;
      frame[at + 3] = e.segleft;
      // 4 reserved bytes, then one address: the final destination
      frame.set(s.daddr, at + 8);
      at += 24;
      return;
    }
    frame[at + 1] = 0;
    if (e.opt === undefined) {
      // PadN of 4 bytes of zeros fills the 6 bytes after the first two with 2 + 4
      frame[at + 2] = 1;
      frame[at + 3] = 4;
    } else {
      frame[at + 2] = e.opt;
      frame[at + 3] = 0;
      frame[at + 4] = 1;
      frame[at + 5] = 2;
    }
    at += 8;
  });
  if (s.frag) {
    frame[at] = last;
    frame[at + 1] = 0;
    wr16(frame, at + 2, (s.frag.offset & 0xfff8) | (s.frag.more ? 1 : 0));
    wr32(frame, at + 4, s.id >>> 0);
    at += 8;
  }
  const off = s.frag?.offset ?? 0;
  frame.set(dg.subarray(off, off + (frame.length - at)), at);
  return frame;
}
