// NAT's IPv6 hook functions (net/netfilter/nf_nat_proto.c, v6.12): nf_nat_ipv6_in, _out,
// _local_fn and _local_in all run nf_nat_ipv6_fn, which hands an ICMPv6 error about a NATed
// connection to nf_nat_icmpv6_reply_translation and everything else to the shared
// nf_nat_inet_fn (nf_nat_proto.ts). Registered at the same priorities as IPv4's
// (NF_IP6_PRI_NAT_DST -100, NF_IP6_PRI_NAT_SRC 100) while an ip6 or inet nat chain exists.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { HookResult } from './core';
import type { NfEngine } from './engine';
import { ip6_route_me_harder } from '../ipv6/netfilter';
import { formatIpv6 } from '../../../trace/ipv6';
import { ipv6AddrEqual } from '../../proto/inet_addr';
import { NEXTHDR_ICMP, readIpv6 } from '../../proto/ipv6';
import { findHdr } from './nf_pktinfo_ipv6';
import { natTarget, NAT_PROTO_FILE } from './nf_nat';
import { nf_nat_icmpv6_reply_translation } from './nf_nat_manip_ipv6';
import { nf_nat_hook_fn, nf_nat_inet_fn } from './nf_nat_proto';

const FN: Record<NfHookName, string> = { NF_INET_PRE_ROUTING: 'nf_nat_ipv6_in', NF_INET_POST_ROUTING: 'nf_nat_ipv6_out', NF_INET_LOCAL_OUT: 'nf_nat_ipv6_local_fn', NF_INET_LOCAL_IN: 'nf_nat_ipv6_local_in', NF_INET_FORWARD: '' };

export function nf_nat_ipv6_fn(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): HookResult {
  return nf_nat_hook_fn(nf, net, hook, skb, 'ipv6', FN[hook], ({ m, ct, ctinfo, reply, say }): HookResult => {
    const daddr0 = readIpv6(skb.buf, skb.network_header).daddr;
    if (ctinfo === 'IP_CT_RELATED' || ctinfo === 'IP_CT_RELATED_REPLY') {
      const h = findHdr(skb.buf, skb.network_header, skb.tail);
      if (h.proto === NEXTHDR_ICMP && !h.fragoff) {
        return net.call('nf_nat_icmpv6_reply_translation', (): HookResult => {
          if (!natTarget(ct, m, reply)) {
            say('nf_nat_icmpv6_reply_translation', NAT_PROTO_FILE, `An ICMPv6 error related to connection #${ct.id}: no ${m} translation applies in this direction.`);
            return { verdict: 'NF_ACCEPT' };
          }
          const q = (): string => {
            const o = readIpv6(skb.buf, skb.network_header);
            const i = readIpv6(skb.buf, h.thoff + 8);
            return `it quotes a packet ${formatIpv6(i.saddr)} → ${formatIpv6(i.daddr)} and goes ${formatIpv6(o.saddr)} → ${formatIpv6(o.daddr)}`;
          };
          say('nf_nat_icmpv6_reply_translation', NAT_PROTO_FILE, `An ICMPv6 error related to connection #${ct.id}: before the rewrite, ${q()}.`);
          if (!nf_nat_icmpv6_reply_translation(skb, ct, reply, m, h.thoff)) {
            say('nf_nat_icmpv6_reply_translation', NAT_PROTO_FILE, 'The quoted packet is too short to translate: NF_DROP.', 'NF_DROP');
            return { verdict: 'NF_DROP' };
          }
          say('nf_nat_icmpv6_reply_translation', NAT_PROTO_FILE, `After the rewrite ${q()} (the quote as its sender knows it); the ICMPv6 checksum is recomputed over the pseudo-header.`);
          return afterNat(net, hook, skb, daddr0);
        });
      }
    }
    const r = nf_nat_inet_fn(nf, net, hook, skb, indev, outdev, 'ipv6', ct, say);
    if (r.verdict !== 'NF_ACCEPT') return r;
    return afterNat(net, hook, skb, daddr0);
  });
}

/**
 * What nf_nat_ipv6_in and nf_nat_ipv6_local_fn do after a rewrite of the destination: drop the
 * route so ip6_rcv_finish routes the new destination, or route a local packet again
 * (nf_ip6_route_me_harder; its error is the verdict NF_DROP_ERR carries).
 */
function afterNat(net: Net, hook: NfHookName, skb: SkBuff, daddr0: Uint8Array): HookResult {
  const daddr1 = readIpv6(skb.buf, skb.network_header).daddr;
  if (ipv6AddrEqual(daddr0, daddr1)) return { verdict: 'NF_ACCEPT' };
  if (hook === 'NF_INET_PRE_ROUTING') skb.dst = null;
  else if (hook === 'NF_INET_LOCAL_OUT') {
    const err = ip6_route_me_harder(net, skb, hook, 'NAT changed the destination');
    if (err) return { verdict: 'NF_DROP', err };
  }
  return { verdict: 'NF_ACCEPT' };
}
