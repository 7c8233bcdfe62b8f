// net/ipv6/raw.c (v6.12): the ICMPv6 raw socket ping uses (iputils opens SOCK_RAW
// IPPROTO_ICMPV6 when ping_group_range forbids datagram sockets, as in a fresh namespace) —
// rawv6_sendmsg for an echo request, ipv6_raw_deliver for what comes back. iputils sets
// ICMP6_FILTER so the socket hears only echo replies and errors; it keeps those about its own
// echo requests.
import { ipv6_skip_exthdr } from './exthdrs_core';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { RawSock } from '../ipv4/sock_types';
import { ipv6AddrEqual } from '../../proto/inet_addr';
import { ICMPV6_DEST_UNREACH, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_HLEN, ICMPV6_PARAMPROB, ICMPV6_PKT_TOOBIG, ICMPV6_TIME_EXCEED, IPV6_HLEN, NEXTHDR_ICMP, readIcmp6, readIpv6, writeIcmp6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { ip6_dst_lookup } from './route';
import { ENOBUFS, ip6_make_skb, ip6_send_skb } from './ip6_output';
import { icmp6Name } from './icmp';
import { PING_ENOBUFS, ping_open } from '../ipv4/raw';

const FILE = 'net/ipv6/raw.c';
const DATAGRAM_FILE = 'net/ipv6/datagram.c';
const ERRORS = [ICMPV6_DEST_UNREACH, ICMPV6_PKT_TOOBIG, ICMPV6_TIME_EXCEED, ICMPV6_PARAMPROB];

/** A new ICMPv6 raw socket for one ping item, with its own echo id (see ping_open). */
export function ping6_open(net: Net): RawSock {
  return ping_open(net, NEXTHDR_ICMP);
}

export interface Ping6Options {
  /** the item's ping socket: ping_open(net, NEXTHDR_ICMP), a new one (and echo id) per item as for IPv4 */
  sock: RawSock;
  daddr: Uint8Array;
  seq: number;
  hopLimit?: number;
  /** the IPv6 packet's length: header and payload */
  size: number;
}

/** iputils ping's probe connect() (ip6_datagram_connect): no route, and ping exits; ENETUNREACH counts Ip6OutNoRoutes. */
export function ping6_probe_connect(net: Net, daddr: Uint8Array): boolean {
  return net.w.rec.fresh(() =>
    net.call('ip6_datagram_connect', () => {
      const r = ip6_dst_lookup(net, daddr);
      if (!('error' in r)) return true;
      net.step(null, 'socket', 'ip6_datagram_connect', DATAGRAM_FILE, net.full ? `ping's probe connect() to ${formatIpv6(daddr)} is refused: ${r.what}${r.error === 101 ? ' (Ip6OutNoRoutes)' : ''}. ping exits before sending any echo request.` : '');
      return false;
    }),
  );
}

/** rawv6_sendmsg → ip6_append_data → rawv6_push_pending_frames (which fills the ICMPv6 checksum) → ip6_send_skb. */
export function ping6_send(net: Net, o: Ping6Options): number | string {
  return net.w.rec.fresh(() =>
    net.call('rawv6_sendmsg', () => {
      const sock = o.sock;
      sock.whereto6 = o.daddr;
      // ping_v6_sendmsg: ip6_sk_dst_lookup_flow
      const r = ip6_dst_lookup(net, o.daddr);
      const pkt = net.w.rec.newPacket(net.name, null);
      if ('error' in r) {
        net.step(null, 'socket', 'rawv6_sendmsg', FILE, net.full ? `ping's sendmsg to ${formatIpv6(o.daddr)} fails: ${r.what}.` : '');
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'rawv6_sendmsg', reason: 'SKB_DROP_REASON_IP_OUTNOROUTES', detail: r.what });
        return r.what;
      }
      const len = o.size - IPV6_HLEN;
      const hop = o.hopLimit ?? net.get(`net.ipv6.conf.${r.rt.dev.name}.hop_limit`);
      const skb = ip6_make_skb(net, r.rt, { saddr: r.saddr, daddr: o.daddr, nexthdr: NEXTHDR_ICMP, hopLimit: hop }, len, pkt, (b, off) => {
        // iputils ping's data: the send time, then bytes counting up (here 8 bytes of simulated time)
        const t = net.w.sched.now;
        for (let i = 0; i < 8; i++) b[off + ICMPV6_HLEN + i] = Math.floor(t / 256 ** i) & 255;
        for (let i = 16; i < len - ICMPV6_HLEN; i++) b[off + ICMPV6_HLEN + i] = i & 255;
        writeIcmp6(b, off, len, { type: ICMPV6_ECHO_REQUEST, code: 0, rest: ((sock.echoId << 16) | o.seq) >>> 0 }, r.saddr, o.daddr);
      });
      // iputils sends with MSG_CONFIRM after a reply (and clears it after each send):
      // __ip6_append_data marks the first sk_buff dst_pending_confirm, and ip6_finish_output2
      // confirms the next hop's neighbour with it (sock_confirm_neigh)
      const confirm = !!sock.msgConfirm;
      sock.msgConfirm = false;
      if (confirm) skb.dst_pending_confirm = true;
      net.step(skb, 'socket', 'rawv6_sendmsg', FILE, net.full ? `ping sends ICMPv6 echo request id ${sock.echoId} seq ${o.seq} to ${formatIpv6(o.daddr)} from ${formatIpv6(r.saddr)}: ${o.size} bytes, hop limit ${hop}${confirm ? ', with MSG_CONFIRM (a reply came since the last one)' : ''}; the route says ${r.rt.describe()} (Icmp6OutEchos).` : '');
      const err = net.call('rawv6_push_pending_frames', () => ip6_send_skb(net, skb));
      if (err === -ENOBUFS) {
        net.step(null, 'socket', 'rawv6_sendmsg', FILE, net.full ? `sendmsg returns ENOBUFS to ping (rawv6_push_pending_frames passes ip6_send_skb's error on). ping does not count seq ${o.seq} as sent.` : '', { ret: '-ENOBUFS' });
        return PING_ENOBUFS;
      }
      return pkt;
    }),
  );
}

