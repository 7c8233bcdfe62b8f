// net/ipv4/route.c: the routing decision for received packets (ip_route_input_noref, down to
// ip_route_input_slow) and for packets the host sends (ip_route_output_key), and ip_error.
import { HZ } from '../../proc/sysctl';
import { jiffiesAt } from '../../sim/scheduler';
import { inet_getpeer } from './inetpeer';
import type { SkbDropReason } from '../core/dropreason';
import { inPrefix, isLbcast, isLoopback, isMulticast, isZeronet, numToIp } from '../../proto/addr';
import type { Net } from '../net_namespace';
import type { What } from '../../sim/recorder';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import { IPSKB_DOREDIRECT } from '../core/skbuff';
import { ETH_P_IP } from '../../proto/ethernet';
import { Fib, RT_TABLE_LOCAL, type FibRoute, type Flowi4 } from './fib';
import { neigh_create, neigh_event_send, neigh_lookup } from '../core/neighbour';
import { nudValid } from '../core/neighbour_types';
import { Rtable, EACCES, EHOSTUNREACH, EINVAL, ENETUNREACH, type DstInput, type DstOutput } from './route_types';
import { IP_LOCAL_DELIVER } from './ip_input';
import { IP_FORWARD } from './ip_forward';
import { IP_MC_OUTPUT, IP_OUTPUT } from './ip_output';
import { DST_DISCARD } from '../core/dst';
import { icmp_send } from './icmp';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PKT_FILTERED } from '../../proto/icmp';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IpExtInNoRoutes = snmpId('IpExtInNoRoutes');
const SNMP_IpInAddrErrors = snmpId('IpInAddrErrors');

export const ROUTE_FILE = 'net/ipv4/route.c';
export const EXDEV = 18;

export const ERRNO_NAMES: Record<number, string> = {
  [EINVAL]: 'EINVAL',
  [EHOSTUNREACH]: 'EHOSTUNREACH',
  [ENETUNREACH]: 'ENETUNREACH',
  [EACCES]: 'EACCES',
  [EXDEV]: 'EXDEV',
};

/**
 * ip_route_input_slow's flowi4, which the kernel keeps on its stack: one object filled for each
 * lookup (fib_lookup keeps nothing of it), not one made per received packet.
 */
const inputFlow: Flowi4 = { daddr: 0, saddr: 0, iif: 0, oif: 0, mark: 0, tos: 0, iifName: 'lo' };

function flowFor(daddr: number, saddr: number, iif: NetDevice, mark: number, tos: number): Flowi4 {
  const fl = inputFlow;
  fl.daddr = daddr;
  fl.saddr = saddr;
  fl.iif = iif.ifindex;
  fl.mark = mark;
  fl.tos = tos;
  fl.iifName = iif.name;
  return fl;
}

/**
 * inet_lookup_ifaddr: is `a` one of this host's addresses? The kernel looks it up in a hash of
 * the namespace's addresses (inet_addr_lst); here a set, made again when Fib.genid has moved
 * (addrAdd and addrDel flush), where a walk of every device's addresses was made for each
 * forwarded packet (fib_validate_source).
 */
export function isLocalAddr(net: Net, a: number): boolean {
  const fib = net.fib;
  if (fib.ifaddrsGen !== fib.genid) {
    fib.ifaddrs.clear();
    for (const d of net.devices.values()) for (const ifa of d.addrs) fib.ifaddrs.add(ifa.local);
    fib.ifaddrsGen = fib.genid;
  }
  return fib.ifaddrs.has(a);
}

/**
 * __ip_dev_find (net/ipv4/fib_frontend.c, v6.12): the device holding address `a`; when no
 * interface has it, the local table's RTN_LOCAL route for it (so 127.0.0.6, covered by lo's
 * `local 127.0.0.0/8` route, is ours to send from). null when neither.
 */
export function ip_dev_find(net: Net, a: number): NetDevice | null {
  for (const d of net.devices.values()) for (const ifa of d.addrs) if (ifa.local === a) return d;
  const r = net.fib.tableLookup(RT_TABLE_LOCAL, { daddr: a, saddr: 0, iif: net.lo.ifindex, oif: 0, mark: 0, tos: 0 });
  return r && r.type === 'RTN_LOCAL' ? r.dev : null;
}

