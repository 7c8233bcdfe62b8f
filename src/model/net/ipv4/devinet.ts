// What `ip addr`, `ip link`, `ip route`, `ip rule` and `ip neigh` change, with the kernel's
// answers (net/ipv4/devinet.c, net/ipv4/fib_frontend.c, net/core/dev.c, net/core/neighbour.c).
// Errors are thrown as the message iproute2 prints, for the scenario layer to place.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import { inPrefix, ipToNum, prefixMask } from '../../proto/addr';
import { Fib, fibAddIfaddr, fibTypeError, RT_TABLE_LOCAL, RT_TABLE_MAIN, type FibRoute, type FibRule, type Scope } from './fib';
import type { RtnType } from './route_types';
import { neigh_add_static, neigh_lookup } from '../core/neighbour';
import { nudValid, type NudState } from '../core/neighbour_types';
import { addrconf_dev_up } from '../ipv6/addrconf';

export class NetlinkError extends Error {}

export function addrAdd(net: Net, dev: NetDevice, local: number, plen: number, broadcast: number, scope: 'global' | 'link' | 'host' = 'global'): void {
  if (dev.addrs.some((a) => a.local === local && a.plen === plen)) throw new NetlinkError('Error: ipv4: Address already assigned.');
  const sameNet = dev.addrs.some((a) => a.plen === plen && inPrefix(local, a.local, plen));
  dev.addrs.push({ local, plen, broadcast, scope: dev.isLoopback && scope === 'global' && (local >>> 24) === 127 ? 'host' : scope, secondary: sameNet });
  fibAddIfaddr(net.fib, dev, local, plen, broadcast);
  net.fib.rt_cache_flush();
}

type Ifaddr = NetDevice['addrs'][number];

/**
 * `ip address del` (inet_rtm_deladdr → __inet_del_ifa, v6.12): a primary address takes the
 * secondaries of its subnet with it (promote_secondaries off, the default), each leaving first;
 * each address's routes go as fib_del_ifaddr decides.
 */
export function addrDel(net: Net, dev: NetDevice, local: number, plen: number): void {
  const a = dev.addrs.find((x) => x.local === local && x.plen === plen);
  if (!a) throw new NetlinkError('Error: ipv4: Address not found.');
  if (!a.secondary) {
    const mask = prefixMask(a.plen);
    for (const s2 of dev.addrs.filter((x) => x.secondary && x.plen === a.plen && ((x.local ^ a.local) & mask) === 0)) delIfaddr(net, dev, s2);
  }
  delIfaddr(net, dev, a);
  // the addresses changed even when no route did (isLocalAddr's set)
  net.fib.rt_cache_flush();
}

/**
 * Unlink one address, then fib_del_ifaddr (net/ipv4/fib_frontend.c): a primary's prefix route
 * goes; its local and broadcast routes go unless another address of the same primary source
 * still needs them (the LOCAL_OK / BRD_OK / BRD0_OK / BRD1_OK scan); routes that preferred it as
 * their source go once it is no local address any more (fib_sync_down_addr).
 */
