// ip6_fragment (net/ipv6/ip6_output.c, v6.12) and ipv6_select_ident (net/ipv6/output_core.c):
// only the source fragments an IPv6 packet. Each piece carries the unfragmentable part (the
// IPv6 header; a locally made packet has no extension headers before its upper layer), a
// Fragment header with the offset, M and one identification per datagram, and a multiple of 8
// data bytes (the last excepted).
import type { Net } from '../net_namespace';
import { allocSkb, copyFragMetadata, type SkBuff } from '../core/skbuff';
import { completePartialChecksum } from '../core/checksum_offload';
import { wr16, wr32 } from '../../proto/addr';
import { IPV6_HLEN, IPV6_MIN_MTU, NEXTHDR_DEST, NEXTHDR_FRAGMENT, NEXTHDR_HOP, NEXTHDR_ROUTING, ICMPV6_PKT_TOOBIG, readIpv6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { icmpv6_send } from './icmp';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6FragCreates = snmpId('Ip6FragCreates');
const SNMP_Ip6FragFails = snmpId('Ip6FragFails');
const SNMP_Ip6FragOKs = snmpId('Ip6FragOKs');

const FILE = 'net/ipv6/ip6_output.c';
/** sizeof(struct frag_hdr) */
export const FRAG_HDR_LEN = 8;
/** IP6_MF, and IP6_OFFSET: the offset bits of frag_off (include/net/ipv6.h) */
export const IP6_MF = 0x0001;
export const IP6_OFFSET = 0xfff8;
const EMSGSIZE = 90;

/**
 * ipv6_select_ident: v6.12 draws get_random_u32_above(0) for every datagram (a random, non-zero
 * id; the hash of the addresses it once used is gone). The model draws from its seeded random
 * source; the harness masks the field.
 */
export function ipv6_select_ident(net: Net): number {
  return (1 + net.randBelow(0xffffffff)) >>> 0;
}

/** The Fragment header (struct frag_hdr) at `at`: next header, reserved, offset | M, identification. */
export function writeFragHdr(b: Uint8Array, at: number, nexthdr: number, offset: number, more: boolean, id: number): void {
  b[at] = nexthdr;
  b[at + 1] = 0;
  wr16(b, at + 2, (offset & IP6_OFFSET) | (more ? IP6_MF : 0));
  wr32(b, at + 4, id >>> 0);
}

const IPV6_TLV_HAO = 0xc9;

/**
 * ip6_find_1stfragopt (net/ipv6/output_core.c): the unfragmentable part is the IPv6 header,
 * hop-by-hop and routing headers, and destination options before a routing header (or holding
 * a Home Address option, CONFIG_IPV6_MIP6). Its length and the offset of the next-header byte
 * the Fragment header goes behind; null for -EINVAL.
 */
export function ip6_find_1stfragopt(skb: SkBuff): { hlen: number; prevhdr: number } | null {
  const b = skb.buf;
  const nh = skb.network_header;
  const packetLen = skb.tail - nh;
  let offset = IPV6_HLEN;
  let prevhdr = 6;
  let foundRhdr = false;
  while (offset <= packetLen) {
    const next = b[nh + prevhdr];
    if (next === NEXTHDR_ROUTING) foundRhdr = true;
    else if (next === NEXTHDR_DEST) {
      if (!hasHao(b, nh + offset, nh + packetLen) && foundRhdr) return { hlen: offset, prevhdr };
    } else if (next !== NEXTHDR_HOP) return { hlen: offset, prevhdr };
    if (offset + 2 > packetLen) return null;
    prevhdr = offset;
    offset += (b[nh + offset + 1] + 1) * 8;
    if (offset > 65535) return null;
  }
  return null;
}

/** ipv6_find_tlv(skb, offset, IPV6_TLV_HAO) >= 0: a Home Address option among the header's TLVs. */
function hasHao(b: Uint8Array, at: number, tail: number): boolean {
  if (at + 2 > tail) return false;
  const end = Math.min(tail, at + (b[at + 1] + 1) * 8);
  for (let i = at + 2; i < end; ) {
    if (b[i] === 0) {
      i++;
      continue;
    }
    if (i + 1 >= end) return false;
    if (b[i] === IPV6_TLV_HAO) return true;
    i += b[i + 1] + 2;
  }
  return false;
}

/**
 * ip6_fragment for a packet this host made (skb->ignore_df: the socket does not force path MTU
 * discovery). Without ignore_df, or an MTU that leaves no room for 8 data bytes, the sender
 * gets Packet Too Big and -EMSGSIZE (fail_toobig). `output` is ip6_finish_output2.
 */
export function ip6_fragment(net: Net, skb: SkBuff, routeMtu: number, ignoreDf: boolean, output: (frag: SkBuff) => number): number {
  const call = net.enter('ip6_fragment');
  try {
    const nh = skb.network_header;
    const h = readIpv6(skb.buf, nh);
    // the unfragmentable part: only the IPv6 header in what the model sends, but a datagram
    // nf_defrag_ipv6 reassembled keeps the extension headers it arrived with
    const first = ip6_find_1stfragopt(skb);
    if (!first) {
      net.count(SNMP_Ip6FragFails);
      net.drop(skb, 'L3', 'ip6_fragment', FILE, 'NOT_SPECIFIED', 'ip6_find_1stfragopt finds no end to the extension headers: -EINVAL (Ip6FragFails).', '-EINVAL');
      return -22;
    }
    const { hlen, prevhdr } = first;
    const nexthdr = skb.buf[nh + prevhdr];
    const fail = (why: string, err: number, toobig: boolean): number => {
      net.step(skb, 'L3', 'ip6_fragment', FILE, why);
      if (toobig) icmpv6_send(net, skb, ICMPV6_PKT_TOOBIG, 0, routeMtu);
      net.count(SNMP_Ip6FragFails);
      net.drop(skb, 'L3', 'ip6_fragment', FILE, 'NOT_SPECIFIED', 'The packet that cannot be fragmented is freed (Ip6FragFails).', `-${err === EMSGSIZE ? 'EMSGSIZE' : err}`);
      return -err;
    };
    let mtu = routeMtu;
    if (!ignoreDf && skb.len > mtu) return fail(`The ${skb.len}-byte packet does not fit the MTU ${mtu}, and its socket forces path MTU discovery (no ignore_df): no fragmentation; Packet Too Big to the sender itself (fail_toobig).`, EMSGSIZE, true);
    const fragMax = skb.cb.fragMaxSize;
    if (fragMax) {
      if (fragMax > mtu) return fail(`The packet was reassembled from fragments up to ${fragMax} bytes, more than the MTU ${mtu}: Packet Too Big (fail_toobig).`, EMSGSIZE, true);
      mtu = Math.max(fragMax, IPV6_MIN_MTU);
    }
    if (mtu < hlen + FRAG_HDR_LEN + 8) return fail(`The MTU ${mtu} leaves no room for 8 data bytes after the headers: Packet Too Big (fail_toobig).`, EMSGSIZE, true);
    const room = mtu - hlen - FRAG_HDR_LEN;
    // a datagram conntrack's defrag reassembled keeps its fragments on its frag_list: when their
    // geometry fits (each at most `room` data bytes, all but the last a multiple of 8), v6.12's
    // fast path sends them on and nothing is freed; else the slow path copies them and
    // consume_skb frees the list with the datagram (skb_release_data, NOT_SPECIFIED)
    const list = skb.shinfo?.frag_list;
    if (list?.length) {
      const sizes = list.map((f) => f.skb.tail - f.skb.data);
      const headLen = skb.tail - nh - hlen - sizes.reduce((a, n) => a + n, 0);
      const fits = (n: number, last: boolean): boolean => n <= room && (last || (n & 7) === 0);
      if (fits(headLen, false) && sizes.every((n, i) => fits(n, i === sizes.length - 1))) list.length = 0;
    }
    const id = ipv6_select_ident(net);
    // skb_checksum_help: an offloaded checksum is completed over the whole datagram first
    if (skb.ip_summed === 'CHECKSUM_PARTIAL') completePartialChecksum(skb);
    const payload = skb.tail - nh - hlen;
    const sizes: number[] = [];
    // ip6_frag_next: as much as fits, cut to a multiple of 8 unless it is the rest
    for (let left = payload; left > 0; ) {
      let len = Math.min(left, room);
      if (len < left) len &= ~7;
      sizes.push(len);
      left -= len;
    }
    const count = sizes.length;
    net.step(
      skb,
      'L3',
      'ip6_fragment',
      FILE,
      net.full ? `The ${skb.len}-byte packet ${formatIpv6(h.saddr)} → ${formatIpv6(h.daddr)} does not fit the MTU ${mtu}: it is cut into ${count} fragments of at most ${room & ~7} data bytes, each behind a copy of the ${hlen}-byte IPv6 header and an 8-byte Fragment header with identification 0x${id.toString(16)} (ipv6_select_ident).` : '',
    );
    // the fast path: the pieces __ip6_append_data made, when they fit this MTU as they are
    const local = skb.cb.fragLocal ? skb.cb.fragList : undefined;
    const fast = !!local && local.length === sizes.length && local.every((n, i) => n === sizes[i]);
    let done = 0;
    let n = 0;
    const make = (len: number, done: number): SkBuff => {
      const pkt = net.w.rec.newPacket(net.name, skb.pkt);
      const f = allocSkb(skb.dst!.dev.llReservedSpace(), hlen + FRAG_HDR_LEN + len, pkt);
      const at = f.put(hlen + FRAG_HDR_LEN + len);
      const b = f.w();
      b.set(skb.buf.subarray(nh, nh + hlen), at);
      writeFragHdr(b, at + hlen, nexthdr, done, done + len < payload, id);
      b.set(skb.buf.subarray(nh + hlen + done, nh + hlen + done + len), at + hlen + FRAG_HDR_LEN);
      b[at + prevhdr] = NEXTHDR_FRAGMENT;
      wr16(b, at + 4, FRAG_HDR_LEN + len + hlen - IPV6_HLEN);
      f.network_header = at;
      f.transport_header = at + hlen;
      copyFragMetadata(f, skb);
      f.cb.fragList = undefined;
      f.cb.fragLocal = undefined;
      return f;
    };
    for (const len of sizes) {
      n++;
      const f = make(len, done);
      const more = done + len < payload;
      // the fast path (a frag_list from ip6_append_data, as a local sender's) sends the head
      // sk_buff itself as the first fragment, with its dst_pending_confirm
      if (n === 1) f.dst_pending_confirm = skb.dst_pending_confirm;
      net.step(f, 'L3', 'ip6_fragment', FILE, net.full ? `Fragment ${n} of ${count}: offset ${done}, ${len} data bytes, M ${more ? 'set' : 'clear'}; it goes down now and counts in Ip6FragCreates once sent.` : '');
      done += len;
      const err = output(f);
      if (err) {
        net.count(SNMP_Ip6FragFails);
        const rest = count - n;
        if (!fast) {
          net.drop(skb, 'L3', 'ip6_fragment', FILE, 'NOT_SPECIFIED', net.full ? `Fragment ${n} was refused on the way down: the packet is freed and its other ${rest} fragment(s) are never made (Ip6FragFails).` : '', String(err));
          return err;
        }
        // ip6_fraglist_prepare wrote the next piece's header before this one went down;
        // kfree_skb_list frees it with the rest of the frag_list (NOT_SPECIFIED)
        if (rest > 0) net.drop(make(sizes[n], done), 'L3', 'ip6_fragment', FILE, 'NOT_SPECIFIED', net.full ? `Fragment ${n} was refused on the way down: the ${rest} piece(s) still in the frag_list are freed unsent (kfree_skb_list), this one with the header ip6_fraglist_prepare had already given it (Ip6FragFails).` : '', String(err));
        else net.step(null, 'L3', 'ip6_fragment', FILE, 'The last fragment was refused on the way down (Ip6FragFails).', { ret: String(err) });
        net.fate(skb, { kind: 'consumed', fn: 'ip6_fragment', detail: `${n} of ${count} fragments sent` });
        return err;
      }
      net.count(SNMP_Ip6FragCreates);
    }
    net.count(SNMP_Ip6FragOKs);
    net.fate(skb, { kind: 'consumed', fn: 'ip6_fragment', detail: `cut into ${count} fragments` });
    return 0;
  } finally {
    net.leave(call);
  }
}
