// A setup script as a shell would read it: one command per line, `#` comments, a trailing `\`
// continuing the line, words split on blanks, '…' and "…" quoting. Every word keeps the position
// of its first character.
import { Diag } from './diag';
import { Mapped, Source } from './source';
import { SourcePos, Tok } from './types';

export interface Line {
  words: Tok[];
  /** the command as one line: comment removed, continuations joined */
  text: string;
  pos: SourcePos;
}

export function splitLines(m: Mapped, src: Source, diag: Diag): Line[] {
  const out: Line[] = [];
  const { text, offs } = m;
  const at = (i: number): SourcePos => src.pos(offs[Math.min(i, offs.length - 1)] ?? 0);
  let words: Tok[] = [];
  let raw = '';
  let word: string | undefined;
  let wordStart = 0;
  const endWord = (): void => {
    if (word !== undefined) words.push({ text: word, pos: at(wordStart) });
    word = undefined;
  };
  const endLine = (): void => {
    endWord();
    if (words.length) out.push({ words, text: raw.trim(), pos: words[0].pos });
    words = [];
    raw = '';
  };
  const startWord = (i: number): void => {
    if (word === undefined) {
      word = '';
      wordStart = i;
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      endLine();
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      raw += c;
      i++;
    } else if (c === '#' && word === undefined) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '\\') {
      const rest = /^\\[ \t]*(?:\n|$)/.exec(text.slice(i, i + 64));
      if (rest) {
        // continuation: the next line is part of this command
        raw += ' ';
        i += rest[0].length;
      } else {
        startWord(i);
        word += text[i + 1];
        raw += text.slice(i, i + 2);
        i += 2;
      }
    } else if (c === '"' || c === "'") {
      startWord(i);
      const close = findClose(text, i);
      if (close < 0) {
        diag.error(at(i), `unterminated ${c === '"' ? 'double' : 'single'} quote`);
        word += text.slice(i + 1, lineEnd(text, i));
        raw += text.slice(i, lineEnd(text, i));
        i = lineEnd(text, i);
      } else {
        const body = text.slice(i + 1, close);
        word += c === '"' ? body.replace(/\\(["\\$`])/g, '$1') : body;
        raw += text.slice(i, close + 1);
        i = close + 1;
      }
    } else {
      startWord(i);
      word += c;
      raw += c;
      i++;
    }
  }
  endLine();
  return out;
}

function lineEnd(text: string, i: number): number {
  const j = text.indexOf('\n', i);
  return j < 0 ? text.length : j;
}

/** Index of the quote closing the one at `i`, on the same line; -1 if none. */
function findClose(text: string, i: number): number {
  const qc = text[i];
  for (let j = i + 1; j < text.length && text[j] !== '\n'; j++) {
    if (qc === '"' && text[j] === '\\') j++;
    else if (text[j] === qc) return j;
  }
  return -1;
}

/** The words of a one-line value (a link, a listen entry, a traffic `send:`). */
export function splitWords(m: Mapped, src: Source, diag: Diag): Line | undefined {
  const lines = splitLines({ text: m.text.replace(/\n/g, ' '), offs: m.offs }, src, diag);
  return lines[0];
}
