// What netfilter reads from a packet (struct nft_pktinfo, include/net/netfilter/nf_tables.h and
// nft_set_pktinfo_ipv4 in include/net/netfilter/nf_tables_ipv4.h): the IPv4 header, the
// transport protocol and the offset of its header, and — for the first fragment or an
// unfragmented packet — the ports, TCP flags or ICMP type. Also the checksum helpers NAT uses
// to update checksums incrementally (inet_proto_csum_replace4/2 in net/core/utils.c, RFC 1624).
import type { SkBuff } from '../core/skbuff';
import type { NetDevice } from '../core/netdevice';
import type { NfHookName } from '../../../trace/contract';
import { rd16, rd32, wr16 } from '../../proto/addr';
import { csumFold } from '../../proto/checksum';
import { IP_OFFSET, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type IpHdr } from '../../proto/ipv4';
import type { Ipv6Hdr } from '../../proto/ipv6';

export interface PktInfo {
  skb: SkBuff;
  hook: NfHookName;
  indev: NetDevice | null;
  outdev: NetDevice | null;
  iph: IpHdr;
  /** offset of the transport header from skb.head */
  thoff: number;
  l4proto: number;
  /** a later fragment: no transport header to read (pkt->fragoff != 0) */
  fragoff: number;
  sport?: number;
  dport?: number;
  tcpFlags?: number;
  icmpType?: number;
  icmpCode?: number;
  /** ICMP echo id */
  icmpId?: number;
  /** the hook's family (nft_pf): absent for IPv4, whose hooks were the only ones before IPv6 */
  pf?: 'ipv4' | 'ipv6';
  /** the IPv6 header, for a packet on an IPv6 hook (its `iph` must not be read: nf_pktinfo_ipv6.ts) */
  ip6h?: Ipv6Hdr;
}

/**
 * The kernel's nft_pktinfo lives on the stack of the hook function that fills it
 * (nft_do_chain_ipv4, ipv4_conntrack_in): it is valid during that call only. Here it is one
 * object per nesting depth, filled anew each time (a hook can run inside a hook: a reject's
 * reply goes through LOCAL_OUT while the chain that sent it is still running). A frame then
 * costs no object per hook. `pktinfoDone` must be called when the hook's call returns, and
 * nothing may keep the object, or its `iph`, after that.
 */
const frames: PktInfo[] = [];
let depth = 0;

function blank(): PktInfo {
  const iph: IpHdr = { version: 0, ihl: 0, tos: 0, totLen: 0, id: 0, fragOff: 0, ttl: 0, protocol: 0, check: 0, saddr: 0, daddr: 0 };
  // every field set here, so that all of them have one shape
  return { skb: undefined as unknown as SkBuff, hook: 'NF_INET_PRE_ROUTING', indev: null, outdev: null, iph, thoff: 0, l4proto: 0, fragoff: 0, sport: undefined, dport: undefined, tcpFlags: undefined, icmpType: undefined, icmpCode: undefined, icmpId: undefined, pf: undefined, ip6h: undefined };
}

/** nft_set_pktinfo_ipv4 into this depth's object; its caller calls pktinfoDone when its hook returns. */
export function pktinfo(skb: SkBuff, hook: NfHookName, indev: NetDevice | null, outdev: NetDevice | null): PktInfo {
  const p = frames[depth] ?? (frames[depth] = blank());
  depth++;
  const nh = skb.network_header;
  const b = skb.buf;
  const iph = p.iph;
  readIpInto(b, nh, iph);
  const thoff = nh + iph.ihl * 4;
  const fragoff = (iph.fragOff & IP_OFFSET) * 8;
  p.skb = skb;
  p.hook = hook;
  p.indev = indev;
  p.outdev = outdev;
  p.thoff = thoff;
  p.l4proto = iph.protocol;
  p.fragoff = fragoff;
  p.sport = undefined;
  p.dport = undefined;
  p.tcpFlags = undefined;
  p.icmpType = undefined;
  p.icmpCode = undefined;
  p.icmpId = undefined;
  const avail = skb.tail - thoff;
  if (fragoff === 0) {
    if ((iph.protocol === IPPROTO_TCP && avail >= 14) || (iph.protocol === IPPROTO_UDP && avail >= 4)) {
      p.sport = rd16(b, thoff);
      p.dport = rd16(b, thoff + 2);
      if (iph.protocol === IPPROTO_TCP) p.tcpFlags = b[thoff + 13];
    } else if (iph.protocol === IPPROTO_ICMP && avail >= 8) {
      p.icmpType = b[thoff];
      p.icmpCode = b[thoff + 1];
      p.icmpId = rd16(b, thoff + 4);
    }
  }
  return p;
}

/** The hook that called pktinfo has returned: its object may be filled again. */
export function pktinfoDone(): void {
  depth--;
  // the skb is not kept alive by an idle object
  frames[depth].skb = undefined as unknown as SkBuff;
}

/** readIp into an existing header object (pktinfo's, reused) */
function readIpInto(b: Uint8Array, off: number, h: IpHdr): void {
  h.version = b[off] >> 4;
  h.ihl = b[off] & 15;
  h.tos = b[off + 1];
  h.totLen = rd16(b, off + 2);
  h.id = rd16(b, off + 4);
  h.fragOff = rd16(b, off + 6);
  h.ttl = b[off + 8];
  h.protocol = b[off + 9];
  h.check = rd16(b, off + 10);
  h.saddr = rd32(b, off + 12);
  h.daddr = rd32(b, off + 16);
}

/**
 * Replace 16-bit words `from` by `to` under the checksum at `field` (RFC 1624: HC' = ~(~HC + ~m + m')).
 * `partial`: the field holds only the pseudo-header sum of a CHECKSUM_PARTIAL skb (the device
 * finishes it), so only changes covered by the pseudo header are folded in, uncomplemented.
 */
export function csumReplace(b: Uint8Array, field: number, from: number[], to: number[], opts: { partial?: boolean; pseudo?: boolean; udp?: boolean } = {}): void {
  const cur = rd16(b, field);
  if (opts.udp && cur === 0 && !opts.partial) return; // UDP without a checksum stays so
  let sum = 0;
  for (const f of from) sum += ~f & 0xffff;
  for (const t of to) sum += t;
  if (opts.partial) {
    if (!opts.pseudo) return;
    wr16(b, field, ~csumFold(cur + sum) & 0xffff);
    return;
  }
  let v = csumFold((~cur & 0xffff) + sum);
  if (opts.udp && v === 0) v = 0xffff; // CSUM_MANGLED_0
  wr16(b, field, v);
}

export const hi16 = (a: number): number => (a >>> 16) & 0xffff;
export const lo16 = (a: number): number => a & 0xffff;

/** Change the source or destination address of the IPv4 header at `nh`, header checksum included. */
export function setIpAddr(b: Uint8Array, nh: number, which: 'src' | 'dst', addr: number): number {
  const at = nh + (which === 'src' ? 12 : 16);
  const old = rd32(b, at);
  if (old === addr) return old;
  b[at] = addr >>> 24;
  b[at + 1] = (addr >>> 16) & 255;
  b[at + 2] = (addr >>> 8) & 255;
  b[at + 3] = addr & 255;
  csumReplace(b, nh + 10, [hi16(old), lo16(old)], [hi16(addr), lo16(addr)]);
  return old;
}
