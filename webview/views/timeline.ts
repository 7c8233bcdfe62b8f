// The scrubber: every event of the trace as a thin mark on a canvas (coloured by host; drops red;
// breakpoint hits marked above), drawn once per trace / focus / breakpoints change; a step only
// moves the cursor. Keyboard: a slider (arrows step, Home/End, PageUp/PageDown jump).
import type { Layout } from '../../src/debugger/layout';
import type { DebuggerState, TraceIndex } from '../../src/protocol';
import { eventCount, nameAt } from '../../src/debugger/traceIndex';
import type { Host, StepContext, View } from '../context';
import { h } from '../dom';
import { eventNumber } from '../../src/debugger/eventNumber';

export const HOST_COLOURS = ['--vscode-charts-blue', '--vscode-charts-green', '--vscode-charts-orange', '--vscode-charts-purple', '--vscode-charts-yellow'];

export class Timeline implements View {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly cursor: HTMLElement;
  private trace: TraceIndex | undefined;
  private count = 0;
  private layout: Layout | undefined;
  private state: DebuggerState | undefined;
  private drawnKey = '';
  private width = 0;
  private dragging = false;
  private pendingGoto: number | undefined;

  constructor(private readonly host: Host) {
    this.canvas = h('canvas', { class: 'tl-canvas', 'aria-hidden': 'true' });
    this.cursor = h('div', { class: 'tl-cursor', 'aria-hidden': 'true' });
    this.root = h('div', { class: 'timeline', role: 'slider', tabindex: '0', 'aria-label': 'Timeline of trace events', 'aria-valuemin': '0', 'aria-valuemax': '0', 'aria-valuenow': '0' }, this.canvas, this.cursor);
    this.root.addEventListener('pointerdown', (e) => {
      this.dragging = true;
      this.root.setPointerCapture(e.pointerId);
      this.gotoX(e.clientX);
    });
    this.root.addEventListener('pointermove', (e) => {
      if (this.dragging) this.gotoX(e.clientX);
      else this.hint(e.clientX);
    });
    const stop = (): void => {
      this.dragging = false;
    };
    this.root.addEventListener('pointerup', stop);
    this.root.addEventListener('pointercancel', stop);
    this.root.addEventListener('keydown', (e) => this.key(e));
    new ResizeObserver(() => this.redraw(true)).observe(this.root);
  }

  load(trace: TraceIndex, layout: Layout): void {
    this.trace = trace;
    this.count = eventCount(trace);
    this.layout = layout;
    this.root.setAttribute('aria-valuemax', String(Math.max(0, this.count - 1)));
    this.drawnKey = '';
  }

  update(c: StepContext): void {
    this.state = c.state;
    this.redraw(false);
    this.placeCursor(c.index);
    this.root.setAttribute('aria-valuenow', String(c.index));
    this.root.setAttribute('aria-valuetext', `event ${eventNumber(c.index)} of ${c.count}: ${c.event.host} ${c.event.fn}`);
  }

  private placeCursor(index: number): void {
    const n = this.trace ? this.count : 1;
    const x = n <= 1 ? 0 : (index / (n - 1)) * (this.width - 2);
    this.cursor.style.transform = `translateX(${x.toFixed(1)}px)`;
  }

