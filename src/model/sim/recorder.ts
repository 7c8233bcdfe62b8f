// Records the run as an immutable Trace (src/trace/contract.ts). The model calls `step` once per
// modelled kernel step; the recorder keeps the call path, counter deltas and packet fates.
import type { Fate, HookContext, Layer, SkbSnapshot, TraceEvent } from '../../trace/contract';
import type { SkBuff } from '../net/core/skbuff';
import type { Rtable } from '../net/ipv4/route_types';
import { ETH_P_NAMES } from '../proto/ethernet';
import { flatten } from './describe';
import { HeaderCopies, RecordedPacket } from './packet_info';

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
 * Makes a snapshot object from its row in the recorder's snapshot store (SnapshotRows), when a
 * reader asks for it: a constructor, not a literal, so that V8 gives its objects room for the
 * hidden `$bytes` in the object itself (a property added to a literal's object goes to a backing
 * store of its own, about 32 bytes more, and a literal's property made non-enumerable afterwards
 * is a slow reconfiguration). Its prototype is Object.prototype, so a snapshot is a plain object
 * to every reader (deepStrictEqual compares prototypes). The keys keep the contract's order,
 * which is the JSON output's.
 */
const Snapshot = function (this: Record<string, unknown>, rows: SnapshotRows, id: number): void {
  const n = rows.ints[id >>> ROW_SHIFT]!;
  const k = (id & ROW_MASK) * SNAP_INTS;
  const r = rows.refVals;
  const protocol = n[k + 6];
  this.len = n[k];
  this.data = n[k + 1];
  this.tail = n[k + 2];
  this.end = n[k + 3];
  this.headroom = n[k + 4];
  this.tailroom = n[k + 5];
  this.protocol = protocol;
  this.protocolName = ETH_P_NAMES[protocol] ?? (protocol ? `0x${protocol.toString(16)}` : '0');
  this.pkt_type = r[n[k + 11]];
  this.dev = r[n[k + 12]];
  this.iif = n[k + 7];
  this.mark = asSmi(rows.marks[id >>> ROW_SHIFT]![id & ROW_MASK]);
  this.mac_header = n[k + 8] >= 0 ? n[k + 8] : null;
  this.network_header = n[k + 9] >= 0 ? n[k + 9] : null;
  this.transport_header = n[k + 10] >= 0 ? n[k + 10] : null;
  this.ip_summed = r[n[k + 13]];
  this.dst = r[n[k + 14]];
  this.ct = r[n[k + 15]];
  // not enumerable: no reader sees it; the accessor is one function for every snapshot, so
  // every snapshot keeps the same V8 map
  Object.defineProperty(this, '$bytes', { value: rows.versions[n[k + 16]] });
  Object.defineProperty(this, 'bytes', BYTES_ACCESSOR);
  Object.freeze(this);
} as unknown as new (rows: SnapshotRows, id: number) => StoredSnapshot;
Snapshot.prototype = Object.prototype;

/**
 * The same number, as an integer where it is one that fits 32 bits: a number read from a
 * Float64Array is a double to V8, and an object field given doubles keeps each in a box of its own
 * (16 bytes more per event for its time, per snapshot for its mark), where an integer is kept inline.
 */
function asSmi(x: number): number {
  return (x | 0) === x ? x | 0 : x;
}

/**
 * numbers of a snapshot row: len, data, tail, end, headroom, tailroom, protocol, iif, mac, network
 * and transport header (-1: unset), then the ids (Values) of its pkt_type, dev name, ip_summed,
 * dst and ct, and its version of the bytes (SnapshotRows.versions)
 */
const SNAP_INTS = 17;

/**
 * Rows (of events, of snapshots) are kept in blocks of ROW_BLOCK: no copy as they grow, and a
 * block whose rows were all made as objects is let go, so a trace read whole does not keep both.
 */
const ROW_SHIFT = 12;
const ROW_BLOCK = 1 << ROW_SHIFT;
const ROW_MASK = ROW_BLOCK - 1;

/**
 * Values an event or snapshot row refers to, by id: strings, frozen call paths, interned hook
 * contexts and counter sets. All are interned, so a run has a few thousand at most. Id 0 is none
 * (undefined), id 1 null.
 */
class Values {
  private ids = new Map<unknown, number>();
  readonly vals: unknown[] = [undefined, null];

