// net/ipv4/ip_input.c: IPv4 receive — ip_rcv (and ip_list_rcv on the NAPI/GRO path), the
// header checks of ip_rcv_core in the kernel's order, PRE_ROUTING, the routing decision, and
// local delivery to the transport protocol.
import type { SkbDropReason } from '../core/dropreason';
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import { numToIp, rd16, rd32 } from '../../proto/addr';
import { ipFastCsum } from '../../proto/checksum';
import { IP_MF, IP_OFFSET, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, readIp } from '../../proto/ipv4';
import { NF_HOOK, nf_hook_ipv4 } from '../netfilter/core';
import { ip_route_input_noref, ERRNO_NAMES } from './route';
import { ip_defrag } from './ip_fragment';
import { udp_err, udp_rcv } from './udp';
import { tcp_v4_err, tcp_v4_rcv } from './tcp_ipv4';
import { icmp_err, icmp_rcv, icmp_send } from './icmp';
import { raw_local_deliver } from './raw';
import { ip_rcv_options } from './ip_options';
import type { DstInput } from './route_types';
import { ICMP_DEST_UNREACH, ICMP_PROT_UNREACH } from '../../proto/icmp';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IpExtInBcastOctets = snmpId('IpExtInBcastOctets');
const SNMP_IpExtInBcastPkts = snmpId('IpExtInBcastPkts');
const SNMP_IpExtInCsumErrors = snmpId('IpExtInCsumErrors');
const SNMP_IpExtInMcastOctets = snmpId('IpExtInMcastOctets');
const SNMP_IpExtInMcastPkts = snmpId('IpExtInMcastPkts');
const SNMP_IpExtInOctets = snmpId('IpExtInOctets');
const SNMP_IpExtInTruncatedPkts = snmpId('IpExtInTruncatedPkts');
const SNMP_IpInDelivers = snmpId('IpInDelivers');
const SNMP_IpInHdrErrors = snmpId('IpInHdrErrors');
const SNMP_IpInReceives = snmpId('IpInReceives');
const SNMP_IpInUnknownProtos = snmpId('IpInUnknownProtos');
const SNMP_TcpExtIPReversePathFilter = snmpId('TcpExtIPReversePathFilter');

/** the IpExt ECN counters by the header's two ECN bits, as slots (one array, not one a packet) */
const ECN_COUNTERS = [snmpId('IpExtInNoECTPkts'), snmpId('IpExtInECT1Pkts'), snmpId('IpExtInECT0Pkts'), snmpId('IpExtInCEPkts')];

export const IP_INPUT_FILE = 'net/ipv4/ip_input.c';
const FILE = IP_INPUT_FILE;

/** ip_rcv: the ETH_P_IP packet_type handler. */
export function ip_rcv(net: Net, skb: SkBuff, dev: NetDevice): void {
  const call = net.enter('ip_rcv');
  try {
    if (!ip_rcv_core(net, skb)) return;
    // NF_HOOK with its okfn called here: a closure would cost ip_rcv a context at every packet
    if (nf_hook_ipv4(net, 'NF_INET_PRE_ROUTING', skb, dev, null) === 1) ip_rcv_finish(net, skb, dev, 'ip_rcv_finish');
  } finally {
    net.leave(call);
  }
}

/** ip_list_rcv: the same checks for a list of packets from GRO; each survivor goes on alone. */
export function ip_list_rcv(net: Net, skbs: SkBuff[]): void {
  const call = net.enter('ip_list_rcv');
  try {
    const ok = skbs.filter((skb) => ip_rcv_core(net, skb));
    for (const skb of ok) {
      net.call('ip_sublist_rcv', () =>
        NF_HOOK(net, 'NF_INET_PRE_ROUTING', skb, skb.dev, null, () => ip_rcv_finish(net, skb, skb.dev!, 'ip_list_rcv_finish')),
      );
    }
  } finally {
    net.leave(call);
  }
}

/**
 * ip_rcv_core: the sanity checks, in the kernel's order. Returns false when the packet was
 * dropped (with the counter and drop reason the kernel uses).
 */
function inhdrError(net: Net, skb: SkBuff, why: string, reason: SkbDropReason = 'IP_INHDR'): false {
  net.count(SNMP_IpInHdrErrors);
  net.drop(skb, 'L3', 'ip_rcv_core', FILE, reason, why);
  return false;
}

