// Kernel timers on the timer wheel (Scheduler.timer): one bucket's timers run in one tick, the
// pinned ones (BASE_LOCAL) first, as run_timer_softirq does in v6.12.
import * as assert from 'assert';
import { JIFFY_NS, Scheduler, wheelBucketExpiry } from '../../../src/model/sim/scheduler';

describe('scheduler: the timer wheel', () => {
  it('rounds an expiry up to its level step, as calc_wheel_index does (HZ=250)', () => {
    // level 0 (under 63 jiffies ahead): the next jiffy after the expiry
    assert.strictEqual(wheelBucketExpiry(0, 10), 11);
    // level 1 (63..503): steps of 8 jiffies; 1 s = 250 jiffies runs at 256
    assert.strictEqual(wheelBucketExpiry(0, 250), 256);
    assert.strictEqual(wheelBucketExpiry(3, 253), 256);
    assert.strictEqual(wheelBucketExpiry(6, 256), 264);
    // level 2 (504..4031): steps of 64
    assert.strictEqual(wheelBucketExpiry(0, 1250), 1280);
  });

  it('runs a pinned timer of the same bucket before an unpinned one armed earlier and due a little earlier', () => {
    const s = new Scheduler();
    const ran: string[] = [];
    s.timer(1e9, () => ran.push('retransmit (unpinned)'), false);
    s.after(20_000, () => s.timer(1e9, () => ran.push('SYN-ACK (pinned)'), true));
    s.runUntil();
    assert.deepStrictEqual(ran, ['SYN-ACK (pinned)', 'retransmit (unpinned)']);
  });

  it('keeps the order of time across buckets, and of arming among unpinned timers', () => {
    const s = new Scheduler();
    const ran: string[] = [];
    s.timer(1e9, () => ran.push('a'), false);
    s.timer(1e9, () => ran.push('b'), false);
    // 40 ms later: the next 8-jiffy step (32 ms), another bucket
    s.after(40 * 1e6, () => s.timer(1e9, () => ran.push('pinned, later bucket'), true));
    s.runUntil();
    assert.deepStrictEqual(ran, ['a', 'b', 'pinned, later bucket']);
    assert.strictEqual(JIFFY_NS, 4e6);
  });

  it('forgets a cancelled timer: a pinned one armed after it is not moved for it', () => {
    const s = new Scheduler();
    const ran: number[] = [];
    const t = s.timer(1e9, () => ran.push(1), false);
    s.cancel(t);
    s.after(20_000, () => s.timer(1e9, () => ran.push(s.now), true));
    s.runUntil();
    assert.deepStrictEqual(ran, [1e9 + 20_000]);
  });
});
