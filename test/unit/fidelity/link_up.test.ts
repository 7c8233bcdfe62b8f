// The harness leaves IPv6's link-up (DAD before the first item) out of the model's side and waits
// the kernel's out: what it subtracts and how long it waits.
import * as assert from 'assert';
import * as run from '../../../src/scenario/run';
import { LINKWATCH_MS, linkUpWaitMs, withoutLinkUp, type Mark } from '../../../src/fidelity/link_up';
import { V6_SETTLE_MS } from '../../../src/fidelity/replay';

const text = (b: string): string => `name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:1::1/64 dev eth0
    ip link set eth0 up
  b: |
${b}    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
    ip link set eth0 up
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: udp to [2001:db8:1::2]:53
`;

describe('fidelity: IPv6 link-up (link_up.ts)', () => {
  it('keeps only what came after the first mark: events, packets and counters since then', () => {
    const marks: Mark[] = [];
    const full = run.runScenarioText(text(''), 't.yaml', { marks });
    const { trace, marks: m2 } = withoutLinkUp(full, marks);
    assert.ok(full.packets.some((p) => p.summary.startsWith(':: >')), 'the model probed');
    assert.ok(!trace.packets.some((p) => p.summary.startsWith(':: >')), 'no probe left');
    assert.ok(!trace.events.some((e) => e.fn === 'addrconf_dad_kick' || e.fn === 'addrconf_dad_completed'));
    assert.strictEqual(m2[0].events, 0);
    assert.strictEqual(trace.events.length, full.events.length - marks[0].events);
    // a probed its link-local and its global address; b only its link-local (nodad)
    assert.strictEqual(full.counters.a.Icmp6OutNeighborSolicits - (trace.counters.a.Icmp6OutNeighborSolicits ?? 0), 2);
    assert.strictEqual(full.counters.b.Icmp6OutNeighborSolicits - (trace.counters.b.Icmp6OutNeighborSolicits ?? 0), 1);
    assert.strictEqual(trace.counters.a.Udp6OutDatagrams, 1);
  });

  it('waits V6_SETTLE_MS, or the model link-up (its MLD retransmissions included) plus linkwatch and a second when that is longer', () => {
    const wait = (b: string): number => {
      const marks: Mark[] = [];
      run.runScenarioText(text(b), 't.yaml', { marks });
      return linkUpWaitMs(marks, V6_SETTLE_MS);
    };
    // a: DAD 996 ms + 1 s, the MLD report after it again 1004 ms later (the latest draw)
    assert.strictEqual(wait(''), 3000 + LINKWATCH_MS + 1000);
    // b: five probes with no random delay: 5 s of DAD, then the MLD reports
    assert.strictEqual(wait('    sysctl -w net.ipv6.conf.eth0.dad_transmits=5\n    sysctl -w net.ipv6.conf.eth0.router_solicitation_delay=0\n'), 6004 + LINKWATCH_MS + 1000);
    assert.strictEqual(linkUpWaitMs([{ events: 0, now: 0 }], V6_SETTLE_MS), V6_SETTLE_MS);
  });
});
