// Concatenations `A . B [. C…]` (nft's concat expression): the selectors' values are loaded into
// consecutive registers, each padded to 32 bits (v6.12 nft_set with a concatenated key,
// NFT_SET_CONCAT), and looked up as one key in a set: an anonymous `{ a . b, … }`, a named
// `@set` of `type T1 . T2`, or a verdict map (`vmap @m` / `vmap { a . b : accept }`). Equality of
// the whole key is equality of every field, which is what the model's joined key compares. nft
// itself refuses a concatenation compared with a single value, and any operator but == and !=.
import { concatKey, type EvalCtx, type Expr, type NfSet, type SetKeyType } from '../../model/net/netfilter/nf_tables';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../model/proto/ipv4';
import type { NTok } from './lex';
import * as X from './exprs';
import { NftCursor, q } from './nft_cursor';
import { addElem, elemBlock, lookupOr } from './nft_sets';

export interface Selector {
  type: SetKeyType;
  get: (x: EvalCtx) => X.Key | undefined;
  show: (v: string) => string;
  /** the transport header it reads (nft adds the protocol dependency) */
  l4?: string;
  l3?: boolean;
  ct?: boolean;
}

const addr: Omit<Selector, 'get'> = { type: 'ipv4_addr', show: (v) => X.showAddr(Number(v)), l3: true };
const port = (proto: number | null, name: string, which: 'sport' | 'dport'): Selector => ({ type: 'inet_service', get: X.field.port(proto, which), show: (v) => v, l4: proto === null ? undefined : name });
const ifname = (dir: 'indev' | 'outdev'): Selector => ({ type: 'ifname', get: (x) => x.p[dir]?.name ?? '', show: (v) => v });
const mark: Selector = { type: 'mark', get: X.field.mark, show: (v) => X.showHex(Number(v)) };

/** The selectors a concatenation may hold, by their words. */
const SELECTORS: Record<string, Selector> = {
  'ip saddr': { ...addr, get: X.field.saddr },
  'ip daddr': { ...addr, get: X.field.daddr },
  'ip protocol': { type: 'inet_proto', get: X.field.protocol, show: (v) => X.showProto(Number(v)), l3: true },
  'tcp sport': port(IPPROTO_TCP, 'tcp', 'sport'),
  'tcp dport': port(IPPROTO_TCP, 'tcp', 'dport'),
  'udp sport': port(IPPROTO_UDP, 'udp', 'sport'),
  'udp dport': port(IPPROTO_UDP, 'udp', 'dport'),
  'th sport': port(null, 'th', 'sport'),
  'th dport': port(null, 'th', 'dport'),
  'meta l4proto': { type: 'inet_proto', get: X.field.l4proto, show: (v) => X.showProto(Number(v)) },
  'meta mark': mark,
  mark,
  'ct mark': { type: 'mark', get: X.ctMark, show: (v) => X.showHex(Number(v)), ct: true },
  'meta iifname': ifname('indev'),
  'meta oifname': ifname('outdev'),
  iifname: ifname('indev'),
  oifname: ifname('outdev'),
  'icmp type': { type: 'icmp_type', get: X.field.icmpType, show: (v) => X.showIcmp(Number(v)), l4: 'icmp' },
};

/** The selector written at token i (its words and length), if it is one. */
export function selectorAt(p: NftCursor, i: number): { sel: Selector; words: string; n: number } | null {
  const a = p.toks[i];
  const b = p.toks[i + 1];
  if (a?.kind !== 'word') return null;
  const two = b?.kind === 'word' ? `${a.text} ${b.text}` : '';
  if (two && Object.hasOwn(SELECTORS, two)) return { sel: SELECTORS[two], words: two, n: 2 };
  if (Object.hasOwn(SELECTORS, a.text)) return { sel: SELECTORS[a.text], words: a.text, n: 1 };
  return null;
}

/** Whether the item starting at token i is a concatenation: a key of one or two words, then `.`. */
export function concatAhead(p: NftCursor, i: number): boolean {
  const dot = (j: number): boolean => p.toks[j]?.kind === 'word' && p.toks[j].text === '.';
  return p.toks[i]?.kind === 'word' && (dot(i + 1) || (p.toks[i + 1]?.kind === 'word' && dot(i + 2)));
}

/** `SEL . SEL … [==|!=] { a . b, … } | @set | vmap @map | vmap { a . b : verdict, … }`, kw its first token (consumed). */
export function concatMatch(p: NftCursor, kw: NTok): Expr {
  p.i -= 1;
  const sels: Selector[] = [];
  const names: string[] = [];
  for (;;) {
    const at = selectorAt(p, p.i);
    if (!at) {
      const nx = p.toks[p.i + 1];
      const what = nx?.kind === 'word' && nx.text !== '.' ? `${p.peek().text} ${nx.text}` : p.peek().text;
      p.fail(p.peek(), `${q(what)} in a concatenation is not modelled (${Object.keys(SELECTORS).join(', ')} are)`);
    }
    const s = at.sel;
    if (s.l4) p.needL4(p.peek(), s.l4);
    if (s.l3) p.l3Known = true;
    p.i += at.n;
    sels.push(s);
    names.push(at.words);
    if (!p.is('.')) break;
    p.next();
  }
  if (sels.length < 2) p.fail(kw, 'syntax error: a concatenation needs two expressions or more');
  const opTok = p.peek();
  const op = p.op();
  if (op !== '==' && op !== '!=') p.fail(opTok, `Relational expression (${op}) is undefined for concat expressions`);
  const types = sels.map((s) => s.type);
  const needsCt = sels.some((s) => s.ct);
  const get = (x: EvalCtx): X.Key | undefined => {
    const vals: X.Key[] = [];
    for (const s of sels) {
      const v = s.get(x);
      // a field the packet lacks: its load breaks the rule (or nft's dependency fails first)
      if (v === undefined) return undefined;
      vals.push(v);
    }
    return concatKey(vals);
  };
  const show = (v: X.Key): string => {
    const parts = String(v).split(' . ');
    return `${names.join(' . ')} ${parts.map((s, i) => sels[i].show(s)).join(' . ')}`;
  };
  const ref = lookupOr(p, kw, op, types, get, show);
  if (ref) return needsCt ? { ...ref, needsCt } : ref;
  if (!p.is('{')) {
    const from = p.peek();
    return p.fail(from, 'Use concatenations with sets and maps, not singleton values');
  }
  const raw = elemBlock(p, false);
  const anon: NfSet = { name: '', kind: 'set', keyType: types[0], fields: types, interval: false, constant: true, elems: [] };
  // elements are checked when the rule is loaded, as the vmap's are
  p.checks.push((_e, c) => {
    anon.elems = [];
    for (const r of raw) addElem(p, c.table, anon, r, false);
  });
  const m = X.setMatch(p.text(kw), anon, get, op === '!=', show);
  return needsCt ? { ...m, needsCt } : m;
}
