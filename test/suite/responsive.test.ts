// Issues 12 and 13: the editor stays responsive while a large scenario is checked. The check runs
// in the scenario worker thread, so the extension host's event loop keeps turning; run on the
// host's thread, the same check blocks it for seconds (the parse of 100,000 traffic items alone).
// The bound asserted is a behaviour, not a speed: "never blocked for a second", against a
// synchronous check that blocks for the whole parse. The figures go to
// .vscode-test/results/event-loop.json and into the tests' titles in the report.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import * as vscode from 'vscode';
import { closeAll, netstackDiagnostics, scratchDir, waitFor } from './helpers';

const ITEMS = 100_000;
/**
 * Generous: the host's own handling of a 7 MB document (VS Code syncing it into the extension
 * host, one getText) takes a few hundred ms, over a second on a machine loaded 20 times over;
 * a synchronous check of the same file blocks for the whole parse, 27 s to 80 s on the same machine.
 */
const BLOCKED_MS = 5000;

function largeScenario(items: number): { text: string; badLine: number } {
  const head = `name: a large traffic list (issue 12)
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1
  router: |
    sysctl -w net.ipv4.ip_forward=1
    ip addr add 10.0.1.1/24 dev eth0
    ip addr add 10.0.2.1/24 dev eth1
    ip link set eth0 up
    ip link set eth1 up
  server: |
    ip addr add 10.0.2.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.1
links:
  - client:eth0 router:eth0
  - router:eth1 server:eth0
listen:
  - server: udp 9000
traffic:
`;
  const body: string[] = [];
  for (let i = 0; i < items; i++) body.push(`  - from: client\n    send: udp to 10.0.2.2:9000 from :${40000 + (i % 1000)} size 200\n`);
  // one bad item at the very end: its diagnostic appears only once the whole list has been read
  const tail = '  - from: client\n    send: udp to 10.0.2.2:9000 frobnicate\n';
  const text = head + body.join('') + tail;
  // 1-based: the text ends with a newline, so the last line is the one before the final ''
  return { text, badLine: text.split('\n').length - 1 };
}

/** The event loop's worst delay while `work` runs: from perf_hooks, and from a 20 ms ticker. */
async function watchLoop<T>(work: () => Promise<T>): Promise<{ result: T; maxDelayMs: number; maxGapMs: number; p99Ms: number; ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  let last = performance.now();
  let maxGap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 20);
  const t0 = performance.now();
  h.enable();
  try {
    const result = await work();
    return { result, maxDelayMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, maxGapMs: maxGap, ms: performance.now() - t0 };
  } finally {
    h.disable();
    clearInterval(tick);
  }
}

/** The figures, kept after the run (the run's own folder is removed when it passes), and in the test's title for the report. */
function record(test: Mocha.Runnable | undefined, name: string, figures: object): void {
  const file = path.resolve(__dirname, '../../../.vscode-test/results/event-loop.json');
  if (test) test.title += ` — ${JSON.stringify(figures)}`;
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first figure of this run
  }
  all[name] = figures;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(all, null, 2));
  console.log(`[event loop] ${name}: ${JSON.stringify(figures)}`);
}

describe('the editor stays responsive (issues 12 and 13)', function () {
  this.timeout(900_000);
  let file: string;
  let badLine: number;
  // the parse alone takes tens of seconds on a busy 2-core machine: the default wall-time budget (30 s) must not end it
  const budget = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('netstackExplorer.budget');
  before(async () => {
    await budget().update('wallSeconds', 600, vscode.ConfigurationTarget.Global);
    const s = largeScenario(ITEMS);
    file = path.join(scratchDir(), 'large-traffic.yaml');
    fs.writeFileSync(file, s.text);
    badLine = s.badLine;
  });
  after(async () => {
    // the edits are not saved: revert, so that closing asks nothing
    const ed = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === file);
    if (ed) {
      await vscode.window.showTextDocument(ed.document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAll();
    await budget().update('wallSeconds', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(file, { force: true });
  });

  it(`checks a scenario of ${ITEMS.toLocaleString('en')} traffic items without blocking the extension host for ${BLOCKED_MS} ms`, async function () {
    const uri = vscode.Uri.file(file);
    const w = await watchLoop(async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      return waitFor('the diagnostic on the last traffic item', () => netstackDiagnostics(uri).find((d) => /frobnicate/.test(d.message)), 600_000);
    });
    record(this.test, 'open and check', { items: ITEMS, checkedInMs: Math.round(w.ms), maxDelayMs: Math.round(w.maxDelayMs), p99Ms: Math.round(w.p99Ms), maxTickGapMs: Math.round(w.maxGapMs) });
    assert.strictEqual(w.result.range.start.line + 1, badLine, 'the error is on the bad item');
    assert.ok(w.maxDelayMs < BLOCKED_MS && w.maxGapMs < BLOCKED_MS, `the extension host was blocked for ${Math.round(Math.max(w.maxDelayMs, w.maxGapMs))} ms`);
  });

  it('typing in it cancels the older check, never blocks, and the newest text is the one reported', async function () {
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const edits = 5;
    // every line the error was reported at meanwhile: a check of an older text that was not
    // ended would report it one line higher per edit it missed
    const seen = new Set<number>();
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.fsPath === file)) return;
      for (const d of netstackDiagnostics(uri)) if (/frobnicate/.test(d.message)) seen.add(d.range.start.line + 1);
    });
    const w = await watchLoop(async () => {
      for (let i = 0; i < edits; i++) {
        const e = new vscode.WorkspaceEdit();
        e.insert(uri, new vscode.Position(0, 0), `# edit ${i}\n`);
        assert.ok(await vscode.workspace.applyEdit(e));
        await new Promise((r) => setTimeout(r, 400));
      }
      // each edit moved the bad item one line down: only the last text's check may report it
      return waitFor('the diagnostic of the last edit', () => netstackDiagnostics(uri).find((d) => /frobnicate/.test(d.message) && d.range.start.line + 1 === badLine + edits), 600_000);
    });
    sub.dispose();
    record(this.test, 'typing', { edits, maxDelayMs: Math.round(w.maxDelayMs), p99Ms: Math.round(w.p99Ms), maxTickGapMs: Math.round(w.maxGapMs), linesReported: [...seen] });
    assert.deepStrictEqual([...seen].filter((l) => l !== badLine && l !== badLine + edits), [], 'only the first and the last text were reported');
    assert.ok(doc.lineAt(0).text.startsWith('# edit 4'));
    assert.ok(w.maxDelayMs < BLOCKED_MS && w.maxGapMs < BLOCKED_MS, `the extension host was blocked for ${Math.round(Math.max(w.maxDelayMs, w.maxGapMs))} ms`);
  });
});
