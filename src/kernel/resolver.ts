// Resolve KB symbols to definition lines in a kernel tree on disk, any version (issue 5).
// Each entry names the file that defines it in v6.12, so the common case is: read that file
// once (all of a file's symbols share the read) and match a definition pattern per kind.
// What is not there (a moved symbol in another version) is looked for in likely neighbours,
// then in a walk of net/, include/ and drivers/net/; what is still not found is reported,
// never guessed. Node `fs` only; no vscode.
import * as fs from 'fs';
import * as path from 'path';
import { all } from './kb';
import type { KbEntry } from './kb/types';
import { findDefinition, SourceText } from './matcher';

export interface ResolvedLocation {
  /** file relative to the tree root, with `/` separators */
  file: string;
  /** 1-based */
  line: number;
  /** true when found somewhere other than the file the KB names */
  relocated: boolean;
}

export interface ResolveResult {
  tree: string;
  found: Map<string, ResolvedLocation>;
  missing: KbEntry[];
  ms: number;
  filesRead: number;
}

export interface ResolveOptions {
  /** search beyond the expected file and its neighbours (default true) */
  fullSearch?: boolean;
  /** directories for the full search, relative to the tree */
  searchDirs?: string[];
}

export const DEFAULT_SEARCH_DIRS = ['net', 'include', 'drivers/net'];

/** A directory looks like a kernel tree when it has a top Makefile and net/core/dev.c. */
export function isKernelTree(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'Makefile')) && fs.existsSync(path.join(dir, 'net', 'core', 'dev.c'));
}

/** The kernel version a tree's Makefile declares, e.g. "6.12.117", or undefined. */
export function treeVersion(dir: string): string | undefined {
  try {
    const head = fs.readFileSync(path.join(dir, 'Makefile'), 'utf8').slice(0, 1000);
    const v = /^VERSION = (\d+)/m.exec(head)?.[1];
    const p = /^PATCHLEVEL = (\d+)/m.exec(head)?.[1];
    const s = /^SUBLEVEL = (\d+)/m.exec(head)?.[1];
    return v && p ? `${v}.${p}${s ? `.${s}` : ''}` : undefined;
  } catch {
    return undefined;
  }
}

class FileCache {
  private readonly files = new Map<string, Promise<SourceText | undefined>>();
  reads = 0;
  constructor(private readonly tree: string) {}
  get(rel: string): Promise<SourceText | undefined> {
    let p = this.files.get(rel);
    if (!p) {
      this.reads++;
      p = fs.promises.readFile(path.join(this.tree, rel), 'latin1').then(
        (t) => new SourceText(t),
        () => undefined,
      );
      this.files.set(rel, p);
    }
    return p;
  }
}

/** Files worth trying next when the expected one does not define a symbol. */
function neighbours(expected: string): string[] {
  const dir = path.posix.dirname(expected);
  const base = path.posix.basename(expected).replace(/\.[ch]$/, '');
  const out = new Set<string>();
  if (expected.endsWith('.h')) out.add(`${dir}/${base}.c`);
  for (const inc of ['include/net', 'include/linux', 'include/uapi/linux', 'include/net/netfilter']) {
    out.add(`${inc}/${base}.h`);
  }
  if (expected.startsWith('include/uapi/')) out.add(expected.replace('include/uapi/', 'include/'));
  else if (expected.startsWith('include/')) out.add(expected.replace('include/', 'include/uapi/'));
  out.delete(expected);
  return [...out];
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  let ents: fs.Dirent[];
  try {
    ents = await fs.promises.readdir(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  const subdirs: Promise<void>[] = [];
  for (const e of ents) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) subdirs.push(walk(root, r, out));
    else if (e.isFile() && (e.name.endsWith('.c') || e.name.endsWith('.h'))) out.push(r);
  }
  await Promise.all(subdirs);
}

function needle(e: KbEntry): string {
  return e.kind === 'field' ? (e.field ?? e.name) : e.kind === 'drop-reason' ? e.name.replace(/^SKB_DROP_REASON_/, '') : e.name;
}

/** Resolve `entries` (default: the whole KB) in the kernel tree at `tree`. */
export async function resolveTree(tree: string, entries: readonly KbEntry[] = all(), opts: ResolveOptions = {}): Promise<ResolveResult> {
  const t0 = performance.now();
  const cache = new FileCache(tree);
  const found = new Map<string, ResolvedLocation>();
  let pending: KbEntry[] = [];

  // 1. the expected files, read once each, in parallel
  await Promise.all(
    entries.map(async (e) => {
      const src = await cache.get(e.file);
      const line = src ? findDefinition(src, e) : -1;
      if (line >= 0) found.set(e.name, { file: e.file, line: line + 1, relocated: false });
      else pending.push(e);
    }),
  );

  // 2. likely neighbours of the expected file
  if (pending.length) {
    const still: KbEntry[] = [];
    for (const e of pending) {
      let hit: ResolvedLocation | undefined;
      for (const f of neighbours(e.file)) {
        const src = await cache.get(f);
        const line = src ? findDefinition(src, e) : -1;
        if (line >= 0) {
          hit = { file: f, line: line + 1, relocated: true };
          break;
        }
      }
      if (hit) found.set(e.name, hit);
      else still.push(e);
    }
    pending = still;
  }

  // 3. a walk of the likely directories, each file read once and tested for every pending
  //    symbol that could live there (a symbol of net/ or include/ does not move into drivers/)
  if (pending.length && opts.fullSearch !== false) {
    const dirs = opts.searchDirs ?? DEFAULT_SEARCH_DIRS;
    const dirOf = (f: string): string | undefined => dirs.find((d) => f === d || f.startsWith(`${d}/`));
    const allowed = (e: KbEntry, dir: string): boolean =>
      opts.searchDirs !== undefined || dir === 'include' || (e.file.startsWith('drivers/') ? dir.startsWith('drivers') : !dir.startsWith('drivers'));
    const wanted = dirs.filter((d) => pending.some((e) => allowed(e, d)));
    const files: string[] = [];
    await Promise.all(wanted.map((d) => walk(tree, d, files)));
    // the expected file's own directory first, then the rest in a stable order
    const near = new Set(pending.map((e) => path.posix.dirname(e.file)));
    files.sort((a, b) => Number(near.has(path.posix.dirname(b))) - Number(near.has(path.posix.dirname(a))) || (a < b ? -1 : a > b ? 1 : 0));
    const left = new Map(pending.map((e) => [e.name, e]));
    const BATCH = 128;
    for (let i = 0; i < files.length && left.size; i += BATCH) {
      const batch = files.slice(i, i + BATCH);
      const texts = await Promise.all(batch.map((f) => fs.promises.readFile(path.join(tree, f), 'latin1').catch(() => '')));
      cache.reads += batch.length;
      texts.forEach((text, j) => {
        const dir = dirOf(batch[j]) ?? '';
        let src: SourceText | undefined;
        for (const e of left.values()) {
          if (!allowed(e, dir) || !text.includes(needle(e))) continue;
          src ??= new SourceText(text);
          const line = findDefinition(src, e);
          if (line >= 0 && !found.has(e.name)) {
            found.set(e.name, { file: batch[j], line: line + 1, relocated: true });
            left.delete(e.name);
          }
        }
      });
    }
    pending = [...left.values()];
  }

  const order = new Map(entries.map((e, i) => [e.name, i]));
  pending.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return { tree, found, missing: pending, ms: performance.now() - t0, filesRead: cache.reads };
}
