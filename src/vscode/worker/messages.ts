// What the extension host and the scenario worker thread say to each other. Structured clone
// carries plain data only, so errors cross as {detail, pos} and are rebuilt on arrival.
// No vscode here: both sides import it.
import type { Trace } from '../../trace/contract';
import type { SourcePos } from '../../scenario/types';

export type WorkKind =
  /** parse and build (setup lines), as the Problems view needs */
  | 'problems'
  /** parse, build and run the traffic with the full trace, as the debugger and the Run command need */
  | 'trace';

export interface WorkRequest {
  id: number;
  kind: WorkKind;
  text: string;
  /** the scenario's path as errors name it */
  file: string;
  /** where `nft -f` / `iptables-restore <` files are read from: the scenario's own URI's scheme and path */
  source: { scheme: string; fsPath: string; /** the workspace folder holding the scenario: its files may come from anywhere in it */ root?: string };
}

export interface WorkProblem {
  detail: string;
  pos: SourcePos;
}

export type WorkReply =
  | { id: number; ok: true; kind: 'problems'; problems: WorkProblem[] }
  | { id: number; ok: true; kind: 'trace'; trace: Trace }
  /** the scenario has errors (a trace run): the same list the Problems view shows */
  | { id: number; ok: false; problems: WorkProblem[] }
  /** anything else the model threw: a bug, reported as such */
  | { id: number; ok: false; internal: string };
