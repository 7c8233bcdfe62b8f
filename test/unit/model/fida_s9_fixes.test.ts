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
