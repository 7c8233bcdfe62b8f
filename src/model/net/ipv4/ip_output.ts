// net/ipv4/ip_output.c: the way out — __ip_local_out and LOCAL_OUT, dst_output, ip_output and
// POST_ROUTING, ip_finish_output with fragmentation, and ip_finish_output2 to the neighbour.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import { numToIp } from '../../proto/addr';
import { ETH_P_IP } from '../../proto/ethernet';
import { IP_DF, ipSendCheck, readIp } from '../../proto/ipv4';
import { rd32, wr16 } from '../../proto/addr';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED } from '../../proto/icmp';
import { NF_HOOK, nf_hook_ipv4 } from '../netfilter/core';
import { icmp_send } from './icmp';
import { ip_do_fragment } from './ip_fragment';
import { neigh_confirm, neigh_output, ip_neigh_for_gw } from '../core/neighbour';
import type { Neighbour } from '../core/neighbour_types';
import { NET_XMIT_CN, xmitName } from '../core/dev';
import type { NfHookName } from '../../../trace/contract';
import type { NetDevice } from '../core/netdevice';
import { dev_loopback_xmit } from '../core/dev_loopback';
import { Rtable, type DstOutput } from './route_types';
import { IP_LOCAL_DELIVER } from './ip_input';
import { skb_gso_network_seglen, skb_gso_validate_network_len, skb_is_gso, tcp_gso_segment } from './tcp_offload';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IpExtOutBcastOctets = snmpId('IpExtOutBcastOctets');
const SNMP_IpExtOutBcastPkts = snmpId('IpExtOutBcastPkts');
const SNMP_IpExtOutOctets = snmpId('IpExtOutOctets');
const SNMP_IpFragFails = snmpId('IpFragFails');
const SNMP_IpOutDiscards = snmpId('IpOutDiscards');
const SNMP_IpOutRequests = snmpId('IpOutRequests');
const SNMP_IpOutTransmits = snmpId('IpOutTransmits');

export const IP_OUTPUT_FILE = 'net/ipv4/ip_output.c';
const FILE = IP_OUTPUT_FILE;

const EPERM = 1;
const EMSGSIZE = 90;
export const ENOBUFS = 105;

/**
 * NF_HOOK as the output path's callers see it (v6.12 NF_HOOK's int): the continuation's code when
 * the hook let the packet through, else what nf_hook_slow returned: 0 for a packet a hook kept
 * (stolen, queued for reassembly), -EPERM (NF_DROP) for one a hook freed.
 */
function nfHookRet(net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, okfn: (net: Net, skb: SkBuff) => number): number {
  const ret = nf_hook_ipv4(net, hook, skb, indev, outdev);
  return ret === 1 ? okfn(net, skb) : ret;
}

/**
 * ip_send_skb: ip_local_out, and a datagram the stack below could not send (a device or a hook
 * dropped it) counts in IpOutDiscards; a NET_XMIT_* code becomes an errno (net_xmit_errno:
 * NET_XMIT_CN is no error, anything else -ENOBUFS), which udp_send_skb and raw_sendmsg see.
 */
export function ip_send_skb(net: Net, skb: SkBuff): number {
  const call = net.enter('ip_send_skb');
  try {
    const rc = ip_local_out(net, skb);
    let err = rc;
    if (err > 0) err = err === NET_XMIT_CN ? 0 : -ENOBUFS;
    if (err) {
      net.count(SNMP_IpOutDiscards);
      const why = rc > 0 ? `${xmitName(rc)} from the device layer` : rc === -EPERM ? 'NF_DROP from a netfilter hook (-EPERM)' : `-${rc === -EMSGSIZE ? 'EMSGSIZE' : -rc}`;
      net.step(null, 'L3', 'ip_send_skb', FILE, net.full ? `The datagram was not sent (${why}): IpOutDiscards.` : '', { ret: rc > 0 ? '-ENOBUFS' : rc === -EPERM ? '-EPERM' : rc === -EMSGSIZE ? '-EMSGSIZE' : String(rc) });
    }
    return err;
  } finally {
    net.leave(call);
  }
}

