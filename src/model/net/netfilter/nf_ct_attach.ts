// nf_ct_attach (net/netfilter/core.c → nf_conntrack_attach in nf_conntrack_core.c): a packet the
// stack makes in answer to another one — an ICMP error (icmp_glue_bits), a REJECT's RST —
// carries the connection of the packet it answers, in the other direction, so conntrack sees
// it as RELATED without a lookup.
import type { SkBuff } from '../core/skbuff';

export function nf_ct_attach(nskb: SkBuff, skb: SkBuff): void {
  if (!skb.nfct) return;
  // an untracked packet (ctinfo IP_CT_UNTRACKED, 7, counts as the reply direction) gives its
  // answer IP_CT_RELATED with no entry: a notrack rule then leaves it alone (it carries a
  // ctinfo), conntrack finds no flow for it, and state matches read it as invalid
  if (!skb.nfct.id) {
    if (skb.nfct.state === 'IP_CT_UNTRACKED') nskb.nfct = { state: 'IP_CT_RELATED', id: 0 };
    return;
  }
  const reply = skb.nfct.state.endsWith('_REPLY');
  nskb.nfct = { state: reply ? 'IP_CT_RELATED' : 'IP_CT_RELATED_REPLY', id: skb.nfct.id };
}
