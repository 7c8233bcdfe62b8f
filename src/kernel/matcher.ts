// Finding where a C symbol is defined inside one file's text, by kind. Pure string work (no fs),
// so that the resolver (Node) and the editor side (CodeLens over an open document) share it.
// Heuristics, not a C parser: kernel style (definitions start at column 0, `struct X {`,
// `#define X`) makes them precise enough, and every guess is checked by the tests on v6.12.
import type { SymbolKind } from './kb/types';

/** One file's text with its line starts, so offsets turn into line numbers cheaply. */
export class SourceText {
  readonly lineStarts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }
  /** 0-based line of an offset */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  lineText(line: number): string {
    const start = this.lineStarts[line];
    const end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.text.length;
    return this.text.slice(start, end);
  }
}

const isIdent = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Offsets of `name` as a whole identifier in text[from, to). */
export function* occurrences(text: string, name: string, from = 0, to = text.length): Generator<number> {
  for (let i = text.indexOf(name, from); i !== -1 && i < to; i = text.indexOf(name, i + name.length)) {
    if (!isIdent(text[i - 1]) && !isIdent(text[i + name.length])) yield i;
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matchingClose(text: string, open: number, o: string, c: string): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === o) depth++;
    else if (ch === c && --depth === 0) return i;
  }
  return -1;
}

/** After a parameter list: optional attribute macros (with arguments) and comments, then `{`
 *  means a definition; `;` or anything else means a prototype or a call. */
function bodyFollows(text: string, closeParen: number): boolean {
  let i = closeParen + 1;
  const limit = Math.min(text.length, closeParen + 600);
  while (i < limit) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (isIdent(c)) {
      while (i < limit && isIdent(text[i])) i++;
    } else if (c === '(') {
      const close = matchingClose(text, i, '(', ')');
      if (close < 0) return false;
      i = close + 1;
    } else return c === '{';
  }
  return false;
}

/** A function definition: the name at the start of a line or after its return type at column 0. */
function findFunction(src: SourceText, name: string): number {
  const { text } = src;
  let macroLine = -1;
  for (const at of occurrences(text, name)) {
    const line = src.lineOf(at);
    const lineStart = src.lineStarts[line];
    const before = text.slice(lineStart, at);
    let p = at + name.length;
    while (text[p] === ' ' || text[p] === '\t') p++;
    if (text[p] !== '(') continue;
    if (/^\s*#\s*define\s+$/.test(before)) {
      if (macroLine < 0) macroLine = line;
      continue;
    }
    if (before !== '' && !/^[A-Za-z_][\w\s*]*$/.test(before)) continue;
    if (/^(return|else|if|while|do|case|goto)\b/.test(before)) continue;
    const close = matchingClose(text, p, '(', ')');
    if (close > 0 && bodyFollows(text, close)) return line;
  }
  return macroLine;
}

function structBodyStart(src: SourceText, keyword: 'struct' | 'enum', name: string): number {
  const re = new RegExp(`^[ \\t]*(?:typedef[ \\t]+)?${keyword}[ \\t]+${escape(name)}[ \\t]*(?:__\\w+(?:\\([^)\\n]*\\))?[ \\t]*)*(?:\\n)?\\{`, 'gm');
  const m = re.exec(src.text);
  return m ? m.index + m[0].length - 1 : -1;
}

