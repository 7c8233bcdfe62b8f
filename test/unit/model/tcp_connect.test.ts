// A TCP connect's SYN retransmissions and the options it negotiates (Linux v6.12,
// net/ipv4/tcp_timer.c, tcp_output.c, tcp_input.c).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { tcp_model_timeout } from '../../../src/model/net/ipv4/tcp_ipv4';

const lines = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');

/** client 10.0.1.1 — server 10.0.1.2 on one veth link. */
function run(client: string[], server: string[], traffic: string, listen = ''): Trace {
  const text =
    `name: t\nhosts:\n  client: |\n${lines([...client, 'ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up'])}` +
    `  server: |\n${lines([...server, 'ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up'])}links:\n  - client:eth0 server:eth0\n` +
    (listen ? `listen:\n  - server: ${listen}\n` : '') +
    `traffic:\n  - from: client\n    send: ${traffic}\n`;
  return runScenarioText(text, 't.yaml');
}

const DROP_SYNS = ['nft add table ip fw', "nft add chain ip fw input '{ type filter hook input priority filter; policy accept; }'", 'nft add rule ip fw input tcp dport 80 drop'];
const syns = (t: Trace): number => t.packets.filter((p) => /TCP \[S\]/.test(p.summary) && p.origin === 'client').length;

describe('TCP connect: SYN retransmissions (tcp_write_timeout)', () => {
  it('tcp_model_timeout: (2^(n+1) - 1) RTOs while doubling stays under TCP_RTO_MAX, then 120 s each', () => {
    assert.strictEqual(tcp_model_timeout(1, 1e9), 3e9);
    assert.strictEqual(tcp_model_timeout(6, 1e9), 127e9);
    assert.strictEqual(tcp_model_timeout(8, 1e9), 127e9 + 2 * 120e9);
  });

  it('tcp_syn_retries=1: the time limit (3 s) ends the connect after 2 retransmissions, not 1 + tcp_syn_linear_timeouts', () => {
    const t = run(['sysctl -w net.ipv4.tcp_syn_retries=1'], DROP_SYNS, 'tcp connect to 10.0.1.2:80');
    assert.strictEqual(syns(t), 3);
    const c = t.counters.client;
    assert.deepStrictEqual([c.TcpExtTCPTimeouts, c.TcpExtTCPSynRetrans, c.TcpExtTCPAbortOnTimeout, c.TcpAttemptFails], [3, 2, 1, 1]);
  });

  it('tcp_syn_retries=2: 5 linear retransmissions at 1 s, the limit (7 s) reached by the next at 7 s', () => {
    const t = run(['sysctl -w net.ipv4.tcp_syn_retries=2'], DROP_SYNS, 'tcp connect to 10.0.1.2:80');
    assert.strictEqual(syns(t), 6);
    const end = t.events.find((e) => e.fn === 'tcp_write_timeout');
    assert.ok(end);
    assert.strictEqual(end.time, 7e9);
  });

  it('tcp_syn_linear_timeouts=0: plain doubling, SYNs at 0, 1 and 3 s, the end at 7 s', () => {
    const t = run(['sysctl -w net.ipv4.tcp_syn_retries=2', 'sysctl -w net.ipv4.tcp_syn_linear_timeouts=0'], DROP_SYNS, 'tcp connect to 10.0.1.2:80');
    const times = t.events.filter((e) => e.fn === 'tcp_transmit_skb' && e.host === 'client').map((e) => e.time / 1e9);
    assert.deepStrictEqual(times, [0, 1, 3]);
    assert.strictEqual(t.events.find((e) => e.fn === 'tcp_write_timeout')?.time, 7e9);
  });
});


describe('TCP options follow tcp_timestamps, tcp_sack, tcp_window_scaling (tcp_syn_options, tcp_parse_options)', () => {
  const summary = (t: Trace, re: RegExp): string[] => t.packets.filter((p) => re.test(p.summary)).map((p) => p.summary);

  it('all on: the SYN is 60 bytes (MSS, SACK-permitted + timestamps, window scale), data segments carry timestamps', () => {
    const t = run([], [], 'tcp connect to 10.0.1.2:8080 data 100', 'tcp 8080');
    assert.match(summary(t, /\[S\]/)[0], /length 60$/);
    assert.match(summary(t, /\[P\.\]/)[0], /length 100, ttl 64, length 152$/);
  });

  it('tcp_window_scaling=0 on the client: a 56-byte SYN, and the server answers without window scaling', () => {
    const t = run(['sysctl -w net.ipv4.tcp_window_scaling=0'], [], 'tcp connect to 10.0.1.2:8080 data 100', 'tcp 8080');
    assert.match(summary(t, /\[S\]/)[0], /length 56$/);
    assert.match(summary(t, /\[S\.\]/)[0], /length 56$/);
  });

  it('tcp_timestamps=0 on the server: its SYN-ACK has MSS, NOP NOP SACK-permitted, NOP WS (52 bytes); then no timestamps either way', () => {
    const t = run([], ['sysctl -w net.ipv4.tcp_timestamps=0'], 'tcp connect to 10.0.1.2:8080 data 100', 'tcp 8080');
    assert.match(summary(t, /\[S\]/)[0], /length 60$/);
    assert.match(summary(t, /\[S\.\]/)[0], /length 52$/);
    assert.match(summary(t, /\[P\.\]/)[0], /length 100, ttl 64, length 140$/);
  });

  it('tcp_sack=0 and tcp_timestamps=0 and tcp_window_scaling=0: a SYN with the MSS alone (44 bytes)', () => {
    const t = run(['sysctl -w net.ipv4.tcp_sack=0', 'sysctl -w net.ipv4.tcp_timestamps=0', 'sysctl -w net.ipv4.tcp_window_scaling=0'], [], 'tcp connect to 10.0.1.2:8080', 'tcp 8080');
    assert.match(summary(t, /\[S\]/)[0], /length 44$/);
    assert.match(summary(t, /\[S\.\]/)[0], /length 44$/);
  });
});

