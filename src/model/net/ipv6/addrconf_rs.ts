// net/ipv6/addrconf.c (v6.12): the router solicitations a host sends when its link comes up.
// addrconf_dad_completed, for the device's only valid link-local address, sends the first one at
// once (ndisc_send_rs from that address to ff02::2: the random delay RFC 4861 asks for was DAD's)
// when the device takes router advertisements in (ipv6_accept_ra: accept_ra, and 2 on a device
// that forwards) and router_solicitations (rtr_solicits) is not 0; rs_timer then sends one every
// rs_interval, which starts at rtr_solicit_interval and doubles up to rtr_solicit_max_interval,
// each time times a random 0.9..1.1 (RFC 7559's backoff, rfc3315_s14_backoff_init/update),
// until rtr_solicits are sent (-1: without end) or an advertisement arrives (IF_RA_RCVD; the
// model takes none in). The model draws nothing: it takes the latest the kernel can draw, as for
// DAD's delay (docs/fidelity.md, "## IPv6"). A finite series keeps the run alive (the link-up
// lasts until its last solicitation); an unending one's timer after the first is background
// housekeeping, which ends with the run.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { Task } from '../../sim/scheduler';
import { HZ } from '../../proc/sysctl';
import { formatIpv6 } from '../../../trace/ipv6';
import { ndisc_send_rs } from './ndisc';
import { isTentative } from './ipv6_state';

const MS = 1e6;

/** inet6_dev's router solicitation state: rs_probes, rs_interval (jiffies) and rs_timer. */
export interface Inet6DevRs {
  probes: number;
  interval: number;
  timer?: Task;
}

/** rfc3315_s14_backoff_init, the latest draw: irt × 1.1 (get_random_u32_inclusive(900000, 1100000) / 10^6), in jiffies. */
export function rsBackoffInit(irt: number): number {
  return Math.floor((1100000 * irt) / 1000000);
}

/**
 * rfc3315_s14_backoff_update, the latest draw: rt × 2.1 unless that passes mrt, then mrt × 1.1.
 * When rt × 1.9 ≤ mrt < rt × 2.1 the kernel may stay below mrt, but mrt × 1.1 is later still.
 */
export function rsBackoffUpdate(rt: number, mrt: number): number {
  const tmp = Math.floor((2100000 * rt) / 1000000);
  // the kernel compares as s32: an interval past INT_MAX jiffies wraps negative and is kept
  return (tmp | 0) > mrt ? Math.floor((1100000 * mrt) / 1000000) : tmp;
}

function conf(net: Net, dev: NetDevice, key: string): number {
  return net.get(`net.ipv6.conf.${dev.name}.${key}`);
}

/** ipv6_accept_ra: accept_ra, and only 2 counts on a device that forwards. */
export function ipv6_accept_ra(net: Net, dev: NetDevice): boolean {
  const ra = conf(net, dev, 'accept_ra');
  return conf(net, dev, 'forwarding') ? ra === 2 : ra !== 0;
}

/** ipv6_get_lladdr(…, IFA_F_TENTATIVE): the first link-local address that is not tentative. */
function lladdr(net: Net, dev: NetDevice): Uint8Array | undefined {
  return (net.ipv6.addrs.get(dev.ifindex) ?? []).find((a) => a.scope === 'link' && !isTentative(a))?.addr;
}

function rsState(net: Net, dev: NetDevice): Inet6DevRs {
  let r = net.ipv6.rs.get(dev.ifindex);
  if (!r) net.ipv6.rs.set(dev.ifindex, (r = { probes: 0, interval: 0 }));
  return r;
}

/**
 * addrconf_mod_rs_timer: mod_timer moves a pending timer (on the timer wheel, which runs it at its
 * level's next step: up to 256 ms late for 4 s). An unending series' timer is background and
 * endless: it neither keeps the run alive nor is run out at its end (World.finish).
 */
function addrconf_mod_rs_timer(net: Net, dev: NetDevice, jiffies: number): void {
  const r = rsState(net, dev);
  net.w.sched.cancel(r.timer);
  const endless = conf(net, dev, 'router_solicitations') < 0;
  r.timer = net.w.sched.timer((jiffies * 1000 * MS) / HZ, () => addrconf_rs_timer(net, dev), false, endless);
  r.timer.endless = endless;
}

/** addrconf_del_rs_timer (addrconf_ifdown): the series stops. */
export function addrconf_del_rs_timer(net: Net, dev: NetDevice): void {
  net.w.sched.cancel(net.ipv6.rs.get(dev.ifindex)?.timer);
  net.ipv6.rs.delete(dev.ifindex);
}

function series(net: Net, dev: NetDevice): string {
  const n = conf(net, dev, 'router_solicitations');
  return n < 0 ? 'router_solicitations is -1: one every rs_interval without end, while nothing answers' : `router_solicitations is ${n}`;
}

/**
 * addrconf_dad_completed's part for the device's only valid link-local address (ipv6_lonely_lladdr,
 * the same test as the MLD reports'): the first solicitation, rs_probes 1, rs_interval from
 * rtr_solicit_interval, and the timer.
 */
export function addrconf_rs_start(net: Net, dev: NetDevice): void {
  if (dev.isLoopback || !ipv6_accept_ra(net, dev) || conf(net, dev, 'router_solicitations') === 0) return;
  const src = lladdr(net, dev);
  if (!src) return;
  const r = rsState(net, dev);
  r.interval = rsBackoffInit(conf(net, dev, 'router_solicitation_interval') * HZ);
  r.probes = 1;
  net.call('addrconf_dad_completed', () => {
    ndisc_send_rs(net, dev, src, `The first one, as ${formatIpv6(src)} became valid (DAD's random delay was the one RFC 4861 asks for before it); ${series(net, dev)}. The next after rs_interval, rtr_solicit_interval × 0.9..1.1 at random (the model takes ${(r.interval * 1000) / HZ} ms, the latest).`);
  });
  // with router_solicitations 1 the timer's run sends nothing (rs_probes is not below 1)
  if (r.probes !== conf(net, dev, 'router_solicitations')) addrconf_mod_rs_timer(net, dev, r.interval);
}

/**
 * addrconf_rs_timer: nothing when the link is not ready or the device no longer takes
 * advertisements in; otherwise another solicitation while rs_probes (counted up here) is below
 * rtr_solicits, or always with -1, and the interval backs off. After the last one the timer runs
 * once more, rtr_solicit_delay later, and sends nothing: the model leaves that run out.
 */
function addrconf_rs_timer(net: Net, dev: NetDevice): void {
  const r = rsState(net, dev);
  r.timer = undefined;
  if (!dev.operUp || !ipv6_accept_ra(net, dev)) return;
  const n = conf(net, dev, 'router_solicitations');
  if (!(r.probes++ < n || n < 0)) return;
  const src = lladdr(net, dev);
  if (!src) return;
  const prev = r.interval;
  r.interval = rsBackoffUpdate(prev, conf(net, dev, 'router_solicitation_max_interval') * HZ);
  net.call('addrconf_rs_timer', () => {
    const last = r.probes === n;
    ndisc_send_rs(net, dev, src, `Number ${r.probes}; ${series(net, dev)}.${last ? ' The last.' : ` The next after rs_interval × 1.9..2.1 at random, at most rtr_solicit_max_interval × 0.9..1.1 (the model takes ${(r.interval * 1000) / HZ} ms, the latest).`}`);
  });
  if (r.probes !== n) addrconf_mod_rs_timer(net, dev, r.interval);
}
