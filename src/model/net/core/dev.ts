// net/core/dev.c: the device layer between drivers and protocols (v6.12).
//   Transmit: __dev_queue_xmit → the qdisc (or none) → dev_hard_start_xmit → ndo_start_xmit.
//   Receive:  netif_rx → the per-CPU backlog → NET_RX softirq → net_rx_action → process_backlog
//             (veth, loopback) or the driver's NAPI poll (NIC) → __netif_receive_skb_core →
//             the protocol handler registered for skb->protocol (ip_rcv, arp_rcv).
import type { Net } from '../net_namespace';
import type { NetDevice } from './netdevice';
import type { SkBuff } from './skbuff';
import { ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, ETH_P_NAMES } from '../../proto/ethernet';
import { ipv6_rcv } from '../ipv6/ip6_input';
import { ip_rcv, ip_list_rcv } from '../ipv4/ip_input';
import { arp_rcv } from '../ipv4/arp';
import { veth_xmit } from '../../drivers/net/veth';
import { loopback_xmit } from '../../drivers/net/loopback';
import { e1000_xmit_frame, e1000_clean } from '../../drivers/net/e1000';
import { SCH_FILE } from '../sched/sch_generic';

const FILE = 'net/core/dev.c';

// Return codes of the device layer (include/linux/netdevice.h, v6.12): what a receive or a
// transmit tells its caller, and what the callers count (ip_send_skb → IpOutDiscards).
export const NET_RX_SUCCESS = 0;
export const NET_RX_DROP = 1;
export const NET_XMIT_SUCCESS = 0;
export const NET_XMIT_DROP = 1;
export const NET_XMIT_CN = 2;
/** a device-layer return code by its kernel name */
export function xmitName(rc: number): string {
  return rc === NET_XMIT_SUCCESS ? 'NET_XMIT_SUCCESS' : rc === NET_XMIT_DROP ? 'NET_XMIT_DROP' : rc === NET_XMIT_CN ? 'NET_XMIT_CN' : String(rc);
}

// ---------------------------------------------------------------- transmit

/**
 * dev_queue_xmit / __dev_queue_xmit: hand a finished frame to the device's qdisc or driver, and
 * return what became of it: the driver's NET_XMIT_* code (NET_XMIT_DROP when a veth could not
 * pass it on), NET_XMIT_DROP for a full queue, NET_XMIT_CN from noop_qdisc for a device that is
 * down or without carrier.
 */
export function dev_queue_xmit(net: Net, skb: SkBuff): number {
  const call = net.enter('__dev_queue_xmit');
  try {
    const dev = skb.dev!;
    const q = dev.qdisc;
    if (!dev.operUp) {
      // dev_deactivate gives a device that is down, or has lost its carrier (a veth whose peer is
      // down), noop_qdisc: noop_enqueue counts tx_dropped and frees the frame with the reason
      // __dev_xmit_skb set (QDISC_DROP), and reports NET_XMIT_CN — which callers treat as sent
      dev.stats.tx_dropped++;
      net.drop(skb, 'L2', '__dev_queue_xmit', FILE, 'QDISC_DROP', net.full ? `${dev.name} is ${dev.up ? 'up but has no carrier (its peer is down)' : 'down'}, so its queue is noop_qdisc: the frame is dropped before the driver (tx_dropped) and the caller hears NET_XMIT_CN, not an error.` : '', 'NET_XMIT_CN');
      return NET_XMIT_CN;
    }
    if (q.kind === 'noqueue') {
      net.step(skb, 'L2', '__dev_queue_xmit', FILE, net.full ? net.say(noqueueWhat, dev.name) : '');
      return dev_hard_start_xmit(net, skb, dev);
    }
    if (q.qlen >= q.limit) {
      q.drops++;
      dev.stats.tx_dropped++;
      net.drop(skb, 'L2', 'pfifo_fast_enqueue', SCH_FILE, 'QDISC_DROP', net.full ? `The pfifo_fast queue of ${dev.name} already holds ${q.qlen} packets (txqueuelen ${q.limit}), so the frame is dropped (qdisc_drop).` : '', 'NET_XMIT_DROP');
      return NET_XMIT_DROP;
    }
    net.step(skb, 'L2', '__dev_queue_xmit', FILE, net.full ? net.say(bypassWhat, dev.name) : '');
    q.sent++;
    const direct = net.enter('sch_direct_xmit');
    try {
      return dev_hard_start_xmit(net, skb, dev);
    } finally {
      net.leave(direct);
    }
  } finally {
    net.leave(call);
  }
}

/** dev_hard_start_xmit → xmit_one → netdev_start_xmit → ops->ndo_start_xmit: the driver's return code. */
function dev_hard_start_xmit(net: Net, skb: SkBuff, dev: NetDevice): number {
  const call = net.enter('dev_hard_start_xmit');
  try {
    const drv = dev.kind === 'veth' ? 'veth_xmit' : dev.kind === 'loopback' ? 'loopback_xmit' : 'e1000_xmit_frame';
    net.step(skb, 'L2', 'dev_hard_start_xmit', FILE, net.full ? net.say(startXmitWhat, skb.len, dev.name, drv) : '');
    if (dev.kind === 'veth') return veth_xmit(net, skb, dev);
    if (dev.kind === 'loopback') return loopback_xmit(net, skb, dev);
    return e1000_xmit_frame(net, skb, dev);
  } finally {
    net.leave(call);
  }
}

