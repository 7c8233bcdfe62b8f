// net/ipv6/ip6_fib.c and fib6_rules.c (v6.12): the local and main tables and the lookup —
// the local table first (rule 0), then main (rule 32766); in a table the longest prefix, and
// among routes of one prefix the lowest metric. A host's lookup is strict (rt6_probe.ts): it
// passes over routes through a failed gateway first.
import type { Net } from '../net_namespace';
import type { Fib6Info } from './ipv6_state';
import { ipv6PrefixEqual } from '../../proto/inet_addr';
import { selectReachable, strictReachable } from './rt6_probe';

/**
 * fib6_lookup → fib6_table_lookup per rule; null when no table has a route (ip6_null_entry).
 * `strict`: the lookup of ip6_pol_route, RT6_LOOKUP_F_REACHABLE on a host; the gateway check of
 * ip6_route_add is not.
 */
export function fib6_lookup(net: Net, daddr: Uint8Array, oif?: number, strict = false): Fib6Info | null {
  for (const table of ['local', 'main'] as const) {
    const apply: Fib6Info[] = [];
    let best: Fib6Info | null = null;
    for (const r of net.ipv6.routes) {
      if (r.table !== table || !ipv6PrefixEqual(daddr, r.dst, r.plen)) continue;
      // a route through a device that is down is not used (its nexthop is dead)
      if (r.ifindex && !net.devByIndex(r.ifindex)?.up) continue;
      if (oif !== undefined && r.ifindex && r.ifindex !== oif && r.type !== 'RTN_LOCAL') continue;
      apply.push(r);
      if (!best || r.plen > best.plen || (r.plen === best.plen && r.metric < best.metric)) best = r;
    }
    if (!best) continue;
    // only a route through a gateway can fail the strict condition; when every one fails, the
    // lookup is made again without it and gives the plain choice
    if (strict && strictReachable(net) && apply.some((r) => r.gw)) return selectReachable(net, apply) ?? best;
    return best;
  }
  return null;
}
