// net/ipv6/addrconf.c (v6.12): duplicate address detection. An address added without `nodad`
// (and every link-local address made when a link comes up) is IFA_F_TENTATIVE until DAD is over:
// addrconf_dad_start queues dad_work, whose first run (addrconf_dad_begin) joins the solicited-node
// group and either completes at once (nodad, a NOARP or loopback device, accept_dad < 1 on both
// `all` and the device) or kicks DAD (addrconf_dad_kick): after a random delay below
// router_solicitation_delay, dad_transmits neighbour solicitations from :: to the solicited-node
// group, retrans_time apart; one retrans_time after the last the address is valid
// (addrconf_dad_completed: ipv6_ifa_notify(RTM_NEWADDR) inserts its local route). While the link
// is not ready (the device down, or a veth whose peer is down: no carrier) addrconf_dad_begin
// stops and the address waits, still tentative, for addrconf_dad_run when the link becomes ready.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import { HZ } from '../../proc/sysctl';
import { isTentative, type Inet6Ifaddr } from './ipv6_state';
import { formatIpv6 } from '../../../trace/ipv6';
import { ndisc_send_ns_dad } from './ndisc';
import { NotModelled } from '../../sim/not_modelled';

const FILE = 'net/ipv6/addrconf.c';
const MS = 1e6;

/**
 * The delay addrconf_dad_kick draws: get_random_u32_below(router_solicitation_delay in jiffies,
 * or 1 when it is 0), so 0 with router_solicitation_delay=0 and below the delay otherwise. The
 * model takes the latest the kernel can draw (one jiffy less than the delay): at the model's end
 * of DAD the kernel's is over too, whatever it drew (docs/fidelity.md, "## IPv6").
 */
export function dadKickDelayMs(net: Net, dev: NetDevice): number {
  const jiffies = net.get(`net.ipv6.conf.${dev.name}.router_solicitation_delay`) * HZ;
  return jiffies > 0 ? ((jiffies - 1) * 1000) / HZ : 0;
}

/** NEIGH_VAR(nd_parms, RETRANS_TIME), at least HZ/100: the time between DAD's probes (1 s, nd_tbl's default). */
export const DAD_RETRANS_MS = 1000;

function step(net: Net, fn: string, what: string): void {
  net.step(null, 'L3', fn, FILE, what);
}

/**
 * addrconf_dad_start for an address just added (inet6_addr_add, addrconf_add_linklocal): it is
 * tentative; dad_work runs at once (the model runs its first part, addrconf_dad_begin, in the
 * same setup step, as the kernel's workqueue runs it right after the netlink request). Setup
 * records no events: the trace starts with DAD's first scheduled work.
 */
export function addrconf_dad_start(net: Net, dev: NetDevice, ifp: Inet6Ifaddr, onDone: (ifp: Inet6Ifaddr) => void): void {
  if (!ifp.flags.includes('tentative')) ifp.flags.push('tentative');
  ifp.dad = { state: 'waiting', probes: 0, nonce: 0 };
  addrconf_dad_begin(net, dev, ifp, onDone);
}

/** Why addrconf_dad_begin completes at once without probing, if it does. */
function dadSkipped(net: Net, dev: NetDevice, ifp: Inet6Ifaddr): string | undefined {
  if (dev.isLoopback || dev.noarp) return `${dev.name} is ${dev.isLoopback ? 'a loopback' : 'a NOARP'} device`;
  if (net.get('net.ipv6.conf.all.accept_dad') < 1 && net.get(`net.ipv6.conf.${dev.name}.accept_dad`) < 1) return 'accept_dad is below 1 on both `all` and the device';
  if (ifp.flags.includes('nodad')) return 'the address was added with nodad (IFA_F_NODAD)';
  return undefined;
}

/** addrconf_dad_begin: DAD skipped (completed now), stopped until the link is ready, or kicked. */
function addrconf_dad_begin(net: Net, dev: NetDevice, ifp: Inet6Ifaddr, onDone: (ifp: Inet6Ifaddr) => void): void {
  const skip = dadSkipped(net, dev, ifp);
  if (skip) {
    addrconf_dad_completed(net, dev, ifp, onDone, false);
    return;
  }
  // not ready: the address stays tentative until addrconf_dad_run
  if (!dev.operUp) {
    ifp.dad = { state: 'waiting', probes: 0, nonce: 0 };
    return;
  }
  addrconf_dad_kick(net, dev, ifp, onDone);
}

