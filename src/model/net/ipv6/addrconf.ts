// net/ipv6/addrconf.c (v6.12): a device's IPv6 addresses and the routes they bring, the link-local
// address made from the MAC when a device comes up (addr_gen_mode eui64), the multicast groups
// a device joins, and source address selection (ipv6_dev_get_saddr).
import { NotModelled } from '../../sim/not_modelled';
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import { isTentative, type Fib6Info, type Inet6Ifaddr } from './ipv6_state';
import { addrconf_dad_run, addrconf_dad_start } from './addrconf_dad';
import { addrconf_del_rs_timer, addrconf_rs_start } from './addrconf_rs';
import { ipv6_dev_mc_dec, ipv6_dev_mc_inc, ipv6_mc_dad_complete, ipv6_mc_up, mcJoined } from './mcast';
import { macToBytes } from '../../proto/addr';
import { ipv6PrefixEqual, ipv6AddrEqual } from '../../proto/inet_addr';
import { isV6LinkLocal, isV6Loopback, isV6Multicast, solicitedNode } from '../../proto/ipv6';
import { formatIpv6, parseIpv6 } from '../../../trace/ipv6';

export const ADDRCONF_FILE = 'net/ipv6/addrconf.c';
/** IP6_RT_PRIO_ADDRCONF: the metric of the routes addrconf adds */
export const IP6_RT_PRIO_ADDRCONF = 256;
/** IP6_RT_PRIO_USER: the metric `ip -6 route add` gives a route without one */
export const IP6_RT_PRIO_USER = 1024;

const LL_PREFIX = parseIpv6('fe80::')!;
const MC_PREFIX = parseIpv6('ff00::')!;

/** Whether the namespace runs IPv6 at all: a scenario that never uses it runs with IPv6 off, as the fidelity harness runs it. */
export function ipv6Enabled(net: Net): boolean {
  return net.ipv6.enabled;
}

export function devAddrs6(net: Net, dev: NetDevice): Inet6Ifaddr[] {
  let l = net.ipv6.addrs.get(dev.ifindex);
  if (!l) net.ipv6.addrs.set(dev.ifindex, (l = []));
  return l;
}

/** ipv6_addr_scope as ipv6_addr_type gives it, for source selection */
function scopeOf(a: Uint8Array): number {
  if (isV6Multicast(a)) return a[1] & 0x0f;
  if (isV6Loopback(a)) return 0x1;
  if (isV6LinkLocal(a)) return 0x2;
  return 0xe;
}

/** addrconf_join_solict (v6.12): a loopback or NOARP device joins no solicited-node group (nobody resolves it there). */
function addrconf_join_solict(net: Net, dev: NetDevice, addr: Uint8Array): void {
  if (dev.isLoopback || dev.noarp) return;
  ipv6_dev_mc_inc(net, dev, solicitedNode(addr));
}

/** addrconf_leave_solict: the same test, made again when the address goes (the flag may have changed since). */
function addrconf_leave_solict(net: Net, dev: NetDevice, addr: Uint8Array): void {
  if (dev.isLoopback || dev.noarp) return;
  ipv6_dev_mc_dec(net, dev, solicitedNode(addr));
}

/** addrconf_join_anycast: a forwarding device's subnet-router anycast address (the prefix, unless /127 or longer, or ::) and its solicited-node group (__ipv6_dev_ac_inc → addrconf_join_solict). */
function addrconf_join_anycast(net: Net, dev: NetDevice, a: Inet6Ifaddr, join: boolean): void {
  if (a.plen >= 127) return;
  const any = a.addr.map((b, i) => (i * 8 >= a.plen ? 0 : i * 8 + 8 <= a.plen ? b : b & ((0xff << (8 - (a.plen - i * 8))) & 0xff)));
  if (any.every((b) => b === 0)) return;
  const ac = (net.ipv6.anycast.get(dev.ifindex) ?? net.ipv6.anycast.set(dev.ifindex, new Map()).get(dev.ifindex))!;
  const key = formatIpv6(any);
  const users = ac.get(key) ?? 0;
  if (join) {
    ac.set(key, users + 1);
    if (!users) addrconf_join_solict(net, dev, any);
  } else if (users) {
    if (users > 1) ac.set(key, users - 1);
    else {
      ac.delete(key);
      addrconf_leave_solict(net, dev, any);
    }
  }
}

