// net/ipv4/icmp.c: receiving ICMP (echo, errors handed to the sockets they are about) and
// sending it (__icmp_send with the kernel's rules for when no error may be sent, and its two
// rate limits: the global token bucket and the per-destination inet_peer one).
import { XmitLock } from '../core/xmit_lock';
import { skb_release_data } from '../core/skb_release';
import type { SnmpName } from '../snmp';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import { numToIp } from '../../proto/addr';
import { csumFold, csumPartial } from '../../proto/checksum';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ADDRESS,
  ICMP_ADDRESSREPLY,
  ICMP_ECHOREPLY,
  ICMP_FRAG_NEEDED,
  ICMP_HLEN,
  ICMP_PARAMETERPROB,
  ICMP_REDIRECT,
  ICMP_TIME_EXCEEDED,
  ICMP_TIMESTAMP,
  ICMP_TIMESTAMPREPLY,
  ICMP_TYPE_NAMES,
  UNREACH_CODE_NAMES,
  readIcmp,
  writeIcmp,
} from '../../proto/icmp';
import { IP_OFFSET, IPPROTO_ICMP, IPV4_HLEN, readIp } from '../../proto/ipv4';
import { inet_select_addr, ip_route_output_key, isLocalAddr } from './route';
import type { Rtable } from './route_types';
import { ip_make_skb } from './ip_make';
import { ip_send_skb } from './ip_output';
import { raw_icmp_error, ping_rcv } from './raw';
import { inet_protos } from './ip_input';
import { ip_do_redirect } from './route';
import { nf_ct_attach } from '../netfilter/nf_ct_attach';
import { snmpId } from '../snmp_ids';
import { HZ, JIFFY_MS } from '../../proc/sysctl';
import { jiffiesAt } from '../../sim/scheduler';
import { inet_getpeer, inet_peer_xrlim_allow } from './inetpeer';

/** one jiffy in ms (HZ 250) */

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IcmpInCsumErrors = snmpId('IcmpInCsumErrors');
const SNMP_IcmpInErrors = snmpId('IcmpInErrors');
const SNMP_IcmpInMsgs = snmpId('IcmpInMsgs');
const SNMP_IcmpOutMsgs = snmpId('IcmpOutMsgs');
const SNMP_IcmpOutRateLimitGlobal = snmpId('IcmpOutRateLimitGlobal');
const SNMP_IcmpOutRateLimitHost = snmpId('IcmpOutRateLimitHost');

const FILE = 'net/ipv4/icmp.c';
/** NR_ICMP_TYPES */
const NR_ICMP_TYPES = 18;
/** NR_ICMP_UNREACH: the highest destination-unreachable code */
const NR_ICMP_UNREACH = 15;
const OUT_NAMES: Record<number, SnmpName> = { 0: 'IcmpOutEchoReps', 3: 'IcmpOutDestUnreachs', 5: 'IcmpOutRedirects', 8: 'IcmpOutEchos', 11: 'IcmpOutTimeExcds', 12: 'IcmpOutParmProbs' };
const IN_NAMES: Record<number, SnmpName> = { 0: 'IcmpInEchoReps', 3: 'IcmpInDestUnreachs', 5: 'IcmpInRedirects', 8: 'IcmpInEchos', 11: 'IcmpInTimeExcds', 12: 'IcmpInParmProbs' };
/** IPTOS_PREC_INTERNETCONTROL: the precedence ICMP errors carry */
const TOS_INTERNETCONTROL = 0xc0;

export function icmpName(type: number, code: number): string {
  if (type === ICMP_DEST_UNREACH) return `destination unreachable (${UNREACH_CODE_NAMES[code] ?? `code ${code}`})`;
  if (type === ICMP_TIME_EXCEEDED) return code === 0 ? 'time exceeded (TTL)' : 'time exceeded (reassembly)';
  return ICMP_TYPE_NAMES[type] ?? `type ${type}`;
}

/** icmp_out_count: IcmpOutMsgs and the per-type counters. */
export function icmp_out_count(net: Net, type: number): void {
  net.count(SNMP_IcmpOutMsgs);
  net.count(`IcmpMsgOutType${type}`);
  const n = OUT_NAMES[type];
  if (n) net.count(n);
}

/**
 * icmp_global_allow (v6.12): the namespace-wide token bucket (icmp_msgs_per_sec, icmp_msgs_burst),
 * refilled in whole jiffies: at most a second's worth, nothing until HZ / 50 jiffies have passed.
 * The refill is an unsigned 32-bit product divided by HZ, so a rate above UINT_MAX / HZ wraps.
 */
