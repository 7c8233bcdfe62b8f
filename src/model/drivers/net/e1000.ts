// A NIC modelled on drivers/net/ethernet/intel/e1000/e1000_main.c (the classic PCI NIC that
// QEMU emulates): frames cross a 1 Gbit/s wire, land in the RX ring by DMA, raise an interrupt,
// and are drained by the NAPI poll within its weight, through GRO, as a list.
import type { Net } from '../../net/net_namespace';
import type { NetDevice } from '../../net/core/netdevice';
import { SkBuff } from '../../net/core/skbuff';
import { napi_schedule, netif_receive_skb_list_internal } from '../../net/core/dev';
import { eth_type_trans } from '../../net/ethernet/eth';
import { completePartialChecksum, l4ChecksumOk } from '../../net/core/checksum_offload';
import { tcp_gso_segment } from '../../net/ipv4/tcp_offload';

const FILE = 'drivers/net/ethernet/intel/e1000/e1000_main.c';
const GRO_FILE = 'net/core/gro.c';
/** preamble + start delimiter (8), FCS (4) and the inter-frame gap (12), in bytes */
const WIRE_OVERHEAD = 24;
/** 1 Gbit/s: 8 ns a byte */
const NS_PER_BYTE = 8;
/** NET_SKB_PAD + NET_IP_ALIGN: the headroom of a receive buffer */
const RX_HEADROOM = 66;
/** gro_normal_batch */
const GRO_NORMAL_BATCH = 8;

const NETDEV_TX_OK = 0;

/**
 * The frame goes on the wire when the transmitter has sent the ones before it (a wire carries one
 * frame at a time, in order): moves dev.wireFreeAt to the end of this one and returns how long it
 * waited.
 */
function onWire(net: Net, dev: NetDevice, ns: number): number {
  const now = net.w.sched.now;
  const start = Math.max(now, dev.wireFreeAt);
  dev.wireFreeAt = start + ns;
  return start - now;
}

/** e1000_xmit_frame: the ring always has room in the model, so NETDEV_TX_OK. */
export function e1000_xmit_frame(net: Net, skb: SkBuff, dev: NetDevice): number {
  const call = net.enter('e1000_xmit_frame');
  try {
    const peer = dev.peer;
    // The NIC computes a CHECKSUM_PARTIAL checksum in hardware as it sends (NETIF_F_HW_CSUM).
    const offloaded = skb.ip_summed === 'CHECKSUM_PARTIAL' && completePartialChecksum(skb);
    dev.stats.tx_packets++;
    dev.stats.tx_bytes += skb.len;
    const wireNs = (Math.max(skb.len, 60) + WIRE_OVERHEAD) * NS_PER_BYTE;
    if (!peer || !dev.carrier) {
      net.step(skb, 'L2', 'e1000_xmit_frame', FILE, net.full ? `The driver puts the frame on the TX ring and the NIC sends it on the wire${offloaded ? ', filling in the L4 checksum' : ''}; nothing in the scenario listens there.` : '');
      net.fate(skb, { kind: 'transmitted', fn: 'e1000_xmit_frame', detail: `left ${dev.name}` });
      return NETDEV_TX_OK;
    }
    if (skb.gso_size > 0) return e1000_tso(net, skb, dev, peer);
    const wait = onWire(net, dev, wireNs);
    net.step(skb, 'L2', 'e1000_xmit_frame', FILE, net.full ? `The driver puts the frame on the TX ring; the NIC sends it on the wire${offloaded ? ', filling in the L4 checksum (checksum offload)' : ''} (${wireNs} ns at 1 Gbit/s${wait ? `, after the ${wait} ns the frames before it still need` : ''}).` : '');
    const bytes = skb.buf.slice(skb.data, skb.tail);
    const pkt = skb.pkt;
    net.w.sched.at(dev.wireFreeAt, () => e1000_receive_frame(peer, bytes, pkt));
    return NETDEV_TX_OK;
  } finally {
    net.leave(call);
  }
}

/**
 * e1000_tso: a GSO frame (NETIF_F_TSO) goes to the ring with a TSO context descriptor, and the
 * NIC itself cuts it into gso_size segments on the wire, each with its own IP length, ID, header
 * and TCP checksums, as tcp_gso_segment would (tx_packets counts every segment). The sender's
 * taps saw the one long frame; the peer receives the segments.
 */
