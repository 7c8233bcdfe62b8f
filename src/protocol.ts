// The ONE message protocol between the extension host and its webviews (the packet debugger, and
// the exercise task panel beside a learner's scenario)
// (docs/architecture.md "The parts and the one direction between them"). Discriminated unions per
// direction, namespaced type names, request ids where a reply is expected, and hand-written
// validators that both sides run on arrival: a message that does not validate is rejected whole
// (logged, and answered with `debugger/error` when it came from the webview), never half-applied.
//
// No dependency, no `vscode`, no DOM, no Node: imported by src/vscode/, src/debugger/ and webview/.

import type { Trace } from './trace/contract';

/** Everything the debugger toolbar (and the keybindings) can ask for. */
export const STEP_ACTIONS = [
  'stepInto',
  'stepOver',
  'stepOut',
  'stepBack',
  'continue',
  'reverseContinue',
  'runToEnd',
  'restart',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/** A breakpoint as the user wrote it: `fn == ip_forward`, `ttl < 2`, `drop`, `hook == FORWARD && host == router`. */
export interface BreakpointSpec {
  id: string;
  text: string;
  enabled: boolean;
}

/** A breakpoint as the host understood it. */
export interface BreakpointView extends BreakpointSpec {
  /** why the text does not parse; such a breakpoint never stops */
  error?: string;
  /** how many events of the trace it stops at */
  hits: number;
  /** the event indices it stops at (the first 5000), for the timeline's markers */
  at: number[];
}

/** Why the cursor is where it is after the last move. */
export type StopReason = 'load' | 'step' | 'breakpoint' | 'start' | 'end' | 'goto' | 'focus' | 'restore';

/** The controller's state as the views see it. Small: sent after every move. */
export interface DebuggerState {
  /** index into trace.events (not seq, though the two agree for a well-formed trace) */
  index: number;
  /** the packet whose events stepping visits; null for all packets */
  focus: number | null;
  breakpoints: BreakpointView[];
  reason: StopReason;
  /** the breakpoint that stopped us, when reason is 'breakpoint' */
  hitBreakpoint?: string;
  /** a short line for the status area, e.g. "end of trace" */
  message?: string;
}

// ---------------------------------------------------------------------------------------------
// webview → host

export type WebviewToHost =
  /** sent once the webview has its listeners; the host sends nothing before it */
  | { type: 'debugger/ready' }
  | { type: 'debugger/step'; action: StepAction }
  | { type: 'debugger/goto'; index: number }
  | { type: 'debugger/focusPacket'; packet: number | null }
  /** replace all breakpoints; answered with `debugger/reply` carrying the same requestId */
  | { type: 'debugger/setBreakpoints'; requestId: number; breakpoints: BreakpointSpec[] }
  /** open the kernel source of a function (the annotations resolve it); answered with `debugger/reply` */
  | { type: 'debugger/openSource'; requestId: number; fn: string; file?: string }
  /** something went wrong inside the webview; the host logs it */
  | { type: 'debugger/log'; level: 'info' | 'warn' | 'error'; message: string }
  /** the exercise task panel: its handshake, and its three buttons */
  | { type: 'exercise/ready' }
  | { type: 'exercise/action'; action: ExerciseAction };

/** What the exercise task panel's buttons ask for. */
export const EXERCISE_ACTIONS = ['check', 'hint', 'solution'] as const;
export type ExerciseAction = (typeof EXERCISE_ACTIONS)[number];

/** One check's outcome, as the task panel lists it. */
export interface ExerciseCheckView {
  name: string;
  /** the goal or question, in the exercise's words */
  text: string;
  pass: boolean;
  /** why: the packet's story, the rule that decided and its line */
  why: string[];
}

/** Everything the task panel shows: the task (HTML rendered by the host's Markdown renderer), the hints shown so far, the last check. */
export interface ExerciseView {
  id: string;
  title: string;
  kind: 'predict' | 'find' | 'fix';
  track: string;
  order: number;
  taskHtml: string;
  hints: string[];
  hintCount: number;
  /** the last Check's results, if any */
  results?: ExerciseCheckView[];
  /** a Check is running */
  checking?: boolean;
}

// host → webview

export type HostToWebview =
  /** a (new) trace to show; always followed by a `debugger/state` */
  | { type: 'debugger/trace'; title: string; file: string | null; trace: Trace }
  | { type: 'debugger/state'; state: DebuggerState }
  | { type: 'debugger/reply'; requestId: number; ok: boolean; error?: string }
  /** a message was rejected, or the scenario could not be run */
  | { type: 'debugger/error'; message: string; requestId?: number }
  /** the exercise task panel's whole content */
  | { type: 'exercise/show'; view: ExerciseView };

export type WebviewToHostType = WebviewToHost['type'];
export type HostToWebviewType = HostToWebview['type'];

// ---------------------------------------------------------------------------------------------
// validators

/** The result of validating a message that arrived: the typed message, or why not. */
export type Checked<T> = { ok: true; message: T } | { ok: false; error: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNat = (v: unknown): v is number => isInt(v) && v >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isOpt = (v: unknown, f: (x: unknown) => boolean): boolean => v === undefined || f(v);
const isNullOr = (v: unknown, f: (x: unknown) => boolean): boolean => v === null || f(v);

/** Collects what is wrong with a message, with a path to each problem. */
class Problems {
  readonly list: string[] = [];
  need(cond: boolean, path: string, what: string): boolean {
    // a few are enough to say what is wrong; more would only cost time on a hostile message
    if (!cond && this.list.length < 20) this.list.push(`${path}: expected ${what}`);
    return cond;
  }
}

/** A string of at most `max` characters (the error says how long it was). */
function strUpTo(p: Problems, v: unknown, max: number, path: string, what = 'a string'): boolean {
  if (!p.need(isStr(v), path, what)) return false;
  return p.need((v as string).length <= max, path, `${what} of at most ${n(max)} characters (got ${n((v as string).length)})`);
}

/**
 * The bounds on what the webview may send. A webview is the extension's own code, but it renders
 * untrusted traces and runs in a browser: the host treats its messages as input. Every bound is
 * checked before any work is done for the message, so refusing costs no more than reading the
 * lengths.
 */
export const LIMITS = {
  /** breakpoints in one `debugger/setBreakpoints` */
  breakpoints: 50,
  /** characters of one breakpoint condition */
  breakpointText: 500,
  /** tests joined with && and || in one condition (checked by the parser) */
  breakpointTests: 16,
  /** characters of a breakpoint id */
  breakpointId: 100,
  /** characters of a `debugger/log` message */
  logMessage: 2_000,
  /** characters of a kernel source path in `debugger/openSource` */
  path: 300,
  /** characters of an exercise task's HTML, and of one hint, check or reason in `exercise/show` */
  exerciseHtml: 200_000,
  exerciseText: 10_000,
  /** messages a second from one webview, sustained; a burst may reach `messageBurst` */
  messagesPerSecond: 100,
  messageBurst: 200,
  /** what a `debugger/setBreakpoints` counts for in the rate (it rescans the trace) */
  setBreakpointsCost: 10,
} as const;

/** 12,345 */
const n = (x: number): string => x.toLocaleString('en');

/** Records a problem unless `v` is a plain object; narrows `v`. */
function objAt(v: unknown, path: string, p: Problems, what = 'an object'): v is Obj {
  return p.need(isObj(v), path, what);
}

function checkBreakpointSpec(v: unknown, path: string, p: Problems): void {
  if (!p.need(isObj(v), path, 'an object')) return;
  const b = v as Obj;
  if (strUpTo(p, b.id, LIMITS.breakpointId, `${path}.id`, 'a non-empty string')) p.need((b.id as string).length > 0, `${path}.id`, 'a non-empty string');
  strUpTo(p, b.text, LIMITS.breakpointText, `${path}.text`, 'a condition');
  p.need(isBool(b.enabled), `${path}.enabled`, 'a boolean');
}

function checkBreakpointView(v: unknown, path: string, p: Problems): void {
  checkBreakpointSpec(v, path, p);
  if (!isObj(v)) return;
  p.need(isOpt(v.error, isStr), `${path}.error`, 'a string');
  p.need(isNat(v.hits), `${path}.hits`, 'a count');
  p.need(Array.isArray(v.at) && v.at.length <= 5000 && (v.at as unknown[]).every(isNat), `${path}.at`, 'event indices (at most 5000)');
}

const STOP_REASONS: readonly StopReason[] = ['load', 'step', 'breakpoint', 'start', 'end', 'goto', 'focus', 'restore'];

function checkState(v: unknown, path: string, p: Problems): void {
  if (!p.need(isObj(v), path, 'an object')) return;
  const s = v as Obj;
  p.need(isNat(s.index), `${path}.index`, 'an event index');
  p.need(isNullOr(s.focus, isNat), `${path}.focus`, 'a packet id or null');
  if (p.need(Array.isArray(s.breakpoints), `${path}.breakpoints`, 'an array')) {
    (s.breakpoints as unknown[]).forEach((b, i) => checkBreakpointView(b, `${path}.breakpoints[${i}]`, p));
  }
  p.need(isStr(s.reason) && (STOP_REASONS as readonly string[]).includes(s.reason), `${path}.reason`, `one of ${STOP_REASONS.join(', ')}`);
  p.need(isOpt(s.hitBreakpoint, isStr), `${path}.hitBreakpoint`, 'a string');
  p.need(isOpt(s.message, isStr), `${path}.message`, 'a string');
}

/**
 * The trace's shape, checked as deep as the webview relies on it (events and packets; the skb
 * snapshot's numbers and bytes). Cheap enough for 10,000 events (a few ms).
 */
function checkTrace(v: unknown, path: string, p: Problems): void {
  if (!p.need(isObj(v), path, 'a trace object')) return;
  const t = v as Obj;
  p.need(isStr(t.scenario), `${path}.scenario`, 'a string');
  p.need(isStr(t.kernel), `${path}.kernel`, 'a string');
  p.need(isObj(t.counters), `${path}.counters`, 'an object');
  p.need(Array.isArray(t.sockets), `${path}.sockets`, 'an array');
  if (p.need(Array.isArray(t.packets), `${path}.packets`, 'an array')) {
    (t.packets as unknown[]).forEach((pk, i) => {
      const pp = `${path}.packets[${i}]`;
      if (!objAt(pk, pp, p)) return;
      p.need(isNat(pk.id), `${pp}.id`, 'a packet id');
      p.need(isNullOr(pk.parent, isNat), `${pp}.parent`, 'a packet id or null');
      p.need(isStr(pk.summary), `${pp}.summary`, 'a string');
      p.need(isStr(pk.origin), `${pp}.origin`, 'a string');
      p.need(isObj(pk.fate) && isStr(pk.fate.kind) && isStr(pk.fate.host) && isStr(pk.fate.fn), `${pp}.fate`, 'a fate {kind, host, fn}');
    });
  }
  if (t.hosts !== undefined && p.need(Array.isArray(t.hosts), `${path}.hosts`, 'an array')) {
    (t.hosts as unknown[]).forEach((h, i) => {
      const hp = `${path}.hosts[${i}]`;
      if (!objAt(h, hp, p)) return;
      p.need(isStr(h.name), `${hp}.name`, 'a string');
      if (!p.need(Array.isArray(h.devices), `${hp}.devices`, 'an array')) return;
      (h.devices as unknown[]).forEach((d, k) => {
        const dp = `${hp}.devices[${k}]`;
        if (!objAt(d, dp, p)) return;
        p.need(isStr(d.name) && isStr(d.kind), dp, 'a device {name, kind}');
        p.need(isNullOr(d.peer, isStr), `${dp}.peer`, 'a string or null');
      });
    });
  }
  if (!p.need(Array.isArray(t.events), `${path}.events`, 'an array')) return;
  const events = t.events as unknown[];
  for (let i = 0; i < events.length && p.list.length < 20; i++) {
    const e = events[i];
    const ep = `${path}.events[${i}]`;
    if (!objAt(e, ep, p)) continue;
    p.need(isNat(e.seq), `${ep}.seq`, 'a number');
    p.need(isNum(e.time), `${ep}.time`, 'a number');
    p.need(isStr(e.host), `${ep}.host`, 'a string');
    p.need(isNat(e.packet), `${ep}.packet`, 'a packet id');
    p.need(e.layer === 'L2' || e.layer === 'L3' || e.layer === 'L4' || e.layer === 'socket', `${ep}.layer`, 'L2, L3, L4 or socket');
    p.need(isStr(e.fn), `${ep}.fn`, 'a string');
    p.need(isStr(e.file), `${ep}.file`, 'a string');
    p.need(Array.isArray(e.stack) && (e.stack as unknown[]).every(isStr), `${ep}.stack`, 'an array of strings');
    p.need(isStr(e.what), `${ep}.what`, 'a string');
    if (e.skb !== undefined) {
      const s = e.skb;
      if (objAt(s, `${ep}.skb`, p)) {
        for (const k of ['len', 'data', 'tail', 'end', 'headroom', 'tailroom', 'protocol', 'iif', 'mark'] as const) {
          p.need(isInt(s[k]), `${ep}.skb.${k}`, 'an integer');
        }
        for (const k of ['mac_header', 'network_header', 'transport_header'] as const) {
          p.need(isNullOr(s[k], isNat), `${ep}.skb.${k}`, 'an offset or null');
        }
        p.need(isStr(s.bytes) && /^[0-9a-f]*$/.test(s.bytes) && s.bytes.length % 2 === 0, `${ep}.skb.bytes`, 'lowercase hex');
        p.need(isStr(s.protocolName) && isStr(s.pkt_type) && isStr(s.ip_summed), `${ep}.skb`, 'protocolName, pkt_type and ip_summed strings');
        p.need(isNullOr(s.dev, isStr) && isNullOr(s.dst, isStr) && isNullOr(s.ct, isStr), `${ep}.skb`, 'dev, dst and ct strings or null');
      }
    }
    if (e.hook !== undefined) p.need(isObj(e.hook) && isStr(e.hook.hook), `${ep}.hook`, 'a hook context {hook}');
    if (e.counters !== undefined) {
      p.need(isObj(e.counters) && Object.values(e.counters).every(isNum), `${ep}.counters`, 'a map of numbers');
    }
    p.need(isOpt(e.drop, isStr), `${ep}.drop`, 'a string');
  }
}

const EXERCISE_KINDS = ['predict', 'find', 'fix'];

function checkExerciseView(v: unknown, path: string, p: Problems): void {
  if (!objAt(v, path, p)) return;
  for (const k of ['id', 'title', 'track'] as const) strUpTo(p, v[k], LIMITS.exerciseText, `${path}.${k}`);
  p.need(isStr(v.kind) && EXERCISE_KINDS.includes(v.kind), `${path}.kind`, `one of ${EXERCISE_KINDS.join(', ')}`);
  p.need(isNat(v.order), `${path}.order`, 'an order');
  strUpTo(p, v.taskHtml, LIMITS.exerciseHtml, `${path}.taskHtml`, 'HTML');
  p.need(isNat(v.hintCount), `${path}.hintCount`, 'a count');
  if (p.need(Array.isArray(v.hints), `${path}.hints`, 'an array')) (v.hints as unknown[]).forEach((h, i) => strUpTo(p, h, LIMITS.exerciseText, `${path}.hints[${i}]`));
  p.need(isOpt(v.checking, isBool), `${path}.checking`, 'a boolean');
  if (v.results === undefined || !p.need(Array.isArray(v.results), `${path}.results`, 'an array')) return;
  (v.results as unknown[]).forEach((r, i) => {
    const rp = `${path}.results[${i}]`;
    if (!objAt(r, rp, p)) return;
    strUpTo(p, r.name, LIMITS.exerciseText, `${rp}.name`);
    strUpTo(p, r.text, LIMITS.exerciseText, `${rp}.text`);
    p.need(isBool(r.pass), `${rp}.pass`, 'a boolean');
    if (p.need(Array.isArray(r.why), `${rp}.why`, 'an array')) (r.why as unknown[]).forEach((w, k) => strUpTo(p, w, LIMITS.exerciseText, `${rp}.why[${k}]`));
  });
}

function describe(v: unknown): string {
  if (isObj(v) && isStr(v.type)) return `"${v.type}"`;
  return 'message';
}

function finish<T>(v: unknown, p: Problems): Checked<T> {
  if (p.list.length === 0) return { ok: true, message: v as T };
  const more = p.list.length > 5 ? ` (and ${p.list.length - 5} more)` : '';
  return { ok: false, error: `invalid ${describe(v)}: ${p.list.slice(0, 5).join('; ')}${more}` };
}

/** Validate a message that arrived from the webview. */
export function checkWebviewToHost(v: unknown): Checked<WebviewToHost> {
  const p = new Problems();
  if (!p.need(isObj(v), 'message', 'an object') || !p.need(isStr((v as Obj).type), 'type', 'a string')) return finish(v, p);
  const m = v as Obj;
  switch (m.type) {
    case 'debugger/ready':
      break;
    case 'debugger/step':
      p.need(isStr(m.action) && (STEP_ACTIONS as readonly string[]).includes(m.action), 'action', `one of ${STEP_ACTIONS.join(', ')}`);
      break;
    case 'debugger/goto':
      p.need(isNat(m.index), 'index', 'an event index');
      break;
    case 'debugger/focusPacket':
      p.need(isNullOr(m.packet, isNat), 'packet', 'a packet id or null');
      break;
    case 'debugger/setBreakpoints':
      p.need(isNat(m.requestId), 'requestId', 'a request id');
      if (
        p.need(Array.isArray(m.breakpoints), 'breakpoints', 'an array') &&
        p.need((m.breakpoints as unknown[]).length <= LIMITS.breakpoints, 'breakpoints', `at most ${LIMITS.breakpoints} breakpoints (got ${n((m.breakpoints as unknown[]).length)})`)
      ) {
        (m.breakpoints as unknown[]).forEach((b, i) => checkBreakpointSpec(b, `breakpoints[${i}]`, p));
      }
      break;
    case 'debugger/openSource':
      p.need(isNat(m.requestId), 'requestId', 'a request id');
      p.need(isStr(m.fn) && /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(m.fn), 'fn', 'a C identifier');
      if (m.file !== undefined) strUpTo(p, m.file, LIMITS.path, 'file', 'a path');
      break;
    case 'debugger/log':
      p.need(m.level === 'info' || m.level === 'warn' || m.level === 'error', 'level', 'info, warn or error');
      strUpTo(p, m.message, LIMITS.logMessage, 'message');
      break;
    case 'exercise/ready':
      break;
    case 'exercise/action':
      p.need(isStr(m.action) && (EXERCISE_ACTIONS as readonly string[]).includes(m.action), 'action', `one of ${EXERCISE_ACTIONS.join(', ')}`);
      break;
    default:
      p.list.push(`type: unknown message type "${String(m.type).slice(0, 60)}"`);
  }
  return finish(v, p);
}

/** Validate a message that arrived from the extension host. */
export function checkHostToWebview(v: unknown): Checked<HostToWebview> {
  const p = new Problems();
  if (!p.need(isObj(v), 'message', 'an object') || !p.need(isStr((v as Obj).type), 'type', 'a string')) return finish(v, p);
  const m = v as Obj;
  switch (m.type) {
    case 'debugger/trace':
      p.need(isStr(m.title), 'title', 'a string');
      p.need(isNullOr(m.file, isStr), 'file', 'a string or null');
      checkTrace(m.trace, 'trace', p);
      break;
    case 'debugger/state':
      checkState(m.state, 'state', p);
      break;
    case 'debugger/reply':
      p.need(isNat(m.requestId), 'requestId', 'a request id');
      p.need(isBool(m.ok), 'ok', 'a boolean');
      p.need(isOpt(m.error, isStr), 'error', 'a string');
      break;
    case 'debugger/error':
      p.need(isStr(m.message), 'message', 'a string');
      p.need(isOpt(m.requestId, isNat), 'requestId', 'a request id');
      break;
    case 'exercise/show':
      checkExerciseView(m.view, 'view', p);
      break;
    default:
      p.list.push(`type: unknown message type "${String(m.type).slice(0, 60)}"`);
  }
  return finish(v, p);
}

/**
 * The rate bound on one webview's messages: a token bucket (`messagesPerSecond`, bursts up to
 * `messageBurst`). Holding F11 sends about 30 steps a second and dragging the timeline about 60
 * gotos, well inside it; a webview that floods is answered with an error instead of work.
 */
export class MessageRate {
  private tokens: number = LIMITS.messageBurst;
  private last: number;
  /** messages refused since the last time the caller was told */
  refused = 0;

  constructor(private readonly now: () => number = () => Date.now()) {
    this.last = now();
  }

  /** Whether a message of this type may be handled now (it takes its cost when it may). */
  take(m: WebviewToHost): boolean {
    const t = this.now();
    this.tokens = Math.min(LIMITS.messageBurst, this.tokens + ((t - this.last) / 1000) * LIMITS.messagesPerSecond);
    this.last = t;
    const cost = m.type === 'debugger/setBreakpoints' ? LIMITS.setBreakpointsCost : 1;
    if (this.tokens < cost) {
      this.refused++;
      return false;
    }
    this.tokens -= cost;
    return true;
  }
}

/** The error for a message refused by the rate bound. */
export function rateError(type: WebviewToHostType): string {
  return `refused "${type}": more than ${LIMITS.messagesPerSecond} messages a second from the webview (breakpoint changes count ${LIMITS.setBreakpointsCost})`;
}

/** The webview's persisted view state (`getState`/`setState`); also what the serializer restores from. */
export interface WebviewViewState {
  /** the scenario file shown, as a URI string, so that a restored panel can run it again */
  file: string | null;
  index: number;
  focus: number | null;
  breakpoints: BreakpointSpec[];
  /** the example's fn for panels opened by `showStep` without a file of their own */
  title?: string;
}

/** Validate a view state handed back by VS Code after a reload (it may be from an older version). */
export function checkViewState(v: unknown): WebviewViewState | undefined {
  if (!isObj(v)) return undefined;
  const p = new Problems();
  p.need(isNullOr(v.file, isStr), 'file', 'a string or null');
  p.need(isNat(v.index), 'index', 'an index');
  p.need(isNullOr(v.focus, isNat), 'focus', 'a packet id or null');
  if (p.need(Array.isArray(v.breakpoints), 'breakpoints', 'an array')) {
    (v.breakpoints as unknown[]).forEach((b, i) => checkBreakpointSpec(b, `breakpoints[${i}]`, p));
  }
  p.need(isOpt(v.title, isStr), 'title', 'a string');
  return p.list.length === 0 ? (v as unknown as WebviewViewState) : undefined;
}
