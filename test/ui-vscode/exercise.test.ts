// A learner's first hour, in code-server with the packaged .vsix: the walkthrough "Get started
// with Netstack Explorer" step by step (the Examples, a packet in the debugger, a kernel symbol's
// hover), then a fix exercise end to end from the Exercises view: read the task, Check fails and
// says which rule let SSH through and on which line, move the rule, Check passes, the view shows
// the exercise done. Screenshots: .vscode-test/screenshots/vscode-walkthrough*.png,
// vscode-exercise-*.png, and the walkthrough's media crops walkthrough-*.png
// (NETSTACK_UPDATE_MEDIA=1 also writes those to media/walkthrough/).
import * as assert from 'assert';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { debuggerFrame, goToLine, quickOpen, runCommand, runCommandAndPick, screenshot, walkthroughMedia, type Workbench, workbenchHooks } from './workbench';
import { skipOrFail } from '../skip';

const WALKTHROUGH = 'Get started with Netstack Explorer';
const EXERCISE = 'The drop rule that never matches';

describe('VS Code (code-server): the walkthrough and a fix exercise', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;

  workbenchHooks('exercise', (w) => (wb = w));

  const walkthrough = (page: Page): Locator => page.locator('.gettingStartedContainer');
  const step = (page: Page, title: string): Locator => walkthrough(page).locator('.getting-started-step', { hasText: title });
  const box = async (l: Locator): Promise<{ x: number; y: number; width: number; height: number }> => {
    const b = await l.boundingBox();
    if (!b) throw new Error('not on screen');
    return b;
  };
  /** The notification toast holding `text`, once it shows. */
  const toast = async (page: Page, text: string | RegExp): Promise<string> => {
    const t = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await t.waitFor({ timeout: 60_000 });
    return (await t.textContent()) ?? '';
  };
  /** The exercise task panel's page (the only webview open while the exercise is). */
  const taskFrame = (page: Page): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const sideBarTab = (page: Page): Locator => page.locator('.activitybar').getByRole('tab', { name: /^Netstack Explorer/ });
  const pane = (page: Page, title: string): Locator => page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) });

  it(`opens the walkthrough "${WALKTHROUGH}" with its four steps`, async () => {
    const { page } = wb!;
    await runCommandAndPick(page, 'Welcome: Open Walkthrough...', WALKTHROUGH);
    await walkthrough(page).locator('h2', { hasText: WALKTHROUGH }).waitFor({ timeout: 30_000 });
    for (const t of ['Open an example', 'Step a packet', 'Hover a kernel symbol', 'Do the first exercise']) await step(page, t).waitFor();
    // each step shows its image, made from the real UI
    await step(page, 'Open an example').click();
    const img = walkthrough(page).locator('.getting-started-media img[alt^="The Examples view"]');
    await img.waitFor();
    await page.waitForFunction((i) => ((i as unknown as { naturalWidth: number } | null)?.naturalWidth ?? 0) > 100, await img.elementHandle(), { timeout: 30_000 });
    await screenshot(page, 'walkthrough');
  });

  it('step 1: "Show the Examples" opens the Examples view, grouped by topic', async () => {
    const { page } = wb!;
    await step(page, 'Open an example').getByRole('button', { name: 'Show the Examples' }).click();
    const examples = pane(page, 'Examples');
    await examples.locator('.monaco-list-row', { hasText: /(?<!-)local-udp-delivery\.yaml/ }).waitFor({ timeout: 30_000 });
    await walkthroughMedia(page, 'open-example', { ...(await box(page.locator('.part.sidebar'))), height: 560 });
  });

  it('step 2: the packet debugger on an example, stepped', async () => {
    const { page } = wb!;
    // the debugger alone in the editor area, for its picture
    await runCommand(page, 'View: Close All Editors');
    const row = pane(page, 'Examples').locator('.monaco-list-row', { hasText: /(?<!-)forward-ping\.yaml/ });
    await row.hover();
    await row.locator('.action-label[aria-label*="Open Packet Debugger"]').click();
    const frame = debuggerFrame(page);
    await frame.locator('#pos', { hasText: /^1 \/ \d+$/ }).waitFor({ timeout: 60_000 });
    await frame.locator('#bp-input').click();
    await page.keyboard.type('fn == ip_forward');
    await page.keyboard.press('Enter');
    await frame.locator('#btn-continue').click();
    await frame.locator('.fn-line', { hasText: /^ip_forward\(\)/ }).waitFor();
    await frame.locator('body').evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const group = await box(page.locator('.editor-group-container', { has: page.locator('.tab', { hasText: 'Packet Debugger' }) }));
    await walkthroughMedia(page, 'step-packet', { x: group.x, y: group.y, width: Math.min(group.width, 1000), height: 600 });
    await runCommand(page, 'View: Close All Editors');
  });

  it('step 3: hovering a kernel symbol explains it', async function () {
    const { page } = wb!;
    if (!wb!.kernel) skipOrFail(this, 'no v6.12 kernel tree (linux-source-6.12 extracted to /usr/src, or NETSTACK_KERNEL_SRC)');
    await quickOpen(page, 'ip_forward.c', 'net/ipv4/');
    await goToLine(page, 83);
    const line = page.locator('.monaco-editor .view-line', { hasText: 'int ip_forward(struct sk_buff *skb)' });
    const word = line.locator('span > span', { hasText: /^ip_forward$/ }).first();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'ip_forward' }).first();
    await word.hover();
    await hover.waitFor({ timeout: 15_000 });
    await page.locator('.monaco-hover:not(.hidden)', { hasText: 'Show in the packet debugger' }).first().waitFor({ timeout: 15_000 });
    const h = await box(hover);
    const w = await box(word);
    const x = Math.max(0, Math.min(h.x, w.x) - 40);
    const y = Math.max(0, Math.min(h.y, w.y) - 30);
    await walkthroughMedia(page, 'hover-symbol', { x, y, width: Math.min(Math.max(h.x + h.width, w.x + w.width) + 40 - x, 900), height: Math.min(Math.max(h.y + h.height, w.y + w.height) + 30 - y, 600) });
    await page.mouse.move(5, 500);
    await runCommand(page, 'View: Close All Editors');
  });

  it(`opens the fix exercise "${EXERCISE}" from the Exercises view: the task beside the scenario`, async () => {
    const { page } = wb!;
    // a click on the active container's tab would close the side bar
    if (!(await pane(page, 'Exercises').isVisible())) await sideBarTab(page).click();
    // the Examples list is long: fold it, so that the Exercises view has the side bar
    for (const other of ['Examples', 'Capture Replay']) {
      const header = pane(page, other).locator('.pane-header');
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    const row = pane(page, 'Exercises').locator('.monaco-list-row', { hasText: EXERCISE });
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', /fix/);
    await row.click();
    await page.locator('.tabs-container .tab', { hasText: 'rule-order.yaml' }).waitFor({ timeout: 30_000 });
    await page.locator('.tabs-container .tab', { hasText: `Exercise: ${EXERCISE}` }).waitFor({ timeout: 30_000 });
    // the task panel: its title, the task, the goals, and the buttons of the debugger's component set
    const task = taskFrame(page);
    await task.locator('#ex-title', { hasText: EXERCISE }).waitFor({ timeout: 30_000 });
    const text = (await task.locator('#ex-task').textContent()) ?? '';
    assert.match(text, /SSH still gets through/);
    assert.match(text, /the SYN to the server's port 22 is dropped on the router/);
    assert.match((await task.locator('#ex-meta').textContent()) ?? '', /fix/);
    for (const b of ['#ex-check', '#ex-hint', '#ex-solution']) await task.locator(`vscode-button${b}`).waitFor();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Check' }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'exercise-open');
  });

  it('Check fails, and says which rule let SSH through, on which line of the scenario', async () => {
    const { page } = wb!;
    // a hint first, one at a time, listed in the panel
    const task = taskFrame(page);
    await task.locator('#ex-hint').click();
    await task.locator('#ex-hints li').first().waitFor({ timeout: 15_000 });
    assert.strictEqual(await task.locator('#ex-hints li').count(), 1);
    await task.locator('#ex-check').click();
    const msg = await toast(page, /checks pass/);
    assert.match(msg, /1 of 2 checks pass/);
    // the panel says the same, with the failing goal's story
    await task.locator('#ex-status', { hasText: '1 of 2 checks pass' }).waitFor({ timeout: 30_000 });
    const failing = (await task.locator('#ex-results li.fail').first().textContent()) ?? '';
    assert.match(failing, /filter forward rule 1 `ip saddr 10\.0\.1\.0\/24 counter accept`/);
    assert.match(msg, /goal 1 fails: the SYN to the server's port 22 is dropped on the router/);
    assert.match(msg, /router let it pass by ip filter forward rule 1 `ip saddr 10\.0\.1\.0\/24 counter accept` \(NF_ACCEPT\) at rule-order\.yaml:17/);
    // the rule's line is underlined in the scenario, and the Problems view says the same
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 15_000 });
    await runCommand(page, 'View: Focus Problems');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'fails here' }).first();
    await problem.waitFor({ timeout: 15_000 });
    assert.match((await problem.textContent()) ?? '', /\[Ln 17, Col \d+\]/);
    await screenshot(page, 'exercise-check-fails');
    const editor = await box(page.locator('.part.editor'));
    await walkthroughMedia(page, 'first-exercise', { x: editor.x, y: editor.y, width: Math.min(editor.width, 1300), height: 620 });
    // the Exercises view says it was attempted
    await pane(page, 'Exercises').locator('.monaco-list-row', { hasText: EXERCISE }).locator('.label-description', { hasText: 'attempted' }).waitFor();
    await runCommand(page, 'View: Hide Panel');
    await runCommand(page, 'Notifications: Clear All Notifications');
  });

  it('moving the drop rule above the accept makes Check pass, and the view shows the exercise done', async () => {
    const { page } = wb!;
    // as a learner would: the cursor on the accept rule, Alt+Down moves the line below the drop
    await page.locator('.monaco-editor .view-line', { hasText: 'counter accept' }).first().click();
    await page.keyboard.press('Alt+ArrowDown');
    await page.keyboard.press('Control+S');
    // the editor renders the moved lines a moment later (with non-breaking spaces): read until both are there
    await page.waitForFunction(() => {
      const t = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('.monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ') ?? '';
      return t.includes('counter drop') && t.includes('counter accept') && t.indexOf('counter drop') < t.indexOf('counter accept');
    }, undefined, { timeout: 15_000 });
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Check' }).first().click();
    const msg = await toast(page, /checks pass/);
    assert.match(msg, /all 2 checks pass/);
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'detached', timeout: 15_000 });
    const row = pane(page, 'Exercises').locator('.monaco-list-row', { hasText: EXERCISE });
    await row.locator('.label-description', { hasText: 'done' }).waitFor({ timeout: 15_000 });
    assert.ok(await row.locator('.codicon-pass-filled').count(), 'a done icon');
    await taskFrame(page).locator('#ex-status', { hasText: 'All 2 checks pass' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'exercise-done');
  });

  it('the walkthrough shows each step done: the example, the debugger, the hover, the exercise', async () => {
    const { page } = wb!;
    await runCommand(page, 'View: Close All Editors');
    await runCommandAndPick(page, 'Welcome: Open Walkthrough...', WALKTHROUGH);
    await walkthrough(page).locator('h2', { hasText: WALKTHROUGH }).waitFor({ timeout: 30_000 });
    const titles = ['Open an example', 'Step a packet', 'Do the first exercise'];
    if (wb!.kernel) titles.push('Hover a kernel symbol');
    for (const t of titles) {
      // the walkthrough renders a step's check mark as it reads the stored progress
      const done = step(page, t).and(page.locator('[aria-checked="true"]'));
      await done.waitFor({ timeout: 15_000 }).catch(() => undefined);
      assert.strictEqual(await step(page, t).getAttribute('aria-checked'), 'true', `the step "${t}" is done`);
    }
    await screenshot(page, 'walkthrough-done');
  });

  it('saw no error from the extension or the page', () => {
    assert.deepStrictEqual(wb!.errors, []);
  });
});
