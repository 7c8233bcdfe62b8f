// The extension host's side of the scenario worker: the runner with the budget from the settings,
// progress (shown only for a run that takes more than about a second) with Cancel, and the
// outcome of a run as a Trace or an error that says what stopped it and which setting raises
// the limit.
import * as path from 'path';
import * as vscode from 'vscode';
import type { Trace } from '../../trace/contract';
import type { WorkProblem, WorkRequest } from './messages';
import { ScenarioRunner, type Outcome, type Run } from './runner';

const SECTION = 'netstackExplorer.budget';
/** how long a run goes before it shows progress */
const QUIET_MS = 1000;

export function createScenarioRunner(context: vscode.ExtensionContext): ScenarioRunner {
  const runner = new ScenarioRunner(path.join(context.extensionPath, 'dist', 'scenarioWorker.js'), () => {
    const c = vscode.workspace.getConfiguration(SECTION);
    const wall = c.get<number>('wallSeconds', 30);
    const mem = c.get<number>('memoryMB', 1024);
    return {
      wallMs: Math.round(Math.min(Math.max(Number.isFinite(wall) ? wall : 30, 1), 3600) * 1000),
      memoryMb: Math.round(Math.min(Math.max(Number.isFinite(mem) ? mem : 1024, 64), 16384)),
    };
  });
  context.subscriptions.push({ dispose: () => runner.dispose() });
  return runner;
}

/** What a worker needs to know about where a scenario is (its `nft -f` files are read next to it). */
export function sourceOf(uri: vscode.Uri): WorkRequest['source'] {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return { scheme: uri.scheme, fsPath: uri.scheme === 'file' ? uri.fsPath : uri.path, root: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined };
}

/** The scenario's path as errors name it (the CLI's convention: the file system path). */
export function scenarioPath(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/** Show progress for `run` once it has gone on for about a second; Cancel ends it. */
export function progressAfterASecond(run: Run, title: string, location: vscode.ProgressLocation): void {
  const t = setTimeout(() => {
    void vscode.window.withProgress({ location, title, cancellable: location === vscode.ProgressLocation.Notification }, (_p, token) => {
      token.onCancellationRequested(() => run.cancel());
      return run.done;
    });
  }, QUIET_MS);
  void run.done.then(() => clearTimeout(t));
}

/** Why a run ended without a result, in words, with the setting that raises a budget. */
export function stoppedText(o: Exclude<Outcome, { status: 'done' }>): string {
  switch (o.status) {
    case 'cancelled':
      return 'the run was cancelled';
    case 'budget':
      return o.limit === 'wall'
        ? `the run was stopped after ${o.ms / 1000} s, its wall-time budget (setting ${SECTION}.wallSeconds raises it)`
        : `the run was stopped at ${o.mb} MB of heap, its memory budget (setting ${SECTION}.memoryMB raises it)`;
    case 'failed':
      return `the scenario worker failed: ${o.error.split('\n')[0]}`;
  }
}

export const problemText = (p: WorkProblem): string => `${p.pos.file}:${p.pos.line}:${p.pos.col}: ${p.detail}`;

/** A run that gave no trace: the scenario's errors, a budget, a cancel or a bug. */
export class RunFailed extends Error {
  constructor(
    message: string,
    readonly problems: WorkProblem[] = [],
    readonly cancelled = false,
  ) {
    super(message);
    this.name = 'RunFailed';
  }
}

/** Run a scenario's traffic with the full trace in the worker; progress with Cancel after a second. Throws RunFailed. */
export async function traceInWorker(runner: ScenarioRunner, uri: vscode.Uri, text: string, title: string): Promise<Trace> {
  const run = runner.run(`trace:${uri.toString()}`, { kind: 'trace', text, file: scenarioPath(uri), source: sourceOf(uri) });
  progressAfterASecond(run, title, vscode.ProgressLocation.Notification);
  const o = await run.done;
  if (o.status !== 'done') throw new RunFailed(stoppedText(o), [], o.status === 'cancelled');
  const r = o.reply;
  if (r.ok && r.kind === 'trace') {
    // the model's own budget ended the run: the trace has what ran, and says which setting raises it
    if (r.trace.stopped) void vscode.window.showWarningMessage(`Netstack: ${r.trace.stopped.message}`);
    return r.trace;
  }
  if (!r.ok && 'problems' in r) throw new RunFailed(r.problems.map(problemText).join('\n'), r.problems);
  throw new RunFailed(`internal error in the model (please report it): ${!r.ok && 'internal' in r ? r.internal.split('\n')[0] : 'no trace'}`);
}
