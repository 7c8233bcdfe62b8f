// TCP over IPv4, the parts of net/ipv4/tcp_ipv4.c, tcp_input.c, tcp_output.c and
// tcp_minisocks.c that a connection's first packets go through: connect and the SYN, a
// listener's request sock and SYN-ACK, the final ACK that creates the child socket, a data
// segment queued to the receiver, and RST for segments no socket wants.
import { NotModelled } from '../../sim/not_modelled';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { RtxSkb, TcpSock } from './sock_types';
import { ENETUNREACH, type Rtable } from './route_types';
import type { TcpAfOps, TcpEndpoints, TcpIpArgs } from './tcp_af_ops';
import { wr16 } from '../../proto/addr';
import { numToIp } from '../../proto/addr';
import { l4Csum } from '../../proto/checksum';
import { IPPROTO_TCP, IPV4_HLEN, readIp } from '../../proto/ipv4';
import { TCPHDR_ACK, TCPHDR_PSH, TCPHDR_RST, TCPHDR_SYN, TCP_HLEN, parseTcpOptions, readTcp, sackOptionLen, synOptionsLen, tcpFlagString, writeSackOption, writeSynOptions, writeTcp, writeTsOption, type SynOptions } from '../../proto/tcp';
import { ip_do_redirect, ip_route_output_key } from './route';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PARAMETERPROB, ICMP_REDIRECT, ICMP_SOURCE_QUENCH, ICMP_TIME_EXCEEDED } from '../../proto/icmp';
import { ip_make_skb } from './ip_make';
import { ip_local_out, ip_send_skb } from './ip_output';
import { writePseudoChecksum } from '../core/checksum_offload';
import { ephemeralPort } from './udp';
import { NET_XMIT_CN } from '../core/dev';
import { TCP_SKB_HEAD_TRUESIZE, tcp_event_data_recv, tcp_init_buffer_space, tcp_select_window_bytes } from './tcp_window';
import { tcp_add_backlog } from './tcp_backlog';
import { tcp_process_tlp_ack, tcp_sacktag_write_queue } from './tcp_sack';
import { TCP_RTO_MAX_NS, retransmits_timed_out, tcp_clean_rtx_queue, tcp_enter_loss, tcp_model_timeout, tcp_process_loss } from './tcp_recovery';
import { snmpId } from '../snmp_ids';
import { JIFFY_NS } from '../../sim/scheduler';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IcmpInErrors = snmpId('IcmpInErrors');
const SNMP_Ip6OutNoRoutes = snmpId('Ip6OutNoRoutes');
const SNMP_IpOutNoRoutes = snmpId('IpOutNoRoutes');
const SNMP_TcpActiveOpens = snmpId('TcpActiveOpens');
const SNMP_TcpAttemptFails = snmpId('TcpAttemptFails');
const SNMP_TcpCurrEstab = snmpId('TcpCurrEstab');
const SNMP_TcpEstabResets = snmpId('TcpEstabResets');
const SNMP_TcpExtDelayedACKLost = snmpId('TcpExtDelayedACKLost');
const SNMP_TcpExtEmbryonicRsts = snmpId('TcpExtEmbryonicRsts');
const SNMP_TcpExtListenDrops = snmpId('TcpExtListenDrops');
const SNMP_TcpExtLockDroppedIcmps = snmpId('TcpExtLockDroppedIcmps');
const SNMP_TcpExtOutOfWindowIcmps = snmpId('TcpExtOutOfWindowIcmps');
const SNMP_TcpExtTCPAbortOnTimeout = snmpId('TcpExtTCPAbortOnTimeout');
const SNMP_TcpExtTCPChallengeACK = snmpId('TcpExtTCPChallengeACK');
const SNMP_TcpExtTCPDSACKOldSent = snmpId('TcpExtTCPDSACKOldSent');
const SNMP_TcpExtTCPDelivered = snmpId('TcpExtTCPDelivered');
const SNMP_TcpExtTCPLossUndo = snmpId('TcpExtTCPLossUndo');
const SNMP_TcpExtTCPSpuriousRTOs = snmpId('TcpExtTCPSpuriousRTOs');
const SNMP_TcpExtTCPLossFailures = snmpId('TcpExtTCPLossFailures');
const SNMP_TcpExtTCPLossProbes = snmpId('TcpExtTCPLossProbes');
const SNMP_TcpExtTCPLostRetransmit = snmpId('TcpExtTCPLostRetransmit');
const SNMP_TcpExtTCPOrigDataSent = snmpId('TcpExtTCPOrigDataSent');
const SNMP_TcpExtTCPPureAcks = snmpId('TcpExtTCPPureAcks');
const SNMP_TcpExtTCPRetransFail = snmpId('TcpExtTCPRetransFail');
const SNMP_TcpExtTCPSYNChallenge = snmpId('TcpExtTCPSYNChallenge');
const SNMP_TcpExtTCPSpuriousRtxHostQueues = snmpId('TcpExtTCPSpuriousRtxHostQueues');
const SNMP_TcpExtTCPSynRetrans = snmpId('TcpExtTCPSynRetrans');
const SNMP_TcpExtTCPTimeouts = snmpId('TcpExtTCPTimeouts');
const SNMP_TcpExtTcpTimeoutRehash = snmpId('TcpExtTcpTimeoutRehash');
const SNMP_TcpInCsumErrors = snmpId('TcpInCsumErrors');
const SNMP_TcpInErrs = snmpId('TcpInErrs');
const SNMP_TcpInSegs = snmpId('TcpInSegs');
const SNMP_TcpOutRsts = snmpId('TcpOutRsts');
const SNMP_TcpOutSegs = snmpId('TcpOutSegs');
const SNMP_TcpPassiveOpens = snmpId('TcpPassiveOpens');
const SNMP_TcpRetransSegs = snmpId('TcpRetransSegs');

const IPV4_FILE = 'net/ipv4/tcp_ipv4.c';
const INPUT_FILE = 'net/ipv4/tcp_input.c';
const OUTPUT_FILE = 'net/ipv4/tcp_output.c';
const MINISOCKS_FILE = 'net/ipv4/tcp_minisocks.c';
const CHECKSUM_BREAK = 76;
/** TCP_TIMEOUT_INIT: the first SYN retransmission after one second, doubling */
const RTO_INIT_NS = 1_000_000_000;
/** rcv_wscale of the v6.12 defaults (tcp_rmem[2] 6 MB): what a socket without its own scale reads */
const WSCALE = 7;
/** TCP_MAX_WSCALE */
const TCP_MAX_WSCALE = 14;

/**
 * tcp_select_initial_window's window scale (v6.12): enough to announce the largest buffer the
 * socket may grow to, the larger of tcp_rmem[2] and net.core.rmem_max (7 with 6 MB).
 */
function rcvWscale(net: Net): number {
  const space = Math.max(net.get('net.ipv4.tcp_rmem_max'), net.get('net.core.rmem_max'));
  return Math.max(0, Math.min(TCP_MAX_WSCALE, Math.floor(Math.log2(space)) - 15));
}
/** TCP_MSS_DEFAULT: the MSS assumed when the peer's SYN carries none */
const TCP_MSS_DEFAULT = 536;

export function tcpListen(net: Net, laddr: number, lport: number): TcpSock {
  return tcpListenOn(net, { af: ipv4_specific, laddr, daddr: 0 }, lport);
}

/** listen() on a socket bound to `ep`'s local address: IPv4, or IPv6 (tcp_ipv6.ts). */
export function tcpListenOn(net: Net, ep: TcpEndpoints, lport: number): TcpSock {
  const s = newSock(net, 'TCP_LISTEN', ep, lport, 0);
  s.report = { host: net.name, proto: 'tcp', local: ep.af.fmt('l', ep, lport), state: 'TCP_LISTEN', received: [], accepted: [] };
  return s;
}

function newSock(net: Net, state: TcpSock['state'], ep: TcpEndpoints, lport: number, dport: number): TcpSock {
  const s: TcpSock = { kind: 'tcp', state, af: ep.af, laddr: ep.laddr, lport, daddr: ep.daddr, dport, sndNxt: 0, sndUna: 0, rcvNxt: 0, iss: 0, irs: 0, tsRecent: 0, report: null, parent: null, pendingData: 0, retransTimer: null, synRetries: 0, synPkt: 0, errors: [] };
  if (ep.laddr6) s.laddr6 = ep.laddr6;
  if (ep.daddr6) s.daddr6 = ep.daddr6;
  net.sock.tcp.push(s);
  return s;
}

/** The MSS a route allows (tcp_mss_clamp of dst_metric_advmss): the MTU less the IP and TCP headers. */
function advMss(af: TcpAfOps, rt: Rtable): number {
  return rt.mtu() - af.netHeaderLen - TCP_HLEN;
}

/** A connection's ends as text: 10.0.0.1:80, [2001:db8::1]:80. */
const la = (sk: TcpSock): string => sk.af.fmt('l', sk, sk.lport);
const da = (sk: TcpSock): string => sk.af.fmt('d', sk, sk.dport);

/**
 * The peer as the application sees it from accept() or recvfrom(): an IPv4 peer of an IPv6
 * listener (a dual-stack socket, tcp_v6_syn_recv_sock's ipv6_mapped child) is a v4-mapped
 * address, ::ffff:a.b.c.d.
 */
function peerName(sk: TcpSock): string {
  const listener = sk.parent;
  if (listener && listener.af.netHeaderLen === 40 && sk.af.netHeaderLen === 20) return `[::ffff:${numToIp(sk.daddr)}]:${sk.dport}`;
  return da(sk);
}

/**
 * tcp_full_space (include/net/tcp.h, v6.12): the window sk_rcvbuf can back — tcp_rmem[1] with the
 * default 50 % payload/truesize scaling_ratio (TCP_DEFAULT_SCALING_RATIO).
 */
function tcp_full_space(net: Net): number {
  return Math.floor((net.get('net.ipv4.tcp_rmem_default') * 128) / 256);
}

/**
 * tcp_select_initial_window (net/ipv4/tcp_output.c, v6.12): the first window offered, quantized
 * down to a multiple of the MSS (tcp_workaround_signed_windows is 0, no initrwnd metric).
 */
function tcp_select_initial_window(space: number, mss: number): number {
  const clamp = 65535 << 14;
  let s = Math.min(space, clamp);
  if (s > mss) s = Math.floor(s / mss) * mss;
  return s;
}

/** What a kernel that raises rcv_ssthresh in tcp_measure_rcv_mss would offer instead (RcvSpace.alt). */
export const ALT_WINDOW_NOTE = /a kernel that still raises rcv_ssthresh there \(f5da7c45188e without 0e125ecfe20c, e\.g\. 6\.18\.44\) offers (\d+) in the window field/;
function altWindowNote(sk: TcpSock): string {
  if (sk.altWindow === undefined) return '';
  return ` (v6.12.117's tcp_measure_rcv_mss writes the new window_clamp without touching rcv_ssthresh; a kernel that still raises rcv_ssthresh there (f5da7c45188e without 0e125ecfe20c, e.g. 6.18.44) offers ${sk.altWindow} in the window field.)`;
}

/**
 * tcp_select_window → __tcp_select_window (v6.12), for the first exchanges of a connection: the
 * free receive space tcp_space() allows, capped by rcv_ssthresh (the initial window), rounded up
 * to the window-scale unit — and never less than what is still open of the window already
 * offered (cur_win: right after a small segment the measured scaling_ratio makes tcp_space
 * small, so the window only slides).
 */
function tcp_select_window(net: Net, sk: TcpSock): number {
  const wscale = sk.rcvWscale ?? WSCALE;
  const unit = 1 << wscale;
  const rcvWnd = sk.rcvWnd ?? 0;
  const cur = Math.max(0, (sk.rcvWup ?? sk.rcvNxt) + rcvWnd - sk.rcvNxt);
  const received = ((sk.rcvNxt - (sk.rcvWup ?? sk.rcvNxt)) >>> 0) > 0;
  let win: number;
  // an established receiver that got data: the full computation from its buffer (tcp_window.ts)
  sk.altWindow = undefined;
  if (sk.rcvSpace && received) {
    win = tcp_select_window_bytes(sk.rcvSpace, rcvWnd, cur);
    const alt = sk.rcvSpace.alt;
    if (alt) {
      const altCur = Math.max(0, (sk.rcvWup ?? sk.rcvNxt) + alt.rcvWnd - sk.rcvNxt);
      const altWin = tcp_select_window_bytes(sk.rcvSpace, alt.rcvWnd, altCur, alt.rcvSsthresh);
      alt.rcvWnd = altWin;
      const field = Math.min(altWin, 65535 * unit) >>> wscale;
      if (field !== Math.min(win, 65535 * unit) >>> wscale) sk.altWindow = field;
    }
  } else {
    win = received ? 0 : Math.ceil(Math.min(tcp_full_space(net), rcvWnd) / unit) * unit;
    if (win < cur) win = Math.ceil(cur / unit) * unit;
    // nothing new received (a DSACK answer, say): the other kernel's window only slides as well
    const alt = sk.rcvSpace?.alt;
    if (alt && !received) {
      const altCur = Math.max(0, (sk.rcvWup ?? sk.rcvNxt) + alt.rcvWnd - sk.rcvNxt);
      const altWin = Math.max(Math.ceil(Math.min(tcp_full_space(net), alt.rcvWnd) / unit) * unit, Math.ceil(altCur / unit) * unit);
      alt.rcvWnd = altWin;
      const field = Math.min(altWin, 65535 * unit) >>> wscale;
      if (field !== Math.min(win, 65535 * unit) >>> wscale) sk.altWindow = field;
    }
  }
  sk.rcvWnd = win;
  sk.rcvWup = sk.rcvNxt;
  // the 16-bit field carries at most 65535 units of the scale
  return Math.min(win, 65535 * unit) >>> wscale;
}

/** The options of a SYN or SYN-ACK from what the socket offers or negotiated. */
function synOptions(net: Net, sk: TcpSock, mss: number, tsecr: number): SynOptions {
  return { mss, ts: sk.tstampOk ? { val: tsval(net), ecr: tsecr } : undefined, sack: !!sk.sackOk, ws: sk.wscaleOk ? (sk.rcvWscale ?? WSCALE) : undefined };
}

/** tcp_established_options: the timestamp option on every segment once it was negotiated, else none. */
function estOptions(sk: TcpSock): 'ts' | 'none' {
  return sk.tstampOk ? 'ts' : 'none';
}

/** secure_tcp_seq and the timestamp offset: keyed hashes in the kernel, seeded hashes here. */
function isn(net: Net, ep: TcpEndpoints, sport: number, dport: number): number {
  let h = 0x9e3779b9;
  const words = (a: number, a6?: Uint8Array): number[] => (a6 ? [0, 4, 8, 12].map((i) => ((a6[i] << 24) | (a6[i + 1] << 16) | (a6[i + 2] << 8) | a6[i + 3]) >>> 0) : [a]);
  for (const v of [...words(ep.laddr, ep.laddr6), sport, ...words(ep.daddr, ep.daddr6), dport]) h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
  for (const c of net.name) h = Math.imul(h ^ c.charCodeAt(0), 0xc2b2ae35) >>> 0;
  // another key (net_secret), as another boot of the kernel has: the generator's reruns
  if (net.w.randomSalt) h = Math.imul(h ^ net.w.randomSalt, 0x27d4eb2f) >>> 0;
  return h >>> 0;
}

function tsval(net: Net): number {
  return (tsvalAt(net.w.sched.now) + tsSaltOffset(net)) >>> 0;
}

/** a timestamp offset under another salt (tcp_ns_to_ts plus the per-connection ts_off, random in the kernel) */
function tsSaltOffset(net: Net): number {
  return net.w.randomSalt ? Math.imul(net.w.randomSalt, 0x9e3779b1) >>> 0 : 0;
}

interface Segment {
  sk: TcpSock | null;
  /** the addresses, from the sender's side (a socket, or the reply's ends for the control socket) */
  ep: TcpEndpoints;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** 'syn': MSS and what the socket negotiated of SACK/TS/WS (synOptions); 'ts': timestamps; 'none' */
  options: 'syn' | 'ts' | 'none';
  mss?: number;
  tsecr?: number;
  data: number;
  rt: Rtable;
  parent: number | null;
  df: boolean;
  ttl?: number;
  tos?: number;
  /** checksum left to the device (sockets) or computed here (the RST control socket) */
  offload: boolean;
  /** a retransmission (not counted in TcpOutSegs) */
  retrans?: boolean;
  /** filled with what tcp_transmit_skb returned: ip_local_out's result, NET_XMIT_CN read as 0 (net_xmit_eval) */
  result?: { err: number };
  /** tcp_set_skb_tso_segs: the MSS a data sk_buff longer than it is cut at (gso_size) */
  gsoSize?: number;
  /** sent by ip_build_and_send_pkt (a SYN-ACK), not ip_queue_xmit: DF is also set on any packet of at most IPV4_MIN_MTU bytes */
  buildAndSend?: boolean;
}

/** IPV4_MIN_MTU (include/linux/ip.h) */
const IPV4_MIN_MTU = 576;

/** tcp_invalid_ratelimit's default (HZ/2, tcp_sk_init in v6.12) */
const TCP_INVALID_RATELIMIT_NS = 500e6;

/**
 * inet_rtx_syn_ack → tcp_rtx_synack: the request's SYN-ACK again (TcpOutSegs in tcp_make_synack;
 * TcpRetransSegs and TCPSynRetrans only when it was sent). Returns false when it could not be
 * sent (no route, or ip_build_and_send_pkt's error).
 */
