// Issue 13: the webview's messages are bounded (lengths, counts, rates) and refused before any
// work; breakpoint conditions are bounded too and compiled once.
import * as assert from 'assert';
import { BreakpointSet, BreakpointSyntaxError, globMatcher, parseCondition } from '../../../src/debugger/breakpoints';
import { DebuggerSession } from '../../../src/debugger/session';
import { LIMITS, MessageRate, checkWebviewToHost, type HostToWebview } from '../../../src/protocol';
import { ttlTrace } from '../../fixtures/synthetic-trace';

const bp = (i: number, text: string) => ({ id: `b${i}`, text, enabled: true });

describe('webview message bounds', () => {
  it('refuses too many breakpoints, saying how many and the limit, without reading them', () => {
    // entries that would each be an error if read: only the count is reported
    const r = checkWebviewToHost({ type: 'debugger/setBreakpoints', requestId: 1, breakpoints: Array.from({ length: 100 }, () => ({})) });
    assert.ok(!r.ok);
    if (!r.ok) {
      assert.match(r.error, new RegExp(`breakpoints: expected at most ${LIMITS.breakpoints} breakpoints \\(got 100\\)`));
      assert.doesNotMatch(r.error, /breakpoints\[/);
    }
  });

  it('refuses a condition longer than the limit, naming the breakpoint and the lengths', () => {
    const r = checkWebviewToHost({ type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [bp(0, 'drop'), bp(1, 'x'.repeat(10_000))] });
    assert.ok(!r.ok);
    if (!r.ok) assert.match(r.error, new RegExp(`breakpoints\\[1\\]\\.text: expected a condition of at most ${LIMITS.breakpointText} characters \\(got 10,000\\)`));
    assert.ok(checkWebviewToHost({ type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [bp(0, 'x'.repeat(LIMITS.breakpointText))] }).ok);
  });

  it('bounds log messages, ids and paths', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'debugger/log', level: 'info', message: 'm'.repeat(LIMITS.logMessage + 1) }, /message: expected a string of at most 2,000 characters/],
      [{ type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [{ id: 'i'.repeat(101), text: 'drop', enabled: true }] }, /breakpoints\[0\]\.id: expected a non-empty string of at most 100/],
      [{ type: 'debugger/openSource', requestId: 1, fn: 'ip_rcv', file: 'a/'.repeat(200) }, /file: expected a path of at most 300/],
    ];
    for (const [m, re] of cases) {
      const r = checkWebviewToHost(m);
      assert.ok(!r.ok, JSON.stringify(m).slice(0, 80));
      if (!r.ok) assert.match(r.error, re);
    }
  });

  it('the session refuses 100 breakpoints of 10,000 characters with an error reply and keeps its breakpoints', async () => {
    const s = new DebuggerSession();
    s.load(ttlTrace(), 'TTL', null);
    s.setBreakpoints([bp(0, 'drop')]);
    const got: HostToWebview[] = [];
    const v = { post: (m: HostToWebview) => got.push(m) };
    await s.receive(v, { type: 'debugger/setBreakpoints', requestId: 7, breakpoints: Array.from({ length: 100 }, (_, i) => bp(i, `fn == ${'*a'.repeat(4997)}`)) });
    const err = got.find((m) => m.type === 'debugger/error');
    assert.ok(err && err.type === 'debugger/error' && err.requestId === 7 && /at most 50 breakpoints \(got 100\)/.test(err.message), JSON.stringify(got).slice(0, 300));
    assert.deepStrictEqual(s.breakpointSpecs.map((b) => b.text), ['drop']);
  });

  it('a flood is refused over the rate; a request is answered, other messages get one error per flood', async () => {
    let t = 0;
    const s = new DebuggerSession({ now: () => t });
    s.load(ttlTrace(), 'TTL', null);
    const got: HostToWebview[] = [];
    const v = { post: (m: HostToWebview) => got.push(m) };
    s.attach(v);
    await s.receive(v, { type: 'debugger/ready' });
    for (let i = 0; i < LIMITS.messageBurst + 50; i++) await s.receive(v, { type: 'debugger/step', action: 'stepInto' });
    const errors = got.filter((m) => m.type === 'debugger/error');
    assert.strictEqual(errors.length, 1);
    assert.match((errors[0] as { message: string }).message, /more than 100 messages a second/);
    await s.receive(v, { type: 'debugger/setBreakpoints', requestId: 9, breakpoints: [] });
    assert.ok(got.some((m) => m.type === 'debugger/error' && m.requestId === 9));
    // a second later the bucket has refilled
    t += 1000;
    const before = got.length;
    await s.receive(v, { type: 'debugger/step', action: 'stepBack' });
    assert.ok(got.slice(before).some((m) => m.type === 'debugger/state'));
  });

  it('the bucket sustains the rate and charges breakpoint changes more', () => {
    let t = 0;
    const r = new MessageRate(() => t);
    let ok = 0;
    for (let i = 0; i < 1000; i++) {
      t += 5; // 200 a second: half of them pass once the burst is spent
      if (r.take({ type: 'debugger/goto', index: 1 })) ok++;
    }
    assert.ok(ok >= 500 + LIMITS.messageBurst - 1 && ok <= 500 + LIMITS.messageBurst + 1, String(ok));
    const r2 = new MessageRate(() => 0);
    let sets = 0;
    while (r2.take({ type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [] })) sets++;
    assert.strictEqual(sets, LIMITS.messageBurst / LIMITS.setBreakpointsCost);
  });
});

