// `npm start` (the README's "run the product"): the launcher prints a 127.0.0.1 address where
// VS Code shows the sample workspace with the extension (this working tree, linked) loaded.
// Screenshot: .vscode-test/screenshots/vscode-start.png.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../codeServer/browser';
import { CACHE, ROOT } from '../codeServer/codeServer';
import { kernelSrc, quickOpen, screenshot, screenshotIfFailed } from './workbench';
import { skipOrFail } from '../skip';

describe('npm start', function () {
  this.timeout(120_000);
  const home = path.join(CACHE, 'runs', `ui-start-${process.pid}`);
  const urlFile = path.join(home, 'url');
  let child: ChildProcess | undefined;
  let out = '';
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    const why = chromiumMissing() ?? (fs.existsSync(path.join(ROOT, 'dist', 'extension.js')) ? undefined : 'dist/extension.js is missing (npm run build)');
    if (why) skipOrFail(this, why);
    fs.rmSync(home, { recursive: true, force: true });
    fs.mkdirSync(home, { recursive: true });
    // what `npm start` runs after building: its own process group, ended in after()
    child = spawn(process.execPath, [path.join(ROOT, 'out', 'test', 'codeServer', 'start.js')], {
      cwd: ROOT,
      env: { ...process.env, NETSTACK_PORT: '0', NETSTACK_START_HOME: home, NETSTACK_URL_FILE: urlFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    const deadline = Date.now() + 90_000;
    while (!fs.existsSync(urlFile)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start printed no address:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  });

  afterEach(async function () {
    await screenshotIfFailed(this, page);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    // the extensions folder holds a link to this working tree: unlink it before removing the rest
    const link = path.join(home, 'extensions');
    for (const e of fs.existsSync(link) ? fs.readdirSync(link, { withFileTypes: true }) : []) if (e.isSymbolicLink()) fs.unlinkSync(path.join(link, e.name));
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('prints a 127.0.0.1 address', () => {
    const url = fs.readFileSync(urlFile, 'utf8');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?workspace=/);
    assert.ok(out.includes(url), 'the address is printed');
  });

  it('opens the sample workspace with the extension working', async () => {
    await page.goto(fs.readFileSync(urlFile, 'utf8'));
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'examples' }).first().waitFor({ timeout: 60_000 });
    if (kernelSrc()) await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'linux-source-6.12' }).first().waitFor();
    await quickOpen(page, 'forward-ttl-exceeded.yaml');
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Open Packet Debugger' }).waitFor({ timeout: 30_000 });
    await page.locator('.pane-header', { hasText: 'Kernel path' }).waitFor();
    await screenshot(page, 'start');
  });
});
