// Reading a trace's events one at a time, without making them all as objects at once.
//
// A full trace's events are kept by the model's recorder as rows of numbers; `Trace.events`
// makes every event as an object and keeps them (1.18 GB for a 100,000-frame trace, where the
// rows are 0.5 GB). A reader that goes through the events once (the CLI's writers, a summary, a
// goal's index) asks for them here instead: by index or in order, each event made when asked
// and dropped by the reader when done. A trace that has no rows (parsed from JSON, cloned to a
// worker or the webview, made by a test) is read through its `events` array, the same events.
import type { PacketInfo, Trace, TraceEvent } from './contract';

/** The events of a trace as rows: how many, and one by index (made for the reader, not kept). */
export interface EventRows {
  readonly count: number;
  at(i: number): TraceEvent;
}

/**
 * Where a trace made by the model keeps its rows: a symbol, not enumerable, so JSON, a spread,
 * structuredClone and deepStrictEqual do not see it (it is not part of the contract).
 */
export const EVENT_ROWS: unique symbol = Symbol('netstack.trace.eventRows');

type WithRows = Trace & { [EVENT_ROWS]?: EventRows };

function rowsOf(t: Trace): EventRows | undefined {
  return (t as WithRows)[EVENT_ROWS];
}

/** How many events the trace has, without making them. */
export function eventCount(t: Trace): number {
  const r = rowsOf(t);
  return r ? r.count : t.events.length;
}

/** Event `i` of the trace (undefined past the end), made from its row if it has to be. */
export function eventAt(t: Trace, i: number): TraceEvent | undefined {
  const r = rowsOf(t);
  if (!r) return t.events[i];
  return i >= 0 && i < r.count ? r.at(i) : undefined;
}

/** The events from `from` up to (not including) `to`, in order, each made as it is reached. */
export function* eachEvent(t: Trace, from = 0, to?: number): Generator<TraceEvent> {
  const r = rowsOf(t);
  if (!r) {
    const list = t.events;
    const end = Math.min(to ?? list.length, list.length);
    for (let i = Math.max(0, from); i < end; i++) yield list[i];
    return;
  }
  // the count is read at each step: a trace read while its run goes on grows
  for (let i = Math.max(0, from); i < (to ?? r.count) && i < r.count; i++) yield r.at(i);
}

/** Attaches the rows to a trace (the model does, when it makes a Trace). */
export function withEventRows<T extends Trace>(t: T, rows: EventRows): T {
  Object.defineProperty(t, EVENT_ROWS, { value: rows, enumerable: false, configurable: true, writable: true });
  return t;
}

/** Detaches them (a trace whose `events` was set to another array). */
export function dropEventRows(t: Trace): void {
  delete (t as WithRows)[EVENT_ROWS];
}

/**
 * Packets as plain objects, for a structured clone (a worker's reply, a message to the webview):
 * a packet the model's recorder made reads its summary through an accessor of its class
 * (src/model/sim/packet_info.ts), which a clone does not copy.
 */
export function plainPackets(list: readonly PacketInfo[]): PacketInfo[] {
  return list.map(({ id, parent, summary, origin, fate }) => ({ id, parent, summary, origin, fate }));
}
