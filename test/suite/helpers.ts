// Helpers for the extension-host tests (they run inside VS Code / code-server, `vscode` is real).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'netstack-explorer.netstack-explorer';

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded (extensionDevelopmentPath?)`);
  return ext;
}

/** The v6.12 kernel tree: $NETSTACK_KERNEL_SRC, else Debian's linux-source-6.12, else undefined. */
export function kernelSrc(): string | undefined {
  for (const dir of [process.env.NETSTACK_KERNEL_SRC, '/usr/src/linux-source-6.12']) {
    if (dir && fs.existsSync(path.join(dir, 'net', 'ipv4', 'ip_forward.c'))) return dir;
  }
  return undefined;
}

export const KERNEL_MISSING = 'skipped: no v6.12 kernel tree (apt-get install linux-source-6.12, extract it to /usr/src, or set NETSTACK_KERNEL_SRC)';

/** A folder the tests may write to: the first workspace folder, else a temp dir. */
export function scratchDir(): string {
  const ws = vscode.workspace.workspaceFolders?.[0];
  const dir = ws?.uri.scheme === 'file' ? ws.uri.fsPath : fs.mkdtempSync(path.join(os.tmpdir(), 'netstack-suite-'));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function examples(): vscode.Uri[] {
  const dir = path.join(extension().extensionPath, 'examples');
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => vscode.Uri.file(path.join(dir, f)));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `probe` returns something truthy; fail with `what` after `timeout` ms. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeout = 10_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The open packet debugger tabs (webview tabs of our view type). */
export function debuggerTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('netstackExplorer.debugger'));
}

export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** The text of a hover's contents. */
export function hoverText(h: vscode.Hover): string {
  return h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
}

/** The netstack diagnostics of a document. */
export function netstackDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'netstack');
}
