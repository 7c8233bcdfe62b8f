// The sender's loss state after a retransmission timeout (net/ipv4/tcp_input.c and tcp_timer.c,
// v6.12): tcp_enter_loss, the give-up test of tcp_write_timeout, the cleaning of the retransmit
// queue by an ACK, and tcp_process_loss, which ends the Loss state. What the state needs that the
// model does not have (retransmitting more than the head, new data sent in Loss) is refused.
import { NotModelled } from '../../sim/not_modelled';
import type { Net } from '../net_namespace';
import type { RtxSkb, TcpSock } from './sock_types';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_TcpExtTCPLossUndo = snmpId('TcpExtTCPLossUndo');
const SNMP_TcpExtTCPLostRetransmit = snmpId('TcpExtTCPLostRetransmit');
const SNMP_TcpExtTCPSpuriousRTOs = snmpId('TcpExtTCPSpuriousRTOs');

const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const after = (a: number, b: number): boolean => ((a - b) | 0) > 0;
const endOf = (s: RtxSkb): number => (s.seq + s.len) >>> 0;

/** TCP_RTO_MIN (HZ/5) and TCP_RTO_MAX (120 s), ns */
export const TCP_RTO_MIN_NS = 200e6;
export const TCP_RTO_MAX_NS = 120e9;

/**
 * tcp_model_timeout (tcp_timer.c, v6.12): how long `boundary` retransmissions take with
 * exponential backoff from rto_base, linear at TCP_RTO_MAX once the doubling would pass it (ns).
 */
export function tcp_model_timeout(boundary: number, rtoBase: number): number {
  const thresh = Math.floor(Math.log2(TCP_RTO_MAX_NS / rtoBase));
  if (boundary <= thresh) return ((2 << boundary) - 1) * rtoBase;
  return ((2 << thresh) - 1) * rtoBase + (boundary - thresh) * TCP_RTO_MAX_NS;
}

/**
 * retransmits_timed_out for an established socket (v6.12): once there was an expiry
 * (icsk_retransmits), has the time since retrans_stamp reached tcp_model_timeout(boundary,
 * TCP_RTO_MIN)? Milliseconds, as tcp_time_stamp_ts counts them without usec timestamps.
 */
export function retransmits_timed_out(sk: TcpSock, now: number, boundary: number): boolean {
  if (!sk.retransmits) return false;
  const elapsedMs = Math.floor(now / 1e6) - Math.floor((sk.dataRetransStamp ?? 0) / 1e6);
  return elapsedMs - tcp_model_timeout(boundary, TCP_RTO_MIN_NS) / 1e6 >= 0;
}

/** cubictcp_recalc_ssthresh (tcp_cubic.c, v6.12): beta 717/1024 of the window, at least 2 */
function cubic_ssthresh(cwnd: number): number {
  return Math.max(Math.floor((cwnd * 717) / 1024), 2);
}

/**
 * tcp_enter_loss (v6.12), called by the RTO. tcp_timeout_mark_lost marks the queue lost (the
 * head always; the rest too, since none went out within the RACK window of microseconds on a
 * veth); a segment already lost whose retransmission (TCPCB_SACKED_RETRANS) is now lost again
 * counts TCPLostRetransmit. Outside a Loss already under way the window is halved the cubic way
 * (ssthresh) and what an undo restores is saved (tcp_init_undo: undo_marker = snd_una, and
 * undo_retrans counts the retransmissions in flight, a loss probe's included);
 * snd_cwnd becomes the packets in flight plus one (1: everything is lost); high_seq = snd_nxt,
 * tlp_high_seq cleared, and F-RTO (tcp_frto 2) runs for a new recovery or a repeated timeout.
 * Returns the segments counted as lost again.
 */
