// drivers/net/loopback.c: packets to the host's own addresses go out on lo and come straight
// back in through eth_type_trans and the backlog.
import type { Net } from '../../net/net_namespace';
import type { NetDevice } from '../../net/core/netdevice';
import type { SkBuff } from '../../net/core/skbuff';
import { netif_rx, NET_RX_SUCCESS, NET_XMIT_SUCCESS } from '../../net/core/dev';
import { eth_type_trans } from '../../net/ethernet/eth';

const FILE = 'drivers/net/loopback.c';

/** loopback_xmit: always NETDEV_TX_OK; counted as sent only when the backlog took it (v6.12). */
export function loopback_xmit(net: Net, skb: SkBuff, dev: NetDevice): number {
  const call = net.enter('loopback_xmit');
  try {
    const len = skb.len;
    skb.sk = null;
    skb.protocol = eth_type_trans(skb, dev);
    net.step(skb, 'L2', 'loopback_xmit', FILE, 'The loopback device turns the frame around: eth_type_trans pulls the Ethernet header and the frame is received again on lo.');
    if (netif_rx(net, skb) === NET_RX_SUCCESS) {
      dev.stats.tx_packets++;
      dev.stats.tx_bytes += len;
    }
    return NET_XMIT_SUCCESS;
  } finally {
    net.leave(call);
  }
}
