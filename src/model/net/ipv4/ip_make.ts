// Building a datagram a socket sends: ip_append_data and __ip_make_skb (net/ipv4/ip_output.c)
// reduced to one linear sk_buff — headroom for the link header, the IP header, then L4 bytes.
import type { Net } from '../net_namespace';
import type { Rtable } from './route_types';
import { allocSkb, type SkBuff } from '../core/skbuff';
import { IP_DF, IPV4_HLEN, writeIp } from '../../proto/ipv4';
import { ETH_P_IP } from '../../proto/ethernet';

export interface IpParams {
  saddr: number;
  daddr: number;
  protocol: number;
  ttl: number;
  tos: number;
  df: boolean;
  /** a fixed IP ID (connected sockets keep their own counter); otherwise ip_select_ident decides */
  id?: number;
}

/**
 * ip_select_ident: a DF datagram of an unconnected socket gets ID 0; others get the next value
 * of a per-destination counter (the kernel's is a hashed, randomly seeded one — the model's is
 * seeded and deterministic, and fidelity checks mask it).
 */
export function ip_select_ident(net: Net, p: IpParams): number {
  if (p.id !== undefined) return p.id;
  if (p.df) return 0;
  const key = `${p.saddr}>${p.daddr}/${p.protocol}`;
  const base = net.ipIdents.get(key) ?? seedIdent(net.name, key);
  net.ipIdents.set(key, (base + 1) & 0xffff);
  return base;
}

function seedIdent(host: string, key: string): number {
  let h = 2166136261;
  for (const c of host + key) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h & 0xffff;
}

/** A datagram with `l4len` bytes after the IP header; `fill` writes them at the given offset. */
export function ip_make_skb(net: Net, rt: Rtable, p: IpParams, l4len: number, pkt: number, fill: (b: Uint8Array, off: number) => void): SkBuff {
  const skb = allocSkb(rt.dev.llReservedSpace(), IPV4_HLEN + l4len, pkt);
  const at = skb.put(IPV4_HLEN + l4len);
  skb.network_header = at;
  skb.transport_header = at + IPV4_HLEN;
  const b = skb.w();
  fill(b, at + IPV4_HLEN);
  writeIp(b, at, {
    version: 4,
    ihl: 5,
    tos: p.tos,
    totLen: IPV4_HLEN + l4len,
    id: ip_select_ident(net, p),
    fragOff: p.df ? IP_DF : 0,
    ttl: p.ttl,
    protocol: p.protocol,
    saddr: p.saddr,
    daddr: p.daddr,
  });
  skb.dstSet(rt, p.daddr);
  skb.dev = rt.dev;
  skb.protocol = ETH_P_IP;
  // __ip_append_data fills one sk_buff per piece of at most maxfraglen bytes (the data a multiple
  // of 8) when the datagram is larger than the path MTU, and __ip_make_skb chains them as the
  // first one's frag_list: ip_do_fragment takes its fast path with them
  const pmtu = rt.mtuLocked ? undefined : net.pmtu.get(p.daddr);
  const mtu = pmtu && pmtu < rt.mtu() ? pmtu : rt.mtu();
  if (IPV4_HLEN + l4len > mtu) {
    const piece = (mtu - IPV4_HLEN) & ~7;
    const sizes: number[] = [];
    for (let done = 0; done < l4len; done += piece) sizes.push(Math.min(piece, l4len - done));
    if (piece >= 8) {
      skb.cb.fragList = sizes;
      skb.cb.fragLocal = true;
    }
  }
  return skb;
}
