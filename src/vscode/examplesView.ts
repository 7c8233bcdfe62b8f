// The "Examples" view: the scenarios that ship with the extension, each opening in the editor,
// with inline actions to open the packet debugger on it or print its trace.
import * as vscode from 'vscode';
import { parseDocument } from 'yaml';

export const EXAMPLES_VIEW = 'netstackExplorer.examples';

export interface ExampleEntry {
  uri: vscode.Uri;
  file: string;
  name: string;
  description: string;
}

/** Reads name and description from each example file; a file that does not parse is listed by its name. */
export async function listExamples(extensionUri: vscode.Uri): Promise<ExampleEntry[]> {
  const dir = vscode.Uri.joinPath(extensionUri, 'examples');
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(dir);
  } catch {
    return [];
  }
  const files = entries.filter(([n, t]) => t === vscode.FileType.File && /\.ya?ml$/.test(n)).map(([n]) => n).sort();
  return Promise.all(
    files.map(async (file) => {
      const uri = vscode.Uri.joinPath(dir, file);
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const doc = parseDocument(text);
      const name = doc.get('name');
      const description = doc.get('description');
      return { uri, file, name: typeof name === 'string' ? name : file, description: typeof description === 'string' ? description.trim() : '' };
    }),
  );
}

/** Elements are the files' URIs, so that the inline commands receive a URI as from the explorer. */
class ExamplesProvider implements vscode.TreeDataProvider<vscode.Uri> {
  private readonly entries = new Map<string, ExampleEntry>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  getTreeItem(uri: vscode.Uri): vscode.TreeItem {
    const e = this.entries.get(uri.toString())!;
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    item.description = e.file;
    item.tooltip = new vscode.MarkdownString(`**${e.name}**\n\n${e.description}`);
    item.resourceUri = e.uri;
    item.iconPath = new vscode.ThemeIcon('file-code');
    item.contextValue = 'netstackExample';
    item.command = { command: 'vscode.open', title: 'Open Scenario', arguments: [e.uri] };
    return item;
  }

  async getChildren(parent?: vscode.Uri): Promise<vscode.Uri[]> {
    if (parent) return [];
    const list = await listExamples(this.extensionUri);
    for (const e of list) this.entries.set(e.uri.toString(), e);
    return list.map((e) => e.uri);
  }
}

export function registerExamplesView(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.window.registerTreeDataProvider(EXAMPLES_VIEW, new ExamplesProvider(context.extensionUri)));
}
