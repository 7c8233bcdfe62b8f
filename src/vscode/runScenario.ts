// "Netstack: Run Scenario and Show Trace": runs the scenario of the active editor (or the file
// picked in the explorer) in the scenario worker and prints the readable trace to an output
// channel. Not in an untrusted workspace (trust.ts).
import * as vscode from 'vscode';
import { formatTrace } from '../debugger/format';
import type { Trace } from '../trace/contract';
import { mayRunScenario } from './trust';
import { RunFailed, traceInWorker } from './worker/host';
import type { ScenarioRunner } from './worker/runner';

export const RUN_COMMAND = 'netstackExplorer.runScenario';

export function registerRunScenario(context: vscode.ExtensionContext, onTrace: (t: Trace) => void, runner: ScenarioRunner): void {
  let channel: vscode.OutputChannel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(RUN_COMMAND, async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) {
        void vscode.window.showErrorMessage('Netstack: open a scenario file (.yaml) first.');
        return undefined;
      }
      if (!mayRunScenario('running the scenario')) return undefined;
      const doc = await vscode.workspace.openTextDocument(target);
      channel ??= vscode.window.createOutputChannel('Netstack Trace');
      context.subscriptions.push(channel);
      channel.clear();
      try {
        const trace = await traceInWorker(runner, target, doc.getText(), `Netstack: running ${vscode.workspace.asRelativePath(target)}`);
        channel.append(formatTrace(trace));
        channel.show(true);
        onTrace(trace);
        return trace;
      } catch (e) {
        if (!(e instanceof RunFailed)) throw e;
        if (e.cancelled) return undefined;
        channel.append(e.message);
        channel.show(true);
        void vscode.window.showErrorMessage(
          e.problems.length ? 'Netstack: the scenario has errors (see Problems and the Netstack Trace output).' : `Netstack: the scenario did not run: ${e.message.split('\n')[0]}`,
        );
        return undefined;
      }
    }),
  );
}