  id(v: unknown): number {
    if (v === undefined) return 0;
    if (v === null) return 1;
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.vals.length;
      this.vals.push(v);
      this.ids.set(v, id);
    }
    return id;
  }
}

/** one value and its id: a field of consecutive snapshots mostly has the value it had */
class LastId {
  v: unknown = undefined;
  id = 0;
  of(values: Values, v: unknown): number {
    if (v !== this.v) {
      this.v = v;
      this.id = values.id(v);
    }
    return this.id;
  }
}

/** Whether snapshot `last` (of the same bytes) is the sk_buff as it is now: the rows' `same`, for a row let go. */
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
 * The snapshots of a full trace as rows of numbers, not objects: a snapshot is made at most
 * steps of a forwarded packet, and an object each (with its defineProperty and freeze) was a fifth
 * of a full run's time and most of what the GC copied. The object is made from the row when a
 * reader asks, once (`objs`), so snapshots shared between events stay shared.
 */
class SnapshotRows {
  n = 0;
  /** the rows' numbers and marks, by block; null: let go, all its rows' objects are made */
  ints: (Int32Array | null)[] = [];
  marks: (Float64Array | null)[] = [];
  /** per block, how many of its rows' objects are made */
  private made: number[] = [];
  /** the versions of the bytes the rows name, in order */
  versions: StoredBytes[] = [];
  objs: (StoredSnapshot | undefined)[] = [];
  readonly refVals: unknown[];
  private pktType = new LastId();
  private dev = new LastId();
  private ipSummed = new LastId();
  private dst = new LastId();
  private ct = new LastId();

  constructor(private readonly values: Values) {
    this.refVals = values.vals;
  }

  /** a new version of the bytes: its number in `versions` */
  version(stored: StoredBytes): number {
    this.versions.push(stored);
    return this.versions.length - 1;
  }

  add(skb: SkBuff, version: number, dst: string | null): number {
    const id = this.n++;
    const b = id >>> ROW_SHIFT;
    if (b === this.ints.length) {
      this.ints.push(new Int32Array(SNAP_INTS * ROW_BLOCK));
      this.marks.push(new Float64Array(ROW_BLOCK));
      this.made.push(0);
    }
    const n = this.ints[b]!;
    const k = (id & ROW_MASK) * SNAP_INTS;
    const values = this.values;
    n[k] = skb.len;
    n[k + 1] = skb.data;
    n[k + 2] = skb.tail;
    n[k + 3] = skb.end;
    n[k + 4] = skb.data - skb.head;
    n[k + 5] = skb.end - skb.tail;
    n[k + 6] = skb.protocol;
    n[k + 7] = skb.skb_iif;
    n[k + 8] = skb.mac_header >= 0 ? skb.mac_header : -1;
    n[k + 9] = skb.network_header >= 0 ? skb.network_header : -1;
    n[k + 10] = skb.transport_header >= 0 ? skb.transport_header : -1;
    n[k + 11] = this.pktType.of(values, skb.pkt_type);
    n[k + 12] = this.dev.of(values, skb.dev ? skb.dev.name : null);
    n[k + 13] = this.ipSummed.of(values, skb.ip_summed);
    n[k + 14] = this.dst.of(values, dst);
    n[k + 15] = this.ct.of(values, skb.nfct ? skb.nfct.state : null);
    n[k + 16] = version;
    this.marks[b]![id & ROW_MASK] = skb.mark;
    return id;
  }

  /** Whether row `id` (of the same bytes) is the sk_buff as it is now. */
  same(id: number, skb: SkBuff, dst: string | null): boolean {
    const n = this.ints[id >>> ROW_SHIFT];
    if (n === null) return sameSnapshot(this.objs[id]!, skb, dst);
    const k = (id & ROW_MASK) * SNAP_INTS;
    const r = this.refVals;
    return (
      n[k] === skb.len &&
      n[k + 1] === skb.data &&
      n[k + 2] === skb.tail &&
      n[k + 6] === skb.protocol &&
      r[n[k + 11]] === skb.pkt_type &&
      r[n[k + 12]] === (skb.dev ? skb.dev.name : null) &&
      n[k + 7] === skb.skb_iif &&
      this.marks[id >>> ROW_SHIFT]![id & ROW_MASK] === skb.mark &&
      n[k + 8] === (skb.mac_header >= 0 ? skb.mac_header : -1) &&
      n[k + 9] === (skb.network_header >= 0 ? skb.network_header : -1) &&
      n[k + 10] === (skb.transport_header >= 0 ? skb.transport_header : -1) &&
      r[n[k + 13]] === skb.ip_summed &&
      r[n[k + 14]] === dst &&
      r[n[k + 15]] === (skb.nfct ? skb.nfct.state : null)
    );
  }

