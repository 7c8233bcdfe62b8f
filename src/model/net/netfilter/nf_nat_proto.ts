// NAT's IPv4 hook functions (net/netfilter/nf_nat_proto.c, v6.12): nf_nat_ipv4_pre_routing,
// _out, _local_fn and _local_in all run nf_nat_ipv4_fn, which hands an ICMP error about a NATed
// connection to nf_nat_icmp_reply_translation and everything else to nf_nat_inet_fn
// (nf_nat_core.c): the nat chains for a connection's first packet, then nf_nat_packet.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { HookResult, NfProto } from './core';
import { pktinfo6 } from './nf_pktinfo_ipv6';
import type { NfEngine } from './engine';
import { numToIp } from '../../proto/addr';
import { IPPROTO_ICMP, readIp } from '../../proto/ipv4';
import { ip_route_me_harder } from '../ipv4/netfilter';
import { pktinfo } from './nf_pktinfo';
import { nft_do_chain, type ChainResult } from './nf_tables';
import { invertTuple, IPS_DST_NAT, IPS_DST_NAT_DONE, IPS_SRC_NAT, IPS_SRC_NAT_DONE, type NfConn } from './nf_conntrack';
import { ICMP_REDIRECT } from '../../proto/icmp';
import { hook2manip, icmpRecsum, manipPkt, natInitialized, natTarget, nf_nat_null_binding, NAT_FILE, NAT_PROTO_FILE, type ManipType } from './nf_nat';
import { nf_nat_packet } from './nf_nat_core';
import { NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC } from './netfilter_ipv4';

export function nf_nat_ipv4_fn(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): HookResult {
  const fn = { NF_INET_PRE_ROUTING: 'nf_nat_ipv4_pre_routing', NF_INET_POST_ROUTING: 'nf_nat_ipv4_out', NF_INET_LOCAL_OUT: 'nf_nat_ipv4_local_fn', NF_INET_LOCAL_IN: 'nf_nat_ipv4_local_in', NF_INET_FORWARD: '' }[hook];
  return nf_nat_hook_fn(nf, net, hook, skb, 'ipv4', fn, ({ m, ct, ctinfo, reply, say }): HookResult => {
    const daddr0 = readIp(skb.buf, skb.network_header).daddr;
    if ((ctinfo === 'IP_CT_RELATED' || ctinfo === 'IP_CT_RELATED_REPLY') && readIp(skb.buf, skb.network_header).protocol === IPPROTO_ICMP) {
      return { verdict: nf_nat_icmp_reply_translation(net, hook, skb, ct, reply, m, say) };
    }
    const r = nf_nat_inet_fn(nf, net, hook, skb, indev, outdev, 'ipv4', ct, say);
    if (r.verdict !== 'NF_ACCEPT') return r;
    const daddr1 = readIp(skb.buf, skb.network_header).daddr;
    if (daddr1 !== daddr0) {
      if (hook === 'NF_INET_LOCAL_OUT') {
        if (!ip_route_me_harder(net, skb, hook, 'NAT changed the destination')) return { verdict: 'NF_DROP' };
      } else if (hook === 'NF_INET_PRE_ROUTING' && skb.dst) {
        skb.dst = null;
      }
    }
    return { verdict: 'NF_ACCEPT' };
  });
}

export type NatSay = (f: string, file: string, what: string, verdict?: string) => void;

/** What the shared prologue hands a family's NAT hook body. */
export interface NatHookState {
  m: ManipType;
  ct: NfConn;
  ctinfo: string;
  reply: boolean;
  say: NatSay;
}

/**
 * The prologue nf_nat_ipv4_fn and nf_nat_ipv6_fn share (nf_nat_proto.c): the hook decides the
 * manipulation (HOOK2MANIP) and the priority it runs at; a packet without a conntrack entry has
 * nothing to translate. The family's body gets the entry, its ctinfo and direction.
 */
