// net/core/neighbour.c: the neighbour state machine (NUD_*), the queue of packets waiting for
// resolution, and the output functions that put the link-layer header on.
import type { Net, NeighParm } from '../net_namespace';
import type { NetDevice } from './netdevice';
import type { SkBuff } from './skbuff';
import type { Neighbour, NudState } from './neighbour_types';
import { nudConnected, nudValid } from './neighbour_types';
import { BROADCAST_MAC, numToIp } from '../../proto/addr';
import { ETH_P_IP } from '../../proto/ethernet';
import { eth_header } from '../ethernet/eth';
import { dev_queue_xmit } from './dev';
import { arp_solicit } from '../ipv4/arp';
import { icmp_send } from '../ipv4/icmp';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH } from '../../proto/icmp';

const FILE = 'net/core/neighbour.c';
/** delay_first_probe_time: how long a STALE entry in use waits for confirmation before probing */
const DELAY_PROBE_NS = 5e9;
/** truesize of a queued skb, charged against unres_qlen_bytes */
const truesize = (skb: SkBuff): number => skb.truesize();

/** the entry's address as text, either family */
/** neigh_hh_output's sentence (net.say) */
function hhWhat(key: string, state: string, ha: string | null): string {
  return `${key} is ${state}, at ${ha}: the cached Ethernet header is pushed in front (data moves back 14 bytes).`;
}

export function nkey(n: Neighbour): string {
  return n.ops ? n.ops.text : numToIp(n.key);
}

/** NEIGH_VAR(n->parms, …): arp_tbl's per-device sysctls, or nd_tbl's defaults */
function parm(net: Net, n: Neighbour, p: NeighParm): number {
  return n.ops ? n.ops.parm(p) : net.neighParm(n.dev, p);
}

function key(dev: NetDevice, ip: number): string {
  return `${dev.ifindex}/${ip}`;
}

export function neigh_lookup(net: Net, dev: NetDevice, ip: number): Neighbour | undefined {
  return net.neigh.get(key(dev, ip));
}

/** __neigh_create with arp_constructor: loopback, NOARP and broadcast next hops need no ARP. */
export function neigh_create(net: Net, dev: NetDevice, ip: number): Neighbour {
  let state: NudState = 'NUD_NONE';
  let ha: string | null = null;
  if (dev.isLoopback || dev.noarp) {
    state = 'NUD_NOARP';
    ha = dev.mac;
  } else if (ip === 0xffffffff || dev.addrs.some((a) => a.broadcast === ip || (a.plen < 31 && ((a.local | ~(0xffffffff << (32 - a.plen))) >>> 0) === ip))) {
    state = 'NUD_NOARP';
    ha = BROADCAST_MAC;
  }
  // A new entry counts as confirmed long ago, so that a STALE one is probed before it is trusted again.
  const n: Neighbour = { key: ip, dev, state, ha, arpQueue: [], arpQueueBytes: 0, probes: 0, timer: null, confirmed: net.w.sched.now - 60e9, updated: net.w.sched.now };
  net.neigh.set(key(dev, ip), n);
  return n;
}

/** ip_neigh_for_gw → __ipv4_neigh_lookup_noref, or a new entry. */
export function ip_neigh_for_gw(net: Net, dev: NetDevice, nexthop: number): Neighbour {
  return neigh_lookup(net, dev, nexthop) ?? neigh_create(net, dev, nexthop);
}

/**
 * neigh_output: with a confirmed address the cached header goes on at once; otherwise resolve.
 * Returns dev_queue_xmit's code (0 for a packet that waits for resolution).
 */
export function neigh_output(net: Net, n: Neighbour, skb: SkBuff): number {
  if (nudConnected(n.state)) {
    // enter/leave, not a closure: every forwarded or sent packet with a resolved neighbour comes here
    const call = net.enter('neigh_hh_output');
    try {
      eth_header(skb, n.dev, n.ops?.protocol ?? ETH_P_IP, n.ha!);
      net.step(skb, 'L2', 'neigh_hh_output', 'include/net/neighbour.h', net.full ? net.say(hhWhat, nkey(n), n.state, n.ha) : '');
      return dev_queue_xmit(net, skb);
    } finally {
      net.leave(call);
    }
  }
  return neigh_resolve_output(net, n, skb);
}

