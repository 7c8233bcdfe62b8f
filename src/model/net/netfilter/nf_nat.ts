// NAT (net/netfilter/nf_nat_core.c, nf_nat_proto.c, nf_nat_masquerade.c, nf_nat_redirect.c).
// The first packet of a connection sets up a binding (nf_nat_setup_info): the connection's
// reply tuple is changed to what replies will look like after the rewrite. Every packet of the
// connection is then rewritten from the tuples alone (nf_nat_packet → nf_nat_ipv4_manip_pkt):
// the original direction towards the new addresses, the reply direction back. The binding is
// family-blind (InetAddr tuples); the IPv6 rewrite is nf_nat_proto_ipv6.ts.
import type { SkBuff } from '../core/skbuff';
import { rd16, rd32, wr16 } from '../../proto/addr';
import { csumFold, csumPartial } from '../../proto/checksum';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../proto/ipv4';
import { NEXTHDR_ICMP } from '../../proto/ipv6';
import { inet4, inet6, inetAddrEqual, type InetAddr } from '../../proto/inet_addr';
import { jhash, reciprocalScale } from './jhash';
import { csumReplace, hi16, lo16, setIpAddr } from './nf_pktinfo';
import { IPS_DST_NAT, IPS_DST_NAT_DONE, IPS_SRC_NAT, IPS_SRC_NAT_DONE, invertTuple, tupleKey, v4of, type NfConn, type Tuple } from './nf_conntrack';
import type { NfHookName } from '../../../trace/contract';

export const NAT_FILE = 'net/netfilter/nf_nat_core.c';
export const NAT_PROTO_FILE = 'net/netfilter/nf_nat_proto.c';

export type ManipType = 'SRC' | 'DST';

/** HOOK2MANIP: source NAT after routing (POST_ROUTING) and on LOCAL_IN, destination NAT before. */
export function hook2manip(hook: NfHookName): ManipType {
  return hook === 'NF_INET_POST_ROUTING' || hook === 'NF_INET_LOCAL_IN' ? 'SRC' : 'DST';
}

export function natInitialized(ct: NfConn, m: ManipType): boolean {
  return (ct.status & (m === 'SRC' ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE)) !== 0;
}

const hasPorts = (proto: number): boolean => proto === IPPROTO_TCP || proto === IPPROTO_UDP;

/**
 * nf_nat_setup_info with get_unique_tuple: the new original-direction tuple takes the range's
 * address (and port, when a range is given and the current one is outside it); if the
 * resulting reply tuple is already used by another connection, the next port is tried.
 * With `base` (NF_NAT_RANGE_PROTO_OFFSET, destination NAT only) the search starts at the port
 * as far into the range as the original port is past base (nf_nat_l4proto_unique_tuple's
 * `off`, a 16-bit difference, modulo the range's size), whether or not the original is in it.
 * Returns a description of the binding.
 */
