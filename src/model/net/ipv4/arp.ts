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
import { ERRNO_NAMES, EXDEV, inet_addr_type, inet_select_addr, ip_route_input_noref, ip_route_output_key } from './route';
import { readIp } from '../../proto/ipv4';
import { HZ } from '../../proc/sysctl';
import { inet_confirm_addr, RT_SCOPE_HOST, RT_SCOPE_LINK } from './devinet_confirm';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_TcpExtArpFilter = snmpId('TcpExtArpFilter');

const FILE = 'net/ipv4/arp.c';
const NEIGH_FILE = 'net/core/neighbour.c';

/** arp_rcv: the ETH_P_ARP packet_type handler. */
export function arp_rcv(net: Net, skb: SkBuff, dev: NetDevice): void {
  const call = net.enter('arp_rcv');
  try {
    if (dev.noarp || skb.pkt_type === 'PACKET_OTHERHOST' || skb.pkt_type === 'PACKET_LOOPBACK') {
      net.step(skb, 'L2', 'arp_rcv', FILE, net.full ? `An ARP frame that is not for this host (${skb.pkt_type}) is ignored.` : '');
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
    net.step(skb, 'L2', 'arp_rcv', FILE, net.full ? `An ARP ${a.op === ARPOP_REQUEST ? 'request' : 'reply'} from ${numToIp(a.sip)} (${a.sha}) arrives on ${dev.name}; arp_process handles it (the NF_ARP_IN hook has no rules).` : '');
    arp_process(net, skb, dev);
  } finally {
    net.leave(call);
  }
}

/**
 * arp_process (v6.12): a request for 0.0.0.0 as sender is a duplicate address probe, answered
 * for a local target without routing. Any other request is routed like an IP packet from the
 * sender to the target (ip_route_input_noref): a local route is answered (unless arp_ignore or
 * arp_filter says no), a forwarded one may be answered by proxy ARP; a route that fails — a
 * sender that fails rp_filter or is a martian — gets no answer. What is not answered falls
 * through to learning the sender, which only an existing entry (or arp_accept) allows.
 */
function arp_process(net: Net, skb: SkBuff, dev: NetDevice): void {
  const call = net.enter('arp_process');
  try {
    const a = readArp(skb.buf, skb.data);
    if ((a.op !== ARPOP_REQUEST && a.op !== ARPOP_REPLY) || isMulticast(a.tip) || (isLoopback(a.tip) && !net.devOrconf(dev, 'route_localnet'))) {
      net.drop(skb, 'L2', 'arp_process', FILE, 'NOT_SPECIFIED', 'The ARP packet asks about an address ARP does not answer for.');
      return;
    }
    if (a.sip === 0) {
      // RFC 2131's probe: inet_addr_type_dev_table asks the local table whether the target is ours
      if (a.op === ARPOP_REQUEST && inet_addr_type(net, a.tip) === 'RTN_LOCAL' && !arp_ignore(net, dev, a.sip, a.tip)) {
        net.step(skb, 'L2', 'arp_process', FILE, net.full ? `A duplicate address probe (sender 0.0.0.0) for ${numToIp(a.tip)}, one of our addresses: we answer it, and learn nothing.` : '');
        arp_send_dst(net, ARPOP_REPLY, a.sip, dev, a.tip, a.sha, dev.mac, a.sha, skb.pkt);
      } else net.step(skb, 'L2', 'arp_process', FILE, net.full ? `A duplicate address probe (sender 0.0.0.0) for ${numToIp(a.tip)}, which we do not answer; nothing is learnt from it.` : '');
      net.fate(skb, { kind: 'consumed', fn: 'arp_process', detail: 'probe' });
      return;
    }
    if (a.op === ARPOP_REQUEST && arp_request(net, skb, dev, a.sip, a.tip, a.sha)) return;
    arp_update(net, skb, dev, a.op, a.sip, a.tip, a.sha, a.tha);
  } finally {
    net.leave(call);
  }
}

/** arp_process's answer to a request: true when it is done with the packet (answered or queued). */
function arp_request(net: Net, skb: SkBuff, dev: NetDevice, sip: number, tip: number, sha: string): boolean {
  const err = ip_route_input_noref(net, skb, tip, sip, 0, dev);
  if (err < 0) {
    const why = err === -EXDEV ? `its sender ${numToIp(sip)} fails the reverse-path filter (fib_validate_source: -EXDEV, rp_filter = ${net.devMaxconf(dev, 'rp_filter')})` : `the route from ${numToIp(sip)} to ${numToIp(tip)} is refused (${ERRNO_NAMES[-err] ?? err})`;
    net.step(skb, 'L2', 'arp_process', FILE, net.full ? `ip_route_input_noref fails for the request: ${why}, so it is not answered.` : '');
    return false;
  }
  const rt = skb.dst!;
  if (rt.type === 'RTN_LOCAL') {
    let dontSend = arp_ignore(net, dev, sip, tip);
    const ignored = dontSend;
    if (!dontSend && net.devOrconf(dev, 'arp_filter')) dontSend = arp_filter(net, sip, tip, dev);
    if (dontSend) {
      net.step(skb, 'L2', 'arp_process', FILE, ignored ? `${numToIp(tip)} is ours, but arp_ignore = ${net.devMaxconf(dev, 'arp_ignore')} says not to answer on ${dev.name}.` : `${numToIp(tip)} is ours, but arp_filter: our route back to ${numToIp(sip)} does not leave through ${dev.name}, so ${dev.name} does not answer.`);
    } else {
      net.step(skb, 'L2', 'arp_process', FILE, net.full ? `${numToIp(tip)} is one of our addresses (the request routes to a local route): we learn where ${numToIp(sip)} is (neigh_event_ns) and send an ARP reply.` : '');
      neigh_event_ns(net, dev, sip, sha, skb);
      arp_send_dst(net, ARPOP_REPLY, sip, dev, tip, sha, dev.mac, sha, skb.pkt);
    }
    net.fate(skb, { kind: 'consumed', fn: 'arp_process', detail: dontSend ? 'not answered' : 'answered' });
    return true;
  }
  // proxy ARP: a target we would forward to through another device (arp_fwd_proxy; the private
  // VLAN variant needs proxy_arp_pvlan and a proxy entry needs `ip neigh add proxy`, neither of
  // which the model accepts)
  if (!net.devconf(dev, 'forwarding') || rt.type !== 'RTN_UNICAST' || !arp_fwd_proxy(net, dev, rt.dev)) return false;
  neigh_event_ns(net, dev, sip, sha, skb);
  if (skb.cb.locallyEnqueued || skb.pkt_type === 'PACKET_HOST' || PROXY_DELAY_JIFFIES === 0) {
    net.step(skb, 'L2', 'arp_process', FILE, net.full ? `${numToIp(tip)} is reached through ${rt.dev.name} and proxy_arp is on for ${dev.name}: we answer for it with our own address (proxy ARP).` : '');
    arp_send_dst(net, ARPOP_REPLY, sip, dev, tip, sha, dev.mac, sha, skb.pkt);
    net.fate(skb, { kind: 'consumed', fn: 'arp_process', detail: 'answered by proxy' });
  } else pneigh_enqueue(net, skb, dev, tip);
  return true;
}

/**
 * The second half of arp_process: update the sender's entry. Only an existing entry is updated,
 * unless arp_accept lets a gratuitous ARP, or a reply from a unicast address, create one.
 */
function arp_update(net: Net, skb: SkBuff, dev: NetDevice, op: number, sip: number, tip: number, sha: string, tha: string): void {
  let n = neigh_lookup(net, dev, sip);
  const accept = arp_accept(net, dev, sip);
  // arp_is_garp: sender = target (for a reply also sender hardware = target hardware), from a unicast address
  const addrType = n || accept ? inet_addr_type(net, sip) : undefined;
  const garp = (n || accept) && sip === tip && (op !== ARPOP_REPLY || tha === sha) && addrType === 'RTN_UNICAST';
  const what = op === ARPOP_REPLY ? 'The reply' : 'The request';
  if (!n && accept && (garp || (op === ARPOP_REPLY && inet_addr_type(net, sip) === 'RTN_UNICAST'))) {
    n = neigh_create(net, dev, sip);
    net.step(skb, 'L2', 'arp_process', FILE, net.full ? `${what} ${garp ? 'is gratuitous' : `comes from ${numToIp(sip)}`} and arp_accept = ${net.devMaxconf(dev, 'arp_accept')} lets it create a neighbour entry.` : '');
  }
  if (n) {
    // a request or a broadcast reply does not prove the sender reachable
    const state = op !== ARPOP_REPLY || skb.pkt_type !== 'PACKET_HOST' ? 'NUD_STALE' : 'NUD_REACHABLE';
    net.step(skb, 'L2', 'arp_process', FILE, net.full ? `${what} tells us ${numToIp(sip)} is at ${sha}; we have an entry for it, so the entry is updated.` : '');
    neigh_update(net, n, sha, state, skb);
    net.fate(skb, { kind: 'consumed', fn: 'arp_process', detail: 'learnt' });
    return;
  }
  net.step(skb, 'L2', 'arp_process', FILE, net.full ? `${op === ARPOP_REQUEST ? `The request for ${numToIp(tip)} is not answered` : `An unsolicited reply from ${numToIp(sip)}`}; we have no entry for ${numToIp(sip)} and arp_accept = ${net.devMaxconf(dev, 'arp_accept')} creates none, so nothing is learnt.` : '');
  net.fate(skb, { kind: 'consumed', fn: 'arp_process', detail: 'not for us' });
}

/**
 * arp_ignore (v6.12): whether a request for our `tip` goes unanswered on `dev`. 0 (and 4-7, and
 * values past 8) answer for any local address; 1 only for an address of `dev`; 2 also needs
 * the sender in a subnet of `dev` that holds the target; 3 not for addresses of host scope; 8
 * never. The checks are inet_confirm_addr's.
 */
function arp_ignore(net: Net, dev: NetDevice, sip: number, tip: number): boolean {
  switch (net.devMaxconf(dev, 'arp_ignore')) {
    case 1:
      return !inet_confirm_addr(net, dev, 0, tip, RT_SCOPE_HOST);
    case 2:
      return !inet_confirm_addr(net, dev, sip, tip, RT_SCOPE_HOST);
    case 3:
      return !inet_confirm_addr(net, null, 0, tip, RT_SCOPE_LINK);
    case 8:
      return true;
    default:
      return false;
  }
}

/** arp_accept (v6.12): 1 lets unsolicited ARP create entries; 2 only for a sender in one of `dev`'s subnets. */
function arp_accept(net: Net, dev: NetDevice, sip: number): boolean {
  switch (net.devMaxconf(dev, 'arp_accept')) {
    case 1:
      return true;
    case 2:
      return !!inet_confirm_addr(net, dev, sip, 0, RT_SCOPE_LINK);
    default:
      return false;
  }
}

/**
 * arp_filter (v6.12): with arp_filter on, a device answers only if our own route back to the
 * sender (ip_route_output from the target address) leaves through it; otherwise ArpFilter counts
 * the request. No route back at all also means no answer (without the count).
 */
function arp_filter(net: Net, sip: number, tip: number, dev: NetDevice): boolean {
  const r = ip_route_output_key(net, sip, tip);
  if ('error' in r) return true;
  if (r.rt.dev !== dev) {
    net.count(SNMP_TcpExtArpFilter, 1);
    return true;
  }
  return false;
}

/**
 * arp_fwd_proxy (v6.12): proxy ARP answers for a target routed through another device when
 * proxy_arp is on (all or the device). medium_id, which could restrict it, is not a key the
 * model has (a write is refused), so it is 0: answer.
 */
function arp_fwd_proxy(net: Net, dev: NetDevice, out: NetDevice): boolean {
  return out !== dev && !!net.devOrconf(dev, 'proxy_arp');
}

/** arp_tbl's proxy_delay ((8 * HZ) / 10 jiffies) and proxy_qlen; the model has no key to change them */
const PROXY_DELAY_JIFFIES = (8 * HZ) / 10;
const PROXY_QLEN = 64;
/** neigh_parms.qlen of each device's ARP parameters: requests waiting in the proxy queue */
const proxyQlen = new WeakMap<NetDevice, number>();

/**
 * pneigh_enqueue (net/core/neighbour.c, v6.12): a broadcast request to proxy is answered after
 * a random delay below proxy_delay, so that the real owner, if any, answers first; the timer
 * (neigh_proxy_process → parp_redo) runs arp_process again on it, marked LOCALLY_ENQUEUED.
 * Past proxy_qlen waiting requests, it is dropped.
 */
function pneigh_enqueue(net: Net, skb: SkBuff, dev: NetDevice, tip: number): void {
  const qlen = proxyQlen.get(dev) ?? 0;
  if (qlen > PROXY_QLEN) {
    net.drop(skb, 'L2', 'pneigh_enqueue', NEIGH_FILE, 'NOT_SPECIFIED', net.full ? `The proxy queue of ${dev.name} is full (proxy_qlen ${PROXY_QLEN}): the request is dropped.` : '');
    return;
  }
  const delay = net.randBelow(PROXY_DELAY_JIFFIES);
  skb.cb.locallyEnqueued = true;
  skb.dst = null;
  proxyQlen.set(dev, qlen + 1);
  net.step(skb, 'L2', 'pneigh_enqueue', NEIGH_FILE, net.full ? `${numToIp(tip)} is reached through another device and proxy_arp is on for ${dev.name}: the broadcast request waits ${delay} jiffies (random below proxy_delay, ${PROXY_DELAY_JIFFIES}) before we answer it by proxy.` : '');
  net.fate(skb, { kind: 'pending', fn: 'pneigh_enqueue' });
  net.w.sched.after((delay * 1e9) / HZ, () => {
    const call = net.enter('neigh_proxy_process');
    try {
      proxyQlen.set(dev, (proxyQlen.get(dev) ?? 1) - 1);
      if (!dev.up) {
        net.drop(skb, 'L2', 'neigh_proxy_process', NEIGH_FILE, 'NOT_SPECIFIED', net.full ? `${dev.name} is down: the waiting request is dropped.` : '');
        return;
      }
      arp_process(net, skb, dev);
    } finally {
      net.leave(call);
    }
  });
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
    // the entry's probe count picks the kind (v6.12 arp_solicit): below ucast_solicit a unicast
    // probe to the known address, then app_solicit requests to a user-space daemon (neigh_app_ns:
    // a netlink RTM_GETNEIGH, no frame), then broadcasts
    const probes = n.probes - net.neighParm(dev, 'ucast_solicit');
    if (probes >= 0 && probes - net.neighParm(dev, 'app_solicit') < 0) {
      net.step(skb, 'L2', 'neigh_app_ns', 'net/core/neighbour.c', net.full ? `Probe ${n.probes + 1} for ${numToIp(n.key)} is an application probe (app_solicit = ${net.neighParm(dev, 'app_solicit')}): a netlink request to a user-space resolver (RTM_GETNEIGH), and no ARP frame. None answers here.` : '');
      return;
    }
    const unicast = probes < 0 && n.ha;
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

