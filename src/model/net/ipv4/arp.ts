// net/ipv4/arp.c: ARP requests and replies, and what they teach the neighbour table.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { Neighbour } from '../core/neighbour_types';
import { allocSkb } from '../core/skbuff';
import { BROADCAST_MAC, ZERO_MAC, inPrefix, isLoopback, isMulticast, numToIp } from '../../proto/addr';
import { ARP_HLEN, ARPOP_REPLY, ARPOP_REQUEST, readArp, writeArp } from '../../proto/arp';
import { ETH_P_ARP } from '../../proto/ethernet';
import { eth_header } from '../ethernet/eth';
import { dev_queue_xmit } from '../core/dev';
import { neigh_create, neigh_lookup, neigh_update } from '../core/neighbour';
import { inet_addr_type, inet_select_addr, isLocalAddr } from './route';
import { readIp } from '../../proto/ipv4';

const FILE = 'net/ipv4/arp.c';

/** arp_rcv: the ETH_P_ARP packet_type handler. */
export function arp_rcv(net: Net, skb: SkBuff, dev: NetDevice): void {
  const call = net.enter('arp_rcv');
  try {
    if (dev.noarp || skb.pkt_type === 'PACKET_OTHERHOST' || skb.pkt_type === 'PACKET_LOOPBACK') {
      net.step(skb, 'L2', 'arp_rcv', FILE, `An ARP frame that is not for this host (${skb.pkt_type}) is ignored.`);
      net.fate(skb, { kind: 'consumed', fn: 'arp_rcv', detail: 'ignored' });
      return;
    }
    if (!skb.mayPull(ARP_HLEN)) {
      net.drop(skb, 'L2', 'arp_rcv', FILE, 'PKT_TOO_SMALL', 'The ARP packet is too short.');
      return;
    }
    const a = readArp(skb.buf, skb.data);
    if (a.hln !== 6 || a.pln !== 4) {
      net.drop(skb, 'L2', 'arp_rcv', FILE, 'NOT_SPECIFIED', 'The ARP header does not describe Ethernet and IPv4 addresses.');
      return;
    }
    net.step(skb, 'L2', 'arp_rcv', FILE, `An ARP ${a.op === ARPOP_REQUEST ? 'request' : 'reply'} from ${numToIp(a.sip)} (${a.sha}) arrives on ${dev.name}; arp_process handles it (the NF_ARP_IN hook has no rules).`);
    arp_process(net, skb, dev);
  } finally {
    net.leave(call);
  }
}

/** arp_process: answer requests for our addresses, learn the sender, complete pending resolutions. */
function arp_process(net: Net, skb: SkBuff, dev: NetDevice): void {
  const call = net.enter('arp_process');
  try {
    const a = readArp(skb.buf, skb.data);
    if ((a.op !== ARPOP_REQUEST && a.op !== ARPOP_REPLY) || isMulticast(a.tip) || (isLoopback(a.tip) && !net.devOrconf(dev, 'route_localnet'))) {
      net.drop(skb, 'L2', 'arp_process', FILE, 'NOT_SPECIFIED', 'The ARP packet asks about an address ARP does not answer for.');
      return;
    }
    if (a.op === ARPOP_REQUEST) {
      // The kernel runs ip_route_input_noref on the target: a local route means "we are it".
      const forUs = isLocalAddr(net, a.tip) && arpIgnoreAllows(net, dev, a.tip);
      if (forUs) {
        net.step(skb, 'L2', 'arp_process', FILE, `${numToIp(a.tip)} is one of our addresses: we learn where ${numToIp(a.sip)} is (neigh_event_ns) and send an ARP reply.`);
        neigh_event_ns(net, dev, a.sip, a.sha, skb);
        arp_send_dst(net, ARPOP_REPLY, a.sip, dev, a.tip, a.sha, dev.mac, a.sha, skb.pkt);
        net.fate(skb, { kind: 'consumed', fn: 'arp_process', detail: 'answered' });
        return;
      }
    }
    const n = neigh_lookup(net, dev, a.sip);
    if (n) {
      const state = a.op !== ARPOP_REPLY || skb.pkt_type !== 'PACKET_HOST' ? 'NUD_STALE' : 'NUD_REACHABLE';
      net.step(skb, 'L2', 'arp_process', FILE, `${a.op === ARPOP_REPLY ? 'The reply' : 'The request'} tells us ${numToIp(a.sip)} is at ${a.sha}; we had asked, so the neighbour entry is updated.`);
      neigh_update(net, n, a.sha, state, skb);
      net.fate(skb, { kind: 'consumed', fn: 'arp_process', detail: 'learnt' });
      return;
    }
    net.step(skb, 'L2', 'arp_process', FILE, `${a.op === ARPOP_REQUEST ? `The request asks for ${numToIp(a.tip)}, which is not ours` : `An unsolicited reply from ${numToIp(a.sip)}`}; with arp_accept = 0 nothing is learnt.`);
    net.fate(skb, { kind: 'consumed', fn: 'arp_process', detail: 'not for us' });
  } finally {
    net.leave(call);
  }
}