  get(id: number): StoredSnapshot {
    let o = this.objs[id];
    if (o === undefined) {
      // in order where it can be: ids come in the order of the events that read them
      while (this.objs.length < id) this.objs.push(undefined);
      o = new Snapshot(this, id);
      this.objs[id] = o;
      const b = id >>> ROW_SHIFT;
      if (++this.made[b] === ROW_BLOCK) {
        this.ints[b] = null;
        this.marks[b] = null;
      }
    }
    return o;
  }

  /**
   * The snapshot of row `id` for a reader that drops it when done: the one kept if it was made,
   * else made and not kept (the last one is reused, as consecutive events share snapshots).
   */
  peek(id: number): StoredSnapshot {
    const o = this.objs[id];
    if (o !== undefined) return o;
    if (this.peekId !== id) {
      this.peekObj = new Snapshot(this, id);
      this.peekId = id;
    }
    return this.peekObj!;
  }
  private peekId = -1;
  private peekObj: StoredSnapshot | undefined = undefined;
}

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

/**
 * The first `n` entries of a (name, delta) list with each name once, its deltas summed at its
 * first place; returns the new length. A step's list is a few pairs: compared in place, no Map.
 */
function sumRepeats(l: (string | number)[], n: number): number {
  let k = 2;
  outer: for (let i = 2; i < n; i += 2) {
    const name = l[i];
    for (let j = 0; j < k; j += 2) {
      if (l[j] === name) {
        (l[j + 1] as number) += l[i + 1] as number;
        continue outer;
      }
    }
    l[k] = name;
    l[k + 1] = l[i + 1];
    k += 2;
  }
  return k;
}

/**
 * A host's counter deltas (at either level): (name, n) pairs in `l[0..n)`. Emptied by setting `n`,
 * not the array's length: a length of 0 frees the array's backing store, and the next count
 * allocated a new one, on every step.
 */
interface FatesPending {
  l: (string | number)[];
  n: number;
}

/** an sk_buff's bytes at its latest generation, and its last two snapshots (one entry an sk_buff, made over as its bytes change) */
interface SkbVersion {
  /** the recorder whose rows these are (an sk_buff holds one entry, SkBuff.rec) */
  owner: Recorder;
  gen: number;
  buf: Uint8Array;
  /** its number in the snapshot store's versions */
  version: number;
  /** rows in the snapshot store, -1: none */
  last: number;
  prev: number;
  /**
   * What row `last` was found or made from: the sk_buff's `meta` then, and what a snapshot shows
   * that is not the sk_buff's own field (a device's name, a route's device's name, the conntrack
   * entry's state), so an sk_buff with the same number and these is row `last` without a compare.
   */
  meta: number;
  devName: string | null;
  rtDevName: string | null;
  ctState: string | null;
}

/**
 * a route's description by a recorder (Rtable.rec), for the destination and the name of its
 * device then: an input route is shared by the packets through its next hop (nhc_rth_input), and
 * the description names each packet's destination (SkBuff.dstDaddr)
 */
interface RouteText {
  owner: Recorder;
  dev: string;
  daddr: number;
  text: string;
}

interface StackNode {
  arr: string[];
  kids: Map<string, StackNode>;
  /** the child last stepped to (Recorder.child) */
  lastKid: StackNode | null;
  /** the path without its last call (the root: itself), its length, and its last call ('' at the root) */
  parent: StackNode;
  depth: number;
  name: string;
  /** the path's id among the recorder's references (Recorder.refId) */
  id: number;
  /** the file of the last event at this path, and its id: a function's events name one file */
  file: string | undefined;
  fileId: number;
  /** likewise its layer */
  layer: Layer | undefined;
  layerId: number;
  /** the last few sentences of its events, and their ids (Recorder.whatId) */
  what: string[];
  whatIds: number[];
}

/** a node of the interning trie of hook contexts, counter sets and sentences; TRIE_END holds the object's id (Values) or the sentence */
type Trie = Map<unknown, Trie | object | string | number>;
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


