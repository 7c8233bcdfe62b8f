// "Netstack: Run Scenario and Show Trace": runs the scenario of the active editor (or the file
// picked in the explorer) and prints the readable trace to an output channel.
import * as vscode from 'vscode';
import { runScenarioText } from '../scenario/run';
import { ScenarioError, ScenarioErrors } from '../scenario/types';
import { formatTrace } from '../cli/format';
import { scenarioReader } from './scenarioFiles';
import type { Trace } from '../model/trace';

export const RUN_COMMAND = 'netstackExplorer.runScenario';

export function registerRunScenario(context: vscode.ExtensionContext, onTrace: (t: Trace) => void): void {
  let channel: vscode.OutputChannel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(RUN_COMMAND, async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) {
        void vscode.window.showErrorMessage('Netstack: open a scenario file (.yaml) first.');
        return undefined;
      }
      const doc = await vscode.workspace.openTextDocument(target);
      channel ??= vscode.window.createOutputChannel('Netstack Trace');
      context.subscriptions.push(channel);
      channel.clear();
      try {
        const trace = runScenarioText(doc.getText(), vscode.workspace.asRelativePath(target), { readFile: scenarioReader(target) });
        channel.append(formatTrace(trace));
        channel.show(true);
        onTrace(trace);
        return trace;
      } catch (e) {
        if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
          channel.append(e.message);
          channel.show(true);
          void vscode.window.showErrorMessage(`Netstack: the scenario has errors (see Problems and the Netstack Trace output).`);
          return undefined;
        }
        throw e;
      }
    }),
  );
}