function delIfaddr(net: Net, dev: NetDevice, ifa: Ifaddr): void {
  dev.addrs.splice(dev.addrs.indexOf(ifa), 1);
  const mask = prefixMask(ifa.plen);
  const any = (ifa.local & mask) >>> 0;
  const brd = (ifa.local | ~mask) >>> 0;
  const byPrefix = (addr: number, m: number): Ifaddr | undefined => dev.addrs.find((x) => !x.secondary && prefixMask(x.plen) === m && ((x.local ^ addr) & m) === 0);
  const prim = ifa.secondary ? byPrefix(ifa.local, mask) : ifa;
  if (!prim) return;
  const kill = (table: number, type: RtnType, dst: number, p: number): void => {
    net.fib.remove((r) => r.dev === dev && r.proto === 'kernel' && r.table === table && r.type === type && r.dst === dst && r.plen === p);
  };
  let subnet = false;
  if (!ifa.secondary && any !== 0 && (any !== ifa.local || ifa.plen < 32)) {
    kill(dev.isLoopback ? RT_TABLE_LOCAL : RT_TABLE_MAIN, dev.isLoopback ? 'RTN_LOCAL' : 'RTN_UNICAST', any, ifa.plen);
    subnet = true;
  }
  let localOk = false;
  let brdOk = false;
  let brd0Ok = false;
  let brd1Ok = false;
  let samePrefsrc = false;
  let prim1: Ifaddr | undefined;
  for (const ifa1 of dev.addrs) {
    if (ifa1.secondary) {
      if (prefixMask(ifa1.plen) === prefixMask(prim.plen) && ((ifa1.local ^ prim.local) & prefixMask(prim.plen)) === 0) prim1 = prim;
      else {
        if (!samePrefsrc) continue;
        if (!prim1 || prefixMask(ifa1.plen) !== prefixMask(prim1.plen) || ((ifa1.local ^ prim1.local) & prefixMask(prim1.plen)) !== 0) prim1 = byPrefix(ifa1.local, prefixMask(ifa1.plen));
        if (!prim1 || prim1.local !== prim.local) continue;
      }
    } else {
      if (prim.local !== ifa1.local) continue;
      prim1 = ifa1;
      if (prim !== prim1) samePrefsrc = true;
    }
    if (ifa.local === ifa1.local) localOk = true;
    if (ifa.broadcast === ifa1.broadcast) brdOk = true;
    if (brd === ifa1.broadcast) brd1Ok = true;
    if (any === ifa1.broadcast) brd0Ok = true;
    if (prim1 === ifa1 && ifa1.plen < 31) {
      const m1 = prefixMask(ifa1.plen);
      const brd1 = (ifa1.local | ~m1) >>> 0;
      const any1 = (ifa1.local & m1) >>> 0;
      if (any1 !== 0) {
        if (ifa.broadcast === brd1 || ifa.broadcast === any1) brdOk = true;
        if (brd === brd1 || brd === any1) brd1Ok = true;
        if (any === brd1 || any === any1) brd0Ok = true;
      }
    }
  }
  if (!brdOk) kill(RT_TABLE_LOCAL, 'RTN_BROADCAST', ifa.broadcast, 32);
  if (subnet && ifa.plen < 31) {
    if (!brd1Ok) kill(RT_TABLE_LOCAL, 'RTN_BROADCAST', brd, 32);
    if (!brd0Ok) kill(RT_TABLE_LOCAL, 'RTN_BROADCAST', any, 32);
  }
  if (!localOk) {
    kill(RT_TABLE_LOCAL, 'RTN_LOCAL', ifa.local, 32);
    // fib_sync_down_addr: the routes that preferred it as their source, once no device has it
    const stillLocal = [...net.devices.values(), net.lo].some((d) => d.addrs.some((x) => x.local === ifa.local));
    if (!stillLocal) net.fib.remove((r) => r.prefsrc === ifa.local && r.proto !== 'kernel');
  }
}

function syncCarrier(dev: NetDevice): void {
  if (dev.isLoopback) {
    dev.carrier = dev.up;
    return;
  }
  const p = dev.peer;
  dev.carrier = dev.up && !!p && p.up;
  if (p) p.carrier = p.up && dev.up;
}

/** dev_open / dev_close and their NETDEV_UP / NETDEV_DOWN consequences for the FIB. */
export function linkSetUp(net: Net, dev: NetDevice, up: boolean): void {
  if (dev.up === up) return;
  dev.up = up;
  syncCarrier(dev);
  // fib_netdev_event: NETDEV_UP and NETDEV_DOWN flush the namespace's cached routes
  net.fib.rt_cache_flush();
  if (up) {
    for (const a of dev.addrs) fibAddIfaddr(net.fib, dev, a.local, a.plen, a.broadcast);
    addrconf_dev_up(net, dev);
    // the peer's link becomes ready too (NETDEV_CHANGE on it: carrier)
    if (dev.peer?.operUp) addrconf_dev_up(dev.peer.net, dev.peer);
  } else {
    // fib_disable_ip: routes through the device go; the local routes of its addresses stay.
    net.fib.remove((r) => r.dev === dev && !(r.table === RT_TABLE_LOCAL && r.type === 'RTN_LOCAL'));
    for (const [k, n] of net.neigh) if (n.dev === dev) net.neigh.delete(k);
  }
}

