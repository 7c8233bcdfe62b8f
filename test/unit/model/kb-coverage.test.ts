// The knowledge base and the model must not drift apart: every kernel function a built-in
// example's trace names has a KB entry (so hovers and links work) and is a known model step
// (so the "modelled" CodeLens marks it), and the KB names the same file the trace names.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runExample, EXAMPLES } from './helpers';
import { runScenarioText } from '../../../src/scenario/run';
import { lookup } from '../../../src/kernel/kb';
import { MODEL_STEP_SET } from '../../../src/kernel/kb/steps';

/** the regression scenarios replayed on the kernel in CI: their steps need KB entries too */
const FOUND = path.resolve(EXAMPLES, '../test/fidelity/found');

describe('the KB covers every step of every example', () => {
  const names = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).map((f) => path.basename(f, '.yaml'));
  const found = fs.existsSync(FOUND) ? fs.readdirSync(FOUND).filter((f) => f.endsWith('.yaml')).map((f) => path.join(FOUND, f)) : [];
  const fns = new Map<string, string>();
  before(() => {
    for (const n of names) for (const e of runExample(n).events) fns.set(e.fn, e.file);
    for (const f of found) for (const e of runScenarioText(fs.readFileSync(f, 'utf8'), f, { readFile: (p) => fs.readFileSync(path.resolve(FOUND, p), 'utf8') }).events) fns.set(e.fn, e.file);
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
