// net/ipv4/icmp.c: receiving ICMP (echo, errors handed to the sockets they are about) and
// sending it (__icmp_send with the kernel's rules for when no error may be sent, and its two
// rate limits: the global token bucket and the per-destination inet_peer one).
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import { numToIp, rd16 } from '../../proto/addr';
import { csumFold, csumPartial } from '../../proto/checksum';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_FRAG_NEEDED,
  ICMP_HLEN,
  ICMP_PARAMETERPROB,
  ICMP_REDIRECT,
  ICMP_TIME_EXCEEDED,
  ICMP_TYPE_NAMES,
  UNREACH_CODE_NAMES,
  readIcmp,
  writeIcmp,
} from '../../proto/icmp';
import { IP_OFFSET, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPV4_HLEN, readIp } from '../../proto/ipv4';
import { ip_route_output_key, isLocalAddr } from './route';
import { ip_make_skb } from './ip_make';
import { ip_send_skb } from './ip_output';
import { udp_err } from './udp';
import { raw_icmp_error, ping_rcv } from './raw';
import { tcp_v4_err } from './tcp_ipv4';
import { nf_ct_attach } from '../netfilter/nf_ct_attach';

const FILE = 'net/ipv4/icmp.c';
/** NR_ICMP_TYPES */
const NR_ICMP_TYPES = 18;
const IS_ERROR: Record<number, boolean> = { 3: true, 4: true, 5: true, 11: true, 12: true };
const OUT_NAMES: Record<number, string> = { 0: 'IcmpOutEchoReps', 3: 'IcmpOutDestUnreachs', 5: 'IcmpOutRedirects', 8: 'IcmpOutEchos', 11: 'IcmpOutTimeExcds', 12: 'IcmpOutParmProbs' };
const IN_NAMES: Record<number, string> = { 0: 'IcmpInEchoReps', 3: 'IcmpInDestUnreachs', 5: 'IcmpInRedirects', 8: 'IcmpInEchos', 11: 'IcmpInTimeExcds', 12: 'IcmpInParmProbs' };
/** IPTOS_PREC_INTERNETCONTROL: the precedence ICMP errors carry */
const TOS_INTERNETCONTROL = 0xc0;

export function icmpName(type: number, code: number): string {
  if (type === ICMP_DEST_UNREACH) return `destination unreachable (${UNREACH_CODE_NAMES[code] ?? `code ${code}`})`;
  if (type === ICMP_TIME_EXCEEDED) return code === 0 ? 'time exceeded (TTL)' : 'time exceeded (reassembly)';
  return ICMP_TYPE_NAMES[type] ?? `type ${type}`;
}

/** icmp_out_count: IcmpOutMsgs and the per-type counters. */
export function icmp_out_count(net: Net, type: number): void {
  net.count('IcmpOutMsgs');
  net.count(`IcmpMsgOutType${type}`);
  const n = OUT_NAMES[type];
  if (n) net.count(n);
}

/** icmp_global_allow: the namespace-wide token bucket (icmp_msgs_per_sec, icmp_msgs_burst). */
function icmp_global_allow(net: Net): boolean {
  const g = net.icmpGlobal;
  if (g.credit > 0) return true;
  const nowMs = net.w.sched.now / 1e6;
  const delta = Math.min(nowMs - g.stamp, 1000);
  if (delta < 20) return false;
  const incr = Math.floor((net.get('net.ipv4.icmp_msgs_per_sec') * delta) / 1000);
  if (!incr) return false;
  g.stamp = nowMs;
  g.credit = Math.min(g.credit + incr, net.get('net.ipv4.icmp_msgs_burst'));
  return true;
}

/** icmpv4_mask_allow: types outside icmp_ratemask, and fragmentation needed, are never limited. */
function icmpv4_mask_allow(net: Net, type: number, code: number): boolean {
  if (type > NR_ICMP_TYPES) return true;
  if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED) return true;
  return ((1 << type) & net.get('net.ipv4.icmp_ratemask')) === 0;
}

/** inet_peer_xrlim_allow: one token per icmp_ratelimit ms, a burst of six; a new peer starts full. */
function icmpv4_xrlim_allow(net: Net, daddr: number, outLoopback: boolean): boolean {
  if (outLoopback) return true;
  const timeout = net.get('net.ipv4.icmp_ratelimit');
  const nowMs = net.w.sched.now / 1e6;
  let p = net.peers.get(daddr);
  if (!p) {
    p = { rateTokens: 0, rateLast: nowMs - 60000 };
    net.peers.set(daddr, p);
  }
  let token = p.rateTokens + (nowMs - p.rateLast);
  p.rateLast = nowMs;
  if (token > 6 * timeout) token = 6 * timeout;
  let ok = false;
  if (token >= timeout) {
    token -= timeout;
    ok = true;
  }
  p.rateTokens = token;
  return ok;
}

