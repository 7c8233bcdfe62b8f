// `count N [rate R]` on a UDP or TCP traffic item: what one item with a count does is what N
// items would do (each send once the network has settled after the one before), unless a rate
// spaces them in simulated time, where they may overlap as an application's sends do.
import type { World } from '../model/world';
import type { Repeat } from './types';

/**
 * How a run spaces the sends of a count without a rate: `gap` is the time to let pass after a
 * send settled, given how long it kept the network busy (a comparison's run lets pass what the
 * harness waits on the kernel, as between items: RunOptions.itemGap); `starts` gets each send's
 * simulated start time (the harness sends each at the model's time).
 */
export interface RepeatPacing {
  gap?: (busyNs: number) => number;
  starts?: number[];
}

export function repeat(world: World, r: Repeat, send: () => void, pacing: RepeatPacing = {}): void {
  const n = r.count ?? 1;
  const rate = r.rate;
  if (rate !== undefined) {
    // each send schedules the next: one timer at a time, whatever the count
    const start = world.sched.now;
    let i = 0;
    const next = (): void => {
      pacing.starts?.push(world.sched.now);
      send();
      if (++i < n) world.sched.at(start + Math.round((i * 1e9) / rate), next, false, 'process');
    };
    world.sched.at(start, next, false, 'process');
    return;
  }
  let sent = world.sched.now;
  for (let i = 0; i < n; i++) {
    if (i) {
      world.settle();
      if (pacing.gap) {
        const last = world.rec.eventCount ? world.rec.timeOf(world.rec.eventCount - 1) : sent;
        world.advance(pacing.gap(Math.max(0, last - sent)));
      }
    }
    sent = world.sched.now;
    pacing.starts?.push(sent);
    send();
  }
}
