// net/ipv4/udp.c: sending (udp_sendmsg → udp_send_skb), receiving (__udp4_lib_rcv, the socket
// lookup, the receive queue with its SO_RCVBUF limit), errors from ICMP (udp_err), and the
// application reading its queue (udp_recvmsg, where InDatagrams is counted and deferred
// checksums are finally verified).
import type { SkbDropReason } from '../core/dropreason';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { UdpSock, Udp6Sock } from './sock_types';
import { numToIp, rd16, rd32 } from '../../proto/addr';
import { l4Csum } from '../../proto/checksum';
import { IPPROTO_UDP, IPV4_HLEN, readIp, type IpHdr } from '../../proto/ipv4';
import { UDP_HLEN, readUdp, writeUdp, type UdpHdr } from '../../proto/udp';
import type { What } from '../../sim/recorder';
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, ICMP_REDIRECT, ICMP_SOURCE_QUENCH } from '../../proto/icmp';
import { ip_do_redirect, ip_route_output_key } from './route';
import { ip_make_skb } from './ip_make';
import { ENOBUFS, ip_send_skb } from './ip_output';
import { icmp_send, icmpName } from './icmp';
import { writePseudoChecksum } from '../core/checksum_offload';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IcmpInErrors = snmpId('IcmpInErrors');
const SNMP_IpOutNoRoutes = snmpId('IpOutNoRoutes');
const SNMP_UdpIgnoredMulti = snmpId('UdpIgnoredMulti');
const SNMP_UdpInCsumErrors = snmpId('UdpInCsumErrors');
const SNMP_UdpInDatagrams = snmpId('UdpInDatagrams');
const SNMP_UdpInErrors = snmpId('UdpInErrors');
const SNMP_UdpNoPorts = snmpId('UdpNoPorts');
const SNMP_UdpOutDatagrams = snmpId('UdpOutDatagrams');
const SNMP_UdpRcvbufErrors = snmpId('UdpRcvbufErrors');
const SNMP_UdpSndbufErrors = snmpId('UdpSndbufErrors');

const FILE = 'net/ipv4/udp.c';
/** CHECKSUM_BREAK: shorter packets have their checksum verified at once */
const CHECKSUM_BREAK = 76;
/** what a received sk_buff costs against sk_rcvbuf */
export const udpTruesize = (skb: SkBuff): number => skb.truesize();

export function udpSocket(net: Net, laddr: number, lport: number, opts: { rcvbuf?: number; daddr?: number; dport?: number; listener: boolean }): UdpSock {
  const s: UdpSock = {
    kind: 'udp',
    laddr,
    lport,
    daddr: opts.daddr ?? 0,
    dport: opts.dport ?? 0,
    // setsockopt(SO_RCVBUF) doubles the value (for the kernel's bookkeeping), with a floor.
    rcvbuf: opts.rcvbuf !== undefined ? Math.max(Math.min(opts.rcvbuf, net.get('net.core.rmem_max')) * 2, 4608) : net.get('net.core.rmem_default'),
    rmemAlloc: 0,
    report: { host: net.name, proto: 'udp', local: `${numToIp(laddr)}:${lport}`, received: [] },
    errors: [],
  };
  if (!opts.listener) s.report.state = 'sender';
  net.sock.udp.push(s);
  return s;
}

export function ephemeralPort(net: Net): number {
  return net.sock.nextEphemeral++;
}

export interface UdpSendOptions {
  daddr: number;
  dport: number;
  sport?: number;
  /** IP datagram total length */
  size?: number;
  ttl?: number;
  df?: boolean;
  payload?: string;
  /** SO_BROADCAST on the sending socket */
  broadcast?: boolean;
}

const ERRNO_NAMES: Record<number, [string, string]> = { 1: ['EPERM', 'Operation not permitted'], 90: ['EMSGSIZE', 'Message too long'], 22: ['EINVAL', 'Invalid argument'], 101: ['ENETUNREACH', 'Network is unreachable'], 113: ['EHOSTUNREACH', 'No route to host'] };
/** -EPERM for -1: how the trace writes a negative errno */
const errnoText = (err: number): string => `-${ERRNO_NAMES[-err]?.[0] ?? String(-err)}`;
const strerror = (err: number): string => ERRNO_NAMES[-err]?.[1] ?? `errno ${-err}`;

