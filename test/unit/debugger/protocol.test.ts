import * as assert from 'assert';
import { checkHostToWebview, checkViewState, checkWebviewToHost } from '../../../src/protocol';
import { ttlTrace } from '../../fixtures/synthetic-trace';
import { eventDetail, indexTrace, packetLinks } from '../../../src/debugger/traceIndex';
import { packIndex } from '../../../src/protocol';

describe('protocol validators', () => {
  it('accepts every well-formed webview → host message', () => {
    const ok: unknown[] = [
      { type: 'debugger/ready' },
      { type: 'debugger/step', action: 'stepOver' },
      { type: 'debugger/step', action: 'reverseContinue' },
      { type: 'debugger/goto', index: 12 },
      { type: 'debugger/focusPacket', packet: null },
      { type: 'debugger/focusPacket', packet: 3 },
      { type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [{ id: 'b1', text: 'ttl < 2', enabled: true }] },
      { type: 'debugger/openSource', requestId: 2, fn: '__icmp_send', file: 'net/ipv4/icmp.c' },
      { type: 'debugger/log', level: 'error', message: 'boom' },
    ];
    for (const m of ok) assert.deepStrictEqual(checkWebviewToHost(m), { ok: true, message: m });
  });

  it('rejects bad webview → host messages with a reason naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /expected an object/],
      [{ type: 42 }, /type: expected a string/],
      [{ type: 'debugger/nope' }, /unknown message type "debugger\/nope"/],
      [{ type: 'debugger/step', action: 'fly' }, /action: expected one of stepInto/],
      [{ type: 'debugger/goto', index: -1 }, /index: expected an event index/],
      [{ type: 'debugger/goto', index: 1.5 }, /index/],
      [{ type: 'debugger/focusPacket' }, /packet: expected a packet id or null/],
      [{ type: 'debugger/setBreakpoints', breakpoints: [] }, /requestId/],
      [{ type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [{ id: '', text: 'x', enabled: 'yes' }] }, /breakpoints\[0\]\.id.*breakpoints\[0\]\.enabled/],
      [{ type: 'debugger/openSource', requestId: 1, fn: 'rm -rf /' }, /fn: expected a C identifier/],
      [{ type: 'debugger/log', level: 'fatal', message: 'x' }, /level/],
    ];
    for (const [m, re] of cases) {
      const r = checkWebviewToHost(m);
      assert.strictEqual(r.ok, false, JSON.stringify(m));
      if (!r.ok) assert.match(r.error, re);
    }
  });

  it('accepts a real-looking trace index and state from the host, rejects a broken one', () => {
    const trace = ttlTrace();
    const index = packIndex(indexTrace(trace));
    assert.ok(checkHostToWebview({ type: 'debugger/trace', title: 't', file: null, index }).ok);
    const detail = eventDetail(trace, packetLinks(trace.events.map((e) => e.packet)), 5);
    assert.ok(detail && detail.prev !== null);
    assert.ok(checkHostToWebview({ type: 'debugger/state', state: { index: 5, focus: null, breakpoints: [{ id: 'a', text: 'drop', enabled: true, hits: 1, at: [40] }], reason: 'load' }, detail }).ok);
    assert.ok(checkHostToWebview({ type: 'debugger/reply', requestId: 3, ok: false, error: 'x' }).ok);
    assert.ok(checkHostToWebview({ type: 'debugger/error', message: 'bad' }).ok);

    const broken = JSON.parse(JSON.stringify(detail));
    broken.event.skb.bytes = 'XYZ';
    broken.prev.layer = 'L9';
    const r = checkHostToWebview({ type: 'debugger/state', state: { index: 5, focus: null, breakpoints: [], reason: 'step' }, detail: broken });
    assert.strictEqual(r.ok, false);
    if (!r.ok) {
      assert.match(r.error, /detail\.event\.skb\.bytes: expected lowercase hex/);
      assert.match(r.error, /detail\.prev\.layer/);
    }
    const s = checkHostToWebview({ type: 'debugger/state', state: { index: 0, focus: null, breakpoints: [], reason: 'teleport' } });
    assert.strictEqual(s.ok, false);
  });

  it('refuses an index whose columns disagree in length, are not base64, or point outside their tables', () => {
    const index = indexTrace(ttlTrace());
    const spoilNumbers: [(ix: ReturnType<typeof indexTrace>) => void, RegExp][] = [
      [(ix) => (ix.fn[3] = ix.strings.length), /index: invalid index column fn: entry 3 is \d+, expected below \d+/],
      [(ix) => (ix.layer[0] = 4), /column layer: entry 0 is 4, expected below 4/],
      [(ix) => (ix.dev[2] = ix.strings.length + 5), /column dev: entry 2/],
    ];
    for (const [spoil, re] of spoilNumbers) {
      const ix = indexTrace(ttlTrace());
      spoil(ix);
      const r = checkHostToWebview({ type: 'debugger/trace', title: 't', file: null, index: JSON.parse(JSON.stringify(packIndex(ix))) });
      assert.strictEqual(r.ok, false, re.source);
      if (!r.ok) assert.match(r.error, re);
    }
    // the wire form as JSON gives it back: anything may be wrong with it
    type Wire = { count: number; strings: string[]; packets: unknown[]; columns: Record<string, { width: number; base64: string }> };
    const spoilWire: [(w: Wire) => void, RegExp][] = [
      [(w) => (w.columns.fn.base64 = w.columns.fn.base64.slice(4)), /index\.columns\.fn\.base64: expected \d+ base64 characters/],
      [(w) => (w.columns.host.width = 3), /index\.columns\.host: expected a column \{width: 1, 2 or 4/],
      [(w) => (w.columns.packet.base64 = `!${w.columns.packet.base64.slice(1)}`), /column packet: expected base64 \(a bad character near 0\)/],
      [(w) => (w.count = 6_000_000), /index\.count: expected an event count of at most 5,000,000/],
      [(w) => (w.strings[0] = 'x'.repeat(1001)), /index\.strings\[0\]: expected a string of at most 1,000 characters/],
      [(w) => (w.packets[0] = { id: 1 }), /index\.packets\[0\]\.parent/],
    ];
    for (const [spoil, re] of spoilWire) {
      const w = JSON.parse(JSON.stringify(packIndex(index)));
      spoil(w);
      const r = checkHostToWebview({ type: 'debugger/trace', title: 't', file: null, index: w });
      assert.strictEqual(r.ok, false, re.source);
      if (!r.ok) assert.match(r.error, re);
    }
  });

  it('bounds an event detail: a huge sk_buff, a deep call path', () => {
    const trace = ttlTrace();
    const detail = eventDetail(trace, packetLinks(trace.events.map((e) => e.packet)), 5);
    const big = JSON.parse(JSON.stringify(detail));
    big.event.skb.bytes = '00'.repeat(140_001);
    big.prev.stack = Array.from({ length: 257 }, () => 'f');
    const r = checkHostToWebview({ type: 'debugger/state', state: { index: 5, focus: null, breakpoints: [], reason: 'step' }, detail: big });
    assert.ok(!r.ok && /detail\.event\.skb\.bytes: expected lowercase hex of at most 280,000/.test(r.error) && /detail\.prev\.stack/.test(r.error), r.ok ? '' : r.error);
  });

  it('validates a restored view state, dropping a malformed one', () => {
    assert.ok(checkViewState({ file: 'file:///a.yaml', index: 3, focus: null, breakpoints: [] }));
    assert.strictEqual(checkViewState({ file: 3, index: 3, focus: null, breakpoints: [] }), undefined);
    assert.strictEqual(checkViewState('x'), undefined);
    // bounded like the messages that made it
    const bp = (i: number) => ({ id: `b${i}`, text: 'drop', enabled: true });
    assert.ok(checkViewState({ file: null, index: 0, focus: null, breakpoints: Array.from({ length: 50 }, (_, i) => bp(i)) }));
    assert.strictEqual(checkViewState({ file: null, index: 0, focus: null, breakpoints: Array.from({ length: 51 }, (_, i) => bp(i)) }), undefined);
    assert.strictEqual(checkViewState({ file: 'x'.repeat(3001), index: 0, focus: null, breakpoints: [] }), undefined);
    assert.strictEqual(checkViewState({ file: null, index: 0, focus: null, breakpoints: [], title: 'x'.repeat(1001) }), undefined);
  });

  it('refuses a field a webview message does not have, rather than ignoring it', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'debugger/goto', index: 3, focus: 2 }, /^invalid "debugger\/goto": "focus": unknown field \(expected only type, index\)$/],
      [{ type: 'debugger/ready', extra: 1 }, /"extra": unknown field/],
      [{ type: 'debugger/step', action: 'stepOver', count: 5 }, /"count": unknown field \(expected only type, action\)/],
      [{ type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [{ id: 'a', text: 'drop', enabled: true, hits: 3 }] }, /breakpoints\[0\]\."hits": unknown field \(expected only id, text, enabled\)/],
      [{ type: 'exercise/action', action: 'hint', index: 2 }, /"index": unknown field/],
    ];
    for (const [m, re] of cases) {
      const r = checkWebviewToHost(m);
      assert.ok(!r.ok && re.test(r.error), `${JSON.stringify(m)}: ${r.ok ? 'accepted' : r.error}`);
    }
    // what the webview sends passes (webview/*: exactly these fields)
    for (const m of [{ type: 'debugger/openSource', requestId: 2, fn: 'ip_rcv', file: 'net/ipv4/ip_input.c' }, { type: 'debugger/log', level: 'warn', message: 'x' }]) assert.ok(checkWebviewToHost(m).ok);
    // a thousand unknown fields cost a few lines of error
    const many: Record<string, unknown> = { type: 'debugger/ready' };
    for (let i = 0; i < 1000; i++) many['k' + i] = i;
    const r = checkWebviewToHost(many);
    assert.ok(!r.ok && r.error.length < 1000, r.ok ? '' : String(r.error.length));
  });

  it('names a hostile message type by its start only', () => {
    for (const type of ['debugger/goto' + 'x'.repeat(1_000_000), 'y'.repeat(1_000_000)]) {
      const r = checkWebviewToHost({ type, index: 'a' });
      assert.ok(!r.ok && r.error.length < 400, r.ok ? '' : `${r.error.length} characters`);
    }
    const g = checkWebviewToHost({ type: 'debugger/goto', index: -1 });
    assert.ok(!g.ok && g.error.startsWith('invalid "debugger/goto": index'), g.ok ? '' : g.error);
  });
});

