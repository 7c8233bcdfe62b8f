// Default router selection and router reachability probing (net/ipv6/route.c, v6.12, with
// CONFIG_IPV6_ROUTER_PREF): a host's fib6 lookup passes over a route whose gateway failed, and
// rt6_probe asks a gateway that is not known to be reachable once per router_probe_interval.
import * as assert from 'assert';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';

const ind = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');

/**
 * h1 has two default routes: through 2001:db8:1::2 (metric 100), which nobody answers, and through
 * the router h2 (2001:db8:1::3, metric 200); and 2001:db8:3::/64 through ::2 only.
 */
function run(h1: string[], traffic: string[]): Trace {
  return runScenarioText(
    `name: t
hosts:
  h1: |
${ind(['ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad', 'ip link set eth0 up', ...h1, 'ip -6 route add default via 2001:db8:1::2 metric 100', 'ip -6 route add default via 2001:db8:1::3 metric 200', 'ip -6 route add 2001:db8:3::/64 via 2001:db8:1::2'])}  h2: |
${ind(['sysctl -w net.ipv6.conf.all.forwarding=1', 'ip -6 addr add 2001:db8:1::3/64 dev eth0 nodad', 'ip link set eth0 up', 'ip -6 addr add 2001:db8:2::1/64 dev eth1 nodad', 'ip link set eth1 up', 'ip -6 route add 2001:db8:3::/64 via 2001:db8:2::2'])}  h3: |
${ind(['ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad', 'ip -6 addr add 2001:db8:3::1/64 dev eth0 nodad', 'ip link set eth0 up', 'ip -6 route add default via 2001:db8:2::1'])}links:
  - h1:eth0 h2:eth0
  - h2:eth1 h3:eth0
traffic:
${traffic.map((t) => (t.startsWith('wait') ? `  - ${t}\n` : `  - from: h1\n    send: icmp echo-request to ${t}\n`)).join('')}`,
    't.yaml',
  );
}

const pings = (t: Trace): string[] => t.packets.filter((p) => p.origin === 'h1' && /echo request/.test(p.summary)).map((p) => `${p.fate.kind} ${p.fate.fn}`);
const probes = (t: Trace): string[] => t.packets.filter((p) => p.origin === 'h1' && /neighbour solicitation, who has 2001:db8:1::2\b/.test(p.summary)).map((p) => p.summary.split(' ')[0]);

describe('IPv6: default router selection and router reachability probing (rt6_probe)', () => {
  it('a host passes over the route through a failed gateway, for the next route and for a less specific prefix', () => {
    const t = run([], ['2001:db8:2::2', '2001:db8:2::2', '2001:db8:3::1']);
    // the first fails on ::2 (three solicitations from the ping's own source), the others go through h2
    assert.deepStrictEqual(pings(t), ['dropped ndisc_error_report', 'consumed icmpv6_rcv', 'consumed icmpv6_rcv']);
    assert.deepStrictEqual(probes(t), ['2001:db8:1::1', '2001:db8:1::1', '2001:db8:1::1']);
  });

  it('a router (forwarding 1) is not strict: it keeps the lowest metric and fails on ::2 again', () => {
    const t = run(['sysctl -w net.ipv6.conf.all.forwarding=1'], ['2001:db8:2::2', '2001:db8:2::2']);
    assert.deepStrictEqual(pings(t), ['dropped ndisc_error_report', 'dropped ndisc_error_report']);
    assert.strictEqual(probes(t).length, 6);
  });

  it('after router_probe_interval a lookup probes the failed gateway once from the link-local address, and takes its route again', () => {
    const t = run(['sysctl -w net.ipv6.conf.eth0.router_probe_interval=10'], ['2001:db8:2::2', 'wait: 11s', '2001:db8:3::1']);
    const p = probes(t);
    assert.strictEqual(p.length, 4, p.join());
    assert.match(p[3], /^fe80::/);
    // the entry is NUD_INCOMPLETE with its probes used up: the ping waits on it and fails with it
    assert.deepStrictEqual(pings(t), ['dropped ndisc_error_report', 'dropped ndisc_error_report']);
    const ev = t.events.find((e) => e.fn === 'rt6_probe');
    assert.ok(ev, 'rt6_probe is in the trace');
  });

  it('within router_probe_interval (60 s by default) nothing is probed', () => {
    const t = run([], ['2001:db8:2::2', 'wait: 11s', '2001:db8:3::1']);
    assert.strictEqual(probes(t).length, 3);
    assert.deepStrictEqual(pings(t), ['dropped ndisc_error_report', 'consumed icmpv6_rcv']);
  });

  it('a gateway with no entry is probed once the route is older than router_probe_interval', () => {
    const t = run(['sysctl -w net.ipv6.conf.eth0.router_probe_interval=1'], ['wait: 2s', '2001:db8:3::1']);
    // the resolution's solicitation from the ping's source, and rt6_probe's from the link-local address
    const p = probes(t);
    assert.deepStrictEqual(p.map((s) => (s.startsWith('fe80::') ? 'fe80' : s)).sort(), ['2001:db8:1::1', '2001:db8:1::1', '2001:db8:1::1', 'fe80'].sort());
  });

  it("the probe's work item runs after the lookup's own packet is resolved and sent (found/fix-rt6-probe-after-syn.yaml)", () => {
    const t = runScenarioText(
      `name: t
hosts:
  h1: |
${ind(['sysctl -w net.ipv6.conf.all.forwarding=1', 'ip link set eth0 up', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad'])}  h2: |
${ind(['ip link set eth0 up', 'ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad', 'ip -6 route add default via 2001:db8:1::1'])}links:
  - h1:eth0 h2:eth0
traffic:
  - wait: 62s
  - from: h2
    send: icmp echo-request to 2001:db8:5::7
`,
      't.yaml',
    );
    // h2's frames in the order they left: the resolution's solicitation, the echo request once
    // the advertisement came back (softirqs of the same send), then the kworker's probe
    const summary = new Map(t.packets.map((p) => [p.id, p.summary]));
    const out = t.events.filter((e) => e.host === 'h2' && e.fn === 'dev_hard_start_xmit').map((e) => summary.get(e.packet) ?? '');
    const at = (re: RegExp): number => out.findIndex((s) => re.test(s));
    const resolve = at(/^2001:db8:1::2 > ff02::1:ff00:1: ICMP6, neighbour solicitation/);
    const echo = at(/> 2001:db8:5::7: ICMP6, echo request/);
    const probe = at(/^fe80::\S+ > ff02::1:ff00:1: ICMP6, neighbour solicitation, who has 2001:db8:1::1/);
    assert.ok(resolve >= 0 && echo > resolve && probe > echo, out.join('\n'));
  });
});
