// The per-protocol sanity checks conntrack makes before a packet may belong to a connection
// (v6.12): tcp_error (nf_conntrack_proto_tcp.c), udp_error (nf_conntrack_proto_udp.c) and
// nf_conntrack_icmpv4_error (nf_conntrack_proto_icmp.c), nf_conntrack_icmpv6_error
// (nf_conntrack_proto_icmpv6.c; the checksum is over the IPv6 pseudo-header). A packet that fails one gets no entry:
// nf_conntrack_in drops the reference it took (a new entry is freed before it was ever
// confirmed) and accepts the packet as invalid, so `ct state invalid` matches it and the NAT
// chains never see it (nf_nat_inet_fn passes a packet without an entry).
import type { NfHookName } from '../../../trace/contract';
import type { PktInfo } from './nf_pktinfo';
import { rd16 } from '../../proto/addr';
import { csumFold, csumPartial, l4Csum } from '../../proto/checksum';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../proto/ipv4';
import { IPV6_HLEN, l4Csum6, NEXTHDR_ICMP } from '../../proto/ipv6';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_RST, TCPHDR_SYN } from '../../proto/tcp';

/** NR_ICMP_TYPES: 18 is the highest ICMP type conntrack knows */
const NR_ICMP_TYPES = 18;
const TCPHDR_URG = 0x20;
const TCPHDR_ECE = 0x40;
const TCPHDR_CWR = 0x80;
/** tcp_valid_flags[]: the flag sets (ECE, CWR and PSH left out) a TCP segment may carry */
const TCP_VALID_FLAGS = new Set([
  TCPHDR_SYN,
  TCPHDR_SYN | TCPHDR_URG,
  TCPHDR_SYN | TCPHDR_ACK,
  TCPHDR_RST,
  TCPHDR_RST | TCPHDR_ACK,
  TCPHDR_FIN | TCPHDR_ACK,
  TCPHDR_FIN | TCPHDR_ACK | TCPHDR_URG,
  TCPHDR_ACK,
  TCPHDR_ACK | TCPHDR_URG,
]);

/**
 * nf_ip_checksum (nf_ip6_checksum) as these checks call it: only on PRE_ROUTING
 * (net.netfilter.nf_conntrack_checksum is 1 in every namespace; the model does not let it change),
 * and only for an sk_buff whose checksum nobody vouched for (CHECKSUM_UNNECESSARY from the device,
 * CHECKSUM_PARTIAL from a local sender on the other end of a veth are taken as right). The sum is
 * made by __skb_checksum_complete, which leaves its verdict in the sk_buff: CHECKSUM_COMPLETE,
 * csum_complete_sw and csum_valid (a CHECKSUM_COMPLETE sum that checks out becomes
 * CHECKSUM_UNNECESSARY instead). UDP's csum init reads that verdict later (udp4_csum_init).
 */
function checksumBad(p: PktInfo, hook: NfHookName, len: number, pseudo: boolean): boolean {
  const { skb } = p;
  if (hook !== 'NF_INET_PRE_ROUTING') return false;
  if (skb.ip_summed === 'CHECKSUM_UNNECESSARY' || skb.ip_summed === 'CHECKSUM_PARTIAL') return false;
  let bad: boolean;
  // nf_ip6_checksum: every IPv6 transport checksum, ICMPv6's too, covers the pseudo-header
  if (p.pf === 'ipv6') bad = l4Csum6(skb.buf, p.thoff, len, p.ip6h!.saddr, p.ip6h!.daddr, p.l4proto) !== 0;
  else if (pseudo) bad = l4Csum(skb.buf, p.thoff, len, p.iph.saddr, p.iph.daddr, p.l4proto) !== 0;
  else bad = csumFold(csumPartial(skb.buf, p.thoff, len)) !== 0;
  if (skb.ip_summed === 'CHECKSUM_COMPLETE' && !bad) {
    skb.ip_summed = 'CHECKSUM_UNNECESSARY';
  } else {
    skb.ip_summed = 'CHECKSUM_COMPLETE';
    skb.csum_complete_sw = true;
    skb.csum_valid = !bad;
  }
  return bad;
}

/** Why conntrack calls this packet invalid before any lookup result counts, or null when it passes. */
export function nf_ct_l4_error(p: PktInfo, hook: NfHookName): string | null {
  if (p.fragoff) return null;
  // ip_rcv_core (ip6_rcv_core) trimmed the sk_buff to tot_len (40 + payload_len); a locally made one is exactly that long
  const l3len = p.pf === 'ipv6' ? IPV6_HLEN + p.ip6h!.payloadLen : p.iph.totLen;
  const len = Math.min(l3len, p.skb.tail - p.skb.network_header) - (p.thoff - p.skb.network_header);
  const b = p.skb.buf;
  if (p.l4proto === IPPROTO_TCP) {
    if (len < 20) return 'nf_conntrack_tcp_packet: shorter than a TCP header';
    const doff = (b[p.thoff + 12] >> 4) * 4;
    if (doff < 20 || len < doff) return 'tcp_error: truncated packet (the data offset does not fit)';
    if (checksumBad(p, hook, len, true)) return 'tcp_error: bad checksum';
    const flags = b[p.thoff + 13] & ~(TCPHDR_ECE | TCPHDR_CWR | TCPHDR_PSH);
    if (!TCP_VALID_FLAGS.has(flags)) return 'tcp_error: invalid tcp flag combination';
    return null;
  }
  if (p.l4proto === IPPROTO_UDP) {
    if (len < 8) return 'udp_error: short packet';
    const ulen = rd16(b, p.thoff + 4);
    if (ulen > len || ulen < 8) return 'udp_error: truncated/malformed packet (the UDP length field)';
    if (rd16(b, p.thoff + 6) === 0) return null;
    if (checksumBad(p, hook, ulen, true)) return 'udp_error: bad checksum';
    return null;
  }
  if (p.pf === 'ipv6' && p.l4proto === NEXTHDR_ICMP) {
    if (len < 8) return 'nf_conntrack_icmpv6_error: short packet';
    if (checksumBad(p, hook, len, true)) return 'nf_conntrack_icmpv6_error: ICMPv6 checksum failed';
    return null;
  }
  if (p.pf !== 'ipv6' && p.l4proto === IPPROTO_ICMP) {
    if (len < 8) return 'nf_conntrack_icmpv4_error: short packet';
    if (checksumBad(p, hook, len, false)) return 'nf_conntrack_icmpv4_error: bad hw icmp checksum';
    if (b[p.thoff] > NR_ICMP_TYPES) return 'nf_conntrack_icmpv4_error: invalid icmp type';
  }
  return null;
}
