// Feature `nf6-ext` (issue 14; acts only with `ipv6`): the IPv6 netfilter constructs that came after
// ipv6_firewall.ts. nft (1.0.6): extension-header presence (`exthdr hbh|rt|frag|dst exists|missing`)
// and fields (`frag more-fragments`, `frag frag-off`, `rt seg-left`, `hbh|dst nexthdr`);
// ip6tables (1.8.9): `-m ipv6header --header … [--soft]`, `-m ah --ahspi`, `-m frag`, `-m rt`,
// `-m conntrack --ctstate` and `-m state`, `-t mangle … -j HL`, `-t raw … -j NOTRACK|CT --notrack`.
// A host that got an IPv6 ruleset sometimes gets these besides, in the language it uses. The draws
// come from a side stream seeded by the host's lines (Rng.fromText), as nf-dyn's do, so the rest of
// each IPv6 scenario, and every one whose hosts draw nothing here, stays as drawn before.
import { PORTS } from './firewall';
import { Rng } from './rng';
import type { GenHost } from './scenario';

type Hook = 'prerouting' | 'input' | 'forward' | 'output';

/** One nft match on an extension header (the crafted frames of ipv6.ts carry hbh, rt, dst and frag). */
function nftExt(rng: Rng): string {
  switch (rng.weighted([[4, 'presence'], [2, 'frag-more'], [2, 'frag-off'], [1, 'seg-left'], [1, 'nexthdr']] as const)) {
    case 'presence':
      return `exthdr ${rng.pick(['hbh', 'rt', 'frag', 'dst'])} ${rng.pick(['exists', 'missing'])}`;
    case 'frag-more':
      return `frag more-fragments ${rng.pick([0, 1])}`;
    case 'frag-off':
      return `frag frag-off ${rng.pick(['0', '!= 0'])}`;
    case 'seg-left':
      return `rt seg-left ${rng.pick(['0', '!= 0'])}`;
    default:
      return `${rng.pick(['hbh', 'dst'])} nexthdr ${rng.pick(['udp', 'tcp', 'ipv6-icmp'])}`;
  }
}

function nft(rng: Rng, h: GenHost): void {
  const fam = rng.chance(0.5) ? 'ip6' : 'inet';
  const hook: Hook = rng.pick(['prerouting', 'input', 'forward', 'forward', 'output'] as const);
  h.lines.push(`nft add table ${fam} xh6`);
  h.lines.push(`nft add chain ${fam} xh6 ${hook} '{ type filter hook ${hook} priority ${rng.pick(['-5', '5', 'filter'])}; policy accept; }'`);
  for (let n = rng.int(1, 3); n > 0; n--) {
    const l4 = rng.chance(0.3) ? ` meta l4proto ${rng.pick(['udp', 'ipv6-icmp'])}` : '';
    h.lines.push(`nft add rule ${fam} xh6 ${hook} ${nftExt(rng)}${l4} counter ${rng.pick(['drop', 'accept', 'drop'])}`);
  }
}

const HEADERS = ['frag', 'hop', 'route', 'dst', 'prot', 'frag,prot', 'hop,dst', 'none'];
const CTSTATES = ['ESTABLISHED,RELATED', 'NEW', 'INVALID', 'UNTRACKED', 'ESTABLISHED,RELATED,UNTRACKED'];

/** One ip6tables rule of the filter table with a match of these. */
function iptFilter(rng: Rng): string {
  const chain = rng.pick(['INPUT', 'FORWARD', 'FORWARD', 'OUTPUT']);
  const target = `-j ${rng.pick(['DROP', 'ACCEPT', 'DROP'])}`;
  switch (rng.weighted([[3, 'ipv6header'], [1, 'ah'], [2, 'frag'], [1, 'rt'], [3, 'conntrack'], [1, 'state']] as const)) {
    case 'ipv6header':
      return `ip6tables -A ${chain} -m ipv6header ${rng.chance(0.2) ? '! ' : ''}--header ${rng.pick(HEADERS)}${rng.chance(0.5) ? ' --soft' : ''} ${target}`;
    case 'ah':
      return `ip6tables -A ${chain} -m ah --ahspi ${rng.pick(['1:100', '5', '256:'])} ${target}`;
    case 'frag':
      return `ip6tables -A ${chain} -m frag ${rng.pick(['--fragmore', '--fraglast', '--fragfirst', '--fragid 0:1000'])} ${target}`;
    case 'rt':
      return `ip6tables -A ${chain} -m rt --rt-segsleft ${rng.pick(['0', '1:255'])} ${target}`;
    case 'conntrack':
      return `ip6tables -A ${chain} -m conntrack --ctstate ${rng.pick(CTSTATES)} ${target}`;
    default:
      return `ip6tables -A ${chain} -m state --state ${rng.pick(['NEW', 'ESTABLISHED,RELATED', 'INVALID'])} ${target}`;
  }
}

function ip6tables(rng: Rng, h: GenHost): void {
  for (let n = rng.int(1, 2); n > 0; n--) h.lines.push(iptFilter(rng));
  if (rng.chance(0.3)) {
    // HL only in mangle (hl_tg6_check); the value ranges are libip6t_HL's (--hl-inc/--hl-dec from 1)
    const chain = rng.pick(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
    const how = rng.pick([`--hl-set ${rng.pick([1, 2, 64])}`, `--hl-inc ${rng.pick([1, 10])}`, `--hl-dec ${rng.pick([1, 2])}`]);
    h.lines.push(`ip6tables -t mangle -A ${chain} ${rng.chance(0.5) ? `-p ${rng.pick(['udp', 'ipv6-icmp'])} ` : ''}-j HL ${how}`);
  }
  if (rng.chance(0.25)) {
    const p = rng.chance(0.5) ? `-p udp --dport ${rng.pick(PORTS.udp)} ` : '';
    h.lines.push(`ip6tables -t raw -A ${rng.pick(['PREROUTING', 'OUTPUT'])} ${p}-j ${rng.pick(['NOTRACK', 'CT --notrack'])}`);
  }
}

/** A host that got an IPv6 ruleset (its lines from `before` on) sometimes gets rules of these besides. */
export function exthdr6(h: GenHost, before: number, nftOk: boolean, iptOk: boolean): void {
  const mine = h.lines.slice(before);
  if (!mine.length) return;
  const rng = Rng.fromText(`nf6-ext\n${h.name}\n${h.lines.join('\n')}`);
  const usesIpt = mine.some((l) => l.startsWith('ip6tables '));
  if (usesIpt && iptOk) {
    if (rng.chance(0.5)) ip6tables(rng, h);
  } else if (nftOk && rng.chance(0.5)) nft(rng, h);
}
