// NF_HOOK for NFPROTO_IPV6 (include/linux/netfilter.h, v6.12). The model has no ip6 tables yet:
// a scenario with IPv6 and rules is refused where it is read (src/scenario/build.ts), so every
// IPv6 hook here has no base chain and the kernel's static key skips it.
import { NotModelled } from '../../sim/not_modelled';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';

export function nf_hook6(net: Net, hook: NfHookName, skb: SkBuff, next: string, okfn: () => void): void {
  if (net.nf) throw new NotModelled('IPv6 netfilter (ip6 and inet tables, ip6tables) is not modelled');
  net.step(skb, 'L3', 'NF_HOOK', 'include/linux/netfilter.h', `${hook} (NFPROTO_IPV6): no base chain is registered on this hook, so the packet goes straight on to ${next}.`, { hook: { hook, verdict: 'NF_ACCEPT' } });
  okfn();
}
