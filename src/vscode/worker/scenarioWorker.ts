// The scenario worker thread (bundled by esbuild as dist/scenarioWorker.js): parses, builds and
// runs scenarios away from the extension host's thread, so that a large or hostile scenario never
// blocks the editor. The host ends a run by terminating this thread (a newer edit, a closed file,
// the wall-time budget), since a synchronous model run cannot be interrupted from inside.
// No vscode here: the vscode module does not exist in a worker thread.
import { parentPort } from 'worker_threads';
import * as path from 'path';
import { runScenarioText, scenarioErrors } from '../../scenario/run';
import { parseScenario } from '../../scenario/parse';
import { frameWindow, replayItem, runReplay, sortedGroups, type ReplayRun } from '../../scenario/replay';
import { scenarioFileReader } from '../../scenario/files';
import { scenarioCaptureOpener } from '../../capture/file';
import { ScenarioError, ScenarioErrors } from '../../scenario/types';
import { plainPackets } from '../../trace/read';
import type { Trace } from '../../trace/contract';
import { REPLAY_ROWS_PER_GROUP, type ReplayCapture, type ReplaySummary, type WorkProblem, type WorkReply, type WorkRequest } from './messages';

function problemsOf(e: unknown): WorkProblem[] | undefined {
  const list = e instanceof ScenarioErrors ? e.errors : e instanceof ScenarioError ? [e] : undefined;
  return list?.map((x) => ({ detail: x.detail, pos: x.pos }));
}

export function work(req: WorkRequest): WorkReply {
  // files a scenario names are read only inside its folder or its workspace folder (issue 13)
  const onDisk = req.source.scheme === 'file';
  const readFile = onDisk ? scenarioFileReader(req.source.fsPath, { root: req.source.root }) : undefined;
  const openCapture = onDisk ? scenarioCaptureOpener(path.dirname(req.source.fsPath)) : undefined;
  try {
    if (req.kind === 'problems') {
      // the errors of every phase together: a parse error does not hide those of applying the rest
      const problems = scenarioErrors(req.text, req.file, { readFile }).map((x) => ({ detail: x.detail, pos: x.pos }));
      return { id: req.id, ok: true, kind: 'problems', problems };
    }
    if (req.capture) {
      if (!onDisk) return { id: req.id, ok: false, problems: [{ detail: 'a capture is replayed only into a scenario saved on disk', pos: { file: req.file, line: 1, col: 1 } }] };
      const run = replay(req, req.capture, readFile, openCapture);
      if (req.kind === 'trace') return { id: req.id, ok: true, kind: 'trace', trace: cloneable(run.trace) };
      return { id: req.id, ok: true, kind: 'replay', replay: summaryOf(run) };
    }
    const trace = runScenarioText(req.text, req.file, { readFile, openCapture });
    return { id: req.id, ok: true, kind: 'trace', trace: cloneable(trace) };
  } catch (e) {
    const problems = problemsOf(e);
    if (problems && req.kind === 'problems') return { id: req.id, ok: true, kind: 'problems', problems };
    if (problems) return { id: req.id, ok: false, problems };
    return { id: req.id, ok: false, internal: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

/** The trace as postMessage's structured clone copies it whole: the packets' summaries are accessors of their class. */
function cloneable(t: Trace): Trace {
  t.packets = plainPackets(t.packets);
  return t;
}

/**
 * The scenario with the capture arriving on HOST:IF after its own traffic. The capture is read
 * only inside the workspace folder (else the scenario's folder), once symlinks are followed.
 */
function replay(req: WorkRequest, c: ReplayCapture, readFile: ((p: string) => string) | undefined, openCapture: ((rel: string) => Iterable<Uint8Array>) | undefined): ReplayRun {
  const sc = parseScenario(req.text, req.file);
  const item = replayItem(sc, c.into, c.fsPath, c.timing);
  if (typeof item === 'string') throw new ScenarioError(item, { file: req.file, line: 0, col: 0 });
  const root = req.source.root ?? path.dirname(req.source.fsPath);
  const capture = scenarioCaptureOpener(root)(path.relative(root, c.fsPath));
  const frames = req.kind === 'trace' && c.frame !== undefined && c.frame >= 1 ? frameWindow(c.frame - 1) : undefined;
  return runReplay(sc, item, () => capture, { level: req.kind === 'trace' ? 'full' : 'fates', frames, readFile, openCapture: openCapture && ((f) => openCapture(f)) });
}

function summaryOf(run: ReplayRun): ReplaySummary {
  const rows: ReplaySummary['rows'] = [];
  const shown = new Map<string, number>();
  for (let i = 0; i < run.frames; i++) {
    const f = run.frame(i);
    const n = shown.get(f.group) ?? 0;
    if (n >= REPLAY_ROWS_PER_GROUP) continue;
    shown.set(f.group, n + 1);
    const p = f.packet;
    rows.push({ frame: f.frame, offset: f.offset, packet: p ? p.id : null, summary: p?.summary ?? '', group: f.group, fate: p ? { ...p.fate } : null, refused: f.refused });
  }
  return { frames: run.frames, groups: sortedGroups(run.groups), rows, stopped: run.trace.stopped?.message };
}

parentPort?.on('message', (req: WorkRequest) => {
  parentPort?.postMessage(work(req));
});
