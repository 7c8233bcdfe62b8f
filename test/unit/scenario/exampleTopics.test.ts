// The Examples view's order and notes cover exactly the shipped examples.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_TOPICS } from '../../../src/scenario/exampleTopics';
import { runScenarioText } from '../../../src/scenario/run';
import { SCENARIO_TEMPLATE } from '../../../src/scenario/template';

describe('example topics', () => {
  it('list every example once, and nothing else, each with a note', () => {
    const dir = path.join(__dirname, '..', '..', '..', '..', 'examples');
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    const listed = EXAMPLE_TOPICS.flatMap((t) => t.examples.map(([f]) => f));
    assert.deepStrictEqual([...listed].sort(), files);
    for (const t of EXAMPLE_TOPICS) for (const [f, note] of t.examples) assert.ok(note.length > 10 && note.length < 120, `${f}: note`);
  });
});

describe('the New Scenario template', () => {
  it('runs as it is, and sends what its comments say', () => {
    const t = runScenarioText(SCENARIO_TEMPLATE, 'new.yaml');
    assert.ok(t.sockets.some((s) => s.host === 'server' && s.received.length === 1));
    assert.ok(t.packets.some((p) => /echo reply/.test(p.summary) && p.fate.kind === 'delivered'));
  });
});
