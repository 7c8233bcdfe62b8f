// The knowledge base and the model must not drift apart: every kernel function a built-in
// example's trace names has a KB entry (so hovers and links work) and is a known model step
// (so the "modelled" CodeLens marks it), and the KB names the same file the trace names.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runExample, runScenarioFile, EXAMPLES } from './helpers';
import { lookup } from '../../../src/kernel/kb';
import { MODEL_STEP_SET } from '../../../src/kernel/kb/steps';

describe('the KB covers every step of every example', () => {
  const names = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).map((f) => path.basename(f, '.yaml'));
  const fns = new Map<string, string>();
  // the regression scenarios the kernel checks (test/fidelity/found) walk functions the examples do not
  const found = path.resolve(EXAMPLES, '../test/fidelity/found');
  const foundFiles = fs.existsSync(found) ? fs.readdirSync(found).filter((f) => f.endsWith('.yaml')).map((f) => path.join(found, f)) : [];
  before(() => {
    for (const n of names) for (const e of runExample(n).events) fns.set(e.fn, e.file);
    for (const f of foundFiles) for (const e of runScenarioFile(f).events) fns.set(e.fn, e.file);
  });

  it('has an entry, in the same file, for each function a trace names', () => {
    assert.ok(fns.size > 50, `only ${fns.size} functions`);
    const missing = [...fns].filter(([fn]) => !lookup(fn)).map(([fn, file]) => `${fn} (${file})`);
    assert.deepStrictEqual(missing, []);
    const elsewhere = [...fns].filter(([fn, file]) => lookup(fn) && lookup(fn)!.file !== file && !lookup(fn)!.file.startsWith('include/')).map(([fn, file]) => `${fn}: trace ${file}, KB ${lookup(fn)!.file}`);
    assert.deepStrictEqual(elsewhere, []);
  });

  it('lists each of them as a model step', () => {
    assert.deepStrictEqual([...fns.keys()].filter((fn) => !MODEL_STEP_SET.has(fn)), []);
  });
});
