// `npm run fuzz [-- TOTAL [SEED]]`: the properties of test/unit/fuzz/properties.ts on TOTAL inputs
// (1,000,000 by default), shared among them by weight. Prints each property's count, its time and
// every counterexample (kept in test/unit/fuzz/regressions.test.ts once found).
import * as fc from 'fast-check';
import { props } from '../unit/fuzz/properties';

// the codecs cost microseconds, a whole run milliseconds: the shares keep a million inputs within an hour on a busy machine
const WEIGHTS: Record<keyof typeof props, number> = { codecs: 0.85, setupOnly: 0.11, setupLine: 0.015, rulesFile: 0.01, scenario: 0.01, anyText: 0.005 };

function main(): number {
  const total = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
  const chunk = 5_000;
  console.log(`fuzz: ${total} inputs, seed ${seed}`);
  let defects = 0;
  let done = 0;
  const t0 = Date.now();
  for (const [name, w] of Object.entries(WEIGHTS) as [keyof typeof props, number][]) {
    const n = Math.round(total * w);
    const start = Date.now();
    // in chunks, each with its own seed, so that progress shows and one failure does not end the run
    for (let k = 0; k * chunk < n; k++) {
      const runs = Math.min(chunk, n - k * chunk);
      const r = fc.check(props[name] as fc.IProperty<unknown[]>, { numRuns: runs, seed: seed + k, endOnFailure: true });
      done += r.numRuns;
      if (k % 10 === 9) console.log(`  ${name}: ${(k + 1) * chunk} of ${n} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      if (r.failed) {
        defects++;
        console.log(`DEFECT in ${name} (seed ${seed + k}, path ${r.counterexamplePath}): ${JSON.stringify(r.counterexample)}\n${String(r.errorInstance instanceof Error ? r.errorInstance.stack : r.errorInstance)}`);
      }
    }
    console.log(`${name}: ${n} inputs in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  }
  console.log(`fuzz: ${done} inputs, ${defects} defects, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return defects ? 1 : 0;
}

process.exitCode = main();
