// When a conntrack entry ends (Linux v6.12): each packet the tracker accepts sets the entry's
// timeout anew (nf_ct_refresh_acct) to a span its protocol chooses: a TCP state's
// (nf_conntrack_proto_tcp.c tcp_timeouts), UDP's unreplied or stream span
// (nf_conntrack_proto_udp.c), ICMP's and ICMPv6's. An unconfirmed entry keeps the span itself,
// and __nf_conntrack_confirm adds the time of confirmation. Once the time is reached the entry is
// expired: every lookup of the table passes over it and frees it (____nf_conntrack_find,
// nf_ct_gc_expired), so the next packet of those addresses and ports starts a new connection.
// gc_worker frees the rest in the background; the model frees an expired entry when a lookup
// meets it, which no packet can tell apart. Times are jiffies, as the kernel keeps them.
import type { Net } from '../net_namespace';
import type { NfConn } from './nf_conntrack';
import { HZ, jiffiesAt } from './nf_tables';

/** the sysctl (net.netfilter.nf_conntrack_tcp_timeout_*) of each TCP state's span */
const TCP_STATE_SYSCTL: Record<string, string> = {
  SYN_SENT: 'net.netfilter.nf_conntrack_tcp_timeout_syn_sent',
  SYN_RECV: 'net.netfilter.nf_conntrack_tcp_timeout_syn_recv',
  ESTABLISHED: 'net.netfilter.nf_conntrack_tcp_timeout_established',
  FIN_WAIT: 'net.netfilter.nf_conntrack_tcp_timeout_fin_wait',
  CLOSE_WAIT: 'net.netfilter.nf_conntrack_tcp_timeout_close_wait',
  LAST_ACK: 'net.netfilter.nf_conntrack_tcp_timeout_last_ack',
  TIME_WAIT: 'net.netfilter.nf_conntrack_tcp_timeout_time_wait',
  CLOSE: 'net.netfilter.nf_conntrack_tcp_timeout_close',
};
const TCP_UNACK = 'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged';
const TCP_RETRANS = 'net.netfilter.nf_conntrack_tcp_timeout_max_retrans';

/** seconds of a sysctl kept by proc_dointvec_jiffies, in jiffies */
const span = (net: Net, key: string): number => net.get(key) * HZ;

/**
 * A TCP state's span in the netns's table (tn->timeouts): the state's sysctl; SYN_SENT2 (a SYN
 * from both ends) has no sysctl and keeps SYN_SENT's default of 2 minutes (tcp_timeouts); RETRANS
 * and UNACK are the spans of nf_conntrack_tcp_timeout_max_retrans and _unacknowledged.
 */
export function tcpTimeoutOf(net: Net, state: string): number {
  if (state === 'SYN_SENT2') return 120 * HZ;
  if (state === 'RETRANS') return span(net, TCP_RETRANS);
  if (state === 'UNACK') return span(net, TCP_UNACK);
  return span(net, TCP_STATE_SYSCTL[state]);
}

/**
 * nf_conntrack_udp_packet: the unreplied span until a reply was seen (the first reply itself
 * included: IPS_SEEN_REPLY is set after the tracker ran), then the stream span once the entry is
 * more than 2 s old (stream_ts).
 */
export function udpTimeout(net: Net, ct: NfConn): number {
  if (ct.seenReply && ct.udpStreamTs !== undefined && jiffiesAt(net.w.sched.now) > ct.udpStreamTs) return span(net, 'net.netfilter.nf_conntrack_udp_timeout_stream');
  return span(net, 'net.netfilter.nf_conntrack_udp_timeout');
}

/** nf_conntrack_icmp_packet / nf_conntrack_icmpv6_packet: the same span for every packet */
export function icmpTimeout(net: Net, v6: boolean): number {
  return span(net, v6 ? 'net.netfilter.nf_conntrack_icmpv6_timeout' : 'net.netfilter.nf_conntrack_icmp_timeout');
}

/** __nf_ct_refresh_acct's timeout part: a span from now, or the span alone while unconfirmed */
export function nf_ct_refresh(net: Net, ct: NfConn, extra: number): void {
  ct.timeout = ct.confirmed ? jiffiesAt(net.w.sched.now) + extra : extra;
}

/** __nf_conntrack_confirm: the span runs from the confirmation */
export function nf_ct_timeout_confirm(net: Net, ct: NfConn): void {
  ct.timeout += jiffiesAt(net.w.sched.now);
}

/** nf_ct_is_expired: a confirmed entry whose time has come ((s32)(timeout - now) <= 0) */
export function nf_ct_is_expired(net: Net, ct: NfConn): boolean {
  return ct.confirmed && ct.timeout - jiffiesAt(net.w.sched.now) <= 0;
}

/**
 * nf_ct_expires: the jiffies left, 0 once expired. An unconfirmed entry's timeout is still the
 * span alone, from which the kernel subtracts the 32-bit jiffies counter: on any machine more
 * than the span past that counter's wrap (5 minutes after boot) the result is negative, so 0.
 */
export function nf_ct_expires(net: Net, ct: NfConn): number {
  return ct.confirmed ? Math.max(0, ct.timeout - jiffiesAt(net.w.sched.now)) : 0;
}
