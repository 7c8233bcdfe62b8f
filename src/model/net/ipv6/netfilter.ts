// NF_HOOK for NFPROTO_IPV6 (include/linux/netfilter.h, v6.12): the IPv6 stack's five hooks run
// the same nf_hook_slow as IPv4's, on the IPv6 hook lists (ip6 and inet base chains). The
// devices are the ones each call site of the kernel passes: the input device on PRE_ROUTING,
// LOCAL_IN and FORWARD, the route's device on FORWARD, LOCAL_OUT and POST_ROUTING.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import { nf_hook_pf } from '../netfilter/core';

/** Returns what nf_hook returns: 1 when the packet went on to `okfn`, else 0 or -errno (-EPERM for a drop). */
export function nf_hook6(net: Net, hook: NfHookName, skb: SkBuff, next: string, okfn: () => void): number {
  const input = hook === 'NF_INET_PRE_ROUTING' || hook === 'NF_INET_LOCAL_IN' || hook === 'NF_INET_FORWARD';
  const output = hook === 'NF_INET_FORWARD' || hook === 'NF_INET_LOCAL_OUT' || hook === 'NF_INET_POST_ROUTING';
  const indev = input ? skb.dev : null;
  const outdev = output ? (skb.dst?.dev ?? skb.dev) : null;
  return nf_hook_pf(net, 'ipv6', hook, skb, indev, outdev, next, okfn);
}
