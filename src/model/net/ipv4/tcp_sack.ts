// What a TCP sender makes of the SACK option on an ACK (net/ipv4/tcp_input.c, v6.12), as far as
// the model goes: a DSACK reporting data received twice (the answer to a loss probe or an RTO
// retransmission whose original was not lost, which lowers undo_retrans in a loss episode), and
// tcp_process_tlp_ack, which settles a loss probe. The SACK scoreboard (blocks above snd_una:
// data received out of order) is not modelled, and is refused.
import { NotModelled } from '../../sim/not_modelled';
import type { Net } from '../net_namespace';
import type { TcpSock } from './sock_types';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_TcpExtTCPDSACKIgnoredDubious = snmpId('TcpExtTCPDSACKIgnoredDubious');
const SNMP_TcpExtTCPDSACKOfoRecv = snmpId('TcpExtTCPDSACKOfoRecv');
const SNMP_TcpExtTCPDSACKRecv = snmpId('TcpExtTCPDSACKRecv');
const SNMP_TcpExtTCPDSACKRecvSegs = snmpId('TcpExtTCPDSACKRecvSegs');
const SNMP_TcpExtTCPSACKDiscard = snmpId('TcpExtTCPSACKDiscard');
const SNMP_TcpExtTCPSackShiftFallback = snmpId('TcpExtTCPSackShiftFallback');

const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const after = (a: number, b: number): boolean => ((a - b) | 0) > 0;

/** What tcp_sacktag_write_queue tells tcp_ack (its state and flags). */
export interface SacktagState {
  /** FLAG_DSACKING_ACK */
  dsacking: boolean;
  /** FLAG_DSACK_TLP: the DSACK covers exactly the loss probe */
  dsackTlp: boolean;
  /** sack_delivered: the spurious retransmissions the DSACK reports delivered (TCPDelivered) */
  delivered: number;
}

/**
 * tcp_dsack_seen: how many segments the DSACK block reports twice (0: a dubious block, ignored).
 * A range wider than the largest window offered, or more duplicates than were ever retransmitted
 * (dsack_dups against total_retrans), is dubious.
 */
function tcp_dsack_seen(sk: TcpSock, start: number, end: number, st: SacktagState): number {
  if (!before(start, end)) return 0;
  const len = (end - start) >>> 0;
  if (len > (sk.maxWindow ?? 0)) return 0;
  const mss = sk.mssCache ?? len;
  let dup = 1;
  if (len > mss) dup = Math.ceil(len / mss);
  else if (sk.tlpHighSeq && sk.tlpHighSeq === end) st.dsackTlp = true;
  sk.dsackDups = (sk.dsackDups ?? 0) + dup;
  if (sk.dsackDups > (sk.totalRetrans ?? 0)) return 0;
  st.dsacking = true;
  st.delivered += dup;
  return dup;
}

/**
 * tcp_check_dsack: the first block is a DSACK when it starts below the ACK number (TCPDSACKRecv),
 * or lies inside the second block (TCPDSACKOfoRecv); its segments count in TCPDSACKRecvSegs.
 */
function tcp_check_dsack(net: Net, sk: TcpSock, blocks: [number, number][], ack: number, priorSndUna: number, st: SacktagState): boolean {
  const [s0, e0] = blocks[0];
  if (before(s0, ack)) net.count(SNMP_TcpExtTCPDSACKRecv);
  else if (blocks.length > 1 && !after(e0, blocks[1][1]) && !before(s0, blocks[1][0])) net.count(SNMP_TcpExtTCPDSACKOfoRecv);
  else return false;
  const dup = tcp_dsack_seen(sk, s0, e0, st);
  if (!dup) {
    net.count(SNMP_TcpExtTCPDSACKIgnoredDubious);
    return false;
  }
  net.count(SNMP_TcpExtTCPDSACKRecvSegs, dup);
  // a DSACK for data snd_una had passed before this ACK, above undo_marker: "dumb counting"
  if (sk.undoMarker && (sk.undoRetrans ?? 0) > 0 && !after(e0, priorSndUna) && after(e0, sk.undoMarker)) sk.undoRetrans = Math.max(0, sk.undoRetrans! - dup);
  return true;
}

/**
 * tcp_is_sackblock_valid: a block must end by snd_nxt and start after snd_una; below snd_una only
 * a DSACK during a loss episode that can be undone (undo_marker), wholly below snd_una and not
 * older than undo_marker (or crossing it by less than max_window).
 */
function tcp_is_sackblock_valid(sk: TcpSock, isDsack: boolean, start: number, end: number): boolean {
  if (after(end, sk.sndNxt) || !before(start, end)) return false;
  if (!before(start, sk.sndNxt)) return false;
  if (after(start, sk.sndUna)) return true;
  const marker = sk.undoMarker ?? 0;
  if (!isDsack || !marker) return false;
  if (after(end, sk.sndUna)) return false;
  if (!before(start, marker)) return true;
  if (!after(end, marker)) return false;
  return !before(start, (end - (sk.maxWindow ?? 0)) >>> 0);
}

