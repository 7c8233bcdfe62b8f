// Feature `counts` (session 19; off unless `--include counts`): UDP and TCP traffic items with
// `count N` and sometimes `rate R` (docs/capture.md, "count and rate"), which the rest of the
// grammar never writes: N datagrams from one socket, or N connections each from its own
// ephemeral port, one after another once the network settled or R a second, overlapping. Drawn
// last, on a side stream seeded by the traffic drawn before, so a scenario without the feature
// is the one with it less these words.
import { Rng } from './rng';
import type { Ctx } from './context';

/** rates that keep a run within the harness's timing: from one every half second to a burst */
const RATES = [2, 10, 100, 1000] as const;

export function counts(ctx: Ctx): void {
  const rng = Rng.fromText(`counts\n${JSON.stringify(ctx.traffic)}`);
  for (const t of ctx.traffic) {
    if (!('from' in t) || t.at !== undefined) continue;
    const udp = t.send.startsWith('udp ');
    const tcp = t.send.startsWith('tcp connect ');
    if (!(udp || tcp) || !rng.chance(0.4)) continue;
    // several connections from one fixed port are refused by the model (EADDRINUSE is not modelled)
    if (tcp && / from :\d+/.test(t.send)) continue;
    t.send += ` count ${rng.int(2, tcp ? 3 : 5)}`;
    if (rng.chance(0.5)) t.send += ` rate ${rng.pick(RATES)}`;
  }
}
