// net/ipv6/exthdrs.c (v6.12): the extension headers a host processes on the way in — hop-by-hop
// options (ipv6_parse_hopopts, only right after the IPv6 header, from ip6_rcv_core), destination
// options (ipv6_destopt_rcv) and the routing header (ipv6_rthdr_rcv) as inet6_protos handlers of
// ip6_protocol_deliver_rcu's loop, with the option walk (ip6_parse_tlv) they share. The Fragment
// header's handler is in reassembly.ts.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import { ICMPV6_HDR_FIELD, ICMPV6_PARAMPROB, ICMPV6_UNK_OPTION, IPV6_HLEN, NEXTHDR_DEST, NEXTHDR_FRAGMENT, NEXTHDR_ROUTING, isV6Multicast, readIpv6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { icmpv6_param_prob, ipv6_frag_rcv, type ExtResult } from './reassembly';
import { icmpv6_send } from './icmp';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6InAddrErrors = snmpId('Ip6InAddrErrors');
const SNMP_Ip6InHdrErrors = snmpId('Ip6InHdrErrors');

const FILE = 'net/ipv6/exthdrs.c';
/** IPV6_TLV_PAD1, IPV6_TLV_PADN (include/uapi/linux/in6.h) */
const PAD1 = 0;
const PADN = 1;
/** IPV6_TLV_ROUTERALERT */
const IPV6_TLV_ROUTERALERT = 0x05;
/** Options v6.12 acts on (router alert, jumbo payload, CALIPSO, IOAM; home address in destination options): the model refuses frames that carry them. */
export const KNOWN_HOP_OPTIONS: readonly number[] = [0x05, 0xc2, 0x07, 0x31];
export const KNOWN_DEST_OPTIONS: readonly number[] = [0xc9];
/** net.ipv6.max_hbh_opts_number, max_dst_opts_number, max_hbh_length, max_dst_opts_length (IP6_DEFAULT_MAX_*) */
const MAX_OPTS_CNT = 8;
const MAX_OPTS_LEN = 0x7fffffff;

/** An extension header's handler: the packet goes on (with the offset of the next-header byte to read), or it is gone. */
export type ExtHandler = (net: Net, skb: SkBuff, nhoff: number) => ExtResult | null;

/**
 * ip6_parse_tlv: Pad1 and PadN (at most 7 bytes of padding in a row, PadN all zeros), then each
 * other option by the two high bits of its type when it is not one the kernel knows: 00 skip,
 * 01 drop, 10 drop and parameter problem code 2, 11 the same unless the destination is multicast.
 */
