// Feature `nf-conn` (issue 15, on for every seed but CI's): the constructs modelled in session 11,
// so that each is checked against the kernel on scenarios nobody chose: connection counting
// (iptables `-m connlimit`, nft `ct count`: nf_conncount), `ct status assured` / `--ctstatus
// ASSURED`, `meta protocol`, and mark shifts (`meta mark set ct mark << 1`).
// The draws come from a stream of their own, seeded by the host's lines before any of them, and
// are appended after every other feature's lines, so the rest of each scenario stays as drawn
// without the feature. Connection counting depends on time (nf_conncount's gc skips a list
// already collected in the same jiffy), so timing_limits.ts reruns such draws with gaps.
import type { Ctx } from './context';
import { Rng } from './rng';
import type { GenHost } from './scenario';
import { PORTS } from './firewall';

function iptablesRule(rng: Rng): string {
  const chain = rng.pick(['INPUT', 'FORWARD', 'OUTPUT']);
  switch (rng.weighted([[3, 'connlimit'], [2, 'assured']] as const)) {
    case 'connlimit': {
      const proto = rng.pick(['-p tcp --syn ', '-p udp ', '-p icmp ', '']);
      const how = rng.chance(0.5) ? `--connlimit-above ${rng.pick([0, 1, 2])}` : `--connlimit-upto ${rng.pick([1, 2])}`;
      const key = rng.pick(['', '', ' --connlimit-mask 24', ' --connlimit-daddr', ' --connlimit-saddr --connlimit-mask 32']);
      return `iptables -I ${chain} 1 ${proto}-m connlimit ${how}${key} -j ${rng.pick(['DROP', 'ACCEPT', 'REJECT'])}`;
    }
    default:
      return `iptables -I ${chain} 1 -m conntrack ${rng.chance(0.3) ? '! ' : ''}--ctstatus ASSURED -j ${rng.pick(['DROP', 'ACCEPT', 'RETURN'])}`;
  }
}

function nftRules(rng: Rng): string[] {
  const p = rng.pick(['udp', 'tcp'] as const);
  const verdict = (): string => rng.pick(['drop', 'accept', 'continue']);
  switch (rng.weighted([[3, 'count'], [2, 'assured'], [2, 'protocol'], [2, 'shift']] as const)) {
    case 'count':
      return [`${rng.pick([`meta l4proto ${p} `, 'ct state new ', ''])}ct count ${rng.chance(0.6) ? 'over ' : ''}${rng.pick([0, 1, 2])} counter ${rng.pick(['drop', 'accept'])}`];
    case 'assured':
      return [`ct status ${rng.chance(0.3) ? '!= ' : ''}assured ${rng.chance(0.5) ? `${p} dport ${rng.pick(PORTS[p])} ` : ''}counter ${verdict()}`];
    case 'protocol':
      // (meta nfproto is refused in an ip table: nft wants it in inet only)
      return [`meta protocol ${rng.pick(['ip', 'ip6', 'arp', '!= ip', '{ ip, arp }'])} counter ${verdict()}`];
    default: {
      const key = rng.pick(['meta', 'ct'] as const);
      return [`meta mark set ${key} mark ${rng.pick(['<<', '>>'])} ${rng.pick([1, 4])}${rng.chance(0.4) ? ` | 0x${rng.pick([1, 2])}` : ''}`, `meta mark ${rng.pick(['0x0', '0x1', '0x2'])} counter ${verdict()}`];
    }
  }
}

/** Some of the hosts that got a ruleset get one or two of these rules besides, in the language it uses. */
export function firewallConn(ctx: Ctx, h: GenHost, before: string[]): void {
  const rng = Rng.fromText(`nf-conn\n${h.name}\n${before.join('\n')}`);
  if (!rng.chance(0.5)) return;
  const usesIpt = before.some((l) => l.startsWith('iptables '));
  if (usesIpt && ctx.has('iptables')) {
    h.lines.push(iptablesRule(rng));
    return;
  }
  if (!ctx.has('nft')) return;
  const hook = rng.pick(['input', 'forward', 'output', 'prerouting', 'postrouting']);
  const rules = nftRules(rng);
  h.lines.push('nft add table ip conn');
  h.lines.push(`nft add chain ip conn c '{ type filter hook ${hook} priority ${rng.pick([-5, 5])}; policy accept; }'`);
  for (const r of rules) h.lines.push(`nft add rule ip conn c ${r}`);
}
