// Checking an exercise: predict answers against values computed from the model's trace at check
// time, find positions against the target condition, fix scenarios against the goals. Pure: the
// caller runs scenarios (runScenario with its file reader) and hands the traces in.
import { eventNumber } from '../debugger/eventNumber';
import { equal, judge, matchingEvents, eventMatches, compileGoal, GoalSyntaxError, parseAnswer, showValue, valueOf, show } from '../goals';
import type { TraceView } from '../goals';
import type { SourcePos } from '../scenario/types';
import { DEFAULT_CHANGE, keptDifferences } from './keep';
import type { Exercise } from './types';

export interface CheckInput {
  /** predict: question id (or 1-based number) → the learner's answer */
  answers?: Record<string, string>;
  /** find: the debugger's current step (event index) */
  at?: number;
  /** find: breakpoint conditions the learner set; the first step they stop at is the answer */
  breakpoints?: string[];
  /** find: the kernel function the learner's cursor is in */
  fn?: string;
  /** check the reference answer / solution instead of the learner's */
  solution?: boolean;
  /** fix: the scenario judged (the learner's edit or the solution), to check it kept what the task keeps */
  mine?: { text: string; file: string };
}

export interface CheckResult {
  /** "q1", "goal 2", "target" */
  name: string;
  pass: boolean;
  /** what was asked or expected */
  text: string;
  /** why it failed, from the trace */
  why: string[];
  /** where in the exercise the check is written */
  pos: SourcePos;
  /** the scenario lines (netfilter rules) that decided a failing goal */
  decidedAt: { file: string; line: number; col: number }[];
  /** predict: the right answer, told only with --solution or after a correct one */
  expected?: string;
  /** predict: the choices to offer (computed answer and distractors, sorted) */
  choices?: string[];
}

export interface CheckReport {
  pass: boolean;
  results: CheckResult[];
}

/** The multiple-choice options of a question: the computed answer among the named distractors. */
export function choicesOf(ex: Exercise, view: TraceView, qi: number): string[] {
  const qn = ex.questions[qi];
  if (!qn.distractors.length) return [];
  return [...new Set([showValue(qn.answer, view), ...qn.distractors])].sort();
}

/**
 * `view` is the trace of the scenario to judge: the exercise's own for predict and find, the
 * learner's (or the solution's) edited scenario for fix.
 */
export function checkExercise(ex: Exercise, view: TraceView, input: CheckInput): CheckReport {
  const results: CheckResult[] = [];
  if (ex.kind === 'predict') {
    ex.questions.forEach((qn, i) => {
      const want = valueOf(qn.answer, view);
      const expected = show(want);
      const given = input.solution ? expected : (input.answers?.[qn.id] ?? input.answers?.[String(i + 1)]);
      const base = { name: `q${i + 1}${qn.id !== String(i + 1) ? ` (${qn.id})` : ''}`, text: qn.ask, pos: qn.pos, decidedAt: [], choices: choicesOf(ex, view, i) };
      if (given === undefined) results.push({ ...base, pass: false, why: ['not answered'] });
      else if (equal(want, parseAnswer(given))) results.push({ ...base, pass: true, why: [], expected });
      else results.push({ ...base, pass: false, why: [`your answer "${given}" is not what the kernel does`] });
    });
  } else if (ex.kind === 'find') {
    const target = ex.target!;
    const hits = matchingEvents(target, view);
    const base = { name: 'target', text: ex.title, pos: ex.targetPos ?? ex.scenario.pos, decidedAt: [] };
    let at = input.solution ? hits[0] : input.at;
    const why: string[] = [];
    if (at === undefined && input.breakpoints?.length) {
      const conds = input.breakpoints.map((b) => {
        try {
          return compileGoal(b, true);
        } catch (e) {
          if (e instanceof GoalSyntaxError) why.push(`breakpoint "${b}": ${e.detail}`);
          return undefined;
        }
      });
      for (let e = 0; e < view.eventCount() && at === undefined; e++) if (conds.some((c) => c && eventMatches(c, view, e))) at = e;
      if (at === undefined && !why.length) why.push('your breakpoints stop nowhere in this trace');
    }
    if (at !== undefined) {
      if (at < 0 || at >= view.eventCount()) why.push(`there is no event ${eventNumber(at)} (the trace has ${view.eventCount()})`);
      else if (eventMatches(target, view, at)) results.push({ ...base, pass: true, why: [] });
      else why.push(`event ${eventNumber(at)} is ${view.fieldAt(at, 'fn')} on ${view.fieldAt(at, 'host')} (packet #${view.fieldAt(at, 'packet')}): not the place asked for`);
    } else if (input.fn !== undefined) {
      if (hits.some((e) => view.fieldAt(e, 'fn') === input.fn)) results.push({ ...base, pass: true, why: [] });
      else why.push(`${input.fn} is not the function asked for`);
    } else if (!why.length) why.push('no position given: stop the debugger at a step, set a breakpoint, or put the cursor in a kernel function');
    if (!hits.length) why.push('(the target matches no step of this trace: the exercise is broken)');
    if (!results.length) results.push({ ...base, pass: false, why });
  } else {
    if (input.mine) {
      const change = ex.change ?? DEFAULT_CHANGE;
      const diffs = keptDifferences(ex.scenario, input.mine, change);
      if (diffs.length) {
        results.push({ name: 'kept', pass: false, text: 'the scenario keeps what the task does not let you change', pos: diffs[0].pos, why: diffs.map((d) => `${d.pos.file}:${d.pos.line}:${d.pos.col}: ${d.text}`), decidedAt: [] });
      }
    }
    ex.goals.forEach((g, i) => {
      const o = judge(g.check.node, g.check.text, view);
      results.push({ name: `goal ${i + 1}`, pass: o.pass, text: g.expect, pos: g.pos, why: o.pass ? [] : [...o.why, `expected: ${g.expect}`], decidedAt: o.decidedAt });
    });
  }
  return { pass: results.length > 0 && results.every((r) => r.pass), results };
}
