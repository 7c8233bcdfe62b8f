// Firewall rulesets from the grammar the model supports: nft (filter chains on every hook, NAT,
// ct state, named sets and verdict maps, anonymous vmaps, limit, marks and connmark, reject,
// notrack, redirect) and iptables-nft (filter, nat, mangle, conntrack, limit, REJECT, MARK,
// CONNMARK, MASQUERADE, DNAT, REDIRECT). Addresses and ports come from the topology.
import type { Ctx, Iface } from './context';
import { Rng } from './rng';
import type { GenHost } from './scenario';
import { firewallKeys } from './firewall_keys';
import { firewallConn } from './firewall_conn';
import { firewallMore } from './firewall_more';
import { firewallDyn } from './firewall_dyn';
import { firewallGrammar } from './firewall_grammar';

export const PORTS = { udp: [53, 7000, 9000], tcp: [80, 8080, 3128] } as const;

type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** A match of a rule; `l4` is the protocol a `meta l4proto` comparison fixes without a header match. */
function match(ctx: Ctx, hook: Hook, ifs: Iface[]): { text: string; proto?: 'udp' | 'tcp' | 'icmp'; l4?: string } {
  const { rng } = ctx;
  const anyAddr = (): string => (ctx.ifaces.length ? rng.pick(ctx.ifaces).addr : '127.0.0.1');
  const inOk = hook !== 'output' && hook !== 'postrouting';
  const outOk = hook !== 'prerouting' && hook !== 'input';
  const choice = rng.pick(['saddr', 'daddr', 'net', 'udp', 'tcp', 'icmp', 'iif', 'oif', 'ct', 'mark', 'set', 'l4', 'none'] as const);
  switch (choice) {
    case 'saddr':
      return { text: `ip saddr ${rng.chance(0.2) ? '!= ' : ''}${anyAddr()}` };
    case 'daddr':
      return { text: `ip daddr ${anyAddr()}` };
    case 'net':
      return { text: `ip daddr ${rng.pick(['10.0.0.0/16', '10.0.2.0/24', '10.9.0.0/16'])}` };
    case 'udp':
      return { text: `udp dport ${rng.pick(PORTS.udp)}`, proto: 'udp' };
    case 'tcp':
      return { text: `tcp dport ${rng.pick(PORTS.tcp)}`, proto: 'tcp' };
    case 'icmp':
      return { text: `icmp type ${rng.pick(['echo-request', 'echo-reply', 'destination-unreachable', 'time-exceeded'])}`, proto: 'icmp' };
    case 'iif':
      return inOk && ifs.length ? { text: `iifname "${rng.pick(ifs).ifname}"` } : { text: '' };
    case 'oif':
      return outOk && ifs.length ? { text: `oifname "${rng.pick(ifs).ifname}"` } : { text: '' };
    case 'ct':
      return { text: `ct state ${rng.pick(['new', 'established,related', 'invalid', 'untracked', 'new,established'])}` };
    case 'mark':
      return { text: `meta mark ${rng.pick(['0x1', '0x0'])}` };
    case 'set':
      return { text: `ip saddr { ${anyAddr()}, ${anyAddr()} }` };
    case 'l4': {
      const l4 = rng.pick(['udp', 'tcp', 'icmp']);
      return { text: `meta l4proto ${l4}`, l4 };
    }
    default:
      return { text: '' };
  }
}

/**
 * A rule's verdict statement. `six` (the ip6 or inet table of the ipv6 feature) adds `log` and
 * reject's ICMPv6 and icmpx kinds; the weight 0 of `log` without it leaves IPv4's draws as they were.
 */
