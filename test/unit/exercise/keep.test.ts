// A fix task is passed by changing its setup, not by deleting what the goals are judged on.
import * as assert from 'assert';
import * as path from 'path';
import { checkExercise } from '../../../src/exercise/check';
import { loadAll } from '../../../src/exercise/files';
import { keptDifferences } from '../../../src/exercise/keep';
import { TraceAdapter } from '../../../src/goals/traceAdapter';
import { runScenarioText } from '../../../src/scenario/run';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const START = `name: s
hosts:
  a: |
    ip addr add 10.0.0.1/24 dev eth0
  b: |
    ip addr add 10.0.0.2/24 dev eth0
links:
  - a:eth0 b:eth0
listen:
  - b: tcp 22
traffic:
  - from: a
    send: tcp connect to 10.0.0.2:22
  - from: a
    send: icmp echo-request to 10.0.0.2
`;
const start = { text: START, file: 'start.yaml' };

describe('exercises: a fix keeps what its task keeps', () => {
  it('setup lines may change; spacing, quoting and flow style do not count as changes', () => {
    const mine = START.replace('ip addr add 10.0.0.2/24 dev eth0', 'ip addr add 10.0.0.2/24 dev eth0\n    nft add table ip t').replace('send: tcp connect to 10.0.0.2:22', 'send: "tcp connect to  10.0.0.2:22"').replace('  - b: tcp 22', '  - { b: tcp 22 }');
    assert.deepStrictEqual(keptDifferences(start, { text: mine, file: 'mine.yaml' }, ['setup']), []);
  });

  it('a deleted traffic item is reported at its list, a changed one at the item, with the line', () => {
    const gone = START.replace(/ {2}- from: a\n {4}send: tcp connect to 10.0.0.2:22\n/, '');
    const d = keptDifferences(start, { text: gone, file: 'mine.yaml' }, ['setup']);
    assert.strictEqual(d.length, 1);
    assert.match(d[0].text, /^traffic item 1 differs .*`traffic` must stay as given/);
    assert.deepStrictEqual([d[0].pos.line, d[0].pos.col], [12, 5]);
    const last = START.replace(/ {2}- from: a\n {4}send: icmp echo-request to 10.0.0.2\n/, '');
    assert.match(keptDifferences(start, { text: last, file: 'mine.yaml' }, ['setup'])[0].text, /^traffic item 2 is gone/);
  });

  it('hosts, links and listeners are kept unless the task names them in `change`', () => {
    const mine = START.replace('listen:\n  - b: tcp 22\n', 'listen:\n  - b: tcp 22\n  - b: udp 53\n').replace('  b: |', '  c: |\n    ip link set lo up\n  b: |');
    const d = keptDifferences(start, { text: mine, file: 'mine.yaml' }, ['setup']);
    assert.deepStrictEqual(d.map((x) => x.part).sort(), ['hosts', 'listen']);
    assert.deepStrictEqual(keptDifferences(start, { text: mine, file: 'mine.yaml' }, ['setup', 'listen', 'hosts']), []);
  });

  it('the check fails with the place when a learner deletes the traffic the goals judge', () => {
    const ex = loadAll(path.join(ROOT, 'exercises')).find((e) => e.id === 'input-not-forward')!;
    // deleting the SSH attempt leaves nothing to drop; the goal on it fails, and `kept` says why
    const text = ex.solution!.text.replace(/\n {2}- from: client\n {4}send: tcp connect to 10\.0\.2\.2:22[^\n]*/, '');
    assert.notStrictEqual(text, ex.solution!.text, 'the test scenario did not change');
    const view = new TraceAdapter(runScenarioText(text, 'mine.yaml'));
    const r = checkExercise(ex, view, { mine: { text, file: 'mine.yaml' } });
    assert.strictEqual(r.pass, false);
    const kept = r.results.find((x) => x.name === 'kept');
    assert.ok(kept && /^mine\.yaml:\d+:\d+: traffic item \d/.test(kept.why[0]), JSON.stringify(r.results));
  });
});
