// Reading YAML nodes as scenario values: every value comes back with its position, and a node
// of the wrong shape is an error at that node.
import { Document, isAlias, isMap, isScalar, isSeq, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { Diag, q } from './diag';
import { Mapped, mapScalar, Source } from './source';
import { SourcePos, Tok } from './types';

export class Reader {
  constructor(
    readonly src: Source,
    readonly doc: Document,
    readonly d: Diag,
  ) {}

  pos(node: unknown): SourcePos {
    const r = (node as Node | undefined)?.range;
    return this.src.pos(r ? r[0] : 0);
  }

  /** Aliases are followed: positions then point at the anchored text, where the words are. */
  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  isNull(node: unknown): boolean {
    const n = this.resolve(node);
    return n == null || (isScalar(n) && n.value === null);
  }

  scalar(node: unknown, what: string, at?: SourcePos): Scalar | undefined {
    const n = this.resolve(node);
    if (isScalar(n)) return n;
    this.d.error(n ? this.pos(n) : (at ?? this.pos(node)), `${what} must be ${isMap(n) || isSeq(n) ? 'a single value, not a ' + (isMap(n) ? 'map' : 'list') : 'given'}`);
    return undefined;
  }

  mapped(node: Scalar): Mapped {
    const m = mapScalar(node, this.src.text);
    // a scalar we could not map char by char keeps its value; words then point at its start
    if (typeof node.value === 'string' && !m.text.includes('\n') && m.text.trim() !== node.value.trim() && node.type !== 'BLOCK_FOLDED') {
      const text = node.value;
      return { text, offs: [...text].map(() => node.range?.[0] ?? 0) };
    }
    return m;
  }

  /** A one-word value (a name, a host): the text as written, so `007` or `true` stay strings. */
  tok(node: unknown, what: string, at?: SourcePos): Tok | undefined {
    const s = this.scalar(node, what, at);
    if (!s) return undefined;
    const m = this.mapped(s);
    const lead = m.text.length - m.text.trimStart().length;
    const text = m.text.trim();
    if (text === '' || s.value === null) {
      this.d.error(this.pos(s.range ? s : node), `${what} must not be empty`);
      return undefined;
    }
    return { text, pos: this.src.pos(m.offs[lead] ?? s.range?.[0] ?? 0) };
  }

  map(node: unknown, what: string, at?: SourcePos): YAMLMap | undefined {
    const n = this.resolve(node);
    if (isMap(n)) return n;
    this.d.error(n && !this.isNull(n) ? this.pos(n) : (at ?? this.pos(node)), `${what} must be a map (key: value lines)`);
    return undefined;
  }

  seq(node: unknown, what: string, at?: SourcePos): YAMLSeq | undefined {
    const n = this.resolve(node);
    if (isSeq(n)) return n;
    this.d.error(n && !this.isNull(n) ? this.pos(n) : (at ?? this.pos(node)), `${what} must be a list (lines starting with \`- \`)`);
    return undefined;
  }

  /** The pairs of a map with their keys read as words; a key given twice is reported. */
  pairs(m: YAMLMap, what: string): { key: Tok; value: unknown; pair: Pair }[] {
    const out: { key: Tok; value: unknown; pair: Pair }[] = [];
    const first = new Map<string, Tok>();
    for (const pair of m.items) {
      const key = this.tok(pair.key, `a key of ${what}`, this.pos(m));
      if (!key) continue;
      const prev = first.get(key.text);
      if (prev) {
        this.d.error(key, `${q(key.text)} is given twice in ${what} (first at line ${prev.pos.line})`);
        continue;
      }
      first.set(key.text, key);
      out.push({ key, value: pair.value, pair });
    }
    return out;
  }
}
