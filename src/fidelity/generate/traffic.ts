// Listeners and traffic: ping (sizes, TTL, DF, counts), UDP, TCP connect with data, broadcast,
// and crafted frames from the wire with header corruptions (version, IHL, lengths, checksums,
// truncation) and fragments (in order, out of order, duplicated, overlapping, incomplete).
import { ip, ipNum, type Ctx, type Iface } from './context';
import { PORTS } from './firewall';
import { Rng } from './rng';
import { traffic6 } from './ipv6';

/** Where a packet may be sent: the hosts' addresses, unused and far ones, broadcasts, loopback. */
function destination(ctx: Ctx, from: string): string {
  const { rng } = ctx;
  const others = ctx.ifaces.filter((f) => f.host !== from);
  const own = ctx.ifaces.filter((f) => f.host === from);
  const kinds: (readonly [number, () => string | undefined])[] = [
    [8, () => (others.length ? rng.pick(others).addr : undefined)],
    [1, () => (own.length ? rng.pick(own).addr : '127.0.0.1')],
    [1, () => (rng.chance(0.5) ? '127.0.0.1' : `127.0.0.${rng.int(2, 9)}`)],
    [1, () => (ctx.extra.length ? rng.pick(ctx.extra).addr : undefined)],
    [2, () => (ctx.far.length ? rng.pick(ctx.far) : undefined)],
    [1, () => `10.${rng.pick([5, 9])}.${rng.int(1, 9)}.${rng.int(1, 9)}`],
    [
      ctx.has('neigh') ? 1 : 0,
      () => {
        const f = ctx.ifaces.filter((x) => x.plen <= 28);
        return f.length ? ip(ipNum(rng.pick(f).net) + 13) : undefined;
      },
    ],
    [ctx.has('broadcast') ? 1 : 0, () => (own.length && rng.chance(0.7) ? rng.pick(own).bcast : '255.255.255.255')],
    [ctx.has('zero-dst') ? 0.3 : 0, () => '0.0.0.0'],
  ];
  for (let i = 0; i < 10; i++) {
    const d = rng.weighted(kinds)();
    if (d) return d;
  }
  return '127.0.0.1';
}

export function listeners(ctx: Ctx): { tcp: Set<string> } {
  const { rng } = ctx;
  const tcp = new Set<string>();
  for (const h of ctx.hosts) {
    const seen = new Set<string>();
    for (let i = rng.int(0, 2); i > 0; i--) {
      const proto = rng.pick(['udp', 'tcp'] as const);
      if (!ctx.has(proto)) continue;
      const port = rng.pick(PORTS[proto]);
      if (seen.has(`${proto}${port}`)) continue;
      seen.add(`${proto}${port}`);
      const own = ctx.ifaces.filter((f) => f.host === h.name);
      const addr = own.length && rng.chance(0.2) ? `${rng.pick(own).addr}:` : '';
      const rcvbuf = proto === 'udp' && ctx.has('rcvbuf') && rng.chance(0.1) ? ` rcvbuf ${rng.pick([2048, 4096])}` : '';
      ctx.listen.push({ host: h.name, spec: `${proto} ${addr}${port}${rcvbuf}` });
      if (proto === 'tcp') tcp.add(h.name);
    }
  }
  return { tcp };
}

