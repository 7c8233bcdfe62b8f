import * as assert from 'assert';
import { layoutTrace, pathTo, pointAt, slotOf, turnAt } from '../../../src/debugger/layout';
import { skbRows } from '../../../src/debugger/skbfields';
import { decodeSkb } from '../../../src/debugger/decode';
import { indexTrace } from '../../../src/debugger/traceIndex';
import { ttlTrace } from '../../fixtures/synthetic-trace';

describe('layer picture layout (webview logic)', () => {
  const t = ttlTrace();
  const ix = indexTrace(t);
  const l = layoutTrace(ix);
  const at = (fn: string, host?: string): number => t.events.findIndex((e) => e.fn === fn && (!host || e.host === host));

  it('finds the hosts, their devices and the link between them from the trace alone', () => {
    assert.deepStrictEqual(l.hosts.map((h) => h.name), ['client', 'router']);
    assert.deepStrictEqual(l.links, [{ a: { host: 'client', dev: 'eth0' }, b: { host: 'router', dev: 'eth0' } }]);
  });

  it('places functions in their lane and column, hooks where they sit', () => {
    assert.strictEqual(slotOf(t.events[at('ip_rcv', 'router')]), 'l3-in');
    assert.strictEqual(slotOf(t.events[at('ip_forward')]), 'forward');
    assert.strictEqual(slotOf(t.events[at('veth_xmit')]), 'l2-out');
    assert.strictEqual(slotOf(t.events[at('ping_err')]), 'sock-in');
    const pre = t.events.find((e) => e.hook?.hook === 'NF_INET_PRE_ROUTING');
    assert.ok(pre);
    assert.strictEqual(slotOf(pre), 'pre');
    // a drop stays where the packet was
    const drop = t.events.findIndex((e) => e.drop);
    assert.deepStrictEqual(pointAt(l, drop), pointAt(l, l.prevOfPacket[drop]));
  });

  it('draws the path so far across the link, and says the turn', () => {
    const fwd = at('ip_forward');
    const pts = pathTo(l, ix, fwd);
    assert.ok(pts.length > 10);
    assert.ok(pts.some((p) => p.x > l.hosts[1].x) && pts.some((p) => p.x < l.hosts[1].x), 'crosses from client to router');
    assert.match(turnAt(l, ix, at('veth_xmit', 'client')), /over the wire to router:eth0/);
    assert.match(turnAt(l, ix, fwd), /about to be dropped \(IP_INHDR\)/);
    assert.match(turnAt(l, ix, at('ip_route_input_noref', 'router')), /across to FORWARD/);
    assert.match(turnAt(l, ix, at('ip_local_deliver', 'client')), /through the INPUT hook/);
    assert.match(turnAt(l, ix, at('ping_err')), /delivered/);
  });

  it('sk_buff rows show what changed since the packet\'s previous step', () => {
    const i = at('__ip_make_skb');
    const p = l.prevOfPacket[i];
    const a = t.events[i].skb;
    const b = t.events[p].skb;
    assert.ok(a && b);
    const rows = skbRows(a, decodeSkb(a), b, decodeSkb(b));
    const changed = rows.filter((r) => r.was !== undefined).map((r) => r.name);
    assert.deepStrictEqual(changed, ['len', 'data − head', 'headroom', 'network_header', 'ip saddr → daddr', 'ip ttl']);
    assert.strictEqual(rows.find((r) => r.name === 'len')?.was, '64');
  });
});

describe('showStep: which example shows a function', () => {
  it('picks the example that reaches the function soonest', async () => {
    const { indexExamples } = await import('../../../src/debugger/examples');
    const { bigTrace } = await import('../../fixtures/synthetic-trace');
    const a = ttlTrace();
    const b = bigTrace(200);
    const idx = indexExamples([
      { file: 'a.yaml', trace: a },
      { file: 'b.yaml', trace: b },
    ]);
    assert.deepStrictEqual(idx.get('ping_v4_sendmsg'), { file: 'a.yaml', index: 0 });
    assert.strictEqual(idx.get('ping_err')?.file, 'a.yaml');
    assert.strictEqual(idx.get('icmp_reply')?.file, 'b.yaml', 'only b answers a ping');
    assert.strictEqual(idx.get('no_such_fn'), undefined);
  });
});

describe('layer picture layout with the run\'s own hosts and links', () => {
  it('draws every host and link the trace lists, in chain order, even hosts no packet reached', () => {
    const t = ttlTrace();
    const dev = (name: string, peer: string | null) => ({ name, ifindex: 2, kind: 'veth' as const, mac: '', mtu: 1500, flags: '', qdisc: 'noqueue', txqueuelen: 1000, addrs: [], peer, stats: { rx_packets: 0, tx_packets: 0, rx_bytes: 0, tx_bytes: 0, rx_dropped: 0, tx_dropped: 0 } });
    const lo = { ...dev('lo', null), kind: 'loopback' as const };
    t.hosts = [
      { name: 'server', devices: [lo, dev('eth0', 'router:eth1')], routes: [], neighbours: [] },
      { name: 'router', devices: [lo, dev('eth0', 'client:eth0'), dev('eth1', 'server:eth0')], routes: [], neighbours: [] },
      { name: 'client', devices: [lo, dev('eth0', 'router:eth0')], routes: [], neighbours: [] },
    ];
    const l = layoutTrace(t);
    assert.deepStrictEqual(l.hosts.map((h) => h.name), ['server', 'router', 'client']);
    assert.strictEqual(l.links.length, 2);
    const router = l.hosts[1];
    assert.deepStrictEqual(router.devices.map((d) => d.name), ['eth1', 'eth0'], 'eth1 faces the server on the left');
  });
});
