// Records the run as an immutable Trace (src/trace/contract.ts). The model calls `step` once per
// modelled kernel step; the recorder keeps the call path, counter deltas and packet fates.
import type { Fate, HookContext, Layer, PacketInfo, SkbSnapshot, TraceEvent } from '../../trace/contract';
import type { SkBuff } from '../net/core/skbuff';
import type { Rtable } from '../net/ipv4/route_types';
import { ETH_P_NAMES } from '../proto/ethernet';
import { describeL3, describeFrame } from './describe';

/** 'full': every event with its sk_buff; 'fates': only packets, fates and counters (fast). */
export type RecordLevel = 'full' | 'fates';

/**
 * An event's sentence, or a function that makes it: the fates level keeps no sentences, so a hot
 * step passes a function and the sentence (its addresses, numbers, rule text) is only built when
 * the event is recorded. The function must only read: it is not called at the fates level.
 */
export type What = string | (() => string);

export interface StepExtra {
  hook?: HookContext;
  drop?: string;
  /** the function's return value where it decides (TraceEvent.ret) */
  ret?: string;
}

/** the two lowercase hex digits of each byte value, as character codes */
const HEX_CODES = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const d = i.toString(16).padStart(2, '0');
  HEX_CODES[2 * i] = d.charCodeAt(0);
  HEX_CODES[2 * i + 1] = d.charCodeAt(1);
}
/** a web platform global (no Node built-in): ASCII in, one flat string out */
const ASCII = new TextDecoder('latin1');
let hexCodes = new Uint8Array(4096);

/**
 * Lowercase hex of b[from..from+n), as one flat string. Not built by `+=`: that makes a rope of one
 * node per byte (about 32 bytes of heap each).
 */
function toHex(b: Uint8Array, from: number, n: number): string {
  if (hexCodes.length < 2 * n) hexCodes = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) {
    const v = 2 * b[from + i];
    hexCodes[2 * i] = HEX_CODES[v];
    hexCodes[2 * i + 1] = HEX_CODES[v + 1];
  }
  return ASCII.decode(hexCodes.subarray(0, 2 * n));
}

/** One version of an sk_buff's bytes in the byte store: `end` bytes from `off` of `chunk`. */
interface StoredBytes {
  readonly chunk: Uint8Array;
  readonly off: number;
}

/** a snapshot as the recorder makes it: its bytes are in the byte store, its hex is made on reading */
type StoredSnapshot = SkbSnapshot & { readonly $bytes: StoredBytes };

/**
 * `SkbSnapshot.bytes`, made when a reader asks (the debugger's bytes view, `--json`, a goal on
 * the bytes): an own enumerable accessor, so JSON.stringify, a spread, structuredClone (the
 * webview, the worker) and deepStrictEqual all see a plain string property where it always was,
 * last. The hex is not kept: a full trace would keep it for every version, twice the bytes.
 */
function snapshotHex(this: StoredSnapshot): string {
  const b = this.$bytes;
  const slot = hexSlot++ & (HEX_SLOTS - 1);
  for (let i = 0; i < HEX_SLOTS; i++) if (hexKeys[i] === b && hexEnds[i] === this.end) return hexTexts[i];
  const text = toHex(b.chunk, b.off, this.end);
  hexKeys[slot] = b;
  hexEnds[slot] = this.end;
  hexTexts[slot] = text;
  return text;
}

/**
 * The hex of the last few versions read, shared by every snapshot of a version: a reader reads
 * `bytes` of many snapshots of one version in a row (a packet's steps, the JSON of its events).
 * A few, not all: the hex of every version would be twice the byte store.
 */
const HEX_SLOTS = 8;
const hexKeys: (StoredBytes | null)[] = new Array<StoredBytes | null>(HEX_SLOTS).fill(null);
const hexEnds = new Int32Array(HEX_SLOTS);
const hexTexts: string[] = new Array<string>(HEX_SLOTS).fill('');
let hexSlot = 0;

const BYTES_ACCESSOR: PropertyDescriptor = { get: snapshotHex, enumerable: true };

