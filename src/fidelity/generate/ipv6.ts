// The `ipv6` feature: IPv6 on the topology topology.ts drew (dual-stack, or IPv6 only), with
// routes, forwarding, extras (route types, metrics, route MTUs, permanent neighbours, hop_limit),
// IPv6 listeners, and IPv6 traffic: ICMPv6 echo, UDP, TCP connect, and crafted frames with
// extension headers, unknown options, fragments, hop limits and bad checksums. Every draw comes
// from a side stream of its own (ctx.v6.rng), so a run without the feature draws exactly what it
// drew before, and one with it keeps the IPv4 part of each scenario as far as it can.
import { host, type Ctx, type Feature, type Iface } from './context';
import { PORTS } from './firewall';
import { Rng } from './rng';
import { nextHops } from './topology';

/** One end of a link, with its IPv6 address (2001:db8:K::1 and ::2 on link K). */
export interface Iface6 {
  host: string;
  ifname: string;
  addr: string;
  plen: number;
  /** the prefix's own address (2001:db8:K::), the subnet-router anycast address of a router */
  net: string;
  peer: { host: string; ifname: string; addr: string };
  link: number;
}

export interface Ctx6 {
  rng: Rng;
  /** IPv6 only: no IPv4 address or route on the links */
  only: boolean;
  ifaces: Iface6[];
  /** prefixes routes name that no host owns (blackhole, unreachable, prohibit, or just far) */
  far: string[];
  /** on-link addresses nobody owns (neighbour discovery fails), or with a permanent neighbour */
  unused: string[];
  /** a crafted fragment was drawn: the receivers get a short ip6frag_time */
  frags: boolean;
  tcpFrom: Set<string>;
  /** the rulesets' stream (ipv6_firewall.ts), and which languages the IPv4 draw allowed */
  fw: Rng;
  nft: boolean;
  ipt: boolean;
}

/** IPv4 features an IPv6-only scenario leaves out: they need IPv4 addresses on the links. */
const V4_ONLY: Feature[] = ['secondary', 'policy-routing', 'broadcast', 'zero-dst', 'nft', 'nft-payload', 'iptables', 'nf-keys', 'nf-rules', 'nf-conn', 'nf-grammar', 'neigh-sysctl', 'sysctl-more', 'rcvbuf'];

const PLENS6: readonly (readonly [number, number])[] = [
  [8, 64],
  [1, 112],
  [1, 120],
  [1, 126],
];

/**
 * IPv6 addresses, routes and forwarding on the links topology() made; in an IPv6-only draw the
 * IPv4 addresses and routes are taken out again. Returns the features to leave out.
 */
/** The share of generated addresses added without `nodad` (through DAD, src/model/net/ipv6/addrconf_dad.ts). */
export const DAD_SHARE = 0.25;

export function ipv6Topology(ctx: Ctx, seed: number, index: number, attempt: number): Feature[] {
  const rng = Rng.fromText(`ipv6 ${seed} ${index} ${attempt}`);
  const only = ctx.ifaces.length > 0 && rng.chance(0.35);
  const fw = Rng.fromText(`ipv6 rulesets ${seed} ${index} ${attempt}`);
  const v6: Ctx6 = { rng, only, ifaces: [], far: [], unused: [], frags: false, tcpFrom: new Set(), fw, nft: ctx.has('nft'), ipt: ctx.has('iptables') };
  ctx.v6 = v6;
  const links = new Map<number, Iface[]>();
  for (const f of ctx.ifaces) links.set(f.link, [...(links.get(f.link) ?? []), f]);
  for (const [k, [a, b]] of links) {
    const plen = rng.weighted(PLENS6);
    const net = `2001:db8:${k + 1}::`;
    const ea = { host: a.host, ifname: a.ifname, addr: `${net}1` };
    const eb = { host: b.host, ifname: b.ifname, addr: `${net}2` };
    v6.ifaces.push({ ...ea, plen, net, peer: eb, link: k }, { ...eb, plen, net, peer: ea, link: k });
  }
  if (only) {
    const v4 = /^(ip addr add \d|ip route add |sysctl -w net\.ipv4\.(ip_forward|conf\.all\.forwarding))/;
    for (const h of ctx.hosts) h.lines = h.lines.filter((l) => !v4.test(l));
    ctx.ifaces.length = 0;
  }
  // a quarter of the addresses go through DAD (tentative until its probe and a second after it),
  // drawn on a stream of their own so that the other draws stay as they were
  const dad = Rng.fromText(`ipv6 dad ${seed} ${index} ${attempt}`);
  for (const f of v6.ifaces) host(ctx, f.host).lines.push(`ip -6 addr add ${f.addr}/${f.plen} dev ${f.ifname}${dad.chance(DAD_SHARE) ? '' : ' nodad'}`);
  routes6(ctx, v6);
  extras6(ctx, v6);
  return only ? V4_ONLY : [];
}

