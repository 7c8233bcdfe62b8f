// An MTU below IPV6_MIN_MTU stops IPv6 on the device (addrconf_notify NETDEV_CHANGEMTU →
// addrconf_ifdown, v6.12): its addresses, routes and neighbours go, packets from it are discarded
// in ip6_rcv_core, and what needs an inet6_dev fails as the kernel's does.
import * as assert from 'assert';
import { runScenarioText } from '../traffic_phase';

const scenario = (b: string, traffic: string): string => `name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  b: |
${b
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
links:
  - a:eth0 b:eth0
traffic:
${traffic}
`;
const B = 'ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad\nip link set eth0 up\nip link set eth0 mtu 1000';

describe('IPv6: an MTU below 1280 (addrconf_ifdown)', () => {
  it('discards what arrives (no inet6_dev: Ip6InDiscards, NOT_SPECIFIED) so ND for the address fails', () => {
    const t = runScenarioText(scenario(B, '  - from: a\n    send: icmp echo-request to 2001:db8:1::2'), 't.yaml');
    assert.strictEqual(t.counters.b.Ip6InDiscards, 3, 'the three solicitations');
    assert.ok(!t.counters.b.Icmp6InNeighborSolicits);
    assert.ok(!t.packets.some((p) => p.summary.includes('echo reply')));
    const ns = t.packets.filter((p) => p.summary.includes('neighbour solicitation'));
    assert.ok(ns.every((p) => p.fate.kind === 'dropped' && p.fate.host === 'b' && p.fate.fn === 'ip6_rcv_core'));
  });

  it('takes the routes away: a send from the device finds no route (ENETUNREACH)', () => {
    const t = runScenarioText(scenario(B, '  - from: b\n    send: udp to [2001:db8:1::1]:7000'), 't.yaml');
    assert.strictEqual(t.counters.b.Ip6OutNoRoutes, 1);
    assert.ok(!t.counters.b.Udp6OutDatagrams);
  });

  it('the MTU of 1280 itself keeps IPv6', () => {
    const t = runScenarioText(scenario(B.replace('mtu 1000', 'mtu 1280'), '  - from: a\n    send: icmp echo-request to 2001:db8:1::2'), 't.yaml');
    assert.ok(t.packets.some((p) => p.summary.includes('echo reply') && p.fate.kind === 'delivered'));
  });

  it('refuses what needs an inet6_dev afterwards, as the kernel fails or as not modelled', () => {
    const err = (b: string): string => {
      try {
        runScenarioText(scenario(b, '  - from: a\n    send: icmp echo-request to 2001:db8:1::2'), 't.yaml');
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    assert.match(err(`${B}\nip -6 addr add 2001:db8:1::3/64 dev eth0 nodad`), /Invalid argument/);
    assert.match(err(`${B}\nsysctl -w net.ipv6.conf.eth0.forwarding=1`), /No such file or directory/);
    assert.match(err(`${B}\nip link set eth0 mtu 1500`), /a new inet6_dev .*not modelled/);
    assert.strictEqual(err(`${B}\nsysctl -w net.ipv6.conf.all.forwarding=1`), '');
  });
});