/**
 * Makes a snapshot: a constructor, not a literal, so that V8 gives its objects room for the
 * hidden `$bytes` in the object itself (a property added to a literal's object goes to a backing
 * store of its own, about 32 bytes more, and a literal's property made non-enumerable afterwards
 * is a slow reconfiguration, 5 % of a full run). Its prototype is Object.prototype, so a
 * snapshot is a plain object to every reader (deepStrictEqual compares prototypes). The keys
 * keep the contract's order, which is the JSON output's.
 */
const Snapshot = function (this: Record<string, unknown>, skb: SkBuff, stored: StoredBytes, dst: string | null): void {
  this.len = skb.len;
  this.data = skb.data;
  this.tail = skb.tail;
  this.end = skb.end;
  this.headroom = skb.data - skb.head;
  this.tailroom = skb.end - skb.tail;
  this.protocol = skb.protocol;
  this.protocolName = ETH_P_NAMES[skb.protocol] ?? (skb.protocol ? `0x${skb.protocol.toString(16)}` : '0');
  this.pkt_type = skb.pkt_type;
  this.dev = skb.dev ? skb.dev.name : null;
  this.iif = skb.skb_iif;
  this.mark = skb.mark;
  this.mac_header = skb.mac_header >= 0 ? skb.mac_header : null;
  this.network_header = skb.network_header >= 0 ? skb.network_header : null;
  this.transport_header = skb.transport_header >= 0 ? skb.transport_header : null;
  this.ip_summed = skb.ip_summed;
  this.dst = dst;
  this.ct = skb.nfct ? skb.nfct.state : null;
  // not enumerable: no reader sees it; the accessor is one function for every snapshot, so
  // every snapshot keeps the same V8 map
  Object.defineProperty(this, '$bytes', { value: stored });
  Object.defineProperty(this, 'bytes', BYTES_ACCESSOR);
  Object.freeze(this);
} as unknown as new (skb: SkBuff, stored: StoredBytes, dst: string | null) => StoredSnapshot;
Snapshot.prototype = Object.prototype;

/** the size of a byte store chunk; a buffer over a quarter of it gets an array of its own */
const CHUNK = 1 << 20;

/**
 * sk_buff bytes, once per version, appended to large chunks: a version costs its bytes and a
 * small reference, where a typed array of its own would cost about 200 bytes of objects more.
 */
class ByteStore {
  private chunk = new Uint8Array(0);
  private used = 0;

  put(buf: Uint8Array, n: number): StoredBytes {
    if (n > CHUNK / 4) return { chunk: buf.slice(0, n), off: 0 };
    if (this.used + n > this.chunk.length) {
      this.chunk = new Uint8Array(CHUNK);
      this.used = 0;
    }
    const off = this.used;
    this.chunk.set(n === buf.length ? buf : buf.subarray(0, n), off);
    this.used += n;
    return { chunk: this.chunk, off };
  }
}

/**
 * V8 keeps a string made by a template or `+` as a tree of its pieces until something reads it
 * whole: a packet's summary is about 560 bytes as such a tree and about 260 once flat, and a long
 * run at the fates level keeps one per packet (a million packets: 300 MB less); likewise each
 * distinct sentence of a full trace. Reading a
 * character is what makes V8 flatten it in place; the text is the same either way.
 */
function flatten(s: string): void {
  if (s.charCodeAt(0) < 0) throw new Error('unreachable');
}

/** Merges a list of (name, n) pairs in place: one pair a name, in the order of first appearance. */
function compactCounts(l: (string | number)[]): void {
  const at = new Map<string, number>();
  let k = 0;
  for (let i = 0; i < l.length; i += 2) {
    const name = l[i] as string;
    const j = at.get(name);
    if (j !== undefined) (l[j + 1] as number) += l[i + 1] as number;
    else {
      at.set(name, k);
      l[k] = name;
      l[k + 1] = l[i + 1];
      k += 2;
    }
  }
  l.length = k;
}

/** Whether snapshot `last` (of the same bytes) is the sk_buff as it is now. */
function sameSnapshot(last: SkbSnapshot, skb: SkBuff, dst: string | null): boolean {
  return (
    last.len === skb.len &&
    last.data === skb.data &&
    last.tail === skb.tail &&
    last.protocol === skb.protocol &&
    last.pkt_type === skb.pkt_type &&
    last.dev === (skb.dev ? skb.dev.name : null) &&
    last.iif === skb.skb_iif &&
    last.mark === skb.mark &&
    last.mac_header === (skb.mac_header >= 0 ? skb.mac_header : null) &&
    last.network_header === (skb.network_header >= 0 ? skb.network_header : null) &&
    last.transport_header === (skb.transport_header >= 0 ? skb.transport_header : null) &&
    last.ip_summed === skb.ip_summed &&
    last.dst === dst &&
    last.ct === (skb.nfct ? skb.nfct.state : null)
  );
}

