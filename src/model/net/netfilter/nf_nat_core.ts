// NAT's packet rewrite (net/netfilter/nf_nat_core.c nf_nat_packet, v6.12): every packet of a
// NATed connection is rewritten from the connection's tuples, the original direction towards the
// binding, the reply direction back. The binding helpers are in nf_nat.ts.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { NfEngine } from './engine';
import { numToIp } from '../../proto/addr';
import { IPPROTO_TCP, IPPROTO_UDP, PROTO_NAMES, readIp } from '../../proto/ipv4';
import { pktinfo } from './nf_pktinfo';
import { pktTuple, type NfConn } from './nf_conntrack';
import { manipPkt, natTarget, NAT_FILE, NAT_PROTO_FILE, type ManipType } from './nf_nat';
import { NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC } from './netfilter_ipv4';

/** nf_nat_packet: rewrite the packet as the binding says for its direction. */
export function nf_nat_packet(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, ct: NfConn, reply: boolean, m: ManipType): void {
  const target = natTarget(ct, m, reply);
  if (!target) return;
  const iph = readIp(skb.buf, skb.network_header);
  const cur = pktTuple(pktinfo(skb, hook, null, null));
  const from = m === 'SRC' ? endpoint(iph.protocol, iph.saddr, cur?.sport) : endpoint(iph.protocol, iph.daddr, cur?.dport);
  const to = m === 'SRC' ? endpoint(iph.protocol, target.src, target.sport) : endpoint(iph.protocol, target.dst, target.dport);
  net.call('nf_nat_packet', () => {
    net.step(skb, 'L3', 'nf_nat_packet', NAT_FILE, `${m === 'SRC' ? 'Source' : 'Destination'} NAT of ${reply ? 'a reply' : 'an original-direction'} packet of connection #${ct.id}: before the rewrite, the ${m === 'SRC' ? 'source' : 'destination'} is ${from}.`, { hook: nf.ctx(hook, m === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC, 'NF_ACCEPT', 'nat') });
    manipPkt(skb, skb.network_header, target, m);
    net.step(skb, 'L3', 'nf_nat_ipv4_manip_pkt', NAT_PROTO_FILE, `After the rewrite the ${m === 'SRC' ? 'source' : 'destination'} is ${to}; the IP header checksum${iph.protocol === IPPROTO_TCP || iph.protocol === IPPROTO_UDP ? ` and the ${PROTO_NAMES[iph.protocol]} checksum (pseudo header and port)` : ''} are updated incrementally.`, { hook: nf.ctx(hook, m === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC, 'NF_ACCEPT', 'nat') });
  });
}

function endpoint(proto: number, a: number, port: number | undefined): string {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP ? `${numToIp(a)}:${port}` : numToIp(a);
}