/**
 * A sentence's template (Recorder.say): a function of its arguments alone (numbers, strings), which
 * it reads nothing else to make, so the same arguments make the same sentence.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Sentence = (...args: any[]) => string;

/** a template's sentences (Recorder.say): a trie of its arguments, and its last call's arguments and sentence */
interface SaidOf {
  trie: Trie;
  a: unknown;
  b: unknown;
  c: unknown;
  d: unknown;
  e: unknown;
  g: unknown;
  text: string | undefined;
}

/** how many recent sentences of a call path are compared before the intern table is asked */
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

/**
 * An event row's numbers: its packet, its snapshot's row (-1: none), then the ids of its host,
 * layer, call path (which ends with its function), file, sentence, hook context, counter deltas,
 * drop reason and return value (Recorder.refId; 0: none).
 */
const EV_INTS = 11;

export class Recorder {
  /**
   * Events recorded, as rows of numbers (EV_INTS a row) and their times: no object an event, and
   * no references for the GC to trace, where an event object with its snapshot was most of what
   * a full run allocated and what the GC copied and marked.
   */
  private nEvents = 0;
  /** the rows by block (ROW_BLOCK events); null: let go, all its events are made as objects */
  private evBlocks: (Int32Array | null)[] = [];
  private evTimes: (Float64Array | null)[] = [];
  /** the block being written */
  private ev = new Int32Array(0);
  private evTime = new Float64Array(0);
  /**
   * What an event row refers to, by id: hosts, layers, call paths, files, sentences, hook
   * contexts, counter sets, drop reasons, return values. All are interned, so a run has a few
   * thousand at most. Id 0 is none (undefined).
   */
  private values = new Values();
  private refVals = this.values.vals;
  private lastHost: string | undefined = undefined;
  private lastHostId = 0;
  private snaps = new SnapshotRows(this.values);
  /** the events as the contract's objects, made from the rows up to where a reader asked */
  private made: TraceEvent[] = [];
  private lvl: RecordLevel;
  /** an estimate of the memory the trace holds: events, snapshots and their bytes */
  bytes = 0;
  /**
   * The packets, by id: ids are 1, 2, 3… in order, so packet `id` is at `id - 1`. An array, not a
   * Map keyed by id: a long fates run keeps a million of them, and an array's entry is one slot.
   */
  readonly packets: RecordedPacket[] = [];
  /** the packets' first headers, copied for their summaries (packet_info.ts) */
  private readonly headers = new HeaderCopies();
  private nextPkt = 1;
  /** call paths are interned: events with the same path share one frozen array */
  private stackTrie: StackNode = this.stackNode([], null, '');
  /**
   * The call path, as its node in the trie of interned paths: entering a call is a step to a
   * child, leaving it a step back to the parent, and a fresh path (a softirq) puts the node aside,
   * so an event's path costs no lookup and no path is ever copied.
   */
  private cur: StackNode = this.stackTrie;

  /** the current call path, outermost first */
  get stack(): readonly string[] {
    return this.cur.arr;
  }
  /**
   * Sentences and route descriptions, interned: the model builds the same sentence for every
   * packet that takes the same path, and a trace keeps one copy of each.
   */
  private strings = new Map<string, string>();
  /** which of a call path's recent sentences the next new one replaces (whatId) */
  private recentSlot = 0;
  /**
   * Hook contexts and counter sets, interned in a trie of their keys and values in order: a walk
   * of a few Map lookups of values whose hashes V8 keeps, where a key made of the object's JSON
   * was built and hashed at every step.
   */
  private hooks: Trie = new Map();
  /**
   * The ids of the frozen hook contexts a step gave more than once by the same object (a rule's
   * or chain's, nft_tables' ruleCtx…), by that object: one lookup where the trie walk was about
   * twenty. Only frozen ones: an object that could change after its step is interned by content.
   */
  private hookObjs = new Map<HookContext, number>();
  private counterSets: Trie = new Map();
  /** the sentences made by `say`: per template, a trie of its arguments */
  private said = new Map<Sentence, SaidOf>();
  /** the packet whose summary was last checked: the steps of one packet come in runs */
  private summarized = 0;
  private store = new ByteStore();

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
    // both levels keep a host's deltas as a list a step empties (fatesPending); the full level's step interns them first
    this.count = this.final ? countFinal : this.countFates;
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

