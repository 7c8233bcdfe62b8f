// `count N [rate R]` on a UDP or TCP traffic item: what one item with a count does is what N
// items would do (each send once the network has settled after the one before), unless a rate
// spaces them in simulated time, where they may overlap as an application's sends do.
import type { World } from '../model/world';
import type { Repeat } from './types';

export function repeat(world: World, r: Repeat, send: () => void): void {
  const n = r.count ?? 1;
  const rate = r.rate;
  if (rate !== undefined) {
    // each send schedules the next: one timer at a time, whatever the count
    const start = world.sched.now;
    let i = 0;
    const next = (): void => {
      send();
      if (++i < n) world.sched.at(start + Math.round((i * 1e9) / rate), next, false, 'process');
    };
    world.sched.at(start, next, false, 'process');
    return;
  }
  for (let i = 0; i < n; i++) {
    if (i) world.settle();
    send();
  }
}
