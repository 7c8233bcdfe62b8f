// Workspace trust (issue 13): a scenario is input from strangers (a course repository, a gist),
// and running one reads the files its setup lines name. In an untrusted workspace nothing runs a
// scenario: not on open or edit (the Problems view says why instead) and not from a command (the
// command says why and offers to manage trust). Hovers, the Kernel path view and the examples
// list still work. package.json declares this as `capabilities.untrustedWorkspaces: limited`.
import * as vscode from 'vscode';

export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';

const REASON = 'running one reads the rule files it names, and a scenario from a stranger could be made to hang or exhaust the editor';
const HOW = 'Trust this workspace to run it: "Workspaces: Manage Workspace Trust", or the Restricted Mode indicator in the status bar.';

/** What the Problems view and the CodeLens say in an untrusted workspace. */
export const UNTRUSTED_WHY = `Netstack does not run scenarios in an untrusted workspace: ${REASON}. ${HOW}`;

/** Whether scenarios may run; when not, tells the user why and how to trust (for commands the user ran). */
export function mayRunScenario(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`Netstack: not ${what}: this workspace is not trusted, and ${REASON}. ${HOW}`, 'Manage Workspace Trust').then((pick) => {
    if (pick) void vscode.commands.executeCommand(MANAGE_TRUST_COMMAND);
  });
  return false;
}