export function verdict(rng: Rng, hook: Hook, proto?: string, six?: 'ip6' | 'inet'): string {
  const filtering = hook === 'input' || hook === 'forward' || hook === 'output';
  const v = rng.weighted([
    [4, 'accept'],
    [4, 'drop'],
    [filtering ? 3 : 0, 'reject'],
    [2, 'counter'],
    [1, 'mark'],
    [1, 'limit'],
    [six ? 1 : 0, 'log'],
    [1, 'continue'],
  ] as const);
  switch (v) {
    case 'reject':
      if (proto === 'tcp' && rng.chance(0.5)) return 'counter reject with tcp reset';
      if (six) return reject6(rng, six);
      return rng.chance(0.3) ? 'reject' : `reject with icmp type ${rng.pick(['port-unreachable', 'host-prohibited', 'admin-prohibited', 'net-unreachable', 'host-unreachable'])}`;
    case 'mark':
      return rng.chance(0.5) ? 'meta mark set 0x1' : 'ct mark set 0x1';
    case 'limit':
      return `limit rate ${rng.chance(0.5) ? 'over ' : ''}${rng.pick(['1/second', '2/second', '1/minute'])} burst ${rng.pick([1, 2, 5])} packets ${rng.pick(['drop', 'accept'])}`;
    case 'log':
      return `log${rng.chance(0.5) ? ` prefix "v6-${hook}"` : ''} ${rng.pick(['accept', 'drop', 'counter'])}`;
    case 'counter':
      return 'counter';
    default:
      return `counter ${v}`;
  }
}

function reject6(rng: Rng, fam: 'ip6' | 'inet'): string {
  const k = rng.weighted([
    [3, 'plain'],
    [4, 'icmpv6'],
    [fam === 'inet' ? 2 : 0, 'icmpx'],
  ] as const);
  if (k === 'plain') return 'counter reject';
  if (k === 'icmpx') return `counter reject with icmpx type ${rng.pick(['port-unreachable', 'admin-prohibited', 'no-route', 'host-unreachable'])}`;
  return `counter reject with icmpv6 type ${rng.pick(['port-unreachable', 'admin-prohibited', 'no-route', 'addr-unreachable'])}`;
}

/**
 * Issue 15's constructs: a header field (nft_payload, with a bitwise mask for bitfields and
 * masked matches), a masked mark, or a tcp option (nft_exthdr), compatible with the protocol the
 * rule has fixed. Drawn from a side stream (Rng.fromText), so the scenarios drawn before keep
 * their main stream.
 */
function payloadMatch(side: Rng, proto?: string, l4?: string): string {
  const fixed = proto ?? l4;
  const ip = ['ip dscp ef', 'ip dscp != cs0', 'ip ecn not-ect', 'ip hdrlength 5', 'ip version 4', 'ip frag-off & 0x4000 != 0', 'ip frag-off & 0x1fff != 0', 'ip length > 100', 'ip length < 100', 'ip daddr & 0.0.0.255 == 0.0.0.2', 'ip checksum != 0', 'meta mark & 0x2 == 0x2', 'meta mark and 0x3 != 0x0'];
  const tcp = ['tcp option maxseg size 1460', 'tcp option maxseg size < 1400', 'tcp option timestamp exists', 'tcp option sack-perm missing', 'tcp option window count > 6', 'tcp window > 1000', 'tcp doff 10', 'tcp flags & (syn|ack) == syn'];
  const udp = ['udp length > 100', 'udp length < 100', 'udp checksum != 0'];
  const icmp = ['icmp code 0', 'icmp code port-unreachable'];
  const stateful = ['quota 1500 bytes', 'quota over 1500 bytes'];
  const pool = [...ip, ...stateful, ...(fixed === undefined || fixed === 'tcp' ? tcp : []), ...(fixed === undefined || fixed === 'udp' ? udp : []), ...(fixed === undefined || fixed === 'icmp' ? icmp : [])];
  return side.pick(pool);
}

const PRIO: Record<Hook, readonly string[]> = {
  prerouting: ['raw', 'mangle', '0', 'filter'],
  input: ['filter', '0', 'mangle'],
  forward: ['filter', '0', 'mangle'],
  output: ['filter', '0', 'raw'],
  postrouting: ['filter', '0', 'mangle'],
};