/**
 * The socket a `from :PORT` send uses: the one an earlier send bound to that port (the
 * application keeps it), else a new one bound to 0.0.0.0:PORT. udp_lib_get_port refuses the bind
 * (udp_lib_lport_inuse, v6.12) when another socket holds the port on an overlapping address and
 * the two do not both have SO_REUSEADDR: the sender sets none, so any listener on the port wins
 * and the send fails with EADDRINUSE before anything is routed.
 */
function udpSenderSocket(net: Net, sport: number): UdpSock | string {
  const mine = net.sock.udp.find((s) => s.lport === sport && s.report.state === 'sender');
  if (mine) return mine;
  // a dual-stack IPv6 socket on the port holds it for IPv4 too
  const holder = net.sock.udp.find((s) => s.lport === sport) ?? net.sock.udp6.find((s) => s.lport === sport && !s.v6only);
  if (holder) {
    net.step(null, 'socket', 'udp_lib_get_port', FILE, net.full ? `bind(0.0.0.0:${sport}) fails with EADDRINUSE: the socket bound to ${holder.report.local} holds the port (udp_lib_lport_inuse: the new socket has no SO_REUSEADDR).` : '', { ret: '-EADDRINUSE' });
    return 'bind() fails with EADDRINUSE (Address already in use)';
  }
  return udpSocket(net, 0, sport, { listener: false });
}

