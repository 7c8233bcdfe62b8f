// Reading a transport header the model's pktinfo does not decode (sctp, dccp, esp, ah, ipcomp):
// from the packet bytes at the transport offset, as skb_header_pointer does. A later fragment
// has no header (the xt modules return false for fragoff != 0); a header cut short makes them
// set hotdrop, and the packet is dropped.
import type { EvalCtx } from '../../../model/net/netfilter/nf_tables';

/** `len` bytes at `off` into the transport header, or 'frag' / 'short'. */
export function l4Bytes(x: EvalCtx, off: number, len: number): Uint8Array | 'frag' | 'short' {
  if (x.p.fragoff !== 0) return 'frag';
  const at = x.p.thoff + off;
  if (x.p.skb.tail - at < len) return 'short';
  return x.p.skb.buf.subarray(at, at + len);
}

export const be16 = (b: Uint8Array, o = 0): number => (b[o] << 8) | b[o + 1];
export const be32 = (b: Uint8Array, o = 0): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
