// The UI tests' VS Code: code-server (127.0.0.1 only) with the packaged `.vsix` installed, so that
// what is shipped is what is tested, and a workspace of the examples plus the v6.12 kernel tree,
// driven in Debian's headless Chromium by playwright-core. Screenshots go to
// .vscode-test/screenshots/vscode-*.png.
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../codeServer/browser';
import { CACHE, ROOT, codeServerSync, ensureCodeServer, startCodeServer, type CodeServer } from '../codeServer/codeServer';
import { skipOrFail } from '../skip';

export const SCREENSHOTS = path.join(CACHE, 'screenshots');
export const EXTENSION_ID = 'netstack-explorer.netstack-explorer';

/** The .vsix `npm run package` made: netstack-explorer-VERSION.vsix at the root. */
export function vsixPath(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return process.env.NETSTACK_VSIX || path.join(ROOT, `${pkg.name}-${pkg.version}.vsix`);
}

/** The v6.12 kernel tree: $NETSTACK_KERNEL_SRC, else Debian's linux-source-6.12. */
export function kernelSrc(): string | undefined {
  for (const dir of [process.env.NETSTACK_KERNEL_SRC, '/usr/src/linux-source-6.12']) {
    if (dir && fs.existsSync(path.join(dir, 'net', 'ipv4', 'ip_forward.c'))) return dir;
  }
  return undefined;
}

export interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
  /** the copy of examples/ the workspace shows */
  examples: string;
  /** where code-server installed the .vsix */
  extensionsDir: string;
  kernel: string | undefined;
  /** page errors and failed extension activations seen so far */
  errors: string[];
  close(): Promise<void>;
}

/** Why the UI tests cannot run here, if they cannot. */
export function uiMissing(): string | undefined {
  const why = chromiumMissing();
  if (why) return why;
  if (!fs.existsSync(vsixPath())) return `${path.relative(ROOT, vsixPath())} is missing: run \`npm run package\` first (npm run test:ui-vscode does)`;
  return undefined;
}

