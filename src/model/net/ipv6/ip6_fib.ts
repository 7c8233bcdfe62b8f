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
    let best: Fib6Info | null = null;
    let viaGateway = false;
    for (const r of net.ipv6.routes) {
      if (!applies(net, r, table, daddr, oif)) continue;
      if (r.gw) viaGateway = true;
      if (!best || r.plen > best.plen || (r.plen === best.plen && r.metric < best.metric)) best = r;
    }
    if (!best) continue;
    // only a route through a gateway can fail the strict condition; when every one fails, the
    // lookup is made again without it and gives the plain choice
    if (strict && viaGateway && strictReachable(net)) return selectReachable(net, net.ipv6.routes.filter((r) => applies(net, r, table, daddr, oif))) ?? best;
    return best;
  }
  return null;
}

/** A route of `table` that covers `daddr` and may carry the packet (through `oif` when one is given). */
function applies(net: Net, r: Fib6Info, table: 'local' | 'main', daddr: Uint8Array, oif: number | undefined): boolean {
  if (r.table !== table || !ipv6PrefixEqual(daddr, r.dst, r.plen)) return false;
  // a route through a device that is down is not used (its nexthop is dead)
  if (r.ifindex && !net.devByIndex(r.ifindex)?.up) return false;
  return oif === undefined || !r.ifindex || r.ifindex === oif || r.type === 'RTN_LOCAL';
}
