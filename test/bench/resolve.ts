// Benchmark (issue 5): resolve every KB symbol in the full kernel tree, compared with
// universal-ctags indexing the same tree (`ctags -R`; about a minute and 1.3 GB of tags in the
// temp dir, removed afterwards; NETSTACK_BENCH_CTAGS=0 skips it). The lead wires benchResolve into `npm run bench`.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { hoverTargetAt } from '../../src/kernel/hover';
import { all } from '../../src/kernel/kb';
import { resolveTree } from '../../src/kernel/resolver';

const TREE = process.env.NETSTACK_KERNEL_SRC ?? '/usr/src/linux-source-6.12';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function ctagsBinary(): string | undefined {
  for (const bin of ['ctags-universal', 'universal-ctags', 'ctags']) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status === 0 && /Universal Ctags/i.test(r.stdout)) return bin;
  }
  return undefined;
}

/** How many KB symbols a tags file names in the expected file (fields: as members of their struct). */
async function ctagsAgreement(tagsFile: string): Promise<number> {
  const want = new Map<string, string>();
  for (const e of all()) want.set(e.kind === 'field' ? `${e.field}\u0000${e.struct}` : e.name, e.file);
  const hit = new Set<string>();
  // the tags file of the whole tree is over 512 MB: stream it
  const rl = readline.createInterface({ input: fs.createReadStream(tagsFile, { encoding: 'latin1' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line || line.startsWith('!')) continue;
    const [name, file] = line.split('\t', 2);
    const scope = /\tstruct:(?:[\w:]*::)?(\w+)/.exec(line)?.[1];
    const key = scope && want.has(`${name}\u0000${scope}`) ? `${name}\u0000${scope}` : name;
    if (want.get(key) === file) hit.add(key);
  }
  return hit.size;
}

export async function benchResolve(): Promise<string> {
  if (!fs.existsSync(path.join(TREE, 'net', 'core', 'dev.c'))) {
    return `resolve: skipped (no kernel tree at ${TREE}; set NETSTACK_KERNEL_SRC or install linux-source-6.12)`;
  }
  const n = all().length;
  const lines: string[] = [];
  const first = await resolveTree(TREE);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) runs.push((await resolveTree(TREE)).ms);
  lines.push(
    `resolve: ${n} KB symbols in ${TREE}: ${first.found.size} found, ${first.missing.length} missing, ` +
      `${first.filesRead} files read; first run ${first.ms.toFixed(1)} ms, then median ${median(runs).toFixed(1)} ms (5 runs)`,
  );

  // the hover path: a lookup per cursor position over net/core/dev.c
  const devc = fs.readFileSync(path.join(TREE, 'net/core/dev.c'), 'latin1').split('\n');
  let calls = 0;
  let hits = 0;
  const h0 = performance.now();
  for (const l of devc) {
    for (let c = 0; c < l.length; c += 2) {
      calls++;
      if (hoverTargetAt(l, c)) hits++;
    }
  }
  const hoverUs = ((performance.now() - h0) * 1000) / calls;
  lines.push(`hover lookup on net/core/dev.c: ${calls} positions, ${hits} on KB symbols, ${hoverUs.toFixed(2)} µs per lookup`);

  if (process.env.NETSTACK_BENCH_CTAGS === '0') {
    lines.push('ctags -R: skipped (NETSTACK_BENCH_CTAGS=0)');
    return lines.join('\n');
  }
  const ctags = ctagsBinary();
  if (!ctags) {
    lines.push('ctags -R: skipped (universal-ctags not installed; apt-get install -y universal-ctags)');
    return lines.join('\n');
  }
  const tags = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netstack-ctags-')), 'tags');
  const t0 = performance.now();
  const r = spawnSync(ctags, ['-R', '-f', tags, '.'], { cwd: TREE, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0 || !fs.existsSync(tags)) {
    lines.push(`ctags -R: failed (${r.status}): ${(r.stderr ?? '').slice(0, 200)}`);
  } else {
    const agree = await ctagsAgreement(tags);
    lines.push(
      `ctags -R (${ctags}) over the same tree: ${(ms / 1000).toFixed(1)} s, ${(fs.statSync(tags).size / 1e6).toFixed(0)} MB of tags; ` +
        `it lists ${agree}/${n} KB symbols in their expected file`,
    );
    lines.push(`resolve is ${(ms / median(runs)).toFixed(0)}x faster than indexing with ctags`);
  }
  fs.rmSync(path.dirname(tags), { recursive: true, force: true });
  return lines.join('\n');
}

if (require.main === module) {
  benchResolve().then(
    (s) => console.log(s),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
