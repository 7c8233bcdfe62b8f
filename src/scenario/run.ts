// Runs a scenario to completion on the model and returns its Trace. Traffic items go one after
// another, each once the network has settled after the previous one: no packet on its way and
// no timer that holds one (ARP resolution, reassembly). A timed item (`at: +5ms`) does not wait
// for that: it starts that long after the previous item started, with whatever is still on its
// way or queued (a reassembly queue, a pending ARP) left as it is. Housekeeping timers (a
// neighbour's re-confirmation) go on in the background and run at their time; all is run out
// at the end.
import { parseScenarioCollect, type ParseOptions } from './parse';
import type { KernelVariant } from '../model/sim/variant';
import { DEFAULT_BUDGET, LIMIT_SETTINGS, raiseHint, type RunBudget } from './limits';
import { BudgetExceeded, BudgetMeter } from '../model/sim/budget';
import { buildWorld } from './build';
import type { Scenario, TrafficItem } from './types';
import { ScenarioError, ScenarioErrors } from './types';
import type { Trace } from '../trace/contract';
import type { World } from '../model/world';
import type { RecordLevel } from '../model/sim/recorder';
import { ipToNum } from '../model/proto/addr';
import { ping_open, ping_probe_connect, ping_send } from '../model/net/ipv4/raw';
import { ping6_open, ping6_probe_connect, ping6_send } from '../model/net/ipv6/raw';
import { udpv6_recvmsg_all, udpv6_sendmsg } from '../model/net/ipv6/udp';
import { parseIpv6 } from '../trace/ipv6';
import { NotModelled } from '../model/sim/not_modelled';
import { ephemeralPort, udp_sendmsg, udp_recvmsg_all } from '../model/net/ipv4/udp';
import { tcp_v4_connect } from '../model/net/ipv4/tcp_ipv4';
import { tcp_v6_connect } from '../model/net/ipv6/tcp_ipv6';
import { buildFrame, packet_snd } from '../model/net/packet/af_packet';
import { buildFrame6 } from '../model/net/packet/frame6';
import { frame6Spec } from './wire6_frame';
import { deriveMac } from '../model/proto/addr';
import { IPV4_HLEN } from '../model/proto/ipv4';
import { runPcap, type CaptureOpener, type CaptureSent } from './runPcap';
import { repeat, type RepeatPacing } from './repeat';
import { pinger } from './pinger';

/** a wire frame's IP ID when the scenario gives none */
const DEFAULT_WIRE_ID = 0x1c46;

export interface RunOptions extends ParseOptions {
  level?: RecordLevel;
  /**
   * filled with where each traffic item starts (events recorded so far, simulated time), then one
   * last mark after all items; the first also has each host's counters then (after the link-up:
   * what IPv6's DAD counted before the first item)
   */
  marks?: { events: number; now: number; busy?: number; counters?: Record<string, Record<string, number>>; sends?: number[] }[];
  /**
   * Time (ns) to let pass after traffic item `i` settled, before the next item that is not timed:
   * what the fidelity harness waits on the kernel beyond the item's busy time (src/fidelity/pacing.ts).
   * Given `busyNs` (from the item's start to its last event) and whether a ping was among the
   * items since the last settle; `i` -1 is IPv6's link-up before the first item (`busyNs`: when
   * it settled). With it, each mark after the first carries the previous item's `busy` time, and
   * the first the link-up's.
   */
  itemGap?: (i: number, busyNs: number, pinged: boolean) => number;
  /** a newer kernel's behaviour, for the fidelity harness only (src/model/sim/variant.ts) */
  kernelVariant?: KernelVariant;
  /** reads a file a setup line names (`nft -f rules.nft`, `iptables-restore < rules.v4`), relative to the scenario's folder */
  readFile?: (path: string) => string;
  /** the run's budget (src/scenario/limits.ts): reaching it stops the run, and the trace says so in `stopped` */
  budget?: Partial<RunBudget>;
  /** wall-clock ms for the budget; Date.now by default */
  wallClock?: () => number;
  /** opens a capture a `pcap:` item names (relative to the scenario's folder), as chunks of bytes */
  openCapture?: CaptureOpener;
  /** told what became of each frame of a capture */
  onCaptureFrame?: (s: CaptureSent) => void;
  /**
   * Re-execution of a window (time travel by re-running: the model is deterministic, so the run
   * reaches the window exactly as the first run did). Events are recorded only from traffic item
   * `item` on (at the fates level before it), and for a capture item from its frame `fromFrame`
   * (0-based); with `untilFrame`, the run ends once that frame of the capture has been sent and the
   * network has settled, without the rest of the capture or the items after it. `level` is not
   * used. The window's events are the same as the whole run's from that point on
   * (test/unit/scenario/reexecute.test.ts), numbered from 0.
   */
  record?: RecordWindow;
  /** filled, for each frame of a capture item, with the events recorded before the frame was sent */
  frameMarks?: { item: number; frame: number; events: number }[];
  /** other outcomes for the kernel's random choices (World's randomSalt); 0, the default, is every run's */
  randomSalt?: number;
  /**
   * init_net's values of machine-wide sysctls a namespace reads but cannot write (net.core.rmem_max
   * and rmem_default: read-only in a new namespace), instead of v6.12's defaults: the fidelity
   * harness passes the machine's own, which its namespaces see
   */
  machineSysctls?: Readonly<Record<string, number>>;
  /**
   * Sysctls set in every namespace before its devices are made (so they inherit them), as the
   * fidelity harness sets them on the kernel: net.ipv6.conf.{all,default}.router_solicitations=0
   * in an IPv6 scenario that sets none of the router solicitation sysctls (docs/fidelity.md)
   */
  pinnedSysctls?: Readonly<Record<string, number>>;
}