/** udp_sendmsg: route, build the datagram (ip_make_skb), then udp_send_skb. */
export function udp_sendmsg(net: Net, o: UdpSendOptions): number | string {
  return net.w.rec.fresh(() =>
    net.call('udp_sendmsg', () => {
      const payload = o.payload !== undefined ? new TextEncoder().encode(o.payload) : null;
      const plen = payload ? payload.length : (o.size ?? IPV4_HLEN + UDP_HLEN + 32) - IPV4_HLEN - UDP_HLEN;
      const size = IPV4_HLEN + UDP_HLEN + plen;
      const pkt = net.w.rec.newPacket(net.name, null);
      // the application binds `from :PORT` before it sends (inet_bind → udp_v4_get_port); its
      // socket then stays open, bound, until the scenario ends (see udpSenderSocket)
      const bound = o.sport !== undefined ? udpSenderSocket(net, o.sport) : null;
      if (typeof bound === 'string') {
        net.step(null, 'socket', 'udp_sendmsg', FILE, net.full ? `sendto ${numToIp(o.daddr)}:${o.dport} fails: ${bound}.` : '', { ret: '-EADDRINUSE' });
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'udp_sendmsg', reason: 'SKB_DROP_REASON_NOT_SPECIFIED', detail: 'Address already in use' });
        return 'Address already in use';
      }
      const sport = o.sport ?? ephemeralPort(net);
      const r = ip_route_output_key(net, o.daddr, 0);
      if ('error' in r) {
        if (r.error === 101) net.count(SNMP_IpOutNoRoutes);
        net.step(null, 'socket', 'udp_sendmsg', FILE, net.full ? `sendto ${numToIp(o.daddr)}:${o.dport} fails: ${r.what}.` : '');
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'udp_sendmsg', reason: 'SKB_DROP_REASON_IP_OUTNOROUTES', detail: r.what });
        return r.what;
      }
      if (r.rt.type === 'RTN_BROADCAST' && !o.broadcast) {
        net.step(null, 'socket', 'udp_sendmsg', FILE, net.full ? `sendto ${numToIp(o.daddr)}:${o.dport}: the route is a broadcast one and the socket has no SO_BROADCAST, so sendmsg fails with EACCES (Permission denied).` : '');
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'udp_sendmsg', reason: 'SKB_DROP_REASON_NOT_SPECIFIED', detail: 'Permission denied' });
        return 'Permission denied';
      }
      const daddr = r.daddr;
      const sock = bound ?? udpSocket(net, 0, sport, { listener: false });
      const pmtu = r.rt.mtuLocked ? r.rt.mtu() : Math.min(r.rt.mtu(), net.pmtu.get(daddr) ?? Infinity);
      const fits = size <= pmtu;
      if (o.df === true && !fits) {
        net.step(null, 'socket', 'udp_sendmsg', FILE, net.full ? `IP_PMTUDISC_DO: the ${size}-byte datagram does not fit the path MTU ${pmtu}, so sendmsg fails with EMSGSIZE.` : '');
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'ip_append_data', reason: 'SKB_DROP_REASON_PKT_TOO_BIG', detail: 'EMSGSIZE' });
        return 'Message too long';
      }
      // IP_PMTUDISC_WANT (the default): DF when the datagram fits, else fragmented here.
      // ip_dont_fragment: IP_PMTUDISC_WANT sets DF unless the route's MTU is locked (`mtu lock`)
      const df = o.df === undefined ? fits && net.get('net.ipv4.ip_no_pmtu_disc') === 0 && !r.rt.mtuLocked : o.df;
      // ip_append_data asks for CHECKSUM_PARTIAL when the device can checksum and no fragmenting is needed.
      const offload = fits;
      const saddr = r.saddr;
      const skb = ip_make_skb(net, r.rt, { saddr, daddr: daddr, protocol: IPPROTO_UDP, ttl: o.ttl ?? net.get('net.ipv4.ip_default_ttl'), tos: 0, df }, UDP_HLEN + plen, pkt, (b, off) => {
        if (payload) b.set(payload, off + UDP_HLEN);
        else for (let i = 0; i < plen; i++) b[off + UDP_HLEN + i] = 0x61 + (i % 26);
        if (offload) {
          b[off] = sport >> 8;
          b[off + 1] = sport & 255;
          b[off + 2] = o.dport >> 8;
          b[off + 3] = o.dport & 255;
          b[off + 4] = (UDP_HLEN + plen) >> 8;
          b[off + 5] = (UDP_HLEN + plen) & 255;
          writePseudoChecksum(b, off, UDP_HLEN + plen, saddr, daddr, IPPROTO_UDP);
        } else {
          writeUdp(b, off, { source: sport, dest: o.dport, len: UDP_HLEN + plen }, saddr, daddr);
        }
      });
      skb.ip_summed = offload ? 'CHECKSUM_PARTIAL' : 'CHECKSUM_NONE';
      skb.sk = sock;
      let sendErr = 0;
      net.call('udp_send_skb', () => {
        net.step(skb, 'socket', 'udp_send_skb', FILE, net.full ? `A UDP datagram ${numToIp(saddr)}:${sport} → ${numToIp(daddr)}:${o.dport} with ${plen} data bytes (${size} bytes of IP), ${df ? 'DF set' : 'DF clear'}; ${offload ? `the checksum is left to ${r.rt.dev.name} (CHECKSUM_PARTIAL: only the pseudo-header sum is written)` : 'the checksum is computed in software'}.` : '');
        // v6.12 counts after ip_send_skb: sent, or -ENOBUFS (without IP_RECVERR: still success for sendmsg)
        const err = ip_send_skb(net, skb);
        if (err === -ENOBUFS) {
          net.count(SNMP_UdpSndbufErrors);
          net.step(null, 'socket', 'udp_send_skb', FILE, 'ip_send_skb returned -ENOBUFS: UdpSndbufErrors, and without IP_RECVERR sendmsg still reports success.', { ret: '0' });
        } else if (!err) {
          net.count(SNMP_UdpOutDatagrams);
          net.step(null, 'socket', 'udp_send_skb', FILE, 'ip_send_skb returned 0: the datagram counts as sent (UdpOutDatagrams).');
        } else {
          // any other error (a netfilter hook's NF_DROP is -EPERM in nf_hook_slow, an output
          // path's -EMSGSIZE) goes back to udp_sendmsg and to the application, counting nothing
          sendErr = err;
          net.step(null, 'socket', 'udp_send_skb', FILE, net.full ? `ip_send_skb returned ${errnoText(err)}: udp_send_skb returns it and counts no UdpOutDatagrams.` : '', { ret: errnoText(err) });
        }
      });
      if (sendErr) {
        net.step(null, 'socket', 'udp_sendmsg', FILE, net.full ? `sendto ${numToIp(daddr)}:${o.dport} fails with ${errnoText(sendErr).slice(1)} (${strerror(sendErr)}): the datagram was made but the way out refused it.` : '', { ret: errnoText(sendErr) });
        return strerror(sendErr);
      }
      return pkt;
    }),
  );
}

/**
 * __udp4_lib_lookup: the best-scoring socket — connected and bound-address matches score higher.
 * Among equals the one bound last wins: udp_lib_get_port adds a socket at the head of its hash
 * chain, and udp4_lib_lookup2 keeps the first best score it meets (v6.12).
 */
