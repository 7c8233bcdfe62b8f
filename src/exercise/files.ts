// Exercises on disk: finding the shipped folder, reading every file, running their scenarios.
// Node-only (fs, path); the CLI, the tests and the extension use it.
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../scenario/run';
import { readScenarioFile, scenarioFileReader } from '../scenario/files';
import type { Trace } from '../trace/contract';
import { TraceAdapter } from '../goals/traceAdapter';
import type { TraceView } from '../goals';
import { parseExercise } from './parse';
import { TRACKS } from './tracks';
import type { Exercise, ScenarioRef } from './types';

/** The `exercises/` folder shipped beside dist/ (or the repository's, from out/). */
export function exercisesDir(from = __dirname): string {
  let d = from;
  for (let i = 0; i < 6; i++) {
    const cand = path.join(d, 'exercises');
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(cand)) return cand;
    d = path.dirname(d);
  }
  return path.join(from, '..', 'exercises');
}

export function exerciseFiles(dir = exercisesDir()): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const f of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, f.name);
      if (f.isDirectory()) {
        if (f.name !== 'scenarios') walk(p);
      } else if (/\.ya?ml$/.test(f.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function loadExercise(file: string): Exercise {
  // an exercise may come from anyone (`netstack exercise check FILE`): the scenarios it names are
  // read as a scenario's rules files are, only inside its folder; a shipped one may also name the
  // package's examples
  const shipped = path.resolve(exercisesDir());
  const root = path.resolve(file).startsWith(shipped + path.sep) ? path.dirname(shipped) : undefined;
  const inFolder = scenarioFileReader(file, { root });
  return parseExercise(readScenarioFile(file), file, (p) => inFolder(path.resolve(p)));
}

/** Every exercise, in track order then order within the track. Throws on the first bad file. */
export function loadAll(dir = exercisesDir()): Exercise[] {
  const all = exerciseFiles(dir).map(loadExercise);
  const rank = (t: string): number => TRACKS.findIndex((x) => x.id === t);
  return all.sort((a, b) => rank(a.track) - rank(b.track) || a.order - b.order || a.id.localeCompare(b.id));
}

export function runRef(ref: ScenarioRef): Trace {
  // a learner's scenario is input like any other: the files it names stay in its folder (as for `netstack trace`)
  return runScenarioText(ref.text, ref.file, { readFile: scenarioFileReader(ref.file) });
}

export function viewOf(t: Trace): TraceView {
  return new TraceAdapter(t);
}
