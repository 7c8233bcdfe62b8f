// Every shipped exercise is proven: its checks fail on the untouched start (an unanswered or
// wrong answer, no position or a wrong one, the starting scenario) and pass on the reference.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkExercise } from '../../../src/exercise/check';
import { exerciseFiles, exercisesDir, loadAll, runRef, viewOf } from '../../../src/exercise/files';
import { TRACKS } from '../../../src/exercise/tracks';
import { matchingEvents, showValue } from '../../../src/goals';
import { kernelSrcOrSkip } from '../kernel/kernelSrc';

const ROOT = path.join(__dirname, '..', '..', '..', '..');

describe('exercises: every one fails at its start and passes on its reference', () => {
  const all = loadAll(path.join(ROOT, 'exercises'));

  it('are at least 30, at least 10 of them fix tasks, in all nine tracks', () => {
    assert.ok(all.length >= 30, `${all.length} exercises`);
    assert.ok(all.filter((e) => e.kind === 'fix').length >= 10);
    assert.deepStrictEqual([...new Set(all.map((e) => e.track))].sort(), TRACKS.map((t) => t.id).sort());
  });

  it('have unique ids, named like their files, and unique orders within a track', () => {
    const ids = all.map((e) => e.id);
    assert.deepStrictEqual(ids.filter((x, i) => ids.indexOf(x) !== i), []);
    for (const e of all) assert.strictEqual(path.basename(e.file, '.yaml'), e.id);
    const orders = all.map((e) => `${e.track}/${e.order}`);
    assert.deepStrictEqual(orders.filter((x, i) => orders.indexOf(x) !== i), []);
  });

  it('the shipped folder is found from the compiled code', () => {
    assert.strictEqual(exerciseFiles(exercisesDir()).length, all.length);
  });

  for (const ex of all) {
    describe(`${ex.track}/${ex.id} (${ex.kind})`, () => {
      if (ex.kind === 'predict') {
        it('every question has an answer computed from the trace, unlike each distractor', () => {
          const v = viewOf(runRef(ex.scenario));
          ex.questions.forEach((q, i) => {
            const want = showValue(q.answer, v);
            assert.ok(want !== 'nothing' && want !== '', `${q.id}: the answer expression computes nothing`);
            for (const d of q.distractors) {
              const r = checkExercise(ex, v, { answers: { [q.id]: d } });
              assert.strictEqual(r.results[i].pass, false, `${q.id}: the distractor "${d}" is the right answer (${want})`);
            }
          });
          assert.strictEqual(checkExercise(ex, v, {}).pass, false, 'unanswered passes');
          const right = Object.fromEntries(ex.questions.map((q) => [q.id, showValue(q.answer, v)]));
          assert.ok(checkExercise(ex, v, { answers: right }).pass, 'the computed answers fail');
          assert.ok(checkExercise(ex, v, { solution: true }).pass);
        });
      } else if (ex.kind === 'find') {
        it('the target is a step of the trace, and the first step is not it', () => {
          const v = viewOf(runRef(ex.scenario));
          const hits = matchingEvents(ex.target!, v);
          assert.ok(hits.length > 0, 'the target matches no step');
          assert.strictEqual(checkExercise(ex, v, {}).pass, false);
          assert.strictEqual(checkExercise(ex, v, { at: 0 }).pass, false, 'step 0 passes');
          assert.ok(checkExercise(ex, v, { at: hits[0] }).pass);
          assert.ok(checkExercise(ex, v, { solution: true }).pass);
          assert.ok(checkExercise(ex, v, { fn: String(v.fieldAt(hits[0], 'fn')) }).pass);
        });
      } else {
        it('the starting scenario fails a goal, with a reason; the solution passes all', () => {
          const start = checkExercise(ex, viewOf(runRef(ex.scenario)), { mine: ex.scenario });
          assert.strictEqual(start.pass, false, 'the starting scenario already passes');
          for (const r of start.results.filter((x) => !x.pass)) assert.ok(r.why.length >= 2, `${r.name} fails without a reason`);
          // the reference changes only what the task lets the learner change
          const sol = checkExercise(ex, viewOf(runRef(ex.solution!)), { mine: ex.solution });
          assert.ok(sol.pass, sol.results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.why.join('; ')}`).join('\n'));
        });
      }
    });
  }
});

describe('exercises: kernel pointers against the v6.12 tree', function () {
  it('every pointer names a file that defines the function', function () {
    const tree = kernelSrcOrSkip(this);
    const wrong: string[] = [];
    for (const ex of loadAll(path.join(ROOT, 'exercises'))) {
      for (const k of ex.kernel) {
        const p = path.join(tree, k.file);
        const text = fs.existsSync(p) ? fs.readFileSync(p, 'latin1') : '';
        // a definition: a top-level line (return type first, no indentation) naming the
        // function, whose parameter list is followed by a body `{`, not by `;` (a prototype)
        const def = new RegExp(`^\\w[^;=()\\n]*[\\s*]${k.function}\\(`, 'gm');
        const defined = [...text.matchAll(def)].some((m) => {
          const rest = text.slice(m.index);
          const brace = rest.indexOf('{');
          const semi = rest.indexOf(';');
          return brace >= 0 && (semi < 0 || brace < semi);
        });
        if (!text || !defined) wrong.push(`${ex.id}: ${k.file} ${k.function}`);
      }
    }
    assert.deepStrictEqual(wrong, []);
  });
});
