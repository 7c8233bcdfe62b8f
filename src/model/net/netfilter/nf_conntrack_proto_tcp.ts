// Conntrack's TCP state machine (net/netfilter/nf_conntrack_proto_tcp.c, v6.12): the transition
// table tcp_conntracks[direction][flag set][old state] that nf_conntrack_tcp_packet looks up for
// every segment of a tracked connection, and what it does with the two pseudo-states: IGNORE
// (the segment passes with its entry, the state does not move) and INVALID (the segment loses its
// entry: -NF_ACCEPT, so rules see `ct state invalid`); then the window tracking
// (nf_conntrack_tcp_window.ts) and the timeout the accepted segment gives the entry.
import type { Net } from '../net_namespace';
import type { NfConn } from './nf_conntrack';
import { IPS_ASSURED } from './nf_conntrack';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from '../../proto/tcp';
import { HZ, jiffiesAt } from './nf_tables';
import { nf_ct_expires, tcpTimeoutOf } from './nf_conntrack_timeout';
import { before, blankIpCtTcp, IP_CT_EXP_CHALLENGE_ACK, IP_CT_TCP_FLAG_BE_LIBERAL, IP_CT_TCP_FLAG_CLOSE_INIT, IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED, IP_CT_TCP_FLAG_MAXACK_SET, IP_CT_TCP_FLAG_SACK_PERM, IP_CT_TCP_FLAG_WINDOW_SCALE, IP_CT_TCP_SIMULTANEOUS_OPEN, segmentEnd, tcp_in_window, tcp_new, tcp_options, blankTcpState, type IpCtTcpState, type TcpSeg } from './nf_conntrack_tcp_window';

/** TCP_CONNTRACK_* without the prefix, in the kernel's order (the table's columns) */
const STATES = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'] as const;

const SHORT: Record<string, string> = { NO: 'NONE', SS: 'SYN_SENT', SR: 'SYN_RECV', ES: 'ESTABLISHED', FW: 'FIN_WAIT', CW: 'CLOSE_WAIT', LA: 'LAST_ACK', TW: 'TIME_WAIT', CL: 'CLOSE', S2: 'SYN_SENT2', IV: 'INVALID', IG: 'IGNORE' };

/** rows: the flag sets of get_conntrack_index (syn, synack, fin, ack, rst, none); columns: STATES */
const row = (r: string): string[] => r.split(' ').map((c) => SHORT[c]);
const TABLE: readonly (readonly string[][])[] = [
  // IP_CT_DIR_ORIGINAL
  [
    row('SS SS IG IG IG IG IG SS SS S2'),
    row('IV IV SR IV IV IV IV IV IV SR'),
    row('IV IV FW FW LA LA LA TW CL IV'),
    row('ES IV ES ES CW CW TW TW CL IV'),
    row('IV CL CL CL CL CL CL CL CL CL'),
    row('IV IV IV IV IV IV IV IV IV IV'),
  ],
  // IP_CT_DIR_REPLY
  [
    row('IV S2 IV IV IV IV IV SS IV S2'),
    row('IV SR IG IG IG IG IG IG IG SR'),
    row('IV IV FW FW LA LA LA TW CL IV'),
    row('IV IG SR ES CW CW TW TW CL IG'),
    row('IV CL CL CL CL CL CL CL CL CL'),
    row('IV IV IV IV IV IV IV IV IV IV'),
  ],
];

/** get_conntrack_index: which row a segment's flags select */
export function tcpFlagSet(flags: number): number {
  if (flags & TCPHDR_RST) return 4;
  if (flags & TCPHDR_SYN) return flags & TCPHDR_ACK ? 1 : 0;
  if (flags & TCPHDR_FIN) return 2;
  if (flags & TCPHDR_ACK) return 3;
  return 5;
}

