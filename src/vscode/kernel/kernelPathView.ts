// The "Kernel path" view: the kernel functions of the current trace, in order, each jumping to
// its definition in the user's tree (or the cross-referencer at v6.12).
import * as vscode from 'vscode';
import { GO_TO_DEFINITION_COMMAND } from '../../kernel/hover';
import type { Trace, TraceEvent } from '../../model/trace';

export const KERNEL_PATH_VIEW = 'netstackExplorer.kernelPath';

export class KernelPathProvider implements vscode.TreeDataProvider<TraceEvent> {
  private trace: Trace | undefined;
  private readonly changed = new vscode.EventEmitter<TraceEvent | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  setTrace(trace: Trace | undefined): void {
    this.trace = trace;
    this.changed.fire(undefined);
  }

  getChildren(element?: TraceEvent): TraceEvent[] {
    return element ? [] : (this.trace?.events ?? []);
  }

  getTreeItem(ev: TraceEvent): vscode.TreeItem {
    const item = new vscode.TreeItem(ev.fn, vscode.TreeItemCollapsibleState.None);
    item.description = `#${ev.seq} ${ev.host} · ${ev.layer} · pkt ${ev.packet}${ev.drop ? ' · drop' : ''}`;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${ev.fn}** — \`${ev.file}\`\n\n`);
    tip.appendText(ev.what);
    if (ev.drop) tip.appendMarkdown(`\n\nDropped: \`${ev.drop}\``);
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon(ev.drop ? 'error' : ev.hook ? 'filter' : 'symbol-function');
    item.command = { command: GO_TO_DEFINITION_COMMAND, title: 'Go to kernel source', arguments: [{ name: ev.fn, file: ev.file }] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