/** neigh_resolve_output: start or continue resolution; send now only if the entry is usable. */
function neigh_resolve_output(net: Net, n: Neighbour, skb: SkBuff): number {
  const call = net.enter('neigh_resolve_output');
  try {
    if (__neigh_event_send(net, n, skb)) return 0;
    eth_header(skb, n.dev, n.ops?.protocol ?? ETH_P_IP, n.ha!);
    net.step(skb, 'L2', 'neigh_resolve_output', FILE, net.full ? `${nkey(n)} is ${n.state} at ${n.ha}: the packet goes out with that address while the entry is re-confirmed.` : '');
    return dev_queue_xmit(net, skb);
  } finally {
    net.leave(call);
  }
}

/**
 * __neigh_event_send: returns true when the packet was queued (or dropped) waiting for
 * resolution, false when it can be sent now.
 */
function __neigh_event_send(net: Net, n: Neighbour, skb: SkBuff | null): boolean {
  const call = net.enter('__neigh_event_send');
  try {
    const now = net.w.sched.now;
    let probeNow = false;
    if ((n.state === 'NUD_NONE' || n.state === 'NUD_FAILED') && parm(net, n, 'mcast_solicit') + parm(net, n, 'app_solicit') === 0) {
      // v6.12: with no multicast (broadcast) and no application probes allowed, resolution cannot
      // start: the entry fails at once and the packet is freed
      n.state = 'NUD_FAILED';
      n.updated = now;
      if (skb) net.drop(skb, 'L2', '__neigh_event_send', FILE, 'NEIGH_FAILED', net.full ? `${nkey(n)} on ${n.dev.name} has no MAC address, and mcast_solicit + app_solicit is 0: no ARP request may be sent, so the entry is NUD_FAILED at once and the packet is freed.` : '');
      return true;
    }
    if (n.state === 'NUD_NONE' || n.state === 'NUD_FAILED') {
      n.probes = parm(net, n, 'ucast_solicit');
      n.state = 'NUD_INCOMPLETE';
      n.updated = now;
      probeNow = true;
      net.w.sched.cancel(n.timer);
      n.timer = net.w.sched.after(parm(net, n, 'retrans_time_ms') * 1e6, () => neigh_timer_handler(net, n));
    } else if (n.state === 'NUD_STALE') {
      n.state = 'NUD_DELAY';
      n.updated = now;
      net.w.sched.cancel(n.timer);
      // The kernel's timer wheel runs this 5 s timer 1 to 64 jiffies late (calc_wheel_index), so a
      // confirmation in the very jiffy the entry entered NUD_DELAY is too old or not depending on
      // the real gaps between packets, which the model does not have: it fires on time, and a
      // confirmation in the same instant counts (docs/fidelity.md, open differences, timing).
      n.timer = net.w.sched.after(DELAY_PROBE_NS, () => neigh_timer_handler(net, n), true);
      return false;
    }
    if (n.state !== 'NUD_INCOMPLETE') return false;
    if (!skb) {
      // neigh_event_send(n, NULL): resolution starts, nothing waits for it
      if (probeNow) neigh_probe(net, n);
      return true;
    }
    const limit = parm(net, n, 'unres_qlen_bytes');
    while (n.arpQueue.length > 0 && n.arpQueueBytes + truesize(skb) > limit) {
      const old = n.arpQueue.shift()!;
      n.arpQueueBytes -= truesize(old);
      net.drop(old, 'L2', '__neigh_event_send', FILE, 'NEIGH_QUEUEFULL', net.full ? `The queue of packets waiting for ${nkey(n)} is full (unres_qlen_bytes ${limit}): the oldest is dropped.` : '');
    }
    n.arpQueue.push(skb);
    n.arpQueueBytes += truesize(skb);
    net.step(skb, 'L2', '__neigh_event_send', FILE, net.full ? `${nkey(n)} on ${n.dev.name} has no MAC address yet (NUD_INCOMPLETE): the packet waits in the neighbour's arp_queue (${n.arpQueue.length} queued) while ${n.ops ? 'neighbour discovery' : 'ARP'} asks.` : '');
    net.fate(skb, { kind: 'pending', fn: '__neigh_event_send', detail: `waiting for ARP on ${nkey(n)}` });
    if (probeNow) {
      neigh_probe(net, n);
      local_bh_enable(net, skb);
    }
    return true;
  } finally {
    net.leave(call);
  }
}

/**
 * neigh_event_send (include/net/neighbour.h): start resolving an entry that is not valid
 * (used by __ip_do_redirect for a new gateway); true while it is not usable yet.
 */
