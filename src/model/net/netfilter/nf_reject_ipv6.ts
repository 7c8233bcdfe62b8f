// The reject statement on an IPv6 packet (net/ipv6/netfilter/nf_reject_ipv6.c nf_send_unreach6
// and nf_send_reset6, and the per-family choice of net/netfilter/nft_reject_inet.c /
// net/ipv6/netfilter/nft_reject_ipv6.c, v6.12): an ICMPv6 destination unreachable goes back to
// the sender through icmpv6_send; a TCP reset is a new packet built from the refused segment and
// sent as a locally made one.
import type { Net } from '../net_namespace';
import { NotModelled } from '../../sim/not_modelled';
import { NEXTHDR_AUTH, NEXTHDR_NONE, NEXTHDR_UDP, ICMPV6_ADDR_UNREACH, ICMPV6_ADM_PROHIBITED, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, ICMPV6_PORT_UNREACH, IPV6_HLEN, NEXTHDR_TCP, isV6Any, isV6Multicast, l4Csum6, writeIpv6 } from '../../proto/ipv6';
import { rd16, wr16 } from '../../proto/addr';
import { ETH_P_IPV6 } from '../../proto/ethernet';
import { TCP_HLEN, TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN, readTcp, writeTcp } from '../../proto/tcp';
import { formatIpv6 } from '../../../trace/ipv6';
import { allocSkb } from '../core/skbuff';
import { icmpv6_send } from '../ipv6/icmp';
import { ip6_route_output } from '../ipv6/route';
import { ip6_local_out } from '../ipv6/ip6_output';
import { nf_ct_attach } from './nf_ct_attach';
import type { PktInfo } from './nf_pktinfo';
import type { RejectHow } from './nf_tables';

const FILE = 'net/ipv6/netfilter/nf_reject_ipv6.c';

/** nft_reject_icmpv6_code: NFT_REJECT_ICMPX_* → ICMPv6 destination-unreachable code (nft_reject.c). */
const ICMPX_TO_V6 = [ICMPV6_NOROUTE, ICMPV6_PORT_UNREACH, ICMPV6_ADDR_UNREACH, ICMPV6_ADM_PROHIBITED];

export function nft_reject_ipv6(net: Net, p: PktInfo, how: RejectHow): void {
  if (how.tcpReset) {
    nf_send_reset6(net, p);
    return;
  }
  const code = how.icmp6Code ?? (how.icmpx !== undefined ? ICMPX_TO_V6[how.icmpx] : undefined);
  if (code === undefined) throw new NotModelled('an IPv4 reject code on an IPv6 packet');
  nf_send_unreach6(net, p, code);
}

/** Protocols nf_reject_verify_csum leaves unchecked: GRE, AH, ESP, SCTP, UDP-Lite, DCCP (include/net/netfilter/nf_reject.h). */
const NO_FULL_CSUM = new Set([47, NEXTHDR_AUTH, 50, 132, 136, 33]);

/**
 * reject6_csum_ok (v6.12): a packet the device or the stack has vouched for passes; otherwise the
 * headers are skipped as ipv6_skip_exthdr does (a "no next header" or a later fragment ends it,
 * and so does an offset at or past the end), and a protocol with a checksum over its whole
 * payload must sum to zero (nf_ip6_checksum over the rest of the packet: a first fragment's
 * partial payload does not). UDP with a zero checksum field is not checked.
 */
function reject6CsumOk(p: PktInfo): string | undefined {
  const skb = p.skb;
  if (skb.ip_summed === 'CHECKSUM_UNNECESSARY' || skb.ip_summed === 'CHECKSUM_PARTIAL') return undefined;
  if (p.l4proto === NEXTHDR_NONE) return 'ipv6_skip_exthdr finds no upper-layer header (next header 59)';
  if (p.fragoff) return 'a later fragment';
  if (p.thoff >= skb.tail) return 'no upper-layer bytes after the headers';
  if (NO_FULL_CSUM.has(p.l4proto)) return undefined;
  if (p.l4proto === NEXTHDR_UDP && (p.thoff + 8 > skb.tail || rd16(skb.buf, p.thoff + 6) === 0)) return undefined;
  // nf_ip6_checksum trusts a CHECKSUM_COMPLETE sum only where it checks it, on PRE_ROUTING and LOCAL_IN
  if (skb.ip_summed === 'CHECKSUM_COMPLETE' && p.hook !== 'NF_INET_PRE_ROUTING' && p.hook !== 'NF_INET_LOCAL_IN') return undefined;
  const o = p.ip6h!;
  if (l4Csum6(skb.buf, p.thoff, skb.tail - p.thoff, o.saddr, o.daddr, p.l4proto) !== 0) return `nf_ip6_checksum: the checksum over protocol ${p.l4proto}'s ${skb.tail - p.thoff} bytes is wrong`;
  return undefined;
}

/**
 * nf_send_unreach6: only a packet whose checksum is right, and not a later fragment
 * (reject6_csum_ok); then icmpv6_send, which finds the route back to the source itself.
 */
