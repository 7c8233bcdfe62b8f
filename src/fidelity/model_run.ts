// The options of every model run that stands for a kernel run: the comparison's own (harness.ts)
// and the generator's, which decide from the model's trace whether a draw is kept
// (generate/index.ts, generate/timing_limits.ts). They must run the same model, or a draw kept on
// one run is compared on another.
import type { Scenario } from '../scenario/types';
import type { RunOptions } from '../scenario/run';
import { v6PinnedModel } from './link_up';
import { itemGapFor } from './pacing';

export function comparisonRunOptions(sc: Scenario): Pick<RunOptions, 'pinnedSysctls' | 'itemGap'> {
  return { pinnedSysctls: v6PinnedModel(sc), itemGap: itemGapFor(sc) };
}
