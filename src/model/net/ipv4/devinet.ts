// What `ip addr`, `ip link`, `ip route`, `ip rule` and `ip neigh` change, with the kernel's
// answers (net/ipv4/devinet.c, net/ipv4/fib_frontend.c, net/core/dev.c, net/core/neighbour.c).
// Errors are thrown as the message iproute2 prints, for the scenario layer to place.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import { inPrefix, ipToNum, prefixMask } from '../../proto/addr';
import { fibAddIfaddr, RT_TABLE_LOCAL, type FibRoute, type FibRule, type Scope } from './fib';
import type { RtnType } from './route_types';
import { neigh_add_static, neigh_lookup } from '../core/neighbour';
import type { NudState } from '../core/neighbour_types';
import { addrconf_dev_up } from '../ipv6/addrconf';

export class NetlinkError extends Error {}

export function addrAdd(net: Net, dev: NetDevice, local: number, plen: number, broadcast: number, scope: 'global' | 'link' | 'host' = 'global'): void {
  if (dev.addrs.some((a) => a.local === local && a.plen === plen)) throw new NetlinkError('RTNETLINK answers: File exists');
  const sameNet = dev.addrs.some((a) => a.plen === plen && inPrefix(local, a.local, plen));
  dev.addrs.push({ local, plen, broadcast, scope: dev.isLoopback && scope === 'global' && (local >>> 24) === 127 ? 'host' : scope, secondary: sameNet });
  fibAddIfaddr(net.fib, dev, local, plen, broadcast);
  net.fib.rt_cache_flush();
}

export function addrDel(net: Net, dev: NetDevice, local: number, plen: number): void {
  const i = dev.addrs.findIndex((a) => a.local === local && a.plen === plen);
  if (i < 0) throw new NetlinkError('RTNETLINK answers: Cannot assign requested address');
  const [a] = dev.addrs.splice(i, 1);
  const mask = prefixMask(a.plen);
  const prefix = (a.local & mask) >>> 0;
  net.fib.remove((r) => r.dev === dev && r.proto === 'kernel' && ((r.table === RT_TABLE_LOCAL && r.dst === a.local && r.type === 'RTN_LOCAL') || (r.dst === prefix && r.plen === a.plen) || (r.type === 'RTN_BROADCAST' && (r.dst === a.broadcast || r.dst === ((prefix | ~mask) >>> 0)))));
  // Routes whose preferred source was this address go too (fib_sync_down_addr).
  net.fib.remove((r) => r.prefsrc === a.local && r.proto !== 'kernel');
  net.fib.rt_cache_flush();
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

/** fib_table_insert with fib_check_nh: a gateway must be reachable on a link that is up. */
export function routeAdd(net: Net, r: RouteSpec, replace: boolean): void {
  let dev = r.dev;
  if (r.type === 'RTN_UNICAST' || r.type === 'RTN_LOCAL' || r.type === 'RTN_BROADCAST') {
    if (r.gw) {
      const via = net.fib.lookup({ daddr: r.gw, saddr: 0, iif: net.lo.ifindex, oif: dev ? dev.ifindex : 0, mark: 0, tos: 0, iifName: 'lo' });
      if ('error' in via || via.route.type !== 'RTN_UNICAST' || via.route.gw !== 0 || (dev && via.route.dev !== dev)) {
        throw new NetlinkError('Error: Nexthop has invalid gateway.');
      }
      dev = via.route.dev;
    }
    if (!dev) throw new NetlinkError('Error: Device for nexthop is not up.');
    if (!dev.up) throw new NetlinkError('Error: Nexthop device is not up.');
  }
  if (r.prefsrc && !net.lo.addrs.concat(...[...net.devices.values()].map((d) => d.addrs)).some((a) => a.local === r.prefsrc)) {
    throw new NetlinkError('Error: Invalid prefsrc address.');
  }
  const existing = net.fib.routes.find((x) => x.table === r.table && x.dst === r.dst && x.plen === r.plen && x.metric === r.metric);
  if (existing && !replace) throw new NetlinkError('RTNETLINK answers: File exists');
  if (existing) net.fib.remove((x) => x === existing);
  const scope: Scope = r.scope ?? (r.type === 'RTN_LOCAL' ? 'host' : r.gw || r.type !== 'RTN_UNICAST' ? 'global' : 'link');
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
  if (!lladdr && nud !== 'NUD_NOARP') throw new NetlinkError('Error: lladdr is required');
  neigh_add_static(net, dev, ip, lladdr ?? dev.mac, nud);
}

export function neighDel(net: Net, dev: NetDevice, ip: number): void {
  if (!net.neigh.delete(`${dev.ifindex}/${ip}`)) throw new NetlinkError('RTNETLINK answers: No such file or directory');
}

/** A fresh namespace's loopback, brought up with 127.0.0.1/8 as `ip link set lo up` does. */
export function bringUpLoopback(net: Net): void {
  linkSetUp(net, net.lo, true);
  addrAdd(net, net.lo, ipToNum('127.0.0.1'), 8, 0, 'host');
}