export function icmp_global_allow(net: Net): boolean {
  const g = net.icmpGlobal;
  if (g.credit > 0) return true;
  const now = jiffiesAt(net.w.sched.now);
  const delta = Math.min(now - g.stamp, HZ);
  if (delta < HZ / 50) return false;
  const incr = Math.floor((Math.imul(net.get('net.ipv4.icmp_msgs_per_sec'), delta) >>> 0) / HZ);
  if (!incr) return false;
  g.stamp = now;
  g.credit = Math.min(g.credit + incr, net.get('net.ipv4.icmp_msgs_burst'));
  return true;
}

/**
 * icmp_global_consume (v6.12): a message that passed both limits takes a random 0, 1 or 2
 * credits (get_random_u32_below(3)), so the bucket runs dry after about burst/1 messages on
 * average; the credit may go negative.
 */
export function icmp_global_consume(net: Net): void {
  const credits = net.randBelow(3);
  if (credits) net.icmpGlobal.credit -= credits;
}

/** icmpv4_mask_allow: types outside icmp_ratemask, and fragmentation needed, are never limited. */
function icmpv4_mask_allow(net: Net, type: number, code: number): boolean {
  if (type > NR_ICMP_TYPES) return true;
  if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED) return true;
  return ((1 << type) & net.get('net.ipv4.icmp_ratemask')) === 0;
}

/** icmpv4_global_allow: unlimited types pass; others need the global bucket (then apply_ratelimit). */
function icmpv4_global_allow(net: Net, type: number, code: number): { ok: boolean; applyRatelimit: boolean } {
  if (icmpv4_mask_allow(net, type, code)) return { ok: true, applyRatelimit: false };
  if (icmp_global_allow(net)) return { ok: true, applyRatelimit: true };
  net.count(SNMP_IcmpOutRateLimitGlobal);
  return { ok: false, applyRatelimit: false };
}

/**
 * icmpv4_xrlim_allow → inet_peer_xrlim_allow: one token per icmp_ratelimit (1000 ms, kept in
 * jiffies), a burst of six; a new peer starts full; no limit through loopback. A message let
 * through consumes global credit.
 */
function icmpv4_xrlim_allow(net: Net, rt: Rtable, daddr: number, applyRatelimit: boolean): boolean {
  if (!applyRatelimit) return true;
  let ok = true;
  if (!rt.dev.isLoopback) {
    const now = jiffiesAt(net.w.sched.now);
    ok = inet_peer_xrlim_allow(inet_getpeer(net.peers, daddr, now), net.get('net.ipv4.icmp_ratelimit') / JIFFY_MS, now);
  }
  if (!ok) net.count(SNMP_IcmpOutRateLimitHost);
  else icmp_global_consume(net);
  return ok;
}

/**
 * icmp_xmit_lock (v6.12): icmp_reply and __icmp_send send through the namespace's ICMP socket and
 * hold its spinlock (a trylock, with bottom halves off) from here until icmp_push_reply has put
 * the message through ip_push_pending_frames. An error asked for from inside that output path
 * (an OUTPUT rule rejecting the echo reply or error being sent: nf_send_unreach → icmp_send)
 * finds the lock taken and is not sent at all. Received frames wait for the softirq, which runs
 * only after the lock is released.
 */
