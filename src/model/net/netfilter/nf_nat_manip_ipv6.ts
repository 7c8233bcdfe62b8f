// The IPv6 half of NAT's packet rewrite (net/netfilter/nf_nat_proto.c, v6.12):
// nf_nat_ipv6_manip_pkt and the l4proto_manip_pkt it calls (tcp/udp/icmpv6_manip_pkt), and
// nf_nat_icmpv6_reply_translation for an ICMPv6 error about a NATed connection. IPv6 has no
// header checksum; every transport checksum covers the pseudo-header, so the address change is
// folded into it (nf_nat_ipv6_csum_update: inet_proto_csum_replace16 with pseudohdr) and the
// port or echo id after it (inet_proto_csum_replace2).
import type { SkBuff } from '../core/skbuff';
import { rd16, wr16 } from '../../proto/addr';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../proto/ipv4';
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, IPV6_HLEN, l4Csum6, NEXTHDR_ICMP, readIpv6 } from '../../proto/ipv6';
import { csumReplace } from './nf_pktinfo';
import { findHdr } from './nf_pktinfo_ipv6';
import { invertTuple, type NfConn, type Tuple } from './nf_conntrack';
import type { ManipType } from './nf_nat';

/** An IPv6 address as the eight 16-bit words the checksum helpers fold. */
function words(a: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < 16; i += 2) out.push((a[i] << 8) | a[i + 1]);
  return out;
}

/**
 * nf_nat_ipv6_manip_pkt: the transport header first (unless this is a later fragment, which has
 * none: ipv6_skip_exthdr's frag_off), then the address in the IPv6 header at `nh`.
 */
export function nf_nat_ipv6_manip_pkt(skb: SkBuff, nh: number, target: Tuple, m: ManipType): void {
  const b = skb.w();
  const want = m === 'SRC' ? target.src : target.dst;
  if (want.family !== 'ipv6') throw new Error('nf_nat_ipv6_manip_pkt: an IPv4 target for an IPv6 packet');
  const addrAt = nh + (m === 'SRC' ? 8 : 24);
  const oldAddr = b.slice(addrAt, addrAt + 16);
  const h = findHdr(b, nh, skb.tail);
  const hdroff = h.thoff;
  const avail = skb.tail - hdroff;
  const partial = nh === skb.network_header && skb.ip_summed === 'CHECKSUM_PARTIAL';
  if (!h.fragoff) {
    const from = words(oldAddr);
    const to = words(want.v6);
    if ((h.proto === IPPROTO_TCP || h.proto === IPPROTO_UDP) && avail >= 4) {
      const portAt = hdroff + (m === 'SRC' ? 0 : 2);
      const oldPort = rd16(b, portAt);
      const newPort = m === 'SRC' ? target.sport : target.dport;
      const udp = h.proto === IPPROTO_UDP;
      // tcp_manip_pkt rewrites only the port when the quoted header is cut short of its checksum
      const field = udp ? (avail >= 8 ? hdroff + 6 : -1) : avail >= 20 ? hdroff + 16 : -1;
      if (field >= 0) {
        csumReplace(b, field, from, to, { partial, pseudo: true, udp });
        csumReplace(b, field, [oldPort], [newPort], { partial, pseudo: false, udp });
      }
      wr16(b, portAt, newPort);
    } else if (h.proto === NEXTHDR_ICMP && avail >= 8) {
      csumReplace(b, hdroff + 2, from, to, { partial, pseudo: true });
      const type = b[hdroff];
      if (type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY) {
        // the echo id is the tuple's source "port" in both directions (icmpv6_manip_pkt)
        csumReplace(b, hdroff + 2, [rd16(b, hdroff + 4)], [target.sport], { partial, pseudo: false });
        wr16(b, hdroff + 4, target.sport);
      }
    }
  }
  b.set(want.v6, addrAt);
}

/**
 * nf_nat_icmpv6_reply_translation: the quoted packet is rewritten back to what its sender sent
 * (the other direction's tuple, the opposite manipulation), the ICMPv6 checksum recomputed over
 * the message with the outer addresses, then the outer header takes this hook's manipulation.
 * Returns false where the kernel drops (a quote too short to hold an IPv6 header).
 */
export function nf_nat_icmpv6_reply_translation(skb: SkBuff, ct: NfConn, reply: boolean, m: ManipType, icmpOff: number): boolean {
  if (skb.tail - icmpOff < 8 + IPV6_HLEN) return false;
  const other = ct.tuple[reply ? 0 : 1];
  nf_nat_ipv6_manip_pkt(skb, icmpOff + 8, other, m === 'SRC' ? 'DST' : 'SRC');
  if (skb.ip_summed !== 'CHECKSUM_PARTIAL') {
    const b = skb.w();
    const ip6h = readIpv6(b, skb.network_header);
    wr16(b, icmpOff + 2, 0);
    wr16(b, icmpOff + 2, l4Csum6(b, icmpOff, skb.tail - icmpOff, ip6h.saddr, ip6h.daddr, NEXTHDR_ICMP));
  }
  nf_nat_ipv6_manip_pkt(skb, skb.network_header, { ...invertTuple(other), proto: NEXTHDR_ICMP }, m);
  return true;
}
