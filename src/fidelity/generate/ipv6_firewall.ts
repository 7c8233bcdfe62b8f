// The `ipv6` feature's rulesets: what the model runs on IPv6 packets (nf_tables on ip6 and inet
// tables, IPv6 conntrack, NAT66, nf_reject_ipv6, ip6tables' filter table). nft: base chains on
// every hook with `ip6 saddr|daddr` (addresses, prefixes, anonymous sets), `ip6 nexthdr`,
// `ip6 hoplimit`, ports, `icmpv6 type` (ND's types included), interfaces, `ct state`, marks,
// `meta l4proto`; verdicts accept, drop, reject (icmpv6 codes, icmpx in inet, tcp reset),
// counter, mark, limit, log, notrack at raw priority; NAT66 (masquerade, snat and dnat to
// another host). ip6tables: filter rules with -p, ports, -s/-d prefixes, -i/-o, icmp6 types,
// hl, ACCEPT/DROP/REJECT --reject-with icmp6-*/tcp-reset, LOG, policies; its nat table
// (MASQUERADE, SNAT, DNAT) in ipv6_nat_ipt.ts. Left to other parts of the work: NAT66 ranges,
// redirect, local DNAT.
// Drawn from a stream of their own (Ctx6.fw), so the rest of the IPv6 draw stays as it was.
// The extension-header matches, ip6tables' conntrack, HL and raw rules: ipv6_exthdr.ts (nf6-ext).
import { host, type Ctx } from './context';
import { PORTS, verdict } from './firewall';
import { exthdr6 } from './ipv6_exthdr';
import { ip6tablesNat } from './ipv6_nat_ipt';
import type { Ctx6, Iface6 } from './ipv6';
import type { Rng } from './rng';
import type { GenHost } from './scenario';

type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

const PRIO: Record<Hook, readonly string[]> = {
  prerouting: ['raw', 'mangle', '0', 'filter'],
  input: ['filter', '0', 'mangle'],
  forward: ['filter', '0', 'mangle'],
  output: ['filter', '0', 'raw'],
  postrouting: ['filter', '0', 'mangle'],
};

const ICMP6_TYPES = ['echo-request', 'echo-reply', 'destination-unreachable', 'time-exceeded', 'packet-too-big', 'parameter-problem', 'nd-neighbor-solicit', 'nd-neighbor-advert'];

function addr(rng: Rng, v6: Ctx6): string {
  return v6.ifaces.length ? rng.pick(v6.ifaces).addr : '::1';
}

function prefix(rng: Rng, v6: Ctx6): string {
  if (!v6.ifaces.length || rng.chance(0.2)) return rng.pick(['2001:db8::/32', '2001:db8:9::/48', 'fe80::/10']);
  const f = rng.pick(v6.ifaces);
  return `${f.net}/${f.plen}`;
}

/** One match of an nft rule; `proto` is the transport it fixes. */
function match6(rng: Rng, v6: Ctx6, hook: Hook, ifs: Iface6[]): { text: string; proto?: 'udp' | 'tcp' | 'icmpv6' } {
  const inOk = hook !== 'output' && hook !== 'postrouting';
  const outOk = hook !== 'prerouting' && hook !== 'input';
  const choice = rng.pick(['saddr', 'daddr', 'net', 'set', 'udp', 'tcp', 'icmpv6', 'nexthdr', 'hoplimit', 'iif', 'oif', 'ct', 'ct', 'mark', 'l4', 'none'] as const);
  switch (choice) {
    case 'saddr':
      return { text: `ip6 saddr ${rng.chance(0.2) ? '!= ' : ''}${addr(rng, v6)}` };
    case 'daddr':
      return { text: `ip6 daddr ${addr(rng, v6)}` };
    case 'net':
      return { text: `ip6 ${rng.pick(['saddr', 'daddr'])} ${prefix(rng, v6)}` };
    case 'set':
      return { text: `ip6 daddr { ${addr(rng, v6)}, ${addr(rng, v6)} }` };
    case 'udp':
      return { text: `udp dport ${rng.pick(PORTS.udp)}`, proto: 'udp' };
    case 'tcp':
      return { text: `tcp ${rng.pick(['dport', 'dport', 'sport'])} ${rng.pick(PORTS.tcp)}`, proto: 'tcp' };
    case 'icmpv6':
      return { text: `icmpv6 type ${rng.pick(ICMP6_TYPES)}`, proto: 'icmpv6' };
    case 'nexthdr': {
      const p = rng.pick(['udp', 'tcp', 'ipv6-icmp'] as const);
      return { text: `ip6 nexthdr ${p}`, proto: p === 'ipv6-icmp' ? 'icmpv6' : p };
    }
    case 'hoplimit':
      return { text: `ip6 hoplimit ${rng.pick(['1', '255', '< 64', '> 1'])}` };
    case 'iif':
      return inOk && ifs.length ? { text: `iifname "${rng.pick(ifs).ifname}"` } : { text: '' };
    case 'oif':
      return outOk && ifs.length ? { text: `oifname "${rng.pick(ifs).ifname}"` } : { text: '' };
    case 'ct':
      return { text: `ct state ${rng.pick(['new', 'established,related', 'invalid', 'untracked', 'new,established', 'related'])}` };
    case 'mark':
      return { text: `meta mark ${rng.pick(['0x1', '0x0'])}` };
    case 'l4': {
      const p = rng.pick(['udp', 'tcp', 'ipv6-icmp'] as const);
      return { text: `meta l4proto ${p}`, proto: p === 'ipv6-icmp' ? 'icmpv6' : p };
    }
    default:
      return { text: '' };
  }
}

