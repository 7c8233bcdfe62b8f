// Multicast input (ip_route_input_rcu → ip_route_input_mc, Linux v6.12) and the ARP request's
// sender address (arp_solicit and arp_announce).
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

function run(bLines: string[], traffic: string, aLines: string[] = []): Trace {
  const ind = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');
  const text = `name: t
hosts:
  a: |
${ind(['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up', ...aLines])}  b: |
${ind(['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up', ...bLines])}links:
  - a:eth0 b:eth0
traffic:
${traffic}`;
  return runScenarioText(text, 't.yaml');
}

const into = (what: string): string => `  - into: b:eth0\n    send: ${what}\n`;
const fateOf = (t: Trace): string => {
  const p = t.packets.find((x) => x.origin === 'a' || x.fate.host === 'b')!;
  return `${p.fate.kind} ${p.fate.fn}${p.fate.reason ? ' ' + p.fate.reason.replace('SKB_DROP_REASON_', '') : ''}`;
};

describe('multicast input (ip_route_input_mc)', () => {
  it('delivers a datagram to 224.0.0.1, which every device that is up has joined, on a multicast route', () => {
    const t = run([], into('udp from 10.0.1.1:40000 to 224.0.0.1:4444 size 100'));
    assert.ok(t.events.some((e) => e.fn === 'ip_route_input_mc' && e.host === 'b'));
    assert.strictEqual(fateOf(t), 'dropped __udp4_lib_mcast_deliver NOT_SPECIFIED');
    assert.strictEqual(t.counters.b.IpExtInMcastPkts, 1);
    assert.strictEqual(t.counters.b.IpExtInMcastOctets, 100);
    assert.strictEqual(t.counters.b.UdpNoPorts, undefined);
    // no port unreachable for a multicast datagram
    assert.strictEqual(t.counters.b.IcmpOutMsgs, undefined);
  });

  it('refuses a group the device has not joined, forwarding on or off (-EINVAL, no ip_error)', () => {
    for (const fwd of [[], ['sysctl -w net.ipv4.conf.all.forwarding=1']]) {
      const t = run(fwd, into('udp from 10.0.1.1:40000 to 224.0.0.5:4444 size 100'));
      assert.strictEqual(fateOf(t), 'dropped ip_rcv_finish_core NOT_SPECIFIED');
      assert.strictEqual(t.counters.b.IpExtInNoRoutes, undefined);
    }
  });

  it('validates the source: our own address is a martian, 0.0.0.0 is fine for 224.0.0.0/24', () => {
    assert.strictEqual(fateOf(run([], into('udp from 10.0.1.2:40000 to 224.0.0.1:4444 size 100'))), 'dropped ip_rcv_finish_core NOT_SPECIFIED');
    assert.strictEqual(fateOf(run([], into('udp from 0.0.0.0:40000 to 224.0.0.1:4444 size 100'))), 'dropped __udp4_lib_mcast_deliver NOT_SPECIFIED');
  });
});

describe('arp_solicit: the sender address and arp_announce', () => {
  const tell = (t: Trace): string[] => t.packets.filter((p) => /ARP, Request/.test(p.summary) && p.origin === 'b').map((p) => p.summary.split(' tell ')[1]);
  // b answers a SYN to an address of its `local` route with a RST from that address
  const syn = into('tcp from 10.0.1.1:40000 to 10.9.2.7:80 flags S');

  it('takes the waiting packet\'s source when the local table calls it ours (arp_announce 0)', () => {
    assert.deepStrictEqual(tell(run(['ip route add local 10.9.2.0/24 dev lo'], syn)), ['10.9.2.7']);
  });

  it('with arp_announce 1 only a source on a subnet of the device shared with the target; with 2 never', () => {
    assert.deepStrictEqual(tell(run(['ip route add local 10.9.2.0/24 dev lo', 'sysctl -w net.ipv4.conf.eth0.arp_announce=1'], syn)), ['10.0.1.2']);
    assert.deepStrictEqual(tell(run(['ip route add local 10.9.2.0/24 dev lo', 'sysctl -w net.ipv4.conf.all.arp_announce=2'], syn)), ['10.0.1.2']);
    const onLink = into('tcp from 10.0.1.1:40000 to 10.0.1.3:80 flags S');
    assert.deepStrictEqual(tell(run(['ip addr add 10.0.1.3/24 dev eth0', 'sysctl -w net.ipv4.conf.eth0.arp_announce=1'], onLink)), ['10.0.1.3']);
    assert.deepStrictEqual(tell(run(['ip addr add 10.0.1.3/24 dev eth0', 'sysctl -w net.ipv4.conf.eth0.arp_announce=2'], onLink)), ['10.0.1.2']);
  });
});