/**
 * A host's counter deltas at the fates level: (name, n) pairs in `l[0..n)`. Emptied by setting `n`,
 * not the array's length: a length of 0 frees the array's backing store, and the next count
 * allocated a new one, on every step.
 */
interface FatesPending {
  l: (string | number)[];
  n: number;
}

/** an sk_buff's bytes at a generation, and its last two snapshots */
interface SkbVersion {
  gen: number;
  buf: Uint8Array;
  stored: StoredBytes;
  last: SkbSnapshot | null;
  prev: SkbSnapshot | null;
}

interface StackNode {
  arr: string[];
  kids: Map<string, StackNode>;
}

/** a node of the interning trie of hook contexts and counter sets; TRIE_END holds the object */
type Trie = Map<unknown, Trie | object>;
const TRIE_END = Symbol('end');
const TRIE_OPEN = Symbol('{');
const TRIE_CLOSE = Symbol('}');

function trieChild(node: Trie, k: unknown): Trie {
  let next = node.get(k) as Trie | undefined;
  if (next === undefined) {
    next = new Map();
    node.set(k, next);
  }
  return next;
}

function trieValue(node: Trie, o: object): object {
  const had = node.get(TRIE_END);
  if (had !== undefined) return had as object;
  node.set(TRIE_END, o);
  return o;
}

/** how many recent sentences of a function are compared before the intern table is asked */
const RECENT_WHAT = 4;

/** rough bytes of one event object with its fields (the budget's memory estimate) */
const EVENT_BYTES = 300;
/** rough bytes of one sk_buff snapshot object */
const SNAPSHOT_BYTES = 300;

// The fates level's calls (Recorder.chooseCalls): no event is kept, so no call path either. The
// level only turns to 'full' between traffic items or frames (src/scenario/run.ts, runPcap.ts),
// where no call is open, so the path is empty then either way.
function enterFates(): number {
  return -1;
}
function leaveFates(): void {}
function callFates<T>(_fn: string, body: () => T): T {
  return body();
}
function freshFates<T>(body: () => T): T {
  return body();
}
function countFinal(): void {}

export class Recorder {
  readonly events: TraceEvent[] = [];
  private lvl: RecordLevel;
  /** an estimate of the memory the trace holds: events, snapshots and their bytes */
  bytes = 0;
  /**
   * The packets, by id: ids are 1, 2, 3… in order, so packet `id` is at `id - 1`. An array, not a
   * Map keyed by id: a long fates run keeps a million of them, and an array's entry is one slot.
   */
  readonly packets: PacketInfo[] = [];
  readonly stack: string[] = [];
  private nextPkt = 1;
  /** call paths are interned: events with the same path share one frozen array */
  private stackTrie: StackNode = { arr: [], kids: new Map() };
  /**
   * The interned path of each prefix of `stack` (nodes[0] is the empty path), kept as calls are
   * made while events are recorded, so that an event's path costs one lookup, not a walk.
   */
  private nodes: StackNode[] = [this.stackTrie];
  /**
   * Sentences and route descriptions, interned: the model builds the same sentence for every
   * packet that takes the same path, and a trace keeps one copy of each.
   */
  private strings = new Map<string, string>();
  /** per function, the last few sentences of its events (internWhat) */
  private recentWhat = new Map<string, string[]>();
  private recentSlot = 0;
  /**
   * Hook contexts and counter sets, interned in a trie of their keys and values in order: a walk
   * of a few Map lookups of values whose hashes V8 keeps, where a key made of the object's JSON
   * was built and hashed at every step.
   */
  private hooks: Trie = new Map();
  private counterSets: Trie = new Map();
  /**
   * Counter deltas not yet given to an event, per host. A host's entry is set to undefined when
   * taken, not deleted: deleting the last entry shrinks the Map's table and the next count grows
   * it again, an allocation on every step of the fates path.
   */
  private pendingCounters = new Map<string, Record<string, number> | undefined>();
  /** the packet whose summary was last checked: the steps of one packet come in runs */
  private summarized = 0;
  /** per sk_buff object: the bytes hex at a generation, so unchanged bytes are not copied again */
  private hexCache = new WeakMap<SkBuff, SkbVersion>();
  /**
   * The sk_buff of the last snapshot and its entry, and likewise the last route described: a
   * packet's steps come in runs on one sk_buff, and a WeakMap lookup per step is not free. Both
   * are also in their WeakMap, so which one answers changes nothing.
   */
  private lastSkb: SkBuff | null = null;
  private lastVersion: SkbVersion | undefined = undefined;
  private lastRoute: Rtable | null = null;
  private lastRouteText: { dev: string; text: string } | undefined = undefined;
  private store = new ByteStore();
  private routeText = new WeakMap<Rtable, { dev: string; text: string }>();