/**
 * fib_validate_source (net/ipv4/fib_frontend.c, v6.12): the source address check. Without
 * rp_filter (and unless the packet would go back out the device it came in on with
 * send_redirects on) it only refuses one of our own addresses as a source (inet_lookup_ifaddr),
 * or nothing with accept_local — but once the namespace has rules of its own (`ip rule`) or
 * routes of type local added by hand, that shortcut is too optimistic and the full check runs
 * (__fib_validate_source). Returns a negative errno (-EINVAL martian, -EXDEV rp_filter), 0, or
 * 1 when the source is directly connected on `dev` (RTCF_DIRECTSRC: what ICMP redirects need).
 * `oif` is the output device of a packet to forward (0 for local delivery).
 */
function fib_validate_source(net: Net, skb: SkBuff, saddr: number, daddr: number, tos: number, oif: number, dev: NetDevice): number {
  const rpf = net.devMaxconf(dev, 'rp_filter');
  if (!rpf && (dev.ifindex !== oif || !net.devOrconf(dev, 'send_redirects'))) {
    if (net.devOrconf(dev, 'accept_local')) return 0;
    if (!net.fib.hasCustomLocalRoutes && !net.fib.hasCustomRules) return isLocalAddr(net, saddr) ? -EINVAL : 0;
  }
  return __fib_validate_source(net, skb, saddr, daddr, tos, oif, dev, rpf);
}

/**
 * __fib_validate_source: look the source up as a destination (from `oif`, else loopback). No
 * route: accepted unless rp_filter is on. A route of another type than unicast (a broadcast
 * address, a blackhole…; local only with accept_local) makes it a martian. A route through
 * `dev` accepts it; otherwise strict rp_filter refuses it, loose rp_filter (2) accepts it.
 */
function __fib_validate_source(net: Net, skb: SkBuff, saddr: number, daddr: number, tos: number, oif: number, dev: NetDevice, rpf: number): number {
  const from = oif ? net.devByIndex(oif) ?? null : null;
  // IN_DEV_SRC_VMARK: the packet's mark takes part only with src_valid_mark
  const mark = net.devOrconf(dev, 'src_valid_mark') ? skb.mark : 0;
  const fl: Flowi4 = { daddr: saddr, saddr: daddr, iif: from ? from.ifindex : net.lo.ifindex, oif: 0, mark, tos, iifName: from ? from.name : 'lo' };
  const rev = net.fib.lookup(fl);
  if ('error' in rev) return rpf ? -EXDEV : 0;
  const r = rev.route;
  if (r.type !== 'RTN_UNICAST' && (r.type !== 'RTN_LOCAL' || !net.devOrconf(dev, 'accept_local'))) return -EINVAL;
  if (r.dev === dev || (r.type === 'RTN_LOCAL' && dev.isLoopback)) return direct(r);
  if (!dev.addrs.length) return rpf ? -EXDEV : 0;
  if (rpf === 1) return -EXDEV;
  const via = net.fib.lookup({ ...fl, oif: dev.ifindex });
  return !('error' in via) && via.route.type === 'RTN_UNICAST' ? direct(via.route) : 0;
}

/** The nexthop's scope is host for a route without a gateway, link (or less) through one. */
function direct(x: FibRoute): number {
  return x.gw ? 0 : 1;
}

/** Why fib_validate_source called a source martian, in words. */
function sourceWhy(net: Net, saddr: number): string {
  return isLocalAddr(net, saddr) ? 'the source is one of our own addresses' : 'looked up as a destination, the source is not a unicast address (a broadcast address, or a route that refuses it)';
}

/** inet_addr_onlink: an address of `dev` whose prefix holds `a` (and `b`, unless 0) */
function onLinkWith(dev: NetDevice, a: number, b: number): boolean {
  return dev.addrs.some((x) => inPrefix(a, x.local, x.plen) && (!b || inPrefix(b, x.local, x.plen)));
}

/**
 * The sentences of the two common routes, made only by a full trace; built here so that
 * ip_route_input_noref itself captures nothing (a captured variable costs a context per call).
 */
function localWhat(daddr: number): What {
  return () => `fib_lookup finds ${numToIp(daddr)} in the local table: it is one of this host's addresses, so dst->input = ip_local_deliver.`;
}

function mkrouteWhat(table: number, rt: FibRoute, out: NetDevice): What {
  return () => `fib_lookup (table ${tableName(table)}) matches ${describeRoute(rt)}; forwarding is on, so dst->input = ip_forward and the packet will leave on ${out.name}${rt.gw ? ` via ${numToIp(rt.gw)}` : ''}.`;
}