describe('breakpoint conditions are bounded and compiled', () => {
  it('refuses a condition over the length or test limit, saying which', () => {
    assert.throws(() => parseCondition('x'.repeat(LIMITS.breakpointText + 1)), (e: unknown) => e instanceof BreakpointSyntaxError && /too long: 501 characters, at most 500/.test(e.message));
    const many = Array.from({ length: LIMITS.breakpointTests + 1 }, () => 'ttl < 2').join(' && ');
    assert.throws(() => parseCondition(many), /too many tests: at most 16/);
    assert.doesNotThrow(() => parseCondition(Array.from({ length: LIMITS.breakpointTests }, () => 'ttl < 2').join(' || ')));
  });

  it('quotes at most 40 characters of the text in an error', () => {
    assert.throws(() => parseCondition(`${'q'.repeat(300)} ==`), (e: unknown) => e instanceof Error && e.message.length < 120);
  });

  it('globs match as * wildcards, with any number of stars, in linear time', () => {
    const cases: [string, string, boolean][] = [
      ['ip_rcv*', 'ip_rcv_core', true],
      ['ip_rcv*', 'ip_rcv', true],
      ['*rcv*', 'ip_rcv_finish', true],
      ['*_rcv', 'ip_rcv_finish', false],
      ['ip_*_finish', 'ip_rcv_finish', true],
      ['a*a', 'a', false],
      ['a*a', 'aa', true],
      ['*a*b*c*', 'xaybzc', true],
      ['*a*b*c*', 'xcybza', false],
      ['ab*ba', 'aba', false],
      ['*', '', true],
      ['ip_forward', 'ip_forward', true],
      ['ip_forward', 'ip_forward_finish', false],
    ];
    for (const [g, s, want] of cases) assert.strictEqual(globMatcher(g)(s), want, `${g} ~ ${s}`);
    // what made a RegExp backtrack for seconds is now one pass
    const hostile = globMatcher(`${'*a'.repeat(240)}*b`);
    assert.strictEqual(hostile('a'.repeat(10_000)), false);
  });

  it('a set of compiled conditions stops where the parsed text says, for every event', () => {
    const trace = ttlTrace();
    const texts = ['ip_rcv* && ttl < 2', 'hook == FORWARD || drop', 'drop ~ inhdr', 'ttl ~ 1', '!host == client && layer == l3', 'counter ~ icmpout', 'fn != ip_*'];
    const set = new BreakpointSet(texts.map((t, i) => bp(i, t)), trace.events);
    assert.ok(set.views.every((v) => !v.error), JSON.stringify(set.views.filter((v) => v.error)));
    assert.ok(set.views.every((v) => v.hits > 0 && v.hits < trace.events.length), JSON.stringify(set.views.map((v) => [v.text, v.hits])));
    const drop = set.views[2];
    assert.deepStrictEqual(drop.at.map((i) => trace.events[i].fn), ['kfree_skb_reason']);
  });
});
