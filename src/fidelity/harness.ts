// `npm run fidelity -- [FILES or DIRS]`: each scenario runs on the model and on the real kernel
// (network namespaces), and what the kernel shows is compared with what the model says.
import { scenarioCaptureOpener } from '../capture/file';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseScenario } from '../scenario/parse';
import { runScenario, type RunOptions } from '../scenario/run';
import { ScenarioError, ScenarioErrors, type Scenario } from '../scenario/types';
import type { Trace } from '../trace/contract';
import { REFERENCE_KERNEL } from '../trace/contract';
import { compareAll, delayTimerRace, formatDiff, NONDETERMINISM, RANDOM_REACHABLE_AFTER_NS, type Difference } from './compare';
import { applyExceptions, type AppliedException } from './exceptions';
import { cleanupAll, installCleanupHandlers, makeTempDir, removeTempDir } from './lab';
import { modelDrops, modelSends, observeModel, type Observation } from './observe';
import { DropTracer, IGNORED_DROP_REASONS } from './drops';
import { preflight } from './preflight';
import { replay, type KernelRun } from './replay';
import { VARIANT_CHECKS } from './variant_check';
import { unendingRsDevices } from './rs_frames';
import { withoutLinkUp, type Mark } from './link_up';
import { comparisonRunOptions } from './model_run';
import { modelLinkUpFrames, type LinkUpFrames } from './link_up_frames';
import { usesIpv6 } from '../scenario/ipv6_use';
import { IPV6_MIN_MTU } from '../model/net/ipv6/addrconf';

export interface ScenarioResult {
  file: string;
  name: string;
  agree: boolean;
  /** set when the running kernel cannot replay it (built without a feature it needs): not counted */
  unsupported?: string;
  diffs: Difference[];
  /** a reason the comparison could not be made (model error, setup failure) */
  errors: string[];
  notes: string[];
  exceptions: AppliedException[];
  /** how many drops were compared (after IGNORED_DROP_REASONS), when drops were traced */
  drops?: { model: number; kernel: number; /** drops seen on one side only */ unmatched: number; /** of those, explained by a version exception */ excepted: number };
  ms: number;
}

export interface FidelityOptions {
  jobs?: number;
  /** compare drops (the kfree_skb tracepoint through bpftrace); on unless false */
  drops?: boolean;
  log?: (s: string) => void;
}

/** Scenario files named by the arguments (a directory: its *.yaml / *.yml, sorted). */
export function collectFiles(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    const st = fs.statSync(a);
    if (st.isDirectory()) {
      for (const f of fs.readdirSync(a).sort()) if (/\.ya?ml$/.test(f)) out.push(path.join(a, f));
    } else out.push(a);
  }
  return out;
}

export function kernelRelease(): string {
  return os.release();
}

/** Setup commands that change what netfilter does to the host's own packets. */
const FIREWALL_TOOLS = new Set(['nft', 'iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore', 'iptables-nft', 'ip6tables-nft']);

/** The model's run of a comparison, and what of it the comparison leaves to the link-up. */
function modelRun(sc: Scenario, file: string, extra: RunOptions = {}): { trace: Trace; marks: Mark[]; linkUp?: LinkUpFrames } {
  const marks: Mark[] = [];
  const dir = path.dirname(path.resolve(file));
  const paced = comparisonRunOptions(sc);
  const whole = runScenario(sc, { marks, readFile: (p) => fs.readFileSync(path.resolve(dir, p), 'utf8'), openCapture: scenarioCaptureOpener(dir), machineSysctls: machineSysctls(), ...paced, ...extra, pinnedSysctls: { ...paced.pinnedSysctls, ...extra.pinnedSysctls } });
  // IPv6's link-up (DAD, MLD reports) is compared on its own, as sets of packets per device
  // (link_up_frames.ts); the rest of the comparison starts at the first traffic item (link_up.ts)
  const linkUp = usesIpv6(sc) ? modelLinkUpFrames(whole, marks[0]?.events ?? 0) : undefined;
  return { ...withoutLinkUp(whole, marks), linkUp };
}