function ip6_parse_tlv(net: Net, skb: SkBuff, hopbyhop: boolean, fn: string): boolean {
  const call = net.enter('ip6_parse_tlv');
  try {
    const nh = skb.network_header;
    const start = skb.transport_header;
    const b = skb.buf;
    let off = start + 2;
    let len = ((b[start + 1] + 1) << 3) - 2;
    let padlen = 0;
    let count = 0;
    const bad = (why: string): false => {
      net.drop(skb, 'L3', 'ip6_parse_tlv', FILE, 'IP_INHDR', net.full ? `${why}: the options are malformed and the packet is freed.` : '');
      return false;
    };
    while (len > 0) {
      if (b[off] === PAD1) {
        if (++padlen > 7) return bad('More than 7 bytes of padding in a row');
        off++;
        len--;
        continue;
      }
      if (len < 2) return bad('An option type without its length');
      const optlen = b[off + 1] + 2;
      if (optlen > len) return bad(`An option of ${optlen} bytes runs past its header`);
      if (b[off] === PADN) {
        padlen += optlen;
        if (padlen > 7) return bad('More than 7 bytes of padding in a row');
        for (let i = 2; i < optlen; i++) if (b[off + i] !== 0) return bad('A PadN option whose bytes are not all zero (RFC 4942 2.1.9.5)');
      } else {
        if (++count > MAX_OPTS_CNT) return bad(`More than ${MAX_OPTS_CNT} options (max_${hopbyhop ? 'hbh' : 'dst'}_opts_number)`);
        padlen = 0;
        const type = b[off];
        const action = type >> 6;
        const where = `option type 0x${type.toString(16)} at byte ${off - nh}`;
        if (hopbyhop && type === IPV6_TLV_ROUTERALERT) {
          // ipv6_hop_ra: IP6SKB_ROUTERALERT and its value for ip6_forward's ip6_call_ra_chain, which
          // hands the packet to IPV6_ROUTER_ALERT sockets (the model has none: it goes on as without)
          if (optlen !== 4) return bad(`A Router Alert option of ${optlen - 2} bytes (ipv6_hop_ra wants 2)`);
          net.step(skb, 'L3', 'ipv6_hop_ra', FILE, net.full ? `A Router Alert option (value ${(b[off + 2] << 8) | b[off + 3]}${b[off + 2] === 0 && b[off + 3] === 0 ? ': MLD' : ''}): marked for routers' Router Alert sockets; there are none, so it changes nothing here.` : '');
        } else if (action === 0) {
          net.step(skb, 'L3', 'ip6_parse_tlv', FILE, net.full ? `Unknown ${where}: its two high bits are 00, skip it.` : '');
        } else {
          // ip6_tlvopt_unknown frees the packet itself, or has icmpv6_param_prob_reason do it
          const optoff = off;
          net.call('ip6_tlvopt_unknown', () => {
            if (action === 1 || (action === 3 && isV6Multicast(readIpv6(b, nh).daddr))) {
              net.drop(skb, 'L3', 'ip6_tlvopt_unknown', FILE, 'UNHANDLED_PROTO', net.full ? `Unknown ${where}: its two high bits say discard the packet${action === 3 ? ' (and, to a multicast destination, send nothing)' : ' silently'}.` : '');
              return;
            }
            net.step(skb, 'L3', 'ip6_tlvopt_unknown', FILE, net.full ? `Unknown ${where}: its two high bits (${action === 2 ? '10' : '11'}) say discard and tell the sender: ICMPv6 parameter problem code 2 pointing at it.` : '');
            icmpv6_send(net, skb, ICMPV6_PARAMPROB, ICMPV6_UNK_OPTION, optoff - nh);
            net.drop(skb, 'L3', 'icmpv6_param_prob_reason', 'net/ipv6/icmp.c', 'UNHANDLED_PROTO', 'The packet with the unknown option is freed.');
          });
          return false;
        }
      }
      off += optlen;
      len -= optlen;
    }
    if (len !== 0) return bad('The options do not fill their header exactly');
    net.step(skb, 'L3', fn, FILE, net.full ? `The ${hopbyhop ? 'hop-by-hop' : 'destination'} options (${(b[start + 1] + 1) << 3} bytes) are all handled.` : '');
    return true;
  } finally {
    net.leave(call);
  }
}

/** The header's length from its second byte, and a check that all of it arrived (pskb_may_pull). */
function extLen(skb: SkBuff): number | null {
  const at = skb.transport_header - skb.data;
  if (!skb.mayPull(at + 8)) return null;
  const len = (skb.buf[skb.transport_header + 1] + 1) << 3;
  return skb.mayPull(at + len) ? len : null;
}

/**
 * ipv6_parse_hopopts, called by ip6_rcv_core when the IPv6 header's next header is 0. True: the
 * packet goes on with its transport header past the options and IP6CB nhoff at byte 40.
 * False: it was freed (the caller counts Ip6InHdrErrors).
 */
export function ipv6_parse_hopopts(net: Net, skb: SkBuff): boolean {
  const call = net.enter('ipv6_parse_hopopts');
  try {
    const len = extLen(skb);
    if (len === null || len > MAX_OPTS_LEN) {
      net.drop(skb, 'L3', 'ipv6_parse_hopopts', FILE, 'NOT_SPECIFIED', 'The hop-by-hop options header is cut short: the packet is freed.');
      return false;
    }
    if (!ip6_parse_tlv(net, skb, true, 'ipv6_parse_hopopts')) return false;
    skb.transport_header += len;
    skb.cb.nhoff = IPV6_HLEN;
    return true;
  } finally {
    net.leave(call);
  }
}

