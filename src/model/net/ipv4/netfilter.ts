// IPv4 netfilter glue (net/ipv4/netfilter.c, v6.12): ip_route_me_harder routes again a locally
// made packet that a hook changed (addresses, mark), and the route netfilter's own packets take.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import { numToIp } from '../../proto/addr';
import { readIp } from '../../proto/ipv4';
import { Rtable } from './route_types';
import { IP_LOCAL_DELIVER } from './ip_input';
import { IP_OUTPUT } from './ip_output';
import { DST_DISCARD } from '../core/dst';
import { inet_select_addr, isLocalAddr, tableName } from './route';

/** A route for a packet netfilter makes or re-routes (ip_route_me_harder: any source allowed). */
export function outputRoute(net: Net, daddr: number, saddr: number, mark: number): Rtable | null {
  const res = net.fib.lookup({ daddr, saddr: isLocalAddr(net, saddr) ? saddr : 0, iif: net.lo.ifindex, oif: 0, mark, tos: 0, iifName: 'lo' });
  if ('error' in res) return null;
  const r = res.route;
  if (r.type === 'RTN_LOCAL') return new Rtable('RTN_LOCAL', net.lo, IP_LOCAL_DELIVER, IP_OUTPUT, 0, 0, 0, saddr);
  if (r.type !== 'RTN_UNICAST' || !r.dev) return null;
  return new Rtable('RTN_UNICAST', r.dev, DST_DISCARD, IP_OUTPUT, r.gw, r.mtu, 0, saddr || inet_select_addr(net, r.dev, r.gw || daddr));
}

/** ip_route_me_harder: a locally made packet whose destination or mark changed is routed again. */
export function ip_route_me_harder(net: Net, skb: SkBuff, hook: NfHookName, why: string): boolean {
  const call = net.enter('ip_route_me_harder');
  try {
    const iph = readIp(skb.buf, skb.network_header);
    const res = net.fib.lookup({ daddr: iph.daddr, saddr: iph.saddr, iif: net.lo.ifindex, oif: 0, mark: skb.mark, tos: iph.tos & 0x1c, iifName: 'lo' });
    const old = skb.dst?.describe(skb.dstDaddr) ?? 'none';
    const rt = outputRoute(net, iph.daddr, iph.saddr, skb.mark);
    if (!rt) {
      net.step(skb, 'L3', 'ip_route_me_harder', 'net/ipv4/netfilter.c', net.full ? `${why}, so the packet is routed again (mark 0x${skb.mark.toString(16)}): no route to ${numToIp(iph.daddr)}, the packet is dropped.` : '', { hook: { hook } });
      return false;
    }
    skb.dstSet(rt, iph.daddr);
    if (skb.headroom() < rt.dev.llReservedSpace()) skb.expandHead(rt.dev.llReservedSpace() - skb.headroom());
    const table = 'error' in res ? '' : ` (table ${tableName(res.table)})`;
    net.step(skb, 'L3', 'ip_route_me_harder', 'net/ipv4/netfilter.c', net.full ? `${why}, so the packet is routed again with daddr ${numToIp(iph.daddr)} and mark 0x${skb.mark.toString(16)}${table}: the route was "${old}", now "${rt.describe(iph.daddr)}".` : '', { hook: { hook } });
    return true;
  } finally {
    net.leave(call);
  }
}
