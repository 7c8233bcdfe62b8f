// The layer picture: one box per host with socket / L4 / L3 / L2 lanes, the netfilter hooks drawn
// where they sit (PREROUTING and INPUT on the way up, FORWARD across, OUTPUT and POSTROUTING on the
// way down), the routing decisions, the devices and the links between hosts. Drawn once per trace;
// a step moves the packet dot, extends its path, lights the hook and says the turn it takes.
import { DEVICE_Y, HOOK_SLOTS, HOST_H, HOST_TOP, HOST_W, LANES, SLOT_XY, pathTo, pointAt, turnAt, type Layout, type Slot } from '../../src/debugger/layout';
import type { TraceIndex } from '../../src/protocol';
import type { StepContext, View } from '../context';
import { h, s, setText } from '../dom';

export class Picture implements View {
  readonly root: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly dyn: SVGGElement;
  private readonly path: SVGPolylineElement;
  private readonly dot: SVGCircleElement;
  private readonly label: SVGTextElement;
  private readonly turn: HTMLElement;
  private hookEls = new Map<string, SVGGElement>();
  private hostEls = new Map<string, SVGGElement>();
  private lit: Element[] = [];
  private lastPacket = -1;
  private lastIndex = -1;

  constructor() {
    this.svg = s('svg', { class: 'picture', role: 'img', 'aria-label': 'Where the packet is in the stack' });
    this.dyn = s('g', { class: 'dyn' });
    this.path = s('polyline', { class: 'pkt-path', points: '' });
    this.dot = s('circle', { class: 'pkt-dot', r: 7, cx: -100, cy: -100 });
    this.label = s('text', { class: 'pkt-label', x: -100, y: -100 });
    this.dyn.append(this.path, this.dot, this.label);
    this.turn = h('div', { class: 'turn', 'aria-live': 'off' });
    this.root = h('div', { class: 'picture-wrap' }, this.svg, this.turn);
  }

