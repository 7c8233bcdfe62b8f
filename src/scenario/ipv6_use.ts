// Whether a scenario uses IPv6: an `ip -6` line, a net.ipv6 sysctl, or traffic to an IPv6
// address, or a listener on an IPv6 address. Such a scenario runs with IPv6 on in every host, in the model and in the fidelity
// harness; any other runs with IPv6 off (the harness sets disable_ipv6), as before IPv6 was
// modelled.
import type { Scenario } from './types';

export function usesIpv6(sc: Scenario): boolean {
  for (const h of sc.hosts) {
    for (const c of h.setup) {
      if (c.kind === 'addr6' || c.kind === 'route6' || c.kind === 'neigh6') return true;
      if (c.kind === 'sysctl' && c.key.text.startsWith('net.ipv6.')) return true;
    }
  }
  if (sc.listen.some((l) => l.addr.includes(':'))) return true;
  return sc.traffic.some((t) => (t.kind === 'local' && t.send.to.text.includes(':')) || (t.kind === 'wire' && !!t.send.v6));
}

/** The per-device sysctls that decide whether and when a host sends router solicitations (src/model/net/ipv6/addrconf_rs.ts). */
const RS_SYSCTL = /^net\.ipv6\.conf\.[^.]+\.(router_solicitations|router_solicitation_interval|router_solicitation_max_interval|accept_ra)$/;

/**
 * Whether a scenario sets any of them: only then does the fidelity harness let its hosts send
 * router solicitations (and compare them); any other IPv6 scenario runs with
 * router_solicitations=0 on both sides (docs/fidelity.md, "## IPv6").
 */
export function setsRouterSolicitations(sc: Scenario): boolean {
  return sc.hosts.some((h) => h.setup.some((c) => c.kind === 'sysctl' && RS_SYSCTL.test(c.key.text)));
}
