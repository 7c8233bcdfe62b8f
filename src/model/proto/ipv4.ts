// struct iphdr (include/uapi/linux/ip.h). Options are kept as bytes and parsed past (ihl > 5).
import { ipFastCsum, csumFold, csumPartial } from './checksum';
import { rd16, rd32, wr16, wr32 } from './addr';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IP_CE = 0x8000;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFSET = 0x1fff;
export const IPV4_HLEN = 20;

export const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

export interface IpHdr {
  version: number;
  ihl: number;
  tos: number;
  totLen: number;
  id: number;
  /** flags and fragment offset as on the wire (IP_DF | IP_MF | offset/8) */
  fragOff: number;
  ttl: number;
  protocol: number;
  check: number;
  saddr: number;
  daddr: number;
}

export function readIp(b: Uint8Array, off: number): IpHdr {
  return {
    version: b[off] >> 4,
    ihl: b[off] & 15,
    tos: b[off + 1],
    totLen: rd16(b, off + 2),
    id: rd16(b, off + 4),
    fragOff: rd16(b, off + 6),
    ttl: b[off + 8],
    protocol: b[off + 9],
    check: rd16(b, off + 10),
    saddr: rd32(b, off + 12),
    daddr: rd32(b, off + 16),
  };
}

/** Writes a 20-byte header (options, if any, are already in place after it) and its checksum. */
export function writeIp(b: Uint8Array, off: number, h: Omit<IpHdr, 'check'>): void {
  b[off] = (h.version << 4) | h.ihl;
  b[off + 1] = h.tos;
  wr16(b, off + 2, h.totLen);
  wr16(b, off + 4, h.id);
  wr16(b, off + 6, h.fragOff);
  b[off + 8] = h.ttl;
  b[off + 9] = h.protocol;
  wr32(b, off + 12, h.saddr);
  wr32(b, off + 16, h.daddr);
  ipSendCheck(b, off);
}

/** ip_send_check: recompute the header checksum in place. */
export function ipSendCheck(b: Uint8Array, off: number): void {
  const ihl = b[off] & 15;
  wr16(b, off + 10, 0);
  wr16(b, off + 10, csumFold(csumPartial(b, off, ihl * 4)));
}

export function ipHeaderOk(b: Uint8Array, off: number): boolean {
  return ipFastCsum(b, off, b[off] & 15) === 0;
}

/** ip_decrease_ttl: TTL minus one with the incremental checksum update (RFC 1624). */
export function ipDecreaseTtl(b: Uint8Array, off: number): number {
  let check = rd16(b, off + 10);
  check += 0x0100;
  check = (check + (check >= 0xffff ? 1 : 0)) & 0xffff;
  wr16(b, off + 10, check);
  return --b[off + 8];
}

export const isFragment = (h: IpHdr): boolean => (h.fragOff & (IP_MF | IP_OFFSET)) !== 0;
