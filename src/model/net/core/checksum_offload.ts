// Checksum offload (include/linux/skbuff.h "Checksumming of received and transmitted packets"):
// with CHECKSUM_PARTIAL the stack writes only the pseudo-header sum into the L4 checksum field,
// and the device completes it from csum_start (the transport header) on the way out.
import { csumFold, csumPartial, l4Csum } from '../../proto/checksum';
import { rd16, rd32, wr16 } from '../../proto/addr';
import { IP_MF, IP_OFFSET, IPPROTO_TCP, IPPROTO_UDP } from '../../proto/ipv4';
import type { SkBuff } from './skbuff';

/** csum_offset of the checksum field in the transport header */
export function csumOffset(protocol: number): number {
  return protocol === IPPROTO_TCP ? 16 : 6;
}

/** What the hardware (or skb_checksum_help) does: fold the sum over the segment into the field. */
export function completePartialChecksum(skb: SkBuff): boolean {
  if (skb.transport_header < 0 || skb.network_header < 0) return false;
  const b = skb.w();
  // the transport protocol: IPv4's protocol field, or IPv6's next header (no extension headers are sent)
  const proto = b[skb.network_header] >> 4 === 6 ? b[skb.network_header + 6] : b[skb.network_header + 9];
  const start = skb.transport_header;
  const len = skb.tail - start;
  const field = start + csumOffset(proto);
  let c = csumFold(csumPartial(b, start, len));
  if (c === 0 && proto === IPPROTO_UDP) c = 0xffff;
  wr16(b, field, c);
  skb.ip_summed = 'CHECKSUM_NONE';
  return true;
}

/** The partial checksum the stack leaves for the device: ~csum_tcpudp_magic(saddr, daddr, len, proto, 0). */
export function writePseudoChecksum(b: Uint8Array, l4off: number, len: number, saddr: number, daddr: number, proto: number): void {
  const field = l4off + csumOffset(proto);
  wr16(b, field, 0);
  const magic = csumFold((saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + proto + len);
  wr16(b, field, ~magic & 0xffff);
}

/** Whether a NIC's receive checksum check passes for the IPv4 datagram at `off`. */
export function l4ChecksumOk(b: Uint8Array, off: number, avail: number): boolean {
  if (avail < 20 || b[off] >> 4 !== 4) return false;
  const ihl = (b[off] & 15) * 4;
  const proto = b[off + 9];
  const frag = rd16(b, off + 6) & (IP_MF | IP_OFFSET);
  if (frag || (proto !== IPPROTO_UDP && proto !== IPPROTO_TCP)) return false;
  const totLen = Math.min(rd16(b, off + 2), avail);
  const l4len = totLen - ihl;
  if (l4len < 8) return false;
  if (proto === IPPROTO_UDP && rd16(b, off + ihl + 6) === 0) return true;
  return l4Csum(b, off + ihl, l4len, rd32(b, off + 12), rd32(b, off + 16), proto) === 0;
}