/** addrconf_dad_kick: dad_probes = dad_transmits, the nonce (enhanced_dad), dad_work after the random delay. */
function addrconf_dad_kick(net: Net, dev: NetDevice, ifp: Inet6Ifaddr, onDone: (ifp: Inet6Ifaddr) => void): void {
  const enhanced = net.get('net.ipv6.conf.all.enhanced_dad') || net.get(`net.ipv6.conf.${dev.name}.enhanced_dad`);
  // a nonzero 48-bit nonce from get_random_bytes: the model draws its own (xorshift), never 0
  const nonce = enhanced ? (net.randBelow(0xffffff) + 1) * 0x1000000 + net.randBelow(0x1000000) : 0;
  const probes = net.get(`net.ipv6.conf.${dev.name}.dad_transmits`);
  ifp.dad = { state: 'probing', probes, nonce };
  const delay = dadKickDelayMs(net, dev);
  net.w.sched.after(delay * MS, () => addrconf_dad_work(net, dev, ifp, onDone, delay), false, 'process');
}

/** addrconf_dad_work: one probe (dad_probes--, the next run retrans_time later), or success when none is left. */
function addrconf_dad_work(net: Net, dev: NetDevice, ifp: Inet6Ifaddr, onDone: (ifp: Inet6Ifaddr) => void, kickedAfter?: number): void {
  const d = ifp.dad;
  // the address went away (inet6_addr_del: INET6_IFADDR_STATE_DEAD)
  if (!d || d.state !== 'probing' || !isTentative(ifp)) return;
  net.call('addrconf_dad_work', () => {
    if (kickedAfter !== undefined) {
      const n = d.probes;
      step(net, 'addrconf_dad_kick', `Duplicate address detection for ${formatIpv6(ifp.addr)} on ${dev.name}: ${n} solicitation${n === 1 ? '' : 's'} from :: (dad_transmits), ${DAD_RETRANS_MS} ms apart, after a random delay below router_solicitation_delay (the model takes ${kickedAfter} ms, the latest the kernel can draw). The address is tentative until ${DAD_RETRANS_MS} ms after the last.`);
    }
    // idev->if_flags lost IF_READY (the link went down): DAD stops, the address stays tentative
    if (!dev.operUp) {
      d.state = 'waiting';
      step(net, 'addrconf_dad_work', `${dev.name}'s link is not ready: DAD of ${formatIpv6(ifp.addr)} waits for it.`);
      return;
    }
    if (d.probes <= 0) {
      addrconf_dad_completed(net, dev, ifp, onDone, true);
      return;
    }
    d.probes--;
    net.w.sched.after(DAD_RETRANS_MS * MS, () => addrconf_dad_work(net, dev, ifp, onDone), false, 'process');
    ndisc_send_ns_dad(net, dev, ifp.addr, d.nonce);
  });
}

/** addrconf_dad_completed: the address is valid; ipv6_ifa_notify inserts its local route. */
function addrconf_dad_completed(net: Net, dev: NetDevice, ifp: Inet6Ifaddr, onDone: (ifp: Inet6Ifaddr) => void, record: boolean): void {
  ifp.flags = ifp.flags.filter((f) => f !== 'tentative');
  ifp.dad = undefined;
  if (record) step(net, 'addrconf_dad_completed', `No answer: ${formatIpv6(ifp.addr)} on ${dev.name} is no longer tentative. It can be a source, and packets to it are delivered (ipv6_ifa_notify inserts its local route).`);
  onDone(ifp);
}

/** addrconf_dad_run (NETDEV_UP / NETDEV_CHANGE when the link becomes ready): the addresses that waited are kicked. */
export function addrconf_dad_run(net: Net, dev: NetDevice, addrs: Inet6Ifaddr[], onDone: (ifp: Inet6Ifaddr) => void): void {
  for (const ifp of addrs) if (isTentative(ifp) && ifp.dad?.state === 'waiting') addrconf_dad_kick(net, dev, ifp, onDone);
}

/**
 * addrconf_dad_failure: another node has the address (its DAD solicitation or an advertisement
 * for it arrived while ours was tentative). The address would be marked IFA_F_DADFAILED and, for
 * a link-local address made from the MAC with accept_dad > 1, IPv6 turned off on the device: not
 * modelled.
 */
export function addrconf_dad_failure(ifp: Inet6Ifaddr, dev: NetDevice): never {
  throw new NotModelled(`duplicate address detection failed for ${formatIpv6(ifp.addr)} on ${dev.name} (another node uses it): addrconf_dad_failure is not modelled`);
}
