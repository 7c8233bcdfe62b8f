#!/usr/bin/env node
// A refactoring's proof of neutrality: runs every example and every exercise scenario through the
// built CLI (dist/cli.js, so `npm run build` first) and prints one sha256 per output: the JSON
// trace, the readable text, the pcapng of the frames sent, and each exercise checked against its
// solution. Run it before and after a change that must not change behaviour and diff the two:
//   node scripts/trace-digest.js > /tmp/before.txt   …change, build…
//   node scripts/trace-digest.js > /tmp/after.txt && diff /tmp/before.txt /tmp/after.txt
// The last line digests all the others, so one line says whether anything moved.
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error('trace-digest: dist/cli.js is missing; run `npm run build` first');
  process.exit(2);
}

const sha = (data) => crypto.createHash('sha256').update(data).digest('hex');
/** Runs the CLI; the exit status is part of what is digested, so a new failure shows. */
function run(args, tmp) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, maxBuffer: 1 << 30 });
  // the temporary folder's name changes from run to run; where an output names it, it is not news
  const out = (b) => (tmp ? Buffer.from(b.toString('latin1').split(tmp).join('<tmp>'), 'latin1') : b);
  return Buffer.concat([Buffer.from(`status ${r.status}\n`), out(r.stdout), Buffer.from('\n--stderr--\n'), out(r.stderr)]);
}

const yamlIn = (dir) =>
  fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f)) : [];
const exerciseDirs = fs.readdirSync(path.join(root, 'exercises'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const scenarios = [
  ...yamlIn(path.join(root, 'examples')),
  ...exerciseDirs.flatMap((d) => yamlIn(path.join(root, 'exercises', d, 'scenarios'))),
];

const lines = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-digest-'));
try {
  for (const file of scenarios) {
    const rel = path.relative(root, file);
    const pcap = path.join(tmp, 'out.pcapng');
    fs.rmSync(pcap, { force: true });
    const text = run(['trace', rel, '--pcap', pcap], tmp);
    const pcapBytes = fs.existsSync(pcap) ? fs.readFileSync(pcap) : Buffer.from('no pcap');
    lines.push(`${sha(run(['trace', rel, '--json']))}  json  ${rel}`);
    lines.push(`${sha(text)}  text  ${rel}`);
    lines.push(`${sha(pcapBytes)}  pcap  ${rel}`);
  }
  for (const d of exerciseDirs) {
    for (const file of yamlIn(path.join(root, 'exercises', d))) {
      const rel = path.relative(root, file);
      lines.push(`${sha(run(['exercise', 'check', rel, '--solution']))}  check  ${rel}`);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
for (const l of lines) console.log(l);
console.log(`${sha(lines.join('\n'))}  all  (${scenarios.length} scenarios, ${lines.length} outputs)`);
