// net/ipv6/route.c (v6.12): struct rt6_info, the dst a fib6 lookup makes, with its own
// dst->input and dst->output (ip6_rt_init_dst): ip6_input for a local route, ip6_mc_input for
// multicast, ip6_forward for any other route, ip6_pkt_discard / ip6_pkt_prohibit for error
// routes and ip6_null_entry (no route at all); ip6_output, or the *_out twins, for output.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { Fib6Info, Rt6Type } from './ipv6_state';
import { Rtable, type DstInput, type DstOutput, EACCES, EHOSTUNREACH, EINVAL, ENETUNREACH } from '../ipv4/route_types';
import { DST_DISCARD } from '../core/dst';
import { formatIpv6 } from '../../../trace/ipv6';
import { isV6Multicast } from '../../proto/ipv6';
import { fib6_lookup } from './ip6_fib';
import { ipv6_dev_get_saddr, refuseSubnetAnycast } from './addrconf';
import { snmpId } from '../snmp_ids';
import { jiffiesAt } from '../../sim/scheduler';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6OutNoRoutes = snmpId('Ip6OutNoRoutes');

export const ROUTE6_FILE = 'net/ipv6/route.c';

/** struct rt6_info: a dst of the IPv6 family, read by the IPv6 files only. */
export class Rt6Info extends Rtable {
  constructor(
    type: Rt6Type,
    dev: NetDevice,
    input: DstInput,
    output: DstOutput,
    /** rt6i_gateway: the next hop, null when the destination is on-link */
    readonly gw6: Uint8Array | null,
    readonly daddr6: Uint8Array,
    /** RTAX_MTU of the route, 0 for the device's */
    mtu6: number,
    error: number,
    /** the device of the route's nexthop (rt6i_idev): for a local route lo is dst.dev, this is the address's device */
    readonly idev: NetDevice,
  ) {
    super(type, dev, input, output, 0, mtu6, error);
  }

  /** the prefix length of the fib6 route it came from (icmpv6_xrlim_allow scales by it) */
  plen6?: number;

  override describe(): string {
    const t = this.type.slice(4).toLowerCase();
    const via = this.gw6 ? ` via ${formatIpv6(this.gw6)}` : '';
    const fn = this.input.name !== 'dst_discard' ? this.input.name : this.output.name;
    return `${t} ${formatIpv6(this.daddr6)}${via} dev ${this.dev.name} (${fn})`;
  }

  /** an IPv6 route's addresses are arrays, which a template's arguments cannot be: made as it is */
  override describeBy(): string {
    return this.describe();
  }
}

/** rt6_nexthop: the gateway, or the destination itself when on-link */
export function rt6_nexthop(rt: Rt6Info, daddr: Uint8Array): Uint8Array {
  return rt.gw6 ?? daddr;
}

/** The input and output functions per route type; filled by ip6_input.ts and ip6_output.ts, which import this file. */
export const rt6Fns: {
  ip6_input?: DstInput;
  ip6_mc_input?: DstInput;
  ip6_forward?: DstInput;
  ip6_pkt_discard?: DstInput;
  ip6_pkt_prohibit?: DstInput;
  ip6_output?: DstOutput;
  ip6_pkt_discard_out?: DstOutput;
  ip6_pkt_prohibit_out?: DstOutput;
} = {};

const DST_DISCARD_OUT: DstOutput = { name: 'dst_discard_out', fn: () => 0 };

/** ip6_rt_type_to_error */
function rtError(t: Rt6Type | 'null'): number {
  return t === 'RTN_BLACKHOLE' ? -EINVAL : t === 'RTN_PROHIBIT' ? -EACCES : t === 'RTN_UNREACHABLE' ? -EHOSTUNREACH : t === 'null' ? -ENETUNREACH : 0;
}

function mkRt(net: Net, f: Fib6Info | null, daddr: Uint8Array, forInput: boolean, dev: NetDevice | null): Rt6Info {
  const rt = mkRt0(net, f, daddr, forInput, dev);
  rt.plen6 = f?.plen ?? 0;
  return rt;
}

