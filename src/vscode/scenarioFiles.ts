// The file reader a scenario run needs for the files its setup lines name (`nft -f rules.nft`,
// `iptables-restore < rules.v4`): relative to the scenario's folder, as the CLI reads them.
import * as fs from 'fs';
import * as path from 'path';
import type * as vscode from 'vscode';

export function scenarioReader(scenario: vscode.Uri): ((p: string) => string) | undefined {
  if (scenario.scheme !== 'file') return undefined;
  const dir = path.dirname(scenario.fsPath);
  return (p) => fs.readFileSync(path.resolve(dir, p), 'utf8');
}