/**
 * dev_forward_change (a write to net.ipv6.conf.{all,IF}.forwarding that turns it on or off):
 * the all-routers groups ff02::2, ff01::2 and ff05::2 joined or left, and the subnet-router
 * anycast address of every address that is not tentative.
 */
export function dev_forward_change(net: Net, dev: NetDevice): void {
  if (!ipv6Enabled(net) || !in6_dev_get(net, dev) || dev.isLoopback) return;
  const on = !!net.get(`net.ipv6.conf.${dev.name}.forwarding`);
  for (const g of ['ff02::2', 'ff01::2', 'ff05::2']) (on ? ipv6_dev_mc_inc : ipv6_dev_mc_dec)(net, dev, parseIpv6(g)!);
  for (const a of devAddrs6(net, dev)) if (!isTentative(a)) addrconf_join_anycast(net, dev, a, on);
}

/** ipv6_chk_mcast_addr: has the device joined the group? */
export function ipv6_chk_mcast_addr(net: Net, dev: NetDevice, group: Uint8Array): boolean {
  const joined = mcJoined(net, dev, group);
  // a forwarding device has joined the solicited-node group of its subnet-router anycast addresses too (not modelled)
  if (!joined && in6_dev_get(net, dev) && net.get(`net.ipv6.conf.${dev.name}.forwarding`)) {
    for (const a of devAddrs6(net, dev)) {
      if (a.plen >= 127 || a.scope !== 'global') continue;
      const any = a.addr.map((b, i) => (i * 8 >= a.plen ? 0 : i * 8 + 8 <= a.plen ? b : b & ((0xff << (8 - (a.plen - i * 8))) & 0xff)));
      if (ipv6AddrEqual(solicitedNode(any), group)) refuseSubnetAnycast(net, any);
    }
  }
  return joined;
}

function addRoute(net: Net, r: Omit<Fib6Info, 'proto' | 'mtu' | 'gw'> & Partial<Fib6Info>): void {
  const rt: Fib6Info = { proto: 'kernel', mtu: 0, gw: null, ...r };
  const same = (x: Fib6Info): boolean => x.table === rt.table && x.plen === rt.plen && ipv6AddrEqual(x.dst, rt.dst) && x.ifindex === rt.ifindex && x.metric === rt.metric && x.type === rt.type;
  if (!net.ipv6.routes.some(same)) net.ipv6.routes.push(rt);
}

/**
 * The local route (table local, metric 0) and the prefix route (main, metric 256) of an address.
 * A tentative address has its prefix route (addrconf_prefix_route, when it is added) but not yet
 * its local route: ipv6_ifa_notify(RTM_NEWADDR) inserts that (ip6_ins_rt) once DAD is over.
 */
function addrRoutes(net: Net, dev: NetDevice, a: Inet6Ifaddr): void {
  if (!isTentative(a)) addRoute(net, { dst: a.addr, plen: 128, type: 'RTN_LOCAL', ifindex: dev.ifindex, metric: 0, table: 'local' });
  if (a.plen < 128 || dev.isLoopback) {
    const pfx = a.addr.slice();
    for (let i = 0; i < 16; i++) {
      const bits = Math.max(0, Math.min(8, a.plen - i * 8));
      pfx[i] &= (0xff << (8 - bits)) & 0xff;
    }
    addRoute(net, { dst: pfx, plen: a.plen, type: 'RTN_UNICAST', ifindex: dev.ifindex, metric: IP6_RT_PRIO_ADDRCONF, table: 'main' });
  }
}

/** IPV6_MIN_MTU: a device with a smaller MTU has no inet6_dev (ipv6_add_dev refuses it) */
export const IPV6_MIN_MTU = 1280;

/** Whether the device has an inet6_dev: not after addrconf_ifdown took it away for a small MTU. */
export function in6_dev_get(net: Net, dev: NetDevice): boolean {
  return !net.ipv6.gone.has(dev.ifindex);
}

/**
 * addrconf_notify(NETDEV_CHANGEMTU): below IPV6_MIN_MTU IPv6 stops on the device —
 * addrconf_ifdown(dev, unregister) deletes every address (the link-local one too) with its routes,
 * every route through the device (rt6_disable_ip → rt6_sync_down_dev), its neighbour entries
 * (neigh_ifdown on nd_tbl), its multicast groups and its net.ipv6.conf.IF directory, and frees the
 * inet6_dev: later packets from the device are discarded in ip6_rcv_core. Raising the MTU again
 * makes a new inet6_dev whose link-local address goes through DAD: refused, as DAD is not modelled.
 */
