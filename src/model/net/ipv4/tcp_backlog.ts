// The socket backlog of a TCP socket its owner holds (net/ipv4/tcp_ipv4.c, v6.12).
// While an application is inside a system call on the socket (tcp_sendmsg between lock_sock and
// release_sock), a segment that arrives for it in a softirq cannot be handled: tcp_v4_rcv puts it
// on sk_backlog (tcp_add_backlog), and release_sock hands the backlog to tcp_v4_do_rcv. Over a
// veth pair this is the common case: each segment's __dev_queue_xmit ends in local_bh_enable,
// which runs the peer's NET_RX at once, and the peer's ACK comes back while the writer still
// owns its socket.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { TcpSock } from './sock_types';
import { TCPHDR_ACK, TCPHDR_RST, TCPHDR_SYN, readTcp } from '../../proto/tcp';
import { wr16 } from '../../proto/addr';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_TcpExtTCPBacklogCoalesce = snmpId('TcpExtTCPBacklogCoalesce');

const FILE = 'net/ipv4/tcp_ipv4.c';
const TCPHDR_URG = 0x20;
const TCPHDR_ECE = 0x40;
const TCPHDR_CWR = 0x80;

/** a segment waiting on the backlog, with TCP_SKB_CB's fields as tcp_v4_fill_cb set them */
export interface BacklogEntry {
  skb: SkBuff;
  seq: number;
  endSeq: number;
  ack: number;
  flags: number;
  dataLen: number;
}

/** The DS field of the segment's IP header (TCP_SKB_CB->ip_dsfield): IPv4's TOS, IPv6's traffic class. */
function dsfield(skb: SkBuff): number {
  const b = skb.buf;
  const nh = skb.network_header;
  if (b[nh] >> 4 === 6) return ((b[nh] & 0x0f) << 4) | (b[nh + 1] >> 4);
  return b[nh + 1];
}

/**
 * tcp_add_backlog's test for merging a segment into the backlog's last one: it must follow it in
 * sequence, carry the same DS field, the same ECE/CWR and the same options byte for byte, neither
 * may have SYN, RST or URG, and both must have ACK. The model merges only segments without data
 * (pure ACKs, the case a writer meets); a data segment is queued on its own.
 */
function canCoalesce(tail: BacklogEntry, e: BacklogEntry): boolean {
  if (tail.endSeq !== e.seq || tail.dataLen !== 0 || e.dataLen !== 0) return false;
  if (dsfield(tail.skb) !== dsfield(e.skb)) return false;
  if ((tail.flags | e.flags) & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_URG)) return false;
  if (!(tail.flags & e.flags & TCPHDR_ACK)) return false;
  if ((tail.flags ^ e.flags) & (TCPHDR_ECE | TCPHDR_CWR)) return false;
  const a = tail.skb;
  const b = e.skb;
  const doff = b.buf[b.data + 12] >> 4;
  if (a.buf[a.data + 12] >> 4 !== doff) return false;
  for (let i = 20; i < doff * 4; i++) if (a.buf[a.data + i] !== b.buf[b.data + i]) return false;
  return true;
}

/** seq a is not before seq b (modulo 2^32) */
function notBefore(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/**
 * tcp_add_backlog (after its checksum check, which the caller made): merge the segment into the
 * backlog's last one (TCPBacklogCoalesce; the merged sk_buff is freed as consumed) or queue it.
 * The backlog limit (sk_rcvbuf * 2 + sk_sndbuf / 2 + 64 KB) is not reached by what the model sends.
 */
export function tcp_add_backlog(net: Net, sk: TcpSock, e: BacklogEntry): void {
  const q = (sk.backlog ??= []);
  const tail = q.length > 0 ? q[q.length - 1] : null;
  if (tail && canCoalesce(tail, e)) {
    tail.endSeq = e.endSeq;
    if (notBefore(e.ack, tail.ack)) {
      tail.ack = e.ack;
      // thtail->window = th->window: the later window is the one tcp_ack will read
      wr16(tail.skb.buf, tail.skb.data + 14, readTcp(e.skb.buf, e.skb.data).window);
    }
    tail.flags |= e.flags;
    net.count(SNMP_TcpExtTCPBacklogCoalesce);
    net.step(e.skb, 'L4', 'tcp_add_backlog', FILE, net.full ? `The socket is owned by the application (sock_owned_by_user), so the segment goes to its backlog, where it merges into the last one (ack ${tail.ack}) (TCPBacklogCoalesce).` : '');
    net.fate(e.skb, { kind: 'consumed', fn: 'tcp_add_backlog', detail: 'merged into the backlog' });
    return;
  }
  q.push(e);
  net.step(e.skb, 'L4', 'tcp_add_backlog', FILE, `The socket is owned by the application (sock_owned_by_user): the segment waits on its backlog for release_sock.`);
}
