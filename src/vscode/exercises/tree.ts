// The "Exercises" view: tracks in learning order, their exercises in order, each with its kind
// and progress (done, attempted). Empty (no exercises folder), the view's welcome text shows.
import * as vscode from 'vscode';
import type { Exercise } from '../../exercise/types';
import { TRACKS, type Track } from '../../exercise/tracks';
import type { ProgressStore } from './progress';

export const EXERCISES_VIEW = 'netstackExplorer.exercises';
export const OPEN_EXERCISE = 'netstackExplorer.exercise.open';

type Node = { track: Track } | { ex: Exercise };

export class ExercisesTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly list: () => Exercise[],
    private readonly progress: ProgressStore,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(n: Node): vscode.TreeItem {
    if ('track' in n) {
      const exs = this.list().filter((e) => e.track === n.track.id);
      const done = exs.filter((e) => this.progress.get(e.id) === 'done').length;
      const item = new vscode.TreeItem(n.track.title, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${done}/${exs.length}`;
      item.id = `track:${n.track.id}`;
      return item;
    }
    const p = this.progress.get(n.ex.id);
    const item = new vscode.TreeItem(n.ex.title, vscode.TreeItemCollapsibleState.None);
    item.id = `exercise:${n.ex.id}`;
    item.description = `${n.ex.kind}${p ? ` · ${p}` : ''}`;
    item.tooltip = new vscode.MarkdownString(`**${n.ex.title}** (${n.ex.kind})\n\n${n.ex.learn.map((l) => `- ${l}`).join('\n')}`);
    item.iconPath = new vscode.ThemeIcon(p === 'done' ? 'pass-filled' : p === 'attempted' ? 'circle-large-outline' : n.ex.kind === 'fix' ? 'tools' : n.ex.kind === 'find' ? 'search' : 'question');
    item.contextValue = 'netstackExercise';
    item.command = { command: OPEN_EXERCISE, title: 'Open Exercise', arguments: [n.ex.id] };
    return item;
  }

  getChildren(n?: Node): Node[] {
    const all = this.list();
    if (!n) return TRACKS.filter((t) => all.some((e) => e.track === t.id)).map((track) => ({ track }));
    if ('track' in n) return all.filter((e) => e.track === n.track.id).map((ex) => ({ ex }));
    return [];
  }
}
