// The scenario worker and its runner (issues 12 and 13), in plain Node: scenarios are checked and
// run in a worker thread; a newer run of the same document ends the older; a run over its
// wall-time or memory budget is ended, with the limit named; runs beyond the pool wait their turn.
import * as assert from 'assert';
import * as path from 'path';
import { ScenarioRunner, type Budget, type Outcome } from '../../../src/vscode/worker/runner';
import type { WorkRequest } from '../../../src/vscode/worker/messages';

// tsc puts the worker next to this test's sources under out/
const SCRIPT = path.resolve(__dirname, '../../../src/vscode/worker/scenarioWorker.js');

const HEAD = `name: runner test
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
  server: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
links:
  - client:eth0 server:eth0
listen:
  - server: udp 9000
traffic:
`;
const item = (i: number): string => `  - from: client\n    send: udp to 10.0.1.1:9000 from :${40000 + (i % 1000)} size 100\n`;
const scenario = (n: number, tail = ''): string => HEAD + Array.from({ length: n }, (_, i) => item(i)).join('') + tail;
const req = (text: string, kind: WorkRequest['kind'] = 'problems'): Omit<WorkRequest, 'id'> => ({ kind, text, file: '/tmp/runner-test.yaml', source: { scheme: 'file', fsPath: '/tmp/runner-test.yaml' } });

describe('scenario runner (worker threads)', function () {
  this.timeout(60_000);
  let budget: Budget = { wallMs: 30_000, memoryMb: 512 };
  let runner: ScenarioRunner;
  beforeEach(() => {
    budget = { wallMs: 30_000, memoryMb: 512 };
    runner = new ScenarioRunner(SCRIPT, () => budget, 2);
  });
  afterEach(() => runner.dispose());

  const done = (o: Outcome) => {
    assert.strictEqual(o.status, 'done', JSON.stringify(o).slice(0, 300));
    return (o as Extract<Outcome, { status: 'done' }>).reply;
  };

  it('checks a scenario in a worker: its errors with their positions, none for a good one', async () => {
    const bad = done(await runner.run('a', req(scenario(2, '  - from: client\n    send: udp to 10.0.1.1:9000 frobnicate\n'))).done);
    assert.ok(bad.ok && bad.kind === 'problems');
    if (bad.ok && bad.kind === 'problems') {
      assert.strictEqual(bad.problems.length, 1);
      assert.deepStrictEqual([bad.problems[0].pos.line, bad.problems[0].pos.col], [19, 32]);
      assert.match(bad.problems[0].detail, /frobnicate/);
      assert.strictEqual(bad.problems[0].pos.file, '/tmp/runner-test.yaml');
    }
    const good = done(await runner.run('a', req(scenario(2))).done);
    assert.ok(good.ok && good.kind === 'problems' && good.problems.length === 0);
  });

  it('runs the traffic with the full trace and sends the trace back', async () => {
    const r = done(await runner.run('t', req(scenario(3), 'trace')).done);
    assert.ok(r.ok && r.kind === 'trace');
    if (r.ok && r.kind === 'trace') {
      assert.strictEqual(r.trace.packets.filter((p) => p.fate.kind === 'delivered').length, 3, JSON.stringify(r.trace.packets.map((p) => p.fate)));
      assert.ok(r.trace.events.some((e) => e.fn === '__udp4_lib_rcv'));
    }
  });

  it('a newer run of the same document ends the older one; another document is not touched', async () => {
    const big = scenario(20_000);
    const first = runner.run('doc', req(big, 'trace'));
    const other = runner.run('other', req(scenario(1)));
    await new Promise((r) => setTimeout(r, 100));
    const second = runner.run('doc', req(scenario(1)));
    assert.strictEqual((await first.done).status, 'cancelled');
    done(await second.done);
    done(await other.done);
  });

  it('ends a run over its wall-time budget, naming it', async () => {
    budget = { wallMs: 300, memoryMb: 512 };
    const o = await runner.run('slow', req(scenario(20_000), 'trace')).done;
    assert.deepStrictEqual(o, { status: 'budget', limit: 'wall', ms: 300 });
    // the runner goes on working after it
    budget = { wallMs: 30_000, memoryMb: 512 };
    done(await runner.run('slow', req(scenario(1))).done);
  });

  it('ends a run over its memory budget, naming it', async () => {
    budget = { wallMs: 60_000, memoryMb: 16 };
    const o = await runner.run('fat', req(scenario(5_000), 'trace')).done;
    assert.deepStrictEqual(o, { status: 'budget', limit: 'memory', mb: 16 });
  });

  it('runs beyond the pool wait, and a waiting run can be cancelled before it starts', async () => {
    const a = runner.run('1', req(scenario(1_500)));
    const b = runner.run('2', req(scenario(1_500)));
    const c = runner.run('3', req(scenario(1)));
    assert.strictEqual(runner.pending, 3);
    runner.cancel('3');
    assert.strictEqual((await c.done).status, 'cancelled');
    done(await a.done);
    done(await b.done);
    assert.strictEqual(runner.pending, 0);
  });
});