export function addrconf_mtu_change(net: Net, dev: NetDevice): void {
  if (!ipv6Enabled(net)) return;
  if (dev.mtu >= IPV6_MIN_MTU) {
    if (net.ipv6.gone.has(dev.ifindex)) throw new NotModelled(`raising ${dev.name}'s MTU to ${IPV6_MIN_MTU} or more after IPv6 stopped on it (an MTU below ${IPV6_MIN_MTU}) makes a new inet6_dev (its link-local address through DAD again): not modelled`);
    return;
  }
  if (dev.isLoopback) throw new NotModelled(`an MTU below ${IPV6_MIN_MTU} on lo stops IPv6 on it (addrconf_ifdown): not modelled`);
  if (net.ipv6.gone.has(dev.ifindex)) return;
  net.ipv6.gone.add(dev.ifindex);
  // INET6_IFADDR_STATE_DEAD: a DAD still running for an address stops with it
  for (const a of net.ipv6.addrs.get(dev.ifindex) ?? []) a.dad = undefined;
  net.ipv6.addrs.delete(dev.ifindex);
  // ipv6_mc_destroy_dev: the MLD works stop with the groups
  const mc = net.ipv6.mc.get(dev.ifindex);
  net.w.sched.cancel(mc?.ifcWork);
  net.w.sched.cancel(mc?.dadWork);
  for (const g of mc?.list ?? []) net.w.sched.cancel(g.work);
  net.ipv6.mc.delete(dev.ifindex);
  addrconf_del_rs_timer(net, dev);
  net.ipv6.anycast.delete(dev.ifindex);
  for (let k = net.ipv6.routes.length - 1; k >= 0; k--) if (net.ipv6.routes[k].ifindex === dev.ifindex) net.ipv6.routes.splice(k, 1);
  for (const key of [...net.neigh.keys()]) if (key.startsWith(`${dev.ifindex}/`) && key.includes(':')) net.neigh.delete(key);
  net.forgetDevconf6(dev.name);
}

/**
 * A subnet-router anycast address (the prefix with an all-zero interface ID) that this namespace
 * would have joined: addrconf_join_anycast (v6.12) joins it for each address shorter than /127 on
 * a device whose forwarding is on, which adds an anycast route to the local table and makes
 * ndisc_recv_ns answer for it after a random delay (MAX_ANYCAST_DELAY_TIME). None of that is
 * modelled, so a packet to or a solicitation for such an address is refused, not routed as
 * unicast.
 */
export function refuseSubnetAnycast(net: Net, addr: Uint8Array): void {
  if (!ipv6Enabled(net) || isV6Multicast(addr)) return;
  for (const dev of net.devices.values()) {
    if (dev.isLoopback || !in6_dev_get(net, dev) || !net.get(`net.ipv6.conf.${dev.name}.forwarding`)) continue;
    for (const a of net.ipv6.addrs.get(dev.ifindex) ?? []) {
      if (a.plen >= 127 || a.scope !== 'global' || !ipv6PrefixEqual(a.addr, addr, a.plen)) continue;
      if (addr.every((b, i) => i * 8 < a.plen || b === 0) && !ipv6AddrEqual(a.addr, addr)) {
        throw new NotModelled(`${formatIpv6(addr)} is the subnet-router anycast address of ${dev.name}'s prefix on a forwarding device (addrconf_join_anycast): anycast addresses are not modelled`);
      }
    }
  }
}

/**
 * The address is valid (addrconf_dad_completed → ipv6_ifa_notify): its local route goes in and,
 * on a forwarding device, its subnet-router anycast address is joined. For the device's only
 * valid link-local address the MLD reports sent from :: meanwhile are sent again from it
 * (ipv6_mc_dad_complete), and the router solicitations begin (addrconf_rs_start).
 */
function dadDone(net: Net, dev: NetDevice): (a: Inet6Ifaddr) => void {
  return (a) => {
    if (!devAddrs6(net, dev).includes(a)) return;
    addrRoutes(net, dev, a);
    if (net.get(`net.ipv6.conf.${dev.name}.forwarding`)) addrconf_join_anycast(net, dev, a, true);
    // ipv6_lonely_lladdr: no other link-local address of the device is permanent and valid
    const lonely = !devAddrs6(net, dev).some((x) => x !== a && x.scope === 'link' && !isTentative(x));
    if (a.scope === 'link' && lonely) {
      ipv6_mc_dad_complete(net, dev);
      addrconf_rs_start(net, dev);
    }
  };
}

