// The bytes of the buffer, 16 a row, coloured by the header they belong to (Ethernet, ARP, IPv4,
// ICMP, UDP, TCP, payload), headroom and tailroom dimmed, bytes changed since the packet's
// previous step outlined; the decoded headers beside them. Hovering (or moving the caret with the
// arrow keys over) a byte names its field and lights the field's bytes and its row, as Wireshark
// does. Byte cells are pooled and only the cells that change are touched on a step.
import type { Decoded } from '../../src/debugger/decode';
import { changedBytes } from '../../src/debugger/skbfields';
import type { TraceIndex } from '../../src/protocol';
import type { StepContext, View } from '../context';
import { h, setText } from '../dom';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const PROTO_LABEL: Record<string, string> = { eth: 'Ethernet', arp: 'ARP', ip: 'IPv4', icmp: 'ICMP', udp: 'UDP', tcp: 'TCP', inner: 'Quoted', payload: 'Payload' };

interface Row {
  el: HTMLElement;
  off: HTMLElement;
  cells: HTMLElement[];
  ascii: HTMLElement;
}

export class HexView implements View {
  readonly root: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly tree: HTMLElement;
  private readonly info: HTMLElement;
  private readonly rows: Row[] = [];
  private cls: string[] = [];
  private txt: string[] = [];
  private d: Decoded | undefined;
  private data = 0;
  private tail = 0;
  private treeKey = '';
  private fieldRows: HTMLElement[] = [];
  private lit: { cells: HTMLElement[]; row?: HTMLElement } = { cells: [] };
  private caret = -1;
  private shown = 0;

  constructor() {
    this.info = h('div', { class: 'hex-info', 'aria-live': 'polite' }, 'Hover a byte to see its field.');
    this.grid = h('div', { class: 'hex-grid', tabindex: '0', role: 'group', 'aria-label': 'Packet bytes; arrow keys move over them' });
    this.tree = h('div', { class: 'hex-tree', role: 'tree', 'aria-label': 'Decoded headers' });
    this.root = h('div', { class: 'hex' }, this.info, h('div', { class: 'hex-cols' }, this.grid, this.tree));
    this.grid.addEventListener('mouseover', (e) => {
      const t = e.target as HTMLElement;
      const i = t.dataset?.i;
      if (i !== undefined) this.hover(Number(i));
    });
    this.grid.addEventListener('mouseleave', () => this.hover(-1));
    this.grid.addEventListener('keydown', (e) => this.key(e));
    this.tree.addEventListener('mouseover', (e) => {
      const r = (e.target as HTMLElement).closest('[data-f]') as HTMLElement | null;
      if (r) this.lightField(Number(r.dataset.f));
    });
    this.tree.addEventListener('mouseleave', () => this.hover(-1));
  }

  load(trace: TraceIndex): void {
    void trace;
    this.treeKey = '';
  }

  private ensureRows(n: number): void {
    while (this.rows.length < n) {
      const r = this.rows.length;
      const off = h('span', { class: 'off' }, (r * 16).toString(16).padStart(4, '0'));
      const cells: HTMLElement[] = [];
      const el = h('div', { class: 'hex-row' }, off);
      for (let k = 0; k < 16; k++) {
        const c = h('span', { class: 'b' });
        c.dataset.i = String(r * 16 + k);
        cells.push(c);
        el.append(c);
      }
      const ascii = h('span', { class: 'ascii' });
      el.append(ascii);
      this.grid.append(el);
      this.rows.push({ el, off, cells, ascii });
    }
  }

