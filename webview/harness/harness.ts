// UI-test harness (not shipped): a fake `acquireVsCodeApi` whose "extension host" is the real,
// vscode-free controller core (src/debugger/session.ts), so the page behaves as the panel does.
// It records what the webview posts, answers openSource, applies a theme, and counts CSP
// violations. Loaded before dist/webview.js on the test page; driven from playwright through
// `window.harness`.
import { DebuggerSession, type SessionView } from '../../src/debugger/session';
import type { Trace } from '../../src/trace/contract';
import type { HostToWebview, StepAction } from '../../src/protocol';
import { THEMES } from './themes';

const posted: unknown[] = [];
const opened: string[] = [];
const logs: string[] = [];
const cspViolations: string[] = [];
let viewState: unknown;
let sync = false;

const deliver = (m: HostToWebview): void => {
  const data = structuredClone(m);
  const fire = (): void => void window.dispatchEvent(new MessageEvent('message', { data }));
  if (sync) fire();
  else setTimeout(fire, 0);
};
const view: SessionView = { post: deliver };
const session = new DebuggerSession({
  openSource: (fn) => {
    opened.push(fn);
    return undefined;
  },
  log: (level, message) => logs.push(`${level}: ${message}`),
});
session.attach(view);

document.addEventListener('securitypolicyviolation', (e) => cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));

const params = new URLSearchParams(location.search);
const theme = THEMES[params.get('theme') ?? 'dark'] ?? THEMES.dark;
for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
document.body.classList.add(theme.body);

(window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
  postMessage: (m: unknown) => {
    posted.push(m);
    void session.receive(view, structuredClone(m));
  },
  getState: () => viewState,
  setState: (s: unknown) => {
    viewState = s;
  },
});

const harness = {
  posted,
  opened,
  logs,
  cspViolations,
  get viewState() {
    return viewState;
  },
  load(trace: Trace, title = trace.scenario): void {
    session.load(trace, title, null);
  },
  /** deliver a raw message as if from the host (to test the webview's validation) */
  raw(m: unknown): void {
    window.dispatchEvent(new MessageEvent('message', { data: m }));
  },
  /** Step with synchronous delivery and return the ms the webview took to apply it (script + style + layout). */
  timedStep(action: StepAction | number): number {
    sync = true;
    try {
      const t0 = performance.now();
      if (typeof action === 'number') session.goto(action);
      else session.step(action);
      document.body.getBoundingClientRect();
      void document.body.offsetHeight;
      return performance.now() - t0;
    } finally {
      sync = false;
    }
  },
  index: () => session.state().index,
};
(window as unknown as { harness: typeof harness }).harness = harness;