describe('the panel page', () => {
  it('has a strict CSP: nonce scripts only, no inline styles or eval, resources from the webview origin', async () => {
    const { contentSecurityPolicy, debuggerPage, makeNonce } = await import('../../../src/debugger/html');
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', nonce);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const html = debuggerPage({ cspSource: 'https://x.vscode-cdn.net', nonce, styleUri: 'https://x/media/debugger.css', scriptUris: ['https://x/dist/webview.js'], title: '<b>t</b>' });
    assert.strictEqual((html.match(/<script /g) ?? []).length, 1);
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://x/dist/webview.js"></script>`));
    assert.doesNotMatch(html, /<style|style=|onclick|onload/);
    assert.match(html, /&#60;b&#62;t/);
  });
});

describe('protocol: a trace with hosts', () => {
  it('checks the hosts and devices the picture reads', () => {
    const t = { ...packIndex(indexTrace(ttlTrace())), hosts: [{ name: 'client', devices: [{ name: 'eth0', kind: 'veth', peer: 7 }], routes: [], neighbours: [] }] };
    const r = checkHostToWebview({ type: 'debugger/trace', title: 't', file: null, index: t });
    assert.ok(!r.ok && /hosts\[0\]\.devices\[0\]\.peer/.test(r.error));
  });
});

describe('protocol: the exercise task panel', () => {
  const view = { id: 'rule-order', title: 'Rule order', kind: 'fix', track: 'firewall', order: 2, taskHtml: '<p>task</p>', hints: ['first'], hintCount: 3 };

  it('accepts its handshake and its three buttons, and refuses another action', () => {
    for (const m of [{ type: 'exercise/ready' }, { type: 'exercise/action', action: 'check' }, { type: 'exercise/action', action: 'hint' }, { type: 'exercise/action', action: 'solution' }]) {
      assert.deepStrictEqual(checkWebviewToHost(m), { ok: true, message: m });
    }
    const r = checkWebviewToHost({ type: 'exercise/action', action: 'grade-me' });
    assert.strictEqual(r.ok, false);
    if (!r.ok) assert.match(r.error, /action: expected one of check, hint, solution/);
  });

  it('accepts what the panel shows, with results, and names the field that is wrong', () => {
    const results = [{ name: 'goal 1', text: 'the SYN is dropped', pass: false, why: ['packet #3 was delivered'] }];
    const ok = { type: 'exercise/show', view: { ...view, results, checking: false } };
    assert.deepStrictEqual(checkHostToWebview(ok), { ok: true, message: ok });
    const cases: [unknown, RegExp][] = [
      [{ type: 'exercise/show', view: { ...view, kind: 'quiz' } }, /view\.kind: expected one of predict, find, fix/],
      [{ type: 'exercise/show', view: { ...view, hints: [1] } }, /view\.hints\[0\]: expected a string/],
      [{ type: 'exercise/show', view: { ...view, results: [{ name: 'g', text: 't', pass: 'no', why: [] }] } }, /view\.results\[0\]\.pass: expected a boolean/],
      [{ type: 'exercise/show', view: { ...view, taskHtml: 'x'.repeat(200_001) } }, /view\.taskHtml: expected HTML of at most 200,000 characters/],
    ];
    for (const [m, re] of cases) {
      const r = checkHostToWebview(m);
      assert.strictEqual(r.ok, false, JSON.stringify(m).slice(0, 100));
      if (!r.ok) assert.match(r.error, re);
    }
  });
});
