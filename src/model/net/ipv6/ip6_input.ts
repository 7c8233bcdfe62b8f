// net/ipv6/ip6_input.c (v6.12): ipv6_rcv, the header checks of ip6_rcv_core, PRE_ROUTING, the
// route lookup of ip6_rcv_finish, multicast (ip6_mc_input) and local delivery (ip6_input →
// ip6_protocol_deliver_rcu) through inet6_protos. Also ip6_pkt_discard and ip6_pkt_prohibit
// (net/ipv6/route.c), the input functions of error routes.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { SkbDropReason } from '../core/dropreason';
import type { DstInput } from '../ipv4/route_types';
import { IPV6_HLEN, NEXTHDR_ICMP, NEXTHDR_NONE, NEXTHDR_TCP, NEXTHDR_UDP, NEXTHDR_HOP, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, ICMPV6_ADM_PROHIBITED, ICMPV6_PARAMPROB, ICMPV6_UNK_NEXTHDR, isV6Any, isV6Loopback, isV6Multicast, readIpv6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { in6_dev_get, ipv6Enabled, ipv6_chk_mcast_addr } from './addrconf';
import { ip6_route_input, rt6Fns, ROUTE6_FILE, type Rt6Info } from './route';
import { nf_hook6 } from './netfilter';
import { icmpv6_rcv, icmpv6_send } from './icmp';
import { raw6_local_deliver } from './raw';
import { ip6_forward } from './ip6_output';
import { udpv6_rcv } from './udp';
import { tcp_v6_rcv } from './tcp_ipv6';
import { inet6_exthdrs, ipv6_parse_hopopts } from './exthdrs';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6InAddrErrors = snmpId('Ip6InAddrErrors');
const SNMP_Ip6InDelivers = snmpId('Ip6InDelivers');
const SNMP_Ip6InDiscards = snmpId('Ip6InDiscards');
const SNMP_Ip6InHdrErrors = snmpId('Ip6InHdrErrors');
const SNMP_Ip6InMcastOctets = snmpId('Ip6InMcastOctets');
const SNMP_Ip6InMcastPkts = snmpId('Ip6InMcastPkts');
const SNMP_Ip6InNoRoutes = snmpId('Ip6InNoRoutes');
const SNMP_Ip6InOctets = snmpId('Ip6InOctets');
const SNMP_Ip6InReceives = snmpId('Ip6InReceives');
const SNMP_Ip6InTruncatedPkts = snmpId('Ip6InTruncatedPkts');
const SNMP_Ip6InUnknownProtos = snmpId('Ip6InUnknownProtos');

export const IP6_INPUT_FILE = 'net/ipv6/ip6_input.c';
const FILE = IP6_INPUT_FILE;

/** ipv6_rcv: the ETH_P_IPV6 packet_type handler. */
export function ipv6_rcv(net: Net, skb: SkBuff, dev: NetDevice): void {
  const call = net.enter('ipv6_rcv');
  try {
    if (!ip6_rcv_core(net, skb, dev)) return;
    nf_hook6(net, 'NF_INET_PRE_ROUTING', skb, 'ip6_rcv_finish', () => ip6_rcv_finish(net, skb));
  } finally {
    net.leave(call);
  }
}

function ip6_rcv_core(net: Net, skb: SkBuff, dev: NetDevice): boolean {
  const call = net.enter('ip6_rcv_core');
  try {
    if (skb.pkt_type === 'PACKET_OTHERHOST') {
      dev.stats.rx_otherhost_dropped++;
      net.drop(skb, 'L3', 'ip6_rcv_core', FILE, 'OTHERHOST', 'The frame was addressed to another host\'s MAC (PACKET_OTHERHOST): IPv6 drops it before counting it.');
      return false;
    }
    net.count(SNMP_Ip6InReceives);
    net.count(SNMP_Ip6InOctets, skb.len);
    if (!ipv6Enabled(net)) {
      net.count(SNMP_Ip6InDiscards);
      net.drop(skb, 'L3', 'ip6_rcv_core', FILE, 'IPV6DISABLED', net.full ? `IPv6 is off on ${dev.name} (disable_ipv6, as in every namespace of a scenario that does not use IPv6): Ip6InDiscards.` : '');
      return false;
    }
    if (!in6_dev_get(net, dev)) {
      // no inet6_dev (its MTU went below 1280: addrconf_ifdown): the reason stays NOT_SPECIFIED
      net.count(SNMP_Ip6InDiscards);
      net.drop(skb, 'L3', 'ip6_rcv_core', FILE, 'NOT_SPECIFIED', net.full ? `${dev.name} has no inet6_dev (its MTU is below 1280, so addrconf_ifdown stopped IPv6 on it): Ip6InDiscards.` : '');
      return false;
    }
    const err = (why: string, reason: SkbDropReason = 'IP_INHDR'): false => {
      net.count(SNMP_Ip6InHdrErrors);
      net.drop(skb, 'L3', 'ip6_rcv_core', FILE, reason, net.full ? `${why} Ip6InHdrErrors.` : '');
      return false;
    };
    skb.cb = { iif: skb.skb_iif };
    if (!skb.mayPull(IPV6_HLEN)) return err(`Only ${skb.len} bytes: too short for an IPv6 header.`);
    const h = readIpv6(skb.buf, skb.network_header);
    // SKB_DR_SET(reason, UNHANDLED_PROTO) then SKB_DR_OR(…, IP_INHDR): the first reason set stays
    if (h.version !== 6) return err(`The version field says ${h.version}, not 6.`, 'UNHANDLED_PROTO');
    net.count((['Ip6InNoECTPkts', 'Ip6InECT1Pkts', 'Ip6InECT0Pkts', 'Ip6InCEPkts'] as const)[h.tclass & 3]);
    if ((isV6Loopback(h.saddr) || isV6Loopback(h.daddr)) && !dev.isLoopback) return err('::1 may not come from or go to the wire (RFC 4291 2.5.3).');
    if (isV6Multicast(h.daddr) && (h.daddr[1] & 0x0f) === 1 && !dev.isLoopback && skb.pkt_type !== 'PACKET_LOOPBACK') return err('An interface-local multicast destination from another node (RFC 4291 Errata 3480).');
    if (isV6Multicast(h.daddr) && (h.daddr[1] & 0x0f) === 0) return err('A multicast destination of scope 0 (RFC 4291 2.7).');
    if (isV6Multicast(h.saddr)) return err('A multicast source address (RFC 4291 2.7).');
    skb.transport_header = skb.network_header + IPV6_HLEN;
    if (h.payloadLen + IPV6_HLEN > skb.len) {
      net.count(SNMP_Ip6InTruncatedPkts);
      net.drop(skb, 'L3', 'ip6_rcv_core', FILE, 'PKT_TOO_SMALL', net.full ? `payload_len says ${h.payloadLen} bytes after the header but only ${skb.len - IPV6_HLEN} arrived: Ip6InTruncatedPkts.` : '');
      return false;
    }
    const padded = skb.len - IPV6_HLEN - h.payloadLen;
    skb.trim(IPV6_HLEN + h.payloadLen);
    skb.cb.nhoff = 6;
    // only a hop-by-hop header right after the IPv6 header is processed here (and before PRE_ROUTING)
    if (h.nexthdr === NEXTHDR_HOP && !ipv6_parse_hopopts(net, skb)) {
      net.count(SNMP_Ip6InHdrErrors);
      return false;
    }
    net.step(skb, 'L3', 'ip6_rcv_core', FILE, net.full ? `The IPv6 header is sane (version 6, payload_len ${h.payloadLen})${padded > 0 ? `; ${padded} bytes of Ethernet padding are trimmed` : ''}. Ip6InReceives counts it. ${formatIpv6(h.saddr)} → ${formatIpv6(h.daddr)}, hop limit ${h.hopLimit}, next header ${h.nexthdr}.` : '');
    return true;
  } finally {
    net.leave(call);
  }
}

/** ip6_rcv_finish → ip6_rcv_finish_core: the route lookup (ip6_route_input), then dst_input. */
function ip6_rcv_finish(net: Net, skb: SkBuff): void {
  const call = net.enter('ip6_rcv_finish');
  try {
    const h = readIpv6(skb.buf, skb.network_header);
    if (skb.dst) {
      net.step(skb, 'L3', 'ip6_rcv_finish_core', FILE, net.full ? `The packet came back through lo with its output route still attached (${skb.dst.describe(skb.dstDaddr)}): no second lookup.` : '');
    } else {
      const rt = net.call('ip6_route_input', () => ip6_route_input(net, skb, h.daddr));
      net.step(skb, 'L3', 'ip6_route_input', ROUTE6_FILE, net.full ? `fib6 lookup for ${formatIpv6(h.daddr)}: ${rt.describe()}; dst->input is ${rt.input.name}.` : '');
    }
    skb.dst!.input.fn(net, skb);
  } finally {
    net.leave(call);
  }
}

/** ip6_input: the LOCAL_IN hook, then ip6_input_finish. */
export function ip6_input(net: Net, skb: SkBuff): void {
  const call = net.enter('ip6_input');
  try {
    net.step(skb, 'L3', 'ip6_input', FILE, 'The packet is for this host; it passes the LOCAL_IN hook on its way to the upper-layer protocol.');
    nf_hook6(net, 'NF_INET_LOCAL_IN', skb, 'ip6_input_finish', () => ip6_input_finish(net, skb));
  } finally {
    net.leave(call);
  }
}

function ip6_input_finish(net: Net, skb: SkBuff): void {
  const call = net.enter('ip6_input_finish');
  try {
    // past the IPv6 header and a hop-by-hop header ip6_rcv_core walked, to the transport header
    skb.pull(skb.transport_header - skb.data);
    const nhoff = skb.cb.nhoff ?? 6;
    ip6_protocol_deliver_rcu(net, skb, skb.buf[skb.network_header + nhoff], nhoff);
  } finally {
    net.leave(call);
  }
}

/** struct inet6_protocol: an upper layer's receive handler (net/ipv6/protocol.c). */
export interface Inet6Protocol {
  name: string;
  /** `pingTook`: ping's raw socket kept a clone, so the packet's fate is its socket (what ipv6_raw_deliver returned) */
  handler(net: Net, skb: SkBuff, pingTook: boolean): void;
}

/**
 * nodata_protocol (ipv6_exthdrs_init, net/ipv6/exthdrs.c): "no next header" (59) ends the packet
 * quietly. Its handler is dst_discard, whose dst_discard_out frees it with a plain kfree_skb; the
 * handler returned 0, so the packet still counts as delivered (Ip6InDelivers), with no ICMPv6 error.
 */
function nodata_rcv(net: Net, skb: SkBuff): void {
  net.call('dst_discard', () =>
    net.call('dst_discard_out', () =>
      net.drop(skb, 'L3', 'dst_discard_out', 'net/core/dst.c', 'NOT_SPECIFIED', net.full ? 'Next header 59 ("no next header"): nothing follows, and nodata_protocol\'s handler, dst_discard, frees the packet without an ICMPv6 error (it still counts in Ip6InDelivers).' : ''),
    ),
  );
}

/** inet6_protos (v6.12: icmpv6_init, udpv6_init, tcpv6_init and ipv6_exthdrs_init add theirs). */
export const inet6_protos: ReadonlyMap<number, Inet6Protocol> = new Map([
  [NEXTHDR_ICMP, { name: 'icmpv6_rcv', handler: icmpv6_rcv }],
  [NEXTHDR_NONE, { name: 'dst_discard', handler: (net: Net, skb: SkBuff) => nodata_rcv(net, skb) }],
  [NEXTHDR_UDP, { name: 'udpv6_rcv', handler: (net: Net, skb: SkBuff) => udpv6_rcv(net, skb) }],
  [NEXTHDR_TCP, { name: 'tcp_v6_rcv', handler: (net: Net, skb: SkBuff) => tcp_v6_rcv(net, skb) }],
]);

/**
 * ip6_protocol_deliver_rcu: an extension header's handler (inet6_exthdrs) hands the packet back
 * with the offset of the next-header byte to read (resubmit), a reassembled datagram in place of
 * the fragment; then raw sockets get a copy and inet6_protos[nexthdr]->handler takes it.
 */
function ip6_protocol_deliver_rcu(net: Net, skb: SkBuff, nexthdr: number, nhoff: number): void {
  const call = net.enter('ip6_protocol_deliver_rcu');
  try {
    for (let ext = inet6_exthdrs.get(nexthdr); ext; ext = inet6_exthdrs.get(nexthdr)) {
      net.step(skb, 'L3', 'ip6_protocol_deliver_rcu', FILE, net.full ? `Next header ${nexthdr} (byte ${nhoff}) is an extension header: ${ext.name}.` : '');
      const r = ext.handler(net, skb, nhoff);
      if (!r) return;
      skb = r.skb;
      nhoff = r.nhoff;
      skb.cb.nhoff = nhoff;
      // resubmit: pskb_pull to the transport header, then the byte at nhoff names what is there
      skb.pull(skb.transport_header - skb.data);
      nexthdr = skb.buf[skb.network_header + nhoff];
    }
    const raw = raw6_local_deliver(net, skb, nexthdr);
    const p = inet6_protos.get(nexthdr);
    if (!p) {
      if (!raw) {
        net.count(SNMP_Ip6InUnknownProtos);
        net.step(skb, 'L3', 'ip6_protocol_deliver_rcu', FILE, net.full ? `No handler for next header ${nexthdr} and no raw socket: Ip6InUnknownProtos, and the sender gets ICMPv6 parameter problem (unrecognised next header).` : '');
        icmpv6_send(net, skb, ICMPV6_PARAMPROB, ICMPV6_UNK_NEXTHDR, nhoff);
        net.drop(skb, 'L3', 'ip6_protocol_deliver_rcu', FILE, 'IP_NOPROTO', net.full ? `Next header ${nexthdr} is not handled here: dropped.` : '');
      } else {
        net.count(SNMP_Ip6InDelivers);
        net.fate(skb, { kind: 'consumed', fn: 'ip6_protocol_deliver_rcu', detail: 'copied to a raw socket' });
      }
      return;
    }
    net.step(skb, 'L3', 'ip6_protocol_deliver_rcu', FILE, net.full ? `inet6_protos[${nexthdr}] is ${p.name}: the packet goes up (Ip6InDelivers).` : '');
    p.handler(net, skb, raw === 'ping');
    net.count(SNMP_Ip6InDelivers);
  } finally {
    net.leave(call);
  }
}

/** ip6_mc_input: Ip6InMcastPkts; delivered only when the device has joined the group. */
export function ip6_mc_input(net: Net, skb: SkBuff): void {
  const call = net.enter('ip6_mc_input');
  try {
    net.count(SNMP_Ip6InMcastPkts);
    net.count(SNMP_Ip6InMcastOctets, skb.len);
    const h = readIpv6(skb.buf, skb.network_header);
    const dev = skb.dev!;
    if (ipv6_chk_mcast_addr(net, dev, h.daddr)) {
      net.step(skb, 'L3', 'ip6_mc_input', FILE, net.full ? `${dev.name} has joined ${formatIpv6(h.daddr)} (ipv6_chk_mcast_addr): the packet is delivered (Ip6InMcastPkts).` : '');
      ip6_input(net, skb);
      return;
    }
    net.drop(skb, 'L3', 'ip6_mc_input', FILE, 'NOT_SPECIFIED', net.full ? `${dev.name} has not joined ${formatIpv6(h.daddr)}: the packet is freed (Ip6InMcastPkts).` : '');
  } finally {
    net.leave(call);
  }
}

/** ip6_pkt_drop (route.c): an error route's input — Ip6InNoRoutes and ICMPv6 destination unreachable. */
function ip6_pkt_drop(net: Net, skb: SkBuff, code: number, fn: string): void {
  net.call(fn, () =>
    net.call('ip6_pkt_drop', () => {
      const h = readIpv6(skb.buf, skb.network_header);
      let reason: SkbDropReason = 'IP_INNOROUTES';
      if (isV6Any(h.daddr)) {
        reason = 'IP_INADDRERRORS';
        net.count(SNMP_Ip6InAddrErrors);
      } else net.count(SNMP_Ip6InNoRoutes);
      const rt = skb.dst as Rt6Info;
      net.step(skb, 'L3', 'ip6_pkt_drop', ROUTE6_FILE, net.full ? `The route to ${formatIpv6(h.daddr)} is ${rt.describe()}: ${reason === 'IP_INNOROUTES' ? 'Ip6InNoRoutes' : 'Ip6InAddrErrors'}, and the sender gets ICMPv6 destination unreachable (${code === ICMPV6_NOROUTE ? 'no route' : 'administratively prohibited'}).` : '');
      icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, code, 0);
      net.drop(skb, 'L3', 'ip6_pkt_drop', ROUTE6_FILE, reason, 'The packet without a route is freed.');
    }),
  );
}

export const IP6_INPUT: DstInput = { name: 'ip6_input', fn: ip6_input };
rt6Fns.ip6_input = IP6_INPUT;
rt6Fns.ip6_mc_input = { name: 'ip6_mc_input', fn: ip6_mc_input };
rt6Fns.ip6_forward = { name: 'ip6_forward', fn: ip6_forward };
rt6Fns.ip6_pkt_discard = { name: 'ip6_pkt_discard', fn: (net, skb) => ip6_pkt_drop(net, skb, ICMPV6_NOROUTE, 'ip6_pkt_discard') };
rt6Fns.ip6_pkt_prohibit = { name: 'ip6_pkt_prohibit', fn: (net, skb) => ip6_pkt_drop(net, skb, ICMPV6_ADM_PROHIBITED, 'ip6_pkt_prohibit') };
