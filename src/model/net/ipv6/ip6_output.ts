// net/ipv6/ip6_output.c (v6.12): the way out — __ip6_make_skb for a datagram this host makes,
// ip6_local_out and LOCAL_OUT, ip6_output and POST_ROUTING, ip6_finish_output2 to the
// neighbour (nd_tbl); and ip6_forward: the forwarding sysctl, the hop limit, Packet Too Big
// (routers do not fragment IPv6), the FORWARD hook.
import { NotModelled } from '../../sim/not_modelled';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { DstOutput } from '../ipv4/route_types';
import { allocSkb } from '../core/skbuff';
import { ETH_P_IPV6 } from '../../proto/ethernet';
import { ICMPV6_PKT_TOOBIG, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, IPV6_HLEN, IPV6_MIN_MTU, NEXTHDR_TCP, isV6Multicast, isV6Any, isV6Loopback, isV6LinkLocal, readIpv6, writeIpv6 } from '../../proto/ipv6';
import { wr16 } from '../../proto/addr';
import { formatIpv6 } from '../../../trace/ipv6';
import { neigh_confirm, neigh_output } from '../core/neighbour';
import { NET_XMIT_CN } from '../core/dev';
import { nf_hook6 } from './netfilter';
import { rt6Fns, rt6_nexthop, type Rt6Info } from './route';
import { nd_neigh_for_gw } from './ndisc';
import { icmpv6_send, icmp6_out_count } from './icmp';
import { FRAG_HDR_LEN, ip6_fragment } from './ip6_fragment';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6FragFails = snmpId('Ip6FragFails');
const SNMP_Ip6InAddrErrors = snmpId('Ip6InAddrErrors');
const SNMP_Ip6InHdrErrors = snmpId('Ip6InHdrErrors');
const SNMP_Ip6InTooBigErrors = snmpId('Ip6InTooBigErrors');
const SNMP_Ip6OutDiscards = snmpId('Ip6OutDiscards');
const SNMP_Ip6OutForwDatagrams = snmpId('Ip6OutForwDatagrams');
const SNMP_Ip6OutMcastOctets = snmpId('Ip6OutMcastOctets');
const SNMP_Ip6OutMcastPkts = snmpId('Ip6OutMcastPkts');
const SNMP_Ip6OutOctets = snmpId('Ip6OutOctets');
const SNMP_Ip6OutRequests = snmpId('Ip6OutRequests');
const SNMP_Ip6OutTransmits = snmpId('Ip6OutTransmits');

export const IP6_OUTPUT_FILE = 'net/ipv6/ip6_output.c';
const FILE = IP6_OUTPUT_FILE;
export const ENOBUFS = 105;

export interface Ip6Make {
  saddr: Uint8Array;
  daddr: Uint8Array;
  nexthdr: number;
  hopLimit: number;
  tclass?: number;
  /** the path MTU (ip6_dst_mtu), when the caller has it already */
  mtu?: number;
}

/**
 * ip6_append_data + __ip6_make_skb for a datagram that fits the MTU: the header, the body
 * written by `body`, Ip6OutRequests, and for ICMPv6 its type (ICMP6MSGOUT) and Icmp6OutMsgs.
 */
