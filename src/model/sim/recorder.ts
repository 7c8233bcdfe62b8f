// Records the run as an immutable Trace (src/trace/contract.ts). The model calls `step` once per
// modelled kernel step; the recorder keeps the call path, counter deltas and packet fates.
import type { Fate, HookContext, Layer, PacketInfo, SkbSnapshot, TraceEvent } from '../../trace/contract';
import type { SkBuff } from '../net/core/skbuff';
import { ETH_P_NAMES } from '../proto/ethernet';
import { describeL3, describeFrame } from './describe';

/** 'full': every event with its sk_buff; 'fates': only packets, fates and counters (fast). */
export type RecordLevel = 'full' | 'fates';

export interface StepExtra {
  hook?: HookContext;
  drop?: string;
  /** the function's return value where it decides (TraceEvent.ret) */
  ret?: string;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function toHex(b: Uint8Array, end: number): string {
  let s = '';
  for (let i = 0; i < end; i++) s += HEX[b[i]];
  return s;
}

interface StackNode {
  arr: string[];
  kids: Map<string, StackNode>;
}

/** rough bytes of one event object with its fields (the budget's memory estimate) */
const EVENT_BYTES = 300;
/** rough bytes of one sk_buff snapshot object */
const SNAPSHOT_BYTES = 300;

export class Recorder {
  readonly events: TraceEvent[] = [];
  /** an estimate of the memory the trace holds: events, snapshots and their bytes */
  bytes = 0;
  readonly packets = new Map<number, PacketInfo>();
  readonly stack: string[] = [];
  private nextPkt = 1;
  /** call paths are interned: events with the same path share one frozen array */
  private stackTrie: StackNode = { arr: [], kids: new Map() };
  private pendingCounters = new Map<string, Record<string, number>>();
  /** per sk_buff object: the bytes hex at a generation, so unchanged bytes are not copied again */
  private hexCache = new WeakMap<SkBuff, { gen: number; buf: Uint8Array; hex: string; last: SkbSnapshot | null }>();

  constructor(
    readonly level: RecordLevel,
    private readonly clock: () => number,
  ) {}

  newPacket(origin: string, parent: number | null): number {
    const id = this.nextPkt++;
    this.packets.set(id, {
      id,
      parent,
      summary: '',
      origin,
      fate: { kind: 'pending', host: origin, fn: '' },
    });
    return id;
  }

  /** Runs `body` as kernel function `fn`, so that events inside it carry the call path. */
  call<T>(fn: string, body: () => T): T {
    this.stack.push(fn);
    try {
      return body();
    } finally {
      this.stack.pop();
    }
  }

  /** Starts a fresh call path (a softirq, a timer, a system call): the old one is put aside. */
  fresh<T>(body: () => T): T {
    const saved = this.stack.splice(0);
    try {
      return body();
    } finally {
      this.stack.splice(0, this.stack.length, ...saved);
    }
  }

  count(host: string, name: string, n = 1): void {
    let m = this.pendingCounters.get(host);
    if (!m) {
      m = {};
      this.pendingCounters.set(host, m);
    }
    m[name] = (m[name] ?? 0) + n;
  }

  step(host: string, skb: SkBuff | null, layer: Layer, fn: string, file: string, what: string, extra?: StepExtra): void {
    if (skb) this.summarize(skb);
    const counters = this.pendingCounters.get(host);
    if (counters) this.pendingCounters.delete(host);
    if (this.level !== 'full') return;
    const stack = this.internStack(fn);
    const ev: TraceEvent = {
      seq: this.events.length,
      time: this.clock(),
      host,
      packet: skb ? skb.pkt : 0,
      layer,
      fn,
      file,
      stack,
      what,
    };
    if (skb) ev.skb = this.snapshot(skb);
    if (extra?.hook) ev.hook = extra.hook;
    if (counters) ev.counters = counters;
    if (extra?.drop) ev.drop = extra.drop;
    if (extra?.ret) ev.ret = extra.ret;
    this.events.push(ev);
    this.bytes += EVENT_BYTES + what.length;
  }

  private internStack(fn: string): string[] {
    let node = this.stackTrie;
    const walk = (name: string): void => {
      let next = node.kids.get(name);
      if (!next) {
        next = { arr: Object.freeze([...node.arr, name]) as string[], kids: new Map() };
        node.kids.set(name, next);
      }
      node = next;
    };
    for (const name of this.stack) walk(name);
    if (this.stack[this.stack.length - 1] !== fn) walk(fn);
    return node.arr;
  }

  fate(pkt: number, fate: Fate): void {
    const p = this.packets.get(pkt);
    if (p) p.fate = fate;
  }

  getFate(pkt: number): Fate | undefined {
    return this.packets.get(pkt)?.fate;
  }

  /** Counters counted after the last event of their host (e.g. at the very end) go nowhere else. */
  flushCounters(): void {
    this.pendingCounters.clear();
  }

  private summarize(skb: SkBuff): void {
    const p = this.packets.get(skb.pkt);
    if (!p || p.summary) return;
    if (skb.network_header >= 0 && skb.network_header < skb.tail) {
      p.summary = describeL3(skb.buf, skb.network_header, skb.protocol, skb.tail - skb.network_header);
    } else if (skb.mac_header >= 0 && skb.mac_header < skb.tail) {
      p.summary = describeFrame(skb.buf, skb.mac_header, skb.tail - skb.mac_header);
    }
  }

  /**
   * The sk_buff as it is now. Consecutive steps often leave it as it was (a hook that accepts,
   * a function that only looks): then the previous snapshot object is shared, not rebuilt.
   */
  snapshot(skb: SkBuff): SkbSnapshot {
    let c = this.hexCache.get(skb);
    if (!c || c.gen !== skb.gen || c.buf !== skb.buf) {
      c = { gen: skb.gen, buf: skb.buf, hex: toHex(skb.buf, skb.end), last: null };
      this.hexCache.set(skb, c);
      this.bytes += c.hex.length;
    }
    const rt = skb.dst;
    const dst = rt ? rt.describe() : null;
    const last = c.last;
    if (
      last &&
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
    ) {
      return last;
    }
    const snap: SkbSnapshot = Object.freeze({
      len: skb.len,
      data: skb.data,
      tail: skb.tail,
      end: skb.end,
      headroom: skb.data - skb.head,
      tailroom: skb.end - skb.tail,
      protocol: skb.protocol,
      protocolName: ETH_P_NAMES[skb.protocol] ?? (skb.protocol ? `0x${skb.protocol.toString(16)}` : '0'),
      pkt_type: skb.pkt_type,
      dev: skb.dev ? skb.dev.name : null,
      iif: skb.skb_iif,
      mark: skb.mark,
      mac_header: skb.mac_header >= 0 ? skb.mac_header : null,
      network_header: skb.network_header >= 0 ? skb.network_header : null,
      transport_header: skb.transport_header >= 0 ? skb.transport_header : null,
      ip_summed: skb.ip_summed,
      dst,
      ct: skb.nfct ? skb.nfct.state : null,
      bytes: c.hex,
    });
    c.last = snap;
    this.bytes += SNAPSHOT_BYTES;
    return snap;
  }
}
