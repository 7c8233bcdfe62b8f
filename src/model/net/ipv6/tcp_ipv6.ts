// net/ipv6/tcp_ipv6.c (v6.12): TCP over IPv6. The state machine is the one IPv4 uses
// (tcp_ipv4.ts holds tcp_input.c's, tcp_output.c's and tcp_minisocks.c's parts); this file is
// what the kernel's tcp_ipv6.c adds: ipv6_specific (the af_ops table: the route, 40-byte
// header so an MSS of 1440 on a 1500 MTU, inet6_csk_xmit → ip6_xmit, the checksum over the
// IPv6 pseudo-header), tcp_v6_connect, tcp_v6_rcv, tcp_v6_send_reset and tcp_v6_err. An IPv4
// peer of a `[::]` listener without IPV6_V6ONLY (net.ipv6.bindv6only = 0) is served by the IPv4
// code and shows as a v4-mapped address (tcp_v6_syn_recv_sock's ipv6_mapped child).
import { NotModelled } from '../../sim/not_modelled';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { TcpSock } from '../ipv4/sock_types';
import type { TcpAfOps } from '../ipv4/tcp_af_ops';
import { wr16 } from '../../proto/addr';
import { csumFold } from '../../proto/checksum';
import { readTcp } from '../../proto/tcp';
import { ICMPV6_DEST_UNREACH, ICMPV6_PARAMPROB, ICMPV6_PKT_TOOBIG, ICMPV6_TIME_EXCEED, IPV6_HLEN, IPV6_MIN_MTU, NEXTHDR_TCP, isV6Multicast, l4Csum6, pseudoSum6, readIpv6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { between, tcpListenOn, tcp_bind_sender, tcp_connect, tcp_done_with_error, tcp_rcv } from '../ipv4/tcp_ipv4';
import { ephemeralPort } from '../ipv4/udp';
import { ip6_dst_lookup, ip6_route_output, type Rt6Info } from './route';
import { ip6_dst_mtu, ip6_local_out, ip6_make_skb } from './ip6_output';
import { inet6_err_handlers } from './err_handlers';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Icmp6InErrors = snmpId('Icmp6InErrors');
const SNMP_TcpExtListenDrops = snmpId('TcpExtListenDrops');
const SNMP_TcpExtLockDroppedIcmps = snmpId('TcpExtLockDroppedIcmps');
const SNMP_TcpExtOutOfWindowIcmps = snmpId('TcpExtOutOfWindowIcmps');

export const TCP6_FILE = 'net/ipv6/tcp_ipv6.c';
const FILE = TCP6_FILE;

const ap6 = (a: Uint8Array, port: number): string => `[${formatIpv6(a)}]:${port}`;

/**
 * ip6_xmit (net/ipv6/ip6_output.c): what inet6_csk_xmit and the control socket's
 * tcp_v6_send_response send with — the header is already built (ip6_make_skb here), the hop
 * limit is the route's (ip6_dst_hoplimit: the device's hop_limit); payload_len, LOCAL_OUT, dst_output.
 */
function ip6_xmit(net: Net, skb: SkBuff): number {
  return net.call('ip6_xmit', () => ip6_local_out(net, skb));
}

/** ipv6_specific (net/ipv6/tcp_ipv6.c): IPv6's operations for the shared TCP code. */
export const ipv6_specific: TcpAfOps = {
  name: 'ipv6_specific',
  netHeaderLen: IPV6_HLEN,
  file: FILE,
  fn: { rcv: 'tcp_v6_rcv', doRcv: 'tcp_v6_do_rcv', sendReset: 'tcp_v6_send_reset', sendSynack: 'tcp_v6_send_synack', synRecvSock: 'tcp_v6_syn_recv_sock', err: 'tcp_v6_err', connRequest: 'tcp_v6_conn_request' },
  route: (net, ep) => {
    const r = ip6_route_output(net, ep.daddr6!);
    return 'error' in r ? r : { rt: r.rt };
  },
  // dst_mtu of the IPv6 route, with a path MTU learnt from Packet Too Big (the route exception)
  pmtu: (net, _ep, rt) => ip6_dst_mtu(net, rt as Rt6Info),
  build: (net, ep, a) => {
    const rt = a.rt as Rt6Info;
    const hop = net.get(`net.ipv6.conf.${rt.dev.name}.hop_limit`);
    const skb = ip6_make_skb(net, rt, { saddr: ep.laddr6!, daddr: ep.daddr6!, nexthdr: NEXTHDR_TCP, hopLimit: hop, tclass: (a.tos ?? 0) & ~3 }, a.len, a.pkt, (b, off) => {
      a.body(b, off);
      // __tcp_v6_send_check, for a socket's segments and the control socket's RST alike:
      // CHECKSUM_PARTIAL, the field holds the pseudo-header sum (~tcp_v6_check(len, saddr, daddr, 0))
      wr16(b, off + 16, ~csumFold(pseudoSum6(ep.laddr6!, ep.daddr6!, NEXTHDR_TCP, a.len)) & 0xffff);
    });
    return skb;
  },
  send: (net, skb, sk) => (sk ? net.call('inet6_csk_xmit', () => ip6_xmit(net, skb)) : net.call('tcp_v6_send_response', () => ip6_xmit(net, skb))),
  fmt: (which, ep, port) => ap6((which === 'l' ? ep.laddr6 : ep.daddr6) ?? new Uint8Array(16), port),
  rcvEndpoints: (skb) => {
    const h = readIpv6(skb.buf, skb.network_header);
    return { af: ipv6_specific, laddr: 0, daddr: 0, laddr6: h.daddr, daddr6: h.saddr, tos: h.tclass };
  },
  csumBad: (skb) => {
    if (skb.ip_summed === 'CHECKSUM_UNNECESSARY' || skb.ip_summed === 'CHECKSUM_PARTIAL') return false;
    const h = readIpv6(skb.buf, skb.network_header);
    return l4Csum6(skb.buf, skb.data, skb.len, h.saddr, h.daddr, NEXTHDR_TCP) !== 0;
  },
};

/** tcp_v6_rcv: inet6_protos[IPPROTO_TCP] (tcpv6_init). skb->data is at the TCP header. */
export function tcp_v6_rcv(net: Net, skb: SkBuff): void {
  tcp_rcv(net, skb, ipv6_specific);
}

/**
 * socket(AF_INET6, SOCK_STREAM), bind, listen: IPV6_V6ONLY comes from net.ipv6.bindv6only
 * (inet6_create reads it); without it a `[::]` listener takes IPv4 connections too.
 */
export function tcpListen6(net: Net, laddr6: Uint8Array, lport: number): TcpSock {
  const s = tcpListenOn(net, { af: ipv6_specific, laddr: 0, daddr: 0, laddr6 }, lport);
  s.v6only = net.get('net.ipv6.bindv6only') !== 0;
  return s;
}

export interface Connect6Options {
  daddr6: Uint8Array;
  dport: number;
  sport?: number;
  data?: number;
}

/** tcp_v6_connect: a multicast destination is refused, ip6_dst_lookup_flow routes and picks the source, then tcp_connect. */
export function tcp_v6_connect(net: Net, o: Connect6Options): number | string {
  return net.w.rec.fresh(() =>
    net.call('tcp_v6_connect', () => {
      const fail = (what: string, reason: 'SKB_DROP_REASON_NOT_SPECIFIED' | 'SKB_DROP_REASON_IP_OUTNOROUTES', ret: string): string => {
        net.step(null, 'socket', 'tcp_v6_connect', FILE, net.full ? `connect to ${ap6(o.daddr6, o.dport)} fails: ${what}.` : '', { ret });
        const pkt = net.w.rec.newPacket(net.name, null);
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'tcp_v6_connect', reason, detail: what });
        return what;
      };
      if (o.daddr6[0] === 0 && o.daddr6.slice(0, 10).every((x) => x === 0) && o.daddr6[10] === 0xff && o.daddr6[11] === 0xff) throw new NotModelled('connect to a v4-mapped address (tcp_v6_connect hands it to tcp_v4_connect) is not modelled');
      const inUse = o.sport !== undefined ? tcp_bind_sender(net, o.sport) : null;
      if (inUse) return fail(`its bind() to port ${o.sport} failed with EADDRINUSE, so nothing is sent`, 'SKB_DROP_REASON_NOT_SPECIFIED', '-EADDRINUSE');
      if (isV6Multicast(o.daddr6)) return fail('a multicast destination is no place for a connection (Network is unreachable, ENETUNREACH)', 'SKB_DROP_REASON_NOT_SPECIFIED', '-ENETUNREACH');
      const r = ip6_dst_lookup(net, o.daddr6);
      if ('error' in r) {
        return fail(`ip6_dst_lookup_flow finds ${r.what}${r.error === 101 ? ' (Ip6OutNoRoutes)' : ''}`, 'SKB_DROP_REASON_IP_OUTNOROUTES', `-${r.error}`);
      }
      const sport = o.sport ?? ephemeralPort(net);
      return tcp_connect(net, { af: ipv6_specific, laddr: 0, daddr: 0, laddr6: r.saddr, daddr6: o.daddr6 }, sport, o, r.rt);
    }),
  );
}

