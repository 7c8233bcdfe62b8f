// Benchmark (issue 12): peak memory of long runs, each in a child process of its own so that its
// peak resident set is its own: a capture of 100,000 frames replayed with the full trace, and one
// of 1,000,000 frames at the fates level (NETSTACK_BENCH_MEM_FULL_N, NETSTACK_BENCH_MEM_FATES_N).
// The full trace is then read as a user reads it: every event written by `--json`'s writer (one
// event a line) to a sink that drops the text, so the peak counts the reading, not only the run.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { parseScenario } from '../../src/scenario/parse';
import { runScenario } from '../../src/scenario/run';
import { fileChunks } from '../../src/capture/file';
import { traceJsonParts, writeParts } from '../../src/cli/stream';
import { eventCount } from '../../src/trace/read';
import type { RecordLevel } from '../../src/model/sim/recorder';
import { makeCapture, SCENARIO, UNLIMITED } from './capture';

const GB = 1e9;

/** In the child: replays `file` at `level`, writes a full trace's JSON to nowhere, and prints its figures as JSON. */
async function child(file: string, level: RecordLevel): Promise<void> {
  const dir = path.dirname(file);
  const sc = parseScenario(SCENARIO.replace('bench.pcapng', path.basename(file)), path.join(dir, 'bench.yaml'));
  const t0 = performance.now();
  const t = runScenario(sc, { level, budget: UNLIMITED, openCapture: (f) => fileChunks(path.join(dir, f)) });
  const ms = performance.now() - t0;
  const runRss = process.resourceUsage().maxRSS * 1024;
  let written = 0;
  let lines = 0;
  const t1 = performance.now();
  if (level === 'full') {
    await writeParts(traceJsonParts(t), {
      write: (s) => {
        written += s.length;
        for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) lines++;
        return true;
      },
      drain: async () => undefined,
    });
  }
  const writeMs = performance.now() - t1;
  const heap = process.memoryUsage().heapUsed;
  // maxRSS is in KiB
  console.log(JSON.stringify({ ms, writeMs, written, lines, packets: t.packets.length, events: eventCount(t), stopped: t.stopped?.message, heap, runRss, rss: process.resourceUsage().maxRSS * 1024 }));
}

function measure(dir: string, n: number, level: RecordLevel): string {
  const file = path.join(dir, `mem-${n}.pcapng`);
  if (!fs.existsSync(file)) makeCapture(file, n);
  const r = spawnSync(process.execPath, [__filename, 'child', file, level], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `  ${level}, ${n.toLocaleString('en')} frames: the run failed (${r.status ?? r.signal}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`;
  const f = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; writeMs: number; written: number; lines: number; packets: number; events: number; stopped?: string; heap: number; runRss: number; rss: number };
  const ok = f.rss < GB && !f.stopped;
  const read = level === 'full' ? `, then every event written as JSON lines to a null sink (${f.lines.toLocaleString('en')} lines, ${(f.written / GB).toFixed(2)} GB of text, ${(f.writeMs / 1000).toFixed(1)} s; peak after the run alone ${(f.runRss / GB).toFixed(2)} GB)` : '';
  return `  ${level === 'full' ? 'full trace' : 'fates only'}, ${n.toLocaleString('en')} frames (${f.events.toLocaleString('en')} events, ${(f.ms / 1000).toFixed(1)} s)${read}: peak RSS ${(f.rss / GB).toFixed(2)} GB, heap at the end ${(f.heap / GB).toFixed(2)} GB (goal < 1 GB: ${ok ? 'met' : 'NOT met'})${f.stopped ? `; stopped: ${f.stopped}` : ''}`;
}

export function benchMemory(): string {
  const fullN = Number(process.env.NETSTACK_BENCH_MEM_FULL_N ?? 100_000);
  const fatesN = Number(process.env.NETSTACK_BENCH_MEM_FATES_N ?? 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netstack-bench-memory-'));
  try {
    return [`memory: peak resident set of one replay, each in a child process`, measure(dir, fullN, 'full'), measure(dir, fatesN, 'fates')].join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  if (process.argv[2] === 'child')
    child(process.argv[3], process.argv[4] as RecordLevel).catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
  else console.log(benchMemory());
}
