// The trace as a view holds it (issue 12): the compact index the host sends once per trace
// (src/protocol.ts `TraceIndex`), the detail of one event it sends with each move, and the links
// between a packet's events that the cursor and the layout walk instead of scanning the trace.

import type { Trace } from '../trace/contract';
import { INDEX_FLAG, INDEX_LAYERS, type EventDetail, type TraceIndex } from '../protocol';

/** Build the index of a trace: one pass, names interned in order of first use. */
export function indexTrace(trace: Trace): TraceIndex {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let k = ids.get(s);
    if (k === undefined) {
      k = strings.length;
      strings.push(s);
      ids.set(s, k);
    }
    return k;
  };
  const layerId: Record<string, number> = Object.fromEntries(INDEX_LAYERS.map((l, i) => [l, i]));
  const n = trace.events.length;
  const host = new Int32Array(n);
  const packet = new Int32Array(n);
  const fn = new Int32Array(n);
  const layer = new Int32Array(n);
  const dev = new Int32Array(n);
  const hook = new Int32Array(n);
  const drop = new Int32Array(n);
  const flags = new Int32Array(n);
  // consecutive events mostly share their host and often their function: a compare of the same
  // string saves the map lookup
  let lastHost = '';
  let lastHostId = -1;
  let lastFn = '';
  let lastFnId = -1;
  let lastDev = '';
  let lastDevId = -1;
  for (let i = 0; i < n; i++) {
    const e = trace.events[i];
    if (e.host !== lastHost || lastHostId < 0) lastHostId = intern((lastHost = e.host));
    host[i] = lastHostId;
    packet[i] = e.packet;
    if (e.fn !== lastFn || lastFnId < 0) lastFnId = intern((lastFn = e.fn));
    fn[i] = lastFnId;
    layer[i] = layerId[e.layer] ?? 0;
    const skb = e.skb;
    const d = skb?.dev;
    if (d) {
      if (d !== lastDev || lastDevId < 0) lastDevId = intern((lastDev = d));
      dev[i] = lastDevId;
    } else dev[i] = -1;
    hook[i] = e.hook ? intern(e.hook.hook) : -1;
    drop[i] = e.drop ? intern(e.drop) : -1;
    flags[i] = skb ? INDEX_FLAG.skb | (skb.pkt_type === 'PACKET_OUTGOING' ? INDEX_FLAG.outgoing : 0) : 0;
  }
  const ix: TraceIndex = { scenario: trace.scenario, kernel: trace.kernel, packets: trace.packets, strings, host, packet, fn, layer, dev, hook, drop, flags };
  if (trace.hosts) ix.hosts = trace.hosts;
  if (trace.stopped) ix.stopped = trace.stopped;
  if (trace.window) ix.window = trace.window;
  return ix;
}

/** How many events the index has. */
export const eventCount = (ix: TraceIndex): number => ix.packet.length;

/** A name column's value at event i, or undefined where the column says none (-1). */
export function nameAt(ix: TraceIndex, col: 'host' | 'fn' | 'dev' | 'hook' | 'drop', i: number): string | undefined {
  const k = ix[col][i];
  return k === undefined || k < 0 ? undefined : ix.strings[k];
}

/** Each event's previous and next event of the same packet (-1 at the ends), and each packet's events in order. */
export interface PacketLinks {
  prev: Int32Array;
  next: Int32Array;
  of: Map<number, number[]>;
}

export function packetLinks(packetOf: ArrayLike<number>): PacketLinks {
  const n = packetOf.length;
  const prev = new Int32Array(n).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const of = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const p = packetOf[i];
    let l = of.get(p);
    if (!l) of.set(p, (l = []));
    else {
      const j = l[l.length - 1];
      prev[i] = j;
      next[j] = i;
    }
    l.push(i);
  }
  return { prev, next, of };
}

/** The detail a state message carries for event `index`. */
export function eventDetail(trace: Trace, links: PacketLinks, index: number): EventDetail | undefined {
  const event = trace.events[index];
  if (!event) return undefined;
  const p = links.prev[index];
  return { index, event, prev: p >= 0 ? trace.events[p] : null };
}

/** Whether a detail is the event the index has at its position (a host that sends a detail of another trace is refused). */
export function detailAgrees(ix: TraceIndex, d: EventDetail, links: PacketLinks): boolean {
  const i = d.index;
  if (i >= eventCount(ix)) return false;
  const e = d.event;
  if (e.packet !== ix.packet[i] || e.host !== nameAt(ix, 'host', i) || e.fn !== nameAt(ix, 'fn', i) || e.layer !== INDEX_LAYERS[ix.layer[i]]) return false;
  const p = links.prev[i];
  if ((p < 0) !== (d.prev === null)) return false;
  return d.prev === null || (d.prev.packet === ix.packet[p] && d.prev.fn === nameAt(ix, 'fn', p));
}