/** ip_rcv_core's sentence, made by a full trace only (a closure in ip_rcv_core would cost a context per packet). */
function saneWhat(ihl: number, totLen: number, padded: number, saddr: number, daddr: number, ttl: number): string {
  return `The IPv4 header is sane (version 4, ihl ${ihl}, checksum right, tot_len ${totLen})${padded > 0 ? `; ${padded} bytes of Ethernet padding are trimmed` : ''}. IpInReceives counts it. ${numToIp(saddr)} → ${numToIp(daddr)}, ttl ${ttl}.`;
}

function ip_rcv_core(net: Net, skb: SkBuff): boolean {
  const call = net.enter('ip_rcv_core');
  try {
    const dev = skb.dev!;
    if (skb.pkt_type === 'PACKET_OTHERHOST') {
      dev.stats.rx_otherhost_dropped++;
      net.drop(skb, 'L3', 'ip_rcv_core', FILE, 'OTHERHOST', `The frame was addressed to another host's MAC (pkt_type PACKET_OTHERHOST, seen in promiscuous mode or on a shared link), so IP drops it before counting it.`);
      return false;
    }
    net.count(SNMP_IpInReceives);
    net.count(SNMP_IpExtInOctets, skb.len);
    if (!skb.mayPull(20)) return inhdrError(net, skb, `Only ${skb.len} bytes: too short for an IPv4 header.`, 'IP_INHDR');
    const b = skb.buf;
    const off = skb.network_header;
    const ihl = b[off] & 15;
    const version = b[off] >> 4;
    if (ihl < 5 || version !== 4) return inhdrError(net, skb, `Bad header: version ${version}, ihl ${ihl} (must be 4 and at least 5).`);
    const ecn = b[off + 1] & 3;
    // ip_rcv_core counts a GSO packet (TSO through a veth) as its gso_segs packets here, once in InReceives
    net.count(ECN_COUNTERS[ecn], Math.max(1, skb.gso_segs));
    if (!skb.mayPull(ihl * 4)) return inhdrError(net, skb, `The header claims ${ihl * 4} bytes but only ${skb.len} arrived.`);
    if (ipFastCsum(b, off, ihl) !== 0) {
      net.count(SNMP_IpExtInCsumErrors);
      return inhdrError(net, skb, 'The IPv4 header checksum is wrong (ip_fast_csum is not 0): IpExtInCsumErrors and IpInHdrErrors.', 'IP_CSUM');
    }
    // fields read in place, not as a header object (readIp): this runs for every packet received
    const totLen = rd16(b, off + 2);
    if (skb.len < totLen) {
      net.count(SNMP_IpExtInTruncatedPkts);
      net.drop(skb, 'L3', 'ip_rcv_core', FILE, 'PKT_TOO_SMALL', net.full ? `tot_len says ${totLen} bytes but only ${skb.len} arrived: IpExtInTruncatedPkts.` : '');
      return false;
    }
    if (totLen < ihl * 4) return inhdrError(net, skb, `tot_len ${totLen} is shorter than the header itself.`);
    const padded = skb.len - totLen;
    skb.trim(totLen);
    skb.transport_header = skb.network_header + ihl * 4;
    skb.cb = { iif: skb.skb_iif };
    net.step(skb, 'L3', 'ip_rcv_core', FILE, net.full ? net.say(saneWhat, ihl, totLen, padded, rd32(b, off + 12), rd32(b, off + 16), b[off + 8]) : '');
    return true;
  } finally {
    net.leave(call);
  }
}

