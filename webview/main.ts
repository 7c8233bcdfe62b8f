// Entry of the packet debugger webview (bundled to dist/webview.js). Browser code only.
import { App } from './app';

const api = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body;
const app = new App(root, api);
window.addEventListener('message', (e: MessageEvent) => app.receive(e.data));
window.addEventListener('error', (e) => api.postMessage({ type: 'debugger/log', level: 'error', message: String(e.message).slice(0, 2000) }));
// the handshake: the host sends nothing before this
api.postMessage({ type: 'debugger/ready' });
