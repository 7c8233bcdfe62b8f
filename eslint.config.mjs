// The map of docs/architecture.md, enforced: each folder imports only what its row there allows.
// Only src/vscode sees `vscode`; the trace contract, the model, the debugger logic the webview
// shares and the webview see no Node built-ins either. scripts/check-map.js fails the lint when a
// folder of src/ or webview/ has no row here or in docs/architecture.md, or when a row's "may
// import" names other parts than MAP allows.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'fs/promises', 'path', 'child_process', 'os', 'net', 'http', 'https', 'worker_threads', 'crypto'];
const nodeBanned = nodeBuiltins.flatMap((n) => [n, `node:${n}`]);

/** Import patterns naming a part of the project, matched against relative specifiers. */
const part = {
  trace: ['**/trace/**'],
  model: ['**/model/**'],
  // the scenario's types file is a part of its own: the goals may read it without the parser
  scenario: ['**/scenario/**', '!**/scenario/types'],
  scenarioTypes: ['**/scenario/types'],
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
export const PARTS = Object.keys(part);

/** Every part but the ones named. */
const allBut = (...not) => PARTS.filter((p) => !not.includes(p));

/**
 * folder (or file) → [the parts it may import, whether Node built-ins are banned]. Every other
 * part is banned; scripts/check-map.js checks these lists against the "may import" column of
 * docs/architecture.md.
 */
export const MAP = {
  'src/trace': [[], true],
  'src/model': [['trace'], true],
  'src/capture': [[], false],
  'src/scenario': [['trace', 'model', 'capture'], false],
  'src/kernel': [[], false],
  'src/debugger': [['trace', 'protocol'], true],
  'src/goals': [['trace', 'scenarioTypes', 'debugger'], true],
  'src/exercise': [['trace', 'goals', 'scenario', 'scenarioTypes', 'model', 'kernel', 'debugger'], false],
  'src/fidelity': [['trace', 'model', 'scenario', 'scenarioTypes', 'capture'], false],
  'src/cli': [allBut('vscode', 'webview'), false],
  'src/protocol.ts': [['trace'], true],
  'src/vscode': [allBut('webview', 'cli'), false],
  'webview': [['trace', 'protocol', 'debugger'], true],
};

/** The part a folder of the map is (its own imports are not banned), or undefined. */
const selfPart = (folder) => PARTS.find((p) => folder === `src/${p}` || folder === `src/${p}.ts` || folder === p);

const rulesFor = (folder, allowed, noNode) => ({
  files: folder.endsWith('.ts') ? [folder] : [`${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: folder === 'src/vscode' ? [] : ['vscode', ...(noNode ? nodeBanned : [])],
        patterns: PARTS.filter((p) => !allowed.includes(p) && p !== selfPart(folder)).map((p) => ({
          group: part[p],
          message: `${folder} may not import ${p === 'scenarioTypes' ? 'scenario/types' : p} (docs/architecture.md)`,
        })),
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
  ...Object.entries(MAP).map(([folder, [allowed, noNode]]) => rulesFor(folder, allowed, noNode)),
);