/** ip_route_input_slow's own steps (one sentence each); module functions, not closures made per call. */
function sayInput(net: Net, skb: SkBuff, what: What): void {
  net.step(skb, 'L3', 'ip_route_input_slow', ROUTE_FILE, what);
}

function martianSource(net: Net, skb: SkBuff, saddr: number, why: string): number {
  sayInput(net, skb, `Martian source ${numToIp(saddr)} (${why}): the packet is refused (-EINVAL).`);
  return -EINVAL;
}

function martianDest(net: Net, skb: SkBuff, daddr: number, why: string): number {
  sayInput(net, skb, `Martian destination ${numToIp(daddr)} (${why}): the packet is refused (-EINVAL).`);
  return -EINVAL;
}

function localInput(net: Net, skb: SkBuff, daddr: number, type: 'RTN_LOCAL' | 'RTN_BROADCAST', what: What): number {
  skb.dstSet(new Rtable(type, net.lo, IP_LOCAL_DELIVER, IP_RT_BUG, 0, 0), daddr);
  sayInput(net, skb, what);
  return 0;
}

/**
 * rt_cache_valid (net/ipv4/route.c, v6.12): the route a next hop keeps for input, if it is still
 * of the namespace's generation (rt_is_expired); else null.
 */
function cachedInput(net: Net, nh: FibRoute): Rtable | null {
  const rth = nh.nhc_rth_input;
  return rth !== null && rth.genid === net.fib.genid ? rth : null;
}

/**
 * ip_route_input_slow's local_input with a local route from the FIB (res->fi): the route is
 * kept on that route's next hop (rt_cache_route) and shared by every packet delivered through it.
 */
function localInputCached(net: Net, skb: SkBuff, daddr: number, nh: FibRoute, what: What): number {
  let rth = cachedInput(net, nh);
  if (rth === null) {
    rth = new Rtable('RTN_LOCAL', net.lo, IP_LOCAL_DELIVER, IP_RT_BUG, 0, 0);
    rth.genid = net.fib.genid;
    nh.nhc_rth_input = rth;
  }
  skb.dstSet(rth, daddr);
  sayInput(net, skb, what);
  return 0;
}

/** brd_input: a broadcast's source is validated too (unless it is 0.0.0.0/8) */
function brdInput(net: Net, skb: SkBuff, daddr: number, saddr: number, tos: number, dev: NetDevice, what: string): number {
  if (!isZeronet(saddr)) {
    const err = fib_validate_source(net, skb, saddr, 0, tos, 0, dev);
    if (err === -EXDEV) return err;
    if (err < 0) return martianSource(net, skb, saddr, sourceWhy(net, saddr));
  }
  return localInput(net, skb, daddr, 'RTN_BROADCAST', what);
}

function noRoute(net: Net, skb: SkBuff, daddr: number, err: number, what: string): number {
  skb.dstSet(new Rtable('RTN_UNREACHABLE', net.lo, IP_ERROR, IP_RT_BUG, 0, 0, err), daddr);
  sayInput(net, skb, what);
  return 0;
}

/**
 * ip_route_input_noref → ip_route_input_slow: decide what to do with a received datagram and
 * attach the route (skb->dst): deliver locally, forward, or fail (ip_error). Returns 0 or -errno.
 */
