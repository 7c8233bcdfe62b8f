// ICMP errors reaching sockets, broadcasts, reply marks, routes to 0.0.0.0 and `mtu lock`, TCP
// windows, the netfilter RST and listeners sharing a port: each behaviour as v6.12 has it, on the
// regression scenarios in test/fidelity/found (which the fidelity harness checks on a kernel) and
// on small variations of them that must change the outcome.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import { ScenarioErrors } from '../../../src/scenario/types';
import type { Trace, TraceEvent } from '../../../src/trace/contract';
import { EXAMPLES, fns } from './helpers';

const FOUND = path.resolve(EXAMPLES, '../test/fidelity/found');
const text = (name: string): string => fs.readFileSync(path.join(FOUND, `${name}.yaml`), 'utf8');
const run = (name: string, edit: (s: string) => string = (s) => s): Trace => runScenarioText(edit(text(name)), `${name}.yaml`);
const counter = (t: Trace, host: string, name: string): number => t.counters[host]?.[name] ?? 0;
const packets = (t: Trace, re: RegExp): Trace['packets'] => t.packets.filter((p) => re.test(p.summary));

/** The IPv4 header of the packet as the event saw it. */
function ipOf(e: TraceEvent): { df: boolean; saddr: string; daddr: string } {
  const b = Buffer.from(e.skb!.bytes, 'hex');
  const o = e.skb!.network_header!;
  return { df: (b[o + 6] & 0x40) !== 0, saddr: b.subarray(o + 12, o + 16).join('.'), daddr: b.subarray(o + 16, o + 20).join('.') };
}
const firstEvent = (t: Trace, packet: number, fn: string): TraceEvent => {
  const e = t.events.find((x) => x.packet === packet && x.fn === fn);
  assert.ok(e, `packet ${packet} has no ${fn} step`);
  return e;
};

describe('ICMP errors reaching sockets (v6.12)', () => {
  it('a host unreachable aborts a connect in SYN_SENT, unless connect() still holds the socket', () => {
    const t = run('fix-tcp-connect-unreachable');
    // the first error arrives inside connect() (LockDroppedIcmps), the second aborts it
    assert.strictEqual(counter(t, 'client', 'TcpExtLockDroppedIcmps'), 1);
    assert.strictEqual(counter(t, 'client', 'TcpAttemptFails'), 1);
    assert.strictEqual(packets(t, /> 10\.0\.9\.9\.80: TCP \[S\]/).length, 2, 'one SYN and one retransmission, then no more');
    assert.ok(t.events.some((e) => e.fn === 'tcp_done' && e.host === 'client'));
    // without the router's error the connect would go on retrying
    const quiet = run('fix-tcp-connect-unreachable', (s) => s.replace('ip route add unreachable 10.0.9.0/24', 'ip route add blackhole 10.0.9.0/24'));
    assert.strictEqual(counter(quiet, 'client', 'TcpAttemptFails'), 1);
    assert.strictEqual(counter(quiet, 'client', 'TcpExtTCPAbortOnTimeout'), 1);
    assert.ok(packets(quiet, /> 10\.0\.9\.9\.80: TCP \[S\]/).length > 2);
  });

  it('a redirect goes through icmp_redirect to __ip_do_redirect: neighbour event first, exception once it is valid', () => {
    const t = run('fix-icmp-redirect');
    const redirect = packets(t, /ICMP redirect/)[0];
    assert.ok(fns(t, redirect.id, 'client').join(' ').includes('icmp_rcv icmp_redirect __ip_do_redirect'));
    assert.ok(!t.events.some((e) => e.fn === 'icmp_discard'));
    // 10.0.1.3 unknown: the client asks for it itself
    assert.ok(packets(t, /who-has 10\.0\.1\.3 tell 10\.0\.1\.2/).length > 0);
    // 10.0.1.4 permanent: the second ping to 10.0.8.8 goes to its MAC, which the router drops as not its own
    const seq2 = packets(t, /10\.0\.8\.8: ICMP echo request.*seq 2/)[0];
    assert.strictEqual(seq2.fate.kind, 'dropped');
    assert.strictEqual(seq2.fate.reason, 'SKB_DROP_REASON_OTHERHOST');
    // with accept_redirects off on the client, the route stays: seq 2 is forwarded by the router again
    const off = run('fix-icmp-redirect', (s) => s.replace('    ip route add default via 10.0.1.1\n', '    ip route add default via 10.0.1.1\n    sysctl -w net.ipv4.conf.all.accept_redirects=0\n    sysctl -w net.ipv4.conf.eth0.accept_redirects=0\n'));
    const seq2off = packets(off, /10\.0\.8\.8: ICMP echo request.*seq 2/)[0];
    assert.notStrictEqual(seq2off.fate.reason, 'SKB_DROP_REASON_OTHERHOST');
    assert.ok(!packets(off, /who-has 10\.0\.1\.3 tell 10\.0\.1\.2/).length);
  });

  it('ICMP to a broadcast: echo answered from fib_compute_spec_dst, other types refused', () => {
    const t = run('fix-icmp-broadcast');
    const replies = packets(t, /ICMP echo reply/).filter((p) => p.origin === 'beta');
    assert.strictEqual(replies.length, 2);
    for (const r of replies) assert.strictEqual(ipOf(firstEvent(t, r.id, 'icmp_push_reply')).saddr, '10.0.1.2');
    const toBcast = packets(t, /> 10\.0\.1\.255: ICMP echo reply/)[0];
    assert.strictEqual(toBcast.fate.reason, 'SKB_DROP_REASON_INVALID_PROTO');
    assert.strictEqual(counter(t, 'beta', 'IcmpInErrors'), 1);
  });

  it('replies and errors are routed with IP4_REPLY_MARK: the packet mark only with fwmark_reflect', () => {
    const t = run('fix-icmp-reply-mark');
    assert.strictEqual(counter(t, 'beta', 'IcmpOutEchoReps'), 1);
    assert.strictEqual(counter(t, 'beta', 'IcmpOutDestUnreachs'), 1);
    assert.strictEqual(counter(t, 'gamma', 'IcmpOutMsgs'), 0, 'the marked replies meet the blackhole of table 100');
    const flipped = run('fix-icmp-reply-mark', (s) => s.replace('sysctl -w net.ipv4.fwmark_reflect=1', 'sysctl -w net.ipv4.fwmark_reflect=0'));
    assert.strictEqual(counter(flipped, 'gamma', 'IcmpOutEchoReps'), 1);
  });
});

