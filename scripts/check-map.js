#!/usr/bin/env node
// Part of `npm run lint`: the map in docs/architecture.md and the import rules in
// eslint.config.mjs must both name every folder of src/ and webview/, so a new part cannot
// appear without saying where it stands and what it may import; and each row's "may import"
// column must say what the rule allows, so the page cannot promise one map while the lint
// holds another.
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const root = path.join(__dirname, '..');

/** A backquoted name of the "may import" column → the parts of eslint.config.mjs it stands for. */
function partsNamed(name, PARTS) {
  if (name === 'src/scenario/') return ['scenario', 'scenarioTypes'];
  if (name === 'src/scenario/types.ts') return ['scenarioTypes'];
  const m = /^(?:src\/)?([a-z]+)(?:\/|\.ts)$/.exec(name);
  return m && PARTS.includes(m[1]) ? [m[1]] : [];
}

/** The row of `entry` ("src/model" or "src/protocol.ts"), split into its cells, or undefined. */
function row(doc, entry) {
  const key = entry.endsWith('.ts') ? `| \`${entry}\` |` : `| \`${entry}/\` |`;
  const line = doc.split('\n').find((l) => l.startsWith(key));
  return line?.split('|').map((c) => c.trim()).filter((c, i, all) => i > 0 && i < all.length - 1);
}

(async () => {
  const { MAP, PARTS } = await import(pathToFileURL(path.join(root, 'eslint.config.mjs')).href);
  const doc = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  const folders = ['webview', ...fs.readdirSync(path.join(root, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`)];
  const problems = [];
  for (const f of folders) if (!MAP[f]) problems.push(`${f}: no import rules in eslint.config.mjs (MAP)`);
  for (const f of new Set([...folders, ...Object.keys(MAP)])) {
    const cells = row(doc, f);
    if (!cells) {
      problems.push(`${f}: no row in docs/architecture.md`);
      continue;
    }
    if (!MAP[f]) continue;
    const [allowed, noNode] = MAP[f];
    const mayImport = cells[2] ?? '';
    const named = [...mayImport.matchAll(/`([^`]+)`/g)].flatMap((m) => partsNamed(m[1], PARTS));
    const self = PARTS.find((p) => f === `src/${p}` || f === `src/${p}.ts` || f === p);
    const said = new Set(/^everything but\b/.test(mayImport) ? PARTS.filter((p) => !named.includes(p)) : named);
    said.delete(self);
    const rule = new Set(allowed.filter((p) => p !== self));
    const more = [...said].filter((p) => !rule.has(p));
    const less = [...rule].filter((p) => !said.has(p));
    if (more.length) problems.push(`${f}: docs/architecture.md allows ${more.join(', ')}, the lint does not`);
    if (less.length) problems.push(`${f}: the lint allows ${less.join(', ')}, docs/architecture.md does not say so`);
    if (/no Node built-ins/.test(mayImport) !== noNode)
      problems.push(`${f}: docs/architecture.md and the lint disagree on Node built-ins (MAP bans them: ${noNode})`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`check-map: ${p}`);
    process.exit(1);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
