// code-server (VS Code's server build, from npm) as the real VS Code of this offline machine:
// installed once into the ignored `.vscode-test/code-server/`, started on 127.0.0.1 with its own
// user-data and extensions folders. Used by the extension-host test launcher, the UI tests and
// `npm start`. The recipe is ../shared/docs/recipes/code-server.md.
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The newest code-server whose engines field accepts Node 20 (VS Code 1.100.3). */
export const CODE_SERVER_VERSION = '4.100.3';

/** The repository root (this file runs from out/test/codeServer/ or, with ts-node, test/codeServer/). */
export const ROOT = findRoot(__dirname);
export const CACHE = path.join(ROOT, '.vscode-test');
export const INSTALL_DIR = path.join(CACHE, 'code-server');
const PACKAGE_DIR = path.join(INSTALL_DIR, 'node_modules', 'code-server');
const MARKER = path.join(INSTALL_DIR, `.installed-${CODE_SERVER_VERSION}`);

function findRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'netstack-explorer') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no netstack-explorer package.json above ${from}`);
    dir = up;
  }
}

const log = (s: string): void => console.log(`[code-server] ${s}`);

/** The ripgrep `@vscode/ripgrep@1.15.11` (inside code-server's lib/vscode) would fetch from GitHub. */
const RIPGREP_CACHE = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11');
const RIPGREP_ASSETS = ['ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'];

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Seed @vscode/ripgrep's download cache with the system `rg` (Debian's ripgrep package). */
function seedRipgrep(): void {
  const rg = which('rg');
  if (!rg) {
    log('warning: no `rg` on PATH: @vscode/ripgrep will try to download ripgrep from GitHub (offline: apt-get install -y ripgrep)');
    return;
  }
  fs.mkdirSync(RIPGREP_CACHE, { recursive: true });
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'netstack-rg-'));
  try {
    fs.copyFileSync(rg, path.join(stage, 'rg'));
    fs.chmodSync(path.join(stage, 'rg'), 0o755);
    for (const asset of RIPGREP_ASSETS) {
      const target = path.join(RIPGREP_CACHE, asset);
      if (fs.existsSync(target)) continue;
      const r = spawnSync('tar', ['czf', target, '-C', stage, 'rg'], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`could not write ${target}`);
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

export function codeServerInstalled(): boolean {
  return fs.existsSync(MARKER) && fs.existsSync(path.join(PACKAGE_DIR, 'out', 'node', 'entry.js'));
}

/**
 * Install code-server into `.vscode-test/code-server/` unless it is already there (about a
 * minute; about 300 MB). As root, npm needs `unsafe_perm` for code-server's postinstall and `yes`
 * for node-pty's `npx node-gyp`; the native modules need libkrb5-dev, search needs ripgrep.
 */
export function ensureCodeServer(): void {
  if (codeServerInstalled()) return;
  // one install at a time (two test runs started together): a lock directory, mkdir is atomic
  const lock = `${INSTALL_DIR}.lock`;
  fs.mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is held for 10 minutes: another install is stuck? remove it`);
      spawnSync('sleep', ['1']);
    }
  }
  try {
    if (!codeServerInstalled()) install();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function install(): void {
  const t0 = Date.now();
  log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(ROOT, INSTALL_DIR)}/ (once; about a minute)`);
  if (process.platform === 'linux' && !fs.existsSync('/usr/include/gssapi/gssapi.h') && !fs.existsSync('/usr/include/krb5.h')) {
    log('warning: the Kerberos headers are missing; code-server\'s native "kerberos" module may not build (apt-get install -y libkrb5-dev)');
  }
  seedRipgrep();
  fs.mkdirSync(INSTALL_DIR, { recursive: true });
  fs.writeFileSync(path.join(INSTALL_DIR, 'package.json'), JSON.stringify({ name: 'netstack-code-server', private: true, description: 'code-server for the Netstack Explorer tests and npm start (generated, not committed)' }, null, 2) + '\n');
  const env = { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-save', '--no-package-lock', '--prefix', INSTALL_DIR, `code-server@${CODE_SERVER_VERSION}`], { cwd: INSTALL_DIR, env, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(path.join(PACKAGE_DIR, 'out', 'node', 'entry.js'))) {
    throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${r.status}); on Debian: apt-get install -y libkrb5-dev ripgrep`);
  }
  if (!fs.existsSync(path.join(PACKAGE_DIR, 'lib', 'vscode', 'node_modules'))) {
    throw new Error("code-server's postinstall did not install lib/vscode's modules (as root it needs npm_config_unsafe_perm=true)");
  }
  fs.writeFileSync(MARKER, `${new Date().toISOString()}\n`);
  log(`installed in ${Math.round((Date.now() - t0) / 1000)} s`);
}