function nft(ctx: Ctx, h: GenHost): void {
  const { rng } = ctx;
  const ifs = ctx.ifaces.filter((f) => f.host === h.name);
  const fam = rng.chance(0.7) ? 'ip' : 'inet';
  const t = rng.pick(['filter', 'fw', 't1']);
  h.lines.push(`nft add table ${fam} ${t}`);
  const nChains = rng.int(1, 2);
  const used = new Set<Hook>();
  for (let c = 0; c < nChains; c++) {
    const hook = rng.pick(['input', 'forward', 'output', 'prerouting', 'postrouting'] as const);
    if (used.has(hook)) continue;
    used.add(hook);
    const prio = rng.pick(PRIO[hook]);
    const policy = (hook === 'input' || hook === 'forward') && rng.chance(0.25) ? 'drop' : 'accept';
    h.lines.push(`nft add chain ${fam} ${t} ${hook} '{ type filter hook ${hook} priority ${prio}; policy ${policy}; }'`);
    const nRules = rng.int(1, 4);
    for (let r = 0; r < nRules; r++) {
      if (prio === 'raw' && rng.chance(0.3)) {
        h.lines.push(`nft add rule ${fam} ${t} ${hook} ${rng.chance(0.5) ? `udp dport ${rng.pick(PORTS.udp)} ` : ''}counter notrack`);
        continue;
      }
      const m = match(ctx, hook, ifs);
      const m2 = rng.chance(0.3) ? match(ctx, hook, ifs) : { text: '' };
      const proto = m.proto ?? m2.proto;
      if (m.proto && m2.proto && m.proto !== m2.proto) continue;
      // `meta l4proto udp tcp dport 80` is refused by nft (conflicting protocols): such a pair
      // keeps only the header match (decided without a draw, so the draws that follow stay the same)
      const clash = (a: typeof m, b: typeof m): boolean => !!a.l4 && !!b.proto && a.l4 !== b.proto;
      const texts = [clash(m, m2) ? '' : m.text, clash(m2, m) ? '' : m2.text];
      const v = verdict(ctx.rng, hook, proto);
      if (ctx.has('nft-payload')) {
        const side = Rng.fromText(`${h.name}\n${h.lines.join('\n')}\n${texts.join(' ')} ${v}`);
        if (side.chance(0.35)) texts.push(payloadMatch(side, proto, m.l4 ?? m2.l4));
        if (side.chance(0.08)) h.lines.push(`nft add rule ${fam} ${t} ${hook} meta mark set meta mark | 0x2`);
      }
      h.lines.push(`nft add rule ${fam} ${t} ${hook} ${[...texts, v].filter(Boolean).join(' ')}`);
    }
    if (rng.chance(0.15)) {
      // a named set and a verdict map used by a rule of the chain
      h.lines.push(`nft add set ${fam} ${t} s1 '{ type ipv4_addr; elements = { ${ctx.ifaces.length ? rng.pick(ctx.ifaces).addr : '127.0.0.1'} } }'`);
      h.lines.push(`nft add rule ${fam} ${t} ${hook} ip saddr @s1 counter ${rng.pick(['accept', 'drop'])}`);
    }
    if (rng.chance(0.15)) {
      h.lines.push(`nft add map ${fam} ${t} m1 '{ type inet_service : verdict; elements = { ${PORTS.udp[0]} : drop, ${PORTS.udp[1]} : accept } }'`);
      h.lines.push(`nft add rule ${fam} ${t} ${hook} udp dport vmap @m1`);
    }
    if (rng.chance(0.1)) h.lines.push(`nft add rule ${fam} ${t} ${hook} meta l4proto vmap { udp : accept, icmp : ${rng.pick(['accept', 'drop'])} }`);
  }
  if (rng.chance(0.35)) nat(ctx, h, ifs);
}

function nat(ctx: Ctx, h: GenHost, ifs: Iface[]): void {
  const { rng } = ctx;
  h.lines.push('nft add table ip nat');
  const kind = rng.pick(['masquerade', 'dnat', 'redirect', 'output-dnat', 'snat'] as const);
  const other = ctx.ifaces.filter((f) => f.host !== h.name);
  if (kind === 'masquerade' || kind === 'snat') {
    h.lines.push("nft add chain ip nat postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'");
    const f = ifs.length ? rng.pick(ifs) : undefined;
    const out = f ? `oifname "${f.ifname}" ` : '';
    h.lines.push(kind === 'masquerade' || !f ? `nft add rule ip nat postrouting ${out}counter masquerade` : `nft add rule ip nat postrouting ${out}counter snat to ${f.addr}`);
  } else if (kind === 'dnat' && other.length) {
    h.lines.push("nft add chain ip nat prerouting '{ type nat hook prerouting priority dstnat; policy accept; }'");
    const p = rng.pick(['udp', 'tcp'] as const);
    h.lines.push(`nft add rule ip nat prerouting ${p} dport ${rng.pick(PORTS[p])} counter dnat to ${rng.pick(other).addr}${rng.chance(0.5) ? `:${rng.pick(PORTS[p])}` : ''}`);
  } else if (kind === 'redirect') {
    h.lines.push("nft add chain ip nat prerouting '{ type nat hook prerouting priority dstnat; policy accept; }'");
    h.lines.push(`nft add rule ip nat prerouting tcp dport ${rng.pick(PORTS.tcp)} counter redirect to :${rng.pick(PORTS.tcp)}`);
  } else if (other.length) {
    h.lines.push("nft add chain ip nat output '{ type nat hook output priority -100; policy accept; }'");
    h.lines.push(`nft add rule ip nat output ip daddr ${rng.pick(other).addr} udp dport ${rng.pick(PORTS.udp)} counter dnat to ${rng.pick(other).addr}`);
  }
}

