// The token cursor nft's grammar is read with: where the parser stands in the tokens, the
// `define`d variables, and the reading of values (numbers, ports, addresses, prefixes, ranges,
// sets of values) that every part of the grammar shares. The state of the rule being read
// (its load-time checks, its counter, whether a verdict map ended it) lives here too, so the
// match and statement parsers of the keyword table can be plain functions of the cursor.
import type { Net } from '../../model/net/net_namespace';
import type { NfEngine } from '../../model/net/netfilter/engine';
import type { Chain, NfFamily } from '../../model/net/netfilter/nf_tables';
import { ScenarioError, SourcePos } from '../types';
import { lexNft, type NTok, type PChars } from './lex';
import { NFT_KEYWORDS } from './nft_keywords';
import * as X from './exprs';
import { ipv4Of, numberOf, portOf, prefixLenOf, prefixRange } from './values';

export const FAMILIES = new Set(['ip', 'ip6', 'inet']);
const OTHER_FAMILIES = new Set(['arp', 'bridge', 'netdev']);
export const q = (s: string): string => `"${s}"`;

/** A check made when the rule is loaded into its chain (the chain, its table, the sets exist then). */
export type Check = (e: NfEngine, c: Chain) => void;

export type FileReader = (path: string, at: SourcePos) => PChars;

export class NftCursor {
  toks: NTok[];
  i = 0;
  readonly defines: Map<string, NTok[]>;
  /** the rule being read: its load-time checks and its counter values */
  checks: Check[] = [];
  counter: { packets: number; bytes: number } | null = null;
  /**
   * What the rule has said so far about the packet's protocols, as nft's evaluation context
   * (proto_ctx) keeps it: the transport protocol(s) a `meta l4proto`/`ip protocol` match or a
   * tcp/udp/icmp header match fixed (the first one wins), and whether the network protocol is
   * known (an `ip …` match, `meta nfproto ipv4`), which an inet table's NAT needs.
   */
  l4: { names: string[] } | null = null;
  /** a `ct [original|reply] protocol` match came first: ct's own protocol context, which `ct … proto-src|proto-dst` needs as much as `l4` */
  ctL4Known = false;
  /** the input is a rules file (`nft -f FILE`), not the words of a command line */
  inFile = false;
  l3Known = false;
  /**
   * The network protocol the rule's matches so far fixed in an inet table (nft's proto_ctx at the
   * network base): `meta nfproto ipv4|ipv6` (the last one wins), an ip/ip6 header match, icmp or
   * icmpv6. A later ip match against an ipv6 one, or `reject with icmp|icmpv6` of the other
   * family, is refused as nft refuses it.
   */
  l3Said: 'ipv4' | 'ipv6' | null = null;
  /** the ICMP type an `icmp type X` match (one value, ==) fixed: what nft's ICMP dependency checks against */
  icmpType: number | null = null;
  /** the family of the table the rule is for */
  ruleFamily: NfFamily = 'ip';

  constructor(
    readonly src: PChars,
    readonly net: Net,
    readonly readFile?: FileReader,
    defines?: Map<string, NTok[]>,
  ) {
    this.toks = lexNft(src);
    this.defines = defines ?? new Map();
  }

  /** Parsing is over: the tokens are no longer needed. */
  release(): void {
    this.toks = [];
  }

  /** The token just read. */
  prev(): NTok {
    return this.toks[this.i - 1];
  }

  peek(k = 0): NTok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  next(): NTok {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  fail(t: NTok, msg: string): never {
    throw new ScenarioError(msg, t.pos);
  }

  is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return (t.kind === 'word' || t.kind === 'punct') && t.text === text;
  }

  expect(text: string, what?: string): NTok {
    const t = this.peek();
    if (!this.is(text)) this.fail(t, `syntax error: expected ${what ?? q(text)}${t.kind === 'eof' ? ' at the end' : `, found ${q(t.text)}`}`);
    return this.next();
  }

