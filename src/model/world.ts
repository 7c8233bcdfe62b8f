// The whole simulated network: hosts (namespaces), the wires between their devices, one clock
// and one recorder. Runs are deterministic: same scenario, same trace.
import { Net } from './net/net_namespace';
import type { KernelVariant } from './sim/variant';
import { Recorder, type RecordLevel } from './sim/recorder';
import { Scheduler } from './sim/scheduler';
import type { HostInfo, PingSocketReport, SocketReport, Trace, TraceEvent } from '../trace/contract';
import { numToIp } from './proto/addr';
import { REFERENCE_KERNEL } from '../trace/contract';
import { dropEventRows, withEventRows } from '../trace/read';

export class World {
  readonly sched = new Scheduler();
  readonly rec: Recorder;
  readonly hosts = new Map<string, Net>();
  /** a newer kernel's behaviour the fidelity harness asked for (sim/variant.ts); none otherwise */
  variant: KernelVariant = {};

  /**
   * @param randomSalt changes the outcomes of the kernel's random choices (get_random_u32_below …)
   * from the ones a run makes by default: the fidelity generator runs a draw again with other
   * salts to find outcomes that hang on such a choice, which a kernel run cannot repeat
   */
  constructor(
    level: RecordLevel = 'full',
    readonly randomSalt = 0,
  ) {
    this.rec = new Recorder(level, () => this.sched.now);
  }

  addHost(name: string): Net {
    const n = new Net(name, this);
    this.hosts.set(name, n);
    return n;
  }

  /** Runs deferred work until no packet is on its way (background housekeeping may remain). */
  settle(): void {
    // with a budget (a run from src/scenario/run.ts) the budget bounds the work, not a fixed count
    this.sched.runUntilQuiet(this.sched.meter ? Infinity : undefined);
  }

  /** Lets simulated time pass: everything due until then runs, housekeeping included. */
  advance(ns: number): void {
    this.sched.runUntil(this.sched.now + ns, this.sched.meter ? Infinity : undefined);
  }

  /**
   * Runs everything left, housekeeping timers included, except those that re-arm without end (an
   * unending router solicitation series): the run ends with the last other task, and such a
   * timer's runs up to then are in it.
   */
  finish(): void {
    for (let last = this.sched.lastNotEndless(); last !== undefined; last = this.sched.lastNotEndless()) {
      this.sched.runUntil(last, this.sched.meter ? Infinity : undefined);
    }
  }

  trace(scenario: string): Trace {
    this.rec.flushCounters();
    const counters: Record<string, Record<string, number>> = {};
    const sockets: SocketReport[] = [];
    const pingSockets: PingSocketReport[] = [];
    for (const [name, net] of this.hosts) {
      const c: Record<string, number> = {};
      for (const [k, v] of net.counters().sort((a, b) => a[0].localeCompare(b[0]))) if (v) c[k] = v;
      counters[name] = c;
      if (net.sock) {
        for (const s of net.sock.udp) sockets.push(s.report);
        for (const s of net.sock.udp6) sockets.push(s.report);
        for (const s of net.sock.tcp) if (s.report && s.state === 'TCP_LISTEN') sockets.push(s.report);
        for (const s of net.sock.raw) pingSockets.push({ host: name, echoId: s.echoId, received: s.received.map((r) => ({ ...r })) });
      }
    }
    const rec = this.rec;
    const t: Trace = {
      scenario,
      kernel: REFERENCE_KERNEL,
      hosts: [...this.hosts.values()].map(hostInfo),
      packets: [...this.rec.packets.values()],
      // The recorder keeps a full trace's events as rows and makes their objects when they are
      // first read (Recorder.events): an own enumerable accessor, so JSON, a spread,
      // structuredClone and deepStrictEqual see the array where it always was. Set, it becomes
      // a plain property.
      get events(): TraceEvent[] {
        return rec.events;
      },
      set events(v: TraceEvent[]) {
        Object.defineProperty(this, 'events', { value: v, writable: true, enumerable: true, configurable: true });
        dropEventRows(this);
      },
      counters,
      sockets,
      pingSockets,
    };
    // readers that go through the events once read the rows (src/trace/read.ts)
    return withEventRows(t, {
      get count() {
        return rec.eventCount;
      },
      at: (i) => rec.eventAt(i),
    });
  }
}

function hostInfo(net: Net): HostInfo {
  const tables = [...new Set(net.fib.routes.map((r) => r.table))].sort((a, b) => a - b);
  return {
    name: net.name,
    devices: [...net.devices.values()].map((d) => ({
      name: d.name,
      ifindex: d.ifindex,
      kind: d.kind,
      mac: d.mac,
      mtu: d.mtu,
      flags: d.flagString(),
      qdisc: d.qdisc.kind,
      txqueuelen: d.tx_queue_len,
      addrs: d.addrs.map((a) => `${numToIp(a.local)}/${a.plen}`),
      peer: d.peer ? `${d.peer.net.name}:${d.peer.name}` : null,
      stats: { rx_packets: d.stats.rx_packets, tx_packets: d.stats.tx_packets, rx_bytes: d.stats.rx_bytes, tx_bytes: d.stats.tx_bytes, rx_dropped: d.stats.rx_dropped, tx_dropped: d.stats.tx_dropped },
    })),
    routes: tables.flatMap((t) => net.fib.show(t).map((r) => (t === 254 ? r : `${r} table ${t === 255 ? 'local' : t}`))),
    neighbours: [...net.neigh.values()].filter((n) => !n.dev.isLoopback && n.state !== 'NUD_NOARP').map((n) => `${numToIp(n.key)} dev ${n.dev.name}${n.ha ? ` lladdr ${n.ha}` : ''} ${n.state.slice(4)}`),
  };
}