  /**
   * The level's own versions of the calls the model makes at every step, chosen when the level
   * is set rather than by a test inside each call: at the fates level each is a few lines that
   * V8 inlines into the model's call sites, where the full level's bodies are too large to be.
   */
  step!: (host: string, skb: SkBuff | null, layer: Layer, fn: string, file: string, what: What, extra?: StepExtra) => void;
  count!: (host: string, name: string, n?: number) => void;
  enter!: (fn: string) => number;
  leave!: (depth: number) => void;
  call!: <T>(fn: string, body: () => T) => T;
  fresh!: <T>(body: () => T) => T;

  constructor(
    level: RecordLevel,
    private readonly clock: () => number,
  ) {
    this.lvl = level;
    this.chooseCalls();
  }

  /** set by fatesToTheEnd: the run never turns to 'full', so no counter delta is kept pending */
  private final = false;

  private chooseCalls(): void {
    const full = this.lvl === 'full';
    this.step = full ? this.stepFull : this.final ? this.stepFinal : this.stepFates;
    this.count = full ? this.countFull : this.final ? countFinal : this.countFates;
    this.enter = full ? this.enterFull : enterFates;
    this.leave = full ? this.leaveFull : leaveFates;
    this.call = full ? this.callFull : callFates;
    this.fresh = full ? this.freshFull : freshFates;
  }

  get level(): RecordLevel {
    return this.lvl;
  }

  /**
   * Records from now on at `level`: a re-execution runs at the fates level up to the window it
   * records in full (src/scenario/run.ts `record`). Events already recorded stay.
   */
  setLevel(level: RecordLevel): void {
    if (level === this.lvl) return;
    if (this.final) throw new Error('the recorder was told the run stays at the fates level (fatesToTheEnd)');
    this.lvl = level;
    this.chooseCalls();
    if (level === 'full') {
      this.rebuildNodes();
      // the deltas counted at the fates level that no step has taken yet, as `count` makes them
      for (const [host, p] of this.fatesPending) {
        if (p.n === 0) continue;
        let m = this.pendingCounters.get(host);
        if (!m) {
          m = {};
          this.pendingCounters.set(host, m);
        }
        const l = p.l;
        for (let i = 0; i < p.n; i += 2) m[l[i] as string] = (m[l[i] as string] ?? 0) + (l[i + 1] as number);
        p.n = 0;
      }
    }
  }

  /**
   * The run stays at the fates level to its end (a run with no re-execution window): the counter
   * deltas a step drops at the fates level are kept only for a later turn to 'full' (setLevel), so
   * from now on none are, and a count is the namespace's own add alone. Counts made before (the
   * scenario's set-up) are forgotten with them.
   */
  fatesToTheEnd(): void {
    if (this.lvl !== 'fates') return;
    this.final = true;
    this.flushCounters();
    this.chooseCalls();
  }

  private rebuildNodes(): void {
    this.nodes = [this.stackTrie];
    for (const name of this.stack) this.nodes.push(this.child(this.nodes[this.nodes.length - 1], name));
  }

  newPacket(origin: string, parent: number | null): number {
    const id = this.nextPkt++;
    this.packets.push({
      id,
      parent,
      summary: '',
      origin,
      fate: { kind: 'pending', host: origin, fn: '' },
    });
    return id;
  }

