// An exercise file → Exercise. Like scenarios: every mistake is collected with file:line:col and
// thrown at once (ScenarioErrors); nothing half-read is returned. The scenario may be inline (a
// map under `scenario:`) or a file beside the exercise; an inline one is parsed in place, so its
// errors carry the exercise file's own lines and columns.
import { isMap, parseDocument } from 'yaml';
import { compileGoal, GoalSyntaxError, type Goal } from '../goals';
import { Diag, q } from '../scenario/diag';
import { PARTS, type Part } from './keep';
import { Source } from '../scenario/source';
import { ScenarioErrors, type SourcePos } from '../scenario/types';
import { Reader } from '../scenario/yamlnodes';
import { KINDS, TRACKS, type ExerciseKind } from './tracks';
import type { Exercise, FixGoal, KernelPointer, Question, ScenarioRef } from './types';

/** The keys of an exercise file (schemas/exercise.schema.json lists the same). */
export const EXERCISE_KEYS = ['id', 'title', 'track', 'order', 'kind', 'learn', 'scenario', 'task', 'hints', 'kernel', 'questions', 'target', 'goals', 'solution', 'change'];
const REQUIRED = ['id', 'title', 'track', 'order', 'kind', 'learn', 'scenario', 'task', 'hints', 'kernel'];
const BY_KIND: Record<ExerciseKind, string[]> = { predict: ['questions'], find: ['target'], fix: ['goals', 'solution'] };
/** keys a kind may have without needing them */
const OPTIONAL_BY_KIND: Record<ExerciseKind, string[]> = { predict: [], find: [], fix: ['change'] };