  newPacket(origin: string, parent: number | null): number {
    const id = this.nextPkt++;
    this.packets.push(new RecordedPacket(id, parent, origin));
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
    const saved = this.cur;
    this.cur = this.child(saved, fn);
    try {
      return body();
    } finally {
      this.cur = saved;
    }
  }

  /**
   * `call` without a closure: enters kernel function `fn` and returns what `leave` needs. The
   * caller runs its body between the two, in a try/finally (`const c = net.enter(fn); try { … }
   * finally { net.leave(c); }`), so a modelled call allocates nothing at the fates level, where
   * `call` costs the closure and context every call site makes. Same path as `call` at either level.
   */
  private enterFull(fn: string): number {
    const cur = this.cur;
    this.cur = this.child(cur, fn);
    return cur.depth;
  }

  /** Leaves the call `enter` entered (-1: nothing was entered, at the fates level). */
  private leaveFull(depth: number): void {
    if (depth < 0) return;
    // back to the depth at entry: one step, or a few where a callee's leave was skipped by an exception
    let cur = this.cur;
    while (cur.depth > depth) cur = cur.parent;
    this.cur = cur;
  }

  /** Starts a fresh call path (a softirq, a timer, a system call): the old one is put aside. */
  private freshFull<T>(body: () => T): T {
    const saved = this.cur;
    this.cur = this.stackTrie;
    try {
      return body();
    } finally {
      this.cur = saved;
    }
  }

  /**
   * Counter deltas not yet given to an event, per host, as a list of (name, n) that a step empties
   * in place, not an object made and thrown away at every step. At the fates level a step drops
   * them (no event keeps them), yet the ones still pending when the level turns to 'full' go to
   * the next event, as in a full run; at the full level the step interns them as its counter set
   * (internCounters), so only a set not seen before is made as an object.
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
    const pending = host === this.fpHost ? this.fpEntry! : this.fatesPendingOf(host);
    let countersId = 0;
    if (pending.n > 0) {
      countersId = this.countersId(pending);
      pending.n = 0;
    }
    const node = this.internStack(fn);
    const i = this.nEvents & ROW_MASK;
    if (i === 0) this.newBlock();
    this.evTime[i] = this.clock();
    const ev = this.ev;
    const k = i * EV_INTS;
    ev[k] = skb ? skb.pkt : 0;
    ev[k + 1] = skb ? this.snapshotRow(skb) : -1;
    if (host !== this.lastHost) {
      this.lastHost = host;
      this.lastHostId = this.refId(host);
    }
    ev[k + 2] = this.lastHostId;
    if (node.layer !== layer) {
      node.layer = layer;
      node.layerId = this.refId(layer);
    }
    ev[k + 3] = node.layerId;
    ev[k + 4] = node.id;
    if (node.file !== file) {
      node.file = file;
      node.fileId = this.refId(file);
    }
    ev[k + 5] = node.fileId;
    const text = typeof what === 'string' ? what : what();
    ev[k + 6] = this.whatId(node, text);
    if (extra !== undefined) {
      ev[k + 7] = extra.hook ? this.hookId(extra.hook) : 0;
      ev[k + 9] = extra.drop ? this.refId(extra.drop) : 0;
      ev[k + 10] = extra.ret ? this.refId(extra.ret) : 0;
    } else ev[k + 7] = ev[k + 9] = ev[k + 10] = 0;
    ev[k + 8] = countersId;
    this.nEvents++;
    this.bytes += EVENT_BYTES + text.length;
  }

  /** The id of an interned value (a string, a frozen path, an interned hook or counter set). */
  private refId(v: unknown): number {
    return this.values.id(v);
  }

  private stackNode(arr: string[], parent: StackNode | null, name: string): StackNode {
    const node: StackNode = {
      arr,
      kids: new Map(),
      lastKid: null,
      parent: null as unknown as StackNode,
      depth: arr.length,
      name,
      id: this.refId(arr),
      file: undefined,
      fileId: 0,
      layer: undefined,
      layerId: 0,
      what: [],
      whatIds: [],
    };
    node.parent = parent ?? node;
    return node;
  }

  private newBlock(): void {
    this.ev = new Int32Array(ROW_BLOCK * EV_INTS);
    this.evTime = new Float64Array(ROW_BLOCK);
    this.evBlocks.push(this.ev);
    this.evTimes.push(this.evTime);
  }

  /** how many events were recorded (without making them as objects) */
  get eventCount(): number {
    return this.nEvents;
  }

