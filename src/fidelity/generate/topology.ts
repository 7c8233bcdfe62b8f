// Hosts, links, addresses and the routes that join them: 1-5 hosts in a chain (h1 - h2 - … - hn,
// the inner hosts routing) or a star (h1 in the middle routing for the others), one subnet
// 10.0.K.0/plen per link with .1 and .2 on its ends; then secondary addresses, routes of each
// type, metrics, policy rules, MTUs and permanent neighbours.
import { host, ip, ipNum, type Ctx, type Iface } from './context';

const PLENS: readonly (readonly [number, number])[] = [
  [6, 24],
  [1, 25],
  [1, 28],
  [1, 30],
];

/** Builds hosts and links in ctx; returns the shape. */
export function topology(ctx: Ctx): 'chain' | 'star' {
  const { rng } = ctx;
  const n = rng.weighted([
    [1, 1],
    [4, 2],
    [4, 3],
    [2, 4],
    [1, 5],
  ] as const);
  const shape = n >= 3 && rng.chance(0.4) ? 'star' : 'chain';
  for (let i = 1; i <= n; i++) ctx.hosts.push({ name: `h${i}`, lines: [] });
  const nIf = new Map<string, number>();
  const ifname = (h: string): string => {
    const k = nIf.get(h) ?? 0;
    nIf.set(h, k + 1);
    return `eth${k}`;
  };
  const pairs: [string, string][] = [];
  for (let i = 2; i <= n; i++) pairs.push(shape === 'chain' ? [`h${i - 1}`, `h${i}`] : ['h1', `h${i}`]);
  pairs.forEach(([a, b], k) => {
    const plen = rng.weighted(PLENS);
    const net = ipNum(`10.0.${k + 1}.0`);
    const bcast = (net | (0xffffffff >>> plen)) >>> 0;
    const ea = { host: a, ifname: ifname(a), addr: ip(net + 1) };
    const eb = { host: b, ifname: ifname(b), addr: ip(net + 2) };
    ctx.links.push({ a: `${a}:${ea.ifname}`, b: `${b}:${eb.ifname}`, ...(ctx.has('nic') && rng.chance(0.15) ? { kind: 'nic' as const } : {}) });
    ctx.ifaces.push({ ...ea, plen, net: ip(net), bcast: ip(bcast), peer: eb, link: k });
    ctx.ifaces.push({ ...eb, plen, net: ip(net), bcast: ip(bcast), peer: ea, link: k });
  });
  for (const f of ctx.ifaces) {
    const h = host(ctx, f.host);
    h.lines.push(`ip addr add ${f.addr}/${f.plen} dev ${f.ifname}`);
    h.lines.push(`ip link set ${f.ifname} up`);
  }
  routes(ctx, shape, n);
  return shape;
}

/** A link end as nextHops() walks it: IPv4's Iface and IPv6's Iface6 both are one. */
export interface LinkEnd {
  host: string;
  link: number;
  peer: { host: string };
}

/** Which of `ends` lead from `h` towards each link (breadth first over the links). */
export function nextHops<T extends LinkEnd>(ends: readonly T[], h: string): Map<number, T> {
  const out = new Map<number, T>();
  const seen = new Set([h]);
  // the subnets of h's own links are connected routes already
  for (const f of ends) if (f.host === h) out.set(f.link, f);
  let frontier: { at: string; first?: T }[] = [{ at: h }];
  while (frontier.length) {
    const next: { at: string; first?: T }[] = [];
    for (const { at, first } of frontier) {
      for (const f of ends.filter((x) => x.host === at)) {
        if (!out.has(f.link) && first) out.set(f.link, first);
        if (seen.has(f.peer.host)) continue;
        seen.add(f.peer.host);
        next.push({ at: f.peer.host, first: first ?? f });
      }
    }
    frontier = next;
  }
  return out;
}

function routes(ctx: Ctx, shape: 'chain' | 'star', n: number): void {
  const { rng } = ctx;
  for (const h of ctx.hosts) {
    const mine = ctx.ifaces.filter((f) => f.host === h.name);
    if (mine.length > 1 || (shape === 'star' && h.name === 'h1' && n > 1)) {
      if (rng.chance(0.92)) {
        ctx.routers.add(h.name);
        h.lines.unshift(rng.chance(0.5) ? 'sysctl -w net.ipv4.ip_forward=1' : 'sysctl -w net.ipv4.conf.all.forwarding=1');
      }
    }
    const hops = nextHops(ctx.ifaces, h.name);
    if (mine.length === 1 && hops.size) {
      // a leaf: one default route through its only neighbour (sometimes forgotten)
      if (rng.chance(0.93)) h.lines.push(`ip route add default via ${mine[0].peer.addr}`);
      continue;
    }
    for (const [link, f] of [...hops].sort((a, b) => a[0] - b[0])) {
      if (f.host === h.name && mine.includes(f) && f.link === link) continue;
      const dst = ctx.ifaces.find((x) => x.link === link)!;
      if (rng.chance(0.95)) h.lines.push(`ip route add ${dst.net}/${dst.plen} via ${f.peer.addr}`);
    }
  }
}