function nft6(rng: Rng, v6: Ctx6, h: GenHost): void {
  const ifs = v6.ifaces.filter((f) => f.host === h.name);
  const fam = rng.chance(0.5) ? 'ip6' : 'inet';
  const t = rng.pick(['f6', 'fw6']);
  h.lines.push(`nft add table ${fam} ${t}`);
  const used = new Set<Hook>();
  for (let c = rng.int(1, 2); c > 0; c--) {
    const hook = rng.pick(['input', 'forward', 'output', 'prerouting', 'postrouting'] as const);
    if (used.has(hook)) continue;
    used.add(hook);
    const prio = rng.pick(PRIO[hook]);
    const policy = (hook === 'input' || hook === 'forward') && rng.chance(0.2) ? 'drop' : 'accept';
    h.lines.push(`nft add chain ${fam} ${t} ${hook} '{ type filter hook ${hook} priority ${prio}; policy ${policy}; }'`);
    // a drop policy on input also drops neighbour discovery: usually a rule lets it through first
    if (policy === 'drop' && rng.chance(0.7)) h.lines.push(`nft add rule ${fam} ${t} ${hook} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept`);
    for (let r = rng.int(1, 4); r > 0; r--) {
      if (prio === 'raw' && rng.chance(0.3)) {
        h.lines.push(`nft add rule ${fam} ${t} ${hook} ${rng.chance(0.5) ? `udp dport ${rng.pick(PORTS.udp)} ` : ''}counter notrack`);
        continue;
      }
      const m = match6(rng, v6, hook, ifs);
      const m2 = rng.chance(0.3) ? match6(rng, v6, hook, ifs) : { text: '' };
      if (m.proto && m2.proto && m.proto !== m2.proto) continue;
      h.lines.push(`nft add rule ${fam} ${t} ${hook} ${[m.text, m2.text, verdict(rng, hook, m.proto ?? m2.proto, fam)].filter(Boolean).join(' ')}`);
    }
  }
  if (rng.chance(0.35)) nat6(rng, v6, h, ifs);
}

