// The scenario generator: `generate(seed, index)` builds one scenario from the grammar of what
// the model supports (topology.ts, sysctls.ts, firewall.ts, traffic.ts), the same for the same
// seed and index. validGenerated() keeps only scenarios the model parses and runs: a draw the
// model refuses is drawn again from the next attempt's stream (and counted).
import { comparisonRunOptions } from '../model_run';
import { parseScenario } from '../../scenario/parse';
import { runScenario } from '../../scenario/run';
import { sysctlsMore } from './sysctls_more';
import { ctTimeouts } from './ct_timeouts';
import { breadth } from './breadth';
import { counts } from './counts';
import { FEATURES, OFF_BY_DEFAULT, type Ctx, type Feature, type GenOptions } from './context';
import { CI_GENERATED } from './ci';
import { ctWindow } from './ct_window';
import { firewalls } from './firewall';
import { Rng } from './rng';
import { harnessLimit } from './harness_limits';
import { randomBytesLimit, timingLimit } from './timing_limits';
import type { Trace } from '../../trace/contract';
import { render, type GenScenario } from './scenario';
import { boundTimers, sysctls } from './sysctls';
import { extras, topology } from './topology';
import { listeners, traffic } from './traffic';
import { boundTimers6, ipv6Topology, listeners6 } from './ipv6';
import { firewalls6 } from './ipv6_firewall';

export { FEATURES, OFF_BY_DEFAULT, type Feature, type GenOptions } from './context';

export function generate(seed: number, index: number, opts: GenOptions = {}, attempt = 0): GenScenario {
  const include = new Set<Feature>(opts.include ?? []);
  const off = [...OFF_BY_DEFAULT, ...(CI_GENERATED.seeds.includes(seed) ? CI_GENERATED.exclude : [])];
  const exclude = new Set<Feature>([...off.filter((f) => !include.has(f)), ...(opts.exclude ?? [])]);
  const rng = Rng.forScenario(seed, index, attempt);
  const ctx: Ctx = { rng, hosts: [], links: [], ifaces: [], routers: new Set(), listen: [], traffic: [], extra: [], far: [], has: (f) => !exclude.has(f) };
  const shape = topology(ctx);
  if (ctx.has('ipv6')) for (const f of ipv6Topology(ctx, seed, index, attempt)) exclude.add(f);
  extras(ctx);
  sysctls(ctx);
  firewalls(ctx);
  firewalls6(ctx);
  const l = listeners(ctx);
  listeners6(ctx, l.tcp);
  const out = { tcpFrom: new Set<string>(), fragTo: new Set<string>() };
  traffic(ctx, out);
  boundTimers(ctx, { tcpFrom: out.tcpFrom, tcpListen: l.tcp, fragTo: out.fragTo.size ? new Set(ctx.hosts.map((h) => h.name)) : new Set() });
  boundTimers6(ctx);
  // last, so that every other side stream (seeded by the lines before it) draws as without it
  if (ctx.has('sysctl') && ctx.has('sysctl-more')) sysctlsMore(ctx);
  if (ctx.has('ct-timeout')) ctTimeouts(ctx);
  if (ctx.has('breadth')) breadth(ctx);
  if (ctx.has('ct-window')) ctWindow(ctx);
  if (ctx.has('counts')) counts(ctx);
  return { name: `generated ${seed}/${index}: ${ctx.hosts.length} host${ctx.hosts.length > 1 ? 's' : ''} (${shape}), ${ctx.traffic.length} traffic item${ctx.traffic.length > 1 ? 's' : ''}`, hosts: ctx.hosts, links: ctx.links, listen: ctx.listen, traffic: ctx.traffic };
}

/** Why the model refuses a scenario (parse or run), or undefined when it runs it. */
export function modelRefuses(sc: GenScenario, file = 'generated.yaml'): string | undefined {
  const r = modelRun(sc, file);
  return 'error' in r ? r.error : undefined;
}

function modelRun(sc: GenScenario, file: string): { trace: Trace } | { error: string } {
  try {
    // run as the harness runs it (its IPv6 pin: no router solicitations unless the scenario sets them)
    const parsed = parseScenario(render(sc), file);
    return { trace: runScenario(parsed, comparisonRunOptions(parsed)) };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] };
  }
}

/** The scenario for (seed, index) that the model accepts, and how many draws it refused first. */
export function validGenerated(seed: number, index: number, opts: GenOptions = {}): { sc: GenScenario; refused: string[] } {
  const refused: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const sc = generate(seed, index, opts, attempt);
    const r = modelRun(sc, 'generated.yaml');
    // a draw the kernel run cannot replay (the nic-as-veth stand-in, a rate limit that would see
    // the kernel run's gaps between items) is drawn again too
    const why = 'error' in r ? r.error : (harnessLimit(r.trace) ?? timingLimit(sc, r.trace) ?? randomBytesLimit(sc, r.trace));
    if (!why) return { sc, refused };
    refused.push(why);
  }
  throw new Error(`generator: 20 draws for seed ${seed} index ${index} were all refused by the model or left out as harness limits; last: ${refused[refused.length - 1]}`);
}

export function parseFeatures(list: string): Feature[] {
  const out: Feature[] = [];
  for (const f of list.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(f in FEATURES)) throw new Error(`unknown generator feature "${f}"; known: ${Object.keys(FEATURES).join(', ')}`);
    out.push(f as Feature);
  }
  return out;
}
