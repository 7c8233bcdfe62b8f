// The whole simulated network: hosts (namespaces), the wires between their devices, one clock
// and one recorder. Runs are deterministic: same scenario, same trace.
import { Net } from './net/net_namespace';
import { Recorder, type RecordLevel } from './sim/recorder';
import { Scheduler } from './sim/scheduler';
import type { SocketReport, Trace } from './trace';
import { REFERENCE_KERNEL } from './trace';

export class World {
  readonly sched = new Scheduler();
  readonly rec: Recorder;
  readonly hosts = new Map<string, Net>();

  constructor(level: RecordLevel = 'full') {
    this.rec = new Recorder(level, () => this.sched.now);
  }

  addHost(name: string): Net {
    const n = new Net(name, this);
    this.hosts.set(name, n);
    return n;
  }

  /** Runs deferred work until no packet is on its way (background housekeeping may remain). */
  settle(): void {
    this.sched.runUntilQuiet();
  }

  /** Lets simulated time pass: everything due until then runs, housekeeping included. */
  advance(ns: number): void {
    this.sched.runUntil(this.sched.now + ns);
  }

  /** Runs everything left, housekeeping timers included. */
  finish(): void {
    this.sched.runUntil(Infinity);
  }

  trace(scenario: string): Trace {
    this.rec.flushCounters();
    const counters: Record<string, Record<string, number>> = {};
    const sockets: SocketReport[] = [];
    for (const [name, net] of this.hosts) {
      const c: Record<string, number> = {};
      for (const [k, v] of [...net.mib.entries()].sort((a, b) => a[0].localeCompare(b[0]))) if (v) c[k] = v;
      counters[name] = c;
      if (net.sock) {
        for (const s of net.sock.udp) sockets.push(s.report);
        for (const s of net.sock.tcp) if (s.report && s.state === 'TCP_LISTEN') sockets.push(s.report);
      }
    }
    return {
      scenario,
      kernel: REFERENCE_KERNEL,
      packets: [...this.rec.packets.values()],
      events: this.rec.events,
      counters,
      sockets,
    };
  }
}