/** NAT66: masquerade or snat out of one of the host's links, or dnat to another host. */
function nat6(rng: Rng, v6: Ctx6, h: GenHost, ifs: Iface6[]): void {
  const fam = rng.chance(0.5) ? 'ip6' : 'inet';
  // in an inet table, snat and dnat name the family of their address (nft: `snat ip6 to`)
  const to = fam === 'inet' ? 'ip6 to' : 'to';
  const other = v6.ifaces.filter((f) => f.host !== h.name);
  const kind = rng.pick(['masquerade', 'snat', 'dnat', 'dnat'] as const);
  h.lines.push(`nft add table ${fam} nat6`);
  if (kind === 'dnat') {
    if (!other.length) return;
    h.lines.push(`nft add chain ${fam} nat6 prerouting '{ type nat hook prerouting priority dstnat; policy accept; }'`);
    const p = rng.pick(['udp', 'tcp'] as const);
    const a = rng.pick(other).addr;
    const target = rng.chance(0.5) ? `[${a}]:${rng.pick(PORTS[p])}` : a;
    h.lines.push(`nft add rule ${fam} nat6 prerouting ${ifs.length && rng.chance(0.3) ? `iifname "${rng.pick(ifs).ifname}" ` : ''}${p} dport ${rng.pick(PORTS[p])} counter dnat ${to} ${target}`);
    return;
  }
  h.lines.push(`nft add chain ${fam} nat6 postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'`);
  const f = ifs.length ? rng.pick(ifs) : undefined;
  const out = f ? `oifname "${f.ifname}" ` : '';
  const what = rng.chance(0.3) ? `ip6 saddr ${prefix(rng, v6)} ` : '';
  h.lines.push(kind === 'masquerade' || !f ? `nft add rule ${fam} nat6 postrouting ${out}${what}counter masquerade` : `nft add rule ${fam} nat6 postrouting ${out}${what}counter snat ${to} ${f.addr}`);
}

function ip6tables(rng: Rng, v6: Ctx6, h: GenHost): void {
  const ifs = v6.ifaces.filter((f) => f.host === h.name);
  for (let n = rng.int(1, 4); n > 0; n--) {
    const chain = rng.pick(['INPUT', 'FORWARD', 'OUTPUT'] as const);
    const parts = ['ip6tables', '-A', chain];
    const proto = rng.pick(['udp', 'tcp', 'ipv6-icmp', undefined] as const);
    if (proto) parts.push('-p', proto);
    if ((proto === 'udp' || proto === 'tcp') && rng.chance(0.7)) parts.push('--dport', String(rng.pick(PORTS[proto])));
    if (proto === 'ipv6-icmp' && rng.chance(0.6)) parts.push('--icmpv6-type', rng.pick(['echo-request', 'echo-reply', 'destination-unreachable', 'neighbour-solicitation']));
    if (rng.chance(0.3)) parts.push(rng.chance(0.5) ? '-s' : '-d', rng.chance(0.5) ? addr(rng, v6) : prefix(rng, v6));
    if (chain !== 'OUTPUT' && ifs.length && rng.chance(0.3)) parts.push('-i', rng.pick(ifs).ifname);
    if (chain !== 'INPUT' && ifs.length && rng.chance(0.2)) parts.push('-o', rng.pick(ifs).ifname);
    if (rng.chance(0.1)) parts.push('-m', 'hl', rng.pick(['--hl-eq', '--hl-lt', '--hl-gt']), String(rng.pick([1, 2, 64])));
    const target = rng.pick(['ACCEPT', 'DROP', 'REJECT', 'REJECT-with', 'LOG'] as const);
    if (target === 'REJECT-with') parts.push('-j', 'REJECT', '--reject-with', proto === 'tcp' && rng.chance(0.5) ? 'tcp-reset' : rng.pick(['icmp6-port-unreachable', 'icmp6-adm-prohibited', 'icmp6-no-route', 'icmp6-addr-unreachable']));
    else if (target === 'LOG') parts.push('-j', 'LOG', '--log-prefix', `"v6 ${chain} "`);
    else parts.push('-j', target);
    h.lines.push(parts.join(' '));
  }
  if (rng.chance(0.15)) {
    const chain = rng.pick(['INPUT', 'FORWARD']);
    if (chain === 'INPUT' && rng.chance(0.7)) h.lines.push('ip6tables -I INPUT -p ipv6-icmp -j ACCEPT');
    h.lines.push(`ip6tables -P ${chain} DROP`);
  }
}

/** An IPv6 ruleset on some hosts, in the language the IPv4 draw allowed (nft, ip6tables). */
export function firewalls6(ctx: Ctx): void {
  const v6 = ctx.v6;
  if (!v6) return;
  const rng = v6.fw;
  for (const h of ctx.hosts) {
    if (!rng.chance(0.3)) continue;
    const gh = host(ctx, h.name);
    const before = gh.lines.length;
    if (v6.nft && (!v6.ipt || rng.chance(0.65))) nft6(rng, v6, gh);
    else if (v6.ipt) ip6tables(rng, v6, gh);
    const drawn = gh.lines.slice();
    if (ctx.has('nf6-ext')) exthdr6(gh, before, v6.nft, v6.ipt);
    ip6tablesNat(gh, drawn, before, v6);
  }
}
