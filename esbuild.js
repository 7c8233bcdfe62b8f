// One build per target: the extension host (Node, `vscode` external), its scenario worker
// thread (Node), the CLI (Node), the packet debugger webview and the exercise panel (browser). Type-checking is its own step (`npm run typecheck`), not esbuild's job.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
  legalComments: 'none',
};

const targets = [
  {
    ...common,
    entryPoints: ['src/vscode/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // the scenario worker thread the extension host starts (src/vscode/worker): its own bundle,
    // loaded by path with `new Worker`, so that the model runs off the host's thread
    ...common,
    entryPoints: ['src/vscode/worker/scenarioWorker.ts'],
    outfile: 'dist/scenarioWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/cli/netstack.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  {
    // the exercise task panel: the same component set, its own small bundle
    ...common,
    entryPoints: ['webview/exercise/main.ts'],
    outfile: 'dist/exercise.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

async function main() {
  if (watch) {
    for (const t of targets) (await esbuild.context(t)).watch();
    return;
  }
  await Promise.all(targets.map((t) => esbuild.build(t)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
