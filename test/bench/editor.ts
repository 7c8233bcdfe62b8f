// Benchmark (issues 12 and 13): the extension host's event loop while a scenario of many traffic
// items is checked, once on the host's own thread (what diagnostics did before) and once in the
// scenario worker (src/vscode/worker) as the extension does now. Plain Node: the same worker
// script the extension bundles, compiled by `npm run compile-tests`.
import * as path from 'path';
import { performance } from 'perf_hooks';
import { work } from '../../src/vscode/worker/scenarioWorker';
import { ScenarioRunner } from '../../src/vscode/worker/runner';
import type { WorkRequest } from '../../src/vscode/worker/messages';

const ITEMS = Number(process.env.NETSTACK_BENCH_EDITOR_ITEMS || 20_000);

function scenario(items: number): string {
  const head = `name: bench editor
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
  server: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
links:
  - client:eth0 server:eth0
traffic:
`;
  const body: string[] = [];
  for (let i = 0; i < items; i++) body.push(`  - from: client\n    send: udp to 10.0.1.1:9000 from :${40000 + (i % 1000)} size 200\n`);
  return head + body.join('');
}

/**
 * The longest the event loop went without turning while `f` ran: the largest gap between the
 * ticks of a 10 ms timer (perf_hooks' histogram misses a block that starts before its first sample).
 */
async function watch(f: () => Promise<unknown> | unknown): Promise<{ ms: number; maxDelay: number }> {
  let last = performance.now();
  let gap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 10);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 30));
  await f();
  const ms = performance.now() - t0;
  // a few more turns so that a block at the very end is seen
  await new Promise((r) => setTimeout(r, 50));
  clearInterval(tick);
  return { ms, maxDelay: gap };
}

export async function benchEditor(): Promise<string> {
  const req: Omit<WorkRequest, 'id'> = { kind: 'problems', text: scenario(ITEMS), file: 'bench.yaml', source: { scheme: 'file', fsPath: '/tmp/bench.yaml' } };
  const sync = await watch(() => work({ ...req, id: 0 }));
  const runner = new ScenarioRunner(path.resolve(__dirname, '../../src/vscode/worker/scenarioWorker.js'), () => ({ wallMs: 600_000, memoryMb: 2048 }));
  try {
    const inWorker = await watch(async () => {
      const o = await runner.run('bench', req).done;
      if (o.status !== 'done') throw new Error(`worker run: ${o.status}`);
    });
    return [
      `editor: checking a scenario of ${ITEMS.toLocaleString('en')} traffic items (parse + setup), the host's event loop meanwhile:`,
      `  on the host's thread (before): ${(sync.ms / 1000).toFixed(1)} s, event loop blocked up to ${sync.maxDelay.toFixed(0)} ms`,
      `  in the scenario worker (now):  ${(inWorker.ms / 1000).toFixed(1)} s, event loop blocked up to ${inWorker.maxDelay.toFixed(0)} ms`,
    ].join('\n');
  } finally {
    runner.dispose();
  }
}

if (require.main === module) {
  benchEditor().then(
    (s) => console.log(s),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
