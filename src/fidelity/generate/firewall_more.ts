// Feature `nf-rules` (issue 15, off by default): the newer rule constructs in the generated
// firewalls, so that each is checked against the kernel. nft: concatenations in anonymous sets,
// named sets and verdict maps, `ct status`/`ct direction`, `tcp flags` with masks, quota, limit
// with bursts, DNAT to a port range; iptables: -m string, -m recent, -m hashlimit per source and
// port, -m quota, NETMAP, DNAT to a port range. A host that got a ruleset gets a table or rules of
// these besides, in the language it already uses. The draws come from a side stream seeded by the
// host's lines so far (Rng.fromText), so the main stream, and so the rest of each scenario, stays
// as drawn without the feature.
import type { Ctx, Iface } from './context';
import { Rng } from './rng';
import type { GenHost } from './scenario';
import { PORTS } from './firewall';

type Proto = 'udp' | 'tcp';

function nftRule(rng: Rng, addr: () => string): string {
  const p: Proto = rng.pick(['udp', 'tcp'] as const);
  const port = (): number => rng.pick(PORTS[p]);
  // two elements never share a key (a map would be refused: File exists), so their ports differ
  const two = (): [number, number] => {
    const a = port();
    return [a, rng.pick(PORTS[p].filter((x) => x !== a))];
  };
  const [p1, p2] = two();
  const verdict = (): string => rng.pick(['accept', 'drop', 'continue']);
  switch (rng.pick(['concat', 'concat-vmap', 'status', 'direction', 'flags', 'quota', 'limit'] as const)) {
    case 'concat':
      return `ip ${rng.pick(['saddr', 'daddr'])} . ${p} dport { ${addr()} . ${p1}, ${addr()} . ${p2} } counter ${rng.pick(['accept', 'drop'])}`;
    case 'concat-vmap':
      return `ip daddr . ${p} dport vmap { ${addr()} . ${p1} : drop, ${addr()} . ${p2} : accept }`;
    case 'status':
      return `ct status ${rng.pick(['seen-reply', 'confirmed', '! seen-reply', 'dnat', 'snat', 'seen-reply,confirmed'])} counter ${verdict()}`;
    case 'direction':
      return `ct direction ${rng.pick(['original', 'reply'])} ${rng.chance(0.5) ? `meta l4proto ${p} ` : ''}counter ${verdict()}`;
    case 'flags':
      return `${rng.pick(['tcp flags & (syn|ack) == syn|ack', 'tcp flags & (syn|ack) == syn', 'tcp flags syn / syn,ack', 'tcp flags & (fin|syn|rst|ack) == ack', 'tcp flags rst / rst,ack', 'tcp flags != syn / syn,ack'])} counter ${verdict()}`;
    case 'quota':
      return `${p} dport ${port()} quota ${rng.pick(['over ', 'until ', ''])}${rng.pick([100, 300, 1500])} bytes ${rng.pick(['drop', 'accept', 'counter'])}`;
    default:
      return `ip saddr ${addr()} limit rate ${rng.chance(0.5) ? 'over ' : ''}${rng.pick(['1/second', '1/minute', '3/minute'])} burst ${rng.pick([1, 2, 3])} packets counter ${rng.pick(['drop', 'accept'])}`;
  }
}

function nft(ctx: Ctx, rng: Rng, h: GenHost, addr: () => string): void {
  const hook = rng.pick(['input', 'forward', 'output', 'prerouting', 'postrouting'] as const);
  h.lines.push('nft add table ip more');
  h.lines.push(`nft add chain ip more c '{ type filter hook ${hook} priority ${rng.pick([-5, 5])}; policy accept; }'`);
  const n = rng.int(1, 2);
  for (let i = 0; i < n; i++) h.lines.push(`nft add rule ip more c ${nftRule(rng, addr)}`);
  if (rng.chance(0.25)) {
    // a named set of (address . port) pairs
    const p: Proto = rng.pick(['udp', 'tcp'] as const);
    const [a, b] = [PORTS[p][0], PORTS[p][1]];
    h.lines.push(`nft add set ip more cs '{ type ipv4_addr . inet_service; elements = { ${addr()} . ${a}, ${addr()} . ${b} } }'`);
    h.lines.push(`nft add rule ip more c ip daddr . ${p} dport @cs counter ${rng.pick(['accept', 'drop'])}`);
  }
  const other = ctx.ifaces.filter((f) => f.host !== h.name);
  if (other.length && rng.chance(0.25)) {
    // DNAT to a port range: the kernel picks the first port of the range that makes the tuple unique
    const p: Proto = rng.pick(['udp', 'tcp'] as const);
    const lo = rng.pick(PORTS[p]);
    h.lines.push("nft add chain ip more pre '{ type nat hook prerouting priority dstnat; policy accept; }'");
    h.lines.push(`nft add rule ip more pre ${p} dport ${rng.pick(PORTS[p])} counter dnat to ${rng.pick(other).addr}:${lo}-${lo + rng.int(0, 2)}`);
  }
}

