// Default router selection and router reachability probing (net/ipv6/route.c, v6.12, with
// CONFIG_IPV6_ROUTER_PREF as Debian builds it). On a host (net.ipv6.conf.all.forwarding 0) every
// fib6 lookup is "strict reachable": a route whose gateway's neighbour entry is NUD_FAILED is passed
// over for another route of the prefix, then for a less specific prefix (fib6_backtrack), and
// only when no route anywhere is usable is the lookup made again without the condition. Each
// gateway route the strict lookup looks at may be probed (rt6_probe): at most once per
// router_probe_interval (60 s), a work item sends one neighbour solicitation to the gateway's
// solicited-node group from the link-local address, and a failed entry gets one more chance.
import type { Net } from '../net_namespace';
import type { Fib6Info } from './ipv6_state';
import { nudValid } from '../core/neighbour_types';
import { __neigh_set_probe_once } from '../core/neighbour';
import { jiffiesAt } from '../../sim/scheduler';
import { HZ, JIFFY_MS } from '../../proc/sysctl';
import { formatIpv6 } from '../../../trace/ipv6';
import { nd_lookup, ndisc_send_probe_ns } from './ndisc';

/** how long a work item waits for its kworker: past the softirqs of the context that queued it */
const KWORKER_WAKEUP_NS = 10_000;

const FILE = 'net/ipv6/route.c';

/** RT6_LOOKUP_F_REACHABLE: set by ip6_pol_route when the namespace does not forward */
export const strictReachable = (net: Net): boolean => net.get('net.ipv6.conf.all.forwarding') === 0;

/** rt6_check_neigh: only a gateway whose entry is NUD_FAILED fails (RT6_NUD_FAIL_PROBE); no entry, or any other state, is fine */
function gatewayFailed(net: Net, f: Fib6Info): boolean {
  if (!f.gw) return false;
  const dev = net.devByIndex(f.ifindex);
  return !!dev && nd_lookup(net, dev, f.gw)?.state === 'NUD_FAILED';
}

/**
 * rt6_select's find_rr_leaf on one node's routes with the strict condition: among the routes of the
 * lowest metric the first whose gateway has not failed, else among the rest; every route looked at
 * may be probed (find_match calls rt6_probe for each).
 */
function selectInNode(net: Net, routes: Fib6Info[]): Fib6Info | null {
  const sorted = [...routes].sort((a, b) => a.metric - b.metric);
  const first = sorted[0].metric;
  let found: Fib6Info | null = null;
  const look = (list: Fib6Info[]): void => {
    for (const f of list) {
      const failed = gatewayFailed(net, f);
      rt6_probe(net, f);
      if (!failed && !found) found = f;
    }
  };
  look(sorted.filter((f) => f.metric === first));
  if (!found) look(sorted.filter((f) => f.metric !== first));
  return found;
}

/**
 * fib6_table_lookup with RT6_LOOKUP_F_REACHABLE: the most specific node first, then each less
 * specific one (fib6_backtrack); null when none has a usable route, and the caller looks again
 * without the condition.
 */
export function selectReachable(net: Net, routes: Fib6Info[]): Fib6Info | null {
  const lens = [...new Set(routes.map((f) => f.plen))].sort((a, b) => b - a);
  for (const plen of lens) {
    const f = selectInNode(net, routes.filter((r) => r.plen === plen));
    if (f) return f;
  }
  return null;
}

/**
 * rt6_probe: a gateway whose entry is not valid is probed when router_probe_interval has passed since
 * the entry was last updated (its resolution began, or it was probed), or, with no entry, since
 * the route's last probe (at first, its creation).
 */
function rt6_probe(net: Net, f: Fib6Info): void {
  if (!f.gw) return;
  const dev = net.devByIndex(f.ifindex);
  if (!dev) return;
  const now = jiffiesAt(net.w.sched.now);
  const interval = net.get(`net.ipv6.conf.${dev.name}.router_probe_interval`) * HZ;
  const n = nd_lookup(net, dev, f.gw);
  let why: string;
  if (n) {
    if (nudValid(n.state)) return;
    const updated = jiffiesAt(n.updated);
    if (!(now > updated + interval)) return;
    why = `its neighbour entry is ${n.state} and was last updated ${((now - updated) * JIFFY_MS) / 1000} s ago, more than router_probe_interval (${(interval * JIFFY_MS) / 1000} s)${n.state === 'NUD_FAILED' ? ': __neigh_set_probe_once gives it one more chance (NUD_INCOMPLETE with its probes used up, failing again after retrans_time unless an advertisement comes)' : ''}`;
    __neigh_set_probe_once(net, n);
  } else {
    if (!(now > (f.lastProbe ?? now) + interval)) return;
    why = `it has no neighbour entry, and router_probe_interval (${(interval * JIFFY_MS) / 1000} s) has passed since the route was last probed`;
  }
  f.lastProbe = now;
  const gw = f.gw;
  net.step(null, 'L3', 'rt6_probe', FILE, net.full ? `Router reachability probing: the route's gateway ${formatIpv6(gw)} on ${dev.name} is not known to be reachable: ${why}. A work item will send it one neighbour solicitation (rt6_probe_deferred).` : '');
  // schedule_work: a kworker of this CPU runs it once the current context is done, after the
  // softirqs that context raised (a SYN's own resolution and its answer go first)
  net.w.sched.after(KWORKER_WAKEUP_NS, () => net.call('rt6_probe_deferred', () => ndisc_send_probe_ns(net, dev, gw)), false, 'process');
}
