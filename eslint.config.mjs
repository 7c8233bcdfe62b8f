// The map of DESIGN.md, enforced: only src/vscode sees `vscode`; the model (and the pure
// debugger logic the webview shares) sees no Node built-ins either; the webview sees neither.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'fs/promises', 'path', 'child_process', 'os', 'net', 'http', 'https', 'worker_threads', 'crypto'];
const nodeBanned = nodeBuiltins.flatMap((n) => [n, `node:${n}`]);

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.vscode-test/**', 'esbuild.js', '*.mjs', 'scripts/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/model/**/*.ts', 'src/debugger/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode', ...nodeBanned] }] },
  },
  {
    files: ['src/kernel/**/*.ts', 'src/scenario/**/*.ts', 'src/cli/**/*.ts', 'src/fidelity/**/*.ts', 'src/protocol.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'] }] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode', ...nodeBanned] }] },
  },
);
