// Fidelity in CI: every example, every scenario of the regression folder test/fidelity/found/
// (fix-*.yaml from fixes, gen-*.yaml shrunk by the generator) and a fixed generated set
// (CI_GENERATED: 3 seeds × 50) replayed on the running kernel in network namespaces and compared
// with the model (src/fidelity), in one run (NSX_FIDELITY_JOBS at a time, default 8: the
// scenarios mostly wait). Needs root and iproute2, nftables, iptables, iputils-ping, tcpdump,
// python3 and bpftrace; without them the suite is skipped and says why.
// The known-open differences (test/fidelity/open.ts) must still differ: the found ones with their
// class, the generated ones at all.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { collectFiles, dropsLine, formatResult, kernelRelease, runFidelity, summaryLine, type ScenarioResult } from '../../src/fidelity/harness';
import { preflight } from '../../src/fidelity/preflight';
import { resultClasses } from '../../src/fidelity/generate/classify';
import { CI_GENERATED, generatedName } from '../../src/fidelity/generate/ci';
import { validGenerated } from '../../src/fidelity/generate/index';
import { render } from '../../src/fidelity/generate/scenario';
import { skipOrFail } from '../skip';
import { OPEN, OPEN_GENERATED } from './open';

const ROOT = path.join(__dirname, '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const FOUND = path.join(ROOT, 'test', 'fidelity', 'found');

describe('fidelity: the model against the real kernel', function () {
  this.timeout(60 * 60 * 1000);
  const examples = collectFiles([EXAMPLES]);
  const found = fs.existsSync(FOUND) ? collectFiles([FOUND]) : [];
  const genDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-ci-generated-'));
  const generated: string[] = [];
  for (const seed of CI_GENERATED.seeds) {
    for (let i = 0; i < CI_GENERATED.perSeed; i++) {
      const f = path.join(genDir, generatedName(seed, i));
      fs.writeFileSync(f, render(validGenerated(seed, i, { exclude: CI_GENERATED.exclude }).sc));
      generated.push(f);
    }
  }
  const results = new Map<string, ScenarioResult>();

  before(async function () {
    const refused = preflight();
    if (refused) skipOrFail(this, refused);
    const jobs = Number(process.env.NSX_FIDELITY_JOBS ?? 6);
    const t0 = Date.now();
    const r = await runFidelity([...examples, ...found, ...generated], { jobs });
    if (r.refused) skipOrFail(this, r.refused);
    for (const x of r.results) results.set(x.file, x);
    // A result against expectation must reproduce: such scenarios run once more, alone-ish, and
    // the second result stands (timing on a busy machine can move a rate limit or a timer).
    const expectsDiffer = (f: string): boolean => !!(OPEN[path.basename(f)] && found.includes(f)) || !!(OPEN_GENERATED[path.basename(f)] && generated.includes(f));
    const again = [...results.values()].filter((x) => !x.unsupported && x.agree === expectsDiffer(x.file)).map((x) => x.file);
    if (again.length) {
      const r2 = await runFidelity(again, { jobs: 2 });
      for (const x of r2.results) {
        if (x.agree !== results.get(x.file)?.agree) console.log(`      ${path.basename(x.file)}: ${x.agree ? 'agrees' : 'differs'} when run again (timing)`);
        results.set(x.file, x);
      }
      console.log(`      run again: ${again.length} scenarios against expectation; ${summaryLine(r2.results)}`);
    }
    console.log(`      kernel ${kernelRelease()}, ${jobs} jobs, ${((Date.now() - t0) / 1000).toFixed(0)} s: ${summaryLine(r.results)}; ${dropsLine(r.results)}`);
  });

  after(() => fs.rmSync(genDir, { recursive: true, force: true }));

  const agrees = (f: string) =>
    function (this: Mocha.Context) {
      const r = results.get(f);
      assert.ok(r, `no result for ${f}`);
      if (r.unsupported) skipOrFail(this, `not replayable on this kernel: ${r.unsupported}`);
      assert.ok(r.agree, formatResult(r).join('\n'));
    };

  describe('examples', () => {
    for (const f of examples) it(path.basename(f), agrees(f));
  });

  describe('the regression folder test/fidelity/found', () => {
    for (const f of found) {
      const open = OPEN[path.basename(f)];
      if (!open) it(path.basename(f), agrees(f));
      else
        it(`${path.basename(f)} (known open: ${open.cls})`, function () {
          const r = results.get(f);
          assert.ok(r, `no result for ${f}`);
          if (r.unsupported) skipOrFail(this, `not replayable on this kernel: ${r.unsupported}`);
          assert.ok(!r.agree, `${path.basename(f)} agrees now: take it off test/fidelity/open.ts and "Open differences" in docs/fidelity.md`);
          assert.ok(resultClasses(r).has(open.cls), `${path.basename(f)} still differs, but no longer with "${open.cls}":\n${formatResult(r).join('\n')}`);
        });
    }
    it('every known-open file is in the folder', () => {
      for (const name of Object.keys(OPEN)) assert.ok(found.some((f) => path.basename(f) === name), `test/fidelity/open.ts names ${name}, which is not in test/fidelity/found`);
    });
  });

  describe(`generated: seeds ${CI_GENERATED.seeds.join(', ')}, ${CI_GENERATED.perSeed} each`, () => {
    for (const f of generated) {
      const open = OPEN_GENERATED[path.basename(f)];
      if (!open) it(path.basename(f), agrees(f));
      else
        it(`${path.basename(f)} (known open: ${open})`, function () {
          const r = results.get(f);
          assert.ok(r, `no result for ${f}`);
          if (r.unsupported) skipOrFail(this, `not replayable on this kernel: ${r.unsupported}`);
          assert.ok(!r.agree, `${path.basename(f)} agrees now: take it off OPEN_GENERATED in test/fidelity/open.ts`);
        });
    }
  });
});
