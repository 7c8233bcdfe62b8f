// Conntrack's IPv6 defragmentation hook (net/ipv6/netfilter/nf_defrag_ipv6_hooks.c,
// nf_conntrack_reasm.c, v6.12): registered at NF_IP6_PRI_CONNTRACK_DEFRAG (-400) on PRE_ROUTING
// and LOCAL_OUT with IPv6 conntrack, it queues every fragment (ipv6_defrag → nf_ct_frag6_gather)
// so that conntrack and the rules see whole datagrams. The model has not got nf_ct_frag6_gather
// yet: a fragment reaching this hook stops the run as not modelled rather than pass untracked.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { HookResult } from './core';
import type { NfEngine } from './engine';
import { NotModelled } from '../../sim/not_modelled';
import { findHdr } from './nf_pktinfo_ipv6';
import { NF_IP_PRI_CONNTRACK_DEFRAG } from './netfilter_ipv4';

const FILE = 'net/ipv6/netfilter/nf_defrag_ipv6_hooks.c';

export function ipv6_defrag(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff): { verdict: HookResult['verdict'] } {
  return net.call('ipv6_defrag', () => {
    if (findHdr(skb.buf, skb.network_header, skb.tail).frag) throw new NotModelled('an IPv6 fragment with IPv6 conntrack on: nf_defrag_ipv6 (nf_ct_frag6_gather) is not modelled');
    net.step(skb, 'L3', 'ipv6_defrag', FILE, `Conntrack defrag (${NF_IP_PRI_CONNTRACK_DEFRAG}): no fragment header, nothing to do.`, { hook: nf.ctx(hook, NF_IP_PRI_CONNTRACK_DEFRAG, 'NF_ACCEPT', undefined, 'ipv6') });
    return { verdict: 'NF_ACCEPT' };
  });
}
