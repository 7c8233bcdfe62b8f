// The packet debugger webview: renders what the controller in the extension host sends and asks
// it to move. It keeps no simulation state beyond the view state (getState/setState). The DOM is
// built once per trace; a step updates each view in place (see each view's `update`).
import { decodeSkb, type Decoded } from '../src/debugger/decode';
import { layoutTrace, type Layout } from '../src/debugger/layout';
import { detailAgrees, eventCount } from '../src/debugger/traceIndex';
import type { TraceEvent } from '../src/trace/contract';
import { checkHostToWebview, unpackIndex, type DebuggerState, type EventDetail, type HostToWebview, type StepAction, type TraceIndex, type WebviewToHost, type WebviewViewState } from '../src/protocol';
import type { VsCodeApi } from './api';
import type { Host, StepContext, View } from './context';
import { h, section, setText } from './dom';
import { toolbarButton } from './ui/elements';
import type { IconName } from './ui/icons';
import { BreakpointsView } from './views/breakpoints';
import { HexView } from './views/hex';
import { PacketsView } from './views/packets';
import { Picture } from './views/picture';
import { SkbView } from './views/skb';
import { StepInfo } from './views/step';
import { Timeline } from './views/timeline';
import { eventNumber } from '../src/debugger/eventNumber';

const BUTTONS: { action: StepAction; label: string; icon: IconName; key: string }[] = [
  { action: 'reverseContinue', label: 'Reverse Continue to the previous breakpoint', icon: 'reverseContinue', key: 'Shift+F5' },
  { action: 'stepBack', label: 'Step Back', icon: 'stepBack', key: 'Alt+F10' },
  { action: 'continue', label: 'Continue to the next breakpoint', icon: 'cont', key: 'F5' },
  { action: 'stepOver', label: 'Step Over (next step of this packet at the same call depth)', icon: 'stepOver', key: 'F10' },
  { action: 'stepInto', label: 'Step (next event)', icon: 'stepInto', key: 'F11' },
  { action: 'stepOut', label: 'Step Out (back to the caller)', icon: 'stepOut', key: 'Shift+F11' },
  { action: 'runToEnd', label: 'Run to End', icon: 'runToEnd', key: 'Ctrl+F5' },
  { action: 'restart', label: 'Restart', icon: 'restart', key: 'Ctrl+Shift+F5' },
];

