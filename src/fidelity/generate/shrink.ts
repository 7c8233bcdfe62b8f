// Delta debugging (Zeller's ddmin, complement removal) over a generated scenario: it drops hosts
// (with their links, listeners and traffic), traffic items, listeners and setup lines for as long
// as the test still sees the difference. The test is a kernel run, so the number of runs is
// capped (`budget`); the order of the attempts is fixed, so a shrink is deterministic for the
// same outcomes.
import type { GenScenario } from './scenario';

export type Verdict = (sc: GenScenario) => Promise<boolean>;

/** Removes the host and everything that needs it. */
export function withoutHost(sc: GenScenario, name: string): GenScenario {
  const links = sc.links.filter((l) => !l.a.startsWith(`${name}:`) && !l.b.startsWith(`${name}:`));
  const ends = new Set(links.flatMap((l) => [l.a, l.b]));
  // the other hosts' ends of the removed links are gone too, and so are the lines naming them
  const gone = sc.links.filter((l) => !links.includes(l)).flatMap((l) => [l.a, l.b]).filter((e) => !e.startsWith(`${name}:`));
  const names = (h: string): RegExp[] => gone.filter((e) => e.startsWith(`${h}:`)).map((e) => new RegExp(`(^|[^\\w])${e.split(':')[1]}([^\\w]|$)`));
  return {
    ...sc,
    hosts: sc.hosts.filter((h) => h.name !== name).map((h) => ({ ...h, lines: h.lines.filter((l) => !names(h.name).some((re) => re.test(l))) })),
    links,
    listen: sc.listen.filter((l) => l.host !== name),
    traffic: sc.traffic.filter((t) => ('from' in t ? t.from !== name : 'into' in t ? ends.has(t.into) : true)),
  };
}

/**
 * ddmin over `n` units: `apply(keep)` makes the candidate with only the units in `keep`;
 * returns the units kept. Tries removing chunks of n/2, n/4 … one unit.
 */
async function ddmin(n: number, apply: (keep: number[]) => GenScenario, test: Verdict, budget: { left: number }): Promise<number[]> {
  let keep = Array.from({ length: n }, (_, i) => i);
  let parts = 2;
  while (keep.length > 0 && budget.left > 0) {
    const size = Math.ceil(keep.length / Math.min(parts, keep.length));
    let removed = false;
    for (let start = 0; start < keep.length && budget.left > 0; start += size) {
      const cand = keep.slice(0, start).concat(keep.slice(start + size));
      budget.left--;
      if (await test(apply(cand))) {
        keep = cand;
        parts = Math.max(parts - 1, 2);
        removed = true;
        break;
      }
    }
    if (!removed) {
      if (size <= 1) break;
      parts = Math.min(parts * 2, keep.length);
    }
  }
  return keep;
}

export interface ShrinkResult {
  sc: GenScenario;
  /** kernel runs spent */
  runs: number;
  exhausted: boolean;
}

/** Elements a scenario has: hosts, setup lines, listeners, traffic items. */
export function size(sc: GenScenario): number {
  return sc.hosts.length + sc.hosts.reduce((s, h) => s + h.lines.length, 0) + sc.listen.length + sc.traffic.length;
}

export async function shrink(sc: GenScenario, test: Verdict, maxRuns = 60): Promise<ShrinkResult> {
  const budget = { left: maxRuns };
  let cur = sc;
  // hosts
  if (cur.hosts.length > 1) {
    const names = cur.hosts.map((h) => h.name);
    const keep = await ddmin(names.length, (k) => names.filter((_, i) => !k.includes(i)).reduce(withoutHost, cur), test, budget);
    cur = names.filter((_, i) => !keep.includes(i)).reduce(withoutHost, cur);
  }
  // traffic items, listeners
  {
    const base = cur;
    const keep = await ddmin(base.traffic.length, (k) => ({ ...base, traffic: base.traffic.filter((_, i) => k.includes(i)) }), test, budget);
    cur = { ...base, traffic: base.traffic.filter((_, i) => keep.includes(i)) };
  }
  {
    const base = cur;
    const keep = await ddmin(base.listen.length, (k) => ({ ...base, listen: base.listen.filter((_, i) => k.includes(i)) }), test, budget);
    cur = { ...base, listen: base.listen.filter((_, i) => keep.includes(i)) };
  }
  // setup lines, all hosts' as one list
  {
    const base = cur;
    const units = base.hosts.flatMap((h) => h.lines.map((_, i) => ({ host: h.name, i })));
    const apply = (k: number[]): GenScenario => ({
      ...base,
      hosts: base.hosts.map((h) => ({ ...h, lines: h.lines.filter((_, i) => k.some((u) => units[u].host === h.name && units[u].i === i)) })),
    });
    cur = apply(await ddmin(units.length, apply, test, budget));
  }
  return { sc: cur, runs: maxRuns - budget.left, exhausted: budget.left <= 0 };
}
