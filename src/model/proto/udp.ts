// struct udphdr (include/uapi/linux/udp.h).
import { l4Csum } from './checksum';
import { rd16, wr16 } from './addr';
import { IPPROTO_UDP } from './ipv4';

export const UDP_HLEN = 8;

export interface UdpHdr {
  source: number;
  dest: number;
  len: number;
  check: number;
}

export function readUdp(b: Uint8Array, off: number): UdpHdr {
  return { source: rd16(b, off), dest: rd16(b, off + 2), len: rd16(b, off + 4), check: rd16(b, off + 6) };
}

/** Writes the header and the checksum over header + payload already in place (0 becomes 0xffff). */
export function writeUdp(b: Uint8Array, off: number, h: Omit<UdpHdr, 'check'>, saddr: number, daddr: number): void {
  wr16(b, off, h.source);
  wr16(b, off + 2, h.dest);
  wr16(b, off + 4, h.len);
  wr16(b, off + 6, 0);
  const c = l4Csum(b, off, h.len, saddr, daddr, IPPROTO_UDP);
  wr16(b, off + 6, c === 0 ? 0xffff : c);
}