/** ip_rcv_finish → ip_rcv_finish_core: route the packet (unless early demux did), then dst_input. */
function ip_rcv_finish(net: Net, skb: SkBuff, dev: NetDevice, fn: string): void {
  const call = net.enter(fn);
  try {
    const nh = skb.network_header;
    const ihl = skb.buf[nh] & 15;
    if (skb.dst) {
      // Looped back: the route chosen on the way out is still attached (skb_valid_dst), so no lookup.
      net.step(skb, 'L3', 'ip_rcv_finish_core', FILE, net.full ? `The packet came back through lo with its output route still attached (${skb.dst.describe(skb.dstDaddr)}): no second route lookup.` : '');
      if (ihl > 5 && ip_rcv_options(net, skb)) return;
      if (routedTail(net, skb, dev)) dst_input(net, skb);
      return;
    }
    const core = net.enter('ip_rcv_finish_core');
    let err;
    try {
      err = ip_route_input_noref(net, skb, rd32(skb.buf, nh + 16), rd32(skb.buf, nh + 12), skb.buf[nh + 1], dev);
    } finally {
      net.leave(core);
    }
    if (err) {
      if (err === -18) {
        net.count(SNMP_TcpExtIPReversePathFilter);
        net.drop(skb, 'L3', 'ip_rcv_finish_core', FILE, 'IP_RPFILTER', net.full ? `Reverse-path filtering (rp_filter) rejects ${numToIp(rd32(skb.buf, nh + 12))} on ${dev.name}: the way back to the source is not through this interface.` : '');
      } else {
        net.drop(skb, 'L3', 'ip_rcv_finish_core', FILE, 'NOT_SPECIFIED', net.full ? `The routing lookup refused the packet (-${ERRNO_NAMES[-err] ?? err}), so it is dropped.` : '');
      }
      return;
    }
    // the options are compiled once the packet has a route (ip_options_compile may write the
    // receiving route's address into them, and its parameter problem needs a way back)
    if (ihl > 5 && ip_rcv_options(net, skb)) return;
    if (routedTail(net, skb, dev)) dst_input(net, skb);
  } finally {
    net.leave(call);
  }
}

/**
 * The end of ip_rcv_finish_core once the packet has a route: the multicast and broadcast
 * counters, and (RFC 1122 3.3.6) a unicast datagram that came as a link-layer broadcast or
 * multicast is dropped where drop_unicast_in_l2_multicast is on (IN_DEV_ORCONF). False: dropped.
 */
function routedTail(net: Net, skb: SkBuff, dev: NetDevice): boolean {
  const rt = skb.dst!;
  if (rt.type === 'RTN_MULTICAST') {
    net.count(SNMP_IpExtInMcastPkts);
    net.count(SNMP_IpExtInMcastOctets, skb.len);
  } else if (rt.type === 'RTN_BROADCAST') {
    net.count(SNMP_IpExtInBcastPkts);
    net.count(SNMP_IpExtInBcastOctets, skb.len);
  } else if ((skb.pkt_type === 'PACKET_BROADCAST' || skb.pkt_type === 'PACKET_MULTICAST') && net.devOrconf(dev, 'drop_unicast_in_l2_multicast')) {
    net.drop(skb, 'L3', 'ip_rcv_finish_core', FILE, 'UNICAST_IN_L2_MULTICAST', net.full ? `A datagram for the unicast address ${numToIp(readIp(skb.buf, skb.network_header).daddr)} came as a link-layer ${skb.pkt_type === 'PACKET_BROADCAST' ? 'broadcast' : 'multicast'}, and drop_unicast_in_l2_multicast is on for ${dev.name}: dropped (RFC 1122 3.3.6).` : '');
    return false;
  }
  return true;
}

/** dst_input: call the route's input function (dst->input, set by the routing decision). */
export function dst_input(net: Net, skb: SkBuff): void {
  skb.dst!.input.fn(net, skb);
}

/** ip_local_deliver: reassemble fragments first, then the LOCAL_IN hook. */
export function ip_local_deliver(net: Net, skb: SkBuff): void {
  const call = net.enter('ip_local_deliver');
  try {
    if ((rd16(skb.buf, skb.network_header + 6) & (IP_MF | IP_OFFSET)) !== 0) {
      net.step(skb, 'L3', 'ip_local_deliver', FILE, 'The packet is a fragment, so it goes to ip_defrag to wait for the rest of its datagram.');
      const whole = ip_defrag(net, skb, 'IP_DEFRAG_LOCAL_DELIVER');
      if (!whole) return;
      skb = whole;
    } else {
      net.step(skb, 'L3', 'ip_local_deliver', FILE, 'The packet is for this host; it passes the LOCAL_IN hook on its way to the transport protocol.');
    }
    if (nf_hook_ipv4(net, 'NF_INET_LOCAL_IN', skb, skb.dev, null) === 1) ip_local_deliver_finish(net, skb);
  } finally {
    net.leave(call);
  }
}

export const IP_LOCAL_DELIVER: DstInput = { name: 'ip_local_deliver', fn: ip_local_deliver };

