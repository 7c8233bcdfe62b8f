// Router solicitations (net/ipv6/addrconf.c addrconf_dad_completed, addrconf_rs_timer; ndisc.c
// ndisc_send_rs, ndisc_recv_rs; v6.12): the first when the link-local address is valid, then
// rs_interval apart with RFC 7559's backoff (the model takes the latest draw), until
// router_solicitations are sent; none on a device that forwards (unless accept_ra is 2) or with
// accept_ra 0; an unending series does not keep the run alive.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import { scenarioError } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';
import { formatIpv6 } from '../../../src/trace/ipv6';
import { rsBackoffInit, rsBackoffUpdate } from '../../../src/model/net/ipv6/addrconf_rs';

const MS = 1e6;
const HZ = 250;

function scenario(a: string, b = 'ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad\nip link set eth0 up', traffic = '  - from: b\n    send: icmp echo-request to 2001:db8:1::1 count 1'): string {
  const ind = (s: string): string =>
    s
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
  return `name: t\nhosts:\n  a: |\n${ind(`ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\n${a}ip link set eth0 up`)}\n  b: |\n${ind(b)}\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n${traffic}\n`;
}

interface Rs {
  time: number;
  bytes: Uint8Array;
}

/** The router solicitations a host put on the wire, in order (Ethernet frames). */
function solicitations(t: Trace, host: string): Rs[] {
  const out: Rs[] = [];
  for (const e of t.events) {
    if (e.host !== host || e.fn !== 'dev_hard_start_xmit' || !e.skb) continue;
    const b = Uint8Array.from(Buffer.from(e.skb.bytes.slice(e.skb.data * 2, e.skb.tail * 2), 'hex'));
    if (b[14 + 6] === 58 && b[14 + 40] === 133) out.push({ time: e.time / MS, bytes: b });
  }
  return out;
}

const dadDone = (t: Trace, host: string): number => Math.max(...t.events.filter((e) => e.host === host && e.fn === 'addrconf_dad_completed').map((e) => e.time / MS));

const err = scenarioError;

