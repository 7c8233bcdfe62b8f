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
  let text = '';
  const map: SourcePos[] = [];
  const first = words[0]?.pos;
  for (let w = skip; w < words.length; w++) {
    const t = words[w];
    if (text) {
      text += ' ';
      map.push(t.pos);
    }
    let adj = 0;
    if (first && t.pos.line === first.line) {
      const off = t.pos.col - first.col;
      const c = line[off];
      if ((c === "'" || c === '"') && t.text[0] !== c) adj = 1;
    }
    for (let i = 0; i < t.text.length; i++) {
      map.push({ file: t.pos.file, line: t.pos.line, col: t.pos.col + adj + i });
      text += t.text[i];
    }
  }
  const last = words[words.length - 1]?.pos ?? { file: '?', line: 1, col: 1 };
  return { text, pos: (i) => map[i] ?? { ...last, col: last.col + (words[words.length - 1]?.text.length ?? 0) } };
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
    } else {
      const st = i;
      while (i < s.length && !/[\s"#{};,()&|=<>!]/.test(s[i])) i++;
      push('word', s.slice(st, i), st, i);
    }
  }
  out.push({ kind: 'eof', text: '', start: s.length, end: s.length, pos: src.pos(s.length) });
  return out;
}
