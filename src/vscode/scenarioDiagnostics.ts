// Problems for scenario files: every parse or setup error at its line and column, refreshed as
// the user types (debounced), computed in the scenario worker. A YAML file is treated as a scenario when it has `hosts:` and
// `traffic:` at the top level.
import * as vscode from 'vscode';
import * as path from 'path';
import type { WorkProblem } from './worker/messages';
import type { ScenarioRunner } from './worker/runner';
import { progressAfterASecond, sourceOf, stoppedText } from './worker/host';
import { UNTRUSTED_WHY } from './trust';

const SCENARIO_SHAPE = /^hosts:/m;
const TRAFFIC_SHAPE = /^traffic:/m;

export function isScenarioText(text: string): boolean {
  return SCENARIO_SHAPE.test(text) && TRAFFIC_SHAPE.test(text);
}

/** Where a message about the whole file goes: its first line. */
function fileDiagnostic(doc: vscode.TextDocument, message: string, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, Math.max(1, doc.lineAt(0).text.length)), message, severity);
  d.source = 'netstack';
  return d;
}

/**
 * Checks run in the scenario worker (src/vscode/worker), never on the extension host's thread: an
 * edit cancels the check of the previous text at once and starts a new one after a pause in the
 * typing; closing the file cancels its check; a check over its budget says so on line 1.
 */
export function registerScenarioDiagnostics(context: vscode.ExtensionContext, runner: ScenarioRunner): void {
  const diags = vscode.languages.createDiagnosticCollection('netstack');
  const timers = new Map<string, NodeJS.Timeout>();
  const keyOf = (doc: vscode.TextDocument): string => `problems:${doc.uri.toString()}`;
  const refresh = (doc: vscode.TextDocument): void => {
    if (doc.isClosed) return;
    const text = doc.getText();
    if (doc.languageId !== 'yaml' || !isScenarioText(text)) {
      runner.cancel(keyOf(doc));
      diags.delete(doc.uri);
      return;
    }
    if (!vscode.workspace.isTrusted) {
      diags.set(doc.uri, [fileDiagnostic(doc, UNTRUSTED_WHY, vscode.DiagnosticSeverity.Information)]);
      return;
    }
    const run = runner.run(keyOf(doc), { kind: 'problems', text, file: doc.uri.fsPath, source: sourceOf(doc.uri) });
    progressAfterASecond(run, `Netstack: checking ${path.basename(doc.uri.path)}`, vscode.ProgressLocation.Window);
    void run.done.then((o) => {
      if (doc.isClosed || o.status === 'cancelled') return;
      if (o.status !== 'done') {
        diags.set(doc.uri, [fileDiagnostic(doc, `Netstack could not check this scenario: ${stoppedText(o)}.`, vscode.DiagnosticSeverity.Warning)]);
        return;
      }
      const r = o.reply;
      if (r.ok && r.kind === 'problems') diags.set(doc.uri, r.problems.map((e) => toDiagnostic(doc, e)));
      else if (!r.ok && 'internal' in r) diags.set(doc.uri, [fileDiagnostic(doc, `Netstack: internal error in the model (please report it): ${r.internal.split('\n')[0]}`, vscode.DiagnosticSeverity.Error)]);
    });
  };
  const later = (doc: vscode.TextDocument): void => {
    const k = doc.uri.toString();
    // the text being checked is out of date: stop now, check the new one once the typing pauses
    runner.cancel(keyOf(doc));
    clearTimeout(timers.get(k));
    timers.set(k, setTimeout(() => refresh(doc), 250));
  };
  const closed = (doc: vscode.TextDocument): void => {
    runner.cancel(keyOf(doc));
    clearTimeout(timers.get(doc.uri.toString()));
    timers.delete(doc.uri.toString());
    diags.delete(doc.uri);
  };
  context.subscriptions.push(
    diags,
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) later(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument(closed),
    vscode.workspace.onDidGrantWorkspaceTrust(() => vscode.workspace.textDocuments.forEach(refresh)),
  );
  // after activation has returned: activation itself starts no check
  setTimeout(() => vscode.workspace.textDocuments.forEach(refresh), 0);
}

function toDiagnostic(doc: vscode.TextDocument, e: WorkProblem): vscode.Diagnostic {
  // the text may have changed since the check began: stay inside the document
  const line = Math.min(Math.max(0, e.pos.line - 1), doc.lineCount - 1);
  const col = Math.max(0, e.pos.col - 1);
  const text = doc.lineAt(line).text;
  const end = text.slice(col).search(/\s|$/);
  const d = new vscode.Diagnostic(new vscode.Range(line, col, line, col + Math.max(1, end)), e.detail, vscode.DiagnosticSeverity.Error);
  d.source = 'netstack';
  return d;
}
