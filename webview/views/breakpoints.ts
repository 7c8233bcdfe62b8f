// Breakpoints: a condition per line (`ttl < 2`, `dport == 22`, `fn == ip_forward`, `hook ==
// FORWARD`, `drop`, `host == router`, `layer == L2`, joined with && / ||), each with a checkbox,
// its number of hits in the trace and, when it does not parse, why. The host owns them: every
// change is sent whole (`debugger/setBreakpoints`) and comes back in the state.
import { LIMITS, type BreakpointSpec, type BreakpointView } from '../../src/protocol';
import type { Host, StepContext, View } from '../context';
import { h } from '../dom';
import { badge, button, checkbox, textField, toolbarButton } from '../ui/elements';

let nextId = 1;
const newId = (): string => `bp-${Date.now().toString(36)}-${nextId++}`;

export class BreakpointsView implements View {
  readonly root: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly input: ReturnType<typeof textField>;
  private readonly error: HTMLElement;
  private specs: BreakpointSpec[] = [];
  private key = '';
  /** the breakpoint whose error the line under the field shows; it goes when that breakpoint is fixed or removed */
  private errorOf: string | undefined;

  constructor(private readonly host: Host) {
    this.input = textField('ttl < 2 · dport == 22 · fn == ip_forward · hook == FORWARD · drop', 'New breakpoint condition', (v) => this.add(v), 'bp-input');
    this.error = h('div', { class: 'bp-error', role: 'alert' });
    this.list = h('ul', { class: 'bps', 'aria-label': 'Breakpoints' });
    this.root = h('div', { class: 'bp-wrap' }, h('div', { class: 'bp-add' }, this.input.el, button('Add', () => this.add(this.input.value), { id: 'bp-add' })), this.error, this.list);
  }

  load(): void {
    this.key = '';
  }

  /** Add a breakpoint (also used by "Break at this function"). */
  async add(text: string): Promise<void> {
    const t = text.trim();
    // said here, before anything is sent: the host would refuse these with the same limits
    if (!t) return this.say('Nothing added: type a condition first, e.g. ttl < 2, dport == 22, fn == ip_forward, hook == FORWARD or drop.', true);
    if (t.length > LIMITS.breakpointText) return this.say(`Not added: a condition has at most ${LIMITS.breakpointText} characters (this one has ${t.length}).`);
    if (this.specs.length >= LIMITS.breakpoints) return this.say(`Not added: at most ${LIMITS.breakpoints} breakpoints; remove one first.`);
    const id = newId();
    const specs = [...this.specs, { id, text: t, enabled: true }];
    const err = await this.send(specs);
    if (err) {
      // a condition the host cannot read is kept, marked, in the list: the error is that breakpoint's
      this.say(err);
      this.errorOf = id;
    } else {
      this.input.value = '';
      this.say('');
    }
  }

  /** The line under the field: an error (the field marked invalid), a hint, or nothing. */
  private say(text: string, hint = false): void {
    this.errorOf = undefined;
    this.error.textContent = text;
    this.error.classList.toggle('hint', hint);
    this.input.invalid = text !== '' && !hint;
    if (hint) this.input.focus();
  }

  private send(specs: BreakpointSpec[]): Promise<string | undefined> {
    return this.host.request((requestId) => ({ type: 'debugger/setBreakpoints', requestId, breakpoints: specs }));
  }

  update(c: StepContext): void {
    const bps = c.state.breakpoints;
    const key = bps.map((b) => `${b.id}|${b.text}|${b.enabled}|${b.hits}|${b.error ?? ''}`).join('\n') + `|${c.state.hitBreakpoint ?? ''}`;
    if (key === this.key) return;
    this.key = key;
    this.specs = bps.map(({ id, text, enabled }) => ({ id, text, enabled }));
    if (this.errorOf !== undefined && !bps.some((b) => b.id === this.errorOf && b.error)) this.say('');
    this.list.replaceChildren(...bps.map((b) => this.item(b, b.id === c.state.hitBreakpoint && c.state.reason === 'breakpoint')));
    if (bps.length === 0) this.list.append(h('li', { class: 'none' }, 'No breakpoints. Continue (F5) runs to the end.'));
  }

  private item(b: BreakpointView, hit: boolean): HTMLElement {
    const toggle = checkbox('', b.enabled, (on) => {
      void this.send(this.specs.map((s) => (s.id === b.id ? { ...s, enabled: on } : s)));
    }, `Enable breakpoint ${b.text}`);
    const remove = toolbarButton(`Remove breakpoint ${b.text}`, 'close', () => {
      void this.send(this.specs.filter((s) => s.id !== b.id));
    });
    const li = h('li', { class: `bp${b.error ? ' bad' : ''}${hit ? ' hit' : ''}${b.enabled ? '' : ' off'}` }, h('span', { class: 'bp-dot', 'aria-hidden': 'true' }), toggle, h('code', {}, b.text), badge(String(b.hits), 'counter'), remove);
    if (b.error) li.append(h('div', { class: 'bp-why' }, b.error));
    return li;
  }
}
