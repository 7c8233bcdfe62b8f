// Fidelity fixes of the core-stack helper (session 8, the 1,000-scenario run), each against the
// v6.12 source; the scenarios are the regression files in test/fidelity/found/.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

const FOUND = path.join(__dirname, '..', '..', '..', '..', 'test', 'fidelity', 'found');
const run = (name: string, edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(fs.readFileSync(path.join(FOUND, name), 'utf8')), name);
/** Where and why a packet whose summary matches was dropped: `fn REASON`, or '' when it was not. */
function dropOf(t: Trace, re: RegExp): string {
  const p = t.packets.find((x) => re.test(x.summary));
  assert.ok(p, `no packet matches ${re}: ${t.packets.map((x) => x.summary).join('\n')}`);
  const e = t.events.find((x) => x.packet === p.id && x.drop);
  return e ? `${e.fn} ${e.drop}` : '';
}

describe('fida s8: segments for a request sock (tcp_check_req, v6.12 order)', () => {
  const t = run('fix-tcp-reqsk-segments.yaml');
  it("a RST at rcv_nxt resets the request: TcpAttemptFails, EmbryonicRsts, freed by tcp_v4_rcv", () => {
    assert.strictEqual(dropOf(t, /10\.0\.1\.1\.40000 > 10\.0\.1\.2\.80: TCP \[R\]/), 'tcp_v4_rcv SKB_DROP_REASON_NOT_SPECIFIED');
    assert.strictEqual(t.counters.b.TcpAttemptFails, 1);
    assert.strictEqual(t.counters.b.TcpExtEmbryonicRsts, 1);
  });
  it('an ACK of something never sent goes to the listener, which answers with a RST (TCP_FLAGS)', () => {
    assert.strictEqual(dropOf(t, /10\.0\.1\.9\.53 > 10\.0\.1\.2\.80: TCP \[\.\]/), 'tcp_v4_do_rcv SKB_DROP_REASON_TCP_FLAGS');
    assert.ok(t.packets.some((p) => /10\.0\.1\.2\.80 > 10\.0\.1\.9\.53: TCP \[R\]/.test(p.summary)));
  });
  it('a RST with data into the window but not at rcv_nxt gets a challenge ACK', () => {
    assert.strictEqual(t.counters.b.TcpExtTCPChallengeACK, 1);
    assert.ok(t.packets.some((p) => /10\.0\.1\.2\.80 > 10\.0\.1\.9\.40000: TCP \[\.\]/.test(p.summary)), 'the challenge ACK');
    assert.strictEqual(dropOf(t, /10\.0\.1\.9\.40000 > 10\.0\.1\.2\.80: TCP \[R\]/), 'tcp_v4_rcv SKB_DROP_REASON_NOT_SPECIFIED');
  });
  it('a RST before the window is freed without an answer', () => {
    const u = run('fix-tcp-reqsk-segments.yaml', (s) => s.replace(/flags R size 100/, 'flags R'));
    assert.strictEqual(u.counters.b.TcpExtTCPChallengeACK ?? 0, 0);
    assert.strictEqual(dropOf(u, /10\.0\.1\.9\.40000 > 10\.0\.1\.2\.80: TCP \[R\]/), 'tcp_v4_rcv SKB_DROP_REASON_NOT_SPECIFIED');
  });
  it('the ACK goes through tcp_check_req first; without the request sock it meets the listener directly, with the same answer', () => {
    const ackOf = (x: Trace): number => x.packets.find((p) => /10\.0\.1\.9\.53 > 10\.0\.1\.2\.80: TCP \[\.\]/.test(p.summary))!.id;
    assert.ok(t.events.some((e) => e.packet === ackOf(t) && e.fn === 'tcp_check_req'));
    const u = run('fix-tcp-reqsk-segments.yaml', (s) => s.replace(/ {2}- into: b:eth0\n {4}send: tcp from 10\.0\.1\.9:53 to 10\.0\.1\.2:80\n/, ''));
    assert.ok(!u.events.some((e) => e.packet === ackOf(u) && e.fn === 'tcp_check_req'));
    assert.strictEqual(dropOf(u, /10\.0\.1\.9\.53 > 10\.0\.1\.2\.80: TCP \[\.\]/), 'tcp_v4_do_rcv SKB_DROP_REASON_TCP_FLAGS');
  });
});

