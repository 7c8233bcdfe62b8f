// nft_set_pktinfo_ipv6 (include/net/netfilter/nf_tables_ipv6.h, v6.12): what netfilter reads from
// a packet on an IPv6 hook. The transport protocol is found past the extension headers the way
// ipv6_find_hdr does with target -1 (net/ipv6/exthdrs_core.c): hop-by-hop, routing, destination
// options and fragment headers are skipped; a later fragment stops at its fragment header with
// fragoff set, so no port is read from it.
import type { SkBuff } from '../core/skbuff';
import type { NetDevice } from '../core/netdevice';
import type { NfHookName } from '../../../trace/contract';
import { NotModelled } from '../../sim/not_modelled';
import { rd16 } from '../../proto/addr';
import { IPV6_HLEN, NEXTHDR_DEST, NEXTHDR_FRAGMENT, NEXTHDR_HOP, NEXTHDR_ICMP, NEXTHDR_ROUTING, NEXTHDR_TCP, NEXTHDR_UDP, readIpv6 } from '../../proto/ipv6';
import type { PktInfo } from './nf_pktinfo';

/** ipv6_find_hdr(skb, &thoff, -1, &fragoff, …): the upper-layer protocol, its offset and the fragment offset. */
export function findHdr(b: Uint8Array, nh: number, tail: number): { proto: number; thoff: number; fragoff: number; frag: boolean } {
  let proto = b[nh + 6];
  let off = nh + IPV6_HLEN;
  let fragoff = 0;
  let frag = false;
  for (;;) {
    if (proto === NEXTHDR_HOP || proto === NEXTHDR_ROUTING || proto === NEXTHDR_DEST) {
      if (off + 2 > tail) break;
      const next = b[off];
      off += (b[off + 1] + 1) * 8;
      proto = next;
      continue;
    }
    if (proto === NEXTHDR_FRAGMENT) {
      if (off + 8 > tail) break;
      const next = b[off];
      fragoff = rd16(b, off + 2) & 0xfff8;
      frag = true;
      off += 8;
      proto = next;
      if (fragoff) break;
      continue;
    }
    break;
  }
  return { proto, thoff: off, fragoff, frag };
}

export function pktinfo6(skb: SkBuff, hook: NfHookName, indev: NetDevice | null, outdev: NetDevice | null): PktInfo {
  const b = skb.buf;
  const nh = skb.network_header;
  const ip6h = readIpv6(b, nh);
  const { proto, thoff, fragoff } = findHdr(b, nh, skb.tail);
  const p = { skb, hook, indev, outdev, pf: 'ipv6', ip6h, thoff, l4proto: proto, fragoff } as Omit<PktInfo, 'iph'> as PktInfo;
  // an IPv4 expression must never run on an IPv6 packet: nf_tables.ts breaks a rule at an
  // expression of the other family (the dependency nft adds), so reaching this is a model bug
  Object.defineProperty(p, 'iph', {
    get(): never {
      throw new NotModelled('an IPv4 header expression ran on an IPv6 packet');
    },
  });
  const avail = skb.tail - thoff;
  if (fragoff === 0) {
    if ((proto === NEXTHDR_TCP && avail >= 14) || (proto === NEXTHDR_UDP && avail >= 4)) {
      p.sport = rd16(b, thoff);
      p.dport = rd16(b, thoff + 2);
      if (proto === NEXTHDR_TCP) p.tcpFlags = b[thoff + 13];
    } else if (proto === NEXTHDR_ICMP && avail >= 8) {
      p.icmpType = b[thoff];
      p.icmpCode = b[thoff + 1];
      p.icmpId = rd16(b, thoff + 4);
    }
  }
  return p;
}
