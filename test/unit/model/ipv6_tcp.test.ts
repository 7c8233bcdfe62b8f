// TCP over IPv6 on the model: the shared state machine behind ipv6_specific (MSS from the
// 40-byte header, the checksum over IPv6's pseudo-header), the RST of a closed port, ICMPv6
// errors reaching a connect, and dual-stack listeners (net.ipv6.bindv6only).
import * as assert from 'assert';
import { runExample, fns, isSubsequence, eventsOf } from './helpers';
import type { Trace } from '../../../src/trace/contract';

/** the call path of a packet's last step on a host: the functions it went through */
const path = (t: Trace, packet: number, host: string): string[] => t.events.filter((e) => e.packet === packet && e.host === host).flatMap((e) => e.stack);
const byFate = (t: Trace, fn: string): number => t.packets.find((p) => p.fate.kind !== 'dropped' && p.fate.fn === fn)!.id;
import { runScenarioText } from '../traffic_phase';
import { hexToBytes } from '../../../src/fidelity/frames';

const twoHosts = (listen: string, traffic: string, serverSetup = ''): string =>
  `name: t\nhosts:\n  a: |\n    ip addr add 192.168.1.10/24 dev eth0\n    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad\n    ip link set eth0 up\n  b: |\n${serverSetup}    ip addr add 192.168.1.20/24 dev eth0\n    ip -6 addr add 2001:db8:1::20/64 dev eth0 nodad\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\n${listen ? `listen:\n  - b: ${listen}\n` : ''}traffic:\n  - from: a\n    send: ${traffic}\n`;

describe('TCP over IPv6 on the model', () => {
  it('ipv6-tcp-forward: MSS 1440, tcp_v6_rcv, the handshake and 100 bytes through a router', () => {
    const t = runExample('ipv6-tcp-forward');
    const syn = t.packets[0];
    const ev = eventsOf(t, syn.id, 'tcp_transmit_skb')[0].skb!;
    const b = hexToBytes(ev.bytes);
    const nh = ev.network_header!;
    // next header 6; the MSS option (kind 2) right after the 20-byte TCP header: 1500 - 40 - 20
    assert.strictEqual(b[nh + 6], 6);
    assert.deepStrictEqual([b[nh + 60], (b[nh + 62] << 8) | b[nh + 63]], [2, 1440]);
    assert.ok(isSubsequence(path(t, syn.id, 'server'), ['ipv6_rcv', 'ip6_input', 'tcp_v6_rcv', 'tcp_v6_do_rcv', 'tcp_rcv_state_process', 'tcp_v6_conn_request', 'tcp_conn_request']));
    assert.ok(isSubsequence(path(t, byFate(t, 'tcp_finish_connect'), 'server'), ['tcp_v6_send_synack', 'inet6_csk_xmit', 'ip6_xmit', 'ip6_local_out']));
    assert.strictEqual(syn.fate.kind, 'consumed');
    const s = t.counters.server;
    assert.deepStrictEqual([s.TcpPassiveOpens, s.TcpInSegs, s.TcpOutSegs, t.counters.client.TcpActiveOpens, t.counters.router.Ip6OutForwDatagrams > 0], [1, 3, 2, 1, true]);
    const sock = t.sockets.find((x) => x.host === 'server')!;
    assert.deepStrictEqual([sock.local, sock.accepted, sock.received.map((r) => r.bytes)], ['[::]:80', ['[2001:db8:1::10]:40001'], [100]]);
  });

  it('ipv6-tcp-rst-closed-port: tcp_v6_send_reset, TcpOutRsts, ECONNREFUSED', () => {
    const t = runExample('ipv6-tcp-rst-closed-port');
    const syn = t.packets[0];
    assert.deepStrictEqual([syn.fate.kind, syn.fate.kind === 'dropped' && syn.fate.reason], ['dropped', 'SKB_DROP_REASON_NO_SOCKET']);
    assert.ok(isSubsequence(path(t, byFate(t, 'tcp_reset'), 'server'), ['tcp_v6_send_reset', 'tcp_v6_send_response', 'ip6_xmit']));
    assert.ok(fns(t, syn.id, 'server').includes('tcp_v6_rcv'));
    assert.deepStrictEqual([t.counters.server.TcpOutRsts, t.counters.client.TcpAttemptFails], [1, 1]);
    const rst = t.packets.find((p) => p.fate.kind === 'consumed' && p.fate.fn === 'tcp_reset');
    assert.ok(rst, 'the RST reaches the client with a right checksum and ends the connect');
  });

  it('a dual-stack [::] listener takes an IPv4 client as ::ffff:…; bindv6only=1 makes it IPv6-only', () => {
    const t = runExample('ipv6-tcp-dual-stack');
    const sock = t.sockets.find((x) => x.host === 'server')!;
    assert.deepStrictEqual(sock.accepted, ['[::ffff:192.168.1.10]:40001']);
    assert.ok(isSubsequence(path(t, t.packets[0].id, 'server'), ['tcp_v4_rcv', 'tcp_v6_do_rcv', 'tcp_v4_do_rcv', 'tcp_v6_conn_request', 'tcp_v4_conn_request', 'tcp_conn_request']));
    assert.ok(path(t, byFate(t, 'tcp_finish_connect'), 'server').includes('tcp_v4_send_synack'));
    const only = runScenarioText(twoHosts('tcp [::]:80', 'tcp connect to 192.168.1.20:80 from :40001', '    sysctl -w net.ipv6.bindv6only=1\n'), 't.yaml');
    assert.deepStrictEqual([only.packets[0].fate.kind === 'dropped' && only.packets[0].fate.reason, only.counters.b.TcpOutRsts, only.sockets.find((x) => x.host === 'b')!.accepted], ['SKB_DROP_REASON_NO_SOCKET', 1, []]);
    // the same listener still takes IPv6
    const v6 = runScenarioText(twoHosts('tcp [::]:80', 'tcp connect to [2001:db8:1::20]:80 from :40001', '    sysctl -w net.ipv6.bindv6only=1\n'), 't.yaml');
    assert.deepStrictEqual(v6.sockets.find((x) => x.host === 'b')!.accepted, ['[2001:db8:1::10]:40001']);
  });

  it('an IPv6 listener bound to one address does not take IPv4, and an IPv4 listener does not take IPv6', () => {
    const a = runScenarioText(twoHosts('tcp [2001:db8:1::20]:80', 'tcp connect to 192.168.1.20:80 from :40001'), 't.yaml');
    assert.strictEqual(a.counters.b.TcpOutRsts, 1);
    const b = runScenarioText(twoHosts('tcp 80', 'tcp connect to [2001:db8:1::20]:80 from :40001'), 't.yaml');
    assert.strictEqual(b.counters.b.TcpOutRsts, 1);
  });

  it('ipv6-tcp-connect-unreachable: tcp_v6_err keeps the first error soft (socket owned), the second aborts with ENETUNREACH', () => {
    const t = runExample('ipv6-tcp-connect-unreachable');
    const errs = t.events.filter((e) => e.host === 'client' && e.fn === 'tcp_v6_err');
    assert.strictEqual(errs.length, 2);
    assert.match(errs[0].what, /sk_err_soft/);
    assert.match(errs[1].what, /aborts it/);
    const c = t.counters.client;
    assert.deepStrictEqual([c.TcpExtLockDroppedIcmps, c.TcpAttemptFails, c.TcpRetransSegs, c.Icmp6InDestUnreachs], [1, 1, 1, 2]);
    assert.ok(t.events.some((e) => e.host === 'client' && e.fn === 'tcp_done' && e.what.includes('ENETUNREACH')));
  });
});
