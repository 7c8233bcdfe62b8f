// Activation: registers commands, views and providers. Nothing runs a scenario or reads a
// kernel tree until the user asks; activation is on a command, a C or YAML file, the Examples
// view, or a restored panel.
import * as vscode from 'vscode';
import { registerRunScenario } from './runScenario';
import { onDidShowTrace, registerDebugger } from './debugger/register';
import { registerKernelFeatures } from './kernel/register';
import { registerScenarioDiagnostics } from './scenarioDiagnostics';
import { registerExamplesView } from './examplesView';
import { createScenarioRunner } from './worker/host';
import { registerExercises } from './exercises/register';
import { registerNewScenario } from './newScenario';
import { registerReplay } from './replay/register';

export function activate(context: vscode.ExtensionContext): void {
  const kernel = registerKernelFeatures(context);
  // Scenarios run in worker threads, never here (issues 12 and 13): creating the runner starts no thread.
  const runner = createScenarioRunner(context);
  registerRunScenario(context, (trace) => kernel.setTrace(trace), runner);
  registerScenarioDiagnostics(context, runner);
  registerDebugger(context, runner);
  context.subscriptions.push(onDidShowTrace((e) => kernel.setTrace(e.trace, e.session)));
  registerExamplesView(context);
  registerExercises(context, runner);
  registerNewScenario(context);
  registerReplay(context, runner);
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
