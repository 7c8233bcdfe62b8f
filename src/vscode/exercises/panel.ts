// The exercise task panel beside the scenario: a webview (strict CSP, the debugger's page and
// component set) that shows the task, the hints shown so far and the last Check, and whose three
// buttons run the same commands as the CodeLens. Messages are validated on arrival (src/protocol.ts).
import * as vscode from 'vscode';
import { debuggerHtml } from '../debugger/html';
import { checkWebviewToHost, type ExerciseAction, type ExerciseView, type HostToWebview } from '../../protocol';

export const EXERCISE_VIEW_TYPE = 'netstackExplorer.exercise';

export class ExerciseTaskPanel implements vscode.Disposable {
  private view: ExerciseView | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    onAction: (id: string, action: ExerciseAction) => void,
    log: (s: string) => void,
    onDispose: () => void,
  ) {
    const w = panel.webview;
    w.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
    w.html = debuggerHtml(w, extensionUri, panel.title, 'exercise.css', 'exercise.js');
    this.disposables.push(
      w.onDidReceiveMessage((raw: unknown) => {
        const c = checkWebviewToHost(raw);
        if (!c.ok) return void this.post({ type: 'debugger/error', message: c.error });
        const m = c.message;
        if (m.type === 'exercise/ready') {
          this.ready = true;
          if (this.view) this.post({ type: 'exercise/show', view: this.view });
        } else if (m.type === 'exercise/action') {
          if (this.view) onAction(this.view.id, m.action);
        } else if (m.type === 'debugger/log') log(`exercise panel: ${m.message}`);
        else this.post({ type: 'debugger/error', message: `refused "${m.type}": the exercise panel handles only exercise messages` });
      }),
      panel.onDidDispose(() => {
        onDispose();
        this.dispose();
      }),
    );
  }

  static create(extensionUri: vscode.Uri, onAction: (id: string, action: ExerciseAction) => void, log: (s: string) => void, onDispose: () => void): ExerciseTaskPanel {
    const panel = vscode.window.createWebviewPanel(EXERCISE_VIEW_TYPE, 'Exercise', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, retainContextWhenHidden: false });
    return new ExerciseTaskPanel(panel, extensionUri, onAction, log, onDispose);
  }

  get exerciseId(): string | undefined {
    return this.view?.id;
  }

  show(view: ExerciseView): void {
    this.view = view;
    this.panel.title = `Exercise: ${view.title}`;
    if (this.ready) this.post({ type: 'exercise/show', view });
  }

  /** Change part of what is shown (the hints, the last check) for the exercise on show. */
  update(id: string, change: Partial<ExerciseView>): void {
    if (this.view?.id === id) this.show({ ...this.view, ...change });
  }

  private post(m: HostToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
