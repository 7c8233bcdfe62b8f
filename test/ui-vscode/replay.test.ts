// "Replay Capture…" as a user does it, in code-server with the packaged .vsix: a capture written
// by dumpcap (test/fixtures/captures/) and a scenario with a firewall in the workspace, the
// command from the palette with its three questions, the Capture Replay view's summary, and the
// dropped frame opened in the packet debugger. Screenshot: .vscode-test/screenshots/vscode-replay.png
// (NETSTACK_UPDATE_MEDIA=1 also writes media/screenshots/replay-capture.png).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../codeServer/codeServer';
import { debuggerFrame, screenshot, type Workbench, workbenchHooks } from './workbench';

describe('VS Code (code-server): Replay Capture', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;

  workbenchHooks('replay', (w) => (wb = w), {
    prepare: (wb) => {
      const captures = path.join(ROOT, 'test', 'fixtures', 'captures');
      fs.copyFileSync(path.join(captures, 'dumpcap.pcapng'), path.join(wb.examples, 'dumpcap.pcapng'));
      // the fixture's scenario without its own capture item: the capture comes from the command
      const text = fs.readFileSync(path.join(captures, 'server.yaml'), 'utf8').replace(/traffic:[\s\S]*$/, 'traffic:\n  - from: client\n    send: icmp echo-request to 10.0.1.1\n');
      fs.writeFileSync(path.join(wb.examples, 'zz-replay-server.yaml'), text);
    },
  });

  it('asks for the capture, the scenario and HOST:IF, and shows the summary by fate, function, reason and rule', async () => {
    const { page } = wb!;
    const qi = page.locator('.quick-input-widget');
    // from the Capture Replay view's own button, in the Netstack Explorer side bar
    await page.locator('.activitybar').getByRole('tab', { name: /^Netstack Explorer/ }).click();
    // the other views folded, so that the replay's rows are on screen (the list is virtual)
    for (const other of ['Examples', 'Exercises']) {
      const h = page.locator('.pane-header', { hasText: other });
      if ((await h.getAttribute('aria-expanded')) === 'true') await h.click();
    }
    const header = page.locator('.pane-header', { hasText: 'Capture Replay' });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    await page.locator('.pane', { has: header }).locator('.monaco-button', { hasText: 'Replay Capture…' }).click();
    const pick = async (title: RegExp, row: string): Promise<void> => {
      await qi.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
      // the list may be long (a kernel tree in the workspace): filter it as a user types
      await qi.locator('input').fill(row);
      await qi.locator('.monaco-list-row', { hasText: row }).first().click();
    };
    await pick(/the capture/, 'dumpcap.pcapng');
    await pick(/the scenario/, 'zz-replay-server.yaml');
    await pick(/HOST:IF/, 'server:eth0');
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Capture Replay' }) });
    const drop = view.locator('.monaco-list-row', { hasText: 'dropped: nft_do_chain NETFILTER_DROP (filter input rule 1)' });
    await drop.waitFor({ timeout: 60_000 });
    // the view's message sits above the rows: once it shows, the rows no longer move under the mouse
    await view.locator('.message', { hasText: /^6 frames: / }).waitFor({ timeout: 30_000 });
    assert.match((await drop.textContent()) ?? '', /1 \(16\.7 %\)/);
    assert.match((await view.locator('.monaco-list-row', { hasText: 'dumpcap.pcapng → server:eth0' }).textContent()) ?? '', /6 frames/);
    assert.match((await view.locator('.monaco-list-row', { hasText: /^consumed/ }).textContent()) ?? '', /3 \(50\.0 %\)/);
    // a click on a folded group unfolds it; a click the workbench took while it re-laid the view
    // out lands elsewhere, so the group is unfolded until it says it is (aria-expanded)
    const frame6 = view.locator('.monaco-list-row', { hasText: 'frame 6' });
    for (let tries = 0; !(await frame6.isVisible()); tries++) {
      if ((await drop.getAttribute('aria-expanded')) !== 'true') await drop.click();
      await frame6.waitFor({ timeout: 10_000 }).catch((e: unknown) => {
        if (tries >= 3) throw e;
      });
    }
    assert.match((await view.locator('.monaco-list-row', { hasText: 'frame 6' }).textContent()) ?? '', /server:nft_do_chain/);
  });

  it('opens the dropped frame in the packet debugger at its packet\'s first event', async () => {
    const { page } = wb!;
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Capture Replay' }) });
    await view.locator('.monaco-list-row', { hasText: 'frame 6' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'dumpcap.pcapng → server:eth0' }).waitFor({ timeout: 60_000 });
    const frame = debuggerFrame(page);
    await frame.locator('#pos', { hasText: /^\d+ \/ \d+$/ }).waitFor({ timeout: 60_000 });
    // a replayed frame starts where the capture enters: packet_snd on the link peer of
    // server:eth0 (client:eth0), the packet's first event
    assert.match((await frame.locator('.where').first().textContent()) ?? '', /· client · L2 · packet #\d+$/);
    await frame.locator('text=packet_snd()').first().waitFor({ timeout: 10_000 });
    await frame.locator('body').evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const file = await screenshot(page, 'replay');
    if (process.env.NETSTACK_UPDATE_MEDIA === '1') fs.copyFileSync(file, path.join(ROOT, 'media', 'screenshots', 'replay-capture.png'));
  });

  it('saw no error from the extension or the page', () => {
    assert.deepStrictEqual(wb!.errors, []);
  });
});
