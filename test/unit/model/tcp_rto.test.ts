// The retransmission timeout for data (v6.12 tcp_retransmit_timer, tcp_write_timeout,
// tcp_enter_loss, tcp_retransmit_skb) and how the Loss state ends (tcp_process_loss,
// tcp_try_undo_loss, tcp_try_undo_recovery), with the DSACK that may undo it.
import * as assert from 'assert';
import { direct, segments, type Seg } from './tcp_wire';
import type { Trace } from '../../../src/trace/contract';
import { retransmits_timed_out, tcp_model_timeout } from '../../../src/model/net/ipv4/tcp_recovery';
import type { TcpSock } from '../../../src/model/net/ipv4/sock_types';

const table = ['nft add table ip t', "nft add chain ip t in '{ type filter hook input priority 0; policy accept; }'"];
/** the server's input chain drops data: every segment over `len` bytes of IP, or the Nth packets of the connection */
const dropData = (...rules: string[]): string[] => [...table, ...rules.map((r) => `nft add rule ip t in ${r} drop`)];

/** the TCP data segments `host`'s driver sent, in order */
const dataSegments = (t: Trace, host: string): Seg[] => segments(t, host).filter((s) => s.data > 0);

describe('TCP: the retransmission timeout for data', () => {
  it('tcp_model_timeout and retransmits_timed_out: tcp_retries2 counted from the first retransmission, in ms', () => {
    assert.strictEqual(tcp_model_timeout(3, 200e6), 3e9);
    // the default tcp_retries2 = 15: 1023 · 200 ms, then 6 × TCP_RTO_MAX
    assert.strictEqual(tcp_model_timeout(15, 200e6), 924.6e9);
    const sk = { retransmits: 0, dataRetransStamp: 400e6 } as TcpSock;
    assert.strictEqual(retransmits_timed_out(sk, 10e9, 3), false, 'no expiry yet: never timed out');
    sk.retransmits = 4;
    assert.strictEqual(retransmits_timed_out(sk, 3.3999e9, 3), false);
    assert.strictEqual(retransmits_timed_out(sk, 3.4e9, 3), true);
  });

  it('data never acknowledged: probe, then RTOs doubling from 200 ms, until tcp_retries2 ends the connection with ETIMEDOUT', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 100', ['sysctl -w net.ipv4.tcp_retries2=3'], dropData('ip length 152'));
    const data = dataSegments(t, 'client');
    const t0 = data[0].time;
    assert.deepStrictEqual(data.map((d) => (d.time - t0) / 1e6), [0, 200, 400, 800, 1600, 3200]);
    assert.ok(data.every((d) => d.seq === data[0].seq && d.data === 100 && d.flags === 0x18));
    const c = t.counters.client;
    // five expiries: four retransmit, the fifth (6 s after the first retransmission ≥ 3 s) gives up
    assert.deepStrictEqual([c.TcpExtTCPTimeouts, c.TcpExtTcpTimeoutRehash, c.TcpRetransSegs, c.TcpExtTCPLossProbes], [5, 4, 5, 1]);
    // the probe is no TCPCB_SACKED_RETRANS: only the RTO retransmissions are lost again
    assert.strictEqual(c.TcpExtTCPLostRetransmit, 3);
    assert.deepStrictEqual([c.TcpExtTCPAbortOnTimeout, c.TcpEstabResets], [1, 1]);
    const end = t.events.find((e) => e.fn === 'tcp_write_timeout' && e.host === 'client');
    assert.strictEqual(end?.time, t0 + 6400e6);
    assert.match(t.events.find((e) => e.fn === 'tcp_done' && e.host === 'client')!.what, /ends with ETIMEDOUT/);
    assert.strictEqual(c.TcpExtTCPLossUndo, undefined);
  });

  it('with the default tcp_retries2 the expiry past 10 s is refused, naming the connection', () => {
    assert.throws(() => direct('tcp connect to 10.0.1.2:8080 data 100', [], dropData('ip length 152')), /not modelled: RTO expiry 6 of 10\.0\.1\.1:\d+ \(no ACK from 10\.0\.1\.2:8080\), 12\.4 s after its first retransmission/);
  });

  it('data and probe lost, the RTO retransmission arrives: no undo, the Loss state ends (tcp_try_undo_recovery)', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 100', [], dropData('ip length 152 ct original packets 3', 'ip length 152 ct original packets 4'));
    assert.deepStrictEqual(t.sockets.find((s) => s.host === 'server' && s.proto === 'tcp')!.received.map((r) => r.bytes), [100]);
    const c = t.counters.client;
    assert.deepStrictEqual([c.TcpExtTCPTimeouts, c.TcpRetransSegs, c.TcpExtTCPLossProbes, c.TcpExtTCPDelivered], [1, 2, 1, 2]);
    assert.deepStrictEqual([c.TcpExtTCPLossUndo, c.TcpExtTCPSpuriousRTOs, c.TcpExtTCPLostRetransmit, c.TcpExtTCPLossProbeRecovery], [undefined, undefined, undefined, undefined]);
    assert.match(t.events.find((e) => e.fn === 'tcp_process_loss')!.what, /no undo\), the state is Open again/);
    // acknowledged: no further expiry
    assert.strictEqual(dataSegments(t, 'client').length, 3);
  });

  it('the ACK and the DSACK answer to the probe lost: the RTO\'s DSACK does not undo it (the probe counts in undo_retrans)', () => {
    const acks = [...table, 'nft add rule ip t in tcp flags == ack ct reply packets 2 drop', 'nft add rule ip t in tcp flags == ack ct reply packets 3 drop'];
    const t = direct('tcp connect to 10.0.1.2:8080 data 100', acks);
    const c = t.counters.client;
    assert.deepStrictEqual([c.TcpExtTCPTimeouts, c.TcpRetransSegs, c.TcpExtTCPDSACKRecv, c.TcpExtTCPDSACKRecvSegs], [1, 2, 1, 1]);
    // tcp_init_undo: undo_retrans 1 for the probe in flight, 2 with the RTO's; the one DSACK leaves 1
    assert.strictEqual(c.TcpExtTCPLossUndo, undefined);
    assert.match(t.events.find((e) => e.fn === 'tcp_process_loss')!.what, /no undo\), the state is Open again/);
    // the block is valid against undo_marker, so walked (tcp_shift_skb_data falls back), not ignored
    assert.strictEqual(c.TcpExtTCPSackShiftFallback, 1);
    assert.deepStrictEqual([c.TcpExtTCPDSACKIgnoredNoUndo, c.TcpExtTCPDSACKIgnoredOld], [undefined, undefined]);
    assert.deepStrictEqual([t.counters.server.TcpExtDelayedACKLost, t.counters.server.TcpExtTCPDSACKOldSent], [2, 2]);
  });

  it('without SACK: no probe, the RTO 200 ms after the data; Reno holds the Loss state at high_seq', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 100', [...table, 'nft add rule ip t in tcp flags == ack ct reply packets 2 drop'], ['sysctl -w net.ipv4.tcp_sack=0']);
    const data = dataSegments(t, 'client');
    assert.deepStrictEqual(data.map((d) => (d.time - data[0].time) / 1e6), [0, 200]);
    const c = t.counters.client;
    assert.deepStrictEqual([c.TcpExtTCPLossProbes, c.TcpExtTCPTimeouts, c.TcpRetransSegs, c.TcpExtTCPLossUndo], [undefined, 1, 1, undefined]);
    assert.match(t.events.find((e) => e.fn === 'tcp_process_loss')!.what, /without SACK the Loss state holds/);
    assert.strictEqual(t.counters.server.TcpExtDelayedACKLost, 1);
  });

  it('a GSO write lost: the probe is its last MSS, the RTO its first MSS without PSH (tcp_fragment)', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 3000', ['sysctl -w net.ipv4.tcp_retries2=1'], dropData('ip length > 100'));
    const data = dataSegments(t, 'client');
    const seq0 = data[0].seq;
    assert.deepStrictEqual(data.map((d) => [(d.seq - seq0) >>> 0, d.data, d.flags]), [
      [0, 3000, 0x18],
      [2 * 1448, 104, 0x18],
      [0, 1448, 0x10],
      [0, 1448, 0x10],
    ]);
    const c = t.counters.client;
    // tcp_retries2 = 1: tcp_model_timeout 600 ms; the third expiry, 1.2 s after the first retransmission, gives up
    assert.deepStrictEqual([c.TcpExtTCPTimeouts, c.TcpRetransSegs, c.TcpExtTCPLostRetransmit, c.TcpExtTCPAbortOnTimeout], [3, 3, 1, 1]);
  });
});
