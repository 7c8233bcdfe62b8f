// struct icmphdr (include/uapi/linux/icmp.h).
import { csumFold, csumPartial } from './checksum';
import { rd16, wr16 } from './addr';

export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;
export const ICMP_ADDRESS = 17;
export const ICMP_ADDRESSREPLY = 18;

export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_PKT_FILTERED = 13;
export const ICMP_EXC_TTL = 0;
export const ICMP_EXC_FRAGTIME = 1;
export const ICMP_HLEN = 8;

export const ICMP_TYPE_NAMES: Record<number, string> = {
  0: 'echo reply',
  3: 'destination unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
  13: 'timestamp request',
  14: 'timestamp reply',
  15: 'information request',
  16: 'information reply',
  17: 'address mask request',
  18: 'address mask reply',
};

export const UNREACH_CODE_NAMES: Record<number, string> = {
  0: 'net unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  13: 'communication administratively prohibited',
};

export interface IcmpHdr {
  type: number;
  code: number;
  checksum: number;
  /** echo: id and sequence; frag needed: the next-hop MTU in the low 16 bits */
  rest: number;
}

export function readIcmp(b: Uint8Array, off: number): IcmpHdr {
  return { type: b[off], code: b[off + 1], checksum: rd16(b, off + 2), rest: ((rd16(b, off + 4) << 16) | rd16(b, off + 6)) >>> 0 };
}

/** Writes the header and checksums header plus `len - 8` bytes of body already in place. */
export function writeIcmp(b: Uint8Array, off: number, len: number, h: Omit<IcmpHdr, 'checksum'>): void {
  b[off] = h.type;
  b[off + 1] = h.code;
  wr16(b, off + 2, 0);
  wr16(b, off + 4, h.rest >>> 16);
  wr16(b, off + 6, h.rest & 0xffff);
  wr16(b, off + 2, csumFold(csumPartial(b, off, len)));
}

export function icmpOk(b: Uint8Array, off: number, len: number): boolean {
  return csumFold(csumPartial(b, off, len)) === 0;
}
