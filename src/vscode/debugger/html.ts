// A panel's HTML (see src/debugger/html.ts): a bundle from dist/ and a stylesheet from media/, with
// a fresh nonce. The packet debugger and the exercise task panel build their pages here.
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { debuggerPage, makeNonce } from '../../debugger/html';

export function debuggerHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, stylesheet = 'debugger.css', bundle = 'webview.js'): string {
  const bytes = randomBytes(32);
  let k = 0;
  const nonce = makeNonce(() => bytes[k++ % bytes.length] / 256);
  return debuggerPage({
    cspSource: webview.cspSource,
    nonce,
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', stylesheet)).toString(),
    scriptUris: [webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', bundle)).toString()],
    title,
  });
}