/** tab_unreach and icmpv6_err_convert (net/ipv6/icmp.c, v6.12): the errno of an ICMPv6 error and whether it is fatal. */
export function icmpv6_err_convert(type: number, code: number): { err: string; fatal: boolean } {
  const unreach: [string, boolean][] = [
    ['ENETUNREACH', false],
    ['EACCES', true],
    ['EHOSTUNREACH', false],
    ['EHOSTUNREACH', false],
    ['ECONNREFUSED', true],
    ['EACCES', true],
    ['EACCES', true],
  ];
  if (type === ICMPV6_DEST_UNREACH) {
    const u = unreach[code];
    return u ? { err: u[0], fatal: u[1] } : { err: 'EPROTO', fatal: true };
  }
  if (type === ICMPV6_PKT_TOOBIG) return { err: 'EMSGSIZE', fatal: false };
  if (type === ICMPV6_PARAMPROB) return { err: 'EPROTO', fatal: true };
  if (type === ICMPV6_TIME_EXCEED) return { err: 'EHOSTUNREACH', fatal: false };
  return { err: 'EPROTO', fatal: false };
}

const eq6 = (a: Uint8Array | undefined, b: Uint8Array): boolean => !!a && a.every((x, i) => x === b[i]);

/**
 * tcp_v6_err (v6.12), the err_handler icmpv6_notify calls: `off` is the quoted IPv6 header,
 * `thoff` its TCP header. Only an established (or request) socket is looked up
 * (__inet6_lookup_established). Packet Too Big lowers the path MTU (tcp_v6_mtu_reduced); any
 * other error aborts a connect in SYN_SENT with icmpv6_err_convert's errno, fatal or not; an
 * established connection keeps it as a soft error.
 */
