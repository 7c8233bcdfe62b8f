// The capture reader over a file: read in fixed-size chunks, so a capture of any size streams
// in bounded memory. The only part of src/capture that touches the file system.
import * as fs from 'fs';
import * as path from 'path';
import { CaptureError, readCapture, type CaptureFrame, type CaptureReader } from './reader';

export const CHUNK = 1 << 20;

/** The chunks of a file, read one after another (each a fresh buffer). */
export function* fileChunks(file: string, chunk = CHUNK): Generator<Uint8Array> {
  const fd = fs.openSync(file, 'r');
  try {
    for (;;) {
      const b = new Uint8Array(chunk);
      const n = fs.readSync(fd, b, 0, chunk, null);
      if (n === 0) return;
      yield n === chunk ? b : b.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads every frame of a capture file; a bad capture throws CaptureError (with the byte offset). */
export function readCaptureFile(file: string, onFrame: (f: CaptureFrame) => void, chunk = CHUNK): CaptureReader {
  return readCapture(fileChunks(file, chunk), onFrame);
}

export { CaptureError };

/**
 * Opens the captures a scenario in `dir` names: the path must stay inside `dir` once symlinks
 * are followed, and be a regular file (not a FIFO or device that would block or never end).
 */
export function scenarioCaptureOpener(dir: string): (rel: string) => Iterable<Uint8Array> {
  return (rel) => ({
    [Symbol.iterator]: () => {
      const root = fs.realpathSync(dir);
      const real = fs.realpathSync(path.resolve(dir, rel));
      if (real !== root && !real.startsWith(root + path.sep)) throw new Error(`it resolves to ${real}, outside the scenario's folder ${root}`);
      if (!fs.statSync(real).isFile()) throw new Error('not a regular file');
      return fileChunks(real);
    },
  });
}