export function ip6_make_skb(net: Net, rt: Rt6Info, h: Ip6Make, len: number, pkt: number, body: (b: Uint8Array, off: number) => void): SkBuff {
  const skb = allocSkb(rt.dev.llReservedSpace() + IPV6_HLEN, len, pkt);
  const off = skb.put(len);
  body(skb.w(), off);
  skb.push(IPV6_HLEN);
  skb.resetNetworkHeader();
  skb.transport_header = skb.network_header + IPV6_HLEN;
  writeIpv6(skb.w(), skb.data, { tclass: h.tclass ?? 0, flowLabel: 0, payloadLen: len, nexthdr: h.nexthdr, hopLimit: h.hopLimit, saddr: h.saddr, daddr: h.daddr });
  skb.dst = rt;
  skb.protocol = ETH_P_IPV6;
  // __ip6_append_data fills one sk_buff per piece of at most maxfraglen bytes when the datagram is
  // larger than the path MTU, and __ip6_make_skb chains them as the first one's frag_list:
  // ip6_fragment takes its fast path with them (TCP's large segments are cut by GSO instead)
  const mtu = h.nexthdr === NEXTHDR_TCP ? 0 : (h.mtu ?? ip6_dst_mtu(net, rt));
  if (h.nexthdr !== NEXTHDR_TCP && IPV6_HLEN + len > mtu) {
    const piece = ((mtu - IPV6_HLEN) & ~7) - FRAG_HDR_LEN;
    if (piece >= 8) {
      const sizes: number[] = [];
      for (let done = 0; done < len; done += piece) sizes.push(Math.min(piece, len - done));
      skb.cb.fragList = sizes;
      skb.cb.fragLocal = true;
    }
  }
  net.count(SNMP_Ip6OutRequests);
  if (h.nexthdr === 58) icmp6_out_count(net, skb.buf[off]);
  return skb;
}

/** ip6_send_skb → ip6_local_out: a device-layer error counts Ip6OutDiscards and becomes -ENOBUFS. */
export function ip6_send_skb(net: Net, skb: SkBuff): number {
  const call = net.enter('ip6_send_skb');
  try {
    let rc = ip6_local_out(net, skb);
    if (rc > 0) rc = rc === NET_XMIT_CN ? 0 : -ENOBUFS;
    if (rc) net.count(SNMP_Ip6OutDiscards);
    return rc;
  } finally {
    net.leave(call);
  }
}

/** ip6_local_out → __ip6_local_out: payload_len, then LOCAL_OUT and dst_output. */
export function ip6_local_out(net: Net, skb: SkBuff): number {
  return net.call('ip6_local_out', () =>
    net.call('__ip6_local_out', () => {
      wr16(skb.w(), skb.network_header + 4, skb.len - IPV6_HLEN);
      skb.protocol = ETH_P_IPV6;
      const h = readIpv6(skb.buf, skb.network_header);
      net.step(skb, 'L3', '__ip6_local_out', 'net/ipv6/output_core.c', net.full ? `A locally made IPv6 packet ${formatIpv6(h.saddr)} → ${formatIpv6(h.daddr)}: payload_len = ${h.payloadLen}; the LOCAL_OUT hook, then dst_output.` : '');
      let rc = 0;
      const hrc = nf_hook6(net, 'NF_INET_LOCAL_OUT', skb, 'dst_output', () => {
        rc = skb.dst!.output.fn(net, skb);
      });
      return hrc === 1 ? rc : hrc;
    }),
  );
}

/** ip6_output: the outgoing device, then POST_ROUTING and ip6_finish_output. */
export function ip6_output(net: Net, skb: SkBuff): number {
  const call = net.enter('ip6_output');
  try {
    const dev = skb.dst!.dev;
    skb.dev = dev;
    skb.protocol = ETH_P_IPV6;
    net.step(skb, 'L3', 'ip6_output', FILE, net.full ? `The packet will leave on ${dev.name}; the POST_ROUTING hook comes next.` : '');
    let rc = 0;
    const hrc = nf_hook6(net, 'NF_INET_POST_ROUTING', skb, 'ip6_finish_output', () => {
      rc = ip6_finish_output(net, skb);
    });
    return hrc === 1 ? rc : hrc;
  } finally {
    net.leave(call);
  }
}

/**
 * ip6_finish_output → __ip6_finish_output: a packet larger than the MTU, or than the largest
 * fragment it was reassembled from, goes to ip6_fragment; only locally made packets get here
 * too big (ip6_forward refuses those), and their sockets leave ignore_df set.
 */
function ip6_finish_output(net: Net, skb: SkBuff): number {
  return net.call('ip6_finish_output', () =>
    net.call('__ip6_finish_output', () => {
      const rt = skb.dst as Rt6Info;
      const mtu = ip6_dst_mtu(net, rt);
      if (skb.len > mtu || (skb.cb.fragMaxSize && skb.len > skb.cb.fragMaxSize)) return ip6_fragment(net, skb, mtu, true, (f) => ip6_finish_output2(net, f));
      return ip6_finish_output2(net, skb);
    }),
  );
}

