// Connection tracking's core (net/netfilter/nf_conntrack_core.c, v6.12): the lookup of a
// packet's tuple (nf_conntrack_in), a new unconfirmed entry (init_conntrack), and the entry
// entering the table when its first packet leaves the last hook (__nf_conntrack_confirm). The
// tuple and TCP state helpers are in nf_conntrack.ts; the table itself is the engine's (per netns).
// Both families run this code: ipv4_conntrack_in/_local and ipv6_conntrack_in/_local are thin
// wrappers of nf_conntrack_in in the kernel, and only the packet info (nft_pktinfo's IPv4 or
// IPv6 reading) and the ICMP tracker differ.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { HookResult, NfProto } from './core';
import type { NfEngine } from './engine';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../proto/ipv4';
import { HZ, jiffiesAt } from './nf_tables';
import { NEXTHDR_ICMP, NEXTHDR_NONE } from '../../proto/ipv6';
import { inetAddrEqual, formatInetAddr } from '../../proto/inet_addr';
import { pktinfo6 } from './nf_pktinfo_ipv6';
import { tcpFlagString } from '../../proto/tcp';
import { pktinfo, pktinfoDone, type PktInfo } from './nf_pktinfo';
import { nf_conntrack_tcp_packet, tcpNewState, type TcpPacketVerdict } from './nf_conntrack_proto_tcp';
import type { TcpSeg } from './nf_conntrack_tcp_window';
import { rd16, rd32 } from '../../proto/addr';
import { IPV6_HLEN } from '../../proto/ipv6';
import { canInvert, CT_FILE, IPS_ASSURED, IPS_DYING, describeTuple, icmpCanStart, icmpv6Untracked, innerTuple, invertTuple, isIcmpError, pktAddrs, pktTuple, tupleKey, type NfConn, type Tuple } from './nf_conntrack';
import { INT_MAX, NF_IP_PRI_CONNTRACK } from './netfilter_ipv4';
import { nf_ct_acct_ext_add, nf_ct_acct_update } from './nf_conntrack_acct';
import { nf_ct_l4_error } from './nf_conntrack_l4_error';
import { icmpTimeout, nf_ct_is_expired, nf_ct_refresh, nf_ct_timeout_confirm, udpTimeout } from './nf_conntrack_timeout';

export function nf_ct_set(skb: SkBuff, ct: NfConn, ctinfo: string): void {
  skb.nfct = { state: ctinfo, id: ct.id };
}

export function nf_conntrack_in(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, pf: NfProto = 'ipv4'): HookResult['verdict'] {
  const say = (what: string, verdict = 'NF_ACCEPT'): void => net.step(skb, 'L3', 'nf_conntrack_in', CT_FILE, what, { hook: nf.ctx(hook, NF_IP_PRI_CONNTRACK, verdict, undefined, pf) });
  if (skb.nfct) {
    say(
      skb.nfct.state === 'IP_CT_UNTRACKED'
        ? 'Conntrack: the packet is marked untracked (notrack), so it is not looked up.'
        : skb.nfct.id
          ? `Conntrack: the packet already carries its entry (${skb.nfct.state}), attached when it was made, so it is not looked up again.`
          : `Conntrack: the packet carries ${skb.nfct.state} without an entry (nf_ct_attach of an untracked packet's answer): no flow is found for it, so its state is invalid.`,
    );
    return 'NF_ACCEPT';
  }
  if (pf === 'ipv6') return conntrackIn(nf, net, hook, skb, pktinfo6(skb, hook, indev, outdev), say);
  const p = pktinfo(skb, hook, indev, outdev);
  try {
    return conntrackIn(nf, net, hook, skb, p, say);
  } finally {
    pktinfoDone();
  }
}

