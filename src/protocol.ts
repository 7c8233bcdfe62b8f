// The ONE message protocol between the extension host and its webviews (the packet debugger, and
// the exercise task panel beside a learner's scenario)
// (docs/architecture.md "The parts and the one direction between them"). Discriminated unions per
// direction, namespaced type names, request ids where a reply is expected, and hand-written
// validators that both sides run on arrival: a message that does not validate is rejected whole
// (logged, and answered with `debugger/error` when it came from the webview), never half-applied.
//
// No dependency, no `vscode`, no DOM, no Node: imported by src/vscode/, src/debugger/ and webview/.

import type { HostInfo, Layer, PacketInfo, Trace, TraceEvent } from './trace/contract';
import { plainPackets } from './trace/read';

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

/** The layers in the order `TraceIndex.layer` numbers them. */
export const INDEX_LAYERS: readonly Layer[] = ['L2', 'L3', 'L4', 'socket'];

/** `TraceIndex.flags` bits. */
export const INDEX_FLAG = {
  /** the event has an sk_buff snapshot */
  skb: 1,
  /** its skb->pkt_type is PACKET_OUTGOING (the layer picture puts it in the transmit column) */
  outgoing: 2,
} as const;

/**
 * What a view needs of the whole trace at once, and no more (issue 12): the run's hosts and
 * packets, and for each event a few small numbers in columns (one entry per event, in event
 * order), the names interned in `strings`. The timeline, the packet list, the layer picture and
 * the packet's path are drawn from it; the sk_buff, its bytes, the call path and the sentence of
 * one event come with the state message that moves to it (`EventDetail`).
 */
export interface TraceIndex {
  scenario: string;
  kernel: string;
  hosts?: HostInfo[];
  packets: PacketInfo[];
  stopped?: { limit: string; message: string };
  window?: Trace['window'];
  /** the names the columns point into: hosts, functions, devices, hooks, drop reasons */
  strings: string[];
  /** per event: the host (into strings) */
  host: Int32Array;
  /** per event: the packet id */
  packet: Int32Array;
  /** per event: the kernel function (into strings) */
  fn: Int32Array;
  /** per event: the layer (into INDEX_LAYERS) */
  layer: Int32Array;
  /** per event: skb->dev (into strings), -1 when there is none */
  dev: Int32Array;
  /** per event: the netfilter hook (into strings), -1 when the event is at none */
  hook: Int32Array;
  /** per event: the drop reason (into strings), -1 when nothing is freed */
  drop: Int32Array;
  /** per event: INDEX_FLAG bits */
  flags: Int32Array;
}

/** The index's per-event columns; the nullable ones (-1: none) travel as value + 1. */
export const INDEX_COLUMNS = ['host', 'packet', 'fn', 'layer', 'dev', 'hook', 'drop', 'flags'] as const;
export type IndexColumn = (typeof INDEX_COLUMNS)[number];
const NULLABLE: ReadonlySet<IndexColumn> = new Set(['dev', 'hook', 'drop']);

/**
 * A column as it crosses: unsigned little-endian integers of `width` bytes, in base64. A
 * 100,000-event index is about 1.3 MB of JSON, parsed as a handful of strings rather than as
 * 800,000 numbers.
 */
export interface PackedColumn {
  width: 1 | 2 | 4;
  base64: string;
}

/** The index as the `debugger/trace` message carries it. */
export type PackedTraceIndex = Omit<TraceIndex, IndexColumn> & { count: number; columns: Record<IndexColumn, PackedColumn> };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE[B64.charCodeAt(i)] = i;

const B64_CODE = new Uint8Array(64);
for (let i = 0; i < 64; i++) B64_CODE[i] = B64.charCodeAt(i);

