// A short fuzz in `npm test` (a few hundred inputs per property, fixed seeds so a failure repeats);
// `npm run fuzz` runs the same properties for a million inputs (test/fuzz/long.ts).
import * as fc from 'fast-check';
import { props } from './properties';

const RUNS: Record<keyof typeof props, number> = { setupOnly: 300, setupLine: 150, rulesFile: 100, scenario: 100, anyText: 200, codecs: 2000 };

describe('fuzz: no input makes the parser, the runner or the codecs fail other than with a positioned error', function () {
  this.timeout(120_000);
  for (const [name, prop] of Object.entries(props) as [keyof typeof props, fc.IPropertyWithHooks<unknown[]>][]) {
    it(`${name}: ${RUNS[name]} inputs`, () => {
      fc.assert(prop, { numRuns: RUNS[name], seed: 13 });
    });
  }
});