export function linkSetMtu(dev: NetDevice, mtu: number): void {
  // lo has no max_mtu (gen_lo_setup): any int from its minimum up, as its own 65536 shows
  if (mtu < 68 || (dev.kind !== 'loopback' && mtu > (dev.kind === 'nic' ? 9000 : 65535))) throw new NetlinkError(`Error: mtu greater than device maximum.`);
  dev.mtu = mtu;
  // fib_netdev_event: NETDEV_CHANGEMTU flushes the cached routes
  dev.net.fib.rt_cache_flush();
}

export interface RouteSpec {
  type: RtnType;
  dst: number;
  plen: number;
  gw: number;
  dev: NetDevice | null;
  prefsrc: number;
  metric: number;
  table: number;
  scope?: Scope;
  proto: string;
  mtu: number;
  mtuLock?: boolean;
}

/** fib_props[type].scope (net/ipv4/fib_semantics.c, v6.12): the narrowest scope a route of the type may have. */
const TYPE_SCOPE: Record<RtnType, Scope> = { RTN_UNICAST: 'global', RTN_LOCAL: 'host', RTN_BROADCAST: 'link', RTN_MULTICAST: 'global', RTN_BLACKHOLE: 'global', RTN_UNREACHABLE: 'global', RTN_PROHIBIT: 'global', RTN_THROW: 'global' };

/** The scope iproute2 gives a route that names none (iproute_modify): host for local, link for broadcast and for a unicast route without a gateway. */
export function defaultRouteScope(type: RtnType, gw: number): Scope {
  if (type === 'RTN_LOCAL') return 'host';
  if (type === 'RTN_BROADCAST') return 'link';
  return type === 'RTN_UNICAST' && !gw ? 'link' : 'global';
}

/**
 * fib_table_insert after fib_create_info's checks (v6.12): the scope against the type's, a host
 * route without a gateway (and then no check of its device), otherwise fib_check_nh: a gateway
 * found by a lookup of scope above the route's (at least link: a connected or local route), a
 * device that is up.
 */
export function routeAdd(net: Net, r: RouteSpec, replace: boolean): void {
  let dev = r.dev;
  const scope: Scope = r.scope ?? defaultRouteScope(r.type, r.gw);
  const sv = Fib.scopeVal(scope);
  if (Fib.scopeVal(TYPE_SCOPE[r.type]) > sv || (scope === 'nowhere' && !fibTypeError(r.type))) throw new NetlinkError('Error: Invalid scope.');
  if (scope === 'host' && r.gw && !fibTypeError(r.type)) throw new NetlinkError('Error: Route with host scope can not have a gateway.');
  if ((r.type === 'RTN_UNICAST' || r.type === 'RTN_LOCAL' || r.type === 'RTN_BROADCAST') && scope !== 'host') {
    if (r.gw) {
      // fib_check_nh_v4_gw looks the gateway up with flowi4_scope = scope + 1 (at least link);
      // the model takes the best route and checks its scope (a more specific route of a lower
      // scope would be passed over by the kernel's lookup: not modelled)
      const via = net.fib.lookup({ daddr: r.gw, saddr: 0, iif: net.lo.ifindex, oif: dev ? dev.ifindex : 0, mark: 0, tos: 0, iifName: 'lo' });
      const want = Math.max(sv + 1, Fib.scopeVal('link'));
      if ('error' in via || (via.route.type !== 'RTN_UNICAST' && via.route.type !== 'RTN_LOCAL') || Fib.scopeVal(via.route.scope) < want || (dev && via.route.dev !== dev)) {
        throw new NetlinkError('Error: Nexthop has invalid gateway.');
      }
      // the kernel takes it, with nh_scope host, and rt_set_nexthop then uses no gateway (only
      // a link-scope next hop's is used): the traffic goes to its destination on the device
      if (via.route.type === 'RTN_LOCAL') throw new NetlinkError('a gateway that is an address of this host is not modelled (the kernel takes it: fib_check_nh_v4_gw finds its local route, and rt_set_nexthop then sends to the destination itself)');
      dev = via.route.dev;
      if (!dev || !dev.up) throw new NetlinkError('RTNETLINK answers: Network is down');
    } else if (!dev || !dev.up) throw new NetlinkError('Error: Device for nexthop is not up.');
  }
  if (r.prefsrc && !net.lo.addrs.concat(...[...net.devices.values()].map((d) => d.addrs)).some((a) => a.local === r.prefsrc)) {
    throw new NetlinkError('Error: Invalid prefsrc address.');
  }
  const existing = net.fib.routes.find((x) => x.table === r.table && x.dst === r.dst && x.plen === r.plen && x.metric === r.metric);
  if (existing && !replace) throw new NetlinkError('RTNETLINK answers: File exists');
  if (existing) net.fib.remove((x) => x === existing);
  const route: FibRoute = { table: r.table, dst: r.dst, plen: r.plen, type: r.type, dev, gw: r.gw, prefsrc: r.prefsrc, metric: r.metric, scope, proto: r.proto, mtu: r.mtu, mtuLock: r.mtuLock ?? false, nhc_rth_input: null };
  net.fib.add(route);
  if (r.type === 'RTN_LOCAL') net.fib.hasCustomLocalRoutes = true;
}

