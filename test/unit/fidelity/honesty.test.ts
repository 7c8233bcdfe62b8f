// Harness honesty (issue 10, part 3): what the harness compares must not hide a difference.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { compareDrops, compareSends } from '../../../src/fidelity/compare';
import { parseDropLine, packetIdentity } from '../../../src/fidelity/drops';
import { errnoName } from '../../../src/fidelity/errno';
import { applyExceptions } from '../../../src/fidelity/exceptions';
import { dropsLine, type ScenarioResult } from '../../../src/fidelity/harness';
import { modelSends, type DropRecord, type Observation } from '../../../src/fidelity/observe';
import { isBroadcastFor, pingArgs } from '../../../src/fidelity/replay';
import { parseScenario } from '../../../src/scenario/parse';
import { runScenario } from '../../../src/scenario/run';

const obs = (o: Partial<Observation> = {}): Observation => ({ frames: new Map(), hooks: new Map(), counters: {}, sockets: new Map(), pings: [], sends: [], ...o });
const REASONS = new Map([
  [2, 'NOT_SPECIFIED'],
  [15, 'IP_INHDR'],
  [91, 'IP_LOCALNET'],
]);
const words = (b: number[], n: number): string[] => {
  const x = b.concat(new Array(n * 4).fill(0)).slice(0, n * 4);
  return Array.from({ length: n }, (_, i) => ((x[i * 4] | (x[i * 4 + 1] << 8) | (x[i * 4 + 2] << 16) | (x[i * 4 + 3] << 24)) >>> 0).toString(16));
};
const dline = (left: number, nh: number[], l4: number[], reason = 15): string => ['D', 1, 2, reason, 'ip_rcv_core', 0x800, left, ...words(nh, 7), ...words(l4, 4)].join(' ');
// 10.0.1.2:40000 > 10.0.1.1:53 UDP, TTL 64, total length 60
const UDP_IP = [0x45, 0, 0, 60, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 1, 2, 10, 0, 1, 1];
const UDP_L4 = [0x9c, 0x40, 0, 53, 0, 40, 0, 0];

function scenario(text: string) {
  const sc = parseScenario(text, 'honesty.yaml');
  const marks: { events: number; now: number }[] = [];
  return { sc, trace: runScenario(sc, { marks }), marks };
}