export class App implements Host {
  private trace: TraceIndex | undefined;
  private layout: Layout | undefined;
  /** the event at the cursor and the packet's previous one, as the last state message sent them */
  private detail: EventDetail | undefined;
  private title = '';
  private file: string | null = null;
  private state: DebuggerState | undefined;
  private rendered: DebuggerState | undefined;
  private readonly decodes = new Map<number, Decoded>();
  private readonly pending = new Map<number, (err: string | undefined) => void>();
  private nextRequest = 1;
  private readonly views: View[];
  private readonly statusEl: HTMLElement;
  private readonly posEl: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly breakpoints: BreakpointsView;
  private readonly main: HTMLElement;
  private readonly emptyEl: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly api: VsCodeApi,
  ) {
    const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Debugger controls' });
    // ARIA toolbar pattern: one Tab stop, arrows move between the buttons
    toolbar.addEventListener('keydown', (e) => {
      const list = [...toolbar.children] as HTMLElement[];
      const inner = (el: HTMLElement | undefined): HTMLElement | null | undefined => el?.shadowRoot?.querySelector('button');
      const i = list.findIndex((el) => el === document.activeElement || el.contains(document.activeElement));
      const to = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? list.length - 1 : undefined;
      if (to === undefined) return;
      e.preventDefault();
      inner(list[(to + list.length) % list.length])?.focus();
    });
    for (const b of BUTTONS) toolbar.append(toolbarButton(`${b.label} (${b.key})`, b.icon, () => this.post({ type: 'debugger/step', action: b.action }), `btn-${b.action}`));
    this.posEl = h('span', { class: 'pos', id: 'pos' });
    this.titleEl = h('span', { class: 'title' });
    this.statusEl = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'status' });
    const timeline = new Timeline(this);
    const picture = new Picture();
    const step = new StepInfo(this);
    const skb = new SkbView();
    const hex = new HexView();
    const packets = new PacketsView(this);
    this.breakpoints = new BreakpointsView(this);
    step.onBreakAt = (fn) => void this.breakpoints.add(`fn == ${fn}`);
    this.views = [timeline, picture, step, skb, hex, packets, this.breakpoints];

    const place = (title: string, cls: string, el: HTMLElement): HTMLElement => {
      const sct = section(title, cls);
      sct.body.append(el);
      return sct.root;
    };
    this.emptyEl = h('p', { class: 'empty' }, 'Waiting for a trace…');
    this.main = h(
      'main',
      { class: 'grid' },
      place('Where the packet is', 'a-picture', picture.root),
      place('What the kernel does', 'a-step', step.root),
      place('sk_buff', 'a-skb', skb.root),
      place('Bytes', 'a-hex', hex.root),
      place('Packets', 'a-packets', packets.root),
      place('Breakpoints', 'a-bps', this.breakpoints.root),
    );
    this.main.hidden = true;
    root.replaceChildren(h('header', { class: 'top' }, h('div', { class: 'bar' }, toolbar, this.posEl, this.titleEl), timeline.root, this.statusEl), this.emptyEl, this.main);
  }

  post(m: WebviewToHost): void {
    this.api.postMessage(m);
  }

  request(make: (requestId: number) => WebviewToHost): Promise<string | undefined> {
    const id = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.post(make(id));
    });
  }

  status(text: string, kind: 'info' | 'error' = 'info'): void {
    setText(this.statusEl, text);
    this.statusEl.classList.toggle('error', kind === 'error');
  }

  /** A message from the host: validated whole before anything is applied. */
  receive(raw: unknown): void {
    const c = checkHostToWebview(raw);
    if (!c.ok) {
      console.error(`packet debugger: rejected a message from the extension: ${c.error}`);
      this.post({ type: 'debugger/log', level: 'error', message: `webview rejected a message: ${c.error}`.slice(0, 2000) });
      return;
    }
    this.handle(c.message);
  }

  private handle(m: HostToWebview): void {
    switch (m.type) {
      case 'debugger/trace': {
        const u = unpackIndex(m.index);
        if (!u.ok) {
          this.status(u.error, 'error');
          this.post({ type: 'debugger/log', level: 'error', message: `webview rejected a trace: ${u.error}`.slice(0, 2000) });
          return;
        }
        this.load(u.message, m.title, m.file);
        return;
      }
      case 'debugger/state':
        if (m.detail && this.trace && this.layout && (m.detail.index !== m.state.index || !detailAgrees(this.trace, m.detail, { prev: this.layout.prevOfPacket, next: this.layout.nextOfPacket, of: this.layout.eventsOfPacket }))) {
          this.status(`the host sent the detail of another event than event ${m.state.index + 1} of this trace`, 'error');
          this.post({ type: 'debugger/log', level: 'error', message: `webview rejected a state whose detail disagrees with the trace index (event ${m.state.index})` });
          return;
        }
        // breakpoints come only when they changed; until then they are the last ones sent
        this.state = { ...m.state, breakpoints: m.state.breakpoints ?? this.state?.breakpoints ?? [] };
        if (m.detail) this.detail = m.detail;
        this.render();
        return;
      case 'debugger/reply': {
        const f = this.pending.get(m.requestId);
        this.pending.delete(m.requestId);
        f?.(m.ok ? undefined : (m.error ?? 'failed'));
        return;
      }
      case 'debugger/error': {
        this.status(m.message, 'error');
        if (m.requestId !== undefined) {
          const f = this.pending.get(m.requestId);
          this.pending.delete(m.requestId);
          f?.(m.message);
        }
        return;
      }
      case 'exercise/show':
        this.status('the host sent an exercise panel message to the packet debugger', 'error');
        return;
    }
  }

  private load(trace: TraceIndex, title: string, file: string | null): void {
    const n = eventCount(trace);
    this.trace = trace;
    this.title = title;
    this.file = file;
    this.layout = layoutTrace(trace);
    this.detail = undefined;
    this.decodes.clear();
    this.rendered = undefined;
    setText(this.titleEl, `${title} · ${n} events · ${trace.packets.length} packets · kernel ${trace.kernel}`);
    for (const v of this.views) v.load(trace, this.layout);
    this.emptyEl.hidden = n > 0;
    if (n === 0) setText(this.emptyEl, 'The trace has no events.');
    this.main.hidden = n === 0;
    this.main.classList.toggle('wide', this.layout.hosts.length >= 3);
  }

  /** The whole event i, when the webview has it: the current event and the packet's previous one. */
  private eventAt(i: number): TraceEvent | undefined {
    const d = this.detail;
    if (!d) return undefined;
    if (i === d.index) return d.event;
    if (d.prev && this.layout && i === this.layout.prevOfPacket[d.index]) return d.prev;
    return undefined;
  }

  private decoded = (i: number): Decoded | undefined => {
    let d = this.decodes.get(i);
    if (!d) {
      const skb = this.eventAt(i)?.skb;
      if (!skb) return undefined;
      d = decodeSkb(skb);
      if (this.decodes.size > 256) this.decodes.clear();
      this.decodes.set(i, d);
    }
    return d;
  };

  private render(): void {
    const t = this.trace;
    const s = this.state;
    const layout = this.layout;
    const n = t ? eventCount(t) : 0;
    if (!t || !s || !layout || n === 0) return;
    const index = Math.min(s.index, n - 1);
    const event = this.eventAt(index);
    // the host sends the event with the move to it; a state without one draws nothing new
    if (!event) return;
    const p = layout.prevOfPacket[index];
    const c: StepContext = { trace: t, count: n, layout, state: s, index, event, prev: p >= 0 ? this.eventAt(p) : undefined, decoded: this.decoded, last: this.rendered };
    for (const v of this.views) v.update(c);
    setText(this.posEl, `${eventNumber(index)} / ${n}`);
    const focus = s.focus !== null ? ` · focused on packet #${s.focus}` : '';
    const bp = s.reason === 'breakpoint' ? s.breakpoints.find((b) => b.id === s.hitBreakpoint) : undefined;
    const head = bp ? `Stopped at breakpoint "${bp.text}"` : s.message ? `${s.message[0].toUpperCase()}${s.message.slice(1)}` : 'Paused';
    this.status(`${head} — ${event.host}: ${event.fn}()${focus}`);
    this.statusEl.classList.toggle('hit', !!bp);
    this.rendered = s;
    const vs: WebviewViewState = { file: this.file, index, focus: s.focus, breakpoints: s.breakpoints.map(({ id, text, enabled }) => ({ id, text, enabled })), title: this.title };
    this.api.setState(vs);
  }
}