describe('fida s8: a SYN on an established connection (tcp_validate_incoming)', () => {
  it('the SYN-ACK sent again gets a challenge ACK, which completes the server side', () => {
    const t = run('fix-tcp-syn-challenge-established.yaml');
    assert.ok(t.events.some((e) => e.host === 'h1' && e.fn === 'tcp_validate_incoming' && e.drop === 'SKB_DROP_REASON_TCP_INVALID_SYN'));
    assert.strictEqual(t.counters.h1.TcpExtTCPSYNChallenge, 1);
    assert.strictEqual(t.counters.h1.TcpExtTCPChallengeACK, 1);
    assert.strictEqual(t.counters.h1.TcpInErrs, 1);
    assert.strictEqual(t.counters.h2.TcpPassiveOpens, 1);
  });
});

describe('fida s8: ip rule unreachable (fib4_rule_action)', () => {
  it('is ENETUNREACH: IpOutNoRoutes for a local sender, IP_INNOROUTES and net unreachable on a router', () => {
    const t = run('fix-ip-rule-unreachable.yaml');
    assert.ok((t.counters.a.IpOutNoRoutes ?? 0) >= 2, JSON.stringify(t.counters.a));
    assert.strictEqual(t.counters.b.IpExtInNoRoutes, 1);
    assert.strictEqual(dropOf(t, /> 10\.7\.3\.20\.53: UDP/), 'ip_error SKB_DROP_REASON_IP_INNOROUTES');
    assert.ok(t.packets.some((p) => /ICMP net 10\.7\.3\.20 unreachable|ICMP net unreachable/.test(p.summary)), t.packets.map((p) => p.summary).join('\n'));
  });
});

describe('fida s8: a RST with no route back (tcp_v4_send_reset)', () => {
  it('counts TcpOutSegs and TcpOutRsts though nothing is sent; a SYN to a broadcast gets no RST and no count', () => {
    const t = run('fix-tcp-rst-no-route.yaml');
    assert.ok((t.counters.b.TcpOutRsts ?? 0) >= 2, JSON.stringify(t.counters.b));
    assert.strictEqual(t.counters.b.TcpOutRsts, t.counters.b.TcpOutSegs);
    assert.ok(!t.packets.some((p) => /TCP \[R/.test(p.summary)));
    const only = run('fix-tcp-rst-no-route.yaml', (s) => s.replace(/ {2}- from: a\n {4}send: tcp connect to 10\.0\.2\.1:4444\n/, ''));
    assert.strictEqual(only.counters.b.TcpOutRsts ?? 0, 0);
  });
});

describe("session 8: a SYN-ACK takes the listener's TOS, a RST the segment's (tcp_v4_send_synack, tcp_v4_send_reset)", () => {
  const t = run('fix-tcp-synack-tos.yaml');
  /** The TOS byte of the first IPv4 packet whose summary matches, as it leaves (ip_finish_output2). */
  const tosOf = (re: RegExp): number[] =>
    t.packets
      .filter((p) => re.test(p.summary))
      .map((p) => {
        const e = t.events.find((x) => x.packet === p.id && x.fn === 'ip_finish_output2' && x.skb);
        assert.ok(e, `no ip_finish_output2 for ${p.summary}`);
        return parseInt(e.skb!.bytes.slice((e.skb!.network_header! + 1) * 2, (e.skb!.network_header! + 2) * 2), 16);
      });
  it('both SYN-ACKs leave with TOS 0 although the SYNs carried 0xb8 and 0x10', () => {
    assert.deepStrictEqual(tosOf(/10\.0\.1\.2\.80 > 10\.0\.1\.1\.400[01]: TCP \[S\.\]/), [0, 0]);
  });
  it('the RST for the closed port copies the SYN\'s TOS 0xb8', () => {
    assert.deepStrictEqual(tosOf(/10\.0\.1\.2\.81 > 10\.0\.1\.1\.4002: TCP \[R/), [0xb8]);
  });
});