// base64 is ASCII: the platform's UTF-8 coders turn its characters into bytes and back natively
const ASCII_OUT = new TextDecoder();
const ASCII_IN = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  const len = bytes.length;
  const out = new Uint8Array(Math.ceil(len / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < len; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = B64_CODE[v >> 18];
    out[o++] = B64_CODE[(v >> 12) & 63];
    out[o++] = B64_CODE[(v >> 6) & 63];
    out[o++] = B64_CODE[v & 63];
  }
  if (i < len) {
    const v = (bytes[i] << 16) | (i + 1 < len ? bytes[i + 1] << 8 : 0);
    out[o++] = B64_CODE[v >> 18];
    out[o++] = B64_CODE[(v >> 12) & 63];
    out[o++] = i + 1 < len ? B64_CODE[(v >> 6) & 63] : 61;
    out[o++] = 61;
  }
  return ASCII_OUT.decode(out);
}

/** The bytes of a base64 string of exactly `length` bytes, or what was expected instead. */
function fromBase64(s: string, length: number): Uint8Array | string {
  const chars = Math.ceil(length / 3) * 4;
  if (s.length !== chars) return `${n(chars)} base64 characters (got ${n(s.length)})`;
  const code = ASCII_IN.encode(s);
  // a character outside ASCII takes more than one byte
  if (code.length !== chars) return 'base64 (a character outside ASCII)';
  const out = new Uint8Array(length);
  let o = 0;
  for (let i = 0; i < chars; i += 4) {
    const a = B64_VALUE[code[i]];
    const b = B64_VALUE[code[i + 1]];
    const c = o + 1 < length ? B64_VALUE[code[i + 2]] : 0;
    const d = o + 2 < length ? B64_VALUE[code[i + 3]] : 0;
    if ((a | b | c | d) < 0) return `base64 (a bad character near ${n(i)})`;
    out[o++] = (a << 2) | (b >> 4);
    if (o < length) out[o++] = ((b & 15) << 4) | (c >> 2);
    if (o < length) out[o++] = ((c & 3) << 6) | d;
  }
  return out;
}

/** Pack an index for the wire: each column in the fewest bytes its largest value needs. */
export function packIndex(ix: TraceIndex): PackedTraceIndex {
  const { scenario, kernel, hosts, packets, stopped, window, strings } = ix;
  const count = ix.packet.length;
  const columns = {} as Record<IndexColumn, PackedColumn>;
  for (const k of INDEX_COLUMNS) {
    const col = ix[k];
    const shift = NULLABLE.has(k) ? 1 : 0;
    let max = 0;
    for (let i = 0; i < count; i++) if (col[i] + shift > max) max = col[i] + shift;
    const width = max < 256 ? 1 : max < 65536 ? 2 : 4;
    const bytes = new Uint8Array(count * width);
    for (let i = 0, o = 0; i < count; i++) {
      const v = col[i] + shift;
      bytes[o++] = v & 255;
      if (width > 1) bytes[o++] = (v >>> 8) & 255;
      if (width > 2) {
        bytes[o++] = (v >>> 16) & 255;
        bytes[o++] = (v >>> 24) & 255;
      }
    }
    columns[k] = { width, base64: toBase64(bytes) };
  }
  // plain objects: a model's packet reads its summary through an accessor, which a structured clone does not copy
  const packed: PackedTraceIndex = { scenario, kernel, packets: plainPackets(packets), strings, count, columns };
  if (hosts) packed.hosts = hosts;
  if (stopped) packed.stopped = stopped;
  if (window) packed.window = window;
  return packed;
}

/**
 * Unpack an index that arrived, checking every value's range on the way (a name id points into
 * `strings`, a layer into INDEX_LAYERS, a packet id is below 2^31), so the views index it
 * without checks of their own. The envelope must have passed `checkHostToWebview`.
 */
