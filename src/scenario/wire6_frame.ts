// From a parsed IPv6 wire send to the bytes' description (FrameSpec of frame6.ts): defaults, and
// for a fragment the length of the whole upper-layer datagram, which spans the furthest end any
// fragment with the same addresses, protocol and identification reaches (each is its own item).
import type { Scenario, WireSend } from './types';
import { extLength, type Frame6Spec } from '../model/net/packet/frame6';
import { parseIpv6 } from '../trace/ipv6';

/** the Fragment header's identification when the scenario gives none */
const DEFAULT_WIRE6_ID = 0x1234;

/** Where this frame's slice of the upper-layer datagram ends. */
function sliceEnd(w: WireSend): number {
  return (w.frag?.offset ?? 0) + w.size! - 40 - extLength(w.ext ?? []) - (w.frag ? 8 : 0);
}

export function frame6Spec(sc: Scenario, w: WireSend, dstMac: string, srcMac: string): Frame6Spec {
  const id = w.id ?? DEFAULT_WIRE6_ID;
  let datagram = sliceEnd(w);
  if (w.frag) {
    for (const t of sc.traffic) {
      if (t.kind !== 'wire' || !t.send.v6 || !t.send.frag) continue;
      const o = t.send;
      if (o.proto !== w.proto || o.src.text !== w.src.text || o.dst.text !== w.dst.text || (o.id ?? DEFAULT_WIRE6_ID) !== id) continue;
      datagram = Math.max(datagram, sliceEnd(o));
    }
  }
  return {
    proto: w.proto === 'udp' ? 'udp' : 'icmp',
    saddr: parseIpv6(w.src.text)!,
    daddr: parseIpv6(w.dst.text)!,
    sport: w.sport ?? 0,
    dport: w.dport ?? 0,
    icmpType: w.icmpType,
    hopLimit: w.ttl ?? 64,
    tclass: w.tos ?? 0,
    size: w.size!,
    datagram,
    ext: w.ext ?? [],
    frag: w.frag,
    id,
    nextHeader: w.nextHeader,
    badL4Checksum: !!w.badL4Checksum,
    dstMac: w.dstMac?.toLowerCase() ?? dstMac,
    srcMac: w.srcMac?.toLowerCase() ?? srcMac,
    payload: w.payload !== undefined ? new TextEncoder().encode(w.payload) : undefined,
  };
}
