// drivers/net/veth.c: a veth end hands the frame to its peer, which receives it through
// __dev_forward_skb (scrubbed, eth_type_trans) and netif_rx — the backlog path, no NAPI.
import type { Net } from '../../net/net_namespace';
import type { NetDevice } from '../../net/core/netdevice';
import type { SkBuff } from '../../net/core/skbuff';
import { netif_rx, NET_RX_SUCCESS, NET_XMIT_DROP, NET_XMIT_SUCCESS } from '../../net/core/dev';
import { eth_type_trans } from '../../net/ethernet/eth';
import { ETH_HLEN } from '../../proto/ethernet';

const FILE = 'drivers/net/veth.c';
const DEV_FILE = 'net/core/dev.c';

/**
 * veth_xmit: pass the frame to the peer (veth_forward_skb). Only a frame the peer took counts
 * as sent (tx_packets); one it refused (down, too big, backlog full) counts in tx_dropped
 * (priv->dropped) and the caller gets NET_XMIT_DROP (Linux v6.12 drivers/net/veth.c).
 */
export function veth_xmit(net: Net, skb: SkBuff, dev: NetDevice): number {
  const call = net.enter('veth_xmit');
  try {
    const rcv = dev.peer;
    if (!rcv || !skb.mayPull(ETH_HLEN)) {
      dev.stats.tx_dropped++;
      net.drop(skb, 'L2', 'veth_xmit', FILE, 'NOT_SPECIFIED', net.full ? `${dev.name} has no peer, so the frame is freed.` : '', 'NET_XMIT_DROP');
      return NET_XMIT_DROP;
    }
    const len = skb.len;
    net.step(skb, 'L2', 'veth_xmit', FILE, net.full ? net.say(handWhat, rcv.name, rcv.net.name) : '');
    const peerNet = rcv.net;
    const ok = veth_forward_skb(net, peerNet, skb, rcv);
    const rc = ok && netif_rx(peerNet, skb) === NET_RX_SUCCESS;
    if (!rc) {
      dev.stats.tx_dropped++;
      net.step(null, 'L2', 'veth_xmit', FILE, net.full ? `${rcv.name} did not take the frame: ${dev.name} counts it in tx_dropped, not as sent, and tells its caller NET_XMIT_DROP.` : '', { ret: 'NET_XMIT_DROP' });
      return NET_XMIT_DROP;
    }
    dev.stats.tx_packets++;
    dev.stats.tx_bytes += len;
    return NET_XMIT_SUCCESS;
  } finally {
    net.leave(call);
  }
}

/** Sentences of a full trace, built in functions of their own so that veth_xmit captures nothing. */
function handWhat(rcv: string, host: string): string {
  return `veth hands the frame to its peer ${rcv} on host ${host}: no wire, no copy, the same sk_buff moves over.`;
}

function eth_type_transWhat(rcv: string, pktType: string): string {
  return `${rcv} receives it: eth_type_trans pulls the Ethernet header (data moves 14 bytes on) and classifies the frame as ${pktType} from its destination MAC.`;
}

/** veth_forward_skb → __dev_forward_skb, in the peer's namespace; false when the peer refuses the frame. */
function veth_forward_skb(net: Net, peerNet: Net, skb: SkBuff, rcv: NetDevice): boolean {
  const fwd = peerNet.enter('veth_forward_skb');
  try {
    const dfs = peerNet.enter('__dev_forward_skb');
    try {
      // is_skb_forwardable: the receiving end must be up and the frame must fit its MTU — or be
      // a GSO frame (TSO), which is taken whatever its length
      if (!rcv.up || (skb.len > rcv.mtu + rcv.hard_header_len + 4 && skb.gso_size === 0)) {
        rcv.stats.rx_dropped++;
        // freed in ____dev_forward_skb, inlined into __dev_forward_skb2 (v6.12), while skb->dev
        // is still the sending end: the drop belongs to the sender's namespace
        const dfs2 = net.enter('__dev_forward_skb2');
        try {
          net.drop(skb, 'L2', '__dev_forward_skb2', DEV_FILE, 'NOT_SPECIFIED', !rcv.up ? `${rcv.name} is down, so the frame is dropped on arrival.` : `The frame (${skb.len} bytes) is larger than ${rcv.name}'s MTU ${rcv.mtu} plus its link header, so it is dropped on arrival (rx_dropped of ${rcv.name}).`, 'NET_RX_DROP');
        } finally {
          net.leave(dfs2);
        }
        return false;
      }
      // skb_scrub_packet: crossing into another namespace clears the route, mark and conntrack.
      skb.dst = null;
      skb.mark = 0;
      skb.nfct = null;
      skb.priority = 0;
      skb.sk = null;
      skb.protocol = eth_type_trans(skb, rcv);
      peerNet.step(skb, 'L2', 'eth_type_trans', 'net/ethernet/eth.c', peerNet.full ? peerNet.say(eth_type_transWhat, rcv.name, skb.pkt_type) : '');
      return true;
    } finally {
      peerNet.leave(dfs);
    }
  } finally {
    peerNet.leave(fwd);
  }
}