export function ip_route_input_noref(net: Net, skb: SkBuff, daddr: number, saddr: number, tos: number, dev: NetDevice): number {
  const call = net.enter('ip_route_input_noref');
  try {
    // ip_route_input_rcu: a multicast destination never reaches ip_route_input_slow
    if (isMulticast(daddr)) return ip_route_input_mc(net, skb, daddr, saddr, tos, dev);
    if (isMulticast(saddr) || isLbcast(saddr)) return martianSource(net, skb, saddr, 'multicast or broadcast source');
    if (isLbcast(daddr) || (saddr === 0 && daddr === 0)) {
      return brdInput(net, skb, daddr, saddr, tos, dev, `${numToIp(daddr)} is the limited broadcast address: the packet is for every host on the link, so it is delivered locally.`);
    }
    if (isZeronet(saddr)) return martianSource(net, skb, saddr, '0.0.0.0/8 source');
    if (isZeronet(daddr)) return martianDest(net, skb, daddr, '0.0.0.0/8 destination');
    if (isLoopback(daddr) && !net.devOrconf(dev, 'route_localnet')) return martianDest(net, skb, daddr, 'loopback destination on a real interface');
    if (isLoopback(saddr) && !net.devOrconf(dev, 'route_localnet')) return martianSource(net, skb, saddr, 'loopback source on a real interface');

    const fl = flowFor(daddr, saddr, dev, skb.mark, tos);
    const lookup = net.enter('fib_lookup');
    let res;
    try {
      res = net.fib.lookup(fl);
    } finally {
      net.leave(lookup);
    }
    const forwarding = net.devconf(dev, 'forwarding') !== 0;
    if ('error' in res) {
      const err = forwarding ? res.error : EHOSTUNREACH;
      const why = res.error === ENETUNREACH ? `no route matches ${numToIp(daddr)}` : `the route for ${numToIp(daddr)} is of a type that refuses it (${ERRNO_NAMES[res.error]})`;
      return noRoute(net, skb, daddr, err, `fib_lookup fails: ${why}. The packet gets an error route whose input is ip_error (${ERRNO_NAMES[err]}).`);
    }
    const rt = res.route;
    if (rt.type === 'RTN_BROADCAST') {
      return brdInput(net, skb, daddr, saddr, tos, dev, `fib_lookup finds a broadcast route for ${numToIp(daddr)} in table ${tableName(res.table)}: the packet is delivered locally as a broadcast.`);
    }
    if (rt.type === 'RTN_LOCAL') {
      const err = fib_validate_source(net, skb, saddr, daddr, tos, 0, dev);
      if (err < 0) {
        if (err === -EXDEV) return err;
        return martianSource(net, skb, saddr, sourceWhy(net, saddr));
      }
      return localInputCached(net, skb, daddr, rt, net.full ? localWhat(daddr) : '');
    }
    if (!forwarding) {
      return noRoute(net, skb, daddr, EHOSTUNREACH, `${numToIp(daddr)} is not one of this host's addresses and forwarding is off on ${dev.name} (net.ipv4.conf.${dev.name}.forwarding = 0): dst->input = ip_error (EHOSTUNREACH).`);
    }
    if (rt.type !== 'RTN_UNICAST') return martianDest(net, skb, daddr, `route type ${rt.type}`);
    // ip_mkroute_input → __mkroute_input
    const out = rt.dev!;
    const err = fib_validate_source(net, skb, saddr, daddr, tos, out.ifindex, dev);
    if (err < 0) {
      if (err === -EXDEV) return err;
      return martianSource(net, skb, saddr, sourceWhy(net, saddr));
    }
    if (out === dev && err > 0 && net.devOrconf(out, 'send_redirects') && skb.protocol === ETH_P_IP) {
      const gw = rt.gw;
      if (net.devOrconf(out, 'shared_media') || onLinkWith(out, saddr, gw)) {
        skb.cb.ipFlags = (skb.cb.ipFlags ?? 0) | IPSKB_DOREDIRECT;
      }
    }
    // an ARP request (arp_process routes it too) back out the device it came in on is no route
    // for proxy ARP, unless proxy_arp_pvlan, a key the model does not have (a write is refused)
    if (skb.protocol !== ETH_P_IP && out === dev) {
      sayInput(net, skb, `An ARP request for ${numToIp(daddr)}, whose route leaves through ${dev.name} where it came in: no route for proxy ARP (-EINVAL).`);
      return -EINVAL;
    }
    // __mkroute_input: the next hop's cached route (nhc_rth_input), unless a next-hop exception
    // for this destination (a redirect's gateway) binds the packet to a route of its own
    const fnhe = net.fnhe.get(daddr);
    let rth = fnhe !== undefined && fnhe.route === rt ? null : cachedInput(net, rt);
    if (rth === null) {
      rth = new Rtable('RTN_UNICAST', out, IP_FORWARD, IP_OUTPUT, find_exception_gw(net, rt, daddr), rt.mtu);
      rth.mtuLocked = !!rt.mtuLock;
      if (fnhe === undefined || fnhe.route !== rt) {
        rth.genid = net.fib.genid;
        rt.nhc_rth_input = rth;
      }
    }
    skb.dstSet(rth, daddr);
    net.step(skb, 'L3', 'ip_mkroute_input', ROUTE_FILE, net.full ? mkrouteWhat(res.table, rt, out) : '');
    return 0;
  } finally {
    net.leave(call);
  }
}