  update(c: StepContext): void {
    const skb = c.event.skb;
    this.root.hidden = !skb;
    if (!skb) return;
    const d = c.decoded(c.index);
    if (!d) return;
    this.clearLit();
    this.d = d;
    this.data = skb.data;
    this.tail = skb.tail;
    const prevI = c.layout.prevOfPacket[c.index];
    const changed = changedBytes(d.bytes, prevI >= 0 ? c.decoded(prevI)?.bytes : undefined);
    const n = d.bytes.length;
    const nRows = Math.ceil(n / 16);
    this.ensureRows(nRows);
    for (let r = 0; r < this.rows.length; r++) this.rows[r].el.hidden = r >= nRows;
    for (let i = 0; i < nRows * 16; i++) {
      const cell = this.rows[i >> 4].cells[i & 15];
      let t: string;
      let k: string;
      if (i >= n) {
        t = '';
        k = 'b';
      } else {
        t = HEX[d.bytes[i]];
        const f = d.fieldAt[i];
        const proto = f >= 0 ? d.fields[f].proto : 'none';
        k = `b p-${proto}${i < skb.data || i >= skb.tail ? ' out' : ''}${changed.has(i) ? ' chg' : ''}${i === skb.data ? ' at-data' : ''}${i === skb.tail ? ' at-tail' : ''}`;
      }
      if (this.txt[i] !== t) {
        cell.textContent = t;
        this.txt[i] = t;
      }
      if (this.cls[i] !== k) {
        cell.className = k;
        this.cls[i] = k;
      }
    }
    for (let r = 0; r < nRows; r++) {
      let a = '';
      for (let i = r * 16; i < Math.min(n, r * 16 + 16); i++) {
        const b = d.bytes[i];
        a += b >= 32 && b < 127 ? String.fromCharCode(b) : '·';
      }
      setText(this.rows[r].ascii, a);
    }
    this.shown = n;
    const key = d.fields.map((f) => `${f.name}=${f.value}@${f.start}`).join('|');
    if (key !== this.treeKey) {
      this.treeKey = key;
      this.buildTree(d);
    }
    if (this.caret >= n) this.caret = -1;
    if (this.caret >= 0) this.hover(this.caret);
  }

  private buildTree(d: Decoded): void {
    this.fieldRows = [];
    const groups: HTMLElement[] = [];
    for (const hd of d.headers) {
      const items = h('div', { role: 'group' });
      d.fields.forEach((f, fi) => {
        if (f.start < hd.start || f.start >= hd.start + hd.len || f.proto !== hd.proto) return;
        const row = h('div', { class: `f p-${f.proto}`, role: 'treeitem', 'data-f': String(fi) }, h('span', { class: 'fname' }, f.name), h('span', { class: 'fval' }, f.value));
        this.fieldRows[fi] = row;
        items.append(row);
      });
      groups.push(h('div', { class: `hdr p-${hd.proto}`, role: 'treeitem', 'aria-expanded': 'true' }, h('div', { class: 'hdr-title' }, `${hd.label}  [${hd.start}–${hd.start + hd.len - 1}]`), items));
    }
    if (groups.length === 0) groups.push(h('p', { class: 'none' }, 'No header decoded at this step.'));
    this.tree.replaceChildren(...groups);
  }

  private clearLit(): void {
    for (const c of this.lit.cells) c.classList.remove('hl');
    this.lit.row?.classList.remove('hl');
    this.lit = { cells: [] };
  }

  private lightField(fi: number): void {
    this.clearLit();
    const d = this.d;
    if (!d || fi < 0) return;
    const f = d.fields[fi];
    const cells: HTMLElement[] = [];
    for (let i = f.start; i < f.start + f.len && i < this.shown; i++) cells.push(this.rows[i >> 4].cells[i & 15]);
    for (const c of cells) c.classList.add('hl');
    const row = this.fieldRows[fi];
    row?.classList.add('hl');
    this.lit = { cells, row };
    setText(this.info, `${PROTO_LABEL[f.proto] ?? f.proto} › ${f.name}: ${f.value}   (bytes ${f.start}–${f.start + f.len - 1})`);
  }

  private hover(i: number): void {
    const d = this.d;
    if (!d || i < 0 || i >= this.shown) {
      this.clearLit();
      setText(this.info, 'Hover a byte to see its field.');
      return;
    }
    const fi = d.fieldAt[i];
    const where = i < this.data ? 'headroom' : i >= this.tail ? 'tailroom' : 'data';
    if (fi >= 0) {
      this.lightField(fi);
      this.info.textContent += `  · byte ${i} (0x${HEX[d.bytes[i]]}, in ${where})`;
    } else {
      this.clearLit();
      const c = this.rows[i >> 4].cells[i & 15];
      c.classList.add('hl');
      this.lit = { cells: [c] };
      setText(this.info, `byte ${i} = 0x${HEX[d.bytes[i]]} (${where}, no header)`);
    }
  }

  private key(e: KeyboardEvent): void {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 16, ArrowUp: -16, Home: -Infinity, End: Infinity };
    const m = moves[e.key];
    if (m === undefined) {
      if (e.key === 'Escape') this.hover((this.caret = -1));
      return;
    }
    e.preventDefault();
    const start = this.caret < 0 ? this.data : this.caret;
    this.caret = Math.min(this.shown - 1, Math.max(0, Number.isFinite(m) ? start + m : m < 0 ? 0 : this.shown - 1));
    for (const r of this.rows) for (const c of r.cells) c.classList.remove('caret');
    this.rows[this.caret >> 4]?.cells[this.caret & 15]?.classList.add('caret');
    this.hover(this.caret);
  }
}
