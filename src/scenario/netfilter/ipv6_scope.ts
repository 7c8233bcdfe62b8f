// What IPv6 packets may meet in a scenario that uses IPv6. ip6 and inet tables see them; the
// model runs their filter and nat chains (nf_tables.ts, nf_pktinfo_ipv6.ts; conntrack and NAT66
// in nf_conntrack_core.ts, nf_nat_proto_ipv6.ts) with the expressions that are modelled on IPv6
// (Expr.v6). log flags, the IPv4 tuple addresses of ct and the other statements are
// modelled for IPv4 only so far: in a table IPv6 packets reach, a rule using one is refused at
// the expression rather than run half right. A route chain is nf_route_table_hook6 (engine.ts).
// ip tables (and iptables') see IPv4 packets only, as in the kernel, and stay as they are.
import type { Net } from '../../model/net/net_namespace';
import { NfEngine } from '../../model/net/netfilter/engine';
import { ScenarioError, type SourcePos } from '../types';

export function ipv6RulesCheck(net: Net, _fallback: SourcePos): ScenarioError[] {
  if (!(net.nf instanceof NfEngine)) return [];
  const errors: ScenarioError[] = [];
  for (const t of net.nf.tables) {
    if (t.family === 'ip') continue;
    for (const c of t.chains.values()) {
      for (const r of c.rules) {
        const e = r.exprs.find((x) => !x.v6);
        if (e) errors.push(new ScenarioError(`\`${e.text}\` in ${t.family} ${t.name} ${c.name} is not modelled on IPv6 packets yet (log flags, ct's IPv4 tuple addresses and the like are IPv4 only); an ${t.family} table sees the scenario's IPv6 packets, so use an ip table for IPv4-only rules`, e.at ?? r.pos));
      }
    }
  }
  return errors;
}
