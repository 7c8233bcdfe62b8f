// "New Scenario": an untitled YAML document with a commented, runnable scenario.
import * as vscode from 'vscode';
import { SCENARIO_TEMPLATE } from '../scenario/template';

export const NEW_SCENARIO = 'netstackExplorer.newScenario';

export function registerNewScenario(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(NEW_SCENARIO, async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: SCENARIO_TEMPLATE });
      await vscode.window.showTextDocument(doc);
    }),
  );
}
