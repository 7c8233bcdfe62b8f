// Parser of the goal language (docs/goals.md). The grammar, loosest first:
//
//   expr    := and (('||' | 'or') and)*
//   and     := unary (('&&' | 'and') unary)*
//   unary   := ('!' | 'not') unary | cmp
//   cmp     := sum (('==' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '~' | 'in') sum)?
//   sum     := product (('+' | '-') product)*
//   product := postfix (('*' | '/' | '%') postfix)*
//   postfix := primary ('.' NAME)*
//   primary := NUMBER | 'quoted' | WORD | NAME '(' [expr (',' expr)*] ')' | '(' expr ')' | '[' [expr (',' expr)*] ']'
//
// A WORD is anything without spaces, quotes, brackets, commas or operators: 10.0.2.2, ip_rcv*,
// IpForwDatagrams, time-exceeded. Whether a word names an event field or is a plain value is
// decided by where it stands (src/goals/eval.ts), as in breakpoint conditions. Because words
// hold '-', '*' and '/' (time-exceeded, ip_rcv*, 10.0.0.0/8), an arithmetic operator is a token
// of its own, with blanks around it: `counter(a, X) - 1`.
import { ArithOp, CmpOp, GoalSyntaxError, Node } from './ast';

interface Tok {
  text: string;
  start: number;
  end: number;
  kind: 'op' | 'punct' | 'word' | 'str' | 'num';
}

const OPS = ['&&', '||', '==', '!=', '<=', '>=', '=', '<', '>', '~', '!'];
const PUNCT = '()[],';

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ text: op, start: i, end: i + op.length, kind: 'op' });
      i += op.length;
      continue;
    }
    if (PUNCT.includes(c)) {
      out.push({ text: c, start: i, end: i + 1, kind: 'punct' });
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const j = text.indexOf(c, i + 1);
      if (j < 0) throw new GoalSyntaxError(`the quote ${c} is not closed`, i);
      out.push({ text: text.slice(i + 1, j), start: i, end: j + 1, kind: 'str' });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s()[\],"'`&|=!<>~]/.test(text[j])) j++;
    // a trailing `.name` after a closing bracket is a property, read by the parser
    const w = text.slice(i, j);
    out.push({ text: w, start: i, end: j, kind: /^-?(\d+(\.\d+)?|0x[0-9a-f]+)$/i.test(w) && !/^\d+\.\d+\.\d+/.test(w) ? 'num' : 'word' });
    i = j;
  }
  return out;
}

const CMP = new Set(['==', '=', '!=', '<', '<=', '>', '>=', '~', 'in']);
const SUM = new Set(['+', '-']);
const PRODUCT = new Set(['*', '/', '%']);

