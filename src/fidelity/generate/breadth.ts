// Feature `breadth` (session 17; off unless `--include breadth`): forms the parsers accept that
// the rest of the grammar never draws, limited to those that agreed with the kernel when
// replayed (docs/fidelity.md, "Accepted but not generated"): iptables `--sport`, explicit
// `-m tcp|udp|icmp`, `-m iprange`, `-m multiport --ports`, `-j LOG --log-level`, REJECT
// `tcp-reset`, a user chain made and removed again (-N, -F, -X), a rule appended and deleted
// (-D); `ip address add … brd +` and `ip address del`. Drawn last, from a side stream seeded by
// the host's lines, and appended to them: the scenario without the feature is the one with it
// less these lines.
import { Rng } from './rng';
import { ip, ipNum, type Ctx } from './context';
import { PORTS } from './firewall';

const LOG_LEVELS = ['0', '3', '4', 'warning', 'info', 'debug'] as const;

/** One iptables rule line of a kind the rest of the grammar never writes. */
function iptablesLine(rng: Rng, chain: string, lo: string, hi: string): string[] {
  const udp = rng.pick([...PORTS.udp, 4444]);
  const tcp = rng.pick([...PORTS.tcp, 4444]);
  const verdict = rng.pick(['DROP', 'ACCEPT', 'REJECT']);
  switch (rng.pick(['sport', 'explicit', 'iprange', 'multiport', 'log', 'cycle'] as const)) {
    case 'sport':
      // the source ports the traffic grammar uses (`from :40000`, crafted frames from 53 or 80)
      return [`iptables -A ${chain} -p ${rng.pick(['udp', 'tcp'])} --sport ${rng.pick([40000, 40001, 53, 80, 5353])} -j ${verdict}`];
    case 'explicit':
      return [
        rng.pick([
          `iptables -A ${chain} -p tcp -m tcp --dport ${tcp} -j REJECT --reject-with tcp-reset`,
          `iptables -A ${chain} -p udp -m udp --dport ${udp} -j ${verdict}`,
          `iptables -A ${chain} -p icmp -m icmp --icmp-type ${rng.pick(['echo-request', 'echo-reply', '8', 'destination-unreachable'])} -j ${verdict}`,
        ]),
      ];
    case 'iprange':
      return [`iptables -A ${chain} ${rng.pick(['', '-p icmp '])}-m iprange --${rng.pick(['src', 'dst'])}-range ${lo}-${hi} -j ${verdict}`];
    case 'multiport':
      return [`iptables -A ${chain} -p udp -m multiport --ports ${udp},${rng.pick([4444, 40000, 7000])} -j ${verdict}`];
    case 'log':
      return [`iptables -A ${chain} -p ${rng.pick(['udp', 'icmp'])} -j LOG --log-prefix "b-${chain.toLowerCase()} " --log-level ${rng.pick(LOG_LEVELS)}`];
    case 'cycle':
      return [
        'iptables -N bx',
        'iptables -A bx -j ACCEPT',
        'iptables -F bx',
        'iptables -X bx',
        `iptables -A ${chain} -p udp --dport ${udp} -j DROP`,
        `iptables -D ${chain} -p udp --dport ${udp} -j DROP`,
        `iptables -Z ${chain}`,
      ];
  }
}

export function breadth(ctx: Ctx): void {
  for (const h of ctx.hosts) {
    const rng = Rng.fromText(`breadth\n${h.name}\n${h.lines.join('\n')}`);
    const n = rng.weighted([
      [4, 0],
      [4, 1],
      [2, 2],
    ] as const);
    const ifs = ctx.ifaces.filter((f) => f.host === h.name);
    for (let i = 0; i < n; i++) {
      const f = ifs.length ? rng.pick(ifs) : undefined;
      if (f && (rng.chance(0.25) || !ctx.has('iptables'))) {
        // an address no host has, on the link's subnet (a secondary), its broadcast computed by `brd +`
        const net = ipNum(f.net);
        const size = ipNum(f.bcast) - net;
        if (size < 6) continue;
        const a = ip(net + size - 1 - rng.int(0, Math.min(size - 4, 20)));
        if (ctx.ifaces.some((x) => x.addr === a) || ctx.extra.some((x) => x.addr === a)) continue;
        h.lines.push(`ip address add ${a}/${f.plen} brd + dev ${f.ifname}`);
        if (rng.chance(0.5)) h.lines.push(`ip addr del ${a}/${f.plen} dev ${f.ifname}`);
        else ctx.extra.push({ host: h.name, addr: a });
        continue;
      }
      if (!ctx.has('iptables')) continue;
      const chain = rng.pick(ctx.routers.has(h.name) ? ['INPUT', 'OUTPUT', 'FORWARD', 'FORWARD'] : ['INPUT', 'OUTPUT']);
      const base = f ? ipNum(f.net) : ipNum('10.0.1.0');
      h.lines.push(...iptablesLine(rng, chain, ip(base + 1), ip(base + rng.pick([1, 2, 3, 20]))));
    }
  }
}
