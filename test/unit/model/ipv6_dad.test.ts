// Duplicate address detection (net/ipv6/addrconf.c addrconf_dad_*, v6.12): an address added
// without nodad, and each link-local address, is tentative for the kernel's period — probes from
// :: to the solicited-node group, dad_transmits of them retrans_time apart after the random delay
// below router_solicitation_delay (the model takes the latest) — and while tentative it is not a
// source, not bound to, not delivered to.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

const MS = 1e6;

function scenario(a: string, b: string, traffic = '  - from: a\n    send: icmp echo-request to 2001:db8:1::2 count 1', extra = ''): string {
  const ind = (s: string): string =>
    s
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
  return `name: t\nhosts:\n  a: |\n${ind(a)}\n  b: |\n${ind(b)}\n${extra}links:\n  - a:eth0 b:eth0\ntraffic:\n${traffic}\n`;
}
const A = 'ip -6 addr add 2001:db8:1::1/64 dev eth0\nip link set eth0 up';
const B = 'ip -6 addr add 2001:db8:1::2/64 dev eth0\nip link set eth0 up';

/** The DAD probes (solicitations from ::) a host sent: [time in ms, target]. */
function probes(t: Trace, host: string): [number, string][] {
  const out: [number, string][] = [];
  for (const p of t.packets) {
    const m = /^:: > ff02::1:ff[0-9a-f:]+: ICMP6, neighbour solicitation, who has (\S+),/.exec(p.summary);
    if (!m) continue;
    const e = t.events.find((x) => x.packet === p.id && x.fn === 'ndisc_send_skb');
    if (e?.host === host) out.push([e.time / MS, m[1].replace(/,$/, '')]);
  }
  return out;
}
/** When the last of the host's addresses stopped being tentative (ms). */
const dadDone = (t: Trace, host: string): number => Math.max(...t.events.filter((e) => e.host === host && e.fn === 'addrconf_dad_completed').map((e) => e.time / MS));
const firstEcho = (t: Trace): number => t.events.find((e) => t.packets.find((p) => p.id === e.packet)?.summary.includes('echo request'))!.time / MS;

