#!/usr/bin/env node
// Part of `npm run lint`: the map in docs/architecture.md and the import rules in
// eslint.config.mjs must both name every folder of src/ and webview/, so a new part cannot
// appear without saying where it stands and what it may import.
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const root = path.join(__dirname, '..');
(async () => {
  const { MAP } = await import(pathToFileURL(path.join(root, 'eslint.config.mjs')).href);
  const doc = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  const folders = ['webview', ...fs.readdirSync(path.join(root, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`)];
  const problems = [];
  for (const f of folders) {
    if (!MAP[f]) problems.push(`${f}: no import rules in eslint.config.mjs (MAP)`);
    if (!doc.includes(`| \`${f}/\` |`)) problems.push(`${f}: no row in docs/architecture.md`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`check-map: ${p}`);
    process.exit(1);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