/** Start code-server with the .vsix installed and open the workbench on the sample workspace. */
export async function openWorkbench(name: string): Promise<Workbench> {
  const why = uiMissing();
  if (why) throw new Error(why);
  ensureCodeServer();
  // a folder per run (two runs may overlap on a shared machine), removed by close()
  const run = path.join(CACHE, 'runs', `ui-${name}-${process.pid}`);
  fs.rmSync(run, { recursive: true, force: true });
  const extensionsDir = path.join(run, 'extensions');
  const userDataDir = path.join(run, 'user-data');
  fs.mkdirSync(extensionsDir, { recursive: true });
  codeServerSync(['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsixPath(), '--force']);
  const listed = codeServerSync(['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--list-extensions']);
  if (!listed.split('\n').includes(EXTENSION_ID)) throw new Error(`the .vsix did not install: --list-extensions says ${JSON.stringify(listed)}`);

  const examples = path.join(run, 'workspace', 'examples');
  fs.cpSync(path.join(ROOT, 'examples'), examples, { recursive: true });
  const kernel = kernelSrc();
  const workspaceFile = path.join(run, 'workspace', 'netstack.code-workspace');
  fs.writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: examples }, ...(kernel ? [{ path: kernel, name: 'linux-6.12' }] : [])] }, null, 2));

  const server = await startCodeServer({ workspace: workspaceFile, userDataDir, extensionsDir, settings: { 'editor.hover.delay': 200, 'workbench.editor.enablePreview': false } });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    const t = m.text();
    if (m.type() === 'error' && /netstack/i.test(t)) errors.push(t);
  });
  // minutes, not seconds, on a machine busy with other builds
  await page.goto(server.workbenchUrl(), { timeout: 180_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 180_000 });
  // the explorer lists the examples folder once the workspace is up
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  return {
    server,
    browser,
    page,
    examples,
    extensionsDir,
    kernel,
    errors,
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
      fs.rmSync(run, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `vscode-${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

/**
 * The hooks every UI suite has, registered in the calling `describe`: start the workbench (or say
 * why it cannot run), a screenshot of each failing test, close it at the end. `needs` adds a
 * reason to skip; `prepare` puts a suite's own files in the workspace. `set` hands the workbench
 * to the suite's tests.
 */
export function workbenchHooks(name: string, set: (wb: Workbench) => void, opts: { needs?: () => string | undefined; prepare?: (wb: Workbench) => void } = {}): void {
  let wb: Workbench | undefined;
  before(async function () {
    // installing the .vsix and starting code-server take minutes on a busy machine
    this.timeout(600_000);
    const why = uiMissing() ?? opts.needs?.();
    if (why) skipOrFail(this, why);
    wb = await openWorkbench(name);
    opts.prepare?.(wb);
    set(wb);
  });
  afterEach(async function () {
    await screenshotIfFailed(this, wb?.page);
  });
  after(async () => {
    if (wb) await wb.close();
  });
}

/** For an afterEach: the screen of a test that failed, as vscode-FAILED-<title>.png. */
export async function screenshotIfFailed(ctx: Mocha.Context, page: Page | undefined): Promise<void> {
  const t = ctx.currentTest;
  if (!page || !t || t.state !== 'failed') return;
  const name = `FAILED-${t.title.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}`;
  const file = await screenshot(page, name).catch(() => undefined);
  if (file) console.log(`    screenshot of the failure: ${path.relative(ROOT, file)}`);
}

const quickInput = (page: Page) => page.locator('.quick-input-widget');

/**
 * Open the command palette and return its input. F1 pressed while a webview's iframe has the
 * focus reaches the workbench only through the webview's key forwarding, which can lose the key
 * (a CI run saw the palette stay hidden for 30 s): if the palette does not show, take the focus
 * back to the workbench's own document and press again.
 */
async function openPalette(page: Page): Promise<Locator> {
  const input = quickInput(page).locator('input');
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: attempt < 3 ? 5000 : 30_000 });
      return input;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { activeElement: { blur?(): void } | null } }).document;
        doc.activeElement?.blur?.();
      });
    }
  }
}

/** Run a command from the command palette by its title ("Netstack: Open Packet Debugger"). */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = await openPalette(page);
  await input.fill(`>${title}`);
  const row = quickInput(page).locator('.monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await quickInput(page).waitFor({ state: 'hidden' });
}

/** Open a workspace file by name with Quick Open (Ctrl+P), and wait for its editor tab. */
export async function quickOpen(page: Page, fileName: string, hint = ''): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = quickInput(page).locator('input');
  await input.waitFor({ state: 'visible' });
  const row = quickInput(page).locator('.monaco-list-row', { hasText: fileName }).first();
  // the file index may not have caught up with a file just written: ask again until it has
  const deadline = Date.now() + 30_000;
  for (;;) {
    await input.fill(`${hint}${fileName}`);
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await input.fill('');
    }
  }
  await input.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden' });
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor();
}

/** Go to a line in the active editor (Ctrl+G). */
export async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = quickInput(page).locator('input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  // Enter acts on the item, which shows once the input is read: wait for it (and insist once)
  await quickInput(page).locator('.monaco-list-row', { hasText: `line ${line}` }).first().waitFor();
  await input.press('Enter');
  try {
    await quickInput(page).waitFor({ state: 'hidden', timeout: 3000 });
  } catch {
    await input.press('Enter');
    await quickInput(page).waitFor({ state: 'hidden' });
  }
}

/** The packet debugger's document: the webview's outer iframe, then its active frame. */
export function debuggerFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * A cropped screenshot for the walkthrough's media: .vscode-test/screenshots/walkthrough-NAME.png,
 * and, with NETSTACK_UPDATE_MEDIA=1, media/walkthrough/NAME.png (what package.json shows).
 */
export async function walkthroughMedia(page: Page, name: string, clip: { x: number; y: number; width: number; height: number }): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `walkthrough-${name}.png`);
  await page.screenshot({ path: file, clip, animations: 'disabled' });
  if (process.env.NETSTACK_UPDATE_MEDIA === '1') {
    fs.mkdirSync(path.join(ROOT, 'media', 'walkthrough'), { recursive: true });
    fs.copyFileSync(file, path.join(ROOT, 'media', 'walkthrough', `${name}.png`));
  }
  return file;
}

/** A command palette entry that opens a quick pick of its own: pick `item` there. */
export async function runCommandAndPick(page: Page, title: string, item: string | RegExp): Promise<void> {
  const input = await openPalette(page);
  await input.fill(`>${title}`);
  await quickInput(page).locator('.monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
  await input.press('Enter');
  const row = quickInput(page).locator('.monaco-list-row', { hasText: item }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await quickInput(page).waitFor({ state: 'hidden' });
}
