// Conntrack's TCP window tracking (net/netfilter/nf_conntrack_proto_tcp.c, v6.12): what the
// entry keeps of each direction (struct ip_ct_tcp_state: the highest sequence end, the window's
// right edge and size, the highest ACK, the window scale) and tcp_in_window, which checks every
// segment the state table accepted against them: a segment whose sequence lies beyond the
// receiver's window, or that ACKs data never seen, is INVALID (the packet loses its entry); one
// that lies wholly before the window, or ACKs too far back, is IGNOREd (passes, nothing learnt).
// Sequence numbers are 32-bit and compared modulo 2^32 (before/after, include/net/tcp.h).
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from '../../proto/tcp';

/** per-direction flags of ip_ct_tcp_state (include/uapi/linux/netfilter/nf_conntrack_tcp.h) */
export const IP_CT_TCP_FLAG_WINDOW_SCALE = 0x01;
export const IP_CT_TCP_FLAG_SACK_PERM = 0x02;
export const IP_CT_TCP_FLAG_CLOSE_INIT = 0x04;
export const IP_CT_TCP_FLAG_BE_LIBERAL = 0x08;
export const IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED = 0x10;
export const IP_CT_TCP_FLAG_MAXACK_SET = 0x20;
export const IP_CT_EXP_CHALLENGE_ACK = 0x40;
/** last_flags only (nf_conntrack_proto_tcp.c): a SYN was seen from both ends */
export const IP_CT_TCP_SIMULTANEOUS_OPEN = 0x04;
/** TCP_MAX_WSCALE (include/net/tcp.h) */
const TCP_MAX_WSCALE = 14;
/** MAXACKWINCONST: how far back an ACK may lie before it counts as overly delayed */
const MAXACKWINCONST = 66000;

export interface IpCtTcpState {
  /** highest seq + len seen */
  td_end: number;
  /** highest ack + window seen from the other end: where this side may send to */
  td_maxend: number;
  /** largest window seen */
  td_maxwin: number;
  /** highest ACK sent */
  td_maxack: number;
  td_scale: number;
  flags: number;
}

/** struct ip_ct_tcp without `state` (the entry's tcpState) */
export interface IpCtTcp {
  seen: [IpCtTcpState, IpCtTcpState];
  /** 0 original, 1 reply */
  last_dir: number;
  /** get_conntrack_index of the last segment (TCP_NONE_SET = 5) */
  last_index: number;
  last_seq: number;
  last_ack: number;
  last_end: number;
  last_win: number;
  last_wscale: number;
  last_flags: number;
  retrans: number;
}

export const blankTcpState = (): IpCtTcpState => ({ td_end: 0, td_maxend: 0, td_maxwin: 0, td_maxack: 0, td_scale: 0, flags: 0 });
export const blankIpCtTcp = (): IpCtTcp => ({ seen: [blankTcpState(), blankTcpState()], last_dir: 0, last_index: 0, last_seq: 0, last_ack: 0, last_end: 0, last_win: 0, last_wscale: 0, last_flags: 0, retrans: 0 });

/** What tcp_in_window reads of a segment: its header fields, its option bytes and its length. */
export interface TcpSeg {
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** the option bytes (doff * 4 - 20 of them) */
  options: Uint8Array;
  /** bytes after the TCP header */
  dataLen: number;
}

const u32 = (x: number): number => x >>> 0;
export const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;
export const after = (a: number, b: number): boolean => before(b, a);

/** segment_seq_plus_len: where the segment ends in sequence space (SYN and FIN count one each) */
export function segmentEnd(s: TcpSeg): number {
  return u32(s.seq + s.dataLen + (s.flags & TCPHDR_SYN ? 1 : 0) + (s.flags & TCPHDR_FIN ? 1 : 0));
}

/** tcp_options: window scale and SACK-permitted of a SYN or SYN-ACK; BE_LIBERAL survives */
export function tcp_options(s: TcpSeg, state: IpCtTcpState): void {
  const o = s.options;
  if (!o.length) return;
  state.td_scale = 0;
  state.flags &= IP_CT_TCP_FLAG_BE_LIBERAL;
  let i = 0;
  while (i < o.length) {
    const kind = o[i++];
    if (kind === 0) return;
    if (kind === 1) continue;
    if (o.length - i < 1) return;
    const size = o[i++];
    if (size < 2 || size > o.length - i + 2) return;
    if (kind === 4 && size === 2) state.flags |= IP_CT_TCP_FLAG_SACK_PERM;
    else if (kind === 3 && size === 3) {
      state.td_scale = Math.min(o[i], TCP_MAX_WSCALE);
      state.flags |= IP_CT_TCP_FLAG_WINDOW_SCALE;
    }
    i += size - 2;
  }
}

