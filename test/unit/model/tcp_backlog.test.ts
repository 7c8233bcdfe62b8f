// A write larger than half the congestion window (v6.12 tcp_cwnd_test sends at most half of
// snd_cwnd at once), and what arrives while the writer owns its socket: the peer's ACKs come
// back in the softirq each segment's __dev_queue_xmit runs, wait on the socket's backlog
// (tcp_add_backlog, which merges pure ACKs), and are handled at release_sock.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

const lines = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');

function direct(traffic: string, client: string[] = []): Trace {
  const text =
    `name: t\nhosts:\n  client: |\n${lines([...client, 'ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up'])}` +
    `  server: |\n${lines(['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up'])}links:\n  - client:eth0 server:eth0\n` +
    `listen:\n  - server: tcp 8080\ntraffic:\n  - from: client\n    send: ${traffic}\n`;
  return runScenarioText(text, 't.yaml');
}

/** the client's TCP data frames as its driver got them: event index, IP length, first payload byte */
function dataFrames(t: Trace): { at: number; len: number; first: string }[] {
  const out: { at: number; len: number; first: string }[] = [];
  t.events.forEach((e, i) => {
    if (e.fn !== 'dev_hard_start_xmit' || e.host !== 'client' || !e.skb) return;
    const hex = e.skb.bytes.slice(2 * e.skb.data);
    if (hex.slice(24, 28) !== '0800' || hex.slice(46, 48) !== '06') return;
    const ihl = (parseInt(hex[29], 16) * 4) * 2;
    const tcp = 28 + ihl;
    const doff = parseInt(hex[tcp + 24], 16) * 4 * 2;
    const payload = hex.slice(tcp + doff);
    if (!payload.length) return;
    out.push({ at: i, len: e.skb.len - 14, first: String.fromCharCode(parseInt(payload.slice(0, 2), 16)) });
  });
  return out;
}

describe('TCP: half the congestion window per push, and the socket backlog', () => {
  it('a 10,000-byte write leaves as 5 segments (half of snd_cwnd 10), then the rest, whose bytes go on from where the first stopped', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 10000');
    const f = dataFrames(t);
    assert.deepStrictEqual(f.map((x) => x.len), [7240 + 52, 2760 + 52]);
    // A…Z over and over: byte 7240 of the stream is 7240 mod 26 = 12 letters on
    assert.deepStrictEqual(f.map((x) => x.first), ['A', 'M']);
    const srv = t.sockets.find((s) => s.host === 'server' && s.proto === 'tcp')!;
    assert.deepStrictEqual(srv.received.map((r) => r.bytes), [7240, 2760]);
  });

  it('both GSO parts carry PSH: tso_fragment takes it off the first, __tcp_transmit_skb puts it back on a GSO sk_buff', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 10000');
    const flags = dataFrames(t).map((f) => {
      const hex = t.events[f.at].skb!.bytes.slice(2 * t.events[f.at].skb!.data);
      const tcp = 28 + parseInt(hex[29], 16) * 8;
      return parseInt(hex.slice(tcp + 26, tcp + 28), 16);
    });
    assert.deepStrictEqual(flags.map((f) => f & 0x08), [0x08, 0x08]);
    // a write of one MSS or less cut by the window is no GSO sk_buff: only the last segment has PSH
    const small = direct('tcp connect to 10.0.1.2:8080 data 1000');
    assert.strictEqual(dataFrames(small).length, 1);
  });

  it("the peer's ACKs wait on the backlog while the write runs, and the second merges into the first (TCPBacklogCoalesce)", () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 10000');
    const f = dataFrames(t);
    const backlog = t.events.map((e, i) => ({ e, i })).filter(({ e }) => e.host === 'client' && e.fn === 'tcp_add_backlog');
    assert.strictEqual(backlog.length, 2);
    // the first ACK came back (in the softirq of the first segment's transmit) before the second segment left
    assert.ok(backlog[0].i > f[0].at && backlog[0].i < f[1].at);
    assert.strictEqual(t.counters.client.TcpExtTCPBacklogCoalesce, 1);
    // one merged ACK is handled at release_sock: one pure ACK, acknowledging all 7 segments
    assert.strictEqual(t.counters.client.TcpExtTCPPureAcks, 1);
    assert.ok(t.events.some((e) => e.host === 'client' && e.fn === '__release_sock'));
  });

  it('a write within half the window is one push: its one ACK waits on the backlog, nothing merges', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 3000');
    assert.strictEqual(dataFrames(t).length, 1);
    assert.strictEqual(t.counters.client.TcpExtTCPBacklogCoalesce ?? 0, 0);
    assert.strictEqual(t.counters.client.TcpExtTCPPureAcks, 1);
  });

  it('a small MSS splits a 3000-byte write: 5 segments of 524 bytes, then 380', () => {
    const t = direct('tcp connect to 10.0.1.2:8080 data 3000', ['ip link set eth0 mtu 576']);
    assert.deepStrictEqual(dataFrames(t).map((x) => x.len - 52), [2620, 380]);
  });

  it('data whose ACKs never come: after the loss probe, the RTOs are followed for 10 s, then refused (tcp_retries2 15 would go on)', () => {
    // the client's firewall drops the ACK of the data and the probe's DSACK ACK (IP length 64)
    const fw = ['nft add table ip t', "nft add chain ip t in '{ type filter hook input priority 0; policy accept; }'", 'nft add rule ip t in tcp flags == ack ip length { 52, 64 } drop'];
    assert.throws(() => direct('tcp connect to 10.0.1.2:8080 data 100', fw), /not modelled: RTO expiry 6 of 10\.0\.1\.1:\d+ \(no ACK from 10\.0\.1\.2:8080\).*the model follows unanswered retransmissions for 10 s/);
    // acknowledged data is not refused
    const t = direct('tcp connect to 10.0.1.2:8080 data 100');
    assert.deepStrictEqual(t.sockets.find((s) => s.host === 'server' && s.proto === 'tcp')!.received.map((r) => r.bytes), [100]);
  });
});
