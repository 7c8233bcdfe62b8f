// nft_payload (net/netfilter/nft_payload.c, v6.12): load LEN bits at bit OFFSET of the network
// or transport header into a register. nft reads whole bytes and masks a bitfield with an
// nft_bitwise; extracting the bits here gives the same value. The loads that fail in the kernel
// fail here the same way, and the rule ends (NFT_BREAK): a transport header load without a
// transport protocol or on a later fragment (pkt->fragoff), or bytes past the packet's end
// (skb_copy_bits fails).
import type { EvalCtx } from '../../model/net/netfilter/nf_tables';

export type PayloadBase = 'nh' | 'th';

export interface PayloadField {
  base: PayloadBase;
  /** bits from the start of the header */
  offset: number;
  /** bits, 1..32 */
  len: number;
}

/** The field's value in the packet, or undefined where nft_payload_eval breaks. */
export function loadPayload(x: EvalCtx, f: PayloadField): number | undefined {
  const skb = x.p.skb;
  let start: number;
  if (f.base === 'nh') start = skb.network_header;
  else {
    if (x.p.fragoff !== 0) return undefined;
    start = x.p.thoff;
  }
  const first = start + (f.offset >> 3);
  const nbytes = ((f.offset & 7) + f.len + 7) >> 3;
  if (first + nbytes > skb.tail) return undefined;
  let v = 0n;
  for (let i = 0; i < nbytes; i++) v = (v << 8n) | BigInt(skb.buf[first + i]);
  const drop = BigInt(nbytes * 8 - (f.offset & 7) - f.len);
  return Number((v >> drop) & ((1n << BigInt(f.len)) - 1n));
}