function local(ctx: Ctx, out: { tcpFrom: Set<string> }): void {
  const { rng } = ctx;
  const h = rng.pick(ctx.hosts).name;
  const to = destination(ctx, h);
  const kind = rng.weighted([
    [ctx.has('ping') ? 4 : 0, 'ping'],
    [ctx.has('udp') ? 4 : 0, 'udp'],
    [ctx.has('tcp') ? 3 : 0, 'tcp'],
  ] as const);
  if (kind === 'ping') {
    const o: string[] = [];
    if (rng.chance(0.3)) o.push(`size ${rng.pick([28, 84, 100, 576, 1000, 1400, 1500, 1501, 3000, 9000])}`);
    if (rng.chance(0.25)) o.push(`ttl ${rng.pick([1, 2, 3, 64, 255])}`);
    if (rng.chance(0.25)) o.push(rng.pick(['df', 'no-df']));
    if (rng.chance(0.2)) o.push(`count ${rng.int(2, 3)}`);
    ctx.traffic.push({ from: h, send: `icmp echo-request to ${to}${o.map((x) => ` ${x}`).join('')}` });
  } else if (kind === 'udp') {
    const o: string[] = [];
    if (rng.chance(0.5)) o.push(`from :${rng.pick([40000, 40001, 5353, 53])}`);
    if (rng.chance(0.3)) o.push(`size ${rng.pick([28, 60, 500, 1472, 1500, 1600, 4000])}`);
    if (rng.chance(0.2)) o.push(`ttl ${rng.pick([1, 2, 64])}`);
    if (rng.chance(0.2)) o.push(rng.pick(['df', 'no-df']));
    ctx.traffic.push({ from: h, send: `udp to ${to}:${rng.pick([...PORTS.udp, 4444])}${o.map((x) => ` ${x}`).join('')}` });
  } else {
    out.tcpFrom.add(h);
    const o: string[] = [];
    if (rng.chance(0.3)) o.push(`from :${rng.pick([40000, 41000])}`);
    if (rng.chance(0.5)) o.push(`data ${rng.pick([1, 100, 1000, 3000])}`);
    ctx.traffic.push({ from: h, send: `tcp connect to ${to}:${rng.pick([...PORTS.tcp, 4444])}${o.map((x) => ` ${x}`).join('')}` });
  }
}

/** An address for a crafted frame's source, as the sending side of the link would use (or not). */
function wireSource(ctx: Ctx, f: Iface): string {
  const { rng } = ctx;
  if (!ctx.has('martian') || rng.chance(0.8)) return rng.chance(0.85) ? f.peer.addr : rng.pick(ctx.ifaces).addr;
  return rng.pick(['127.0.0.1', '0.0.0.0', '224.0.0.5', f.addr, f.bcast, '255.255.255.255']);
}

function wireDest(ctx: Ctx, f: Iface): string {
  const { rng } = ctx;
  const kinds: (readonly [number, () => string])[] = [
    [6, () => f.addr],
    [2, () => rng.pick(ctx.ifaces).addr],
    [1, () => (ctx.far.length ? rng.pick(ctx.far) : `10.9.1.1`)],
    [ctx.has('broadcast') ? 1 : 0, () => rng.pick([f.bcast, '255.255.255.255'])],
    [ctx.has('martian') ? 1 : 0, () => rng.pick(['127.0.0.1', '224.0.0.1', '0.0.0.0'])],
  ];
  return rng.weighted(kinds)();
}

