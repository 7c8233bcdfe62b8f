// nft_exthdr (net/netfilter/nft_exthdr.c, v6.12) for TCP options and SCTP chunks: find the
// option (chunk) of a type by walking the header, then load bytes of it, or with
// NFT_EXTHDR_F_PRESENT only say whether it is there. Where the kernel's walk gives up, a load
// ends the rule (NFT_BREAK) and a presence test reads 0. IPv6 extension headers are found with
// ipv6_find_hdr (exthdrs_core.ts), as the kernel's nft_exthdr_ipv6_eval does.
import type { EvalCtx } from '../../model/net/netfilter/nf_tables';
import { IPPROTO_TCP } from '../../model/proto/ipv4';
import { ipv6_find_hdr } from '../../model/net/ipv6/exthdrs_core';

export const IPPROTO_SCTP = 132;

export interface ExthdrSpec {
  /** option kind / chunk type */
  type: number;
  /** bytes into the option / chunk */
  offset: number;
  /** bytes to load */
  len: number;
  /** NFT_EXTHDR_F_PRESENT */
  present: boolean;
}

const readBE = (b: Uint8Array, at: number, n: number): number => {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[at + i];
  return v;
};

/** nft_exthdr_tcp_eval: the value, 1/0 for a presence test, or undefined for NFT_BREAK. */
export function tcpOption(x: EvalCtx, s: ExthdrSpec): number | undefined {
  const miss = s.present ? 0 : undefined;
  const p = x.p;
  const b = p.skb.buf;
  // nft_tcp_header_pointer: a TCP first fragment whose header (doff) fits in the packet
  if (p.l4proto !== IPPROTO_TCP || p.fragoff || p.thoff + 20 > p.skb.tail) return miss;
  const hdrlen = (b[p.thoff + 12] >> 4) * 4;
  if (hdrlen < 20 || p.thoff + hdrlen > p.skb.tail) return miss;
  const o = p.thoff;
  for (let i = 20; i < hdrlen - 1; ) {
    // optlen(): EOL and NOP, or a zero length, advance by one byte
    const optl = b[o + i] <= 1 || b[o + i + 1] === 0 ? 1 : b[o + i + 1];
    if (b[o + i] === s.type) {
      if (i + optl > hdrlen || s.len + s.offset > optl) return miss;
      return s.present ? 1 : readBE(b, o + i + s.offset, s.len);
    }
    i += optl;
  }
  return miss;
}

/** nft_exthdr_sctp_eval: walk the chunks after the 12-byte common header. */
export function sctpChunk(x: EvalCtx, s: ExthdrSpec): number | undefined {
  const miss = s.present ? 0 : undefined;
  const p = x.p;
  const b = p.skb.buf;
  const end = p.skb.tail;
  if (p.l4proto !== IPPROTO_SCTP) return miss;
  let off = p.thoff + 12;
  do {
    if (off + 4 > end) break;
    const clen = readBE(b, off + 2, 2);
    if (!clen) break;
    if (b[off] === s.type) {
      if (s.present) return 1;
      if (s.offset + s.len > clen || off + clen > end) break;
      return readBE(b, off + s.offset, s.len);
    }
    off += (clen + 3) & ~3;
  } while (off < end);
  return miss;
}

/**
 * nft_exthdr_ipv6_eval: ipv6_find_hdr for the header's type; with NFT_EXTHDR_F_PRESENT 1 or 0,
 * else the bytes at the offset into it, or undefined (NFT_BREAK) when the header is not there
 * or the load runs past the packet. A packet that is not IPv6 breaks the rule in both cases.
 */
export function ipv6Exthdr(x: EvalCtx, s: ExthdrSpec): number | undefined {
  const p = x.p;
  if (p.pf !== 'ipv6') return undefined;
  const b = p.skb.buf;
  const r = ipv6_find_hdr(b, p.skb.network_header, p.skb.tail, s.type);
  if (s.present) return 'off' in r ? 1 : 0;
  if (!('off' in r)) return undefined;
  const at = r.off + s.offset;
  if (at + s.len > p.skb.tail) return undefined;
  return readBE(b, at, s.len);
}