export function nf_nat_setup_info(ct: NfConn, addr: InetAddr, ports: [number, number] | null, m: ManipType, taken: (reply: Tuple) => boolean, base?: number, range?: NatAddrRange): { before: Tuple; after: Tuple; drawn: boolean } {
  const curr = invertTuple(ct.tuple[1]);
  const t: Tuple = { ...curr };
  const wide = range?.max && !inetAddrEqual(range.max, addr) ? range.max : null;
  const key = m === 'SRC' ? 'sport' : 'dport';
  // get_unique_tuple 1): a source already in the range (address, and port if one was given) is kept if unused
  const keep = !!wide && m === 'SRC' && inAddrRange(curr.src, addr, wide) && (!ports || (curr[key] >= ports[0] && curr[key] <= ports[1])) && !taken(invertTuple(curr));
  if (keep) {
    /* the original tuple stays */
  } else if (wide) {
    const v = find_best_ips_proto(curr, addr, wide, !!range?.persistent);
    if (m === 'SRC') t.src = v;
    else t.dst = v;
  } else if (m === 'SRC') t.src = addr;
  else t.dst = addr;
  if (keep) {
    /* nothing to map */
  } else if (hasPorts(t.proto)) {
    let port = t[key];
    if (ports && base !== undefined) port = ports[0] + (((port - base) & 0xffff) % (ports[1] - ports[0] + 1));
    else if (ports && (port < ports[0] || port > ports[1])) port = ports[0];
    const lo = ports ? ports[0] : port;
    const hi = ports ? ports[1] : 65535;
    for (let tries = 0; tries < 65536; tries++) {
      t[key] = port;
      if (!taken(invertTuple(t))) break;
      port = port >= hi ? lo : port + 1;
    }
  } else if ((t.proto === IPPROTO_ICMP || t.proto === NEXTHDR_ICMP) && m === 'SRC') {
    // the echo id plays the role of the source port (icmp_unique_tuple, for ICMPv6 too)
    let id = t.sport;
    for (let tries = 0; tries < 65536 && taken(invertTuple({ ...t, sport: id })); tries++) id = (id + 1) & 0xffff;
    t.sport = id;
  }
  ct.tuple[1] = invertTuple(t);
  if (tupleKey(t) !== tupleKey(curr)) ct.status |= m === 'SRC' ? IPS_SRC_NAT : IPS_DST_NAT;
  ct.status |= m === 'SRC' ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
  // nf_nat_l4proto_unique_tuple (v6.12): when a source rewrite must move the port (or echo id),
  // out of the range or off a binding already taken, the search starts at get_random_u16()
  const drawn = m === 'SRC' && !keep && t.sport !== curr.sport;
  return { before: curr, after: t, drawn };
}

/** The rest of an nf_nat_range2's address part: the last address (min != max) and NF_NAT_RANGE_PERSISTENT. */
export interface NatAddrRange {
  max?: InetAddr;
  persistent?: boolean;
}

/** The u32 words of union nf_inet_addr: an IPv4 address is all[0], the rest zero. */
function addrWords(a: InetAddr): number[] {
  if (a.family === 'ipv4') return [a.v4 >>> 0, 0, 0, 0];
  return [0, 1, 2, 3].map((i) => rd32(a.v6, i * 4) >>> 0);
}

/** The 16 bytes of union nf_inet_addr, in memory order. */
function addrBytes(a: InetAddr): number[] {
  const w = addrWords(a);
  return w.flatMap((x) => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255]);
}

/** A word of the address as the CPU reads the __be32 in memory (little-endian on x86). */
const rawWord = (a: InetAddr, i: number): number => {
  const b = addrBytes(a);
  return (b[i * 4] | (b[i * 4 + 1] << 8) | (b[i * 4 + 2] << 16) | (b[i * 4 + 3] << 24)) >>> 0;
};

/** nf_in_range's address test: every word between the range's (compared as one big number). */
function inAddrRange(a: InetAddr, min: InetAddr, max: InetAddr): boolean {
  if (a.family !== min.family) return false;
  const cmp = (x: number[], y: number[]): number => {
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  };
  const w = addrWords(a);
  return cmp(w, addrWords(min)) >= 0 && cmp(w, addrWords(max)) <= 0;
}

/**
 * find_best_ips_proto (nf_nat_core.c, v6.12): the address of a range a connection gets. Not a
 * random draw: jhash2 of the original source address, seeded with the original destination's
 * last word (0 with `persistent`, so a client keeps one address whatever it talks to), scaled
 * word by word into the range (reciprocal_scale); once a word falls below the range's last,
 * the later words may take any value. Without `persistent` each word's destination is folded
 * into the hash before the next.
 */
