// All packets of the run (including ARP, ICMP errors, fragments, replies) with their fates, as
// a listbox: picking one focuses it (stepping then visits its events only); "All packets" clears
// the focus. Children are indented under the packet that made them. A step only moves the
// "current" mark.
import type { PacketInfo } from '../../src/trace/contract';
import type { TraceIndex } from '../../src/protocol';
import type { Host, StepContext, View } from '../context';
import { h } from '../dom';

export class PacketsView implements View {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private items = new Map<number | null, HTMLElement>();
  private current: HTMLElement | undefined;
  private selected: HTMLElement | undefined;

  constructor(private readonly host: Host) {
    this.list = h('ul', { class: 'packets', role: 'listbox', 'aria-label': 'Packets and their fates', tabindex: '0' });
    this.root = h('div', { class: 'packets-wrap' }, this.list);
    this.list.addEventListener('click', (e) => {
      const li = (e.target as Element).closest('li[data-p]') as HTMLElement | null;
      if (li) this.pick(li);
    });
    this.list.addEventListener('keydown', (e) => this.key(e));
  }

  private pick(li: HTMLElement): void {
    const v = li.dataset.p ?? '';
    this.host.post({ type: 'debugger/focusPacket', packet: v === 'all' ? null : Number(v) });
  }

  private key(e: KeyboardEvent): void {
    const all = [...this.items.values()];
    const active = (document.activeElement as HTMLElement | null)?.closest?.('li[data-p]') as HTMLElement | null;
    let i = active ? all.indexOf(active) : all.indexOf(this.selected ?? all[0]);
    if (e.key === 'ArrowDown') i = Math.min(all.length - 1, i + 1);
    else if (e.key === 'ArrowUp') i = Math.max(0, i - 1);
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = all.length - 1;
    else if ((e.key === 'Enter' || e.key === ' ') && active) {
      e.preventDefault();
      this.pick(active);
      return;
    } else return;
    e.preventDefault();
    all[i]?.focus();
  }

  load(trace: TraceIndex): void {
    this.items.clear();
    this.current = this.selected = undefined;
    const byId = new Map(trace.packets.map((p) => [p.id, p]));
    const depth = (p: PacketInfo): number => {
      let d = 0;
      for (let q = p; q.parent !== null && d < 6; d++) {
        const par = byId.get(q.parent);
        if (!par) break;
        q = par;
      }
      return d;
    };
    const counts = new Map<number, number>();
    for (const p of trace.packet) counts.set(p, (counts.get(p) ?? 0) + 1);
    const all = h('li', { role: 'option', 'data-p': 'all', tabindex: '-1', 'aria-selected': 'false' }, h('span', { class: 'pid' }, '∗'), h('span', { class: 'sum' }, `All packets (${trace.packets.length})`));
    this.items.set(null, all);
    const lis = [all];
    for (const p of trace.packets) {
      const f = p.fate;
      const fate = h('span', { class: `fate fate-${f.kind}`, title: [f.kind, f.host, f.fn, f.reason, f.detail].filter(Boolean).join(' · ') }, f.kind === 'dropped' && f.reason ? `dropped · ${f.reason.replace(/^SKB_DROP_REASON_/, '')}` : f.kind);
      const li = h(
        'li',
        { role: 'option', 'data-p': String(p.id), tabindex: '-1', 'aria-selected': 'false', class: `d${Math.min(depth(p), 4)}` },
        h('span', { class: 'pid' }, `#${p.id}`),
        h('span', { class: 'sum', title: p.summary }, p.summary),
        h('span', { class: 'where' }, `${p.origin} → ${f.host}${f.fn ? ` (${f.fn})` : ''} · ${counts.get(p.id) ?? 0} ev`),
        fate,
      );
      this.items.set(p.id, li);
      lis.push(li);
    }
    this.list.replaceChildren(...lis);
  }

  update(c: StepContext): void {
    const cur = this.items.get(c.event.packet);
    if (cur !== this.current) {
      this.current?.classList.remove('current');
      cur?.classList.add('current');
      this.current = cur;
    }
    const sel = this.items.get(c.state.focus);
    if (sel !== this.selected) {
      // the first selection after a load is "All packets": scrolling to it would scroll the whole
      // panel down to the list when it opens; later selections follow the user in the list
      const follow = this.selected !== undefined;
      if (this.selected) this.selected.setAttribute('aria-selected', 'false');
      sel?.setAttribute('aria-selected', 'true');
      this.selected = sel;
      if (follow) sel?.scrollIntoView({ block: 'nearest' });
    }
  }
}