/** Secondary addresses, extra routes, policy rules, MTUs, neighbours: each on a random host. */
export function extras(ctx: Ctx): void {
  const { rng } = ctx;
  const pickIf = (): Iface | undefined => (ctx.ifaces.length ? rng.pick(ctx.ifaces) : undefined);
  const nExtra = rng.int(0, 4);
  for (let i = 0; i < nExtra; i++) {
    const kind = rng.pick(['secondary', 'route-types', 'route-metric', 'policy-routing', 'mtu', 'neigh'] as const);
    if (!ctx.has(kind)) continue;
    const f = pickIf();
    const h = f ? host(ctx, f.host) : rng.pick(ctx.hosts);
    const x = rng.int(1, 9);
    switch (kind) {
      case 'secondary': {
        if (f && f.plen <= 28 && rng.chance(0.6)) {
          const a = ip(ipNum(f.net) + rng.int(3, (1 << (32 - f.plen)) - 2));
          if (ctx.ifaces.some((y) => y.addr === a) || ctx.extra.some((y) => y.addr === a)) break;
          h.lines.push(`ip addr add ${a}/${f.plen} dev ${f.ifname}`);
          ctx.extra.push({ host: h.name, addr: a });
        } else {
          const a = `10.100.${h.name.slice(1)}.${x}`;
          if (ctx.extra.some((y) => y.addr === a)) break;
          h.lines.push(f && rng.chance(0.5) ? `ip addr add ${a}/24 dev ${f.ifname}` : `ip addr add ${a}/32 dev lo`);
          ctx.extra.push({ host: h.name, addr: a });
        }
        break;
      }
      case 'route-types': {
        const type = rng.pick(['blackhole', 'unreachable', 'prohibit', 'throw', 'local'] as const);
        const dst = `10.9.${x}.0/24`;
        h.lines.push(type === 'local' ? `ip route add local ${dst} dev lo` : `ip route add ${type} ${dst}`);
        ctx.far.push(`10.9.${x}.${rng.int(1, 254)}`);
        if (type === 'local') ctx.extra.push({ host: h.name, addr: `10.9.${x}.7` });
        break;
      }
      case 'route-metric': {
        if (!f) break;
        const dst = `10.8.${x}.0/24`;
        h.lines.push(`ip route add ${dst} via ${f.peer.addr} metric ${rng.pick([0, 10, 100, 1024])}${ctx.has('mtu') && rng.chance(0.4) ? ` mtu ${rng.pick([576, 1000, 1280])}` : ''}`);
        if (rng.chance(0.5)) h.lines.push(`ip route add blackhole ${dst} metric ${rng.pick([5, 50, 2000])}`);
        ctx.far.push(`10.8.${x}.${rng.int(1, 254)}`);
        break;
      }
      case 'policy-routing': {
        if (!f) break;
        const table = rng.pick([100, 200]);
        const prio = rng.pick([100, 1000, 30000]);
        const what = rng.pick(['from', 'to', 'fwmark', 'action'] as const);
        if (what === 'from') h.lines.push(`ip rule add from ${f.net}/${f.plen} table ${table} priority ${prio}`);
        else if (what === 'to') h.lines.push(`ip rule add to 10.7.${x}.0/24 table ${table} priority ${prio}`);
        else if (what === 'fwmark') h.lines.push(`ip rule add fwmark 0x1 table ${table} priority ${prio}`);
        else h.lines.push(`ip rule add to 10.7.${x}.0/24 ${rng.pick(['blackhole', 'unreachable', 'prohibit'])} priority ${prio}`);
        h.lines.push(rng.chance(0.7) ? `ip route add default via ${f.peer.addr} table ${table}` : `ip route add ${rng.pick(['prohibit', 'blackhole', 'unreachable'])} default table ${table}`);
        ctx.far.push(`10.7.${x}.${rng.int(1, 254)}`);
        break;
      }
      case 'mtu': {
        if (!f) break;
        const mtu = rng.pick([576, 1000, 1280, 1400, 1500, 9000]);
        h.lines.push(`ip link set ${f.ifname} mtu ${mtu}`);
        // A `nic` link is replayed on a veth pair, whose receiving end refuses a frame longer than
        // its own MTU (is_skb_forwardable); an e1000 takes up to 1522 bytes whatever its MTU
        // (no long-packet mode below 1501). The harness cannot stand in for one end of a nic
        // link smaller than the other, so both ends of a nic link get the MTU.
        if (ctx.links[f.link]?.kind === 'nic') host(ctx, f.peer.host).lines.push(`ip link set ${f.peer.ifname} mtu ${mtu}`);
        break;
      }
      case 'neigh': {
        if (!f || f.plen > 28) break;
        const a = ip(ipNum(f.net) + rng.int(3, 12));
        if (ctx.extra.some((y) => y.addr === a)) break;
        h.lines.push(`ip neigh add ${a} lladdr 02:00:00:00:99:${(0x10 + x).toString(16)} dev ${f.ifname} nud permanent`);
        ctx.far.push(a);
        break;
      }
    }
  }
}