/**
 * inet6_addr_add (`ip -6 addr add ADDR/PLEN dev IF [nodad]`): the address (IFA_F_PERMANENT, and
 * IFA_F_TENTATIVE until DAD is over), its prefix route, its solicited-node group, then
 * addrconf_dad_start.
 */
export function inet6_addr_add(net: Net, dev: NetDevice, addr: Uint8Array, plen: number, nodad = true): void {
  // addrconf_add_dev → ipv6_find_idev → ipv6_add_dev: EINVAL below IPV6_MIN_MTU
  if (!in6_dev_get(net, dev)) throw new NotModelled('RTNETLINK answers: Invalid argument');
  const l = devAddrs6(net, dev);
  if (l.some((a) => ipv6AddrEqual(a.addr, addr))) throw new NotModelled('RTNETLINK answers: File exists');
  const a: Inet6Ifaddr = { addr, plen, scope: scopeOf(addr) === 0x2 ? 'link' : 'global', flags: nodad ? ['permanent', 'nodad', 'tentative'] : ['permanent', 'tentative'] };
  l.push(a);
  addrRoutes(net, dev, a);
  // addrconf_dad_begin: addrconf_join_solict before anything else
  addrconf_join_solict(net, dev, addr);
  addrconf_dad_start(net, dev, a, dadDone(net, dev));
}

/** inet6_addr_del */
export function inet6_addr_del(net: Net, dev: NetDevice, addr: Uint8Array, plen: number): void {
  const l = devAddrs6(net, dev);
  const i = l.findIndex((a) => ipv6AddrEqual(a.addr, addr) && a.plen === plen);
  if (i < 0) throw new NotModelled('RTNETLINK answers: Cannot assign requested address');
  // INET6_IFADDR_STATE_DEAD: a DAD still running for it stops
  const gone6 = l[i];
  gone6.dad = undefined;
  l.splice(i, 1);
  // __ipv6_ifa_notify(RTM_DELADDR): the anycast address (forwarding), then the solicited-node group
  if (net.get(`net.ipv6.conf.${dev.name}.forwarding`)) addrconf_join_anycast(net, dev, gone6, false);
  addrconf_leave_solict(net, dev, addr);
  const gone = (r: Fib6Info): boolean => r.ifindex === dev.ifindex && r.proto === 'kernel' && ((r.plen === 128 && ipv6AddrEqual(r.dst, addr)) || (r.plen === plen && r.type === 'RTN_UNICAST' && !l.some((x) => x.plen === plen && ipv6PrefixEqual(x.addr, addr, plen)) && ipv6PrefixEqual(r.dst, addr, plen)));
  for (let k = net.ipv6.routes.length - 1; k >= 0; k--) if (gone(net.ipv6.routes[k])) net.ipv6.routes.splice(k, 1);
}

/**
 * addrconf_notify(NETDEV_UP) → addrconf_dev_config / init_loopback: lo gets ::1; an Ethernet
 * device its link-local address from the MAC (addrconf_ifid_eui48: the MAC with ff:fe in the
 * middle and the universal/local bit flipped), the fe80::/64 route and the ff00::/8 multicast
 * route (addrconf_add_mroute) — once its link is ready (addrconf_link_ready: up with carrier; a
 * veth is ready when its peer is up too, NETDEV_CHANGE). The link-local address goes through DAD
 * (addrconf_dad_start), and addresses that waited for the link are kicked (addrconf_dad_run).
 */
export function addrconf_dev_up(net: Net, dev: NetDevice): void {
  if (!ipv6Enabled(net) || !in6_dev_get(net, dev)) return;
  if (!dev.isLoopback && !dev.operUp) return;
  if (dev.isLoopback) {
    const lo = parseIpv6('::1')!;
    if (!devAddrs6(net, dev).some((a) => ipv6AddrEqual(a.addr, lo))) {
      const a: Inet6Ifaddr = { addr: lo, plen: 128, scope: 'host', flags: ['permanent'] };
      devAddrs6(net, dev).push(a);
      addrRoutes(net, dev, a);
    }
    return;
  }
  // addrconf_add_dev → ipv6_find_idev: the groups joined so far are announced (ipv6_mc_up)
  ipv6_mc_up(net, dev);
  const m = macToBytes(dev.mac);
  const ll = LL_PREFIX.slice();
  ll.set([m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]], 8);
  const l = devAddrs6(net, dev);
  let made: Inet6Ifaddr | undefined;
  if (!l.some((a) => ipv6AddrEqual(a.addr, ll))) l.unshift((made = { addr: ll, plen: 64, scope: 'link', flags: ['permanent', 'tentative'] }));
  for (const a of l) addrRoutes(net, dev, a);
  addRoute(net, { dst: MC_PREFIX, plen: 8, type: 'RTN_MULTICAST', ifindex: dev.ifindex, metric: IP6_RT_PRIO_ADDRCONF, table: 'local' });
  if (made) {
    addrconf_join_solict(net, dev, ll);
    addrconf_dad_start(net, dev, made, dadDone(net, dev));
  }
  addrconf_dad_run(net, dev, l, dadDone(net, dev));
}