export function find_best_ips_proto(orig: Tuple, min: InetAddr, max: InetAddr, persistent: boolean): InetAddr {
  const last = min.family === 'ipv4' ? 0 : 3;
  let j = jhash(addrBytes(orig.src), persistent ? 0 : rawWord(orig.dst, last));
  const lo = addrWords(min);
  const hi = addrWords(max);
  const out = [0, 0, 0, 0];
  let full = false;
  for (let i = 0; i <= last; i++) {
    const minip = full ? 0 : lo[i];
    const dist = full ? 0xffffffff : (hi[i] - lo[i] + 1) >>> 0;
    out[i] = (minip + reciprocalScale(j, dist)) >>> 0;
    if (out[i] !== hi[i]) full = true;
    if (!persistent) j = (j ^ rawWord(orig.dst, i)) >>> 0;
  }
  if (min.family === 'ipv4') return inet4(out[0]);
  const v6 = new Uint8Array(16);
  out.forEach((x, i) => v6.set([x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255], i * 4));
  return inet6(v6);
}

/** nf_nat_alloc_null_binding: no rule asked for NAT, so the connection keeps its addresses. */
export function nf_nat_null_binding(ct: NfConn, m: ManipType): void {
  ct.status |= m === 'SRC' ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
}

/** Which manipulation nf_nat_packet applies to a packet of direction `reply` at a hook of type `m`, if any. */
export function natTarget(ct: NfConn, m: ManipType, reply: boolean): Tuple | null {
  let bit = m === 'SRC' ? IPS_SRC_NAT : IPS_DST_NAT;
  if (reply) bit = bit === IPS_SRC_NAT ? IPS_DST_NAT : IPS_SRC_NAT;
  if (!(ct.status & bit)) return null;
  return invertTuple(ct.tuple[reply ? 0 : 1]);
}

/**
 * nf_nat_ipv4_manip_pkt: rewrite the source (SRC) or destination (DST) address and port of the
 * IPv4 header at `iphOff` to the target tuple's, updating the transport checksum (pseudo header
 * and port) and the IP header checksum incrementally. ICMP queries have their id rewritten.
 */
export function manipPkt(skb: SkBuff, iphOff: number, target: Tuple, m: ManipType): void {
  const b = skb.w();
  const ihl = (b[iphOff] & 15) * 4;
  const proto = b[iphOff + 9];
  const hdroff = iphOff + ihl;
  const avail = skb.tail - hdroff;
  const addrAt = iphOff + (m === 'SRC' ? 12 : 16);
  const oldAddr = rd32(b, addrAt);
  const newAddr = v4of(m === 'SRC' ? target.src : target.dst);
  const partial = iphOff === skb.network_header && skb.ip_summed === 'CHECKSUM_PARTIAL';
  if ((proto === IPPROTO_TCP || proto === IPPROTO_UDP) && avail >= 4) {
    const portAt = hdroff + (m === 'SRC' ? 0 : 2);
    const oldPort = rd16(b, portAt);
    const newPort = m === 'SRC' ? target.sport : target.dport;
    const field = proto === IPPROTO_TCP ? (avail >= 20 ? hdroff + 16 : -1) : avail >= 8 ? hdroff + 6 : -1;
    if (field >= 0) {
      const udp = proto === IPPROTO_UDP;
      csumReplace(b, field, [hi16(oldAddr), lo16(oldAddr)], [hi16(newAddr), lo16(newAddr)], { partial, pseudo: true, udp });
      csumReplace(b, field, [oldPort], [newPort], { partial, pseudo: false, udp });
    }
    wr16(b, portAt, newPort);
  } else if (proto === IPPROTO_ICMP && avail >= 8 && [0, 8, 13, 14, 15, 16, 17, 18].includes(b[hdroff])) {
    const oldId = rd16(b, hdroff + 4);
    csumReplace(b, hdroff + 2, [oldId], [target.sport]);
    wr16(b, hdroff + 4, target.sport);
  }
  setIpAddr(b, iphOff, m === 'SRC' ? 'src' : 'dst', newAddr);
}

/** The ICMP checksum over the whole message, recomputed after the quoted header changed. */
export function icmpRecsum(skb: SkBuff, icmpOff: number): void {
  const b = skb.w();
  wr16(b, icmpOff + 2, 0);
  wr16(b, icmpOff + 2, csumFold(csumPartial(b, icmpOff, skb.tail - icmpOff)));
}
