// Fidelity of the exercises: the reference solution of every fix task, and the scenario of every
// predict and find task, replayed on the running kernel and compared with the model. What a
// learner is graded against is then what Linux does, not only what the model says. Needs what
// test/fidelity/examples.test.ts needs (root, iproute2, nftables, iptables, bpftrace…).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dropsLine, formatResult, kernelRelease, runFidelity, summaryLine, type ScenarioResult } from '../../src/fidelity/harness';
import { preflight } from '../../src/fidelity/preflight';
import { loadAll } from '../../src/exercise/files';
import type { ScenarioRef } from '../../src/exercise/types';
import { skipOrFail } from '../skip';

const EXERCISES = path.join(__dirname, '..', '..', '..', 'exercises');

describe('fidelity: the exercises on the real kernel', function () {
  this.timeout(15 * 60 * 1000);
  const all = loadAll(EXERCISES);
  let tmp: string | undefined;
  /** scenario file → the exercises that grade against it */
  const users = new Map<string, string[]>();
  const fileOf = (ref: ScenarioRef, name: string): string => {
    if (ref.path) return path.resolve(ref.file);
    // an inline scenario: written out for the harness (it reads files)
    tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-exercises-'));
    const f = path.join(tmp, `${name}.yaml`);
    fs.writeFileSync(f, ref.text);
    return f;
  };
  for (const ex of all) {
    const ref = ex.kind === 'fix' ? ex.solution! : ex.scenario;
    const f = fileOf(ref, ex.id);
    users.set(f, [...(users.get(f) ?? []), ex.id]);
  }
  const files = [...users.keys()].sort();
  const results = new Map<string, ScenarioResult>();

  before(async function () {
    const refused = preflight();
    if (refused) skipOrFail(this, refused);
    const r = await runFidelity(files, { jobs: Number(process.env.NSX_FIDELITY_JOBS ?? 6) });
    if (r.refused) skipOrFail(this, r.refused);
    for (const x of r.results) results.set(x.file, x);
    console.log(`      kernel ${kernelRelease()}: ${summaryLine(r.results)}; ${dropsLine(r.results)}`);
    // a difference must reproduce: a scenario that differs runs once more and the second result
    // stands (a long run's last retransmission can fall at the edge of the drop tracer's window)
    const again = r.results.filter((x) => !x.unsupported && !x.agree).map((x) => x.file);
    if (again.length) {
      const r2 = await runFidelity(again, { jobs: 2 });
      for (const x of r2.results) results.set(x.file, x);
      console.log(`      run again: ${summaryLine(r2.results)}`);
    }
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const f of files) {
    it(`${path.relative(EXERCISES, f)} (${users.get(f)!.join(', ')})`, function () {
      const r = results.get(f);
      assert.ok(r, `no result for ${f}`);
      if (r.unsupported) skipOrFail(this, `not replayable on this kernel: ${r.unsupported}`);
      assert.ok(r.agree, formatResult(r).join('\n'));
    });
  }
});