/** a segment of each flag set, as a sentence names it */
export const TCP_FLAG_SET_SEGMENTS = ['a SYN segment', 'a SYN-ACK segment', 'a FIN segment', 'an ACK segment', 'an RST segment', 'a segment with none of SYN, FIN, ACK and RST'] as const;

/** tcp_new: the state a first segment opens (from NONE, original direction), or null when it cannot */
export function tcpNewState(flags: number): string | null {
  const s = TABLE[0][tcpFlagSet(flags)][0];
  return s === 'INVALID' || s === 'IGNORE' ? null : s;
}

/**
 * The state table's move for a segment (tcp_conntracks with its two adjustments): the new state;
 * 'IGNORE'; 'INVALID'; or 'REPEAT' when a SYN in the original direction finds a connection in
 * TIME_WAIT or CLOSE (a candidate for reopening: nf_conntrack_tcp_packet reopens only when the
 * connection had started to close or this side had reset it). `simOpen` is the connection's
 * IP_CT_TCP_SIMULTANEOUS_OPEN: with it, the reply's ACK in SYN_RECV completes the handshake.
 */
export function tcpNextState(cur: string, flags: number, reply: boolean, simOpen = false): string {
  const old = STATES.indexOf(cur as (typeof STATES)[number]);
  const set = tcpFlagSet(flags);
  const next = TABLE[reply ? 1 : 0][set][old < 0 ? 3 : old];
  if (next === 'SYN_SENT' && old >= STATES.indexOf('TIME_WAIT') && old !== STATES.indexOf('SYN_SENT2')) return 'REPEAT';
  if (next === 'SYN_RECV' && reply && set === 3 && simOpen) return 'ESTABLISHED';
  return next;
}

/** the table's cell for a segment of flag set `index` in `dir` from state `cur` */
function tcpConntracks(cur: string, index: number, reply: boolean): string {
  const old = STATES.indexOf(cur as (typeof STATES)[number]);
  return TABLE[reply ? 1 : 0][index][old < 0 ? 3 : old];
}

const SYN_SET = 0;
const SYNACK_SET = 1;
const FIN_SET = 2;
const ACK_SET = 3;
const RST_SET = 4;

/** What nf_conntrack_tcp_packet decided for a segment of a tracked connection. */
export interface TcpPacketVerdict {
  /**
   * accept: the segment keeps its entry, which it refreshes with `timeout` (unless `noRefresh`);
   * ignore: it keeps its entry but changes nothing (NF_ACCEPT before the refresh); invalid: it
   * loses its entry (-NF_ACCEPT); repeat: the entry is killed and the lookup repeated (-NF_REPEAT)
   */
  verdict: 'accept' | 'ignore' | 'invalid' | 'repeat';
  /** the sentence's reason (what the tracker logged) for ignore/invalid, or a remark for accept */
  why: string;
  timeout: number;
  /** a SYN again in SYN_SENT while no reply was seen: no refresh, no accounting */
  noRefresh?: boolean;
  /** a RST while no reply was seen: nf_ct_kill_acct */
  kill?: boolean;
}

/** the per-netns switches of the tracker (net.netfilter.nf_conntrack_tcp_*) */
const sysctl = (net: Net, name: string): number => net.get(`net.netfilter.nf_conntrack_tcp_${name}`);

/** nf_ct_tcp_state_reset: forget a direction, keeping BE_LIBERAL */
function stateReset(s: IpCtTcpState): void {
  const liberal = s.flags & IP_CT_TCP_FLAG_BE_LIBERAL;
  Object.assign(s, blankTcpState());
  s.flags = liberal;
}

/** nf_conntrack_tcp_established */
const established = (ct: NfConn): boolean => ct.tcpState === 'ESTABLISHED' && (ct.status & IPS_ASSURED) !== 0;

/**
 * nf_tcp_handle_invalid: an out-of-window FIN or RST of an assured entry, when the other side's
 * last in-window segment was a FIN or RST too, shortens the entry's time to the unacknowledged
 * span (the hosts and the entry disagree: let it go sooner). Returns whether it did.
 */