export function nf_nat_hook_fn(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, pf: NfProto, fn: string, body: (s: NatHookState) => HookResult): HookResult {
  const m = hook2manip(hook);
  const prio = m === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC;
  return net.call(fn, (): HookResult => {
    const say: NatSay = (f, file, what, verdict = 'NF_ACCEPT') => net.step(skb, 'L3', f, file, what, { hook: nf.ctx(hook, prio, verdict, 'nat', pf) });
    const ct = nf.ctOf(skb);
    if (!ct) {
      say(pf === 'ipv6' ? 'nf_nat_ipv6_fn' : 'nf_nat_ipv4_fn', NAT_PROTO_FILE, `${pf === 'ipv6' ? 'NAT66' : 'NAT'} (${m === 'DST' ? 'destination' : 'source'}, priority ${prio}): the packet has no conntrack entry, so there is nothing to translate.`);
      return { verdict: 'NF_ACCEPT' };
    }
    const ctinfo = skb.nfct!.state;
    return body({ m, ct, ctinfo, reply: ctinfo.endsWith('_REPLY'), say });
  });
}

/**
 * nf_nat_inet_fn (nf_nat_core.c): for a connection's first packet (NEW or RELATED) without a
 * binding for this hook's manipulation, run the nat chains of the hook's family (an inet chain
 * is on both), a null binding when none chose; then nf_nat_packet. Both families' hook
 * functions call it.
 */
export function nf_nat_inet_fn(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, pf: NfProto, ct: NfConn, say: NatSay): HookResult {
  const m = hook2manip(hook);
  const prio = m === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC;
  const ctinfo = skb.nfct!.state;
  const reply = ctinfo.endsWith('_REPLY');
  const call = net.enter('nf_nat_inet_fn');
  try {
      if (ctinfo === 'IP_CT_NEW' || ctinfo === 'IP_CT_RELATED' || ctinfo === 'IP_CT_RELATED_REPLY') {
        if (!natInitialized(ct, m)) {
          const chains = nf.natChains(hook, pf);
          say('nf_nat_inet_fn', NAT_FILE, `NAT (${m === 'DST' ? 'destination' : 'source'}, priority ${prio}): connection #${ct.id} has no ${m} binding yet, so the nat chains of this hook run${chains.length ? `: ${chains.map((c) => `${c.table.family} ${c.table.name} ${c.name} (priority ${c.base!.priority})`).join(', ')}` : ' (there are none)'}.`);
          for (const c of chains) {
            const r: ChainResult = net.call('nft_nat_do_chain', () => {
              net.step(skb, 'L3', 'nft_nat_do_chain', 'net/netfilter/nft_chain_nat.c', net.full ? `Nat chain ${c.table.family} ${c.table.name} ${c.name} (type nat hook ${c.base!.hook} priority ${c.base!.priority}${c.table.owner ? '; made by iptables-nft' : ''}): ${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}.` : '', { hook: { hook, family: c.table.family, table: c.table.name, chain: c.name, priority: c.base!.priority } });
              return nft_do_chain(nf, net, c, (pf === 'ipv6' ? pktinfo6 : pktinfo)(skb, hook, indev, outdev), nf.traced);
            });
            if (r.verdict !== 'NF_ACCEPT') return { verdict: r.verdict, ...(r.err !== undefined && { err: r.err }) };
            if (natInitialized(ct, m)) break;
          }
          if (!natInitialized(ct, m)) {
            nf_nat_null_binding(ct, m);
            say('nf_nat_alloc_null_binding', NAT_FILE, `No nat rule chose a ${m === 'SRC' ? 'source' : 'destination'} for connection #${ct.id}: it gets a null binding (its addresses stay as they are, and later packets skip the nat chains).`);
          }
        } else {
          say('nf_nat_inet_fn', NAT_FILE, `NAT: connection #${ct.id} already has its ${m} binding; the nat chains are not run again.`);
        }
      } else {
        say('nf_nat_inet_fn', NAT_FILE, `NAT (${m === 'DST' ? 'destination' : 'source'}, priority ${prio}): a packet of the established connection #${ct.id} (${ctinfo}) follows the binding made by the first packet; no nat chain runs.`);
      }
      nf_nat_packet(nf, net, hook, skb, ct, reply, m, pf);
      return { verdict: 'NF_ACCEPT' };
  } finally {
    net.leave(call);
  }
}

