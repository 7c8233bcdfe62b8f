// The harness's sender (src/fidelity/helper.ts, python3) run here on 127.0.0.1, outside any
// namespace: `tcp-many` starts a counted item's connects at its rate, overlapping, and answers
// with each one's result in order (gen-993000-4: connects one after another were compared with
// the model's overlapping ones).
import * as assert from 'assert';
import * as net from 'net';
import { spawn, spawnSync } from 'child_process';
import { PY_HELPER, pythonPath } from '../../../src/fidelity/helper';

function ask(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(pythonPath(), ['-c', PY_HELPER, 'sender']);
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        p.stdin.end();
        resolve(JSON.parse(out.split('\n')[0]) as Record<string, unknown>);
      }
    });
    p.on('error', reject);
    p.stdin.write(JSON.stringify(cmd) + '\n');
  });
}

describe('fidelity: the sender starts counted connects at their rate', function () {
  this.timeout(20000);
  before(function () {
    if (spawnSync(pythonPath(), ['--version']).status !== 0) {
      console.log('    skipped: no python3 (the fidelity harness needs it; CI installs it)');
      this.skip();
    }
  });

  it('starts them 1/R s apart without waiting for each to end, sends each one\'s data once it is connected, and answers every result in order', async () => {
    const got: { at: number; bytes: number }[] = [];
    const t0 = Date.now();
    const server = net.createServer((c) => {
      const me = { at: Date.now() - t0, bytes: 0 };
      got.push(me);
      c.on('data', (d) => (me.bytes += d.length));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const r = await ask({ op: 'tcp-many', daddr: '127.0.0.1', dport: port, data: 100, count: 3, rate: 10, timeout: 3 });
    await new Promise((res) => setTimeout(res, 200));
    server.close();
    assert.deepStrictEqual(r.results, [{ sent: 100 }, { sent: 100 }, { sent: 100 }]);
    assert.deepStrictEqual(
      got.map((g) => g.bytes),
      [100, 100, 100],
    );
    // started 1/10 s apart
    assert.ok(got[2].at - got[0].at >= 150, JSON.stringify(got));
  });

  it("gives each connect's own error: refused by a closed port", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    const r = await ask({ op: 'tcp-many', daddr: '127.0.0.1', dport: port, data: 0, count: 2, rate: 100, timeout: 2 });
    assert.deepStrictEqual(
      (r.results as { error: string }[]).map((x) => x.error),
      ['Connection refused', 'Connection refused'],
    );
  });
});