/** dst_mtu of an IPv6 output route: a path MTU learnt from Packet Too Big, the route's MTU, or the device's. */
export function ip6_dst_mtu(net: Net, rt: Rt6Info): number {
  const learnt = net.ipv6.pmtu.get(formatIpv6(rt.daddr6));
  const m = rt.pmtu || rt.dev.mtu;
  return learnt && learnt < m ? learnt : m;
}

/** ip6_finish_output2: multicast counters, Ip6OutTransmits, the neighbour of the next hop. */
export function ip6_finish_output2(net: Net, skb: SkBuff): number {
  const call = net.enter('ip6_finish_output2');
  try {
    const rt = skb.dst as Rt6Info;
    const dev = rt.dev;
    const h = readIpv6(skb.buf, skb.network_header);
    if (isV6Multicast(h.daddr)) {
      net.count(SNMP_Ip6OutMcastPkts);
      net.count(SNMP_Ip6OutMcastOctets, skb.len);
    }
    net.count(SNMP_Ip6OutTransmits);
    net.count(SNMP_Ip6OutOctets, skb.len);
    const hh = dev.llReservedSpace();
    if (skb.headroom() < hh) skb.expandHead(hh - skb.headroom());
    const nexthop = rt6_nexthop(rt, h.daddr);
    if (dev.isLoopback) net.step(skb, 'L3', 'ip6_finish_output2', FILE, 'The destination is this host: the packet goes out on lo (Ip6OutTransmits).');
    else net.step(skb, 'L3', 'ip6_finish_output2', FILE, net.full ? `The next hop is ${formatIpv6(nexthop)}${rt.gw6 ? ' (the gateway)' : ' (on-link)'} on ${dev.name}; its nd_tbl entry gives the MAC address (Ip6OutTransmits).` : '');
    const n = nd_neigh_for_gw(net, dev, nexthop);
    // sock_confirm_neigh (include/net/sock.h, v6.12): a packet sent with dst_pending_confirm (TCP
    // after the peer answered, ping with MSG_CONFIRM) confirms the neighbour it goes to, so an
    // entry in NUD_DELAY goes back to NUD_REACHABLE at its timer without a unicast probe
    if (skb.dst_pending_confirm && !dev.isLoopback) {
      const sk = skb.sk as { dstPendingConfirm?: boolean } | null;
      if (sk?.dstPendingConfirm) sk.dstPendingConfirm = false;
      neigh_confirm(net, n);
      net.step(skb, 'L2', 'sock_confirm_neigh', 'include/net/sock.h', net.full ? `The sender asked for its neighbour to be confirmed: ${formatIpv6(nexthop)}'s nd_tbl entry is confirmed now (neigh_confirm), so it stays usable without a probe.` : '');
    }
    return neigh_output(net, n, skb);
  } finally {
    net.leave(call);
  }
}

export const IP6_OUTPUT: DstOutput = { name: 'ip6_output', fn: ip6_output };
rt6Fns.ip6_output = IP6_OUTPUT;

/**
 * ip6_pkt_too_big: longer than the MTU, unless nf_defrag_ipv6 reassembled it (ignore_df) from
 * fragments that each fit (frag_max_size): ip6_fragment cuts such a datagram again on output.
 */
function ip6_pkt_too_big(skb: SkBuff, mtu: number): boolean {
  if (skb.len <= mtu) return false;
  if (skb.cb.fragMaxSize && skb.cb.fragMaxSize > mtu) return true;
  return !skb.ignore_df;
}