// ---------------------------------------------------------------- receive: backlog

/**
 * netif_rx / __netif_rx / netif_rx_internal / enqueue_to_backlog: queue a received frame on the
 * CPU's backlog and make sure the NET_RX softirq will process it. Returns NET_RX_SUCCESS, or
 * NET_RX_DROP when the backlog is full — which a veth passes back to its sender as NET_XMIT_DROP.
 */
export function netif_rx(net: Net, skb: SkBuff, fn = '__netif_rx'): number {
  const call = net.enter(fn);
  try {
    const enqueue = net.enter('enqueue_to_backlog');
    try {
      const max = net.read(net.sysctlCore.netdev_max_backlog);
      if (net.backlog.length >= max) {
        skb.dev!.stats.rx_dropped++;
        net.drop(skb, 'L2', 'enqueue_to_backlog', FILE, 'CPU_BACKLOG', net.full ? `The CPU's backlog already holds ${max} packets (netdev_max_backlog), so the frame is dropped.` : '', 'NET_RX_DROP');
        return NET_RX_DROP;
      }
      net.backlog.push(skb);
      net.step(skb, 'L2', 'enqueue_to_backlog', FILE, net.full ? net.say(backlogWhat, net.backlog.length) : '');
      if (!net.backlogScheduled) {
        net.backlogScheduled = true;
        napi_schedule(net, 'backlog');
      }
      return NET_RX_SUCCESS;
    } finally {
      net.leave(enqueue);
    }
  } finally {
    net.leave(call);
  }
}

type PollEntry = NetDevice | 'backlog';

/** ____napi_schedule: put a NAPI instance on the poll list and raise NET_RX_SOFTIRQ. */
export function napi_schedule(net: Net, n: PollEntry): void {
  (net.pollList as PollEntry[]).push(n);
  if (!net.softirqPending) {
    net.softirqPending = net.w.sched.at(net.w.sched.now, rxSoftirq(net), false, 'net_rx');
  }
}

/** The namespace's NET_RX softirq body, made on its first raise: a closure per raise was a fates path allocation per frame. */
function rxSoftirq(net: Net): () => void {
  return (net.rxSoftirq ??= () => net_rx_action(net));
}

/** net_rx_action: the NET_RX softirq polls each scheduled NAPI instance within netdev_budget. */
function net_rx_action(net: Net): void {
  net.softirqPending = null;
  net.w.rec.fresh((net.rxSoftirqRun ??= () => net_rx_action_run(net)));
}

function net_rx_action_run(net: Net): void {
  const call = net.enter('net_rx_action');
  try {
    let budget = net.read(net.sysctlCore.netdev_budget);
    const list = net.pollList as PollEntry[];
    while (list.length > 0) {
      const n = list.shift()!;
      const weight = n === 'backlog' ? net.read(net.sysctlCore.dev_weight) : n.napi!.weight;
      const work = __napi_poll(net, n, weight);
      budget -= work;
      if (work >= weight) list.push(n);
      if (budget <= 0 && list.length > 0) {
        // time_squeeze: the rest waits for the next softirq run
        net.softirqPending = net.w.sched.at(net.w.sched.now, rxSoftirq(net), false, 'net_rx');
        return;
      }
    }
  } finally {
    net.leave(call);
  }
}

function __napi_poll(net: Net, n: PollEntry, weight: number): number {
  const call = net.enter('__napi_poll');
  try {
    return n === 'backlog' ? process_backlog(net, weight) : e1000_clean(net, n, weight);
  } finally {
    net.leave(call);
  }
}

/** process_backlog: the backlog's poll function, up to `quota` frames. */
function process_backlog(net: Net, quota: number): number {
  const call = net.enter('process_backlog');
  try {
    let work = 0;
    while (work < quota && net.backlog.length > 0) {
      const skb = net.backlog.shift()!;
      work++;
      const rcv = net.enter('__netif_receive_skb');
      try {
        __netif_receive_skb_one_core(net, skb);
      } finally {
        net.leave(rcv);
      }
    }
    if (net.backlog.length === 0) net.backlogScheduled = false;
    return work;
  } finally {
    net.leave(call);
  }
}

function __netif_receive_skb_one_core(net: Net, skb: SkBuff): void {
  const call = net.enter('__netif_receive_skb_one_core');
  try {
    const pt = __netif_receive_skb_core(net, skb);
    if (pt) pt.func(net, skb, skb.dev!);
  } finally {
    net.leave(call);
  }
}