/** ip_local_out → __ip_local_out: finish the header, count OutRequests, run LOCAL_OUT; returns what the way down returned. */
export function ip_local_out(net: Net, skb: SkBuff): number {
  return net.call('ip_local_out', () =>
    net.call('__ip_local_out', () => {
      net.count(SNMP_IpOutRequests);
      const b = skb.w();
      wr16(b, skb.network_header + 2, skb.len);
      ipSendCheck(b, skb.network_header);
      skb.protocol = ETH_P_IP;
      const iph = readIp(b, skb.network_header);
      net.step(skb, 'L3', '__ip_local_out', FILE, net.full ? `A locally made datagram ${numToIp(iph.saddr)} → ${numToIp(iph.daddr)}: tot_len = ${skb.len}, the header checksum is computed (IpOutRequests), then the LOCAL_OUT hook.` : '');
      return nfHookRet(net, 'NF_INET_LOCAL_OUT', skb, null, skb.dst!.dev, dst_output);
    }),
  );
}

/** dst_output: the route's output function (dst->output: ip_mc_output for broadcast routes, else ip_output). */
export function dst_output(net: Net, skb: SkBuff): number {
  return skb.dst!.output.fn(net, skb);
}

/**
 * ip_mc_output (v6.12): a broadcast is also for this host, so a clone goes through
 * POST_ROUTING to ip_mc_finish_output and back in (dev_loopback_xmit) before the packet itself
 * takes the normal way out; what the packet's own way out returned is returned.
 */
export function ip_mc_output(net: Net, skb: SkBuff): number {
  const call = net.enter('ip_mc_output');
  try {
    const rt = skb.dst!;
    const dev = rt.dev;
    const indev = skb.dev;
    skb.dev = dev;
    skb.protocol = ETH_P_IP;
    if (rt.type === 'RTN_BROADCAST') {
      const pkt = net.w.rec.newPacket(net.name, skb.pkt);
      const copy = skb.copy(pkt);
      net.step(skb, 'L3', 'ip_mc_output', FILE, net.full ? `A broadcast from this host is for its own sockets too: a clone loops back (ip_mc_finish_output), and the packet leaves on ${dev.name}.` : '');
      net.step(copy, 'L3', 'ip_mc_output', FILE, 'The looped-back clone of the broadcast goes through POST_ROUTING to ip_mc_finish_output.');
      NF_HOOK(net, 'NF_INET_POST_ROUTING', copy, null, dev, () => ip_mc_finish_output(net, copy));
    }
    return nfHookRet(net, 'NF_INET_POST_ROUTING', skb, indev, dev, ip_finish_output);
  } finally {
    net.leave(call);
  }
}

/** ip_mc_finish_output: the clone gets a copy of the route on lo and goes to dev_loopback_xmit. */
function ip_mc_finish_output(net: Net, skb: SkBuff): void {
  const call = net.enter('ip_mc_finish_output');
  try {
    const rt = skb.dst!;
    // rt_dst_clone(net->loopback_dev, rt): the same route, now on lo, still delivering locally
    skb.dstSet(new Rtable(rt.type, net.lo, IP_LOCAL_DELIVER, rt.output, 0, rt.pmtu, 0, rt.saddr), skb.dstDaddr);
    dev_loopback_xmit(net, skb);
  } finally {
    net.leave(call);
  }
}

/** made only for a full trace: a closure would cost ip_output a context at every call */
function ipOutputWhat(dev: string): string {
  return `The packet will leave on ${dev}; the POST_ROUTING hook comes next.`;
}

/** ip_output: set the outgoing device, then POST_ROUTING. */
export function ip_output(net: Net, skb: SkBuff): number {
  const call = net.enter('ip_output');
  try {
    const dev = skb.dst!.dev;
    const indev = skb.dev;
    skb.dev = dev;
    skb.protocol = ETH_P_IP;
    net.step(skb, 'L3', 'ip_output', FILE, net.full ? net.say(ipOutputWhat, dev.name) : '');
    return nfHookRet(net, 'NF_INET_POST_ROUTING', skb, indev, dev, ip_finish_output);
  } finally {
    net.leave(call);
  }
}

