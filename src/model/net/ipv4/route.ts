// net/ipv4/route.c: the routing decision for received packets (ip_route_input_noref, down to
// ip_route_input_slow) and for packets the host sends (ip_route_output_key), and ip_error.
import { inPrefix, isLbcast, isLoopback, isMulticast, isZeronet, numToIp } from '../../proto/addr';
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import { IPSKB_DOREDIRECT } from '../core/skbuff';
import { Fib, type FibRoute, type Flowi4 } from './fib';
import { Rtable, EACCES, EHOSTUNREACH, EINVAL, ENETUNREACH } from './route_types';
import { icmp_send } from './icmp';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PKT_FILTERED } from '../../proto/icmp';

export const ROUTE_FILE = 'net/ipv4/route.c';
const EXDEV = 18;

export const ERRNO_NAMES: Record<number, string> = {
  [EINVAL]: 'EINVAL',
  [EHOSTUNREACH]: 'EHOSTUNREACH',
  [ENETUNREACH]: 'ENETUNREACH',
  [EACCES]: 'EACCES',
  [EXDEV]: 'EXDEV',
};

function flowFor(net: Net, daddr: number, saddr: number, iif: NetDevice | null, mark: number, tos: number): Flowi4 {
  return { daddr, saddr, iif: iif ? iif.ifindex : net.lo.ifindex, oif: 0, mark, tos, iifName: iif ? iif.name : 'lo' };
}

/** inet_lookup_ifaddr: is `a` one of this host's addresses? */
export function isLocalAddr(net: Net, a: number): boolean {
  for (const d of net.devices.values()) for (const ifa of d.addrs) if (ifa.local === a) return true;
  return false;
}

/**
 * fib_validate_source: the source address check (rp_filter). Returns 0 or a negative errno:
 * -EINVAL for our own address as a source, -EXDEV when reverse-path filtering rejects it.
 */
function fib_validate_source(net: Net, skb: SkBuff, saddr: number, dev: NetDevice): number {
  const rpf = net.devMaxconf(dev, 'rp_filter');
  if (!rpf) {
    if (net.devOrconf(dev, 'accept_local')) return 0;
    return isLocalAddr(net, saddr) ? -EINVAL : 0;
  }
  const rev = net.fib.lookup({ daddr: saddr, saddr: 0, iif: net.lo.ifindex, oif: 0, mark: skb.mark, tos: 0, iifName: 'lo' });
  if ('error' in rev) return -EXDEV;
  if (rev.route.type === 'RTN_LOCAL' && !net.devOrconf(dev, 'accept_local')) return -EINVAL;
  if (rpf === 1 && rev.route.dev !== dev) return -EXDEV;
  return 0;
}

/**
 * ip_route_input_noref → ip_route_input_slow: decide what to do with a received datagram and
 * attach the route (skb->dst): deliver locally, forward, or fail (ip_error). Returns 0 or -errno.
 */
