// The product as a user meets it, in code-server with the packaged .vsix: open an example
// scenario, open the packet debugger from it, step forward and back, set a breakpoint and run to
// it, step with the keyboard, see a bad line in Problems, open another example from the Examples
// view. Each test asserts what is on screen and saves .vscode-test/screenshots/vscode-*.png.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../codeServer/codeServer';
import { debuggerFrame, quickOpen, runCommand, screenshot, type Workbench, workbenchHooks } from './workbench';

describe('VS Code (code-server): the packet debugger', function () {
  this.timeout(120_000);
  let wb: Workbench | undefined;

  workbenchHooks('debugger', (w) => (wb = w));

  const pos = async (): Promise<string> => (await debuggerFrame(wb!.page).locator('#pos').textContent()) ?? '';
  const untilPos = async (re: RegExp, timeout = 10_000): Promise<string> => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const p = await pos().catch(() => '');
      if (re.test(p)) return p;
      if (Date.now() > deadline) throw new Error(`position ${JSON.stringify(p)} never matched ${re}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('installed the .vsix, which holds only what the extension loads', () => {
    const dirs = fs.readdirSync(wb!.extensionsDir).filter((d) => d.startsWith('netstack-explorer.netstack-explorer-'));
    assert.strictEqual(dirs.length, 1, `installed: ${dirs.join(', ')}`);
    const root = path.join(wb!.extensionsDir, dirs[0]);
    const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()).sort();
    const unexpected = files.filter((f) => !/^(package\.json|readme\.md|changelog\.md|LICENSE(\.md)?|\.vsixmanifest|dist\/(extension|webview|exercise|scenarioWorker)\.js|media\/[^/]+\.(css|svg)|media\/screenshots\/[^/]+\.png|media\/walkthrough\/[^/]+\.png|schemas\/[^/]+\.json|examples\/.+|exercises\/.+)$/i.test(f));
    assert.deepStrictEqual(unexpected, []);
    // and it is this working tree's build, not a stale package
    const manifest = (dir: string): unknown => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { contributes: unknown }).contributes;
    assert.deepStrictEqual(manifest(root), manifest(ROOT), 'the .vsix is older than package.json: run npm run package');
    for (const f of ['package.json', 'dist/extension.js', 'dist/webview.js', 'dist/exercise.js', 'media/debugger.css', 'media/exercise.css', 'examples/forward-ttl-exceeded.yaml']) assert.ok(files.includes(f), `${f} is missing`);
  });

  it('opens an example scenario in the editor, with its CodeLens', async () => {
    const { page } = wb!;
    await quickOpen(page, 'forward-ttl-exceeded.yaml');
    await page.locator('.monaco-editor .view-line', { hasText: 'name: TTL runs out at the router' }).waitFor();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Open Packet Debugger' }).waitFor({ timeout: 30_000 });
    // the scenario is fine: no problem in the status bar's counters
    assert.match((await page.locator('#status\\.problems').textContent()) ?? '', /^\s*0\s*0\s*$/);
    await screenshot(page, 'scenario');
    // more room for the panel from here on
    await runCommand(page, 'View: Close Primary Side Bar');
  });

  it('opens the packet debugger from the CodeLens', async () => {
    const { page } = wb!;
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Open Packet Debugger' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'Packet Debugger' }).waitFor();
    const p = await untilPos(/^1 \/ \d+$/, 30_000);
    const total = Number(p.split('/')[1]);
    assert.ok(total > 5, `a trace of ${total} events`);
    const frame = debuggerFrame(page);
    assert.match((await frame.locator('.fn-line').textContent()) ?? '', /\(\)/);
    assert.ok((await frame.locator('.picture .host').count()) >= 2, 'the hosts are drawn');
    // it opens at its top: the toolbar, the picture and the step, not scrolled to some list
    assert.strictEqual(await frame.locator('body').evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY), 0, 'the panel opened scrolled down');
    assert.ok(await frame.locator('.fn-line').isVisible());
    await screenshot(page, 'debugger-open');
  });

  it('steps forward and back', async () => {
    const { page } = wb!;
    const frame = debuggerFrame(page);
    const first = (await frame.locator('.fn-line').textContent()) ?? '';
    await frame.locator('#btn-stepInto').click();
    await untilPos(/^2 \//);
    await frame.locator('#btn-stepInto').click();
    await untilPos(/^3 \//);
    assert.notStrictEqual((await frame.locator('.fn-line').textContent()) ?? '', '', 'a function at step 3');
    await screenshot(page, 'debugger-step');
    await frame.locator('#btn-stepBack').click();
    await untilPos(/^2 \//);
    await frame.locator('#btn-stepBack').click();
    await untilPos(/^1 \//);
    assert.strictEqual((await frame.locator('.fn-line').textContent()) ?? '', first, 'back at the first step');
  });

  it('sets a breakpoint on ip_forward and continues to it', async () => {
    const { page } = wb!;
    const frame = debuggerFrame(page);
    await frame.locator('#bp-input').click();
    await page.keyboard.type('fn == ip_forward');
    await page.keyboard.press('Enter');
    await frame.locator('ul.bps li.bp', { hasText: 'fn == ip_forward' }).waitFor();
    await frame.locator('#btn-continue').click();
    await frame.locator('#status', { hasText: 'Stopped at breakpoint' }).waitFor();
    assert.match((await frame.locator('.fn-line').textContent()) ?? '', /^ip_forward\(\)/);
    assert.match((await frame.locator('#status').textContent()) ?? '', /router: ip_forward/);
    assert.match((await frame.locator('ul.bps li.bp', { hasText: 'fn == ip_forward' }).textContent()) ?? '', /fn == ip_forward\s*\d+/);
    await frame.locator('body').evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await screenshot(page, 'debugger-breakpoint');
  });

  it('steps with the keyboard (F11, Alt+F10) when the panel has the focus', async () => {
    const { page } = wb!;
    const frame = debuggerFrame(page);
    const before = Number((await pos()).split('/')[0]);
    await frame.locator('.where').first().click();
    await page.keyboard.press('F11');
    await untilPos(new RegExp(`^${before + 1} /`));
    await page.keyboard.press('Alt+F10');
    await untilPos(new RegExp(`^${before} /`));
  });

  it('shows a bad setup line in the Problems panel with its line and column', async () => {
    const { page } = wb!;
    const bad = fs.readFileSync(path.join(wb!.examples, 'forward-ttl-exceeded.yaml'), 'utf8').replace('ip route add default via 10.0.1.1', 'ip route add default via 10.0.1.1 frobnicate');
    fs.writeFileSync(path.join(wb!.examples, 'zz-bad-scenario.yaml'), bad);
    await quickOpen(page, 'zz-bad-scenario.yaml');
    await runCommand(page, 'View: Focus Problems');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'frobnicate' });
    await row.waitFor({ timeout: 30_000 });
    const text = (await row.textContent()) ?? '';
    const line = bad.split('\n').findIndex((l) => l.includes('frobnicate')) + 1;
    const col = bad.split('\n')[line - 1].indexOf('frobnicate') + 1;
    assert.match(text, /unknown keyword in `ip route`/);
    assert.match(text, new RegExp(`\\[Ln ${line}, Col ${col}\\]`));
    // the word is underlined in the editor
    await page.locator('.monaco-editor .squiggly-error').first().waitFor();
    await screenshot(page, 'problems');
    await runCommand(page, 'View: Hide Panel');
  });

  it('lists the examples in the Netstack Explorer view and opens the debugger from one', async () => {
    const { page } = wb!;
    // one panel at a time on screen, so that the webview frame is unambiguous
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.tabs-container .tab').first().waitFor({ state: 'detached' });
    await page.locator('.activitybar').getByRole('tab', { name: /^Netstack Explorer/ }).click();
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Examples' }) });
    const row = view.locator('.monaco-list-row', { hasText: /(?<!-)forward-ping\.yaml/ });
    await row.waitFor({ timeout: 30_000 });
    assert.ok((await view.locator('.monaco-list-row').count()) >= 10, 'the examples are listed');
    await row.hover();
    await row.locator('.action-label[aria-label*="Open Packet Debugger"]').click();
    await page.locator('.tabs-container .tab', { hasText: /Packet Debugger: .*(?<!-)forward-ping\.yaml/ }).waitFor();
    await untilPos(/^1 \/ \d+$/, 30_000);
    await screenshot(page, 'examples-view');
  });

  it('saw no error from the extension or the page', () => {
    assert.deepStrictEqual(wb!.errors, []);
  });
});
