// Problems for scenario files: every parse or setup error at its line and column, refreshed as
// the user types (debounced). A YAML file is treated as a scenario when it has `hosts:` and
// `traffic:` at the top level.
import * as vscode from 'vscode';
import { parseScenario } from '../scenario/parse';
import { buildWorld } from '../scenario/build';
import { ScenarioError, ScenarioErrors } from '../scenario/types';
import { scenarioReader } from './scenarioFiles';

const SCENARIO_SHAPE = /^hosts:/m;
const TRAFFIC_SHAPE = /^traffic:/m;

export function isScenarioText(text: string): boolean {
  return SCENARIO_SHAPE.test(text) && TRAFFIC_SHAPE.test(text);
}

export function scenarioProblems(text: string, file: string, readFile?: (p: string) => string): ScenarioError[] {
  try {
    buildWorld(parseScenario(text, file), 'fates', readFile);
    return [];
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors;
    if (e instanceof ScenarioError) return [e];
    throw e;
  }
}

export function registerScenarioDiagnostics(context: vscode.ExtensionContext): void {
  const diags = vscode.languages.createDiagnosticCollection('netstack');
  const timers = new Map<string, NodeJS.Timeout>();
  const refresh = (doc: vscode.TextDocument): void => {
    if (doc.languageId !== 'yaml' || !isScenarioText(doc.getText())) {
      diags.delete(doc.uri);
      return;
    }
    const list = scenarioProblems(doc.getText(), doc.uri.fsPath, scenarioReader(doc.uri)).map((e) => {
      const line = Math.max(0, e.pos.line - 1);
      const col = Math.max(0, e.pos.col - 1);
      const text = doc.lineAt(Math.min(line, doc.lineCount - 1)).text;
      const end = text.slice(col).search(/\s|$/);
      const d = new vscode.Diagnostic(new vscode.Range(line, col, line, col + Math.max(1, end)), e.detail, vscode.DiagnosticSeverity.Error);
      d.source = 'netstack';
      return d;
    });
    diags.set(doc.uri, list);
  };
  const later = (doc: vscode.TextDocument): void => {
    const k = doc.uri.toString();
    clearTimeout(timers.get(k));
    timers.set(k, setTimeout(() => refresh(doc), 250));
  };
  context.subscriptions.push(
    diags,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => later(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => diags.delete(d.uri)),
  );
  for (const d of vscode.workspace.textDocuments) refresh(d);
}
