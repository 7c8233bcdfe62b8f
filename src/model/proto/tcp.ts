// struct tcphdr (include/uapi/linux/tcp.h), with the options a Linux SYN carries.
import { l4Csum } from './checksum';
import { rd16, rd32, wr16, wr32 } from './addr';
import { IPPROTO_TCP } from './ipv4';

export const TCPHDR_FIN = 0x01;
export const TCPHDR_SYN = 0x02;
export const TCPHDR_RST = 0x04;
export const TCPHDR_PSH = 0x08;
export const TCPHDR_ACK = 0x10;
export const TCP_HLEN = 20;

export interface TcpHdr {
  source: number;
  dest: number;
  seq: number;
  ackSeq: number;
  /** header length in 32-bit words */
  doff: number;
  flags: number;
  window: number;
  check: number;
  urgPtr: number;
}

export function readTcp(b: Uint8Array, off: number): TcpHdr {
  return {
    source: rd16(b, off),
    dest: rd16(b, off + 2),
    seq: rd32(b, off + 4),
    ackSeq: rd32(b, off + 8),
    doff: b[off + 12] >> 4,
    flags: b[off + 13],
    window: rd16(b, off + 14),
    check: rd16(b, off + 16),
    urgPtr: rd16(b, off + 18),
  };
}

/** Writes the fixed header (options already in place) and the checksum over `segLen` bytes. */
export function writeTcp(b: Uint8Array, off: number, h: Omit<TcpHdr, 'check'>, segLen: number, saddr: number, daddr: number): void {
  wr16(b, off, h.source);
  wr16(b, off + 2, h.dest);
  wr32(b, off + 4, h.seq);
  wr32(b, off + 8, h.ackSeq);
  b[off + 12] = h.doff << 4;
  b[off + 13] = h.flags;
  wr16(b, off + 14, h.window);
  wr16(b, off + 16, 0);
  wr16(b, off + 18, h.urgPtr);
  wr16(b, off + 16, l4Csum(b, off, segLen, saddr, daddr, IPPROTO_TCP));
}

export function tcpFlagString(f: number): string {
  let s = '';
  if (f & TCPHDR_SYN) s += 'S';
  if (f & TCPHDR_FIN) s += 'F';
  if (f & TCPHDR_RST) s += 'R';
  if (f & TCPHDR_PSH) s += 'P';
  if (f & TCPHDR_ACK) s += '.';
  return s || 'none';
}

/** The SYN options Linux sends (MSS, SACK permitted, timestamps, window scale): 20 bytes. */
export function writeSynOptions(b: Uint8Array, off: number, mss: number, tsval: number, tsecr: number, wscale: number): number {
  b[off] = 2; b[off + 1] = 4; wr16(b, off + 2, mss);
  b[off + 4] = 4; b[off + 5] = 2;
  b[off + 6] = 8; b[off + 7] = 10; wr32(b, off + 8, tsval); wr32(b, off + 12, tsecr);
  b[off + 16] = 1; b[off + 17] = 3; b[off + 18] = 3; b[off + 19] = wscale;
  return 20;
}

/** Timestamps only (NOP NOP TS): what established segments carry. */
export function writeTsOption(b: Uint8Array, off: number, tsval: number, tsecr: number): number {
  b[off] = 1; b[off + 1] = 1; b[off + 2] = 8; b[off + 3] = 10;
  wr32(b, off + 4, tsval); wr32(b, off + 8, tsecr);
  return 12;
}
