// Issue 15's constructs for the generated firewalls: iptables extensions (conntrack status and
// direction, state, owner, tos/dscp, iprange, addrtype, limit, hashlimit, quota, statistic nth,
// connbytes; NFLOG, TTL, DSCP, TOS) and nft's ct and meta keys (direction, status, tuples,
// packets, skuid, iiftype/oiftype). The draws come from a generator of their own, seeded by the
// host's ruleset so far, so the scenarios drawn before these constructs existed stay the same
// apart from the rules added here.
import { Rng } from './rng';
import type { Ctx } from './context';
import type { GenHost } from './scenario';
import { PORTS } from './firewall';

function subRng(h: GenHost): Rng {
  let x = 2166136261;
  const s = h.name + '\n' + h.lines.join('\n');
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619) >>> 0;
  return new Rng(x);
}

function iptablesMatch(rng: Rng, chain: string, addr: () => string): string {
  const out = chain === 'OUTPUT';
  const choices = ['ctstatus', 'ctdir', 'ctproto', 'state', 'tos', 'dscp', 'iprange', 'addrtype', 'limit', 'hashlimit', 'quota', 'nth', 'connbytes', ...(out ? ['owner'] : [])] as const;
  switch (rng.pick(choices)) {
    case 'ctstatus':
      return `-m conntrack --ctstatus ${rng.pick(['SEEN_REPLY', 'CONFIRMED', 'SEEN_REPLY,CONFIRMED', 'EXPECTED'])}`;
    case 'ctdir':
      return `-m conntrack --ctstate ${rng.pick(['NEW', 'ESTABLISHED', 'INVALID'])} --ctdir ${rng.pick(['ORIGINAL', 'REPLY'])}`;
    case 'ctproto':
      return `-m conntrack ${rng.chance(0.5) ? '! ' : ''}--ctproto ${rng.pick(['udp', 'tcp', 'icmp'])} --ctorigsrc ${addr()}`;
    case 'state':
      return `-m state ${rng.chance(0.3) ? '! ' : ''}--state ${rng.pick(['NEW', 'ESTABLISHED,RELATED', 'INVALID'])}`;
    case 'tos':
      return `-m tos --tos ${rng.pick(['0x00', 'Minimize-Delay', '0x10/0x3f'])}`;
    case 'dscp':
      return `-m dscp ${rng.chance(0.5) ? '! ' : ''}--dscp ${rng.pick([0, 4, 10])}`;
    case 'iprange': {
      const a = addr();
      const last = Number(a.split('.')[3]);
      return `-m iprange --${rng.pick(['src', 'dst'])}-range ${a.split('.').slice(0, 3).join('.')}.${Math.max(0, last - 1)}-${a.split('.').slice(0, 3).join('.')}.${Math.min(255, last + 1)}`;
    }
    case 'addrtype':
      return `-m addrtype --${rng.pick(['src', 'dst'])}-type ${rng.pick(['LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST'])}`;
    case 'limit':
      return `-m limit --limit ${rng.pick(['1/minute', '3/hour'])} --limit-burst ${rng.pick([1, 2])}`;
    case 'hashlimit':
      return `-m hashlimit --hashlimit-${rng.pick(['upto', 'above'])} ${rng.pick(['1/minute', '2/hour'])} --hashlimit-burst ${rng.pick([1, 2])} --hashlimit-mode ${rng.pick(['srcip', 'dstip', 'srcip,dstport'])} --hashlimit-name g${rng.int(1, 999)}`;
    case 'quota':
      return `-m quota --quota ${rng.pick([100, 200, 1000])}`;
    case 'nth':
      return `-m statistic --mode nth --every ${rng.pick([2, 3])} --packet ${rng.pick([0, 1])}`;
    case 'connbytes':
      return `-m connbytes --connbytes ${rng.pick(['2:', '0:1', '100:'])} --connbytes-mode ${rng.pick(['packets', 'bytes'])} --connbytes-dir ${rng.pick(['original', 'reply', 'both'])}`;
    default:
      return `-m owner ${rng.chance(0.3) ? '! ' : ''}--uid-owner ${rng.pick(['root', '0', '1000'])}`;
  }
}

function nftMatch(rng: Rng, hook: string, addr: () => string): string {
  const local = hook === 'output' || hook === 'postrouting';
  const choices = ['direction', 'status', 'saddr', 'pdst', 'packets', 'iftype', ...(local ? ['skuid'] : [])] as const;
  switch (rng.pick(choices)) {
    case 'direction':
      return `ct direction ${rng.pick(['original', 'reply'])}`;
    case 'status':
      return `ct status ${rng.pick(['seen-reply', 'confirmed', 'dnat', 'snat', 'expected'])}`;
    case 'saddr':
      return `ct ${rng.pick(['original', 'reply'])} ip ${rng.pick(['saddr', 'daddr'])} ${addr()}`;
    case 'pdst': {
      // nft types the port only from a protocol context: ct protocol first, as a user must write it
      const proto = rng.pick(['tcp', 'udp'] as const);
      return `ct protocol ${proto} ct original proto-dst ${rng.pick([...PORTS[proto]])}`;
    }
    case 'packets':
      return `ct ${rng.pick(['original ', 'reply ', ''])}packets ${rng.pick(['> 1', '< 2', '2-3'])}`;
    case 'iftype':
      return hook === 'input' || hook === 'prerouting' ? `meta iiftype ${rng.pick(['ether', 'loopback'])}` : `meta oiftype ${rng.pick(['ether', 'loopback'])}`;
    default:
      return `meta skuid ${rng.pick(['0', '!= 0', '1000'])}`;
  }
}

/** Some of the hosts that got a ruleset get one or two of these rules besides. */
export function firewallKeys(ctx: Ctx, h: GenHost): void {
  const rng = subRng(h);
  if (!rng.chance(0.5)) return;
  const addr = (): string => (ctx.ifaces.length ? rng.pick(ctx.ifaces).addr : '127.0.0.1');
  if (ctx.has('iptables') && rng.chance(0.5)) {
    const chain = rng.pick(['INPUT', 'FORWARD', 'OUTPUT']);
    const target = rng.pick(['ACCEPT', 'DROP', 'NFLOG --nflog-group 5', 'RETURN']);
    h.lines.push(`iptables -I ${chain} 1 ${iptablesMatch(rng, chain, addr)} -j ${target}`);
    if (rng.chance(0.3)) h.lines.push(`iptables -t mangle -A ${rng.pick(['PREROUTING', 'FORWARD', 'POSTROUTING'])} -j ${rng.pick(['TTL --ttl-set 33', 'TTL --ttl-dec 1', 'DSCP --set-dscp 10', 'TOS --set-tos 0x10'])}`);
    return;
  }
  if (!ctx.has('nft')) return;
  const hook = rng.pick(['input', 'forward', 'output', 'prerouting', 'postrouting']);
  h.lines.push('nft add table ip keys');
  h.lines.push(`nft add chain ip keys c '{ type filter hook ${hook} priority ${rng.pick([-10, 10])}; policy accept; }'`);
  h.lines.push(`nft add rule ip keys c ${nftMatch(rng, hook, addr)} counter ${rng.pick(['drop', 'accept'])}`);
}