function routes6(ctx: Ctx, v6: Ctx6): void {
  const { rng } = v6;
  for (const h of ctx.hosts) {
    const mine = v6.ifaces.filter((f) => f.host === h.name);
    if (mine.length > 1 || (ctx.routers.has(h.name) && mine.length)) {
      const how = rng.weighted([
        [7, 'all'],
        [1, 'none'],
        [2, 'dev'],
      ] as const);
      // ip6_forward reads conf.all; a device's own forwarding decides what it says of itself as
      // a router (the R flag of its neighbour advertisements)
      if (how === 'all') h.lines.unshift('sysctl -w net.ipv6.conf.all.forwarding=1');
      else if (how === 'dev') h.lines.unshift(`sysctl -w net.ipv6.conf.${rng.pick(mine).ifname}.forwarding=1`);
    }
    const hops = nextHops(v6.ifaces, h.name);
    if (mine.length === 1 && hops.size) {
      if (rng.chance(0.93)) h.lines.push(`ip -6 route add default via ${mine[0].peer.addr}`);
      continue;
    }
    for (const [link, f] of [...hops].sort((a, b) => a[0] - b[0])) {
      if (f.host === h.name && f.link === link) continue;
      const dst = v6.ifaces.find((x) => x.link === link)!;
      if (rng.chance(0.95)) h.lines.push(`ip -6 route add ${dst.net}/${dst.plen} via ${f.peer.addr}`);
    }
  }
}

/** Route types, metrics and route MTUs, link MTUs, permanent neighbours, hop_limit. */
function extras6(ctx: Ctx, v6: Ctx6): void {
  const { rng } = v6;
  const n = rng.int(0, 3);
  for (let i = 0; i < n; i++) {
    const f = v6.ifaces.length ? rng.pick(v6.ifaces) : undefined;
    const h = f ? host(ctx, f.host) : rng.pick(ctx.hosts);
    const x = rng.int(1, 9);
    const kind = rng.pick(['route-types', 'route-metric', 'mtu', 'neigh', 'sysctl'] as const);
    if (!ctx.has(kind)) continue;
    switch (kind) {
      case 'route-types': {
        const type = rng.pick(['blackhole', 'unreachable', 'prohibit'] as const);
        h.lines.push(`ip -6 route add ${type} 2001:db8:9${x}::/64`);
        v6.far.push(`2001:db8:9${x}::${rng.int(1, 99)}`);
        break;
      }
      case 'route-metric': {
        if (!f) break;
        const dst = `2001:db8:8${x}::/64`;
        h.lines.push(`ip -6 route add ${dst} via ${f.peer.addr} metric ${rng.pick([1, 10, 100, 1024])}${ctx.has('mtu') && rng.chance(0.4) ? ` mtu ${rng.pick([1280, 1400])}` : ''}`);
        if (rng.chance(0.5)) h.lines.push(`ip -6 route add blackhole ${dst} metric ${rng.pick([5, 50, 2000])}`);
        v6.far.push(`2001:db8:8${x}::${rng.int(1, 99)}`);
        break;
      }
      case 'mtu': {
        if (!f) break;
        const mtu = rng.pick([1280, 1280, 1400, 1500, 9000]);
        h.lines.push(`ip link set ${f.ifname} mtu ${mtu}`);
        if (ctx.links[f.link]?.kind === 'nic') host(ctx, f.peer.host).lines.push(`ip link set ${f.peer.ifname} mtu ${mtu}`);
        break;
      }
      case 'neigh': {
        if (!f) break;
        const a = `${f.net}${(0x30 + x).toString(16)}`;
        h.lines.push(`ip -6 neigh add ${a} lladdr 02:00:00:00:66:${(0x10 + x).toString(16)} dev ${f.ifname} nud permanent`);
        v6.unused.push(a);
        break;
      }
      case 'sysctl': {
        const key = rng.pick(['hop_limit', 'hop_limit', 'forwarding'] as const);
        const scope = rng.pick(['all', 'default', ...(f ? [f.ifname] : [])]);
        if (scope !== 'all' && scope !== 'default' && f && f.host !== h.name) break;
        h.lines.push(`sysctl -w net.ipv6.conf.${scope}.${key}=${key === 'hop_limit' ? rng.pick([1, 2, 64, 255]) : rng.pick([0, 1])}`);
        break;
      }
    }
  }
}

