// The scenario worker thread (bundled by esbuild as dist/scenarioWorker.js): parses, builds and
// runs scenarios away from the extension host's thread, so that a large or hostile scenario never
// blocks the editor. The host ends a run by terminating this thread (a newer edit, a closed file,
// the wall-time budget), since a synchronous model run cannot be interrupted from inside.
// No vscode here: the vscode module does not exist in a worker thread.
import { parentPort } from 'worker_threads';
import * as path from 'path';
import { runScenarioText, scenarioErrors } from '../../scenario/run';
import { scenarioFileReader } from '../../scenario/files';
import { scenarioCaptureOpener } from '../../capture/file';
import { ScenarioError, ScenarioErrors } from '../../scenario/types';
import type { WorkProblem, WorkReply, WorkRequest } from './messages';

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
    const trace = runScenarioText(req.text, req.file, { readFile, openCapture });
    return { id: req.id, ok: true, kind: 'trace', trace };
  } catch (e) {
    const problems = problemsOf(e);
    if (problems && req.kind === 'problems') return { id: req.id, ok: true, kind: 'problems', problems };
    if (problems) return { id: req.id, ok: false, problems };
    return { id: req.id, ok: false, internal: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

parentPort?.on('message', (req: WorkRequest) => {
  parentPort?.postMessage(work(req));
});
