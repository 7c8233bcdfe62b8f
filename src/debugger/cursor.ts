// Navigation over a recorded trace: step, step back, step over / out by call depth, continue
// to a breakpoint forwards and backwards, run to end, restart. A trace is immutable, so every
// move is a search from the current index; stepping back costs the same as stepping forward.
//
// With a focused packet, moves visit only that packet's events (breakpoints too).
// Pure: no vscode, no DOM, no Node; reused by the panel controller and a future debug adapter.

import type { TraceEvent } from '../trace/contract';
import type { StepAction, StopReason } from '../protocol';
import type { BreakpointSet } from './breakpoints';
import type { PacketLinks } from './traceIndex';

export interface Move {
  index: number;
  reason: StopReason;
  /** the breakpoint that stopped the move */
  hit?: string;
  message?: string;
}

export interface CursorInput {
  events: readonly TraceEvent[];
  index: number;
  focus: number | null;
  breakpoints?: BreakpointSet;
  /**
   * The links between each packet's events (src/debugger/traceIndex.ts). With them, a move that
   * can only land on one packet's events (a focused packet, step over, step out) walks that
   * packet's events instead of the trace: a step costs the same on 100 events as on 100,000.
   */
  links?: PacketLinks;
}

function visible(e: TraceEvent, focus: number | null): boolean {
  return focus === null || e.packet === focus;
}

/**
 * The next (dir 1) or previous (dir -1) visible index from `from` (exclusive) that satisfies `ok`.
 * `only`: the packet whose events alone can satisfy `ok` (the scan may then walk that packet's
 * events only, when the cursor has links).
 */
function scan(c: CursorInput, from: number, dir: 1 | -1, ok: (e: TraceEvent, i: number) => boolean, only?: number): number {
  const packet = c.focus ?? only;
  if (c.links && packet !== undefined) {
    if (only !== undefined && c.focus !== null && only !== c.focus) return -1;
    const list = c.links.of.get(packet);
    if (!list) return -1;
    for (let k = firstBeyond(list, from, dir); k >= 0 && k < list.length; k += dir) {
      const i = list[k];
      if (ok(c.events[i], i)) return i;
    }
    return -1;
  }
  for (let i = from + dir; i >= 0 && i < c.events.length; i += dir) {
    const e = c.events[i];
    if (visible(e, c.focus) && ok(e, i)) return i;
  }
  return -1;
}

/** The position in a sorted list of the first entry after `from` (dir 1) or the last before it (dir -1). */
function firstBeyond(list: readonly number[], from: number, dir: 1 | -1): number {
  let lo = 0;
  let hi = list.length;
  // lo = the number of entries <= from
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] <= from) lo = mid + 1;
    else hi = mid;
  }
  if (dir === 1) return lo;
  return lo > 0 && list[lo - 1] === from ? lo - 2 : lo - 1;
}

function depth(e: TraceEvent): number {
  return e.stack.length;
}

/** The first / last visible index, or -1 when nothing is visible. */
export function firstIndex(c: Omit<CursorInput, 'index'>): number {
  return scan({ ...c, index: -1 }, -1, 1, () => true);
}

export function lastIndex(c: Omit<CursorInput, 'index'>): number {
  return scan({ ...c, index: c.events.length }, c.events.length, -1, () => true);
}

function atEdge(c: CursorInput, dir: 1 | -1): Move {
  const i = dir === 1 ? lastIndex(c) : firstIndex(c);
  const index = i < 0 ? c.index : i;
  return dir === 1 ? { index, reason: 'end', message: 'end of trace' } : { index, reason: 'start', message: 'start of trace' };
}

function stepTo(c: CursorInput, i: number, dir: 1 | -1): Move {
  return i < 0 ? atEdge(c, dir) : { index: i, reason: 'step' };
}

function continueTo(c: CursorInput, dir: 1 | -1): Move {
  const bps = c.breakpoints;
  if (!bps || !bps.active) {
    const edge = atEdge(c, dir);
    return { ...edge, message: `${edge.message}: no breakpoints set` };
  }
  let hit: string | undefined;
  const i = scan(c, c.index, dir, (e) => (hit = bps.hit(e)) !== undefined);
  if (i < 0) {
    const edge = atEdge(c, dir);
    return { ...edge, message: `${edge.message}: no breakpoint ${dir === 1 ? 'ahead' : 'behind'}` };
  }
  return { index: i, reason: 'breakpoint', hit };
}

/** Where `action` takes the cursor. Never throws; an empty trace stays at 0. */
export function move(c: CursorInput, action: StepAction): Move {
  if (c.events.length === 0) return { index: 0, reason: 'end', message: 'empty trace' };
  const cur = c.events[Math.min(Math.max(c.index, 0), c.events.length - 1)];
  switch (action) {
    case 'stepInto':
      return stepTo(c, scan(c, c.index, 1, () => true), 1);
    case 'stepBack':
      return stepTo(c, scan(c, c.index, -1, () => true), -1);
    case 'stepOver': {
      // the next event of this packet at the same call depth or shallower: skip what this
      // function calls (as a debugger stays on its thread); past the packet's last event, the next event
      const d = depth(cur);
      const i = scan(c, c.index, 1, (e) => e.packet === cur.packet && depth(e) <= d, cur.packet);
      return stepTo(c, i >= 0 ? i : scan(c, c.index, 1, () => true), 1);
    }
    case 'stepOut': {
      // the next event of this packet shallower than this one: back in a caller
      const d = depth(cur);
      const i = scan(c, c.index, 1, (e) => e.packet === cur.packet && depth(e) < d, cur.packet);
      return stepTo(c, i >= 0 ? i : scan(c, c.index, 1, () => true), 1);
    }
    case 'continue':
      return continueTo(c, 1);
    case 'reverseContinue':
      return continueTo(c, -1);
    case 'runToEnd':
      return atEdge(c, 1);
    case 'restart': {
      const i = firstIndex(c);
      return { index: i < 0 ? 0 : i, reason: 'start', message: 'restarted' };
    }
  }
}
