// The Internet checksum (RFC 1071), as ip_fast_csum / csum_partial / csum_tcpudp_magic compute it.

/** One's-complement sum of 16-bit words, not folded. */
export function csumPartial(b: Uint8Array, off: number, len: number, sum = 0): number {
  let i = off;
  const end = off + len;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

export function csumFold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** ip_fast_csum: 0 when the header's checksum is right. */
export function ipFastCsum(b: Uint8Array, off: number, ihl: number): number {
  return csumFold(csumPartial(b, off, ihl * 4));
}

/** The pseudo-header sum of TCP and UDP (csum_tcpudp_nofold). */
export function pseudoSum(saddr: number, daddr: number, proto: number, len: number): number {
  return (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + proto + len;
}

/** csum_tcpudp_magic over a whole L4 segment: 0 when a received segment is right. */
export function l4Csum(b: Uint8Array, off: number, len: number, saddr: number, daddr: number, proto: number): number {
  return csumFold(csumPartial(b, off, len, pseudoSum(saddr, daddr, proto, len)));
}