function mkRt0(net: Net, f: Fib6Info | null, daddr: Uint8Array, forInput: boolean, dev: NetDevice | null): Rt6Info {
  const F = rt6Fns;
  if (!f) {
    // ip6_null_entry: RTN_UNREACHABLE on lo, -ENETUNREACH
    return new Rt6Info('RTN_UNREACHABLE', net.lo, F.ip6_pkt_discard!, F.ip6_pkt_discard_out!, null, daddr, 0, rtError('null'), dev ?? net.lo);
  }
  const nhdev = net.devByIndex(f.ifindex) ?? net.lo;
  switch (f.type) {
    case 'RTN_LOCAL':
      return new Rt6Info('RTN_LOCAL', net.lo, F.ip6_input!, F.ip6_output!, null, f.dst, f.mtu, 0, nhdev);
    case 'RTN_MULTICAST':
      return new Rt6Info('RTN_MULTICAST', nhdev, F.ip6_mc_input!, F.ip6_output!, null, daddr, f.mtu, 0, nhdev);
    case 'RTN_UNICAST':
      return new Rt6Info('RTN_UNICAST', nhdev, forInput ? F.ip6_forward! : DST_DISCARD, F.ip6_output!, f.gw, daddr, f.mtu, 0, nhdev);
    case 'RTN_BLACKHOLE':
      return new Rt6Info(f.type, net.lo, DST_DISCARD, DST_DISCARD_OUT, null, daddr, 0, rtError(f.type), net.lo);
    case 'RTN_PROHIBIT':
      return new Rt6Info(f.type, net.lo, F.ip6_pkt_prohibit!, F.ip6_pkt_prohibit_out!, null, daddr, 0, rtError(f.type), net.lo);
    case 'RTN_UNREACHABLE':
      return new Rt6Info(f.type, net.lo, F.ip6_pkt_discard!, F.ip6_pkt_discard_out!, null, daddr, 0, rtError(f.type), net.lo);
  }
}

/**
 * ip6_route_input: the dst of a received packet. A multicast destination takes the device's
 * ff00::/8 route (ip6_mc_input); anything else the fib6 lookup's route.
 */
export function ip6_route_input(net: Net, skb: SkBuff, daddr: Uint8Array): Rt6Info {
  const dev = skb.dev!;
  refuseSubnetAnycast(net, daddr);
  if (isV6Multicast(daddr)) {
    const f = fib6_lookup(net, daddr, dev.ifindex, true);
    const rt = mkRt(net, f, daddr, true, dev);
    skb.dst = rt;
    return rt;
  }
  const rt = mkRt(net, fib6_lookup(net, daddr, undefined, true), daddr, true, dev);
  skb.dst = rt;
  return rt;
}

export interface Route6Out {
  rt: Rt6Info;
  saddr: Uint8Array;
}

/**
 * ip6_route_output and the source address for it (ip6_route_get_saddr): the route to `daddr`
 * (on `oif` when given). An error route or no route is an error with the errno connect() and
 * sendmsg() return. Nothing is counted: callers that look up through ip6_dst_lookup_tail use
 * ip6_dst_lookup, which does.
 */
export function ip6_route_output(net: Net, daddr: Uint8Array, oif?: NetDevice): Route6Out | { error: number; what: string } {
  refuseSubnetAnycast(net, daddr);
  const f = fib6_lookup(net, daddr, oif?.ifindex, true);
  const rt = mkRt(net, f, daddr, false, oif ?? null);
  if (rt.error) {
    const what = rt.error === -ENETUNREACH ? 'Network is unreachable' : rt.error === -EACCES ? 'Permission denied' : rt.error === -EINVAL ? 'Invalid argument' : 'No route to host';
    return { error: -rt.error, what };
  }
  const saddr = ipv6_dev_get_saddr(net, rt.idev, daddr);
  if (!saddr) return { error: 99, what: 'Cannot assign requested address' };
  return { rt, saddr };
}

/**
 * ip6_dst_lookup / ip6_dst_lookup_flow → ip6_dst_lookup_tail (net/ipv6/ip6_output.c, v6.12):
 * ip6_route_output, and a lookup that ends in no route (-ENETUNREACH, the ip6_null_entry) counts Ip6OutNoRoutes. An error route of another type (prohibit, blackhole,
 * unreachable) fails without a count. Every sender that looks its route up this way counts it:
 * ICMPv6 echo replies and errors, ping, UDP, TCP's connect, SYN-ACKs and stateless replies.
 */