describe('broadcast UDP (v6.12)', () => {
  it('needs SO_BROADCAST, loops back to the sender, and never draws a port unreachable', () => {
    const t = run('fix-udp-broadcast');
    const refused = t.packets.find((p) => p.fate.kind === 'dropped' && p.fate.fn === 'udp_sendmsg');
    assert.strictEqual(refused?.fate.detail, 'Permission denied');
    assert.strictEqual(counter(t, 'alpha', 'UdpIgnoredMulti'), 3, 'each broadcast loops back to alpha, which has no socket on the port');
    assert.strictEqual(counter(t, 'beta', 'UdpIgnoredMulti'), 1);
    assert.strictEqual(counter(t, 'beta', 'IcmpOutMsgs'), 0);
    assert.strictEqual(counter(t, 'beta', 'UdpNoPorts'), 0);
    assert.deepStrictEqual(t.sockets.find((s) => s.host === 'beta')!.received.map((r) => r.from), ['10.0.1.1:40002', '10.0.1.1:40004']);
  });

  it('UDP listeners with SO_REUSEADDR share a port; the exact address wins; TCP listeners may not overlap', () => {
    const t = run('fix-udp-reuseaddr-listeners');
    const got = (local: string): string[] => t.sockets.find((s) => s.local === local)!.received.map((r) => r.from);
    assert.deepStrictEqual(got('10.0.1.2:53'), ['10.0.1.1:40001']);
    assert.deepStrictEqual(got('0.0.0.0:53'), ['10.0.1.1:40002', '10.0.1.1:40003']);
    const tcp = text('fix-udp-reuseaddr-listeners').replace('  - server: udp 10.0.1.2:53', '  - server: tcp 10.0.1.2:80\n  - server: tcp 80');
    let errors: string[] = [];
    try {
      runScenarioText(tcp, 'tcp.yaml');
    } catch (e) {
      if (!(e instanceof ScenarioErrors)) throw e;
      errors = e.errors.map((x) => x.message);
    }
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0], /^tcp\.yaml:\d+:5: tcp port 80 is already bound on `server` .*EADDRINUSE/);
  });
});

describe('routing and TCP details (v6.12)', () => {
  it('0.0.0.0 as a destination is 127.0.0.1 through lo', () => {
    const t = run('fix-route-output-zeronet');
    assert.deepStrictEqual(t.sockets.find((s) => s.host === 'alpha')!.received.map((r) => r.from), ['127.0.0.1:40001']);
    assert.strictEqual(counter(t, 'alpha', 'IcmpInEchoReps'), 1);
    assert.strictEqual(counter(t, 'beta', 'IpInReceives'), 0);
  });

  it('mtu lock: no DF from path MTU discovery, fragments at the locked MTU, window quantized to its MSS', () => {
    const t = run('fix-route-mtu-lock');
    const out = t.events.filter((e) => e.host === 'alpha' && e.fn === '__ip_local_out');
    assert.ok(out.length >= 5);
    for (const e of out) assert.strictEqual(ipOf(e).df, false, `DF on ${e.what}`);
    assert.strictEqual(counter(t, 'alpha', 'IpFragCreates'), 2);
    const syn = packets(t, /TCP \[S\] /)[0];
    const b = Buffer.from(firstEvent(t, syn.id, 'tcp_transmit_skb').skb!.bytes, 'hex');
    const th = firstEvent(t, syn.id, 'tcp_transmit_skb').skb!.transport_header!;
    assert.strictEqual(b.readUInt16BE(th + 14), 65280, '68 × MSS 960');
    // the same route without the lock: DF again
    const unlocked = run('fix-route-mtu-lock', (s) => s.replace('via 10.0.1.2 mtu lock 1000', 'via 10.0.1.2 mtu 1000'));
    const first = unlocked.events.find((e) => e.host === 'alpha' && e.fn === '__ip_local_out')!;
    assert.strictEqual(ipOf(first).df, true);
  });

  it('reject with tcp reset: a CHECKSUM_PARTIAL RST whose netfilter path starts at LOCAL_OUT', () => {
    const t = run('fix-nf-reject-tcp-reset');
    const rst = packets(t, /TCP \[R\.\]/)[0];
    const hooks = t.events.filter((e) => e.packet === rst.id && e.host === 'server' && e.hook).map((e) => e.hook!.hook);
    assert.deepStrictEqual([...new Set(hooks)], ['NF_INET_LOCAL_OUT', 'NF_INET_POST_ROUTING']);
    assert.strictEqual(firstEvent(t, rst.id, 'nf_send_reset').skb!.ip_summed, 'CHECKSUM_PARTIAL');
    assert.strictEqual(rst.fate.fn, 'tcp_reset');
  });
});
