import * as assert from 'assert';
import { TCPHDR_ACK, TCPHDR_RST, TCPHDR_SYN } from '../../../src/model/proto/tcp';
import {
  blankIpCtTcp,
  IP_CT_TCP_FLAG_BE_LIBERAL,
  IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED,
  IP_CT_TCP_FLAG_SACK_PERM,
  IP_CT_TCP_FLAG_WINDOW_SCALE,
  tcp_in_window,
  tcp_new,
  tcp_sack,
  type IpCtTcp,
  type TcpSeg,
} from '../../../src/model/net/netfilter/nf_conntrack_tcp_window';

const SYN = TCPHDR_SYN;
const ACK = TCPHDR_ACK;
const seg = (seq: number, ack: number, flags: number, o: Partial<TcpSeg> = {}): TcpSeg => ({ seq, ack, flags, window: 1000, options: new Uint8Array(0), dataLen: 0, ...o });
/** MSS, SACK-permitted, window scale `ws` — a Linux SYN's options without timestamps */
const synOpts = (ws: number): Uint8Array => new Uint8Array([2, 4, 5, 180, 4, 2, 1, 3, 3, ws]);
const index = (f: number): number => (f & TCPHDR_RST ? 4 : f & SYN ? (f & ACK ? 1 : 0) : f & ACK ? 3 : 5);
const win = (tcp: IpCtTcp, state: string, reply: boolean, s: TcpSeg, liberal = false): string => tcp_in_window(tcp, state, reply, index(s.flags), s, liberal).res;

/** a handshake 100 → 500 with windows of 1000 and no scaling; returns the tracking after it */
function established(): IpCtTcp {
  const tcp = blankIpCtTcp();
  const syn = seg(100, 0, SYN);
  assert.ok(tcp_new(tcp, syn, false));
  assert.strictEqual(win(tcp, 'NONE', false, syn), 'NFCT_TCP_ACCEPT');
  assert.strictEqual(win(tcp, 'SYN_SENT', true, seg(500, 101, SYN | ACK)), 'NFCT_TCP_ACCEPT');
  assert.strictEqual(win(tcp, 'SYN_RECV', false, seg(101, 501, ACK)), 'NFCT_TCP_ACCEPT');
  return tcp;
}