/**
 * struct packet_type (include/linux/netdevice.h): the handler a protocol registers for an
 * EtherType with dev_add_pack. `list_func`, where there is one, takes a batch on the list path.
 */
export interface PacketType {
  type: number;
  /** the handler's name as the trace says it, and the protocol it is for */
  name: string;
  family: string;
  func(net: Net, skb: SkBuff, dev: NetDevice): void;
  list_func?(net: Net, skbs: SkBuff[]): void;
}

/**
 * ptype_base (net/core/dev.c, v6.12): the global table of handlers by EtherType, which every
 * namespace shares. inet_init adds ip_packet_type, arp_init adds arp_packet_type (dev_add_pack).
 */
export const ptype_base: ReadonlyMap<number, PacketType> = new Map([
  [ETH_P_IP, { type: ETH_P_IP, name: 'ip_rcv', family: 'IPv4', func: ip_rcv, list_func: ip_list_rcv }],
  [ETH_P_ARP, { type: ETH_P_ARP, name: 'arp_rcv', family: 'ARP', func: arp_rcv }],
  // inet6_init → ipv6_packet_init adds ipv6_packet_type
  [ETH_P_IPV6, { type: ETH_P_IPV6, name: 'ipv6_rcv', family: 'IPv6', func: ipv6_rcv }],
]);

/**
 * __netif_receive_skb_core: reset the network header, note the input interface, and find the
 * packet_type handler for skb->protocol in ptype_base. Returns it, or null (dropped).
 */
export function __netif_receive_skb_core(net: Net, skb: SkBuff): PacketType | null {
  const call = net.enter('__netif_receive_skb_core');
  try {
    const dev = skb.dev!;
    skb.resetNetworkHeader();
    skb.transport_header = -1;
    skb.skb_iif = dev.ifindex;
    dev.stats.rx_packets++;
    dev.stats.rx_bytes += skb.len + dev.hard_header_len;
    const pt = ptype_base.get(skb.protocol);
    if (pt) {
      net.step(skb, 'L2', '__netif_receive_skb_core', FILE, net.full ? net.say(handlerWhat, ethProtoName(skb.protocol), pt.family, pt.name, pt.type === ETH_P_IP ? dev.ifindex : -1, dev.name) : '');
      return pt;
    }
    dev.stats.rx_dropped++;
    net.drop(skb, 'L2', '__netif_receive_skb_core', FILE, 'UNHANDLED_PROTO', net.full ? `No protocol handler is registered for ethertype ${ethProtoName(skb.protocol)}, so the frame is dropped.` : '');
    return null;
  } finally {
    net.leave(call);
  }
}

/**
 * The NIC path after GRO: gro_normal_list → netif_receive_skb_list_internal →
 * __netif_receive_skb_list_core, which gives IPv4 frames to ip_list_rcv as a list.
 */
export function netif_receive_skb_list_internal(net: Net, skbs: SkBuff[]): void {
  net.call('netif_receive_skb_list_internal', () =>
    net.call('__netif_receive_skb_list_core', () => {
      // handlers with a list_func get their frames as one batch after the loop; the others one by one
      const lists = new Map<PacketType, SkBuff[]>();
      for (const skb of skbs) {
        const pt = __netif_receive_skb_core(net, skb);
        if (pt?.list_func) (lists.get(pt) ?? lists.set(pt, []).get(pt)!).push(skb);
        else if (pt) net.call('__netif_receive_skb_list_ptype', () => pt.func(net, skb, skb.dev!));
      }
      for (const [pt, list] of lists) net.call('__netif_receive_skb_list_ptype', () => pt.list_func!(net, list));
    }),
  );
}

// Sentences of a full trace (net.full), as templates of their arguments (net.say): made once per
// distinct arguments in a run, and no closure in the caller, at the fates level either.

function noqueueWhat(dev: string): string {
  return `${dev} has no qdisc (noqueue), so the frame goes straight to the driver.`;
}

function bypassWhat(dev: string): string {
  return `${dev}'s pfifo_fast qdisc is empty, so the frame bypasses the queue (TCQ_F_CAN_BYPASS) and sch_direct_xmit hands it to the driver.`;
}

function startXmitWhat(len: number, dev: string, drv: string): string {
  return `The frame (${len} bytes) is handed to ${dev}'s driver through ndo_start_xmit = ${drv}.`;
}

function backlogWhat(queued: number): string {
  return `The frame waits in the CPU's backlog queue (${queued} queued); the NET_RX softirq will process it.`;
}

function ethProtoName(protocol: number): string {
  return ETH_P_NAMES[protocol] ?? `0x${protocol.toString(16).padStart(4, '0')}`;
}

/** `ifindex`: the device's, for IPv4 (its routing reads skb_iif, inet_iif), else -1 */
function handlerWhat(name: string, family: string, handler: string, ifindex: number, dev: string): string {
  const iif = ifindex >= 0 ? ` (skb_iif = ${ifindex}, ${dev})` : '';
  return `skb->protocol is ${name}, so the packet_type handler for ${family}, ${handler}, takes the frame${iif}.`;
}
