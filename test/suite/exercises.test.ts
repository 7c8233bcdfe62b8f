// Exercises inside a real extension host: open a fix task, Check fails with its reason as a
// diagnostic, the edited scenario passes, the status bar and progress follow.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { closeAll, extension, waitFor } from './helpers';

interface Report {
  pass: boolean;
  results: { name: string; pass: boolean; why: string[] }[];
}

describe('Exercises in the extension host', () => {
  after(closeAll);

  it('a fix task: the start fails with its reason, the edited scenario passes', async () => {
    await extension().activate();
    await vscode.commands.executeCommand('netstackExplorer.exercise.resetProgress');
    await vscode.commands.executeCommand('netstackExplorer.exercise.open', 'input-not-forward');
    const editor = await waitFor('the scenario copy to open', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(path.join('input-not-forward', 'input-not-forward.yaml'))));
    const doc = editor.document;
    // a copy from an earlier run may be edited already: start from the exercise's own start
    const start = fs.readFileSync(path.join(extension().extensionPath, 'exercises', 'firewall', 'scenarios', 'input-not-forward.start.yaml'), 'utf8');
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    let edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, whole, start);
    await vscode.workspace.applyEdit(edit);

    const failing = (await vscode.commands.executeCommand('netstackExplorer.exercise.check', 'input-not-forward')) as Report;
    assert.strictEqual(failing.pass, false);
    assert.match(failing.results[0].why.join('\n'), /is consumed, not dropped/);
    const exFile = vscode.Uri.file(path.join(extension().extensionPath, 'exercises', 'firewall', 'input-not-forward.yaml'));
    const diags = vscode.languages.getDiagnostics(exFile).filter((d) => d.source === 'netstack exercise');
    assert.strictEqual(diags.length, 1);
    assert.match(diags[0].message, /goal 1 fails/);

    edit = new vscode.WorkspaceEdit();
    const fixed = start.replace("chain ip filter input '{ type filter hook input", "chain ip filter forward '{ type filter hook forward").replace('rule ip filter input tcp', 'rule ip filter forward tcp');
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), fixed);
    await vscode.workspace.applyEdit(edit);
    const passing = (await vscode.commands.executeCommand('netstackExplorer.exercise.check', 'input-not-forward')) as Report;
    assert.ok(passing.pass, JSON.stringify(passing.results));
    assert.deepStrictEqual(vscode.languages.getDiagnostics(exFile).filter((d) => d.source === 'netstack exercise'), []);
  });
});