describe('IPv6 router solicitations (addrconf_rs_timer, ndisc_send_rs)', () => {
  it('sends the first when the link-local address is valid, from it to ff02::2 with its MAC, then router_solicitations - 1 more with the backoff', () => {
    const t = runScenarioText(scenario('sysctl -w net.ipv6.conf.eth0.router_solicitations=3\nsysctl -w net.ipv6.conf.eth0.router_solicitation_interval=1\n'), 't.yaml');
    const r = solicitations(t, 'a');
    assert.strictEqual(r.length, 3);
    assert.strictEqual(r[0].time, dadDone(t, 'a'));
    // the latest draws: 1 s × 1.1, then × 2.1; the timer wheel may run a timer later, never earlier, by less than 1/7
    const gaps = [rsBackoffInit(HZ), rsBackoffUpdate(rsBackoffInit(HZ), 3600 * HZ)].map((j) => (j * 1000) / HZ);
    r.slice(1).forEach((x, i) => {
      const gap = x.time - r[i].time;
      assert.ok(gap >= gaps[i] && gap < gaps[i] * 1.15, `gap ${i + 1}: ${gap} ms for ${gaps[i]} ms`);
    });
    const b = r[0].bytes;
    const ip = b.subarray(14);
    const ll = formatIpv6(ip.slice(8, 24));
    assert.match(ll, /^fe80::/);
    assert.strictEqual(formatIpv6(ip.slice(24, 40)), 'ff02::2');
    assert.deepStrictEqual(Array.from(b.slice(0, 6)), [0x33, 0x33, 0, 0, 0, 2]);
    assert.strictEqual(ip[7], 255, 'hop limit 255');
    assert.strictEqual((ip[4] << 8) | ip[5], 16, 'RS header and one 8-byte option');
    // the source link-layer address option carries the sender's MAC (the frame's source)
    assert.deepStrictEqual([ip[48], ip[49]], [1, 1]);
    assert.deepStrictEqual(Array.from(ip.slice(50, 56)), Array.from(b.slice(6, 12)));
    // every solicitation is the same packet
    for (const x of r) assert.deepStrictEqual(x.bytes, b);
    let sum = 0;
    const add = (x: Uint8Array): void => {
      for (let i = 0; i < x.length; i += 2) sum += (x[i] << 8) | (x[i + 1] ?? 0);
    };
    add(ip.slice(8, 40));
    sum += 16 + 58;
    add(ip.slice(40));
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    assert.strictEqual(sum, 0xffff, 'ICMPv6 checksum');
    assert.deepStrictEqual([t.counters.a.Icmp6OutRouterSolicits, t.counters.a.Icmp6OutType133], [3, 3]);
  });

  it('sends one without end by default, every rs_interval doubling, and the run still ends', () => {
    const t = runScenarioText(scenario('', undefined, '  - from: b\n    send: icmp echo-request to 2001:db8:1::1 count 1\n  - wait: 40s\n  - from: b\n    send: icmp echo-request to 2001:db8:1::1 count 1'), 't.yaml');
    const r = solicitations(t, 'a');
    // 4 s × 1.1 = 4.4 s, then 9.24 s, 19.4 s: three within the 40 s wait after the first
    assert.ok(r.length >= 4, `${r.length} solicitations`);
    const gaps = r.slice(1).map((x, i) => x.time - r[i].time);
    assert.ok(gaps[0] >= 4400 && gaps[0] < 4400 * 1.15, `first gap ${gaps[0]}`);
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i] > gaps[i - 1] * 1.9, `gaps ${gaps.join(', ')}`);
    // the run ended: the last event is within a minute of the last echo, not at the 30-day budget
    assert.ok(!t.stopped, t.stopped?.message);
    const last = t.events[t.events.length - 1].time / MS;
    assert.ok(last < 120000, `last event at ${last} ms`);
  });

  it('sends none with router_solicitations 0, accept_ra 0, or forwarding on (unless accept_ra is 2)', () => {
    const n = (a: string): number => solicitations(runScenarioText(scenario(a), 't.yaml'), 'a').length;
    assert.strictEqual(n('sysctl -w net.ipv6.conf.eth0.router_solicitations=0\n'), 0);
    assert.strictEqual(n('sysctl -w net.ipv6.conf.eth0.accept_ra=0\n'), 0);
    assert.strictEqual(n('sysctl -w net.ipv6.conf.all.forwarding=1\n'), 0);
    assert.strictEqual(n('sysctl -w net.ipv6.conf.all.forwarding=1\nsysctl -w net.ipv6.conf.eth0.accept_ra=2\nsysctl -w net.ipv6.conf.eth0.router_solicitations=1\n'), 1);
    // a device made after a write to default inherits it (the model makes devices before the setup: no effect then)
    assert.strictEqual(n('sysctl -w net.ipv6.conf.eth0.router_solicitations=1\n'), 1);
  });

  it('a router takes a solicitation in (its sender becomes a STALE neighbour); a host drops it, not a member of ff02::2', () => {
    const one = 'sysctl -w net.ipv6.conf.eth0.router_solicitations=1\n';
    const router = runScenarioText(scenario(one, 'sysctl -w net.ipv6.conf.all.forwarding=1\nip -6 addr add 2001:db8:1::2/64 dev eth0 nodad\nip link set eth0 up'), 't.yaml');
    const rs = solicitations(router, 'a')[0];
    const at = router.events.filter((e) => e.host === 'b' && e.time / MS === rs.time).map((e) => e.fn);
    assert.ok(at.includes('ndisc_recv_rs') && at.includes('neigh_update'), at.join(' '));
    assert.deepStrictEqual([router.counters.b.Icmp6InRouterSolicits, router.counters.b.Icmp6InType133], [1, 1]);
    const host = runScenarioText(scenario(one), 't.yaml');
    assert.strictEqual(host.counters.b.Icmp6InRouterSolicits, undefined);
    assert.ok(host.events.some((e) => e.host === 'b' && e.fn === 'ip6_mc_input' && e.time / MS === rs.time));
  });

  it('takes the sysctls in the kernel\'s ranges and refuses intervals it does not model, at the value', () => {
    assert.strictEqual(err(scenario('sysctl -w net.ipv6.conf.eth0.router_solicitations=-1\nsysctl -w net.ipv6.conf.eth0.router_solicitation_max_interval=60\n')), 'no error');
    assert.match(err(scenario('sysctl -w net.ipv6.conf.eth0.router_solicitations=-2\n')), /Invalid argument \(the kernel takes -1\.\./);
    assert.match(err(scenario('sysctl -w net.ipv6.conf.eth0.router_solicitation_interval=0\n')), /router_solicitation_interval=0 is not modelled/);
    assert.match(err(scenario('sysctl -w net.ipv6.conf.eth0.router_solicitation_max_interval=99999999\n')), /Invalid argument|not modelled/);
  });

  it('backs off as rfc3315_s14_backoff_update does, capped at rtr_solicit_max_interval × 1.1', () => {
    assert.strictEqual(rsBackoffInit(1000), 1100);
    assert.strictEqual(rsBackoffUpdate(1100, 900000), 2310);
    assert.strictEqual(rsBackoffUpdate(500000, 900000), 990000);
  });
});
