// `netstack exercise list` and `netstack exercise check ID|FILE [--scenario MINE.yaml]
// [--solution] [--answer Q=VALUE]… [--at EVENT | --break COND… | --function NAME]`: grading in a
// terminal or in CI. Exit code 0 when every check passes, 1 when one fails, 2 on a usage error.
import * as fs from 'fs';
import * as path from 'path';
import { checkExercise, type CheckInput } from '../exercise/check';
import { exerciseFiles, exercisesDir, loadAll, loadExercise, runRef, viewOf } from '../exercise/files';
import type { Exercise, ScenarioRef } from '../exercise/types';
import { ScenarioError, ScenarioErrors } from '../scenario/types';
import { readScenarioFile } from '../scenario/files';

export const EXERCISE_USAGE = `  netstack exercise list           every exercise, one a line: id, track, kind, title
  netstack exercise check ID|FILE [--scenario MINE.yaml] [--solution]
          [--answer Q=VALUE]… [--at EVENT | --break COND… | --function NAME]
                                   check an exercise: pass or fail per check, with reasons`;

export function exerciseCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'list') {
      for (const ex of loadAll()) out(`${ex.id}\t${ex.track}\t${ex.kind}\t${ex.title}`);
      return 0;
    }
    if (sub === 'check') return check(rest, out, err);
  } catch (e) {
    if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
  err(`netstack exercise: ${sub ? `unknown subcommand '${sub}'` : 'give a subcommand'}\nusage:\n${EXERCISE_USAGE}`);
  return 2;
}

function find(idOrFile: string): Exercise | undefined {
  if (fs.existsSync(idOrFile) && fs.statSync(idOrFile).isFile()) return loadExercise(idOrFile);
  const f = exerciseFiles(exercisesDir()).find((p) => p.endsWith(`/${idOrFile}.yaml`));
  if (f) return loadExercise(f);
  return loadAll().find((e) => e.id === idOrFile);
}

function check(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const input: CheckInput = { answers: {}, breakpoints: [] };
  let scenario: string | undefined;
  let target: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string | undefined => {
      const v = argv[++i];
      return v === undefined || v.startsWith('--') ? undefined : v;
    };
    let v: string | undefined;
    switch (a) {
      case '--solution':
        input.solution = true;
        continue;
      case '--scenario':
        scenario = v = val();
        break;
      case '--answer': {
        v = val();
        const eq = v?.indexOf('=') ?? -1;
        if (v && eq > 0) input.answers![v.slice(0, eq)] = v.slice(eq + 1);
        else v = undefined;
        break;
      }
      case '--at':
        v = val();
        // the event number the debugger shows, counted from 1 (src/debugger/eventNumber.ts)
        if (v !== undefined && /^[1-9]\d*$/.test(v)) input.at = Number(v) - 1;
        else v = undefined;
        break;
      case '--break':
        v = val();
        if (v) input.breakpoints!.push(v);
        break;
      case '--function':
        input.fn = v = val();
        break;
      default:
        if (a.startsWith('--') || target !== undefined) {
          err(`netstack exercise check: ${a.startsWith('--') ? `unknown option ${a}` : 'give exactly one exercise'}`);
          return 2;
        }
        target = a;
        continue;
    }
    if (v === undefined) {
      err(`netstack exercise check: ${a} needs ${a === '--answer' ? 'Q=VALUE' : a === '--at' ? 'an event number (from 1, as the debugger shows it)' : 'a value'}`);
      return 2;
    }
  }
  if (!target) {
    err('netstack exercise check: give an exercise id or file');
    return 2;
  }
  const ex = find(target);
  if (!ex) {
    err(`netstack exercise check: no exercise '${target}' (see netstack exercise list)`);
    return 2;
  }
  if (scenario !== undefined && ex.kind !== 'fix') {
    err(`netstack exercise check: --scenario is for fix exercises; ${ex.id} is a ${ex.kind} exercise`);
    return 2;
  }
  let ref: ScenarioRef = ex.scenario;
  if (ex.kind === 'fix') {
    if (input.solution) ref = ex.solution!;
    else if (scenario !== undefined) {
      let text: string;
      try {
        // a regular file within the size limit, as `netstack trace` reads one (a FIFO would block)
        text = readScenarioFile(scenario);
      } catch (e) {
        err(`netstack: cannot read ${scenario}: ${(e as Error).message}`);
        return 2;
      }
      ref = { text, file: scenario, pos: { file: scenario, line: 1, col: 1 } };
    }
  }
  const report = checkExercise(ex, viewOf(runRef(ref)), { ...input, mine: ex.kind === 'fix' ? ref : undefined });
  out(`${ex.id} (${ex.kind}): ${ex.title}${ex.kind === 'fix' ? ` — scenario ${path.relative(process.cwd(), ref.file) || ref.file}` : ''}`);
  for (const r of report.results) {
    out(`  ${r.pass ? 'PASS' : 'FAIL'} ${r.name}: ${r.text.trim().split('\n')[0]}`);
    if (r.choices?.length && !r.pass) out(`       choices: ${r.choices.join(' | ')}`);
    if (r.expected !== undefined && r.pass && input.solution) out(`       answer: ${r.expected}`);
    for (const w of r.why) out(`       ${w}`);
  }
  const n = report.results.filter((r) => r.pass).length;
  out(`${n} of ${report.results.length} checks pass`);
  return report.pass ? 0 : 1;
}