const icmp_xmit_lock = new XmitLock();

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
    if (isError(type) && iph.protocol === IPPROTO_ICMP) {
      // skb_header_pointer: the inner type byte must lie inside the packet
      if (skbIn.network_header + iph.ihl * 4 >= skbIn.tail) return say(`The offending packet is ICMP, but its ${iph.ihl * 4}-byte IP header leaves no ICMP type to read (skb_header_pointer fails): no error is sent.`);
      const inner = skbIn.buf[skbIn.network_header + iph.ihl * 4];
      if (inner > NR_ICMP_TYPES || isError(inner)) return say('No ICMP error about an ICMP error (that could loop forever).');
    }
    let applyRatelimit = false;
    const inLoopback = skbIn.dev?.isLoopback ?? false;
    if (!inLoopback) {
      const g = icmpv4_global_allow(net, type, code);
      if (!g.ok) return say(`The global ICMP rate limit (icmp_msgs_per_sec ${net.get('net.ipv4.icmp_msgs_per_sec')}, burst ${net.get('net.ipv4.icmp_msgs_burst')}) has no token left: no ${icmpName(type, code)} is sent (IcmpOutRateLimitGlobal).`);
      applyRatelimit = g.applyRatelimit;
    }
    if (icmp_xmit_lock.busy(net)) return say(`icmp_xmit_lock fails: this ${icmpName(type, code)} is asked for while the namespace's ICMP socket is itself sending (the offending packet is an ICMP message the kernel is sending, refused on its way out), so spin_trylock finds the lock taken and no error is sent.`);
    // The source: the address the packet was sent to, if its route is a local one (RTCF_LOCAL:
    // any address the local table covers, 127.0.0.6 as well as an interface's); else the
    // route's choice.
    const forUs = rtIn.type === 'RTN_LOCAL';
    const saddr = forUs ? iph.daddr : 0;
    // IP4_REPLY_MARK: the error is routed with the offending packet's mark only with fwmark_reflect
    const mark = IP4_REPLY_MARK(net, skbIn.mark);
    const r = ip_route_output_key(net, iph.saddr, saddr, mark);
    if ('error' in r) return say(`No route back to ${numToIp(iph.saddr)} for the ICMP error: ${r.what}.`);
    if (!icmpv4_xrlim_allow(net, r.rt, iph.saddr, applyRatelimit)) {
      return say(`The per-destination rate limit (icmp_ratelimit ${net.get('net.ipv4.icmp_ratelimit')} ms) for ${numToIp(iph.saddr)} has no token left: no ${icmpName(type, code)} is sent (IcmpOutRateLimitHost).`);
    }
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
    skb.mark = mark;
    // icmp_glue_bits: an error carries the offending packet's conntrack entry (RELATED)
    nf_ct_attach(skb, skbIn);
    icmp_xmit_lock.locked(net, () => net.call('icmp_push_reply', () => {
      icmp_out_count(net, type);
      net.step(skb, 'L3', 'icmp_push_reply', FILE, net.full ? `ICMP ${icmpName(type, code)}${type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED ? ` (next-hop MTU ${info})` : ''} is sent from ${numToIp(r.saddr)} to ${numToIp(iph.saddr)}, quoting the first ${room} bytes of the offending datagram.` : '');
      net.call('ip_push_pending_frames', () => ip_send_skb(net, skb));
    }));
  });
}

