// Fidelity fixes of the core-stack helper (session 9, seeds 990050-990071), each against the
// v6.12 source (and, for ping's own schedule, iputils 20221126); the scenarios are the regression
// files in test/fidelity/found/.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

const FOUND = path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found');
const run = (name: string, edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(path.join(FOUND, name), 'utf8')), name);
/** the echo requests a host's ping handed to raw_sendmsg / rawv6_sendmsg, by sequence number */
function echoSeqs(t: Trace, host: string): number[] {
  return t.events.filter((e) => e.host === host && (e.fn === 'raw_sendmsg' || e.fn === 'rawv6_sendmsg') && /^ping sends/.test(e.what)).map((e) => Number(/ seq (\d+)/.exec(e.what)![1]));
}
const times = (xs: number[], v: number): number => xs.filter((x) => x === v).length;

describe('fida s9: ping sends an echo request again after ENOBUFS (raw_sendmsg with IP_RECVERR, iputils pinger)', () => {
  const t = run('fix-ping-enobufs-retry.yaml');
  it('IPv4: seq 1 waits for ARP and is dropped later (no error), seq 2 is tried 20 times, seq 3 once', () => {
    const s = echoSeqs(t, 'a');
    assert.deepStrictEqual([times(s, 1), times(s, 2), times(s, 3)], [1, 20, 1]);
    assert.strictEqual(t.counters.a.IcmpOutEchos, 22);
    assert.strictEqual(t.counters.a.IpOutDiscards, 21, 'each refused send is an IpOutDiscards of ip_send_skb');
  });
  it('the retries are an interval apart', () => {
    const at = t.events.filter((e) => e.host === 'a' && e.fn === 'raw_sendmsg' && / seq 2 /.test(e.what) && /^ping sends/.test(e.what)).map((e) => e.time);
    for (let i = 1; i < at.length; i++) assert.strictEqual(at[i] - at[i - 1], 1e9);
  });
  it('IPv6: the same schedule through rawv6_sendmsg', () => {
    const s = echoSeqs(t, 'c');
    assert.deepStrictEqual([times(s, 1), times(s, 2)], [1, 20]);
  });
  it('a peer that takes the frame: no error, no retry', () => {
    const u = run('fix-ping-enobufs-retry.yaml', (x) => x.replace('ip link set eth0 mtu 576', 'ip link set eth0 mtu 1500'));
    assert.deepStrictEqual(echoSeqs(u, 'a'), [1, 2, 3]);
  });
});

/** the IP frag_off word of a packet as it left its host (its last event with an sk_buff on that host) */
function fragOff(t: Trace, re: RegExp, field = 6): number {
  const p = t.packets.find((x) => re.test(x.summary));
  assert.ok(p, `no packet matches ${re}`);
  const e = [...t.events].reverse().find((x) => x.packet === p.id && x.host === p.origin && x.skb && x.skb.network_header !== null);
  assert.ok(e?.skb);
  const b = Buffer.from(e.skb.bytes, 'hex');
  return b.readUInt16BE(e.skb.network_header! + field);
}

describe('fida s9: a SYN-ACK of at most 576 bytes has DF (ip_build_and_send_pkt)', () => {
  const t = run('fix-tcp-synack-small-df.yaml');
  it('with ip_no_pmtu_disc=1 the SYN-ACK still has DF and IP ID 0', () => {
    assert.strictEqual(fragOff(t, /10\.0\.1\.2\.80 > 10\.0\.1\.1\.\d+: TCP \[S\.\]/), 0x4000);
    assert.strictEqual(fragOff(t, /10\.0\.1\.2\.80 > 10\.0\.1\.1\.\d+: TCP \[S\.\]/, 4), 0, 'IP ID');
  });
  it("the listener's connection sends without DF (ip_queue_xmit asks ip_dont_fragment)", () => {
    assert.strictEqual(fragOff(t, /10\.0\.1\.2\.80 > 10\.0\.1\.1\.\d+: TCP \[\.\]/), 0);
  });
  it('the client (ip_no_pmtu_disc=0) sends with DF', () => {
    assert.strictEqual(fragOff(t, /10\.0\.1\.1\.\d+ > 10\.0\.1\.2\.80: TCP \[P\.\]/), 0x4000);
  });
});

/** the bytes of a packet as it left (or last was seen on) a host */
function bytesOn(t: Trace, id: number, host: string): { b: Buffer; nh: number } {
  const e = [...t.events].reverse().find((x) => x.packet === id && x.host === host && x.skb && x.skb.network_header !== null);
  assert.ok(e?.skb, `packet ${id} has no sk_buff on ${host}`);
  return { b: Buffer.from(e.skb.bytes, 'hex'), nh: e.skb.network_header! };
}
const ipSum = (b: Buffer, nh: number): number => {
  let s = 0;
  for (let i = 0; i < (b[nh] & 15) * 4; i += 2) s += b.readUInt16BE(nh + i);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
};

