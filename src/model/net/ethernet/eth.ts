// net/ethernet/eth.c: the Ethernet header on the way out (eth_header) and in (eth_type_trans).
import { BROADCAST_MAC, macToBytes, rd16 } from '../../proto/addr';
import { ETH_HLEN, writeEth } from '../../proto/ethernet';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { PktType } from '../../../trace/contract';

export const ETH_FILE = 'net/ethernet/eth.c';

/** eth_header: push the 14-byte header in front of the network header. */
export function eth_header(skb: SkBuff, dev: NetDevice, proto: number, daddr: string): void {
  const off = skb.push(ETH_HLEN);
  writeEth(skb.w(), off, { dst: daddr, src: dev.mac, proto });
  skb.resetMacHeader();
}

/**
 * eth_type_trans: set mac_header, pull the Ethernet header, classify the frame by its
 * destination MAC (pkt_type) and return the protocol. A veth peer or NIC driver calls it.
 */
export function eth_type_trans(skb: SkBuff, dev: NetDevice): number {
  skb.dev = dev;
  skb.resetMacHeader();
  const off = skb.data;
  // the destination compared as bytes, the source not read: a header object with both MACs as
  // text (readEth) for every frame received was a fates path cost
  const b = skb.buf;
  const proto = rd16(b, off + 12);
  skb.pull(ETH_HLEN);
  let t: PktType = 'PACKET_HOST';
  // is_multicast_ether_addr: the group bit of the first byte
  if (b[off] & 1) t = macAt(b, off, BROADCAST_MAC) ? 'PACKET_BROADCAST' : 'PACKET_MULTICAST';
  else if (!macAt(b, off, dev.mac)) t = 'PACKET_OTHERHOST';
  skb.pkt_type = t;
  return proto;
}

/** Whether the six bytes at `off` are the MAC address `mac` (ether_addr_equal). */
function macAt(b: Uint8Array, off: number, mac: string): boolean {
  const m = macToBytes(mac);
  if (m.length !== 6) return false;
  for (let i = 0; i < 6; i++) if (b[off + i] !== m[i]) return false;
  return true;
}
