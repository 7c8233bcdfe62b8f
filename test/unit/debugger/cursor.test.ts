import * as assert from 'assert';
import { BreakpointSet } from '../../../src/debugger/breakpoints';
import { move } from '../../../src/debugger/cursor';
import type { TraceEvent } from '../../../src/trace/contract';
import { ttlTrace } from '../../fixtures/synthetic-trace';

/** A hand-made event list: [packet, depth] per event. */
function evs(spec: [number, number][]): TraceEvent[] {
  return spec.map(([packet, d], seq) => ({
    seq,
    time: seq,
    host: 'h',
    packet,
    layer: 'L3',
    fn: `f${seq}`,
    file: 'x.c',
    stack: Array.from({ length: d }, (_, i) => (i === d - 1 ? `f${seq}` : `outer${i}`)),
    what: '',
  }));
}

describe('cursor moves', () => {
  const events = evs([
    [1, 2], // 0
    [1, 3], // 1
    [1, 4], // 2
    [2, 1], // 3 another packet interleaves
    [1, 3], // 4
    [1, 2], // 5
    [1, 1], // 6
    [2, 2], // 7
  ]);
  const at = (index: number, focus: number | null = null) => ({ events, index, focus });

  it('steps forward and back, stopping at the edges', () => {
    assert.deepStrictEqual(move(at(0), 'stepInto'), { index: 1, reason: 'step' });
    assert.deepStrictEqual(move(at(1), 'stepBack'), { index: 0, reason: 'step' });
    assert.strictEqual(move(at(0), 'stepBack').reason, 'start');
    assert.deepStrictEqual(move(at(7), 'stepInto'), { index: 7, reason: 'end', message: 'end of trace' });
  });

  it('steps over by call depth, on the same packet', () => {
    assert.strictEqual(move(at(1), 'stepOver').index, 4, 'skips deeper 2 and the other packet at 3');
    assert.strictEqual(move(at(0), 'stepOver').index, 5);
    assert.strictEqual(move(at(6), 'stepOver').index, 7, 'past the packet\'s last event: the next event');
  });

  it('steps out to a shallower event', () => {
    assert.strictEqual(move(at(2), 'stepOut').index, 4);
    assert.strictEqual(move(at(4), 'stepOut').index, 5);
    assert.strictEqual(move(at(5), 'stepOut').index, 6);
  });

  it('with a focused packet visits only its events', () => {
    assert.strictEqual(move(at(2, 1), 'stepInto').index, 4);
    assert.strictEqual(move(at(4, 1), 'stepBack').index, 2);
    assert.strictEqual(move(at(3, 2), 'stepInto').index, 7);
    assert.strictEqual(move(at(3, 2), 'restart').index, 3);
    assert.strictEqual(move(at(0, 1), 'runToEnd').index, 6);
  });

  it('continues to breakpoints forwards and backwards, runs to end, restarts', () => {
    const bps = new BreakpointSet([{ id: 'x', text: 'fn == f4 || fn == f1', enabled: true }], events);
    assert.deepStrictEqual(move({ ...at(0), breakpoints: bps }, 'continue'), { index: 1, reason: 'breakpoint', hit: 'x' });
    assert.deepStrictEqual(move({ ...at(1), breakpoints: bps }, 'continue'), { index: 4, reason: 'breakpoint', hit: 'x' });
    assert.strictEqual(move({ ...at(4), breakpoints: bps }, 'continue').reason, 'end');
    assert.strictEqual(move({ ...at(7), breakpoints: bps }, 'reverseContinue').index, 4);
    assert.strictEqual(move({ ...at(1), breakpoints: bps }, 'reverseContinue').reason, 'start');
    assert.match(move(at(2), 'continue').message ?? '', /no breakpoints/);
    assert.strictEqual(move(at(2), 'runToEnd').index, 7);
    assert.strictEqual(move(at(5), 'restart').index, 0);
  });

  it('works on an empty trace', () => {
    assert.strictEqual(move({ events: [], index: 0, focus: null }, 'stepInto').index, 0);
  });

  it('on the TTL trace: continue to `ttl < 2 && fn == ip_forward` lands on the router', () => {
    const t = ttlTrace();
    const bps = new BreakpointSet([{ id: 'a', text: 'ttl < 2 && fn == ip_forward', enabled: true }], t.events);
    const m = move({ events: t.events, index: 0, focus: null, breakpoints: bps }, 'continue');
    assert.strictEqual(t.events[m.index].host, 'router');
    assert.strictEqual(t.events[m.index].fn, 'ip_forward');
  });
});