/**
 * icmp_send → __icmp_send: answer `skbIn` with an ICMP error. Several rules forbid an answer;
 * the step says which one applied.
 */
export function icmp_send(net: Net, skbIn: SkBuff, type: number, code: number, info: number): void {
  net.call('__icmp_send', () => {
    const rtIn = skbIn.dst;
    const say = (what: string): void => net.step(skbIn, 'L3', '__icmp_send', FILE, what);
    if (!rtIn || skbIn.network_header < 0) return say('No route is attached to the packet, so no ICMP error can be sent.');
    const iph = readIp(skbIn.buf, skbIn.network_header);
    if (skbIn.pkt_type !== 'PACKET_HOST') return say(`No ICMP error for a packet that came as a link-layer ${skbIn.pkt_type === 'PACKET_BROADCAST' ? 'broadcast' : 'multicast'}.`);
    if (rtIn.type === 'RTN_BROADCAST' || rtIn.type === 'RTN_MULTICAST') return say('No ICMP error for a packet sent to a broadcast or multicast address.');
    if (iph.fragOff & IP_OFFSET) return say('No ICMP error for a fragment other than the first.');
    if (IS_ERROR[type] && iph.protocol === IPPROTO_ICMP) {
      const inner = skbIn.buf[skbIn.network_header + iph.ihl * 4];
      if (inner > NR_ICMP_TYPES || IS_ERROR[inner]) return say('No ICMP error about an ICMP error (that could loop forever).');
    }
    let applyRatelimit = false;
    const inLoopback = skbIn.dev?.isLoopback ?? false;
    if (!inLoopback && !icmpv4_mask_allow(net, type, code)) {
      if (!icmp_global_allow(net)) {
        net.count('IcmpOutRateLimitGlobal');
        return say(`The global ICMP rate limit (icmp_msgs_per_sec ${net.get('net.ipv4.icmp_msgs_per_sec')}, burst ${net.get('net.ipv4.icmp_msgs_burst')}) has no token left: no ${icmpName(type, code)} is sent.`);
      }
      applyRatelimit = true;
    }
    // The source: the address the packet was sent to, if it was for us; else the route's choice.
    const forUs = rtIn.type === 'RTN_LOCAL' && isLocalAddr(net, iph.daddr);
    const saddr = forUs ? iph.daddr : 0;
    const r = ip_route_output_key(net, iph.saddr, saddr, skbIn.mark);
    if ('error' in r) return say(`No route back to ${numToIp(iph.saddr)} for the ICMP error: ${r.what}.`);
    if (applyRatelimit && !icmpv4_xrlim_allow(net, iph.saddr, r.rt.dev.isLoopback)) {
      net.count('IcmpOutRateLimitHost');
      return say(`The per-destination rate limit (icmp_ratelimit ${net.get('net.ipv4.icmp_ratelimit')} ms) for ${numToIp(iph.saddr)} has no token left: no ${icmpName(type, code)} is sent.`);
    }
    if (applyRatelimit && net.randBelow(3)) net.icmpGlobal.credit -= 1;
    let room = Math.min(r.rt.mtu(), 576) - IPV4_HLEN - ICMP_HLEN;
    const inLen = skbIn.tail - skbIn.network_header;
    const dataLen = Math.min(inLen, room);
    room = dataLen;
    const pkt = net.w.rec.newPacket(net.name, skbIn.pkt);
    const rest = type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED ? info & 0xffff : type === ICMP_PARAMETERPROB ? (info << 24) >>> 0 : info;
    const skb = ip_make_skb(net, r.rt, { saddr: r.saddr, daddr: iph.saddr, protocol: IPPROTO_ICMP, ttl: net.get('net.ipv4.ip_default_ttl'), tos: (iph.tos & 0x1e) | TOS_INTERNETCONTROL, df: false }, ICMP_HLEN + room, pkt, (b, off) => {
      b.set(skbIn.buf.subarray(skbIn.network_header, skbIn.network_header + room), off + ICMP_HLEN);
      writeIcmp(b, off, ICMP_HLEN + room, { type, code, rest });
    });
    // icmp_glue_bits: an error carries the offending packet's conntrack entry (RELATED)
    nf_ct_attach(skb, skbIn);
    net.call('icmp_push_reply', () => {
      icmp_out_count(net, type);
      net.step(skb, 'L3', 'icmp_push_reply', FILE, `ICMP ${icmpName(type, code)}${type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED ? ` (next-hop MTU ${info})` : ''} is sent from ${numToIp(r.saddr)} to ${numToIp(iph.saddr)}, quoting the first ${room} bytes of the offending datagram.`);
      net.call('ip_push_pending_frames', () => ip_send_skb(net, skb));
    });
  });
}