function iptables(ctx: Ctx, h: GenHost): void {
  const { rng } = ctx;
  const ifs = ctx.ifaces.filter((f) => f.host === h.name);
  const n = rng.int(1, 4);
  const addr = (): string => (ctx.ifaces.length ? rng.pick(ctx.ifaces).addr : '127.0.0.1');
  for (let i = 0; i < n; i++) {
    const chain = rng.pick(['INPUT', 'FORWARD', 'OUTPUT'] as const);
    const parts = ['iptables', '-A', chain];
    const proto = rng.pick(['udp', 'tcp', 'icmp', undefined] as const);
    if (proto) parts.push('-p', proto);
    if (proto === 'udp' || proto === 'tcp') {
      if (rng.chance(0.7)) parts.push('--dport', String(rng.pick(PORTS[proto])));
    }
    if (rng.chance(0.3)) parts.push(rng.chance(0.5) ? '-s' : '-d', addr());
    if (chain !== 'OUTPUT' && ifs.length && rng.chance(0.3)) parts.push('-i', rng.pick(ifs).ifname);
    if (rng.chance(0.25)) parts.push('-m', 'conntrack', '--ctstate', rng.pick(['NEW', 'RELATED,ESTABLISHED', 'INVALID']));
    const target = rng.pick(['ACCEPT', 'DROP', 'REJECT', 'REJECT-with'] as const);
    if (target === 'REJECT-with') parts.push('-j', 'REJECT', '--reject-with', proto === 'tcp' && rng.chance(0.5) ? 'tcp-reset' : rng.pick(['icmp-port-unreachable', 'icmp-host-prohibited', 'icmp-admin-prohibited', 'icmp-net-unreachable']));
    else parts.push('-j', target);
    h.lines.push(parts.join(' '));
  }
  if (rng.chance(0.15)) h.lines.push(`iptables -P ${rng.pick(['INPUT', 'FORWARD'])} DROP`);
  if (rng.chance(0.2) && ifs.length) h.lines.push(`iptables -t nat -A POSTROUTING -o ${rng.pick(ifs).ifname} -j MASQUERADE`);
  if (rng.chance(0.15)) h.lines.push(`iptables -t nat -A PREROUTING -p tcp --dport ${rng.pick(PORTS.tcp)} -j REDIRECT --to-ports ${rng.pick(PORTS.tcp)}`);
  if (rng.chance(0.1)) h.lines.push(`iptables -t nat -A PREROUTING -p udp --dport ${rng.pick(PORTS.udp)} -j DNAT --to-destination ${addr()}`);
  if (rng.chance(0.1)) h.lines.push(`iptables -t mangle -A PREROUTING -p udp -j MARK --set-mark 0x1`);
  if (rng.chance(0.05)) h.lines.push(`iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark`);
}

/** A ruleset on some hosts (about a third of the scenarios have one). */
export function firewalls(ctx: Ctx): void {
  const { rng } = ctx;
  for (const h of ctx.hosts) {
    if (!rng.chance(0.3)) continue;
    if (ctx.has('nft') && (!ctx.has('iptables') || rng.chance(0.65))) nft(ctx, h);
    else if (ctx.has('iptables')) iptables(ctx, h);
    if (ctx.has('nf-keys')) firewallKeys(ctx, h);
    // nf-dyn's stream is seeded by the lines before nf-rules', so that either feature draws the same without the other
    const before = [...h.lines];
    if (ctx.has('nf-rules')) firewallMore(ctx, h);
    if (ctx.has('nf-dyn')) firewallDyn(ctx, h, before);
    // nf-conn's stream too, and its lines come last: every other line stays where it was drawn
    if (ctx.has('nf-conn')) firewallConn(ctx, h, before);
    if (ctx.has('nf-grammar')) firewallGrammar(ctx, h, before);
  }
}