export const IP_OUTPUT: DstOutput = { name: 'ip_output', fn: ip_output };
export const IP_MC_OUTPUT: DstOutput = { name: 'ip_mc_output', fn: ip_mc_output };

/** ip_finish_output → __ip_finish_output: fragment when the packet is larger than the MTU. */
function ip_finish_output(net: Net, skb: SkBuff): number {
  const call = net.enter('ip_finish_output');
  try {
    const inner = net.enter('__ip_finish_output');
    try {
      const rt = skb.dst!;
      const mtu = ipSkbDstMtu(net, skb);
      if (skb_is_gso(skb)) return ip_finish_output_gso(net, skb, mtu);
      if (skb.len > mtu || skb.cb.fragMaxSize) {
        net.step(skb, 'L3', '__ip_finish_output', FILE, net.full ? `The packet (${skb.len} bytes) is larger than the MTU ${mtu} of ${rt.dev.name}: ip_fragment.` : '');
        return ip_fragment(net, skb, mtu);
      }
      return ip_finish_output2(net, skb);
    } finally {
      net.leave(inner);
    }
  } finally {
    net.leave(call);
  }
}

/**
 * ip_finish_output_gso (v6.12): a GSO sk_buff whose segments fit the MTU leaves whole (the
 * device segments it, or a veth passes it on as it is), however long it is. Otherwise — a
 * forwarded GSO packet without DF that meets a smaller MTU — skb_gso_segment cuts it here into
 * its segments (the GSO sk_buff itself is consumed), and each goes through ip_fragment, which
 * fragments the ones still too long (and sends a segment that fits as the single "fragment"
 * ip_do_fragment makes of it). The first error is returned.
 */
function ip_finish_output_gso(net: Net, skb: SkBuff, mtu: number): number {
  const call = net.enter('ip_finish_output_gso');
  try {
    const seglen = skb_gso_network_seglen(skb);
    if (skb_gso_validate_network_len(skb, mtu)) {
      net.step(skb, 'L3', 'ip_finish_output_gso', FILE, net.full ? `A GSO packet (${skb.len} bytes, ${skb.gso_segs} segments of ${skb.gso_size} data bytes): each segment (${seglen} bytes) fits the MTU ${mtu}, so it goes on whole (skb_gso_validate_network_len).` : '');
      return ip_finish_output2(net, skb);
    }
    const segs = tcp_gso_segment(skb, skb.dst!.dev.llReservedSpace(), () => net.w.rec.newPacket(net.name, skb.pkt));
    net.step(skb, 'L3', 'ip_finish_output_gso', FILE, net.full ? `A GSO packet whose segments (${seglen} bytes) exceed the MTU ${mtu}: skb_gso_segment cuts it into ${segs.length} segments here, and each goes through ip_fragment.` : '');
    net.fate(skb, { kind: 'consumed', fn: 'ip_finish_output_gso', detail: `segmented into ${segs.length}` });
    let ret = 0;
    for (const seg of segs) {
      net.step(seg, 'L3', 'skb_gso_segment', 'net/core/gso.c', net.full ? `Segment of ${seg.len} bytes, cut from the GSO packet.` : '');
      const err = ip_fragment(net, seg, mtu);
      if (err && ret === 0) ret = err;
    }
    return ret;
  } finally {
    net.leave(call);
  }
}

/** ip_skb_dst_mtu: the route's MTU, or a path MTU learnt from ICMP fragmentation needed. */
export function ipSkbDstMtu(net: Net, skb: SkBuff): number {
  const rt = skb.dst!;
  const pmtu = rt.mtuLocked ? undefined : net.pmtu.get(skb.dstDaddr);
  return pmtu && pmtu < rt.mtu() ? pmtu : rt.mtu();
}