/** Joins a path relative to the exercise's folder (pure: no Node path module). */
export function relativeTo(file: string, rel: string): string {
  if (rel.startsWith('/')) return rel;
  const parts = file.split('/').slice(0, -1);
  for (const p of rel.split('/')) {
    if (p === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else if (p !== '.') parts.push(p);
  }
  return parts.join('/');
}

export function parseExercise(text: string, file: string, readFile: (path: string) => string): Exercise {
  const src = new Source(text, file);
  const d = new Diag();
  const doc = parseDocument(text, { lineCounter: src.lines, uniqueKeys: false, prettyErrors: false });
  for (const e of doc.errors) d.error(src.pos(e.pos[0]), `YAML: ${e.message}`);
  if (d.errors.length) throw new ScenarioErrors(d.errors);
  const r = new Reader(src, doc, d);
  const ex: Exercise = {
    file, id: '', title: '', track: '', order: 0, kind: 'predict', learn: [], task: '', hints: [], kernel: [], questions: [], goals: [],
    scenario: { text: '', file, pos: src.pos(0) },
  };
  const root = r.map(doc.contents, 'an exercise', src.pos(0));
  if (!root) throw new ScenarioErrors(d.errors);

  /** A goal expression in a scalar: its errors point inside the scalar. */
  const goal = (node: unknown, what: string, at: SourcePos, condition = false): { g: Goal; pos: SourcePos } | undefined => {
    const s = r.scalar(node, what, at);
    if (!s) return undefined;
    const m = r.mapped(s);
    const pos = src.pos(m.offs[m.text.length - m.text.trimStart().length] ?? s.range?.[0] ?? 0);
    try {
      return { g: compileGoal(m.text, condition), pos };
    } catch (e) {
      if (!(e instanceof GoalSyntaxError)) throw e;
      d.error(src.pos(m.offs[Math.min(e.offset, m.offs.length - 1)] ?? s.range?.[0] ?? 0), `${what}: ${e.detail}`);
      return undefined;
    }
  };
  const str = (node: unknown, what: string, at: SourcePos): string => {
    const s = r.scalar(node, what, at);
    if (!s || s.value === null || String(s.value).trim() === '') {
      if (s) d.error(r.pos(s), `${what} must not be empty`);
      return '';
    }
    return String(s.value);
  };
  const strList = (node: unknown, what: string, at: SourcePos): string[] => {
    const l = r.seq(node, what, at);
    return l ? l.items.map((x) => str(x, `an item of ${what}`, r.pos(x))).filter((x) => x !== '') : [];
  };
  const scenario = (node: unknown, what: string, at: SourcePos): ScenarioRef | undefined => {
    const n = r.resolve(node);
    if (isMap(n)) {
      // blank everything outside the map, keeping line breaks: the scenario parser then reports
      // this file's own lines and columns
      const [start, , end] = n.range ?? [0, 0, text.length];
      const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
      return { text: blank(text.slice(0, start)) + text.slice(start, end) + blank(text.slice(end)), file, pos: r.pos(n) };
    }
    const t = r.tok(node, what, at);
    if (!t) return undefined;
    const path = relativeTo(file, t.text);
    try {
      return { text: readFile(path), file: path, path: t.text, pos: t.pos };
    } catch (e) {
      d.error(t, `${what}: cannot read ${q(t.text)} (${(e as Error).message.split('\n')[0]})`);
      return undefined;
    }
  };

  const seen = new Set<string>();
  for (const { key, value } of r.pairs(root, 'the exercise')) {
    seen.add(key.text);
    const at = key.pos;
    switch (key.text) {
      case 'id': {
        const t = r.tok(value, '`id`', at);
        if (t && !/^[a-z0-9][a-z0-9-]*$/.test(t.text)) d.error(t, '`id` is lowercase letters, digits and dashes, like `forward-ttl`');
        ex.id = t?.text ?? '';
        break;
      }
      case 'title':
        ex.title = str(value, '`title`', at);
        break;
      case 'track': {
        const t = r.tok(value, '`track`', at);
        if (t && !TRACKS.some((x) => x.id === t.text)) d.error(t, `${q(t.text)}: unknown track; the tracks are ${TRACKS.map((x) => x.id).join(', ')}`);
        ex.track = t?.text ?? '';
        break;
      }
      case 'order': {
        const s = r.scalar(value, '`order`', at);
        if (s && (typeof s.value !== 'number' || !Number.isInteger(s.value) || s.value < 1)) d.error(r.pos(s), '`order` is a whole number from 1: the place in its track');
        else if (s) ex.order = s.value as number;
        break;
      }
      case 'kind': {
        const t = r.tok(value, '`kind`', at);
        if (t && !(KINDS as readonly string[]).includes(t.text)) d.error(t, `${q(t.text)}: unknown kind; an exercise is ${KINDS.join(', ')}`);
        else if (t) ex.kind = t.text as ExerciseKind;
        break;
      }
      case 'learn':
        ex.learn = strList(value, '`learn`', at);
        break;
      case 'task':
        ex.task = str(value, '`task`', at);
        break;
      case 'hints':
        ex.hints = strList(value, '`hints`', at);
        break;
      case 'scenario': {
        const s = scenario(value, '`scenario`', at);
        if (s) ex.scenario = s;
        break;
      }
      case 'solution':
        ex.solution = scenario(value, '`solution`', at);
        break;
      case 'kernel': {
        const l = r.seq(value, '`kernel`', at);
        for (const item of l?.items ?? []) {
          const m = r.map(item, 'a kernel pointer (file: …, function: …)', at);
          if (!m) continue;
          const k: Partial<KernelPointer> = { pos: r.pos(m) };
          for (const p of r.pairs(m, 'a kernel pointer')) {
            if (p.key.text === 'file' || p.key.text === 'function') k[p.key.text] = r.tok(p.value, q(p.key.text), p.key.pos)?.text;
            else d.error(p.key, `${q(p.key.text)}: a kernel pointer has file and function`);
          }
          if (!k.file || !k.function) d.error(k.pos!, 'a kernel pointer needs `file:` and `function:`');
          else ex.kernel.push(k as KernelPointer);
        }
        break;
      }
      case 'questions': {
        const l = r.seq(value, '`questions`', at);
        (l?.items ?? []).forEach((item, i) => {
          const m = r.map(item, 'a question (ask, answer, choices)', at);
          if (!m) return;
          const qn: Partial<Question> = { id: String(i + 1), distractors: [], pos: r.pos(m) };
          for (const p of r.pairs(m, 'a question')) {
            if (p.key.text === 'id') qn.id = r.tok(p.value, '`id`', p.key.pos)?.text ?? qn.id;
            else if (p.key.text === 'ask') qn.ask = str(p.value, '`ask`', p.key.pos);
            else if (p.key.text === 'answer') {
              const g = goal(p.value, '`answer`', p.key.pos);
              if (g) [qn.answer, qn.answerPos] = [g.g, g.pos];
            } else if (p.key.text === 'choices') qn.distractors = strList(p.value, '`choices`', p.key.pos);
            else d.error(p.key, `${q(p.key.text)}: a question has id, ask, answer and choices`);
          }
          if (!qn.ask || !qn.answer) {
            if (!d.errors.length) d.error(qn.pos!, 'a question needs `ask:` and `answer:`');
            return;
          }
          ex.questions.push(qn as Question);
        });
        break;
      }
      case 'target': {
        const g = goal(value, '`target`', at, true);
        if (g) [ex.target, ex.targetPos] = [g.g, g.pos];
        break;
      }
      case 'goals': {
        const l = r.seq(value, '`goals`', at);
        for (const item of l?.items ?? []) {
          const m = r.map(item, 'a goal (expect, check)', at);
          if (!m) continue;
          const fg: Partial<FixGoal> = { pos: r.pos(m) };
          for (const p of r.pairs(m, 'a goal')) {
            if (p.key.text === 'expect') fg.expect = str(p.value, '`expect`', p.key.pos);
            else if (p.key.text === 'check') {
              const g = goal(p.value, '`check`', p.key.pos);
              if (g) [fg.check, fg.pos] = [g.g, g.pos];
            } else d.error(p.key, `${q(p.key.text)}: a goal has expect and check`);
          }
          if (fg.expect && fg.check) ex.goals.push(fg as FixGoal);
          else if (!d.errors.length) d.error(fg.pos!, 'a goal needs `expect:` and `check:`');
        }
        break;
      }
      case 'change': {
        const l = r.seq(value, '`change`', at);
        const parts: Part[] = [];
        for (const item of l?.items ?? []) {
          const t = r.tok(item, 'a part of the scenario', at);
          if (t && !(PARTS as readonly string[]).includes(t.text)) d.error(t, `${q(t.text)}: not a part of a scenario; \`change\` lists ${PARTS.join(', ')}`);
          else if (t) parts.push(t.text as Part);
        }
        ex.change = parts;
        break;
      }
      default:
        d.error(key, `${q(key.text)}: unknown key; an exercise has ${EXERCISE_KEYS.join(', ')}`);
    }
  }
  for (const k of [...REQUIRED, ...BY_KIND[ex.kind]]) if (!seen.has(k)) d.error(r.pos(root), `this ${ex.kind} exercise needs \`${k}:\``);
  for (const [kind, keys] of Object.entries(BY_KIND)) {
    if (kind === ex.kind) continue;
    for (const k of [...keys, ...OPTIONAL_BY_KIND[kind as ExerciseKind]]) if (seen.has(k) && !BY_KIND[ex.kind].includes(k) && !OPTIONAL_BY_KIND[ex.kind].includes(k)) d.error(r.pos(root), `\`${k}:\` belongs to ${kind} exercises, not ${ex.kind}`);
  }
  if (d.errors.length) {
    const errs = [...d.errors].sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    throw new ScenarioErrors(errs);
  }
  return ex;
}
