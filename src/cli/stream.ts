// Output written as it is made, so that a run of any size prints without building one huge
// string (V8 caps a string at about 512 MB; JSON.stringify of a 12k-packet trace already
// exceeds it). Lines are gathered into chunks of about 64 KB, and the writer waits for the
// stream to drain when it asks to, so memory stays bounded whatever the reader's speed.
import type { Trace } from '../trace/contract';
import { eachEvent } from '../trace/read';

export interface Sink {
  /** writes a chunk of text; returns false when the caller should wait for `drain` */
  write(s: string): boolean;
  drain(): Promise<void>;
  /** called once all is written (a collecting sink hands its text over) */
  end?(): void;
}

/** A Sink that gathers everything and gives it to `out` at the end (tests, small outputs). */
export function collect(out: (s: string) => void): Sink {
  const parts: string[] = [];
  return {
    write: (s) => parts.push(s) > 0,
    drain: async () => undefined,
    end: () => out(parts.join('').replace(/\n$/, '')),
  };
}

const CHUNK = 64 * 1024;

export class LineWriter {
  private buf: string[] = [];
  private size = 0;

  constructor(private readonly sink: Sink) {}

  async line(s: string): Promise<void> {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.buf.length) return;
    const text = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    if (!this.sink.write(text)) await this.sink.drain();
  }
}

/**
 * The trace as one JSON document, written as it goes: the same text JSON.stringify(trace)
 * gives, except that each packet and each event starts a line of its own (JSON allows the
 * whitespace), so the document can also be read a line at a time.
 */
export async function* traceJsonParts(t: Trace): AsyncGenerator<string> {
  const keys = Object.keys(t) as (keyof Trace)[];
  yield '{';
  let first = true;
  for (const k of keys) {
    // events are read one at a time (eachEvent), never made whole: a full trace keeps them as rows
    if (k !== 'events' && t[k] === undefined) continue;
    const head = `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    if (k === 'packets' || k === 'events') {
      yield `${head}[`;
      let i = 0;
      for (const x of k === 'packets' ? t.packets : eachEvent(t)) yield `${i++ ? ',' : ''}\n${JSON.stringify(x)}`;
      yield ']';
    } else {
      yield head + JSON.stringify(t[k]);
    }
  }
  yield '}';
}

/** Writes the parts as chunks of about 64 KB, waiting for the sink to drain when it asks. */
export async function writeParts(parts: AsyncIterable<string> | Iterable<string>, sink: Sink): Promise<void> {
  let buf = '';
  for await (const p of parts) {
    buf += p;
    if (buf.length >= CHUNK) {
      if (!sink.write(buf)) await sink.drain();
      buf = '';
    }
  }
  if (buf && !sink.write(buf)) await sink.drain();
}

/** A Sink over a Node writable stream (process.stdout). */
export function streamSink(s: NodeJS.WritableStream & { writableNeedDrain?: boolean }): Sink {
  return {
    write: (x) => s.write(x),
    drain: () => new Promise((resolve) => (s.writableNeedDrain === false ? resolve() : s.once('drain', () => resolve()))),
  };
}
