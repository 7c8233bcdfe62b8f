// Router solicitations in a fidelity comparison (rs_frames.ts, link_up.ts, link_up_frames.ts):
// pinned off unless the scenario sets their sysctls; where set, compared at the link-up (counted,
// or as a set for a device whose series has no end) and in the traffic's span apart from the
// ordered IPv6 stream, by bytes as a set.
import * as assert from 'assert';
import * as run from '../../../src/scenario/run';
import { parseScenario } from '../../../src/scenario/parse';
import { v6Pinned, v6PinnedModel, type Mark } from '../../../src/fidelity/link_up';
import { compareLinkUp, modelLinkUpFrames } from '../../../src/fidelity/link_up_frames';
import { compareRsSets, isRsFrame, isRsPacket, unendingRsDevices } from '../../../src/fidelity/rs_frames';
import { compareFrames } from '../../../src/fidelity/compare';
import type { Observation } from '../../../src/fidelity/observe';

const text = (a: string): string => `name: t
hosts:
  a: |
${a}    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  b: |
    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
    ip link set eth0 up
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: udp to [2001:db8:1::2]:53
`;

function linkUp(a: string, pinned = true): Map<string, Uint8Array[]> {
  const marks: Mark[] = [];
  const sc = parseScenario(text(a), 't.yaml');
  const t = run.runScenario(sc, { marks, pinnedSysctls: pinned ? v6PinnedModel(sc) : {} });
  return modelLinkUpFrames(t, marks[0].events);
}

const rsCount = (l: Uint8Array[] | undefined): number => (l ?? []).filter(isRsPacket).length;

const obs = (frames: Map<string, Uint8Array[]>, up: Map<string, Uint8Array[]>): Observation => ({ frames: new Map([...frames].map(([k, l]) => [k, l.map((bytes) => ({ bytes }))])), hooks: new Map(), counters: {}, sockets: new Map(), pings: [], sends: [], linkUp: up });

describe('router solicitations in the fidelity comparison', () => {
  it('pins router_solicitations=0 (model and kernel) in an IPv6 scenario that sets none of their sysctls, and only there', () => {
    const plain = parseScenario(text(''), 't.yaml');
    assert.deepStrictEqual(v6PinnedModel(plain), { 'net.ipv6.conf.all.router_solicitations': 0, 'net.ipv6.conf.default.router_solicitations': 0 });
    assert.strictEqual(rsCount(linkUp('').get('a:eth0')), 0);
    for (const set of ['router_solicitations=2', 'router_solicitation_interval=1', 'router_solicitation_max_interval=5', 'accept_ra=1']) {
      const sc = parseScenario(text(`    sysctl -w net.ipv6.conf.eth0.${set}\n`), 't.yaml');
      assert.deepStrictEqual(v6Pinned(sc), [], set);
    }
    assert.strictEqual(rsCount(linkUp('    sysctl -w net.ipv6.conf.eth0.router_solicitations=2\n').get('a:eth0')), 2);
    // a scenario without IPv6 has nothing to pin (IPv6 is off)
    assert.deepStrictEqual(v6Pinned(parseScenario('name: t\nhosts:\n  a: |\n    ip link set eth0 up\n  b: |\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n  - from: a\n    send: udp to 10.0.0.2:53\n', 't.yaml')), []);
  });

  it('names the devices whose series has no end: the device\'s own key as the setup leaves it, -1 by default', () => {
    assert.deepStrictEqual([...unendingRsDevices(parseScenario(text(''), 't.yaml'))], [], 'pinned: none');
    assert.deepStrictEqual([...unendingRsDevices(parseScenario(text('    sysctl -w net.ipv6.conf.eth0.router_solicitation_interval=10\n'), 't.yaml'))].sort(), ['a:eth0', 'b:eth0']);
    assert.deepStrictEqual([...unendingRsDevices(parseScenario(text('    sysctl -w net.ipv6.conf.eth0.router_solicitations=3\n'), 't.yaml'))], ['b:eth0']);
  });

  it('counts a finite series at the link-up, and only asks whether an unending one sent any', () => {
    const three = linkUp('    sysctl -w net.ipv6.conf.eth0.router_solicitations=3\n    sysctl -w net.ipv6.conf.eth0.router_solicitation_interval=1\n', false);
    const a = three.get('a:eth0')!;
    assert.strictEqual(rsCount(a), 3);
    const fewer = new Map(three);
    fewer.set('a:eth0', a.filter((p, i) => !isRsPacket(p) || i !== a.findIndex(isRsPacket)));
    const captured = new Set(['a:eth0', 'b:eth0']);
    const d = compareLinkUp(three, fewer, captured);
    assert.deepStrictEqual(d.map((x) => [x.what.replace(/from \S+/, 'from LL'), x.field, x.model, x.kernel]), [['link-up on a:eth0: router solicitation from LL', 'times sent', '3', '2']]);
    assert.deepStrictEqual(compareLinkUp(three, fewer, captured, undefined, new Set(['a:eth0'])), []);
    // none at all on one side is a difference either way
    const none = new Map(three);
    none.set('a:eth0', a.filter((p) => !isRsPacket(p)));
    assert.strictEqual(compareLinkUp(three, none, captured, undefined, new Set(['a:eth0'])).length, 1);
  });

  it('takes router solicitations out of the ordered IPv6 stream and compares them by bytes as a set', () => {
    const up = linkUp('    sysctl -w net.ipv6.conf.eth0.router_solicitations=1\n', false);
    const rs = up.get('a:eth0')!.find(isRsPacket)!;
    const frame = (p: Uint8Array): Uint8Array => Uint8Array.from([0x33, 0x33, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, ...p]);
    assert.ok(isRsFrame(frame(rs)));
    const key = 'a:eth0';
    // two in the model's span, none in the kernel's: their number is not compared here (counters do)
    assert.deepStrictEqual(compareFrames(obs(new Map([[key, [frame(rs), frame(rs)]]]), up), obs(new Map([[key, []]]), up), new Set([key])), []);
    // a solicitation whose bytes the other side never sent is a difference
    const other = rs.slice();
    other[50] ^= 1;
    assert.deepStrictEqual(compareRsSets([frame(other)], [], [], [rs]).map((x) => x.side), ['model']);
    const d = compareFrames(obs(new Map([[key, [frame(other)]]]), up), obs(new Map([[key, [frame(rs)]]]), up), new Set([key]));
    assert.strictEqual(d.length, 1);
    assert.match(d[0].what, /router solicitation out of eth0/);
  });
});