export function tcp_v6_err(net: Net, skb: SkBuff, off: number, type: number, code: number, info: number, thoff: number): void {
  net.call('tcp_v6_err', () => {
    const h = readIpv6(skb.buf, off);
    const th = readTcp(skb.buf, thoff);
    const sk = net.sock.tcp.find((s) => s.state !== 'TCP_LISTEN' && s.state !== 'TCP_CLOSE' && s.af === ipv6_specific && s.lport === th.source && s.dport === th.dest && eq6(s.daddr6, h.daddr) && eq6(s.laddr6, h.saddr));
    const quoted = `${ap6(h.saddr, th.source)} → ${ap6(h.daddr, th.dest)}`;
    const step = (what: string): void => void net.step(skb, 'L4', 'tcp_v6_err', FILE, what);
    if (!sk) {
      net.count(SNMP_Icmp6InErrors);
      return step(`No TCP connection sent the quoted segment ${quoted}: Icmp6InErrors (-ENOENT).`);
    }
    const seq = th.seq >>> 0;
    const { err, fatal } = icmpv6_err_convert(type, code);
    if (sk.state === 'TCP_NEW_SYN_RECV') {
      // tcp_req_err: a fatal error about our SYN-ACK drops the request
      net.call('tcp_req_err', () => {
        if (seq !== sk.iss) {
          net.count(SNMP_TcpExtOutOfWindowIcmps);
          net.step(skb, 'L4', 'tcp_req_err', 'net/ipv4/tcp_ipv4.c', net.full ? `The quoted sequence number ${seq} is not our SYN-ACK's (${sk.iss}): OutOfWindowIcmps.` : '');
        } else if (fatal) {
          sk.state = 'TCP_CLOSE';
          if (sk.retransTimer) net.w.sched.cancel(sk.retransTimer as never);
          net.count(SNMP_TcpExtListenDrops);
          net.step(skb, 'L4', 'tcp_req_err', 'net/ipv4/tcp_ipv4.c', net.full ? `${err} is fatal: the request sock is dropped (inet_csk_reqsk_queue_drop, ListenDrops).` : '');
        } else net.step(skb, 'L4', 'tcp_req_err', 'net/ipv4/tcp_ipv4.c', net.full ? `${err} is not fatal for a request sock: nothing changes.` : '');
      });
      return;
    }
    const owned = sk.userLockAt === net.w.sched.now;
    if (owned && type !== ICMPV6_PKT_TOOBIG) net.count(SNMP_TcpExtLockDroppedIcmps);
    if (!between(seq, sk.sndUna, sk.sndNxt)) {
      net.count(SNMP_TcpExtOutOfWindowIcmps);
      return step(`The quoted sequence number ${seq} is outside what ${quoted} has in flight: the error is ignored (OutOfWindowIcmps).`);
    }
    if (type === ICMPV6_PKT_TOOBIG) {
      if (info < IPV6_MIN_MTU) return step(`Packet Too Big with an MTU of ${info}, below IPv6's minimum ${IPV6_MIN_MTU}: ignored.`);
      if (owned) throw new NotModelled('Packet Too Big while connect() holds the socket (TCP_MTU_REDUCED_DEFERRED) is not modelled');
      // tcp_v6_mtu_reduced → tcp_simple_retransmit sends what no longer fits again, cut to the new MSS
      if ((sk.unackedSegs ?? 0) > 0 && info - IPV6_HLEN - 20 < (sk.mssClamp ?? 536)) throw new NotModelled(`Packet Too Big (mtu ${info}) for a connection with data in flight: tcp_simple_retransmit, resending it at the smaller MSS, is not modelled`);
      const key = formatIpv6(h.daddr);
      const had = net.ipv6.pmtu.get(key);
      if (!had || info < had) net.ipv6.pmtu.set(key, info);
      return step(`Packet Too Big (mtu ${info}) for ${quoted}: tcp_v6_mtu_reduced records the path MTU (inet6_csk_update_pmtu), so the MSS becomes ${info - IPV6_HLEN - 20} less options for what is sent next.`);
    }
    if (sk.state === 'TCP_SYN_SENT' || sk.state === 'TCP_SYN_RECV') {
      if (owned) {
        sk.errors.push(`${err} (soft)`);
        sk.errSoft = err;
        return step(`${quoted} is connecting, but the error (${err}) arrives while connect() still holds the socket lock: it is only kept as sk_err_soft (LockDroppedIcmps), and the SYN will be retried.`);
      }
      step(`${quoted} is still connecting (${sk.state}): the error (${err}, ${fatal ? 'fatal' : 'not fatal, which SYN_SENT does not ask'}) aborts it (ipv6_icmp_error, tcp_done_with_error).`);
      tcp_done_with_error(net, sk, err);
      return;
    }
    sk.errors.push(`${err} (soft)`);
    sk.errSoft = err;
    step(`${quoted} is established: the error (${err}) is kept as a soft error (no IPV6_RECVERR) and the connection keeps trying.`);
  });
}

inet6_err_handlers.set(NEXTHDR_TCP, tcp_v6_err);