export function parseGoal(text: string): Node {
  const toks = tokenize(text);
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const endOff = text.length;
  const is = (s: string): boolean => {
    const t = toks[i];
    return !!t && t.kind !== 'str' && (t.text === s || (t.kind === 'word' && t.text.toLowerCase() === s));
  };
  const expect = (s: string, what: string): Tok => {
    const t = toks[i];
    if (!t || t.text !== s || t.kind === 'str') throw new GoalSyntaxError(`expected ${what}${t ? ` before "${t.text}"` : ' at the end'}`, t?.start ?? endOff);
    i++;
    return t;
  };

  function expr(): Node {
    const first = and();
    const items = [first];
    while (is('||') || is('or')) {
      i++;
      items.push(and());
    }
    return items.length === 1 ? first : { t: 'or', items, start: first.start, end: items[items.length - 1].end };
  }
  function and(): Node {
    const first = unary();
    const items = [first];
    while (is('&&') || is('and')) {
      i++;
      items.push(unary());
    }
    return items.length === 1 ? first : { t: 'and', items, start: first.start, end: items[items.length - 1].end };
  }
  function unary(): Node {
    if (is('!') || is('not')) {
      const t = toks[i++];
      const of = unary();
      return { t: 'not', of, start: t.start, end: of.end };
    }
    return cmp();
  }
  function cmp(): Node {
    const left = sum();
    const t = peek();
    if (t && t.kind !== 'str' && CMP.has(t.kind === 'word' ? t.text.toLowerCase() : t.text)) {
      i++;
      const right = sum();
      const op = (t.text === '=' ? '==' : t.text.toLowerCase()) as CmpOp;
      return { t: 'cmp', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }
  /** A word that is exactly one of `ops`, standing after a complete operand, is an operator. */
  function binary(ops: Set<string>, next: () => Node): Node {
    let left = next();
    for (let t = peek(); t && t.kind === 'word' && ops.has(t.text); t = peek()) {
      i++;
      const right = next();
      left = { t: 'arith', op: t.text as ArithOp, left, right, start: left.start, end: right.end };
    }
    return left;
  }
  function sum(): Node {
    return binary(SUM, product);
  }
  function product(): Node {
    return binary(PRODUCT, postfix);
  }
  function postfix(): Node {
    let n = primary();
    // `.name` right after `)` or `]` (a word's own dots stay in the word: 10.0.2.2, ip.ttl)
    for (;;) {
      const t = peek();
      if (!t || t.kind !== 'word' || !t.text.startsWith('.') || t.start !== n.end) break;
      i++;
      const names = t.text.slice(1).split('.');
      let off = t.start + 1;
      for (const name of names) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new GoalSyntaxError(`"${name}" is not a property name`, off);
        n = { t: 'prop', of: n, name, start: n.start, end: off + name.length };
        off += name.length + 1;
      }
    }
    return n;
  }
  function args(close: string, what: string): Node[] {
    const out: Node[] = [];
    if (peek()?.text === close && peek()?.kind === 'punct') {
      i++;
      return out;
    }
    for (;;) {
      out.push(expr());
      const t = peek();
      if (t?.kind === 'punct' && t.text === ',') {
        i++;
        continue;
      }
      expect(close, what);
      return out;
    }
  }
  function primary(): Node {
    const t = toks[i];
    if (!t) throw new GoalSyntaxError('the expression ends too early', endOff);
    if (t.kind === 'num') {
      i++;
      return { t: 'num', value: Number(t.text), start: t.start, end: t.end };
    }
    if (t.kind === 'str') {
      i++;
      return { t: 'str', value: t.text, quoted: true, start: t.start, end: t.end };
    }
    if (t.kind === 'punct' && t.text === '(') {
      i++;
      const e = expr();
      const c = expect(')', '")"');
      return { ...e, start: t.start, end: c.end };
    }
    if (t.kind === 'punct' && t.text === '[') {
      i++;
      const items = args(']', '"," or "]"');
      return { t: 'list', items, start: t.start, end: toks[i - 1].end };
    }
    if (t.kind === 'word') {
      i++;
      const next = peek();
      if (next?.kind === 'punct' && next.text === '(' && next.start === t.end) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.text)) throw new GoalSyntaxError(`"${t.text}" is not a function name`, t.start);
        i++;
        const a = args(')', '"," or ")"');
        return { t: 'call', name: t.text, args: a, start: t.start, end: toks[i - 1].end };
      }
      return { t: 'str', value: t.text, quoted: false, start: t.start, end: t.end };
    }
    throw new GoalSyntaxError(`expected a value, not "${t.text}"`, t.start);
  }

  const n = expr();
  if (i < toks.length) {
    const t = toks[i];
    if (t.kind !== 'str' && /^[-+*/%]./.test(t.text)) throw new GoalSyntaxError(`put a blank between "${t.text[0]}" and "${t.text.slice(1)}": arithmetic operators stand alone (a - 1)`, t.start);
    throw new GoalSyntaxError(`expected && or || before "${t.text}"`, t.start);
  }
  return n;
}