export function nf_send_unreach6(net: Net, p: PktInfo, code: number): void {
  const call = net.enter('nf_send_unreach6');
  try {
    const skb = p.skb;
    const bad = reject6CsumOk(p);
    if (bad) {
      net.step(skb, 'L3', 'nf_send_unreach6', FILE, net.full ? `reject6_csum_ok: ${bad}, so no ICMPv6 error is sent (the packet is still dropped).` : '', { hook: { hook: p.hook } });
      return;
    }
    net.step(skb, 'L3', 'nf_send_unreach6', FILE, net.full ? `reject: ${formatIpv6(p.ip6h!.saddr)} is told with ICMPv6 destination unreachable, code ${code}, through icmpv6_send.` : '', { hook: { hook: p.hook } });
    icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, code, 0);
  } finally {
    net.leave(call);
  }
}

/** ipv6_addr_type(a) & IPV6_ADDR_UNICAST: neither multicast nor the unspecified address. */
const unicast6 = (a: Uint8Array): boolean => !isV6Multicast(a) && !isV6Any(a);

/**
 * nf_send_reset6: a RST for a TCP segment whose addresses are both unicast, that is not itself a
 * RST and whose checksum is right (nf_reject_ip6_tcphdr_get); routed back to the sender with
 * ip6_route_output, the hop limit the route gives (ip6_dst_hoplimit), a full checksum
 * (nf_reject_ip6_tcphdr_put computes it, unlike IPv4's, which leaves it to the device), and sent
 * with ip6_local_out: its own LOCAL_OUT and POST_ROUTING.
 */
export function nf_send_reset6(net: Net, p: PktInfo): void {
  const call = net.enter('nf_send_reset6');
  try {
    const old = p.skb;
    const o = p.ip6h!;
    if (!unicast6(o.saddr) || !unicast6(o.daddr)) return;
    // nf_reject_ip6_tcphdr_get: a later fragment's bytes past its fragment header are no TCP header
    // the checksum would accept, so it gets no RST either
    const otcplen = old.tail - p.thoff;
    if (p.l4proto !== NEXTHDR_TCP || p.fragoff || otcplen < TCP_HLEN) return;
    const oth = readTcp(old.buf, p.thoff);
    if (oth.flags & TCPHDR_RST) return;
    // nf_ip6_checksum: only a packet not already vouched for (CHECKSUM_NONE) is summed
    if (old.ip_summed !== 'CHECKSUM_UNNECESSARY' && old.ip_summed !== 'CHECKSUM_PARTIAL' && l4Csum6(old.buf, p.thoff, otcplen, o.saddr, o.daddr, NEXTHDR_TCP) !== 0) {
      net.step(old, 'L4', 'nf_send_reset6', FILE, 'nf_reject_ip6_tcphdr_get: the TCP checksum is wrong, so no RST is sent.', { hook: { hook: p.hook } });
      return;
    }
    const r = ip6_route_output(net, o.saddr);
    if ('error' in r) return;
    let seq = 0;
    let ack = 0;
    let flags = TCPHDR_RST;
    if (oth.flags & TCPHDR_ACK) seq = oth.ackSeq;
    else {
      ack = (oth.seq + (oth.flags & TCPHDR_SYN ? 1 : 0) + (oth.flags & TCPHDR_FIN ? 1 : 0) + otcplen - oth.doff * 4) >>> 0;
      flags |= TCPHDR_ACK;
    }
    const hop = net.get(`net.ipv6.conf.${r.rt.idev.name}.hop_limit`);
    const nskb = allocSkb(128, IPV6_HLEN + TCP_HLEN, net.w.rec.newPacket(net.name, old.pkt));
    const at = nskb.put(IPV6_HLEN + TCP_HLEN);
    nskb.network_header = at;
    nskb.transport_header = at + IPV6_HLEN;
    const b = nskb.w();
    writeIpv6(b, at, { tclass: 0, flowLabel: 0, payloadLen: TCP_HLEN, nexthdr: NEXTHDR_TCP, hopLimit: hop, saddr: o.daddr, daddr: o.saddr });
    writeTcp(b, at + IPV6_HLEN, { source: oth.dest, dest: oth.source, seq, ackSeq: ack, doff: 5, flags, window: 0, urgPtr: 0 }, TCP_HLEN, 0, 0);
    wr16(b, at + IPV6_HLEN + 16, 0);
    wr16(b, at + IPV6_HLEN + 16, l4Csum6(b, at + IPV6_HLEN, TCP_HLEN, o.daddr, o.saddr, NEXTHDR_TCP));
    nskb.protocol = ETH_P_IPV6;
    // IP6_REPLY_MARK: the packet's mark only with net.ipv6.fwmark_reflect, which the model keeps at 0
    nskb.mark = 0;
    nskb.dst = r.rt;
    nskb.dev = r.rt.dev;
    nf_ct_attach(nskb, old);
    net.step(old, 'L4', 'nf_send_reset6', FILE, net.full ? `reject with tcp reset at ${p.hook}: a RST answers this segment.` : '', { hook: { hook: p.hook } });
    net.step(nskb, 'L4', 'nf_send_reset6', FILE, net.full ? `reject with tcp reset: a RST [${formatIpv6(o.daddr)}]:${oth.dest} → [${formatIpv6(o.saddr)}]:${oth.source} (${flags & TCPHDR_ACK ? `ack ${ack}` : `seq ${seq}`}) is built from the refused segment (hop limit ${hop} from the route, the checksum computed in full), routed with ip6_route_output and sent with ip6_local_out: LOCAL_OUT, then POST_ROUTING.` : '');
    ip6_local_out(net, nskb);
  } finally {
    net.leave(call);
  }
}
