import * as assert from 'assert';
import { checkHostToWebview, checkViewState, checkWebviewToHost } from '../../../src/protocol';
import { ttlTrace } from '../../fixtures/synthetic-trace';

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

  it('accepts a real-looking trace and state from the host, rejects a broken one', () => {
    const trace = ttlTrace();
    assert.ok(checkHostToWebview({ type: 'debugger/trace', title: 't', file: null, trace }).ok);
    assert.ok(checkHostToWebview({ type: 'debugger/state', state: { index: 0, focus: null, breakpoints: [{ id: 'a', text: 'drop', enabled: true, hits: 1, at: [40] }], reason: 'load' } }).ok);
    assert.ok(checkHostToWebview({ type: 'debugger/reply', requestId: 3, ok: false, error: 'x' }).ok);
    assert.ok(checkHostToWebview({ type: 'debugger/error', message: 'bad' }).ok);

    const broken = JSON.parse(JSON.stringify(trace));
    broken.events[5].skb.bytes = 'XYZ';
    broken.events[7].layer = 'L9';
    const r = checkHostToWebview({ type: 'debugger/trace', title: 't', file: null, trace: broken });
    assert.strictEqual(r.ok, false);
    if (!r.ok) {
      assert.match(r.error, /trace\.events\[5\]\.skb\.bytes: expected lowercase hex/);
      assert.match(r.error, /trace\.events\[7\]\.layer/);
    }
    const s = checkHostToWebview({ type: 'debugger/state', state: { index: 0, focus: null, breakpoints: [], reason: 'teleport' } });
    assert.strictEqual(s.ok, false);
  });

  it('validates a restored view state, dropping a malformed one', () => {
    assert.ok(checkViewState({ file: 'file:///a.yaml', index: 3, focus: null, breakpoints: [] }));
    assert.strictEqual(checkViewState({ file: 3, index: 3, focus: null, breakpoints: [] }), undefined);
    assert.strictEqual(checkViewState('x'), undefined);
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
    const t = { ...ttlTrace(), hosts: [{ name: 'client', devices: [{ name: 'eth0', kind: 'veth', peer: 7 }], routes: [], neighbours: [] }] };
    const r = checkHostToWebview({ type: 'debugger/trace', title: 't', file: null, trace: t });
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