/** IGMP_ALL_HOSTS, 224.0.0.1: the group ip_mc_up joins on every device that comes up. */
const IGMP_ALL_HOSTS = 0xe0000001;
const IPPROTO_IGMP = 2;
/** 224.0.0.0/24, ipv4_is_local_multicast */
const isLocalMulticast = (a: number): boolean => (a & 0xffffff00) >>> 0 === 0xe0000000;

/**
 * The multicast branch of ip_route_input_rcu (v6.12): ip_check_mc_rcu asks whether the device
 * has joined the group. Here it has joined only 224.0.0.1 (ip_mc_up; no socket of the model
 * joins a group) and multicast forwarding is off (no mroute daemon), so any other group is
 * refused (-EINVAL). A joined group goes through ip_route_input_mc: ip_mc_validate_source
 * checks the source (no multicast or limited broadcast source, no loopback source without
 * route_localnet, 0.0.0.0 only to 224.0.0.0/24 or for IGMP, else fib_validate_source — our own
 * address as source is a martian), then the route is RTN_MULTICAST with RTCF_LOCAL: delivered here.
 */
function ip_route_input_mc(net: Net, skb: SkBuff, daddr: number, saddr: number, tos: number, dev: NetDevice): number {
  const say = (what: string): void => net.step(skb, 'L3', 'ip_route_input_mc', ROUTE_FILE, what);
  if (daddr !== IGMP_ALL_HOSTS || !dev.up) {
    net.step(skb, 'L3', 'ip_route_input_noref', ROUTE_FILE, net.full ? `${numToIp(daddr)} is a multicast group ${dev.name} has not joined (ip_check_mc_rcu: only 224.0.0.1, all hosts, is joined) and multicast forwarding is off: the packet is refused (-EINVAL).` : '');
    return -EINVAL;
  }
  const proto = skb.buf[skb.network_header + 9];
  let bad = '';
  if (isMulticast(saddr) || isLbcast(saddr)) bad = 'a multicast or broadcast source';
  else if (isLoopback(saddr) && !net.devOrconf(dev, 'route_localnet')) bad = 'a loopback source on a real interface';
  else if (isZeronet(saddr)) {
    if (!isLocalMulticast(daddr) && proto !== IPPROTO_IGMP) bad = 'a 0.0.0.0/8 source to a group outside 224.0.0.0/24';
  } else {
    const err = fib_validate_source(net, skb, saddr, 0, tos, 0, dev);
    if (err === -EXDEV) return err;
    if (err < 0) bad = sourceWhy(net, saddr);
  }
  if (bad) {
    say(`ip_mc_validate_source: martian source ${numToIp(saddr)} for the group ${numToIp(daddr)} (${bad}): the packet is refused (-EINVAL).`);
    return -EINVAL;
  }
  skb.dstSet(new Rtable('RTN_MULTICAST', net.lo, IP_LOCAL_DELIVER, IP_RT_BUG, 0, 0), daddr);
  say(`${dev.name} has joined ${numToIp(daddr)} (all hosts) and the source passes ip_mc_validate_source: a multicast route (RTN_MULTICAST, RTCF_LOCAL) whose input is ip_local_deliver.`);
  return 0;
}

export function tableName(t: number): string {
  return t === 254 ? 'main' : t === 255 ? 'local' : t === 253 ? 'default' : String(t);
}

export function describeRoute(r: FibRoute): string {
  const dst = r.plen === 0 ? 'default' : `${numToIp(r.dst)}/${r.plen}`;
  return `${dst}${r.gw ? ` via ${numToIp(r.gw)}` : ''}${r.dev ? ` dev ${r.dev.name}` : ''}`;
}

/** inet_select_addr: a source address on `dev` for talking to `dst`, else any global one. */
export function inet_select_addr(net: Net, dev: NetDevice | null, dst: number): number {
  if (dev) {
    const onLink = dev.addrs.find((a) => !a.secondary && a.scope !== 'host' && inPrefix(dst, a.local, a.plen));
    if (onLink) return onLink.local;
    const prim = dev.addrs.find((a) => !a.secondary && a.scope !== 'host');
    if (prim) return prim.local;
  }
  for (const d of net.devices.values()) {
    if (d.isLoopback) continue;
    const a = d.addrs.find((x) => x.scope === 'global');
    if (a) return a.local;
  }
  const lo = net.lo.addrs.find((a) => a.scope === 'global');
  return lo ? lo.local : 0;
}

export type OutputRoute = { rt: Rtable; saddr: number; daddr: number } | { error: number; what: string };

