// Entry of the exercise task panel (bundled to dist/exercise.js). Browser code only.
import { ExercisePanel } from './view';

const api = acquireVsCodeApi();
const panel = new ExercisePanel(document.getElementById('app') ?? document.body, api);
window.addEventListener('message', (e: MessageEvent) => panel.receive(e.data));
window.addEventListener('error', (e) => api.postMessage({ type: 'debugger/log', level: 'error', message: String(e.message).slice(0, 2000) }));
api.postMessage({ type: 'exercise/ready' });