export function tcp_enter_loss(net: Net, sk: TcpSock): number {
  const q = sk.rtxQueue ?? [];
  const newRecovery = sk.caState !== 'Loss';
  let lostAgain = 0;
  for (const s of q) {
    if (s.lost && s.sackedRetrans) {
      s.sackedRetrans = false;
      lostAgain += s.segs;
    }
    s.lost = true;
  }
  if (lostAgain) net.count(SNMP_TcpExtTCPLostRetransmit, lostAgain);
  const cwnd = sk.cwnd ?? 10;
  if (newRecovery || !after(sk.highSeq ?? 0, sk.sndUna) || !sk.retransmits) {
    sk.priorSsthresh = sk.ssthresh;
    sk.priorCwnd = cwnd;
    sk.ssthresh = cubic_ssthresh(cwnd);
    // tcp_init_undo: the retransmissions still in flight (retrans_out, and a loss probe's
    // retransmission while tlp_high_seq is set) may yet be reported as duplicates; 0 would mean
    // "can undo now", so it is -1 then
    sk.undoMarker = sk.sndUna || 1;
    const retransOut = q.reduce((n, s) => n + (s.sackedRetrans ? s.segs : 0), 0);
    sk.undoRetrans = retransOut + (sk.tlpHighSeq && sk.tlpRetrans ? 1 : 0) || -1;
  }
  sk.cwnd = 1;
  sk.caState = 'Loss';
  sk.highSeq = sk.sndNxt;
  sk.tlpHighSeq = 0;
  sk.frto = newRecovery || !!sk.retransmits;
  return lostAgain;
}

/** What tcp_clean_rtx_queue found acknowledged. */
export interface Cleaned {
  /** segments acknowledged (tcp_clean_rtx_queue's pkts_acked) */
  acked: number;
  /** FLAG_RETRANS_DATA_ACKED, FLAG_ORIG_SACK_ACKED: a retransmitted segment, a never retransmitted one below high_seq */
  retransAcked: boolean;
  origAcked: boolean;
}

/**
 * tcp_clean_rtx_queue (v6.12): the sk_buffs wholly below the ACK leave the queue; one the ACK
 * cuts is trimmed at it (tcp_trim_head), its segments counted again by `mss`.
 */
export function tcp_clean_rtx_queue(sk: TcpSock, ack: number, mss: number): Cleaned {
  const q = sk.rtxQueue ?? [];
  const c: Cleaned = { acked: 0, retransAcked: false, origAcked: false };
  const tally = (s: RtxSkb, segs: number): void => {
    c.acked += segs;
    if (s.sackedRetrans || s.everRetrans) c.retransAcked = true;
    else if (!after(endOf(s), sk.highSeq ?? endOf(s))) c.origAcked = true;
  };
  while (q.length && !after(endOf(q[0]), ack)) tally(q[0], q.shift()!.segs);
  const h = q[0];
  if (h && after(ack, h.seq)) {
    const cut = (ack - h.seq) >>> 0;
    const segs = Math.max(h.segs - Math.ceil((h.len - cut) / mss), 0);
    tally(h, segs);
    h.seq = ack;
    h.len -= cut;
    h.segs -= segs;
  }
  return c;
}

/**
 * tcp_may_undo (v6.12): the loss episode can be undone when every retransmission was reported
 * a duplicate (undo_retrans 0, by DSACKs) or the ACK echoes a timestamp older than the first
 * retransmission (tcp_packet_delayed: the original, not the retransmission, arrived).
 */
function tcp_may_undo(sk: TcpSock, ecrBeforeStamp: boolean): boolean {
  return !!sk.undoMarker && (!sk.undoRetrans || ecrBeforeStamp);
}

/**
 * tcp_undo_cwnd_reduction (v6.12): the window comes back (tcp_reno_undo_cwnd: the larger of now
 * and prior_cwnd; a larger prior_ssthresh is restored), and the lost marks go.
 */
