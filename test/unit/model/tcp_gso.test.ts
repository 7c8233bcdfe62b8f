// TCP segmentation offload (Linux v6.12: tcp_sendmsg's size_goal, tcp_write_xmit, GSO sk_buffs,
// ip_finish_output_gso, ip_forward's skb_gso_validate_network_len, e1000's hardware TSO), the
// receive window after a GSO receipt (tcp_window.ts), and send results of the transport layer
// (udp_send_skb's -EPERM, a listener without a route for its SYN-ACK).
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { tcp_event_data_recv, tcp_init_buffer_space, tcp_select_window_bytes, TCP_SKB_HEAD_TRUESIZE } from '../../../src/model/net/ipv4/tcp_window';

const lines = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');

/** client 10.0.1.1 — server 10.0.1.2 on one link (veth, or `nic`), a TCP listener on 8080. */
function direct(traffic: string, o: { nic?: boolean; client?: string[]; server?: string[] } = {}): Trace {
  const text =
    `name: t\nhosts:\n  client: |\n${lines([...(o.client ?? []), 'ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up'])}` +
    `  server: |\n${lines([...(o.server ?? []), 'ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up'])}links:\n  - client:eth0 server:eth0${o.nic ? ' nic' : ''}\n` +
    `listen:\n  - server: tcp 8080\n  - server: udp 53\ntraffic:\n  - from: client\n    send: ${traffic}\n`;
  return runScenarioText(text, 't.yaml');
}

/** client — router (eth1 MTU 1000) — server; `serverMtu` on the server's link end. */
function routed(client: string[], serverMtu: number): Trace {
  const text =
    `name: t\nhosts:\n  client: |\n${lines([...client, 'ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up', 'ip route add default via 10.0.1.2'])}` +
    `  router: |\n${lines(['sysctl -w net.ipv4.ip_forward=1', 'ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up', 'ip addr add 10.0.2.1/24 dev eth1', 'ip link set eth1 mtu 1000', 'ip link set eth1 up'])}` +
    `  server: |\n${lines(['ip addr add 10.0.2.2/24 dev eth0', `ip link set eth0 mtu ${serverMtu}`, 'ip link set eth0 up', 'ip route add default via 10.0.2.1'])}` +
    `links:\n  - client:eth0 router:eth0\n  - router:eth1 server:eth0\nlisten:\n  - server: tcp 8080\ntraffic:\n  - from: client\n    send: tcp connect to 10.0.2.2:8080 data 3000\n`;
  return runScenarioText(text, 't.yaml');
}

/** The frames host handed its driver (what its taps see), as tot_len of TCP data frames. */
const dataFrames = (t: Trace, host: string): number[] =>
  t.events.filter((e) => e.fn === 'dev_hard_start_xmit' && e.host === host && e.skb && /TCP \[P?\.\] .*, length [1-9]\d*, ttl/.test(t.packets.find((p) => p.id === e.packet)?.summary ?? '')).map((e) => e.skb!.len - 14);

