// The fidelity harness's command line (scripts/fidelity.js builds and runs this file).
//   npm run fidelity -- [FILES or DIRS] [--jobs N] [--no-drops]
import { collectFiles, dropsLine, formatResult, kernelRelease, REFERENCE_KERNEL, runFidelity, summaryLine, unsupportedLine } from './harness';

export async function main(argv: string[]): Promise<number> {
  let jobs = 4;
  let drops = true;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--jobs' || argv[i] === '-j') jobs = Number(argv[++i]);
    else if (argv[i] === '--no-drops') drops = false;
    else if (argv[i] === '--drops') drops = true;
    else if (argv[i] === '-h' || argv[i] === '--help') {
      process.stdout.write('usage: npm run fidelity -- [FILES or DIRS] [--jobs N] [--no-drops]\n  --no-drops: do not compare where packets are dropped and why (the kfree_skb tracepoint through bpftrace)\n  (default: every scenario in examples/; needs root, iproute2, nftables, iptables, iputils-ping, tcpdump, python3, bpftrace)\n');
      return 0;
    } else paths.push(argv[i]);
  }
  if (!Number.isInteger(jobs) || jobs < 1) {
    process.stderr.write('fidelity: --jobs takes a positive number\n');
    return 2;
  }
  let files: string[];
  try {
    files = collectFiles(paths.length ? paths : ['examples']);
  } catch (e) {
    process.stderr.write(`fidelity: ${(e as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`fidelity: running kernel ${kernelRelease()}; the model follows Linux ${REFERENCE_KERNEL}\n`);
  const t0 = Date.now();
  const { results, refused } = await runFidelity(files, { jobs, drops, log: (s) => process.stderr.write(`${s}\n`) });
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