/** IPv6 listeners (UDP sockets are IPV6_V6ONLY; a TCP `[::]` one is dual-stack), on ports no IPv4 listener of the host holds. */
export function listeners6(ctx: Ctx, tcp: Set<string>): void {
  const v6 = ctx.v6;
  if (!v6) return;
  const { rng } = v6;
  for (const h of ctx.hosts) {
    const taken = new Set(ctx.listen.filter((l) => l.host === h.name).map((l) => `${l.spec.split(' ')[0]}${l.spec.split(' ')[1].split(':').pop()}`));
    for (let i = rng.int(0, 2); i > 0; i--) {
      const proto = rng.pick(['udp', 'tcp'] as const);
      if (!ctx.has(proto)) continue;
      const port = rng.pick(PORTS[proto]);
      if (taken.has(`${proto}${port}`)) continue;
      taken.add(`${proto}${port}`);
      const own = v6.ifaces.filter((f) => f.host === h.name);
      const addr = own.length && rng.chance(0.2) ? rng.pick(own).addr : '::';
      ctx.listen.push({ host: h.name, spec: `${proto} [${addr}]:${port}` });
      if (proto === 'tcp') tcp.add(h.name);
    }
  }
}

/** Where an IPv6 packet may be sent from `from`. */
function destination6(v6: Ctx6, from: string): string {
  const { rng } = v6;
  const others = v6.ifaces.filter((f) => f.host !== from);
  const own = v6.ifaces.filter((f) => f.host === from);
  const kinds: (readonly [number, () => string | undefined])[] = [
    [8, () => (others.length ? rng.pick(others).addr : undefined)],
    [1, () => (own.length ? rng.pick(own).addr : '::1')],
    [1, () => '::1'],
    [2, () => (v6.far.length ? rng.pick(v6.far) : undefined)],
    [1, () => `2001:db8:${rng.pick([5, 77])}::${rng.int(1, 9)}`],
    [1, () => (v6.ifaces.length ? `${rng.pick(v6.ifaces).net}${rng.int(3, 9)}` : undefined)],
    [1, () => (v6.unused.length ? rng.pick(v6.unused) : undefined)],
    // a prefix's own address: the subnet-router anycast address when its owner forwards (refused by
    // the model, not modelled), else an unused one (written ::0, as `:: ` would end a YAML key)
    [0.3, () => (v6.ifaces.length ? `${rng.pick(v6.ifaces).net}0` : undefined)],
  ];
  for (let i = 0; i < 10; i++) {
    const d = rng.weighted(kinds)();
    if (d) return d;
  }
  return '::1';
}

