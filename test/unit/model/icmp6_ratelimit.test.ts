// net.ipv6.icmp.ratelimit (v6.12 net/ipv6/icmp.c icmpv6_xrlim_allow): the per-destination limit
// of ICMPv6 errors, in jiffies, shortened for a destination reached through a shorter prefix.
import * as assert from 'assert';
import { runScenario, runScenarioText } from '../../../src/scenario/run';
import { parseScenario } from '../../../src/scenario/parse';
import { VARIANT_CHECKS } from '../../../src/fidelity/variant_check';

const scenario = (setup: string, traffic: string): string => `name: t
hosts:
  a: |
${setup}    ip link set eth0 up
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
  b: |
    ip link set eth0 up
    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
links:
  - a:eth0 b:eth0
traffic:
  - from: b
    send: ${traffic}
`;

const limited = (setup: string, traffic = 'udp to [2001:db8:1::1]:9 count 20 rate 10'): number => runScenarioText(scenario(setup, traffic), 't.yaml').counters.a?.Icmp6OutRateLimitHost ?? 0;

describe('ICMPv6 errors: net.ipv6.icmp.ratelimit (v6.12)', () => {
  it('1000 ms by default, a quarter of it (62 jiffies, 248 ms) through the /64: 20 errors 100 ms apart run the burst of six out', () => {
    assert.ok(limited('') > 0);
  });

  it('a smaller limit lets all of them through, and 0 turns it off', () => {
    assert.strictEqual(limited('    sysctl -w net.ipv6.icmp.ratelimit=100\n'), 0);
    assert.strictEqual(limited('    sysctl -w net.ipv6.icmp.ratelimit=0\n', 'udp to [2001:db8:1::1]:9 count 20'), 0);
    assert.ok(limited('', 'udp to [2001:db8:1::1]:9 count 20') > 0, 'without a pause, the default holds back all but six');
  });

  it('the jiffies, not the milliseconds, are shifted: 248 ms through a /64, so an error 249 ms after the burst goes', () => {
    // six at once empty the bucket; the seventh needs one timeout of credit: 248 ms (62 jiffies), not 250
    const at = (ms: number): number => limited('', `udp to [2001:db8:1::1]:9 count 6\n  - from: b\n    at: +${ms}ms\n    send: udp to [2001:db8:1::1]:9`);
    assert.strictEqual(at(249), 0);
    assert.strictEqual(at(247), 1);
  });
});

describe('ICMPv6 errors: 6.18.y\'s rate limit, as the fidelity harness asks for it (sim/variant.ts)', () => {
  it('no shortening for a wider prefix: with the same 1000 ms, the /64 holds back more than in v6.12', () => {
    const text = scenario('', 'udp to [2001:db8:1::1]:9 count 20 rate 10');
    const v612 = runScenarioText(text, 't.yaml').counters.a?.Icmp6OutRateLimitHost ?? 0;
    const sc = parseScenario(text, 't.yaml');
    const v618 = runScenario(sc, { kernelVariant: { icmpv6RatelimitWholeTimeout: true } }).counters.a?.Icmp6OutRateLimitHost ?? 0;
    assert.ok(v618 > v612, `${v618} > ${v612}`);
  });

  it('the harness asks for it only on a kernel whose new namespace has another default, for an IPv6 scenario', () => {
    const [check] = VARIANT_CHECKS;
    const v6 = parseScenario(scenario('', 'udp to [2001:db8:1::1]:9'), 't.yaml');
    const k = (ms?: number) => ({ obs: {} as never, errors: [], notes: [], captured: new Set<string>(), unsupported: [], icmpv6Ratelimit: ms });
    assert.strictEqual(check.applies(v6, k(100)), true);
    assert.strictEqual(check.applies(v6, k(1000)), false);
    assert.strictEqual(check.applies(v6, k(undefined)), false);
    assert.deepStrictEqual(check.options(k(100)).pinnedSysctls, { 'net.ipv6.icmp.ratelimit': 100 });
  });
});
