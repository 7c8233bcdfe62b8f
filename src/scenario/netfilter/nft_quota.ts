// `quota [over|until] N bytes|kbytes|mbytes [used M UNIT]`: nft_quota (net/netfilter/nft_quota.c,
// v6.12). Every packet that reaches it adds its length (skb->len) to what is consumed, whether
// the rule then matches or not; over the quota means consumed > quota. `quota N` matches while
// not over, `quota over N` (NFT_QUOTA_F_INV) only once over.
import type { Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import { NftCursor, q } from './nft_cursor';
import { numberOf } from './values';

export const BYTE_UNITS: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 * 1024 };

export interface QuotaSpec {
  bytes: number;
  used: number;
  over: boolean;
}

export function quotaExpr(text: string, s: QuotaSpec): Expr {
  let consumed = s.used;
  let before = 0;
  return {
    text,
    eval: (x) => {
      before = consumed;
      consumed += x.p.skb.len;
      const overquota = consumed > s.bytes;
      return overquota === s.over;
    },
    actual: () => (s.over ? `${consumed} bytes consumed of a quota of ${s.bytes}: not over it yet` : `${consumed} bytes consumed of a quota of ${s.bytes}: over it`),
    why: () => `The quota had ${before} bytes consumed; with this packet ${consumed} of ${s.bytes}${consumed > s.bytes ? ', over it' : ''}.`,
  };
}

function amount(p: NftCursor, kw: NTok, what: string): number {
  const n = p.word(what);
  const v = numberOf(n.text);
  if (v === undefined) p.fail(n, `${q(n.text)} is not a number`);
  const u = p.word('bytes, kbytes or mbytes');
  // nft's words, at the statement
  if (!Object.hasOwn(BYTE_UNITS, u.text)) p.fail(kw, `Wrong rate format: a quota is in bytes, kbytes or mbytes, not ${q(u.text)}`);
  return v * BYTE_UNITS[u.text];
}

/** The words after `quota` (in a rule or a `quota NAME { … }` object). */
export function quotaSpec(p: NftCursor, kw: NTok): QuotaSpec {
  let over = false;
  if (p.is('over')) {
    p.next();
    over = true;
  } else if (p.is('until')) p.next();
  const bytes = amount(p, kw, 'a quota (N bytes, kbytes or mbytes)');
  let used = 0;
  if (p.is('used')) {
    p.next();
    used = amount(p, kw, 'the bytes used');
  }
  // nft_quota_do_init: more consumed than the quota is -EINVAL
  if (used > bytes) p.fail(kw, 'Could not process rule: Invalid argument: used is more than the quota');
  return { bytes, used, over };
}

export function quotaItem(p: NftCursor, kw: NTok): Expr {
  if (p.is('name')) return p.fail(p.peek(), 'quota name (a named quota object) is not modelled');
  const s = quotaSpec(p, kw);
  return quotaExpr(p.text(kw), s);
}
