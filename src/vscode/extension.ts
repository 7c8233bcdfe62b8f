// Activation: registers commands, views and providers. Nothing runs a scenario or reads a
// kernel tree until the user asks; activation is on a command, a C or YAML file, the Examples
// view, or a restored panel.
import * as vscode from 'vscode';
import { registerRunScenario } from './runScenario';
import { onDidShowTrace, registerDebugger } from './debugger/register';
import { registerKernelFeatures } from './kernel/register';
import { registerScenarioDiagnostics } from './scenarioDiagnostics';
import { registerExamplesView } from './examplesView';
import { registerExercises } from './exercises/register';
import { registerNewScenario } from './newScenario';

export function activate(context: vscode.ExtensionContext): void {
  const kernel = registerKernelFeatures(context);
  registerRunScenario(context, (trace) => kernel.setTrace(trace));
  registerScenarioDiagnostics(context);
  registerDebugger(context);
  context.subscriptions.push(onDidShowTrace((e) => kernel.setTrace(e.trace)));
  registerExamplesView(context);
  registerExercises(context);
  registerNewScenario(context);
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
