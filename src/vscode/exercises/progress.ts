// Exercise progress, kept in globalState: per exercise id, "attempted" after a failed check,
// "done" after one that passed. Done stays done.
import type * as vscode from 'vscode';

export type Progress = 'done' | 'attempted';
const KEY = 'netstackExplorer.exerciseProgress';

export class ProgressStore {
  constructor(private readonly state: vscode.Memento) {}

  all(): Record<string, Progress> {
    return this.state.get<Record<string, Progress>>(KEY) ?? {};
  }

  get(id: string): Progress | undefined {
    return this.all()[id];
  }

  async record(id: string, pass: boolean): Promise<void> {
    const all = { ...this.all() };
    if (all[id] !== 'done') all[id] = pass ? 'done' : 'attempted';
    await this.state.update(KEY, all);
  }

  async reset(): Promise<void> {
    await this.state.update(KEY, undefined);
  }
}