/** icmp_rcv: count, check the checksum, dispatch on the type. skb->data is at the ICMP header. */
export function icmp_rcv(net: Net, skb: SkBuff): void {
  net.call('icmp_rcv', () => {
    net.count(SNMP_IcmpInMsgs);
    const off = skb.data;
    const len = skb.len;
    const csumOk = skb.ip_summed === 'CHECKSUM_UNNECESSARY' || csumFold(csumPartial(skb.buf, off, len)) === 0;
    if (!csumOk) {
      net.count(SNMP_IcmpInCsumErrors);
      net.count(SNMP_IcmpInErrors);
      net.drop(skb, 'L4', 'icmp_rcv', FILE, 'ICMP_CSUM', 'The ICMP checksum is wrong: IcmpInCsumErrors, IcmpInErrors, dropped.');
      return;
    }
    if (len < ICMP_HLEN) {
      net.count(SNMP_IcmpInErrors);
      net.drop(skb, 'L4', 'icmp_rcv', FILE, 'NOT_SPECIFIED', 'Too short for an ICMP header.');
      return;
    }
    const h = readIcmp(skb.buf, off);
    net.count(`IcmpMsgInType${h.type}`);
    if (IN_NAMES[h.type]) net.count(IN_NAMES[h.type]);
    if (h.type > NR_ICMP_TYPES) {
      net.count(SNMP_IcmpInErrors);
      net.drop(skb, 'L4', 'icmp_rcv', FILE, 'UNHANDLED_PROTO', net.full ? `Unknown ICMP type ${h.type}.` : '');
      return;
    }
    const rt = skb.dst!;
    if (rt.type === 'RTN_BROADCAST' || rt.type === 'RTN_MULTICAST') {
      // RFC 1122 3.2.2.6 / 3.2.2.8: echo and timestamp to a broadcast may be ignored (the sysctl
      // decides); every other type but the address-mask ones is refused outright (v6.12).
      const where = rt.type === 'RTN_BROADCAST' ? 'a broadcast' : 'a multicast';
      if ((h.type === ICMP_ECHO || h.type === ICMP_TIMESTAMP) && net.get('net.ipv4.icmp_echo_ignore_broadcasts')) {
        net.count(SNMP_IcmpInErrors);
        net.drop(skb, 'L4', 'icmp_rcv', FILE, 'INVALID_PROTO', net.full ? `An ${icmpName(h.type, h.code)} to ${where} address is ignored (icmp_echo_ignore_broadcasts = 1): IcmpInErrors.` : '');
        return;
      }
      if (h.type !== ICMP_ECHO && h.type !== ICMP_TIMESTAMP && h.type !== ICMP_ADDRESS && h.type !== ICMP_ADDRESSREPLY) {
        net.count(SNMP_IcmpInErrors);
        net.drop(skb, 'L4', 'icmp_rcv', FILE, 'INVALID_PROTO', net.full ? `ICMP ${icmpName(h.type, h.code)} sent to ${where} address is not accepted (only echo, timestamp and address-mask messages may be): IcmpInErrors.` : '');
        return;
      }
    }
    const handler = ICMP_POINTERS[h.type].handler;
    net.step(skb, 'L4', 'icmp_rcv', FILE, net.full ? `ICMP ${icmpName(h.type, h.code)} arrives, checksum right (IcmpInMsgs); icmp_pointers[${h.type}] hands it to ${handler}.` : '');
    skb.pull(ICMP_HLEN);
    switch (handler) {
      case 'icmp_echo':
        return icmp_echo(net, skb);
      case 'ping_rcv': {
        const reason = ping_rcv(net, skb);
        if (reason) {
          if (net.w.rec.getFate(skb.pkt)?.kind === 'delivered') {
            // ping's raw socket got a clone (raw_local_deliver): the packet's fate stays
            // "delivered", but icmp_rcv still frees this skb with ping_rcv's drop reason
            net.step(skb, 'L4', 'icmp_rcv', FILE, net.full ? `ping_rcv found no ping socket, so icmp_rcv frees this skb with SKB_DROP_REASON_${reason}; ping's raw socket already has its copy.` : '', { drop: `SKB_DROP_REASON_${reason}` });
            // the raw socket's clone shares the data: ping reads it and frees it (consume_skb in
            // skb_free_datagram), which releases a reassembled reply's frag_list; the model has
            // no step for that read, so the list goes here, with the reason it goes with then
            skb_release_data(net, skb, 'NOT_SPECIFIED');
          } else net.drop(skb, 'L4', 'icmp_rcv', FILE, reason, 'An echo reply nobody waits for: no ping socket has this id, so icmp_rcv frees it with ping_rcv\'s drop reason.');
        }
        return;
      }
      case 'icmp_unreach':
        return icmp_unreach(net, skb, h.type, h.code, h.rest);
      case 'icmp_redirect':
        return icmp_redirect(net, skb, h.rest);
      case 'icmp_timestamp':
        return icmp_timestamp(net, skb);
      case 'icmp_discard':
        net.step(skb, 'L4', 'icmp_discard', FILE, net.full ? `ICMP ${icmpName(h.type, h.code)} needs no action: icmp_discard reports success and the message is consumed.` : '');
        net.fate(skb, { kind: 'consumed', fn: 'icmp_discard' });
    }
  });
}

type IcmpHandler = 'ping_rcv' | 'icmp_discard' | 'icmp_unreach' | 'icmp_redirect' | 'icmp_echo' | 'icmp_timestamp';
/**
 * icmp_pointers[] (net/ipv4/icmp.c, v6.12): each type's handler, and whether it is an error (an
 * error is never answered with an error, and only an error carries the offending packet's
 * conntrack entry).
 */
export const ICMP_POINTERS: { handler: IcmpHandler; error: boolean }[] = [
  { handler: 'ping_rcv', error: false }, // 0 echo reply
  { handler: 'icmp_discard', error: true }, // 1
  { handler: 'icmp_discard', error: true }, // 2
  { handler: 'icmp_unreach', error: true }, // 3 destination unreachable
  { handler: 'icmp_unreach', error: true }, // 4 source quench
  { handler: 'icmp_redirect', error: true }, // 5 redirect
  { handler: 'icmp_discard', error: true }, // 6
  { handler: 'icmp_discard', error: true }, // 7
  { handler: 'icmp_echo', error: false }, // 8 echo request
  { handler: 'icmp_discard', error: true }, // 9
  { handler: 'icmp_discard', error: true }, // 10
  { handler: 'icmp_unreach', error: true }, // 11 time exceeded
  { handler: 'icmp_unreach', error: true }, // 12 parameter problem
  { handler: 'icmp_timestamp', error: false }, // 13 timestamp
  { handler: 'icmp_discard', error: false }, // 14 timestamp reply
  { handler: 'icmp_discard', error: false }, // 15 information request
  { handler: 'icmp_discard', error: false }, // 16 information reply
  { handler: 'icmp_discard', error: false }, // 17 address mask request
  { handler: 'icmp_discard', error: false }, // 18 address mask reply
];