function local6(ctx: Ctx, v6: Ctx6): void {
  const { rng } = v6;
  const h = rng.pick(ctx.hosts).name;
  const to = destination6(v6, h);
  const kind = rng.weighted([
    [ctx.has('ping') ? 4 : 0, 'ping'],
    [ctx.has('udp') ? 4 : 0, 'udp'],
    [ctx.has('tcp') ? 3 : 0, 'tcp'],
  ] as const);
  const o: string[] = [];
  if (kind === 'ping') {
    if (rng.chance(0.3)) o.push(`size ${rng.pick([48, 104, 1000, 1280, 1400, 1500, 1501, 3000])}`);
    if (rng.chance(0.25)) o.push(`ttl ${rng.pick([1, 2, 3, 64, 255])}`);
    if (rng.chance(0.2)) o.push(`count ${rng.int(2, 3)}`);
    ctx.traffic.push({ from: h, send: `icmp echo-request to ${to}${o.map((x) => ` ${x}`).join('')}` });
  } else if (kind === 'udp') {
    if (rng.chance(0.5)) o.push(`from :${rng.pick([40000, 40001, 5353, 53])}`);
    if (rng.chance(0.3)) o.push(`size ${rng.pick([48, 80, 500, 1280, 1500, 1600, 4000])}`);
    // always paced: without a rate the model sends them in one instant and the kernel at the harness's pace
    if (rng.chance(0.1)) o.push(`count ${rng.int(2, 8)} rate ${rng.pick([3, 10, 1000])}`);
    ctx.traffic.push({ from: h, send: `udp to [${to}]:${rng.pick([...PORTS.udp, 4444])}${o.map((x) => ` ${x}`).join('')}` });
  } else {
    v6.tcpFrom.add(h);
    if (rng.chance(0.3)) o.push(`from :${rng.pick([40000, 41000])}`);
    if (rng.chance(0.5)) o.push(`data ${rng.pick([1, 100, 1000])}`);
    ctx.traffic.push({ from: h, send: `tcp connect to [${to}]:${rng.pick([...PORTS.tcp, 4444])}${o.map((x) => ` ${x}`).join('')}` });
  }
}

