// The REJECT target's packets (net/ipv4/netfilter/nf_reject_ipv4.c, v6.12): an ICMP destination
// unreachable through icmp_send, or a TCP RST built from the refused segment and sent as a new
// locally made packet.
import type { Net } from '../net_namespace';
import { numToIp } from '../../proto/addr';
import { IP_OFFSET, IPPROTO_TCP, IPPROTO_UDP, writeIp } from '../../proto/ipv4';
import { rd16 } from '../../proto/addr';
import { csumFold, csumPartial, l4Csum } from '../../proto/checksum';
import { TCP_HLEN, TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN, readTcp, writeTcp } from '../../proto/tcp';
import { ICMP_DEST_UNREACH } from '../../proto/icmp';
import { ETH_P_IP } from '../../proto/ethernet';
import { allocSkb } from '../core/skbuff';
import { writePseudoChecksum } from '../core/checksum_offload';
import { IP4_REPLY_MARK, icmp_send } from '../ipv4/icmp';
import { ip_local_out } from '../ipv4/ip_output';
import { outputRoute } from '../ipv4/netfilter';
import type { PktInfo } from './nf_pktinfo';
import { nf_ct_attach } from './nf_ct_attach';

/** Protocols nf_reject_verify_csum leaves unchecked: GRE, AH, ESP, SCTP, UDP-Lite, DCCP (include/net/netfilter/nf_reject.h). */
const NO_FULL_CSUM = new Set([47, 51, 50, 132, 136, 33]);

/**
 * The checksum test of nf_send_unreach (v6.12): a packet the stack or the device has vouched for
 * (skb_csum_unnecessary: CHECKSUM_UNNECESSARY, or a locally made CHECKSUM_PARTIAL one) and a
 * protocol without a checksum over its whole payload (nf_reject_verify_csum; UDP whose checksum
 * field is 0) are answered; any other must sum to zero (nf_ip_checksum, from the IP header, whose
 * own right checksum adds nothing, to the end: a first fragment's partial payload does not).
 * nf_ip_checksum trusts a CHECKSUM_COMPLETE sum only on PRE_ROUTING and LOCAL_IN.
 */
function rejectCsumBad(p: PktInfo): string | undefined {
  const skb = p.skb;
  if (skb.ip_summed === 'CHECKSUM_UNNECESSARY' || skb.ip_summed === 'CHECKSUM_PARTIAL') return undefined;
  if (NO_FULL_CSUM.has(p.l4proto)) return undefined;
  const len = Math.max(0, skb.tail - p.thoff);
  if (p.l4proto === IPPROTO_UDP && len >= 8 && rd16(skb.buf, p.thoff + 6) === 0) return undefined;
  if (skb.ip_summed === 'CHECKSUM_COMPLETE' && p.hook !== 'NF_INET_PRE_ROUTING' && p.hook !== 'NF_INET_LOCAL_IN') return undefined;
  // TCP and UDP are summed with their pseudo-header, every other protocol on its own bytes
  const sum = p.l4proto === IPPROTO_TCP || p.l4proto === IPPROTO_UDP ? l4Csum(skb.buf, p.thoff, len, p.iph.saddr, p.iph.daddr, p.l4proto) : csumFold(csumPartial(skb.buf, p.thoff, len));
  return sum !== 0 ? `nf_ip_checksum: the checksum over protocol ${p.l4proto}'s ${len} bytes is wrong` : undefined;
}

/**
 * nf_send_unreach (v6.12): not for a later fragment; a route back to the source when the packet
 * has none yet; only a packet whose checksum is right (rejectCsumBad); then icmp_send.
 */
export function nf_send_unreach(net: Net, p: PktInfo, code: number): void {
  const call = net.enter('nf_send_unreach');
  try {
    const skb = p.skb;
    if (p.iph.fragOff & IP_OFFSET) return;
    if (!skb.dst) {
      // nf_reject_fill_skb_dst: at PRE_ROUTING the packet has no route yet; one back to the source is looked up
      const rt = outputRoute(net, p.iph.saddr, 0, skb.mark);
      if (!rt) return;
      skb.dstSet(rt, p.iph.saddr);
    }
    const bad = rejectCsumBad(p);
    if (bad) {
      net.step(skb, 'L3', 'nf_send_unreach', 'net/ipv4/netfilter/nf_reject_ipv4.c', net.full ? `reject: ${bad}, so no ICMP error is sent (the packet is still dropped).` : '', { hook: { hook: p.hook } });
      return;
    }
    net.step(skb, 'L3', 'nf_send_unreach', 'net/ipv4/netfilter/nf_reject_ipv4.c', net.full ? `reject: the sender is told with ICMP destination unreachable, code ${code}, through icmp_send.` : '', { hook: { hook: p.hook } });
    icmp_send(net, skb, ICMP_DEST_UNREACH, code, 0);
  } finally {
    net.leave(call);
  }
}

