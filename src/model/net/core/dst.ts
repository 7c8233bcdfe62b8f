// net/core/dst.c (v6.12): dst_discard, the input function dst_init gives every route; a route
// made for output only (one that is not local) keeps it, so a packet that ever came in on one is
// freed.
import type { Net } from '../net_namespace';
import type { SkBuff } from './skbuff';
import type { DstInput } from '../ipv4/route_types';

// dst_discard is an inline wrapper (include/net/dst.h) around dst_discard_out, whose kfree_skb
// frees the packet: the kernel's drop is located in dst_discard_out
export function dst_discard(net: Net, skb: SkBuff): void {
  net.call('dst_discard', () =>
    net.call('dst_discard_out', () => net.drop(skb, 'L3', 'dst_discard_out', 'net/core/dst.c', 'NOT_SPECIFIED', 'The route is an output route (or a blackhole): its input function is dst_discard, and dst_discard_out frees the packet.')),
  );
}

export const DST_DISCARD: DstInput = { name: 'dst_discard', fn: dst_discard };