const isError = (type: number): boolean => type <= NR_ICMP_TYPES && ICMP_POINTERS[type].error;

/**
 * icmp_redirect (v6.12): long enough for the quoted IP header, then icmp_socket_deliver hands it
 * to the sender's protocol, which applies it to its route (__ip_do_redirect).
 */
function icmp_redirect(net: Net, skb: SkBuff, gw: number): void {
  const call = net.enter('icmp_redirect');
  try {
    if (skb.len < IPV4_HLEN) {
      net.count(SNMP_IcmpInErrors);
      net.drop(skb, 'L4', 'icmp_redirect', FILE, 'PKT_TOO_SMALL', 'The redirect is too short to quote an IP header: IcmpInErrors.');
      return;
    }
    const inner = readIp(skb.buf, skb.data);
    net.step(skb, 'L4', 'icmp_redirect', FILE, net.full ? `${numToIp(readIp(skb.buf, skb.network_header).saddr)} says: for ${numToIp(inner.daddr)} use the gateway ${numToIp(gw)}; icmp_socket_deliver tells the sending protocol.` : '');
    icmp_socket_deliver(net, skb, ICMP_REDIRECT, skb.buf[skb.transport_header + 1], gw);
  } finally {
    net.leave(call);
  }
}

/**
 * icmp_timestamp (v6.12): answered with a timestamp reply whose receive and transmit times are
 * the milliseconds since midnight UTC (here: of the simulated clock).
 */
function icmp_timestamp(net: Net, skb: SkBuff): void {
  const call = net.enter('icmp_timestamp');
  try {
    if (skb.len < 4) {
      net.count(SNMP_IcmpInErrors);
      net.drop(skb, 'L4', 'icmp_timestamp', FILE, 'PKT_TOO_SMALL', 'A timestamp request without its originate time: IcmpInErrors.');
      return;
    }
    const iph = readIp(skb.buf, skb.network_header);
    const icmpOff = skb.transport_header;
    const h = readIcmp(skb.buf, icmpOff);
    const ms = Math.floor(net.w.sched.now / 1e6) % 86400000;
    const orig = skb.buf.subarray(skb.data, skb.data + 4);
    icmp_reply(net, skb, iph, ICMP_TIMESTAMPREPLY, 20, (b, off) => {
      b.set(orig, off + ICMP_HLEN);
      for (const at of [off + 12, off + 16]) {
        b[at] = ms >>> 24;
        b[at + 1] = (ms >>> 16) & 255;
        b[at + 2] = (ms >>> 8) & 255;
        b[at + 3] = ms & 255;
      }
      writeIcmp(b, off, 20, { type: ICMP_TIMESTAMPREPLY, code: 0, rest: h.rest });
    }, `A timestamp request is answered with a timestamp reply (receive and transmit time ${ms} ms after midnight).`);
  } finally {
    net.leave(call);
  }
}

/** icmp_echo: answer an echo request with the same id, sequence and data (icmp_reply). */
function icmp_echo(net: Net, skb: SkBuff): void {
  const call = net.enter('icmp_echo');
  try {
    if (net.get('net.ipv4.icmp_echo_ignore_all')) {
      net.step(skb, 'L4', 'icmp_echo', FILE, 'icmp_echo_ignore_all = 1: echo requests are not answered.');
      net.fate(skb, { kind: 'consumed', fn: 'icmp_echo', detail: 'ignored' });
      return;
    }
    const iph = readIp(skb.buf, skb.network_header);
    const icmpOff = skb.transport_header;
    const bodyLen = skb.tail - icmpOff;
    const h = readIcmp(skb.buf, icmpOff);
    net.step(skb, 'L4', 'icmp_echo', FILE, net.full ? `An echo request (id ${h.rest >>> 16}, seq ${h.rest & 0xffff}): icmp_reply answers it.` : '');
    icmp_reply(net, skb, iph, ICMP_ECHOREPLY, bodyLen, (b, off) => {
      b.set(skb.buf.subarray(icmpOff, icmpOff + bodyLen), off);
      writeIcmp(b, off, bodyLen, { type: ICMP_ECHOREPLY, code: 0, rest: h.rest });
    }, `An echo request (id ${h.rest >>> 16}, seq ${h.rest & 0xffff}) is answered with an echo reply carrying the same ${bodyLen - ICMP_HLEN} data bytes.`);
  } finally {
    net.leave(call);
  }
}