  /**
   * Runs `body` as kernel function `fn`, so that events inside it carry the call path. At the
   * fates level no event is kept, so the path is not either: `body` is a plain call (no push, no
   * try/finally), the fates path's most frequent cost. The level only turns to 'full' between
   * traffic items or frames (src/scenario/run.ts, runPcap.ts), where no call is open, so the path
   * is empty then either way.
   */
  private callFull<T>(fn: string, body: () => T): T {
    this.stack.push(fn);
    if (this.lvl === 'full') this.nodes.push(this.child(this.nodes[this.nodes.length - 1], fn));
    try {
      return body();
    } finally {
      this.stack.pop();
      // to the stack's length, not one pop: the level may have changed inside (setLevel rebuilds the nodes)
      if (this.lvl === 'full') {
        const nodes = this.nodes;
        while (nodes.length > this.stack.length + 1) nodes.pop();
      }
    }
  }

  /**
   * `call` without a closure: enters kernel function `fn` and returns what `leave` needs. The
   * caller runs its body between the two, in a try/finally (`const c = net.enter(fn); try { … }
   * finally { net.leave(c); }`), so a modelled call allocates nothing at the fates level, where
   * `call` costs the closure and context every call site makes. Same path as `call` at either level.
   */
  private enterFull(fn: string): number {
    const depth = this.stack.length;
    this.stack.push(fn);
    this.nodes.push(this.child(this.nodes[this.nodes.length - 1], fn));
    return depth;
  }

  /** Leaves the call `enter` entered (-1: nothing was entered, at the fates level). */
  private leaveFull(depth: number): void {
    if (depth < 0) return;
    // popped, not cut by setting the length (a runtime call, 2 % of a full run): a call leaves
    // one entry, or a few where a callee's leave was skipped by an exception
    const stack = this.stack;
    while (stack.length > depth) stack.pop();
    // as in `call`: the level may have changed inside (setLevel rebuilds the nodes)
    if (this.lvl === 'full') {
      const nodes = this.nodes;
      while (nodes.length > depth + 1) nodes.pop();
    }
  }

  /** Starts a fresh call path (a softirq, a timer, a system call): the old one is put aside. */
  private freshFull<T>(body: () => T): T {
    const saved = this.stack.splice(0);
    const savedNodes = this.lvl === 'full' ? this.nodes : null;
    if (savedNodes) this.nodes = [this.stackTrie];
    try {
      return body();
    } finally {
      this.stack.splice(0, this.stack.length, ...saved);
      if (this.lvl === 'full') {
        if (savedNodes) this.nodes = savedNodes;
        else this.rebuildNodes();
      }
    }
  }

  /**
   * At the fates level a step drops its counter deltas (no event keeps them), yet the ones still
   * pending when the level turns to 'full' go to the next event, as in a full run: so they are
   * kept, but as a list of (name, n) per host that a step empties in place, not an object made
   * and thrown away at every step.
   */
  private fatesPending = new Map<string, FatesPending>();
  /** the host last looked up in fatesPending and its entry: a packet's counts and steps come in runs on one host */
  private fpHost: string | undefined = undefined;
  private fpEntry: FatesPending | undefined = undefined;

  private fatesPendingOf(host: string): FatesPending {
    if (host === this.fpHost) return this.fpEntry!;
    let p = this.fatesPending.get(host);
    if (!p) {
      p = { l: [], n: 0 };
      this.fatesPending.set(host, p);
    }
    this.fpHost = host;
    this.fpEntry = p;
    return p;
  }

  private countFates(host: string, name: string, n = 1): void {
    const p = host === this.fpHost ? this.fpEntry! : this.fatesPendingOf(host);
    p.l[p.n] = name;
    p.l[p.n + 1] = n;
    p.n += 2;
    // a host that counts without a step of its own (a timer) must not grow the list for ever
    if (p.n >= 256) {
      p.l.length = p.n;
      compactCounts(p.l);
      p.n = p.l.length;
    }
  }

  private countFull(host: string, name: string, n = 1): void {
    let m = this.pendingCounters.get(host);
    if (!m) {
      m = {};
      this.pendingCounters.set(host, m);
    }
    m[name] = (m[name] ?? 0) + n;
  }

  /** A step at the fates level: the packet's summary, and the host's pending counter deltas dropped (see fatesPending). */
  private stepFates(host: string, skb: SkBuff | null): void {
    if (skb !== null && skb.pkt !== this.summarized) this.summarize(skb);
    (host === this.fpHost ? this.fpEntry! : this.fatesPendingOf(host)).n = 0;
  }