/** `node .../code-server/out/node/entry.js ARGS`, synchronously (e.g. --install-extension). */
export function codeServerSync(args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(PACKAGE_DIR, 'out', 'node', 'entry.js'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`code-server ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The user settings that keep the workbench quiet and the screen stable. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'search.followSymlinks': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // no fade-ins half-way through a screenshot
  'workbench.reduceMotion': 'on',
};

export interface StartOptions {
  /** a folder or a .code-workspace file to open */
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** 0 or absent: a free port */
  port?: number;
  settings?: Record<string, unknown>;
  /** extra environment for the server and its extension host */
  env?: NodeJS.ProcessEnv;
  /** print the server's output (npm start) instead of keeping it for errors */
  verbose?: boolean;
  /** keep the settings the user-data folder already has (npm start) */
  keepSettings?: boolean;
}

export interface CodeServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  /** the workbench URL for the workspace: url + ?folder=… or ?workspace=… */
  workbenchUrl(query?: Record<string, string>): string;
  /** the server's output so far */
  output(): string;
  /** resolves with the exit code when the server exits */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

/**
 * Write the user settings. With `keep`, settings the user already has win (npm start keeps its
 * user-data folder between runs); a settings file that is not plain JSON is left alone.
 */
export function writeSettings(userDataDir: string, settings: Record<string, unknown>, keep = false): void {
  const dir = path.join(userDataDir, 'User');
  const file = path.join(dir, 'settings.json');
  fs.mkdirSync(dir, { recursive: true });
  let merged = settings;
  if (keep && fs.existsSync(file)) {
    try {
      merged = { ...settings, ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) };
    } catch {
      return;
    }
  }
  fs.writeFileSync(file, JSON.stringify(merged, null, 2) + '\n');
}

/** Start code-server on 127.0.0.1 (only) and wait until it answers. */
export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  ensureCodeServer();
  fs.mkdirSync(opts.userDataDir, { recursive: true });
  fs.mkdirSync(opts.extensionsDir, { recursive: true });
  writeSettings(opts.userDataDir, { ...QUIET_SETTINGS, ...opts.settings }, opts.keepSettings);
  const port = opts.port || (await freePort());
  const args = [
    path.join(PACKAGE_DIR, 'out', 'node', 'entry.js'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', opts.userDataDir,
    '--extensions-dir', opts.extensionsDir,
    opts.workspace,
  ];
  let out = '';
  // its own process group, so that stop() ends the server and the processes it started
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (b: Buffer): void => {
    const s = b.toString();
    out += s;
    if (out.length > 1_000_000) out = out.slice(-500_000);
    if (opts.verbose) process.stdout.write(s);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  while ((await get(`${url}healthz`)) !== 200) {
    if (gone) throw new Error(`code-server exited before it answered:\n${out}`);
    if (Date.now() > deadline) {
      kill(child);
      throw new Error(`code-server did not answer on ${url} within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const isWorkspaceFile = opts.workspace.endsWith('.code-workspace');
  return {
    url,
    port,
    workbenchUrl(query = {}) {
      const q = new URLSearchParams({ [isWorkspaceFile ? 'workspace' : 'folder']: opts.workspace, ...query });
      return `${url}?${q.toString()}`;
    },
    output: () => out,
    exited,
    async stop() {
      if (gone) return;
      kill(child);
      const timer = setTimeout(() => kill(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    // the group this launcher created (detached), else just the child
    if (process.platform !== 'win32') process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/** `vscode-remote://127.0.0.1:PORT/abs/path`: a path on the server, as the web workbench names it. */
export function remoteUri(server: CodeServer, p: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${p.split(path.sep).map(encodeURIComponent).join('/')}`;
}
