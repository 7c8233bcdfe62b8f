// The packet debugger panel: a thin adapter between a WebviewPanel and the controller core
// (src/debugger/session.ts). It sets the HTML (strict CSP, nonce), limits resources to dist/ and
// media/, forwards messages both ways (the core validates what arrives; the webview validates
// what it gets), and keeps the "debugger focused" context key for the keybindings.
import * as vscode from 'vscode';
import { DebuggerSession } from '../../debugger/session';
import type { HostToWebview, StepAction } from '../../protocol';
import { debuggerHtml } from './html';
import type { LoadedTrace } from './traces';

export const VIEW_TYPE = 'netstackExplorer.debugger';
export const FOCUS_CONTEXT = 'netstackExplorer.debuggerFocused';

export interface PanelDeps {
  extensionUri: vscode.Uri;
  log: (level: 'info' | 'warn' | 'error', s: string) => void;
  openSource: (fn: string, file: string | undefined) => Promise<string | undefined>;
  /** `panel` became active (or, undefined, `from` stopped being active) */
  onActive: (panel: DebuggerPanel | undefined, from: DebuggerPanel) => void;
}

export class DebuggerPanel implements vscode.Disposable {
  readonly session: DebuggerSession;
  private readonly disposables: vscode.Disposable[] = [];
  private isDisposed = false;

  get disposed(): boolean {
    return this.isDisposed;
  }

  static create(deps: PanelDeps, title: string): DebuggerPanel {
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, DebuggerPanel.options(deps.extensionUri));
    return new DebuggerPanel(panel, deps);
  }

  static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // view state lives in setState; no retainContextWhenHidden (docs/architecture.md conventions)
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
  ) {
    panel.webview.options = DebuggerPanel.options(deps.extensionUri);
    panel.iconPath = { light: vscode.Uri.joinPath(deps.extensionUri, 'media', 'debugger-light.svg'), dark: vscode.Uri.joinPath(deps.extensionUri, 'media', 'debugger.svg') };
    this.session = new DebuggerSession({ openSource: deps.openSource, log: deps.log });
    const view = { post: (m: HostToWebview) => void panel.webview.postMessage(m) };
    this.disposables.push({ dispose: this.session.attach(view) });
    this.disposables.push(panel.webview.onDidReceiveMessage((m: unknown) => void this.session.receive(view, m)));
    this.disposables.push(
      panel.onDidChangeViewState((e) => {
        deps.onActive(e.webviewPanel.active ? this : undefined, this);
      }),
    );
    this.disposables.push(panel.onDidDispose(() => this.dispose()));
    panel.webview.html = debuggerHtml(panel.webview, deps.extensionUri, panel.title);
    deps.onActive(panel.active ? this : undefined, this);
  }

  show(loaded: LoadedTrace, at?: Parameters<DebuggerSession['load']>[3]): void {
    this.panel.title = `Packet Debugger: ${loaded.title}`;
    this.session.load(loaded.trace, loaded.title, loaded.file, at);
    this.panel.reveal(undefined, false);
  }

  /** Tell the webview something went wrong (e.g. the scenario does not run). */
  error(message: string): void {
    void this.panel.webview.postMessage({ type: 'debugger/error', message } satisfies HostToWebview);
  }

  step(action: StepAction): void {
    this.session.step(action);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.deps.onActive(undefined, this);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
