// skb_release_data (net/core/skbuff.c, Linux v6.12) for the one case the model has: the
// frag_list a reassembled datagram keeps (inet_frag_reasm_finish). The kernel frees that list
// when the datagram's data is freed, one sk_buff at a time (kfree_skb_list_reason), with the
// reason skb_release_all was given — and most frees give none: consume_skb and kfree_skb_reason
// both end in __kfree_skb, which releases the data with SKB_DROP_REASON_NOT_SPECIFIED. So a
// datagram answered by icmp_rcv (consumed) and one dropped with NO_SOCKET free their fragments
// alike, each seen on the kfree_skb tracepoint as a NOT_SPECIFIED drop in skb_release_data.
// Only the stateless consume of a UDP datagram read by recvmsg (skb_consume_udp →
// __consume_stateless_skb → skb_release_data(skb, SKB_CONSUMED)) frees them as consumed.
import type { Net } from '../net_namespace';
import type { Fate } from '../../../trace/contract';
import type { SkBuff } from './skbuff';

const FILE = 'net/core/skbuff.c';

/** Fates that do not free the data: the skb lives on (queued, merged, handed to a queue to be read later). */
const NOT_FREED = new Set(['ip_frag_queue', 'ip_frag_reasm', '__udp_enqueue_schedule_skb', 'raw_rcv', 'tcp_queue_rcv']);

/** How the kernel releases the data of an skb whose fate this is: with a reason, consumed, or not at all (yet). */
export function releaseOnFate(fate: Omit<Fate, 'host'>): 'NOT_SPECIFIED' | 'CONSUMED' | null {
  if (fate.kind === 'dropped') return 'NOT_SPECIFIED';
  if (fate.kind === 'delivered') return fate.fn === 'udp_recvmsg' ? 'CONSUMED' : null;
  if (fate.kind === 'consumed') return NOT_FREED.has(fate.fn) ? null : 'NOT_SPECIFIED';
  return null;
}

/**
 * skb_release_data → kfree_skb_list_reason(frag_list, reason): each fragment still chained
 * behind the head is freed. Done once for the data (clones share it).
 */
export function skb_release_data(net: Net, skb: SkBuff, reason: 'NOT_SPECIFIED' | 'CONSUMED'): void {
  const list = skb.shinfo?.frag_list;
  if (!list?.length) return;
  const frags = list.splice(0);
  const call = net.enter('skb_release_data');
  try {
    for (const { skb: f, clone } of frags) {
      const whose = clone ? 'the clone inet_frag_reasm_prepare made of the fragment that completed the datagram' : 'a fragment';
      if (reason === 'CONSUMED') net.step(f, 'L3', 'skb_release_data', FILE, net.full ? `The datagram was read and freed as consumed (skb_consume_udp): ${whose}, still on its frag_list, is freed with it (SKB_CONSUMED, not a drop).` : '');
      else net.step(f, 'L3', 'skb_release_data', FILE, net.full ? `The reassembled datagram is freed: ${whose}, still on its frag_list, is freed with it by kfree_skb_list_reason — with NOT_SPECIFIED, the reason __kfree_skb gives whether the datagram was consumed or dropped.` : '', { drop: 'SKB_DROP_REASON_NOT_SPECIFIED' });
    }
  } finally {
    net.leave(call);
  }
}
