// NAT's packet rewrite (net/netfilter/nf_nat_core.c nf_nat_packet, v6.12): every packet of a
// NATed connection is rewritten from the connection's tuples, the original direction towards the
// binding, the reply direction back. The binding helpers are in nf_nat.ts.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { NfEngine } from './engine';
import type { NfProto } from './core';
import { formatInetAddr, type InetAddr } from '../../proto/inet_addr';
import { IPPROTO_TCP, IPPROTO_UDP, PROTO_NAMES } from '../../proto/ipv4';
import { pktinfo } from './nf_pktinfo';
import { pktinfo6 } from './nf_pktinfo_ipv6';
import { pktAddrs, pktTuple, type NfConn } from './nf_conntrack';
import { manipPkt, natTarget, NAT_FILE, NAT_PROTO_FILE, type ManipType } from './nf_nat';
import { nf_nat_ipv6_manip_pkt } from './nf_nat_manip_ipv6';
import { NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC } from './netfilter_ipv4';

/** nf_nat_packet: rewrite the packet as the binding says for its direction (nf_nat_manip_pkt picks the family's rewrite). */
export function nf_nat_packet(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, ct: NfConn, reply: boolean, m: ManipType, pf: NfProto = 'ipv4'): void {
  const target = natTarget(ct, m, reply);
  if (!target) return;
  const v6 = pf === 'ipv6';
  const p = (v6 ? pktinfo6 : pktinfo)(skb, hook, null, null);
  const cur = pktTuple(p);
  const a = pktAddrs(p);
  const proto = p.l4proto;
  const from = m === 'SRC' ? endpoint(proto, a.src, cur?.sport) : endpoint(proto, a.dst, cur?.dport);
  const to = m === 'SRC' ? endpoint(proto, target.src, target.sport) : endpoint(proto, target.dst, target.dport);
  const ctx = (): ReturnType<NfEngine['ctx']> => nf.ctx(hook, m === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC, 'NF_ACCEPT', 'nat', pf);
  const call = net.enter('nf_nat_packet');
  try {
    net.step(skb, 'L3', 'nf_nat_packet', NAT_FILE, net.full ? `${m === 'SRC' ? 'Source' : 'Destination'} NAT of ${reply ? 'a reply' : 'an original-direction'} packet of connection #${ct.id}: before the rewrite, the ${m === 'SRC' ? 'source' : 'destination'} is ${from}.` : '', { hook: ctx() });
    if (v6) {
      nf_nat_ipv6_manip_pkt(skb, skb.network_header, target, m);
      net.step(skb, 'L3', 'nf_nat_ipv6_manip_pkt', NAT_PROTO_FILE, net.full ? `After the rewrite the ${m === 'SRC' ? 'source' : 'destination'} is ${to}; IPv6 has no header checksum, and the ${proto === IPPROTO_TCP || proto === IPPROTO_UDP ? `${PROTO_NAMES[proto]} checksum (pseudo-header address and port)` : proto === 58 ? 'ICMPv6 checksum (pseudo-header address, and the echo id)' : 'transport header'} is updated incrementally.` : '', { hook: ctx() });
      return;
    }
    manipPkt(skb, skb.network_header, target, m);
    net.step(skb, 'L3', 'nf_nat_ipv4_manip_pkt', NAT_PROTO_FILE, net.full ? `After the rewrite the ${m === 'SRC' ? 'source' : 'destination'} is ${to}; the IP header checksum${proto === IPPROTO_TCP || proto === IPPROTO_UDP ? ` and the ${PROTO_NAMES[proto]} checksum (pseudo header and port)` : ''} are updated incrementally.` : '', { hook: ctx() });
  } finally {
    net.leave(call);
  }
}

function endpoint(proto: number, a: InetAddr, port: number | undefined): string {
  const s = formatInetAddr(a);
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return s;
  return a.family === 'ipv6' ? `[${s}]:${port}` : `${s}:${port}`;
}