/** tcp_sack: the highest right edge of the segment's SACK blocks when it lies after `sack` */
export function tcp_sack(s: TcpSeg, sack: number): number {
  const o = s.options;
  // the fast path for a timestamp-only option (NOP NOP TS 10)
  if (o.length === 12 && o[0] === 1 && o[1] === 1 && o[2] === 8 && o[3] === 10) return sack;
  let i = 0;
  while (i < o.length) {
    const kind = o[i++];
    if (kind === 0) return sack;
    if (kind === 1) continue;
    if (o.length - i < 1) return sack;
    const size = o[i++];
    if (size < 2 || size > o.length - i + 2) return sack;
    if (kind === 5 && size >= 10 && (size - 2) % 8 === 0) {
      for (let b = 0; b < size - 2; b += 8) {
        const at = i + b + 4;
        const right = u32((o[at] << 24) | (o[at + 1] << 16) | (o[at + 2] << 8) | o[at + 3]);
        if (after(right, sack)) sack = right;
      }
      return sack;
    }
    i += size - 2;
  }
  return sack;
}

/** tcp_init_sender: the first SYN-ACK (or a reply SYN) sets that direction up from the segment */
export function tcp_init_sender(sender: IpCtTcpState, receiver: IpCtTcpState, s: TcpSeg, end: number, win: number, reply: boolean): void {
  sender.td_end = sender.td_maxend = end;
  sender.td_maxwin = win === 0 ? 1 : win;
  tcp_options(s, sender);
  // RFC 1323: scaling holds only when both ends offered it
  if (reply && !(sender.flags & IP_CT_TCP_FLAG_WINDOW_SCALE && receiver.flags & IP_CT_TCP_FLAG_WINDOW_SCALE)) {
    sender.td_scale = 0;
    receiver.td_scale = 0;
  }
}

/**
 * tcp_new's window part, for the first segment of an entry (the state table already let it
 * open one): a SYN sets the original direction from its sequence, window and options; another
 * segment (only an ACK gets here) is a connection picked up mid-stream, which needs
 * nf_conntrack_tcp_loose, and whose two directions are then tracked liberally (SACK assumed too).
 * Returns false when loose is off and the segment is no SYN.
 */
export function tcp_new(tcp: IpCtTcp, s: TcpSeg, loose: boolean): boolean {
  const syn = (s.flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) === TCPHDR_SYN;
  if (!syn && !loose) return false;
  Object.assign(tcp, blankIpCtTcp());
  const o = tcp.seen[0];
  o.td_end = segmentEnd(s);
  o.td_maxwin = s.window === 0 ? 1 : s.window;
  if (syn) {
    o.td_maxend = o.td_end;
    tcp_options(s, o);
  } else {
    o.td_maxend = u32(o.td_end + o.td_maxwin);
    tcp.seen[0].flags = tcp.seen[1].flags = IP_CT_TCP_FLAG_SACK_PERM | IP_CT_TCP_FLAG_BE_LIBERAL;
  }
  tcp.last_index = 5;
  return true;
}

export type NfCtTcpAction = 'NFCT_TCP_ACCEPT' | 'NFCT_TCP_IGNORE' | 'NFCT_TCP_INVALID';

/** tcp_in_window's answer, and nf_tcp_log_invalid's message when it was not ACCEPT */
export interface WindowVerdict {
  res: NfCtTcpAction;
  log?: string;
  /** the check failed but the sender or the netns is liberal (nf_tcp_store_invalid) */
  liberal?: string;
}

/**
 * tcp_in_window: the checks I–IV of the sequence and (S)ACK against what the entry knows of both
 * directions, then what the segment teaches it. `state` is the connection's TCP state before
 * the segment; `index` its get_conntrack_index; `beLiberal` nf_conntrack_tcp_be_liberal.
 */
