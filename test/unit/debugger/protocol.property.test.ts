// Property tests (issue 13) of the webview → host validator and the session behind it: whatever
// a webview sends, the host answers without throwing, refuses what is out of bounds with a
// message naming the field, and never does more than the bounds allow.
import * as assert from 'assert';
import fc from 'fast-check';
import { DebuggerSession } from '../../../src/debugger/session';
import { LIMITS, STEP_ACTIONS, checkWebviewToHost, type HostToWebview } from '../../../src/protocol';
import { ttlTrace } from '../../fixtures/synthetic-trace';

const RUNS = Number(process.env.NETSTACK_FUZZ_RUNS || 300);

/** Messages shaped like the real ones, with fields that are often wrong, long or huge. */
const spec = fc.record({ id: fc.oneof(fc.string({ maxLength: 120 }), fc.integer()), text: fc.oneof(fc.string({ maxLength: 700 }), fc.constant('ttl < 2 && fn == ip_*')), enabled: fc.oneof(fc.boolean(), fc.constant('yes')) });
const shaped = fc.oneof(
  fc.record({ type: fc.constant('debugger/step'), action: fc.oneof(fc.constantFrom(...STEP_ACTIONS), fc.string()) }),
  fc.record({ type: fc.constant('debugger/goto'), index: fc.oneof(fc.integer(), fc.double()) }),
  fc.record({ type: fc.constant('debugger/focusPacket'), packet: fc.oneof(fc.constant(null), fc.integer({ min: -2, max: 10 })) }),
  fc.record({ type: fc.constant('debugger/setBreakpoints'), requestId: fc.nat(), breakpoints: fc.array(spec, { maxLength: 70 }) }),
  fc.record({ type: fc.constant('debugger/openSource'), requestId: fc.nat(), fn: fc.string({ maxLength: 200 }), file: fc.option(fc.string({ maxLength: 400 }), { nil: undefined }) }),
  fc.record({ type: fc.constant('debugger/log'), level: fc.constantFrom('info', 'warn', 'error', 'fatal'), message: fc.string({ maxLength: 2100 }) }),
);
const anyMessage = fc.oneof(shaped, fc.anything(), fc.record({ type: fc.string() }));

describe('webview messages, property tests', function () {
  this.timeout(60_000);

  it('the validator never throws; a refusal names a field; an accepted message is within every bound', () => {
    fc.assert(
      fc.property(anyMessage, (m) => {
        const r = checkWebviewToHost(m);
        if (!r.ok) {
          assert.match(r.error, /^invalid .*: [\w.[\]]+: (expected |unknown message type)/);
          return;
        }
        const v = r.message;
        if (v.type === 'debugger/setBreakpoints') {
          assert.ok(v.breakpoints.length <= LIMITS.breakpoints);
          for (const b of v.breakpoints) assert.ok(b.text.length <= LIMITS.breakpointText && b.id.length <= LIMITS.breakpointId);
        }
        if (v.type === 'debugger/log') assert.ok(v.message.length <= LIMITS.logMessage);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('the session answers every request and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyMessage, { maxLength: 20 }), async (msgs) => {
        const s = new DebuggerSession();
        s.load(ttlTrace(), 'TTL', null);
        const got: HostToWebview[] = [];
        const view = { post: (m: HostToWebview) => got.push(m) };
        s.attach(view);
        await s.receive(view, { type: 'debugger/ready' });
        for (const m of msgs) await s.receive(view, m);
        const asked = msgs.filter((m) => checkWebviewToHost(m).ok && typeof (m as { requestId?: unknown }).requestId === 'number').map((m) => (m as { requestId: number }).requestId);
        const answered = got.filter((m) => (m.type === 'debugger/reply' || m.type === 'debugger/error') && m.requestId !== undefined).map((m) => (m as { requestId: number }).requestId);
        for (const id of asked) assert.ok(answered.includes(id), `request ${id} unanswered`);
        const st = s.state();
        assert.ok(st.index >= 0 && st.index < ttlTrace().events.length);
        assert.ok(st.breakpoints.length <= LIMITS.breakpoints);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
