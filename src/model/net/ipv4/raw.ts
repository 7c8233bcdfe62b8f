// net/ipv4/raw.c and net/ipv4/ping.c: the raw ICMP socket that `ping` uses when run as root
// (iputils falls back to SOCK_RAW when ping_group_range does not allow ICMP datagram sockets,
// which is the case in a fresh namespace), and ping_rcv, which looks for a datagram socket.
import type { SkbDropReason } from '../core/dropreason';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { RawSock } from './sock_types';
import { isLbcast, isMulticast, numToIp } from '../../proto/addr';
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHOREPLY, ICMP_HLEN, ICMP_PARAMETERPROB, ICMP_REDIRECT, ICMP_SOURCE_QUENCH, ICMP_TIME_EXCEEDED, readIcmp, writeIcmp } from '../../proto/icmp';
import { IPPROTO_ICMP, IPV4_HLEN, readIp } from '../../proto/ipv4';
import { ip_route_output_key } from './route';
import { ip_make_skb } from './ip_make';
import { ENOBUFS, ip_send_skb } from './ip_output';
import { icmp_out_count, icmpName } from './icmp';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IpOutNoRoutes = snmpId('IpOutNoRoutes');

const FILE = 'net/ipv4/raw.c';
const PING_FILE = 'net/ipv4/ping.c';
const DATAGRAM_FILE = 'net/ipv4/datagram.c';

/**
 * A ping item is one run of iputils ping: a new process with its own SOCK_RAW socket, whose echo
 * identifier is the process id (iputils' setup(): ident = getpid() & 0xffff for a raw socket).
 * So each item opens a new socket with a new id — and conntrack, whose ICMP tuple carries the id,
 * sees a new connection (the nat chain runs again). Within one item (`count N`) ping keeps its
 * socket and its id. The model draws the id from the run's seed, different from the ids of the
 * host's other ping sockets (live processes have distinct pids).
 */
export function ping_open(net: Net, protocol = IPPROTO_ICMP): RawSock {
  const taken = new Set(net.sock.raw.map((r) => r.echoId));
  let echoId = 0x1000 + net.randBelow(0xe000);
  while (taken.has(echoId)) echoId = 0x1000 + ((echoId - 0x1000 + 1) % 0xe000);
  const s: RawSock = { kind: 'raw', protocol, received: [], echoId };
  net.sock.raw.push(s);
  return s;
}

export interface PingOptions {
  /** the item's ping socket (ping_open) */
  sock: RawSock;
  daddr: number;
  seq: number;
  ttl?: number;
  /** IP total length */
  size: number;
  /** `-M do` (true) or `-M dont` (false); undefined: ping's default (pingPmtudisc) */
  df?: boolean;
  parent?: number | null;
}

/**
 * ping's `-b` (iputils): the destination is the limited broadcast, a multicast group, or the
 * broadcast address of one of the host's subnets (the address's `brd`, or the top of a prefix
 * shorter than /31) — what the ping a user (and the harness) runs is told with `-b`.
 */
export function pingIsBroadcast(net: Net, daddr: number): boolean {
  if (isLbcast(daddr) || isMulticast(daddr)) return true;
  for (const d of net.devices.values()) {
    for (const a of d.addrs) {
      if (a.broadcast && a.broadcast === daddr) return true;
      if (a.plen < 31 && (a.local | (0xffffffff >>> a.plen)) >>> 0 === daddr) return true;
    }
  }
  return false;
}

/**
 * iputils ping's start: before the first echo request it connect()s a UDP socket to the
 * destination (ip4_datagram_connect, net/ipv4/datagram.c, v6.12) to learn its source address.
 * When that route lookup fails, ping exits ("connect: Network is unreachable") without sending
 * anything; ip4_datagram_connect counts IpOutNoRoutes for ENETUNREACH, once. Returns whether
 * ping goes on.
 */
export function ping_probe_connect(net: Net, daddr: number): boolean {
  return net.w.rec.fresh(() =>
    net.call('ip4_datagram_connect', () => {
      // ip_route_connect: without a source the first lookup picks one, and the route is looked
      // up again from that source (so an `ip rule from …` applies to the second lookup only)
      const first = ip_route_output_key(net, daddr, 0);
      const r = 'error' in first ? first : ip_route_output_key(net, daddr, first.saddr);
      if (!('error' in r)) return true;
      if (r.error === 101) net.count(SNMP_IpOutNoRoutes);
      net.step(null, 'socket', 'ip4_datagram_connect', DATAGRAM_FILE, net.full ? `ping's probe connect() to ${numToIp(daddr)} is refused: ${r.what}${r.error === 101 ? ' (IpOutNoRoutes)' : ''}. ping exits before sending any echo request.` : '');
      return false;
    }),
  );
}