function wire(ctx: Ctx, out: { fragTo: Set<string> }): void {
  const { rng } = ctx;
  const f = rng.pick(ctx.ifaces);
  const into = `${f.host}:${f.ifname}`;
  const proto = rng.pick(['udp', 'tcp', 'icmp'] as const);
  const src = wireSource(ctx, f);
  const dst = wireDest(ctx, f);
  const head =
    proto === 'icmp'
      ? `icmp ${rng.pick(['echo-request', 'echo-reply'])} from ${src} to ${dst}`
      : `${proto} from ${src}:${rng.pick([40000, 53, 80])} to ${dst}:${rng.pick([...PORTS[proto], 4444])}`;
  if (ctx.has('fragments') && proto !== 'tcp' && rng.chance(0.25)) {
    fragments(ctx, into, head, out);
    out.fragTo.add(f.host);
    return;
  }
  const o: string[] = [];
  const min = proto === 'tcp' ? 40 : 28;
  const size = rng.chance(0.3) ? rng.pick([min, 60, 100, 576, 1400, 1500]) : undefined;
  if (size !== undefined) o.push(`size ${size}`);
  if (proto === 'tcp' && rng.chance(0.6)) o.push(`flags ${rng.pick(['S', 'SA', 'A', 'R', 'FA', 'PA'])}`);
  if (rng.chance(0.25)) o.push(`ttl ${rng.pick([0, 1, 2, 64])}`);
  if (rng.chance(0.15)) o.push(rng.pick(['df', 'no-df']));
  if (rng.chance(0.1)) o.push(`tos ${rng.pick([0, 16, 184])}`);
  if (ctx.has('corrupt') && rng.chance(0.4)) {
    const c = rng.pick(['bad-ip-checksum', 'bad-l4-checksum', 'version', 'ihl', 'truncate', 'dst-mac'] as const);
    if (c === 'bad-ip-checksum') o.push('bad-ip-checksum');
    else if (c === 'bad-l4-checksum') o.push(`bad-${proto}-checksum`);
    else if (c === 'version') o.push(`version ${rng.pick([0, 5, 6, 15])}`);
    else if (c === 'ihl') o.push(`ihl ${rng.pick([0, 4, 6, 15])}`);
    else if (c === 'truncate') o.push(`truncate ${rng.int(0, (size ?? (proto === 'tcp' ? 40 : 60)) - 1)}`);
    else o.push(`dst-mac ${rng.pick(['02:00:00:00:00:ff', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01'])}`);
  }
  ctx.traffic.push({ into, send: `${head}${o.map((x) => ` ${x}`).join('')}` });
}

/** The fragments of one datagram (IP ID chosen per datagram), in some order, maybe flawed. */
function fragments(ctx: Ctx, into: string, head: string, out: { fragTo: Set<string> }): void {
  const { rng } = ctx;
  void out;
  const id = rng.int(1, 65535);
  const chunk = rng.pick([8, 16, 32, 64, 504]);
  const n = rng.int(2, 3);
  let list = Array.from({ length: n }, (_, k) => ({ offset: k * chunk, size: 20 + chunk, more: k < n - 1 }));
  const flaw = rng.weighted([
    [4, 'none'],
    [2, 'reorder'],
    [1, 'duplicate'],
    [1, 'overlap'],
    [1, 'missing'],
    [1, 'odd-length'],
  ] as const);
  if (flaw === 'reorder') list = list.reverse();
  else if (flaw === 'duplicate') list.push({ ...rng.pick(list) });
  else if (flaw === 'overlap') list.splice(1, 0, { offset: Math.max(0, chunk - 8), size: 20 + 16, more: true });
  else if (flaw === 'missing') list.splice(rng.int(0, list.length - 1), 1);
  else if (flaw === 'odd-length') list[list.length - 1].size += rng.int(1, 7);
  // `timed`: the later fragments follow within the reassembly lifetime, so that they meet in one
  // queue (as untimed items each would wait out ipfrag_time first). Drawn from a side stream
  // seeded by the datagram, so the main stream, and all else drawn, stays as it was.
  const side = ctx.has('timed') ? Rng.fromText(`${into} ${head} id ${id}`) : null;
  const gap = side && side.chance(0.8) ? side.pick(['+0ms', '+1ms', '+5ms', '+20ms']) : undefined;
  list.forEach((fr, k) => {
    const send = `${head} id ${id} size ${fr.size} frag offset ${fr.offset}${fr.more ? ' more' : ''}`;
    ctx.traffic.push(k > 0 && gap ? { into, at: gap, send } : { into, send });
  });
}

export function traffic(ctx: Ctx, out: { tcpFrom: Set<string>; fragTo: Set<string> }): void {
  const { rng } = ctx;
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    // `ipv6`: an IPv6 item in place of this one, decided on the feature's own stream
    if (ctx.v6 && (ctx.v6.only || ctx.v6.rng.chance(0.6))) traffic6(ctx, ctx.v6);
    else if (ctx.has('wire') && ctx.ifaces.length && rng.chance(0.35)) wire(ctx, out);
    else local(ctx, out);
    if (ctx.has('wait') && rng.chance(0.05)) ctx.traffic.push({ wait: rng.pick(['100ms', '1s', '3s']) });
  }
}
