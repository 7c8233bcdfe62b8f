import * as assert from 'assert';
import { DebuggerSession } from '../../../src/debugger/session';
import type { HostToWebview } from '../../../src/protocol';
import { ttlTrace } from '../../fixtures/synthetic-trace';

function view(): { post(m: HostToWebview): void; got: HostToWebview[] } {
  const got: HostToWebview[] = [];
  return { got, post: (m) => got.push(m) };
}

describe('debugger session (the controller core)', () => {
  it('sends nothing before ready, then the trace and the state', async () => {
    const s = new DebuggerSession();
    s.load(ttlTrace(), 'TTL', null);
    const v = view();
    s.attach(v);
    assert.strictEqual(v.got.length, 0);
    await s.receive(v, { type: 'debugger/ready' });
    assert.deepStrictEqual(v.got.map((m) => m.type), ['debugger/trace', 'debugger/state']);
  });

  it('moves on step messages and keeps two views in step', async () => {
    const s = new DebuggerSession();
    s.load(ttlTrace(), 'TTL', null);
    const a = view();
    const b = view();
    s.attach(a);
    s.attach(b);
    await s.receive(a, { type: 'debugger/ready' });
    await s.receive(b, { type: 'debugger/ready' });
    await s.receive(a, { type: 'debugger/step', action: 'stepInto' });
    const last = (v: typeof a) => v.got[v.got.length - 1];
    assert.deepStrictEqual(last(a), last(b));
    const st = last(a);
    assert.ok(st.type === 'debugger/state' && st.state.index === 1);
  });

  it('rejects an invalid message whole, answering with an error and its request id', async () => {
    const logs: string[] = [];
    const s = new DebuggerSession({ log: (_l, m) => logs.push(m) });
    s.load(ttlTrace(), 'TTL', null);
    const v = view();
    s.attach(v);
    await s.receive(v, { type: 'debugger/ready' });
    v.got.length = 0;
    await s.receive(v, { type: 'debugger/setBreakpoints', requestId: 9, breakpoints: [{ id: 'a', text: 'drop', enabled: true }, { id: 7 }] });
    assert.strictEqual(v.got.length, 1);
    assert.strictEqual(v.got[0].type, 'debugger/error');
    assert.ok(v.got[0].type === 'debugger/error' && v.got[0].requestId === 9);
    assert.strictEqual(s.breakpointSpecs.length, 0, 'not half-applied');
    assert.match(logs[0], /rejected/);
  });

  it('breakpoints: replies with parse errors, continue stops at a hit; focus follows a packet', async () => {
    const s = new DebuggerSession();
    const t = ttlTrace();
    s.load(t, 'TTL', null);
    const v = view();
    s.attach(v);
    await s.receive(v, { type: 'debugger/ready' });
    await s.receive(v, { type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [{ id: 'a', text: 'drop', enabled: true }, { id: 'b', text: 'ttl <', enabled: true }] });
    const reply = v.got.find((m) => m.type === 'debugger/reply');
    assert.ok(reply && reply.type === 'debugger/reply' && !reply.ok && /ttl </.test(reply.error ?? ''));
    s.step('continue');
    assert.strictEqual(t.events[s.state().index].drop, 'SKB_DROP_REASON_IP_INHDR');
    assert.strictEqual(s.state().reason, 'breakpoint');
    s.focusPacket(4);
    assert.strictEqual(t.events[s.state().index].packet, 4);
    s.step('runToEnd');
    assert.strictEqual(t.events[s.state().index].fn, 'ping_err');
    s.goto(0);
    assert.strictEqual(s.state().focus, null, 'goto outside the focused packet clears the focus');
  });

  it('answers openSource through the injected host', async () => {
    const s = new DebuggerSession({ openSource: (fn) => (fn === 'ip_forward' ? undefined : `no ${fn}`) });
    s.load(ttlTrace(), 'TTL', null);
    const v = view();
    await s.receive(v, { type: 'debugger/openSource', requestId: 4, fn: 'ip_forward' });
    await s.receive(v, { type: 'debugger/openSource', requestId: 5, fn: 'nope' });
    assert.deepStrictEqual(v.got, [
      { type: 'debugger/reply', requestId: 4, ok: true },
      { type: 'debugger/reply', requestId: 5, ok: false, error: 'no nope' },
    ]);
  });

  it('restores a position after a reload', () => {
    const s = new DebuggerSession();
    s.load(ttlTrace(), 'TTL', null, { index: 20, focus: null, breakpoints: [{ id: 'a', text: 'drop', enabled: true }] });
    assert.strictEqual(s.state().index, 20);
    assert.strictEqual(s.state().reason, 'restore');
    assert.strictEqual(s.state().breakpoints[0].hits, 1);
  });
});