export interface RecordWindow {
  item: number;
  fromFrame?: number;
  untilFrame?: number;
}

/** Parses and runs. Errors of every phase come together: a parse error does not hide the errors of applying the rest. */
export function runScenarioText(text: string, file: string, opts: RunOptions = {}): Trace {
  const { scenario, errors, buildable } = parseScenarioCollect(text, file, opts);
  if (!errors.length) return runScenario(scenario, opts);
  throw new ScenarioErrors(withBuildErrors(scenario, file, errors, buildable, opts));
}

/**
 * Every error of parsing and of applying the setup (without running the traffic), sorted: what an
 * editor shows as problems while a file is typed.
 */
export function scenarioErrors(text: string, file: string, opts: RunOptions = {}): ScenarioError[] {
  const { scenario, errors, buildable } = parseScenarioCollect(text, file, opts);
  return withBuildErrors(scenario, file, errors, errors.length ? buildable : true, opts);
}

function withBuildErrors(scenario: Scenario, file: string, errors: ScenarioError[], buildable: boolean, opts: RunOptions): ScenarioError[] {
  const more: ScenarioError[] = [];
  if (buildable) {
    try {
      buildWorld(scenario, 'fates', opts.readFile);
    } catch (e) {
      if (e instanceof ScenarioErrors) more.push(...e.errors);
      else if (e instanceof ScenarioError) more.push(e);
      else throw e;
    }
  }
  // one error per line: a line the parser refused is not reported again when applied
  const lines = new Set(errors.map((e) => `${e.pos.file}:${e.pos.line}`));
  const all = [...errors, ...more.filter((e) => !lines.has(`${e.pos.file}:${e.pos.line}`))];
  all.sort((a, b) => (a.pos.file === b.pos.file ? 0 : a.pos.file === file ? -1 : b.pos.file === file ? 1 : a.pos.file < b.pos.file ? -1 : 1) || a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  return all;
}

export function runScenario(sc: Scenario, opts: RunOptions = {}): Trace {
  const win = opts.record;
  const { world } = buildWorld(sc, win ? 'fates' : (opts.level ?? 'full'), opts.readFile, opts.randomSalt, opts.machineSysctls, opts.pinnedSysctls);
  if (opts.kernelVariant) world.variant = opts.kernelVariant;
  // only a re-execution's window turns a fates run to 'full': without one, it stays fates to the end
  if (!win) world.rec.fatesToTheEnd();
  const budget = { ...DEFAULT_BUDGET, ...opts.budget };
  const meter = new BudgetMeter(budget, world.rec, opts.wallClock ?? Date.now);
  world.sched.meter = meter;
  const errors: ScenarioError[] = [];
  let stopped: Trace['stopped'];
  let lastItem: TrafficItem | undefined;
  const linkUp = [...world.hosts.values()].some((n) => n.ipv6.enabled);
  try {
    let prevStart = world.sched.now;
    let pinged = false;
    let busy: number | undefined;
    for (let i = 0; i < sc.traffic.length; i++) {
      const item = sc.traffic[i];
      lastItem = item;
      // IPv6's link-up (DAD of the addresses, src/model/net/ipv6/addrconf_dad.ts) is over before
      // the first item, as the fidelity harness waits for it on the kernel
      if (i === 0 && linkUp) {
        world.settle();
        if (opts.itemGap) {
          busy = world.sched.now;
          world.advance(opts.itemGap(-1, busy, false));
        }
      }
      if (i > 0) {
        // a timed item: everything due before its start runs, in time order; nothing is settled first
        const at = item.kind === 'local' || item.kind === 'wire' ? item.at : undefined;
        if (at !== undefined) world.sched.runUntil(prevStart + at);
        else {
          world.settle();
          if (opts.itemGap) {
            const n = world.rec.eventCount;
            busy = Math.max(0, (n ? world.rec.timeOf(n - 1) : prevStart) - prevStart);
            world.advance(opts.itemGap(i - 1, busy, pinged));
            pinged = false;
          }
        }
        meter.check(world.sched.now, false);
      }
      prevStart = world.sched.now;
      if (item.kind === 'local' && item.send.proto === 'icmp') pinged = true;
      if (win && i === win.item && (item.kind !== 'pcap' || win.fromFrame === undefined)) world.rec.setLevel('full');
      opts.marks?.push({ events: world.rec.eventCount, now: world.sched.now, ...(busy !== undefined && { busy }), ...(i === 0 && { counters: hostCounters(world) }) });
      busy = undefined;
      let windowEnd = false;
      try {
        if (item.kind === 'pcap') {
          const frames = opts.frameMarks;
          const inWindow = win?.item === i;
          windowEnd = runPcap(world, item, i, opts.openCapture, opts.onCaptureFrame, {
            from: inWindow ? win.fromFrame : undefined,
            until: inWindow ? win.untilFrame : undefined,
            onFrame: frames && ((frame) => frames.push({ item: i, frame, events: world.rec.eventCount })),
          });
        } else {
          // a count's sends: their start times for the harness, paced between as items are
          const mark = opts.marks?.[opts.marks.length - 1];
          const starts: number[] | undefined = mark && item.kind === 'local' && (item.send.count ?? 1) > 1 ? (mark.sends = []) : undefined;
          const gap = opts.itemGap;
          runItem(world, sc, item, { starts, gap: gap && ((busy) => gap(i, busy, false)) });
        }
      } catch (e) {
        if (e instanceof ScenarioError) errors.push(e);
        else throw e;
      }
      if (windowEnd) break;
    }
    world.settle();
    meter.check(world.sched.now, false);
    if (errors.length) throw new ScenarioErrors(errors);
    opts.marks?.push({ events: world.rec.eventCount, now: world.sched.now });
    // The listening applications read what was queued for them.
    for (const net of world.hosts.values()) for (const s of net.sock.udp) udp_recvmsg_all(net, s);
    for (const net of world.hosts.values()) for (const s of net.sock.udp6) udpv6_recvmsg_all(net, s);
    world.finish();
  } catch (e) {
    // a path the model does not have: reported at the traffic item whose packets went there
    if (e instanceof NotModelled && lastItem) throw new ScenarioErrors([new ScenarioError(`not modelled: ${e.message}`, lastItem.pos)]);
    if (!(e instanceof BudgetExceeded)) throw e;
    stopped = { limit: e.limit, message: budgetMessage(e) };
    if (errors.length) throw new ScenarioErrors(errors);
  } finally {
    world.sched.meter = null;
  }
  const t = world.trace(sc.name);
  if (stopped) t.stopped = stopped;
  if (win) t.window = { ...win };
  return t;
}

function hostCounters(world: World): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, net] of world.hosts) out[name] = Object.fromEntries(net.counters());
  return out;
}

