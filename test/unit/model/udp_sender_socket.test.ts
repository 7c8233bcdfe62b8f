// The socket a `send: udp … from :PORT` item binds (udp_lib_get_port, __udp4_lib_lookup, v6.12):
// it stays open, bound, until the scenario ends, and its application never reads it.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { twoHostsText } from '../../fixtures/two-hosts';

function run(traffic: string[], listen = ''): Trace {
  return runScenarioText(twoHostsText({ listen: listen ? [listen] : [], traffic }), 't.yaml');
}

const fateTo = (t: Trace, port: number): string => {
  const p = t.packets.find((x) => x.summary.includes(`> 10.0.1.2.${port}:`) && x.fate.host === 'b')!;
  return `${p.fate.kind} ${p.fate.fn}`;
};

describe('UDP: the socket of a `from :PORT` sender', () => {
  it('queues a later datagram to that port, unread: no UdpNoPorts, no port unreachable, no UdpInDatagrams', () => {
    const t = run(['from: b\n    send: udp to 10.0.1.1:9000 from :53', 'from: a\n    send: udp to 10.0.1.2:53']);
    assert.strictEqual(fateTo(t, 53), 'delivered __udp_enqueue_schedule_skb');
    assert.strictEqual(t.counters.b.UdpNoPorts, undefined);
    assert.strictEqual(t.counters.b.UdpInDatagrams, undefined);
    assert.strictEqual(t.counters.b.IcmpOutDestUnreachs, undefined);
  });

  it('without that send the same datagram meets no socket (the control)', () => {
    const t = run(['from: b\n    send: udp to 10.0.1.1:9000', 'from: a\n    send: udp to 10.0.1.2:53']);
    assert.strictEqual(fateTo(t, 53), 'dropped __udp4_lib_rcv');
    assert.strictEqual(t.counters.b.UdpNoPorts, 1);
  });

  it('takes a broadcast to its port (__udp4_lib_mcast_deliver)', () => {
    const t = run(['from: b\n    send: udp to 10.0.1.1:9000 from :53', 'from: a\n    send: udp to 10.0.1.255:53 broadcast']);
    const p = t.packets.find((x) => x.summary.includes('> 10.0.1.255.53:') && x.fate.host === 'b')!;
    assert.strictEqual(p.fate.fn, '__udp_enqueue_schedule_skb');
    assert.strictEqual(t.counters.b.UdpIgnoredMulti, undefined);
  });

  it('fails with EADDRINUSE, sending nothing, from a port a listener holds', () => {
    const t = run(['from: a\n    send: udp to 10.0.1.2:9000 from :7000'], 'a: udp 7000');
    assert.ok(t.events.some((e) => e.fn === 'udp_lib_get_port' && e.ret === '-EADDRINUSE'));
    assert.ok(!t.packets.some((x) => x.summary.includes('10.0.1.2.9000')));
    assert.strictEqual(t.counters.a.UdpOutDatagrams, undefined);
  });

  it('sends a second item from the same port with that item\'s own TTL', () => {
    const t = run(['from: b\n    send: udp to 10.0.1.1:9000 from :53 ttl 3', 'from: b\n    send: udp to 10.0.1.1:9001 from :53']);
    const ttls = t.packets.filter((x) => /10\.0\.1\.2\.53 > 10\.0\.1\.1\.900[01]:/.test(x.summary) && x.origin === 'b' && x.parent === null).map((x) => /ttl (\d+)/.exec(x.summary)![1]);
    assert.deepStrictEqual(ttls, ['3', '64']);
  });
});
