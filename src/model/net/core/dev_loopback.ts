// dev_loopback_xmit (net/core/dev.c, v6.12): a locally sent broadcast or multicast comes back
// in as a received packet without touching a device (no tap sees it).
import type { Net } from '../net_namespace';
import type { SkBuff } from './skbuff';
import { netif_rx } from './dev';

export function dev_loopback_xmit(net: Net, skb: SkBuff): void {
  const call = net.enter('dev_loopback_xmit');
  try {
    skb.mac_header = skb.data;
    skb.pull(skb.network_header - skb.data);
    skb.pkt_type = 'PACKET_LOOPBACK';
    if (skb.ip_summed === 'CHECKSUM_NONE') skb.ip_summed = 'CHECKSUM_UNNECESSARY';
    net.step(skb, 'L2', 'dev_loopback_xmit', 'net/core/dev.c', net.full ? `The clone is received again on ${skb.dev?.name ?? 'lo'} as PACKET_LOOPBACK, its route still attached (netif_rx).` : '');
    netif_rx(net, skb);
  } finally {
    net.leave(call);
  }
}
