// Where the debugger's traces come from: a scenario file run through the model, and for
// `showStep {fn}` the built-in example that reaches that function (found by running the
// examples once and remembering which functions each one reaches).
import * as vscode from 'vscode';
import { indexExamples, type ExampleHit } from '../../debugger/examples';
import type { Trace } from '../../trace/contract';
import type { ScenarioRunner } from '../worker/runner';
import { traceInWorker } from '../worker/host';

export interface LoadedTrace {
  trace: Trace;
  title: string;
  /** the scenario file as a URI string */
  file: string;
}

/** Run a scenario in the worker (the open document's text when it is open, so unsaved edits count). Throws RunFailed. */
export async function traceOf(runner: ScenarioRunner, uri: vscode.Uri): Promise<LoadedTrace> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const base0 = uri.path.split('/').pop() ?? uri.toString();
  const trace = await traceInWorker(runner, uri, doc.getText(), `Netstack: running ${base0} for the packet debugger`);
  const base = uri.path.split('/').pop() ?? uri.toString();
  return { trace, title: trace.scenario ? `${trace.scenario} (${base})` : base, file: uri.toString() };
}

/** fn → example file, built on first use by running every example in `examples/`. */
export class ExampleIndex {
  private index: Map<string, ExampleHit> | undefined;
  private readonly traces = new Map<string, Trace>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: (s: string) => void,
    private readonly runner: ScenarioRunner,
  ) {}

  async examples(): Promise<vscode.Uri[]> {
    const dir = vscode.Uri.joinPath(this.extensionUri, 'examples');
    try {
      const entries = await vscode.workspace.fs.readDirectory(dir);
      return entries
        .filter(([name, type]) => type === vscode.FileType.File && /\.ya?ml$/.test(name))
        .map(([name]) => vscode.Uri.joinPath(dir, name))
        .sort((a, b) => a.path.localeCompare(b.path));
    } catch {
      return [];
    }
  }

  private async build(): Promise<Map<string, ExampleHit>> {
    const runs: { file: string; trace: Trace }[] = [];
    for (const uri of await this.examples()) {
      try {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        const trace = await traceInWorker(this.runner, uri, text, 'Netstack: finding the example that reaches this function');
        this.traces.set(uri.toString(), trace);
        runs.push({ file: uri.toString(), trace });
      } catch (e) {
        this.log(`example ${uri.fsPath} does not run: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return indexExamples(runs);
  }

  /** The example that reaches `fn`, its trace and the index of the first event with that fn. */
  async find(fn: string): Promise<{ loaded: LoadedTrace; index: number } | undefined> {
    this.index ??= await this.build();
    const hit = this.index.get(fn);
    const trace = hit && this.traces.get(hit.file);
    if (!hit || !trace) return undefined;
    const uri = vscode.Uri.parse(hit.file);
    const base = uri.path.split('/').pop() ?? '';
    return { loaded: { trace, title: `${trace.scenario || base} (example ${base})`, file: hit.file }, index: hit.index };
  }
}