export function udp_lookup(net: Net, saddr: number, sport: number, daddr: number, dport: number): UdpSock | undefined {
  let best: UdpSock | undefined;
  let bestScore = -1;
  for (const s of net.sock.udp) {
    // a sender's socket counts too: its application keeps it open until the scenario ends
    if (s.lport !== dport) continue;
    let score = 0;
    if (s.laddr) {
      if (s.laddr !== daddr) continue;
      score += 4;
    }
    if (s.daddr) {
      if (s.daddr !== saddr || (s.dport && s.dport !== sport)) continue;
      score += 4;
    }
    if (score >= bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

/**
 * What the IPv6 side plugs in for a datagram an AF_INET6 socket takes (net/ipv6/udp.c registers
 * nothing of the kind; the kernel's sockets of both families share udptable, so
 * __udp4_lib_lookup meets them directly): the queueing on that socket. A module importing the
 * IPv6 side would be a cycle, so udp.ts of ipv6 sets it when it loads.
 */
export const udp4_v6_sockets: { queue: ((net: Net, sk: Udp6Sock, skb: SkBuff) => void) | null } = { queue: null };

const isAny6 = (a: Uint8Array): boolean => a.every((b) => b === 0);
const isMapped6 = (a: Uint8Array, v4: number): boolean => a.subarray(0, 10).every((b) => b === 0) && a[10] === 0xff && a[11] === 0xff && ((a[12] << 24) | (a[13] << 16) | (a[14] << 8) | a[15]) >>> 0 === v4 >>> 0;

/** A dual-stack AF_INET6 socket for an IPv4 datagram: not IPV6_V6ONLY, on the port, bound to `::` or to ::ffff:daddr (`exact`). */
function dualStack(net: Net, daddr: number, dport: number, exact: boolean): Udp6Sock | undefined {
  let best: Udp6Sock | undefined;
  for (const s of net.sock.udp6) if (!s.v6only && s.lport === dport && (exact ? isMapped6(s.laddr, daddr) : isAny6(s.laddr))) best = s;
  return best;
}

/**
 * __udp4_lib_lookup with the AF_INET6 sockets in udptable (v6.12): a socket bound to the
 * destination address is looked for first (udp4_lib_lookup2 on daddr's hash), then the wildcard
 * ones (INADDR_ANY's); in a pass compute_score gives an AF_INET socket 2 and an AF_INET6 one 1,
 * and refuses an IPV6_V6ONLY one. So a dual-stack IPv6 socket gets the datagram only when no
 * IPv4 socket is bound to the address and, unless it is bound to ::ffff:daddr, no IPv4 socket
 * is on the port at all.
 */
function udp4_lookup_dual(net: Net, saddr: number, sport: number, daddr: number, dport: number): UdpSock | Udp6Sock | undefined {
  const v4 = udp_lookup(net, saddr, sport, daddr, dport);
  if (v4?.laddr) return v4;
  return dualStack(net, daddr, dport, true) ?? v4 ?? dualStack(net, daddr, dport, false);
}

/** The IPv4 datagram's checksum is wrong (a zero checksum is none); exported for udpv6_recvmsg's IPv4 datagrams. */
export function checksumBad(skb: SkBuff): boolean {
  const check = rd16(skb.buf, skb.transport_header + 6);
  if (check === 0) return false;
  if (skb.ip_summed === 'CHECKSUM_UNNECESSARY' || skb.ip_summed === 'CHECKSUM_PARTIAL') return false;
  const nh = skb.network_header;
  return l4Csum(skb.buf, skb.transport_header, skb.len, rd32(skb.buf, nh + 12), rd32(skb.buf, nh + 16), IPPROTO_UDP) !== 0;
}

/**
 * udp4_csum_init / udp6_csum_init: a CHECKSUM_COMPLETE sum that software made (csum_complete_sw)
 * and found wrong is final; the datagram is refused before any socket lookup.
 */
export function softwareSumBad(skb: SkBuff): boolean {
  return skb.ip_summed === 'CHECKSUM_COMPLETE' && skb.csum_complete_sw && !skb.csum_valid;
}

/** udp_rcv → __udp4_lib_rcv */
export function udp_rcv(net: Net, skb: SkBuff): void {
  const call = net.enter('udp_rcv');
  try {
    const lib = net.enter('__udp4_lib_rcv');
    try {
      if (!skb.mayPull(UDP_HLEN)) return udpRcvDrop(net, skb, 'PKT_TOO_SMALL', 'Too short for a UDP header (UdpInErrors).');
      const uh = readUdp(skb.buf, skb.data);
      if (uh.len > skb.len || uh.len < UDP_HLEN) return udpRcvDrop(net, skb, 'PKT_TOO_SMALL', `The UDP length field (${uh.len}) does not match the ${skb.len} bytes that arrived (UdpInErrors).`);
      skb.trim(uh.len);
      // the addresses read in place, not as a header object (readIp): this runs for every datagram
      const saddr = rd32(skb.buf, skb.network_header + 12);
      const daddr = rd32(skb.buf, skb.network_header + 16);
      // udp4_csum_init: a sum conntrack made in software at PRE_ROUTING is final; short datagrams
      // are verified now, longer ones when they are read.
      if (rd16(skb.buf, skb.transport_header + 6) !== 0 && softwareSumBad(skb)) {
        return udpRcvDrop(net, skb, 'UDP_CSUM', net.full ? `The UDP checksum is wrong, and conntrack's check at PRE_ROUTING (nf_ip_checksum → __skb_checksum_complete) already summed the datagram in software, so udp4_csum_init refuses it at once, whatever its length (${uh.len} bytes): UdpInCsumErrors, UdpInErrors.` : '', true);
      }
      if (uh.len <= CHECKSUM_BREAK && checksumBad(skb)) {
        return udpRcvDrop(net, skb, 'UDP_CSUM', `The UDP checksum is wrong; a datagram of ${uh.len} bytes (at most CHECKSUM_BREAK, 76) is verified at once: UdpInCsumErrors, UdpInErrors.`, true);
      }
      const rt = skb.dst!;
      if (rt.type === 'RTN_BROADCAST' || rt.type === 'RTN_MULTICAST') {
        // no unicast lookup for these: every socket on the port may get a copy
        __udp4_lib_mcast_deliver(net, skb, saddr, uh.source, daddr, uh.dest);
        return;
      }
      const sk = udp4_lookup_dual(net, saddr, uh.source, daddr, uh.dest);
      if (sk?.kind === 'udp6' && udp4_v6_sockets.queue) {
        udp4_to_v6_socket(net, skb, sk, readIp(skb.buf, skb.network_header), uh);
        return;
      }
      if (sk?.kind === 'udp') {
        net.step(skb, 'L4', '__udp4_lib_rcv', FILE, net.full ? net.say(foundWhat, sk.report.local, sk.daddr, sk.dport, daddr, uh.dest) : '');
        udp_queue_rcv_skb(net, sk, skb);
        return;
      }
      // no_sk: nf_reset_ct drops the datagram's conntrack reference, so the port unreachable that
      // answers it carries none (nf_ct_attach has nothing to attach): a chain hooked before
      // conntrack sees it untracked by any entry (ct state invalid), and notrack applies to it
      skb.nfct = null;
      if (checksumBad(skb)) {
        return udpRcvDrop(net, skb, 'UDP_CSUM', 'No socket, and the checksum is wrong: the datagram is dropped silently (UdpInCsumErrors, UdpInErrors), no ICMP error.', true);
      }
      net.count(SNMP_UdpNoPorts);
      net.step(skb, 'L4', '__udp4_lib_rcv', FILE, net.full ? `No socket is bound to UDP port ${uh.dest} on ${numToIp(daddr)}: UdpNoPorts, and the sender gets ICMP port unreachable.` : '');
      icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
      net.drop(skb, 'L4', '__udp4_lib_rcv', FILE, 'NO_SOCKET', net.full ? `The datagram for closed port ${uh.dest} is freed.` : '');
    } finally {
      net.leave(lib);
    }
  } finally {
    net.leave(call);
  }
}

// __udp4_lib_rcv's helpers, module functions so that it captures nothing (a closure there would
// cost a context on every datagram, at the fates level too).

function udpRcvDrop(net: Net, skb: SkBuff, reason: SkbDropReason, what: string, csum = false): void {
  if (csum) net.count(SNMP_UdpInCsumErrors);
  net.count(SNMP_UdpInErrors);
  net.drop(skb, 'L4', '__udp4_lib_rcv', FILE, reason, what);
}

/** __udp4_lib_rcv's sentence (net.say): the socket `local` (connected when `daddr` is not 0) takes a datagram for `to`:`port` */
function foundWhat(local: string, daddr: number, dport: number, to: number, port: number): string {
  return `__udp4_lib_lookup finds the socket bound to ${local}${daddr ? ` connected to ${numToIp(daddr)}:${dport}` : ''} for ${numToIp(to)}:${port}.`;
}

/** An IPv4 datagram taken by a dual-stack IPv6 socket. */
function udp4_to_v6_socket(net: Net, skb: SkBuff, sk: Udp6Sock, iph: IpHdr, uh: UdpHdr): void {
  net.step(skb, 'L4', '__udp4_lib_rcv', FILE, net.full ? `__udp4_lib_lookup finds no IPv4 socket ahead of the dual-stack IPv6 socket bound to ${sk.report.local} (not IPV6_V6ONLY) for ${numToIp(iph.daddr)}:${uh.dest}: it takes the datagram, which its application will see from ::ffff:${numToIp(iph.saddr)}.` : '');
  net.call('udp_queue_rcv_skb', () => net.call('udp_queue_rcv_one_skb', () => net.call('__udp_queue_rcv_skb', () => udp4_v6_sockets.queue!(net, sk, skb))));
}


/**
 * __udp4_lib_mcast_deliver (v6.12): a broadcast or multicast datagram goes to every socket bound
 * to its port whose bound and connected addresses allow it (__udp_is_mcast_sock): the first gets
 * the skb, the others clones. With none, it is freed quietly — UdpIgnoredMulti, and never an
 * ICMP port unreachable for a broadcast.
 */
function __udp4_lib_mcast_deliver(net: Net, skb: SkBuff, saddr: number, sport: number, daddr: number, dport: number): void {
  const call = net.enter('__udp4_lib_mcast_deliver');
  try {
    const socks = net.sock.udp.filter((s) => s.lport === dport && (!s.daddr || s.daddr === saddr) && (!s.dport || s.dport === sport) && (!s.laddr || s.laddr === daddr));
    // __udp_is_mcast_sock takes a dual-stack IPv6 socket too (not ipv6_only_sock)
    const socks6 = udp4_v6_sockets.queue ? net.sock.udp6.filter((s) => !s.v6only && s.lport === dport && (isAny6(s.laddr) || isMapped6(s.laddr, daddr))) : [];
    if (socks.length === 0 && socks6.length > 0) {
      net.step(skb, 'L4', '__udp4_lib_mcast_deliver', FILE, net.full ? `The ${skb.dst!.type === 'RTN_BROADCAST' ? 'broadcast' : 'multicast'} to ${numToIp(daddr)}:${dport} goes to ${socks6.length} dual-stack IPv6 socket(s) bound to the port.` : '');
      for (const sk of socks6.slice(1)) udp4_v6_sockets.queue!(net, sk, skb.copy(net.w.rec.newPacket(net.name, skb.pkt)));
      udp4_v6_sockets.queue!(net, socks6[0], skb);
      return;
    }
    if (socks.length === 0) {
      net.count(SNMP_UdpIgnoredMulti);
      net.drop(skb, 'L4', '__udp4_lib_mcast_deliver', FILE, 'NOT_SPECIFIED', net.full ? `No socket is bound to UDP port ${dport} for the ${skb.dst!.type === 'RTN_BROADCAST' ? 'broadcast' : 'multicast'} to ${numToIp(daddr)}: UdpIgnoredMulti, and the datagram is freed without an ICMP error (kfree_skb).` : '');
      return;
    }
    net.step(skb, 'L4', '__udp4_lib_mcast_deliver', FILE, net.full ? `The ${skb.dst!.type === 'RTN_BROADCAST' ? 'broadcast' : 'multicast'} to ${numToIp(daddr)}:${dport} goes to ${socks.length} socket(s) bound to the port${socks.length > 1 ? ' (the first gets the skb, the others clones)' : ''}.` : '');
    for (const sk of socks.slice(1)) {
      const c = skb.copy(net.w.rec.newPacket(net.name, skb.pkt));
      udp_queue_rcv_skb(net, sk, c);
    }
    for (const sk of socks6) udp4_v6_sockets.queue!(net, sk, skb.copy(net.w.rec.newPacket(net.name, skb.pkt)));
    udp_queue_rcv_skb(net, socks[0], skb);
  } finally {
    net.leave(call);
  }
}

/**
 * udp_queue_rcv_skb → udp_queue_rcv_one_skb → __udp_queue_rcv_skb → __udp_enqueue_schedule_skb:
 * charge and queue. When the queue is full, __udp_enqueue_schedule_skb returns -ENOMEM and its
 * caller __udp_queue_rcv_skb counts the error and frees the datagram (sk_skb_reason_drop).
 */
function udp_queue_rcv_skb(net: Net, sk: UdpSock, skb: SkBuff): void {
  // enter/leave, not three closures a datagram
  const a = net.enter('udp_queue_rcv_skb');
  try {
    const b = net.enter('udp_queue_rcv_one_skb');
    try {
      const c = net.enter('__udp_queue_rcv_skb');
      try {
        udp_enqueue(net, sk, skb);
      } finally {
        net.leave(c);
      }
    } finally {
      net.leave(b);
    }
  } finally {
    net.leave(a);
  }
}

function udp_enqueue(net: Net, sk: UdpSock, skb: SkBuff): void {
  if (__udp_enqueue_schedule_skb(net, sk, skb)) {
    net.count(SNMP_UdpRcvbufErrors);
    net.count(SNMP_UdpInErrors);
    net.drop(skb, 'socket', '__udp_queue_rcv_skb', FILE, 'SOCKET_RCVBUFF', '-ENOMEM: no room in the receive buffer, so UdpRcvbufErrors and UdpInErrors count it and the datagram is freed (SKB_DROP_REASON_SOCKET_RCVBUFF).');
  }
}

/** __udp_enqueue_schedule_skb: true when the receive buffer has no room (-ENOMEM). */
function __udp_enqueue_schedule_skb(net: Net, sk: UdpSock, skb: SkBuff): boolean {
  const call = net.enter('__udp_enqueue_schedule_skb');
  try {
    const size = udpTruesize(skb);
    if (sk.rmemAlloc > sk.rcvbuf || sk.rmemAlloc + size > size + sk.rcvbuf) {
      net.step(skb, 'socket', '__udp_enqueue_schedule_skb', FILE, net.full ? noRoomWhat(sk) : '');
      return true;
    }
    sk.rmemAlloc += size;
    pending(net, sk).push(skb);
    net.step(skb, 'socket', '__udp_enqueue_schedule_skb', FILE, net.full ? queuedWhat(skb, sk) : '');
    net.fate(skb, { kind: 'delivered', fn: '__udp_enqueue_schedule_skb', detail: `queued on UDP socket ${sk.report.local}` });
    return false;
  } finally {
    net.leave(call);
  }
}

// Sentences of a full trace only: at the fates level a full buffer, which drops most datagrams of a
// long run, made its text for every one.
function noRoomWhat(sk: UdpSock): What {
  const held = sk.rmemAlloc;
  return () => `The socket's receive queue holds ${held} bytes and its buffer is ${sk.rcvbuf} (SO_RCVBUF doubled): no room, so it returns -ENOMEM (sk_drops + 1).`;
}

function queuedWhat(skb: SkBuff, sk: UdpSock): What {
  const uh = readUdp(skb.buf, skb.data);
  const iph = readIp(skb.buf, skb.network_header);
  return () => `The datagram (${uh.len - UDP_HLEN} data bytes from ${numToIp(iph.saddr)}:${uh.source}) is queued on the socket (sk_rmem_alloc ${sk.rmemAlloc} of ${sk.rcvbuf}); the application is woken to read it.`;
}

const queues = new WeakMap<UdpSock, SkBuff[]>();
function pending(_net: Net, sk: UdpSock): SkBuff[] {
  let q = queues.get(sk);
  if (!q) {
    q = [];
    queues.set(sk, q);
  }
  return q;
}

/**
 * udp_recvmsg: the listening application reads its queue (the scenario's listeners read when
 * the traffic is over, so that a small SO_RCVBUF can fill). Here InDatagrams is counted, and a
 * checksum that was not verified on arrival is checked.
 */
export function udp_recvmsg_all(net: Net, sk: UdpSock): void {
  // a sender's application only sends: what reached its socket stays queued, unread (no UdpInDatagrams)
  if (sk.report.state === 'sender') return;
  const q = pending(net, sk);
  if (q.length === 0) return;
  net.w.rec.fresh(() =>
    net.call('udp_recvmsg', () => {
      while (q.length > 0) {
        const skb = q.shift()!;
        sk.rmemAlloc -= udpTruesize(skb);
        const uh = readUdp(skb.buf, skb.data);
        const iph = readIp(skb.buf, skb.network_header);
        if (checksumBad(skb)) {
          net.count(SNMP_UdpInCsumErrors);
          net.count(SNMP_UdpInErrors);
          net.drop(skb, 'socket', 'udp_recvmsg', FILE, 'NOT_SPECIFIED', 'recvmsg finds the UDP checksum wrong while copying the data: UdpInCsumErrors, UdpInErrors; the datagram is discarded and the application never sees it.');
          continue;
        }
        net.count(SNMP_UdpInDatagrams);
        const data = skb.buf.subarray(skb.data + UDP_HLEN, skb.data + uh.len);
        sk.report.received.push({ from: `${numToIp(iph.saddr)}:${uh.source}`, bytes: uh.len - UDP_HLEN, packet: skb.pkt, data: printable(data) });
        net.step(skb, 'socket', 'udp_recvmsg', FILE, net.full ? `The application reads ${uh.len - UDP_HLEN} bytes from ${numToIp(iph.saddr)}:${uh.source} (UdpInDatagrams).` : '');
        net.fate(skb, { kind: 'delivered', fn: 'udp_recvmsg', detail: `read by the application on ${sk.report.local}` });
      }
    }),
  );
}

/** What a listener's report shows of a payload: its first 64 bytes, unprintable ones as '.'. */
export function printable(b: Uint8Array): string {
  const s = Array.from(b.subarray(0, 64), (c) => (c >= 32 && c < 127 ? String.fromCharCode(c) : '.')).join('');
  return b.length > 64 ? `${s}…` : s;
}

/** udp_err → __udp4_lib_err (v6.12): an ICMP error about a datagram one of our sockets sent. */
export function udp_err(net: Net, skb: SkBuff, saddr: number, sport: number, daddr: number, dport: number, type: number, code: number, info: number): void {
  const call = net.enter('udp_err');
  try {
    const sk = net.sock.udp.find((s) => s.lport === sport && (!s.laddr || s.laddr === saddr) && (!s.daddr || (s.daddr === daddr && s.dport === dport)));
    if (!sk) {
      net.count(SNMP_IcmpInErrors);
      net.step(skb, 'L4', '__udp4_lib_err', FILE, net.full ? `No socket sent ${numToIp(saddr)}:${sport} → ${numToIp(daddr)}:${dport}: the error is counted in IcmpInErrors.` : '');
      net.fate(skb, { kind: 'consumed', fn: '__udp4_lib_err' });
      return;
    }
    if (type === ICMP_REDIRECT) {
      net.step(skb, 'L4', '__udp4_lib_err', FILE, net.full ? `A redirect about ${numToIp(saddr)}:${sport} → ${numToIp(daddr)}:${dport}: ipv4_sk_redirect applies it to the route.` : '');
      net.call('ipv4_sk_redirect', () => ip_do_redirect(net, skb, info));
      net.fate(skb, { kind: 'consumed', fn: '__udp4_lib_err' });
      return;
    }
    if (type === ICMP_SOURCE_QUENCH) {
      net.step(skb, 'L4', '__udp4_lib_err', FILE, 'Source quench is ignored.');
      net.fate(skb, { kind: 'consumed', fn: '__udp4_lib_err' });
      return;
    }
    const err = code === ICMP_PORT_UNREACH && type === ICMP_DEST_UNREACH ? 'ECONNREFUSED' : icmpName(type, code);
    sk.errors.push(err);
    net.step(skb, 'L4', '__udp4_lib_err', FILE, net.full ? `The socket ${numToIp(saddr)}:${sport} is told: ${err}${sk.daddr ? ' (a connected socket sees it on its next call)' : ' (an unconnected socket reports it only with IP_RECVERR)'}.` : '');
    net.fate(skb, { kind: 'consumed', fn: '__udp4_lib_err', detail: `error ${err} for ${numToIp(saddr)}:${sport}` });
  } finally {
    net.leave(call);
  }
}