function inet_rtx_syn_ack(net: Net, req: TcpSock, parent: number | null, tos: number, why: string): boolean {
  return net.call('inet_rtx_syn_ack', () =>
    net.call('tcp_rtx_synack', () => {
      const r = req.af.route(net, req);
      if ('error' in r) return false;
      const result = { err: 0 };
      sendSegment(net, { sk: req, ep: req, sport: req.lport, dport: req.dport, seq: req.iss, ack: req.rcvNxt, flags: TCPHDR_SYN | TCPHDR_ACK, window: Math.min(req.rcvWnd ?? 0, 65535), options: 'syn', mss: advMss(req.af, r.rt), tsecr: req.tsRecent, data: 0, rt: r.rt, parent, df: true, tos, offload: true, result, buildAndSend: true }, req.af.fn.sendSynack, req.af.file, `The SYN-ACK to ${da(req)} again (seq ${req.iss}, ack ${req.rcvNxt}): ${why} (TcpRetransSegs, TCPSynRetrans).`);
      if (result.err !== 0) return false;
      net.count(SNMP_TcpRetransSegs);
      net.count(SNMP_TcpExtTCPSynRetrans);
      return true;
    }),
  );
}

/** reqsk_timeout: TCP_TIMEOUT_INIT doubled per expiry so far, at most TCP_RTO_MAX */
function reqsk_timeout(req: TcpSock): number {
  return Math.min(RTO_INIT_NS * 2 ** (req.numTimeout ?? 0), TCP_RTO_MAX_NS);
}

/**
 * reqsk_timer_handler (net/ipv4/inet_connection_sock.c, v6.12): a request sock's SYN-ACK timer,
 * armed at TCP_TIMEOUT_INIT when it is hashed. Each expiry counts TCPTimeouts
 * (tcp_syn_ack_timeout); once num_timeout reaches tcp_synack_retries (syn_ack_recalc) the
 * request is dropped (inet_csk_reqsk_queue_drop), else the SYN-ACK goes again and the timer is
 * re-armed at reqsk_timeout (1 s, 2 s, 4 s…). A SYN-ACK that cannot be sent drops it too.
 */
function armReqTimer(net: Net, req: TcpSock, after: number): void {
  net.w.sched.cancel(req.retransTimer as never);
  // rsk_timer is TIMER_PINNED (reqsk_queue_hash_req)
  req.retransTimer = net.w.sched.timer(after, () => {
    if (req.state !== 'TCP_NEW_SYN_RECV') return;
    net.w.rec.fresh(() =>
      net.call('reqsk_timer_handler', () => {
        net.count(SNMP_TcpExtTCPTimeouts);
        const max = net.get('net.ipv4.tcp_synack_retries');
        const n = req.numTimeout ?? 0;
        if (n < max && inet_rtx_syn_ack(net, req, req.synPkt || null, req.synTos ?? 0, `no ACK within ${reqsk_timeout(req) / 1e9} s (retransmission ${n + 1} of tcp_synack_retries = ${max})`)) {
          req.numTimeout = n + 1;
          armReqTimer(net, req, reqsk_timeout(req));
          return;
        }
        req.state = 'TCP_CLOSE';
        net.step(null, 'L4', 'reqsk_timer_handler', 'net/ipv4/inet_connection_sock.c', net.full ? `The request from ${da(req)} got no ACK after ${n} SYN-ACK retransmissions (tcp_synack_retries = ${max}): it is dropped (inet_csk_reqsk_queue_drop) (TCPTimeouts).` : '');
      }),
    );
  }, true);
}

/** tcp_transmit_skb / tcp_v4_send_synack / tcp_v4_send_reset: build a segment and send it. */
function sendSegment(net: Net, s: Segment, fn: string, file: string, what: string): number {
  const syn = s.options === 'syn' && s.sk ? synOptions(net, s.sk, s.mss ?? 1460, s.tsecr ?? 0) : undefined;
  // tcp_set_skb_tso_segs: more data than one MSS makes a GSO sk_buff of ceil(len / mss) segments
  const pcount = s.gsoSize && s.data > s.gsoSize ? Math.ceil(s.data / s.gsoSize) : 1;
  // __tcp_transmit_skb (v6.12) forces PSH on every GSO sk_buff but a SYN, so that the receiver's
  // GRO flushes it at once; tcp_gso_segment takes it off all segments but the last again
  const flags = fn === 'tcp_transmit_skb' && pcount > 1 && !(s.flags & TCPHDR_SYN) ? s.flags | TCPHDR_PSH : s.flags;
  // tcp_established_options: a pending DSACK block (rx_opt.dsack, tcp_dsack_set) rides on the
  // socket's next segment after the timestamps; tcp_options_write clears it once written
  const sack = fn === 'tcp_transmit_skb' && !syn && s.sk?.dsack ? [s.sk.dsack] : undefined;
  if (sack) s.sk!.dsack = undefined;
  const tsLen = s.options === 'ts' ? 12 : 0;
  const optLen = syn ? synOptionsLen(syn) : tsLen + sackOptionLen(sack?.length ?? 0);
  const hdr = TCP_HLEN + optLen;
  const pkt = net.w.rec.newPacket(net.name, s.parent);
  // ip_dont_fragment: a socket's segments (IP_PMTUDISC_WANT) carry DF unless the route's MTU is
  // locked; inet_create makes every new socket IP_PMTUDISC_DONT (no DF at all) when
  // ip_no_pmtu_disc is set. The RST control socket is IP_PMTUDISC_DO. ip_build_and_send_pkt (the
  // SYN-ACK, sent for the listener) sets DF with IP ID 0 on a packet of at most IPV4_MIN_MTU bytes
  // whatever the socket's mode, "not to bother generating an IP ID for small packets" (v6.12).
  const small = !!s.buildAndSend && s.ep.af.netHeaderLen + hdr + s.data <= IPV4_MIN_MTU;
  const df = s.df && (small || !(s.sk && (s.rt.mtuLocked || net.get('net.ipv4.ip_no_pmtu_disc') !== 0)));
  const skb = s.ep.af.build(net, s.ep, { len: hdr + s.data, pkt, rt: s.rt, df, ttl: s.ttl, tos: s.tos, offload: s.offload, body: (b, off) => {
    if (syn) writeSynOptions(b, off + TCP_HLEN, syn);
    else if (s.options === 'ts') writeTsOption(b, off + TCP_HLEN, tsval(net), s.tsecr ?? 0);
    if (sack) writeSackOption(b, off + TCP_HLEN + tsLen, sack);
    // the application wrote A…Z over and over: a segment carries the part its sequence number says
    const first = s.data && s.sk ? ((s.seq - s.sk.iss - 1) >>> 0) % 26 : 0;
    for (let i = 0; i < s.data; i++) b[off + hdr + i] = 0x41 + ((first + i) % 26);
    // the checksum is the family's (af.build), over its pseudo-header
    writeTcp(b, off, { source: s.sport, dest: s.dport, seq: s.seq >>> 0, ackSeq: s.ack >>> 0, doff: hdr / 4, flags, window: s.window, urgPtr: 0 }, hdr + s.data, 0, 0);
  } }, !!s.sk);
  skb.ip_summed = s.offload ? 'CHECKSUM_PARTIAL' : 'CHECKSUM_NONE';
  skb.sk = s.sk;
  // __tcp_transmit_skb copies the socket's sk_dst_pending_confirm into the sk_buff (a SYN-ACK
  // from tcp_make_synack or a RST from the control socket never carries it). Over IPv6 it is
  // left out (docs/fidelity.md, open): ip6_finish_output2 would confirm with it, and a
  // confirmation in the handshake's instant meets the DELAY timer race that the harness masks
  // for ARP only (ND probes move ICMPv6 counters)
  if (fn === 'tcp_transmit_skb' && s.sk?.dstPendingConfirm && !isV6(s.ep)) skb.dst_pending_confirm = true;
  // tcp_transmit_skb hands ip_queue_xmit one sk_buff, never ip_append_data's pieces
  skb.cb.fragList = undefined;
  skb.cb.fragLocal = undefined;
  if (pcount > 1) {
    skb.gso_size = s.gsoSize!;
    skb.gso_segs = pcount;
  }
  net.call(fn, () => {
    // tcp_transmit_skb counts OutSegs (tcp_skb_pcount of them) only for new sequence space (or a
    // bare ACK): a retransmitted SYN is not counted
    if (!s.retrans) net.count(SNMP_TcpOutSegs, pcount);
    net.step(skb, 'L4', fn, file, what);
    // the RST control socket's reply goes out through ip_send_unicast_reply →
    // ip_push_pending_frames → ip_send_skb, which counts IpOutDiscards for a refused one (a
    // LOCAL_OUT drop's -EPERM); a socket's segments go through ip_queue_xmit → ip_local_out
    const rc = s.ep.af.send(net, skb, !!s.sk);
    if (s.result) s.result.err = rc === NET_XMIT_CN ? 0 : rc;
  });
  return pkt;
}

export interface ConnectOptions {
  daddr: number;
  dport: number;
  sport?: number;
  data?: number;
}

/**
 * The ports `from :PORT` connects bound (inet_bind → inet_csk_get_port). The application keeps
 * each socket until the scenario ends, and a port bound by hand stays held even once the
 * connection is over (tcp_set_state(TCP_CLOSE) releases it only without SOCK_BINDPORT_LOCK).
 */
const boundPorts = new WeakMap<Net, Set<number>>();

/**
 * bind(0.0.0.0:PORT) before connect: inet_csk_bind_conflict (v6.12) refuses a port another socket
 * holds, since the sender sets no SO_REUSEADDR: an earlier connect from it, or a listener on it.
 * Returns the error the application sees, or null when the port is now ours.
 */
export function tcp_bind_sender(net: Net, sport: number): string | null {
  let held = boundPorts.get(net);
  if (!held) boundPorts.set(net, (held = new Set()));
  const listener = net.sock.tcp.find((s) => s.lport === sport && s.state === 'TCP_LISTEN');
  if (!held.has(sport) && !listener) {
    held.add(sport);
    return null;
  }
  net.step(null, 'socket', 'inet_csk_get_port', 'net/ipv4/inet_connection_sock.c', net.full ? `bind(0.0.0.0:${sport}) fails with EADDRINUSE: ${listener ? `the listener on ${la(listener)}` : 'the socket an earlier connect bound to it (kept open by its application)'} holds the port, and the new socket has no SO_REUSEADDR (inet_csk_bind_conflict).` : '', { ret: '-EADDRINUSE' });
  return 'Address already in use';
}

/** tcp_v4_connect → tcp_connect: route, pick a port and ISN, send the SYN (SYN_SENT). */
export function tcp_v4_connect(net: Net, o: ConnectOptions): number | string {
  return net.w.rec.fresh(() =>
    net.call('tcp_v4_connect', () => {
      const inUse = o.sport !== undefined ? tcp_bind_sender(net, o.sport) : null;
      if (inUse) {
        net.step(null, 'socket', 'tcp_v4_connect', IPV4_FILE, net.full ? `connect to ${numToIp(o.daddr)}:${o.dport} from port ${o.sport} fails: its bind() failed with EADDRINUSE, so nothing is sent.` : '', { ret: '-EADDRINUSE' });
        const pkt = net.w.rec.newPacket(net.name, null);
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'tcp_v4_connect', reason: 'SKB_DROP_REASON_NOT_SPECIFIED', detail: inUse });
        return inUse;
      }
      // ip_route_connect: without a source the first lookup picks one, and the route is looked up
      // again with it (flowi4_update_output, ip_route_output_flow), so an `ip rule from` the
      // chosen source decides; either lookup's error fails the connect
      const first = ip_route_output_key(net, o.daddr, 0);
      const r = 'error' in first ? first : ip_route_output_key(net, o.daddr, first.saddr);
      if ('error' in r) {
        if (r.error === 101) net.count(SNMP_IpOutNoRoutes);
        net.step(null, 'socket', 'tcp_v4_connect', IPV4_FILE, net.full ? `connect to ${numToIp(o.daddr)}:${o.dport} fails: ${r.what}.` : '');
        const pkt = net.w.rec.newPacket(net.name, null);
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'tcp_v4_connect', reason: 'SKB_DROP_REASON_IP_OUTNOROUTES', detail: r.what });
        return r.what;
      }
      // A route to a broadcast (or multicast) address is no place for a connection: refused with
      // ENETUNREACH, after the route lookup, so IpOutNoRoutes does not move.
      if (r.rt.type === 'RTN_BROADCAST' || r.rt.type === 'RTN_MULTICAST') {
        const what = `${numToIp(r.daddr)} is a broadcast address (RTCF_BROADCAST): connect fails (Network is unreachable, ENETUNREACH)`;
        net.step(null, 'socket', 'tcp_v4_connect', IPV4_FILE, net.full ? `connect to ${numToIp(o.daddr)}:${o.dport} fails: ${what}.` : '');
        const pkt = net.w.rec.newPacket(net.name, null);
        net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'tcp_v4_connect', reason: 'SKB_DROP_REASON_NOT_SPECIFIED', detail: what });
        return what;
      }
      const sport = o.sport ?? ephemeralPort(net);
      return tcp_connect(net, { af: ipv4_specific, laddr: r.saddr, daddr: r.daddr }, sport, o, r.rt);
    }),
  );
}

/**
 * The family-independent rest of connect() (tcp_v4_connect / tcp_v6_connect once the route and
 * the source address are known): the ISN, the options this namespace offers, SYN_SENT, the
 * retransmission timer and tcp_connect's SYN.
 */
export function tcp_connect(net: Net, ep: TcpEndpoints, sport: number, o: { dport: number; data?: number }, rt: Rtable): number {
  const sk = newSock(net, 'TCP_SYN_SENT', ep, sport, o.dport);
  sk.iss = isn(net, ep, sport, o.dport);
  sk.sndUna = sk.iss;
  sk.sndNxt = (sk.iss + 1) >>> 0;
  sk.pendingData = o.data ?? 0;
  // tcp_syn_options: what this namespace's sysctls offer; rcv_wscale is 0 without window scaling
  sk.tstampOk = net.get('net.ipv4.tcp_timestamps') !== 0;
  sk.sackOk = net.get('net.ipv4.tcp_sack') !== 0;
  sk.wscaleOk = net.get('net.ipv4.tcp_window_scaling') !== 0;
  sk.rcvWscale = sk.wscaleOk ? rcvWscale(net) : 0;
  // tcp_connect_init: the SYN offers tcp_full_space quantized to the advertised MSS
  sk.rcvWnd = tcp_select_initial_window(tcp_full_space(net), advMss(ep.af, rt));
  sk.rcvWup = sk.rcvNxt;
  net.count(SNMP_TcpActiveOpens);
  sk.userLockAt = net.w.sched.now;
  sk.retransStamp = net.w.sched.now;
  // a peer's SYN-ACK timer armed as the SYN arrives lands in the same wheel bucket and, pinned,
  // runs before this one in that tick (Scheduler.timer: seed 990139/20)
  armSynTimer(net, sk, rt, RTO_INIT_NS);
  const pkt = sendSyn(net, sk, rt, null, `connect(): the socket ${la(sk)} goes to SYN_SENT and sends a SYN to ${da(sk)} (seq ${sk.iss}, MSS ${advMss(ep.af, rt)}${sk.sackOk ? ', SACK' : ''}${sk.tstampOk ? ', timestamps' : ''}${sk.wscaleOk ? `, window scale ${sk.rcvWscale}` : ''}) (TcpActiveOpens).`);
  sk.synPkt = pkt;
  return pkt;
}

function sendSyn(net: Net, sk: TcpSock, rt: Rtable, parent: number | null, what: string, retrans = false, result?: { err: number }): number {
  return net.call(retrans ? 'tcp_retransmit_skb' : 'tcp_connect', () =>
    sendSegment(net, { sk, ep: sk, sport: sk.lport, dport: sk.dport, seq: sk.iss, ack: 0, flags: TCPHDR_SYN, window: Math.min(sk.rcvWnd ?? 0, 65535), options: 'syn', mss: advMss(sk.af, rt), data: 0, rt, parent, df: true, offload: true, retrans, result }, 'tcp_transmit_skb', OUTPUT_FILE, what),
  );
}

/** TCP_RESOURCE_PROBE_INTERVAL (HZ/2): the retry after a retransmission the device layer refused */
const TCP_RESOURCE_PROBE_INTERVAL_NS = 500_000_000;

export { tcp_model_timeout };

/**
 * tcp_retransmit_timer for a SYN (net/ipv4/tcp_timer.c, v6.12). Each expiry counts TCPTimeouts;
 * then tcp_write_timeout gives up (ETIMEDOUT, TCPAbortOnTimeout) once tcp_syn_retries +
 * tcp_syn_linear_timeouts retransmissions were sent, or — retransmits_timed_out, once one was
 * sent — once the time since the first SYN (retrans_stamp) reaches tcp_model_timeout(
 * tcp_syn_retries, 1 s): what tcp_syn_retries retransmissions with plain doubling would take.
 * With tcp_syn_retries=1 that is 3 s, so only 2 retransmissions go out (at 1 s and 2 s), not
 * 1 + tcp_syn_linear_timeouts. Else the flow is rehashed (TcpTimeoutRehash); tcp_enter_loss
 * marks an already retransmitted SYN lost again (TCPLostRetransmit); the SYN is resent
 * (RetransSegs, TCPSynRetrans). The RTO stays at 1 s while total_rto <= tcp_syn_linear_timeouts,
 * then doubles (at most TCP_RTO_MAX, 120 s): with the defaults 1,1,1,1,1,2,4,8,16,32 s, then
 * 64 s more before connect() fails, 131 s after the first SYN.
 */