/** IP4_REPLY_MARK (include/net/ip.h): replies carry the packet's mark only with fwmark_reflect. */
export function IP4_REPLY_MARK(net: Net, mark: number): number {
  return net.get('net.ipv4.fwmark_reflect') ? mark : 0;
}

/**
 * fib_compute_spec_dst (net/ipv4/fib_frontend.c, v6.12): the source of a reply. A packet for one
 * of our addresses is answered from it; one sent to a broadcast or multicast address gets the
 * preferred source of our route back to the sender (inet_select_addr on the incoming device
 * when there is none).
 */
export function fib_compute_spec_dst(net: Net, skb: SkBuff): number {
  const call = net.enter('fib_compute_spec_dst');
  try {
    const iph = readIp(skb.buf, skb.network_header);
    const rt = skb.dst!;
    if (rt.type === 'RTN_LOCAL') return iph.daddr;
    const dev = skb.dev ?? net.lo;
    if (iph.saddr !== 0) {
      // the flow's mark is the packet's only with src_valid_mark (IN_DEV_SRC_VMARK)
      const vmark = net.devOrconf(dev, 'src_valid_mark') ? skb.mark : 0;
      const res = net.fib.lookup({ daddr: iph.saddr, saddr: 0, iif: net.lo.ifindex, oif: 0, mark: vmark, tos: iph.tos & 0xfc, iifName: 'lo' });
      if (!('error' in res)) {
        const r = res.route;
        if (r.prefsrc) return r.prefsrc;
        return inet_select_addr(net, r.dev, r.gw || iph.saddr);
      }
    }
    return inet_select_addr(net, dev, iph.saddr);
  } finally {
    net.leave(call);
  }
}

/**
 * icmp_reply (v6.12): the answer to an echo or timestamp request: the global and per-peer rate
 * limits (for types in icmp_ratemask), the source from fib_compute_spec_dst, the mark from
 * IP4_REPLY_MARK, the request's TOS, then icmp_push_reply.
 */
function icmp_reply(net: Net, skb: SkBuff, iph: ReturnType<typeof readIp>, type: number, len: number, fill: (b: Uint8Array, off: number) => void, what: string): void {
  net.call('icmp_reply', () => {
    const say = (why: string): void => {
      net.step(skb, 'L4', 'icmp_reply', FILE, why);
      net.fate(skb, { kind: 'consumed', fn: 'icmp_reply' });
    };
    const g = icmpv4_global_allow(net, type, 0);
    if (!g.ok) return say(`The global ICMP rate limit has no token left: no ${icmpName(type, 0)} is sent (IcmpOutRateLimitGlobal).`);
    const mark = IP4_REPLY_MARK(net, skb.mark);
    const saddr = fib_compute_spec_dst(net, skb);
    const r = ip_route_output_key(net, iph.saddr, saddr, mark);
    if ('error' in r) return say(`No route back to ${numToIp(iph.saddr)}: ${r.what}; no ${icmpName(type, 0)}.`);
    if (!icmpv4_xrlim_allow(net, r.rt, iph.saddr, g.applyRatelimit)) return say(`The per-destination rate limit for ${numToIp(iph.saddr)} has no token left: no ${icmpName(type, 0)} is sent (IcmpOutRateLimitHost).`);
    const pkt = net.w.rec.newPacket(net.name, skb.pkt);
    const reply = ip_make_skb(net, r.rt, { saddr: r.saddr, daddr: iph.saddr, protocol: IPPROTO_ICMP, ttl: net.get('net.ipv4.ip_default_ttl'), tos: iph.tos, df: false }, len, pkt, fill);
    reply.mark = mark;
    net.step(skb, 'L4', 'icmp_reply', FILE, net.full ? `${what} It goes from ${numToIp(r.saddr)}${saddr !== iph.daddr ? ` (fib_compute_spec_dst: the request was sent to ${numToIp(iph.daddr)})` : ''}${mark ? `, with mark ${mark} (fwmark_reflect)` : ''}.` : '');
    net.fate(skb, { kind: 'consumed', fn: type === ICMP_ECHOREPLY ? 'icmp_echo' : 'icmp_timestamp', detail: type === ICMP_ECHOREPLY ? 'answered with an echo reply' : 'answered with a timestamp reply' });
    icmp_xmit_lock.locked(net, () => net.call('icmp_push_reply', () => {
      icmp_out_count(net, type);
      net.step(reply, 'L3', 'icmp_push_reply', FILE, net.full ? `The ${icmpName(type, 0)} ${numToIp(r.saddr)} → ${numToIp(iph.saddr)} goes down the output path.` : '');
      net.call('ip_push_pending_frames', () => ip_send_skb(net, reply));
    }));
  });
}