export function tcp_in_window(tcp: IpCtTcp, state: string, reply: boolean, index: number, s: TcpSeg, beLiberal: boolean): WindowVerdict {
  const dir = reply ? 1 : 0;
  const sender = tcp.seen[dir];
  const receiver = tcp.seen[1 - dir];
  const syn = (s.flags & TCPHDR_SYN) !== 0;
  const hasAck = (s.flags & TCPHDR_ACK) !== 0;
  const rst = (s.flags & TCPHDR_RST) !== 0;
  let seq = s.seq;
  let ack = s.ack;
  let sack = ack;
  let win = s.window;
  let end = segmentEnd(s);
  if (receiver.flags & IP_CT_TCP_FLAG_SACK_PERM) sack = tcp_sack(s, sack);
  // (nf_ct_seq_offset: no sequence adjustment is modelled, so the offset is 0)

  const store = (res: NfCtTcpAction, log: string): WindowVerdict => {
    if (sender.flags & IP_CT_TCP_FLAG_BE_LIBERAL || beLiberal) return { res: 'NFCT_TCP_ACCEPT', liberal: log };
    return { res, log };
  };

  if (sender.td_maxwin === 0) {
    if (syn) {
      tcp_init_sender(sender, receiver, s, end, win, reply);
      if (!hasAck) return { res: 'NFCT_TCP_ACCEPT' }; // simultaneous open
    } else {
      // the first segment of this direction, in the middle of a connection
      sender.td_end = end;
      const swin = u32(win * 2 ** sender.td_scale);
      sender.td_maxwin = swin === 0 ? 1 : swin;
      sender.td_maxend = u32(end + sender.td_maxwin);
      if (receiver.td_maxwin === 0) receiver.td_end = receiver.td_maxend = sack;
      else if (sack === u32(receiver.td_end + 1)) receiver.td_end = u32(receiver.td_end + 1); // a keepalive's answer
    }
  } else if (syn && after(end, sender.td_end) && (state === 'SYN_SENT' || state === 'SYN_RECV')) {
    // a SYN or SYN-ACK with a higher sequence re-initialises its direction (RFC 793)
    tcp_init_sender(sender, receiver, s, end, win, reply);
    if (reply && !hasAck) return { res: 'NFCT_TCP_ACCEPT' };
  }

  if (!hasAck) ack = sack = receiver.td_end;
  else if ((s.flags & (TCPHDR_ACK | TCPHDR_RST)) === (TCPHDR_ACK | TCPHDR_RST) && ack === 0) ack = sack = receiver.td_end;

  // a RST with sequence 0 answering a SYN
  if (rst && seq === 0 && state === 'SYN_SENT') seq = end = sender.td_end;

  const maxAckWindow = sender.td_maxwin > MAXACKWINCONST ? sender.td_maxwin : MAXACKWINCONST;
  if (!before(seq, u32(sender.td_maxend + 1))) {
    const overshot = u32(end - sender.td_maxend + 1);
    const ackOk = after(sack, u32(receiver.td_end - maxAckWindow - 1));
    const inRecvWin = receiver.td_maxwin !== 0 && after(end, u32(sender.td_end - receiver.td_maxwin - 1));
    if (inRecvWin && ackOk && overshot <= receiver.td_maxwin && before(sack, u32(receiver.td_end + 1))) {
      // a sender that overran the window: remember its end, so that the ACK of it is not over
      sender.td_end = end;
      sender.flags |= IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
      return store('NFCT_TCP_IGNORE', `${overshot} bytes more than expected`);
    }
    return store('NFCT_TCP_INVALID', `SEQ is over upper bound ${u32(sender.td_maxend + 1)} (over the window of the receiver)`);
  }
  if (!before(sack, u32(receiver.td_end + 1))) return store('NFCT_TCP_INVALID', `ACK is over upper bound ${u32(receiver.td_end + 1)} (ACKed data not seen yet)`);
  const inRecvWin = receiver.td_maxwin === 0 || after(end, u32(sender.td_end - receiver.td_maxwin - 1));
  if (!inRecvWin) return store('NFCT_TCP_IGNORE', `SEQ is under lower bound ${u32(sender.td_end - receiver.td_maxwin - 1)} (already ACKed data retransmitted)`);
  if (!after(sack, u32(receiver.td_end - maxAckWindow - 1))) return store('NFCT_TCP_IGNORE', `ignored ACK under lower bound ${u32(receiver.td_end - maxAckWindow - 1)} (possible overly delayed)`);

  // RFC 1323: a SYN's window is never scaled
  if (!syn) win = u32(win * 2 ** sender.td_scale);
  const swin = u32(win + (sack - ack));
  if (sender.td_maxwin < swin) sender.td_maxwin = swin;
  if (after(end, sender.td_end)) {
    sender.td_end = end;
    sender.flags |= IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
  }
  if (hasAck) {
    if (!(sender.flags & IP_CT_TCP_FLAG_MAXACK_SET)) {
      sender.td_maxack = ack;
      sender.flags |= IP_CT_TCP_FLAG_MAXACK_SET;
    } else if (after(ack, sender.td_maxack)) sender.td_maxack = ack;
  }
  if (receiver.td_maxwin !== 0 && after(end, sender.td_maxend)) receiver.td_maxwin = u32(receiver.td_maxwin + (end - sender.td_maxend));
  if (after(u32(sack + win), u32(receiver.td_maxend - 1))) {
    receiver.td_maxend = u32(sack + win);
    if (win === 0) receiver.td_maxend = u32(receiver.td_maxend + 1);
  }
  if (ack === receiver.td_end) receiver.flags &= ~IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;

  // the same ACK segment again from the same side: a retransmission
  if (index === 3) {
    if (tcp.last_dir === dir && tcp.last_seq === seq && tcp.last_ack === ack && tcp.last_end === end && tcp.last_win === s.window) tcp.retrans = (tcp.retrans + 1) & 255;
    else {
      tcp.last_dir = dir;
      tcp.last_seq = seq;
      tcp.last_ack = ack;
      tcp.last_end = end;
      tcp.last_win = s.window;
      tcp.retrans = 0;
    }
  }
  return { res: 'NFCT_TCP_ACCEPT' };
}
