// The "Kernel path" view: the kernel functions of the current trace, in order, each jumping to
// its definition in the user's tree (or the cross-referencer at v6.12). When the trace is the
// packet debugger's, the view follows its cursor: the event the debugger is at is marked, with
// the same event number.
import * as vscode from 'vscode';
import { GO_TO_DEFINITION_COMMAND } from '../../kernel/hover';
import type { DebuggerSession } from '../../debugger/session';
import type { Trace, TraceEvent } from '../../trace/contract';
import { eventNumber } from '../../debugger/eventNumber';

export const KERNEL_PATH_VIEW = 'netstackExplorer.kernelPath';

export class KernelPathProvider implements vscode.TreeDataProvider<TraceEvent> {
  private trace: Trace | undefined;
  private readonly changed = new vscode.EventEmitter<TraceEvent | TraceEvent[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  private current: number | undefined;
  private unfollow: (() => void) | undefined;
  /** called with the event the debugger moved to (for revealing it) */
  onCurrent: ((ev: TraceEvent) => void) | undefined;

  /** Show a trace; with the debugger's session, follow its cursor. */
  setTrace(trace: Trace | undefined, session?: DebuggerSession): void {
    this.unfollow?.();
    this.unfollow = undefined;
    this.trace = trace;
    this.current = undefined;
    if (session && trace && session.loaded === trace) {
      this.current = session.state().index;
      this.unfollow = session.onState((s) => this.moveTo(s.index));
    }
    this.changed.fire(undefined);
  }

  get shown(): Trace | undefined {
    return this.trace;
  }

  private moveTo(index: number): void {
    const events = this.trace?.events;
    if (!events || index === this.current) return;
    const before = this.current !== undefined ? events[this.current] : undefined;
    this.current = index;
    const now = events[index];
    // only the two items that changed are redrawn, not a 10,000-item list
    this.changed.fire([before, now].filter((e): e is TraceEvent => e !== undefined));
    if (now) this.onCurrent?.(now);
  }

  getParent(): undefined {
    return undefined;
  }

  getChildren(element?: TraceEvent): TraceEvent[] {
    return element ? [] : (this.trace?.events ?? []);
  }

  getTreeItem(ev: TraceEvent): vscode.TreeItem {
    const item = new vscode.TreeItem(ev.fn, vscode.TreeItemCollapsibleState.None);
    item.description = `#${eventNumber(ev.seq)} ${ev.host} · ${ev.layer} · pkt ${ev.packet}${ev.drop ? ' · drop' : ''}`;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${ev.fn}** — \`${ev.file}\`\n\n`);
    tip.appendText(ev.what);
    if (ev.drop) tip.appendMarkdown(`\n\nDropped: \`${ev.drop}\``);
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon(ev.drop ? 'error' : ev.hook ? 'filter' : 'symbol-function');
    if (this.current !== undefined && this.trace?.events[this.current] === ev) {
      item.description = `◀ debugger · ${item.description as string}`;
      item.iconPath = new vscode.ThemeIcon('debug-stackframe-focused');
    }
    item.command = { command: GO_TO_DEFINITION_COMMAND, title: 'Go to kernel source', arguments: [{ name: ev.fn, file: ev.file }] };
    return item;
  }

  dispose(): void {
    this.unfollow?.();
    this.changed.dispose();
  }
}