/** nf_nat_icmp_reply_translation: an ICMP error about a NATed connection: fix the quoted packet, then the outer header. */
export function nf_nat_icmp_reply_translation(net: Net, hook: NfHookName, skb: SkBuff, ct: NfConn, reply: boolean, m: ManipType, say: (f: string, file: string, what: string, v?: string) => void): HookResult['verdict'] {
  const call = net.enter('nf_nat_icmp_reply_translation');
  try {
    const icmpType = skb.buf[skb.network_header + readIp(skb.buf, skb.network_header).ihl * 4];
    // A redirect would send its receiver straight to a host NAT hides or renames: the kernel
    // drops it unless the connection's NAT is settled in both directions and null. A forwarded
    // packet's redirect leaves (ip_forward → ip_rt_send_redirect) before POSTROUTING has made
    // the source binding, so any connection whose first packet is redirected is not settled yet.
    const done = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE;
    if (icmpType === ICMP_REDIRECT && ((ct.status & done) !== done || (ct.status & (IPS_SRC_NAT | IPS_DST_NAT)) !== 0)) {
      const why = (ct.status & (IPS_SRC_NAT | IPS_DST_NAT)) !== 0 ? `has a ${ct.status & IPS_DST_NAT ? 'destination' : 'source'} translation` : `has no ${ct.status & IPS_SRC_NAT_DONE ? 'destination' : 'source'} binding yet`;
      say('nf_nat_icmp_reply_translation', NAT_PROTO_FILE, `An ICMP redirect related to connection #${ct.id}, which ${why}: NAT drops it (a redirect is let through only for a connection whose NAT is done in both directions and null), so the hosts do not start talking to each other past the translation.`, 'NF_DROP');
      return 'NF_DROP';
    }
    const other = ct.tuple[reply ? 0 : 1];
    const bit = natTarget(ct, m, reply);
    if (!bit) {
      say('nf_nat_icmp_reply_translation', NAT_PROTO_FILE, `An ICMP error related to connection #${ct.id}: no ${m} translation applies in this direction.`);
      return 'NF_ACCEPT';
    }
    const iph = readIp(skb.buf, skb.network_header);
    const icmpOff = skb.network_header + iph.ihl * 4;
    say('nf_nat_icmp_reply_translation', NAT_PROTO_FILE, `An ICMP error related to connection #${ct.id}: before the rewrite, it quotes a packet ${numToIp(readIp(skb.buf, icmpOff + 8).saddr)} → ${numToIp(readIp(skb.buf, icmpOff + 8).daddr)} and goes ${numToIp(iph.saddr)} → ${numToIp(iph.daddr)}.`);
    manipPkt(skb, icmpOff + 8, other, m === 'SRC' ? 'DST' : 'SRC');
    icmpRecsum(skb, icmpOff);
    const outer = invertTuple(other);
    manipPkt(skb, skb.network_header, { ...outer, proto: IPPROTO_ICMP }, m);
    const n = readIp(skb.buf, skb.network_header);
    say('nf_nat_icmp_reply_translation', NAT_PROTO_FILE, `After the rewrite the quoted packet is ${numToIp(readIp(skb.buf, icmpOff + 8).saddr)} → ${numToIp(readIp(skb.buf, icmpOff + 8).daddr)} (as its sender knows it) and the error goes ${numToIp(n.saddr)} → ${numToIp(n.daddr)}; the checksums are redone.`);
    if (hook === 'NF_INET_LOCAL_OUT' && n.daddr !== iph.daddr && !ip_route_me_harder(net, skb, hook, 'NAT changed the destination')) return 'NF_DROP';
    return 'NF_ACCEPT';
  } finally {
    net.leave(call);
  }
}
