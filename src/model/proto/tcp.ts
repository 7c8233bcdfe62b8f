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

/** What a SYN or SYN-ACK offers (tcp_syn_options / tcp_synack_options): MSS always, the rest as negotiated. */
export interface SynOptions {
  mss: number;
  /** timestamps: tsval and tsecr */
  ts?: { val: number; ecr: number };
  sack: boolean;
  /** the window scale offered, if any */
  ws?: number;
}

/** The bytes those options take (each aligned to 4, SACK-permitted sharing the timestamp's word). */
export function synOptionsLen(o: SynOptions): number {
  return 4 + (o.ts ? 12 : o.sack ? 4 : 0) + (o.ws !== undefined ? 4 : 0);
}

/**
 * tcp_options_write (net/ipv4/tcp_output.c, v6.12) for a SYN: MSS; then timestamps, preceded by
 * SACK-permitted when both are on (else by two NOPs); SACK-permitted alone behind two NOPs; the
 * window scale behind one NOP. With everything on: 20 bytes.
 */
export function writeSynOptions(b: Uint8Array, off: number, o: SynOptions): number {
  let p = off;
  b[p] = 2; b[p + 1] = 4; wr16(b, p + 2, o.mss);
  p += 4;
  if (o.ts) {
    if (o.sack) { b[p] = 4; b[p + 1] = 2; } else { b[p] = 1; b[p + 1] = 1; }
    b[p + 2] = 8; b[p + 3] = 10; wr32(b, p + 4, o.ts.val); wr32(b, p + 8, o.ts.ecr);
    p += 12;
  } else if (o.sack) {
    b[p] = 1; b[p + 1] = 1; b[p + 2] = 4; b[p + 3] = 2;
    p += 4;
  }
  if (o.ws !== undefined) {
    b[p] = 1; b[p + 1] = 3; b[p + 2] = 3; b[p + 3] = o.ws;
    p += 4;
  }
  return p - off;
}

/** What tcp_parse_options finds in a SYN or SYN-ACK (before the receiver's sysctls decide what it takes). */
export interface ParsedSynOptions {
  mss?: number;
  ts?: { val: number; ecr: number };
  sackPerm: boolean;
  ws?: number;
  /** the SACK blocks (start, end), when the option's length is whole blocks (tcp_parse_options keeps it only on a SACK connection) */
  sack?: [number, number][];
}

/** TCPOLEN_SACK_BASE and TCPOLEN_SACK_PERBLOCK */
const TCPOLEN_SACK_BASE = 2;
const TCPOLEN_SACK_PERBLOCK = 8;

/** tcp_parse_options (net/ipv4/tcp_input.c, v6.12): walks the options of the segment at `off`; stops at EOL or a malformed length. */
export function parseTcpOptions(b: Uint8Array, off: number, end: number): ParsedSynOptions {
  const r: ParsedSynOptions = { sackPerm: false };
  let p = off + TCP_HLEN;
  while (p < end) {
    const kind = b[p];
    if (kind === 0) break;
    if (kind === 1) {
      p++;
      continue;
    }
    if (end - p < 2) break;
    const size = b[p + 1];
    if (size < 2 || size > end - p) break;
    if (kind === 2 && size === 4) r.mss = rd16(b, p + 2) || r.mss;
    else if (kind === 3 && size === 3) r.ws = b[p + 2];
    else if (kind === 8 && size === 10) r.ts = { val: rd32(b, p + 2), ecr: rd32(b, p + 6) };
    else if (kind === 4 && size === 2) r.sackPerm = true;
    else if (kind === 5 && size >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK && (size - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK === 0) {
      r.sack = [];
      for (let q = p + TCPOLEN_SACK_BASE; q < p + size; q += TCPOLEN_SACK_PERBLOCK) r.sack.push([rd32(b, q), rd32(b, q + 4)]);
    }
    p += size;
  }
  return r;
}

/** Timestamps only (NOP NOP TS): what established segments carry. */
export function writeTsOption(b: Uint8Array, off: number, tsval: number, tsecr: number): number {
  b[off] = 1; b[off + 1] = 1; b[off + 2] = 8; b[off + 3] = 10;
  wr32(b, off + 4, tsval); wr32(b, off + 8, tsecr);
  return 12;
}

/** The bytes SACK blocks take on a segment: NOP NOP, kind and length, 8 per block (TCPOLEN_SACK_BASE_ALIGNED + blocks). */
export function sackOptionLen(blocks: number): number {
  return blocks ? 4 + TCPOLEN_SACK_PERBLOCK * blocks : 0;
}

/**
 * tcp_options_write (net/ipv4/tcp_output.c, v6.12) for SACK blocks, after the timestamps: one word
 * NOP NOP SACK length, then each block's start and end sequence.
 */
export function writeSackOption(b: Uint8Array, off: number, blocks: [number, number][]): number {
  b[off] = 1; b[off + 1] = 1; b[off + 2] = 5; b[off + 3] = TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK * blocks.length;
  blocks.forEach(([start, end], i) => {
    wr32(b, off + 4 + 8 * i, start >>> 0);
    wr32(b, off + 8 + 8 * i, end >>> 0);
  });
  return sackOptionLen(blocks.length);
}