const INADDR_LOOPBACK = 0x7f000001;

/**
 * ip_route_output_key (ip_route_output_key_hash_rcu, v6.12): the route for a packet this host
 * sends, with the source address it will carry and the destination (0.0.0.0 becomes the source,
 * or 127.0.0.1, through lo). Errors are the -errno a sendmsg would return.
 */
export function ip_route_output_key(net: Net, daddr: number, saddr: number, mark = 0, oif: NetDevice | null = null): OutputRoute {
  if (saddr && (isMulticast(saddr) || isLbcast(saddr) || isZeronet(saddr))) return { error: EINVAL, what: `${numToIp(saddr)} cannot be a source address` };
  // __ip_dev_find: the source must be local (an interface's address or a local route's)
  if (saddr && !ip_dev_find(net, saddr)) return { error: ENETUNREACH, what: `${numToIp(saddr)} is not an address of this host` };
  if (!daddr) {
    // no destination: the packet is for this host, through lo
    const d = saddr || INADDR_LOOPBACK;
    return { rt: new Rtable('RTN_LOCAL', net.lo, IP_LOCAL_DELIVER, IP_OUTPUT, 0, 0, 0, d), saddr: d, daddr: d };
  }
  const fl: Flowi4 = { daddr, saddr, iif: net.lo.ifindex, oif: oif ? oif.ifindex : 0, mark, tos: 0, iifName: 'lo', oifName: oif?.name };
  const res = net.fib.lookup(fl);
  if ('error' in res) {
    const what = res.error === ENETUNREACH ? `no route to ${numToIp(daddr)} (Network is unreachable)` : `the route to ${numToIp(daddr)} refuses it (${ERRNO_NAMES[res.error]})`;
    return { error: res.error, what };
  }
  const r = res.route;
  if (r.type === 'RTN_LOCAL') {
    const src = saddr || (r.prefsrc ? r.prefsrc : daddr);
    return { rt: new Rtable('RTN_LOCAL', net.lo, IP_LOCAL_DELIVER, IP_OUTPUT, 0, 0, 0, src), saddr: src, daddr };
  }
  // __mkroute_output: 255.255.255.255 and a broadcast route make a broadcast route (no gateway);
  // any other 0.0.0.0/8 destination is refused
  const bcast = isLbcast(daddr) || r.type === 'RTN_BROADCAST';
  if (!bcast && isZeronet(daddr)) return { error: EINVAL, what: `${numToIp(daddr)} is not a valid destination (0.0.0.0/8)` };
  const dev = r.dev!;
  const src = saddr || r.prefsrc || inet_select_addr(net, dev, r.gw || daddr);
  const rt = bcast ? new Rtable('RTN_BROADCAST', dev, IP_LOCAL_DELIVER, IP_MC_OUTPUT, 0, r.mtu, 0, src) : new Rtable('RTN_UNICAST', dev, DST_DISCARD, IP_OUTPUT, find_exception_gw(net, r, daddr), r.mtu, 0, src);
  rt.mtuLocked = !!r.mtuLock;
  return { rt, saddr: src, daddr };
}

// ip_rt_error_cost and ip_rt_error_burst, in jiffies as route.c keeps them
const IP_RT_ERROR_COST = HZ;
const IP_RT_ERROR_BURST = 5 * HZ;

/**
 * ip_error: dst->input of an error route. With forwarding off only a counter moves; with it on,
 * the sender gets an ICMP destination unreachable (within the inet_peer rate limit).
 */