/** A crafted IPv6 frame into one link end: UDP or ICMPv6 echo, with what the wire grammar takes. */
function wire6(ctx: Ctx, v6: Ctx6): void {
  const { rng } = v6;
  const f = rng.pick(v6.ifaces);
  const src = rng.weighted([
    [8, () => f.peer.addr],
    [1, () => rng.pick(v6.ifaces).addr],
    [1, () => rng.pick(['::1', '::0', 'ff02::1', f.addr, 'fe80::1'])],
  ] as const)();
  const dst = rng.weighted([
    [6, () => f.addr],
    [2, () => rng.pick(v6.ifaces).addr],
    [1, () => (v6.far.length ? rng.pick(v6.far) : '2001:db8:77::1')],
    [1, () => rng.pick(['ff02::1', '::1', `${f.net}0`, 'ff02::2'])],
  ] as const)();
  const proto = rng.pick(['udp', 'icmp'] as const);
  // an echo request to a multicast group is not modelled (the model refuses it): a reply goes there instead
  const echo = dst.startsWith('ff') ? 'echo-reply' : rng.pick(['echo-request', 'echo-reply']);
  const head = proto === 'icmp' ? `icmp ${echo} from ${src} to ${dst}` : `udp from [${src}]:${rng.pick([40000, 53, 80])} to [${dst}]:${rng.pick([...PORTS.udp, 4444])}`;
  const into = `${f.host}:${f.ifname}`;
  const o: string[] = [];
  if (rng.chance(0.35)) {
    const ext = Array.from({ length: rng.int(1, 3) }, () =>
      rng.weighted([
        [3, () => rng.pick(['hop', 'dst'])],
        // unknown options: their top two bits say skip, discard, discard with a parameter problem, the same unless multicast
        [3, () => `${rng.pick(['hop', 'dst'])}:0x${rng.pick([0x1e, 0x5e, 0x9e, 0xde]).toString(16)}`],
        [1, () => `rt0:${rng.pick([0, 1])}`],
      ] as const)(),
    );
    o.push(`ext ${ext.join(',')}`);
  }
  if (ctx.has('fragments') && rng.chance(0.25)) {
    // the fragments of one datagram, in order or not, maybe one missing
    v6.frags = true;
    const id = rng.int(1, 65535);
    const chunk = rng.pick([8, 16, 64, 504]);
    const n = rng.int(2, 3);
    let list = Array.from({ length: n }, (_, k) => ({ offset: k * chunk, more: k < n - 1 }));
    const flaw = rng.pick(['none', 'none', 'reorder', 'missing', 'duplicate'] as const);
    if (flaw === 'reorder') list = list.reverse();
    else if (flaw === 'missing') list.splice(rng.int(0, list.length - 1), 1);
    else if (flaw === 'duplicate') list.push({ ...rng.pick(list) });
    const opts = o.join(' ');
    const gap = ctx.has('timed') && rng.chance(0.8) ? rng.pick(['+0ms', '+1ms', '+20ms']) : undefined;
    list.forEach((fr, k) => {
      const ext = fr.offset === 0 && opts ? ` ${opts}` : '';
      const size = 40 + 8 + chunk + (ext ? extBytes(opts) : 0);
      const send = `${head}${ext} size ${size} frag offset ${fr.offset}${fr.more ? ' more' : ''} id ${id}`;
      ctx.traffic.push(k > 0 && gap ? { into, at: gap, send } : { into, send });
    });
    return;
  }
  if (rng.chance(0.3)) o.push(`hop-limit ${rng.pick([0, 1, 2, 64, 255])}`);
  if (rng.chance(0.1)) o.push(`tclass ${rng.pick([0, 16, 184])}`);
  if (rng.chance(0.25)) o.push(`size ${rng.pick([100, 576, 1280, 1500])}`);
  if (ctx.has('corrupt') && rng.chance(0.3)) {
    const c = rng.pick(['csum', 'csum', 'next-header', 'dst-mac'] as const);
    if (c === 'csum') o.push(`bad-${proto}-checksum`);
    else if (c === 'next-header') o.push(`next-header ${rng.pick([59, 0, 253, 132, 6])}`);
    else o.push(`dst-mac ${rng.pick(['02:00:00:00:00:ff', 'ff:ff:ff:ff:ff:ff', '33:33:00:00:00:01'])}`);
  }
  ctx.traffic.push({ into, send: `${head}${o.map((x) => ` ${x}`).join('')}` });
}

/** The bytes of the extension headers an `ext` option lists (frame6.ts extLength: 8 each, 24 for a type 0 routing header). */
function extBytes(opts: string): number {
  const m = /ext (\S+)/.exec(opts);
  return m ? m[1].split(',').reduce((n, e) => n + (e.startsWith('rt0') ? 24 : 8), 0) : 0;
}

/** One IPv6 traffic item in place of an IPv4 one: a local send, or (less often) a crafted frame. */
export function traffic6(ctx: Ctx, v6: Ctx6): void {
  if (ctx.has('wire') && v6.ifaces.length && v6.rng.chance(0.35)) wire6(ctx, v6);
  else local6(ctx, v6);
}

/** A short ip6frag_time where crafted fragments arrive, and one SYN retry for IPv6 connects. */
export function boundTimers6(ctx: Ctx): void {
  const v6 = ctx.v6;
  if (!v6) return;
  for (const h of v6.tcpFrom) if (!host(ctx, h).lines.includes('sysctl -w net.ipv4.tcp_syn_retries=1')) host(ctx, h).lines.unshift('sysctl -w net.ipv4.tcp_syn_retries=1');
  if (v6.frags) for (const h of ctx.hosts) host(ctx, h.name).lines.unshift(`sysctl -w net.ipv6.ip6frag_time=${v6.rng.pick([1, 2])}`);
}