function armSynTimer(net: Net, sk: TcpSock, rt: Rtable, rto: number, after = rto): void {
  const t = net.w.sched.timer(after, () => {
    if (sk.state !== 'TCP_SYN_SENT') return;
    net.w.rec.fresh(() =>
      net.call('tcp_retransmit_timer', () => {
        net.count(SNMP_TcpExtTCPTimeouts);
        const linear = net.get('net.ipv4.tcp_syn_linear_timeouts');
        const retryUntil = net.get('net.ipv4.tcp_syn_retries');
        const max = retryUntil + linear;
        const limit = tcp_model_timeout(retryUntil, RTO_INIT_NS);
        // retransmits_timed_out compares jiffies-based milliseconds
        const elapsedMs = Math.floor(net.w.sched.now / 1e6) - Math.floor((sk.retransStamp ?? 0) / 1e6);
        const timedOut = sk.synRetries > 0 && elapsedMs - limit / 1e6 >= 0;
        if (sk.synRetries >= max || timedOut) {
          // tcp_write_err: the error is the soft one an ICMP message left while connect() held
          // the socket (sk_err_soft), else ETIMEDOUT; tcp_done_with_error ends the socket
          const err = sk.errSoft ?? 'ETIMEDOUT';
          net.count(SNMP_TcpExtTCPAbortOnTimeout);
          const why = sk.synRetries >= max ? `tcp_syn_retries + tcp_syn_linear_timeouts = ${max} retransmissions` : `${elapsedMs / 1000} s since the first SYN reach tcp_model_timeout(tcp_syn_retries = ${retryUntil}) = ${limit / 1e9} s`;
          net.step(null, 'L4', 'tcp_write_timeout', 'net/ipv4/tcp_timer.c', net.full ? `No answer to ${sk.synRetries + 1} SYNs (${why}): tcp_write_err ends the connect with ${sk.errSoft ? `${err}, the soft error an earlier ICMP message left (sk_err_soft), not ETIMEDOUT` : 'ETIMEDOUT'} (TCPTimeouts, TcpAttemptFails, TCPAbortOnTimeout).` : '');
          tcp_done_with_error(net, sk, err);
          return;
        }
        net.count(SNMP_TcpExtTcpTimeoutRehash);
        // tcp_mark_skb_lost: only a retransmission that went out (TCPCB_SACKED_RETRANS) is "lost again"
        if (sk.synRetries > 0 && sk.synRtxOk) net.count(SNMP_TcpExtTCPLostRetransmit);
        sk.synRetries++;
        if (skb_still_in_host_queue(net, sk)) {
          // the clone of the last SYN still waits in a neighbour's arp_queue (its fclone holds
          // the socket): __tcp_retransmit_skb returns -EBUSY and nothing is sent, but the timer
          // backs off and the expiry counts toward tcp_syn_retries all the same
          net.count(SNMP_TcpExtTCPSpuriousRtxHostQueues);
          sk.synRtxOk = false;
          armSynTimer(net, sk, rt, sk.synRetries > linear ? Math.min(rto * 2, TCP_RTO_MAX_NS) : rto);
          net.step(null, 'L4', 'tcp_retransmit_skb', OUTPUT_FILE, net.full ? `No SYN-ACK within ${rto / 1e9} s, but the last SYN has not left the host yet (it waits in a neighbour's arp_queue): skb_still_in_host_queue, so it is not sent again (-EBUSY, TCPSpuriousRtxHostQueues); expiry ${sk.synRetries} of ${max}.` : '', { ret: '-EBUSY' });
          return;
        }
        net.count(SNMP_TcpRetransSegs);
        net.count(SNMP_TcpExtTCPSynRetrans);
        const result = { err: 0 };
        armSynTimer(net, sk, rt, sk.synRetries > linear ? Math.min(rto * 2, TCP_RTO_MAX_NS) : rto);
        sendSyn(net, sk, rt, sk.synPkt, `No SYN-ACK within ${rto / 1e9} s: the SYN is sent again (retransmission ${sk.synRetries} of ${max}) (TCPTimeouts, TcpRetransSegs, TCPSynRetrans).`, true, result);
        // __tcp_retransmit_skb: a transmit error (a netfilter drop's -EPERM, a device's NET_XMIT_DROP)
        // counts TCPRetransFail, and the SYN is not marked retransmitted
        sk.synRtxOk = result.err === 0;
        if (sk.synRtxOk) sk.synEverRtx = true;
        if (result.err !== 0) {
          net.count(SNMP_TcpExtTCPRetransFail);
          net.step(null, 'L4', 'tcp_retransmit_skb', OUTPUT_FILE, net.full ? `The retransmitted SYN did not leave (tcp_transmit_skb returned ${result.err}): TCPRetransFail.` : '');
        }
        // tcp_retransmit_timer: a positive return (local congestion) retries after
        // TCP_RESOURCE_PROBE_INTERVAL without backing off
        if (result.err > 0 && sk.state === 'TCP_SYN_SENT') {
          net.w.sched.cancel(sk.retransTimer as never);
          armSynTimer(net, sk, rt, rto, TCP_RESOURCE_PROBE_INTERVAL_NS);
        }
      }),
    );
  }, false);
  sk.retransTimer = t;
}


/** skb_still_in_host_queue (net/ipv4/tcp_output.c, v6.12): the last transmitted clone has not left the host. */
function skb_still_in_host_queue(net: Net, sk: TcpSock): boolean {
  for (const n of net.neigh.values()) if (n.arpQueue.some((q) => q.sk === sk)) return true;
  return false;
}

const isV6 = (ep: TcpEndpoints): boolean => ep.af.netHeaderLen === 40;
const eq6 = (a?: Uint8Array, b?: Uint8Array): boolean => !!a && !!b && a.every((x, i) => x === b[i]);
const any6 = (a?: Uint8Array): boolean => !a || a.every((x) => x === 0);

/** The socket's local address is `rx`'s (the segment's destination), or the socket is bound to the wildcard. */
function localMatch(s: TcpSock, rx: TcpEndpoints): boolean {
  return isV6(rx) ? any6(s.laddr6) || eq6(s.laddr6, rx.laddr6) : !s.laddr || s.laddr === rx.laddr;
}

/**
 * __inet_lookup_skb / __inet6_lookup_skb: an established (or request) socket by the 4-tuple
 * first, then a listener. A segment of one family finds sockets of that family, and an IPv4
 * segment also an IPv6 listener on the wildcard without IPV6_V6ONLY (a dual-stack socket:
 * inet_lhash2 compute_score accepts it, scoring it below an AF_INET one).
 */
function lookup(net: Net, rx: TcpEndpoints, sport: number, dport: number): TcpSock | undefined {
  const v6 = isV6(rx);
  const est = net.sock.tcp.find((s) => s.state !== 'TCP_LISTEN' && s.state !== 'TCP_CLOSE' && s.lport === dport && s.dport === sport && isV6(s) === v6 && (v6 ? eq6(s.daddr6, rx.daddr6) : s.daddr === rx.daddr) && localMatch(s, rx));
  if (est) return est;
  const listeners = net.sock.tcp.filter((s) => s.state === 'TCP_LISTEN' && s.lport === dport);
  const same = listeners.find((s) => isV6(s) === v6 && localMatch(s, rx));
  if (same || v6) return same;
  return listeners.find((s) => isV6(s) && any6(s.laddr6) && !s.v6only);
}

/** TCP_SKB_CB(skb)->end_seq: the sequence after the segment's data, SYN and FIN each taking one */
function segEndSeq(seq: number, flags: number, dataLen: number): number {
  return (seq + (flags & TCPHDR_SYN ? 1 : 0) + (flags & 0x01 ? 1 : 0) + dataLen) >>> 0;
}

/** tcp_v4_rcv: inet_protos[IPPROTO_TCP]. skb->data is at the TCP header. */
export function tcp_v4_rcv(net: Net, skb: SkBuff): void {
  tcp_rcv(net, skb, ipv4_specific);
}

/**
 * tcp_v4_rcv and tcp_v6_rcv (net/ipv6/tcp_ipv6.c), which do the same in the same order: count,
 * check the header and the checksum (over the family's pseudo-header), find the socket, hand
 * the segment on (tcp_v4_do_rcv / tcp_v6_do_rcv), or answer a closed port with a RST.
 */
export function tcp_rcv(net: Net, skb: SkBuff, af: TcpAfOps): void {
  const F = af.fn;
  net.call(F.rcv, () => {
    if (skb.pkt_type !== 'PACKET_HOST') {
      net.drop(skb, 'L4', F.rcv, af.file, 'NOT_SPECIFIED', 'TCP takes only segments sent to this host.');
      return;
    }
    net.count(SNMP_TcpInSegs);
    if (!skb.mayPull(TCP_HLEN)) {
      net.drop(skb, 'L4', F.rcv, af.file, 'NOT_SPECIFIED', 'Too short for a TCP header.');
      return;
    }
    const th = readTcp(skb.buf, skb.data);
    if (th.doff < 5) {
      net.count(SNMP_TcpInErrs);
      net.drop(skb, 'L4', F.rcv, af.file, 'PKT_TOO_SMALL', 'The TCP data offset is below 5 words (TcpInErrs).');
      return;
    }
    const rx = af.rcvEndpoints(skb);
    const dataLen = skb.len - th.doff * 4;
    const bad = (): boolean => af.csumBad(skb);
    const csumError = (fn: string, file: string): void => {
      net.count(SNMP_TcpInCsumErrors);
      net.count(SNMP_TcpInErrs);
      net.drop(skb, 'L4', fn, file, 'TCP_CSUM', 'The TCP checksum is wrong: TcpInCsumErrors and TcpInErrs, the segment is dropped.');
    };
    // skb_checksum_init: short segments (CHECKSUM_BREAK) are verified at once, the rest later.
    if (skb.len <= CHECKSUM_BREAK && bad()) return csumError(F.rcv, af.file);
    const desc = `${af.fmt('d', rx, th.source)} → ${af.fmt('l', rx, th.dest)} [${tcpFlagString(th.flags)}]`;
    const found = lookup(net, rx, th.source, th.dest);
    if (!found) {
      if (bad()) return csumError(F.rcv, af.file);
      net.step(skb, 'L4', F.rcv, af.file, net.full ? `No socket for ${desc} (TcpInSegs): the port is closed${th.flags & TCPHDR_RST ? '; a RST is never answered' : `, so ${F.sendReset} answers with a RST`}.` : '');
      if (!(th.flags & TCPHDR_RST)) tcp_send_reset(net, skb, rx, th.source, th.dest, th.seq, th.ackSeq, th.flags, dataLen, false);
      net.drop(skb, 'L4', F.rcv, af.file, 'NO_SOCKET', net.full ? `The segment for closed port ${th.dest} is freed.` : '');
      return;
    }
    let sk = found;
    if (sk.state === 'TCP_NEW_SYN_RECV') {
      // v6.12 tcp_v4_rcv / tcp_v6_rcv: a request sock's segment is checksummed whole
      // (tcp_checksum_complete) before tcp_check_req sees it
      if (bad()) return csumError(F.rcv, af.file);
      net.step(skb, 'L4', F.rcv, af.file, net.full ? `${desc} matches a request sock (TCP_NEW_SYN_RECV): tcp_check_req handles the end of the handshake.` : '');
      const nsk = tcp_check_req(net, sk, skb, th.flags, th.seq, th.ackSeq, dataLen, rx);
      if (!nsk) return;
      // tcp_check_req handed the segment back to the listener: tcp_v4_rcv goes on at `process`,
      // so tcp_v4_do_rcv → tcp_rcv_state_process (TCP_LISTEN) answers it as a listener would
      sk = nsk;
    }
    // the listener's own af_ops: a dual-stack IPv6 listener takes an IPv4 SYN in tcp_v6_do_rcv,
    // which hands it to tcp_v4_do_rcv (skb->protocol is ETH_P_IP)
    const doRcv = sk.af.fn.doRcv;
    net.step(skb, 'L4', F.rcv, af.file, net.full ? `${desc} belongs to the socket ${la(sk)} in ${sk.state}: ${doRcv}.` : '');
    if (sk.ownedByUser) {
      // tcp_add_backlog checks the whole checksum before queueing; a bad one is freed by tcp_v4_rcv
      if (bad()) return csumError(F.rcv, af.file);
      const endSeq = segEndSeq(th.seq, th.flags, dataLen);
      tcp_add_backlog(net, sk, { skb, seq: th.seq, endSeq, ack: th.ackSeq, flags: th.flags, dataLen });
      return;
    }
    const run = (): void => {
      if (sk.state === 'TCP_ESTABLISHED') {
        if (bad()) return csumError('tcp_rcv_established', INPUT_FILE);
        tcp_rcv_established(net, sk, skb, th.seq, th.ackSeq, th.flags, dataLen);
        return;
      }
      // v6.12 tcp_v4_do_rcv / tcp_v6_do_rcv: outside ESTABLISHED the whole segment is checksummed
      // (tcp_checksum_complete) before a listener or a connecting socket looks at its flags, so a
      // bad ACK to a listener gets no RST
      if (bad()) return csumError(F.doRcv, af.file);
      tcp_rcv_state_process(net, sk, skb, th.seq, th.ackSeq, th.flags, dataLen, rx);
    };
    net.call(doRcv, () => (doRcv !== F.doRcv ? net.call(F.doRcv, run) : run()));
  });
}

/**
 * release_sock → __release_sock: the application leaves the system call, and the segments that
 * waited on the backlog go to tcp_v4_do_rcv in their order (their checksums were checked when they
 * were queued). The socket stays owned until the backlog is empty, so what the handling sends and
 * what answers it land on the backlog too.
 */
function release_sock(net: Net, sk: TcpSock): void {
  const q = sk.backlog;
  while (q && q.length > 0) {
    const e = q.shift()!;
    net.call('release_sock', () =>
      net.call('__release_sock', () =>
        net.call(sk.af.fn.doRcv, () => {
          net.step(e.skb, 'L4', '__release_sock', 'net/core/sock.c', net.full ? `The application leaves the system call: release_sock hands the segment that waited on the backlog to ${sk.af.fn.doRcv}.` : '');
          if (sk.state === 'TCP_ESTABLISHED') tcp_rcv_established(net, sk, e.skb, e.seq, e.ack, e.flags, e.dataLen);
          else tcp_rcv_state_process(net, sk, e.skb, e.seq, e.ack, e.flags, e.dataLen, sk.af.rcvEndpoints(e.skb));
        }),
      ),
    );
  }
  sk.ownedByUser = false;
}

/**
 * tcp_v4_send_reset / tcp_v6_send_reset: the RST a closed port answers with, sent by the
 * per-netns control socket (ip_send_unicast_reply; tcp_v6_send_response → ip6_xmit). `rx` holds
 * the segment's addresses from this host's side, so it is also the reply's.
 */
function tcp_send_reset(net: Net, skb: SkBuff, rx: TcpEndpoints & { tos: number }, sport: number, dport: number, seq: number, ack: number, flags: number, dataLen: number, fromSock = true): void {
  const af = rx.af;
  // v6.12 tcp_v4_send_reset / tcp_v6_send_reset: "never send a reset in response to a reset"
  if (flags & TCPHDR_RST) {
    net.step(skb, 'L4', af.fn.sendReset, af.file, net.full ? `The segment is itself a RST, and a RST is never answered with a RST: ${af.fn.sendReset} returns at once.` : '');
    return;
  }
  // v6.12 tcp_v4_send_reset: without a socket, only a segment whose input route was local gets
  // a RST (a broadcast or multicast one returns before anything is counted)
  if (!fromSock && !isV6(rx) && skb.dst && skb.dst.type !== 'RTN_LOCAL') {
    net.step(skb, 'L4', af.fn.sendReset, af.file, net.full ? `The segment was not sent to this host's own address (its route is ${skb.dst.type}): ${af.fn.sendReset} sends no RST.` : '');
    return;
  }
  const r = af.route(net, rx);
  if ('error' in r) {
    // v6.12 tcp_v4_send_reset counts OutSegs and OutRsts after ip_send_unicast_reply whether or
    // not that found a route (it returns quietly when ip_route_output_flow fails, no
    // IpOutNoRoutes); tcp_v6_send_response counts them only for a reply it sent, and its
    // ip6_dst_lookup_flow counts Ip6OutNoRoutes for no route at all
    if (!isV6(rx)) {
      net.count(SNMP_TcpOutSegs);
      net.count(SNMP_TcpOutRsts);
    } else if (r.error === ENETUNREACH) net.count(SNMP_Ip6OutNoRoutes);
    net.step(skb, 'L4', af.fn.sendReset, af.file, net.full ? `A RST would answer ${af.fmt('d', rx, sport)}, but there is no route back (${r.what}): ${isV6(rx) ? 'tcp_v6_send_response sends nothing and counts nothing' : 'ip_send_unicast_reply sends nothing; TcpOutSegs and TcpOutRsts are counted all the same'}.` : '');
    return;
  }
  const withAck = (flags & TCPHDR_ACK) !== 0;
  const rseq = withAck ? ack : 0;
  const rack = withAck ? 0 : (seq + (flags & TCPHDR_SYN ? 1 : 0) + (flags & 1 ? 1 : 0) + dataLen) >>> 0;
  net.count(SNMP_TcpOutRsts);
  // IPv4's control socket computes the checksum (ip_send_unicast_reply); IPv6's leaves it to the
  // device like a socket's segment (__tcp_v6_send_check: CHECKSUM_PARTIAL)
  sendSegment(net, { sk: null, ep: rx, sport: dport, dport: sport, seq: rseq, ack: rack, flags: withAck ? TCPHDR_RST : TCPHDR_RST | TCPHDR_ACK, window: 0, options: 'none', data: 0, rt: r.rt, parent: skb.pkt, df: true, tos: rx.tos, offload: isV6(rx) }, af.fn.sendReset, af.file, `A RST ${withAck ? `with seq ${rseq} (the ACK number it got)` : `with ACK ${rack} (acknowledging what it got)`} tells ${af.fmt('d', rx, sport)} that nothing listens on port ${dport} (TcpOutRsts).`);
}

