// The "Capture Replay" view: the last replay's summary by fate (a drop's function, reason and
// rule), largest first, each group opening onto its frames; a frame opens in the packet debugger
// at its packet's first event.
import * as path from 'path';
import * as vscode from 'vscode';
import type { ReplayRow, ReplaySummary } from '../worker/messages';
import { REPLAY_ROWS_PER_GROUP } from '../worker/messages';

export const REPLAY_VIEW = 'netstackExplorer.replay';
export const OPEN_REPLAY_PACKET = 'netstackExplorer.replay.openPacket';

/** A replay the view shows: what was replayed into what, and what became of it. */
export interface ShownReplay {
  capture: vscode.Uri;
  scenario: vscode.Uri;
  into: string;
  timing: 'asis' | 'max';
  summary: ReplaySummary;
}

type Node = { kind: 'head' } | { kind: 'group'; group: string; count: number } | { kind: 'frame'; row: ReplayRow } | { kind: 'more'; group: string; hidden: number };

export class ReplayTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private shown: ShownReplay | undefined;

  get replay(): ShownReplay | undefined {
    return this.shown;
  }

  show(r: ShownReplay): void {
    this.shown = r;
    this.changed.fire();
  }

  getTreeItem(n: Node): vscode.TreeItem {
    const r = this.shown!;
    switch (n.kind) {
      case 'head': {
        const item = new vscode.TreeItem(`${path.basename(r.capture.fsPath)} → ${r.into}`, vscode.TreeItemCollapsibleState.None);
        item.description = `${r.summary.frames.toLocaleString('en')} frame${r.summary.frames === 1 ? '' : 's'} · ${path.basename(r.scenario.fsPath)}`;
        item.tooltip = `${r.capture.fsPath}\nreplayed into ${r.into} of ${r.scenario.fsPath} (timing ${r.timing})${r.summary.stopped ? `\n${r.summary.stopped}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(r.summary.stopped ? 'warning' : 'file-binary');
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(n.group, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `group:${n.group}`;
        item.description = `${n.count.toLocaleString('en')} (${percent(n.count, r.summary.frames)})`;
        item.iconPath = new vscode.ThemeIcon(n.group.startsWith('dropped') ? 'error' : n.group.startsWith('not sent') ? 'circle-slash' : n.group === 'delivered' ? 'pass' : 'circle-outline');
        return item;
      }
      case 'frame': {
        const row = n.row;
        const item = new vscode.TreeItem(`frame ${row.frame}${row.packet !== null ? ` · #${row.packet}` : ''}`, vscode.TreeItemCollapsibleState.None);
        item.id = `frame:${row.frame}`;
        const f = row.fate;
        item.description = f ? `${f.host}:${f.fn} · ${row.summary}` : `not sent: ${row.refused ?? ''}`;
        item.tooltip = f
          ? `frame ${row.frame} at byte ${row.offset} became packet #${row.packet}: ${row.summary}\n${f.kind} on ${f.host} in ${f.fn}${f.reason ? ` (${f.reason})` : ''}${f.detail ? ` (${f.detail})` : ''}\nClick to step it in the packet debugger.`
          : `frame ${row.frame} at byte ${row.offset} was not sent: ${row.refused ?? ''}`;
        if (row.packet !== null) item.command = { command: OPEN_REPLAY_PACKET, title: 'Open in Packet Debugger', arguments: [row.packet, row.frame] };
        item.contextValue = row.packet !== null ? 'netstackReplayPacket' : 'netstackReplayRefused';
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`… ${n.hidden.toLocaleString('en')} more frames`, vscode.TreeItemCollapsibleState.None);
        item.tooltip = `The view lists the first ${REPLAY_ROWS_PER_GROUP} frames of each group; \`netstack replay\` prints them all.`;
        return item;
      }
    }
  }

  getChildren(n?: Node): Node[] {
    const r = this.shown;
    if (!r) return [];
    if (!n) return [{ kind: 'head' }, ...r.summary.groups.map(([group, count]) => ({ kind: 'group' as const, group, count }))];
    if (n.kind !== 'group') return [];
    const rows = r.summary.rows.filter((x) => x.group === n.group).map((row) => ({ kind: 'frame' as const, row }));
    return n.count > rows.length ? [...rows, { kind: 'more', group: n.group, hidden: n.count - rows.length }] : rows;
  }
}

const percent = (n: number, of: number): string => (of ? `${((100 * n) / of).toFixed(n === of ? 0 : 1)} %` : '');