function nf_tcp_handle_invalid(net: Net, ct: NfConn, dir: number, index: number): boolean {
  const tcp = ct.tcp!;
  if (!(ct.status & IPS_ASSURED) || (index !== RST_SET && index !== FIN_SET)) return false;
  if (tcp.last_dir !== dir && (tcp.last_index === FIN_SET || tcp.last_index === RST_SET)) {
    const expires = nf_ct_expires(net, ct);
    if (expires < 120 * HZ) return false;
    const timeout = tcpTimeoutOf(net, 'UNACK');
    if (expires > timeout) {
      ct.timeout = jiffiesAt(net.w.sched.now) + timeout;
      return true;
    }
  } else {
    tcp.last_index = index;
    tcp.last_dir = dir;
  }
  return false;
}

/**
 * nf_conntrack_tcp_packet (v6.12): the state table's move for the segment, its special cases
 * (a SYN reopening a closed connection, the ignored segments and the SYN-ACK that resynchronises
 * them, simultaneous open, RFC 5961 challenge ACKs, the RST checks against td_maxack), then
 * tcp_in_window, then the timeout. `isNew`: the entry was just made for this segment (tcp_new
 * runs first; `false` from it is "invalid new"). `seenReply` is IPS_SEEN_REPLY before this segment.
 */