/** arp_ignore = 0 answers for any local address on any interface; 1 only for the receiving one. */
function arpIgnoreAllows(net: Net, dev: NetDevice, tip: number): boolean {
  const mode = net.devMaxconf(dev, 'arp_ignore');
  if (mode === 0) return true;
  return dev.addrs.some((x) => x.local === tip);
}

/** neigh_event_ns: the sender of a request for us becomes a STALE entry (created if needed). */
function neigh_event_ns(net: Net, dev: NetDevice, sip: number, sha: string, skb: SkBuff): Neighbour {
  const n = neigh_lookup(net, dev, sip) ?? neigh_create(net, dev, sip);
  neigh_update(net, n, sha, 'NUD_STALE', skb);
  return n;
}

/**
 * arp_solicit: ask for the neighbour's address — broadcast while resolving, unicast when
 * re-confirming a known one. The source IP is the waiting packet's as arp_announce allows, else
 * inet_select_addr's for the target.
 */
export function arp_solicit(net: Net, n: Neighbour, skb: SkBuff | null): void {
  const call = net.enter('arp_solicit');
  try {
    const dev = n.dev;
    let saddr = 0;
    // IN_DEV_ARP_ANNOUNCE (the larger of all and the device): 0 (and any value but 1 and 2)
    // announces the waiting packet's source if the local table calls it ours
    // (inet_addr_type_dev_table: an address of any device, or a `local` route's); 1 only when it
    // shares a subnet of this device with the target (inet_addr_onlink); 2 never
    const announce = net.devMaxconf(dev, 'arp_announce');
    if (skb && skb.network_header >= 0 && announce !== 2) {
      const s = readIp(skb.buf, skb.network_header).saddr;
      const ours = inet_addr_type(net, s) === 'RTN_LOCAL';
      if (ours && (announce !== 1 || dev.addrs.some((a) => inPrefix(n.key, a.local, a.plen) && inPrefix(s, a.local, a.plen)))) saddr = s;
    }
    if (!saddr) saddr = inet_select_addr(net, dev, n.key);
    const unicast = n.probes - net.get('net.ipv4.neigh.default.ucast_solicit') < 0 && n.ha;
    const dstHw = unicast ? n.ha! : BROADCAST_MAC;
    // arp_solicit passes no target_hw to arp_send_dst, so arp_create zeroes the target hardware
    // address even in a unicast probe (only the Ethernet destination is the known address).
    arp_send_dst(net, ARPOP_REQUEST, n.key, dev, saddr, dstHw, dev.mac, ZERO_MAC, skb ? skb.pkt : null);
  } finally {
    net.leave(call);
  }
}

/** arp_send_dst → arp_create + arp_xmit: build the ARP frame and queue it on the device. */
function arp_send_dst(net: Net, op: number, destIp: number, dev: NetDevice, srcIp: number, destHw: string, srcHw: string, targetHw: string, parent: number | null): void {
  const call = net.enter('arp_send_dst');
  try {
    const pkt = net.w.rec.newPacket(net.name, parent);
    const skb = allocSkb(dev.llReservedSpace(), ARP_HLEN, pkt);
    skb.resetNetworkHeader();
    writeArp(skb.w(), skb.put(ARP_HLEN), { op, sha: srcHw, sip: srcIp, tha: targetHw, tip: destIp });
    skb.dev = dev;
    skb.protocol = ETH_P_ARP;
    net.call('arp_create', () => {
      eth_header(skb, dev, ETH_P_ARP, destHw);
      const what = op === ARPOP_REQUEST ? `ARP request: who has ${numToIp(destIp)}? tell ${numToIp(srcIp)} (sent to ${destHw === BROADCAST_MAC ? 'broadcast' : destHw}).` : `ARP reply: ${numToIp(srcIp)} is at ${srcHw}, sent to ${destHw}.`;
      net.step(skb, 'L2', 'arp_create', FILE, what);
    });
    net.call('arp_xmit', () => dev_queue_xmit(net, skb));
  } finally {
    net.leave(call);
  }
}