describe('fida s9: IP options of a received packet (ip_rcv_options, ip_options_compile)', () => {
  const t = run('fix-ip-options-compile.yaml');
  it('a malformed option: parameter problem pointing at byte 20, IpInHdrErrors, freed in ip_rcv_finish_core (NOT_SPECIFIED)', () => {
    assert.strictEqual(t.counters.r.IcmpOutParmProbs, 1);
    assert.strictEqual(t.counters.r.IpInHdrErrors, 2);
    const pp = t.packets.find((p) => /ICMP parameter problem/.test(p.summary));
    assert.ok(pp, 'a parameter problem');
    const { b, nh } = bytesOn(t, pp.id, 'r');
    assert.strictEqual(b[nh + 20 + 4], 20, 'the pointer');
    assert.strictEqual(t.events.filter((e) => e.host === 'r' && e.fn === 'ip_rcv_finish_core' && e.drop === 'SKB_DROP_REASON_NOT_SPECIFIED').length, 2);
  });
  it('no parameter problem about an ICMP packet whose header leaves no ICMP type to read', () => {
    assert.ok(t.events.some((e) => e.host === 'r' && e.fn === '__icmp_send' && /leaves no ICMP type/.test(e.what)));
  });
  it('END clears the bytes after it; the router recomputes the checksum (ip_forward_options)', () => {
    const p = t.packets.find((x) => x.origin !== 'r' && /length 100$/.test(x.summary) && t.events.some((e) => e.packet === x.id && e.fn === 'ip_forward_options'));
    assert.ok(p, 'the forwarded datagram');
    const { b, nh } = bytesOn(t, p.id, 'r');
    assert.deepStrictEqual([...b.subarray(nh + 20, nh + 24)], [0, 0, 0, 0]);
    assert.strictEqual(ipSum(b, nh), 0xffff, 'a valid header checksum');
  });
  it('the later fragments of a forwarded datagram carry NOOPs for an option without the copied bit (ip_options_fragment)', () => {
    const frags = t.packets.filter((x) => /frag offset/.test(x.summary) && t.events.some((e) => e.packet === x.id && e.host === 'r' && e.fn === 'ip_do_fragment'));
    assert.ok(frags.length >= 2);
    const first = bytesOn(t, frags[0].id, 'r');
    const second = bytesOn(t, frags[1].id, 'r');
    assert.strictEqual(first.b[first.nh + 20], 8, 'the first fragment keeps option type 8');
    assert.deepStrictEqual([...second.b.subarray(second.nh + 20, second.nh + 24)], [1, 1, 1, 1]);
    assert.strictEqual(ipSum(second.b, second.nh), 0xffff);
  });
  it('an option that would take effect (record route) is refused as not modelled', () => {
    assert.throws(
      () => run('fix-ip-options-compile.yaml', (s) => s.replace('icmp echo-request from 10.0.1.1 to 10.0.2.2 ihl 15', 'udp from 10.0.1.1:1796 to 10.0.2.2:63739 ihl 6')),
      /record route option .* not modelled/,
    );
  });
});

describe('fida s9: a RST is never answered with a RST (tcp_v4_send_reset)', () => {
  const t = run('fix-tcp-rst-not-answered.yaml');
  it("a RST+ACK to a listener is freed (TCP_FLAGS) and nothing is sent", () => {
    const rst = t.packets.find((p) => /10\.0\.1\.2\.8080 > 10\.0\.1\.1\.80: TCP \[R\.\]/.test(p.summary));
    assert.ok(rst);
    assert.ok(t.events.some((e) => e.packet === rst.id && e.host === 'a' && e.fn === 'tcp_v4_do_rcv' && e.drop === 'SKB_DROP_REASON_TCP_FLAGS'));
    assert.strictEqual(t.counters.a.TcpOutRsts ?? 0, 0);
    assert.ok(!t.packets.some((p) => /10\.0\.1\.1\.80 > 10\.0\.1\.2\.8080: TCP \[R\]/.test(p.summary)));
  });
  it('a bare ACK to the listener still gets its RST', () => {
    const u = run('fix-tcp-rst-not-answered.yaml', (s) => s.replace('send: tcp from 10.0.1.1:80 to 10.0.1.2:8080', 'send: tcp from 10.0.1.2:8080 to 10.0.1.1:80 flags A').replace('into: b:eth0', 'into: a:eth0'));
    assert.strictEqual(u.counters.a.TcpOutRsts, 1);
  });
});
