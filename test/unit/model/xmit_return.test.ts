// Return values down and up the transmit path (Linux v6.12): what a device layer that could
// not send tells its callers, what they count, and the `ret` the trace shows where it is decided.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import { formatTrace } from '../../../src/debugger/format';
import type { Trace } from '../../../src/trace/contract';
import { deriveMac } from '../../../src/model/proto/addr';
import { NET_SYSCTL_DEFAULTS } from '../../../src/model/net/net_namespace';

/** client (eth0 192.168.1.10) — peer (eth0 192.168.1.20), the peer's MAC known to the client. */
function run(peer: string[], send: string, client: string[] = []): Trace {
  const lines = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');
  const text =
    `name: t\nhosts:\n  client: |\n${lines(['ip addr add 192.168.1.10/24 dev eth0', 'ip link set eth0 up', `ip neigh add 192.168.1.20 lladdr ${deriveMac('peer', 'eth0')} dev eth0 nud permanent`, ...client])}` +
    `  peer: |\n${lines(['ip addr add 192.168.1.20/24 dev eth0', ...peer])}links:\n  - client:eth0 peer:eth0\ntraffic:\n  - from: client\n    send: ${send}\n`;
  return runScenarioText(text, 't.yaml');
}

const rets = (t: Trace): string[] => t.events.filter((e) => e.ret).map((e) => `${e.host} ${e.fn} ${e.ret}`);
const dev = (t: Trace, host: string): { tx_packets: number; tx_dropped: number; rx_dropped: number } => t.hosts!.find((h) => h.name === host)!.devices.find((d) => d.name === 'eth0')!.stats;

describe('transmit return values', () => {
  it('a frame the veth peer refuses (too big for its MTU): NET_RX_DROP → NET_XMIT_DROP → -ENOBUFS, IpOutDiscards and UdpSndbufErrors', () => {
    const t = run(['ip link set eth0 mtu 1000', 'ip link set eth0 up'], 'udp to 192.168.1.20:7000 size 1400');
    assert.deepStrictEqual(rets(t), ['client __dev_forward_skb2 NET_RX_DROP', 'client veth_xmit NET_XMIT_DROP', 'client ip_send_skb -ENOBUFS', 'client udp_send_skb 0']);
    assert.deepStrictEqual([t.counters.client.IpOutDiscards, t.counters.client.UdpSndbufErrors, t.counters.client.UdpOutDatagrams], [1, 1, undefined]);
    assert.deepStrictEqual([dev(t, 'client').tx_packets, dev(t, 'client').tx_dropped, dev(t, 'peer').rx_dropped], [0, 1, 1]);
    assert.match(formatTrace(t), /veth_xmit {2}→ NET_XMIT_DROP/);
  });

  it('a veth without carrier (its peer is down) has noop_qdisc: QDISC_DROP with NET_XMIT_CN, which is no error to UDP', () => {
    const t = run([], 'udp to 192.168.1.20:7000 size 100');
    assert.deepStrictEqual(t.packets[0].fate, { kind: 'dropped', host: 'client', fn: '__dev_queue_xmit', reason: 'SKB_DROP_REASON_QDISC_DROP' });
    assert.deepStrictEqual(rets(t), ['client __dev_queue_xmit NET_XMIT_CN']);
    assert.deepStrictEqual([t.counters.client.IpOutDiscards, t.counters.client.UdpOutDatagrams], [undefined, 1]);
    assert.deepStrictEqual([dev(t, 'client').tx_packets, dev(t, 'client').tx_dropped], [0, 1]);
  });

  it('a full backlog at the peer (NET_RX_DROP) stops ip_do_fragment at that fragment: IpFragFails, the frag_list freed', () => {
    // netdev_max_backlog is the machine's (init_net only: a scenario's namespaces cannot write it), so the test sets the model's value
    const saved = NET_SYSCTL_DEFAULTS['net.core.netdev_max_backlog'];
    NET_SYSCTL_DEFAULTS['net.core.netdev_max_backlog'] = 1;
    let t: Trace;
    try {
      t = run(['ip link set eth0 up'], 'udp to 192.168.1.20:7000 size 4000 no-df');
    } finally {
      NET_SYSCTL_DEFAULTS['net.core.netdev_max_backlog'] = saved;
    }
    assert.deepStrictEqual(rets(t), ['peer enqueue_to_backlog NET_RX_DROP', 'client veth_xmit NET_XMIT_DROP', 'client ip_do_fragment 1', 'client ip_send_skb -ENOBUFS', 'client udp_send_skb 0']);
    const c = t.counters.client;
    assert.deepStrictEqual([c.IpFragCreates, c.IpFragFails, c.IpFragOKs, c.IpOutDiscards, c.UdpSndbufErrors], [1, 1, undefined, 1, 1]);
    // a datagram ip_append_data built as 3 pieces takes the fast path: fragment 1 is queued at
    // the peer, fragment 2 finds the backlog full; fragment 3, whose header ip_fraglist_prepare
    // already wrote, is freed with the rest of the frag_list
    assert.strictEqual(t.events.filter((e) => e.fn === 'ip_do_fragment' && /^Fragment \d+ of/.test(e.what)).length, 2, 'the third fragment never goes down');
    assert.deepStrictEqual(t.packets[0].fate, { kind: 'consumed', host: 'client', fn: 'ip_do_fragment', detail: '2 of 3 fragments sent' });
    const freed = t.events.filter((e) => e.fn === 'ip_do_fragment' && e.drop);
    assert.strictEqual(freed.length, 1);
    assert.match(t.packets.find((p) => p.id === freed[0].packet)!.summary, /length 1040, frag offset 2960$/);
  });

  it('a successful send returns nothing to show and counts as sent', () => {
    const t = run(['ip link set eth0 up'], 'udp to 192.168.1.20:7000 size 100');
    assert.deepStrictEqual(rets(t), []);
    // the datagram, then the client's ARP reply to the peer (which answers with port unreachable)
    assert.deepStrictEqual([t.counters.client.UdpOutDatagrams, dev(t, 'client').tx_packets, dev(t, 'client').tx_dropped], [1, 2, 0]);
  });
});
