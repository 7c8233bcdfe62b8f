// What a packet's conntrack entry tells a rule, read as the kernel reads it (nf_ct_get, the
// entry's tuples and status bits). iptables' conntrack/state/connbytes matches and nft's `ct`
// keys evaluate the same facts, so both parsers get them from here.
import type { EvalCtx } from '../../model/net/netfilter/nf_tables';
import { IPS_DST_NAT, IPS_SRC_NAT, v4of, type NfConn, type Tuple } from '../../model/net/netfilter/nf_conntrack';
import { nf_ct_expires } from '../../model/net/netfilter/nf_conntrack_timeout';
import { JIFFY_MS } from '../../model/proc/sysctl';

/** IPS_* bits of include/uapi/linux/netfilter/nf_conntrack_common.h (v6.12) */
export const IPS = { EXPECTED: 1, SEEN_REPLY: 2, ASSURED: 4, CONFIRMED: 8, SRC_NAT: IPS_SRC_NAT, DST_NAT: IPS_DST_NAT, SRC_NAT_DONE: 128, DST_NAT_DONE: 256, DYING: 512 } as const;

/** The status bits the model knows, by name, as nft and iptables spell them, in bit order. */
export const CT_STATUS_KNOWN: Record<string, number> = { expected: IPS.EXPECTED, 'seen-reply': IPS.SEEN_REPLY, assured: IPS.ASSURED, confirmed: IPS.CONFIRMED, snat: IPS.SRC_NAT, dnat: IPS.DST_NAT, dying: IPS.DYING };

export const ctOf = (x: EvalCtx): NfConn | null => x.nf.ctOf(x.p.skb);

/** nft's `ct expiration` (nft_ct_get_eval NFT_CT_EXPIRATION): jiffies_to_msecs(nf_ct_expires(ct)) */
export const ctExpirationMs = (x: EvalCtx): number | undefined => {
  const ct = ctOf(x);
  return ct ? nf_ct_expires(x.net, ct) * JIFFY_MS : undefined;
};

/**
 * ct->status as far as the model keeps it: no expectations exist in the model (no helpers), so
 * EXPECTED is never set; SEEN_REPLY and CONFIRMED follow the entry; ASSURED (set by the TCP and
 * UDP trackers, nf_conntrack_core.ts) and the NAT bits are its own.
 */
export function ctStatusBits(ct: NfConn): number {
  let s = ct.status;
  if (ct.seenReply) s |= IPS.SEEN_REPLY;
  if (ct.confirmed) s |= IPS.CONFIRMED;
  return s >>> 0;
}

export const ctStatus = (x: EvalCtx): number | undefined => {
  const ct = ctOf(x);
  return ct ? ctStatusBits(ct) : undefined;
};

/** CTINFO2DIR: 0 original, 1 reply; undefined without an entry */
export const ctDirection = (x: EvalCtx): number | undefined => {
  if (!ctOf(x)) return undefined;
  const s = x.nf.ctState(x.p.skb) ?? '';
  return s.endsWith('_REPLY') ? 1 : 0;
};

/**
 * A field of the entry's tuple of one direction (0 original, 1 reply). Addresses are read as
 * IPv4's u32: the IPv4 keys (`ct original saddr`, `--ctorigsrc`) are modelled on IPv4 entries
 * only, and an IPv6 entry has no IPv4 address (undefined: the expression breaks).
 */
export function ctTuple(dir: 0 | 1, key: keyof Tuple): (x: EvalCtx) => number | undefined {
  return (x) => {
    const t = ctOf(x)?.tuple[dir];
    if (!t) return undefined;
    if (key === 'src' || key === 'dst') return t[key].family === 'ipv4' ? v4of(t[key]) : undefined;
    return t[key];
  };
}

/** ct l3proto: NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10), from the entry's tuple. */
export const ctL3proto = (x: EvalCtx): number | undefined => {
  const ct = ctOf(x);
  return ct ? (ct.tuple[0].src.family === 'ipv6' ? 10 : 2) : undefined;
};

/** The status word by nft's names, the bits it has no name for (SRC_NAT_DONE, DST_NAT_DONE) in hex after them. */
export const showStatus = (v: number): string => {
  const named = Object.entries(CT_STATUS_KNOWN).filter(([, b]) => v & b);
  const rest = named.reduce((r, [, b]) => r & ~b, v) >>> 0;
  return [...named.map(([n]) => n), ...(rest ? [`0x${rest.toString(16)}`] : [])].join(',') || '0x0';
};