  /**
   * The events recorded, as the contract's objects: made from the rows when first read, and kept,
   * so every read gives the same array and the same objects (it grows as later events are read).
   * A run reads only `eventCount`: the events of a full trace are made when a reader asks.
   */
  get events(): TraceEvent[] {
    const made = this.made;
    const n = this.nEvents;
    if (made.length === n) return made;
    for (let i = made.length; i < n; i++) {
      made.push(this.makeEvent(i));
      // a block all made is let go (the one being written is full by then, and written no more)
      if ((i & ROW_MASK) === ROW_MASK) {
        const b = i >>> ROW_SHIFT;
        this.evBlocks[b] = null;
        this.evTimes[b] = null;
      }
    }
    return made;
  }

  /**
   * Event `seq` as the contract's object, for a reader that drops it when done (a writer, a
   * summary): the one kept if `events` made it, else made from the row and not kept, so a trace
   * read this way never holds all its events as objects.
   */
  eventAt(seq: number): TraceEvent {
    return seq < this.made.length ? this.made[seq] : this.makeEvent(seq, false);
  }

  /** the simulated time of event `seq`, without making the event */
  timeOf(seq: number): number {
    const block = this.evTimes[seq >>> ROW_SHIFT];
    return block ? block[seq & ROW_MASK] : this.made[seq].time;
  }

