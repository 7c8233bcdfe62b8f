// Where each character of a YAML scalar came from. The `yaml` package gives a scalar's value and
// its byte range, but not where each character of the value stands in the file; errors must point
// at a word inside a block scalar, so we rebuild the text from the source ourselves and keep, for
// every character, its offset in the file.
import { LineCounter, Scalar } from 'yaml';
import { SourcePos } from './types';

export class Source {
  readonly lines = new LineCounter();

  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  pos(offset: number): SourcePos {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }
}

/** A scalar's text, one entry in `offs` (an offset into the file) per character of `text`. */
export interface Mapped {
  text: string;
  offs: number[];
}

/** Line breaks are kept as written (not folded): a setup script is one command per source line. */
export function mapScalar(node: Scalar, src: string): Mapped {
  const [start, end] = node.range ?? [0, 0, 0];
  switch (node.type) {
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      return mapBlock(node, src, start, end);
    case 'QUOTE_DOUBLE':
      return mapDouble(src, start + 1, end - 1);
    case 'QUOTE_SINGLE':
      return mapSingle(src, start + 1, end - 1);
    default:
      return mapPlain(src, start, end);
  }
}

class Builder {
  text = '';
  offs: number[] = [];
  add(s: string, off: number): void {
    this.text += s;
    for (let i = 0; i < s.length; i++) this.offs.push(off + i);
  }
  done(): Mapped {
    return { text: this.text, offs: this.offs };
  }
}

/** Physical lines of src[start, end): [offset of line start, line text without the newline]. */
function physLines(src: string, start: number, end: number): [number, string][] {
  const out: [number, string][] = [];
  let i = start;
  while (i < end) {
    let j = src.indexOf('\n', i);
    if (j < 0 || j > end) j = end;
    out.push([i, src.slice(i, j).replace(/\r$/, '')]);
    i = j + 1;
  }
  return out;
}

function mapPlain(src: string, start: number, end: number): Mapped {
  const b = new Builder();
  physLines(src, start, end).forEach(([off, line], n) => {
    const lead = line.length - line.trimStart().length;
    if (n > 0) b.add('\n', off - 1);
    b.add(line.trim(), off + lead);
  });
  return b.done();
}

function mapSingle(src: string, start: number, end: number): Mapped {
  const b = new Builder();
  physLines(src, start, end).forEach(([off, line], n) => {
    const lead = line.length - line.trimStart().length;
    if (n > 0) b.add('\n', off - 1);
    const body = line.trim();
    for (let i = 0; i < body.length; i++) {
      b.add(body[i], off + lead + i);
      if (body[i] === "'" && body[i + 1] === "'") i++;
    }
  });
  return b.done();
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

function mapDouble(src: string, start: number, end: number): Mapped {
  const b = new Builder();
  physLines(src, start, end).forEach(([off, line], n) => {
    const lead = line.length - line.trimStart().length;
    const body = n === 0 ? line : line.trimStart();
    const base = n === 0 ? off : off + lead;
    if (n > 0 && !b.text.endsWith('\\')) b.add('\n', off - 1);
    else if (n > 0) {
      // `\` at the end of a line joins the lines without a space
      b.text = b.text.slice(0, -1);
      b.offs.pop();
    }
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c !== '\\' || i === body.length - 1) {
        b.add(c, base + i);
        continue;
      }
      const e = body[i + 1];
      const hex = HEX_LEN[e];
      if (hex) {
        b.add(String.fromCodePoint(parseInt(body.slice(i + 2, i + 2 + hex), 16) || 0), base + i);
        i += 1 + hex;
      } else {
        b.add(ESCAPES[e] ?? e, base + i);
        i++;
      }
    }
  });
  return b.done();
}

/**
 * Content lines start on the line after the `|`/`>` header. For a literal block every value line
 * is a suffix of its source line (the indentation removed), which finds the indentation without
 * knowing the parent's, even with an explicit indentation indicator.
 */
function mapBlock(node: Scalar, src: string, start: number, end: number): Mapped {
  const b = new Builder();
  const nl = src.indexOf('\n', start);
  if (nl < 0 || nl >= end) return b.done();
  const lines = physLines(src, nl + 1, end);
  const firstContent = lines.find(([, l]) => l.trim() !== '');
  const indent = firstContent ? firstContent[1].length - firstContent[1].trimStart().length : 0;
  const value = node.type === 'BLOCK_LITERAL' ? String(node.value).split('\n') : undefined;
  lines.forEach(([off, line], n) => {
    if (n > 0) b.add('\n', off - 1);
    const want = value?.[n];
    const cut = want !== undefined && want !== '' && line.endsWith(want) ? line.length - want.length : indent;
    b.add(line.slice(Math.min(cut, line.length)), off + cut);
  });
  // Trailing blank lines are not part of a clipped or stripped block: drop them.
  while (b.text.endsWith('\n')) {
    b.text = b.text.slice(0, -1);
    b.offs.pop();
  }
  return b.done();
}
