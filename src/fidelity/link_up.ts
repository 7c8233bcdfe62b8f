// IPv6's link-up on the model's side of a comparison. The model runs DAD of every address
// (src/model/net/ipv6/addrconf_dad.ts) and the MLD reports (mcast.ts) before the first traffic
// item; the harness waits the kernel's link-up out before its captures and its nstat baseline
// start (replay.ts, V6_SETTLE_MS). The frames of the link-up are compared on their own, as sets
// (link_up_frames.ts); the rest of what the model did before the first item is left out here:
// its events (hook passes, drops) and its counters (those at the first mark are subtracted).
import type { Trace } from '../trace/contract';
import type { Scenario } from '../scenario/types';
import { setsRouterSolicitations, usesIpv6 } from '../scenario/ipv6_use';

export interface Mark {
  events: number;
  now: number;
  busy?: number;
  counters?: Record<string, Record<string, number>>;
  /** a counted item's sends: the simulated time each started (RepeatPacing) */
  sends?: number[];
}

/** The trace from the first mark on, with counters counted since then, and the marks renumbered to it. */
export function withoutLinkUp(t: Trace, marks: Mark[]): { trace: Trace; marks: Mark[] } {
  const first = marks[0];
  if (!first || first.events === 0) return { trace: t, marks };
  const counters: Record<string, Record<string, number>> = {};
  for (const [host, c] of Object.entries(t.counters)) {
    const before = first.counters?.[host] ?? {};
    const since: Record<string, number> = {};
    for (const [k, v] of Object.entries(c)) if (v - (before[k] ?? 0)) since[k] = v - (before[k] ?? 0);
    counters[host] = since;
  }
  const events = t.events.slice(first.events);
  // the packets of the link-up (DAD's probes) go with their events; at the fates level there are none to tell by
  const seen = new Set(events.map((e) => e.packet));
  const linkUp = new Set(t.events.slice(0, first.events).map((e) => e.packet));
  const packets = t.packets.filter((p) => seen.has(p.id) || !linkUp.has(p.id));
  const trace: Trace = { ...t, events, packets, counters };
  return { trace, marks: marks.map((m) => ({ ...m, events: m.events - first.events })) };
}

/**
 * How long the kernel's link-up may take, in ms, after the setup: at least V6_SETTLE_MS, and at
 * least the model's link-up (its DAD and MLD reports, for whose random delays the model takes
 * the latest the kernel can draw) plus LINKWATCH_MS (a veth's carrier reaches addrconf through
 * linkwatch, which may hold an event back up to a second) and a second of room on a loaded
 * machine.
 */
export function linkUpWaitMs(marks: Mark[], settleMs: number): number {
  // a run paced as the harness (pacing.ts) says when its link-up ended: its first item starts later
  const modelMs = (marks[0]?.busy ?? marks[0]?.now ?? 0) / 1e6;
  return Math.max(settleMs, modelMs > 0 ? modelMs + LINKWATCH_MS + 1000 : 0);
}

/**
 * How long IPv6's link-up traffic lasts after the setup: DAD of a link-local address starts
 * within rtr_solicit_delay (1 s) and takes dad_transmits × retrans_time (1 s); the MLD reports
 * held back until then go out with one retransmission within mldv2_unsolicited_report_interval
 * (1 s). Four seconds cover it with room on a loaded machine.
 */
export const V6_SETTLE_MS = 4000;

/** linkwatch_schedule_work: a non-urgent event waits until a second (HZ) after the last one ran */
export const LINKWATCH_MS = 1000;

/**
 * In a scenario that uses IPv6 and sets none of the router solicitation sysctls
 * (setsRouterSolicitations): no router solicitations (addrconf_dad_completed sends them only
 * while router_solicitations is not 0), set before the devices are made so they inherit it, on
 * the kernel and in the model (RunOptions.pinnedSysctls). With v6.12's default (-1, without end)
 * every host would send one every 4 to 8 s, and more, during any scenario's traffic, where how
 * many fall depends on the random backoff and on how long the kernel's traffic took
 * (docs/fidelity.md, "## IPv6"); a scenario that sets them has them compared.
 */
export const V6_PINNED = [
  { key: 'net.ipv6.conf.all.router_solicitations', value: '0' },
  { key: 'net.ipv6.conf.default.router_solicitations', value: '0' },
];

/** The pinned IPv6 settings of a scenario (none when it does not use IPv6 or sets router solicitations itself). */
export function v6Pinned(sc: Scenario): { key: string; value: string }[] {
  return usesIpv6(sc) && !setsRouterSolicitations(sc) ? V6_PINNED : [];
}

/** v6Pinned as the model's RunOptions.pinnedSysctls take it. */
export function v6PinnedModel(sc: Scenario): Record<string, number> {
  return Object.fromEntries(v6Pinned(sc).map((p) => [p.key, Number(p.value)]));
}