describe('a listener and segments that are not a SYN (tcp_rcv_state_process, v6.12)', () => {
  const into = (flags: string): Trace => {
    const text =
      `name: t\nhosts:\n  server: |\n${lines(['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up'])}  client: |\n${lines(['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up'])}` +
      `links:\n  - client:eth0 server:eth0\nlisten:\n  - server: tcp 8080\ntraffic:\n  - into: server:eth0\n    send: tcp from 10.0.1.1:80 to 10.0.1.2:8080 flags ${flags}\n`;
    return runScenarioText(text, 't.yaml');
  };
  const fate = (t: Trace): unknown => t.packets[0].fate;

  it('a RST is freed with TCP_RESET, nothing answers', () => {
    const t = into('R');
    assert.deepStrictEqual(fate(t), { kind: 'dropped', host: 'server', fn: 'tcp_rcv_state_process', reason: 'SKB_DROP_REASON_TCP_RESET' });
    assert.strictEqual(t.counters.server.TcpOutRsts, undefined);
  });

  it('an ACK is answered with one RST by tcp_v4_do_rcv and freed there with TCP_FLAGS', () => {
    const t = into('A');
    assert.deepStrictEqual(fate(t), { kind: 'dropped', host: 'server', fn: 'tcp_v4_do_rcv', reason: 'SKB_DROP_REASON_TCP_FLAGS' });
    assert.strictEqual(t.counters.server.TcpOutRsts, 1);
  });

  it('a SYN with FIN is freed with TCP_FLAGS', () => {
    assert.deepStrictEqual(fate(into('SF')), { kind: 'dropped', host: 'server', fn: 'tcp_rcv_state_process', reason: 'SKB_DROP_REASON_TCP_FLAGS' });
  });
});

describe('neighbour resolution with mcast_solicit=0 (__neigh_event_send, v6.12)', () => {
  it('no ARP request may go out: the entry fails at once and the packet is freed with NEIGH_FAILED', () => {
    const t = run(['sysctl -w net.ipv4.neigh.eth0.mcast_solicit=0'], [], 'udp to 10.0.1.2:9000');
    assert.deepStrictEqual(t.packets[0].fate, { kind: 'dropped', host: 'client', fn: '__neigh_event_send', reason: 'SKB_DROP_REASON_NEIGH_FAILED' });
    assert.ok(!t.packets.some((p) => /ARP/.test(p.summary)));
  });
});

describe('DF on TCP segments (ip_dont_fragment, v6.12)', () => {
  /** frag_off of the first SYN as it leaves (the IP header at skb->network_header, in the snapshot at ip_finish_output2) */
  const fragOff = (t: Trace): number => {
    const ev = t.events.find((e) => e.fn === 'ip_finish_output2' && e.skb && t.packets[0].id === e.packet);
    const snap = ev!.skb!;
    const b = Buffer.from(snap.bytes, 'hex');
    return b.readUInt16BE(snap.network_header! + 6);
  };

  it('by default (IP_PMTUDISC_WANT, MTU not locked) the SYN carries DF', () => {
    assert.strictEqual(fragOff(run([], DROP_SYNS, 'tcp connect to 10.0.1.2:80')), 0x4000);
  });

  it('ip_no_pmtu_disc=1: inet_create makes the socket IP_PMTUDISC_DONT, its SYN goes without DF', () => {
    assert.strictEqual(fragOff(run(['sysctl -w net.ipv4.ip_no_pmtu_disc=1'], DROP_SYNS, 'tcp connect to 10.0.1.2:80')), 0);
  });
});