describe('fidelity: harness honesty', () => {
  describe('send results per traffic item, as errno names', () => {
    it('EACCES and "Permission denied" are the same result; texts and numbers become names', () => {
      assert.strictEqual(errnoName('EACCES'), errnoName('Permission denied'));
      assert.strictEqual(errnoName('no route to 10.9.9.9 (Network is unreachable)'), 'ENETUNREACH');
      assert.strictEqual(errnoName('the route to 10.9.9.9 refuses it (EHOSTUNREACH)'), 'EHOSTUNREACH');
      assert.strictEqual(errnoName('something odd', 13), 'EACCES');
      assert.strictEqual(errnoName('ok'), 'ok');
      assert.strictEqual(errnoName('a text with no errno'), 'a text with no errno', 'an unknown failure stays a failure');
      const m = obs({ sends: [{ item: 0, host: 'h1', result: errnoName('EACCES') }] });
      const k = obs({ sends: [{ item: 0, host: 'h1', result: errnoName('Permission denied', 13) }] });
      assert.deepStrictEqual(compareSends(m, k), []);
    });

    it('an item only one side reports is a difference, and so is a failure against success', () => {
      const m = obs({ sends: [{ item: 0, host: 'h1', result: 'ENETUNREACH' }, { item: 1, host: 'h1', result: 'ok' }] });
      const k = obs({ sends: [{ item: 0, host: 'h1', result: 'ok' }] });
      const d = compareSends(m, k);
      assert.deepStrictEqual(
        d.map((x) => [x.what, x.model, x.kernel]),
        [
          ['traffic item 1', 'ENETUNREACH', 'ok'],
          ['traffic item 2', 'ok', '(not sent)'],
        ],
      );
    });

    it("the model's first packet (id 0) failing reads as a failure, and each item gets its own result", () => {
      const { sc, trace, marks } = scenario(`name: sends
hosts:
  h1: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
  h2: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
links:
  - h1:eth0 h2:eth0
listen:
  - h2: tcp 80
traffic:
  - from: h1
    send: udp to 10.9.9.9:53
  - from: h1
    send: udp to 10.0.1.2:53
  - from: h1
    send: tcp connect to 10.9.9.9:80
  - from: h1
    send: tcp connect to 10.0.1.2:80
  - from: h1
    send: tcp connect to 10.0.1.2:81
  - from: h1
    send: udp to 10.0.1.2:53 size 3000 df
`);
      // the failing send's step has no sk_buff: it carries packet 0, not the failed packet's id
      assert.ok(trace.events.some((e) => e.fn === 'udp_sendmsg' && !e.skb && e.packet === 0));
      assert.deepStrictEqual(
        modelSends(sc, trace, marks).map((s) => `${s.item} ${s.result}`),
        ['0 ENETUNREACH', '1 ok', '2 ENETUNREACH', '3 ok', '4 ECONNREFUSED', '5 EMSGSIZE'],
      );
    });

    it('a `count N` item takes all its failures, and gives the first as its result: the next item gets its own (gen-993200-0)', () => {
      const { sc, trace, marks } = scenario(`name: counted sends
hosts:
  h1: |
    ip route add unreachable 10.9.2.0/24
traffic:
  - from: h1
    send: tcp connect to 255.255.255.255:4444 count 3 rate 2
  - from: h1
    send: tcp connect to 10.9.2.215:3128 count 3 rate 100
  - from: h1
    send: udp to 255.255.255.255:53 count 2
  - from: h1
    send: udp to 10.9.2.1:53
`);
      assert.deepStrictEqual(
        modelSends(sc, trace, marks).map((s) => `${s.item} ${s.result}`),
        ['0 ENETUNREACH', '1 EHOSTUNREACH', '2 ENETUNREACH', '3 EHOSTUNREACH'],
      );
    });

    it("an `into:` frame's result is packet_snd's, on the link peer: EMSGSIZE, ENOBUFS from a peer that drops, ENETDOWN, or ok", () => {
      const text = fs.readFileSync(path.resolve(__dirname, '../../../../test/fidelity/found/fix-packet-snd-result.yaml'), 'utf8');
      const { sc, trace, marks } = scenario(text);
      assert.deepStrictEqual(
        modelSends(sc, trace, marks).map((s) => `${s.item} ${s.host} ${s.result}`),
        ['0 b ENOBUFS', '1 a EMSGSIZE', '2 a EMSGSIZE', '3 a ok', '4 c ENETDOWN', '5 a ok'],
      );
      // with room on the peer, the first frame is taken and the send succeeds
      const roomy = scenario(text.replace('ip link set eth0 mtu 576', 'ip link set eth0 mtu 1500'));
      assert.deepStrictEqual(
        modelSends(roomy.sc, roomy.trace, roomy.marks).map((s) => s.result),
        ['ok', 'ok', 'ok', 'ok', 'ENETDOWN', 'ok'],
      );
    });

    it("a ping that fails is paired with its own item: the next UDP send does not get the ping's error", () => {
      const { sc, trace, marks } = scenario(`name: sends
hosts:
  h1: |
    ip route add blackhole 10.9.4.0/24
traffic:
  - from: h1
    send: icmp echo-request to 10.9.4.1
  - from: h1
    send: udp to 10.8.0.1:9000
`);
      assert.deepStrictEqual(modelSends(sc, trace, marks).map((s) => `${s.item} ${s.result}`), ['1 ENETUNREACH']);
    });

    it('a send whose bind() fails with EADDRINUSE keeps its own failed packet: the next failing item gets its own error', () => {
      const { sc, trace, marks } = scenario(`name: sends
hosts:
  h1: |
    sysctl -w net.ipv4.tcp_syn_retries=1
listen:
  - h1: udp 53
traffic:
  - from: h1
    send: udp to 10.5.3.8:53 from :53
  - from: h1
    send: tcp connect to 10.5.2.9:3128
  - from: h1
    send: udp to 10.5.3.8:53 from :53
  - from: h1
    send: udp to 255.255.255.255:4444
`);
      assert.deepStrictEqual(modelSends(sc, trace, marks).map((s) => `${s.item} ${s.result}`), ['0 EADDRINUSE', '1 ENETUNREACH', '2 EADDRINUSE', '3 ENETUNREACH']);
    });

    it('a UDP send over IPv6 whose bind() an IPv6 listener refuses reads EADDRINUSE, not ok (gen-990508-19)', () => {
      const { sc, trace, marks } = scenario(`name: sends
hosts:
  h1: |
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  h2: |
    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
    ip link set eth0 up
links:
  - h1:eth0 h2:eth0
listen:
  - h1: udp [::]:53
traffic:
  - from: h1
    send: udp to [2001:db8:1::2]:9000 from :53
  - from: h1
    send: udp to [2001:db8:1::2]:9000 from :40000
`);
      assert.deepStrictEqual(modelSends(sc, trace, marks).map((s) => `${s.item} ${s.result}`), ['0 EADDRINUSE', '1 ok']);
    });
  });

  describe('drops', () => {
    it('decodes only the bytes within skb->len: what bpftrace read past the end does not count', () => {
      const full = parseDropLine(dline(28, UDP_IP, UDP_L4), REASONS)!;
      assert.match(full.id.key, / \* > 53$/, 'the source port 40000 is ephemeral: masked');
      // the same packet cut after the IP header: the port bytes bpftrace printed are stale memory
      const cut = parseDropLine(dline(20, UDP_IP, [1, 2, 3, 4]), REASONS)!;
      const cut2 = parseDropLine(dline(20, UDP_IP, [9, 9, 9, 9]), REASONS)!;
      assert.strictEqual(cut.id.key, cut2.id.key);
      assert.doesNotMatch(cut.id.key, / > \d+$/);
      assert.match(cut.id.summary, /no transport header/);
      // less than an IP header
      assert.match(parseDropLine(dline(12, UDP_IP, UDP_L4), REASONS)!.id.summary, /12 bytes: no whole header/);
    });

    it('an IHL of 15 (60-byte header) or below 5 leaves no transport header to decode', () => {
      const ihl15 = [0x4f, ...UDP_IP.slice(1)];
      assert.doesNotMatch(parseDropLine(dline(40, ihl15, UDP_L4), REASONS)!.id.key, / > \d+$/);
      const ihl3 = [0x43, ...UDP_IP.slice(1)];
      assert.doesNotMatch(packetIdentity(0x800, Uint8Array.from([...ihl3, ...UDP_L4]), 0).key, / > \d+$/);
      // the model's side: the same bytes up to its tail
      const model = packetIdentity(0x800, Uint8Array.from([...UDP_IP, ...UDP_L4]), 0, undefined, 20);
      assert.strictEqual(model.key, parseDropLine(dline(20, UDP_IP, UDP_L4), REASONS)!.id.key);
    });

    it('compares the TTL of a matched pair, and reports drops seen on one side only', () => {
      const mk = (ttl: number, reason = 'IP_INHDR', host = 'h1'): DropRecord => {
        const b = [...UDP_IP];
        b[8] = ttl;
        return { host, fn: 'ip_rcv_core', reason, id: packetIdentity(0x800, Uint8Array.from([...b, ...UDP_L4]), 0) };
      };
      const d = compareDrops(obs({ drops: [mk(64)] }), obs({ drops: [mk(63)] }));
      assert.deepStrictEqual(
        d.map((x) => [x.field, x.model, x.kernel]),
        [['drop ttl', '64', '63']],
      );
      const one = compareDrops(obs({ drops: [mk(64, 'IP_INHDR', 'h1')] }), obs({ drops: [mk(64, 'IP_INHDR', 'h2')] }));
      assert.deepStrictEqual(one.map((x) => `${x.host}: ${x.model} / ${x.kernel}`), ['h1: ip_rcv_core IP_INHDR / (no drop)', 'h2: (no drop) / ip_rcv_core IP_INHDR']);
    });

    it('says how many drops were seen on one side only and how many an exception explained', () => {
      const r = { drops: { model: 3, kernel: 4, unmatched: 2, excepted: 1 } } as ScenarioResult;
      assert.match(dropsLine([r]), /4 in the kernel, 3 in the model; 2 on one side only \(1 reported as differences, 1 explained by version exceptions\)/);
    });

    it('the input-route drop reasons of 6.13+ are a version exception, on 6.13+ only', () => {
      const sc = parseScenario('name: x\nhosts:\n  a: ""\ntraffic:\n  - wait: 1s\n', 'x.yaml');
      const d = { host: 'a', what: 'packet #1', field: 'drop', model: 'ip_rcv_finish_core NOT_SPECIFIED', kernel: 'ip_rcv_finish_core IP_LOCALNET' };
      assert.strictEqual(applyExceptions(sc, [d], '6.18.44').kept.length, 0);
      assert.match(applyExceptions(sc, [d], '6.18.44').applied[0].name, /ip-route-input-drop-reasons/);
      assert.strictEqual(applyExceptions(sc, [d], '6.12.48').kept.length, 1);
      assert.strictEqual(applyExceptions(sc, [{ ...d, kernel: 'ip_rcv_finish_core IP_INVALID_SOURCE' }], '6.13.0').kept.length, 0);
      assert.strictEqual(applyExceptions(sc, [{ ...d, kernel: 'ip_rcv_finish_core IP_RPFILTER' }], '6.18.0').kept.length, 1, 'IP_RPFILTER is v6.12 too: no exception');
      // ip_expire's second route lookup: v6.12 frees with FRAG_REASM_TIMEOUT whatever the route said
      const exp = { ...d, model: 'ip_expire FRAG_REASM_TIMEOUT', kernel: 'ip_expire IP_INVALID_SOURCE' };
      assert.match(applyExceptions(sc, [exp], '6.18.44').applied[0]?.name ?? '', /ip-expire-route-drop-reason/);
      assert.strictEqual(applyExceptions(sc, [exp], '6.12.48').kept.length, 1);
      assert.strictEqual(applyExceptions(sc, [{ ...exp, kernel: 'inet_frag_rbtree_purge FRAG_REASM_TIMEOUT' }], '6.18.44').kept.length, 1);
    });

    it("ip_rcv_options' IP_INHDR of 6.18 is an exception only for a packet the model dropped for its options", () => {
      const text = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found', 'fix-ip-options-compile.yaml'), 'utf8');
      const sc = parseScenario(text, 'o.yaml');
      const trace = runScenario(sc);
      const refused = trace.events.find((e) => e.fn === 'ip_options_compile' && /malformed/.test(e.what))!;
      const other = trace.packets.find((p) => !trace.events.some((e) => e.packet === p.id && e.fn === 'ip_options_compile'))!;
      const d = { host: 'r', what: `packet #${refused.packet} 10.0.1.1 > 10.0.2.2`, field: 'drop', model: 'ip_rcv_finish_core NOT_SPECIFIED', kernel: 'ip_rcv_finish_core IP_INHDR' };
      assert.match(applyExceptions(sc, [d], '6.18.44', undefined, trace).applied[0]?.name ?? '', /ip-rcv-options-drop-reason/);
      assert.strictEqual(applyExceptions(sc, [d], '6.17.0', undefined, trace).kept.length, 1, 'not before 6.18');
      assert.strictEqual(applyExceptions(sc, [{ ...d, what: `packet #${other.id} x` }], '6.18.44', undefined, trace).kept.length, 1, 'another drop is a real difference');
      assert.strictEqual(applyExceptions(sc, [d], '6.18.44').kept.length, 1, 'without the trace nothing is explained');
    });

    it("tcp_check_req's TCP_OVERWINDOW of 6.15+ is an exception only for a segment the model found out of the request's window", () => {
      const text = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found', 'fix-tcp-reqsk-rst-overwindow.yaml'), 'utf8');
      const sc = parseScenario(text, 'r.yaml');
      const trace = runScenario(sc);
      const rst = trace.events.find((e) => e.fn === 'tcp_v4_rcv' && e.drop && /outside the window/.test(e.what))!;
      const d = { host: 'b', what: `packet #${rst.packet} 10.0.1.9.40000 > 10.0.1.2.80`, field: 'drop', model: 'tcp_v4_rcv NOT_SPECIFIED', kernel: 'tcp_v4_rcv TCP_OVERWINDOW' };
      assert.match(applyExceptions(sc, [d], '6.18.44', undefined, trace).applied[0]?.name ?? '', /tcp-check-req-overwindow/);
      assert.strictEqual(applyExceptions(sc, [d], '6.14.0', undefined, trace).kept.length, 1, 'not before 6.15');
      const syn = trace.packets.find((p) => /\[S\]/.test(p.summary))!;
      assert.strictEqual(applyExceptions(sc, [{ ...d, what: `packet #${syn.id} x` }], '6.18.44', undefined, trace).kept.length, 1, 'another drop is a real difference');
    });

    it("a TCP window is explained only when it is the one the model computed for the variant kernel (tcp_measure_rcv_mss's rcv_ssthresh)", () => {
      const text = 'name: w\nhosts:\n  c: |\n    ip addr add 10.0.1.1/24 dev eth0\n    ip link set eth0 up\n  s: |\n    ip addr add 10.0.1.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - c:eth0 s:eth0\nlisten:\n  - s: tcp 8080\ntraffic:\n  - from: c\n    send: tcp connect to 10.0.1.2:8080 data 3000\n';
      const sc = parseScenario(text, 'w.yaml');
      const trace = runScenario(sc);
      const ack = trace.events.find((e) => e.host === 's' && e.fn === 'tcp_transmit_skb' && /quick-ACK/.test(e.what))!;
      const d = { host: 's', what: `IPv4 frame 2 out of eth0 (model packet ${ack.packet}: …)`, field: 'tcp.window', model: '0224', kernel: '022c' };
      assert.strictEqual(applyExceptions(sc, [d], '6.18.44', undefined, trace).kept.length, 0);
      assert.strictEqual(applyExceptions(sc, [{ ...d, kernel: '022d' }], '6.18.44', undefined, trace).kept.length, 1, 'another value is a real difference');
      assert.strictEqual(applyExceptions(sc, [d], '6.18.44').kept.length, 1, 'without the trace nothing is explained');
      assert.strictEqual(applyExceptions(sc, [d], '6.12.48', undefined, trace).kept.length, 1);
    });
  });

  it('ping to a broadcast address runs with -b', () => {
    const sc = parseScenario('name: b\nhosts:\n  a: |\n    ip addr add 10.0.1.1/24 dev lo\n    ip addr add 10.0.2.1/30 dev lo\ntraffic:\n  - wait: 1s\n', 'b.yaml');
    assert.ok(isBroadcastFor(sc, 'a', '10.0.1.255'));
    assert.ok(isBroadcastFor(sc, 'a', '10.0.2.3'));
    assert.ok(isBroadcastFor(sc, 'a', '255.255.255.255'));
    assert.ok(!isBroadcastFor(sc, 'a', '10.0.1.2'));
    const ping = { to: { text: '10.0.1.255' }, count: 1 };
    assert.ok(pingArgs(ping, true).includes('-b'));
    assert.ok(!pingArgs(ping, false).includes('-b'));
  });
});
