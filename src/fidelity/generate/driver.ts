// `npm run fidelity -- --generate N [--seed S] [--jobs J] [--keep DIR]`: N generated scenarios,
// each on the model and on the kernel; then one differing scenario per class of difference
// (the lowest index, so the choice does not depend on timing) is shrunk and written to DIR
// (default test/fidelity/found/) as gen-<seed>-<index>.yaml, with the difference on top.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatDiff } from '../compare';
import { DropTracer } from '../drops';
import { formatResult, runOne, type ScenarioResult } from '../harness';
import { cleanupAll, installCleanupHandlers, makeTempDir } from '../lab';
import { preflight } from '../preflight';
import { resultClass, resultClasses } from './classify';
import { validGenerated, type GenOptions, modelRefuses } from './index';
import { render, type GenScenario } from './scenario';
import { shrink, size } from './shrink';

export interface GenerateOptions extends GenOptions {
  count: number;
  seed: number;
  jobs: number;
  /** where shrunk scenarios go */
  keep: string;
  drops: boolean;
  /** shrink one scenario per class (default) */
  shrink: boolean;
  /** kernel runs one shrink may spend */
  budget: number;
  log: (s: string) => void;
  /** run only these indices (of 0 … count-1): to shrink one scenario of a earlier run again */
  only?: number[];
  /** called with each differing result as soon as it is known */
  onResult?: (r: GeneratedResult) => void;
}

export interface GeneratedResult extends ScenarioResult {
  index: number;
  cls?: string;
  /** draws the model refused before this one */
  redrawn: number;
}

export interface Shrunk {
  cls: string;
  index: number;
  file?: string;
  from: number;
  to: number;
  runs: number;
  /** the difference did not show again on the unshrunk scenario */
  flaky?: boolean;
}

/** Runs `n` tasks, `jobs` at a time. */
export async function pool<T>(n: number, jobs: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, n)) }, worker));
  return out;
}

export function foundName(seed: number, index: number): string {
  return `gen-${seed}-${index}.yaml`;
}

export async function runGenerated(o: GenerateOptions): Promise<{ results: GeneratedResult[]; shrunk: Shrunk[]; refused?: string }> {
  const refused = preflight({ drops: o.drops });
  if (refused) return { results: [], shrunk: [], refused };
  installCleanupHandlers();
  const dir = makeTempDir();
  const scs: GenScenario[] = [];
  const redrawn: number[] = [];
  const indices = o.only ?? Array.from({ length: o.count }, (_, i) => i);
  for (const i of indices) {
    const g = validGenerated(o.seed, i, o);
    scs[i] = g.sc;
    redrawn[i] = g.refused.length;
    fs.writeFileSync(path.join(dir, foundName(o.seed, i)), render(g.sc));
  }
  let drops: DropTracer | undefined;
  if (o.drops) {
    try {
      drops = await DropTracer.start();
    } catch (e) {
      cleanupAll();
      return { results: [], shrunk: [], refused: `cannot trace drops: ${(e as Error).message}` };
    }
  }
  // each kernel run gets its own namespace prefix
  let runNo = 0;
  const runFile = (file: string): Promise<ScenarioResult> => runOne(file, runNo++, o.log, drops);
  try {
    const results = await pool(indices.length, o.jobs, async (k): Promise<GeneratedResult> => {
      const i = indices[k];
      const file = path.join(dir, foundName(o.seed, i));
      o.log(`running ${file}`);
      const r = await runFile(file);
      const g: GeneratedResult = { ...r, index: i, cls: r.agree ? undefined : resultClass(r), redrawn: redrawn[i] };
      o.log(formatResult(r)[0]);
      // a differing scenario's details at once (a long run that is stopped keeps what it found)
      if (!r.agree && o.onResult) o.onResult(g);
      return g;
    });
    const firsts = new Map<string, GeneratedResult>();
    for (const r of results) if (r.cls && !r.unsupported && !firsts.has(r.cls)) firsts.set(r.cls, r);
    const shrunk: Shrunk[] = o.shrink
      ? await pool(firsts.size, o.jobs, async (k) => {
          const r = [...firsts.values()][k];
          const cls = r.cls!;
          let n = 0;
          const test = async (sc: GenScenario): Promise<boolean> => {
            if (modelRefuses(sc)) return false;
            const f = path.join(dir, `shrink-${r.index}-${n++}.yaml`);
            fs.writeFileSync(f, render(sc));
            const x = await runFile(f);
            fs.rmSync(f, { force: true });
            return resultClasses(x).has(cls);
          };
          o.log(`shrinking ${foundName(o.seed, r.index)} (${cls})`);
          if (!(await test(scs[r.index]))) return { cls, index: r.index, from: size(scs[r.index]), to: size(scs[r.index]), runs: 1, flaky: true };
          const s = await shrink(scs[r.index], test, o.budget);
          // the final scenario once more, for the differences written on top of it
          const final = path.join(dir, `final-${r.index}.yaml`);
          fs.writeFileSync(final, render(s.sc));
          const x = await runFile(final);
          const out = path.join(o.keep, foundName(o.seed, r.index));
          const head = [
            `Found by \`npm run fidelity -- --generate ${o.count} --seed ${o.seed}${[...(o.include ?? [])].length ? ` --include ${[...o.include!].join(',')}` : ''}${[...(o.exclude ?? [])].length ? ` --exclude ${[...o.exclude!].join(',')}` : ''}\` (scenario ${r.index}), shrunk from ${size(scs[r.index])} to ${size(s.sc)} elements in ${s.runs + 2} kernel runs${s.exhausted ? ' (budget spent: may shrink further)' : ''}.`,
            `class: ${cls}`,
            `kernel ${os.release()}:`,
            ...x.errors.map((e) => `  error: ${e}`),
            ...x.diffs.map((d) => `  ${formatDiff(foundName(o.seed, r.index), d)}`),
          ];
          fs.mkdirSync(o.keep, { recursive: true });
          fs.writeFileSync(out, render({ ...s.sc, name: `${cls} (generated ${o.seed}/${r.index}, shrunk)` }, head));
          return { cls, index: r.index, file: out, from: size(scs[r.index]), to: size(s.sc), runs: s.runs + 2 };
        })
      : [];
    return { results, shrunk };
  } finally {
    await drops?.stop();
    cleanupAll();
  }
}
