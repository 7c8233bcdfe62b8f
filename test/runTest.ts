// Runs the extension-host tests (test/suite/) with @vscode/test-electron, where VS Code can be
// downloaded (a developer's machine): `npm run test:electron`. It downloads VS Code into
// .vscode-test/, opens an empty scratch folder with the extension under development, and exits
// with the suite's status. On a machine without access to Microsoft's servers use
// test/runCodeServer.ts (`npm run test:vscode`): the same suite inside code-server.
import * as fs from 'fs';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const run = path.join(root, '.vscode-test', 'runs', 'electron');
  fs.rmSync(run, { recursive: true, force: true });
  const workspace = path.join(run, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  await runTests({
    // the engines.vscode floor by default, so that what is tested is what the manifest accepts
    version: process.env.NETSTACK_VSCODE_VERSION || '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(__dirname, 'suite', 'index'),
    extensionTestsEnv: { NETSTACK_TEST_RESULT: path.join(run, 'result.json') },
    // test-electron adds its own user-data and extensions folders under .vscode-test/, and
    // --skip-welcome, --skip-release-notes, --disable-workspace-trust
    launchArgs: [workspace, '--disable-extensions'],
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