/** A model run compared with the kernel's: every difference, and those no version exception explains. */
function judge(sc: Scenario, run: { trace: Trace; marks: Mark[]; linkUp?: LinkUpFrames }, k: KernelRun, drops: boolean): { all: Difference[]; kept: Difference[]; applied: AppliedException[]; span: number; race: boolean; m: Observation } {
  const { trace, marks } = run;
  const m = observeModel(trace, new Set(sc.traffic.flatMap((t) => (t.kind === 'local' && t.send.proto === 'icmp' ? [t.from.text] : []))));
  m.sends = modelSends(sc, trace, marks);
  m.linkUp = run.linkUp;
  if (drops) m.drops = modelDrops(trace);
  // neighbour entries age in real time on the kernel: on a loaded machine the traffic takes
  // longer than the model's simulated span, and reachable_time can run out in between
  const span = Math.max(trace.events.length ? trace.events[trace.events.length - 1].time - (marks[0]?.now ?? 0) : 0, (k.trafficMs ?? 0) * 1e6);
  const race = delayTimerRace(trace.events);
  const linkEnds = new Set(sc.links.flatMap((l) => [`${l.a.host.text}:${l.a.ifname.text}`, `${l.b.host.text}:${l.b.ifname.text}`]));
  // a device whose setup takes IPv6 away (an MTU below IPV6_MIN_MTU: addrconf_ifdown) sent
  // what mld_ifc_work managed before that setup line: the kernel's setup takes time, the model's none
  for (const h of sc.hosts) for (const c of h.setup) if (c.kind === 'link-set' && c.mtu !== undefined && c.mtu < IPV6_MIN_MTU) linkEnds.delete(`${h.name}:${c.dev.text}`);
  // a host whose firewall comes after a link of its is up: the kernel's link-up runs while
  // the later setup lines are still being run (an OUTPUT rule may not be there yet)
  for (const h of sc.hosts) {
    const lines = h.script ?? [];
    const up = lines.findIndex((l) => l.argv[0] === 'ip' && l.argv.includes('link') && l.argv.includes('up'));
    if (up >= 0 && lines.slice(up + 1).some((l) => FIREWALL_TOOLS.has(l.argv[0]))) for (const e of [...linkEnds]) if (e.startsWith(`${h.name}:`)) linkEnds.delete(e);
  }
  const all = compareAll(m, k.obs, sc.hosts.map((h) => h.name), k.captured, span, race, linkEnds, unendingRsDevices(sc));
  const { kept, applied } = applyExceptions(sc, all, kernelRelease(), undefined, trace);
  return { all, kept, applied, span, race, m };
}

export async function runOne(file: string, index: number, log: (s: string) => void, drops?: DropTracer): Promise<ScenarioResult> {
  const t0 = Date.now();
  const res: ScenarioResult = { file, name: path.basename(file), agree: false, diffs: [], errors: [], notes: [], exceptions: [], ms: 0 };
  let sc: Scenario;
  let run: ReturnType<typeof modelRun>;
  try {
    sc = parseScenario(fs.readFileSync(file, 'utf8'), file);
    res.name = sc.name;
    run = modelRun(sc, file);
  } catch (e) {
    if (e instanceof ScenarioErrors || e instanceof ScenarioError) res.errors.push(`the model does not run it: ${e.message.split('\n')[0]}`);
    else res.errors.push(`the model failed: ${(e as Error).stack ?? String(e)}`);
    res.ms = Date.now() - t0;
    return res;
  }
  const dir = makeTempDir();
  try {
    const prefix = `nsx-${process.pid}-${index}`;
    const k = await replay(sc, run.trace, run.marks, prefix, dir, log, drops);
    res.errors.push(...k.errors);
    res.notes.push(...k.notes);
    if (k.unsupported.length && !k.errors.length) res.unsupported = k.unsupported.join('; ');
    if (!k.errors.length && !res.unsupported) {
      const j = judge(sc, run, k, !!drops);
      if (j.m.drops && k.obs.drops) {
        const n = (l: { reason: string }[]): number => l.filter((d) => !(d.reason in IGNORED_DROP_REASONS)).length;
        res.drops = { model: n(j.m.drops), kernel: n(k.obs.drops), unmatched: 0, excepted: 0 };
      }
      if (j.span > RANDOM_REACHABLE_AFTER_NS) res.notes.push(`a ${Math.round(j.span / 1e9)} s run: ${NONDETERMINISM['neigh-random-reachable-time']}`);
      else if (j.race) res.notes.push(NONDETERMINISM['neigh-delay-timer-slack']);
      let { kept, applied } = j;
      // a newer kernel's change that moves many things at once: the differences are explained
      // when the model, run with that change, has none left (variant_check.ts)
      for (const v of kept.length ? VARIANT_CHECKS : []) {
        if (!v.applies(sc, k)) continue;
        const alt = judge(sc, modelRun(sc, file, v.options(k)), k, !!drops);
        if (alt.kept.length) continue;
        applied = [...alt.applied, { name: v.name, reason: v.reason, count: kept.length }];
        kept = [];
        break;
      }
      const oneSided = (l: Difference[]): number => l.filter((d) => d.field === 'drop' && (d.model === '(no drop)' || d.kernel === '(no drop)')).length;
      if (res.drops) Object.assign(res.drops, { unmatched: oneSided(j.all), excepted: oneSided(j.all) - oneSided(kept) });
      res.diffs = kept;
      res.exceptions = applied;
    }
  } catch (e) {
    res.errors.push(`the kernel run failed: ${(e as Error).message}`);
  } finally {
    removeTempDir(dir);
  }
  res.agree = res.errors.length === 0 && res.diffs.length === 0 && !res.unsupported;
  res.ms = Date.now() - t0;
  return res;
}