/** icmp_rcv: count, check the checksum, dispatch on the type. skb->data is at the ICMP header. */
export function icmp_rcv(net: Net, skb: SkBuff): void {
  net.call('icmp_rcv', () => {
    net.count('IcmpInMsgs');
    const off = skb.data;
    const len = skb.len;
    const csumOk = skb.ip_summed === 'CHECKSUM_UNNECESSARY' || csumFold(csumPartial(skb.buf, off, len)) === 0;
    if (!csumOk) {
      net.count('IcmpInCsumErrors');
      net.count('IcmpInErrors');
      net.drop(skb, 'L4', 'icmp_rcv', FILE, 'ICMP_CSUM', 'The ICMP checksum is wrong: IcmpInCsumErrors, IcmpInErrors, dropped.');
      return;
    }
    if (len < ICMP_HLEN) {
      net.count('IcmpInErrors');
      net.drop(skb, 'L4', 'icmp_rcv', FILE, 'NOT_SPECIFIED', 'Too short for an ICMP header.');
      return;
    }
    const h = readIcmp(skb.buf, off);
    net.count(`IcmpMsgInType${h.type}`);
    if (IN_NAMES[h.type]) net.count(IN_NAMES[h.type]);
    if (h.type > NR_ICMP_TYPES) {
      net.count('IcmpInErrors');
      net.drop(skb, 'L4', 'icmp_rcv', FILE, 'UNHANDLED_PROTO', `Unknown ICMP type ${h.type}.`);
      return;
    }
    const rt = skb.dst!;
    if (rt.type === 'RTN_BROADCAST' && h.type === ICMP_ECHO && net.get('net.ipv4.icmp_echo_ignore_broadcasts')) {
      net.count('IcmpInErrors');
      net.drop(skb, 'L4', 'icmp_rcv', FILE, 'INVALID_PROTO', 'An echo request to a broadcast address is ignored (icmp_echo_ignore_broadcasts = 1).');
      return;
    }
    net.step(skb, 'L4', 'icmp_rcv', FILE, `ICMP ${icmpName(h.type, h.code)} arrives, checksum right (IcmpInMsgs).`);
    skb.pull(ICMP_HLEN);
    if (h.type === ICMP_ECHO) icmp_echo(net, skb);
    else if (h.type === ICMP_ECHOREPLY) {
      const reason = ping_rcv(net, skb);
      if (reason) {
        if (net.w.rec.getFate(skb.pkt)?.kind === 'delivered') {
          // ping's raw socket got a clone (raw_local_deliver): the packet's fate stays
          // "delivered", but icmp_rcv still frees this skb with ping_rcv's drop reason
          net.step(skb, 'L4', 'icmp_rcv', FILE, `ping_rcv found no ping socket, so icmp_rcv frees this skb with SKB_DROP_REASON_${reason}; ping's raw socket already has its copy.`, { drop: `SKB_DROP_REASON_${reason}` });
        } else net.drop(skb, 'L4', 'icmp_rcv', FILE, reason, 'An echo reply nobody waits for: no ping socket has this id, so icmp_rcv frees it with ping_rcv\'s drop reason.');
      }
    }
    else if (h.type === ICMP_DEST_UNREACH || h.type === ICMP_TIME_EXCEEDED || h.type === ICMP_PARAMETERPROB) icmp_unreach(net, skb, h.type, h.code, h.rest);
    else {
      net.step(skb, 'L4', 'icmp_discard', FILE, `ICMP ${icmpName(h.type, h.code)} needs no action here.`);
      net.fate(skb, { kind: 'consumed', fn: 'icmp_discard' });
    }
  });
}

