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

/**
 * What a SYN or SYN-ACK offers (tcp_syn_options / tcp_synack_options, v6.12): timestamps, SACK
 * permitted and window scaling each follow their sysctl (and, in a SYN-ACK, the peer's offer).
 */
export interface SynOpts {
  ts: boolean;
  sack: boolean;
  /** the window scale we announce, or null when we announce none */
  ws: number | null;
}

export const ALL_SYN_OPTS: SynOpts = { ts: true, sack: true, ws: 7 };

export function synOptionsLen(o: SynOpts): number {
  return 4 + (o.ts ? 12 : 0) + (o.sack && !o.ts ? 4 : 0) + (o.ws !== null ? 4 : 0);
}

/**
 * tcp_options_write's order: MSS; SACK permitted folded into the timestamp word when both are on
 * (else NOP NOP TS); NOP NOP SACK_PERM alone; NOP WSCALE. 20 bytes with everything on.
 */
export function writeSynOptions(b: Uint8Array, off: number, mss: number, tsval: number, tsecr: number, o: SynOpts = ALL_SYN_OPTS): number {
  let p = off;
  b[p] = 2; b[p + 1] = 4; wr16(b, p + 2, mss);
  p += 4;
  if (o.ts) {
    if (o.sack) { b[p] = 4; b[p + 1] = 2; } else { b[p] = 1; b[p + 1] = 1; }
    b[p + 2] = 8; b[p + 3] = 10; wr32(b, p + 4, tsval); wr32(b, p + 8, tsecr);
    p += 12;
  } else if (o.sack) {
    b[p] = 1; b[p + 1] = 1; b[p + 2] = 4; b[p + 3] = 2;
    p += 4;
  }
  if (o.ws !== null) {
    b[p] = 1; b[p + 1] = 3; b[p + 2] = 3; b[p + 3] = o.ws;
    p += 4;
  }
  return p - off;
}

/** What a received SYN or SYN-ACK offers (tcp_parse_options, the parts the handshake reads). */
export function readSynOptions(b: Uint8Array, off: number, end: number): { ts: number | null; sack: boolean; ws: number | null } {
  const out: { ts: number | null; sack: boolean; ws: number | null } = { ts: null, sack: false, ws: null };
  for (let o = off; o < end; ) {
    const kind = b[o];
    if (kind === 0) break;
    if (kind === 1) {
      o++;
      continue;
    }
    const len = b[o + 1];
    if (len < 2 || o + len > end) break;
    if (kind === 8 && len === 10) out.ts = ((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0;
    else if (kind === 4 && len === 2) out.sack = true;
    else if (kind === 3 && len === 3) out.ws = Math.min(b[o + 2], 14);
    o += len;
  }
  return out;
}

/** Timestamps only (NOP NOP TS): what established segments carry. */
export function writeTsOption(b: Uint8Array, off: number, tsval: number, tsecr: number): number {
  b[off] = 1; b[off + 1] = 1; b[off + 2] = 8; b[off + 3] = 10;
  wr32(b, off + 4, tsval); wr32(b, off + 8, tsecr);
  return 12;
}
