// Time travel by re-execution (issue 12): the model is deterministic, so a window of a run can be
// recorded in full by running again at the fates level up to it (src/scenario/run.ts `record`).
// The proof that this shows what the whole run would have: over every example and exercise
// scenario, the window's events are the whole run's events from the window's start, field for
// field (only `seq` counts from the window's start).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseScenario } from '../../../src/scenario/parse';
import { scenarioFiles } from './helpers';
import { runScenario, type RunOptions } from '../../../src/scenario/run';
import { frameWindow, replayItem, runReplay } from '../../../src/scenario/replay';
import { fileChunks, scenarioCaptureOpener } from '../../../src/capture/file';
import type { Trace, TraceEvent } from '../../../src/trace/contract';
import { FIXTURES } from '../capture/write';

const ROOT = path.resolve(__dirname, '../../../..');

/** An event as JSON, with its seq counted from `base` (a window numbers its events from 0). */
const shown = (e: TraceEvent, base: number): string => JSON.stringify({ ...e, seq: e.seq - base });

function sameEvents(window: Trace, whole: Trace, from: number, what: string): void {
  assert.strictEqual(window.events.length, whole.events.length - from, `${what}: ${window.events.length} events in the window, ${whole.events.length - from} in the whole run from event ${from}`);
  for (let i = 0; i < window.events.length; i++) {
    const a = shown(window.events[i], 0);
    const b = shown(whole.events[from + i], from);
    if (a !== b) assert.fail(`${what}: event ${i} of the window differs from event ${from + i} of the whole run:\n  window: ${a.slice(0, 400)}\n  whole:  ${b.slice(0, 400)}`);
  }
}

describe('re-execution of a window gives the same events as the whole run', () => {
  const files = scenarioFiles();

  it('finds the examples and the exercise scenarios', () => {
    assert.ok(files.length >= 40, `${files.length} scenario files`);
  });

  for (const file of files) {
    const rel = path.relative(ROOT, file);
    it(rel, () => {
      const text = fs.readFileSync(file, 'utf8');
      const sc = parseScenario(text, file);
      const dir = path.dirname(file);
      const base: RunOptions = { readFile: (p) => fs.readFileSync(path.resolve(dir, p), 'utf8'), openCapture: scenarioCaptureOpener(dir) };
      const marks: { events: number; now: number }[] = [];
      const whole = runScenario(sc, { ...base, marks });
      const n = sc.traffic.length;
      // every item of a short list; the first, middle and last of a long one
      const items = n <= 4 ? [...Array(n).keys()] : [0, Math.floor(n / 2), n - 1];
      for (const item of items) {
        const window = runScenario(sc, { ...base, record: { item } });
        assert.deepStrictEqual(window.window, { item });
        sameEvents(window, whole, marks[item].events, `${rel} from item ${item}`);
        // the fates and counters are the whole run's: the window ran the same model
        assert.deepStrictEqual(window.packets, whole.packets, `${rel} from item ${item}: packets`);
        assert.deepStrictEqual(window.counters, whole.counters, `${rel} from item ${item}: counters`);
      }
    });
  }
});

describe('re-execution of a window of a capture', () => {
  const scenario = path.join(FIXTURES, 'server.yaml');
  const sc = parseScenario(fs.readFileSync(scenario, 'utf8'), scenario);
  const captureItem = sc.traffic.findIndex((t) => t.kind === 'pcap');

  it('records from a frame on: the same events as the whole run from that frame', () => {
    const frameMarks: { item: number; frame: number; events: number }[] = [];
    const base: RunOptions = { readFile: () => '', openCapture: scenarioCaptureOpener(FIXTURES) };
    const whole = runScenario(sc, { ...base, frameMarks });
    assert.strictEqual(frameMarks.length, 6);
    for (const frame of [0, 2, 5]) {
      const window = runScenario(sc, { ...base, record: { item: captureItem, fromFrame: frame } });
      sameEvents(window, whole, frameMarks[frame].events, `from frame ${frame}`);
    }
  });

  it('stops after the window: the frames after it are not sent, and what it recorded is what the whole run recorded', () => {
    const frameMarks: { item: number; frame: number; events: number }[] = [];
    const base: RunOptions = { readFile: () => '', openCapture: scenarioCaptureOpener(FIXTURES) };
    const whole = runScenario(sc, { ...base, frameMarks });
    const sent: number[] = [];
    const window = runScenario(sc, { ...base, record: { item: captureItem, fromFrame: 1, untilFrame: 2 }, onCaptureFrame: (s) => sent.push(s.packet ?? -1) });
    assert.strictEqual(sent.length, 3, 'frames 0 to 2 sent, 3 to 5 not');
    assert.deepStrictEqual(window.window, { item: captureItem, fromFrame: 1, untilFrame: 2 });
    // up to the next frame's send, both runs did the same; the window then settles on its own
    const from = frameMarks[1].events;
    const to = frameMarks[3].events;
    assert.ok(window.events.length >= to - from && to > from);
    for (let i = 0; i < to - from; i++) assert.strictEqual(shown(window.events[i], 0), shown(whole.events[from + i], from), `event ${i}`);
    // the window's packets are the whole run's, with the same fates
    for (const p of window.packets.filter((x) => x.id <= Math.max(...sent))) {
      assert.deepStrictEqual(p, whole.packets.find((x) => x.id === p.id));
    }
  });

  it('opens a replayed frame with only a window around it recorded', () => {
    const noTraffic = { ...sc, traffic: [] };
    const item = replayItem(noTraffic, 'server:eth0', 'dumpcap.pcapng');
    assert.ok(typeof item === 'object');
    const open = (): Iterable<Uint8Array> => ({ [Symbol.iterator]: () => fileChunks(path.join(FIXTURES, 'dumpcap.pcapng')) });
    const full = runReplay(noTraffic, item, open, { level: 'full' });
    const at = 3;
    const win = runReplay(noTraffic, item, open, { frames: frameWindow(at, 1) });
    assert.strictEqual(win.frames, 5, 'frames 0 to 4 sent: the window ends after frame 4, the sixth is never read');
    const packet = win.frame(at).packet!.id;
    assert.strictEqual(packet, full.frame(at).packet!.id, 'the same packet id as the whole run');
    // the application reads its queue when the run ends, and the window's run ends sooner: that
    // read is the window's too, at another time
    const mine = (t: Trace): string[] => t.events.filter((e) => e.packet === packet).map((e) => JSON.stringify({ ...e, seq: 0, ...(e.fn === 'udp_recvmsg' && { time: 0 }) }));
    assert.ok(mine(full.trace).length > 5);
    assert.deepStrictEqual(mine(win.trace), mine(full.trace));
    assert.ok(win.trace.events.length < full.trace.events.length, 'fewer events than the whole capture');
    assert.ok(!win.trace.events.some((e) => e.packet === full.frame(0).packet!.id), 'nothing of frame 0, before the window');
  });
});