  private makeEvent(seq: number, keep = true): TraceEvent {
    const row = this.evBlocks[seq >>> ROW_SHIFT]!;
    const at = seq & ROW_MASK;
    const k = at * EV_INTS;
    const r = this.refVals;
    const packet = row[k];
    const sid = row[k + 1];
    const host = r[row[k + 2]] as string;
    const layer = r[row[k + 3]] as Layer;
    const stack = r[row[k + 4]] as string[];
    const fn = stack[stack.length - 1];
    const file = r[row[k + 5]] as string;
    const w = r[row[k + 6]] as string;
    const hook = r[row[k + 7]] as HookContext | undefined;
    const cs = r[row[k + 8]] as Record<string, number> | undefined;
    const drop = r[row[k + 9]] as string | undefined;
    const ret = r[row[k + 10]] as string | undefined;
    const time = asSmi(this.evTimes[seq >>> ROW_SHIFT]![at]);
    // Built whole in one literal where it can be: a property added to an object after its literal
    // goes to a separate backing store (about 40 bytes more per event). The keys keep the
    // contract's order, which is the JSON output's. The common shapes (a hook step, a drop with
    // its counters) have literals of their own; the rest add to a literal.
    let ev: TraceEvent;
    if (sid >= 0 && !drop && !ret) {
      const snap = keep ? this.snaps.get(sid) : this.snaps.peek(sid);
      if (hook) {
        if (cs) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, hook, counters: cs };
        else ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, hook };
      } else if (cs) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, counters: cs };
      else ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap };
    } else if (sid >= 0 && drop && !hook) {
      const snap = keep ? this.snaps.get(sid) : this.snaps.peek(sid);
      if (cs) {
        if (ret) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, counters: cs, drop, ret };
        else ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, counters: cs, drop };
      } else if (ret) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, drop, ret };
      else ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: snap, drop };
    } else {
      if (sid >= 0) ev = { seq, time, host, packet, layer, fn, file, stack, what: w, skb: keep ? this.snaps.get(sid) : this.snaps.peek(sid) };
      else ev = { seq, time, host, packet, layer, fn, file, stack, what: w };
      if (hook) ev.hook = hook;
      if (cs) ev.counters = cs;
      if (drop) ev.drop = drop;
      if (ret) ev.ret = ret;
    }
    return ev;
  }

  /**
   * The sentence `f` makes of the arguments, made once per run for each distinct arguments and
   * interned: a hot step's sentence is the same for most packets, and building it (a tree of its
   * pieces) for every step, then reading it whole to find it in the table, was about a third of a
   * full run. A few Map lookups of the arguments find it instead. Only `f.length` arguments count.
   */
  say(f: Sentence, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, g?: unknown): string {
    let of = this.said.get(f);
    if (of === undefined) {
      of = { trie: new Map(), a: undefined, b: undefined, c: undefined, d: undefined, e: undefined, g: undefined, text: undefined };
      this.said.set(f, of);
    }
    // the arguments of its last call: a step mostly says what it said the packet before
    if (of.text !== undefined && of.a === a && of.b === b && of.c === c && of.d === d && of.e === e && of.g === g) return of.text;
    let node = of.trie;
    const n = f.length;
    if (n > 0) node = trieChild(node, a);
    if (n > 1) node = trieChild(node, b);
    if (n > 2) node = trieChild(node, c);
    if (n > 3) node = trieChild(node, d);
    if (n > 4) node = trieChild(node, e);
    if (n > 5) node = trieChild(node, g);
    let text = node.get(TRIE_END) as string | undefined;
    if (text === undefined) {
      if (n > 6) throw new Error(`Recorder.say: a template of ${n} arguments (at most 6)`);
      text = this.intern(f(a, b, c, d, e, g));
      node.set(TRIE_END, text);
    }
    of.a = a;
    of.b = b;
    of.c = c;
    of.d = d;
    of.e = e;
    of.g = g;
    of.text = text;
    return text;
  }

  private child(node: StackNode, name: string): StackNode {
    // the call it made last: a path's calls and steps mostly repeat, packet after packet
    const last = node.lastKid;
    if (last !== null && last.name === name) return last;
    let next = node.kids.get(name);
    if (!next) {
      next = this.stackNode(Object.freeze([...node.arr, name]) as string[], node, name);
      node.kids.set(name, next);
    }
    node.lastKid = next;
    return next;
  }

  /** The call path of an event in `fn`: the current path, ending with `fn` (added when it is not the innermost call). */
  private internStack(fn: string): StackNode {
    const node = this.cur;
    return node.name !== fn ? this.child(node, fn) : node;
  }

  /**
   * A hook context's id, interned: a forwarded packet's steps carry about eight hook
   * contexts and six counter sets, and a run has only a handful of distinct ones. The key is the
   * object's own keys and its JSON, so an interned object is equal to the one it stands for, key
   * for key (an explicit undefined too); they are fresh objects no one changes after the step,
   * or frozen ones given again (kept by the object too).
   */
  private hookId(h: HookContext): number {
    const known = this.hookObjs.get(h);
    if (known !== undefined) return known;
    const id = this.hookIdByContent(h);
    if (Object.isFrozen(h)) this.hookObjs.set(h, id);
    return id;
  }

  private hookIdByContent(h: HookContext): number {
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
        if (typeof v2 === 'object' && v2 !== null) return this.refId(h); // deeper than the model makes: kept as it is
        node = trieChild(trieChild(node, k2), v2);
      }
      node = trieChild(node, TRIE_CLOSE);
    }
    const had = node.get(TRIE_END) as number | undefined;
    if (had !== undefined) return had;
    const id = this.refId(h);
    node.set(TRIE_END, id);
    return id;
  }

  /**
   * A host's pending deltas as the counter set of an event, by its id: a name counted more than
   * once summed at its first place (the key order of first counting), then interned by walking
   * the trie with the list itself, so an object is made only for a set not seen before. The trie
   * keeps the id, so no table is asked for it.
   */
  private countersId(p: FatesPending): number {
    const l = p.l;
    let n = p.n;
    if (n > 2) n = sumRepeats(l, n);
    let node = this.counterSets;
    for (let i = 0; i < n; i += 2) node = trieChild(trieChild(node, l[i]), l[i + 1]);
    const had = node.get(TRIE_END) as number | undefined;
    if (had !== undefined) return had;
    const c: Record<string, number> = {};
    for (let i = 0; i < n; i += 2) c[l[i] as string] = l[i + 1] as number;
    const id = this.refId(c);
    node.set(TRIE_END, id);
    return id;
  }

  /**
   * The id of an event's sentence, interned: first against the last few sentences of the same
   * call path (StackNode.what), compared as they are (a built sentence is a tree of its pieces,
   * which `===` walks without copying), with their ids kept beside them; then in the table, which
   * must flatten and hash it, a copy of the sentence at every step. Most steps say what their
   * function said the packet before.
   */
  private whatId(node: StackNode, text: string): number {
    const r = node.what;
    for (let i = 0; i < r.length; i++) if (r[i] === text) return node.whatIds[i];
    const s = this.intern(text);
    const id = this.refId(s);
    if (r.length < RECENT_WHAT) {
      r.push(s);
      node.whatIds.push(id);
    } else {
      const at = this.recentSlot++ % RECENT_WHAT;
      r[at] = s;
      node.whatIds[at] = id;
    }
    return id;
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
    this.fatesPending.clear();
    this.fpHost = undefined;
    this.fpEntry = undefined;
  }

  private summarize(skb: SkBuff): void {
    const p = skb.pkt > 0 ? this.packets[skb.pkt - 1] : undefined;
    if (!p) return;
    if (!p.summarized) {
      if (skb.network_header >= 0 && skb.network_header < skb.tail) {
        p.keepHeaders(this.headers, skb.buf, skb.network_header, skb.tail - skb.network_header, skb.protocol);
      } else if (skb.mac_header >= 0 && skb.mac_header < skb.tail) {
        p.keepHeaders(this.headers, skb.buf, skb.mac_header, skb.tail - skb.mac_header, -1);
      } else return;
    }
    this.summarized = skb.pkt;
  }

  /**
   * A route's description, interned, made once per route: a forwarded packet's snapshots name
   * its route about thirty times. A route's type, addresses and functions do not change after it
   * is made; its device's name could (`ip link set … name`), so the description is made again
   * then.
   */
  private readonly sayRoute = (f: Sentence, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, g?: unknown): string => this.say(f, a, b, c, d, e, g);

  private describeRoute(rt: Rtable, daddr: number): string {
    const had = rt.rec as RouteText | undefined;
    if (had !== undefined && had.owner === this && had.dev === rt.dev.name && had.daddr === daddr) return had.text;
    const text = this.intern(rt.describeBy(this.sayRoute, daddr));
    if (had !== undefined && had.owner === this) {
      had.dev = rt.dev.name;
      had.daddr = daddr;
      had.text = text;
    } else rt.rec = { owner: this, dev: rt.dev.name, daddr, text };
    return text;
  }

  /** The sk_buff as it is now, as a snapshot object (made from its row). */
  snapshot(skb: SkBuff): SkbSnapshot {
    return this.snaps.get(this.snapshotRow(skb));
  }

  /**
   * The sk_buff as it is now, as a row of the snapshot store. Consecutive steps often leave it as
   * it was (a hook that accepts, a function that only looks): then the previous row is shared.
   */
  private snapshotRow(skb: SkBuff): number {
    let c = skb.rec as SkbVersion | undefined;
    if (c !== undefined && c.owner !== this) c = undefined;
    if (!c || c.gen !== skb.gen || c.buf !== skb.buf) {
      const version = this.snaps.version(this.store.put(skb.buf, skb.end));
      if (c) {
        // the sk_buff's new bytes: its entry is made over in place, where a new entry set in the
        // WeakMap (about three times a forwarded packet) was a quarter of this function's time
        c.gen = skb.gen;
        c.buf = skb.buf;
        c.version = version;
        c.last = c.prev = -1;
      } else {
        c = { owner: this, gen: skb.gen, buf: skb.buf, version, last: -1, prev: -1, meta: 0, devName: null, rtDevName: null, ctState: null };
        skb.rec = c;
      }
      this.bytes += skb.end;
    }
    const rt = skb.dst;
    const devName = skb.dev ? skb.dev.name : null;
    const rtDevName = rt ? rt.dev.name : null;
    const ctState = skb.nfct ? skb.nfct.state : null;
    // no field written since row `last` (two steps in a row on an sk_buff left as it was: a
    // hook that accepts, a function that only looks), about two steps in three of a forwarded packet
    if (c.last >= 0 && c.meta === skb.meta && c.devName === devName && c.rtDevName === rtDevName && c.ctState === ctState) return c.last;
    c.meta = skb.meta;
    c.devName = devName;
    c.rtDevName = rtDevName;
    c.ctState = ctState;
    const dst = rt ? this.describeRoute(rt, skb.dstDaddr) : null;
    // the one before the last too: a step that undoes the one before (a header pulled and
    // pushed back) returns the sk_buff to it, about once a forwarded packet
    const snaps = this.snaps;
    if (c.last >= 0 && snaps.same(c.last, skb, dst)) return c.last;
    if (c.prev >= 0 && snaps.same(c.prev, skb, dst)) {
      const hit = c.prev;
      c.prev = c.last;
      c.last = hit;
      return hit;
    }
    const id = snaps.add(skb, c.version, dst);
    c.prev = c.last;
    c.last = id;
    this.bytes += SNAPSHOT_BYTES;
    return id;
  }
}