/**
 * icmp_unreach: an error about a datagram we sent. The quoted header finds the socket; the
 * transport's err_handler (udp_err, tcp_v4_err) and raw sockets are told.
 */
function icmp_unreach(net: Net, skb: SkBuff, type: number, code: number, info: number): void {
  const call = net.enter('icmp_unreach');
  try {
    if (!skb.mayPull(IPV4_HLEN)) {
      net.count(SNMP_IcmpInErrors);
      net.drop(skb, 'L4', 'icmp_unreach', FILE, 'NOT_SPECIFIED', 'The ICMP error is too short to quote an IP header.');
      return;
    }
    const inner = readIp(skb.buf, skb.data);
    if (inner.ihl < 5) {
      net.count(SNMP_IcmpInErrors);
      net.drop(skb, 'L4', 'icmp_unreach', FILE, 'IP_INHDR', 'The quoted IP header is mangled.');
      return;
    }
    let mtuInfo = 0;
    if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED && net.get('net.ipv4.ip_no_pmtu_disc') === 0) {
      mtuInfo = info & 0xffff;
      // ipv4_update_pmtu: a route exception for the destination with the smaller MTU (10 minutes).
      // __ip_rt_update_pmtu leaves a route whose MTU is locked alone
      const out = ip_route_output_key(net, inner.daddr, 0);
      const locked = !('error' in out) && out.rt.mtuLocked;
      if (mtuInfo >= 552 && isLocalAddr(net, inner.saddr) && !locked) net.pmtu.set(inner.daddr, mtuInfo);
    }
    if (type === ICMP_DEST_UNREACH && code > NR_ICMP_UNREACH) {
      net.step(skb, 'L4', 'icmp_unreach', FILE, net.full ? `Destination unreachable with unknown code ${code}: nobody is told.` : '');
      net.fate(skb, { kind: 'consumed', fn: 'icmp_unreach' });
      return;
    }
    if (type === ICMP_TIME_EXCEEDED && code === 1) {
      net.step(skb, 'L4', 'icmp_unreach', FILE, 'Reassembly time exceeded at the other end: nothing to tell a socket.');
      net.fate(skb, { kind: 'consumed', fn: 'icmp_unreach' });
      return;
    }
    net.step(skb, 'L4', 'icmp_unreach', FILE, net.full ? `ICMP ${icmpName(type, code)} about our datagram ${numToIp(inner.saddr)} → ${numToIp(inner.daddr)} (protocol ${inner.protocol})${mtuInfo ? `: the path MTU to ${numToIp(inner.daddr)} is now ${mtuInfo}` : ''}; icmp_socket_deliver tells the socket.` : '');
    icmp_socket_deliver(net, skb, type, code, mtuInfo);
  } finally {
    net.leave(call);
  }
}

/**
 * icmp_socket_deliver (v6.12): the quoted header (plus 8 bytes of it) picks the protocol; raw
 * sockets of that protocol hear of it (raw_icmp_error), then inet_protos[protocol]->err_handler
 * (udp_err, tcp_v4_err, icmp_err).
 */
function icmp_socket_deliver(net: Net, skb: SkBuff, type: number, code: number, info: number): void {
  const call = net.enter('icmp_socket_deliver');
  try {
    const inner = readIp(skb.buf, skb.data);
    if (!skb.mayPull(inner.ihl * 4 + 8)) {
      net.count(SNMP_IcmpInErrors);
      net.step(skb, 'L4', 'icmp_socket_deliver', FILE, 'The error quotes less than the IP header and 8 bytes of the datagram: IcmpInErrors, nobody is told.');
      net.fate(skb, { kind: 'consumed', fn: 'icmp_socket_deliver' });
      return;
    }
    const rawSock = raw_icmp_error(net, inner.protocol);
    if (rawSock && type === ICMP_REDIRECT) {
      // raw_err: a redirect is applied to the raw socket's route
      net.call('raw_err', () => net.call('ipv4_sk_redirect', () => ip_do_redirect(net, skb, info)));
    }
    if (!rawSock) net.fate(skb, { kind: 'consumed', fn: 'icmp_unreach', detail: 'error reported' });
    const ipprot = inet_protos.get(inner.protocol);
    if (ipprot) ipprot.err_handler(net, skb, type, code, info);
    else if (!rawSock && type === ICMP_REDIRECT) net.fate(skb, { kind: 'consumed', fn: 'icmp_redirect' });
  } finally {
    net.leave(call);
  }
}