/** nf_send_reset: a TCP RST built from the offending segment, routed and sent with ip_local_out. */
export function nf_send_reset(net: Net, p: PktInfo): void {
  const call = net.enter('nf_send_reset');
  try {
    const old = p.skb;
    if (p.l4proto !== IPPROTO_TCP || p.sport === undefined || (p.tcpFlags ?? 0) & TCPHDR_RST) return;
    const oth = readTcp(old.buf, p.thoff);
    const dataLen = p.iph.totLen - p.iph.ihl * 4 - oth.doff * 4;
    let seq = 0;
    let ack = 0;
    let flags = TCPHDR_RST;
    if (oth.flags & TCPHDR_ACK) seq = oth.ackSeq;
    else {
      ack = (oth.seq + dataLen + (oth.flags & TCPHDR_SYN ? 1 : 0) + (oth.flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
      flags |= TCPHDR_ACK;
    }
    const pkt = net.w.rec.newPacket(net.name, old.pkt);
    const nskb = allocSkb(128, 20 + TCP_HLEN, pkt);
    const at = nskb.put(20 + TCP_HLEN);
    nskb.network_header = at;
    nskb.transport_header = at + 20;
    const b = nskb.w();
    writeTcp(b, at + 20, { source: oth.dest, dest: oth.source, seq, ackSeq: ack, doff: 5, flags, window: 0, urgPtr: 0 }, TCP_HLEN, p.iph.daddr, p.iph.saddr);
    // nf_reject_ip_tcphdr_put (v6.12): only the pseudo-header sum is written, the rest is left
    // to the device (CHECKSUM_PARTIAL)
    writePseudoChecksum(b, at + 20, TCP_HLEN, p.iph.daddr, p.iph.saddr, IPPROTO_TCP);
    nskb.ip_summed = 'CHECKSUM_PARTIAL';
    writeIp(b, at, { version: 4, ihl: 5, tos: 0, totLen: 40, id: 0, fragOff: 0x4000, ttl: net.get('net.ipv4.ip_default_ttl'), protocol: IPPROTO_TCP, saddr: p.iph.daddr, daddr: p.iph.saddr });
    nskb.protocol = ETH_P_IP;
    nskb.mark = IP4_REPLY_MARK(net, old.mark);
    const rt = outputRoute(net, p.iph.saddr, p.iph.daddr, nskb.mark);
    if (!rt) return;
    nskb.dstSet(rt, p.iph.saddr);
    nskb.dev = rt.dev;
    // nf_ct_attach: the RST belongs to the connection of the segment it answers, in the other direction
    nf_ct_attach(nskb, old);
    net.step(old, 'L4', 'nf_send_reset', 'net/ipv4/netfilter/nf_reject_ipv4.c', net.full ? `reject with tcp reset at ${p.hook}: a RST answers this segment.` : '', { hook: { hook: p.hook } });
    // the RST is a new, locally made packet: its own netfilter path starts at LOCAL_OUT
    net.step(nskb, 'L4', 'nf_send_reset', 'net/ipv4/netfilter/nf_reject_ipv4.c', net.full ? `reject with tcp reset: a RST ${numToIp(p.iph.daddr)}:${oth.dest} → ${numToIp(p.iph.saddr)}:${oth.source} (${flags & TCPHDR_ACK ? `ack ${ack}` : `seq ${seq}`}) is built from the refused segment (CHECKSUM_PARTIAL, mark IP4_REPLY_MARK ${nskb.mark}), routed with ip_route_me_harder and sent with ip_local_out: LOCAL_OUT, then POST_ROUTING.` : '');
    ip_local_out(net, nskb);
  } finally {
    net.leave(call);
  }
}
