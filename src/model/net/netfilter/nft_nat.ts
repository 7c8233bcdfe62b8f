// The nat statements (net/netfilter/nft_nat.c, nft_masq.c → nf_nat_masquerade.c, nft_redir.c →
// nf_nat_redirect.c, v6.12): each chooses the address (given, the out device's, or the in
// device's primary or 127.0.0.1) and binds the connection with nf_nat_setup_info. On an IPv6
// packet (ip6 and inet tables) masquerade is nf_nat_masquerade_ipv6: the source
// ipv6_dev_get_saddr picks on the out device for the packet's destination; redirect is
// nf_nat_redirect_ipv6 (::1 on LOCAL_OUT, else the input device's first usable address).
import type { NfEngine } from './engine';
import { NotModelled } from '../../sim/not_modelled';
import { formatInetAddr, inet4, inet6, type InetAddr } from '../../proto/inet_addr';
import { ipv6_dev_get_saddr } from '../ipv6/addrconf';
import { nf_nat_redirect_ipv6_addr } from './nf_nat_redirect';
import { inet_select_addr } from '../ipv4/route';
import type { EvalCtx, Verdict } from './nf_tables';
import { describeTuple } from './nf_conntrack';
import { nf_nat_setup_info, NAT_FILE, type ManipType, type NatAddrRange } from './nf_nat';
import { nf_conntrack_tuple_taken } from './nf_conntrack_core';
import { hookCtxOf } from './nft_hook_ctx';

export function nft_nat_eval(nf: NfEngine, x: EvalCtx, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect', addr: InetAddr | null, ports: [number, number] | null, base?: number, range?: NatAddrRange): Verdict | boolean {
  const { net, p } = x;
  const skb = p.skb;
  const ct = nf.ctOf(skb);
  if (!ct) return { code: 'NF_ACCEPT' };
  const m: ManipType = kind === 'snat' || kind === 'masquerade' ? 'SRC' : 'DST';
  if (p.pf === 'ipv6') return nat6(nf, x, kind, addr, ports, m, range, base);
  let a = addr?.family === 'ipv4' ? addr.v4 : 0;
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
  const r = net.call('nf_nat_setup_info', () => nf_nat_setup_info(ct, inet4(a), ports, m, (t) => nf_conntrack_tuple_taken(nf, t, ct), base, kind === 'snat' || kind === 'dnat' ? range : undefined));
  const why = range?.max && (kind === 'snat' || kind === 'dnat') ? ` (the range ${formatInetAddr(inet4(a))}-${formatInetAddr(range.max)}: find_best_ips_proto hashes the original source${range.persistent ? ' alone (persistent)' : ' and destination'})` : kind === 'masquerade' ? ` (masquerade: the address ${p.outdev?.name ?? ''} would use to reach ${formatInetAddr(inet4(skb.dst?.gateway || p.iph.daddr))})` : kind === 'redirect' ? ` (redirect: ${p.hook === 'NF_INET_LOCAL_OUT' ? '127.0.0.1 for a local packet' : `the primary address of ${p.indev?.name}`})` : '';
  net.step(skb, 'L3', 'nf_nat_setup_info', NAT_FILE, net.full ? `${m === 'SRC' ? 'Source' : 'Destination'} NAT binding for connection #${ct.id}${why}: the original ${describeTuple(r.before)} becomes ${describeTuple(r.after)}; replies are now expected as ${describeTuple(ct.tuple[1])}.${r.drawn ? ` The kernel starts the search for this port at a random offset (nf_nat_l4proto_unique_tuple: get_random_u16 for a source rewrite that must move the port); the model takes the first free one from ${ports ? `the start of the range, ${ports[0]}` : 'the original port up'}, so the kernel's port is likely another.` : ''}` : '', { hook: hookCtxOf(x, 'NF_ACCEPT') });
  return { code: 'NF_ACCEPT' };
}

/** The nat statements on an IPv6 packet: snat/dnat to an IPv6 address, masquerade (nf_nat_masquerade_ipv6), redirect (nf_nat_redirect_ipv6). */
function nat6(nf: NfEngine, x: EvalCtx, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect', addr: InetAddr | null, ports: [number, number] | null, m: ManipType, range?: NatAddrRange, base?: number): Verdict {
  const { net, p } = x;
  const skb = p.skb;
  const ct = nf.ctOf(skb)!;
  let a: InetAddr;
  let why = '';
  if (kind === 'masquerade') {
    const out = p.outdev ?? skb.dst?.dev ?? null;
    const src = ipv6_dev_get_saddr(net, out, p.ip6h!.daddr);
    // ipv6_dev_get_saddr failing: nf_nat_masquerade_ipv6 returns NF_DROP
    if (!src) return { code: 'NF_DROP' };
    a = inet6(src);
    why = ` (masquerade: the source ipv6_dev_get_saddr picks on ${out?.name ?? 'no device'} for ${formatInetAddr(inet6(p.ip6h!.daddr))})`;
  } else if (kind === 'redirect') {
    const r = nf_nat_redirect_ipv6_addr(net, p.hook, p.indev, p.ip6h!.daddr);
    // no usable address on the input device: nf_nat_redirect_ipv6 returns NF_DROP
    if (!r) return { code: 'NF_DROP' };
    a = inet6(r);
    why = p.hook === 'NF_INET_LOCAL_OUT' ? ' (redirect: ::1 for a local packet)' : ` (redirect: the first usable address of ${p.indev?.name ?? 'the input device'})`;
  } else if (!addr) {
    throw new NotModelled(`${kind} of an IPv6 packet without an address is not modelled`);
  } else {
    // in an inet table, `snat ip to` leaves IPv6 packets alone (nft_nat_inet_eval): the rule's
    // family dependency breaks it first (Expr.l3), so this address is an IPv6 one
    a = addr;
    if (range?.max) why = ` (the range ${formatInetAddr(addr)}-${formatInetAddr(range.max)}: find_best_ips_proto hashes the original source${range.persistent ? ' alone (persistent)' : ' and destination'})`;
  }
  const r = net.call('nf_nat_setup_info', () => nf_nat_setup_info(ct, a, ports, m, (t) => nf_conntrack_tuple_taken(nf, t, ct), kind === 'dnat' ? base : undefined, kind === 'snat' || kind === 'dnat' ? range : undefined));
  net.step(skb, 'L3', 'nf_nat_setup_info', NAT_FILE, net.full ? `${m === 'SRC' ? 'Source' : 'Destination'} NAT66 binding for connection #${ct.id}${why}: the original ${describeTuple(r.before)} becomes ${describeTuple(r.after)}; replies are now expected as ${describeTuple(ct.tuple[1])}.${r.drawn ? ` The kernel starts the search for this port at a random offset (nf_nat_l4proto_unique_tuple: get_random_u16 for a source rewrite that must move the port); the model takes the first free one from ${ports ? `the start of the range, ${ports[0]}` : 'the original port up'}, so the kernel's port is likely another.` : ''}` : '', { hook: hookCtxOf(x, 'NF_ACCEPT') });
  return { code: 'NF_ACCEPT' };
}
