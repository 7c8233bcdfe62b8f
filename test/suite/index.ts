// The extension-host test runner, in the standard `@vscode/test-electron` layout: VS Code (or
// code-server's extension host) loads this module from `extensionTestsPath` and awaits `run()`.
// Besides rejecting on failure (which makes VS Code exit non-zero), it writes its result to a
// JSON file, because under code-server the browser tab, not a shell, owns the extension host:
// the launcher (test/runCodeServer.ts) waits for that file.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  /** tests that ran (passed + failed) */
  total: number;
  durationMs: number;
  failures: { title: string; error: string }[];
  /** the report, one line per suite and test */
  lines: string[];
  /** set when the suite could not even start */
  error?: string;
}

/** Where the result goes: $NETSTACK_TEST_RESULT, else .vscode-test/results/extension-tests.json. */
export function resultFile(): string {
  return process.env.NETSTACK_TEST_RESULT || path.resolve(__dirname, '../../../.vscode-test/results/extension-tests.json');
}

function write(result: SuiteResult): void {
  const file = resultFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // write then rename, so that the launcher never reads half a file
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export function run(): Promise<void> {
  const t0 = Date.now();
  const result: SuiteResult = { passed: 0, failed: 0, pending: 0, total: 0, durationMs: 0, failures: [], lines: [] };
  const say = (s: string): void => {
    result.lines.push(s);
    console.log(s);
  };
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: function quiet() { /* the listeners below report */ } as unknown as Mocha.ReporterConstructor });
  const grep = process.env.NETSTACK_TEST_GREP;
  if (grep) mocha.grep(grep);
  try {
    // extension.test.js first: it checks that nothing activated the extension before it asked
    const first = (f: string): number => (f === 'extension.test.js' ? 0 : 1);
    const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort((a, b) => first(a) - first(b) || a.localeCompare(b));
    for (const f of files) mocha.addFile(path.join(__dirname, f));
  } catch (e) {
    result.error = String(e);
    write(result);
    return Promise.reject(e);
  }
  return new Promise<void>((resolve, reject) => {
    let depth = 0;
    const indent = (): string => '  '.repeat(depth);
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        result.durationMs = Date.now() - t0;
        result.total = result.passed + result.failed;
        say(`${result.passed} passing, ${result.failed} failing, ${result.pending} pending (${result.durationMs} ms)`);
        write(result);
        if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
        else if (result.total === 0) reject(new Error('no extension test ran'));
        else resolve();
      });
    } catch (e) {
      result.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      write(result);
      reject(e);
      return;
    }
    runner.on('suite', (s) => {
      if (s.title) say(`${indent()}${s.title}`);
      depth++;
    });
    runner.on('suite end', () => depth--);
    runner.on('pass', (t) => {
      result.passed++;
      say(`${indent()}✓ ${t.title} (${t.duration ?? 0} ms)`);
    });
    runner.on('pending', (t) => {
      result.pending++;
      say(`${indent()}- ${t.title} (skipped)`);
    });
    runner.on('fail', (t, err: Error) => {
      result.failed++;
      const error = err?.stack ?? String(err);
      result.failures.push({ title: t.fullTitle(), error });
      say(`${indent()}✗ ${t.title}\n${error.replace(/^/gm, `${indent()}    `)}`);
    });
  });
}