export function ip_route_input_noref(net: Net, skb: SkBuff, daddr: number, saddr: number, tos: number, dev: NetDevice): number {
  return net.call('ip_route_input_noref', () => {
    const say = (what: string): void => net.step(skb, 'L3', 'ip_route_input_slow', ROUTE_FILE, what);
    const martianSource = (why: string): number => {
      say(`Martian source ${numToIp(saddr)} (${why}): the packet is refused (-EINVAL).`);
      return -EINVAL;
    };
    const martianDest = (why: string): number => {
      say(`Martian destination ${numToIp(daddr)} (${why}): the packet is refused (-EINVAL).`);
      return -EINVAL;
    };
    const localInput = (type: 'RTN_LOCAL' | 'RTN_BROADCAST', what: string): number => {
      skb.dst = new Rtable(type, net.lo, 'ip_local_deliver', 'ip_rt_bug', 0, daddr, 0);
      say(what);
      return 0;
    };
    const noRoute = (err: number, what: string): number => {
      skb.dst = new Rtable('RTN_UNREACHABLE', net.lo, 'ip_error', 'ip_rt_bug', 0, daddr, 0, err);
      say(what);
      return 0;
    };

    if (isMulticast(saddr) || isLbcast(saddr)) return martianSource('multicast or broadcast source');
    if (isLbcast(daddr) || (saddr === 0 && daddr === 0)) {
      return localInput('RTN_BROADCAST', `${numToIp(daddr)} is the limited broadcast address: the packet is for every host on the link, so it is delivered locally.`);
    }
    if (isZeronet(saddr)) return martianSource('0.0.0.0/8 source');
    if (isZeronet(daddr)) return martianDest('0.0.0.0/8 destination');
    if (isLoopback(daddr) && !net.devOrconf(dev, 'route_localnet')) return martianDest('loopback destination on a real interface');
    if (isLoopback(saddr) && !net.devOrconf(dev, 'route_localnet')) return martianSource('loopback source on a real interface');

    const fl = flowFor(net, daddr, saddr, dev, skb.mark, tos);
    const res = net.call('fib_lookup', () => net.fib.lookup(fl));
    const forwarding = net.devconf(dev, 'forwarding') !== 0;
    if ('error' in res) {
      const err = forwarding ? res.error : EHOSTUNREACH;
      const why = res.error === ENETUNREACH ? `no route matches ${numToIp(daddr)}` : `the route for ${numToIp(daddr)} is of a type that refuses it (${ERRNO_NAMES[res.error]})`;
      return noRoute(err, `fib_lookup fails: ${why}. The packet gets an error route whose input is ip_error (${ERRNO_NAMES[err]}).`);
    }
    const rt = res.route;
    if (rt.type === 'RTN_BROADCAST') {
      return localInput('RTN_BROADCAST', `fib_lookup finds a broadcast route for ${numToIp(daddr)} in table ${tableName(res.table)}: the packet is delivered locally as a broadcast.`);
    }
    if (rt.type === 'RTN_LOCAL') {
      const err = fib_validate_source(net, skb, saddr, dev);
      if (err < 0) {
        if (err === -EXDEV) return err;
        return martianSource('the source is one of our own addresses');
      }
      return localInput('RTN_LOCAL', `fib_lookup finds ${numToIp(daddr)} in the local table: it is one of this host's addresses, so dst->input = ip_local_deliver.`);
    }
    if (!forwarding) {
      return noRoute(EHOSTUNREACH, `${numToIp(daddr)} is not one of this host's addresses and forwarding is off on ${dev.name} (net.ipv4.conf.${dev.name}.forwarding = 0): dst->input = ip_error (EHOSTUNREACH).`);
    }
    if (rt.type !== 'RTN_UNICAST') return martianDest(`route type ${rt.type}`);
    // ip_mkroute_input → __mkroute_input
    const err = fib_validate_source(net, skb, saddr, dev);
    if (err < 0) {
      if (err === -EXDEV) return err;
      return martianSource('the source is one of our own addresses');
    }
    const out = rt.dev!;
    if (out === dev && net.devOrconf(out, 'send_redirects')) {
      const gw = rt.gw;
      if (net.devOrconf(out, 'shared_media') || out.addrs.some((a) => inPrefix(saddr, a.local, a.plen) && (!gw || inPrefix(gw, a.local, a.plen)))) {
        skb.cb.ipFlags = (skb.cb.ipFlags ?? 0) | IPSKB_DOREDIRECT;
      }
    }
    skb.dst = new Rtable('RTN_UNICAST', out, 'ip_forward', 'ip_output', rt.gw, daddr, rt.mtu);
    net.step(skb, 'L3', 'ip_mkroute_input', ROUTE_FILE, `fib_lookup (table ${tableName(res.table)}) matches ${describeRoute(rt)}; forwarding is on, so dst->input = ip_forward and the packet will leave on ${out.name}${rt.gw ? ` via ${numToIp(rt.gw)}` : ''}.`);
    return 0;
  });
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

export type OutputRoute = { rt: Rtable; saddr: number } | { error: number; what: string };

/**
 * ip_route_output_key (ip_route_output_key_hash_rcu): the route for a packet this host sends,
 * with the source address it will carry. Errors are the -errno a sendmsg would return.
 */
export function ip_route_output_key(net: Net, daddr: number, saddr: number, mark = 0, oif: NetDevice | null = null): OutputRoute {
  if (saddr && !isLocalAddr(net, saddr)) return { error: EINVAL, what: `${numToIp(saddr)} is not an address of this host` };
  const fl: Flowi4 = { daddr, saddr, iif: net.lo.ifindex, oif: oif ? oif.ifindex : 0, mark, tos: 0, iifName: 'lo', oifName: oif?.name };
  const res = net.fib.lookup(fl);
  if ('error' in res) {
    const what = res.error === ENETUNREACH ? `no route to ${numToIp(daddr)} (Network is unreachable)` : `the route to ${numToIp(daddr)} refuses it (${ERRNO_NAMES[res.error]})`;
    return { error: res.error, what };
  }
  const r = res.route;
  if (r.type === 'RTN_LOCAL') {
    const src = saddr || (r.prefsrc ? r.prefsrc : daddr);
    return { rt: new Rtable('RTN_LOCAL', net.lo, 'ip_local_deliver', 'ip_output', 0, daddr, 0, 0, src), saddr: src };
  }
  const dev = r.dev!;
  const src = saddr || r.prefsrc || inet_select_addr(net, dev, r.gw || daddr);
  const type = r.type === 'RTN_BROADCAST' ? 'RTN_BROADCAST' : 'RTN_UNICAST';
  return { rt: new Rtable(type, dev, null, 'ip_output', r.gw, daddr, r.mtu, 0, src), saddr: src };
}

/**
 * ip_error: dst->input of an error route. With forwarding off only a counter moves; with it on,
 * the sender gets an ICMP destination unreachable (within the inet_peer rate limit).
 */
export function ip_error(net: Net, skb: SkBuff): void {
  net.call('ip_error', () => {
    const rt = skb.dst!;
    const dev = skb.dev!;
    if (!net.devconf(dev, 'forwarding')) {
      if (rt.error === EHOSTUNREACH) {
        net.count('IpInAddrErrors');
        net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, 'IP_INADDRERRORS', `This host does not forward (forwarding = 0 on ${dev.name}) and the packet is not for one of its addresses: IpInAddrErrors, dropped.`);
        return;
      }
      if (rt.error === ENETUNREACH) {
        net.count('IpExtInNoRoutes');
        net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, 'IP_INNOROUTES', 'No route for the destination and no forwarding: IpExtInNoRoutes, dropped.');
        return;
      }
      net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, 'NOT_SPECIFIED', 'The packet has an error route and this host does not forward: dropped.');
      return;
    }
    let code: number;
    let reason = 'NOT_SPECIFIED';
    switch (rt.error) {
      case EHOSTUNREACH:
        code = ICMP_HOST_UNREACH;
        break;
      case ENETUNREACH:
        code = ICMP_NET_UNREACH;
        reason = 'IP_INNOROUTES';
        net.count('IpExtInNoRoutes');
        break;
      case EACCES:
        code = ICMP_PKT_FILTERED;
        break;
      default:
        net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, 'NOT_SPECIFIED', 'The route is a blackhole: the packet is dropped without a word to the sender.');
        return;
    }
    // The inet_peer token bucket (ip_rt_error_cost / ip_rt_error_burst) lets the first error through.
    net.step(skb, 'L3', 'ip_error', ROUTE_FILE, `The packet cannot be routed (${ERRNO_NAMES[rt.error]}): ip_error answers the sender with ICMP destination unreachable, code ${code}.`);
    icmp_send(net, skb, ICMP_DEST_UNREACH, code, 0);
    net.drop(skb, 'L3', 'ip_error', ROUTE_FILE, reason, 'The packet itself is freed after the ICMP error was sent.');
  });
}

export { Fib };