  /** A step of a run that stays at the fates level: the packet's summary only. */
  private stepFinal(_host: string, skb: SkBuff | null): void {
    if (skb !== null && skb.pkt !== this.summarized) this.summarize(skb);
  }

  private stepFull(host: string, skb: SkBuff | null, layer: Layer, fn: string, file: string, what: What, extra?: StepExtra): void {
    if (skb && skb.pkt !== this.summarized) this.summarize(skb);
    const counters = this.pendingCounters.get(host);
    if (counters) this.pendingCounters.set(host, undefined);
    const stack = this.internStack(fn);
    const seq = this.events.length;
    const time = this.clock();
    const packet = skb ? skb.pkt : 0;
    const text = typeof what === 'string' ? what : what();
    const w = this.internWhat(fn, text);
    // Built whole in one literal where it can be: a property added to an object after its literal
    // goes to a separate backing store (about 40 bytes more per event). The keys keep the
    // contract's order, which is the JSON output's. The common shapes (a hook step, a drop with
    // its counters) have literals of their own; the rest add to a literal.
    const hook = extra?.hook ? this.internHook(extra.hook) : undefined;
    const cs = counters ? this.internCounters(counters) : undefined;
    const drop = extra?.drop || undefined;
    const ret = extra?.ret || undefined;
    let ev: TraceEvent;
    if (skb && !drop && !ret) {
      const snap = this.snapshot(skb);
      if (hook) {
        if (cs) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, hook, counters: cs };
        else ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, hook };
      } else if (cs) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, counters: cs };
      else ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap };
    } else if (skb && drop && !hook) {
      const snap = this.snapshot(skb);
      if (cs) {
        if (ret) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, counters: cs, drop, ret };
        else ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, counters: cs, drop };
      } else if (ret) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, drop, ret };
      else ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, drop };
    } else {
      if (skb) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: this.snapshot(skb) };
      else ev = { seq, time, host, packet, layer, fn, file, stack, what: w };
      if (hook) ev.hook = hook;
      if (cs) ev.counters = cs;
      if (drop) ev.drop = drop;
      if (ret) ev.ret = ret;
    }
    this.events.push(ev);
    this.bytes += EVENT_BYTES + text.length;
  }

  private child(node: StackNode, name: string): StackNode {
    let next = node.kids.get(name);
    if (!next) {
      next = { arr: Object.freeze([...node.arr, name]) as string[], kids: new Map() };
      node.kids.set(name, next);
    }
    return next;
  }

  /** The call path of an event in `fn`: the current path, ending with `fn` (added when it is not the innermost call). */
  private internStack(fn: string): string[] {
    const node = this.nodes[this.nodes.length - 1];
    return this.stack[this.stack.length - 1] !== fn ? this.child(node, fn).arr : node.arr;
  }

  /**
   * Hook contexts and counter deltas, interned: a forwarded packet's steps carry about eight hook
   * contexts and six counter sets, and a run has only a handful of distinct ones. The key is the
   * object's own keys and its JSON, so an interned object is equal to the one it stands for, key
   * for key (an explicit undefined too); they are fresh objects no one changes after the step.
   */
  private internHook(h: HookContext): HookContext {
    let node = this.hooks;
    for (const k in h) {
      const v: unknown = h[k as keyof HookContext];
      node = trieChild(node, k);
      if (typeof v !== 'object' || v === null) {
        node = trieChild(node, v);
        continue;
      }
      // an object (where the rule was written): its keys and values in order, between markers
      node = trieChild(node, TRIE_OPEN);
      for (const k2 in v) {
        const v2: unknown = (v as Record<string, unknown>)[k2];
        if (typeof v2 === 'object' && v2 !== null) return h; // deeper than the model makes: kept as it is
        node = trieChild(trieChild(node, k2), v2);
      }
      node = trieChild(node, TRIE_CLOSE);
    }
    return trieValue(node, h) as HookContext;
  }

  private internCounters(c: Record<string, number>): Record<string, number> {
    let node = this.counterSets;
    for (const k in c) node = trieChild(trieChild(node, k), c[k]);
    return trieValue(node, c) as Record<string, number>;
  }

  /**
   * An event's sentence, interned: first against the last few sentences of the same function,
   * compared as they are (a built sentence is a tree of its pieces, which `===` walks without
   * copying), then in the table, which must flatten and hash it, a copy of the sentence at every
   * step. Most steps say what their function said the packet before.
   */
  private internWhat(fn: string, text: string): string {
    let r = this.recentWhat.get(fn);
    if (r === undefined) {
      r = [];
      this.recentWhat.set(fn, r);
    }
    for (let i = 0; i < r.length; i++) if (r[i] === text) return r[i];
    const s = this.intern(text);
    if (r.length < RECENT_WHAT) r.push(s);
    else r[this.recentSlot++ % RECENT_WHAT] = s;
    return s;
  }

  private intern(s: string): string {
    const had = this.strings.get(s);
    if (had !== undefined) return had;
    flatten(s);
    this.strings.set(s, s);
    return s;
  }

  fate(pkt: number, fate: Fate): void {
    const p = pkt > 0 ? this.packets[pkt - 1] : undefined;
    if (p) p.fate = fate;
  }

  getFate(pkt: number): Fate | undefined {
    return pkt > 0 ? this.packets[pkt - 1]?.fate : undefined;
  }

  /** Counters counted after the last event of their host (e.g. at the very end) go nowhere else. */
  flushCounters(): void {
    this.pendingCounters.clear();
    this.fatesPending.clear();
    this.fpHost = undefined;
    this.fpEntry = undefined;
  }

  private summarize(skb: SkBuff): void {
    const p = skb.pkt > 0 ? this.packets[skb.pkt - 1] : undefined;
    if (!p) return;
    if (p.summary) {
      this.summarized = skb.pkt;
      return;
    }
    if (skb.network_header >= 0 && skb.network_header < skb.tail) {
      p.summary = describeL3(skb.buf, skb.network_header, skb.protocol, skb.tail - skb.network_header);
    } else if (skb.mac_header >= 0 && skb.mac_header < skb.tail) {
      p.summary = describeFrame(skb.buf, skb.mac_header, skb.tail - skb.mac_header);
    }
    if (p.summary) {
      this.summarized = skb.pkt;
      flatten(p.summary);
    }
  }

  /**
   * A route's description, interned, made once per route: a forwarded packet's snapshots name
   * its route about thirty times. A route's type, addresses and functions do not change after it
   * is made; its device's name could (`ip link set … name`), so the description is made again
   * then.
   */
  private describeRoute(rt: Rtable): string {
    const had = rt === this.lastRoute ? this.lastRouteText : this.routeText.get(rt);
    if (had !== undefined && had.dev === rt.dev.name) {
      this.lastRoute = rt;
      this.lastRouteText = had;
      return had.text;
    }
    const text = this.intern(rt.describe());
    const entry = { dev: rt.dev.name, text };
    this.routeText.set(rt, entry);
    this.lastRoute = rt;
    this.lastRouteText = entry;
    return text;
  }

  /**
   * The sk_buff as it is now. Consecutive steps often leave it as it was (a hook that accepts,
   * a function that only looks): then the previous snapshot object is shared, not rebuilt.
   */
  snapshot(skb: SkBuff): SkbSnapshot {
    let c = skb === this.lastSkb ? this.lastVersion : this.hexCache.get(skb);
    if (!c || c.gen !== skb.gen || c.buf !== skb.buf) {
      c = { gen: skb.gen, buf: skb.buf, stored: this.store.put(skb.buf, skb.end), last: null, prev: null };
      this.hexCache.set(skb, c);
      this.bytes += skb.end;
    }
    this.lastSkb = skb;
    this.lastVersion = c;
    const rt = skb.dst;
    const dst = rt ? this.describeRoute(rt) : null;
    // the one before the last too: a step that undoes the one before (a header pulled and
    // pushed back) returns the sk_buff to it, about once a forwarded packet
    if (c.last && sameSnapshot(c.last, skb, dst)) return c.last;
    if (c.prev && sameSnapshot(c.prev, skb, dst)) {
      const hit = c.prev;
      c.prev = c.last;
      c.last = hit;
      return hit;
    }
    const snap = new Snapshot(skb, c.stored, dst);
    c.prev = c.last;
    c.last = snap;
    this.bytes += SNAPSHOT_BYTES;
    return snap;
  }
}
