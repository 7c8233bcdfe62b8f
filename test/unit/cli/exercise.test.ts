// `netstack exercise list|check`: what a teacher grading in CI relies on (lines, exit codes).
import * as assert from 'assert';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { main } from '../../../src/cli/netstack';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const EX = path.join(__dirname, '..', '..', '..', '..', 'exercises');

describe('netstack exercise', () => {
  it('list: one exercise a line, its id first', async () => {
    const r = await run('exercise', 'list');
    assert.strictEqual(r.code, 0);
    const lines = r.out.split('\n');
    assert.ok(lines.length >= 30);
    assert.ok(lines.some((l) => /^input-not-forward\tfirewall\tfix\t/.test(l)));
  });

  it('check of a fix task: the start fails with its reason (exit 1), the solution passes (exit 0)', async () => {
    const start = await run('exercise', 'check', 'input-not-forward');
    assert.strictEqual(start.code, 1);
    assert.match(start.out, /FAIL goal 1: .*\n.*is consumed, not dropped/);
    assert.match(start.out, /expected: the SYN to the server's port 22 is dropped on the router/);
    const sol = await run('exercise', 'check', 'input-not-forward', '--solution');
    assert.strictEqual(sol.code, 0, sol.out);
    const mine = await run('exercise', 'check', path.join(EX, 'firewall', 'input-not-forward.yaml'), '--scenario', path.join(EX, 'firewall', 'scenarios', 'input-not-forward.solution.yaml'));
    assert.strictEqual(mine.code, 0, mine.out);
  });

  it('check of a predict task takes answers; a wrong one fails', async () => {
    const right = await run('exercise', 'check', 'ttl-exceeded', '--answer', 'who=router', '--answer', 'counter=yes', '--answer', 'reason=IP_INHDR');
    assert.strictEqual(right.code, 0, right.out);
    const wrong = await run('exercise', 'check', 'ttl-exceeded', '--answer', 'who=server', '--answer', 'counter=yes', '--answer', 'reason=IP_INHDR');
    assert.strictEqual(wrong.code, 1);
    assert.match(wrong.out, /FAIL q1 \(who\)/);
  });

  it('check of a find task takes a step, breakpoints or a function', async () => {
    assert.strictEqual((await run('exercise', 'check', 'find-ttl-decrement', '--at', '1')).code, 1);
    assert.strictEqual((await run('exercise', 'check', 'find-ttl-decrement', '--at', '0')).code, 2, 'event numbers count from 1');
    assert.strictEqual((await run('exercise', 'check', 'find-ttl-decrement', '--break', 'ip_forward')).code, 0);
    assert.strictEqual((await run('exercise', 'check', 'find-ttl-decrement', '--function', 'ip_forward')).code, 0);
    assert.strictEqual((await run('exercise', 'check', 'find-ttl-decrement', '--function', 'ip_rcv_core')).code, 1);
  });

  it("--scenario: a FIFO is refused, not waited on, and the learner's rules files stay in its folder", async () => {
    const fs = await import('fs');
    const os = await import('os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-ex-'));
    try {
      const fifo = path.join(dir, 'mine.yaml');
      execFileSync('mkfifo', [fifo]);
      const r = await run('exercise', 'check', 'forwarding-off', '--scenario', fifo);
      assert.strictEqual(r.code, 2);
      assert.match(r.err, /mine\.yaml is not a regular file/);
      fs.writeFileSync(path.join(dir, 'out.yaml'), 'name: x\nhosts:\n  a: |\n    nft -f /etc/passwd\ntraffic: []\n');
      const o = await run('exercise', 'check', 'forwarding-off', '--scenario', path.join(dir, 'out.yaml'));
      assert.strictEqual(o.code, 1);
      assert.match(o.err, /out\.yaml:4:\d+: .*\/etc\/passwd is outside the scenario's folder/);
      assert.ok(!o.err.includes('root:'), o.err);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an exercise file from anywhere: the scenarios it names are read only inside its folder', async () => {
    const fs = await import('fs');
    const os = await import('os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-ex-'));
    try {
      const ex = fs.readFileSync(path.join(EX, 'journeys', 'forwarding-off.yaml'), 'utf8');
      fs.writeFileSync(path.join(dir, 'x.yaml'), ex.replace(/^scenario: .*$/m, 'scenario: /etc/passwd').replace(/^solution: .*$/m, 'solution: ../outside.yaml'));
      const r = await run('exercise', 'check', path.join(dir, 'x.yaml'));
      assert.strictEqual(r.code, 1);
      assert.match(r.err, /x\.yaml:\d+:11: `scenario`: cannot read `\/etc\/passwd` \(\/etc\/passwd is outside the scenario's folder/);
      assert.match(r.err, /x\.yaml:\d+:11: `solution`: cannot read `\.\.\/outside\.yaml` \(.*is outside/);
      assert.ok(!r.err.includes('root:'), r.err);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage mistakes exit 2 with a message on stderr', async () => {
    assert.strictEqual((await run('exercise', 'check', 'no-such-exercise')).code, 2);
    assert.strictEqual((await run('exercise', 'check', 'ttl-exceeded', '--scenario', 'x.yaml')).code, 2);
    const r = await run('exercise', 'check', 'ttl-exceeded', '--at');
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /--at needs an event number/);
    assert.strictEqual((await run('exercise', 'frobnicate')).code, 2);
  });
});
