// The fidelity harness's command line (scripts/fidelity.js builds and runs this file).
//   npm run fidelity -- [FILES or DIRS] [--jobs N] [--no-drops]
//   npm run fidelity -- --generate N [--seed S] [--jobs J] [--keep DIR] [--exclude F,…] [--include F,…] [--no-shrink] [--shrink-budget R]
import { collectFiles, dropsLine, formatResult, kernelRelease, REFERENCE_KERNEL, runFidelity, summaryLine, unsupportedLine } from './harness';
import { FEATURES, OFF_BY_DEFAULT, parseFeatures, type Feature } from './generate/index';
import { runGenerated } from './generate/driver';
import { CI_GENERATED } from './generate/ci';
import { classesLines } from './generate/report';

const USAGE = `usage: npm run fidelity -- [FILES or DIRS] [--jobs N] [--no-drops]
       npm run fidelity -- --generate N [--seed S] [--jobs J] [--keep DIR] [--exclude F,...] [--include F,...] [--no-shrink] [--shrink-budget R] [--only I,...]
  --no-drops: do not compare where packets are dropped and why (the kfree_skb tracepoint through bpftrace)
  --generate N: N scenarios from the generator (src/fidelity/generate), seed S (default 1); one differing
    scenario per class of difference is shrunk (at most R kernel runs, default 60) and written to DIR
    (default test/fidelity/found) as gen-S-INDEX.yaml
  --only I,...: run (and shrink) only these scenarios of the N, e.g. to shrink one found earlier
  --exclude: generator features left out: ${Object.keys(FEATURES).join(', ')}
  --include: features that are off by default: ${OFF_BY_DEFAULT.join(', ')}; for CI's seeds (${CI_GENERATED.seeds.join(', ')}) also ${CI_GENERATED.exclude.join(', ')}
  (default: every scenario in examples/; needs root, iproute2, nftables, iptables, iputils-ping, tcpdump, python3, bpftrace)
`;

export async function main(argv: string[]): Promise<number> {
  let jobs = 4;
  let drops = true;
  let generate: number | undefined;
  let seed = 1;
  let keep = 'test/fidelity/found';
  let exclude: Feature[] = [];
  let include: Feature[] = [];
  let doShrink = true;
  let budget = 60;
  let only: number[] | undefined;
  const paths: string[] = [];
  const num = (s: string | undefined, what: string, min: number): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) throw new Error(`${what} takes a whole number${min > 0 ? ` of at least ${min}` : ''}`);
    return n;
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--jobs' || a === '-j') jobs = num(argv[++i], '--jobs', 1);
      else if (a === '--no-drops') drops = false;
      else if (a === '--drops') drops = true;
      else if (a === '--generate') generate = num(argv[++i], '--generate', 1);
      else if (a === '--seed') seed = num(argv[++i], '--seed', 0);
      else if (a === '--keep') keep = argv[++i] ?? '';
      else if (a === '--exclude') exclude = parseFeatures(argv[++i] ?? '');
      else if (a === '--include') include = parseFeatures(argv[++i] ?? '');
      else if (a === '--no-shrink') doShrink = false;
      else if (a === '--only') only = (argv[++i] ?? '').split(',').map((x) => num(x, '--only', 0));
      else if (a === '--shrink-budget') budget = num(argv[++i], '--shrink-budget', 1);
      else if (a === '-h' || a === '--help') {
        process.stdout.write(USAGE);
        return 0;
      } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
      else paths.push(a);
    }
    if (generate !== undefined && paths.length) throw new Error('--generate runs generated scenarios; give no files with it');
    if (!keep) throw new Error('--keep takes a directory');
  } catch (e) {
    process.stderr.write(`fidelity: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  process.stdout.write(`fidelity: running kernel ${kernelRelease()}; the model follows Linux ${REFERENCE_KERNEL}\n`);
  const t0 = Date.now();
  if (generate !== undefined) {
    const { results, shrunk, refused } = await runGenerated({ count: generate, seed, jobs, keep, drops, shrink: doShrink, budget, exclude, include, only, log, onResult: (r) => {
      for (const l of formatResult(r)) process.stdout.write(`${l}\n`);
      process.stdout.write(`    class: ${r.cls}\n`);
    } });
    if (refused) {
      process.stderr.write(`fidelity: refusing to run: ${refused}\n`);
      return 3;
    }
    process.stdout.write(`run time ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    for (const l of classesLines(results, shrunk)) process.stdout.write(`${l}\n`);
    const u = unsupportedLine(results);
    if (u) process.stdout.write(`${u}\n`);
    process.stdout.write(`${dropsLine(results)}\n`);
    process.stdout.write(`${summaryLine(results)}\n`);
    return results.every((r) => r.agree || r.unsupported) ? 0 : 1;
  }
  let files: string[];
  try {
    files = collectFiles(paths.length ? paths : ['examples']);
  } catch (e) {
    process.stderr.write(`fidelity: ${(e as Error).message}\n`);
    return 2;
  }
  const { results, refused } = await runFidelity(files, { jobs, drops, log });
  if (refused) {
    process.stderr.write(`fidelity: refusing to run: ${refused}\n`);
    return 3;
  }
  for (const r of results) for (const l of formatResult(r)) process.stdout.write(`${l}\n`);
  process.stdout.write(`run time ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const u = unsupportedLine(results);
  if (u) process.stdout.write(`${u}\n`);
  process.stdout.write(`${dropsLine(results)}\n`);
  process.stdout.write(`${summaryLine(results)}\n`);
  return results.every((r) => r.agree || r.unsupported) ? 0 : 1;
}