function pullWhat(ihl: number, protocol: number): string {
  return `__skb_pull strips the ${ihl}-byte IP header: skb->data now points at the transport header (protocol ${protocol}).`;
}

/** ip_local_deliver_finish: pull the IP header and find the protocol handler. */
function ip_local_deliver_finish(net: Net, skb: SkBuff): void {
  const call = net.enter('ip_local_deliver_finish');
  try {
    const ihl = (skb.buf[skb.network_header] & 15) * 4;
    skb.pull(ihl);
    skb.resetTransportHeader();
    const protocol = skb.buf[skb.network_header + 9];
    net.step(skb, 'L3', 'ip_local_deliver_finish', FILE, net.full ? net.say(pullWhat, ihl, protocol) : '');
    ip_protocol_deliver_rcu(net, skb, protocol);
  } finally {
    net.leave(call);
  }
}

/**
 * struct net_protocol (include/net/protocol.h): a transport protocol's receive handler, and its
 * err_handler, which icmp_socket_deliver calls for an ICMP error quoting one of its datagrams
 * (skb->data at the quoted IP header; type, code and info from the ICMP header).
 */
export interface NetProtocol {
  /** the handler's name as the trace says it */
  name: string;
  handler(net: Net, skb: SkBuff): void;
  err_handler(net: Net, skb: SkBuff, type: number, code: number, info: number): void;
}

/** udp_err (v6.12): __udp4_lib_err finds the socket by the quoted header's addresses and ports. */
function udp_err_quoted(net: Net, skb: SkBuff, type: number, code: number, info: number): void {
  const inner = readIp(skb.buf, skb.data);
  const l4 = skb.data + inner.ihl * 4;
  udp_err(net, skb, inner.saddr, rd16(skb.buf, l4), inner.daddr, rd16(skb.buf, l4 + 2), type, code, info);
}

/** inet_protos (net/ipv4/protocol.c, v6.12): inet_init fills it with inet_add_protocol. */
export const inet_protos: ReadonlyMap<number, NetProtocol> = new Map([
  [IPPROTO_ICMP, { name: 'icmp_rcv', handler: icmp_rcv, err_handler: icmp_err }],
  [IPPROTO_UDP, { name: 'udp_rcv', handler: udp_rcv, err_handler: udp_err_quoted }],
  [IPPROTO_TCP, { name: 'tcp_v4_rcv', handler: tcp_v4_rcv, err_handler: tcp_v4_err }],
]);

function deliverWhat(protocol: number, handler: string): string {
  return `inet_protos[${protocol}] is ${handler}: the packet goes up to L4 (IpInDelivers).`;
}

/** ip_protocol_deliver_rcu: raw sockets get a copy, then inet_protos[protocol]->handler. */
function ip_protocol_deliver_rcu(net: Net, skb: SkBuff, protocol: number): void {
  const call = net.enter('ip_protocol_deliver_rcu');
  try {
    const raw = raw_local_deliver(net, skb, protocol);
    const ipprot = inet_protos.get(protocol);
    if (!ipprot) {
      if (!raw) {
        net.count(SNMP_IpInUnknownProtos);
        net.step(skb, 'L3', 'ip_protocol_deliver_rcu', FILE, net.full ? `No handler for IP protocol ${protocol} and no raw socket wants it: IpInUnknownProtos, and the sender gets ICMP protocol unreachable.` : '');
        icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
        net.drop(skb, 'L3', 'ip_protocol_deliver_rcu', FILE, 'IP_NOPROTO', net.full ? `Protocol ${protocol} is not handled here: dropped.` : '');
      } else {
        net.count(SNMP_IpInDelivers);
        net.step(skb, 'L3', 'ip_protocol_deliver_rcu', FILE, 'Only a raw socket wanted this protocol; it has its copy (IpInDelivers).');
        net.fate(skb, { kind: 'consumed', fn: 'ip_protocol_deliver_rcu', detail: 'copied to a raw socket' });
      }
      return;
    }
    net.step(skb, 'L3', 'ip_protocol_deliver_rcu', FILE, net.full ? net.say(deliverWhat, protocol, ipprot.name) : '');
    net.count(SNMP_IpInDelivers);
    ipprot.handler(net, skb);
  } finally {
    net.leave(call);
  }
}
