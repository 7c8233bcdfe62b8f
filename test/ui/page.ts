// Node side of the UI tests and the webview bench: build the webview bundle and the harness,
// serve a test page (same CSP as the panel: nonce scripts, styles from the server only) on
// 127.0.0.1, and drive Debian's Chromium headless with playwright-core.
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';
import type { Browser, Page } from 'playwright-core';
import { debuggerPage } from '../../src/debugger/html';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../../..');
const OUT = path.join(ROOT, '.vscode-test', 'ui');
export const SCREENSHOTS = path.join(ROOT, '.vscode-test', 'screenshots');

export function chromiumMissing(): string | undefined {
  return fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
}

/** Bundle the webview exactly as esbuild.js does (iife, es2022, browser) plus the harness. */
export async function buildBundles(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const common = { bundle: true, platform: 'browser' as const, format: 'iife' as const, target: 'es2022', logLevel: 'warning' as const, sourcemap: true };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'webview/main.ts')], outfile: path.join(OUT, 'webview.js') }),
    esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'webview/harness/harness.ts')], outfile: path.join(OUT, 'harness.js') }),
  ]);
}

const NONCE = 'dGVzdC1ub25jZS0xMjM0NTY3ODkw';

/** The panel's own page (src/debugger/html.ts) with the fake host's script first. */
function pageHtml(origin: string): string {
  return debuggerPage({ cspSource: origin, nonce: NONCE, styleUri: `${origin}/media/debugger.css`, scriptUris: [`${origin}/harness.js`, `${origin}/webview.js`], title: 'Packet debugger (test)' });
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(): Promise<Served> {
  const files: Record<string, [string, string]> = {
    '/webview.js': [path.join(OUT, 'webview.js'), 'text/javascript'],
    '/harness.js': [path.join(OUT, 'harness.js'), 'text/javascript'],
    '/media/debugger.css': [path.join(ROOT, 'media', 'debugger.css'), 'text/css'],
  };
  let origin = '';
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', origin);
    if (u.pathname === '/' || u.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(pageHtml(origin));
      return;
    }
    const f = files[u.pathname];
    if (!f || !fs.existsSync(f[0])) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': f[1] });
    res.end(fs.readFileSync(f[0]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: origin, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // playwright gives every launch a fresh temporary profile (a --user-data-dir of its own)
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Open the test page in a theme and wait for the webview's ready handshake. */
export async function openPage(browser: Browser, url: string, theme: 'dark' | 'light' | 'high-contrast' = 'dark', viewport = { width: 1400, height: 1100 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${url}/?theme=${theme}`);
  await page.waitForFunction(new Function('return window.harness && window.harness.posted.some((m) => m.type === "debugger/ready")') as () => boolean);
  if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