  word(what: string): NTok {
    const t = this.peek();
    if (t.kind !== 'word' && t.kind !== 'str') this.fail(t, `syntax error: expected ${what}${t.kind === 'eof' || t.kind === 'nl' ? ' at the end of the command' : `, found ${q(t.text)}`}`);
    return this.next();
  }

  /** A table, chain or set name: a word nft does not read as one of its keywords. */
  name(what: string): NTok {
    const t = this.word(what);
    if (t.kind === 'word' && NFT_KEYWORDS.has(t.text)) this.fail(t, `syntax error, unexpected ${t.text}, expecting string (${q(t.text)} is an nft keyword, not ${what})`);
    return t;
  }

  atEnd(): boolean {
    const t = this.peek();
    return t.kind === 'eof' || t.kind === 'nl' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));
  }

  skipSeps(): void {
    while (this.peek().kind === 'nl' || this.is(';')) this.next();
  }

  endStatement(): void {
    const t = this.peek();
    if (t.kind === 'eof' || this.is('}')) return;
    if (t.kind === 'nl' || this.is(';')) {
      this.next();
      return;
    }
    this.fail(t, `syntax error: unexpected ${q(t.text)}`);
  }

  /** Inside a chain block every statement ends with a newline or `;` (nft: "expecting newline or semicolon"). */
  endInBlock(): void {
    const t = this.peek();
    if (t.kind === 'nl' || this.is(';')) {
      this.next();
      return;
    }
    this.fail(t, `syntax error: unexpected ${t.kind === 'eof' ? 'end of input' : q(t.text)}, expecting newline or semicolon`);
  }

  op(): X.Op {
    const t = this.peek();
    if (t.kind === 'punct' && ['==', '!=', '<', '>', '<=', '>='].includes(t.text)) {
      this.next();
      return t.text as X.Op;
    }
    if (t.kind === 'punct' && t.text === '!') this.fail(t, 'syntax error: use != to negate');
    if (t.kind === 'word' && ['eq', 'ne', 'lt', 'gt', 'le', 'ge'].includes(t.text)) {
      this.next();
      return ({ eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=' } as Record<string, X.Op>)[t.text];
    }
    return '==';
  }

  /** The value words of a match: one value, a comma list, or a { set }. `$var`s are expanded. */
  values(what: string): NTok[] {
    const out: NTok[] = [];
    const one = (): void => {
      const t = this.next();
      if (t.kind === 'word' && t.text.startsWith('$')) {
        const d = this.defines.get(t.text.slice(1));
        if (!d) this.fail(t, `unknown variable ${q(t.text)} (no define ${t.text.slice(1)} before it)`);
        for (const x of d) if (x.kind === 'word' || x.kind === 'str') out.push({ ...x, pos: t.pos });
        return;
      }
      if (t.kind !== 'word' && t.kind !== 'str') this.fail(t, `syntax error: expected ${what}${t.kind === 'eof' || t.kind === 'nl' ? ' at the end' : `, found ${q(t.text)}`}`);
      if (t.kind === 'word' && t.text === '.') this.fail(t, 'concatenations (EXPR . EXPR, and their elements A . B) are not modelled');
      if (t.text.startsWith('@')) this.fail(t, `named sets (${t.text}) are not modelled: write the elements in { }`);
      out.push(t);
    };
    if (this.is('{')) {
      this.next();
      this.skipSeps();
      while (!this.is('}')) {
        if (this.peek().kind === 'eof') this.fail(this.peek(), 'syntax error: missing } at the end of the set');
        // a set inside a set is merged into it, as nft merges it
        if (this.is('{')) out.push(...this.values(what));
        else one();
        this.skipSeps();
        if (this.is(',')) this.next();
        this.skipSeps();
      }
      this.next();
      return out;
    }
    one();
    while (this.is(',')) {
      this.next();
      one();
    }
    return out;
  }

  num(t: NTok, min: number, max: number): number {
    const v = numberOf(t.text);
    if (v === undefined || v < min || v > max) return this.fail(t, `${q(t.text)} is not a number from ${min} to ${max}`);
    return v;
  }

  ranges(ts: NTok[], one: (t: NTok, s: string) => number, prefixes = false): X.Range[] {
    return ts.map((t) => {
      if (prefixes && t.text.includes('/')) {
        const [a, l] = t.text.split('/');
        const plen = prefixLenOf(l);
        if (plen === undefined) this.fail(t, `${q(t.text)}: bad prefix length`);
        return prefixRange(one(t, a), plen);
      }
      const dash = t.text.indexOf('-', 1);
      if (dash > 0) {
        // a name with a dash (echo-request, http-alt) is one value, not a range
        try {
          const v = one(t, t.text);
          return [v, v] as X.Range;
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
        }
        const lo = one({ ...t, text: t.text.slice(0, dash) }, t.text.slice(0, dash));
        const hi = one({ ...t, text: t.text.slice(dash + 1) }, t.text.slice(dash + 1));
        if (hi < lo) this.fail(t, 'Range has zero or negative size');
        return [lo, hi] as X.Range;
      }
      const v = one(t, t.text);
      return [v, v] as X.Range;
    });
  }

  addrOf(t: NTok, s: string): number {
    const v = ipv4Of(s);
    if (v === undefined) return this.fail(t, `${q(s)} is not an IPv4 address${/[a-z]/i.test(s) ? ' (host names are not resolved by the model)' : ''}`);
    return v;
  }

  portOf(t: NTok, s: string): number {
    const v = portOf(s);
    if (v === undefined) return this.fail(t, `${q(s)} is not a port number or a known service name`);
    return v;
  }

  key(kw: NTok, allowed: string[]): NTok {
    const k = this.word(`one of ${allowed.join(', ')}`);
    if (!allowed.includes(k.text)) this.fail(k, `${kw.text} ${k.text} is not modelled (${allowed.map((a) => `${kw.text} ${a}`).join(', ')} are)`);
    return k;
  }

  text(from: NTok): string {
    return this.src.text.slice(from.start, this.toks[this.i - 1].end).replace(/\s+/g, ' ');
  }

  /** An optional family before a table name; ip when none is given. */
  family(): NfFamily {
    const t = this.peek();
    if (t.kind === 'word' && FAMILIES.has(t.text) && this.peek(1).kind === 'word') {
      this.next();
      return t.text as NfFamily;
    }
    if (t.kind === 'word' && OTHER_FAMILIES.has(t.text) && this.peek(1).kind === 'word') this.fail(t, `family ${t.text} is not modelled (ip, ip6 and inet are)`);
    return 'ip';
  }

  /**
   * A tcp/udp/icmp header match needs its protocol: the first one fixes it (nft adds the
   * dependency), a later one of another protocol is refused as nft refuses it.
   */
  needL4(kw: NTok, name: string): void {
    if (!this.l4) {
      this.l4 = { names: [name] };
      return;
    }
    const other = this.l4.names.find((n) => n !== name);
    if (other !== undefined) this.fail(kw, `conflicting protocols specified: ${other} vs. ${name}`);
  }

  /**
   * `meta l4proto X` / `ip protocol X` (== one value or a set of them): nft 1.0.6 keeps every
   * transport protocol a rule's matches name (its proto context holds several), and a later
   * header match of another protocol than any of them is refused, naming the first that differs
   * (`meta l4proto tcp meta l4proto udp tcp doff 10`: "udp vs. tcp", checked with nft 1.0.6).
   */
  sawL4(names: string[]): void {
    if (!names.length) return;
    if (!this.l4) this.l4 = { names: [...names] };
    else for (const n of names) if (!this.l4.names.includes(n)) this.l4.names.push(n);
  }
}
