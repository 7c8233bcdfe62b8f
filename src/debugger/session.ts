// The debugger controller's core: a trace, a cursor over it, breakpoints and the focused packet,
// and the handling of the webview's messages. Views subscribe and are sent the same state, so a
// reload or a second view shows the same place (docs/architecture.md "One controller, several views").
// Pure: no vscode, no DOM, no Node; its I/O (posting to views, opening source, logging) is injected.

import type { Trace } from '../trace/contract';
import {
  MessageRate,
  checkWebviewToHost,
  rateError,
  type BreakpointSpec,
  type DebuggerState,
  type DebuggerStateUpdate,
  type HostToWebview,
  packIndex,
  type PackedTraceIndex,
  type StepAction,
  type StopReason,
  type WebviewToHost,
} from '../protocol';
import { BreakpointSet, PacketValueCache } from './breakpoints';
import { firstIndex, move, type Move } from './cursor';
import { eventDetail, indexTrace, packetLinks, type PacketLinks } from './traceIndex';

export interface SessionHost {
  /** open the kernel source of `fn`; resolves to an error text when it cannot */
  openSource?(fn: string, file: string | undefined): Promise<string | undefined> | string | undefined;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
  /** the clock of the message rate bound (ms); Date.now by default */
  now?(): number;
}

/** One view attached to the session (a webview panel, a test harness). */
export interface SessionView {
  post(message: HostToWebview): void;
}

export class DebuggerSession {
  private trace: Trace | null = null;
  /** each packet's events, for moves that walk one packet */
  private links: PacketLinks = packetLinks([]);
  /** what views are sent of the trace */
  private compact: PackedTraceIndex | null = null;
  private title = '';
  private file: string | null = null;
  private index = 0;
  private focus: number | null = null;
  private specs: BreakpointSpec[] = [];
  private bps: BreakpointSet = new BreakpointSet([], []);
  private values = new PacketValueCache();
  private last: Move = { index: 0, reason: 'load' };
  private readonly views = new Set<SessionView>();
  private readonly ready = new WeakSet<SessionView>();
  private readonly rates = new WeakMap<SessionView, MessageRate>();
  /** the breakpoints each view was last sent, so a state leaves them out while they stay the same */
  private readonly sentBreakpoints = new WeakMap<SessionView, BreakpointSet>();
  private readonly listeners = new Set<(s: DebuggerState) => void>();

  constructor(private readonly host: SessionHost = {}) {}

  get loaded(): Trace | null {
    return this.trace;
  }
  get scenarioFile(): string | null {
    return this.file;
  }
  get breakpointSpecs(): readonly BreakpointSpec[] {
    return this.specs;
  }

  /** Show a trace; keeps breakpoints; `at` restores a position (after a reload). */
  load(trace: Trace, title: string, file: string | null, at?: { index?: number; focus?: number | null; breakpoints?: BreakpointSpec[] }): void {
    this.trace = trace;
    // the index is what views are sent; its packet column gives the cursor its links
    const index = indexTrace(trace);
    this.links = packetLinks(index.packet);
    this.compact = packIndex(index);
    this.title = title;
    this.file = file;
    this.values = new PacketValueCache();
    if (at?.breakpoints) this.specs = at.breakpoints.map((b) => ({ ...b }));
    this.bps = new BreakpointSet(this.specs, trace.events, this.values);
    const focus = at?.focus ?? null;
    this.focus = focus !== null && trace.packets.some((p) => p.id === focus) ? focus : null;
    const first = Math.max(0, firstIndex({ events: trace.events, focus: this.focus, links: this.links }));
    const idx = at?.index;
    this.index = idx !== undefined && idx >= 0 && idx < trace.events.length ? idx : first;
    this.last = { index: this.index, reason: at?.index !== undefined ? 'restore' : 'load' };
    for (const v of this.views) if (this.ready.has(v)) this.postTrace(v);
    this.changed();
  }

  state(): DebuggerState {
    const s: DebuggerState = { index: this.index, focus: this.focus, breakpoints: this.bps.views, reason: this.last.reason };
    if (this.last.hit !== undefined) s.hitBreakpoint = this.last.hit;
    if (this.last.message !== undefined) s.message = this.last.message;
    return s;
  }

  attach(view: SessionView): () => void {
    this.views.add(view);
    return () => {
      this.views.delete(view);
      this.ready.delete(view);
    };
  }