function iptables(ctx: Ctx, rng: Rng, h: GenHost, ifs: Iface[]): void {
  const n = rng.int(1, 2);
  for (let i = 0; i < n; i++) {
    const chain = rng.pick(['INPUT', 'FORWARD', 'OUTPUT']);
    const target = rng.pick(['ACCEPT', 'DROP', 'RETURN']);
    let m: string;
    switch (rng.pick(['string', 'recent', 'hashlimit', 'quota'] as const)) {
      case 'string':
        // |0a00| is in every header with a 10.0.x.y address; the words only in payloads
        m = `-m string --algo ${rng.pick(['bm', 'kmp'])} ${rng.pick(['--hex-string "|0a00|"', '--string "abc"', '--hex-string "|0a0001|" --to 40', '--string "GET" --from 40'])}`;
        break;
      case 'recent': {
        const name = `r${rng.int(1, 3)}`;
        h.lines.push(`iptables -A ${chain} -m recent --name ${name} --set${rng.chance(0.3) ? ' --rdest' : ''}`);
        m = `-m recent --name ${name} ${rng.pick(['--rcheck', '--update'])} --hitcount ${rng.int(2, 3)}${rng.chance(0.5) ? ' --seconds 60' : ''}`;
        break;
      }
      case 'hashlimit':
        m = `-m hashlimit --hashlimit-${rng.pick(['upto', 'above'])} ${rng.pick(['1/minute', '2/sec'])} --hashlimit-burst ${rng.int(1, 3)} --hashlimit-mode ${rng.pick(['srcip', 'srcip,dstport', 'dstip,dstport'])} --hashlimit-name h${rng.int(1, 999)}`;
        break;
      default:
        m = `-m quota --quota ${rng.pick([100, 500, 2000])}`;
    }
    h.lines.push(`iptables -A ${chain} ${m} -j ${target}`);
  }
  const other = ctx.ifaces.filter((f) => f.host !== h.name);
  if (other.length && rng.chance(0.2)) {
    const p: Proto = rng.pick(['udp', 'tcp'] as const);
    const lo = rng.pick(PORTS[p]);
    h.lines.push(`iptables -t nat -A PREROUTING -p ${p} --dport ${rng.pick(PORTS[p])} -j DNAT --to-destination ${rng.pick(other).addr}:${lo}-${lo + rng.int(0, 2)}`);
  }
  if (ifs.length && rng.chance(0.15)) {
    // NETMAP the sources going out of one interface onto that interface's own subnet
    const f = rng.pick(ifs);
    const net = f.addr.split('.').slice(0, 3).join('.');
    h.lines.push(`iptables -t nat -A POSTROUTING -o ${f.ifname} -s ${rng.pick(['10.0.0.0/16', `${net}.0/24`])} -j NETMAP --to ${net}.0/${rng.pick([24, 30])}`);
  }
}

/** A host that got a ruleset gets rules of the newer constructs besides, in the language it uses. */
export function firewallMore(ctx: Ctx, h: GenHost): void {
  const rng = Rng.fromText(`nf-rules\n${h.name}\n${h.lines.join('\n')}`);
  if (!rng.chance(0.7)) return;
  const ifs = ctx.ifaces.filter((f) => f.host === h.name);
  const addr = (): string => (ctx.ifaces.length ? rng.pick(ctx.ifaces).addr : '127.0.0.1');
  const usesIpt = h.lines.some((l) => l.startsWith('iptables '));
  if (usesIpt && ctx.has('iptables')) iptables(ctx, rng, h, ifs);
  else if (ctx.has('nft')) nft(ctx, rng, h, addr);
}