describe('IPv6 DAD (addrconf_dad_start … addrconf_dad_completed)', () => {
  it('probes each new address once from :: after the latest random delay, and traffic starts when DAD is over', () => {
    const t = runScenarioText(scenario(A, B), 't.yaml');
    const pa = probes(t, 'a');
    assert.deepStrictEqual(
      pa.map((p) => p[1]).sort(),
      ['2001:db8:1::1', pa.find((p) => p[1].startsWith('fe80'))![1]].sort(),
      'the global and the link-local address',
    );
    // get_random_u32_below(HZ): at most 249 jiffies of 4 ms
    assert.ok(pa.every((p) => p[0] === 996));
    assert.strictEqual(dadDone(t, 'a'), 1996, 'one retrans_time after the probe');
    // the link-up ends with the MLD report's retransmission, the latest one interval after DAD
    assert.strictEqual(firstEcho(t), 1996 + 1004);
    assert.ok(t.packets.some((p) => p.summary.includes('echo reply') && p.fate.kind === 'delivered'));
  });

  it('a probe has no source link-layer option and carries the enhanced_dad nonce (ND_OPT_NONCE) unless enhanced_dad is 0', () => {
    const len = (t: Trace): number[] => t.packets.filter((p) => p.summary.startsWith(':: >') && p.summary.includes('neighbour solicitation')).map((p) => Number(/length (\d+)/.exec(p.summary)![1]));
    assert.ok(len(runScenarioText(scenario(A, B), 't.yaml')).every((l) => l === 32));
    const off = 'sysctl -w net.ipv6.conf.eth0.enhanced_dad=0\nsysctl -w net.ipv6.conf.all.enhanced_dad=0\n';
    const t = runScenarioText(scenario(off + A, B), 't.yaml');
    const fromA = t.packets.filter((p) => p.summary.startsWith(':: >') && p.summary.includes('neighbour solicitation') && t.events.find((e) => e.packet === p.id)?.host === 'a');
    assert.ok(fromA.length && fromA.every((p) => /length 24/.test(p.summary)));
  });

  it('dad_transmits and router_solicitation_delay set the probes and the tentative period', () => {
    const a = 'sysctl -w net.ipv6.conf.eth0.dad_transmits=3\nsysctl -w net.ipv6.conf.eth0.router_solicitation_delay=0\n' + A;
    const t = runScenarioText(scenario(a, B), 't.yaml');
    const g = probes(t, 'a').filter((p) => p[1] === '2001:db8:1::1');
    assert.deepStrictEqual(
      g.map((p) => p[0]),
      [0, 1000, 2000],
    );
    assert.strictEqual(dadDone(t, 'a'), 3000);
    assert.strictEqual(firstEcho(t), 3000 + 1004);
    const none = runScenarioText(scenario('sysctl -w net.ipv6.conf.eth0.dad_transmits=0\n' + A, B), 't.yaml');
    assert.deepStrictEqual(probes(none, 'a'), [], 'no probe: valid when dad_work first runs');
  });

  it('accept_dad below 1 on both all and the device skips DAD; either at 1 keeps it; nodad skips one address', () => {
    const off = runScenarioText(scenario('sysctl -w net.ipv6.conf.eth0.accept_dad=0\n' + A, B), 't.yaml');
    assert.deepStrictEqual(probes(off, 'a'), []);
    assert.strictEqual(probes(off, 'b').length, 2);
    const all = runScenarioText(scenario('sysctl -w net.ipv6.conf.all.accept_dad=1\nsysctl -w net.ipv6.conf.eth0.accept_dad=0\n' + A, B), 't.yaml');
    assert.strictEqual(probes(all, 'a').length, 2);
    const nodad = runScenarioText(scenario(A.replace('eth0\n', 'eth0 nodad\n'), B), 't.yaml');
    assert.deepStrictEqual(
      probes(nodad, 'a').map((p) => p[1].slice(0, 4)),
      ['fe80'],
    );
  });

  it('refuses optimistic DAD rather than ignoring it', () => {
    assert.throws(() => runScenarioText(scenario('sysctl -w net.ipv6.conf.eth0.optimistic_dad=1\n' + A, B), 't.yaml'), /optimistic_dad=1 is not modelled/);
  });

  // a has a second link whose peer (c) never comes up: its address there waits, tentative
  const three = (traffic: string, listen = ''): string =>
    `name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:1::1/64 dev eth0
    ip -6 addr add 2001:db8:9::1/64 dev eth1
    ip link set eth0 up
    ip link set eth1 up
  b: |
    ip -6 addr add 2001:db8:1::2/64 dev eth0
    ip link set eth0 up
    ip -6 route add 2001:db8:9::/64 via 2001:db8:1::1
  c: |
    ip link set eth0 down
${listen}links:
  - a:eth0 b:eth0
  - a:eth1 c:eth0
traffic:
${traffic}
`;

  it('an address on a link that is not ready stays tentative: not a source, not delivered to, not bound to', () => {
    const t = runScenarioText(three('  - from: a\n    send: udp to [2001:db8:1::2]:7000'), 't.yaml');
    assert.deepStrictEqual(
      probes(t, 'a').filter((p) => p[1].startsWith('2001:db8:9')),
      [],
      'no probe without carrier',
    );
    const udp = t.packets.find((p) => p.summary.includes('UDP'))!;
    assert.match(udp.summary, /^2001:db8:1::1\.\d+ > 2001:db8:1::2/, 'source selection skips the tentative 2001:db8:9::1');
    const p = runScenarioText(three('  - from: b\n    send: icmp echo-request to 2001:db8:9::1 count 1'), 't.yaml');
    const req = p.packets.find((x) => x.summary.includes('echo request'))!;
    assert.notStrictEqual(req.fate.kind, 'delivered');
    assert.ok(!p.packets.some((x) => x.summary.includes('echo reply')), 'no local route for a tentative address: not delivered');
    assert.ok(p.counters.a.Ip6InAddrErrors || p.counters.a.Ip6InNoRoutes || p.counters.a.Ip6OutNoRoutes || req.fate.kind === 'dropped');
    assert.throws(() => runScenarioText(three('  - from: b\n    send: udp to [2001:db8:9::1]:7000', 'listen:\n  - a: udp [2001:db8:9::1]:7000\n'), 't.yaml'), /Cannot assign requested address/);
    // the same listener on the address whose DAD completes opens
    runScenarioText(three('  - from: b\n    send: udp to [2001:db8:1::1]:7000', 'listen:\n  - a: udp [2001:db8:1::1]:7000\n'), 't.yaml');
  });

  it('a probe for an address another node has ends in a DAD failure (the owner defends it), refused as not modelled', () => {
    const err = (() => {
      try {
        runScenarioText(scenario(A, 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\nip link set eth0 up'), 't.yaml');
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    assert.match(err, /duplicate address detection failed for 2001:db8:1::1 .*not modelled/);
  });

  it('gives the counters at the first item to the harness (what the link-up counted)', () => {
    const marks: { events: number; now: number; counters?: Record<string, Record<string, number>> }[] = [];
    runScenarioText(scenario(A, B), 't.yaml', { marks });
    assert.strictEqual(marks[0].now, (1996 + 1004) * MS);
    assert.strictEqual(marks[0].counters!.a.Icmp6OutNeighborSolicits, 2);
  });
});