export function unpackIndex(w: PackedTraceIndex): Checked<TraceIndex> {
  const names = w.strings.length;
  const range: Record<IndexColumn, number> = { host: names, packet: 2 ** 31, fn: names, layer: INDEX_LAYERS.length, dev: names, hook: names, drop: names, flags: 4 };
  const cols = {} as Record<IndexColumn, Int32Array>;
  for (const k of INDEX_COLUMNS) {
    const { width, base64 } = w.columns[k];
    const bytes = fromBase64(base64, w.count * width);
    if (typeof bytes === 'string') return { ok: false, error: `invalid index column ${k}: expected ${bytes}` };
    const shift = NULLABLE.has(k) ? 1 : 0;
    const hi = range[k] + shift;
    const col = new Int32Array(w.count);
    for (let i = 0, o = 0; i < w.count; i++) {
      let v = bytes[o++];
      if (width > 1) v |= bytes[o++] << 8;
      if (width > 2) {
        v |= bytes[o++] << 16;
        v = (v | (bytes[o++] << 24)) >>> 0;
      }
      if (v >= hi) return { ok: false, error: `invalid index column ${k}: entry ${n(i)} is ${n(v - shift)}, expected below ${n(range[k])}` };
      col[i] = v - shift;
    }
    cols[k] = col;
  }
  const { scenario, kernel, hosts, packets, stopped, window, strings } = w;
  const ix: TraceIndex = { scenario, kernel, packets, strings, ...cols };
  if (hosts) ix.hosts = hosts;
  if (stopped) ix.stopped = stopped;
  if (window) ix.window = window;
  return { ok: true, message: ix };
}

/**
 * The state as a `debugger/state` message carries it: `breakpoints` is left out when they are the
 * ones this view was last sent. A breakpoint view lists up to 5000 event indices, and a step does
 * not change them: on a large trace they would be most of every step's message.
 */
export type DebuggerStateUpdate = Omit<DebuggerState, 'breakpoints'> & { breakpoints?: BreakpointView[] };

/** The whole of the event the cursor is at, and of the packet's previous event (for "changed since"). */
export interface EventDetail {
  index: number;
  event: TraceEvent;
  /** the same packet's previous event (its index is the layout's prevOfPacket), or null */
  prev: TraceEvent | null;
}

export type HostToWebview =
  /** a (new) trace to show, as its index; always followed by a `debugger/state` */
  | { type: 'debugger/trace'; title: string; file: string | null; index: PackedTraceIndex }
  /** the cursor moved (or breakpoints changed); `detail` is the event at `state.index`, absent on an empty trace */
  | { type: 'debugger/state'; state: DebuggerStateUpdate; detail?: EventDetail }
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
  /** A field the message does not have is refused, not ignored: the sender meant something by it. */
  only(v: Obj, fields: readonly string[], path: string): void {
    for (const k of Object.keys(v)) {
      if (fields.includes(k)) continue;
      if (this.list.length < 20) this.list.push(`${path}${JSON.stringify(k.slice(0, 60))}: unknown field (expected only ${fields.join(', ')})`);
      else break;
    }
  }
}

