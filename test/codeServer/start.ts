// `npm start`: the product in a real VS Code. The npm script builds; this installs code-server
// once (cached in .vscode-test/code-server/), starts it on 127.0.0.1 and prints the address of a
// workbench with a sample workspace: the examples, plus the v6.12 kernel tree when
// linux-source-6.12 is there. The extension is installed as a link to this working tree, so after
// `npm run build` a "Developer: Reload Window" runs the new build, and the user's settings are kept
// (the web workbench keeps them only in memory for an extension *under development*).
//
//   NETSTACK_PORT=9000 npm start      (default: 8723, or a free port when that one is taken)
//   NETSTACK_KERNEL_SRC=~/linux npm start
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { CACHE, ROOT, ensureCodeServer, freePort, startCodeServer } from './codeServer';

const DEFAULT_PORT = 8723;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function kernelTree(): string | undefined {
  for (const dir of [process.env.NETSTACK_KERNEL_SRC, '/usr/src/linux-source-6.12']) {
    if (dir && fs.existsSync(path.join(dir, 'Makefile')) && fs.existsSync(path.join(dir, 'net', 'core', 'dev.c'))) return path.resolve(dir);
  }
  return undefined;
}

/**
 * A fresh extensions folder holding one entry: publisher.name-version, a symbolic link to this
 * working tree (VS Code's scanner takes it as an installed extension and lists it in its
 * extensions.json). Links are removed as links, never followed.
 */
function linkExtension(extensionsDir: string): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string; version: string };
  if (fs.existsSync(extensionsDir)) {
    for (const entry of fs.readdirSync(extensionsDir, { withFileTypes: true })) {
      const p = path.join(extensionsDir, entry.name);
      if (entry.isSymbolicLink()) fs.unlinkSync(p);
    }
    fs.rmSync(extensionsDir, { recursive: true, force: true });
  }
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.symlinkSync(ROOT, path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`), 'dir');
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: `npm start` builds it (npm run build)');
  ensureCodeServer();
  // NETSTACK_START_HOME: where the user data, extensions and workspace file live (tests)
  const home = process.env.NETSTACK_START_HOME || path.join(CACHE, 'start');
  const kernel = kernelTree();
  const workspaceFile = path.join(home, 'netstack.code-workspace');
  fs.mkdirSync(home, { recursive: true });
  // the sample workspace's settings; what the user changed there is kept
  let settings: Record<string, unknown> = { 'workbench.colorTheme': 'Default Dark Modern', 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'git.openRepositoryInParentFolders': 'never' };
  try {
    settings = { ...settings, ...(JSON.parse(fs.readFileSync(workspaceFile, 'utf8')) as { settings?: Record<string, unknown> }).settings };
  } catch {
    // first start, or a file that is not plain JSON: the defaults
  }
  const folders = [{ path: path.join(ROOT, 'examples'), name: 'examples' }, ...(kernel ? [{ path: kernel, name: path.basename(kernel) }] : [])];
  fs.writeFileSync(workspaceFile, JSON.stringify({ folders, settings }, null, 2) + '\n');
  const wanted = Number(process.env.NETSTACK_PORT ?? DEFAULT_PORT);
  const port = wanted > 0 && (await portFree(wanted)) ? wanted : await freePort();
  const extensionsDir = path.join(home, 'extensions');
  linkExtension(extensionsDir);
  const server = await startCodeServer({
    workspace: workspaceFile,
    userDataDir: path.join(home, 'user-data'),
    extensionsDir,
    port,
    keepSettings: true,
  });
  const url = server.workbenchUrl();
  console.log('');
  console.log('Netstack Explorer is running in VS Code (code-server, 127.0.0.1 only). Open:');
  console.log('');
  console.log(`  ${url}`);
  console.log('');
  console.log(`Workspace: ${path.relative(ROOT, path.join(ROOT, 'examples'))}/${kernel ? ` and the kernel tree ${kernel}` : ' (no kernel tree: install linux-source-6.12 or set NETSTACK_KERNEL_SRC for hovers in real source)'}`);
  console.log('Open a scenario (examples/*.yaml) and click "Open Packet Debugger", or hover a function in a kernel .c file.');
  console.log('After `npm run build`, run "Developer: Reload Window" in VS Code. Ctrl+C stops the server.');
  if (process.env.NETSTACK_URL_FILE) fs.writeFileSync(process.env.NETSTACK_URL_FILE, url);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await server.exited;
  if (!stopping) {
    console.error(`code-server exited (${code}):\n${server.output().split('\n').slice(-30).join('\n')}`);
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