export function ip6_dst_lookup(net: Net, daddr: Uint8Array, oif?: NetDevice): Route6Out | { error: number; what: string } {
  const r = ip6_route_output(net, daddr, oif);
  if ('error' in r && r.error === ENETUNREACH) net.count(SNMP_Ip6OutNoRoutes);
  return r;
}

/** ip6_route_output alone, for a packet whose source is already set (ip6_route_me_harder): the dst, an error route's error in it. */
export function ip6_route_output_dst(net: Net, daddr: Uint8Array, oif?: NetDevice): Rt6Info {
  refuseSubnetAnycast(net, daddr);
  return mkRt(net, fib6_lookup(net, daddr, oif?.ifindex, true), daddr, false, oif ?? null);
}

/** icmp6_dst_alloc / the dst ndisc sends on: straight out of `dev` to `daddr`, no lookup. */
export function icmp6_dst_alloc(dev: NetDevice, daddr: Uint8Array): Rt6Info {
  return new Rt6Info(isV6Multicast(daddr) ? 'RTN_MULTICAST' : 'RTN_UNICAST', dev, DST_DISCARD, rt6Fns.ip6_output!, null, daddr, 0, 0, dev);
}

export class Netlink6Error extends Error {}

export interface Route6Spec {
  type: Rt6Type;
  dst: Uint8Array;
  plen: number;
  gw: Uint8Array | null;
  dev: NetDevice | null;
  metric?: number;
  mtu?: number;
}

/**
 * inet6_rtm_newroute → ip6_route_add: the main table. A gateway must be reachable on-link
 * (ip6_validate_gw: a route to it without a gateway), and gives the device when none is
 * named; the device must be up; a route of the same prefix and metric exists already: EEXIST
 * (NLM_F_EXCL), unless replacing. Error routes go on lo. The metric defaults to 1024.
 */
export function ip6_route_add(net: Net, r: Route6Spec, replace: boolean): void {
  const metric = r.metric ?? 1024;
  let dev = r.dev;
  if (r.type !== 'RTN_UNICAST') dev = net.lo;
  else if (r.gw) {
    const f = fib6_lookup(net, r.gw, dev?.ifindex);
    const onlink = f && f.type === 'RTN_UNICAST' && !f.gw ? net.devByIndex(f.ifindex) : undefined;
    const ll = r.gw[0] === 0xfe && (r.gw[1] & 0xc0) === 0x80;
    // ip6_validate_gw (v6.12): a link-local gateway needs the device named, else "Egress device not specified"
    if (!onlink && ll && !dev) throw new Netlink6Error('Error: Egress device not specified.');
    if (!onlink && !(ll && dev)) throw new Netlink6Error('Error: Nexthop has invalid gateway.');
    dev ??= onlink!;
  }
  if (!dev) throw new Netlink6Error('Error: Nexthop device is required.');
  if (!dev.up) throw new Netlink6Error('Error: Nexthop device is not up.');
  const same = (x: Fib6Info): boolean => x.table === 'main' && x.plen === r.plen && x.metric === metric && x.dst.every((b, i) => b === r.dst[i]);
  const i = net.ipv6.routes.findIndex(same);
  const f: Fib6Info = { dst: r.dst, plen: r.plen, type: r.type, ifindex: dev.ifindex, gw: r.gw, metric, mtu: r.mtu ?? 0, table: 'main', proto: 'boot', lastProbe: jiffiesAt(net.w.sched.now) };
  if (i >= 0) {
    if (!replace) throw new Netlink6Error('RTNETLINK answers: File exists');
    net.ipv6.routes[i] = f;
  } else net.ipv6.routes.push(f);
}

/** inet6_rtm_delroute: the first main-table route of the prefix that matches what is given. */
export function ip6_route_del(net: Net, r: Partial<Route6Spec> & { dst: Uint8Array; plen: number }): void {
  const i = net.ipv6.routes.findIndex(
    (x) =>
      x.table === 'main' &&
      x.plen === r.plen &&
      x.dst.every((b, k) => b === r.dst[k]) &&
      (r.metric === undefined || x.metric === r.metric) &&
      (!r.dev || x.ifindex === r.dev.ifindex) &&
      (!r.gw || (!!x.gw && x.gw.every((b, k) => b === r.gw![k]))),
  );
  if (i < 0) throw new Netlink6Error('RTNETLINK answers: No such process');
  net.ipv6.routes.splice(i, 1);
}