  onState(f: (s: DebuggerState) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  step(action: StepAction): Move {
    if (!this.trace) return this.last;
    return this.apply(move({ events: this.trace.events, index: this.index, focus: this.focus, breakpoints: this.bps, links: this.links }, action));
  }

  goto(index: number): void {
    if (!this.trace || this.trace.events.length === 0) return;
    const i = Math.min(Math.max(0, index), this.trace.events.length - 1);
    if (this.focus !== null && this.trace.events[i].packet !== this.focus) this.focus = null;
    this.apply({ index: i, reason: 'goto' });
  }

  /** Focus a packet (null: all): moves to its first event at or after the cursor, else its last before. */
  focusPacket(packet: number | null): void {
    if (!this.trace) return;
    const events = this.trace.events;
    this.focus = packet;
    let i = this.index;
    if (packet !== null && events[i]?.packet !== packet) {
      const list = this.links.of.get(packet) ?? [];
      let j = list.find((k) => k >= this.index) ?? -1;
      if (j < 0) j = list.length ? list[list.length - 1] : -1;
      i = j < 0 ? this.index : j;
    }
    this.apply({ index: i, reason: 'focus' });
  }

  setBreakpoints(specs: BreakpointSpec[]): BreakpointSet {
    this.specs = specs.map((b) => ({ ...b }));
    this.bps = new BreakpointSet(this.specs, this.trace?.events ?? [], this.values);
    this.apply({ ...this.last, index: this.index });
    return this.bps;
  }

  /** Handle a raw message from a view: validate, then act; an invalid message is rejected whole. */
  async receive(view: SessionView, raw: unknown): Promise<void> {
    const checked = checkWebviewToHost(raw);
    if (!checked.ok) {
      this.host.log?.('warn', `packet debugger: rejected a message from the webview: ${checked.error}`);
      const rid = typeof raw === 'object' && raw !== null ? (raw as { requestId?: unknown }).requestId : undefined;
      const err: HostToWebview = { type: 'debugger/error', message: checked.error };
      if (typeof rid === 'number' && Number.isInteger(rid) && rid >= 0) err.requestId = rid;
      view.post(err);
      return;
    }
    const m = checked.message;
    let rate = this.rates.get(view);
    if (!rate) this.rates.set(view, (rate = new MessageRate(this.host.now ? () => (this.host.now as () => number)() : undefined)));
    if (!rate.take(m)) {
      // a request is always answered (the webview waits for it); other messages are refused
      // with one error per flood, not one each
      const rid = 'requestId' in m ? m.requestId : undefined;
      if (rid !== undefined || rate.refused === 1) {
        this.host.log?.('warn', `packet debugger: ${rateError(m.type)}`);
        view.post({ type: 'debugger/error', message: rateError(m.type), ...(rid !== undefined ? { requestId: rid } : {}) });
      }
      return;
    }
    rate.refused = 0;
    await this.act(view, m);
  }

  private async act(view: SessionView, m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'debugger/ready':
        this.ready.add(view);
        this.sendAll(view);
        return;
      case 'debugger/step':
        this.step(m.action);
        return;
      case 'debugger/goto':
        this.goto(m.index);
        return;
      case 'debugger/focusPacket':
        this.focusPacket(m.packet);
        return;
      case 'debugger/setBreakpoints': {
        const set = this.setBreakpoints(m.breakpoints);
        const bad = set.views.filter((b) => b.error);
        view.post({ type: 'debugger/reply', requestId: m.requestId, ok: bad.length === 0, ...(bad.length ? { error: bad.map((b) => `${b.text}: ${b.error}`).join('; ') } : {}) });
        return;
      }
      case 'debugger/openSource': {
        let error: string | undefined = 'opening kernel source is not available here';
        try {
          if (this.host.openSource) error = await this.host.openSource(m.fn, m.file);
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        view.post({ type: 'debugger/reply', requestId: m.requestId, ok: error === undefined, ...(error !== undefined ? { error } : {}) });
        return;
      }
      case 'debugger/log':
        this.host.log?.(m.level, `packet debugger webview: ${m.message}`);
        return;
      case 'exercise/ready':
      case 'exercise/action':
        // the exercise panel's messages are valid, but not the debugger's to answer
        view.post({ type: 'debugger/error', message: `refused "${m.type}": the packet debugger does not handle exercise messages` });
        return;
    }
  }

  private sendAll(view: SessionView): void {
    if (!this.trace) return;
    this.postTrace(view);
    this.postState(view, this.state());
  }

  /** The trace as views get it: its index; each event's detail comes with the move to it. */
  private postTrace(view: SessionView): void {
    this.sentBreakpoints.delete(view);
    view.post({ type: 'debugger/trace', title: this.title, file: this.file, index: this.compact as PackedTraceIndex });
  }

  private postState(view: SessionView, state: DebuggerState): void {
    const detail = this.trace ? eventDetail(this.trace, this.links, state.index) : undefined;
    let s: DebuggerStateUpdate = state;
    if (this.sentBreakpoints.get(view) === this.bps) {
      const { breakpoints: _same, ...rest } = state;
      s = rest;
    } else this.sentBreakpoints.set(view, this.bps);
    view.post(detail ? { type: 'debugger/state', state: s, detail } : { type: 'debugger/state', state: s });
  }

  private apply(m: Move): Move {
    this.index = m.index;
    this.last = m;
    this.changed();
    return m;
  }

  private changed(): void {
    const s = this.state();
    for (const v of this.views) if (this.ready.has(v)) this.postState(v, s);
    for (const f of this.listeners) f(s);
  }

  /** A reason, for callers that only want to know whether the last move hit something. */
  get lastReason(): StopReason {
    return this.last.reason;
  }
}
