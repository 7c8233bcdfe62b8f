// Feature `ct-window` (session 17; off unless asked for): a TCP conversation crafted on both
// links of a router, whose segments fall inside and outside the window conntrack tracks
// (nf_conntrack_tcp_window.ts): a handshake, then data, ACKs, FINs, RSTs and SYNs with sequence
// and acknowledgment numbers near, past and far from the ones expected, sometimes with the
// tracker's sysctls (loose, be_liberal, ignore_invalid_rst, max_retrans). Every number is
// chosen here: the ends drop the crafted ports (no socket of theirs with a random initial
// sequence answers), or, without the drop, answer with a RST whose numbers follow from the
// segment. Drawn last, on side streams seeded by what was drawn before, so a scenario without
// the feature is the one with it less these lines and items.
import { Rng } from './rng';
import type { Ctx, Iface } from './context';
import { host } from './context';
import { PORTS } from './firewall';

/** a host's lines that make its namespace track connections (as ct_timeouts.ts reads them) */
const NAT = /MASQUERADE|SNAT|DNAT|NETMAP|REDIRECT|masquerade|snat|dnat|redirect/;
const TRACKS = /\bct\b|conntrack|--state|connlimit|connbytes|connmark|MASQUERADE|SNAT|DNAT|NETMAP|REDIRECT|masquerade|snat|dnat|redirect|notrack/;
/** outside ip_local_port_range (32768-60999): no connect of the ends picks it */
const CLIENT_PORT = 61001;
const u32 = (x: number): number => x >>> 0;

export function ctWindow(ctx: Ctx): void {
  const rng = Rng.fromText(`ct-window\n${JSON.stringify(ctx.hosts)}\n${JSON.stringify(ctx.traffic)}`);
  // a router and two of its links: the client behind one, the server behind the other
  const pairs: [Iface, Iface][] = [];
  // not a router that translates: its binding for the server's crafted segments (sent to the
  // client's own address) may draw a random port (nf_nat_l4proto_unique_tuple)
  const nats = (h: string): boolean => host(ctx, h).lines.some((l) => NAT.test(l));
  for (const f of ctx.ifaces) for (const g of ctx.ifaces) if (f !== g && f.host === g.host && ctx.routers.has(f.host) && !nats(f.host) && f.peer.host !== f.host && g.peer.host !== g.host) pairs.push([f, g]);
  if (!pairs.length) return;
  const [f, g] = rng.pick(pairs);
  const router = host(ctx, f.host);
  const client = { addr: f.peer.addr, port: CLIENT_PORT, into: `${f.host}:${f.ifname}` };
  const server = { addr: g.peer.addr, port: rng.pick([...PORTS.tcp, 4445]), into: `${g.host}:${g.ifname}` };
  if (!router.lines.some((l) => TRACKS.test(l)) || rng.chance(0.5)) {
    router.lines.push(rng.pick(['iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP', 'iptables -A FORWARD -m state --state INVALID -j DROP']));
  }
  if (rng.chance(0.2)) router.lines.push('sysctl -w net.netfilter.nf_conntrack_tcp_loose=0');
  if (rng.chance(0.2)) router.lines.push('sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1');
  if (rng.chance(0.15)) router.lines.push('sysctl -w net.netfilter.nf_conntrack_tcp_ignore_invalid_rst=1');
  if (rng.chance(0.1)) router.lines.push(`sysctl -w net.netfilter.nf_conntrack_tcp_max_retrans=${rng.pick([0, 1, 255])}`);
  // the ends: a socket's random initial sequence would make the numbers the kernel's own, so an
  // end that listens, or translates (a REDIRECT to a listener), drops the crafted port in raw
  // PREROUTING, before conntrack, NAT and any socket; the others mostly too
  const listens = (h: string): boolean => ctx.listen.some((l) => l.host === h && l.spec.startsWith('tcp'));
  const drop = (h: string, port: number): void => {
    if (listens(h) || nats(h) || rng.chance(0.75)) host(ctx, h).lines.push(`iptables -t raw -I PREROUTING -p tcp --dport ${port} -j DROP`);
  };
  drop(g.peer.host, server.port);
  drop(f.peer.host, CLIENT_PORT);

  // next sequence numbers of each end
  const nxt = { c: u32(rng.int(1, 4_000_000_000)), s: u32(rng.int(1, 4_000_000_000)) };
  const send = (from: 'c' | 's', flags: string, seq: number, ack: number, extra = ''): void => {
    const [a, b] = from === 'c' ? [client, server] : [server, client];
    const ackPart = flags.includes('A') || rng.chance(0.1) ? ` ack ${u32(ack)}` : '';
    ctx.traffic.push({ into: a.into, send: `tcp from ${a.addr}:${a.port} to ${b.addr}:${b.port} flags ${flags} seq ${u32(seq)}${ackPart}${extra}` });
  };
  // the handshake, sometimes cut short or with the SYN-ACK acknowledging something else
  send('c', 'S', nxt.c, 0, rng.chance(0.2) ? ` window ${rng.pick([0, 1000, 65535])}` : '');
  nxt.c = u32(nxt.c + 1);
  if (rng.chance(0.85)) {
    send('s', 'SA', nxt.s, rng.chance(0.9) ? nxt.c : nxt.c + rng.pick([1, -2, 100000]));
    nxt.s = u32(nxt.s + 1);
    if (rng.chance(0.85)) send('c', 'A', nxt.c, nxt.s);
  }
  const n = rng.int(2, 6);
  for (let i = 0; i < n; i++) {
    const from = rng.pick(['c', 's'] as const);
    const other = from === 'c' ? 's' : 'c';
    const flags = rng.weighted([
      [4, 'A'],
      [4, 'PA'],
      [2, 'R'],
      [1, 'RA'],
      [1, 'FA'],
      [1, 'S'],
      [1, 'SA'],
    ] as const);
    // where the segment starts: at the next byte, a little off, a window off, far away
    const off = rng.weighted([
      [6, 0],
      [1, 1],
      [1, -1],
      [1, -100],
      [1, 64240],
      [1, 70000],
      [1, -70000],
      [1, 0x7fff0000],
    ] as const);
    const ackOff = rng.weighted([
      [8, 0],
      [1, 1],
      [1, 1000],
      [1, -70000],
    ] as const);
    const data = flags.includes('P') ? rng.pick([1, 100, 1000]) : 0;
    const extra = `${data ? ` size ${40 + data}` : ''}${rng.chance(0.15) ? ` window ${rng.pick([0, 1, 65535])}` : ''}`;
    const seq = flags === 'S' || flags === 'SA' ? nxt[from] + rng.pick([0, 5000, -5000]) : nxt[from] + off;
    send(from, flags, seq, nxt[other] + ackOff, extra);
    if (off === 0 && ackOff === 0) nxt[from] = u32(nxt[from] + data + (flags.includes('F') ? 1 : 0));
  }
}
