// `ct state …` as nft 1.0.6 compiles it and nft_ct.c (v6.12) evaluates it. The key is the
// kernel's state word: exactly one bit per packet (NF_CT_STATE_INVALID_BIT 1 without an entry,
// NF_CT_STATE_BIT(ctinfo) 2/4/8 for established/related/new, NF_CT_STATE_UNTRACKED_BIT 64), so
// values may be names or numbers (`ct state 8` is `new`). The operator decides the comparison,
// as nft's evaluation emits it (checked with `nft --debug=netlink`):
//   `ct state new,established`      some bit of the list set  (bitwise & mask, cmp neq 0)
//   `ct state ! new,established`    none of them set          (bitwise & mask, cmp eq 0)
//   `ct state == a,b`, `!= a,b`     the whole word equals / differs from the list's bits (cmp)
//   `ct state { a, b }`, `!= { … }`  the word is / is not one of the elements (lookup)
// With one bit per packet, `== new,established` never holds and `!= new,established` always does.
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import * as X from './exprs';
import { type NftCursor, q } from './nft_cursor';
import { numberOf } from './values';
import { lookupOr } from './nft_sets';

/** the kernel's bit for each state name (include/uapi/linux/netfilter/nf_conntrack_common.h) */
export const CT_STATE_BITS: Record<(typeof X.CT_STATES)[number], number> = { invalid: 1, established: 2, related: 4, new: 8, untracked: 64 };
const KBITS = CT_STATE_BITS;

/** the packet's state word as nft_ct_get_eval loads it */
const stateWord = (x: EvalCtx): number => KBITS[X.CT_STATES[Math.log2(X.field.ctBits(x))]];

const show = (v: number): string => {
  const names = X.CT_STATES.filter((n) => v & KBITS[n]);
  const rest = v & ~names.reduce((a, n) => a | KBITS[n], 0);
  return `ct state ${v === 0 ? '0x0' : [...names, ...(rest ? [`0x${rest.toString(16)}`] : [])].join(',')}`;
};

export function ctStateMatch(p: NftCursor, kw: NTok): Expr {
  if (p.is('set')) p.fail(p.peek(), 'ct state cannot be set');
  // `ct state vmap { established : accept, … }` and `ct state @set`: a lookup of the state word
  const ref = lookupOr(p, kw, '==', 'ct_state', stateWord, (v) => show(v as number));
  if (ref) return Object.assign(ref, { needsCt: true });
  let none = false;
  if (p.peek().kind === 'punct' && p.peek().text === '!') {
    p.next();
    none = true;
  }
  const op = none ? '==' : p.op();
  if (op !== '==' && op !== '!=') p.fail(p.toks[p.i - 1], 'only == and != compare ct state');
  const explicit = !none && p.toks[p.i - 1].kind === 'punct';
  const set = p.is('{');
  const vs = p.values('a conntrack state');
  const bit = (t: NTok): number => {
    if (Object.hasOwn(KBITS, t.text)) return KBITS[t.text as keyof typeof KBITS];
    const n = numberOf(t.text);
    if (n === undefined) return p.fail(t, `unknown ct state ${q(t.text)} (new, established, related, invalid, untracked)`);
    if (n > 0xffffffff) return p.fail(t, `Value ${t.text} exceeds valid range 0-4294967295`);
    return n;
  };
  const bits = vs.map(bit);
  const extra: Partial<Expr> = { needsCt: true };
  const text = p.text(kw);
  if (none && set && vs.length > 1) p.fail(kw, 'negation can only be used with singleton bitmask values');
  if (set && !none) {
    return X.matchNum(text, stateWord, op, bits.map((b) => [b, b] as X.Range), show, extra);
  }
  const mask = bits.reduce((a, b) => (a | b) >>> 0, 0);
  if (explicit) return X.matchBits(text, stateWord, 0xffffffff, mask, op === '!=', show, extra);
  return X.matchBits(text, stateWord, mask, 'any', none, show, extra);
}
