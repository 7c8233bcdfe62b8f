// net/ipv6/ip6_fib.c and fib6_rules.c (v6.12): the local and main tables and the lookup —
// the local table first (rule 0), then main (rule 32766); in a table the longest prefix, and
// among routes of one prefix the lowest metric.
import type { Net } from '../net_namespace';
import type { Fib6Info } from './ipv6_state';
import { ipv6PrefixEqual } from '../../proto/inet_addr';

/** fib6_lookup → fib6_table_lookup per rule; null when no table has a route (ip6_null_entry). */
export function fib6_lookup(net: Net, daddr: Uint8Array, oif?: number): Fib6Info | null {
  for (const table of ['local', 'main'] as const) {
    let best: Fib6Info | null = null;
    for (const r of net.ipv6.routes) {
      if (r.table !== table || !ipv6PrefixEqual(daddr, r.dst, r.plen)) continue;
      // a route through a device that is down is not used (its nexthop is dead)
      if (r.ifindex && !net.devByIndex(r.ifindex)?.up) continue;
      if (oif !== undefined && r.ifindex && r.ifindex !== oif && r.type !== 'RTN_LOCAL') continue;
      if (!best || r.plen > best.plen || (r.plen === best.plen && r.metric < best.metric)) best = r;
    }
    if (best) return best;
  }
  return null;
}