/**
 * What ping keeps: an echo reply with its id; an error quoting its echo request to its
 * destination. The quoted request is found past the quoted extension headers as icmpv6_notify
 * finds it (ipv6_skip_exthdr: the first fragment of a fragmented request counts), since the
 * error reaches ping at that offset (rawv6_err's payload).
 */
function pingTakes6(skb: SkBuff, s: RawSock): boolean {
  const h = readIcmp6(skb.buf, skb.transport_header);
  if (h.type === ICMPV6_ECHO_REPLY) return h.rest >>> 16 === s.echoId;
  if (!ERRORS.includes(h.type)) return false;
  const q = skb.transport_header + ICMPV6_HLEN;
  if (skb.tail - q < IPV6_HLEN) return false;
  const inner = readIpv6(skb.buf, q);
  const walked = ipv6_skip_exthdr(skb.buf, q + IPV6_HLEN, skb.tail, inner.nexthdr);
  if (!walked || walked.nexthdr !== NEXTHDR_ICMP || skb.tail - walked.off < ICMPV6_HLEN) return false;
  const ih = readIcmp6(skb.buf, walked.off);
  return ih.type === ICMPV6_ECHO_REQUEST && !!s.whereto6 && ipv6AddrEqual(inner.daddr, s.whereto6) && ih.rest >>> 16 === s.echoId;
}

/**
 * ipv6_raw_deliver: a clone for every raw socket of the protocol whose ICMP6_FILTER passes the
 * type. Returns 'ping' when ping kept its clone (the packet's fate is then its socket), 'copy'
 * when a socket got one it ignores, false when none did.
 */
export function raw6_local_deliver(net: Net, skb: SkBuff, nexthdr: number): 'ping' | 'copy' | false {
  const socks = net.sock.raw.filter((s) => s.protocol === nexthdr && nexthdr === NEXTHDR_ICMP && s.whereto6);
  if (socks.length === 0) return false;
  const h = readIcmp6(skb.buf, skb.transport_header);
  if (h.type !== ICMPV6_ECHO_REPLY && !ERRORS.includes(h.type)) return false;
  const call = net.enter('ipv6_raw_deliver');
  try {
    const ip = readIpv6(skb.buf, skb.network_header);
    const what = icmp6Name(h.type, h.code, h.rest);
    const ours = socks.some((s) => pingTakes6(skb, s));
    for (const s of socks) {
      if (!pingTakes6(skb, s)) continue;
      s.received.push({ from: formatIpv6(ip.saddr), what, packet: skb.pkt });
      // iputils' gather_statistics: a reply arms MSG_CONFIRM for the next echo request
      if (h.type === ICMPV6_ECHO_REPLY) s.msgConfirm = true;
    }
    if (ours) {
      net.step(skb, 'socket', 'rawv6_rcv', FILE, net.full ? `The raw ICMPv6 socket of ping gets a copy: ${what} from ${formatIpv6(ip.saddr)}.` : '');
      net.fate(skb, { kind: 'delivered', fn: 'raw_rcv', detail: `raw ICMP socket (ping): ${what}` });
      return 'ping';
    }
    net.step(skb, 'socket', 'rawv6_rcv', FILE, net.full ? `The raw ICMPv6 socket of ping gets a copy of this ${what}, which ping ignores (not about its own echo requests).` : '');
    return 'copy';
  } finally {
    net.leave(call);
  }
}

/** raw6_icmp_error: ping's socket hears the error (its copy was taken in ipv6_raw_deliver). */
export function raw6_icmp_error(net: Net, skb: SkBuff, innerNexthdr: number): void {
  if (net.sock.raw.some((s) => s.protocol === innerNexthdr && s.whereto6)) net.step(skb, 'socket', 'raw6_icmp_error', FILE, 'The raw ICMPv6 socket whose echo request is quoted is told of the error (ping prints it).');
}