describe('netfilter: conntrack TCP window tracking (tcp_in_window)', () => {
  it('the handshake sets both directions: ends, right edges, maxack', () => {
    const tcp = established();
    // the client may send up to the server's ACK + window (101 + 1000), the server to 501 + 1000
    assert.deepStrictEqual([tcp.seen[0].td_end, tcp.seen[0].td_maxend, tcp.seen[0].td_maxack], [101, 1101, 501]);
    assert.deepStrictEqual([tcp.seen[1].td_end, tcp.seen[1].td_maxend, tcp.seen[1].td_maxack], [501, 1501, 101]);
  });

  it('data inside the window is accepted and left unacknowledged until the other end ACKs it', () => {
    const tcp = established();
    assert.strictEqual(win(tcp, 'ESTABLISHED', false, seg(101, 501, ACK, { dataLen: 300 })), 'NFCT_TCP_ACCEPT');
    assert.strictEqual(tcp.seen[0].td_end, 401);
    assert.ok(tcp.seen[0].flags & IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED);
    assert.strictEqual(win(tcp, 'ESTABLISHED', true, seg(501, 401, ACK)), 'NFCT_TCP_ACCEPT');
    assert.ok(!(tcp.seen[0].flags & IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED));
  });

  it('a sequence past the receiver window is INVALID; an ACK of unseen data is INVALID', () => {
    const tcp = established();
    const over = tcp_in_window(tcp, 'ESTABLISHED', true, 4, seg(900000, 0, TCPHDR_RST), false);
    assert.strictEqual(over.res, 'NFCT_TCP_INVALID');
    assert.match(over.log!, /SEQ is over upper bound 1502/);
    const ackOver = tcp_in_window(tcp, 'ESTABLISHED', false, 3, seg(101, 9999, ACK), false);
    assert.strictEqual(ackOver.res, 'NFCT_TCP_INVALID');
    assert.match(ackOver.log!, /ACK is over upper bound 502/);
  });

  it('a segment wholly before the window, or an ACK far behind, is IGNOREd', () => {
    const tcp = established();
    assert.strictEqual(win(tcp, 'ESTABLISHED', false, seg((101 - 5000) >>> 0, 501, ACK)), 'NFCT_TCP_IGNORE');
    assert.strictEqual(win(tcp, 'ESTABLISHED', false, seg(101, (501 - 70000) >>> 0, ACK)), 'NFCT_TCP_IGNORE');
  });

  it('a sequence past the right edge by less than the receiver window is IGNOREd, its end kept', () => {
    // the client's right edge is 1101
    const tcp = established();
    assert.strictEqual(win(tcp, 'ESTABLISHED', false, seg(1102, 501, ACK, { dataLen: 100 })), 'NFCT_TCP_IGNORE');
    assert.strictEqual(tcp.seen[0].td_end, 1202);
    assert.ok(tcp.seen[0].flags & IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED);
    assert.strictEqual(win(established(), 'ESTABLISHED', false, seg(1102, 501, ACK, { dataLen: 2000 })), 'NFCT_TCP_INVALID');
    // a sequence at the edge is in (only the start is checked against td_maxend)
    const t3 = established();
    assert.strictEqual(win(t3, 'ESTABLISHED', false, seg(1101, 501, ACK, { dataLen: 200 })), 'NFCT_TCP_ACCEPT');
    assert.strictEqual(t3.seen[0].td_end, 1301);
  });

  it('nf_conntrack_tcp_be_liberal and IP_CT_TCP_FLAG_BE_LIBERAL turn every refusal into ACCEPT', () => {
    const tcp = established();
    const v = tcp_in_window(tcp, 'ESTABLISHED', true, 4, seg(900000, 0, TCPHDR_RST), true);
    assert.strictEqual(v.res, 'NFCT_TCP_ACCEPT');
    assert.match(v.liberal!, /SEQ is over upper bound/);
    tcp.seen[0].flags |= IP_CT_TCP_FLAG_BE_LIBERAL;
    assert.strictEqual(win(tcp, 'ESTABLISHED', false, seg(101, 9999, ACK)), 'NFCT_TCP_ACCEPT');
  });

  it('a mid-stream pickup (loose) tracks both directions liberally; without loose it is refused', () => {
    const tcp = blankIpCtTcp();
    assert.strictEqual(tcp_new(tcp, seg(7000, 3000, ACK), false), false);
    assert.ok(tcp_new(tcp, seg(7000, 3000, ACK), true));
    assert.ok(tcp.seen[0].flags & IP_CT_TCP_FLAG_BE_LIBERAL && tcp.seen[1].flags & IP_CT_TCP_FLAG_SACK_PERM);
    assert.strictEqual(tcp.seen[0].td_maxend, 8000);
    assert.strictEqual(win(tcp, 'NONE', false, seg(7000, 3000, ACK)), 'NFCT_TCP_ACCEPT');
  });

  it('window scale counts only when both ends offered it, and never for the SYN itself', () => {
    const tcp = blankIpCtTcp();
    const syn = seg(100, 0, SYN, { options: synOpts(7) });
    tcp_new(tcp, syn, false);
    win(tcp, 'NONE', false, syn);
    assert.ok(tcp.seen[0].flags & IP_CT_TCP_FLAG_WINDOW_SCALE);
    win(tcp, 'SYN_SENT', true, seg(500, 101, SYN | ACK, { options: synOpts(2) }));
    assert.deepStrictEqual([tcp.seen[0].td_scale, tcp.seen[1].td_scale], [7, 2]);
    win(tcp, 'SYN_RECV', false, seg(101, 501, ACK, { window: 100 }));
    // the reply may send up to the client's ACK + 100 << 7
    assert.strictEqual(tcp.seen[1].td_maxend, 501 + 12800);
    const one = blankIpCtTcp();
    tcp_new(one, syn, false);
    win(one, 'NONE', false, syn);
    win(one, 'SYN_SENT', true, seg(500, 101, SYN | ACK));
    assert.deepStrictEqual([one.seen[0].td_scale, one.seen[1].td_scale], [0, 0]);
  });

  it('tcp_sack takes the highest right edge of the SACK blocks', () => {
    const o = new Uint8Array([1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 1, 0]);
    assert.strictEqual(tcp_sack(seg(0, 5, ACK, { options: o }), 5), 256);
  });

  it('the same ACK segment again counts as a retransmission', () => {
    const tcp = established();
    const s = seg(101, 501, ACK, { dataLen: 10 });
    win(tcp, 'ESTABLISHED', false, s);
    win(tcp, 'ESTABLISHED', false, s);
    win(tcp, 'ESTABLISHED', false, s);
    assert.strictEqual(tcp.retrans, 2);
    win(tcp, 'ESTABLISHED', true, seg(501, 111, ACK));
    assert.strictEqual(tcp.retrans, 0);
  });
});
