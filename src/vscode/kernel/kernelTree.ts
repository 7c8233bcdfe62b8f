// The user's kernel tree: found lazily (a workspace folder, or an ancestor of an open file,
// with Makefile + net/core/dev.c), resolved in the background, re-resolved when C files change.
// Lookups from the hover path are synchronous reads of the last result; nothing here blocks them.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { isKernelTree, resolveTree, type ResolvedLocation, type ResolveResult } from '../../kernel/resolver';

export class KernelTreeService implements vscode.Disposable {
  private root: string | undefined;
  private result: ResolveResult | undefined;
  private running: Promise<ResolveResult | undefined> | undefined;
  private searched = false;
  private watcher: vscode.FileSystemWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: (s: string) => void) {}

  /** The tree root, if one was found. */
  get tree(): string | undefined {
    return this.root;
  }

  /** Synchronous: the last resolved location of a KB symbol, if any. */
  locationOf(name: string): ResolvedLocation | undefined {
    return this.result?.found.get(name);
  }

  /** File URI of a resolved location. */
  uriOf(loc: ResolvedLocation): vscode.Uri {
    return vscode.Uri.file(path.join(this.root ?? '', loc.file));
  }

  /** Start looking for a tree (workspace folders first) without waiting. */
  ensureStarted(hint?: vscode.Uri): void {
    if (this.root || this.running) return;
    if (hint?.scheme === 'file') {
      const fromHint = findTreeAbove(hint.fsPath);
      if (fromHint) {
        this.use(fromHint);
        return;
      }
    }
    if (this.searched) return;
    this.searched = true;
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      if (f.uri.scheme === 'file' && isKernelTree(f.uri.fsPath)) {
        this.use(f.uri.fsPath);
        return;
      }
    }
  }

  /** Look at the workspace folders again (they changed). */
  resetSearch(): void {
    this.searched = false;
  }

  /** Wait for the current resolution (starting one if a tree is known). */
  async ready(hint?: vscode.Uri): Promise<ResolveResult | undefined> {
    this.ensureStarted(hint);
    return this.running ?? this.result;
  }

  private use(root: string): void {
    this.root = root;
    this.log(`kernel tree: ${root}`);
    this.watcher?.dispose();
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '{net,include,drivers/net}/**/*.{c,h}'));
    const later = (): void => this.scheduleRefresh();
    this.watcher.onDidChange(later);
    this.watcher.onDidCreate(later);
    this.watcher.onDidDelete(later);
    void this.refresh();
  }

  private scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 500);
  }

  /** Resolve every KB symbol in the tree again. */
  refresh(): Promise<ResolveResult | undefined> {
    const root = this.root;
    if (!root) return Promise.resolve(undefined);
    const run = resolveTree(root)
      .then((r) => {
        this.result = r;
        this.log(`kernel tree resolved: ${r.found.size} found, ${r.missing.length} missing in ${Math.round(r.ms)} ms`);
        if (r.missing.length) this.log(`not found: ${r.missing.map((e) => e.name).join(', ')}`);
        this.changed.fire();
        return r;
      })
      .catch((err: unknown) => {
        this.log(`kernel tree resolution failed: ${String(err)}`);
        return undefined;
      })
      .finally(() => {
        if (this.running === run) this.running = undefined;
      });
    this.running = run;
    return run;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.dispose();
    this.changed.dispose();
  }
}

/** The nearest ancestor directory of a file that is a kernel tree. */
export function findTreeAbove(file: string): string | undefined {
  let dir = path.dirname(file);
  for (let i = 0; i < 12; i++) {
    if (fs.existsSync(path.join(dir, 'net', 'core', 'dev.c')) && isKernelTree(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}
