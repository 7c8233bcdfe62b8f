// What an IPv6 host counts when it cannot answer (v6.12): ip6_dst_lookup_tail's Ip6OutNoRoutes
// for no route, icmpv6_xrlim_allow's own lookup for an error, and icmpv6_global_allow's
// IcmpOutRateLimitGlobal.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

const ind = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');

/** a (2001:db8:1::1) reaches b (2001:db8:2::2) on-link; b's way back is what `bLines` make it */
function run(bLines: string[], traffic: string): Trace {
  return runScenarioText(
    `name: t
hosts:
  a: |
${ind(['ip link set eth0 up', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad', 'ip -6 route add 2001:db8:2::/64 dev eth0'])}  b: |
${ind(['ip link set eth0 up', 'ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad', ...bLines])}links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: ${traffic}
`,
    't.yaml',
  );
}

const ping = 'icmp echo-request to 2001:db8:2::2';
const udp = 'udp to [2001:db8:2::2]:9000';
const sent = (t: Trace, re: RegExp): number => t.packets.filter((p) => p.origin === 'b' && re.test(p.summary)).length;

describe('IPv6: counting a reply or an error that has no route', () => {
  it('an echo reply with no route back counts Ip6OutNoRoutes; with a route it goes out', () => {
    const none = run([], ping);
    assert.strictEqual(sent(none, /echo reply/), 0);
    assert.strictEqual(none.counters.b.Ip6OutNoRoutes, 1);
    const back = run(['ip -6 route add 2001:db8:1::/64 dev eth0'], ping);
    assert.strictEqual(sent(back, /echo reply/), 1);
    assert.strictEqual(back.counters.b.Ip6OutNoRoutes, undefined);
  });

  it('an error route other than "no route" (prohibit: EACCES) fails the echo reply without the count', () => {
    const t = run(['ip -6 route add prohibit 2001:db8:1::/64'], ping);
    assert.strictEqual(sent(t, /echo reply/), 0);
    assert.strictEqual(t.counters.b.Ip6OutNoRoutes, undefined);
  });

  it('a port unreachable with no route back: icmpv6_xrlim_allow counts Ip6OutNoRoutes and Icmp6OutRateLimitHost, for any error route', () => {
    for (const bLines of [[], ['ip -6 route add prohibit 2001:db8:1::/64']]) {
      const t = run(bLines, udp);
      assert.strictEqual(t.counters.b.Udp6NoPorts, 1);
      assert.strictEqual(sent(t, /unreachable/), 0);
      assert.strictEqual(t.counters.b.Ip6OutNoRoutes, 1);
      assert.strictEqual(t.counters.b.Icmp6OutRateLimitHost, 1);
    }
  });

  it('an error the global ICMP budget refuses counts IcmpOutRateLimitGlobal (the IPv4 ICMP MIB)', () => {
    const t = run(['ip -6 route add 2001:db8:1::/64 dev eth0', 'sysctl -w net.ipv4.icmp_msgs_per_sec=0'], udp);
    assert.strictEqual(sent(t, /unreachable/), 0);
    assert.strictEqual(t.counters.b.IcmpOutRateLimitGlobal, 1);
    const ok = run(['ip -6 route add 2001:db8:1::/64 dev eth0'], udp);
    assert.strictEqual(sent(ok, /unreachable/), 1);
    assert.strictEqual(ok.counters.b.IcmpOutRateLimitGlobal, undefined);
  });
});
