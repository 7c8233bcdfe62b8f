// Readers of a trace's rows (src/trace/read.ts, issue 12): an event read by index or in order
// from a model's trace is the event `Trace.events` makes, over every example and exercise
// scenario; reading that way keeps no event; and the CLI's writers (JSON, text, pcapng) give the
// same bytes from the rows as from a plain trace of objects.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseScenario } from '../../../src/scenario/parse';
import { scenarioFiles } from './helpers';
import { runScenario, type RunOptions } from '../../../src/scenario/run';
import { scenarioCaptureOpener } from '../../../src/capture/file';
import type { Trace } from '../../../src/trace/contract';
import { eachEvent, eventAt, eventCount, EVENT_ROWS } from '../../../src/trace/read';
import { traceJsonParts } from '../../../src/cli/stream';
import { formatTraceLines } from '../../../src/debugger/format';
import { traceToPcapng } from '../../../src/cli/pcap';
import { Recorder } from '../../../src/model/sim/recorder';
import { allocSkb } from '../../../src/model/net/core/skbuff';

const ROOT = path.resolve(__dirname, '../../../..');

function run(file: string): Trace {
  const dir = path.dirname(file);
  const opts: RunOptions = { readFile: (p) => fs.readFileSync(path.resolve(dir, p), 'utf8'), openCapture: scenarioCaptureOpener(dir) };
  return runScenario(parseScenario(fs.readFileSync(file, 'utf8'), file), opts);
}

async function text(parts: AsyncIterable<string> | Iterable<string>): Promise<string> {
  let s = '';
  for await (const p of parts) s += p;
  return s;
}

describe('reading a trace by its rows', () => {
  const files = scenarioFiles();

  it('finds the examples and the exercise scenarios', () => {
    assert.ok(files.length >= 40, `${files.length} scenario files`);
  });

  for (const file of files) {
    const rel = path.relative(ROOT, file);
    it(`${rel}: by index and in order, the events Trace.events makes; the writers' bytes unchanged`, async () => {
      const rows = run(file);
      const n = eventCount(rows);
      const byIndex = Array.from({ length: n }, (_, i) => eventAt(rows, i)!);
      const inOrder = [...eachEvent(rows)];
      assert.strictEqual(eventAt(rows, n), undefined);
      const json = await text(traceJsonParts(rows));
      const lines = [...formatTraceLines(rows)].join('\n');
      const pcap = traceToPcapng(rows).bytes;

      const whole = rows.events;
      assert.strictEqual(whole.length, n);
      assert.deepStrictEqual(byIndex, whole);
      assert.deepStrictEqual(inOrder, whole);
      // what was read by the rows was made for the reader, not kept (Trace.events made its own)
      if (n) assert.notStrictEqual(byIndex[n - 1], whole[n - 1]);
      // a plain trace, as JSON or a worker's clone gives it: no rows, the array
      const plain: Trace = { ...rows };
      assert.strictEqual((plain as unknown as Record<symbol, unknown>)[EVENT_ROWS], undefined);
      assert.strictEqual(json, await text(traceJsonParts(plain)));
      assert.deepStrictEqual(JSON.parse(json), JSON.parse(JSON.stringify(plain)));
      assert.strictEqual(lines, [...formatTraceLines(plain)].join('\n'));
      assert.deepStrictEqual(pcap, traceToPcapng(plain).bytes);
      // read whole, the rows' readers give the kept objects themselves
      if (n) assert.strictEqual(eventAt(rows, n - 1), whole[n - 1]);
    });
  }

  it('follows a trace whose events were set to another array', () => {
    const t = run(files[0]);
    assert.ok(eventCount(t) > 1);
    t.events = t.events.slice(1);
    assert.strictEqual(eventCount(t), t.events.length);
    assert.strictEqual(eventAt(t, 0), t.events[0]);
  });
});

describe('Recorder.eventAt', () => {
  it('makes an event not kept, equal to the kept one, and gives the kept one once made', () => {
    const rec = new Recorder('full', () => 0);
    const skb = allocSkb(2, 3, 1);
    for (let i = 0; i < 5000; i++) {
      if (i % 100 === 0) skb.mark = i;
      rec.step('a', skb, 'L3', 'f', 'x.c', `step ${i % 3}`);
    }
    const a = rec.eventAt(4500);
    assert.notStrictEqual(rec.eventAt(4500), a, 'made anew: not kept');
    // consecutive events of the same sk_buff share a snapshot, as the kept ones do
    assert.strictEqual(rec.eventAt(4501).skb, rec.eventAt(4502).skb);
    const all = rec.events;
    assert.deepStrictEqual(a, all[4500]);
    assert.strictEqual(rec.eventAt(4500), all[4500]);
  });
});