export function routeDel(net: Net, r: Partial<RouteSpec> & { dst: number; plen: number; table: number }): void {
  const n = net.fib.remove((x) => x.table === r.table && x.dst === r.dst && x.plen === r.plen && (!r.gw || x.gw === r.gw) && (!r.dev || x.dev === r.dev) && (r.metric === undefined || x.metric === r.metric));
  if (n === 0) throw new NetlinkError('RTNETLINK answers: No such process');
}

export function ruleAdd(net: Net, rule: Omit<FibRule, 'priority'> & { priority?: number }): void {
  // Without a priority, the new rule goes just before the first non-zero one (fib_default_rule_pref).
  let prio = rule.priority;
  if (prio === undefined) {
    const nonzero = net.fib.rules.map((x) => x.priority).filter((p) => p > 0).sort((a, b) => a - b);
    prio = nonzero.length ? nonzero[0] - 1 : 0;
  }
  net.fib.addRule({ ...rule, priority: prio });
  net.fib.hasCustomRules = true;
}

export function ruleDel(net: Net, match: Partial<FibRule>): void {
  const i = net.fib.rules.findIndex((x) => (match.priority === undefined || x.priority === match.priority) && (match.table === undefined || x.table === match.table));
  if (i < 0) throw new NetlinkError('RTNETLINK answers: No such file or directory');
  net.fib.removeRule(i);
  net.fib.hasCustomRules = true;
}

export function neighAdd(net: Net, dev: NetDevice, ip: number, lladdr: string | undefined, nud: NudState, replace: boolean): void {
  if (!replace && neigh_lookup(net, dev, ip)) throw new NetlinkError('RTNETLINK answers: File exists');
  neigh_add_static(net, dev, ip, lladdr ?? neighKeptAddress(dev, neigh_lookup(net, dev, ip)), nud);
}

/**
 * __neigh_update without an address (v6.12 net/core/neighbour.c): the entry's own address when
 * it has a valid one — an entry that the constructor (arp_constructor, ndisc_constructor) makes
 * NUD_NOARP on a NOARP or loopback device has the device's — else "No link layer address given".
 */
export function neighKeptAddress(dev: NetDevice, had: { state: NudState; ha: string | null } | undefined): string {
  if (had && nudValid(had.state) && had.ha) return had.ha;
  if (dev.noarp || dev.isLoopback) return dev.mac;
  throw new NetlinkError('Error: No link layer address given.');
}

export function neighDel(net: Net, dev: NetDevice, ip: number): void {
  if (!net.neigh.delete(`${dev.ifindex}/${ip}`)) throw new NetlinkError('RTNETLINK answers: No such file or directory');
}

/** A fresh namespace's loopback, brought up with 127.0.0.1/8 as `ip link set lo up` does. */
export function bringUpLoopback(net: Net): void {
  linkSetUp(net, net.lo, true);
  addrAdd(net, net.lo, ipToNum('127.0.0.1'), 8, 0, 'host');
}