/** ip6_forward: the checks in the kernel's order, then the FORWARD hook and dst_output. */
export function ip6_forward(net: Net, skb: SkBuff): void {
  net.call('ip6_forward', () => {
    const rt = skb.dst as Rt6Info;
    const h = readIpv6(skb.buf, skb.network_header);
    const addrError = (why: string): void => {
      net.count(SNMP_Ip6InAddrErrors);
      net.drop(skb, 'L3', 'ip6_forward', FILE, 'IP_INADDRERRORS', net.full ? `${why} Ip6InAddrErrors.` : '');
    };
    if (net.get('net.ipv6.conf.all.forwarding') === 0) return addrError(`${formatIpv6(h.daddr)} is not this host's and net.ipv6.conf.all.forwarding is 0: the packet may not be forwarded.`);
    if (skb.pkt_type !== 'PACKET_HOST') {
      net.drop(skb, 'L3', 'ip6_forward', FILE, 'NOT_SPECIFIED', net.full ? `A packet received as ${skb.pkt_type} is not forwarded.` : '');
      return;
    }
    // skb_forward_csum: a sum conntrack made over the received packet is stale once the hop limit changes
    if (skb.ip_summed === 'CHECKSUM_COMPLETE') skb.ip_summed = 'CHECKSUM_NONE';
    if (h.hopLimit <= 1) {
      net.step(skb, 'L3', 'ip6_forward', FILE, net.full ? `The hop limit is ${h.hopLimit}: the packet may not be forwarded, and the sender gets ICMPv6 time exceeded (hop limit exceeded in transit).` : '');
      icmpv6_send(net, skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
      net.count(SNMP_Ip6InHdrErrors);
      net.drop(skb, 'L3', 'ip6_forward', FILE, 'IP_INHDR', 'The packet whose hop limit ran out is freed (Ip6InHdrErrors).', '-ETIMEDOUT');
      return;
    }
    const dev = rt.dev;
    if (skb.cb.iif === dev.ifindex) throw new NotModelled('ICMPv6 redirects (ndisc_send_redirect) are not modelled: the packet would leave on the device it came in on');
    if (isV6Any(h.saddr) || isV6Multicast(h.saddr) || isV6Loopback(h.saddr)) return addrError(`The source ${formatIpv6(h.saddr)} may not be forwarded.`);
    if (isV6LinkLocal(h.saddr)) throw new NotModelled('forwarding a packet from a link-local source (ICMPv6 beyond scope) is not modelled');
    net.count(SNMP_Ip6OutForwDatagrams);
    // ip6_dst_mtu_maybe_forward(dst, true): a router uses the device's MTU, not the route's metric
    const mtu = Math.max(IPV6_MIN_MTU, dev.mtu);
    if (ip6_pkt_too_big(skb, mtu)) {
      skb.dev = dev;
      const fmax = skb.cb.fragMaxSize;
      net.step(skb, 'L3', 'ip6_forward', FILE, net.full ? `The packet (${skb.len} bytes${fmax ? `, reassembled by conntrack from fragments of up to ${fmax} bytes` : ''}) is larger than the MTU ${mtu} of ${dev.name}, and IPv6 routers do not fragment: ICMPv6 Packet Too Big (mtu ${mtu}) goes back, Ip6InTooBigErrors and Ip6FragFails.` : '');
      icmpv6_send(net, skb, ICMPV6_PKT_TOOBIG, 0, mtu);
      net.count(SNMP_Ip6InTooBigErrors);
      net.count(SNMP_Ip6FragFails);
      net.drop(skb, 'L3', 'ip6_forward', FILE, 'PKT_TOO_BIG', 'The packet that does not fit is freed.', '-EMSGSIZE');
      return;
    }
    if (skb.headroom() < dev.hard_header_len) skb.expandHead(dev.hard_header_len - skb.headroom());
    skb.w()[skb.network_header + 7] = h.hopLimit - 1;
    net.step(skb, 'L3', 'ip6_forward', FILE, net.full ? `Forwarding is on: the hop limit goes ${h.hopLimit} → ${h.hopLimit - 1} (IPv6 has no header checksum to fix), Ip6OutForwDatagrams; then the FORWARD hook.` : '');
    nf_hook6(net, 'NF_INET_FORWARD', skb, 'ip6_forward_finish', () =>
      net.call('ip6_forward_finish', () => {
        skb.dst!.output.fn(net, skb);
      }),
    );
  });
}
