#!/usr/bin/env node
// npm run fidelity -- [FILES or DIRS]: bundles src/fidelity/main.ts with esbuild (a temporary
// file, removed at exit) and runs it. See src/fidelity/harness.ts.
const esbuild = require('esbuild');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-fidelity-build-'));
const out = path.join(dir, 'fidelity.js');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
esbuild.buildSync({ entryPoints: [path.join(__dirname, '..', 'src', 'fidelity', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
require(out)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
