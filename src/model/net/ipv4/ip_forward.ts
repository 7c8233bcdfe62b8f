// net/ipv4/ip_forward.c: forwarding a packet that is not for this host. In v6.12 the TTL check
// comes first, then ForwDatagrams is counted, then the MTU/DF check, then the TTL is lowered —
// and only then does the FORWARD hook run, so a FORWARD rule sees the lowered TTL.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import { IPSKB_DOREDIRECT, IPSKB_FORWARDED } from '../core/skbuff';
import { numToIp, rd16, rd32 } from '../../proto/addr';
import { IP_DF, ipDecreaseTtl, ipSendCheck } from '../../proto/ipv4';
import { ICMP_DEST_UNREACH, ICMP_EXC_TTL, ICMP_FRAG_NEEDED, ICMP_TIME_EXCEEDED } from '../../proto/icmp';
import { icmp_send, ip_rt_send_redirect } from './icmp';
import { nf_hook_ipv4 } from '../netfilter/core';
import { dst_output } from './ip_output';
import { skb_gso_validate_network_len, skb_is_gso } from './tcp_offload';
import type { DstInput } from './route_types';
import { ip_forward_options } from './ip_options';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IpForwDatagrams = snmpId('IpForwDatagrams');
const SNMP_IpFragFails = snmpId('IpFragFails');
const SNMP_IpInHdrErrors = snmpId('IpInHdrErrors');

const FILE = 'net/ipv4/ip_forward.c';

/** made only for a full trace (see `net.full`) */
/** `segs`: the GSO segments of a GSO packet over the MTU, else -1 */
function forwardWhat(saddr: number, daddr: number, mtu: number, ttl: number, segs: number): string {
  return `Forwarding ${numToIp(saddr)} → ${numToIp(daddr)} (IpForwDatagrams): ${segs >= 0 ? `each of its ${segs} GSO segments fits the MTU ${mtu}` : `the size fits the MTU ${mtu}`}, and ip_decrease_ttl lowers the TTL to ${ttl}, updating the header checksum incrementally.`;
}

export function ip_forward(net: Net, skb: SkBuff): void {
  const call = net.enter('ip_forward');
  try {
    if (skb.pkt_type !== 'PACKET_HOST') {
      net.drop(skb, 'L3', 'ip_forward', FILE, 'NOT_SPECIFIED', net.full ? `Only unicast frames for this host's MAC are forwarded (pkt_type is ${skb.pkt_type}).` : '');
      return;
    }
    // skb_forward_csum: a checksum computed over the received packet is no longer valid after the TTL changes.
    if (skb.ip_summed === 'CHECKSUM_COMPLETE') skb.ip_summed = 'CHECKSUM_NONE';
    const off = skb.network_header;
    // fields read in place, not as a header object (readIp): this runs for every forwarded packet
    const b = skb.buf;
    const inTtl = b[off + 8];
    if (inTtl <= 1) {
      net.count(SNMP_IpInHdrErrors);
      net.step(skb, 'L3', 'ip_forward', FILE, net.full ? `The TTL is ${inTtl}: forwarding would bring it to 0, so the packet dies here (IpInHdrErrors) and the sender gets ICMP time exceeded.` : '');
      icmp_send(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
      net.drop(skb, 'L3', 'ip_forward', FILE, 'IP_INHDR', 'The packet whose TTL ran out is freed.');
      return;
    }
    const rt = skb.dst!;
    net.count(SNMP_IpForwDatagrams);
    skb.cb.ipFlags = (skb.cb.ipFlags ?? 0) | IPSKB_FORWARDED;
    const mtu = rt.mtu();
    const df = (rd16(b, off + 6) & IP_DF) !== 0;
    const fragMax = skb.cb.fragMaxSize ?? 0;
    // ip_exceeds_mtu: a GSO packet (TSO from a veth peer) is too big only when its segments are
    // (skb_gso_validate_network_len), not because its total length is
    if (skb.len > mtu && df && !(skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu))) {
      net.count(SNMP_IpFragFails);
      net.step(skb, 'L3', 'ip_forward', FILE, net.full ? `The packet (${skb.len} bytes) is larger than the MTU ${mtu} of ${rt.dev.name} and has DF set, so it cannot be fragmented: IpFragFails, and the sender gets ICMP fragmentation needed with mtu ${mtu}.` : '');
      icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
      net.drop(skb, 'L3', 'ip_forward', FILE, 'PKT_TOO_BIG', 'The packet that is too big is freed.');
      return;
    }
    if (fragMax > mtu && df) {
      net.count(SNMP_IpFragFails);
      icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
      net.drop(skb, 'L3', 'ip_forward', FILE, 'PKT_TOO_BIG', net.full ? `A fragment of this reassembled datagram was larger (${fragMax}) than the MTU ${mtu}.` : '');
      return;
    }
    // skb_cow: room for the outgoing device's link-layer header.
    const need = rt.dev.llReservedSpace();
    if (skb.headroom() < need) skb.expandHead(need - skb.headroom());
    const ttl = ipDecreaseTtl(skb.w(), off);
    net.step(skb, 'L3', 'ip_forward', FILE, net.full ? net.say(forwardWhat, rd32(skb.buf, off + 12), rd32(skb.buf, off + 16), mtu, ttl, skb_is_gso(skb) && skb.len > mtu ? skb.gso_segs : -1) : '');
    if ((skb.cb.ipFlags ?? 0) & IPSKB_DOREDIRECT) ip_rt_send_redirect(net, skb);
    // NF_HOOK with its okfn called here: a closure would cost ip_forward a context at every packet
    if (nf_hook_ipv4(net, 'NF_INET_FORWARD', skb, skb.dev, rt.dev) === 1) ip_forward_finish(net, skb);
  } finally {
    net.leave(call);
  }
}

function ip_forward_finish(net: Net, skb: SkBuff): void {
  const call = net.enter('ip_forward_finish');
  try {
    net.step(skb, 'L3', 'ip_forward_finish', FILE, 'The FORWARD hook let the packet through; it goes to dst_output like any outgoing packet.');
    if (ip_forward_options(skb)) {
      ipSendCheck(skb.w(), skb.network_header);
      net.step(skb, 'L3', 'ip_forward_options', 'net/ipv4/ip_options.c', 'ip_options_compile had rewritten bytes of the IP options (is_changed): the header checksum is computed afresh (ip_send_check).');
    }
    dst_output(net, skb);
  } finally {
    net.leave(call);
  }
}

export const IP_FORWARD: DstInput = { name: 'ip_forward', fn: ip_forward };
