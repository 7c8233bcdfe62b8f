// net/ipv6/udp.c (v6.12): UDP over IPv6 — sending (udpv6_sendmsg → ip6_make_skb →
// udp_v6_send_skb → ip6_send_skb), receiving (udpv6_rcv → __udp6_lib_rcv: the length, the
// checksum that IPv6 makes mandatory, the socket lookup, Udp6NoPorts and ICMPv6 port
// unreachable) and the application reading its queue (udpv6_recvmsg, where Udp6InDatagrams is
// counted). A listener takes IPV6_V6ONLY from net.ipv6.bindv6only (0 by default: dual-stack):
// one bound to `::` also gets the IPv4 datagrams __udp4_lib_lookup finds it for, queued by
// IPv4's receive path and read by udpv6_recvmsg as from ::ffff:a.b.c.d with IPv4's counters. A
// sender's socket is IPV6_V6ONLY, as the fidelity harness makes it.
import type { Net } from '../net_namespace';
import type { SnmpName } from '../snmp';
import type { SkBuff } from '../core/skbuff';
import type { SkbDropReason } from '../core/dropreason';
import type { Udp6Sock } from '../ipv4/sock_types';
import { rd16, wr16 } from '../../proto/addr';
import { csumFold } from '../../proto/checksum';
import { UDP_HLEN, readUdp } from '../../proto/udp';
import { ICMPV6_DEST_UNREACH, ICMPV6_PKT_TOOBIG, ICMPV6_PORT_UNREACH, IPV6_HLEN, IPV6_MIN_MTU, NEXTHDR_UDP, isV6Any, isV6Multicast, l4Csum6, pseudoSum6, readIpv6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { ip6_dst_lookup } from './route';
import { ip6_dst_mtu, ip6_make_skb, ip6_send_skb } from './ip6_output';
import { icmpv6_send } from './icmp';
import { checksumBad as udp4ChecksumBad, ephemeralPort, printable, softwareSumBad, udp4_v6_sockets } from '../ipv4/udp';
import { numToIp } from '../../proto/addr';
import { readIp } from '../../proto/ipv4';
import { inet6_err_handlers } from './err_handlers';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Icmp6InErrors = snmpId('Icmp6InErrors');
const SNMP_Udp6IgnoredMulti = snmpId('Udp6IgnoredMulti');
const SNMP_Udp6InCsumErrors = snmpId('Udp6InCsumErrors');
const SNMP_Udp6InErrors = snmpId('Udp6InErrors');
const SNMP_Udp6NoPorts = snmpId('Udp6NoPorts');
const SNMP_Udp6OutDatagrams = snmpId('Udp6OutDatagrams');
const SNMP_Udp6RcvbufErrors = snmpId('Udp6RcvbufErrors');
const SNMP_Udp6SndbufErrors = snmpId('Udp6SndbufErrors');
const SNMP_UdpInErrors = snmpId('UdpInErrors');
const SNMP_UdpRcvbufErrors = snmpId('UdpRcvbufErrors');

export const UDP6_FILE = 'net/ipv6/udp.c';
const FILE = UDP6_FILE;
/** CHECKSUM_BREAK (include/linux/skbuff.h): shorter datagrams have their checksum verified at once */
const CHECKSUM_BREAK = 76;
const ENOBUFS = 105;

const ap6 = (a: Uint8Array, port: number): string => `[${formatIpv6(a)}]:${port}`;

/** socket(AF_INET6, SOCK_DGRAM) + bind: a listener (IPV6_V6ONLY from net.ipv6.bindv6only, inet6_create) or a sender's socket (IPV6_V6ONLY set). */
export function udp6Socket(net: Net, laddr: Uint8Array, lport: number, listener: boolean): Udp6Sock {
  const s: Udp6Sock = {
    kind: 'udp6',
    laddr,
    lport,
    v6only: !listener || net.get('net.ipv6.bindv6only') !== 0,
    rcvbuf: net.get('net.core.rmem_default'),
    rmemAlloc: 0,
    report: { host: net.name, proto: 'udp', local: ap6(laddr, lport), received: [] },
    errors: [],
  };
  if (!listener) s.report.state = 'sender';
  net.sock.udp6.push(s);
  return s;
}

export interface Udp6SendOptions {
  daddr: Uint8Array;
  dport: number;
  sport?: number;
  /** the IPv6 packet's length (40-byte header + 8 of UDP + data) */
  size?: number;
  payload?: string;
}

/**
 * The socket a `from :PORT` send uses: the application's earlier one on that port, else a new
 * one bound to [::]:PORT. Another AF_INET6 socket on the port refuses the bind (EADDRINUSE: the
 * sender sets no SO_REUSEADDR); IPv4 sockets do not conflict with an IPV6_V6ONLY one.
 */
function udp6SenderSocket(net: Net, sport: number): Udp6Sock | null {
  const mine = net.sock.udp6.find((s) => s.lport === sport && s.report.state === 'sender');
  if (mine) return mine;
  const holder = net.sock.udp6.find((s) => s.lport === sport);
  if (holder) {
    net.step(null, 'socket', 'udp_lib_get_port', 'net/ipv4/udp.c', net.full ? `bind([::]:${sport}) fails with EADDRINUSE: the socket bound to ${holder.report.local} holds the port.` : '', { ret: '-EADDRINUSE' });
    return null;
  }
  return udp6Socket(net, new Uint8Array(16), sport, false);
}

/** udpv6_sendmsg: route (ip6_sk_dst_lookup_flow), build (ip6_make_skb), then udp_v6_send_skb. */
export function udpv6_sendmsg(net: Net, o: Udp6SendOptions): number | string {
  return net.w.rec.fresh(() =>
    net.call('udpv6_sendmsg', () => {
      const payload = o.payload !== undefined ? new TextEncoder().encode(o.payload) : null;
      const plen = payload ? payload.length : (o.size ?? IPV6_HLEN + UDP_HLEN + 32) - IPV6_HLEN - UDP_HLEN;
      const size = IPV6_HLEN + UDP_HLEN + plen;
      const pkt = net.w.rec.newPacket(net.name, null);
      const bound = o.sport !== undefined ? udp6SenderSocket(net, o.sport) : undefined;
      if (bound === null) {
        // the send itself returns the bind's error, as udp_sendmsg says it for IPv4
        net.step(null, 'socket', 'udpv6_sendmsg', FILE, net.full ? `sendto ${ap6(o.daddr, o.dport)} fails: the bind to port ${o.sport} failed with EADDRINUSE (Address already in use); nothing is sent.` : '', { ret: '-98' });
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'udpv6_sendmsg', reason: 'SKB_DROP_REASON_NOT_SPECIFIED', detail: 'Address already in use' });
        return 'Address already in use';
      }
      const d = o.daddr;
      if (d.subarray(0, 10).every((x) => x === 0) && d[10] === 0xff && d[11] === 0xff) {
        // udpv6_sendmsg hands a v4-mapped destination to udp_sendmsg, unless the socket is
        // IPV6_V6ONLY, as a sender's is here (the harness's too): -ENETUNREACH, nothing counted
        net.step(null, 'socket', 'udpv6_sendmsg', FILE, net.full ? `sendto ${ap6(o.daddr, o.dport)} fails with ENETUNREACH: a v4-mapped destination would go to udp_sendmsg as IPv4, but the sending socket is IPV6_V6ONLY; no counter moves.` : '', { ret: '-101' });
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'udpv6_sendmsg', reason: 'SKB_DROP_REASON_NOT_SPECIFIED', detail: 'Network is unreachable' });
        return 'Network is unreachable';
      }
      const r = ip6_dst_lookup(net, o.daddr);
      if ('error' in r) {
        net.step(null, 'socket', 'udpv6_sendmsg', FILE, net.full ? `sendto ${ap6(o.daddr, o.dport)} fails: ip6_sk_dst_lookup_flow finds ${r.what}${r.error === 101 ? ' (ENETUNREACH, Ip6OutNoRoutes)' : ''}; nothing is sent and no Udp6 counter moves.` : '', { ret: `-${r.error}` });
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'udpv6_sendmsg', reason: 'SKB_DROP_REASON_IP_OUTNOROUTES', detail: r.what });
        return r.what;
      }
      const mtu = ip6_dst_mtu(net, r.rt);
      // __ip6_append_data offloads the checksum (CHECKSUM_PARTIAL) only for a datagram that fits
      // the MTU; a larger one is queued in MTU-sized pieces, udp_v6_send_skb sums it in software
      // (udp_csum) and ip6_finish_output hands it to ip6_fragment (ignore_df: IPV6_PMTUDISC_WANT)
      const fits = size <= mtu;
      const sport = bound?.lport ?? ephemeralPort(net);
      const sock = bound ?? udp6Socket(net, new Uint8Array(16), sport, false);
      const saddr = r.saddr;
      const hop = net.get(`net.ipv6.conf.${r.rt.dev.name}.hop_limit`);
      const ulen = UDP_HLEN + plen;
      const skb = ip6_make_skb(net, r.rt, { saddr, daddr: o.daddr, nexthdr: NEXTHDR_UDP, hopLimit: hop, mtu }, ulen, pkt, (b, off) => {
        if (payload) b.set(payload, off + UDP_HLEN);
        else for (let i = 0; i < plen; i++) b[off + UDP_HLEN + i] = 0x61 + (i % 26);
        wr16(b, off, sport);
        wr16(b, off + 2, o.dport);
        wr16(b, off + 4, ulen);
        if (fits) {
          // udp6_hwcsum_outgoing: CHECKSUM_PARTIAL, the field holds the pseudo-header sum (~csum_ipv6_magic)
          wr16(b, off + 6, ~csumFold(pseudoSum6(saddr, o.daddr, NEXTHDR_UDP, ulen)) & 0xffff);
        } else {
          // udp_csum + csum_ipv6_magic over the whole datagram; 0 is sent as 0xffff (CSUM_MANGLED_0)
          wr16(b, off + 6, 0);
          const c = l4Csum6(b, off, ulen, saddr, o.daddr, NEXTHDR_UDP);
          wr16(b, off + 6, c === 0 ? 0xffff : c);
        }
      });
      skb.ip_summed = fits ? 'CHECKSUM_PARTIAL' : 'CHECKSUM_NONE';
      skb.sk = sock;
      let ret: number | string = pkt;
      net.call('udp_v6_send_skb', () => {
        const csum = fits
          ? `${r.rt.dev.name} completes it (CHECKSUM_PARTIAL: udp6_hwcsum_outgoing leaves the pseudo-header sum)`
          : `the datagram is larger than the path MTU ${mtu}, so the stack sums it in software (udp_csum) before ip6_fragment cuts it`;
        net.step(skb, 'socket', 'udp_v6_send_skb', FILE, net.full ? `A UDP datagram ${ap6(saddr, sport)} → ${ap6(o.daddr, o.dport)} with ${plen} data bytes (${size} bytes of IPv6), hop limit ${hop}. The checksum is mandatory over IPv6; ${csum}.` : '');
        const err = ip6_send_skb(net, skb);
        if (err === -ENOBUFS) {
          net.count(SNMP_Udp6SndbufErrors);
          net.step(null, 'socket', 'udp_v6_send_skb', FILE, 'ip6_send_skb returned -ENOBUFS: Udp6SndbufErrors; without IPV6_RECVERR sendmsg still reports success.', { ret: '0' });
        } else if (!err) {
          net.count(SNMP_Udp6OutDatagrams);
          net.step(null, 'socket', 'udp_v6_send_skb', FILE, 'ip6_send_skb returned 0: Udp6OutDatagrams.');
        } else {
          net.step(null, 'socket', 'udp_v6_send_skb', FILE, net.full ? `ip6_send_skb returned ${err}: sendmsg fails with it.` : '', { ret: String(err) });
          ret = `errno ${-err}`;
        }
      });
      return ret;
    }),
  );
}

