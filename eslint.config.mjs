// The map of docs/architecture.md, enforced: each folder imports only what its row there allows.
// Only src/vscode sees `vscode`; the model, the debugger logic the webview shares and the webview
// see no Node built-ins either. scripts/check-map.js fails the lint when a folder of src/ or
// webview/ has no row here or in docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'fs/promises', 'path', 'child_process', 'os', 'net', 'http', 'https', 'worker_threads', 'crypto'];
const nodeBanned = nodeBuiltins.flatMap((n) => [n, `node:${n}`]);

/** Import patterns naming a part of the project, matched against relative specifiers. */
const part = {
  model: ['**/model/**', '!**/model/trace'],
  modelAll: ['**/model/**'],
  scenario: ['**/scenario/**', '**/scenario'],
  kernel: ['**/kernel/**', '**/kernel'],
  debugger: ['**/debugger/**'],
  exercise: ['**/exercise/**'],
  goals: ['**/goals/**', '**/goals'],
  capture: ['**/capture/**'],
  fidelity: ['**/fidelity/**'],
  cli: ['**/cli/**'],
  vscode: ['**/vscode/**'],
  protocol: ['**/protocol'],
  webview: ['**/webview/**'],
};

/** folder → [the parts it must not import, whether Node built-ins are banned] */
export const MAP = {
  'src/model': [['scenario', 'kernel', 'debugger', 'goals', 'exercise', 'capture', 'fidelity', 'cli', 'vscode', 'protocol', 'webview'], true],
  'src/capture': [['modelAll', 'scenario', 'kernel', 'debugger', 'goals', 'exercise', 'fidelity', 'cli', 'vscode', 'protocol', 'webview'], false],
  'src/scenario': [['kernel', 'debugger', 'goals', 'exercise', 'fidelity', 'cli', 'vscode', 'protocol', 'webview'], false],
  'src/kernel': [['modelAll', 'scenario', 'debugger', 'goals', 'exercise', 'capture', 'fidelity', 'cli', 'vscode', 'protocol', 'webview'], false],
  'src/debugger': [['model', 'scenario', 'kernel', 'goals', 'exercise', 'capture', 'fidelity', 'cli', 'vscode', 'webview'], true],
  'src/goals': [['kernel', 'exercise', 'capture', 'fidelity', 'cli', 'vscode', 'protocol', 'webview'], true],
  'src/exercise': [['capture', 'fidelity', 'cli', 'vscode', 'protocol', 'webview'], false],
  'src/fidelity': [['kernel', 'debugger', 'goals', 'exercise', 'cli', 'vscode', 'protocol', 'webview'], false],
  'src/cli': [['vscode', 'webview'], false],
  'src/vscode': [['webview'], false],
  'webview': [['model', 'scenario', 'kernel', 'goals', 'exercise', 'capture', 'fidelity', 'cli', 'vscode'], true],
};

const rulesFor = (folder, banned, noNode) => ({
  files: folder.endsWith('.ts') ? [folder] : [`${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: folder === 'src/vscode' ? [] : ['vscode', ...(noNode ? nodeBanned : [])],
        patterns: banned.map((p) => ({ group: part[p], message: `${folder} may not import ${p === 'modelAll' ? 'model' : p} (docs/architecture.md)` })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.vscode-test/**', 'esbuild.js', '*.mjs', 'scripts/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...Object.entries(MAP).map(([folder, [banned, noNode]]) => rulesFor(folder, banned, noNode)),
  rulesFor('src/protocol.ts', ['scenario', 'kernel', 'debugger', 'goals', 'exercise', 'capture', 'fidelity', 'cli', 'vscode', 'webview', 'model'], true),
);
