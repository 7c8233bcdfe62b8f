// What the extension host and the scenario worker thread say to each other. Structured clone
// carries plain data only, so errors cross as {detail, pos} and are rebuilt on arrival.
// No vscode here: both sides import it.
import type { Trace } from '../../trace/contract';
import type { SourcePos } from '../../scenario/types';

export type WorkKind =
  /** parse and build (setup lines), as the Problems view needs */
  | 'problems'
  /** parse, build and run the traffic with the full trace, as the debugger and the Run command need */
  | 'trace'
  /** run the traffic, then a capture's frames into HOST:IF, at the fates level: what became of each frame */
  | 'replay';

/** A capture replayed into a scenario (kind `replay`, or `trace` to step its packets in the debugger). */
export interface ReplayCapture {
  /** the capture file; it must be inside the workspace folder (`source.root`), else the scenario's folder */
  fsPath: string;
  /** HOST:IF, one end of a link */
  into: string;
  timing: 'asis' | 'max';
  /**
   * kind `trace`: the frame (1-based) to step. Only a window of frames around it is re-executed
   * with the full trace (src/scenario/replay.ts frameWindow); without it, the whole capture is.
   */
  frame?: number;
}

/** One frame of a replayed capture, as the results view lists it. */
export interface ReplayRow {
  frame: number;
  offset: number;
  /** the model's packet id; null when packet_snd refused the frame */
  packet: number | null;
  summary: string;
  group: string;
  fate: { kind: string; host: string; fn: string; reason?: string; detail?: string } | null;
  refused?: string;
}

export interface ReplaySummary {
  frames: number;
  /** fate groups, largest first, with their counts */
  groups: [string, number][];
  /** the first frames of each group (at most REPLAY_ROWS_PER_GROUP each), in capture order */
  rows: ReplayRow[];
  /** the model's budget stopped the run: what it says */
  stopped?: string;
}

/** How many frames of each group cross to the host: a capture may hold millions. */
export const REPLAY_ROWS_PER_GROUP = 500;

export interface WorkRequest {
  id: number;
  kind: WorkKind;
  text: string;
  /** the scenario's path as errors name it */
  file: string;
  /** where `nft -f` / `iptables-restore <` files are read from: the scenario's own URI's scheme and path */
  source: { scheme: string; fsPath: string; /** the workspace folder holding the scenario: its files may come from anywhere in it */ root?: string };
  /** kind `replay` (and `trace` of a replay): the capture and where it arrives */
  capture?: ReplayCapture;
}

export interface WorkProblem {
  detail: string;
  pos: SourcePos;
}

export type WorkReply =
  | { id: number; ok: true; kind: 'problems'; problems: WorkProblem[] }
  | { id: number; ok: true; kind: 'trace'; trace: Trace }
  | { id: number; ok: true; kind: 'replay'; replay: ReplaySummary }
  /** the scenario has errors (a trace run): the same list the Problems view shows */
  | { id: number; ok: false; problems: WorkProblem[] }
  /** anything else the model threw: a bug, reported as such */
  | { id: number; ok: false; internal: string };
