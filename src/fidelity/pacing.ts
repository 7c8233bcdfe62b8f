// How the harness paces the traffic on the kernel (replay.ts), and the same pacing for the
// model's run of a comparison. After an item, the harness waits the model's busy time for it,
// counted from the item's start, plus the slack of the kernel's timer wheel and a margin, and
// then until the captures are quiet (one poll at least). Every next item starts that much later
// on the kernel than "as soon as the network settled", which is when the model starts it. A
// background timer armed before (a neighbour's 5 s DELAY timer, a resolution's retries) then
// meets the next item's packets in another order on the two sides (gen-990127-35,
// gen-990127-39: a NUD probe before or after a resolution's solicitation). The model's run of a
// comparison therefore lets the same time pass between items (RunOptions.itemGap).
import type { Scenario } from '../scenario/types';
import { linkUpWaitMs, V6_SETTLE_MS } from './link_up';

/** What the harness waits on top of an item's busy time before it looks at the captures. */
export const SETTLE_MARGIN_MS = 300;
/** How often it looks at the captures' size; the first look is one poll after the wait. */
export const QUIET_POLL_MS = 250;

/**
 * How late a kernel timer of `ms` may fire: the timer wheel (kernel/time/timer.c) files a timer
 * in a level whose granularity is up to 1/8 of its timeout (LVL_CLK_SHIFT 3) and fires it at the
 * end of that slot — e.g. the 30 s reassembly timer fires between 30 and ~32 s with HZ=250. The
 * model fires timers on time, so the harness waits the model's time plus this slack.
 */
export function timerSlack(ms: number): number {
  return ms / 8;
}

/**
 * The harness settles after an item (before the next one that is not timed) when the item kept
 * the network busy for 1 ms or more, or a ping of its group is still running.
 */
export function settles(busyMs: number, pinged: boolean): boolean {
  return busyMs >= 1 || pinged;
}

/** The least wait after an item's start before the harness looks at the captures, in ms. */
export function settleWaitMs(busyMs: number): number {
  return busyMs + timerSlack(busyMs) + SETTLE_MARGIN_MS;
}

/**
 * RunOptions.itemGap for a comparison's model run: after traffic item `i` (the last of its group)
 * settled, the time the harness lets pass on the kernel beyond the item's busy time before the
 * next item. None after a `wait` item, whose own time the harness sleeps and then goes on. Before
 * the first item (`i` -1, after IPv6's link-up): the rest of the harness's link-up wait
 * (linkUpWaitMs), after which the kernel's first item comes (gen-990133-45: a `limit` rule on an
 * IPv6 hook, whose bucket the link-up's packets emptied, full again on the kernel).
 */
export function itemGapFor(sc: Scenario): (i: number, busyNs: number, pinged: boolean) => number {
  return (i, busyNs, pinged) => {
    if (i < 0) return Math.max(0, Math.round(linkUpWaitMs([{ events: 0, now: busyNs }], V6_SETTLE_MS) * 1e6 - busyNs));
    if (sc.traffic[i]?.kind === 'wait') return 0;
    const busyMs = busyNs / 1e6;
    if (!settles(busyMs, pinged)) return 0;
    return Math.round((settleWaitMs(busyMs) - busyMs + QUIET_POLL_MS) * 1e6);
  };
}
