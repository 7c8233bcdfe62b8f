// Exercise files: every mistake at its file:line:col, all at once; inline scenarios keep the
// exercise file's own positions.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { EXERCISE_KEYS, parseExercise, relativeTo } from '../../../src/exercise/parse';
import { TRACKS } from '../../../src/exercise/tracks';
import { ScenarioErrors } from '../../../src/scenario/types';
import { runScenarioText } from '../../../src/scenario/run';
import { checkExercise } from '../../../src/exercise/check';
import { TraceAdapter } from '../../../src/goals/traceAdapter';

const noFiles = (p: string): string => {
  throw new Error(`no file ${p}`);
};

const INLINE = `id: inline-one
title: An inline scenario
track: firewall
order: 9
kind: fix
learn: [a]
task: do it
hints: [h]
kernel:
  - file: net/ipv4/ip_forward.c
    function: ip_forward
scenario:
  name: inline
  hosts:
    a: |
      ip addr add 10.0.0.1/24 dev eth0
      ip link set eth0 up
    b: |
      ip addr add 10.0.0.2/24 dev eth0
      ip link set eth0 up
  links:
    - a:eth0 b:eth0
  traffic:
    - from: a
      send: udp to 10.0.0.2:53 payload x
solution:
  name: inline solution
  hosts:
    a: |
      ip addr add 10.0.0.1/24 dev eth0
      ip link set eth0 up
    b: |
      ip addr add 10.0.0.2/24 dev eth0
      ip link set eth0 up
  links:
    - a:eth0 b:eth0
  listen:
    - b: udp 53
  traffic:
    - from: a
      send: udp to 10.0.0.2:53 payload x
goals:
  - expect: b receives the datagram
    check: received(b, udp, 53).count == 1
`;

function errors(text: string): string[] {
  try {
    parseExercise(text, 'ex.yaml', noFiles);
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  assert.fail('no error');
}

describe('exercise files', () => {
  it('an inline scenario runs, and its positions are the exercise file\'s', () => {
    const ex = parseExercise(INLINE, 'ex.yaml', noFiles);
    const start = runScenarioText(ex.scenario.text, ex.scenario.file);
    const r = checkExercise(ex, new TraceAdapter(start), {});
    assert.strictEqual(r.pass, false);
    assert.match(r.results[0].why.join('\n'), /is 0, not 1/);
    assert.ok(checkExercise(ex, new TraceAdapter(runScenarioText(ex.solution!.text, ex.solution!.file)), {}).pass);
    const bad = INLINE.replace('      ip addr add 10.0.0.2/24 dev eth0\n', '      ip addr add 10.0.0.2/24 dev eth9\n');
    const exb = parseExercise(bad, 'ex.yaml', noFiles);
    assert.throws(() => runScenarioText(exb.scenario.text, exb.scenario.file), (e: Error) => /^ex\.yaml:19:35: .*eth9/.test(e.message));
  });

  it('a goal with a mistake is reported inside its line and column', () => {
    const e = errors(INLINE.replace('received(b, udp, 53).count == 1', 'recieved(b, udp, 53).count == 1'));
    assert.deepStrictEqual(e, ['ex.yaml:44:12: `check`: unknown function "recieved"; the functions are packet, packets, event, events, hooks, rules, counter, received, accepted, icmp_sent, count']);
    const f = errors(INLINE.replace('received(b, udp, 53).count == 1', 'packet(tll == 1).fate == dropped'));
    assert.deepStrictEqual(f.map((x) => x.split(': ')[0]), ['ex.yaml:44:19']);
  });

  it('every mistake at once: unknown key, track and kind; a missing part; a fix task without its solution', () => {
    const text = INLINE.replace('track: firewall', 'track: firewalls').replace('order: 9', 'order: 0').replace('learn: [a]', 'lern: [a]').replace(/^solution:[\s\S]*?^goals:/m, 'goals:');
    const e = errors(text);
    assert.ok(e.some((x) => /^ex\.yaml:3:8: `firewalls`: unknown track/.test(x)), e.join('\n'));
    assert.ok(e.some((x) => /^ex\.yaml:4:8: `order` is a whole number/.test(x)));
    assert.ok(e.some((x) => /^ex\.yaml:6:1: `lern`: unknown key/.test(x)));
    assert.ok(e.some((x) => /needs `learn:`/.test(x)));
    assert.ok(e.some((x) => /needs `solution:`/.test(x)));
  });

  it('a scenario file that cannot be read is an error at its name', () => {
    const e = errors(INLINE.replace(/^scenario:[\s\S]*?^solution:/m, 'scenario: missing.yaml\nsolution:'));
    assert.match(e[0], /^ex\.yaml:12:11: `scenario`: cannot read `missing.yaml`/);
  });

  it('paths are relative to the exercise', () => {
    assert.strictEqual(relativeTo('/x/exercises/nat/a.yaml', '../../examples/b.yaml'), '/x/examples/b.yaml');
    assert.strictEqual(relativeTo('exercises/nat/a.yaml', 'scenarios/s.yaml'), 'exercises/nat/scenarios/s.yaml');
  });

  it('the JSON Schema the editor validates with knows the same keys and tracks as the parser', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'schemas', 'exercise.schema.json'), 'utf8'));
    assert.deepStrictEqual(Object.keys(schema.properties).sort(), [...EXERCISE_KEYS].sort());
    assert.deepStrictEqual(schema.properties.track.enum, TRACKS.map((t) => t.id));
  });
});