/** __udp6_lib_lookup: a socket bound to the port, one bound to the destination address scoring above one bound to `::`. */
function udp6_lookup(net: Net, daddr: Uint8Array, dport: number): Udp6Sock | undefined {
  let best: Udp6Sock | undefined;
  let bestScore = -1;
  for (const s of net.sock.udp6) {
    if (s.lport !== dport) continue;
    let score = 0;
    if (!isV6Any(s.laddr)) {
      if (formatIpv6(s.laddr) !== formatIpv6(daddr)) continue;
      score += 4;
    }
    if (score >= bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

function checksumBad(skb: SkBuff): boolean {
  if (skb.ip_summed === 'CHECKSUM_UNNECESSARY' || skb.ip_summed === 'CHECKSUM_PARTIAL') return false;
  const ip = readIpv6(skb.buf, skb.network_header);
  return l4Csum6(skb.buf, skb.transport_header, skb.len, ip.saddr, ip.daddr, NEXTHDR_UDP) !== 0;
}

/** udpv6_rcv → __udp6_lib_rcv: inet6_protos[IPPROTO_UDP]. */
export function udpv6_rcv(net: Net, skb: SkBuff): void {
  net.call('udpv6_rcv', () =>
    net.call('__udp6_lib_rcv', () => {
      const drop = (reason: SkbDropReason, what: string, csum = false): void => {
        if (csum) net.count(SNMP_Udp6InCsumErrors);
        net.count(SNMP_Udp6InErrors);
        net.drop(skb, 'L4', '__udp6_lib_rcv', FILE, reason, what);
      };
      if (!skb.mayPull(UDP_HLEN)) return drop('NOT_SPECIFIED', 'Too short for a UDP header (Udp6InErrors).');
      const uh = readUdp(skb.buf, skb.data);
      // a length of 0 means a jumbogram's (the whole packet); jumbograms themselves are not modelled
      const ulen = uh.len === 0 ? skb.len : uh.len;
      if (ulen > skb.len || ulen < UDP_HLEN) return drop('PKT_TOO_SMALL', `The UDP length field (${uh.len}) does not fit the ${skb.len} bytes that arrived (Udp6InErrors).`);
      skb.trim(ulen);
      const ip = readIpv6(skb.buf, skb.network_header);
      const check = rd16(skb.buf, skb.data + 6);
      // udp6_csum_init accepts a zero checksum for now (RFC 6936 tunnels): the socket decides, below
      if (check !== 0 && softwareSumBad(skb)) {
        return drop('UDP_CSUM', net.full ? `The UDP checksum is wrong, and conntrack's check at PRE_ROUTING (nf_ip6_checksum → __skb_checksum_complete) already summed the datagram in software, so udp6_csum_init refuses it at once, whatever its length (${ulen} bytes): Udp6InCsumErrors, Udp6InErrors.` : '', true);
      }
      if (check !== 0 && ulen <= CHECKSUM_BREAK && checksumBad(skb)) {
        return drop('UDP_CSUM', `The UDP checksum is wrong; a datagram of ${ulen} bytes (at most CHECKSUM_BREAK, 76) is verified at once: Udp6InCsumErrors, Udp6InErrors.`, true);
      }
      const sk = udp6_lookup(net, ip.daddr, uh.dest);
      // a multicast destination goes to __udp6_lib_mcast_deliver, which skips a socket for a zero
      // checksum and, with none left, frees the datagram quietly: no Udp6NoPorts, no ICMPv6 error
      if (isV6Multicast(ip.daddr) && (!sk || check === 0)) {
        net.count(SNMP_Udp6IgnoredMulti);
        net.drop(skb, 'L4', '__udp6_lib_mcast_deliver', FILE, 'NOT_SPECIFIED', net.full ? `No socket takes UDP port ${uh.dest} for the multicast to ${formatIpv6(ip.daddr)}${sk ? ' (the checksum field is 0 and the socket has no UDP_NO_CHECK6_RX, so it is skipped)' : ''}: Udp6IgnoredMulti, and the datagram is freed without an ICMPv6 error (kfree_skb).` : '');
        return;
      }
      if (sk) {
        if (check === 0) return drop('UDP_CSUM', `The checksum field is 0, which IPv6 forbids (RFC 8200 8.1); the socket ${sk.report.local} has no UDP_NO_CHECK6_RX: Udp6InCsumErrors, Udp6InErrors.`, true);
        net.step(skb, 'L4', '__udp6_lib_rcv', FILE, net.full ? `__udp6_lib_lookup finds the socket bound to ${sk.report.local} for ${ap6(ip.daddr, uh.dest)}.` : '');
        udpv6_queue_rcv_skb(net, sk, skb);
        return;
      }
      if (check === 0) return drop('NO_SOCKET', `No socket on port ${uh.dest}, and the checksum field is 0, which IPv6 forbids: Udp6InCsumErrors, Udp6InErrors, no ICMPv6 error (the drop reason stays NO_SOCKET).`, true);
      // no_sk: nf_reset_ct, so the ICMPv6 error that answers it carries no conntrack (as IPv4's)
      skb.nfct = null;
      if (checksumBad(skb)) return drop('NO_SOCKET', 'No socket, and the checksum is wrong: dropped silently (Udp6InCsumErrors, Udp6InErrors), no ICMPv6 error.', true);
      net.count(SNMP_Udp6NoPorts);
      net.step(skb, 'L4', '__udp6_lib_rcv', FILE, net.full ? `No socket is bound to UDP port ${uh.dest} on ${formatIpv6(ip.daddr)}: Udp6NoPorts, and the sender gets ICMPv6 destination unreachable (port unreachable).` : '');
      icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
      net.drop(skb, 'L4', '__udp6_lib_rcv', FILE, 'NO_SOCKET', net.full ? `The datagram for closed port ${uh.dest} is freed.` : '');
    }),
  );
}

/**
 * udpv6_err → __udp6_lib_err (v6.12), the err_handler icmpv6_notify calls for a quoted UDP
 * datagram. A Packet Too Big first lowers the path MTU to the quoted destination whether or not
 * a socket exists (udpv6_err_update_exception → ip6_update_pmtu). The socket is looked up as
 * the sender of the quoted datagram (its source address and port); with none (and no UDP
 * tunnel, which is not modelled) the error counts Icmp6InErrors and __udp6_lib_err returns
 * -ENOENT. The model's sockets are unconnected and never set IPV6_RECVERR, so a socket that
 * exists keeps no error (sk_err is only set for a connected socket or with IPV6_RECVERR).
 */
export function udpv6_err(net: Net, skb: SkBuff, off: number, type: number, code: number, info: number, thoff: number): void {
  net.call('udpv6_err', () =>
    net.call('__udp6_lib_err', () => {
      const ip = readIpv6(skb.buf, off);
      const uh = readUdp(skb.buf, thoff);
      const quoted = `${ap6(ip.saddr, uh.source)} → ${ap6(ip.daddr, uh.dest)}`;
      if (type === ICMPV6_PKT_TOOBIG) {
        const mtu = Math.max(info, IPV6_MIN_MTU);
        const key = formatIpv6(ip.daddr);
        const had = net.ipv6.pmtu.get(key);
        if (!had || mtu < had) net.ipv6.pmtu.set(key, mtu);
        net.step(skb, 'L4', 'udpv6_err_update_exception', FILE, net.full ? `Packet Too Big for ${key}: ip6_update_pmtu records a path MTU of ${mtu}, socket or not.` : '');
      }
      const sk = udp6_lookup(net, ip.saddr, uh.source);
      if (!sk) {
        net.count(SNMP_Icmp6InErrors);
        net.step(skb, 'L4', '__udp6_lib_err', FILE, net.full ? `No UDP socket sent the quoted datagram ${quoted} (nothing is bound to port ${uh.source}): Icmp6InErrors, and the error is dropped (-ENOENT).` : '');
        return;
      }
      net.step(skb, 'L4', '__udp6_lib_err', FILE, net.full ? `The quoted datagram ${quoted} is from the socket ${sk.report.local}; it is not connected and has no IPV6_RECVERR, so the error (type ${type}, code ${code}) is not kept.` : '');
    }),
  );
}

inet6_err_handlers.set(NEXTHDR_UDP, udpv6_err);

const queues = new WeakMap<Udp6Sock, SkBuff[]>();
const queueOf = (sk: Udp6Sock): SkBuff[] => {
  let q = queues.get(sk);
  if (!q) queues.set(sk, (q = []));
  return q;
};

/** udpv6_queue_rcv_skb → … → __udp_enqueue_schedule_skb: charge the receive buffer and queue. */
function udpv6_queue_rcv_skb(net: Net, sk: Udp6Sock, skb: SkBuff): void {
  const call = net.enter('udpv6_queue_rcv_skb');
  try {
    const size = skb.truesize();
    if (sk.rmemAlloc > sk.rcvbuf || sk.rmemAlloc + size > size + sk.rcvbuf) {
      net.count(SNMP_Udp6RcvbufErrors);
      net.count(SNMP_Udp6InErrors);
      net.drop(skb, 'socket', 'udpv6_queue_rcv_skb', FILE, 'SOCKET_RCVBUFF', net.full ? `The receive queue holds ${sk.rmemAlloc} bytes of ${sk.rcvbuf}: -ENOMEM, Udp6RcvbufErrors and Udp6InErrors.` : '');
      return;
    }
    sk.rmemAlloc += size;
    queueOf(sk).push(skb);
    net.step(skb, 'socket', '__udp_enqueue_schedule_skb', 'net/ipv4/udp.c', net.full ? `The datagram is queued on ${sk.report.local} (sk_rmem_alloc ${sk.rmemAlloc} of ${sk.rcvbuf}); the application is woken.` : '');
    net.fate(skb, { kind: 'delivered', fn: '__udp_enqueue_schedule_skb', detail: `queued on UDP socket ${sk.report.local}` });
  } finally {
    net.leave(call);
  }
}

/**
 * An IPv4 datagram for a dual-stack socket, from IPv4's __udp_queue_rcv_skb: charged and queued
 * as any; a full buffer is IPv4's UdpRcvbufErrors and UdpInErrors (the IPv4 function counts).
 */
function udpv6_queue_ipv4(net: Net, sk: Udp6Sock, skb: SkBuff): void {
  const size = skb.truesize();
  if (sk.rmemAlloc > sk.rcvbuf || sk.rmemAlloc + size > size + sk.rcvbuf) {
    net.count(SNMP_UdpRcvbufErrors);
    net.count(SNMP_UdpInErrors);
    net.drop(skb, 'socket', '__udp_queue_rcv_skb', 'net/ipv4/udp.c', 'SOCKET_RCVBUFF', net.full ? `The receive queue of ${sk.report.local} holds ${sk.rmemAlloc} bytes of ${sk.rcvbuf}: -ENOMEM, UdpRcvbufErrors and UdpInErrors (IPv4's receive path counts).` : '');
    return;
  }
  sk.rmemAlloc += size;
  queueOf(sk).push(skb);
  net.step(skb, 'socket', '__udp_enqueue_schedule_skb', 'net/ipv4/udp.c', net.full ? `The IPv4 datagram is queued on the dual-stack socket ${sk.report.local} (sk_rmem_alloc ${sk.rmemAlloc} of ${sk.rcvbuf}); the application is woken.` : '');
  net.fate(skb, { kind: 'delivered', fn: '__udp_enqueue_schedule_skb', detail: `queued on UDP socket ${sk.report.local}` });
}

udp4_v6_sockets.queue = udpv6_queue_ipv4;

/**
 * What udpv6_recvmsg does differently for the two families a dual-stack socket receives: an IPv4
 * datagram (is_udp4) is read with IPv4's counters and a v4-mapped source address.
 */
interface RecvFamily {
  checksumBad(skb: SkBuff): boolean;
  inCsumErrors: SnmpName;
  inErrors: SnmpName;
  inDatagrams: SnmpName;
  from(skb: SkBuff, sport: number): string;
  csumWhy: string;
  readWhy(bytes: number, from: string): string;
}

const RECV_IPV6: RecvFamily = {
  checksumBad,
  inCsumErrors: 'Udp6InCsumErrors',
  inErrors: 'Udp6InErrors',
  inDatagrams: 'Udp6InDatagrams',
  from: (skb, sport) => ap6(readIpv6(skb.buf, skb.network_header).saddr, sport),
  csumWhy: 'recvmsg finds the UDP checksum wrong while copying: Udp6InCsumErrors, Udp6InErrors; the application never sees it.',
  readWhy: (bytes, from) => `The application reads ${bytes} bytes from ${from} (Udp6InDatagrams).`,
};

const RECV_IPV4: RecvFamily = {
  checksumBad: udp4ChecksumBad,
  inCsumErrors: 'UdpInCsumErrors',
  inErrors: 'UdpInErrors',
  inDatagrams: 'UdpInDatagrams',
  from: (skb, sport) => `[::ffff:${numToIp(readIp(skb.buf, skb.network_header).saddr)}]:${sport}`,
  csumWhy: 'recvmsg finds the UDP checksum of the IPv4 datagram wrong while copying: UdpInCsumErrors, UdpInErrors (is_udp4: IPv4\'s counters).',
  readWhy: (bytes, from) => `The application reads ${bytes} bytes of an IPv4 datagram, from ${from} (ipv6_addr_set_v4mapped); UdpInDatagrams, IPv4's counter (is_udp4).`,
};

/** udpv6_recvmsg of one queued datagram: a deferred checksum is checked, then the data is read. */
function recvOne(net: Net, sk: Udp6Sock, skb: SkBuff, fam: RecvFamily): void {
  if (fam.checksumBad(skb)) {
    net.count(fam.inCsumErrors);
    net.count(fam.inErrors);
    net.drop(skb, 'socket', 'udpv6_recvmsg', FILE, 'NOT_SPECIFIED', fam.csumWhy);
    return;
  }
  net.count(fam.inDatagrams);
  const uh = readUdp(skb.buf, skb.data);
  const from = fam.from(skb, uh.source);
  const data = skb.buf.subarray(skb.data + UDP_HLEN, skb.data + uh.len);
  sk.report.received.push({ from, bytes: uh.len - UDP_HLEN, packet: skb.pkt, data: printable(data) });
  net.step(skb, 'socket', 'udpv6_recvmsg', FILE, fam.readWhy(uh.len - UDP_HLEN, from));
  net.fate(skb, { kind: 'delivered', fn: 'udpv6_recvmsg', detail: `read by the application on ${sk.report.local}` });
}

/** udpv6_recvmsg: the listening application reads its queue. */
export function udpv6_recvmsg_all(net: Net, sk: Udp6Sock): void {
  if (sk.report.state === 'sender') return;
  const q = queueOf(sk);
  if (q.length === 0) return;
  net.w.rec.fresh(() =>
    net.call('udpv6_recvmsg', () => {
      while (q.length > 0) {
        const skb = q.shift()!;
        sk.rmemAlloc -= skb.truesize();
        recvOne(net, sk, skb, skb.buf[skb.network_header] >> 4 === 4 ? RECV_IPV4 : RECV_IPV6);
      }
    }),
  );
}