  load(trace: TraceIndex, layout: Layout): void {
    void trace;
    this.svg.replaceChildren();
    this.hookEls.clear();
    this.hostEls.clear();
    this.lit = [];
    this.lastPacket = -1;
    const pad = 10;
    this.svg.setAttribute('viewBox', `${-pad} 0 ${layout.width + 2 * pad} ${layout.height + 8}`);
    const defs = s('defs');
    const marker = s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
    marker.append(s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
    defs.append(marker);
    this.svg.append(defs);
    // links under the hosts
    const linkG = s('g', { class: 'links' });
    for (const l of layout.links) {
      const a = this.devXY(layout, l.a.host, l.a.dev);
      const b = this.devXY(layout, l.b.host, l.b.dev);
      if (!a || !b) continue;
      const y = HOST_TOP + DEVICE_Y + 14;
      linkG.append(s('path', { class: 'link', d: `M${a.x},${a.y + 10} L${a.x},${y} L${b.x},${y} L${b.x},${b.y + 10}` }));
    }
    this.svg.append(linkG);
    for (const hb of layout.hosts) {
      const g = s('g', { class: 'host', transform: `translate(${hb.x},${HOST_TOP})` });
      g.append(s('rect', { class: 'host-box', x: 0, y: 0, width: HOST_W, height: HOST_H - 22, rx: 6 }));
      g.append(s('text', { class: 'host-name', x: HOST_W / 2, y: -8, 'text-anchor': 'middle' }, hb.name));
      for (const lane of LANES) {
        g.append(s('rect', { class: `lane lane-${lane.layer}`, x: 1, y: lane.y0, width: HOST_W - 2, height: lane.y1 - lane.y0 }));
        g.append(s('text', { class: 'lane-label', x: 6, y: lane.y0 + 12 }, lane.label));
      }
      const xy = (slot: Slot): [number, number] => SLOT_XY[slot];
      // the usual flows, faint: up the receive column, across FORWARD, down the transmit column
      const flow = (pts: Slot[], cls = 'flow'): void => {
        g.append(s('polyline', { class: cls, points: pts.map((p) => xy(p).join(',')).join(' '), 'marker-end': 'url(#arrow)' }));
      };
      flow(['l2-in', 'l3-in', 'pre', 'route-in', 'input', 'l4-in', 'sock-in']);
      flow(['route-in', 'forward', 'post'], 'flow fwd');
      flow(['sock-out', 'l4-out', 'route-out', 'output', 'post', 'l3-out', 'l2-out']);
      // routing decisions
      for (const slot of ['route-in', 'route-out'] as Slot[]) {
        const [x, y] = xy(slot);
        g.append(s('path', { class: 'route', d: `M${x},${y - 8} L${x + 11},${y} L${x},${y + 8} L${x - 11},${y} z` }));
        g.append(s('text', { class: 'route-label', x: slot === 'route-in' ? x - 14 : x + 14, y: y + 4, 'text-anchor': slot === 'route-in' ? 'end' : 'start' }, 'route'));
      }
      for (const hk of HOOK_SLOTS) {
        const [x, y] = xy(hk.slot);
        const hg = s('g', { class: 'hook' });
        hg.append(s('rect', { x: x - 42, y: y - 9, width: 84, height: 18, rx: 9 }));
        hg.append(s('text', { x, y: y + 4, 'text-anchor': 'middle' }, hk.label));
        g.append(hg);
        this.hookEls.set(`${hb.name}|${hk.hook}`, hg);
      }
      for (const d of hb.devices) {
        const x = d.x - hb.x;
        g.append(s('rect', { class: 'dev', x: x - 26, y: DEVICE_Y - 10, width: 52, height: 20, rx: 3 }));
        g.append(s('text', { class: 'dev-label', x, y: DEVICE_Y + 4, 'text-anchor': 'middle' }, d.name));
      }
      this.svg.append(g);
      this.hostEls.set(hb.name, g);
    }
    this.svg.append(this.dyn);
  }

  private devXY(layout: Layout, host: string, dev: string): { x: number; y: number } | undefined {
    const d = layout.hosts.find((x) => x.name === host)?.devices.find((x) => x.name === dev);
    return d ? { x: d.x, y: HOST_TOP + DEVICE_Y } : undefined;
  }

  update(c: StepContext): void {
    const { layout, trace, index, event } = c;
    const p = pointAt(layout, index);
    this.dot.setAttribute('cx', String(p.x));
    this.dot.setAttribute('cy', String(p.y));
    this.dot.classList.toggle('dropped', !!event.drop);
    this.label.setAttribute('x', String(p.x + 11));
    this.label.setAttribute('y', String(p.y - 9));
    setText(this.label, event.fn);
    // the path so far: rebuilt from the packet's own events (a few dozen points at most)
    if (this.lastIndex !== index || this.lastPacket !== event.packet) {
      const pts = pathTo(layout, trace, index);
      this.path.setAttribute('points', pts.map((q) => `${q.x},${q.y}`).join(' '));
    }
    this.lastPacket = event.packet;
    this.lastIndex = index;
    for (const el of this.lit) el.classList.remove('active');
    this.lit = [];
    const hostEl = this.hostEls.get(event.host);
    if (hostEl) this.lit.push(hostEl);
    if (event.hook) {
      const hk = this.hookEls.get(`${event.host}|${event.hook.hook}`);
      if (hk) this.lit.push(hk);
    }
    for (const el of this.lit) el.classList.add('active');
    const turn = turnAt(layout, trace, index);
    setText(this.turn, turn);
    this.svg.setAttribute('aria-label', `Packet #${event.packet} on ${event.host}, ${event.layer}, at ${event.fn}${event.hook ? ` (${event.hook.hook})` : ''}; ${turn}`);
    this.turn.classList.toggle('drop', !!event.drop);
  }
}