describe("a request sock's SYN-ACK timer (reqsk_timer_handler, v6.12)", () => {
  it('tcp_synack_retries=1: the SYN-ACK again at 1 s, the request dropped at 3 s; each expiry counts TCPTimeouts', () => {
    // the client's input drops the SYN-ACKs; tcp_syn_linear_timeouts=0 and a long tcp_syn_retries keep its SYNs apart
    const dropSynAck = ['nft add table ip fw', "nft add chain ip fw input '{ type filter hook input priority filter; policy accept; }'", 'nft add rule ip fw input tcp sport 8080 drop'];
    const t = run([...dropSynAck, 'sysctl -w net.ipv4.tcp_syn_retries=3', 'sysctl -w net.ipv4.tcp_syn_linear_timeouts=0'], ['sysctl -w net.ipv4.tcp_synack_retries=1'], 'tcp connect to 10.0.1.2:8080', 'tcp 8080');
    const timer = t.events.filter((e) => e.host === 'server' && e.stack.includes('reqsk_timer_handler') && (e.fn === 'tcp_v4_send_synack' || e.fn === 'reqsk_timer_handler')).map((e) => `${e.time / 1e9} ${e.fn}`);
    // the first request: its timer resends at 1 s, gives up at 3 s; the SYNs at 3 s and 7 s find no request and make new ones
    assert.deepStrictEqual(timer.slice(0, 2), ['1 tcp_v4_send_synack', '3 reqsk_timer_handler']);
    assert.strictEqual(t.counters.server.TcpExtTCPTimeouts, 6);
  });
});

describe('TCP connect: a soft ICMP error is what a timeout reports (tcp_write_err, v6.12)', () => {
  it('the error that came while connect() held the socket (sk_err_soft) ends the connect, not ETIMEDOUT', () => {
    const text = fs.readFileSync(path.resolve(__dirname, '../../../../test/fidelity/found/fix-tcp-connect-soft-error.yaml'), 'utf8');
    const t = runScenarioText(text, 'soft.yaml');
    assert.strictEqual(t.counters.client.TcpExtLockDroppedIcmps, 1);
    const done = t.events.find((e) => e.fn === 'tcp_done');
    assert.ok(done && /fails with ENETUNREACH/.test(done.what), done?.what);
    assert.strictEqual(done.time, 3e9);
    assert.strictEqual(t.counters.client.TcpExtTCPAbortOnTimeout, 1);
    assert.strictEqual(t.counters.client.TcpAttemptFails, 1);
    // without the router's ICMP error there is no soft error: ETIMEDOUT
    const silent = runScenarioText(text.replace('sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv4.ip_forward=1\n    ip route add blackhole 10.9.9.9'), 'silent.yaml');
    assert.ok(/fails with ETIMEDOUT/.test(silent.events.find((e) => e.fn === 'tcp_done')?.what ?? ''));
  });
});

describe('TCP connect: the application writes after connect() returned (v6.12)', () => {
  /** each LOCAL_OUT / LOCAL_IN pass on h1, in order, as `packet hook` */
  const passes = (t: Trace): string[] =>
    t.events.filter((e) => e.fn === 'NF_HOOK' && e.host === 'h1' && /LOCAL_(OUT|IN)/.test(JSON.stringify(e))).map((e) => `${e.packet} ${/LOCAL_OUT/.test(JSON.stringify(e)) ? 'out' : 'in'}`);

  it('over loopback the ACK of the handshake is received before the data goes out', () => {
    const t = runScenarioText('name: t\nhosts:\n  h1: ""\nlisten:\n  - h1: tcp 80\ntraffic:\n  - from: h1\n    send: tcp connect to 127.0.0.1:80 data 100\n', 't.yaml');
    const ack = t.packets.find((p) => /TCP \[\.\] .*length 0/.test(p.summary) && p.origin === 'h1')!;
    const data = t.packets.find((p) => /TCP \[P\.\]/.test(p.summary))!;
    const seq = passes(t);
    assert.ok(seq.indexOf(`${ack.id} in`) >= 0 && seq.indexOf(`${data.id} out`) >= 0, seq.join(', '));
    assert.ok(seq.indexOf(`${ack.id} in`) < seq.indexOf(`${data.id} out`), seq.join(', '));
    const srv = t.sockets.find((s) => s.proto === 'tcp')!;
    assert.deepStrictEqual(srv.received.map((r) => r.bytes), [100]);
  });
});

describe('TCP connect: ip_route_connect looks the route up again with the source it chose (v6.12)', () => {
  it('an `ip rule from` the chosen source to a blackhole fails the connect with EINVAL, no SYN sent', () => {
    const rule = ['ip rule add from 10.0.1.0/24 table 100 priority 30000', 'ip route add blackhole default table 100'];
    const t = run(rule, [], 'tcp connect to 10.0.1.2:8080', 'tcp 8080');
    assert.strictEqual(syns(t), 0);
    assert.match(t.events.find((e) => e.fn === 'tcp_v4_connect')?.what ?? '', /EINVAL/);
    assert.strictEqual(t.counters.client.TcpActiveOpens ?? 0, 0);
    // without the rule the same connect sends its SYN
    assert.strictEqual(syns(run([], [], 'tcp connect to 10.0.1.2:8080', 'tcp 8080')), 1);
  });
});
