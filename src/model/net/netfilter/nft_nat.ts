// The nat statements (net/netfilter/nft_nat.c, nft_masq.c → nf_nat_masquerade.c, nft_redir.c →
// nf_nat_redirect.c, v6.12): each chooses the address (given, the out device's, or the in
// device's primary or 127.0.0.1) and binds the connection with nf_nat_setup_info.
import type { NfEngine } from './engine';
import { numToIp } from '../../proto/addr';
import { inet_select_addr } from '../ipv4/route';
import type { EvalCtx, Verdict } from './nf_tables';
import { describeTuple } from './nf_conntrack';
import { nf_nat_setup_info, NAT_FILE, type ManipType } from './nf_nat';
import { nf_conntrack_tuple_taken } from './nf_conntrack_core';
import { hookCtxOf } from './nft_hook_ctx';

export function nft_nat_eval(nf: NfEngine, x: EvalCtx, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect', addr: number | null, ports: [number, number] | null, base?: number): Verdict | boolean {
  const { net, p } = x;
  const skb = p.skb;
  const ct = nf.ctOf(skb);
  if (!ct) return { code: 'NF_ACCEPT' };
  const m: ManipType = kind === 'snat' || kind === 'masquerade' ? 'SRC' : 'DST';
  let a = addr ?? 0;
  if (kind === 'masquerade') {
    const rt = skb.dst;
    const out = p.outdev ?? rt?.dev ?? null;
    const nh = rt?.gateway || p.iph.daddr;
    a = out ? inet_select_addr(net, out, nh) : 0;
    if (!a) return { code: 'NF_DROP' };
  } else if (kind === 'redirect') {
    if (p.hook === 'NF_INET_LOCAL_OUT') a = 0x7f000001;
    else {
      const ifa = p.indev?.addrs.find((f) => !f.secondary);
      if (!ifa) return { code: 'NF_DROP' };
      a = ifa.local;
    }
  }
  const r = net.call('nf_nat_setup_info', () => nf_nat_setup_info(ct, a, ports, m, (t) => nf_conntrack_tuple_taken(nf, t, ct), base));
  const why = kind === 'masquerade' ? ` (masquerade: the address ${p.outdev?.name ?? ''} would use to reach ${numToIp(skb.dst?.gateway || p.iph.daddr)})` : kind === 'redirect' ? ` (redirect: ${p.hook === 'NF_INET_LOCAL_OUT' ? '127.0.0.1 for a local packet' : `the primary address of ${p.indev?.name}`})` : '';
  net.step(skb, 'L3', 'nf_nat_setup_info', NAT_FILE, `${m === 'SRC' ? 'Source' : 'Destination'} NAT binding for connection #${ct.id}${why}: the original ${describeTuple(r.before)} becomes ${describeTuple(r.after)}; replies are now expected as ${describeTuple(ct.tuple[1])}.`, { hook: hookCtxOf(x, 'NF_ACCEPT') });
  return { code: 'NF_ACCEPT' };
}
