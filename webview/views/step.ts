// What the kernel is doing at this step: where (event, time, host, layer, function and file),
// the netfilter context, the plain-words sentence, the call path (each function a link that asks
// the host to open the kernel source) and the counters that changed.
import type { TraceIndex } from '../../src/protocol';
import type { Host, StepContext, View } from '../context';
import { fmtTime, h, setText } from '../dom';
import { button } from '../ui/elements';
import { eventNumber } from '../../src/debugger/eventNumber';

export class StepInfo implements View {
  readonly root: HTMLElement;
  private readonly where: HTMLElement;
  private readonly fnLine: HTMLElement;
  private readonly hookLine: HTMLElement;
  private readonly what: HTMLElement;
  private readonly drop: HTMLElement;
  private readonly stack: HTMLOListElement;
  private readonly counters: HTMLUListElement;
  private stackKey = '';
  private countersKey = '';
  private current: { fn: string; file: string } | undefined;

  constructor(private readonly host: Host) {
    this.where = h('div', { class: 'where' });
    this.fnLine = h('div', { class: 'fn-line' });
    this.hookLine = h('div', { class: 'hook-line' });
    this.what = h('p', { class: 'what', id: 'what' });
    this.drop = h('div', { class: 'drop-line', role: 'alert' });
    this.stack = h('ol', { class: 'stack', 'aria-label': 'Call path, outermost first' });
    this.counters = h('ul', { class: 'counters', 'aria-label': 'Counters changed at this step' });
    const breakHere = button('Break at this function', () => this.addBreakpoint(), { secondary: true, id: 'break-here' });
    this.root = h(
      'div',
      { class: 'step-info' },
      this.where,
      this.fnLine,
      this.hookLine,
      this.drop,
      this.what,
      h('div', { class: 'row-actions' }, breakHere),
      h('h3', {}, 'Call path'),
      this.stack,
      h('h3', {}, 'Counters changed'),
      this.counters,
    );
    this.stack.addEventListener('click', (e) => {
      const a = (e.target as Element).closest('a[data-fn]');
      if (!a) return;
      e.preventDefault();
      this.open((a as HTMLElement).dataset.fn ?? '');
    });
  }

  /** set by the app: adds `fn == X` to the breakpoints */
  onBreakAt: (fn: string) => void = () => undefined;

  private addBreakpoint(): void {
    if (this.current) this.onBreakAt(this.current.fn);
  }

  private async open(fn: string): Promise<void> {
    const file = fn === this.current?.fn ? this.current.file : undefined;
    const err = await this.host.request((requestId) => ({ type: 'debugger/openSource', requestId, fn, ...(file ? { file } : {}) }));
    if (err) this.host.status(`Cannot open ${fn}: ${err}`, 'error');
  }

  load(trace: TraceIndex): void {
    void trace;
    this.stackKey = '';
    this.countersKey = '';
  }

  update(c: StepContext): void {
    const e = c.event;
    this.current = { fn: e.fn, file: e.file };
    setText(this.where, `event ${eventNumber(c.index)} of ${c.count} · ${fmtTime(e.time)} · ${e.host} · ${e.layer} · packet #${e.packet}`);
    setText(this.fnLine, `${e.fn}()  ${e.file}`);
    if (e.hook) {
      const k = e.hook;
      const parts = [k.hook, [k.family, k.table, k.chain].filter(Boolean).join(' '), k.priority !== undefined ? `priority ${k.priority}` : '', k.rule ? `rule ${k.ruleIndex ?? ''}: ${k.rule}` : '', k.verdict ? `→ ${k.verdict}` : ''];
      setText(this.hookLine, parts.filter(Boolean).join(' · '));
      this.hookLine.hidden = false;
    } else this.hookLine.hidden = true;
    if (e.drop) {
      setText(this.drop, `Dropped: ${e.drop}`);
      this.drop.hidden = false;
    } else this.drop.hidden = true;
    setText(this.what, e.what);
    const sk = e.stack.join('>');
    if (sk !== this.stackKey) {
      this.stackKey = sk;
      this.stack.replaceChildren(
        ...e.stack.map((fn, i) => {
          const a = h('a', { href: '#', 'data-fn': fn, title: `Open ${fn} in the kernel source` }, `${fn}()`);
          const li = h('li', {}, a);
          if (i === e.stack.length - 1) li.classList.add('top');
          return li;
        }),
      );
    }
    const ck = JSON.stringify(e.counters ?? {});
    if (ck !== this.countersKey) {
      this.countersKey = ck;
      const entries = Object.entries(e.counters ?? {});
      this.counters.replaceChildren(
        ...(entries.length
          ? entries.map(([k, v]) => h('li', {}, h('code', {}, k), ` ${v >= 0 ? '+' : ''}${v}`))
          : [h('li', { class: 'none' }, 'none at this step')]),
      );
    }
  }
}