export function ip_error(net: Net, skb: SkBuff): void {
  const call = net.enter('ip_error');
  try {
    const rt = skb.dst!;
    const dev = skb.dev!;
    if (!net.devconf(dev, 'forwarding')) {
      if (rt.error === EHOSTUNREACH) {
        net.count(SNMP_IpInAddrErrors);
        net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, 'IP_INADDRERRORS', net.full ? `This host does not forward (forwarding = 0 on ${dev.name}) and the packet is not for one of its addresses: IpInAddrErrors, dropped.` : '');
        return;
      }
      if (rt.error === ENETUNREACH) {
        net.count(SNMP_IpExtInNoRoutes);
        net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, 'IP_INNOROUTES', 'No route for the destination and no forwarding: IpExtInNoRoutes, dropped.');
        return;
      }
      net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, 'NOT_SPECIFIED', 'The packet has an error route and this host does not forward: dropped.');
      return;
    }
    let code: number;
    let reason: SkbDropReason = 'NOT_SPECIFIED';
    switch (rt.error) {
      case EHOSTUNREACH:
        code = ICMP_HOST_UNREACH;
        break;
      case ENETUNREACH:
        code = ICMP_NET_UNREACH;
        reason = 'IP_INNOROUTES';
        net.count(SNMP_IpExtInNoRoutes);
        break;
      case EACCES:
        code = ICMP_PKT_FILTERED;
        break;
      default:
        net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, 'NOT_SPECIFIED', 'The route is a blackhole: the packet is dropped without a word to the sender.');
        return;
    }
    // The sender's inet_peer token bucket: one error per ip_rt_error_cost (HZ), a burst of
    // ip_rt_error_burst (5 HZ); a new peer starts full. It is the same peer entry, and the same
    // rate_tokens, that icmpv4_xrlim_allow then takes its own token from (v6.12).
    const saddr = readIpHeader(skb, skb.network_header).saddr;
    const now = jiffiesAt(net.w.sched.now);
    const peer = inet_getpeer(net.peers, saddr, now);
    peer.rateTokens = Math.min(peer.rateTokens + (now - peer.rateLast), IP_RT_ERROR_BURST);
    peer.rateLast = now;
    if (peer.rateTokens >= IP_RT_ERROR_COST) {
      peer.rateTokens -= IP_RT_ERROR_COST;
      net.step(skb, 'L3', 'ip_error', ROUTE_FILE, net.full ? `The packet cannot be routed (${ERRNO_NAMES[rt.error]}): ip_error answers the sender with ICMP destination unreachable, code ${code}.` : '');
      icmp_send(net, skb, ICMP_DEST_UNREACH, code, 0);
    } else {
      net.step(skb, 'L3', 'ip_error', ROUTE_FILE, net.full ? `The packet cannot be routed (${ERRNO_NAMES[rt.error]}), but ${numToIp(saddr)}'s token bucket (one error a second, a burst of five, shared with the ICMP rate limit) is empty: no ICMP error.` : '');
    }
    net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, reason, 'The packet itself is freed after the ICMP error was sent.');
  } finally {
    net.leave(call);
  }
}

export const IP_ERROR: DstInput = { name: 'ip_error', fn: ip_error };

/**
 * ip_rt_bug: dst->output of an input route. Nothing should send a packet on a route made for
 * receiving; the kernel warns and frees it, and reports success.
 */
function ip_rt_bug(net: Net, skb: SkBuff): number {
  net.drop(skb, 'L3', 'ip_rt_bug', ROUTE_FILE, 'NOT_SPECIFIED', 'A packet was sent on an input route (dst->output is ip_rt_bug): the kernel warns and frees it.');
  return 0;
}

export const IP_RT_BUG: DstOutput = { name: 'ip_rt_bug', fn: ip_rt_bug };

/**
 * find_exception → rt_bind_exception (v6.12): a next-hop exception a redirect left on this
 * route's next hop for `daddr` replaces its gateway (RTCF_REDIRECTED).
 */
function find_exception_gw(net: Net, r: FibRoute, daddr: number): number {
  const e = net.fnhe.get(daddr);
  return e && e.route === r ? e.gw : r.gw;
}

/** inet_addr_type (net/ipv4/fib_frontend.c): what the local table says an address is. */
export function inet_addr_type(net: Net, a: number): 'RTN_UNICAST' | 'RTN_LOCAL' | 'RTN_BROADCAST' | 'RTN_MULTICAST' {
  if (isZeronet(a) || isLbcast(a)) return 'RTN_BROADCAST';
  if (isMulticast(a)) return 'RTN_MULTICAST';
  const r = net.fib.tableLookup(RT_TABLE_LOCAL, { daddr: a, saddr: 0, iif: net.lo.ifindex, oif: 0, mark: 0, tos: 0 });
  if (r && (r.type === 'RTN_LOCAL' || r.type === 'RTN_BROADCAST' || r.type === 'RTN_MULTICAST')) return r.type;
  return 'RTN_UNICAST';
}

/** IN_DEV_RX_REDIRECTS: a router needs accept_redirects on "all" and the device, a host on either. */
function rxRedirects(net: Net, dev: NetDevice): boolean {
  if (net.devconf(dev, 'forwarding')) return !!(net.devconf(dev, 'accept_redirects') && net.get('net.ipv4.conf.all.accept_redirects'));
  return !!net.devOrconf(dev, 'accept_redirects');
}