/** A string of at most `max` characters (the error says how long it was). */
function strUpTo(p: Problems, v: unknown, max: number, path: string, what = 'a string'): boolean {
  if (!p.need(isStr(v), path, what)) return false;
  // the message is made only when needed: this runs for every field of every step's detail
  if ((v as string).length <= max) return true;
  return p.need(false, path, `${what} of at most ${n(max)} characters (got ${n((v as string).length)})`);
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
  /** a trace index (host → webview): events, interned names and the length of one, packets */
  indexEvents: 5_000_000,
  indexStrings: 200_000,
  indexString: 1_000,
  indexPackets: 5_000_000,
  /** an event's detail: hex characters of its sk_buff (a 64 KiB GSO buffer and its room), call depth, sentence */
  skbHex: 2 * 140_000,
  stackDepth: 256,
  eventText: 10_000,
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

function checkBreakpointSpec(v: unknown, path: string, p: Problems, exact = false): void {
  if (!p.need(isObj(v), path, 'an object')) return;
  const b = v as Obj;
  if (exact) p.only(b, BREAKPOINT_SPEC_FIELDS, `${path}.`);
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

const BREAKPOINT_SPEC_FIELDS = ['id', 'text', 'enabled'];

const STOP_REASONS: readonly StopReason[] = ['load', 'step', 'breakpoint', 'start', 'end', 'goto', 'focus', 'restore'];

function checkState(v: unknown, path: string, p: Problems): void {
  if (!p.need(isObj(v), path, 'an object')) return;
  const s = v as Obj;
  p.need(isNat(s.index), `${path}.index`, 'an event index');
  p.need(isNullOr(s.focus, isNat), `${path}.focus`, 'a packet id or null');
  if (s.breakpoints !== undefined && p.need(Array.isArray(s.breakpoints) && s.breakpoints.length <= LIMITS.breakpoints, `${path}.breakpoints`, `an array of at most ${LIMITS.breakpoints}`)) {
    (s.breakpoints as unknown[]).forEach((b, i) => checkBreakpointView(b, `${path}.breakpoints[${i}]`, p));
  }
  p.need(isStr(s.reason) && (STOP_REASONS as readonly string[]).includes(s.reason), `${path}.reason`, `one of ${STOP_REASONS.join(', ')}`);
  p.need(isOpt(s.hitBreakpoint, isStr), `${path}.hitBreakpoint`, 'a string');
  p.need(isOpt(s.message, isStr), `${path}.message`, 'a string');
}

function checkPackets(v: unknown, path: string, p: Problems): void {
  if (!p.need(Array.isArray(v), path, 'an array')) return;
  const packets = v as unknown[];
  if (!p.need(packets.length <= LIMITS.indexPackets, path, `at most ${n(LIMITS.indexPackets)} packets (got ${n(packets.length)})`)) return;
  for (let i = 0; i < packets.length && p.list.length < 20; i++) {
    const pk = packets[i];
    const pp = `${path}[${i}]`;
    if (!objAt(pk, pp, p)) continue;
    p.need(isNat(pk.id), `${pp}.id`, 'a packet id');
    p.need(isNullOr(pk.parent, isNat), `${pp}.parent`, 'a packet id or null');
    p.need(isStr(pk.summary), `${pp}.summary`, 'a string');
    p.need(isStr(pk.origin), `${pp}.origin`, 'a string');
    p.need(isObj(pk.fate) && isStr(pk.fate.kind) && isStr(pk.fate.host) && isStr(pk.fate.fn), `${pp}.fate`, 'a fate {kind, host, fn}');
  }
}

function checkHosts(v: unknown, path: string, p: Problems): void {
  if (v === undefined || !p.need(Array.isArray(v), path, 'an array')) return;
  (v as unknown[]).forEach((h, i) => {
    const hp = `${path}[${i}]`;
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

/** The index's envelope: its tables, and each column's width and length (the values are `unpackIndex`'s to check). */
function checkIndex(v: unknown, path: string, p: Problems): void {
  if (!p.need(isObj(v), path, 'a trace index object')) return;
  const t = v as Obj;
  p.need(isStr(t.scenario), `${path}.scenario`, 'a string');
  p.need(isStr(t.kernel), `${path}.kernel`, 'a string');
  checkPackets(t.packets, `${path}.packets`, p);
  checkHosts(t.hosts, `${path}.hosts`, p);
  if (t.stopped !== undefined) p.need(isObj(t.stopped) && isStr(t.stopped.limit) && isStr(t.stopped.message), `${path}.stopped`, 'a {limit, message}');
  if (t.window !== undefined) p.need(isObj(t.window) && isNat(t.window.item), `${path}.window`, 'a {item}');
  if (p.need(Array.isArray(t.strings), `${path}.strings`, 'an array')) {
    const strings = t.strings as unknown[];
    if (p.need(strings.length <= LIMITS.indexStrings, `${path}.strings`, `at most ${n(LIMITS.indexStrings)} names (got ${n(strings.length)})`)) {
      const bad = strings.findIndex((x) => !isStr(x) || x.length > LIMITS.indexString);
      p.need(bad < 0, `${path}.strings[${bad}]`, `a string of at most ${n(LIMITS.indexString)} characters`);
    }
  }
  if (!p.need(isNat(t.count) && t.count <= LIMITS.indexEvents, `${path}.count`, `an event count of at most ${n(LIMITS.indexEvents)}`)) return;
  if (!objAt(t.columns, `${path}.columns`, p)) return;
  const cols = t.columns;
  for (const k of INDEX_COLUMNS) {
    const c = cols[k];
    const cp = `${path}.columns.${k}`;
    const width = isObj(c) ? c.width : undefined;
    if (!p.need(isObj(c) && (width === 1 || width === 2 || width === 4), cp, 'a column {width: 1, 2 or 4, base64}')) continue;
    const chars = Math.ceil(((t.count as number) * (width as number)) / 3) * 4;
    const b64 = (c as Obj).base64;
    p.need(isStr(b64) && b64.length === chars, `${cp}.base64`, `${n(chars)} base64 characters, ${width as number} bytes for each of ${n(t.count as number)} events`);
  }
}

/** One event, whole, as its detail carries it (the sk_buff's numbers and bytes, the call path). */
function checkEvent(e: unknown, ep: string, p: Problems): void {
  if (!objAt(e, ep, p)) return;
  p.need(isNat(e.seq), `${ep}.seq`, 'a number');
  p.need(isNum(e.time), `${ep}.time`, 'a number');
  strUpTo(p, e.host, LIMITS.indexString, `${ep}.host`);
  p.need(isNat(e.packet), `${ep}.packet`, 'a packet id');
  p.need(e.layer === 'L2' || e.layer === 'L3' || e.layer === 'L4' || e.layer === 'socket', `${ep}.layer`, 'L2, L3, L4 or socket');
  strUpTo(p, e.fn, LIMITS.indexString, `${ep}.fn`);
  strUpTo(p, e.file, LIMITS.path, `${ep}.file`);
  p.need(
    Array.isArray(e.stack) && e.stack.length <= LIMITS.stackDepth && (e.stack as unknown[]).every((f) => isStr(f) && f.length <= LIMITS.indexString),
    `${ep}.stack`,
    `an array of at most ${LIMITS.stackDepth} names`,
  );
  strUpTo(p, e.what, LIMITS.eventText, `${ep}.what`);
  if (e.skb !== undefined) {
    const s = e.skb;
    if (objAt(s, `${ep}.skb`, p)) {
      for (const k of ['len', 'data', 'tail', 'end', 'headroom', 'tailroom', 'protocol', 'iif', 'mark'] as const) {
        p.need(isInt(s[k]), `${ep}.skb.${k}`, 'an integer');
      }
      for (const k of ['mac_header', 'network_header', 'transport_header'] as const) {
        p.need(isNullOr(s[k], isNat), `${ep}.skb.${k}`, 'an offset or null');
      }
      if (strUpTo(p, s.bytes, LIMITS.skbHex, `${ep}.skb.bytes`, 'lowercase hex')) {
        p.need(/^[0-9a-f]*$/.test(s.bytes as string) && (s.bytes as string).length % 2 === 0, `${ep}.skb.bytes`, 'lowercase hex');
      }
      p.need(isStr(s.protocolName) && isStr(s.pkt_type) && isStr(s.ip_summed), `${ep}.skb`, 'protocolName, pkt_type and ip_summed strings');
      p.need(isNullOr(s.dev, isStr) && isNullOr(s.dst, isStr) && isNullOr(s.ct, isStr), `${ep}.skb`, 'dev, dst and ct strings or null');
    }
  }
  if (e.hook !== undefined) p.need(isObj(e.hook) && isStr(e.hook.hook), `${ep}.hook`, 'a hook context {hook}');
  if (e.counters !== undefined) {
    p.need(isObj(e.counters) && Object.keys(e.counters).length <= 1000 && Object.values(e.counters).every(isNum), `${ep}.counters`, 'a map of at most 1000 numbers');
  }
  p.need(isOpt(e.drop, isStr), `${ep}.drop`, 'a string');
  p.need(isOpt(e.ret, isStr), `${ep}.ret`, 'a string');
}

function checkDetail(v: unknown, path: string, p: Problems): void {
  if (!objAt(v, path, p)) return;
  p.need(isNat(v.index), `${path}.index`, 'an event index');
  checkEvent(v.event, `${path}.event`, p);
  if (v.prev !== null) checkEvent(v.prev, `${path}.prev`, p);
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
  // a hostile type may be megabytes long: the error names its start
  if (isObj(v) && isStr(v.type)) return JSON.stringify(v.type.slice(0, 60));
  return 'message';
}

function finish<T>(v: unknown, p: Problems): Checked<T> {
  if (p.list.length === 0) return { ok: true, message: v as T };
  const more = p.list.length > 5 ? ` (and ${p.list.length - 5} more)` : '';
  return { ok: false, error: `invalid ${describe(v)}: ${p.list.slice(0, 5).join('; ')}${more}` };
}

/** The fields of each message from the webview, besides `type` (the webview sends no others). */
const WEBVIEW_TO_HOST_FIELDS: Record<string, readonly string[]> = {
  'debugger/ready': [],
  'debugger/step': ['action'],
  'debugger/goto': ['index'],
  'debugger/focusPacket': ['packet'],
  'debugger/setBreakpoints': ['requestId', 'breakpoints'],
  'debugger/openSource': ['requestId', 'fn', 'file'],
  'debugger/log': ['level', 'message'],
  'exercise/ready': [],
  'exercise/action': ['action'],
};

/** Validate a message that arrived from the webview. */
export function checkWebviewToHost(v: unknown): Checked<WebviewToHost> {
  const p = new Problems();
  if (!p.need(isObj(v), 'message', 'an object') || !p.need(isStr((v as Obj).type), 'type', 'a string')) return finish(v, p);
  const m = v as Obj;
  if (Object.hasOwn(WEBVIEW_TO_HOST_FIELDS, m.type as string)) p.only(m, ['type', ...WEBVIEW_TO_HOST_FIELDS[m.type as string]], '');
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
        (m.breakpoints as unknown[]).forEach((b, i) => checkBreakpointSpec(b, `breakpoints[${i}]`, p, true));
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
      checkIndex(m.index, 'index', p);
      // the columns' values too: a message is refused whole, before anything is drawn
      if (p.list.length === 0) {
        const u = unpackIndex(m.index as PackedTraceIndex);
        if (!u.ok) p.list.push(`index: ${u.error}`);
      }
      break;
    case 'debugger/state':
      checkState(m.state, 'state', p);
      if (m.detail !== undefined) checkDetail(m.detail, 'detail', p);
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
  // the state is the webview's, kept by VS Code: bounded like the messages that set it
  if (isStr(v.file)) strUpTo(p, v.file, LIMITS.path * 10, 'file', 'a URI');
  if (isStr(v.title)) strUpTo(p, v.title, LIMITS.indexString, 'title');
  if (p.need(Array.isArray(v.breakpoints) && v.breakpoints.length <= LIMITS.breakpoints, 'breakpoints', `an array of at most ${LIMITS.breakpoints}`)) {
    (v.breakpoints as unknown[]).forEach((b, i) => checkBreakpointSpec(b, `breakpoints[${i}]`, p));
  }
  p.need(isOpt(v.title, isStr), 'title', 'a string');
  return p.list.length === 0 ? (v as unknown as WebviewViewState) : undefined;
}