/**
 * raw_sendmsg with an ICMP echo request built by ping: routed, built by ip_append_data /
 * __ip_make_skb (which counts the ICMP type), and sent with ip_local_out.
 */
/** what ping_send returns when sendmsg failed with ENOBUFS (strerror's words, as ping prints them) */
export const PING_ENOBUFS = 'No buffer space available';

export function ping_send(net: Net, o: PingOptions): number | string {
  return net.w.rec.fresh(() =>
    net.call('raw_sendmsg', () => {
      const sock = o.sock;
      sock.whereto = o.daddr;
      const r = ip_route_output_key(net, o.daddr, 0);
      const pkt = net.w.rec.newPacket(net.name, o.parent ?? null);
      if ('error' in r) {
        // raw_sendmsg counts no IpOutNoRoutes (only datagram connect, udp_sendmsg and
        // tcp_v4_connect do); ping's probe connect already failed for a route missing from the start
        net.step(null, 'socket', 'raw_sendmsg', FILE, net.full ? `ping's sendmsg to ${numToIp(o.daddr)} fails: ${r.what}.` : '');
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'raw_sendmsg', reason: 'SKB_DROP_REASON_IP_OUTNOROUTES', detail: r.what });
        return r.what;
      }
      // ip_route_output_key may have chosen the destination (0.0.0.0 → the source, or 127.0.0.1)
      const daddr = r.daddr;
      const pmtu = r.rt.mtuLocked ? r.rt.mtu() : Math.min(r.rt.mtu(), net.pmtu.get(daddr) ?? Infinity);
      const fits = o.size <= pmtu;
      // iputils: a broadcast or multicast ping never fragments — without -M it sets
      // IP_MTU_DISCOVER to IP_PMTUDISC_DO itself
      const bcastDo = o.df === undefined && pingIsBroadcast(net, o.daddr);
      const pmtudiscDo = o.df === true || bcastDo;
      if (pmtudiscDo && !fits) {
        net.step(null, 'socket', 'raw_sendmsg', FILE, net.full ? `${bcastDo ? 'ping to a broadcast address (IP_PMTUDISC_DO, as iputils sets for -b)' : 'ping -M do'}: the ${o.size}-byte datagram does not fit the path MTU ${pmtu}, so sendmsg fails with EMSGSIZE (Message too long).` : '');
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'ip_append_data', reason: 'SKB_DROP_REASON_PKT_TOO_BIG', detail: 'EMSGSIZE' });
        return 'Message too long';
      }
      // ip_dont_fragment: IP_PMTUDISC_WANT sets DF unless the route's MTU is locked
      const df = bcastDo ? true : o.df === undefined ? fits && net.get('net.ipv4.ip_no_pmtu_disc') === 0 && !r.rt.mtuLocked : o.df;
      const l4len = o.size - IPV4_HLEN;
      const skb = ip_make_skb(net, r.rt, { saddr: r.saddr, daddr: daddr, protocol: IPPROTO_ICMP, ttl: o.ttl ?? net.get('net.ipv4.ip_default_ttl'), tos: 0, df }, l4len, pkt, (b, off) => {
        // iputils ping's data: a struct timeval, then bytes counting up from 0x10 (here 8 bytes of simulated time).
        const t = net.w.sched.now;
        for (let i = 0; i < 8; i++) b[off + ICMP_HLEN + i] = Math.floor(t / 256 ** i) & 255;
        for (let i = 16; i < l4len - ICMP_HLEN; i++) b[off + ICMP_HLEN + i] = (i + 0) & 255;
        writeIcmp(b, off, l4len, { type: ICMP_ECHO, code: 0, rest: ((sock.echoId << 16) | o.seq) >>> 0 });
      });
      // ip_append_data allocates the skb charged to the raw socket (skb_set_owner_w): netfilter
      // sees ping's socket, so `meta skuid` and `-m owner` match it, as for a UDP datagram
      skb.sk = sock;
      icmp_out_count(net, ICMP_ECHO);
      net.step(skb, 'socket', 'raw_sendmsg', FILE, net.full ? `ping sends ICMP echo request id ${sock.echoId} seq ${o.seq} to ${numToIp(daddr)}: ${o.size} bytes, ttl ${o.ttl ?? net.get('net.ipv4.ip_default_ttl')}, ${df ? 'DF set (path MTU discovery)' : 'DF clear'}; the route says ${r.rt.describe(r.daddr)} (IcmpOutEchos).` : '');
      const err = net.call('ip_push_pending_frames', () => ip_send_skb(net, skb));
      if (err === -ENOBUFS) {
        // iputils sets IP_RECVERR on its socket, so raw_sendmsg does not turn ENOBUFS into success
        net.step(null, 'socket', 'raw_sendmsg', FILE, net.full ? `sendmsg returns ENOBUFS to ping: its socket has IP_RECVERR, so raw_sendmsg passes the error on (without it the datagram would count as sent). ping does not count seq ${o.seq} as sent.` : '', { ret: '-ENOBUFS' });
        return PING_ENOBUFS;
      }
      return pkt;
    }),
  );
}

