// The exercise task panel beside a learner's scenario: the task, Check / Hint / Show Solution
// (the debugger's component set), the hints shown so far, and the last Check's results with the
// reason each failing goal gives. It draws what the host sends (`exercise/show`) and sends only
// button presses: the host owns the exercise, its progress and the model run.
import { checkHostToWebview, type ExerciseAction, type ExerciseView, type WebviewToHost } from '../../src/protocol';
import type { VsCodeApi } from '../api';
import { h, setText } from '../dom';
import { badge, button } from '../ui/elements';

export class ExercisePanel {
  private readonly title = h('h1', { id: 'ex-title' });
  private readonly meta = h('div', { class: 'ex-meta', id: 'ex-meta' });
  private readonly hintButton: HTMLElement;
  private readonly status = h('div', { class: 'ex-status', id: 'ex-status', role: 'status', 'aria-live': 'polite' });
  private readonly results = h('ol', { class: 'ex-results', id: 'ex-results', 'aria-label': 'Checks' });
  private readonly hints = h('ol', { class: 'ex-hints', id: 'ex-hints', 'aria-label': 'Hints' });
  private readonly task = h('div', { class: 'ex-task', id: 'ex-task' });
  private taskHtml = '';

  constructor(
    root: HTMLElement,
    private readonly api: VsCodeApi,
  ) {
    this.hintButton = button('Hint', () => this.send('hint'), { secondary: true, id: 'ex-hint' });
    const bar = h('div', { class: 'ex-actions' }, button('Check', () => this.send('check'), { id: 'ex-check' }), this.hintButton, button('Show Solution', () => this.send('solution'), { secondary: true, id: 'ex-solution' }));
    root.append(h('header', { class: 'ex-head' }, this.title, this.meta), bar, this.status, this.results, this.hints, this.task);
  }

  private send(action: ExerciseAction): void {
    this.post({ type: 'exercise/action', action });
  }

  private post(m: WebviewToHost): void {
    this.api.postMessage(m);
  }

  receive(data: unknown): void {
    const c = checkHostToWebview(data);
    if (!c.ok) {
      this.post({ type: 'debugger/log', level: 'error', message: `exercise panel rejected a message: ${c.error}`.slice(0, 2000) });
      return;
    }
    if (c.message.type === 'exercise/show') this.render(c.message.view);
    else if (c.message.type === 'debugger/error') setText(this.status, c.message.message);
  }

  private render(v: ExerciseView): void {
    setText(this.title, v.title);
    this.meta.replaceChildren(badge(v.kind), ` ${v.track} · #${v.order} · ${v.id}`);
    this.hintButton.toggleAttribute('disabled', v.hints.length >= v.hintCount);
    this.hintButton.textContent = v.hintCount ? `Hint (${v.hints.length}/${v.hintCount})` : 'No hints';
    this.hints.replaceChildren(...v.hints.map((t) => h('li', {}, t)));
    if (v.checking) setText(this.status, 'Checking: running the model on the scenario…');
    else if (!v.results) setText(this.status, v.kind === 'fix' ? 'Edit the scenario, then press Check.' : 'Press Check to answer.');
    else {
      const n = v.results.filter((r) => r.pass).length;
      setText(this.status, n === v.results.length ? `✓ All ${n} checks pass.` : `${n} of ${v.results.length} checks pass.`);
    }
    this.results.replaceChildren(
      ...(v.results ?? []).map((r) =>
        h('li', { class: r.pass ? 'pass' : 'fail' }, h('span', { class: 'mark', 'aria-label': r.pass ? 'passes' : 'fails' }, r.pass ? '✓' : '✗'), h('span', { class: 'name' }, `${r.name}: `), r.text, ...(r.pass ? [] : [h('ul', { class: 'why' }, ...r.why.map((w) => h('li', {}, w)))])),
      ),
    );
    // the task only changes when another exercise is shown: keep the reader's scroll position
    if (v.taskHtml !== this.taskHtml) {
      this.taskHtml = v.taskHtml;
      // the host's Markdown renderer made this HTML from the exercise file; the page's CSP allows no script
      this.task.innerHTML = v.taskHtml;
    }
  }
}