  private gotoX(clientX: number): void {
    const t = this.trace;
    if (!t || this.count === 0) return;
    const r = this.root.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width)));
    const i = Math.round(f * (this.count - 1));
    // coalesce drags to one goto per frame
    if (this.pendingGoto === undefined) {
      requestAnimationFrame(() => {
        const g = this.pendingGoto;
        this.pendingGoto = undefined;
        if (g !== undefined && g !== this.state?.index) this.host.post({ type: 'debugger/goto', index: g });
      });
    }
    this.pendingGoto = i;
  }

  /** the event under the pointer, as a tooltip */
  private hint(clientX: number): void {
    const t = this.trace;
    if (!t || this.count === 0) return;
    const r = this.root.getBoundingClientRect();
    const i = Math.round(Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width))) * (this.count - 1));
    const drop = nameAt(t, 'drop', i);
    this.root.title = `${eventNumber(i)}: ${nameAt(t, 'host', i)} · ${nameAt(t, 'fn', i)}() · packet #${t.packet[i]}${drop ? ` · ${drop}` : ''}`;
  }

  private key(e: KeyboardEvent): void {
    const t = this.trace;
    const s = this.state;
    if (!t || !s) return;
    const page = Math.max(1, Math.round(this.count / 20));
    let handled = true;
    switch (e.key) {
      case 'ArrowRight':
      case 'ArrowUp':
        this.host.post({ type: 'debugger/step', action: 'stepInto' });
        break;
      case 'ArrowLeft':
      case 'ArrowDown':
        this.host.post({ type: 'debugger/step', action: 'stepBack' });
        break;
      case 'Home':
        this.host.post({ type: 'debugger/step', action: 'restart' });
        break;
      case 'End':
        this.host.post({ type: 'debugger/step', action: 'runToEnd' });
        break;
      case 'PageUp':
        this.host.post({ type: 'debugger/goto', index: Math.min(this.count - 1, s.index + page) });
        break;
      case 'PageDown':
        this.host.post({ type: 'debugger/goto', index: Math.max(0, s.index - page) });
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  /** Draw the marks when the trace, focus, breakpoints or size changed; cheap no-op otherwise. */
  private redraw(resized: boolean): void {
    const t = this.trace;
    const s = this.state;
    if (!t || !s || !this.layout) return;
    const key = `${s.focus}|${s.breakpoints.map((b) => `${b.id}:${b.enabled}:${b.hits}:${b.at.length}`).join(',')}`;
    const w = this.root.clientWidth;
    if (!resized && key === this.drawnKey && w === this.width) return;
    this.drawnKey = key;
    this.width = w;
    const dpr = window.devicePixelRatio || 1;
    const H = 30;
    this.canvas.width = Math.max(1, Math.floor(w * dpr));
    this.canvas.height = H * dpr;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${H}px`;
    const g = this.canvas.getContext('2d');
    if (!g) return;
    g.scale(dpr, dpr);
    const css = getComputedStyle(this.root);
    const colour = (v: string, fb: string): string => css.getPropertyValue(v).trim() || fb;
    const byName = new Map(this.layout.hosts.map((hb, i) => [hb.name, colour(HOST_COLOURS[i % HOST_COLOURS.length], '#3794ff')]));
    // per interned name: the colour of the host it names
    const hostColour = t.strings.map((name) => byName.get(name) ?? '#888');
    const red = colour('--vscode-charts-red', '#f14c4c');
    const bp = colour('--vscode-debugIcon-breakpointForeground', '#e51400');
    const n = this.count;
    const xOf = (i: number): number => (n <= 1 ? 0 : (i / (n - 1)) * (w - 2));
    g.clearRect(0, 0, w, H);
    // one column per pixel: the colour of the last event landing there, so 10,000 events cost 10,000 rect fills at most once per redraw
    for (let i = 0; i < n; i++) {
      const dropped = t.drop[i] >= 0;
      const focused = s.focus === null || t.packet[i] === s.focus;
      g.globalAlpha = focused ? 0.9 : 0.25;
      g.fillStyle = dropped ? red : hostColour[t.host[i]];
      const x = xOf(i);
      if (dropped) g.fillRect(x, 6, 2, H - 6);
      else g.fillRect(x, focused ? 12 : 18, Math.max(1, w / n), focused ? H - 14 : H - 20);
    }
    g.globalAlpha = 1;
    g.fillStyle = bp;
    for (const b of s.breakpoints) {
      if (!b.enabled) continue;
      for (const i of b.at) {
        g.beginPath();
        g.arc(xOf(i) + 1, 5, 3, 0, Math.PI * 2);
        g.fill();
      }
    }
    if (this.state) this.placeCursor(this.state.index);
  }
}