/** raw_local_deliver: a raw socket of this protocol gets a clone of every packet. */
export function raw_local_deliver(net: Net, skb: SkBuff, protocol: number): boolean {
  // most hosts have no raw socket: no list is made for each packet delivered then
  if (net.sock.raw.length === 0) return false;
  const socks = net.sock.raw.filter((s) => s.protocol === protocol);
  if (socks.length === 0) return false;
  const call = net.enter('raw_local_deliver');
  try {
    const iph = readIp(skb.buf, skb.network_header);
    const h = readIcmp(skb.buf, skb.transport_header);
    const ours = socks.some((s) => pingTakes(skb, h, s));
    for (const s of socks) {
      if (pingTakes(skb, h, s)) s.received.push({ from: numToIp(iph.saddr), what: icmpName(h.type, h.code), packet: skb.pkt });
    }
    if (ours) {
      net.step(skb, 'socket', 'raw_rcv', FILE, net.full ? `The raw ICMP socket of ping gets a copy: ${icmpName(h.type, h.code)} from ${numToIp(iph.saddr)}.` : '');
      net.fate(skb, { kind: 'delivered', fn: 'raw_rcv', detail: `raw ICMP socket (ping): ${icmpName(h.type, h.code)}` });
    } else {
      net.step(skb, 'socket', 'raw_rcv', FILE, net.full ? `The raw ICMP socket of ping gets a copy of this ${icmpName(h.type, h.code)} from ${numToIp(iph.saddr)}, which ping ignores: it is not about its own echo requests (another echo id, or a quoted packet that is not its echo request to ${numToIp(socks[0].whereto ?? 0)}).` : '');
    }
    return true;
  } finally {
    net.leave(call);
  }
}

/**
 * What iputils ping (ping4_parse_reply) takes from its raw socket, which hears every ICMP message:
 * an echo reply carrying its echo id; an error (unreachable, time exceeded, parameter problem,
 * redirect, source quench) quoting an echo request with its id sent to its destination. The rest
 * it ignores.
 */
function pingTakes(skb: SkBuff, h: ReturnType<typeof readIcmp>, s: RawSock): boolean {
  if (h.type === ICMP_ECHOREPLY) return h.rest >>> 16 === s.echoId;
  if (![ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB].includes(h.type)) return false;
  const q = skb.transport_header + ICMP_HLEN;
  if (skb.tail - q < IPV4_HLEN + ICMP_HLEN) return false;
  const inner = readIp(skb.buf, q);
  const qi = q + inner.ihl * 4;
  if (inner.protocol !== IPPROTO_ICMP || skb.tail - qi < ICMP_HLEN) return false;
  const ih = readIcmp(skb.buf, qi);
  return ih.type === ICMP_ECHO && inner.daddr === s.whereto && ih.rest >>> 16 === s.echoId;
}

/**
 * raw_icmp_error: whether a raw socket of the quoted protocol hears about the error (ping prints
 * it). Its copy of the error was already taken in raw_local_deliver.
 */
export function raw_icmp_error(net: Net, innerProtocol: number): boolean {
  return net.sock.raw.some((s) => s.protocol === innerProtocol);
}

/**
 * ping_rcv: an echo reply is for an ICMP datagram socket; ping's raw socket already has its copy.
 * In v6.12 it only looks (it would queue a clone on a datagram socket) and returns a drop reason;
 * icmp_rcv frees the skb with it (kfree_skb_reason, or consume_skb for none).
 */
export function ping_rcv(net: Net, skb: SkBuff): SkbDropReason | null {
  const call = net.enter('ping_rcv');
  try {
    net.step(skb, 'L4', 'ping_rcv', PING_FILE, 'ping_lookup: no ICMP datagram (ping) socket has this echo id, so ping_rcv returns SKB_DROP_REASON_NO_SOCKET to icmp_rcv.');
    return 'NO_SOCKET';
  } finally {
    net.leave(call);
  }
}

