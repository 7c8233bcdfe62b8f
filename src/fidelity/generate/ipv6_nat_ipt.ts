// The `ipv6` feature's ip6tables nat table (issue 14), as ipv6_firewall.ts draws NAT66 in nft:
// MASQUERADE or SNAT --to-source out of one of the host's links, or DNAT --to-destination to
// another host's address (bare, or in brackets with a port). A host whose IPv6 ruleset is
// ip6tables gets it sometimes. The draw comes from a side stream seeded by the host's lines
// (Rng.fromText), so every line drawn before, in every IPv6 scenario, stays as it was.
import { PORTS } from './firewall';
import type { Ctx6 } from './ipv6';
import { Rng } from './rng';
import type { GenHost } from './scenario';

/**
 * A host that got an ip6tables ruleset (`drawn`: its lines as the IPv6 ruleset left them, before
 * nf6-ext added any, from `before` on) sometimes gets a nat rule besides, at the end of its lines.
 * The stream is seeded by `drawn`, so a draw without nf6-ext gets the same rule.
 */
export function ip6tablesNat(h: GenHost, drawn: readonly string[], before: number, v6: Ctx6): void {
  if (!drawn.slice(before).some((l) => l.startsWith('ip6tables '))) return;
  const rng = Rng.fromText(`ipv6 ip6tables nat\n${h.name}\n${drawn.join('\n')}`);
  if (!rng.chance(0.4)) return;
  const ifs = v6.ifaces.filter((f) => f.host === h.name);
  const other = v6.ifaces.filter((f) => f.host !== h.name);
  const kind = rng.pick(['MASQUERADE', 'SNAT', 'DNAT', 'DNAT'] as const);
  if (kind === 'DNAT') {
    if (!other.length) return;
    const p = rng.pick(['udp', 'tcp'] as const);
    const a = rng.pick(other).addr;
    const to = rng.chance(0.5) ? `[${a}]:${rng.pick(PORTS[p])}` : a;
    const iif = ifs.length && rng.chance(0.3) ? `-i ${rng.pick(ifs).ifname} ` : '';
    h.lines.push(`ip6tables -t nat -A PREROUTING ${iif}-p ${p} --dport ${rng.pick(PORTS[p])} -j DNAT --to-destination ${to}`);
    return;
  }
  const f = ifs.length ? rng.pick(ifs) : undefined;
  const out = f ? `-o ${f.ifname} ` : '';
  h.lines.push(kind === 'MASQUERADE' || !f ? `ip6tables -t nat -A POSTROUTING ${out}-j MASQUERADE` : `ip6tables -t nat -A POSTROUTING ${out}-j SNAT --to-source ${f.addr}`);
}
