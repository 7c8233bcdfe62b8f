// Conntrack's defragmentation hook (net/ipv4/netfilter/nf_defrag_ipv4.c, v6.12): conntrack
// needs whole datagrams, so at PRE_ROUTING and LOCAL_OUT a fragment is queued for reassembly
// before any rule or conntrack sees it.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { HookResult } from './core';
import type { NfEngine } from './engine';
import { IP_MF, IP_OFFSET, readIp } from '../../proto/ipv4';
import { ip_defrag } from '../ipv4/ip_fragment';
import { NF_IP_PRI_CONNTRACK_DEFRAG } from './netfilter_ipv4';

export function ipv4_conntrack_defrag(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff): { verdict: HookResult['verdict'] } {
  const call = net.enter('ipv4_conntrack_defrag');
  try {
    const iph = readIp(skb.buf, skb.network_header);
    if ((iph.fragOff & (IP_MF | IP_OFFSET)) === 0) {
      net.step(skb, 'L3', 'ipv4_conntrack_defrag', 'net/ipv4/netfilter/nf_defrag_ipv4.c', net.full ? `Conntrack defrag (${NF_IP_PRI_CONNTRACK_DEFRAG}): not a fragment, nothing to do.` : '', { hook: nf.ctx(hook, NF_IP_PRI_CONNTRACK_DEFRAG, 'NF_ACCEPT') });
      return { verdict: 'NF_ACCEPT' };
    }
    net.step(skb, 'L3', 'ipv4_conntrack_defrag', 'net/ipv4/netfilter/nf_defrag_ipv4.c', 'Conntrack needs whole datagrams: the fragment goes to ip_defrag (IP_DEFRAG_CONNTRACK_IN) before any rule sees it.', { hook: { hook, family: 'ip', priority: NF_IP_PRI_CONNTRACK_DEFRAG } });
    const whole = ip_defrag(net, skb, hook === 'NF_INET_PRE_ROUTING' ? 'IP_DEFRAG_CONNTRACK_IN' : 'IP_DEFRAG_CONNTRACK_OUT');
    if (!whole) return { verdict: 'NF_STOLEN' };
    // the kernel reassembles into the skb that completed the datagram (skb_morph): so does the model
    morph(skb, whole);
    net.step(skb, 'L3', 'ipv4_conntrack_defrag', 'net/ipv4/netfilter/nf_defrag_ipv4.c', 'The datagram is whole again and continues through the hook.', { hook: nf.ctx(hook, NF_IP_PRI_CONNTRACK_DEFRAG, 'NF_ACCEPT') });
    return { verdict: 'NF_ACCEPT' };
  } finally {
    net.leave(call);
  }
}

/** skb_morph-like: `skb` becomes the reassembled datagram `whole` (nf_defrag_ipv6 reassembles into the completing skb too). */
export function morph(skb: SkBuff, whole: SkBuff): void {
  skb.buf = whole.buf;
  skb.data = whole.data;
  skb.tail = whole.tail;
  skb.end = whole.end;
  skb.len = whole.len;
  skb.network_header = whole.network_header;
  skb.transport_header = whole.transport_header;
  skb.ip_summed = whole.ip_summed;
  skb.cb = whole.cb;
  // the fragments inet_frag_reasm_finish chained on the frag_list, freed when this skb's data
  // is. When this skb (the completing fragment) is chained there, it is inet_frag_reasm_prepare's
  // clone of it that is: a copy with the fragment's packet, not the datagram this skb becomes
  const list = whole.shinfo?.frag_list;
  const at = list?.findIndex((f) => f.skb === skb) ?? -1;
  if (list && at >= 0) list[at] = { ...list[at], skb: skb.copy(skb.pkt) };
  skb.shinfo = whole.shinfo;
  skb.pkt = whole.pkt;
  skb.gen++;
}