function e1000_tso(net: Net, skb: SkBuff, dev: NetDevice, peer: NetDevice): number {
  const eth = skb.buf.slice(skb.data, skb.network_header);
  const segs = tcp_gso_segment(skb, eth.length, (i) => (i === 0 ? skb.pkt : net.w.rec.newPacket(net.name, skb.pkt)));
  dev.stats.tx_packets += segs.length - 1;
  let at = 0;
  for (const seg of segs) {
    completePartialChecksum(seg);
    const frame = new Uint8Array(eth.length + seg.len);
    frame.set(eth);
    frame.set(seg.buf.subarray(seg.data, seg.tail), eth.length);
    const ns = (Math.max(frame.length, 60) + WIRE_OVERHEAD) * NS_PER_BYTE;
    at += ns;
    onWire(net, dev, ns);
    const pkt = seg.pkt;
    net.w.sched.at(dev.wireFreeAt, () => e1000_receive_frame(peer, frame, pkt));
  }
  net.step(skb, 'L2', 'e1000_xmit_frame', FILE, net.full ? `A TSO frame (${skb.len} bytes, gso_size ${skb.gso_size}): the NIC cuts it into ${segs.length} segments on the wire, filling in each one's lengths and checksums (${at} ns at 1 Gbit/s).` : '');
  return NETDEV_TX_OK;
}

/** The peer NIC: DMA into a ring buffer, then the interrupt (e1000_intr) schedules NAPI. */
function e1000_receive_frame(dev: NetDevice, bytes: Uint8Array, pkt: number): void {
  const net = dev.net;
  const napi = dev.napi!;
  net.w.rec.fresh(() =>
    net.call('e1000_intr', () => {
      const skb = new SkBuff(RX_HEADROOM + bytes.length, pkt);
      skb.reserve(RX_HEADROOM);
      skb.w().set(bytes, skb.put(bytes.length));
      skb.dev = dev;
      skb.resetMacHeader();
      if (!dev.up) {
        net.drop(skb, 'L2', 'e1000_intr', FILE, 'DEV_READY', net.full ? `${dev.name} is down: the frame is not received.` : '');
        return;
      }
      if (napi.ring.length >= napi.ringSize) {
        dev.stats.rx_dropped++;
        net.drop(skb, 'L2', 'e1000_intr', FILE, 'FULL_RING', net.full ? `The RX ring of ${dev.name} is full (${napi.ringSize} descriptors): the NIC misses the frame.` : '');
        return;
      }
      napi.ring.push(skb);
      if (napi.irqMasked) {
        net.step(skb, 'L2', 'e1000_intr', FILE, net.full ? `The frame is DMA'd into ${dev.name}'s RX ring (${napi.ring.length} waiting); NAPI is already scheduled, so no new interrupt is taken.` : '');
        return;
      }
      napi.irqMasked = true;
      net.step(skb, 'L2', 'e1000_intr', FILE, net.full ? `The frame is DMA'd into ${dev.name}'s RX ring and the NIC raises an interrupt; the handler masks further interrupts and calls napi_schedule.` : '');
      net.call('napi_schedule', () => napi_schedule(net, dev));
    }),
  );
}

/** e1000_clean: the NAPI poll — drain up to `budget` frames from the ring into GRO. */
export function e1000_clean(net: Net, dev: NetDevice, budget: number): number {
  const call = net.enter('e1000_clean');
  try {
    const napi = dev.napi!;
    const batch: SkBuff[] = [];
    let work = 0;
    net.call('e1000_clean_rx_irq', () => {
      while (work < budget && napi.ring.length > 0) {
        const skb = napi.ring.shift()!;
        work++;
        // e1000_rx_checksum: the hardware checked the TCP/UDP checksum.
        skb.ip_summed = l4ChecksumOk(skb.buf, skb.data + 14, skb.len - 14) ? 'CHECKSUM_UNNECESSARY' : 'CHECKSUM_NONE';
        net.call('e1000_receive_skb', () => {
          skb.protocol = eth_type_trans(skb, dev);
          net.step(skb, 'L2', 'e1000_receive_skb', FILE, net.full ? `The poll takes frame ${work} of at most ${budget} (the NAPI weight) from the ring; eth_type_trans pulls the Ethernet header, pkt_type ${skb.pkt_type}, ip_summed ${skb.ip_summed}.` : '');
          const call = net.enter('napi_gro_receive');
          try {
            net.step(skb, 'L2', 'napi_gro_receive', GRO_FILE, 'GRO finds nothing to merge this frame with (GRO_NORMAL), so gro_normal_one adds it to the NAPI rx_list to be passed up as a batch.');
            batch.push(skb);
            if (batch.length >= GRO_NORMAL_BATCH) netif_receive_skb_list_internal(net, batch.splice(0));
          } finally {
            net.leave(call);
          }
        });
      }
    });
    if (work < budget) {
      // napi_complete_done: flush the GRO list and let the NIC interrupt again.
      net.call('napi_complete_done', () => {
        if (batch.length > 0) net.call('gro_normal_list', () => netif_receive_skb_list_internal(net, batch.splice(0)));
      });
      napi.irqMasked = napi.ring.length > 0;
      if (napi.ring.length > 0) napi_schedule(net, dev);
    } else if (batch.length > 0) {
      net.call('gro_normal_list', () => netif_receive_skb_list_internal(net, batch.splice(0)));
    }
    return work;
  } finally {
    net.leave(call);
  }
}