export function neigh_event_send(net: Net, n: Neighbour, skb: SkBuff | null): boolean {
  if (nudConnected(n.state) || n.state === 'NUD_DELAY' || n.state === 'NUD_PROBE') return false;
  return __neigh_event_send(net, n, skb);
}

/**
 * The local_bh_enable that ends __neigh_event_send (v6.12). In process context (a system call
 * sending) it runs the softirqs raised meanwhile: over a veth the solicitation reaches the peer's
 * backlog on this CPU, the peer answers, and the answer is handled, all before the call returns.
 * So a datagram cut into fragments finds the entry resolved from its second fragment on and sends
 * those at once (where a refusal is then the sender's error). A TCP sender holds its socket lock,
 * and what arrives for the socket waits for release_sock: the model keeps TCP's sends as they
 * were (see userLockAt in sock_types.ts).
 */
function local_bh_enable(net: Net, skb: SkBuff): void {
  if (skb.sk?.kind === 'tcp') return;
  net.w.sched.runPendingNetRx();
}

/** neigh_probe: send a solicitation (arp_solicit) for the newest queued packet. */
function neigh_probe(net: Net, n: Neighbour): void {
  const call = net.enter('neigh_probe');
  try {
    const skb = n.arpQueue.length > 0 ? n.arpQueue[n.arpQueue.length - 1] : null;
    if (n.ops) n.ops.solicit(n, skb);
    else arp_solicit(net, n, skb);
    n.probes++;
  } finally {
    net.leave(call);
  }
}

/**
 * __neigh_set_probe_once (v6.12), for IPv6 router reachability probing (rt6_probe): the entry
 * counts as updated now, and a failed one is given one more chance: NUD_INCOMPLETE with its
 * probes used up, so its timer (retrans_time, at least HZ/100) fails it again unless an
 * advertisement answers the one solicitation rt6_probe's work sends meanwhile.
 */
export function __neigh_set_probe_once(net: Net, n: Neighbour): void {
  n.updated = net.w.sched.now;
  if (n.state !== 'NUD_FAILED') return;
  n.state = 'NUD_INCOMPLETE';
  n.probes = maxProbes(net, n);
  net.w.sched.cancel(n.timer);
  n.timer = net.w.sched.after(Math.max(parm(net, n, 'retrans_time_ms'), 10) * 1e6, () => neigh_timer_handler(net, n));
}

/** neigh_max_probes: unicast + app + multicast (broadcast) probes. */
function maxProbes(net: Net, n: Neighbour): number {
  return parm(net, n, 'ucast_solicit') + parm(net, n, 'app_solicit') + (n.state === 'NUD_PROBE' ? 0 : parm(net, n, 'mcast_solicit'));
}

/** neigh_timer_handler: probe again, or give up (NUD_FAILED) after neigh_max_probes. */
function neigh_timer_handler(net: Net, n: Neighbour): void {
  n.timer = null;
  net.w.rec.fresh(() =>
    net.call('neigh_timer_handler', () => {
      if (n.state === 'NUD_DELAY') {
        // time_before_eq(now, confirmed + delay_probe_time)
        if (net.w.sched.now <= n.confirmed + DELAY_PROBE_NS) {
          n.state = 'NUD_REACHABLE';
          net.step(null, 'L2', 'neigh_timer_handler', FILE, net.full ? `${nkey(n)} was confirmed meanwhile: NUD_DELAY → NUD_REACHABLE.` : '');
          return;
        }
        n.state = 'NUD_PROBE';
        n.probes = 0;
        net.step(null, 'L2', 'neigh_timer_handler', FILE, net.full ? `Nothing confirmed ${nkey(n)} within delay_first_probe_time (5 s) before the timer ran: NUD_DELAY → NUD_PROBE, and ARP asks it directly (unicast).` : '');
      }
      if (n.state !== 'NUD_INCOMPLETE' && n.state !== 'NUD_PROBE') return;
      if (n.probes >= maxProbes(net, n)) {
        n.state = 'NUD_FAILED';
        const app = parm(net, n, 'app_solicit');
        net.step(null, 'L2', 'neigh_timer_handler', FILE, net.full ? `No ARP reply for ${nkey(n)} after ${maxProbes(net, n) - parm(net, n, 'ucast_solicit') - app} requests${app ? ` and ${app} application probe${app > 1 ? 's' : ''}` : ''}: the entry becomes NUD_FAILED.` : '');
        neigh_invalidate(net, n);
        return;
      }
      n.timer = net.w.sched.after(parm(net, n, 'retrans_time_ms') * 1e6, () => neigh_timer_handler(net, n), n.arpQueue.length === 0);
      neigh_probe(net, n);
    }),
  );
}

