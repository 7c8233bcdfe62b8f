// NF_HOOK for NFPROTO_IPV6 (include/linux/netfilter.h, v6.12): the IPv6 stack's five hooks run
// the same nf_hook_slow as IPv4's, on the IPv6 hook lists (ip6 and inet base chains). The
// devices are the ones each call site of the kernel passes: the input device on PRE_ROUTING,
// LOCAL_IN and FORWARD, the route's device on FORWARD, LOCAL_OUT and POST_ROUTING.
// ip6_route_me_harder (net/ipv6/netfilter.c) routes again a locally sent packet a hook changed.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import { nf_hook_pf } from '../netfilter/core';
import { readIpv6, isV6LinkLocal, isV6Multicast } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { ip6_route_output_dst } from './route';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6OutNoRoutes = snmpId('Ip6OutNoRoutes');

/** Returns what nf_hook returns: 1 when the packet went on to `okfn`, else 0 or -errno (-EPERM for a drop). */
export function nf_hook6(net: Net, hook: NfHookName, skb: SkBuff, next: string, okfn: () => void): number {
  const input = hook === 'NF_INET_PRE_ROUTING' || hook === 'NF_INET_LOCAL_IN' || hook === 'NF_INET_FORWARD';
  const output = hook === 'NF_INET_FORWARD' || hook === 'NF_INET_LOCAL_OUT' || hook === 'NF_INET_POST_ROUTING';
  const indev = input ? skb.dev : null;
  const outdev = output ? (skb.dst?.dev ?? skb.dev) : null;
  return nf_hook_pf(net, 'ipv6', hook, skb, indev, outdev, next, okfn);
}

/**
 * ip6_route_me_harder (v6.12): route a locally sent packet again from its header (daddr, saddr,
 * mark), on the old route's device when the destination is multicast or link-local (strict). An
 * error route counts Ip6OutNoRoutes and the caller drops the packet with its errno
 * (NF_DROP_ERR). Returns 0 or the negative errno.
 */
export function ip6_route_me_harder(net: Net, skb: SkBuff, hook: NfHookName, why: string): number {
  const call = net.enter('ip6_route_me_harder');
  try {
    const ip6h = readIpv6(skb.buf, skb.network_header);
    const strict = isV6Multicast(ip6h.daddr) || isV6LinkLocal(ip6h.daddr);
    const old = skb.dst?.describe(skb.dstDaddr) ?? 'none';
    const rt = ip6_route_output_dst(net, ip6h.daddr, strict ? (skb.dst?.dev ?? undefined) : undefined);
    if (rt.error) {
      net.count(SNMP_Ip6OutNoRoutes);
      net.step(skb, 'L3', 'ip6_route_me_harder', 'net/ipv6/netfilter.c', net.full ? `${why}, so the packet is routed again (mark 0x${skb.mark.toString(16)}): the route to ${formatIpv6(ip6h.daddr)} is an error (${rt.error}), Ip6OutNoRoutes, and the packet is dropped.` : '', { hook: { hook } });
      return rt.error;
    }
    skb.dst = rt;
    if (skb.headroom() < rt.dev.llReservedSpace()) skb.expandHead(rt.dev.llReservedSpace() - skb.headroom());
    net.step(skb, 'L3', 'ip6_route_me_harder', 'net/ipv6/netfilter.c', net.full ? `${why}, so the packet is routed again with daddr ${formatIpv6(ip6h.daddr)} and mark 0x${skb.mark.toString(16)}: the route was "${old}", now "${rt.describe()}".` : '', { hook: { hook } });
    return 0;
  } finally {
    net.leave(call);
  }
}
