// net/ipv6/icmp.c (v6.12): icmpv6_rcv, the echo reply (icmpv6_echo_reply), errors
// (icmp6_send, with its eligibility checks and rate limits) and icmpv6_notify, which tells the
// quoted packet's protocol (icmpv6_err: a Packet Too Big lowers the path MTU) and raw sockets.
import { XmitLock } from '../core/xmit_lock';
import { NotModelled } from '../../sim/not_modelled';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { SkbDropReason } from '../core/dropreason';
import type { SnmpName } from '../snmp';
import { ICMPV6_DEST_UNREACH, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_HLEN, ICMPV6_PARAMPROB, ICMPV6_PKT_TOOBIG, ICMPV6_TIME_EXCEED, ICMPV6_UNK_OPTION, IPV6_HLEN, IPV6_MIN_MTU, NDISC_NEIGHBOUR_ADVERTISEMENT, NDISC_NEIGHBOUR_SOLICITATION, NDISC_ROUTER_SOLICITATION, NEXTHDR_ICMP, isV6Any, isV6LinkLocal, isV6Multicast, l4Csum6, readIcmp6, readIpv6, writeIcmp6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { icmp_global_allow, icmp_global_consume } from '../ipv4/icmp';
import { ipv6_chk_addr } from './addrconf';
import { ip6_dst_lookup, ip6_route_output_dst, type Rt6Info } from './route';
import { ENETUNREACH } from '../ipv4/route_types';
import { ip6_make_skb, ip6_send_skb } from './ip6_output';
import { ndisc_rcv } from './ndisc';
import { raw6_icmp_error } from './raw';
import { nf_ct_attach } from '../netfilter/nf_ct_attach';
import { ipv6_skip_exthdr } from './exthdrs_core';
import { inet6_err_handlers } from './err_handlers';
import { skb_release_data } from '../core/skb_release';
import { JIFFY_MS } from '../../proc/sysctl';
import { jiffiesAt } from '../../sim/scheduler';
import { inet_getpeer, inet_peer_xrlim_allow } from '../ipv4/inetpeer';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Icmp6InCsumErrors = snmpId('Icmp6InCsumErrors');
const SNMP_Icmp6InErrors = snmpId('Icmp6InErrors');
const SNMP_Icmp6InMsgs = snmpId('Icmp6InMsgs');
const SNMP_Icmp6OutMsgs = snmpId('Icmp6OutMsgs');
const SNMP_Icmp6OutRateLimitHost = snmpId('Icmp6OutRateLimitHost');
const SNMP_IcmpOutRateLimitGlobal = snmpId('IcmpOutRateLimitGlobal');
const SNMP_Ip6OutNoRoutes = snmpId('Ip6OutNoRoutes');

const FILE = 'net/ipv6/icmp.c';

/** icmp6type2name (net/ipv6/proc.c): the types nstat also prints by name */
const NAMES: Record<number, string> = { 1: 'DestUnreachs', 2: 'PktTooBigs', 3: 'TimeExcds', 4: 'ParmProblems', 128: 'Echos', 129: 'EchoReplies', 130: 'GroupMembQueries', 131: 'GroupMembResponses', 132: 'GroupMembReductions', 143: 'MLDv2Reports', 134: 'RouterAdvertisements', 133: 'RouterSolicits', 136: 'NeighborAdvertisements', 135: 'NeighborSolicits', 137: 'Redirects' };

/** ICMP6MSGOUT_INC_STATS + Icmp6OutMsgs: one counter per type, printed by name and by number. */
export function icmp6_out_count(net: Net, type: number): void {
  net.count(SNMP_Icmp6OutMsgs);
  net.count(`Icmp6OutType${type}`);
  if (NAMES[type]) net.count(`Icmp6Out${NAMES[type]}` as SnmpName);
}

function icmp6_in_count(net: Net, type: number): void {
  net.count(`Icmp6InType${type}`);
  if (NAMES[type]) net.count(`Icmp6In${NAMES[type]}` as SnmpName);
}

/** What iputils ping prints for an ICMPv6 message (ping6_common.c print_icmp), so both sides word it the same. */
export function icmp6Name(type: number, code: number, info: number): string {
  if (type === ICMPV6_ECHO_REPLY) return 'echo reply';
  if (type === ICMPV6_ECHO_REQUEST) return 'echo request';
  if (type === ICMPV6_DEST_UNREACH) return `Destination unreachable: ${['No route', 'Administratively prohibited', 'Beyond scope of source address', 'Address unreachable', 'Port unreachable'][code] ?? `Unknown code ${code}`}`;
  if (type === ICMPV6_PKT_TOOBIG) return `Packet too big: mtu=${info}`;
  if (type === ICMPV6_TIME_EXCEED) return `Time exceeded: ${code === 0 ? 'Hop limit' : 'Defragmentation failure'}`;
  if (type === ICMPV6_PARAMPROB) return `Parameter problem: code ${code} at ${info}`;
  if (type === NDISC_NEIGHBOUR_SOLICITATION) return 'neighbour solicitation';
  if (type === NDISC_NEIGHBOUR_ADVERTISEMENT) return 'neighbour advertisement';
  return `ICMPv6 type ${type}`;
}

/** icmpv6_rcv: Icmp6InMsgs, the checksum, the type's counter, then the type's handler. */
export function icmpv6_rcv(net: Net, skb: SkBuff, pingTook = false): void {
  const call = net.enter('icmpv6_rcv');
  try {
    const ip = readIpv6(skb.buf, skb.network_header);
    net.count(SNMP_Icmp6InMsgs);
    const len = skb.len;
    if (len < ICMPV6_HLEN || l4Csum6(skb.buf, skb.data, len, ip.saddr, ip.daddr, NEXTHDR_ICMP) !== 0) {
      net.count(SNMP_Icmp6InCsumErrors);
      net.count(SNMP_Icmp6InErrors);
      net.drop(skb, 'L4', 'icmpv6_rcv', FILE, 'ICMP_CSUM', 'The ICMPv6 checksum (over the pseudo-header) is wrong: Icmp6InCsumErrors and Icmp6InErrors.');
      return;
    }
    const h = readIcmp6(skb.buf, skb.data);
    icmp6_in_count(net, h.type);
    net.step(skb, 'L4', 'icmpv6_rcv', FILE, net.full ? `${icmp6Name(h.type, h.code, h.rest)} from ${formatIpv6(ip.saddr)}, checksum right (Icmp6InMsgs).` : '');
    let reason: SkbDropReason | null = null;
    switch (h.type) {
      case ICMPV6_ECHO_REQUEST:
        reason = icmpv6_echo_reply(net, skb);
        break;
      case ICMPV6_ECHO_REPLY:
        net.step(skb, 'L4', 'ping_rcv', 'net/ipv4/ping.c', 'ping_lookup: no ICMPv6 datagram (ping) socket has this echo id, so ping_rcv returns SKB_DROP_REASON_NO_SOCKET.');
        reason = 'NO_SOCKET';
        break;
      case ICMPV6_PKT_TOOBIG:
      case ICMPV6_DEST_UNREACH:
      case ICMPV6_TIME_EXCEED:
      case ICMPV6_PARAMPROB:
        reason = icmpv6_notify(net, skb, h.type, h.code, h.rest);
        break;
      case NDISC_ROUTER_SOLICITATION:
      case NDISC_NEIGHBOUR_SOLICITATION:
      case NDISC_NEIGHBOUR_ADVERTISEMENT:
        reason = ndisc_rcv(net, skb);
        break;
      default:
        throw new NotModelled(`ICMPv6 type ${h.type} is not modelled`);
    }
    if (pingTook) {
      // ping's raw socket has its clone: the packet's fate stays "delivered" there, but this skb is still freed
      if (reason) {
        net.step(skb, 'L4', 'icmpv6_rcv', FILE, net.full ? `icmpv6_rcv frees this skb with SKB_DROP_REASON_${reason}; ping's raw socket already has its copy.` : '', { drop: `SKB_DROP_REASON_${reason}` });
        // as in icmp_rcv: the clone shares the data, and ping's read of it (consume_skb in
        // skb_free_datagram) releases a reassembled reply's frag_list, with the reason
        // __kfree_skb gives; the model has no step for that read, so the list goes here
        skb_release_data(net, skb, 'NOT_SPECIFIED');
      }
    } else if (reason) net.drop(skb, 'L4', 'icmpv6_rcv', FILE, reason, 'icmpv6_rcv frees the message with the reason its handler returned.');
    else net.fate(skb, { kind: 'consumed', fn: 'icmpv6_rcv', detail: icmp6Name(h.type, h.code, h.rest) });
  } finally {
    net.leave(call);
  }
}


/**
 * icmpv6_notify: pass over the quoted packet's extension headers, then its protocol's
 * err_handler (icmpv6_err for a quoted echo request: a Packet Too Big lowers the path MTU to
 * the quoted destination, ip6_update_pmtu; udpv6_err; tcp_v6_err) and raw sockets
 * (raw6_icmp_error: ping hears it). A quote too short for its IPv6 header, for a walkable
 * extension header chain, or for 8 bytes of the upper layer counts Icmp6InErrors.
 */
function icmpv6_notify(net: Net, skb: SkBuff, type: number, code: number, info: number): SkbDropReason | null {
  return net.call('icmpv6_notify', (): SkbDropReason | null => {
    const q = skb.data + ICMPV6_HLEN;
    // the reason goes back to icmpv6_rcv, which frees the message with it
    const inErrors = (why: string, reason: SkbDropReason): SkbDropReason => {
      net.count(SNMP_Icmp6InErrors);
      net.step(skb, 'L4', 'icmpv6_notify', FILE, net.full ? `${why}: Icmp6InErrors, and icmpv6_rcv frees the message with SKB_DROP_REASON_${reason}.` : '');
      return reason;
    };
    if (skb.tail - q < IPV6_HLEN) return inErrors('The quoted packet is shorter than an IPv6 header', 'PKT_TOO_SMALL');
    const inner = readIpv6(skb.buf, q);
    const walked = ipv6_skip_exthdr(skb.buf, q + IPV6_HLEN, skb.tail, inner.nexthdr);
    if (!walked) return inErrors('ipv6_skip_exthdr cannot walk the quoted extension headers (one runs past the quote, or "no next header" ends them)', 'IPV6_BAD_EXTHDR');
    if (skb.tail - walked.off < 8) return inErrors('The quote does not hold 8 bytes of the upper-layer header', 'PKT_TOO_SMALL');
    if (walked.nexthdr !== inner.nexthdr) net.step(skb, 'L4', 'icmpv6_notify', FILE, net.full ? `ipv6_skip_exthdr passes over the quoted extension headers: the quoted protocol is ${walked.nexthdr}, ${walked.off - q} bytes into the quote.` : '');
    if (walked.nexthdr === NEXTHDR_ICMP && type === ICMPV6_PKT_TOOBIG) {
      const mtu = Math.max(info, IPV6_MIN_MTU);
      const key = formatIpv6(inner.daddr);
      const had = net.ipv6.pmtu.get(key);
      if (!had || mtu < had) net.ipv6.pmtu.set(key, mtu);
      net.step(skb, 'L4', 'icmpv6_err', FILE, net.full ? `Packet Too Big for ${key}: ip6_update_pmtu records a path MTU of ${mtu} (a route exception), which later packets to it use.` : '');
    }
    inet6_err_handlers.get(walked.nexthdr)?.(net, skb, q, type, code, info, walked.off);
    raw6_icmp_error(net, skb, walked.nexthdr);
    return null;
  });
}

/**
 * icmpv6_xmit_lock (v6.12): icmpv6_echo_reply and icmp6_send send through the namespace's ICMPv6
 * socket (its own, apart from IPv4's) and hold its spinlock, a trylock with bottom halves off,
 * until icmpv6_push_pending_frames has put the message out. An error asked for from inside that
 * output path (an OUTPUT rule rejecting the echo reply or error being sent: nf_send_unreach6 →
 * icmpv6_send) finds the lock taken and is not sent at all.
 */
const icmpv6_xmit_lock = new XmitLock();

/**
 * icmpv6_echo_reply: the reply goes from the address the request was sent to, out of the
 * interface it came in on, with the request's id, sequence and data.
 */
function icmpv6_echo_reply(net: Net, skb: SkBuff): SkbDropReason | null {
  const call = net.enter('icmpv6_echo_reply');
  try {
    const ip = readIpv6(skb.buf, skb.network_header);
    const req = readIcmp6(skb.buf, skb.data);
    if (isV6Multicast(ip.daddr)) throw new NotModelled('an echo request to a multicast address is not modelled');
    // the flow names the interface the request came in on (icmp6_iif), but with the source set
    // ip6_route_output holds to it (RT6_LOOKUP_F_IFACE) only for a destination that needs it
    // (rt6_need_strict: link-local); otherwise any route back will do, an error route too
    const iif = isV6LinkLocal(ip.saddr) ? net.devByIndex(skb.cb.iif ?? skb.skb_iif) : undefined;
    const r = ip6_dst_lookup(net, ip.saddr, iif && !iif.isLoopback ? iif : undefined);
    if ('error' in r) {
      net.step(skb, 'L4', 'icmpv6_echo_reply', FILE, net.full ? `No route back to ${formatIpv6(ip.saddr)} (${r.what}${r.error === ENETUNREACH ? ', Ip6OutNoRoutes' : ''}): no reply.` : '');
      return 'NOT_SPECIFIED';
    }
    if (icmpv6_xmit_lock.busy(net)) {
      net.step(skb, 'L4', 'icmpv6_echo_reply', FILE, 'icmpv6_xmit_lock fails: the namespace\'s ICMPv6 socket is itself sending, so no reply.');
      return 'NOT_SPECIFIED';
    }
    const len = skb.len;
    const data = skb.buf.slice(skb.data, skb.tail);
    const pkt = net.w.rec.newPacket(net.name, skb.pkt);
    const hop = net.get(`net.ipv6.conf.${r.rt.dev.name}.hop_limit`);
    // ipc6.tclass = ipv6_get_dsfield: the reply carries the request's traffic class, ECN bits included
    const reply = ip6_make_skb(net, r.rt, { saddr: ip.daddr, daddr: ip.saddr, nexthdr: NEXTHDR_ICMP, hopLimit: hop, tclass: ip.tclass }, len, pkt, (b, off) => {
      b.set(data, off);
      writeIcmp6(b, off, len, { type: ICMPV6_ECHO_REPLY, code: 0, rest: req.rest }, ip.daddr, ip.saddr);
    });
    net.step(reply, 'L4', 'icmpv6_echo_reply', FILE, net.full ? `Echo reply to ${formatIpv6(ip.saddr)}: id ${req.rest >>> 16}, seq ${req.rest & 0xffff}, ${len} bytes of ICMPv6, hop limit ${hop}${ip.tclass ? `, traffic class 0x${ip.tclass.toString(16).padStart(2, '0')} as the request's` : ''}; ${r.rt.describe()} (Icmp6OutEchoReplies).` : '');
    icmpv6_xmit_lock.locked(net, () => net.call('icmpv6_push_pending_frames', () => ip6_send_skb(net, reply)));
    return null;
  } finally {
    net.leave(call);
  }
}

/** icmpv6_mask_allow: Packet Too Big and informational messages are never rate limited (ratemask 0-1,3-127). */
const maskAllow = (type: number): boolean => type === ICMPV6_PKT_TOOBIG || type >= 128;

/**
 * icmpv6_xrlim_allow → inet_peer_xrlim_allow: net.ipv6.icmp.ratelimit (1000 ms by default, kept
 * in jiffies), shortened for a destination reached through a shorter prefix (v6.12: the jiffies
 * shifted right by (128 - plen) >> 5, so 248 ms through a /64 at HZ=250); a burst of six.
 */
function icmpv6_xrlim_allow(net: Net, rt: Rt6Info, daddr: Uint8Array): boolean {
  if (rt.dev.isLoopback) return true;
  const shift = net.w.variant.icmpv6RatelimitWholeTimeout ? 0 : (128 - (rt.plen6 ?? 128)) >> 5;
  const tmo = (net.get('net.ipv6.icmp.ratelimit') / JIFFY_MS) >> shift;
  const now = jiffiesAt(net.w.sched.now);
  return inet_peer_xrlim_allow(inet_getpeer(net.ipv6.peers, formatIpv6(daddr), now), tmo, now);
}

/**
 * opt_unrec: the option `offset` bytes into the network header asks for an error even about a
 * multicast packet (its type's two high bits are 10); an offset past the packet's end counts as
 * one (skb_header_pointer fails).
 */
function opt_unrec(skb: SkBuff, offset: number): boolean {
  const at = skb.network_header + offset;
  return at >= skb.tail || (skb.buf[at] & 0xc0) === 0x80;
}

/**
 * icmp6_send: an error about `skb` to its source. Not for a multicast or not-for-us packet
 * (except Packet Too Big, and a parameter problem about an option of type 10xxxxxx), not from an unspecified or multicast source, not about an ICMPv6
 * error; the source is the packet's destination when that is ours, else the route's choice.
 * The quote is as much of the packet as fits in 1280 bytes.
 */
export function icmpv6_send(net: Net, skb: SkBuff, type: number, code: number, info: number): void {
  const call = net.enter('icmp6_send');
  try {
    const nh = skb.network_header;
    const ip = readIpv6(skb.buf, nh);
    let saddr: Uint8Array | undefined = ipv6_chk_addr(net, ip.daddr) ? ip.daddr : undefined;
    if (isV6Multicast(ip.daddr) || skb.pkt_type !== 'PACKET_HOST') {
      // RFC 4443 2.4 (e.3): Packet Too Big, and a parameter problem about an option whose type's
      // high bits are 10 ("tell the sender even if the destination is multicast": opt_unrec)
      if (type !== ICMPV6_PKT_TOOBIG && !(type === ICMPV6_PARAMPROB && code === ICMPV6_UNK_OPTION && opt_unrec(skb, info))) {
        net.step(skb, 'L3', 'icmp6_send', FILE, 'No ICMPv6 error about a multicast or not-for-this-host packet (only Packet Too Big, and a parameter problem about an option of type 10xxxxxx, are sent about one).');
        return;
      }
      saddr = undefined;
    }
    if (isV6Any(ip.saddr) || isV6Multicast(ip.saddr)) {
      net.step(skb, 'L3', 'icmp6_send', FILE, net.full ? `No ICMPv6 error to the source ${formatIpv6(ip.saddr)}.` : '');
      return;
    }
    if (ip.nexthdr === NEXTHDR_ICMP && skb.tail - (nh + IPV6_HLEN) >= 1 && skb.buf[nh + IPV6_HLEN] < 128) {
      net.step(skb, 'L3', 'icmp6_send', FILE, 'The packet is itself an ICMPv6 error (is_ineligible): no error about an error.');
      return;
    }
    // a packet that came in on lo skips icmpv6_global_allow, so apply_ratelimit stays false and
    // icmpv6_xrlim_allow lets it through too: no limit at all on loopback (v6.12 icmp6_send)
    const limited = !maskAllow(type) && !skb.dev?.isLoopback;
    if (limited && !icmp_global_allow(net)) {
      // icmpv6_global_allow (v6.12) counts the refusal in the IPv4 ICMP MIB (__ICMP_INC_STATS,
      // ICMP_MIB_RATELIMITGLOBAL): the namespace-wide bucket is shared, and so is its counter
      net.count(SNMP_IcmpOutRateLimitGlobal);
      net.step(skb, 'L3', 'icmp6_send', FILE, 'icmpv6_global_allow: the namespace-wide ICMP budget (icmp_global_allow) is used up, so no error is sent (IcmpOutRateLimitGlobal).');
      return;
    }
    if (icmpv6_xmit_lock.busy(net)) {
      net.step(skb, 'L3', 'icmp6_send', FILE, net.full ? `icmpv6_xmit_lock fails: this ${icmp6Name(type, code, info)} is asked for while the namespace's ICMPv6 socket is itself sending (the offending packet is an ICMPv6 message the kernel is sending, refused on its way out), so spin_trylock finds the lock taken and no error is sent.` : '');
      return;
    }
    // __ipv6_addr_needs_scope_id: an error to a link-local source is routed out of the
    // interface the packet came in on (icmp6_iif), not by the first fe80::/64 route
    const iif = isV6LinkLocal(ip.saddr) ? net.devByIndex(skb.cb.iif ?? skb.skb_iif) : undefined;
    const oif = iif && !iif.isLoopback ? iif : undefined;
    if (limited) {
      // v6.12 icmpv6_xrlim_allow looks the route up first (ip6_route_output): an error route
      // counts Ip6OutNoRoutes, whatever its error, and the refusal ICMP6_MIB_RATELIMITHOST
      const x = ip6_route_output_dst(net, ip.saddr, oif);
      if (x.error) {
        net.count(SNMP_Ip6OutNoRoutes);
        net.count(SNMP_Icmp6OutRateLimitHost);
        net.step(skb, 'L3', 'icmp6_send', FILE, net.full ? `icmpv6_xrlim_allow finds no route back to ${formatIpv6(ip.saddr)} (Ip6OutNoRoutes), so it refuses the error (Icmp6OutRateLimitHost).` : '');
        return;
      }
      if (!icmpv6_xrlim_allow(net, x, ip.saddr)) {
        net.count(SNMP_Icmp6OutRateLimitHost);
        net.step(skb, 'L3', 'icmp6_send', FILE, net.full ? `icmpv6_xrlim_allow: an error went to ${formatIpv6(ip.saddr)} too recently (net.ipv6.icmp.ratelimit), so none is sent now (Icmp6OutRateLimitHost).` : '');
        return;
      }
      icmp_global_consume(net);
    }
    // icmpv6_route_lookup → ip6_dst_lookup
    const r = ip6_dst_lookup(net, ip.saddr, oif);
    if ('error' in r) {
      net.step(skb, 'L3', 'icmp6_send', FILE, net.full ? `No route back to ${formatIpv6(ip.saddr)}${r.error === ENETUNREACH ? ' (Ip6OutNoRoutes)' : ''}: no error is sent.` : '');
      return;
    }
    const from = saddr ?? r.saddr;
    const quote = Math.min(skb.tail - nh, IPV6_MIN_MTU - IPV6_HLEN - ICMPV6_HLEN);
    const q = skb.buf.slice(nh, nh + quote);
    const len = ICMPV6_HLEN + quote;
    const pkt = net.w.rec.newPacket(net.name, skb.pkt);
    const hop = net.get(`net.ipv6.conf.${r.rt.dev.name}.hop_limit`);
    const out = ip6_make_skb(net, r.rt, { saddr: from, daddr: ip.saddr, nexthdr: NEXTHDR_ICMP, hopLimit: hop }, len, pkt, (b, off) => {
      b.set(q, off + ICMPV6_HLEN);
      writeIcmp6(b, off, len, { type, code, rest: info }, from, ip.saddr);
    });
    // icmpv6_getfrag: an error (not an informational message) carries the offending packet's
    // conntrack entry, in the other direction (RELATED), as icmp_glue_bits does for IPv4
    nf_ct_attach(out, skb);
    net.step(out, 'L3', 'icmp6_send', FILE, net.full ? `ICMPv6 ${icmp6Name(type, code, info)} from ${formatIpv6(from)} to ${formatIpv6(ip.saddr)}, quoting ${quote} bytes of the packet.` : '');
    icmpv6_xmit_lock.locked(net, () => net.call('icmpv6_push_pending_frames', () => ip6_send_skb(net, out)));
  } finally {
    net.leave(call);
  }
}
