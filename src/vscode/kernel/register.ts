// Everything kernel-source related in the editor (issue 5): hovers, the "modelled" CodeLens,
// the "Kernel path" view and "Go to definition in your tree". One entry point for activation.
import * as path from 'path';
import * as vscode from 'vscode';
import { GO_TO_DEFINITION_COMMAND, hoverTargetAt } from '../../kernel/hover';
import { lookup } from '../../kernel/kb';
import { entryUrl, identUrl, sourceUrl } from '../../kernel/links';
import type { DebuggerSession } from '../../debugger/session';
import type { Trace } from '../../trace/contract';
import { ModelledCodeLensProvider } from './codeLens';
import { KernelHoverProvider } from './hoverProvider';
import { KERNEL_PATH_VIEW, KernelPathProvider } from './kernelPathView';
import { KernelTreeService } from './kernelTree';

export interface KernelFeatures {
  /** Show a trace's functions in the "Kernel path" view and in the CodeLens; with the debugger's session, the view follows its cursor. */
  setTrace(trace: Trace | undefined, session?: DebuggerSession): void;
  /** Open the definition of a KB symbol (or a trace event's function) in the user's tree, else the cross-referencer. */
  goToDefinition(arg?: GoToArgs): Promise<void>;
  /** The kernel tree in use, if any. */
  kernelTree(): string | undefined;
}

export interface GoToArgs {
  name?: string;
  /** accepted as a synonym of name (the shape used by showStep) */
  fn?: string;
  /** the v6.12 file, for trace functions the KB does not know */
  file?: string;
}

const C_SELECTOR: vscode.DocumentSelector = [
  { language: 'c', scheme: 'file' },
  { language: 'c', scheme: 'untitled' },
  { language: 'cpp', scheme: 'file' },
];
const EMPTY_PATH = 'Open the packet debugger or run a scenario: its kernel functions are listed here, in order.';
const SCENARIO_SELECTOR: vscode.DocumentSelector = [{ language: 'yaml', scheme: 'file' }];

export function registerKernelFeatures(context: vscode.ExtensionContext): KernelFeatures {
  const channel = vscode.window.createOutputChannel('Netstack: kernel source');
  const tree = new KernelTreeService((s) => channel.appendLine(s));
  const lenses = new ModelledCodeLensProvider(tree);
  const pathView = new KernelPathProvider();
  const pathTree = vscode.window.createTreeView(KERNEL_PATH_VIEW, { treeDataProvider: pathView });
  pathTree.message = EMPTY_PATH;
  pathView.onCurrent = (ev) => {
    if (pathTree.visible) void pathTree.reveal(ev, { select: false, focus: false });
  };

  const isC = (doc: vscode.TextDocument): boolean => doc.languageId === 'c' || doc.languageId === 'cpp';
  const onDoc = (doc: vscode.TextDocument | undefined): void => {
    if (doc && isC(doc)) tree.ensureStarted(doc.uri);
  };

  async function goToDefinition(arg?: GoToArgs): Promise<void> {
    let name = arg?.name ?? arg?.fn;
    if (!name) {
      const ed = vscode.window.activeTextEditor;
      if (ed) name = hoverTargetAt(ed.document.lineAt(ed.selection.active.line).text, ed.selection.active.character)?.entry.name;
    }
    if (!name) {
      void vscode.window.showInformationMessage('Netstack: no kernel symbol here.');
      return;
    }
    await tree.ready(vscode.window.activeTextEditor?.document.uri);
    const loc = tree.locationOf(name);
    if (loc) {
      const doc = await vscode.workspace.openTextDocument(tree.uriOf(loc));
      const pos = new vscode.Position(loc.line - 1, 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
      return;
    }
    const e = lookup(name);
    const root = tree.tree;
    if (root && (e?.file ?? arg?.file)) {
      // the tree is there but the symbol was not resolved: open its expected file at least
      const uri = vscode.Uri.file(path.join(root, (e?.file ?? arg?.file) as string));
      try {
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
        return;
      } catch {
        // fall through to the cross-referencer
      }
    }
    const url = e ? entryUrl(e) : arg?.file ? sourceUrl(arg.file) : identUrl(name);
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }

  context.subscriptions.push(
    channel,
    tree,
    lenses,
    pathView,
    vscode.languages.registerHoverProvider([...(C_SELECTOR as vscode.DocumentFilter[]), ...(SCENARIO_SELECTOR as vscode.DocumentFilter[])], new KernelHoverProvider(tree)),
    vscode.languages.registerCodeLensProvider(C_SELECTOR, lenses),
    pathTree,
    vscode.commands.registerCommand(GO_TO_DEFINITION_COMMAND, (arg?: GoToArgs) => goToDefinition(arg)),
    vscode.workspace.onDidOpenTextDocument(onDoc),
    vscode.window.onDidChangeActiveTextEditor((ed) => onDoc(ed?.document)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      tree.resetSearch();
      tree.ensureStarted();
    }),
  );
  // Find the tree after activation has returned, never on a hover.
  setTimeout(() => {
    onDoc(vscode.window.activeTextEditor?.document);
    tree.ensureStarted();
  }, 0);

  return {
    setTrace(trace, session) {
      pathView.setTrace(trace, session);
      pathTree.message = trace ? undefined : EMPTY_PATH;
      pathTree.description = trace?.scenario || undefined;
      lenses.setTrace(trace);
    },
    goToDefinition,
    kernelTree: () => tree.tree,
  };
}