/** nf_conntrack_in once the packet's pktinfo is filled: the error check, the lookup, the entry's state. */
function conntrackIn(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, p: PktInfo, say: (what: string, verdict?: string) => void): HookResult['verdict'] {
  if (p.pf === 'ipv6' && p.l4proto === NEXTHDR_NONE) {
    // get_l4proto → ipv6_skip_exthdr gives -1 at "no next header": nf_conntrack_in counts the
    // packet invalid and leaves it without ct, so NAT's hooks have nothing to run their chains for
    say('Conntrack: ipv6_skip_exthdr finds no upper-layer header (next header 59, no next header): get_l4proto fails, so the packet gets no entry (ct state invalid).');
    return 'NF_ACCEPT';
  }
  // the protocol's error check (tcp_error, udp_error, nf_conntrack_icmpv4_error) runs before the
  // packet may count for a connection: one that fails it leaves no trace in the table
  const bad = nf_ct_l4_error(p, hook);
  if (bad) {
    say(`Conntrack: ${bad}, so the packet gets no entry (ct state invalid)${hook === 'NF_INET_PRE_ROUTING' && /checksum/.test(bad) ? '; checksums are verified on PRE_ROUTING only (nf_conntrack_checksum = 1)' : ''}.`);
    return 'NF_ACCEPT';
  }
  if (icmpv6Untracked(p)) {
    // nf_conntrack_icmpv6_error sets IP_CT_UNTRACKED, and nf_conntrack_in stops there
    skb.nfct = { state: 'IP_CT_UNTRACKED', id: 0 };
    say(`Conntrack: ICMPv6 type ${p.icmpType} is neighbour discovery or MLD, which conntrack never tracks (noct_valid_new): the packet is marked untracked (ct state untracked).`);
    return 'NF_ACCEPT';
  }
  if (isIcmpError(p)) {
    const v6 = p.pf === 'ipv6';
    const inner = innerTuple(p);
    const h = inner && canInvert(inner.t) ? nf_ct_find(nf, tupleKey(invertTuple(inner.t))) : undefined;
    if (!inner || !h) {
      say(`Conntrack: an ICMP${v6 ? 'v6' : ''} error about ${inner ? describeTuple(inner.t) : 'a truncated datagram'}, which belongs to no known connection: no entry is attached (ct state invalid).`);
      return 'NF_ACCEPT';
    }
    // nf_conntrack_inet_error: the error must go to where that direction's packets go
    const want = h.ct.tuple[h.reply ? 1 : 0].dst;
    const outer = pktAddrs(p).dst;
    if (!inetAddrEqual(outer, want)) {
      say(`Conntrack: an ICMP${v6 ? 'v6' : ''} error quoting a packet of connection #${h.ct.id}, but it goes to ${formatInetAddr(outer)}, not to ${formatInetAddr(want)} where that direction's packets go (nf_conntrack_inet_error: outer daddr != inner): no entry (ct state invalid).`);
      return 'NF_ACCEPT';
    }
    const info = h.reply ? 'IP_CT_RELATED_REPLY' : 'IP_CT_RELATED';
    nf_ct_set(skb, h.ct, info);
    say(`Conntrack: an ICMP${v6 ? 'v6' : ''} error quoting ${describeTuple(inner.t)}, a packet of connection #${h.ct.id}: the error is RELATED to it (${info}).`);
    return 'NF_ACCEPT';
  }
  const t = pktTuple(p);
  if (!t) {
    say('Conntrack: the transport header cannot be read (a later fragment or truncated): no entry (ct state invalid).');
    return 'NF_ACCEPT';
  }
  for (let round = 0; round < 2; round++) {
    const key = tupleKey(t);
    const old = nf.hash.get(key);
    const h = nf_ct_find(nf, key);
    if (!h) {
      // ____nf_conntrack_find passed over an expired entry and freed it (nf_ct_gc_expired)
      const gone = old && net.full ? `Connection #${old.ct.id} (${describeTuple(old.ct.tuple[0])}${old.ct.tcpState ? `, TCP state ${old.ct.tcpState}` : ''}) expired ${((jiffiesAt(net.w.sched.now) - old.ct.timeout) / HZ).toFixed(2)} s ago (its timeout ran out), so the lookup freed it. ` : '';
      return init_conntrack(nf, skb, p, t, gone ? (w, v) => say(gone + w, v) : say);
    }
    const ct = h.ct;
    let tcpv: TcpPacketVerdict | undefined;
    if (t.proto === IPPROTO_TCP) {
      tcpv = nf_conntrack_tcp_packet(net, ct, tcpSeg(p), h.reply, false);
      if (tcpv.verdict === 'repeat') {
        nf_ct_kill(nf, ct);
        say(`Conntrack: ${tcpv.why}: the old entry is removed and the lookup is repeated (NF_REPEAT inside nf_conntrack_in).`, 'NF_REPEAT');
        continue;
      }
      if (tcpv.verdict === 'invalid') {
        // nf_conntrack_tcp_packet returns -NF_ACCEPT: nf_conntrack_in drops the reference, and
        // the segment goes on with no entry, seen by nothing of the connection
        say(`Conntrack: ${tcpv.why}: the segment goes on without the entry (ct state invalid), and the connection's state does not move.`);
        return 'NF_ACCEPT';
      }
      if (tcpv.verdict === 'ignore') {
        // NF_ACCEPT before nf_ct_refresh_acct: no refresh, no counters; IPS_SEEN_REPLY is still set
        if (h.reply) ct.seenReply = true;
        nf_ct_set(skb, ct, h.reply ? 'IP_CT_ESTABLISHED_REPLY' : ct.seenReply ? 'IP_CT_ESTABLISHED' : 'IP_CT_NEW');
        say(`Conntrack: ${tcpv.why}.`);
        return 'NF_ACCEPT';
      }
    } else if (t.proto === IPPROTO_UDP && ct.seenReply && ct.udpStreamTs !== undefined && jiffiesAt(net.w.sched.now) > ct.udpStreamTs) {
      // nf_conntrack_udp_packet: traffic both ways and still active two seconds after the first
      // packet (time_after(jiffies, stream_ts)): a stream, IPS_ASSURED
      ct.status |= IPS_ASSURED;
    }
    // nf_conntrack_tcp_packet (v6.12) leaves before nf_ct_refresh_acct for a SYN met in SYN_SENT
    // while no reply was seen: a SYN retransmission renews neither the timeout nor the counters
    // (so that a client or a NAT reusing the port cannot keep the entry alive), and
    // `ct packets`/`ct bytes`/connbytes do not see it
    const synRetrans = !!tcpv?.noRefresh;
    const info = h.reply ? 'IP_CT_ESTABLISHED_REPLY' : ct.seenReply ? 'IP_CT_ESTABLISHED' : 'IP_CT_NEW';
    const first = h.reply && !ct.seenReply;
    // nf_conntrack_tcp_packet (v6.12): an in-window RST while IPS_SEEN_REPLY is still clear
    // means no connection was ever made, so the entry is killed at once (nf_ct_kill_acct); the
    // RST itself keeps its reference and goes on
    const rstKill = !!tcpv?.kill;
    // the tracker chose the span before nf_conntrack_in sets IPS_SEEN_REPLY for a first reply
    const extra = tcpv ? tcpv.timeout : l4Timeout(net, ct, t.proto, p.pf === 'ipv6');
    if (h.reply) ct.seenReply = true;
    nf_ct_set(skb, ct, info);
    if (!synRetrans) {
      nf_ct_refresh(net, ct, extra);
      nf_ct_acct_update(ct, h.reply, skb.len);
    }
    // nf_ct_kill_acct → nf_ct_delete marks the entry IPS_DYING before it leaves the table
    if (rstKill) {
      ct.status |= IPS_DYING;
      nf_ct_unhash(nf, ct);
    }
    say(`Conntrack: ${describeTuple(t)} is the ${h.reply ? 'reply' : 'original'} direction of connection #${ct.id}${first && !rstKill ? ', its first reply (IPS_SEEN_REPLY is set)' : ''}: ${info}${ct.tcpState ? `, TCP state ${ct.tcpState}` : ''}${rstKill ? `. A RST before any reply was seen: nf_conntrack_tcp_packet kills connection #${ct.id} at once (nf_ct_kill_acct), so later packets of these addresses and ports find no entry` : ''}${synRetrans ? '. A SYN again while no reply was seen: a retransmission, which renews neither the entry\'s timeout nor its packet and byte counters' : ''}${tcpv?.why ? `. ${tcpv.why}` : ''}.`);
    return 'NF_ACCEPT';
  }
  return 'NF_ACCEPT';
}

export function init_conntrack(nf: NfEngine, skb: SkBuff, p: PktInfo, t: Tuple, say: (w: string, v?: string) => void): HookResult['verdict'] {
  if (t.proto === IPPROTO_TCP) {
    if (!tcpNewState(p.tcpFlags ?? 0)) {
      say(`Conntrack: a TCP segment with flags [${tcpFlagString(p.tcpFlags ?? 0)}] cannot start a connection (tcp_new: invalid new): no entry is attached (ct state invalid).`);
      return 'NF_ACCEPT';
    }
  } else if (t.proto === (p.pf === 'ipv6' ? NEXTHDR_ICMP : IPPROTO_ICMP) && !icmpCanStart(t.proto, t.dport)) {
    const v6 = p.pf === 'ipv6';
    // ICMPv6: a type without an inverse fails nf_ct_invert_tuple in init_conntrack; a reply type
    // gets an entry that nf_conntrack_icmpv6_packet refuses (-NF_ACCEPT) before it is confirmed
    say(`Conntrack: ICMP${v6 ? 'v6' : ''} type ${t.dport} cannot start a connection (only queries such as echo request can${v6 ? (canInvert(t) ? ': nf_conntrack_icmpv6_packet refuses it' : ': the type has no reply type, nf_ct_invert_tuple fails') : ''}): no entry (ct state invalid).`);
    return 'NF_ACCEPT';
  }
  // numbered once it is kept: an entry tcp_new refuses is freed before anything sees it
  const ct: NfConn = { id: 0, tuple: [t, invertTuple(t)], confirmed: false, seenReply: false, status: 0, mark: 0, timeout: 0 };
  let extra: number;
  let remark = '';
  if (t.proto === IPPROTO_TCP) {
    // tcp_new, then the rest of nf_conntrack_tcp_packet, on the entry before anything else sees it
    const v = nf_conntrack_tcp_packet(nf.net, ct, tcpSeg(p), false, true);
    if (v.verdict !== 'accept') {
      say(`Conntrack: no entry for ${describeTuple(t)}; init_conntrack makes one, but ${v.why}, so it is freed at once and the segment goes on without an entry (ct state invalid).`);
      return 'NF_ACCEPT';
    }
    extra = v.timeout;
    remark = v.why ? ` ${v.why}.` : '';
    if (ct.tcpState === 'ESTABLISHED') remark += ' Not a SYN: a connection picked up in the middle (nf_conntrack_tcp_loose is 1), whose window both directions track liberally (IP_CT_TCP_FLAG_BE_LIBERAL).';
  } else {
    // nf_conntrack_udp_packet on an unconfirmed entry: stream_ts = jiffies + 2 * HZ
    if (t.proto === IPPROTO_UDP) ct.udpStreamTs = jiffiesAt(nf.net.w.sched.now) + 2 * HZ;
    extra = l4Timeout(nf.net, ct, t.proto, p.pf === 'ipv6');
  }
  ct.id = nf.nextCt++;
  nf_ct_refresh(nf.net, ct, extra);
  nf.conns.set(ct.id, ct);
  nf_ct_acct_ext_add(nf, ct);
  nf_ct_acct_update(ct, false, skb.len);
  nf_ct_set(skb, ct, 'IP_CT_NEW');
  say(`Conntrack: no entry for ${describeTuple(t)}, so init_conntrack makes connection #${ct.id} (unconfirmed until the packet leaves the last hook); the reply is expected as ${describeTuple(ct.tuple[1])}. ctinfo IP_CT_NEW${ct.tcpState ? `, TCP state ${ct.tcpState}` : ''}.${remark}`);
  return 'NF_ACCEPT';
}

export function nf_ct_kill(nf: NfEngine, ct: NfConn): void {
  nf_ct_unhash(nf, ct);
  nf.conns.delete(ct.id);
}

/** Takes the entry out of the lookup table only: packets that already hold it still reach it. */
function nf_ct_unhash(nf: NfEngine, ct: NfConn): void {
  // confirmed under its two tuples, which no later change of the entry touches
  for (const t of ct.tuple) {
    const k = tupleKey(t);
    if (nf.hash.get(k)?.ct === ct) nf.hash.delete(k);
  }
}

/** nf_ct_gc_expired: an expired entry leaves the table (IPS_DYING); packets that hold it keep it. */
function nf_ct_gc_expired(nf: NfEngine, ct: NfConn): void {
  ct.status |= IPS_DYING;
  nf_ct_unhash(nf, ct);
}

/** The table's lookup (____nf_conntrack_find): an expired entry is freed, and not found. */
export function nf_ct_find(nf: NfEngine, key: string): { ct: NfConn; reply: boolean } | undefined {
  const h = nf.hash.get(key);
  if (h && nf_ct_is_expired(nf.net, h.ct)) {
    nf_ct_gc_expired(nf, h.ct);
    return undefined;
  }
  return h;
}

/**
 * What the TCP tracker reads of the segment (the error check already made sure its header is
 * whole): header fields, option bytes and the data length, skb->len less the headers, where the
 * sk_buff was trimmed to the IP length (ip_rcv_core) or made that long.
 */
function tcpSeg(p: PktInfo): TcpSeg {
  const b = p.skb.buf;
  const th = p.thoff;
  const doff = (b[th + 12] >> 4) * 4;
  const l3len = p.pf === 'ipv6' ? IPV6_HLEN + p.ip6h!.payloadLen : p.iph.totLen;
  const len = Math.min(l3len, p.skb.tail - p.skb.network_header) - (th - p.skb.network_header);
  return { seq: rd32(b, th + 4), ack: rd32(b, th + 8), flags: b[th + 13], window: rd16(b, th + 14), options: b.subarray(th + 20, th + doff), dataLen: len - doff };
}

/** The span the entry's protocol tracker (other than TCP's) gives the packet it accepted. */
function l4Timeout(net: Net, ct: NfConn, proto: number, v6: boolean): number {
  if (proto === IPPROTO_UDP) return udpTimeout(net, ct);
  return icmpTimeout(net, v6);
}

export function __nf_conntrack_confirm(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, pf: NfProto = 'ipv4'): HookResult['verdict'] {
  const ct = nf.ctOf(skb);
  const say = (what: string): void => net.step(skb, 'L3', '__nf_conntrack_confirm', CT_FILE, what, { hook: nf.ctx(hook, INT_MAX, 'NF_ACCEPT', undefined, pf) });
  if (!ct) {
    say(skb.nfct?.state === 'IP_CT_UNTRACKED' ? 'Confirm: the packet is untracked: nothing to confirm.' : 'Confirm: the packet has no conntrack entry: nothing to confirm.');
    return 'NF_ACCEPT';
  }
  if (ct.confirmed) {
    say(`Confirm: connection #${ct.id} is already in the table.`);
    return 'NF_ACCEPT';
  }
  if (skb.nfct!.state.endsWith('_REPLY')) {
    say(`Confirm: connection #${ct.id} is not confirmed, and a packet of the reply direction (here one made in answer to its first packet) does not put it in the table.`);
    return 'NF_ACCEPT';
  }
  ct.confirmed = true;
  nf_ct_timeout_confirm(net, ct);
  nf.hash.set(tupleKey(ct.tuple[0]), { ct, reply: false });
  nf.hash.set(tupleKey(ct.tuple[1]), { ct, reply: true });
  say(`Confirm: the first packet of connection #${ct.id} passed every hook, so the connection enters the conntrack table under both tuples: ${describeTuple(ct.tuple[0])} (original) and ${describeTuple(ct.tuple[1])} (reply).`);
  return 'NF_ACCEPT';
}

export function nf_conntrack_tuple_taken(nf: NfEngine, reply: Tuple, self: NfConn): boolean {
  const h = nf_ct_find(nf, tupleKey(reply));
  return !!h && h.ct !== self;
}
