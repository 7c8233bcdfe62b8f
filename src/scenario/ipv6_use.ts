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
