// The scenario worker thread (bundled by esbuild as dist/scenarioWorker.js): parses, builds and
// runs scenarios away from the extension host's thread, so that a large or hostile scenario never
// blocks the editor. The host ends a run by terminating this thread (a newer edit, a closed file,
// the wall-time budget), since a synchronous model run cannot be interrupted from inside.
// No vscode here: the vscode module does not exist in a worker thread.
import { parentPort } from 'worker_threads';
import { buildWorld } from '../../scenario/build';
import { parseScenario } from '../../scenario/parse';
import { runScenarioText } from '../../scenario/run';
import { ScenarioError, ScenarioErrors } from '../../scenario/types';
import { scenarioReader } from '../scenarioFiles';
import type { WorkProblem, WorkReply, WorkRequest } from './messages';

function problemsOf(e: unknown): WorkProblem[] | undefined {
  const list = e instanceof ScenarioErrors ? e.errors : e instanceof ScenarioError ? [e] : undefined;
  return list?.map((x) => ({ detail: x.detail, pos: x.pos }));
}

export function work(req: WorkRequest): WorkReply {
  // scenarioReader reads only the URI's scheme and path, which is what crosses the thread
  const readFile = scenarioReader(req.source as Parameters<typeof scenarioReader>[0]);
  try {
    if (req.kind === 'problems') {
      buildWorld(parseScenario(req.text, req.file), 'fates', readFile);
      return { id: req.id, ok: true, kind: 'problems', problems: [] };
    }
    const trace = runScenarioText(req.text, req.file, { readFile });
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