/** ip_fragment: DF forbids fragmenting (ICMP fragmentation needed); otherwise ip_do_fragment. */
function ip_fragment(net: Net, skb: SkBuff, mtu: number): number {
  const call = net.enter('ip_fragment');
  try {
    const iph = readIp(skb.buf, skb.network_header);
    if ((iph.fragOff & IP_DF) === 0) {
      return ip_do_fragment(net, skb, mtu, (frag) => ip_finish_output2(net, frag));
    }
    net.count(SNMP_IpFragFails);
    net.step(skb, 'L3', 'ip_fragment', FILE, net.full ? `DF is set, so the packet may not be fragmented: IpFragFails and ICMP fragmentation needed (mtu ${mtu}).` : '');
    icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    net.drop(skb, 'L3', 'ip_fragment', FILE, 'NOT_SPECIFIED', 'The packet that may not be fragmented is freed (-EMSGSIZE).', '-EMSGSIZE');
    return -EMSGSIZE;
  } finally {
    net.leave(call);
  }
}

/** ip_finish_output2's sentence, made by a full trace only: a closure in ip_finish_output2 would cost a context per packet. */
function nexthopWhat(nexthop: number, gateway: boolean, dev: string, grown: string): string {
  return `The next hop is ${numToIp(nexthop)}${gateway ? ' (the gateway)' : ' (on-link)'} on ${dev}; its neighbour entry gives the MAC address (IpOutTransmits).${grown}`;
}

/** ip_finish_output2: count OutTransmits, make room for the link header, hand to the neighbour. */
export function ip_finish_output2(net: Net, skb: SkBuff): number {
  const call = net.enter('ip_finish_output2');
  try {
    const rt = skb.dst!;
    const dev = rt.dev;
    if (rt.type === 'RTN_BROADCAST') {
      net.count(SNMP_IpExtOutBcastPkts);
      net.count(SNMP_IpExtOutBcastOctets, skb.len);
    }
    net.count(SNMP_IpOutTransmits);
    net.count(SNMP_IpExtOutOctets, skb.len);
    const hh = dev.llReservedSpace();
    let grown = '';
    if (skb.headroom() < hh) {
      const before = skb.headroom();
      skb.expandHead(hh - before);
      grown = ` The headroom (${before} bytes) is too small for the link header, so skb_expand_head reallocates the buffer.`;
    }
    const nexthop = rt.gateway || rd32(skb.buf, skb.network_header + 16);
    if (dev.isLoopback && rt.type === 'RTN_LOCAL') {
      // A packet to one of our own addresses goes through lo and comes back in.
      net.step(skb, 'L3', 'ip_finish_output2', FILE, net.full ? `The destination is this host: the packet goes out on lo (IpOutTransmits).${grown}` : '');
    } else {
      net.step(skb, 'L3', 'ip_finish_output2', FILE, net.full ? net.say(nexthopWhat, nexthop, !!rt.gateway, dev.name, grown) : '');
    }
    const n = ip_neigh_for_gw(net, dev, nexthop);
    sock_confirm_neigh(net, skb, n);
    return neigh_output(net, n, skb);
  } finally {
    net.leave(call);
  }
}

/**
 * sock_confirm_neigh (include/net/sock.h, v6.12): a packet sent with dst_pending_confirm (a TCP
 * segment after the peer showed it hears us) confirms the neighbour it goes to (neigh_confirm),
 * and the socket's request is met (sk_dst_pending_confirm cleared). An entry in NUD_DELAY then
 * goes back to NUD_REACHABLE at its timer without a unicast probe.
 */
function sock_confirm_neigh(net: Net, skb: SkBuff, n: Neighbour): void {
  if (!skb.dst_pending_confirm) return;
  const sk = skb.sk as { dstPendingConfirm?: boolean } | null;
  if (sk?.dstPendingConfirm) sk.dstPendingConfirm = false;
  neigh_confirm(net, n);
  net.step(skb, 'L2', 'sock_confirm_neigh', 'include/net/sock.h', net.full ? `The sending socket asked for its neighbour to be confirmed (TCP saw the peer answer): ${numToIp(n.key)}'s entry is confirmed now (neigh_confirm), so it stays usable without a probe.` : '');
}