function budgetMessage(e: BudgetExceeded): string {
  const s = LIMIT_SETTINGS[e.limit];
  const max = e.limit === 'maxSimNs' ? `${e.max / 1e9} s` : e.limit === 'maxWallMs' ? `${e.max / 1000} s` : String(e.max);
  return `the run stopped at its budget of ${max} ${e.limit === 'maxSimNs' ? 'of simulated time' : e.limit === 'maxWallMs' ? 'of wall-clock time' : s.what} (${e.at.tasks} tasks run, ${e.at.events} events, ${(e.at.simNs / 1e9).toFixed(3)} s simulated); the trace has what ran until then; ${raiseHint(e.limit)}`;
}

function runItem(world: World, sc: Scenario, item: Exclude<TrafficItem, { kind: 'pcap' }>, pacing: RepeatPacing): void {
  if (item.kind === 'wait') {
    world.advance(item.ns);
    return;
  }
  if (item.kind === 'local') {
    const net = world.hosts.get(item.from.text)!;
    const s = item.send;
    if (s.proto === 'icmp' && s.to.text.includes(':')) {
      const daddr6 = parseIpv6(s.to.text)!;
      if (!ping6_probe_connect(net, daddr6)) return;
      // each ping item is a new ping process: its own socket and echo id, kept for its `count`
      const sock = ping6_open(net);
      pinger(world, s.count, (seq) => ping6_send(net, { sock, daddr: daddr6, seq, hopLimit: s.ttl, size: s.size ?? 104 }));
      return;
    }
    if (s.proto === 'tcp' && s.to.text.includes(':')) {
      const daddr6 = parseIpv6(s.to.text)!;
      repeat(world, s, () => tcp_v6_connect(net, { daddr6, dport: s.dport, sport: s.sport, data: s.data }), pacing);
      return;
    }
    if (s.proto === 'udp' && s.to.text.includes(':')) {
      const daddr6 = parseIpv6(s.to.text)!;
      const sport = s.sport ?? ((s.count ?? 1) > 1 ? ephemeralPort(net) : undefined);
      repeat(world, s, () => udpv6_sendmsg(net, { daddr: daddr6, dport: s.dport, sport, size: s.size, payload: s.payload }), pacing);
      return;
    }
    const daddr = ipToNum(s.to.text);
    if (s.proto === 'icmp') {
      if (!ping_probe_connect(net, daddr)) return;
      // each ping item is a new ping process: its own socket and echo id, kept for its `count`
      const sock = ping_open(net);
      pinger(world, s.count, (seq) => ping_send(net, { sock, daddr, seq, ttl: s.ttl, size: s.size ?? 84, df: s.df }));
    } else if (s.proto === 'udp') {
      // one socket sends all N datagrams: its port is chosen once, as an application's would be
      const sport = s.sport ?? ((s.count ?? 1) > 1 ? ephemeralPort(net) : undefined);
      repeat(world, s, () => udp_sendmsg(net, { daddr, dport: s.dport, sport, size: s.size, ttl: s.ttl, df: s.df, payload: s.payload, broadcast: s.broadcast }), pacing);
    } else {
      repeat(world, s, () => tcp_v4_connect(net, { daddr, dport: s.dport, sport: s.sport, data: s.data }), pacing);
    }
    return;
  }
  const net = world.hosts.get(item.host.text)!;
  const target = net.devices.get(item.ifname.text)!;
  const peer = target.peer!;
  const w = item.send;
  if (w.v6) {
    packet_snd(peer.net, peer, buildFrame6(frame6Spec(sc, w, target.mac, peer.mac ?? deriveMac('wire', item.ifname.text))), target);
    return;
  }
  const saddr = ipToNum(w.src.text);
  const daddr = ipToNum(w.dst.text);
  const id = w.id ?? DEFAULT_WIRE_ID;
  const size = w.size ?? (w.proto === 'tcp' ? 40 : 28 + 32);
  const frame = buildFrame({
    proto: w.proto,
    saddr,
    daddr,
    sport: w.sport ?? 0,
    dport: w.dport ?? 0,
    flags: w.proto === 'icmp' ? w.icmpType ?? w.flags : w.flags,
    seq: w.seq,
    ack: w.ack,
    window: w.window,
    ttl: w.ttl ?? 64,
    size,
    datagram: w.frag ? datagramLength(sc, saddr, daddr, w.proto, id) : size,
    df: w.df ?? false,
    id,
    tos: w.tos ?? 0,
    badIpChecksum: !!w.badIpChecksum,
    badL4Checksum: !!w.badL4Checksum,
    frag: w.frag,
    dstMac: w.dstMac?.toLowerCase() ?? target.mac,
    srcMac: w.srcMac?.toLowerCase() ?? peer.mac ?? deriveMac('wire', item.ifname.text),
    version: w.version,
    ihl: w.ihl,
    truncate: w.truncate,
    payload: w.payload !== undefined ? new TextEncoder().encode(w.payload) : undefined,
  });
  packet_snd(peer.net, peer, frame, target);
}

/**
 * The fragments of one datagram are separate items; the datagram they are cut from spans the
 * furthest end any of them (same addresses, protocol and ID) reaches.
 */
function datagramLength(sc: Scenario, saddr: number, daddr: number, proto: string, id: number): number {
  let end = 0;
  for (const t of sc.traffic) {
    // an IPv6 fragment is another datagram (wire6_frame.ts sizes those)
    if (t.kind !== 'wire' || !t.send.frag || t.send.v6) continue;
    const w = t.send;
    if (ipToNum(w.src.text) !== saddr || ipToNum(w.dst.text) !== daddr || w.proto !== proto || (w.id ?? DEFAULT_WIRE_ID) !== id) continue;
    const sz = w.size ?? 60;
    end = Math.max(end, (w.frag?.offset ?? 0) + sz - IPV4_HLEN);
  }
  return IPV4_HLEN + end;
}