/** tcp_rcv_state_process: LISTEN takes a SYN; SYN_SENT takes the SYN-ACK. */
function tcp_rcv_state_process(net: Net, sk: TcpSock, skb: SkBuff, seq: number, ack: number, flags: number, dataLen: number, rx: TcpEndpoints & { tos: number }): void {
  const call = net.enter('tcp_rcv_state_process');
  try {
    if (sk.state === 'TCP_LISTEN') {
      // v6.12: an ACK makes tcp_rcv_state_process return TCP_FLAGS, so its caller tcp_v4_do_rcv
      // sends the RST and frees the segment; a RST is freed at once (TCP_RESET), as is anything
      // else that is not a plain SYN (a SYN with FIN too: TCP_FLAGS)
      if (flags & TCPHDR_ACK) {
        net.step(skb, 'L4', 'tcp_rcv_state_process', INPUT_FILE, net.full ? `An ACK to a listening socket with no handshake behind it: TCP_FLAGS goes back to ${rx.af.fn.doRcv}, which answers with a RST${flags & TCPHDR_RST ? ' (unless the segment is a RST itself)' : ''}.` : '');
        tcp_send_reset(net, skb, rx, readTcp(skb.buf, skb.data).source, sk.lport, seq, ack, flags, dataLen);
        net.drop(skb, 'L4', rx.af.fn.doRcv, rx.af.file, 'TCP_FLAGS', 'The stray ACK is freed.');
        return;
      }
      if (flags & TCPHDR_RST) {
        net.drop(skb, 'L4', 'tcp_rcv_state_process', INPUT_FILE, 'TCP_RESET', 'A RST to a listening socket resets nothing: it is freed.');
        return;
      }
      if (!(flags & TCPHDR_SYN) || flags & 0x01) {
        net.drop(skb, 'L4', 'tcp_rcv_state_process', INPUT_FILE, 'TCP_FLAGS', flags & TCPHDR_SYN ? 'A SYN with FIN set is not taken.' : 'A listening socket takes only SYNs.');
        return;
      }
      // icsk_af_ops->conn_request: tcp_v6_conn_request hands an IPv4 SYN to tcp_v4_conn_request
      const conn = (): void => {
        // tcp_v4_conn_request never answers a SYN sent to a broadcast or multicast address
        // (RTCF_BROADCAST | RTCF_MULTICAST), nor tcp_v6_conn_request one whose destination is not
        // unicast (ipv6_unicast_destination): tcp_listendrop, and tcp_rcv_state_process consumes it
        const to = skb.dst?.type;
        if (to === 'RTN_BROADCAST' || to === 'RTN_MULTICAST') {
          net.count(SNMP_TcpExtListenDrops);
          net.step(skb, 'L4', rx.af.fn.connRequest, IPV4_FILE, net.full ? `The SYN was sent to a ${to === 'RTN_BROADCAST' ? 'broadcast' : 'multicast'} address: a listener never answers one (no request, no SYN-ACK); it counts ListenDrops and the SYN is consumed.` : '');
          net.fate(skb, { kind: 'consumed', fn: rx.af.fn.connRequest, detail: `SYN to a ${to === 'RTN_BROADCAST' ? 'broadcast' : 'multicast'} address` });
          return;
        }
        tcp_conn_request(net, sk, skb, seq, rx);
      };
      net.call(sk.af.fn.connRequest, () => (sk.af !== rx.af ? net.call(rx.af.fn.connRequest, conn) : conn()));
      return;
    }
    if (sk.state === 'TCP_SYN_SENT') {
      tcp_rcv_synsent_state_process(net, sk, skb, seq, ack, flags);
      return;
    }
    net.drop(skb, 'L4', 'tcp_rcv_state_process', INPUT_FILE, 'TCP_CLOSE', net.full ? `A segment for a socket in ${sk.state} is not expected here.` : '');
  } finally {
    net.leave(call);
  }
}

/** tcp_conn_request (tcp_v4_conn_request): a request sock, and the SYN-ACK from tcp_v4_send_synack. */
function tcp_conn_request(net: Net, listener: TcpSock, skb: SkBuff, seq: number, rx: TcpEndpoints & { tos: number }): void {
  const call = net.enter('tcp_conn_request');
  try {
    const af = rx.af;
    // tcp_v4_send_synack sends with the listener's TOS (inet_sk(sk)->tos), tcp_v6_send_synack
    // with its tclass: 0 for the model's listeners, which set no IP_TOS; the SYN's own TOS would
    // only be reflected with net.ipv4.tcp_reflect_tos, which the model does not accept (v6.12)
    const tos = 0;
    const th = readTcp(skb.buf, skb.data);
    // af_ops->route_req (inet_csk_route_req, v6.12) routes the SYN-ACK from the request's local
    // address before the request is hashed: with no route (an `ip rule` for that source to an
    // unreachable route, say) it counts IpOutNoRoutes, the request is freed (drop_and_free) and
    // the listener counts ListenDrops; tcp_conn_request still returns 0, so the SYN is consumed
    // and a retransmitted SYN meets the listener again, not a request sock.
    const r = af.route(net, rx);
    if ('error' in r) {
      // inet_csk_route_req counts any failure; inet6_csk_route_req leaves it to
      // ip6_dst_lookup_flow, which counts only no route (ENETUNREACH)
      if (!isV6(rx)) net.count(SNMP_IpOutNoRoutes);
      else if (r.error === ENETUNREACH) net.count(SNMP_Ip6OutNoRoutes);
      net.count(SNMP_TcpExtListenDrops);
      net.step(skb, 'L4', 'tcp_conn_request', INPUT_FILE, net.full ? `The listener on port ${listener.lport} would answer, but inet_csk_route_req finds no route for the SYN-ACK (${r.what}): the request is freed (IpOutNoRoutes, ListenDrops).` : '');
      net.fate(skb, { kind: 'consumed', fn: 'tcp_conn_request', detail: 'no route for the SYN-ACK' });
      return;
    }
    const req = newSock(net, 'TCP_NEW_SYN_RECV', rx, listener.lport, th.source);
    req.parent = listener;
    req.irs = seq;
    req.rcvNxt = (seq + 1) >>> 0;
    req.iss = isn(net, rx, listener.lport, th.source);
    req.sndNxt = (req.iss + 1) >>> 0;
    // tcp_parse_options with this namespace's sysctls → tcp_openreq_init: an option is used only
    // when the SYN carries it and the listener's tcp_timestamps / tcp_sack / tcp_window_scaling allow it
    const opt = parseTcpOptions(skb.buf, skb.data, skb.data + th.doff * 4);
    req.tstampOk = !!opt.ts && net.get('net.ipv4.tcp_timestamps') !== 0;
    req.sackOk = opt.sackPerm && net.get('net.ipv4.tcp_sack') !== 0;
    req.wscaleOk = opt.ws !== undefined && net.get('net.ipv4.tcp_window_scaling') !== 0;
    req.rcvWscale = req.wscaleOk ? rcvWscale(net) : 0;
    req.mssClamp = opt.mss ?? TCP_MSS_DEFAULT;
    req.tsRecent = req.tstampOk ? (opt.ts?.val ?? 0) : 0;
    // tcp_openreq_init_rwin: the MSS less the timestamp option the connection will carry
    const advmss = r.rt.mtu();
    req.advmss = advmss - af.netHeaderLen - TCP_HLEN;
    req.rcvWnd = tcp_select_initial_window(tcp_full_space(net), req.advmss - (req.tstampOk ? 12 : 0));
    req.rcvWup = req.rcvNxt;
    net.step(skb, 'L4', 'tcp_conn_request', INPUT_FILE, net.full ? `The listener on port ${listener.lport} takes the SYN: a request sock (TCP_NEW_SYN_RECV) remembers it, and a SYN-ACK goes back.` : '');
    net.fate(skb, { kind: 'consumed', fn: 'tcp_conn_request', detail: 'request sock created' });
    req.synTos = tos;
    req.synPkt = skb.pkt;
    // inet_csk_reqsk_queue_hash_add: the SYN-ACK timer starts at TCP_TIMEOUT_INIT
    armReqTimer(net, req, RTO_INIT_NS);
    sendSegment(net, { sk: req, ep: req, sport: listener.lport, dport: th.source, seq: req.iss, ack: req.rcvNxt, flags: TCPHDR_SYN | TCPHDR_ACK, window: Math.min(req.rcvWnd ?? 0, 65535), options: 'syn', mss: advMss(af, r.rt), tsecr: req.tsRecent, data: 0, rt: r.rt, parent: skb.pkt, df: true, tos, offload: true, buildAndSend: true }, af.fn.sendSynack, af.file, `SYN-ACK to ${da(req)}: seq ${req.iss}, ack ${req.rcvNxt}, built by tcp_make_synack and sent with ${isV6(rx) ? 'ip6_xmit' : 'ip_build_and_send_pkt'}.`);
  } finally {
    net.leave(call);
  }
}

/** the tsval the model's timestamp clock (tsval) wrote at simulated time `t` */
function tsvalAt(t: number): number {
  return (Math.floor(t / 1e6) + 1000) >>> 0;
}

