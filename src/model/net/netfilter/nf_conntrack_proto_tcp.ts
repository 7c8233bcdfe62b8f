// Conntrack's TCP state machine (net/netfilter/nf_conntrack_proto_tcp.c, v6.12): the transition
// table tcp_conntracks[direction][flag set][old state] that nf_conntrack_tcp_packet looks up for
// every segment of a tracked connection, and what it does with the two pseudo-states: IGNORE
// (the segment passes with its entry, the state does not move) and INVALID (the segment loses its
// entry: -NF_ACCEPT, so rules see `ct state invalid`). The window tracking that follows the table
// (tcp_in_window) is not modelled.
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from '../../proto/tcp';

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
 * nf_conntrack_tcp_packet's move for a segment of a tracked connection: the new state; 'IGNORE'
 * (passes with its entry, nothing changes); 'INVALID' (passes without its entry); or 'REPEAT' when
 * a SYN in the original direction finds a connection in TIME_WAIT or CLOSE (the kernel kills it
 * and looks again when the connection had started to close or was reset by this side, which the
 * model assumes: it keeps no per-direction CLOSE_INIT flags). `simOpen` is the connection's
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
