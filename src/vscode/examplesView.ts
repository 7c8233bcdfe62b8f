// The "Examples" view: the scenarios that ship with the extension, grouped by topic in a
// learning order (src/scenario/exampleTopics.ts) with what to notice in each, each opening in
// the editor, with inline actions to open the packet debugger on it or print its trace.
import * as vscode from 'vscode';
import { parseDocument } from 'yaml';
import { EXAMPLE_TOPICS } from '../scenario/exampleTopics';

const TOPIC_SCHEME = 'netstack-topic';
const NOTICE = new Map(EXAMPLE_TOPICS.flatMap((t) => t.examples));
const topicId = (u: vscode.Uri): string => u.path.replace(/^\//, '');

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
    if (uri.scheme === TOPIC_SCHEME) {
      const t = EXAMPLE_TOPICS.find((x) => x.id === topicId(uri));
      const item = new vscode.TreeItem(t?.title ?? 'Other examples', vscode.TreeItemCollapsibleState.Expanded);
      item.id = `topic:${topicId(uri)}`;
      return item;
    }
    const e = this.entries.get(uri.toString())!;
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    const notice = NOTICE.get(e.file);
    // the file name first: it is what the user finds in the Explorer; then what to notice
    item.description = notice ? `${e.file} · ${notice}` : e.file;
    item.tooltip = new vscode.MarkdownString(`**${e.name}** (${e.file})\n\n${notice ? `*Notice:* ${notice}\n\n` : ''}${e.description}`);
    item.resourceUri = e.uri;
    item.iconPath = new vscode.ThemeIcon('file-code');
    item.contextValue = 'netstackExample';
    item.command = { command: 'vscode.open', title: 'Open Scenario', arguments: [e.uri] };
    return item;
  }

  async getChildren(parent?: vscode.Uri): Promise<vscode.Uri[]> {
    if (parent && parent.scheme !== TOPIC_SCHEME) return [];
    const list = await listExamples(this.extensionUri);
    for (const e of list) this.entries.set(e.uri.toString(), e);
    const byFile = new Map(list.map((e) => [e.file, e]));
    if (!parent) {
      const topics = EXAMPLE_TOPICS.filter((t) => t.examples.some(([f]) => byFile.has(f))).map((t) => vscode.Uri.from({ scheme: TOPIC_SCHEME, path: t.id }));
      if (list.some((e) => !NOTICE.has(e.file))) topics.push(vscode.Uri.from({ scheme: TOPIC_SCHEME, path: 'other' }));
      return topics;
    }
    const topic = EXAMPLE_TOPICS.find((t) => t.id === topicId(parent));
    if (!topic) return list.filter((e) => !NOTICE.has(e.file)).map((e) => e.uri);
    return topic.examples.flatMap(([f]) => (byFile.has(f) ? [byFile.get(f)!.uri] : []));
  }
}

export function registerExamplesView(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.window.registerTreeDataProvider(EXAMPLES_VIEW, new ExamplesProvider(context.extensionUri)));
}