/**
 * ipv4_sk_redirect / ip_do_redirect → __ip_do_redirect (net/ipv4/route.c, v6.12): an ICMP redirect
 * about a datagram we sent. skb->data is at the quoted IP header; the redirect's own IP source is
 * the gateway that sent it. Accepted only from the gateway our route uses, for an on-link new
 * gateway; then, once the new gateway's neighbour entry is valid, a next-hop exception sends the
 * destination there. While it is not valid, the redirect only starts resolving it.
 */
export function ip_do_redirect(net: Net, skb: SkBuff, newGw: number): void {
  net.call('__ip_do_redirect', () => {
    const say = (what: string): void => net.step(skb, 'L3', '__ip_do_redirect', ROUTE_FILE, what);
    const outer = readIpHeader(skb, skb.network_header);
    const inner = readIpHeader(skb, skb.data);
    const oldGw = outer.saddr;
    const code = skb.buf[skb.transport_header + 1] & 7;
    if (code > 3) return say(`Redirect code ${code} is not one the kernel acts on: ignored.`);
    const fl: Flowi4 = { daddr: inner.daddr, saddr: inner.saddr, iif: net.lo.ifindex, oif: 0, mark: 0, tos: 0, iifName: 'lo' };
    const res = net.fib.lookup(fl);
    if ('error' in res || !res.route.dev) return say(`No route to ${numToIp(inner.daddr)}: the redirect changes nothing.`);
    const route = res.route;
    const odev = res.route.dev;
    const gwNow = find_exception_gw(net, route, inner.daddr);
    if (!gwNow || gwNow !== oldGw) return say(`The redirect comes from ${numToIp(oldGw)}, which is not the gateway our route to ${numToIp(inner.daddr)} uses${gwNow ? ` (${numToIp(gwNow)})` : ' (it is on-link)'}: ignored.`);
    const dev = skb.dev!;
    const reject = (why: string): void => say(`The redirect from ${numToIp(oldGw)} to use ${numToIp(newGw)} for ${numToIp(inner.daddr)} is rejected: ${why}.`);
    if (newGw === oldGw || !rxRedirects(net, dev) || isMulticast(newGw) || isLbcast(newGw) || isZeronet(newGw)) {
      return reject(newGw === oldGw ? 'the new gateway is the old one' : !rxRedirects(net, dev) ? `accept_redirects is off on ${dev.name}${net.devconf(dev, 'forwarding') ? ' (a router needs it on "all" and on the device)' : ''}` : 'the new gateway is not a unicast address');
    }
    if (!net.devOrconf(dev, 'shared_media')) {
      if (!dev.addrs.some((a) => inPrefix(newGw, a.local, a.plen) && inPrefix(oldGw, a.local, a.plen))) return reject('with shared_media off the new gateway must be on the same subnet as the old one (inet_addr_onlink)');
      // IN_DEV_SEC_REDIRECTS, then ip_fib_check_default: only a gateway some live route of this
      // device already uses (any table) may be taken
      if (net.devOrconf(dev, 'secure_redirects') && !net.fib.routes.some((r) => r.dev === dev && r.gw === newGw && dev.up)) return reject(`secure_redirects is on and no route through ${dev.name} has ${numToIp(newGw)} as its gateway (ip_fib_check_default)`);
    } else if (inet_addr_type(net, newGw) !== 'RTN_UNICAST') return reject('the new gateway is not a unicast address here (inet_addr_type)');
    const n = neigh_lookup(net, odev, newGw) ?? neigh_create(net, odev, newGw);
    if (!nudValid(n.state)) {
      say(`Redirect accepted in principle, but the new gateway ${numToIp(newGw)} has no valid neighbour entry (${n.state}): neigh_event_send starts resolving it and the route stays as it is.`);
      neigh_event_send(net, n, null);
      return;
    }
    net.fnhe.set(inner.daddr, { route, gw: newGw });
    say(`${numToIp(newGw)} is a valid neighbour on ${odev.name}: update_or_create_fnhe records a next-hop exception, so ${numToIp(inner.daddr)} now goes via ${numToIp(newGw)} (NETEVENT_NEIGH_UPDATE).`);
  });
}

function readIpHeader(skb: SkBuff, at: number): { saddr: number; daddr: number } {
  const b = skb.buf;
  const rd = (o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  return { saddr: rd(at + 12), daddr: rd(at + 16) };
}

export { Fib };
