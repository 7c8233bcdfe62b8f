// Feature `ct-timeout` (session 16; off unless asked for): short conntrack timeouts (and, on a
// host that tracks nothing yet, a rule dropping INVALID), and waits long enough for them to run out, so that an entry's end (nf_conntrack_timeout.ts) meets
// scenarios nobody chose: a reply after its flow expired, a retransmitted SYN after SYN_SENT's
// span, a NAT mapping made again. Drawn last, on side streams seeded by what was drawn before, so
// a scenario without the feature is the one with it less these lines and waits.
import { Rng } from './rng';
import type { Ctx } from './context';
import type { GenTraffic } from './scenario';

/** the spans (net.netfilter.KEY) the model reads, by the traffic that meets them */
const KEYS = {
  udp: ['nf_conntrack_udp_timeout', 'nf_conntrack_udp_timeout_stream'],
  icmp: ['nf_conntrack_icmp_timeout'],
  tcp: ['nf_conntrack_tcp_timeout_syn_sent', 'nf_conntrack_tcp_timeout_syn_recv', 'nf_conntrack_tcp_timeout_established', 'nf_conntrack_tcp_timeout_fin_wait', 'nf_conntrack_tcp_timeout_close_wait', 'nf_conntrack_tcp_timeout_time_wait', 'nf_conntrack_tcp_timeout_close'],
} as const;
/** mostly spans a flow outlives (a ping's next request, a SYN-ACK, a reply), sometimes the default */
const SPANS = ['0', '0', '1', '2', '5', '30'] as const;

/**
 * A host's rule lines that make its namespace track connections (a conntrack match, NAT, ct
 * keys). Only rule lines count: a sysctl such as accept_redirects is not one, and neither is the
 * ICMP type `redirect` (`--icmp-type redirect`, `icmp type redirect`), and neither is an nft nat
 * chain by itself (v6.12: nft_nat_init calls nf_ct_netns_get, the chain type does not).
 */
const RULE_LINE = /^(nft|iptables|ip6tables)\b/;
const TRACKS = /\bct\b|conntrack|--state\b|connlimit|connbytes|connmark|-j (MASQUERADE|SNAT|DNAT|NETMAP|REDIRECT|CT|CONNMARK)\b|\b(masquerade|snat|dnat|notrack)\b|(?<!type )\bredirect\b/;
export const tracksConnections = (line: string): boolean => RULE_LINE.test(line) && TRACKS.test(line);

export function ctTimeouts(ctx: Ctx): void {
  // the kinds of flow the traffic makes: each host's spans are drawn from these
  const sends = ctx.traffic.map((t) => ('send' in t ? t.send : '')).join('\n');
  const kinds = (['udp', 'icmp', 'tcp'] as const).filter((k) => new RegExp(`^${k}\\b`, 'm').test(sends));
  if (!kinds.length) kinds.push('udp', 'icmp', 'tcp');
  for (const h of ctx.hosts) {
    const rng = Rng.fromText(`ct-timeout\n${h.name}\n${h.lines.join('\n')}`);
    if (!rng.chance(0.8)) continue;
    // a host that tracks nothing gets the stateful firewall's first line, which an expired
    // entry meets: a reply that finds no entry and cannot start one is INVALID
    if (!h.lines.some(tracksConnections)) h.lines.push(`iptables -A ${rng.pick(['INPUT', 'FORWARD', 'OUTPUT'])} -m conntrack --ctstate INVALID -j DROP`);
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) h.lines.push(`sysctl -w net.netfilter.${rng.pick(KEYS[rng.pick(kinds)])}=${rng.pick(SPANS)}`);
  }
  // a wait after an item, but not before a timed one (its `at:` is the time after the item before)
  const rng = Rng.fromText(`ct-timeout waits\n${JSON.stringify(ctx.traffic)}`);
  const out: GenTraffic[] = [];
  ctx.traffic.forEach((t, i) => {
    out.push(t);
    const next = ctx.traffic[i + 1];
    if (!next || 'wait' in t || 'wait' in next || next.at) return;
    if (rng.chance(0.4)) out.push({ wait: rng.pick(['3s', '6s']) });
  });
  ctx.traffic.splice(0, ctx.traffic.length, ...out);
}
