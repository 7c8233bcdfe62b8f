// The sk_buff at this step: its fields, with what changed since the packet's previous step
// highlighted (the old value in the tooltip), and a picture of head / data / tail / end with the
// headroom and tailroom.
import { SKB_ROWS, skbRows } from '../../src/debugger/skbfields';
import type { TraceIndex } from '../../src/protocol';
import type { StepContext, View } from '../context';
import { h, setText } from '../dom';

export class SkbView implements View {
  readonly root: HTMLElement;
  private readonly rows: { tr: HTMLTableRowElement; value: HTMLElement; was: HTMLElement }[] = [];
  private readonly bar: { head: HTMLElement; data: HTMLElement; tail: HTMLElement };
  private readonly marks: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly table: HTMLTableElement;

  constructor() {
    const tbody = h('tbody');
    for (const r of SKB_ROWS) {
      const value = h('td', { class: 'v' });
      const was = h('td', { class: 'was' });
      const tr = h('tr', {}, h('th', { scope: 'row' }, r.name), value, was);
      tbody.append(tr);
      this.rows.push({ tr, value, was });
    }
    this.table = h('table', { class: 'skb-fields', 'aria-label': 'sk_buff fields; changed rows are marked' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'field'), h('th', { scope: 'col' }, 'now'), h('th', { scope: 'col' }, 'before'))), tbody);
    this.bar = { head: h('div', { class: 'seg headroom' }), data: h('div', { class: 'seg data' }), tail: h('div', { class: 'seg tailroom' }) };
    this.marks = h('div', { class: 'buf-marks' });
    this.empty = h('p', { class: 'none' }, 'No sk_buff at this step.');
    this.root = h(
      'div',
      { class: 'skb' },
      this.empty,
      h('div', { class: 'buf', role: 'img', 'aria-label': 'sk_buff buffer: headroom, data and tailroom' }, this.bar.head, this.bar.data, this.bar.tail),
      this.marks,
      this.table,
    );
  }

  load(trace: TraceIndex): void {
    void trace;
  }

  update(c: StepContext): void {
    const skb = c.event.skb;
    this.empty.hidden = !!skb;
    this.root.classList.toggle('no-skb', !skb);
    if (!skb) return;
    const prevI = c.layout.prevOfPacket[c.index];
    const prev = prevI >= 0 ? c.prev?.skb : undefined;
    const rows = skbRows(skb, c.decoded(c.index), prev, prevI >= 0 ? c.decoded(prevI) : undefined);
    rows.forEach((r, i) => {
      const el = this.rows[i];
      setText(el.value, r.value);
      setText(el.was, r.was ?? '');
      el.tr.classList.toggle('changed', r.was !== undefined);
    });
    const end = Math.max(1, skb.end);
    this.bar.head.style.width = `${(skb.data / end) * 100}%`;
    this.bar.data.style.width = `${(skb.len / end) * 100}%`;
    this.bar.tail.style.width = `${(Math.max(0, skb.end - skb.tail) / end) * 100}%`;
    setText(this.marks, `head 0 · headroom ${skb.headroom} · data ${skb.data} · len ${skb.len} · tail ${skb.tail} · tailroom ${skb.tailroom} · end ${skb.end}`);
  }
}