describe('TCP GSO / TSO', () => {
  it('a 3000-byte write on a veth is one GSO sk_buff: one 3052-byte frame, 3 segments counted, one receipt and one ACK', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 3000');
    assert.deepStrictEqual(dataFrames(t, 'client'), [3052]);
    assert.strictEqual(t.counters.client.TcpExtTCPOrigDataSent, 3);
    // SYN, handshake ACK, and the 3 segments of the GSO sk_buff
    assert.strictEqual(t.counters.client.TcpOutSegs, 5);
    assert.strictEqual(t.counters.client.TcpExtTCPDelivered, 4);
    const srv = t.sockets.find((s) => s.host === 'server' && s.proto === 'tcp')!;
    assert.deepStrictEqual(srv.received.map((r) => r.bytes), [3000]);
    // SYN, handshake ACK, the GSO packet: InReceives counts it once, InNoECTPkts its 3 segments
    assert.strictEqual(t.counters.server.IpInReceives, 3);
    assert.strictEqual(t.counters.server.IpExtInNoECTPkts, 5);
    assert.strictEqual(t.packets.filter((p) => p.origin === 'server' && /TCP \[\.\]/.test(p.summary)).length, 1);
  });

  it('a write of one MSS or less is an ordinary segment (no gso_size)', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 1000');
    assert.deepStrictEqual(dataFrames(t, 'client'), [1052]);
    assert.strictEqual(t.counters.client.TcpExtTCPOrigDataSent, 1);
  });

  it('an e1000 (nic) takes the GSO frame whole and cuts it on the wire: the peer receives 3 segments', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 3000', { nic: true });
    assert.deepStrictEqual(dataFrames(t, 'client'), [3052]);
    const srv = t.sockets.find((s) => s.host === 'server' && s.proto === 'tcp')!;
    assert.deepStrictEqual(srv.received.map((r) => r.bytes), [1448, 1448, 104]);
    assert.strictEqual(t.hosts!.find((h) => h.name === 'client')!.devices.find((d) => d.name === 'eth0')!.stats.tx_packets >= 5, true);
  });

  it('forwarded with DF onto a smaller MTU: whole when each segment fits (skb_gso_validate_network_len)', () => {
    const t = routed([], 1000);
    // srv announced MSS 960: segments of 948 data bytes, 1000 bytes each
    assert.deepStrictEqual(dataFrames(t, 'router'), [3052]);
    assert.strictEqual(t.counters.router.IpFragFails, undefined);
  });

  it('forwarded with DF when the segments do not fit: the sender would resend at the smaller MSS (tcp_simple_retransmit), refused as not modelled', () => {
    assert.throws(() => routed([], 1500), /t\.yaml:\d+:\d+: not modelled: fragmentation needed \(mtu 1000\) for a connection with data in flight: tcp_simple_retransmit/);
  });

  it('forwarded without DF when the segments do not fit: ip_finish_output_gso segments, ip_fragment cuts each', () => {
    const t = routed(['sysctl -w net.ipv4.ip_no_pmtu_disc=1'], 1500);
    const out = t.events.filter((e) => e.fn === 'dev_hard_start_xmit' && e.host === 'router' && e.skb && e.skb.len - 14 > 100 && /^10\.0\.1\.1/.test(t.packets.find((p) => p.id === e.packet)?.summary ?? ''));
    // 3 segments (1500, 1500, 156 bytes): the first two in 2 fragments each, the last alone
    assert.deepStrictEqual(out.map((e) => e.skb!.len - 14), [996, 524, 996, 524, 156]);
    assert.ok(t.events.some((e) => e.fn === 'ip_finish_output_gso' && /cuts it into 3 segments/.test(e.what)));
    assert.strictEqual(t.counters.router.IpFragOKs, 3);
    assert.strictEqual(t.counters.router.IpFragCreates, 5);
  });
});