/** icmp_echo → icmp_reply: answer an echo request with the same id, sequence and data. */
function icmp_echo(net: Net, skb: SkBuff): void {
  net.call('icmp_echo', () => {
    if (net.get('net.ipv4.icmp_echo_ignore_all')) {
      net.step(skb, 'L4', 'icmp_echo', FILE, 'icmp_echo_ignore_all = 1: echo requests are not answered.');
      net.fate(skb, { kind: 'consumed', fn: 'icmp_echo', detail: 'ignored' });
      return;
    }
    const iph = readIp(skb.buf, skb.network_header);
    const icmpOff = skb.transport_header;
    const bodyLen = skb.tail - icmpOff;
    const h = readIcmp(skb.buf, icmpOff);
    net.call('icmp_reply', () => {
      // fib_compute_spec_dst: the reply comes from the address the request was sent to.
      const r = ip_route_output_key(net, iph.saddr, iph.daddr, skb.mark);
      if ('error' in r) {
        net.step(skb, 'L4', 'icmp_reply', FILE, `No route back to ${numToIp(iph.saddr)}: ${r.what}; no echo reply.`);
        net.fate(skb, { kind: 'consumed', fn: 'icmp_reply' });
        return;
      }
      const pkt = net.w.rec.newPacket(net.name, skb.pkt);
      const reply = ip_make_skb(net, r.rt, { saddr: r.saddr, daddr: iph.saddr, protocol: IPPROTO_ICMP, ttl: net.get('net.ipv4.ip_default_ttl'), tos: iph.tos, df: false }, bodyLen, pkt, (b, off) => {
        b.set(skb.buf.subarray(icmpOff, icmpOff + bodyLen), off);
        writeIcmp(b, off, bodyLen, { type: ICMP_ECHOREPLY, code: 0, rest: h.rest });
      });
      net.step(skb, 'L4', 'icmp_echo', FILE, `An echo request (id ${h.rest >>> 16}, seq ${h.rest & 0xffff}) is answered with an echo reply carrying the same ${bodyLen - ICMP_HLEN} data bytes.`);
      net.fate(skb, { kind: 'consumed', fn: 'icmp_echo', detail: 'answered with an echo reply' });
      net.call('icmp_push_reply', () => {
        icmp_out_count(net, ICMP_ECHOREPLY);
        net.step(reply, 'L3', 'icmp_push_reply', FILE, `The echo reply ${numToIp(r.saddr)} → ${numToIp(iph.saddr)} goes down the output path.`);
        net.call('ip_push_pending_frames', () => ip_send_skb(net, reply));
      });
    });
  });
}

/**
 * icmp_unreach: an error about a datagram we sent. The quoted header finds the socket; the
 * transport's err_handler (udp_err, tcp_v4_err) and raw sockets are told.
 */
function icmp_unreach(net: Net, skb: SkBuff, type: number, code: number, info: number): void {
  net.call('icmp_unreach', () => {
    if (!skb.mayPull(IPV4_HLEN)) {
      net.count('IcmpInErrors');
      net.drop(skb, 'L4', 'icmp_unreach', FILE, 'NOT_SPECIFIED', 'The ICMP error is too short to quote an IP header.');
      return;
    }
    const inner = readIp(skb.buf, skb.data);
    if (inner.ihl < 5) {
      net.count('IcmpInErrors');
      net.drop(skb, 'L4', 'icmp_unreach', FILE, 'IP_INHDR', 'The quoted IP header is mangled.');
      return;
    }
    let mtuInfo = 0;
    if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED && net.get('net.ipv4.ip_no_pmtu_disc') === 0) {
      mtuInfo = info & 0xffff;
      // ipv4_update_pmtu: a route exception for the destination with the smaller MTU (10 minutes).
      if (mtuInfo >= 552 && isLocalAddr(net, inner.saddr)) net.pmtu.set(inner.daddr, mtuInfo);
    }
    if (type === ICMP_TIME_EXCEEDED && code === 1) {
      net.step(skb, 'L4', 'icmp_unreach', FILE, 'Reassembly time exceeded at the other end: nothing to tell a socket.');
      net.fate(skb, { kind: 'consumed', fn: 'icmp_unreach' });
      return;
    }
    net.step(skb, 'L4', 'icmp_unreach', FILE, `ICMP ${icmpName(type, code)} about our datagram ${numToIp(inner.saddr)} → ${numToIp(inner.daddr)} (protocol ${inner.protocol})${mtuInfo ? `: the path MTU to ${numToIp(inner.daddr)} is now ${mtuInfo}` : ''}; icmp_socket_deliver tells the socket.`);
    const l4 = skb.data + inner.ihl * 4;
    const haveL4 = skb.tail - l4 >= 8;
    const delivered = raw_icmp_error(net, inner.protocol);
    if (!delivered) net.fate(skb, { kind: 'consumed', fn: 'icmp_unreach', detail: 'error reported' });
    if (haveL4 && inner.protocol === IPPROTO_UDP) udp_err(net, skb, inner.saddr, rd16(skb.buf, l4), inner.daddr, rd16(skb.buf, l4 + 2), type, code);
    else if (haveL4 && inner.protocol === IPPROTO_TCP) tcp_v4_err(net, skb, inner.saddr, rd16(skb.buf, l4), inner.daddr, rd16(skb.buf, l4 + 2), type, code);
  });
}

/** ip_rt_send_redirect (net/ipv4/route.c): the packet leaves where it came in — tell the sender. */
export function ip_rt_send_redirect(net: Net, skb: SkBuff): void {
  net.call('ip_rt_send_redirect', () => {
    const rt = skb.dst!;
    const iph = readIp(skb.buf, skb.network_header);
    const gw = rt.gateway || iph.daddr;
    net.step(skb, 'L3', 'ip_rt_send_redirect', 'net/ipv4/route.c', `The packet leaves on the interface it came in on, so the sender is told of a better first hop (${numToIp(gw)}) with ICMP redirect.`);
    icmp_send(net, skb, ICMP_REDIRECT, 1, gw);
  });
}
