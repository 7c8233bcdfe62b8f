// `snat|dnat [ip] to KEY map { k : ADDR [. PORT], … }`: nft_lookup into a register, then nft_nat
// with that register as the address (and the next one as the port): v6.12 nft_nat_eval takes
// min and max from the same registers, so one address (and port) per element. No element for
// the key: NFT_BREAK, no NAT and the rest of the rule skipped.
import type { Expr } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import type { NftCursor } from './nft_cursor';
import { dataMap, mapKey, natData } from './nft_datamap';
import { natChecks } from './nft_stmt';

export function natMapStmt(p: NftCursor, kw: NTok, kind: 'snat' | 'dnat'): Expr {
  const key = mapKey(p);
  const m = dataMap(p, key, natData(p), { want: 'nat', toD: (d) => ({ addr: d[0], ...(d.length > 1 && { port: d[1] }) }) });
  while (p.is('random') || p.is('persistent') || p.is('fully-random')) {
    const f = p.next();
    if (f.text !== 'persistent') p.fail(f, `nat flag ${f.text} is not modelled (the kernel picks the port at random)`);
  }
  if (p.is(',')) p.fail(p.peek(), 'nat flags are not modelled');
  natChecks(p, kw, kind);
  return {
    text: p.text(kw),
    needsCt: true,
    nat: kind,
    eval: (x) => {
      const d = m.lookup(x);
      if (!d) return false;
      return x.nf.nat(x, kind, d.addr, d.port === undefined ? null : [d.port, d.port]);
    },
    actual: () => m.last(),
  };
}
