// Activation: registers commands, views and providers. Nothing runs a scenario or reads a
// kernel tree until the user asks; activation is on a command, a C file, or a restored panel.
import * as vscode from 'vscode';
import { registerRunScenario } from './runScenario';
import { registerDebugger } from './debugger/register';
import { registerKernelFeatures } from './kernel/register';
import { registerScenarioDiagnostics } from './scenarioDiagnostics';

export function activate(context: vscode.ExtensionContext): void {
  const kernel = registerKernelFeatures(context);
  registerRunScenario(context, (trace) => kernel.setTrace(trace));
  registerScenarioDiagnostics(context);
  registerDebugger(context);
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
