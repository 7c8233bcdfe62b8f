// The panel's HTML (see src/debugger/html.ts): the bundle from dist/, the stylesheet from media/.
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { debuggerPage, makeNonce } from '../../debugger/html';

export function debuggerHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const bytes = randomBytes(32);
  let k = 0;
  const nonce = makeNonce(() => bytes[k++ % bytes.length] / 256);
  return debuggerPage({
    cspSource: webview.cspSource,
    nonce,
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'debugger.css')).toString(),
    scriptUris: [webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString()],
    title,
  });
}