/**
 * tcp_sacktag_walk → tcp_sacktag_one for a DSACK below snd_una: each sk_buff it reaches counts
 * TCPSackShiftFallback; each retransmitted one it covers (TCPCB_RETRANS) above undo_marker lowers undo_retrans; the sk_buffs are about to be
 * acknowledged, so nothing else changes.
 */
function tcp_sacktag_dsack(net: Net, sk: TcpSock, start: number, end: number): void {
  for (const s of sk.rtxQueue ?? []) {
    const sEnd = (s.seq + s.len) >>> 0;
    if (!after(sEnd, start) || !before(s.seq, end)) continue;
    // tcp_shift_skb_data gives up on an sk_buff at or below snd_una ("about to be dropped")
    net.count(SNMP_TcpExtTCPSackShiftFallback);
    if (before(s.seq, start) || after(sEnd, end)) continue;
    if ((s.sackedRetrans || s.everRetrans) && sk.undoMarker && (sk.undoRetrans ?? 0) > 0 && after(sEnd, sk.undoMarker)) sk.undoRetrans = Math.max(0, sk.undoRetrans! - s.segs);
  }
}

/**
 * tcp_sacktag_write_queue (v6.12), called by tcp_ack's slow path after tcp_ack_update_window moved
 * snd_una to the ACK number. `priorSndUna` and `priorPackets` are what tcp_ack started with.
 */
export function tcp_sacktag_write_queue(net: Net, sk: TcpSock, blocks: [number, number][], ack: number, priorSndUna: number, priorPackets: number): SacktagState {
  const st: SacktagState = { dsacking: false, dsackTlp: false, delivered: 0 };
  // TCP_NUM_SACKS: at most 4 blocks are read
  const sacks = blocks.slice(0, 4);
  const call = net.enter('tcp_sacktag_write_queue');
  try {
    const dup = net.call('tcp_check_dsack', () => tcp_check_dsack(net, sk, sacks, ack, priorSndUna, st));
    // "eliminate too old ACKs"; and with nothing in flight there is nothing to tag
    if (before(ack, (priorSndUna - (sk.maxWindow ?? 0)) >>> 0) || !priorPackets) return st;
    sacks.forEach(([start, end], i) => {
      const isDup = i === 0 && dup;
      if (!tcp_is_sackblock_valid(sk, !!isDup, start, end)) {
        // a DSACK below snd_una with no undo_marker, or too old for it; an old plain block is a
        // discard unless the ACK itself is reordered (it does not acknowledge snd_una)
        if (isDup) net.count(sk.undoMarker ? 'TcpExtTCPDSACKIgnoredOld' : 'TcpExtTCPDSACKIgnoredNoUndo');
        else if (!(ack !== sk.sndUna && !after(end, sk.sndUna))) net.count(SNMP_TcpExtTCPSACKDiscard);
        return;
      }
      // "ignore very old stuff early"
      if (!after(end, priorSndUna)) return;
      if (isDup && !after(start, sk.sndUna)) return tcp_sacktag_dsack(net, sk, start, end);
      throw new NotModelled(`a SACK block ${start}-${end} above snd_una ${sk.sndUna} on an ACK to ${sk.af.fmt('l', sk, sk.lport)}: the SACK scoreboard (tcp_sacktag_walk) is not modelled`);
    });
    return st;
  } finally {
    net.leave(call);
  }
}

/**
 * tcp_process_tlp_ack (v6.12): an ACK at or beyond tlp_high_seq settles the loss probe. A probe of
 * new data, or a DSACK of exactly the probe (the original and the probe both arrived), or a pure
 * duplicate ACK, means no loss: tlp_high_seq is cleared. An ACK beyond it means the probe repaired
 * a loss: the congestion window is reduced (TCP_CA_CWR, TCPLossProbeRecovery), not modelled.
 */
export function tcp_process_tlp_ack(sk: TcpSock, ack: number, f: { dsackTlp: boolean; advanced: boolean; notDup: boolean }): void {
  const high = sk.tlpHighSeq;
  if (!high || before(ack, high)) return;
  if (!sk.tlpRetrans || f.dsackTlp) sk.tlpHighSeq = 0;
  else if (after(ack, high)) throw new NotModelled(`an ACK beyond the loss probe's tlp_high_seq on ${sk.af.fmt('l', sk, sk.lport)}: tcp_process_tlp_ack's congestion window reduction (TCP_CA_CWR, TCPLossProbeRecovery) is not modelled`);
  else if (!f.advanced && !f.notDup) sk.tlpHighSeq = 0;
}