function findMacro(src: SourceText, name: string): number {
  const m = new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${escape(name)}\\b`, 'm').exec(src.text);
  return m ? src.lineOf(m.index) : -1;
}

function findEnumerator(src: SourceText, name: string): number {
  const m = new RegExp(`^[ \\t]*${escape(name)}[ \\t]*(?:=[^,\\n]*)?,?[ \\t]*(?:/[/*].*)?$`, 'm').exec(src.text);
  return m ? src.lineOf(m.index) : -1;
}

function findVariable(src: SourceText, name: string): number {
  for (const at of occurrences(src.text, name)) {
    const line = src.lineOf(at);
    const text = src.lineText(line);
    if (/^\s/.test(text) || text.startsWith('#') || text.startsWith('extern')) continue;
    // attributes may come before or after an array size (`inet6_protos[N] __read_mostly;`)
    const after = src.text.slice(at + name.length, at + name.length + 80);
    if (/^\s*(?:__\w+\s*)*(?:\[[^\]]*\]\s*)?(?:__\w+\s*)*(?:=|;)/.test(after) && !text.slice(0, at - src.lineStarts[line]).includes('(')) return line;
  }
  return -1;
}

/** A member inside `struct S { … }`: a declaration (`T name;`, `T *a, *name;`, `x:3;`,
 *  `(*name)(…)`), or a `#define name …` alias that the struct body declares (sock's sk_state). */
function findField(src: SourceText, structName: string, field: string): number {
  const open = structBodyStart(src, 'struct', structName);
  if (open < 0) return -1;
  const close = matchingClose(src.text, open, '{', '}');
  const { text } = src;
  for (const at of occurrences(text, field, open, close < 0 ? text.length : close)) {
    const line = src.lineOf(at);
    const lineStart = src.lineStarts[line];
    const before = text.slice(lineStart, at);
    const trimmed = src.lineText(line).trimStart();
    // comment lines (` * text`, `/* …`, `// …`), but not a declarator like `*data;`
    if (/^(?:\/\*|\/\/|\*(?![A-Za-z_(*]))/.test(trimmed)) continue;
    if (before.lastIndexOf('/*') > before.lastIndexOf('*/')) continue;
    if (/#\s*define\s+$/.test(before)) return line;
    const after = text.slice(at + field.length, at + field.length + 120);
    if (/\(\s*\*\s*$/.test(before) && /^\s*\)\s*\(/.test(after)) return line;
    // the last non-blank character before the name, across line breaks (continued declarators)
    let p = at - 1;
    while (p > open && /\s/.test(text[p])) p--;
    const prev = text[p];
    if (prev === '.' || prev === '>') continue;
    if (/[\w*,}]/.test(prev) && /^\s*(?:\[[^\]]*\]\s*)*(?::\s*\w+\s*)?(?:__\w+(?:\([^)]*\))?\s*)*[;,]/.test(after)) return line;
  }
  return -1;
}

/** The member of enum skb_drop_reason, or its FN(X) line in DEFINE_DROP_REASON. */
function findDropReason(src: SourceText, name: string): number {
  const direct = findEnumerator(src, name);
  if (direct >= 0) return direct;
  const short = name.replace(/^SKB_DROP_REASON_/, '');
  const m = new RegExp(`^[ \\t]*FNe?\\(${escape(short)}\\)`, 'm').exec(src.text);
  return m ? src.lineOf(m.index) : -1;
}

export interface SymbolQuery {
  name: string;
  kind: SymbolKind;
  struct?: string;
  field?: string;
}

/** 0-based line where the file defines the symbol, or -1. Cheap rejection first: the name must occur. */
export function findDefinition(src: SourceText, q: SymbolQuery): number {
  const needle = q.kind === 'field' ? (q.field ?? '') : q.kind === 'drop-reason' ? q.name.replace(/^SKB_DROP_REASON_/, '') : q.name;
  if (!needle || src.text.indexOf(needle) < 0) return -1;
  switch (q.kind) {
    case 'function':
      return findFunction(src, q.name);
    case 'struct': {
      const open = structBodyStart(src, 'struct', q.name);
      return open < 0 ? -1 : src.lineOf(open - (src.text[open - 1] === '\n' ? 1 : 0));
    }
    case 'enum': {
      const open = structBodyStart(src, 'enum', q.name);
      return open < 0 ? -1 : src.lineOf(open - (src.text[open - 1] === '\n' ? 1 : 0));
    }
    case 'macro':
      return findMacro(src, q.name);
    case 'enumerator': {
      const e = findEnumerator(src, q.name);
      return e >= 0 ? e : findMacro(src, q.name);
    }
    case 'drop-reason':
      return findDropReason(src, q.name);
    case 'variable':
      return findVariable(src, q.name);
    case 'field':
      return q.struct && q.field ? findField(src, q.struct, q.field) : -1;
  }
}

/** Every function definition in a C file whose name is in `names` → 0-based line (for CodeLens). */
export function functionDefinitions(text: string, names: ReadonlySet<string>): Map<string, number> {
  const src = new SourceText(text);
  const out = new Map<string, number>();
  // Candidate names at column 0 or after a return type, followed by `(`; then the full check.
  const re = /^[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)[ \t]*\(/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = m[1];
    if (!names.has(name) || out.has(name)) continue;
    const line = findFunction(src, name);
    if (line >= 0) out.set(name, line);
  }
  return out;
}
