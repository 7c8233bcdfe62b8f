// Hovering a kernel symbol in the real v6.12 source, in code-server with the packaged .vsix and
// the kernel tree as a workspace folder: the explanation, where it is defined in this tree, and
// the "modelled" CodeLens, and its link into the packet debugger. Screenshots:
// .vscode-test/screenshots/vscode-hover.png, vscode-hover-show-step.png.
import * as assert from 'assert';
import { debuggerFrame, goToLine, kernelSrc, quickOpen, screenshot, type Workbench, workbenchHooks } from './workbench';

describe('VS Code (code-server): kernel source hovers', function () {
  this.timeout(120_000);
  let wb: Workbench | undefined;

  workbenchHooks('kernel', (w) => (wb = w), { needs: () => (kernelSrc() ? undefined : 'no v6.12 kernel tree (linux-source-6.12 extracted to /usr/src, or NETSTACK_KERNEL_SRC)') });

  it('opens net/ipv4/ip_forward.c with a "modelled" CodeLens above ip_forward()', async () => {
    const { page } = wb!;
    await quickOpen(page, 'ip_forward.c', 'net/ipv4/');
    await goToLine(page, 83);
    await page.locator('.monaco-editor .view-line', { hasText: 'int ip_forward(struct sk_buff *skb)' }).waitFor();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'modelled' }).first().waitFor({ timeout: 30_000 });
  });

  it('hovers ip_forward: what it does, and where it is in this tree', async () => {
    const { page } = wb!;
    const line = page.locator('.monaco-editor .view-line', { hasText: 'int ip_forward(struct sk_buff *skb)' });
    const word = line.locator('span > span', { hasText: /^ip_forward$/ }).first();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'ip_forward' }).first();
    // the tree resolves in the background after the workbench opens: hover until the hover says so
    const deadline = Date.now() + 45_000;
    let text = '';
    for (;;) {
      await page.mouse.move(5, 5);
      await word.hover();
      await hover.waitFor({ state: 'visible', timeout: 10_000 });
      text = (await hover.textContent()) ?? '';
      if (/in your tree/.test(text) || Date.now() > deadline) break;
      await page.waitForTimeout(1000);
    }
    assert.match(text, /ip_forward — function/);
    assert.match(text, /net\/ipv4\/ip_forward\.c:83 in your tree/);
    assert.match(text, /Show in the packet debugger/);
    await screenshot(page, 'hover');
  });

  it('"Show in the packet debugger" from the hover opens the debugger at ip_forward', async () => {
    const { page } = wb!;
    const link = page.locator('.monaco-hover:not(.hidden) a', { hasText: 'Show in the packet debugger' }).first();
    await link.scrollIntoViewIfNeeded();
    await link.click();
    await page.locator('.tabs-container .tab', { hasText: 'Packet Debugger' }).waitFor({ timeout: 30_000 });
    const frame = debuggerFrame(page);
    await frame.locator('.fn-line', { hasText: /^ip_forward\(\)/ }).waitFor({ timeout: 30_000 });
    assert.match((await frame.locator('.where').first().textContent()) ?? '', /router/);
    // the hover stays while the mouse is on it: move away so that the screenshot shows the panel
    await page.mouse.move(600, 980);
    await page.locator('.monaco-hover:not(.hidden)', { hasText: 'ip_forward' }).waitFor({ state: 'hidden' }).catch(() => undefined);
    await screenshot(page, 'hover-show-step');
  });

  it('saw no error from the extension or the page', () => {
    assert.deepStrictEqual(wb!.errors, []);
  });
});