function readTsval(skb: SkBuff): number {
  const th = readTcp(skb.buf, skb.data);
  const b = skb.buf;
  for (let o = skb.data + TCP_HLEN; o < skb.data + th.doff * 4; ) {
    const kind = b[o];
    if (kind === 0) break;
    if (kind === 1) {
      o++;
      continue;
    }
    if (kind === 8) return ((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0;
    o += Math.max(b[o + 1], 2);
  }
  return 0;
}

/** tcp_rcv_synsent_state_process → tcp_finish_connect: the SYN-ACK completes our connect(). */
function tcp_rcv_synsent_state_process(net: Net, sk: TcpSock, skb: SkBuff, seq: number, ack: number, flags: number): void {
  const call = net.enter('tcp_rcv_synsent_state_process');
  try {
    if (flags & TCPHDR_RST) {
      if (flags & TCPHDR_ACK && ack === sk.sndNxt) {
        sk.state = 'TCP_CLOSE';
        sk.errors.push('ECONNREFUSED');
        net.count(SNMP_TcpAttemptFails);
        net.w.sched.cancel(sk.retransTimer as never);
        net.step(skb, 'L4', 'tcp_reset', INPUT_FILE, 'The answer to our SYN is a RST: connect() fails with ECONNREFUSED (Connection refused) (TcpAttemptFails).');
        net.fate(skb, { kind: 'consumed', fn: 'tcp_reset', detail: 'connection refused' });
        return;
      }
      net.drop(skb, 'L4', 'tcp_rcv_synsent_state_process', INPUT_FILE, 'TCP_RESET', 'A RST that does not acknowledge our SYN is ignored.');
      return;
    }
    if (!(flags & TCPHDR_ACK) || ack !== sk.sndNxt || !(flags & TCPHDR_SYN)) {
      net.drop(skb, 'L4', 'tcp_rcv_synsent_state_process', INPUT_FILE, 'TCP_FLAGS', 'Not a SYN-ACK for our SYN.');
      return;
    }
    net.w.sched.cancel(sk.retransTimer as never);
    sk.irs = seq;
    sk.rcvNxt = (seq + 1) >>> 0;
    sk.rcvWup = sk.rcvNxt;
    sk.sndUna = ack;
    // tcp_parse_options on the SYN-ACK (this namespace's sysctls): what the peer did not answer is off;
    // without window scaling rcv_wscale is 0 (tcp_rcv_synsent_state_process)
    const th = readTcp(skb.buf, skb.data);
    const opt = parseTcpOptions(skb.buf, skb.data, skb.data + th.doff * 4);
    sk.tstampOk = !!opt.ts && net.get('net.ipv4.tcp_timestamps') !== 0;
    sk.sackOk = !!sk.sackOk && opt.sackPerm;
    sk.wscaleOk = !!sk.wscaleOk && opt.ws !== undefined;
    if (!sk.wscaleOk) sk.rcvWscale = 0;
    sk.mssClamp = opt.mss ?? TCP_MSS_DEFAULT;
    sk.tsRecent = sk.tstampOk ? (opt.ts?.val ?? 0) : 0;
    // the SYN-ACK's window is never scaled: snd_wnd and max_window start from it as it is
    sk.sndWscale = sk.wscaleOk ? Math.min(opt.ws ?? 0, TCP_MAX_WSCALE) : 0;
    sk.sndWnd = th.window;
    sk.maxWindow = th.window;
    sk.state = 'TCP_ESTABLISHED';
    net.count(SNMP_TcpCurrEstab);
    // tcp_init_wl; tcp_ack's FLAG_SYN_ACKED (forward progress) and tcp_init_transfer →
    // tcp_init_metrics both ask for the neighbour to be confirmed (sk_dst_confirm): the ACK of
    // the handshake does it
    sk.sndWl1 = seq;
    sk.dstPendingConfirm = true;
    // tcp_ack (FLAG_SLOWPATH) → tcp_newly_delivered: the SYN counts as one delivered packet.
    net.count(SNMP_TcpExtTCPDelivered);
    if (sk.synRetries > 0 && !sk.synEverRtx) {
      // v6.12: every SYN timeout ran tcp_enter_loss (CA_Loss, F-RTO on: tcp_frto is 2), and tcp_ack
      // of the SYN-ACK goes on to tcp_process_loss. tcp_may_undo cannot hold for a SYN (each
      // attempt counted in undo_retrans; tcp_try_undo_spurious_syn clears undo_marker when the
      // original SYN is the one answered), but a SYN that never went out again is acknowledged
      // as never-retransmitted data (FLAG_ORIG_SACK_ACKED): F-RTO calls the timeout spurious.
      net.count(SNMP_TcpExtTCPLossUndo);
      net.count(SNMP_TcpExtTCPSpuriousRTOs);
      net.step(skb, 'L4', 'tcp_process_loss', INPUT_FILE, net.full ? `The SYN timed out ${sk.synRetries === 1 ? 'once' : `${sk.synRetries} times`} (each time tcp_enter_loss: the Loss state, F-RTO on), but it never left again (its retransmissions were refused: -EBUSY while the first waited in the host, or a transmit error). The SYN-ACK acknowledges the original SYN: F-RTO finds the timeout spurious, tcp_try_undo_loss undoes it and the state is Open (TCPLossUndo, TCPSpuriousRTOs).` : '');
    }
    net.step(skb, 'L4', 'tcp_finish_connect', INPUT_FILE, `The SYN-ACK acknowledges our SYN: the socket is ESTABLISHED and connect() returns (TcpCurrEstab; tcp_ack counts the SYN in TCPDelivered). An ACK completes the handshake.`);
    net.fate(skb, { kind: 'consumed', fn: 'tcp_finish_connect', detail: 'connection established' });
    const r = sk.af.route(net, sk);
    if ('error' in r) return;
    net.call('tcp_send_ack', () =>
      sendSegment(net, { sk, ep: sk, sport: sk.lport, dport: sk.dport, seq: sk.sndNxt, ack: sk.rcvNxt, flags: TCPHDR_ACK, window: tcp_select_window(net, sk), options: estOptions(sk), tsecr: sk.tsRecent, data: 0, rt: r.rt, parent: skb.pkt, df: true, offload: true }, 'tcp_transmit_skb', OUTPUT_FILE, `The ACK of the handshake: seq ${sk.sndNxt}, ack ${sk.rcvNxt}.`),
    );
    // connect() returns to the application, which then writes in process context: after the
    // softirq that handled the SYN-ACK has run to its end. To the host's own address this
    // matters: the handshake's ACK, queued on the backlog through loopback_xmit, passes
    // PRE_ROUTING and LOCAL_IN before the data passes LOCAL_OUT (v6.12: the SYN-ACK waits on
    // the socket's backlog while connect() owns it and is handled in release_sock, whose ACK's
    // __dev_queue_xmit ends in local_bh_enable → do_softirq before connect() returns).
    if (sk.pendingData > 0) {
      const parent = skb.pkt;
      net.w.sched.at(
        net.w.sched.now,
        () => {
          if (sk.state !== 'TCP_ESTABLISHED' || sk.pendingData <= 0) return;
          net.w.rec.fresh(() => tcp_sendmsg(net, sk, r.rt, parent));
        },
        false,
        'process',
      );
    }
  } finally {
    net.leave(call);
  }
}

/** TCP_INIT_CWND: the congestion window a connection starts with (segments) */
const TCP_INIT_CWND = 10;
/**
 * sk_gso_max_size of a TCP socket on an IPv4 route (sk_setup_caps, v6.12): the device's
 * gso_ipv4_max_size (GSO_LEGACY_MAX_SIZE, 65536) less MAX_TCP_HEADER + 1 (x86_64: 320 + 1)
 */
const SK_GSO_MAX_SIZE = 65536 - 321;

/** tcp_current_mss: the path MTU's MSS, no more than the peer offered, less the timestamp option. */
function tcp_current_mss(net: Net, sk: TcpSock, rt: Rtable): number {
  const pmtu = sk.af.pmtu(net, sk, rt);
  return Math.min(pmtu - sk.af.netHeaderLen - TCP_HLEN, sk.mssClamp ?? TCP_MSS_DEFAULT) - (sk.tstampOk ? 12 : 0);
}

/**
 * tcp_send_mss → tcp_xmit_size_goal (net/ipv4/tcp.c, v6.12): how much one sk_buff of the write
 * queue may hold. Without GSO (sk_can_gso false) one MSS; with it (every device the model has
 * does TSO: NetDevice.tso) sk_gso_max_size bounded to half the largest window the peer offered
 * (tcp_bound_to_half_wnd), in whole MSS — never less than one MSS.
 */
function tcp_xmit_size_goal(sk: TcpSock, mss: number, rt: Rtable): number {
  if (!rt.dev.tso) return mss;
  const maxWindow = sk.maxWindow ?? 0;
  let goal = SK_GSO_MAX_SIZE;
  const cutoff = maxWindow > TCP_MSS_DEFAULT ? maxWindow >> 1 : maxWindow;
  if (cutoff && goal > cutoff) goal = Math.max(cutoff, 68 - (20 + (sk.tstampOk ? 12 : 0)));
  return Math.max(Math.floor(goal / mss) * mss, mss);
}

/**
 * tcp_sendmsg → tcp_sendmsg_locked: the application's bytes go into sk_buffs of up to size_goal
 * bytes (one for the generator's writes: a 3000-byte write is one sk_buff with TSO), then
 * tcp_push → tcp_write_xmit sends them.
 */
function tcp_sendmsg(net: Net, sk: TcpSock, rt: Rtable, parent: number): void {
  const call = net.enter('tcp_sendmsg');
  try {
    const mss = tcp_current_mss(net, sk, rt);
    const goal = tcp_xmit_size_goal(sk, mss, rt);
    let left = sk.pendingData;
    sk.pendingData = 0;
    const q = (sk.writeQueue ??= []);
    while (left > 0) {
      const n = Math.min(goal, left);
      q.push(n);
      left -= n;
    }
    sk.ownedByUser = true;
    tcp_write_xmit(net, sk, rt, parent);
  } finally {
    net.leave(call);
  }
  release_sock(net, sk);
}

/** tcp_rto_min (TCP_RTO_MIN, HZ/5) and TCP_TIMEOUT_MIN (2 jiffies at HZ=250), ns */
const TCP_RTO_MIN = 200e6;
const TCP_TIMEOUT_MIN = 8e6;
/**
 * icsk_rto once the handshake measured an RTT (tcp_set_rto): srtt plus rttvar, which is at least
 * tcp_rto_min; on a veth the RTT is microseconds, so tcp_rto_min
 */
const TCP_RTO = TCP_RTO_MIN;

/** tcp_rto_delta_us: how far the RTO lies ahead, counted from the head of the queue's transmission (ns; may be negative) */
function tcp_rto_delta(net: Net, sk: TcpSock): number {
  return (sk.rtxHeadAt ?? net.w.sched.now) + (sk.rto ?? TCP_RTO) - net.w.sched.now;
}

/** inet_csk_clear_xmit_timer */
function clearXmitTimer(net: Net, sk: TcpSock): void {
  if (sk.xmitTimer) net.w.sched.cancel(sk.xmitTimer.t as never);
  sk.xmitTimer = undefined;
}

/** tcp_reset_xmit_timer: one timer (icsk_retransmit_timer) for the loss probe or the RTO */
function resetXmitTimer(net: Net, sk: TcpSock, kind: 'probe' | 'rto', after: number): void {
  clearXmitTimer(net, sk);
  const t = net.w.sched.timer(after, () => {
    if (sk.xmitTimer?.t !== t) return;
    sk.xmitTimer = undefined;
    if (!sk.unackedSegs || sk.state !== 'TCP_ESTABLISHED') return;
    net.w.rec.fresh(() => net.call('tcp_write_timer_handler', () => (kind === 'probe' ? tcp_send_loss_probe(net, sk) : tcp_retransmit_timer(net, sk))));
  }, false);
  sk.xmitTimer = { kind, t };
}

/**
 * tcp_rearm_rto (v6.12): with segments in flight the RTO timer runs icsk_rto from now; when a loss
 * probe was pending (its timer fired without sending), only what is left of the RTO counted from
 * the head of the queue's transmission (tcp_rto_delta_us), at least a jiffy.
 */
function tcp_rearm_rto(net: Net, sk: TcpSock, fromProbe: boolean): void {
  if (!sk.unackedSegs) return clearXmitTimer(net, sk);
  resetXmitTimer(net, sk, 'rto', fromProbe ? Math.max(tcp_rto_delta(net, sk), JIFFY_NS) : (sk.rto ?? TCP_RTO));
}

/**
 * tcp_schedule_loss_probe (v6.12), at the end of a tcp_write_xmit that sent something: on a SACK
 * connection (tcp_early_retrans 3, the default, which the model does not let a scenario change) the
 * RTO timer becomes a probe timer, due after 2·srtt (about nothing on a veth) plus tcp_rto_min with
 * one segment out, TCP_TIMEOUT_MIN with more, but no later than the RTO would be. Without SACK the
 * RTO stays.
 */
function tcp_schedule_loss_probe(net: Net, sk: TcpSock): void {
  if (!sk.unackedSegs || !sk.sackOk) return;
  const pto = sk.unackedSegs > 1 ? TCP_TIMEOUT_MIN : TCP_RTO_MIN;
  const rtoLeft = tcp_rto_delta(net, sk);
  resetXmitTimer(net, sk, 'probe', rtoLeft > 0 ? Math.min(pto, rtoLeft) : pto);
}

/**
 * tcp_send_loss_probe (net/ipv4/tcp_output.c, v6.12): the probe timer fired with data still
 * unacknowledged. At most one probe per episode (tlp_high_seq). With nothing new to send, the
 * highest-sequence segment goes again: the last MSS of the last sk_buff (tcp_fragment cuts a GSO
 * sk_buff there), by __tcp_retransmit_skb (TcpRetransSegs, not TcpOutSegs). tlp_high_seq records
 * snd_nxt (TCPLossProbes), and the RTO timer runs from now.
 */
function tcp_send_loss_probe(net: Net, sk: TcpSock): void {
  const call = net.enter('tcp_send_loss_probe');
  try {
    if (sk.tlpHighSeq) {
      net.step(null, 'L4', 'tcp_send_loss_probe', OUTPUT_FILE, net.full ? `The loss probe timer of ${la(sk)} fired, but a probe is already out (tlp_high_seq ${sk.tlpHighSeq}): only the RTO timer is armed again.` : '');
      return tcp_rearm_rto(net, sk, true);
    }
    const r = sk.af.route(net, sk);
    const q = sk.rtxQueue ?? [];
    const last = q[q.length - 1];
    if ('error' in r || !last) return tcp_rearm_rto(net, sk, true);
    if (sk.writeQueue?.length) {
      const wndEnd = (sk.sndUna + (sk.sndWnd ?? 65535)) >>> 0;
      if (((wndEnd - sk.sndNxt) | 0) >= Math.min(sk.writeQueue[0], sk.mssCache ?? 0)) throw new NotModelled(`a loss probe on ${la(sk)} with unsent data the peer's window allows: tcp_send_loss_probe sending new data (tcp_write_xmit with push_one 2) is not modelled`);
    }
    if (skb_still_in_host_queue(net, sk)) {
      net.count(SNMP_TcpExtTCPSpuriousRtxHostQueues);
      net.step(null, 'L4', 'tcp_send_loss_probe', OUTPUT_FILE, net.full ? `The loss probe timer of ${la(sk)} fired, but the last segment has not left the host yet (skb_still_in_host_queue, TCPSpuriousRtxHostQueues): no probe, the RTO timer is armed.` : '');
      return tcp_rearm_rto(net, sk, true);
    }
    const mss = sk.mssCache ?? last.len;
    let probe = last;
    if (last.segs > 1 && last.len > (last.segs - 1) * mss) {
      // tcp_fragment in the retransmit queue: the tail keeps PSH and becomes the last sk_buff
      const cut = (last.segs - 1) * mss;
      probe = { ...last, seq: (last.seq + cut) >>> 0, len: last.len - cut, segs: 1 };
      q.splice(q.length - 1, 1, { ...last, len: cut, segs: last.segs - 1, psh: false }, probe);
    }
    const { seq, len, segs } = probe;
    const result = { err: 0 };
    net.call('__tcp_retransmit_skb', () => {
      // __tcp_retransmit_skb counts the segments and total_retrans before it transmits
      net.count(SNMP_TcpRetransSegs, segs);
      sk.totalRetrans = (sk.totalRetrans ?? 0) + segs;
      sendSegment(net, { sk, ep: sk, sport: sk.lport, dport: sk.dport, seq, ack: sk.rcvNxt, flags: last.psh ? TCPHDR_ACK | TCPHDR_PSH : TCPHDR_ACK, window: tcp_select_window(net, sk), options: estOptions(sk), tsecr: sk.tsRecent, data: len, rt: r.rt, parent: last.pkt, df: true, offload: true, retrans: true, result }, 'tcp_transmit_skb', OUTPUT_FILE, `No ACK for ${sk.unackedSegs} segment${sk.unackedSegs! > 1 ? 's' : ''} within the probe timeout (2·srtt + ${sk.unackedSegs! > 1 ? 'TCP_TIMEOUT_MIN' : 'tcp_rto_min'}): the tail loss probe sends the last segment again (seq ${seq}, ${len} bytes) (TcpRetransSegs).`);
      if (result.err !== 0) net.count(SNMP_TcpExtTCPRetransFail, segs);
      probe.everRetrans = true;
    });
    if (result.err !== 0) return tcp_rearm_rto(net, sk, true);
    probe.sentAt = net.w.sched.now;
    sk.tlpRetrans = true;
    sk.tlpHighSeq = sk.sndNxt;
    net.count(SNMP_TcpExtTCPLossProbes);
    net.step(null, 'L4', 'tcp_send_loss_probe', OUTPUT_FILE, net.full ? `The probe is out: tlp_high_seq = snd_nxt ${sk.sndNxt} (TCPLossProbes); the RTO timer runs ${TCP_RTO / 1e6} ms from now.` : '');
    tcp_rearm_rto(net, sk, false);
  } finally {
    net.leave(call);
  }
}

/**
 * How long the model follows a connection whose retransmissions go unanswered: an RTO expiry
 * more than this after the first RTO retransmission (retrans_stamp) that tcp_retries2 does not
 * end yet is refused. With the default tcp_retries2 = 15 the kernel keeps trying for 924.6 s; a
 * scenario lowers it (`sysctl -w net.ipv4.tcp_retries2=3`: the end comes 6 s after the first
 * retransmission) to be replayed in seconds.
 */
const RTO_FOLLOW_NS = 10e9;
const EBUSY = -16;
const EHOSTUNREACH = -113;

/**
 * tcp_retransmit_timer for data (net/ipv4/tcp_timer.c, v6.12): the RTO fired with data still
 * unacknowledged (a lost loss probe, or no probe on a connection without SACK). TCPTimeouts;
 * tcp_write_timeout gives up once retransmits_timed_out(tcp_retries2) — the time since the first
 * RTO retransmission reaches tcp_model_timeout(tcp_retries2, tcp_rto_min) — with the soft error
 * or ETIMEDOUT (tcp_write_err: TCPAbortOnTimeout; tcp_done: TcpEstabResets). Else the flow is
 * rehashed (TCPTimeoutRehash), an RTO in a Loss state whose retransmissions were acknowledged
 * counts TCPLossFailures, tcp_enter_loss, the head of the queue goes again (one MSS), and the RTO
 * doubles (at most TCP_RTO_MAX). tcp_retries1's black-hole step (__dst_negative_advice) only
 * drops the socket's cached route, which the model looks up for every segment anyway.
 */
function tcp_retransmit_timer(net: Net, sk: TcpSock): void {
  const head = sk.rtxQueue?.[0];
  if (!sk.unackedSegs || !head) return;
  const call = net.enter('tcp_retransmit_timer');
  try {
    if (!sk.sndWnd) throw new NotModelled(`the RTO of ${la(sk)} with a zero window from ${da(sk)}: retransmissions as zero-window probes (tcp_rtx_probe0_timed_out) are not modelled`);
    net.count(SNMP_TcpExtTCPTimeouts);
    const now = net.w.sched.now;
    const retries2 = net.get('net.ipv4.tcp_retries2');
    const rto = sk.rto ?? TCP_RTO;
    if (retransmits_timed_out(sk, now, retries2)) {
      const err = sk.errSoft ?? 'ETIMEDOUT';
      net.count(SNMP_TcpExtTCPAbortOnTimeout);
      net.step(null, 'L4', 'tcp_write_timeout', 'net/ipv4/tcp_timer.c', net.full ? `No ACK for the data of ${la(sk)} after ${sk.retransmits} retransmission timeouts: ${(Math.floor(now / 1e6) - Math.floor((sk.dataRetransStamp ?? 0) / 1e6)) / 1000} s since the first retransmission reach tcp_model_timeout(tcp_retries2 = ${retries2}, tcp_rto_min) = ${tcp_model_timeout(retries2, TCP_RTO_MIN) / 1e9} s (retransmits_timed_out): tcp_write_err ends the connection with ${sk.errSoft ? `${err}, the soft error an earlier ICMP message left (sk_err_soft)` : 'ETIMEDOUT'} (TCPTimeouts, TCPAbortOnTimeout).` : '');
      tcp_done_with_error(net, sk, err);
      return;
    }
    if (sk.retransmits && now - (sk.dataRetransStamp ?? now) > RTO_FOLLOW_NS) throw new NotModelled(`RTO expiry ${sk.retransmits + 1} of ${la(sk)} (no ACK from ${da(sk)}), ${(now - sk.dataRetransStamp!) / 1e9} s after its first retransmission, before tcp_retries2 = ${retries2} gives up (${tcp_model_timeout(retries2, TCP_RTO_MIN) / 1e9} s): the model follows unanswered retransmissions for ${RTO_FOLLOW_NS / 1e9} s; a lower net.ipv4.tcp_retries2 ends the connection sooner`);
    if (sk.writeQueue?.length) throw new NotModelled(`the RTO of ${la(sk)} with data waiting in its write queue: sending in the Loss state (the congestion window's growth from 1, tcp_xmit_retransmit_queue) is not modelled`);
    net.count(SNMP_TcpExtTcpTimeoutRehash);
    if (!sk.retransmits && sk.caState === 'Loss') net.count(SNMP_TcpExtTCPLossFailures);
    const lostAgain = tcp_enter_loss(net, sk);
    sk.retransmits = (sk.retransmits ?? 0) + 1;
    net.step(null, 'L4', 'tcp_enter_loss', INPUT_FILE, net.full ? `No ACK for ${sk.unackedSegs} segment${sk.unackedSegs > 1 ? 's' : ''} of ${la(sk)} within the RTO (${rto / 1e6} ms${sk.retransmits > 1 ? `, backed off ${sk.retransmits - 1} time${sk.retransmits > 2 ? 's' : ''}` : ''})${sk.retransmits === 1 && (sk.totalRetrans ?? 0) > 0 ? ', nor for the loss probe' : ''}: TCPTimeouts, TCPTimeoutRehash. The connection enters the Loss state: everything in flight is marked lost${lostAgain ? ` (the last retransmission lost again: TCPLostRetransmit)` : ''}, ssthresh ${sk.ssthresh}, cwnd 1, high_seq = snd_nxt ${sk.highSeq}.` : '');
    const err = tcp_retransmit_skb(net, sk, head);
    if (err > 0) {
      // local congestion: retry after TCP_RESOURCE_PROBE_INTERVAL without backing off
      resetXmitTimer(net, sk, 'rto', TCP_RESOURCE_PROBE_INTERVAL_NS);
      return;
    }
    sk.rto = Math.min(rto * 2, TCP_RTO_MAX_NS);
    resetXmitTimer(net, sk, 'rto', sk.rto);
  } finally {
    net.leave(call);
  }
}

/**
 * tcp_retransmit_skb → __tcp_retransmit_skb (net/ipv4/tcp_output.c, v6.12) with segs 1, as the
 * RTO calls it: the head of the retransmit queue, cut to one MSS (tcp_fragment: the first part
 * loses PSH), goes again (TcpRetransSegs, not TcpOutSegs). A clone still in the host (a
 * neighbour's arp_queue) makes it -EBUSY (TCPSpuriousRtxHostQueues); no route, or a transmit
 * error, counts TCPRetransFail. A sent retransmission is TCPCB_SACKED_RETRANS; the first attempt
 * sets retrans_stamp, and each adds to undo_retrans. Returns the error (0: sent).
 */
function tcp_retransmit_skb(net: Net, sk: TcpSock, head: RtxSkb): number {
  let err = 0;
  net.call('tcp_retransmit_skb', () =>
    net.call('__tcp_retransmit_skb', () => {
      if (skb_still_in_host_queue(net, sk)) {
        err = EBUSY;
        net.count(SNMP_TcpExtTCPSpuriousRtxHostQueues);
        net.step(null, 'L4', '__tcp_retransmit_skb', OUTPUT_FILE, net.full ? `The head of the queue (seq ${head.seq}) has not left the host yet (it waits in a neighbour's arp_queue): skb_still_in_host_queue, nothing is sent (-EBUSY, TCPSpuriousRtxHostQueues).` : '', { ret: '-EBUSY' });
        return;
      }
      const r = sk.af.route(net, sk);
      if ('error' in r) {
        err = EHOSTUNREACH;
        net.count(SNMP_TcpExtTCPRetransFail);
        net.step(null, 'L4', '__tcp_retransmit_skb', OUTPUT_FILE, net.full ? `The head of the queue (seq ${head.seq}) cannot go again: no route (${r.what}; rebuild_header, -EHOSTUNREACH, TCPRetransFail).` : '', { ret: '-EHOSTUNREACH' });
        return;
      }
      const mss = tcp_current_mss(net, sk, r.rt);
      const q = sk.rtxQueue!;
      const wndEnd = (sk.sndUna + (sk.sndWnd ?? 0)) >>> 0;
      if (((wndEnd - head.seq) | 0) < Math.min(mss, head.len)) throw new NotModelled(`the RTO retransmission of ${la(sk)} with less than an MSS of window left (${(wndEnd - head.seq) | 0} bytes): __tcp_retransmit_skb's cut at avail_wnd is not modelled`);
      if (head.len > mss) {
        // tcp_fragment (TCP_FRAG_IN_RTX_QUEUE): both parts keep the sacked bits and the stamp
        const rest: RtxSkb = { ...head, seq: (head.seq + mss) >>> 0, len: head.len - mss, segs: Math.ceil((head.len - mss) / mss) };
        head.len = mss;
        head.segs = 1;
        head.psh = false;
        q.splice(1, 0, rest);
      } else if (q.length > 1 && head.len < mss) {
        // tcp_retrans_collapse is 1 by default, and the model lets no scenario change it
        throw new NotModelled(`the RTO retransmission of ${la(sk)}: a head of ${head.len} bytes, less than an MSS, with more queued behind it: tcp_retrans_try_collapse is not modelled`);
      }
      const segs = head.segs;
      net.count(SNMP_TcpRetransSegs, segs);
      sk.totalRetrans = (sk.totalRetrans ?? 0) + segs;
      const result = { err: 0 };
      sendSegment(net, { sk, ep: sk, sport: sk.lport, dport: sk.dport, seq: head.seq, ack: sk.rcvNxt, flags: head.psh ? TCPHDR_ACK | TCPHDR_PSH : TCPHDR_ACK, window: tcp_select_window(net, sk), options: estOptions(sk), tsecr: sk.tsRecent, data: head.len, rt: r.rt, parent: head.pkt, df: true, offload: true, retrans: true, result }, 'tcp_transmit_skb', OUTPUT_FILE, `The RTO retransmits the head of the queue: seq ${head.seq}, ${head.len} bytes (TcpRetransSegs); the next RTO is ${Math.min((sk.rto ?? TCP_RTO) * 2, TCP_RTO_MAX_NS) / 1e6} ms away (backoff).`);
      err = result.err;
      if (err !== 0) {
        net.count(SNMP_TcpExtTCPRetransFail, segs);
        net.step(null, 'L4', '__tcp_retransmit_skb', OUTPUT_FILE, net.full ? `The retransmission did not leave (tcp_transmit_skb returned ${err}): TCPRetransFail.` : '');
      } else head.sentAt = net.w.sched.now;
    }),
  );
  head.everRetrans = true;
  if (err === 0) head.sackedRetrans = true;
  if (!sk.dataRetransStamp) sk.dataRetransStamp = head.sentAt;
  sk.undoRetrans = Math.max(sk.undoRetrans ?? 0, 0) + head.segs;
  return err;
}

/**
 * tcp_write_xmit (net/ipv4/tcp_output.c, v6.12): send the write queue as far as the congestion
 * window (snd_cwnd less the segments in flight, at most half of snd_cwnd at once: tcp_cwnd_test) and the peer's window
 * (tcp_snd_wnd_test) allow. An sk_buff of more than one MSS is one GSO sk_buff of tso_segs
 * segments (tcp_init_tso_segs); when the windows allow less than all of it, tcp_mss_split_point
 * cuts it there (tso_fragment) and the rest waits for an ACK. The whole segments of a TSO frame
 * leave as one frame; the device, or skb_gso_segment where one cannot, cuts them.
 */
function tcp_write_xmit(net: Net, sk: TcpSock, rt: Rtable, parent: number): void {
  const q = sk.writeQueue ?? [];
  if (!q.length) return;
  const call = net.enter('tcp_write_xmit');
  try {
    const mss = tcp_current_mss(net, sk, rt);
    const cwnd = (sk.cwnd ??= TCP_INIT_CWND);
    let sent = 0;
    // tcp_write_xmit ends with tcp_schedule_loss_probe when it sent anything
    const done = (): void => {
      if (sent) tcp_schedule_loss_probe(net, sk);
    };
    while (q.length > 0) {
      // tcp_cwnd_test: what the window leaves, but at most half of it at once, so that at least
      // two GSO packets are in flight ("for better scheduling")
      const inFlight = sk.unackedSegs ?? 0;
      const quota = inFlight >= cwnd ? 0 : Math.min(Math.max(cwnd >> 1, 1), cwnd - inFlight);
      const wndEnd = (sk.sndUna + (sk.sndWnd ?? 65535)) >>> 0;
      const window = (wndEnd - sk.sndNxt) | 0;
      const len = q[0];
      if (quota <= 0 || window < Math.min(len, mss)) {
        net.step(null, 'L4', 'tcp_write_xmit', OUTPUT_FILE, net.full ? `${len} bytes wait in the write queue: ${quota <= 0 ? `the congestion window (${cwnd} segments) is full` : `the peer's window has ${Math.max(window, 0)} bytes left`} (${quota <= 0 ? 'tcp_cwnd_test' : 'tcp_snd_wnd_test'}); an ACK will send them.` : '');
        return done();
      }
      let n = len;
      if (len > mss) {
        // tcp_mss_split_point: at most quota segments, at most the window
        const maxLen = mss * quota;
        const needed = Math.min(len, window);
        n = maxLen <= needed ? maxLen : needed;
      }
      if (n < len) q[0] = len - n;
      else q.shift();
      // tcp_push marks PSH on the queue's last sk_buff; tso_fragment leaves it on the part that
      // stays (a part of more than one MSS gets it anyway in __tcp_transmit_skb: sendSegment)
      const psh = n === len && q.length === 0;
      const seq = sk.sndNxt;
      sk.sndNxt = (sk.sndNxt + n) >>> 0;
      const segs = Math.ceil(n / mss);
      // tcp_gso_segment (tcp_offload.ts) reads an IPv4 header: tcp6_gso_segment is not there
      if (segs > 1 && sk.af.netHeaderLen !== IPV4_HLEN) throw new NotModelled(`TCP over IPv6 with more than one MSS in a write (${n} bytes, MSS ${mss}): GSO/TSO for IPv6 (tcp6_gso_segment) is not modelled`);
      // tcp_event_new_data_sent: new data (TCPOrigDataSent counts tcp_skb_pcount)
      net.count(SNMP_TcpExtTCPOrigDataSent, segs);
      const prior = sk.unackedSegs ?? 0;
      sk.unackedSegs = prior + segs;
      sk.mssCache = mss;
      // tcp_event_new_data_sent → tcp_rearm_rto when nothing was in flight (the head of the
      // retransmit queue goes out now) or a loss probe was pending
      if (!prior) sk.rtxHeadAt = net.w.sched.now;
      if (!prior || sk.xmitTimer?.kind === 'probe') tcp_rearm_rto(net, sk, sk.xmitTimer?.kind === 'probe');
      sent++;
      const how = segs > 1 ? `one GSO sk_buff of ${segs} segments (gso_size ${mss}: ${rt.dev.name} does TSO, so the ${n} bytes leave as one frame and are cut into segments only where needed)` : 'one segment';
      const pkt = sendSegment(net, { sk, ep: sk, sport: sk.lport, dport: sk.dport, seq, ack: sk.rcvNxt, flags: psh ? TCPHDR_ACK | TCPHDR_PSH : TCPHDR_ACK, window: tcp_select_window(net, sk), options: estOptions(sk), tsecr: sk.tsRecent, data: n, rt, parent, df: true, offload: true, gsoSize: mss }, 'tcp_transmit_skb', OUTPUT_FILE, `The application writes: ${n} bytes go out as ${how} (seq ${seq}, MSS ${mss}${sk.tstampOk ? ' with timestamps' : ''}).`);
      (sk.rtxQueue ??= []).push({ seq, len: n, segs, psh, pkt, sentAt: net.w.sched.now });
      // __dev_queue_xmit ends in local_bh_enable: in the system call, the softirqs the segment
      // raised (the peer's receive, and its ACK coming back to this socket's backlog) run now
      if (sk.ownedByUser) net.w.sched.runPendingNetRx();
    }
    done();
  } finally {
    net.leave(call);
  }
}

/**
 * tcp_check_req (net/ipv4/tcp_minisocks.c, v6.12) → tcp_v4_syn_recv_sock →
 * tcp_create_openreq_child: a segment for a request sock, checked in the kernel's order. Returns
 * the listener when the segment is to be handled by it (an ACK of something never sent), null
 * when it is done with here. PAWS is not checked: the model's request socks are made by SYNs
 * without timestamps (crafted) or answered by sockets whose timestamps only grow.
 */
function tcp_check_req(net: Net, req: TcpSock, skb: SkBuff, flags: number, seq: number, ack: number, dataLen: number, rx: TcpEndpoints & { tos: number }): TcpSock | null {
  const call = net.enter('tcp_check_req');
  try {
    const rcv = req.af.fn.rcv;
    const rcvFile = req.af.file;
    const flg = flags & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
    // tcp_check_req returned NULL: tcp_v4_rcv frees the segment (discard_and_relse, NOT_SPECIFIED)
    const freed = (why: string): null => {
      net.drop(skb, 'L4', rcv, rcvFile, 'NOT_SPECIFIED', net.full ? `tcp_check_req returned no socket: ${why}` : '');
      return null;
    };
    // A pure SYN with the request's ISN is the peer sending its SYN again (our SYN-ACK was lost):
    // v6.12 tcp_check_req sends the SYN-ACK again (inet_rtx_syn_ack) unless one went out less
    // than tcp_invalid_ratelimit (HZ/2) ago, and returns NULL.
    if (flg === TCPHDR_SYN && seq === req.irs) {
      if (oowRateLimited(net, req, 'TcpExtTCPACKSkippedSynRecv')) {
        net.step(skb, 'L4', 'tcp_check_req', MINISOCKS_FILE, net.full ? `The peer sent its SYN again, but a SYN-ACK went out again less than ${TCP_INVALID_RATELIMIT_NS / 1e6} ms ago (tcp_oow_rate_limited): none now (TCPACKSkippedSynRecv).` : '');
      } else {
        // a SYN-ACK sent again here pushes the request's timer back (mod_timer_pending)
        if (inet_rtx_syn_ack(net, req, skb.pkt, req.synTos ?? 0, "the peer's SYN came again, so the first was lost") && req.retransTimer && !req.retransTimer.cancelled && !req.retransTimer.done) armReqTimer(net, req, reqsk_timeout(req));
      }
      return freed('the retransmitted SYN is freed.');
    }
    // An ACK of something the SYN-ACK did not send: the listener answers it (with a RST, as for
    // any ACK without a handshake), not the request sock.
    if (flg & TCPHDR_ACK && !(flg & TCPHDR_RST) && ack !== req.sndNxt) {
      net.step(skb, 'L4', 'tcp_check_req', MINISOCKS_FILE, net.full ? `The segment acknowledges ${ack}, not ${req.sndNxt} (the SYN-ACK's sequence + 1): tcp_check_req hands it back to the listener, which resets it.` : '');
      return req.parent;
    }
    // "first check sequence number": tcp_in_window against rcv_nxt and the SYN-ACK's window
    // (tcp_synack_window: rsk_rcv_wnd)
    const endSeq = segEndSeq(seq, flags, dataLen);
    const sWin = req.rcvNxt;
    const eWin = (req.rcvNxt + (req.rcvWnd ?? 0)) >>> 0;
    if (!tcp_in_window(seq, endSeq, sWin, eWin)) {
      if (flg & TCPHDR_RST) return freed(`the RST's sequence ${seq} is outside the window [${sWin}, ${eWin}]: it is ignored.`);
      if (oowRateLimited(net, req, 'TcpExtTCPACKSkippedSynRecv', seq !== endSeq && !(flags & TCPHDR_SYN))) net.step(skb, 'L4', 'tcp_check_req', MINISOCKS_FILE, net.full ? `Sequence ${seq} is outside the window [${sWin}, ${eWin}]; an ACK went out less than ${TCP_INVALID_RATELIMIT_NS / 1e6} ms ago (tcp_oow_rate_limited): none now (TCPACKSkippedSynRecv).` : '');
      else reqsk_send_ack(net, req, skb, rx, `sequence ${seq} is outside the window [${sWin}, ${eWin}]`);
      return freed('the out-of-window segment is freed.');
    }
    // a SYN at the request's ISN is out of window from rcv_isn + 1: its SYN is cut off
    const synLeft = seq === req.irs ? flg & ~TCPHDR_SYN : flg;
    // RFC 5961 3.2 (RFC 9293 3.10.7.4): a RST in the window but not exactly at rcv_nxt gets a
    // challenge ACK (tcp_reqsk_send_challenge_ack), rate-limited by last_oow_ack_time; the global
    // tcp_challenge_ack_limit is INT_MAX by default (tcp_sk_init), so it always allows
    if (synLeft & TCPHDR_RST && seq !== req.rcvNxt) {
      net.call('tcp_reqsk_send_challenge_ack', () => {
        if (oowRateLimited(net, req, 'TcpExtTCPACKSkippedChallenge')) {
          net.step(skb, 'L4', 'tcp_reqsk_send_challenge_ack', INPUT_FILE, net.full ? `A RST at ${seq}, in the window but not at ${req.rcvNxt}; an ACK went out less than ${TCP_INVALID_RATELIMIT_NS / 1e6} ms ago: no challenge ACK now (TCPACKSkippedChallenge).` : '');
          return;
        }
        net.count(SNMP_TcpExtTCPChallengeACK);
        reqsk_send_ack(net, req, skb, rx, `a RST at ${seq} is in the window but not at ${req.rcvNxt}: a challenge ACK (TCPChallengeACK)`);
      });
      return freed('the RST is freed after the challenge ACK.');
    }
    // "second check the RST bit" and "fourth, check the SYN bit": the embryonic connection is
    // reset (TcpAttemptFails); a SYN is answered with a RST (send_reset); the request sock is
    // unlinked (inet_csk_reqsk_queue_drop, its timer stopped) and counts EmbryonicRsts
    if (synLeft & (TCPHDR_RST | TCPHDR_SYN)) {
      net.count(SNMP_TcpAttemptFails);
      net.step(skb, 'L4', 'tcp_check_req', MINISOCKS_FILE, synLeft & TCPHDR_RST ? `The peer reset the half-open connection (RST at ${seq}): embryonic_reset (TcpAttemptFails).` : `A SYN at ${seq}, inside the window of the half-open connection: embryonic_reset answers it with a RST (TcpAttemptFails).`);
      if (!(synLeft & TCPHDR_RST)) tcp_send_reset(net, skb, rx, req.dport, req.lport, seq, ack, flags, dataLen);
      req.state = 'TCP_CLOSE';
      net.w.sched.cancel(req.retransTimer as never);
      net.count(SNMP_TcpExtEmbryonicRsts);
      net.step(skb, 'L4', 'inet_csk_reqsk_queue_drop', 'net/ipv4/inet_connection_sock.c', net.full ? `The request sock for ${da(req)} is unlinked and its SYN-ACK timer stopped (EmbryonicRsts).` : '');
      return freed('the segment that reset the request sock is freed.');
    }
    // the ACK number was checked above; without ACK the segment is silently dropped
    if (!(synLeft & TCPHDR_ACK)) return freed('a segment without ACK is silently dropped.');
    const listener = req.parent!;
    req.state = 'TCP_ESTABLISHED';
    // tcp_rcv_state_process (TCP_SYN_RECV) → tcp_init_transfer → tcp_init_buffer_space
    req.rcvSpace = tcp_init_buffer_space({ rcvbuf: net.get('net.ipv4.tcp_rmem_default'), rmemMax: net.get('net.ipv4.tcp_rmem_max'), advmss: req.advmss ?? TCP_MSS_DEFAULT, rcvWnd: req.rcvWnd ?? 0, wscale: req.rcvWscale ?? 0, mssCache: req.advmss ?? TCP_MSS_DEFAULT });
    // inet_csk_complete_hashdance → inet_csk_reqsk_queue_drop: the SYN-ACK timer stops
    net.w.sched.cancel(req.retransTimer as never);
    req.sndUna = ack;
    // tcp_rcv_state_process (TCP_SYN_RECV): tcp_init_wl, then tcp_init_transfer → tcp_init_metrics
    // → sk_dst_confirm: the child's first segment confirms its neighbour (sk_setup_caps in
    // tcp_v4_syn_recv_sock had cleared the flag just before)
    req.sndWl1 = seq;
    req.dstPendingConfirm = true;
    net.count(SNMP_TcpPassiveOpens);
    net.count(SNMP_TcpCurrEstab);
    listener.report?.accepted?.push(peerName(req));
    // tcp_rcv_state_process (TCP_SYN_RECV) → tcp_ack: an ACK carrying no data is a pure ACK (slow path).
    if (dataLen === 0) net.count(SNMP_TcpExtTCPPureAcks);
    // icsk_af_ops->syn_recv_sock: tcp_v6_syn_recv_sock makes an IPv4 request's child with
    // tcp_v4_syn_recv_sock and gives it the ipv6_mapped operations
    const mapped = listener.af !== req.af;
    const child = (): void =>
      net.step(skb, 'L4', 'tcp_create_openreq_child', MINISOCKS_FILE, net.full ? `The ACK completes the handshake: a child socket ${la(req)} ↔ ${peerName(req)} is created in ESTABLISHED and put on the listener's accept queue (TcpPassiveOpens, TcpCurrEstab)${mapped ? '; an IPv4 peer of an IPv6 listener, it gets the ipv6_mapped operations' : ''}.` : '');
    net.call(listener.af.fn.synRecvSock, () => (mapped ? net.call(req.af.fn.synRecvSock, child) : child()));
    if (dataLen > 0) {
      net.call('tcp_child_process', () => tcp_rcv_established(net, req, skb, seq, ack, flags, dataLen));
      return null;
    }
    net.fate(skb, { kind: 'consumed', fn: 'tcp_child_process', detail: 'handshake complete' });
    return null;
  } finally {
    net.leave(call);
  }
}

/**
 * tcp_validate_incoming (tcp_input.c, v6.12), as tcp_rcv_established's slow path calls it
 * (syn_inerr 1), for what changes the outcome here: a segment with neither ACK, RST nor SYN is
 * freed first (TCP_FLAGS); then "check sequence number" (tcp_sequence: before rcv_wup is old,
 * beyond rcv_nxt + the receive window invalid); a RST resets only at exactly rcv_nxt, in the
 * window elsewhere it gets a challenge ACK (RFC 5961 3.2), out of it it is freed; a SYN on a
 * synchronized connection, in the window or not, gets a challenge ACK (RFC 5961 4.2: a SYN-ACK
 * sent again because our last ACK of the handshake was lost, say) and is freed as
 * TCP_INVALID_SYN (TcpInErrs, TCPSYNChallenge). PAWS is not checked (timestamps only grow
 * here). Returns false when the segment was dealt with.
 */
function tcp_validate_incoming(net: Net, sk: TcpSock, skb: SkBuff, seq: number, flags: number, dataLen: number): boolean {
  if (!(flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) {
    net.drop(skb, 'L4', 'tcp_rcv_established', INPUT_FILE, 'TCP_FLAGS', 'A segment with neither ACK, RST nor SYN is not taken on a synchronized connection.');
    return false;
  }
  const after = (a: number, b: number): boolean => ((a - b) | 0) > 0;
  const endSeq = segEndSeq(seq, flags, dataLen);
  const wup = sk.rcvWup ?? sk.rcvNxt;
  const rcvWindow = Math.max(0, ((wup + (sk.rcvWnd ?? 0) - sk.rcvNxt) | 0));
  const seqReason = after(wup, endSeq) ? 'TCP_OLD_SEQUENCE' : after(seq, (sk.rcvNxt + rcvWindow) >>> 0) ? 'TCP_INVALID_SEQUENCE' : null;
  const call = net.enter('tcp_validate_incoming');
  try {
    const synChallenge = (): false => {
      net.count(SNMP_TcpInErrs);
      net.count(SNMP_TcpExtTCPSYNChallenge);
      tcp_send_challenge_ack(net, sk, skb, 'a SYN on a synchronized connection');
      net.drop(skb, 'L4', 'tcp_validate_incoming', INPUT_FILE, 'TCP_INVALID_SYN', net.full ? `A SYN (seq ${seq}) on a connection in ${sk.state} is answered with a challenge ACK and freed (RFC 5961 4.2; TcpInErrs, TCPSYNChallenge).` : '');
      return false;
    };
    if (seqReason) {
      if (!(flags & TCPHDR_RST) && flags & TCPHDR_SYN) return synChallenge();
      // an out-of-window segment without RST or SYN is answered with a duplicate ACK
      // (tcp_send_dupack), which is not modelled
      if (!(flags & TCPHDR_RST)) throw new NotModelled(`a segment outside the receive window of ${la(sk)} (seq ${seq}, rcv_nxt ${sk.rcvNxt}): tcp_send_dupack is not modelled`);
      net.drop(skb, 'L4', 'tcp_validate_incoming', INPUT_FILE, seqReason, net.full ? `The RST (seq ${seq}) is outside the receive window [${sk.rcvNxt}, ${(sk.rcvNxt + rcvWindow) >>> 0}]: it is freed.` : '');
      return false;
    }
    if (flags & TCPHDR_RST) {
      if (seq === sk.rcvNxt) return true;
      tcp_send_challenge_ack(net, sk, skb, `a RST at ${seq}, in the window but not at rcv_nxt ${sk.rcvNxt}`);
      net.drop(skb, 'L4', 'tcp_validate_incoming', INPUT_FILE, 'TCP_RESET', net.full ? `The RST (seq ${seq}) is not at rcv_nxt ${sk.rcvNxt}: a challenge ACK, and the RST is freed (RFC 5961 3.2).` : '');
      return false;
    }
    if (flags & TCPHDR_SYN) return synChallenge();
    return true;
  } finally {
    net.leave(call);
  }
}

/**
 * tcp_send_challenge_ack (tcp_input.c, v6.12): at most one per tcp_invalid_ratelimit per socket
 * (last_oow_ack_time, TCPACKSkippedChallenge); tcp_challenge_ack_limit is INT_MAX by default, so
 * the per-netns limit always allows; then TCPChallengeACK and tcp_send_ack.
 */
function tcp_send_challenge_ack(net: Net, sk: TcpSock, skb: SkBuff, why: string): void {
  const call = net.enter('tcp_send_challenge_ack');
  try {
    if (oowRateLimited(net, sk, 'TcpExtTCPACKSkippedChallenge')) {
      net.step(skb, 'L4', 'tcp_send_challenge_ack', INPUT_FILE, net.full ? `${why}: a challenge ACK went out less than ${TCP_INVALID_RATELIMIT_NS / 1e6} ms ago, none now (TCPACKSkippedChallenge).` : '');
      return;
    }
    net.count(SNMP_TcpExtTCPChallengeACK);
    const r = sk.af.route(net, sk);
    if ('error' in r) return;
    net.call('tcp_send_ack', () =>
      sendSegment(net, { sk, ep: sk, sport: sk.lport, dport: sk.dport, seq: sk.sndNxt, ack: sk.rcvNxt, flags: TCPHDR_ACK, window: tcp_select_window(net, sk), options: estOptions(sk), tsecr: sk.tsRecent, data: 0, rt: r.rt, parent: skb.pkt, df: true, offload: true }, 'tcp_transmit_skb', OUTPUT_FILE, `${why}: a challenge ACK (seq ${sk.sndNxt}, ack ${sk.rcvNxt}) tells the peer where the connection is (TCPChallengeACK).`),
    );
  } finally {
    net.leave(call);
  }
}

/** tcp_in_window (net/ipv4/tcp_minisocks.c, v6.12): does [seq, end_seq) touch [s_win, e_win]? */
function tcp_in_window(seq: number, endSeq: number, sWin: number, eWin: number): boolean {
  const after = (a: number, b: number): boolean => ((a - b) | 0) > 0;
  if (seq === sWin) return true;
  if (after(endSeq, sWin) && after(eWin, seq)) return true;
  return seq === eWin && seq === endSeq;
}

/**
 * tcp_oow_rate_limited / __tcp_oow_rate_limited (tcp_input.c, v6.12): at most one out-of-window
 * answer per tcp_invalid_ratelimit (HZ/2) per request sock (last_oow_ack_time); counts `mib`
 * when it holds one back. `dataNoSyn`: tcp_oow_rate_limited never limits a data segment without
 * SYN (not part of an ACK loop).
 */
function oowRateLimited(net: Net, req: TcpSock, mib: 'TcpExtTCPACKSkippedSynRecv' | 'TcpExtTCPACKSkippedChallenge', dataNoSyn = false): boolean {
  if (dataNoSyn) return false;
  const now = net.w.sched.now;
  if (req.lastOowAck !== undefined && now - req.lastOowAck < TCP_INVALID_RATELIMIT_NS) {
    net.count(mib);
    return true;
  }
  req.lastOowAck = now;
  return false;
}

/**
 * req->rsk_ops->send_ack: tcp_v4_reqsk_send_ack → tcp_v4_send_ack (tcp_v6_reqsk_send_ack →
 * tcp_v6_send_response), sent by the control socket like a RST: seq snt_isn + 1, ack rcv_nxt,
 * the SYN-ACK's window scaled by rcv_wscale, a timestamp only when the peer's SYN had one
 * (ts_recent), the received segment's TOS.
 */
function reqsk_send_ack(net: Net, req: TcpSock, skb: SkBuff, rx: TcpEndpoints & { tos: number }, why: string): void {
  const r = rx.af.route(net, rx);
  const v6 = isV6(rx);
  const fn = v6 ? 'tcp_v6_send_ack' : 'tcp_v4_send_ack';
  if ('error' in r) {
    // as tcp_v4_send_reset: tcp_v4_send_ack counts OutSegs even when no route was found
    if (!v6) net.count(SNMP_TcpOutSegs);
    else if (r.error === ENETUNREACH) net.count(SNMP_Ip6OutNoRoutes); // tcp_v6_send_response's ip6_dst_lookup_flow
    net.step(skb, 'L4', fn, req.af.file, net.full ? `The request sock would answer with an ACK (${why}), but there is no route back (${r.what}).` : '');
    return;
  }
  const window = Math.min((req.rcvWnd ?? 0) >>> (req.rcvWscale ?? 0), 65535);
  const ts = req.tsRecent !== 0;
  sendSegment(net, { sk: null, ep: rx, sport: req.lport, dport: req.dport, seq: req.sndNxt, ack: req.rcvNxt, flags: TCPHDR_ACK, window, options: ts ? 'ts' : 'none', tsecr: req.tsRecent, data: 0, rt: r.rt, parent: skb.pkt, df: true, tos: rx.tos, offload: v6 }, fn, req.af.file, `The request sock answers with an ACK (seq ${req.sndNxt}, ack ${req.rcvNxt}): ${why}.`);
}

/** tcp_rcv_established: data in order is queued for the application and acknowledged at once (quick ACK). */
function tcp_rcv_established(net: Net, sk: TcpSock, skb: SkBuff, seq: number, ack: number, flags: number, dataLen: number): void {
  const call = net.enter('tcp_rcv_established');
  try {
    if (!tcp_validate_incoming(net, sk, skb, seq, flags, dataLen)) return;
    if (flags & TCPHDR_RST) {
      sk.state = 'TCP_CLOSE';
      net.count(SNMP_TcpEstabResets);
      net.step(skb, 'L4', 'tcp_reset', INPUT_FILE, 'The peer reset the connection (TcpEstabResets).');
      net.fate(skb, { kind: 'consumed', fn: 'tcp_reset' });
      return;
    }
    if (flags & TCPHDR_ACK) {
      const priorSndUna = sk.sndUna;
      const priorPackets = sk.unackedSegs ?? 0;
      const advanced = ack !== priorSndUna;
      // tcp_ack_update_window: the window, scaled by the peer's window scale; snd_una moves
      const win = readTcp(skb.buf, skb.data).window * 2 ** (sk.sndWscale ?? 0);
      const winChanged = win !== sk.sndWnd;
      if (tcp_ack_confirms(sk, seq, ack, dataLen, win)) sk.dstPendingConfirm = true;
      sk.sndUna = ack;
      sk.sndWnd = win;
      if (win > (sk.maxWindow ?? 0)) sk.maxWindow = win;
      // TCP_SKB_CB(skb)->sacked: tcp_parse_options keeps a SACK option only on a SACK connection
      const th = readTcp(skb.buf, skb.data);
      const opts = parseTcpOptions(skb.buf, skb.data, skb.data + th.doff * 4);
      const blocks = sk.sackOk ? opts.sack : undefined;
      const undoable = !!sk.undoMarker;
      const st = blocks ? tcp_sacktag_write_queue(net, sk, blocks, ack, priorSndUna, priorPackets) : undefined;
      const inLoss = sk.caState === 'Loss' && priorPackets > 0;
      // tcp_ack → tcp_clean_rtx_queue / tcp_newly_delivered: segments now acknowledged, and the
      // spurious retransmissions a DSACK reports (sack_delivered), count in TCPDelivered
      const cleaned = advanced && priorPackets ? tcp_clean_rtx_queue(sk, ack, sk.mssCache ?? 1) : undefined;
      const delivered = (cleaned?.acked ?? 0) + (st?.delivered ?? 0);
      if (delivered) net.count(SNMP_TcpExtTCPDelivered, delivered);
      if (cleaned) {
        const q = sk.rtxQueue ?? [];
        sk.unackedSegs = q.reduce((n, x) => n + x.segs, 0);
        // tcp_ack: snd_una advanced, so icsk_retransmits is 0 again; an RTT sample (a timestamp
        // echo, or without timestamps a segment never retransmitted: Karn) resets the RTO's backoff
        sk.retransmits = 0;
        if (sk.tstampOk || !cleaned.retransAcked) sk.rto = undefined;
        // tcp_ack: data got acknowledged, so the soft error log is cleared
        sk.errSoft = undefined;
        if (!q.length) clearXmitTimer(net, sk);
        else {
          // tcp_set_xmit_timer: the RTO (or, in the Open state of a SACK connection, a loss
          // probe) runs again from the new head of the queue
          sk.rtxHeadAt = q[0].sentAt;
          if (sk.caState !== 'Loss' && sk.sackOk) tcp_schedule_loss_probe(net, sk);
          else tcp_rearm_rto(net, sk, false);
        }
      }
      if (priorPackets && sk.tlpHighSeq) tcp_process_tlp_ack(sk, ack, { dsackTlp: !!st?.dsackTlp, advanced, notDup: dataLen > 0 || advanced || winChanged });
      if (st?.dsacking) net.step(skb, 'L4', 'tcp_sacktag_write_queue', INPUT_FILE, net.full ? `The ACK carries a DSACK for ${blocks![0][0]}-${blocks![0][1]}: data the peer got twice, a retransmission that was not needed (tcp_check_dsack: TCPDSACKRecv, TCPDSACKRecvSegs; delivered all the same: TCPDelivered). ${undoable ? `A loss episode is under way (undo_marker ${sk.undoMarker ?? 0}): the block counts against the retransmissions it may undo (undo_retrans now ${sk.undoRetrans ?? 0}).` : 'The block lies below snd_una and no recovery can be undone (undo_marker 0): TCPDSACKIgnoredNoUndo.'}${st.dsackTlp ? ' It covers exactly the loss probe: original and probe both arrived, no loss (tcp_process_tlp_ack clears tlp_high_seq).' : ''}` : '');
      if (inLoss) {
        // tcp_packet_delayed: the ACK echoes a timestamp from before the first retransmission
        const stamp = (tsvalAt(sk.dataRetransStamp ?? 0) + tsSaltOffset(net)) >>> 0;
        const ecrBeforeStamp = !!sk.dataRetransStamp && !!opts.ts?.ecr && ((opts.ts.ecr - stamp) | 0) < 0;
        const cwndBefore = sk.cwnd ?? 1;
        const outcome = net.call('tcp_fastretrans_alert', () => tcp_process_loss(net, sk, { advanced, origAcked: !!cleaned?.origAcked, ecrBeforeStamp, where: la(sk) }));
        // tcp_cong_control: a recovery that was not undone opens the window by slow start from 1
        if (outcome === 'recovered' || outcome === 'held') sk.cwnd = Math.min(cwndBefore + (cleaned?.acked ?? 0), sk.ssthresh ?? Infinity);
        // tcp_try_to_open / tcp_is_non_sack_preventing_reopen: nothing retransmitted in flight, retrans_stamp 0
        if (!sk.rtxQueue?.length) sk.dataRetransStamp = 0;
        const what = {
          undo: `the retransmission was not needed (${ecrBeforeStamp ? 'the ACK echoes a timestamp from before it: tcp_packet_delayed' : 'DSACKs reported every retransmission: undo_retrans 0'}): tcp_try_undo_loss undoes the episode, cwnd ${sk.cwnd} again (TCPLossUndo)${sk.caState === 'Loss' ? '; without SACK the Loss state holds until something above high_seq is acknowledged' : ', the state is Open'}`,
          spurious: `data never retransmitted is acknowledged: F-RTO finds the timeout spurious, tcp_try_undo_loss undoes it, cwnd ${sk.cwnd} (TCPLossUndo, TCPSpuriousRTOs)`,
          recovered: `everything up to high_seq is acknowledged, and nothing says the retransmissions were needless (undo_retrans ${sk.undoRetrans}, no timestamp echoed from before them: no undo), the state is Open again (tcp_try_undo_recovery), cwnd ${sk.cwnd} by slow start`,
          held: `everything up to high_seq is acknowledged, but without SACK the Loss state holds until something above high_seq is (RFC 2582: tcp_is_non_sack_preventing_reopen), cwnd ${sk.cwnd}`,
        }[outcome];
        net.step(skb, 'L4', 'tcp_process_loss', INPUT_FILE, net.full ? `An ACK (ack ${ack}) in the Loss state: ${what}.` : '');
      }
    }
    if (flags & TCPHDR_ACK && sk.writeQueue?.length) {
      // tcp_data_snd_check: the ACK may have opened the windows for what still waits
      const r = sk.af.route(net, sk);
      if (!('error' in r)) tcp_write_xmit(net, sk, r.rt, skb.pkt);
    }
    if (dataLen === 0) {
      // With window scaling the header-prediction fast path is off (pred_flags 0), so tcp_ack runs
      // in the slow path, where an ACK without data counts as TCPPureAcks.
      net.count(SNMP_TcpExtTCPPureAcks);
      net.step(skb, 'L4', 'tcp_ack', INPUT_FILE, net.full ? `A pure ACK (ack ${ack}) updates what the peer has received (TCPPureAcks).` : '');
      net.fate(skb, { kind: 'consumed', fn: 'tcp_ack' });
      return;
    }
    if (seq !== sk.rcvNxt) {
      const endSeq = segEndSeq(seq, flags, dataLen);
      if (((endSeq - sk.rcvNxt) | 0) > 0) throw new NotModelled(`data at seq ${seq}-${endSeq} for ${la(sk)}, whose rcv_nxt is ${sk.rcvNxt}: ${((seq - sk.rcvNxt) | 0) < 0 ? 'a segment partly old, partly new (tcp_data_queue takes the new part)' : 'a segment out of order (tcp_data_queue_ofo, SACK blocks)'} is not modelled`);
      tcp_data_queue_old(net, sk, skb, seq, endSeq);
      return;
    }
    sk.rcvNxt = (sk.rcvNxt + dataLen) >>> 0;
    // the sk_buff the sender's tcp_sendmsg built (its payload in page fragments) is what a veth
    // delivers: its truesize moves the receive window
    if (sk.rcvSpace) tcp_event_data_recv(sk.rcvSpace, dataLen, skb.gso_size, TCP_SKB_HEAD_TRUESIZE + dataLen, sk.rcvWnd ?? 0);
    if (sk.tstampOk) sk.tsRecent = readTsval(skb);
    const listener = sk.parent;
    listener?.report?.received.push({ from: peerName(sk), bytes: dataLen, packet: skb.pkt });
    net.call('tcp_queue_rcv', () => {
      net.step(skb, 'socket', 'tcp_queue_rcv', INPUT_FILE, net.full ? `${dataLen} bytes in order (seq ${seq}) are queued on the socket's receive queue for the application; rcv_nxt is now ${sk.rcvNxt}.` : '');
      net.fate(skb, { kind: 'delivered', fn: 'tcp_queue_rcv', detail: `${dataLen} bytes to ${la(sk)}` });
    });
    tcp_ack_snd_check(net, sk, skb, `In quick-ACK mode (a new connection) the data is acknowledged at once: ack ${sk.rcvNxt}.`);
  } finally {
    net.leave(call);
  }
}

/** __tcp_ack_snd_check → tcp_send_ack: in quick-ACK mode the ACK goes at once. */
function tcp_ack_snd_check(net: Net, sk: TcpSock, skb: SkBuff, what: string): void {
  const r = sk.af.route(net, sk);
  if ('error' in r) return;
  net.call('__tcp_ack_snd_check', () =>
    net.call('tcp_send_ack', () =>
      sendSegment(net, { sk, ep: sk, sport: sk.lport, dport: sk.dport, seq: sk.sndNxt, ack: sk.rcvNxt, flags: TCPHDR_ACK, window: tcp_select_window(net, sk), options: estOptions(sk), tsecr: sk.tsRecent, data: 0, rt: r.rt, parent: skb.pkt, df: true, offload: true }, 'tcp_transmit_skb', OUTPUT_FILE, `${what}${altWindowNote(sk)}`),
    ),
  );
}

/**
 * tcp_data_queue's old-data path (net/ipv4/tcp_input.c, v6.12): a segment wholly below rcv_nxt is
 * a retransmission of what this end already has — its ACK was lost, or came late (a loss probe).
 * DelayedACKLost; on a SACK connection tcp_dsack_set keeps a DSACK block of it for the next
 * segment (TCPDSACKOldSent); quick-ACK mode is entered and an ACK scheduled, and the segment is
 * freed (TCP_OLD_DATA). The ACK goes at once (tcp_ack_snd_check), carrying the DSACK.
 */
function tcp_data_queue_old(net: Net, sk: TcpSock, skb: SkBuff, seq: number, endSeq: number): void {
  // tcp_ack (FLAG_UPDATE_TS_RECENT) ran first: a segment at or below rcv_wup refreshes ts_recent
  if (sk.tstampOk) {
    const ts = readTsval(skb);
    if (((ts - sk.tsRecent) | 0) >= 0) sk.tsRecent = ts;
  }
  net.call('tcp_data_queue', () => {
    net.count(SNMP_TcpExtDelayedACKLost);
    if (sk.sackOk) {
      net.count(SNMP_TcpExtTCPDSACKOldSent);
      sk.dsack = [seq, endSeq];
    }
    net.drop(skb, 'L4', 'tcp_data_queue', INPUT_FILE, 'TCP_OLD_DATA', net.full ? `Data at seq ${seq}-${endSeq} is already here (rcv_nxt ${sk.rcvNxt}): a retransmission, freed (DelayedACKLost)${sk.sackOk ? '; tcp_dsack_set keeps a DSACK block of it for the ACK (TCPDSACKOldSent)' : '; without SACK no DSACK tells the sender'}.` : '');
  });
  tcp_ack_snd_check(net, sk, skb, `The retransmission is answered at once (tcp_enter_quickack_mode): ack ${sk.rcvNxt}${sk.dsack ? `, with the DSACK block ${seq}-${endSeq} in a SACK option` : ''}.`);
}

/**
 * tcp_ack (net/ipv4/tcp_input.c, v6.12) asks for the neighbour to be confirmed (sk_dst_confirm)
 * when, with segments in flight (packets_out; without any it returns at no_queue first), an ACK
 * acknowledges new data (FLAG_FORWARD_PROGRESS) or is a duplicate: no data, nothing newly
 * acknowledged, no window update (tcp_may_update_window: a later snd_wl1, or the same one with a
 * larger or zero window). An ACK outside snd_una..snd_nxt returns earlier.
 */
function tcp_ack_confirms(sk: TcpSock, seq: number, ack: number, dataLen: number, win: number): boolean {
  if (!between(ack, sk.sndUna, sk.sndNxt)) return false;
  const acked = ack !== sk.sndUna;
  const wl1 = sk.sndWl1 ?? seq;
  const winUpdate = acked || ((seq - wl1) | 0) > 0 || (seq === wl1 && (win > (sk.sndWnd ?? 0) || win === 0));
  if (winUpdate) sk.sndWl1 = seq;
  if (sk.sndNxt === sk.sndUna) return false;
  return acked || (dataLen === 0 && !winUpdate);
}

/** icmp_err_convert (net/ipv4/icmp.c, v6.12): the errno each destination-unreachable code means */
const ICMP_ERR_CONVERT = ['ENETUNREACH', 'EHOSTUNREACH', 'ENOPROTOOPT', 'ECONNREFUSED', 'EMSGSIZE', 'EOPNOTSUPP', 'ENETUNREACH', 'EHOSTDOWN', 'ENONET', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTUNREACH', 'EHOSTUNREACH', 'EHOSTUNREACH', 'EHOSTUNREACH'];
/** NR_ICMP_UNREACH */
const NR_ICMP_UNREACH = 15;

/** between(seq, a, b) of include/net/tcp.h: a <= seq <= b in sequence space */
export function between(seq: number, a: number, b: number): boolean {
  return ((b - a) >>> 0) >= ((seq - a) >>> 0);
}

/**
 * tcp_v4_err (v6.12): an ICMP error about one of our segments. skb->data is at the quoted IP
 * header (icmp_socket_deliver made sure 8 bytes of TCP follow it). Only hashed connections are
 * looked up (__inet_lookup_established): a listener or a closed socket is not found.
 */
export function tcp_v4_err(net: Net, skb: SkBuff, type: number, code: number, info: number): void {
  net.call('tcp_v4_err', () => {
    const iph = readIp(skb.buf, skb.data);
    const l4 = skb.data + iph.ihl * 4;
    const th = readTcp(skb.buf, l4);
    const sk = net.sock.tcp.find((s) => s.state !== 'TCP_LISTEN' && s.state !== 'TCP_CLOSE' && !isV6(s) && s.lport === th.source && s.daddr === iph.daddr && s.dport === th.dest && (!s.laddr || s.laddr === iph.saddr));
    const quoted = `${numToIp(iph.saddr)}:${th.source} → ${numToIp(iph.daddr)}:${th.dest}`;
    if (!sk) {
      net.count(SNMP_IcmpInErrors);
      net.step(skb, 'L4', 'tcp_v4_err', IPV4_FILE, net.full ? `No TCP connection sent the quoted segment ${quoted}: IcmpInErrors (-ENOENT).` : '');
      net.fate(skb, { kind: 'consumed', fn: 'tcp_v4_err' });
      return;
    }
    const seq = th.seq >>> 0;
    if (sk.state === 'TCP_NEW_SYN_RECV') {
      const abort = type === ICMP_PARAMETERPROB || type === ICMP_TIME_EXCEEDED || (type === ICMP_DEST_UNREACH && (code === ICMP_NET_UNREACH || code === ICMP_HOST_UNREACH));
      tcp_req_err(net, sk, skb, seq, abort);
      return;
    }
    // bh_lock_sock: while connect() still holds the socket lock, the error cannot act on it
    const owned = sk.userLockAt === net.w.sched.now;
    if (owned && !(type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED)) net.count(SNMP_TcpExtLockDroppedIcmps);
    const done = (what: string): void => {
      net.step(skb, 'L4', 'tcp_v4_err', IPV4_FILE, what);
      net.fate(skb, { kind: 'consumed', fn: 'tcp_v4_err' });
    };
    if (!between(seq, sk.sndUna, sk.sndNxt)) {
      net.count(SNMP_TcpExtOutOfWindowIcmps);
      return done(`The quoted sequence number ${seq} is outside what ${quoted} has in flight: the error is ignored (OutOfWindowIcmps).`);
    }
    let err: string;
    switch (type) {
      case ICMP_REDIRECT:
        if (owned) return done(`A redirect about ${quoted} while connect() holds the socket: not applied (LockDroppedIcmps).`);
        net.step(skb, 'L4', 'tcp_v4_err', IPV4_FILE, net.full ? `A redirect about ${quoted}: do_redirect hands it to the route (ip_do_redirect).` : '');
        ip_do_redirect(net, skb, info);
        net.fate(skb, { kind: 'consumed', fn: 'tcp_v4_err' });
        return;
      case ICMP_SOURCE_QUENCH:
        return done('Source quench is ignored.');
      case ICMP_PARAMETERPROB:
        err = 'EPROTO';
        break;
      case ICMP_DEST_UNREACH:
        if (code > NR_ICMP_UNREACH) return done(`Destination unreachable code ${code} is unknown: ignored.`);
        if (code === ICMP_FRAG_NEEDED) {
          // tcp_v4_mtu_reduced → tcp_simple_retransmit sends what no longer fits again, cut to the new MSS
          if ((sk.unackedSegs ?? 0) > 0) throw new NotModelled(`fragmentation needed (mtu ${info}) for a connection with data in flight: tcp_simple_retransmit, resending it at the smaller MSS, is not modelled`);
          return done(`Fragmentation needed: the path MTU to ${numToIp(iph.daddr)} is lowered (tcp_v4_mtu_reduced); the connection goes on.`);
        }
        err = ICMP_ERR_CONVERT[code];
        break;
      case ICMP_TIME_EXCEEDED:
        err = 'EHOSTUNREACH';
        break;
      default:
        return done(`ICMP type ${type} means nothing to TCP.`);
    }
    if ((sk.state === 'TCP_SYN_SENT' || sk.state === 'TCP_SYN_RECV') && owned) {
      sk.errors.push(`${err} (soft)`);
      sk.errSoft = err;
      return done(`${quoted} is connecting, but the error (${err}) arrives while connect() still holds the socket lock (the SYN's whole round trip ran in its softirq): it is only kept as sk_err_soft (LockDroppedIcmps), and the SYN will be retried.`);
    }
    if (sk.state === 'TCP_SYN_SENT' || sk.state === 'TCP_SYN_RECV') {
      net.step(skb, 'L4', 'tcp_v4_err', IPV4_FILE, net.full ? `${quoted} is still connecting (${sk.state}): the error (${err}) aborts it (ip_icmp_error, tcp_done_with_error).` : '');
      tcp_done_with_error(net, sk, err);
      net.fate(skb, { kind: 'consumed', fn: 'tcp_v4_err', detail: err });
      return;
    }
    // An established connection keeps trying: without IP_RECVERR the error is only soft (sk_err_soft).
    sk.errors.push(`${err} (soft)`);
    sk.errSoft = err;
    done(`${quoted} is established: the error (${err}) is kept as a soft error and the connection keeps trying.`);
  });
}

/** tcp_done_with_error → tcp_done (v6.12): the socket reports err, closes and stops its timers. */
export function tcp_done_with_error(net: Net, sk: TcpSock, err: string): void {
  const call = net.enter('tcp_done_with_error');
  try {
    sk.errors.push(err);
    const established = sk.state === 'TCP_ESTABLISHED';
    if (sk.state === 'TCP_SYN_SENT' || sk.state === 'TCP_SYN_RECV') net.count(SNMP_TcpAttemptFails);
    // tcp_set_state(TCP_CLOSE) from ESTABLISHED counts TcpEstabResets
    else if (established) net.count(SNMP_TcpEstabResets);
    sk.state = 'TCP_CLOSE';
    if (sk.retransTimer) net.w.sched.cancel(sk.retransTimer as never);
    clearXmitTimer(net, sk);
    if (established) net.step(null, 'L4', 'tcp_done', 'net/ipv4/tcp.c', net.full ? `The connection of ${la(sk)} to ${da(sk)} ends with ${err} (the application sees it as the socket's error): the socket goes to TCP_CLOSE and its timers are cleared (TcpEstabResets).` : '');
    else net.step(null, 'L4', 'tcp_done', 'net/ipv4/tcp.c', net.full ? `connect() on ${la(sk)} fails with ${err}: the socket goes to TCP_CLOSE and its retransmission timer is cleared (TcpAttemptFails).` : '');
  } finally {
    net.leave(call);
  }
}

/**
 * tcp_req_err (net/ipv4/tcp_ipv4.c, v6.12): an error about a SYN-ACK of a request sock. A hard
 * error for the SYN-ACK we sent drops the request (inet_csk_reqsk_queue_drop, ListenDrops).
 */
export function tcp_req_err(net: Net, req: TcpSock, skb: SkBuff, seq: number, abort: boolean): void {
  const call = net.enter('tcp_req_err');
  try {
    if (seq !== req.iss) {
      net.count(SNMP_TcpExtOutOfWindowIcmps);
      net.step(skb, 'L4', 'tcp_req_err', req.af.file, net.full ? `The quoted sequence number ${seq} is not our SYN-ACK's (${req.iss}): OutOfWindowIcmps.` : '');
    } else if (abort) {
      req.state = 'TCP_CLOSE';
      if (req.retransTimer) net.w.sched.cancel(req.retransTimer as never);
      net.count(SNMP_TcpExtListenDrops);
      net.step(skb, 'L4', 'tcp_req_err', req.af.file, 'The peer cannot be reached: the request sock is dropped (inet_csk_reqsk_queue_drop, ListenDrops).');
    } else {
      net.step(skb, 'L4', 'tcp_req_err', req.af.file, 'A soft error for a request sock: nothing changes.');
    }
    net.fate(skb, { kind: 'consumed', fn: req.af.fn.err });
  } finally {
    net.leave(call);
  }
}

export const TCP_HDR_BYTES = IPV4_HLEN + TCP_HLEN;

/** ipv4_specific (net/ipv4/tcp_ipv4.c): IPv4's operations for the shared TCP code. */
export const ipv4_specific: TcpAfOps = {
  name: 'ipv4_specific',
  netHeaderLen: IPV4_HLEN,
  file: IPV4_FILE,
  fn: { rcv: 'tcp_v4_rcv', doRcv: 'tcp_v4_do_rcv', sendReset: 'tcp_v4_send_reset', sendSynack: 'tcp_v4_send_synack', synRecvSock: 'tcp_v4_syn_recv_sock', err: 'tcp_v4_err', connRequest: 'tcp_v4_conn_request' },
  route: (net, ep) => ip_route_output_key(net, ep.daddr, ep.laddr),
  // tcp_current_mss: a locked MTU metric, else the smaller of the route's and a learnt path MTU
  pmtu: (net, ep, rt) => (rt.mtuLocked ? rt.mtu() : Math.min(rt.mtu(), net.pmtu.get(ep.daddr) ?? Infinity)),
  build: (net, ep, a: TcpIpArgs) =>
    ip_make_skb(net, a.rt, { saddr: ep.laddr, daddr: ep.daddr, protocol: IPPROTO_TCP, ttl: a.ttl ?? net.get('net.ipv4.ip_default_ttl'), tos: a.tos ?? 0, df: a.df, id: a.df ? 0 : undefined }, a.len, a.pkt, (b, off) => {
      a.body(b, off);
      wr16(b, off + 16, 0);
      wr16(b, off + 16, l4Csum(b, off, a.len, ep.laddr, ep.daddr, IPPROTO_TCP));
      if (a.offload) writePseudoChecksum(b, off, a.len, ep.laddr, ep.daddr, IPPROTO_TCP);
    }),
  // a socket's segments go through ip_queue_xmit → ip_local_out; the RST control socket's reply
  // through ip_send_unicast_reply → ip_push_pending_frames → ip_send_skb, which counts
  // IpOutDiscards for a refused one (a LOCAL_OUT drop's -EPERM)
  send: (net, skb, sk) => (sk ? ip_local_out(net, skb) : net.call('ip_send_unicast_reply', () => net.call('ip_push_pending_frames', () => ip_send_skb(net, skb)))),
  fmt: (which, ep, port) => `${numToIp(which === 'l' ? ep.laddr : ep.daddr)}:${port}`,
  rcvEndpoints: (skb) => {
    const iph = readIp(skb.buf, skb.network_header);
    return { af: ipv4_specific, laddr: iph.daddr, daddr: iph.saddr, tos: iph.tos };
  },
  csumBad: (skb) => {
    if (skb.ip_summed === 'CHECKSUM_UNNECESSARY' || skb.ip_summed === 'CHECKSUM_PARTIAL') return false;
    const iph = readIp(skb.buf, skb.network_header);
    return l4Csum(skb.buf, skb.data, skb.len, iph.saddr, iph.daddr, IPPROTO_TCP) !== 0;
  },
};