/**
 * icmp_err (v6.12): ICMP's err_handler, for an error quoting one of our ICMP messages. ping_err
 * would tell the ICMP datagram (ping) socket that sent it; the model has none, so nobody is
 * told, and a redirect no raw socket took ends here.
 */
export function icmp_err(net: Net, skb: SkBuff, type: number): void {
  if (!raw_icmp_error(net, IPPROTO_ICMP) && type === ICMP_REDIRECT) net.fate(skb, { kind: 'consumed', fn: 'icmp_redirect' });
}

/** ip_rt_redirect_load, ip_rt_redirect_number and ip_rt_redirect_silence (net/ipv4/route.c v6.12: HZ/50, 9, (HZ/50) << 10), in ms */
// ip_rt_redirect_load (HZ / 50) and ip_rt_redirect_silence, in jiffies as route.c keeps them
const IP_RT_REDIRECT_LOAD = HZ / 50;
const IP_RT_REDIRECT_NUMBER = 9;
const IP_RT_REDIRECT_SILENCE = IP_RT_REDIRECT_LOAD << (IP_RT_REDIRECT_NUMBER + 1);

/**
 * ip_rt_send_redirect (net/ipv4/route.c v6.12): the packet leaves where it came in — tell the
 * sender, with the exponential backoff of RFC 1812 kept in the sender's inet_peer: the first
 * redirect goes at once, the next only after ip_rt_redirect_load << n_redirects (40 ms, 80 ms, …),
 * none after ip_rt_redirect_number until the sender has sent nothing redirectable for
 * ip_rt_redirect_silence (20.48 s), which also empties the peer's ICMP rate tokens.
 */
export function ip_rt_send_redirect(net: Net, skb: SkBuff): void {
  const call = net.enter('ip_rt_send_redirect');
  try {
    const rt = skb.dst!;
    const iph = readIp(skb.buf, skb.network_header);
    const gw = rt.gateway || iph.daddr;
    const now = jiffiesAt(net.w.sched.now);
    const peer = inet_getpeer(net.peers, iph.saddr, now);
    if (now > peer.rateLast + IP_RT_REDIRECT_SILENCE) {
      peer.rateTokens = 0;
      peer.nRedirects = 0;
    }
    const n = peer.nRedirects;
    if (n >= IP_RT_REDIRECT_NUMBER) {
      // the kernel keeps restarting the silence while the sender ignores its redirects
      peer.rateLast = now;
      net.step(skb, 'L3', 'ip_rt_send_redirect', 'net/ipv4/route.c', net.full ? `The packet leaves on the interface it came in on, but ${numToIp(iph.saddr)} was sent ${IP_RT_REDIRECT_NUMBER} redirects already and ignores them: no redirect until it has been quiet for ${(IP_RT_REDIRECT_SILENCE * JIFFY_MS) / 1000} s.` : '');
      return;
    }
    if (n > 0 && !(now > peer.rateLast + (IP_RT_REDIRECT_LOAD << n))) {
      net.step(skb, 'L3', 'ip_rt_send_redirect', 'net/ipv4/route.c', net.full ? `The packet leaves on the interface it came in on, but the last redirect to ${numToIp(iph.saddr)} was less than ${(IP_RT_REDIRECT_LOAD << n) * JIFFY_MS} ms ago (ip_rt_redirect_load << ${n}): no redirect this time.` : '');
      return;
    }
    net.step(skb, 'L3', 'ip_rt_send_redirect', 'net/ipv4/route.c', net.full ? `The packet leaves on the interface it came in on, so the sender is told of a better first hop (${numToIp(gw)}) with ICMP redirect.` : '');
    icmp_send(net, skb, ICMP_REDIRECT, 1, gw);
    peer.rateLast = now;
    peer.nRedirects = n + 1;
  } finally {
    net.leave(call);
  }
}