/** ipv6_destopt_rcv: the options, then on to what the header names. */
function ipv6_destopt_rcv(net: Net, skb: SkBuff): ExtResult | null {
  const call = net.enter('ipv6_destopt_rcv');
  try {
    const len = extLen(skb);
    if (len === null) {
      net.count(SNMP_Ip6InHdrErrors);
      net.drop(skb, 'L3', 'ipv6_destopt_rcv', FILE, 'NOT_SPECIFIED', 'The destination options header is cut short: the packet is freed (Ip6InHdrErrors).');
      return null;
    }
    const nhoff = skb.transport_header - skb.network_header;
    if (!ip6_parse_tlv(net, skb, false, 'ipv6_destopt_rcv')) {
      net.count(SNMP_Ip6InHdrErrors);
      return null;
    }
    skb.transport_header += len;
    return { skb, nhoff };
  } finally {
    net.leave(call);
  }
}

/**
 * ipv6_rthdr_rcv: a routing header with no segments left is passed over whatever its type; one
 * that still has segments left is honoured only for the types the kernel knows (2 with Mobile
 * IPv6, 3 and 4 with their sysctls): type 0 (deprecated by RFC 5095) and any unknown one get
 * parameter problem code 0 pointing at the type.
 */
function ipv6_rthdr_rcv(net: Net, skb: SkBuff): ExtResult | null {
  const call = net.enter('ipv6_rthdr_rcv');
  try {
    const len = extLen(skb);
    if (len === null) {
      net.count(SNMP_Ip6InHdrErrors);
      net.drop(skb, 'L3', 'ipv6_rthdr_rcv', FILE, 'NOT_SPECIFIED', 'The routing header is cut short: the packet is freed (Ip6InHdrErrors).');
      return null;
    }
    const th = skb.transport_header;
    const h = readIpv6(skb.buf, skb.network_header);
    if (isV6Multicast(h.daddr) || skb.pkt_type !== 'PACKET_HOST') {
      net.count(SNMP_Ip6InAddrErrors);
      net.drop(skb, 'L3', 'ipv6_rthdr_rcv', FILE, 'NOT_SPECIFIED', net.full ? `A routing header in a packet to ${formatIpv6(h.daddr)} (multicast, or not for this host's MAC): Ip6InAddrErrors.` : '');
      return null;
    }
    const type = skb.buf[th + 2];
    const left = skb.buf[th + 3];
    if (type === 3 || type === 4) throw new Error(`routing header type ${type} reached the model; the scenario grammar refuses it`);
    if (left === 0) {
      net.step(skb, 'L3', 'ipv6_rthdr_rcv', FILE, net.full ? `A routing header of type ${type} with no segments left: this host is its final destination, the header is passed over.` : '');
      const nhoff = th - skb.network_header;
      skb.transport_header += len;
      return { skb, nhoff };
    }
    icmpv6_param_prob(net, skb, ICMPV6_HDR_FIELD, th + 2 - skb.network_header, 'ipv6_rthdr_rcv', FILE, `A routing header of type ${type} with ${left} segment(s) left: ${type === 0 ? 'type 0 is deprecated (RFC 5095) and the kernel does not route it' : 'the kernel knows no such type'} (unknown_rh).`);
    return null;
  } finally {
    net.leave(call);
  }
}

/** The inet6_protos entries of the extension headers (frag_protocol, destopt_protocol, rthdr_protocol); hop-by-hop has none: after the first header it is an unknown next header. */
export const inet6_exthdrs: ReadonlyMap<number, { name: string; handler: ExtHandler }> = new Map<number, { name: string; handler: ExtHandler }>([
  [NEXTHDR_FRAGMENT, { name: 'ipv6_frag_rcv', handler: ipv6_frag_rcv }],
  [NEXTHDR_DEST, { name: 'ipv6_destopt_rcv', handler: (net, skb) => ipv6_destopt_rcv(net, skb) }],
  [NEXTHDR_ROUTING, { name: 'ipv6_rthdr_rcv', handler: (net, skb) => ipv6_rthdr_rcv(net, skb) }],
]);
