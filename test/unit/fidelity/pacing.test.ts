// The model's run of a comparison lets pass between items the time the harness lets pass on the
// kernel (src/fidelity/pacing.ts), so that background timers meet the next item as they do there.
import * as assert from 'assert';
import { parseScenario } from '../../../src/scenario/parse';
import { runScenario, type RunOptions } from '../../../src/scenario/run';
import { comparisonRunOptions } from '../../../src/fidelity/model_run';
import { itemDurations } from '../../../src/fidelity/observe';
import { itemGapFor, settleWaitMs, QUIET_POLL_MS } from '../../../src/fidelity/pacing';
import { linkUpWaitMs, V6_SETTLE_MS } from '../../../src/fidelity/link_up';

const scenario = (traffic: string): string => `name: pacing
hosts:
  a: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
  b: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
links:
  - a:eth0 b:eth0
traffic:
${traffic}`;

type Marks = NonNullable<RunOptions['marks']>;

function run(text: string, paced: boolean): { marks: Marks; trace: ReturnType<typeof runScenario> } {
  const sc = parseScenario(text, 't.yaml');
  const marks: Marks = [];
  const trace = runScenario(sc, { marks, ...(paced ? comparisonRunOptions(sc) : {}) });
  return { marks, trace };
}

const MS = 1e6;

describe('fidelity pacing: the model waits between items as the harness does on the kernel', () => {
  it('after an item that kept the network busy: its busy time plus the slack, the margin and one poll', () => {
    // 10.0.1.9 never answers: three ARP requests, one second apart, then the entry fails (3 s busy)
    const text = scenario('  - from: a\n    send: udp to 10.0.1.9:53\n  - from: a\n    send: udp to 10.0.1.2:53\n');
    const plain = run(text, false);
    const paced = run(text, true);
    const busy = plain.marks[1].now - plain.marks[0].now;
    assert.ok(busy >= 3000 * MS, `the unanswered resolution keeps the first item busy (${busy / MS} ms)`);
    assert.strictEqual(paced.marks[1].busy, busy, 'the mark says how long the item itself was busy');
    const gap = paced.marks[1].now - paced.marks[0].now - busy;
    assert.strictEqual(gap, Math.round((settleWaitMs(busy / MS) - busy / MS + QUIET_POLL_MS) * MS));
    assert.deepStrictEqual(itemDurations(paced.trace, paced.marks).slice(0, 1), [busy], 'the harness waits for the busy time, not the gap');
  });

  it("the sends of a count without a rate: each after the one before settled and the harness's gap, each start in the item's mark (gen-993200-11)", () => {
    const text = scenario('  - from: a\n    send: udp to 10.0.1.9:53 from :53 count 3\n  - from: a\n    send: udp to 10.0.1.2:53 count 2 rate 10\n');
    const plain = run(text, false);
    const paced = run(text, true);
    const starts = paced.marks[0].sends!;
    assert.strictEqual(starts.length, 3);
    assert.strictEqual(starts[0], paced.marks[0].now);
    // each datagram's resolution fails after 3 s; the next starts after the harness's wait for that
    const busy = plain.marks[0].sends![1] - plain.marks[0].sends![0];
    assert.ok(busy >= 3000 * MS, `unpaced, the next send comes once the resolution failed (${busy / MS} ms)`);
    const gap = Math.round((settleWaitMs(busy / MS) - busy / MS + QUIET_POLL_MS) * MS);
    assert.deepStrictEqual([starts[1] - starts[0], starts[2] - starts[1]], [busy + gap, busy + gap]);
    // with a rate, the sends are 1/R apart, paced or not
    const r = paced.marks[1].sends!;
    assert.deepStrictEqual([r.length, r[1] - r[0]], [2, 100 * MS]);
  });

  it('no time is let pass after an item the network took no time over, nor after a wait', () => {
    const quick = run(scenario('  - from: a\n    send: udp to 10.0.1.2:53\n  - from: a\n    send: udp to 10.0.1.2:53\n'), true);
    // the first datagram resolves 10.0.1.2 (ARP) at once on the model's veth: no busy time
    const first = quick.marks[1].now - quick.marks[0].now;
    assert.strictEqual(itemGapFor(parseScenario(scenario('  - wait: 2s\n  - from: a\n    send: udp to 10.0.1.2:53\n'), 't.yaml'))(0, 2000 * MS, false), 0);
    assert.ok(first < 1 * MS, `an item without busy time is followed at once (${first / MS} ms)`);
  });

  it('a ping settles even when its answer took no time', () => {
    const gap = itemGapFor(parseScenario(scenario('  - from: a\n    send: icmp echo-request to 10.0.1.2\n'), 't.yaml'));
    assert.strictEqual(gap(0, 0, true), Math.round((settleWaitMs(0) + QUIET_POLL_MS) * MS));
    assert.strictEqual(gap(0, 0, false), 0);
  });
});

describe('fidelity pacing: the first item after IPv6\'s link-up', () => {
  const v6 = `name: v6
hosts:
  a: |
    ip link set eth0 up
    ip -6 addr add 2001:db8:1::1/64 dev eth0
  b: |
    ip link set eth0 up
    ip -6 addr add 2001:db8:1::2/64 dev eth0
links:
  - a:eth0 b:eth0
traffic:
  - from: a
    send: udp to [2001:db8:1::2]:53
`;

  it('comes when the harness\'s link-up wait ends, not when the link-up settled', () => {
    const sc = parseScenario(v6, 't.yaml');
    const plain: Marks = [];
    runScenario(sc, { marks: plain });
    const paced: Marks = [];
    runScenario(sc, { marks: paced, ...comparisonRunOptions(sc) });
    assert.strictEqual(paced[0].busy, plain[0].now, 'the first mark says when the link-up settled');
    assert.strictEqual(paced[0].now, linkUpWaitMs([{ events: 0, now: plain[0].now }], V6_SETTLE_MS) * MS);
    assert.ok(paced[0].now > plain[0].now);
    // the harness's wait is computed from the link-up, not from the later start
    assert.strictEqual(linkUpWaitMs(paced, V6_SETTLE_MS), linkUpWaitMs(plain, V6_SETTLE_MS));
  });
});
