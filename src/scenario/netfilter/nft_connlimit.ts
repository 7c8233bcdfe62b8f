// `ct count [over] N`: nft_connlimit (net/netfilter/nft_connlimit.c, v6.12), the statement nft
// lists as `ct count`. Each expression keeps one nf_conncount list (nf_conncount.ts): every
// packet that reaches it counts its connection there, and the rule goes on while the count is
// at most N (`over`, NFT_CONNLIMIT_F_INV: only above N). A packet whose tuple cannot be read is
// dropped (nft_connlimit_do_eval: NF_DROP for an error other than -EEXIST).
import { describeCounted, newConnCountList, nf_conncount_add_skb, nf_conncount_gc_list, type ConnCountList, type ConnCountResult } from '../../model/net/netfilter/nf_conncount';
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import { NftCursor, q } from './nft_cursor';

/** After `ct count`: `[over] NUM`. nft reads the number as a u64 and keeps its low 32 bits (checked with nft 1.0.6: `ct count 4294967296` lists as `ct count 0`). */
export function connlimitItem(p: NftCursor, kw: NTok): Expr {
  let over = false;
  if (p.is('over')) {
    p.next();
    over = true;
  }
  const n = p.peek();
  if (n.kind !== 'word' || !/^(\d+|0x[0-9a-f]+)$/i.test(n.text)) return p.fail(n, `syntax error, unexpected ${n.kind === 'nl' || n.kind === 'eof' || n.text === ';' ? 'newline' : q(n.text)}, expecting number${over ? '' : ' or over'}`);
  p.next();
  const big = BigInt(n.text);
  if (big > 0xffffffffffffffffn) p.fail(n, `value ${q(n.text)} exceeds valid range 0-18446744073709551615`);
  const limit = Number(big & 0xffffffffn);
  // nft_connlimit_do_init: the list starts empty when the rule is loaded (its last-scan time
  // matters only once it holds something, so the model does not read the clock here)
  const list: ConnCountList = newConnCountList(-1);
  let last: ConnCountResult | null = null;
  const say = (x: EvalCtx): string => {
    if (!last) return '';
    if (last.err === 'ENOENT') return 'the packet has no conntrack tuple to count: nft_connlimit drops it';
    return `${last.count} connection${last.count === 1 ? '' : 's'} counted (${describeCounted(x, list)})${last.err === 'EEXIST' ? '; this one is assured, so nf_conncount does not add it' : ''}${last.evicted ? `; ${last.evicted} closed or gone dropped from the list` : ''}; the rule goes on ${over ? `above ${limit}` : `at ${limit} or fewer`}`;
  };
  return {
    text: p.text(kw),
    needsCt: true,
    v6: true,
    eval: (x) => {
      last = nf_conncount_add_skb(x, list);
      if (last.err === 'ENOENT') return { code: 'NF_DROP' };
      if (last.err === 'EEXIST') last.evicted += nf_conncount_gc_list(x, list);
      last.count = list.head.length;
      return last.count > limit === over;
    },
    actual: say,
    why: (x) => `${say(x).replace(/^./, (c) => c.toUpperCase())}.`,
  };
}
