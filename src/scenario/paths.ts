// Paths a scenario names (a capture to replay): relative to the scenario's folder and confined
// to it, so a scenario shared with someone cannot read their other files. The lexical check
// here is pure and runs at parse time; the file-system check (symlinks, regular file) is in
// src/capture/file.ts, where the file is opened.
import { q } from './diag';

/** Why `p` may not be named by a scenario, or undefined when it may. */
export function confinedPathProblem(p: string): string | undefined {
  if (p === '') return 'the file name is empty';
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\')) return `${q(p)} is an absolute path: name a file in the scenario's folder, relative to it`;
  if (p.includes('\0')) return `${q(p)} contains a NUL byte`;
  let depth = 0;
  for (const part of p.split(/[\\/]/)) {
    if (part === '..') depth--;
    else if (part !== '.' && part !== '') depth++;
    if (depth < 0) return `${q(p)} leaves the scenario's folder: a scenario reads only files in its folder or below`;
  }
  if (depth === 0) return `${q(p)} names the scenario's folder, not a file`;
  return undefined;
}