export function formatResult(r: ScenarioResult): string[] {
  const lines = [`${r.unsupported ? 'NOT REPLAYABLE' : r.agree ? 'agree ' : 'DIFFER'}  ${r.file}  (${r.name}, ${(r.ms / 1000).toFixed(1)} s)`];
  if (r.unsupported) lines.push(`    not compared: ${r.unsupported}`);
  for (const e of r.errors) lines.push(`    error: ${e}`);
  for (const d of r.diffs) lines.push(`    ${formatDiff(path.basename(r.file), d)}`);
  for (const x of r.exceptions) lines.push(`    exception ${x.name} (${x.count} difference${x.count > 1 ? 's' : ''}): ${x.reason}`);
  for (const n of r.notes) lines.push(`    note: ${n}`);
  return lines;
}

/**
 * How many drops were compared, per packet, in the scenarios that were (or why none were), and
 * how many were seen on one side only: each of those is a difference unless a version exception
 * explains it, and the line says how many were explained so.
 */
export function dropsLine(rs: ScenarioResult[]): string {
  const with_ = rs.filter((r) => r.drops);
  if (!with_.length) return 'drops: not compared';
  const sum = (f: (d: NonNullable<ScenarioResult['drops']>) => number): number => with_.reduce((s, r) => s + f(r.drops!), 0);
  const un = sum((d) => d.unmatched);
  const ex = sum((d) => d.excepted);
  return `drops compared per packet in ${with_.length} scenarios: ${sum((d) => d.kernel)} in the kernel, ${sum((d) => d.model)} in the model; ${un} on one side only (${un - ex} reported as differences, ${ex} explained by version exceptions)`;
}

/** Scenarios this kernel cannot replay are left out of the count (and named above it). */
export function summaryLine(rs: ScenarioResult[]): string {
  const counted = rs.filter((r) => !r.unsupported);
  const agree = counted.filter((r) => r.agree).length;
  return `${counted.length} scenarios, ${agree} agree, ${counted.length - agree} differ`;
}

export function unsupportedLine(rs: ScenarioResult[]): string | undefined {
  const u = rs.filter((r) => r.unsupported);
  return u.length ? `${u.length} scenario${u.length > 1 ? 's' : ''} not replayable on this kernel (not counted): ${u.map((r) => path.basename(r.file)).join(', ')}` : undefined;
}

/** Runs every file; refuses (returning a message, touching nothing) when the machine cannot. */
export async function runFidelity(files: string[], opts: FidelityOptions = {}): Promise<{ results: ScenarioResult[]; refused?: string }> {
  const withDrops = opts.drops !== false;
  const refused = preflight({ drops: withDrops });
  if (refused) return { results: [], refused };
  installCleanupHandlers();
  const log = opts.log ?? (() => undefined);
  const jobs = Math.max(1, opts.jobs ?? 4);
  let drops: DropTracer | undefined;
  if (withDrops) {
    try {
      drops = await DropTracer.start();
    } catch (e) {
      cleanupAll();
      return { results: [], refused: `cannot trace drops: ${(e as Error).message}` };
    }
  }
  const results: ScenarioResult[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      log(`running ${files[i]}`);
      results[i] = await runOne(files[i], i, log, drops);
      log(formatResult(results[i])[0]);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  } finally {
    await drops?.stop();
    cleanupAll();
  }
  return { results };
}

export { REFERENCE_KERNEL };

/**
 * The machine's net.core.rmem_max and rmem_default: every namespace reads init_net's (a new one
 * cannot write them), so the model runs with them too. They decide a SYN's window scale (with
 * tcp_rmem[2]) and a UDP socket's buffer; this machine has rmem_max 4 MB, v6.12's default is 208 KB.
 */
export function machineSysctls(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of ['net.core.rmem_max', 'net.core.rmem_default']) {
    try {
      out[key] = Number(fs.readFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, 'utf8').trim());
    } catch {
      /* not Linux: v6.12's defaults */
    }
  }
  return out;
}
