// TCP segmentation offload, the software side (net/ipv4/tcp_offload.c tcp_gso_segment, reached
// through skb_gso_segment → inet_gso_segment in net/ipv4/af_inet.c, v6.12), and
// skb_gso_validate_network_len (net/core/gso.c). A TCP sk_buff built by tcp_sendmsg may carry
// several MSS-sized segments (gso_size, gso_segs); it stays whole down to a device with TSO
// (every device the model has), and is cut only where a layer cannot send it whole: a forwarded
// GSO packet whose segments exceed the egress MTU (ip_finish_output_gso), and the NIC's own
// hardware segmentation on the wire (e1000).
import type { SkBuff } from '../core/skbuff';
import { allocSkb } from '../core/skbuff';
import { rd16, rd32, wr16, wr32 } from '../../proto/addr';
import { IPPROTO_TCP, ipSendCheck, readIp } from '../../proto/ipv4';
import { TCPHDR_FIN, TCPHDR_PSH, readTcp } from '../../proto/tcp';
import { writePseudoChecksum } from '../core/checksum_offload';

/** TCP's CWR flag: only the first segment keeps it (tcp_gso_segment) */
const TCPHDR_CWR = 0x80;

export const skb_is_gso = (skb: SkBuff): boolean => skb.gso_size > 0;

/**
 * skb_gso_network_seglen: the length of one segment from its IP header on — the headers
 * (IP and TCP with options) plus gso_size bytes of data.
 */
export function skb_gso_network_seglen(skb: SkBuff): number {
  const th = readTcp(skb.buf, skb.transport_header);
  return skb.transport_header - skb.network_header + th.doff * 4 + skb.gso_size;
}

/** skb_gso_validate_network_len: whether each segment of a GSO sk_buff fits `mtu`. */
export function skb_gso_validate_network_len(skb: SkBuff, mtu: number): boolean {
  return skb_gso_network_seglen(skb) <= mtu;
}

/**
 * tcp_gso_segment (via inet_gso_segment): the segments of a TCP GSO sk_buff, as full IPv4
 * packets. Each gets gso_size bytes of data (the last the rest), its own tot_len and header
 * checksum, an IP ID one more than the one before, seq advanced by the data before it; PSH and
 * FIN stay on the last segment only and CWR on the first. The TCP checksum is left to the device
 * (CHECKSUM_PARTIAL: the pseudo-header sum) as when the egress device can checksum. `newPkt`
 * names each segment for the trace.
 */
export function tcp_gso_segment(skb: SkBuff, headroom: number, newPkt: (i: number) => number): SkBuff[] {
  const nh = skb.network_header;
  const iph = readIp(skb.buf, nh);
  const ihl = iph.ihl * 4;
  const thOff = nh + ihl;
  const th = readTcp(skb.buf, thOff);
  const hdrLen = ihl + th.doff * 4;
  const payload = skb.tail - nh - hdrLen;
  const mss = skb.gso_size;
  const segs: SkBuff[] = [];
  for (let done = 0, i = 0; done < payload; done += mss, i++) {
    const n = Math.min(mss, payload - done);
    const last = done + n >= payload;
    const seg = allocSkb(headroom, hdrLen + n, newPkt(i));
    const at = seg.put(hdrLen + n);
    const b = seg.w();
    b.set(skb.buf.subarray(nh, nh + hdrLen), at);
    b.set(skb.buf.subarray(nh + hdrLen + done, nh + hdrLen + done + n), at + hdrLen);
    seg.network_header = at;
    seg.transport_header = at + ihl;
    wr16(b, at + 2, hdrLen + n);
    wr16(b, at + 4, (rd16(skb.buf, nh + 4) + i) & 0xffff);
    ipSendCheck(b, at);
    const t = at + ihl;
    wr32(b, t + 4, (rd32(skb.buf, thOff + 4) + done) >>> 0);
    let flags = b[t + 13];
    if (!last) flags &= ~(TCPHDR_PSH | TCPHDR_FIN);
    if (i > 0) flags &= ~TCPHDR_CWR;
    b[t + 13] = flags;
    writePseudoChecksum(b, t, th.doff * 4 + n, iph.saddr, iph.daddr, IPPROTO_TCP);
    seg.ip_summed = 'CHECKSUM_PARTIAL';
    seg.protocol = skb.protocol;
    seg.dst = skb.dst;
    seg.dstDaddr = skb.dstDaddr;
    seg.dev = skb.dev;
    seg.sk = skb.sk;
    // dst_pending_confirm is one of the header fields skb_segment copies (__copy_skb_header)
    seg.dst_pending_confirm = skb.dst_pending_confirm;
    seg.mark = skb.mark;
    seg.priority = skb.priority;
    seg.nfct = skb.nfct;
    seg.skb_iif = skb.skb_iif;
    seg.pkt_type = skb.pkt_type;
    seg.cb = { ...skb.cb, fragList: undefined, fragLocal: undefined };
    segs.push(seg);
  }
  void iph.protocol;
  return segs;
}
