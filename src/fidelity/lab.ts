// The real kernel side: network namespaces, veth pairs, processes inside them — and the
// promise to leave nothing behind. Everything the harness makes (namespaces, processes, a temp
// directory) is registered here at once and removed by cleanupAll(), which also runs on exit,
// SIGINT and SIGTERM.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const made = { netns: new Set<string>(), procs: new Set<ChildProcess>(), dirs: new Set<string>(), other: [] as (() => void)[] };

/** Something else to undo at cleanup (a tracefs instance, a mount), run once, last made first. */
export function registerCleanup(f: () => void): void {
  made.other.push(f);
}
let hooked = false;

/** Kills what the harness started (by pid), deletes its namespaces and temp directories. Synchronous. */
export function cleanupAll(): void {
  for (const p of made.procs) {
    if (p.exitCode === null && p.signalCode === null && p.pid) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  made.procs.clear();
  for (const ns of made.netns) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
  made.netns.clear();
  for (const d of made.dirs) fs.rmSync(d, { recursive: true, force: true });
  made.dirs.clear();
  for (const f of made.other.splice(0).reverse()) f();
}

/** Cleans up on exit and on SIGINT/SIGTERM (then exits 130/143). */
export function installCleanupHandlers(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupAll);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(sig, () => {
      process.stderr.write(`\nfidelity: ${sig}: cleaning up namespaces and processes\n`);
      cleanupAll();
      process.exit(code);
    });
  }
}

export function makeTempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-fidelity-'));
  made.dirs.add(d);
  return d;
}

export function removeTempDir(d: string): void {
  fs.rmSync(d, { recursive: true, force: true });
  made.dirs.delete(d);
}

export class CmdError extends Error {
  constructor(
    readonly argv: string[],
    readonly stderr: string,
    readonly status: number | null,
  ) {
    super(`${argv.join(' ')}: ${stderr.trim() || `exit ${status}`}`);
  }
}

export interface RunOpts {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
}

export function run(argv: string[], opts: RunOpts = {}): string {
  try {
    return execFileSync(argv[0], argv.slice(1), { input: opts.input, env: opts.env ?? process.env, cwd: opts.cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 20000 });
  } catch (e) {
    const x = e as { stderr?: string; status?: number | null; message: string };
    throw new CmdError(argv, String(x.stderr ?? x.message), x.status ?? null);
  }
}

/** A process started inside a namespace; its stdout lines can be awaited. */
export class Proc {
  readonly child: ChildProcess;
  out = '';
  err = '';
  private waiters: (() => void)[] = [];
  readonly exited: Promise<void>;

  constructor(argv: string[], env?: NodeJS.ProcessEnv) {
    this.child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
    made.procs.add(this.child);
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString();
      this.wake();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.err += d.toString();
      this.wake();
    });
    this.child.stdin!.on('error', () => undefined);
    this.exited = new Promise((res) => {
      this.child.on('exit', () => {
        made.procs.delete(this.child);
        this.wake();
        res();
      });
      this.child.on('error', (e) => {
        this.err += String(e);
        made.procs.delete(this.child);
        this.wake();
        res();
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `pred` holds of (stdout, stderr), the process ends, or the timeout passes. */
  async until(pred: (out: string, err: string) => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.out, this.err)) {
      if (!this.running) return pred(this.out, this.err);
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
    return true;
  }

  /** The next complete stdout line after `from` characters, parsed as JSON. */
  async jsonLine(from: number, timeoutMs: number): Promise<{ value: Record<string, unknown>; next: number } | undefined> {
    const ok = await this.until((o) => o.indexOf('\n', from) >= 0, timeoutMs);
    if (!ok) return undefined;
    const nl = this.out.indexOf('\n', from);
    try {
      return { value: JSON.parse(this.out.slice(from, nl)) as Record<string, unknown>, next: nl + 1 };
    } catch {
      return { value: { error: `bad helper output: ${this.out.slice(from, nl)}` }, next: nl + 1 };
    }
  }

  write(s: string): void {
    if (this.running) this.child.stdin!.write(s);
  }

  async stop(sig: NodeJS.Signals = 'SIGTERM', graceMs = 2000): Promise<void> {
    if (!this.running) return;
    try {
      this.child.kill(sig);
    } catch {
      /* gone */
    }
    const t = setTimeout(() => {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

/** A namespace made for one host of one scenario run. */
export class Netns {
  constructor(readonly name: string) {}

  static create(name: string): Netns {
    made.netns.add(name);
    run(['ip', 'netns', 'add', name]);
    return new Netns(name);
  }

  exec(argv: string[], opts: RunOpts = {}): string {
    return run(['ip', 'netns', 'exec', this.name, ...argv], opts);
  }

  spawn(argv: string[], env?: NodeJS.ProcessEnv): Proc {
    return new Proc(['ip', 'netns', 'exec', this.name, ...argv], env);
  }

  destroy(): void {
    try {
      run(['ip', 'netns', 'del', this.name]);
    } finally {
      made.netns.delete(this.name);
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