describe('the receive window after data (v6.12 tcp_init_buffer_space, tcp_event_data_recv, __tcp_select_window)', () => {
  const init = (wscale: number) => tcp_init_buffer_space({ rcvbuf: 131072, rmemMax: 6291456, advmss: 1460, rcvWnd: 65160, wscale, mssCache: 1460 });

  it('starts with window_clamp one segment under the full space and rcv_ssthresh no more than that', () => {
    const r = init(7);
    assert.deepStrictEqual([r.windowClamp, r.rcvSsthresh, r.rcvMss], [64076, 64076, 536]);
  });

  it('a 3000-byte GSO receipt re-measures scaling_ratio and grows rcv_ssthresh by twice the data: 70144 with scale 7', () => {
    const r = init(7);
    tcp_event_data_recv(r, 3000, 1448, TCP_SKB_HEAD_TRUESIZE + 3000);
    assert.deepStrictEqual([r.scalingRatio, r.windowClamp, r.rcvSsthresh, r.rcvMss], [200, 102400, 70076, 1448]);
    assert.strictEqual(tcp_select_window_bytes(r, 65160, 62160), 70144);
  });

  it('the variant kernel (tcp_set_window_clamp in tcp_measure_rcv_mss, 6.18.44) raises rcv_ssthresh to rcv_wnd first: 71168', () => {
    const r = init(7);
    tcp_event_data_recv(r, 3000, 1448, TCP_SKB_HEAD_TRUESIZE + 3000, 65160);
    // the model's own state is v6.12.117's, as without the variant
    assert.deepStrictEqual([r.windowClamp, r.rcvSsthresh], [102400, 70076]);
    assert.deepStrictEqual(r.alt, { rcvSsthresh: 71160, rcvWnd: 65160 });
    assert.strictEqual(tcp_select_window_bytes(r, 65160, 62160, r.alt!.rcvSsthresh), 71168);
    // a segment that shrinks the clamp (600 bytes: ratio 107): the variant cuts rcv_ssthresh to
    // the clamp (__tcp_adjust_rcv_ssthresh), but the free space is smaller still: the same window
    const s = init(7);
    tcp_event_data_recv(s, 600, 0, TCP_SKB_HEAD_TRUESIZE + 600, 65160);
    assert.deepStrictEqual([s.scalingRatio, s.windowClamp, s.alt!.rcvSsthresh], [107, 54784, 54784]);
    assert.strictEqual(tcp_select_window_bytes(s, 65160, 64160, s.alt!.rcvSsthresh), tcp_select_window_bytes(s, 65160, 64160));
  });

  it('one 1000-byte segment (truesize 832 + 1000: ratio 139) raises the clamp: v6.12 offers 524 × 128, the variant kernel 532 × 128 (gen-990014-7)', () => {
    const r = init(7);
    tcp_event_data_recv(r, 1000, 0, TCP_SKB_HEAD_TRUESIZE + 1000, 65160);
    // the head comes from skb_small_head_cache (576 bytes with MAX_HEADER 32), not kmalloc-1024
    assert.strictEqual(TCP_SKB_HEAD_TRUESIZE, 832);
    assert.deepStrictEqual([r.scalingRatio, r.windowClamp, r.rcvSsthresh, r.rcvMss], [139, 71168, 66996, 1000]);
    assert.strictEqual(tcp_select_window_bytes(r, 65160, 64160), 67072);
    assert.strictEqual(r.alt!.rcvSsthresh, 68080);
    assert.strictEqual(tcp_select_window_bytes(r, 65160, 64160, r.alt!.rcvSsthresh), 68096);
  });

  it('a 3000-byte receipt over a veth: the ACK says what the variant kernel offers (556 × 128)', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 3000');
    const ack = t.events.find((e) => e.host === 'server' && e.fn === 'tcp_transmit_skb' && /quick-ACK/.test(e.what))!;
    assert.match(ack.what, /offers 556 in the window field/);
  });

  it('without window scaling the window is a multiple of rcv_mss, capped by the field at 65535', () => {
    const r = init(0);
    tcp_event_data_recv(r, 3000, 1448, TCP_SKB_HEAD_TRUESIZE + 3000);
    assert.strictEqual(tcp_select_window_bytes(r, 65160, 62160), 69504);
  });

  it('a small segment only slides the window (the new one would be smaller than what is still open)', () => {
    const r = init(7);
    tcp_event_data_recv(r, 100, 0, TCP_SKB_HEAD_TRUESIZE + 100);
    assert.strictEqual(tcp_select_window_bytes(r, 65160, 65060), 65152);
  });
});

describe('transport send results', () => {
  const OUTPUT_DROP = ['nft add table ip fw', "nft add chain ip fw output '{ type filter hook output priority filter; policy accept; }'", 'nft add rule ip fw output udp dport 53 drop'];

  it('a UDP datagram an OUTPUT rule drops: sendto fails with EPERM (nf_hook_slow → ip_send_skb → udp_send_skb)', () => {
    const t = direct('udp to 10.0.1.2:53', { client: OUTPUT_DROP });
    const fail = t.events.find((e) => e.host === 'client' && e.fn === 'udp_sendmsg' && !e.skb && /fails/.test(e.what));
    assert.ok(fail, 'udp_sendmsg reports the failure');
    assert.strictEqual(fail!.ret, '-EPERM');
    assert.deepStrictEqual([t.counters.client.IpOutDiscards, t.counters.client.UdpOutDatagrams, t.counters.client.UdpSndbufErrors], [1, undefined, undefined]);
  });

  it('a UDP datagram that leaves reports no failure', () => {
    const t = direct('udp to 10.0.1.2:53');
    assert.ok(!t.events.some((e) => e.fn === 'udp_sendmsg' && /fails/.test(e.what)));
    assert.strictEqual(t.counters.client.UdpOutDatagrams, 1);
  });

  it('a listener with no route for its SYN-ACK frees the request: IpOutNoRoutes and ListenDrops per SYN, the SYN consumed', () => {
    const t = direct('tcp connect to 10.0.1.2:8080', { client: ['sysctl -w net.ipv4.tcp_syn_retries=1'], server: ['ip rule add from 10.0.1.0/24 table 100 priority 100', 'ip route add unreachable default table 100'] });
    assert.deepStrictEqual([t.counters.server.IpOutNoRoutes, t.counters.server.TcpExtListenDrops], [3, 3]);
    const syns = t.packets.filter((p) => /TCP \[S\]/.test(p.summary) && p.origin === 'client');
    assert.deepStrictEqual(syns.map((p) => `${p.fate.kind} ${p.fate.fn}`), ['consumed tcp_conn_request', 'consumed tcp_conn_request', 'consumed tcp_conn_request']);
  });
});
