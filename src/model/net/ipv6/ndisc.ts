// net/ipv6/ndisc.c (v6.12): neighbour discovery — nd_tbl entries (ndisc_constructor), the
// neighbour solicitation a resolution sends (ndisc_solicit → ndisc_send_ns: to the
// solicited-node group while resolving, to the neighbour itself when re-confirming), the
// advertisement that answers it (ndisc_recv_ns → ndisc_send_na), what an advertisement teaches
// (ndisc_recv_na), and ndisc_error_report. The state machine is neighbour.c's, shared with ARP.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { SkbDropReason } from '../core/dropreason';
import type { Neighbour, NeighOps, NudState } from '../core/neighbour_types';
import { allocSkb } from '../core/skbuff';
import { neigh_update, nkey } from '../core/neighbour';
import { bytesToMac, macToBytes } from '../../proto/addr';
import { ETH_P_IPV6 } from '../../proto/ethernet';
import { ipv6AddrEqual } from '../../proto/inet_addr';
import { ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, IPV6_HLEN, NDISC_NEIGHBOUR_ADVERTISEMENT, NDISC_NEIGHBOUR_SOLICITATION, NDISC_ROUTER_SOLICITATION, NEXTHDR_ICMP, ipv6McMac, isV6Any, isV6Multicast, readIpv6, solicitedNode, writeIcmp6, writeIpv6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { devAddrs6, ipv6_get_lladdr, refuseSubnetAnycast } from './addrconf';
import { addrconf_dad_failure } from './addrconf_dad';
import { isTentative } from './ipv6_state';
import { icmp6_dst_alloc } from './route';
import { nf_hook6 } from './netfilter';
import { icmpv6_send, icmp6_out_count } from './icmp';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6OutRequests = snmpId('Ip6OutRequests');

const FILE = 'net/ipv6/ndisc.c';
const ND_OPT_SOURCE_LL_ADDR = 1;
const ND_OPT_TARGET_LL_ADDR = 2;
/** ND_OPT_NONCE (RFC 7527, enhanced DAD): 6 random bytes in an 8-byte option */
const ND_OPT_NONCE = 14;
const IN6ADDR_ANY = new Uint8Array(16);
const ALL_NODES = Uint8Array.from([0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const ND_HOP_LIMIT = 255;

/** nd_tbl's parameters (ndisc.c, v6.12): the same defaults as arp_tbl's */
const ND_PARMS = { mcast_solicit: 3, ucast_solicit: 3, app_solicit: 0, retrans_time_ms: 1000, unres_qlen_bytes: 212992, base_reachable_time_ms: 30000 } as const;

function ndKey(dev: NetDevice, a: Uint8Array): string {
  return `${dev.ifindex}/${formatIpv6(a)}`;
}

function ndOps(net: Net, a: Uint8Array): NeighOps {
  return {
    key6: a,
    text: formatIpv6(a),
    protocol: ETH_P_IPV6,
    parm: (p) => ND_PARMS[p],
    solicit: (n, skb) => ndisc_solicit(net, n, skb),
    error_report: (n, skb) => ndisc_error_report(net, n, skb),
  };
}

export function nd_lookup(net: Net, dev: NetDevice, a: Uint8Array): Neighbour | undefined {
  return net.neigh.get(ndKey(dev, a));
}

/** __neigh_create(&nd_tbl) with ndisc_constructor: a multicast group maps to its 33:33 MAC (NUD_NOARP). */
function nd_create(net: Net, dev: NetDevice, a: Uint8Array): Neighbour {
  let state: NudState = 'NUD_NONE';
  let ha: string | null = null;
  if (dev.isLoopback || dev.noarp) {
    state = 'NUD_NOARP';
    ha = dev.mac;
  } else if (isV6Multicast(a)) {
    state = 'NUD_NOARP';
    ha = ipv6McMac(a);
  }
  const n: Neighbour = { key: 0, ops: ndOps(net, a), dev, state, ha, arpQueue: [], arpQueueBytes: 0, probes: 0, timer: null, confirmed: net.w.sched.now - 60e9, updated: net.w.sched.now };
  net.neigh.set(ndKey(dev, a), n);
  return n;
}

/** __ipv6_neigh_lookup_noref, or a new entry */
export function nd_neigh_for_gw(net: Net, dev: NetDevice, a: Uint8Array): Neighbour {
  return nd_lookup(net, dev, a) ?? nd_create(net, dev, a);
}

/** `ip -6 neigh add ADDR lladdr MAC dev IF nud STATE` */
export function nd_add_static(net: Net, dev: NetDevice, a: Uint8Array, lladdr: string, state: NudState): void {
  const n = nd_lookup(net, dev, a) ?? nd_create(net, dev, a);
  n.state = state;
  n.ha = lladdr;
  n.confirmed = net.w.sched.now;
}

/**
 * ndisc_solicit: the source is the waiting packet's when it is an address of this device,
 * else the device's link-local address; multicast to the solicited-node group while
 * resolving (probes past ucast_solicit), unicast to the neighbour when re-confirming.
 */
function ndisc_solicit(net: Net, n: Neighbour, skb: SkBuff | null): void {
  const call = net.enter('ndisc_solicit');
  try {
    const target = n.ops!.key6;
    let saddr: Uint8Array | undefined;
    if (skb && skb.network_header >= 0) {
      const s = readIpv6(skb.buf, skb.network_header).saddr;
      // ipv6_chk_addr_and_flags(…, IFA_F_TENTATIVE | IFA_F_OPTIMISTIC): not a tentative one
      if (devAddrs6(net, n.dev).some((a) => ipv6AddrEqual(a.addr, s) && !isTentative(a))) saddr = s;
    }
    const probes = n.probes - ND_PARMS.ucast_solicit;
    const daddr = probes < 0 ? target : solicitedNode(target);
    ndisc_send_ns(net, n.dev, target, daddr, saddr, skb ? skb.pkt : null);
  } finally {
    net.leave(call);
  }
}

/** ndisc_send_ns: without a source given, the link-local address (none: nothing is sent). */
function ndisc_send_ns(net: Net, dev: NetDevice, target: Uint8Array, daddr: Uint8Array, saddr: Uint8Array | undefined, parent: number | null): void {
  const call = net.enter('ndisc_send_ns');
  try {
    const src = saddr ?? ipv6_get_lladdr(net, dev);
    if (!src) {
      net.step(null, 'L3', 'ndisc_send_ns', FILE, net.full ? `${dev.name} has no link-local address to solicit ${formatIpv6(target)} from: no solicitation is sent.` : '');
      return;
    }
    const mac = macToBytes(dev.mac);
    const body = new Uint8Array(32);
    body.set(target, 8);
    body.set([ND_OPT_SOURCE_LL_ADDR, 1, ...mac], 24);
    ndisc_send_skb(net, dev, body, src, daddr, parent, `Neighbour solicitation: who has ${formatIpv6(target)}? (to ${formatIpv6(daddr)}${isV6Multicast(daddr) ? ', the solicited-node group' : ', unicast: re-confirming'}, from ${formatIpv6(src)}, source link-layer address ${dev.mac}).`, NDISC_NEIGHBOUR_SOLICITATION);
  } finally {
    net.leave(call);
  }
}

/** rt6_probe_deferred: one solicitation to a gateway's solicited-node group, from the link-local address */
export function ndisc_send_probe_ns(net: Net, dev: NetDevice, gw: Uint8Array): void {
  ndisc_send_ns(net, dev, gw, solicitedNode(gw), undefined, null);
}

/**
 * ndisc_send_ns from addrconf_dad_work: a probe for one of our tentative addresses, from :: (so
 * no source link-layer address option, RFC 4861 7.2.2) to its solicited-node group, with the
 * nonce option when enhanced_dad gave one.
 */
export function ndisc_send_ns_dad(net: Net, dev: NetDevice, target: Uint8Array, nonce: number): void {
  const call = net.enter('ndisc_send_ns');
  try {
    const body = new Uint8Array(nonce ? 32 : 24);
    body.set(target, 8);
    if (nonce) {
      body.set([ND_OPT_NONCE, 1], 24);
      for (let i = 0; i < 6; i++) body[26 + i] = Math.floor(nonce / 2 ** (8 * (5 - i))) & 0xff;
    }
    const daddr = solicitedNode(target);
    ndisc_send_skb(net, dev, body, IN6ADDR_ANY, daddr, null, `Neighbour solicitation for duplicate address detection: is anyone using ${formatIpv6(target)}? (from ::, to its solicited-node group ${formatIpv6(daddr)}${nonce ? ', with a nonce option (enhanced_dad) to recognise its own probe looped back' : ''}).`, NDISC_NEIGHBOUR_SOLICITATION);
  } finally {
    net.leave(call);
  }
}

/** in6addr_linklocal_allrouters: ff02::2, where router solicitations go */
export const ALL_ROUTERS = Uint8Array.from([0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

/**
 * ndisc_send_rs (v6.12, CONFIG_IPV6_OPTIMISTIC_DAD=y as Debian builds it): a router solicitation
 * to ff02::2 from `saddr`, with the source link-layer address option when `saddr` is an address
 * of the device that is not optimistic (ipv6_get_ifaddr, strict) — every caller in v6.12 passes
 * the device's valid link-local address, so the option is always there (from :: it would not be).
 */
export function ndisc_send_rs(net: Net, dev: NetDevice, saddr: Uint8Array, what: string): void {
  const call = net.enter('ndisc_send_rs');
  try {
    const sllao = devAddrs6(net, dev).some((a) => ipv6AddrEqual(a.addr, saddr));
    const body = new Uint8Array(sllao ? 16 : 8);
    if (sllao) body.set([ND_OPT_SOURCE_LL_ADDR, 1, ...macToBytes(dev.mac)], 8);
    ndisc_send_skb(net, dev, body, saddr, ALL_ROUTERS, null, `Router solicitation: any router on ${dev.name}? (to ff02::2, all routers, from ${formatIpv6(saddr)}${sllao ? `, source link-layer address ${dev.mac}` : ', no source link-layer address option'}). ${what}`, NDISC_ROUTER_SOLICITATION);
  } finally {
    net.leave(call);
  }
}

/** The ND_OPT_NONCE value in the message's options, 0 without one. */
function nonceOption(skb: SkBuff, from: number): number {
  for (let o = from; o + 2 <= skb.tail; ) {
    const l = skb.buf[o + 1] * 8;
    if (l === 0) return 0;
    if (skb.buf[o] === ND_OPT_NONCE && l === 8) {
      let v = 0;
      for (let i = 0; i < 6; i++) v = v * 256 + skb.buf[o + 2 + i];
      return v;
    }
    o += l;
  }
  return 0;
}

/** ndisc_send_na: R when the device forwards, S when it answers a solicitation, O and the target's MAC when asked by multicast. */
function ndisc_send_na(net: Net, dev: NetDevice, daddr: Uint8Array, target: Uint8Array, router: boolean, solicited: boolean, override: boolean, incOpt: boolean, parent: number): void {
  const call = net.enter('ndisc_send_na');
  try {
    const body = new Uint8Array(incOpt ? 32 : 24);
    body[4] = (router ? 0x80 : 0) | (solicited ? 0x40 : 0) | (override ? 0x20 : 0);
    body.set(target, 8);
    if (incOpt) body.set([ND_OPT_TARGET_LL_ADDR, 1, ...macToBytes(dev.mac)], 24);
    const flags = [router && 'router', solicited && 'solicited', override && 'override'].filter(Boolean).join(', ');
    ndisc_send_skb(net, dev, body, target, daddr, parent, `Neighbour advertisement: ${formatIpv6(target)} is at ${dev.mac} (${flags || 'no flags'}), to ${formatIpv6(daddr)}.`, NDISC_NEIGHBOUR_ADVERTISEMENT);
  } finally {
    net.leave(call);
  }
}

/** ndisc_send_skb: hop limit 255, Ip6OutRequests, LOCAL_OUT, dst_output; the type counted once sent. */
function ndisc_send_skb(net: Net, dev: NetDevice, body: Uint8Array, saddr: Uint8Array, daddr: Uint8Array, parent: number | null, what: string, type: number): void {
  const pkt = net.w.rec.newPacket(net.name, parent);
  const len = body.length;
  const skb = allocSkb(dev.llReservedSpace() + IPV6_HLEN, len, pkt);
  const off = skb.put(len);
  const b = skb.w();
  b.set(body, off);
  writeIcmp6(b, off, len, { type, code: 0, rest: (body[4] << 24) | (body[5] << 16) | (body[6] << 8) | body[7] }, saddr, daddr);
  skb.push(IPV6_HLEN);
  skb.resetNetworkHeader();
  skb.transport_header = skb.network_header + IPV6_HLEN;
  writeIpv6(skb.w(), skb.data, { tclass: 0, flowLabel: 0, payloadLen: len, nexthdr: NEXTHDR_ICMP, hopLimit: ND_HOP_LIMIT, saddr, daddr });
  skb.dev = dev;
  skb.protocol = ETH_P_IPV6;
  skb.dst = icmp6_dst_alloc(dev, daddr);
  net.count(SNMP_Ip6OutRequests);
  net.step(skb, 'L3', 'ndisc_send_skb', FILE, net.full ? `${what} Hop limit 255 (Ip6OutRequests).` : '');
  let err = 0;
  const hrc = nf_hook6(net, 'NF_INET_LOCAL_OUT', skb, 'dst_output', () => {
    err = skb.dst!.output.fn(net, skb);
  });
  if (hrc !== 1) err = hrc;
  if (!err) icmp6_out_count(net, type);
}

/** The link-layer address option of type `want` in the message's options, if any. */
function llOption(skb: SkBuff, from: number, want: number): string | undefined {
  for (let o = from; o + 2 <= skb.tail; ) {
    const t = skb.buf[o];
    const l = skb.buf[o + 1] * 8;
    if (l === 0) return undefined;
    if (t === want && l >= 8) return bytesToMac(skb.buf, o + 2);
    o += l;
  }
  return undefined;
}

/** ndisc_rcv: hop limit 255 and code 0, then the message's handler; returns icmpv6_rcv's drop reason. */
export function ndisc_rcv(net: Net, skb: SkBuff): SkbDropReason | null {
  const call = net.enter('ndisc_rcv');
  try {
    const ip = readIpv6(skb.buf, skb.network_header);
    if (ip.hopLimit !== ND_HOP_LIMIT) {
      net.step(skb, 'L4', 'ndisc_rcv', FILE, net.full ? `A neighbour discovery message must arrive with hop limit 255 (it never crossed a router); this one has ${ip.hopLimit}.` : '');
      return 'IPV6_NDISC_HOP_LIMIT';
    }
    if (skb.buf[skb.data + 1] !== 0) return 'IPV6_NDISC_BAD_CODE';
    const type = skb.buf[skb.data];
    if (type === NDISC_ROUTER_SOLICITATION) return ndisc_recv_rs(net, skb);
    return type === NDISC_NEIGHBOUR_SOLICITATION ? ndisc_recv_ns(net, skb) : ndisc_recv_na(net, skb);
  } finally {
    net.leave(call);
  }
}

/**
 * ndisc_recv_rs: only a device in router mode (its forwarding on) takes a solicitation in; from
 * an address (not ::) with a source link-layer address option it makes or refreshes the
 * sender's entry, STALE with that MAC (ndisc_update with NEIGH_UPDATE_F_OVERRIDE_ISROUTER: the
 * sender is no router; the model keeps no NTF_ROUTER flag) and the packet is consumed. Anything
 * else ends with SKB_DR's default, NOT_SPECIFIED. The model's router sends no advertisement.
 */
function ndisc_recv_rs(net: Net, skb: SkBuff): SkbDropReason | null {
  const call = net.enter('ndisc_recv_rs');
  try {
    const dev = skb.dev!;
    const ip = readIpv6(skb.buf, skb.network_header);
    if (skb.tail - skb.data < 8) return 'PKT_TOO_SMALL';
    if (!net.get(`net.ipv6.conf.${dev.name}.forwarding`)) {
      net.step(skb, 'L4', 'ndisc_recv_rs', FILE, net.full ? `${dev.name} is not in router mode (its forwarding is off): a router solicitation is not taken in.` : '');
      return 'NOT_SPECIFIED';
    }
    if (isV6Any(ip.saddr)) return 'NOT_SPECIFIED';
    const opts = ndOptionsValid(skb, skb.data + 8);
    if (!opts) return 'IPV6_NDISC_BAD_OPTIONS';
    const lladdr = llOption(skb, skb.data + 8, ND_OPT_SOURCE_LL_ADDR);
    // __neigh_lookup(…, creat 1): the entry exists from here on, with or without a MAC
    const n = nd_lookup(net, dev, ip.saddr) ?? nd_create(net, dev, ip.saddr);
    net.step(skb, 'L4', 'ndisc_recv_rs', FILE, net.full ? `${formatIpv6(ip.saddr)} solicits routers and ${dev.name} forwards: its entry ${lladdr ? `learns ${lladdr} (STALE)` : 'is kept (no address given)'}. The model's router sends no advertisement back.` : '');
    if (lladdr) neigh_update(net, n, lladdr, 'NUD_STALE', skb);
    return null;
  } finally {
    net.leave(call);
  }
}

/** ndisc_parse_options' check: each option has a nonzero length and fits the message. */
function ndOptionsValid(skb: SkBuff, from: number): boolean {
  let o = from;
  while (o < skb.tail) {
    if (o + 2 > skb.tail) return false;
    const l = skb.buf[o + 1] * 8;
    if (l === 0 || o + l > skb.tail) return false;
    o += l;
  }
  return true;
}

/** ndisc_recv_ns: for one of our addresses, learn the asker (STALE) and answer with an advertisement. */
function ndisc_recv_ns(net: Net, skb: SkBuff): SkbDropReason | null {
  const call = net.enter('ndisc_recv_ns');
  try {
    const dev = skb.dev!;
    const ip = readIpv6(skb.buf, skb.network_header);
    const target = skb.buf.slice(skb.data + 8, skb.data + 24);
    if (isV6Multicast(target)) return 'IPV6_NDISC_NS_OTHERHOST';
    const lladdr = llOption(skb, skb.data + 24, ND_OPT_SOURCE_LL_ADDR);
    const dad = isV6Any(ip.saddr);
    // RFC 4861 7.1.1: a DAD probe goes to a solicited-node group and carries no source link-layer address
    if (dad && (!ipv6AddrEqual(ip.daddr.subarray(0, 13), solicitedNode(target).subarray(0, 13)) || lladdr)) return 'NOT_SPECIFIED';
    refuseSubnetAnycast(net, target);
    const ifp = devAddrs6(net, dev).find((a) => ipv6AddrEqual(a.addr, target));
    if (ifp && isTentative(ifp)) {
      if (!dad) {
        net.step(skb, 'L4', 'ndisc_recv_ns', FILE, net.full ? `${formatIpv6(target)} is ours but still tentative (DAD): a solicitation for it is not answered.` : '');
        return 'NOT_SPECIFIED';
      }
      if (ifp.dad?.nonce && nonceOption(skb, skb.data + 24) === ifp.dad.nonce) {
        net.step(skb, 'L4', 'ndisc_recv_ns', FILE, net.full ? `Our own DAD probe for ${formatIpv6(target)}, looped back (its nonce is ours): ignored.` : '');
        return 'NOT_SPECIFIED';
      }
      addrconf_dad_failure(ifp, dev);
    }
    if (!ifp) {
      // not ours on this device (ipv6_get_ifaddr is strict), not anycast (refused above), no proxy
      // NDP in the model: v6.12 frees it with IPV6_NDISC_NS_OTHERHOST, a DAD probe or not
      net.step(skb, 'L4', 'ndisc_recv_ns', FILE, net.full ? `${formatIpv6(target)} is not an address of ${dev.name}: nothing to answer.` : '');
      return 'IPV6_NDISC_NS_OTHERHOST';
    }
    const router = net.get(`net.ipv6.conf.${dev.name}.forwarding`) !== 0;
    if (dad) {
      // another node's DAD probe for an address we have: defend it, to all nodes
      net.step(skb, 'L4', 'ndisc_recv_ns', FILE, net.full ? `Another node is testing ${formatIpv6(target)}, which is ours: we defend it with an advertisement to all nodes (ff02::1).` : '');
      ndisc_send_na(net, dev, ALL_NODES, target, router, false, true, true, skb.pkt);
      return 'NOT_SPECIFIED';
    }
    const inc = isV6Multicast(ip.daddr);
    // __neigh_lookup(…, creat = !inc || lladdr): the asker's entry, STALE with the MAC it gave
    let n = nd_lookup(net, dev, ip.saddr);
    if (!n && (!inc || lladdr)) n = nd_create(net, dev, ip.saddr);
    net.step(skb, 'L4', 'ndisc_recv_ns', FILE, net.full ? `${formatIpv6(ip.saddr)} asks for ${formatIpv6(target)}, which is ours: we learn it is at ${lladdr ?? '(no address given)'} and answer.` : '');
    if (n && lladdr) neigh_update(net, n, lladdr, 'NUD_STALE', skb);
    ndisc_send_na(net, dev, ip.saddr, target, router, true, inc, inc, skb.pkt);
    return null;
  } finally {
    net.leave(call);
  }
}

/** ndisc_recv_na: an entry we have learns the MAC; solicited → REACHABLE, else STALE. */
function ndisc_recv_na(net: Net, skb: SkBuff): SkbDropReason | null {
  const call = net.enter('ndisc_recv_na');
  try {
    const dev = skb.dev!;
    const flags = skb.buf[skb.data + 4];
    const target = skb.buf.slice(skb.data + 8, skb.data + 24);
    // an advertisement for our own tentative address: another node has it (addrconf_dad_failure)
    const ifp = devAddrs6(net, dev).find((a) => ipv6AddrEqual(a.addr, target));
    if (ifp && isTentative(ifp)) addrconf_dad_failure(ifp, dev);
    const n = nd_lookup(net, dev, target);
    if (!n) {
      net.step(skb, 'L4', 'ndisc_recv_na', FILE, net.full ? `No nd_tbl entry for ${formatIpv6(target)}: the advertisement teaches nothing.` : '');
      return null;
    }
    const lladdr = llOption(skb, skb.data + 24, ND_OPT_TARGET_LL_ADDR) ?? n.ha;
    if (!lladdr) return null;
    const solicited = (flags & 0x40) !== 0;
    net.step(skb, 'L4', 'ndisc_recv_na', FILE, net.full ? `${formatIpv6(target)} is at ${lladdr} (${solicited ? 'solicited: NUD_REACHABLE' : 'unsolicited: NUD_STALE'}).` : '');
    neigh_update(net, n, lladdr, solicited ? 'NUD_REACHABLE' : 'NUD_STALE', skb);
    return null;
  } finally {
    net.leave(call);
  }
}

/** ndisc_error_report → ip6_link_failure: the waiting packet's sender gets address unreachable. */
function ndisc_error_report(net: Net, n: Neighbour, skb: SkBuff): void {
  const call = net.enter('ndisc_error_report');
  try {
    net.call('ip6_link_failure', () => {
      net.step(skb, 'L3', 'ip6_link_failure', 'net/ipv6/route.c', net.full ? `The next hop ${nkey(n)} cannot be reached: the sender gets ICMPv6 address unreachable.` : '');
      icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
    });
    net.drop(skb, 'L2', 'ndisc_error_report', FILE, 'NOT_SPECIFIED', net.full ? `Neighbour discovery for ${nkey(n)} failed: the waiting packet is freed.` : '');
  } finally {
    net.leave(call);
  }
}
