// Feature `counts` (session 19; off unless `--include counts`): UDP and TCP traffic items with
// `count N` and sometimes `rate R` (docs/capture.md, "count and rate"), which the rest of the
// grammar never writes: N datagrams from one socket, or N connections each from its own
// ephemeral port, one after another once the network settled or R a second, overlapping. Drawn
// last, on a side stream seeded by the traffic drawn before, so a scenario without the feature
// is the one with it less these words.
import { Rng } from './rng';
import type { Ctx } from './context';

/**
 * Rates whose sends (at most 5, 1/R s apart) never fall on a whole second from the first: a SYN's
 * retransmission (1 s, then 3 s) or a neighbour's next probe (1 s apart) due in the same instant
 * as a send is a race the kernel's timer wheel decides either way (gen-993001-10: rate 2, the
 * third connect against the first one's retransmission).
 */
const RATES = [6, 7, 100, 1000] as const;

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
