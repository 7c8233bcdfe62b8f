// Reading the files a scenario names (`nft -f FILE`, `iptables-restore < FILE`). A scenario is
// input from strangers and runs when it is opened, so a file it names is read only if it is a
// regular file inside the scenario's folder (or the workspace root the caller gives), reached
// without leaving it through `..` or a symbolic link, and not larger than the limit. Nothing is
// read otherwise, so no error can show a line of /etc/shadow; a FIFO or /dev/stdin is refused
// before it can block.
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_INPUT_LIMITS, raiseHint } from './limits';

export interface FileReaderOptions {
  /** the folder files must be in; the scenario's own folder by default */
  root?: string;
  /** bytes; DEFAULT_INPUT_LIMITS.maxFileBytes by default */
  maxBytes?: number;
}

/** Why a read was refused; the message names the file as the scenario wrote it, never its contents. */
export class FileRefused extends Error {}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A reader for runScenario's `readFile`: names are relative to the scenario's folder. */
export function scenarioFileReader(scenarioFile: string, opts: FileReaderOptions = {}): (name: string) => string {
  const dir = path.dirname(path.resolve(scenarioFile));
  const maxBytes = opts.maxBytes ?? DEFAULT_INPUT_LIMITS.maxFileBytes;
  return (name) => {
    let root: string;
    try {
      root = fs.realpathSync(opts.root ?? dir);
    } catch {
      throw new FileRefused(`the folder ${opts.root ?? dir} cannot be read`);
    }
    const where = opts.root ? `the workspace (${opts.root})` : "the scenario's folder";
    const wanted = path.resolve(dir, name);
    if (!inside(root, wanted) && !inside(path.resolve(opts.root ?? dir), wanted)) {
      throw new FileRefused(`${name} is outside ${where}: a scenario reads only files in it`);
    }
    let real: string;
    try {
      real = fs.realpathSync(wanted);
    } catch (e) {
      throw new FileRefused(`${name}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
    }
    if (!inside(root, real)) throw new FileRefused(`${name} is a symbolic link to a file outside ${where}: a scenario reads only files in it`);
    return readRegular(real, name, maxBytes);
  };
}

/** A file the user named (the scenario itself): any path, but a regular file within the size limit. */
export function readScenarioFile(file: string, maxBytes = DEFAULT_INPUT_LIMITS.maxInputBytes): string {
  return readRegular(file, file, maxBytes, 'maxInputBytes');
}

function readRegular(real: string, name: string, maxBytes: number, limit: 'maxFileBytes' | 'maxInputBytes' = 'maxFileBytes'): string {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then says what it is
  let fd: number;
  try {
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileRefused(`${name}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new FileRefused(`${name} is not a regular file (a device, FIFO, socket or folder): only regular files are read`);
    if (st.size > maxBytes) throw new FileRefused(`${name} has ${st.size} bytes, more than the limit of ${maxBytes}; ${raiseHint(limit)}`);
    const buf = Buffer.alloc(st.size + 1);
    let n = 0;
    for (;;) {
      const k = fs.readSync(fd, buf, n, buf.length - n, null);
      if (k <= 0) break;
      n += k;
      if (n > st.size) throw new FileRefused(`${name} grew while it was read; only files that stay put are read`);
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
