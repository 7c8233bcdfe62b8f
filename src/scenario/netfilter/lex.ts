// Characters with the place they came from, and the tokens nft's grammar is written in. A
// scenario line's words (already split by the shell rules of lines.ts) and a rules file read
// whole both become a sequence of positioned characters, so an error inside a quoted word or
// deep in a file still names its own line and column.
import { ScenarioError, SourcePos, Tok } from '../types';

export interface PChars {
  text: string;
  pos: (i: number) => SourcePos;
}

/** The words after `skip` joined by blanks, each character keeping its position. */
export function fromWords(words: Tok[], line: string, skip: number): PChars {
  // per word: where it starts in `text`, and the position of its first character; a character's
  // position is computed when asked (one object per character made building long rulesets slow)
  const starts: number[] = [];
  const at: SourcePos[] = [];
  let text = '';
  const first = words[0]?.pos;
  for (let w = skip; w < words.length; w++) {
    const t = words[w];
    if (text) text += ' ';
    let adj = 0;
    if (first && t.pos.line === first.line) {
      const off = t.pos.col - first.col;
      const c = line[off];
      if ((c === "'" || c === '"') && t.text[0] !== c) adj = 1;
    }
    starts.push(text.length);
    at.push({ file: t.pos.file, line: t.pos.line, col: t.pos.col + adj });
    text += t.text;
  }
  const lastWord = words[words.length - 1];
  const end: SourcePos = lastWord ? { ...lastWord.pos, col: lastWord.pos.col + lastWord.text.length } : { file: '?', line: 1, col: 1 };
  return {
    text,
    pos: (i) => {
      if (i >= text.length || !starts.length) return end;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= i) lo = mid;
        else hi = mid - 1;
      }
      const w = words[skip + lo];
      // the blank between two words stands where the next word starts, as before
      if (i - starts[lo] >= w.text.length && lo + 1 < starts.length) return words[skip + lo + 1].pos;
      return { ...at[lo], col: at[lo].col + (i - starts[lo]) };
    },
  };
}

/** A whole file: positions from its lines. */
export function fromFile(text: string, file: string): PChars {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return {
    text,
    pos: (i) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= i) lo = mid;
        else hi = mid - 1;
      }
      return { file, line: lo + 1, col: i - starts[lo] + 1 };
    },
  };
}

export type TokKind = 'word' | 'str' | 'punct' | 'nl' | 'eof';

export interface NTok {
  kind: TokKind;
  text: string;
  start: number;
  end: number;
  pos: SourcePos;
}

const PUNCT = new Set(['{', '}', ';', ',', '(', ')', '&', '|', '=', '<', '>', '!']);

/**
 * Characters nft's scanner (nftables 1.0.x, src/scanner.l) has no rule for outside a quoted string:
 * its blanks are only space and tab, so a vertical tab, a form feed, a no-break space, a line or
 * paragraph separator, any other control or format character, and a UTF-8 byte order mark are
 * "junk" and the line is refused ("syntax error, unexpected junk"). `\r` is read as a blank here
 * so that a file saved with CRLF line ends reads as its LF twin.
 */
const JUNK = /[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\u0085\ufeff]/u;

/** What a junk character is, by name, for the error. */
export function junkName(c: string): string {
  const NAMES: Record<string, string> = {
    '\v': 'a vertical tab',
    '\f': 'a form feed',
    '\u00a0': 'a no-break space',
    '\ufeff': 'a byte order mark (BOM)',
    '\u2028': 'a line separator',
    '\u2029': 'a paragraph separator',
    '\u0085': 'a next-line character',
    '\u200b': 'a zero-width space',
  };
  const cp = c.codePointAt(0)!;
  return `${NAMES[c] ?? 'a character'} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
}

function isJunk(c: string): boolean {
  return c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n' && JUNK.test(c);
}

/** nft's tokens: words, "strings", punctuation (== != <= >= as one), newlines; `#` comments and `\` continuations skipped. */
export function lexNft(src: PChars): NTok[] {
  const s = src.text;
  const out: NTok[] = [];
  let i = 0;
  const push = (kind: TokKind, text: string, start: number, end: number): void => {
    out.push({ kind, text, start, end, pos: src.pos(start) });
  };
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\\' && (s[i + 1] === '\n' || (s[i + 1] === '\r' && s[i + 2] === '\n'))) {
      i += s[i + 1] === '\n' ? 2 : 3;
    } else if (c === '\n') {
      push('nl', '\n', i, i + 1);
      i++;
    } else if (c === '#') {
      while (i < s.length && s[i] !== '\n') i++;
    } else if (c === '"') {
      const j = s.indexOf('"', i + 1);
      const nl = s.indexOf('\n', i + 1);
      if (j < 0 || (nl >= 0 && nl < j)) throw new ScenarioError('unterminated string', src.pos(i));
      push('str', s.slice(i + 1, j), i, j + 1);
      i = j + 1;
    } else if (PUNCT.has(c)) {
      const two = s.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
        push('punct', two, i, i + 2);
        i += 2;
      } else {
        push('punct', c, i, i + 1);
        i++;
      }
    } else if (isJunk(c)) {
      const bom = c === '\ufeff' && i === 0;
      throw new ScenarioError(`syntax error, unexpected junk: ${junkName(c)}${bom ? ' at the start: nft reads no byte order mark; save the file as UTF-8 without BOM' : '; nft separates words with spaces and tabs only'}`, src.pos(i));
    } else {
      // every character either ends the word or is part of it: the scan always advances
      const st = i;
      i++;
      while (i < s.length && !/[ \t\r\n"#{};,()&|=<>!]/.test(s[i]) && !isJunk(s[i])) i++;
      push('word', s.slice(st, i), st, i);
    }
  }
  out.push({ kind: 'eof', text: '', start: s.length, end: s.length, pos: src.pos(s.length) });
  return out;
}