export function nf_conntrack_tcp_packet(net: Net, ct: NfConn, seg: TcpSeg, reply: boolean, isNew: boolean): TcpPacketVerdict {
  const dir = reply ? 1 : 0;
  if (isNew) {
    ct.tcp = blankIpCtTcp();
    ct.tcpState = 'NONE';
    if (tcpConntracks('NONE', tcpFlagSet(seg.flags), false) === 'INVALID') return { verdict: 'invalid', why: 'tcp_new: invalid new', timeout: 0 };
    if (!tcp_new(ct.tcp, seg, sysctl(net, 'loose') !== 0)) return { verdict: 'invalid', why: 'tcp_new: a segment other than a SYN cannot pick up a connection while nf_conntrack_tcp_loose is 0', timeout: 0 };
  }
  const tcp = (ct.tcp ??= blankIpCtTcp());
  let oldState = ct.tcpState ?? 'ESTABLISHED';
  const index = tcpFlagSet(seg.flags);
  let newState = tcpConntracks(oldState, index, reply);
  const seg_ = TCP_FLAG_SET_SEGMENTS[index];
  const where = `${seg_} in the ${reply ? 'reply' : 'original'} direction of connection #${ct.id} in TCP state ${oldState}`;
  let skipWindow = false;
  const ignore = (): TcpPacketVerdict => {
    tcp.last_index = index;
    tcp.last_dir = dir;
    tcp.last_seq = seg.seq;
    tcp.last_end = segmentEnd(seg);
    tcp.last_win = seg.window;
    // a) a SYN in the original direction: its options are noted, for the SYN-ACK that may follow
    if (index === SYN_SET && !reply) {
      const seen = blankTcpState();
      tcp.last_flags = tcp.last_wscale = 0;
      tcp_options(seg, seen);
      if (seen.flags & IP_CT_TCP_FLAG_WINDOW_SCALE) {
        tcp.last_flags |= IP_CT_TCP_FLAG_WINDOW_SCALE;
        tcp.last_wscale = seen.td_scale;
      }
      if (seen.flags & IP_CT_TCP_FLAG_SACK_PERM) tcp.last_flags |= IP_CT_TCP_FLAG_SACK_PERM;
      // an RFC 5961 challenge ACK may answer it, which in LAST_ACK must not count as the last ACK
      if (oldState === 'LAST_ACK') tcp.last_flags |= IP_CT_EXP_CHALLENGE_ACK;
    }
    if (oldState === 'SYN_SENT' && index === ACK_SET && reply) tcp.last_ack = seg.ack;
    return { verdict: 'ignore', why: `${where} is ignored by the state table (the entry may be out of step with the hosts): it passes with the entry, whose state does not move`, timeout: 0 };
  };

  switch (newState) {
    case 'SYN_SENT':
    case 'IGNORE': {
      if (newState === 'SYN_SENT' && STATES.indexOf(oldState as (typeof STATES)[number]) >= STATES.indexOf('TIME_WAIT')) {
        // a new SYN for a closed connection: reopen only when it was closed (CLOSE_INIT) or this
        // side reset it; otherwise the SYN is ignored like one in an open connection
        if ((tcp.seen[0].flags | tcp.seen[1].flags) & IP_CT_TCP_FLAG_CLOSE_INIT || (tcp.last_dir === dir && tcp.last_index === RST_SET)) {
          return { verdict: 'repeat', why: `a new SYN for connection #${ct.id}, which is closed (${oldState})`, timeout: 0 };
        }
      } else if (newState === 'SYN_SENT') break;
      // b) a SYN-ACK acknowledging a SYN the table ignored: the hosts are in step and the entry
      // is not; it takes the ignored SYN's values and restarts the handshake
      if (index === SYNACK_SET && tcp.last_index === SYN_SET && tcp.last_dir !== dir && seg.ack === tcp.last_end) {
        oldState = 'SYN_SENT';
        newState = 'SYN_RECV';
        const s = tcp.seen[tcp.last_dir];
        s.td_end = s.td_maxend = tcp.last_end;
        s.td_maxwin = tcp.last_win === 0 ? 1 : tcp.last_win;
        s.td_scale = tcp.last_wscale;
        tcp.last_flags &= ~IP_CT_EXP_CHALLENGE_ACK;
        s.flags = tcp.last_flags;
        stateReset(tcp.seen[dir]);
        break;
      }
      return ignore();
    }
    case 'INVALID':
      return { verdict: 'invalid', why: `${where} is invalid for the state table (tcp_conntracks)`, timeout: 0 };
    case 'TIME_WAIT':
      if (oldState === 'LAST_ACK' && index === ACK_SET && tcp.last_dir !== dir && tcp.last_index === SYN_SET && tcp.last_flags & IP_CT_EXP_CHALLENGE_ACK) {
        tcp.last_flags &= ~IP_CT_EXP_CHALLENGE_ACK;
        return { verdict: 'ignore', why: `${where} answers a SYN the table ignored: an RFC 5961 challenge ACK, not the ACK of the last FIN ("challenge-ack ignored"); the state does not move`, timeout: 0 };
      }
      break;
    case 'SYN_SENT2':
      tcp.last_flags |= IP_CT_TCP_SIMULTANEOUS_OPEN;
      break;
    case 'SYN_RECV':
      if (reply && index === ACK_SET && tcp.last_flags & IP_CT_TCP_SIMULTANEOUS_OPEN) newState = 'ESTABLISHED';
      break;
    case 'CLOSE': {
      if (index !== RST_SET) break;
      // a closing entry's window data may be stale (the tuple reused): no checks
      if (['FIN_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT'].includes(oldState)) {
        skipWindow = true;
        break;
      }
      const other = tcp.seen[1 - dir];
      if (other.flags & IP_CT_TCP_FLAG_MAXACK_SET && tcp.last_index !== SYN_SET) {
        const seq = seg.seq;
        // seq 0 before the connection is established: the answer to a SYN let through above
        if (seq === 0 && !established(ct)) break;
        if (before(seq, other.td_maxack) && !sysctl(net, 'ignore_invalid_rst')) {
          return { verdict: 'invalid', why: `${where}: its sequence ${seq} lies before the highest ACK ${other.td_maxack} the other end sent (td_maxack): "invalid rst"`, timeout: 0 };
        }
        if (!established(ct) || seq === other.td_maxack) break;
        // a RST right after this side's last data (a train: data, then RST at its end)
        if (tcp.last_index === ACK_SET && tcp.last_dir === dir && seq === tcp.last_end) break;
        // not exactly at td_maxack: keep the state, so that a challenge ACK may follow
        newState = oldState;
      }
      const seenReply = ct.seenReply;
      if (((seenReply && tcp.last_index === SYN_SET && tcp.last_dir !== dir) || (!(ct.status & IPS_ASSURED) && tcp.last_index === ACK_SET)) && seg.ack === tcp.last_end) {
        // the answer to a SYN or ACK let through above (a, c): the entry goes, unchecked
        skipWindow = true;
        break;
      }
      if (oldState === 'SYN_SENT' && tcp.last_index === ACK_SET && tcp.last_dir === 1 && seg.seq === tcp.last_ack) skipWindow = true;
      break;
    }
  }

  let remark = '';
  if (!skipWindow) {
    const w = tcp_in_window(tcp, oldState, reply, index, seg, sysctl(net, 'be_liberal') !== 0);
    if (w.res === 'NFCT_TCP_IGNORE') return { verdict: 'ignore', why: `${where} fails tcp_in_window (${w.log}): NFCT_TCP_IGNORE, so it passes with the entry, which neither moves nor is refreshed`, timeout: 0 };
    if (w.res === 'NFCT_TCP_INVALID') {
      const lowered = nf_tcp_handle_invalid(net, ct, dir, index);
      return { verdict: 'invalid', why: `${where} fails tcp_in_window (${w.log}): NFCT_TCP_INVALID${lowered ? '; the entry is assured and both ends sent a FIN or RST the window refused, so its timeout is lowered to the unacknowledged span ("lowered timeout to UNACK")' : ''}`, timeout: 0 };
    }
    if (w.liberal) remark = `tcp_in_window finds "${w.liberal}", but ${tcp.seen[dir].flags & IP_CT_TCP_FLAG_BE_LIBERAL ? 'the entry tracks this direction liberally (IP_CT_TCP_FLAG_BE_LIBERAL)' : 'nf_conntrack_tcp_be_liberal is 1'}, so it is accepted`;
  }
  // in window from here on
  tcp.last_index = index;
  tcp.last_dir = dir;
  ct.tcpState = newState;
  if (oldState !== newState && newState === 'FIN_WAIT') tcp.seen[dir].flags |= IP_CT_TCP_FLAG_CLOSE_INIT;

  const span = (st: string): number => tcpTimeoutOf(net, st);
  let timeout: number;
  if (tcp.retrans >= sysctl(net, 'max_retrans') && span(newState) > span('RETRANS')) timeout = span('RETRANS');
  else if (index === RST_SET && newState === 'ESTABLISHED' && span(newState) > span('UNACK')) timeout = span('UNACK');
  else if ((tcp.seen[0].flags | tcp.seen[1].flags) & IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED && span(newState) > span('UNACK')) timeout = span('UNACK');
  else if (tcp.last_win === 0 && span(newState) > span('RETRANS')) timeout = span('RETRANS');
  else timeout = span(newState);

  if (!ct.seenReply) {
    if (seg.flags & TCPHDR_RST) return { verdict: 'accept', why: remark, timeout, kill: true };
    if (index === SYN_SET && oldState === 'SYN_SENT') return { verdict: 'accept', why: remark, timeout, noRefresh: true };
    // ESTABLISHED without a reply: a connection picked up mid-stream
    if (newState === 'ESTABLISHED' && timeout > span('UNACK')) timeout = span('UNACK');
  } else if (!(ct.status & IPS_ASSURED) && (oldState === 'SYN_RECV' || oldState === 'ESTABLISHED') && newState === 'ESTABLISHED') {
    ct.status |= IPS_ASSURED;
  }
  return { verdict: 'accept', why: remark, timeout };
}