/** ipv6_chk_addr: is the address one of this namespace's (on `dev` when given)? */
export function ipv6_chk_addr(net: Net, addr: Uint8Array, dev?: NetDevice): NetDevice | undefined {
  for (const d of net.devices.values()) {
    if (dev && d !== dev) continue;
    // banned_flags IFA_F_TENTATIVE (ipv6_chk_addr → ipv6_chk_addr_and_flags)
    if (d.up && devAddrs6(net, d).some((a) => ipv6AddrEqual(a.addr, addr) && !isTentative(a))) return d;
  }
  return undefined;
}

/**
 * Will the address be ours once the link-up is over: valid now, or tentative with its DAD running
 * (not waiting for a link that never becomes ready). A scenario's listeners open then, on the
 * kernel as in the model (docs/fidelity.md, "## IPv6").
 */
export function ipv6_chk_addr_after_dad(net: Net, addr: Uint8Array): boolean {
  for (const d of net.devices.values()) {
    if (d.up && devAddrs6(net, d).some((a) => ipv6AddrEqual(a.addr, addr) && (!isTentative(a) || a.dad?.state === 'probing'))) return true;
  }
  return false;
}

/** ipv6_get_lladdr(…, IFA_F_TENTATIVE): the device's link-local address that is no longer tentative */
export function ipv6_get_lladdr(net: Net, dev: NetDevice): Uint8Array | undefined {
  return devAddrs6(net, dev).find((a) => a.scope === 'link' && !isTentative(a))?.addr;
}

function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < 16; i++) {
    const x = a[i] ^ b[i];
    if (x === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(x) - 24;
  }
  return n;
}

/**
 * ipv6_dev_get_saddr (RFC 6724's rules as v6.12 applies them, in the simple form: no labels,
 * no temporary or deprecated addresses): for a multicast or link-local destination only the
 * outgoing device's addresses are candidates; then the same address, the right scope, the
 * outgoing device, the longest common prefix up to the address's prefix length.
 */
export function ipv6_dev_get_saddr(net: Net, dev: NetDevice | null, daddr: Uint8Array): Uint8Array | undefined {
  const dscope = scopeOf(daddr);
  const useOif = !!dev && (isV6Multicast(daddr) || dscope <= 0x2);
  let best: { a: Uint8Array; key: number[] } | undefined;
  for (const d of net.devices.values()) {
    if (!d.up || (useOif && d !== dev)) continue;
    // the device's list as ipv6_link_dev_addr keeps it: by scope, global first, and within a
    // scope the newest first; a tie on every rule keeps the earlier candidate
    const list = devAddrs6(net, d);
    const ordered = list.map((x, i) => ({ x, i })).sort((a, b) => scopeOf(b.x.addr) - scopeOf(a.x.addr) || b.i - a.i);
    for (const { x } of ordered) {
      // __ipv6_dev_get_saddr skips a tentative address (not optimistic: not modelled)
      if (isTentative(x)) continue;
      const s = scopeOf(x.addr);
      // rule 2: a scope at least the destination's, the smallest such; else the largest
      const scopeRank = s >= dscope ? 100 - s : s - 100;
      // rule 8 (IPV6_SADDR_RULE_PREFIX): the common prefix, no longer than the address's own prefix
      const key = [ipv6AddrEqual(x.addr, daddr) ? 1 : 0, scopeRank, d === dev ? 1 : 0, Math.min(commonPrefix(x.addr, daddr), x.plen)];
      const better = !best || key.some((k, i) => key.slice(0, i).every((kk, j) => kk === best!.key[j]) && k > best!.key[i]);
      if (better) best = { a: x.addr, key };
    }
  }
  return best?.a;
}
