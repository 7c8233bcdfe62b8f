// Shared fixtures: a scenario around a setup script whose first line is line 4, column 5.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseScenario } from '../../../src/scenario/parse';
import { Scenario, ScenarioErrors, SetupCommand } from '../../../src/scenario/types';

export const FILE = 'test.yaml';

/** Host `h` has eth0 and eth1 (links to `peer`); its script starts at line 4, column 5. */
export function withScript(script: string, rest = 'traffic: []\n'): string {
  const body = script
    .split('\n')
    .map((l) => (l ? '    ' + l : ''))
    .join('\n');
  return `name: t\nhosts:\n  h: |\n${body}\n  peer: |\n    ip link set eth0 up\nlinks:\n  - h:eth0 peer:eth0\n  - h:eth1 peer:eth1\n${rest}`;
}

export function parse(text: string): Scenario {
  try {
    return parseScenario(text, FILE);
  } catch (e) {
    if (e instanceof ScenarioErrors) assert.fail(`unexpected errors:\n${e.message}`);
    throw e;
  }
}

/** The setup of host `h` built by withScript(), without positions. */
export function setup(script: string): unknown[] {
  return parse(withScript(script)).hosts[0].setup.map(strip);
}

export function strip(c: SetupCommand | object): unknown {
  return JSON.parse(JSON.stringify(c, (k, v) => (k === 'pos' ? undefined : v)));
}

export interface Err {
  line: number;
  col: number;
  detail: string;
}

export function errors(text: string): Err[] {
  try {
    parseScenario(text, FILE);
  } catch (e) {
    if (!(e instanceof ScenarioErrors)) throw e;
    for (const x of e.errors) assert.strictEqual(x.pos.file, FILE);
    return e.errors.map((x) => ({ line: x.pos.line, col: x.pos.col, detail: x.detail }));
  }
  return assert.fail('expected ScenarioErrors, the scenario parsed');
}

/** Exactly one error, at line:col, whose text contains `part`. */
export function oneError(text: string, line: number, col: number, part: string): void {
  const es = errors(text);
  assert.deepStrictEqual(
    es.map((e) => [e.line, e.col]),
    [[line, col]],
    `errors: ${JSON.stringify(es)}`,
  );
  assert.ok(es[0].detail.includes(part), `"${es[0].detail}" does not contain "${part}"`);
}

/** One error in the script of withScript() at script line `n` (1-based), on the word `word`. */
export function scriptError(script: string, n: number, word: string, part: string): void {
  const line = script.split('\n')[n - 1];
  const at = (' ' + line + ' ').indexOf(' ' + word + ' ');
  assert.ok(at >= 0, `"${word}" not in "${line}"`);
  oneError(withScript(script), 3 + n, 5 + at, part);
}

/** Every example and every exercise's scenario files, in order. */
export function scenarioFiles(): string[] {
  const root = path.resolve(__dirname, '../../../..');
  const yaml = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f)) : []);
  const ex = path.join(root, 'exercises');
  const dirs = fs.readdirSync(ex, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(ex, d.name, 'scenarios'));
  return [...yaml(path.join(root, 'examples')), ...dirs.flatMap(yaml)];
}