/** neigh_invalidate: every waiting packet is reported (arp_error_report) and dropped. */
function neigh_invalidate(net: Net, n: Neighbour): void {
  const call = net.enter('neigh_invalidate');
  try {
    while (n.arpQueue.length > 0) {
      const skb = n.arpQueue.shift()!;
      n.arpQueueBytes -= truesize(skb);
      if (n.ops) {
        n.ops.error_report(n, skb);
        continue;
      }
      net.call('arp_error_report', () => {
        net.call('ipv4_link_failure', () => {
          net.step(skb, 'L3', 'ipv4_link_failure', 'net/ipv4/route.c', net.full ? `The next hop ${nkey(n)} cannot be reached: the sender gets ICMP host unreachable.` : '');
          icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
        });
        net.drop(skb, 'L2', 'arp_error_report', 'net/ipv4/arp.c', 'NEIGH_FAILED', net.full ? `Address resolution for ${nkey(n)} failed: the waiting packet is dropped.` : '');
      });
    }
  } finally {
    net.leave(call);
  }
}

/**
 * neigh_update: a new state and address from ARP; a now-valid entry sends its queue out
 * (through the connected output, with the fresh header).
 */
export function neigh_update(net: Net, n: Neighbour, lladdr: string, state: NudState, skb: SkBuff | null = null): void {
  const call = net.enter('neigh_update');
  try {
    const old = n.state;
    const changed = n.ha !== lladdr;
    if (old === 'NUD_PERMANENT' || old === 'NUD_NOARP') return;
    n.state = state === 'NUD_STALE' && !changed && nudValid(old) ? old : state;
    n.ha = lladdr;
    n.updated = net.w.sched.now;
    if (state === 'NUD_REACHABLE') n.confirmed = net.w.sched.now;
    if (nudValid(n.state) && n.state !== 'NUD_DELAY' && n.state !== 'NUD_PROBE') {
      net.w.sched.cancel(n.timer);
      n.timer = null;
    }
    net.step(skb, 'L2', 'neigh_update', FILE, net.full ? `The neighbour entry for ${nkey(n)} on ${n.dev.name} goes ${old} → ${n.state} with MAC ${lladdr}${n.arpQueue.length ? `; ${n.arpQueue.length} waiting packet(s) are sent now` : ''}.` : '');
    while (nudValid(n.state) && n.arpQueue.length > 0) {
      const skb = n.arpQueue.shift()!;
      n.arpQueueBytes -= truesize(skb);
      net.call('neigh_connected_output', () => {
        eth_header(skb, n.dev, n.ops?.protocol ?? ETH_P_IP, n.ha!);
        net.step(skb, 'L2', 'neigh_connected_output', FILE, net.full ? `The packet that waited for ${n.ops ? 'neighbour discovery' : 'ARP'} gets its Ethernet header (to ${n.ha}) and is sent.` : '');
        dev_queue_xmit(net, skb);
      });
    }
  } finally {
    net.leave(call);
  }
}

/**
 * neigh_confirm (include/net/neighbour.h, v6.12): a protocol above says the neighbour answered
 * (TCP through sock_confirm_neigh): only the confirmed stamp moves; the state is left to the
 * timer (NUD_DELAY goes to NUD_REACHABLE when it finds a confirmation within
 * delay_first_probe_time) and to the ageing of NUD_REACHABLE, which counts from it.
 */
export function neigh_confirm(net: Net, n: Neighbour): void {
  n.confirmed = net.w.sched.now;
}

/** `ip neigh add/replace`: a static entry. */
export function neigh_add_static(net: Net, dev: NetDevice, ip: number, lladdr: string, state: NudState): void {
  const n = neigh_lookup(net, dev, ip) ?? neigh_create(net, dev, ip);
  n.state = state;
  n.ha = lladdr;
  n.confirmed = net.w.sched.now;
}

/** REACHABLE ages to STALE after base_reachable_time without confirmation (checked lazily). */
export function neigh_age(net: Net): void {
  const now = net.w.sched.now;
  for (const n of net.neigh.values()) if (n.state === 'NUD_REACHABLE' && now - n.confirmed > parm(net, n, 'base_reachable_time_ms') * 1e6) n.state = 'NUD_STALE';
}
