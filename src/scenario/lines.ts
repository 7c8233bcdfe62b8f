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

/**
 * execve's bounds on a command's arguments (v6.12 fs/exec.c): one argument of at most
 * MAX_ARG_STRLEN bytes (32 pages), all of them (with their NULs) within a quarter of the stack
 * rlimit, 2 MiB with the usual 8 MiB. A longer setup line could not be run; it is refused, and its
 * words are not kept (a hostile line of millions of words would otherwise fill the heap).
 */
export const MAX_ARG_STRLEN = 4096 * 32;
export const ARG_MAX = (8 * 1024 * 1024) / 4;

export function splitLines(m: Mapped, src: Source, diag: Diag): Line[] {
  const out: Line[] = [];
  const { text, offs } = m;
  const at = (i: number): SourcePos => src.pos(offs[Math.min(i, offs.length - 1)] ?? 0);
  let words: Tok[] = [];
  let raw = '';
  let word: string | undefined;
  let wordStart = 0;
  let argBytes = 0;
  let tooLong = false;
  const endWord = (): void => {
    if (word !== undefined && !tooLong) {
      const n = Buffer.byteLength(word) + 1;
      argBytes += n;
      if (n > MAX_ARG_STRLEN || argBytes > ARG_MAX) {
        tooLong = true;
        diag.error(
          words[0]?.pos ?? at(wordStart),
          n > MAX_ARG_STRLEN
            ? `Argument list too long (E2BIG): an argument of ${n - 1} bytes, more than execve takes (MAX_ARG_STRLEN, ${MAX_ARG_STRLEN} bytes)`
            : `Argument list too long (E2BIG): the arguments of this command take more than ${ARG_MAX} bytes (ARG_MAX with an 8 MiB stack)`,
        );
      } else words.push({ text: word, pos: at(wordStart) });
    }
    word = undefined;
  };
  const endLine = (): void => {
    endWord();
    if (words.length && !tooLong) out.push({ words, text: raw.trim(), pos: words[0].pos });
    words = [];
    raw = '';
    argBytes = 0;
    tooLong = false;
  };
  const startWord = (i: number): void => {
    if (word === undefined) {
      word = '';
      wordStart = i;
    }
  };
  let i = 0;
  while (i < text.length) {
    if (tooLong) {
      // the rest of a refused command is skipped, continuation lines too
      const j = lineEnd(text, i);
      word = undefined;
      if (j < text.length && /\\[ \t]*$/.test(text.slice(Math.max(i, j - 64), j))) {
        i = j + 1;
        continue;
      }
      i = j;
      if (i >= text.length) break;
    }
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