function tcp_undo_cwnd_reduction(sk: TcpSock): void {
  for (const s of sk.rtxQueue ?? []) s.lost = false;
  if (sk.priorSsthresh !== undefined || sk.priorCwnd !== undefined) {
    sk.cwnd = Math.max(sk.cwnd ?? 1, sk.priorCwnd ?? 0);
    if (sk.priorSsthresh === undefined || (sk.ssthresh !== undefined && sk.priorSsthresh > sk.ssthresh)) sk.ssthresh = sk.priorSsthresh;
  }
  sk.undoMarker = 0;
}

/** What tcp_process_loss did, for the step that says it. */
export type LossOutcome = 'undo' | 'spurious' | 'recovered' | 'held';

/**
 * tcp_fastretrans_alert in TCP_CA_Loss → tcp_process_loss (v6.12), for an ACK on a connection in
 * Loss. `advanced`: FLAG_SND_UNA_ADVANCED. The outcomes the model follows:
 * - tcp_try_undo_loss: an ACK that advances when tcp_may_undo holds (TCPLossUndo); or, under
 *   F-RTO, one that acknowledges never-retransmitted data below high_seq (TCPLossUndo,
 *   TCPSpuriousRTOs): the state is Open again, the window restored;
 * - everything up to high_seq acknowledged (recovered): tcp_try_undo_recovery returns to Open,
 *   except on a connection without SACK whose snd_una is exactly high_seq, which holds the Loss
 *   state until something above it is acknowledged (RFC 2582).
 * What is left lost below high_seq would be retransmitted (REXMIT_LOST: tcp_xmit_retransmit_queue),
 * new data sent under F-RTO (REXMIT_NEW): neither is modelled, and both are refused.
 */
export function tcp_process_loss(net: Net, sk: TcpSock, f: { advanced: boolean; origAcked: boolean; ecrBeforeStamp: boolean; where: string }): LossOutcome {
  const recovered = !before(sk.sndUna, sk.highSeq ?? sk.sndUna);
  const undo = (spurious: boolean): LossOutcome => {
    tcp_undo_cwnd_reduction(sk);
    net.count(SNMP_TcpExtTCPLossUndo);
    if (spurious) net.count(SNMP_TcpExtTCPSpuriousRTOs);
    sk.retransmits = 0;
    // tcp_is_non_sack_preventing_reopen: without SACK, snd_una at high_seq keeps the state; else
    // an F-RTO undo or a SACK connection is Open again (a Reno undo stays in Loss)
    if (!(!sk.sackOk && sk.sndUna === sk.highSeq) && (spurious || sk.sackOk)) sk.caState = 'Open';
    return spurious ? 'spurious' : 'undo';
  };
  if (f.advanced && tcp_may_undo(sk, f.ecrBeforeStamp)) return undo(false);
  if (sk.frto) {
    if (f.origAcked) return undo(true);
    if (f.advanced && !recovered) {
      sk.highSeq = sk.sndNxt;
      if (sk.writeQueue?.length) throw new NotModelled(`an ACK in the Loss state of ${f.where} with data waiting to be sent: F-RTO sending new data (tcp_process_loss, REXMIT_NEW) is not modelled`);
      sk.frto = false;
    }
  }
  if (recovered) {
    // tcp_try_undo_recovery: tcp_may_undo already failed for an advancing ACK
    if (tcp_may_undo(sk, f.ecrBeforeStamp)) {
      tcp_undo_cwnd_reduction(sk);
      net.count(SNMP_TcpExtTCPLossUndo);
    }
    if (sk.sndUna === sk.highSeq && !sk.sackOk) return 'held';
    sk.caState = 'Open';
    return 'recovered';
  }
  throw new NotModelled(`an ACK (snd_una ${sk.sndUna}) in the Loss state of ${f.where} that leaves data lost below high_seq ${sk.highSeq}: retransmitting the rest of the queue (tcp_xmit_retransmit_queue, REXMIT_LOST) is not modelled`);
}
