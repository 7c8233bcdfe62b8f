// Runs the extension-host tests (test/suite/) inside code-server's extension host, headless:
// installs code-server once into .vscode-test/code-server/, starts it on 127.0.0.1 with its own
// user-data and extensions folders, opens the workbench in headless Chromium with
// extensionDevelopmentPath (this repository) and extensionTestsPath (out/test/suite/index) in
// the URL's `payload` (as VS Code's own browser integration tests do), waits for the result file
// the runner writes, and exits non-zero when a test failed, nothing ran, or the run did not end.
//
//   npm run test:vscode                        (compiles, builds, then runs this)
//   NETSTACK_TEST_GREP=hover npm run test:vscode
//   NETSTACK_TEST_VERBOSE=1 …                  (the workbench's console as it happens)
//
// Where VS Code can be downloaded, test/runTest.ts runs the same suite with @vscode/test-electron.
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './codeServer/browser';
import { CACHE, ROOT, ensureCodeServer, remoteUri, startCodeServer } from './codeServer/codeServer';
import type { SuiteResult } from './suite/index';

// 15 minutes: the suite checks a 100,000-item scenario (test/suite/responsive.test.ts), tens of seconds of parsing on a busy machine
const TIMEOUT_MS = Number(process.env.NETSTACK_TEST_TIMEOUT_MS || 15 * 60_000);
const VERBOSE = !!process.env.NETSTACK_TEST_VERBOSE;

async function main(): Promise<number> {
  const t0 = Date.now();
  const suiteIndex = path.join(ROOT, 'out', 'test', 'suite', 'index.js');
  for (const f of [path.join(ROOT, 'dist', 'extension.js'), suiteIndex]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(ROOT, f)} is missing: run \`npm run build && npm run compile-tests\` (npm run test:vscode does)`);
  }
  const why = chromiumMissing();
  if (why) {
    // the workbench that hosts the extension host needs a browser (docs/architecture.md: say it is skipped and why)
    if (process.env.CI === 'true') {
      console.log(`[vscode-tests] CI must not skip these tests: ${why}`);
      return 1;
    }
    console.log(`[vscode-tests] skipped: ${why}`);
    return 0;
  }
  ensureCodeServer();

  // a folder of its own (two runs may overlap on a shared machine); kept when the run fails
  const run = path.join(CACHE, 'runs', `extension-tests-${process.pid}`);
  fs.rmSync(run, { recursive: true, force: true });
  const workspace = path.join(run, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  const resultFile = path.join(run, 'result.json');

  const server = await startCodeServer({
    workspace,
    userDataDir: path.join(run, 'user-data'),
    extensionsDir: path.join(run, 'extensions'),
    env: { NETSTACK_TEST_RESULT: resultFile },
  });
  console.log(`[vscode-tests] code-server ${server.url} up after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const browser = await launchChromium();
  let passed = false;
  const fail = (): number => {
    console.error(`[vscode-tests] logs and workspace kept in ${path.relative(ROOT, run)}/`);
    return 1;
  };
  let exitCode: number | undefined;
  let page: Page | undefined;
  try {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // the workbench calls window.codeAutomationExit(code) when the extension host has run the tests
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
    });
    page.on('console', (m) => {
      if (VERBOSE) console.log(`[browser ${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => console.log(`[vscode-tests] page error: ${e.message}`));
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server, ROOT)],
      ['extensionTestsPath', remoteUri(server, suiteIndex.replace(/\.js$/, ''))],
      ['skipWelcome', 'true'],
    ];
    await page.goto(server.workbenchUrl({ payload: JSON.stringify(payload) }), { timeout: 180_000 });

    const deadline = Date.now() + TIMEOUT_MS;
    let result: SuiteResult | undefined;
    while (!result) {
      if (fs.existsSync(resultFile)) result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as SuiteResult;
      else if (exitCode !== undefined) {
        // give the file a moment: the host may report its exit just before the write lands
        await new Promise((r) => setTimeout(r, 1000));
        if (!fs.existsSync(resultFile)) break;
      } else if (Date.now() > deadline) {
        console.error(`[vscode-tests] no result after ${TIMEOUT_MS / 1000} s`);
        break;
      } else await new Promise((r) => setTimeout(r, 250));
    }
    if (!result || result.error || result.failed > 0 || result.total === 0) {
      // the workbench as the run left it
      const shot = path.join(CACHE, 'screenshots', 'extension-tests-FAILED.png');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot }).catch(() => undefined);
      console.error(`[vscode-tests] screenshot: ${path.relative(ROOT, shot)}`);
    }

    if (!result) {
      console.error(`[vscode-tests] the extension host ${exitCode !== undefined ? `exited with ${exitCode}` : 'did not finish'} without writing ${resultFile}`);
      console.error(server.output().split('\n').slice(-40).join('\n'));
      return fail();
    }
    console.log(result.lines.join('\n'));
    if (result.error) console.error(`[vscode-tests] the suite did not start: ${result.error}`);
    console.log(`[vscode-tests] ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
    if (result.error || result.failed > 0) return fail();
    if (result.total === 0) {
      console.error('[vscode-tests] no test ran');
      return fail();
    }
    passed = true;
    return 0;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    if (passed) fs.rmSync(run, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[vscode-tests] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
