// net/ipv6/reassembly.c (v6.12): ipv6_frag_rcv, the inet6_protos handler of the Fragment header
// — the queue lookup (fq_find), placing a fragment (ip6_frag_queue), joining the datagram
// (ip6_frag_reasm) and the timeout (ip6_frag_expire → ip6frag_expire_frag_queue,
// include/net/ipv6_frag.h). The queue itself (find, insert with RFC 5722 overlap handling, kill,
// purge) is the protocol-independent inet_frag code IPv4 uses too.
import type { Net } from '../net_namespace';
import { allocSkb, type SkBuff } from '../core/skbuff';
import type { FragQueue } from '../ipv4/ip_fragment_types';
import { inet_frag_destroy, inet_frag_find, inet_frag_kill, inet_frag_queue_insert } from '../ipv4/inet_fragment';
import { REASM_CLONE, reasmFragList } from '../ipv4/ip_fragment';
import { rd16, rd32, wr16 } from '../../proto/addr';
import { ICMPV6_EXC_FRAGTIME, ICMPV6_HDR_FIELD, ICMPV6_HDR_INCOMP, ICMPV6_PARAMPROB, ICMPV6_TIME_EXCEED, IPV6_HLEN, NEXTHDR_ICMP, NEXTHDR_TCP, NEXTHDR_UDP, isV6LinkLocal, isV6Multicast, readIpv6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { icmpv6_send } from './icmp';
import { FRAG_HDR_LEN, IP6_MF, IP6_OFFSET } from './ip6_fragment';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6InHdrErrors = snmpId('Ip6InHdrErrors');
const SNMP_Ip6ReasmFails = snmpId('Ip6ReasmFails');
const SNMP_Ip6ReasmOKs = snmpId('Ip6ReasmOKs');
const SNMP_Ip6ReasmReqds = snmpId('Ip6ReasmReqds');
const SNMP_Ip6ReasmTimeout = snmpId('Ip6ReasmTimeout');

export const REASSEMBLY_FILE = 'net/ipv6/reassembly.c';
const FILE = REASSEMBLY_FILE;
/** IPV6_MAXPLEN: the largest payload_len (no jumbograms) */
const IPV6_MAXPLEN = 65535;
/** IP6SKB_FRAGMENTED (include/linux/ipv6.h): the packet went through ipv6_frag_rcv once */
export const IP6SKB_FRAGMENTED = 16;

/** Where the protocol loop goes on: the packet (the same, or the datagram reassembled) and the offset of the next-header byte to read. */
export interface ExtResult {
  skb: SkBuff;
  nhoff: number;
}

/** icmpv6_param_prob: the error goes back (icmp6_send), then the packet is freed. */
export function icmpv6_param_prob(net: Net, skb: SkBuff, code: number, pos: number, fn: string, file: string, why: string): void {
  net.count(SNMP_Ip6InHdrErrors);
  net.step(skb, 'L3', fn, file, net.full ? `${why} Ip6InHdrErrors, and the sender gets ICMPv6 parameter problem code ${code}, pointer ${pos}.` : '');
  icmpv6_send(net, skb, ICMPV6_PARAMPROB, code, pos);
  net.drop(skb, 'L3', 'icmpv6_param_prob_reason', 'net/ipv6/icmp.c', 'NOT_SPECIFIED', 'The packet the parameter problem is about is freed.');
}

/**
 * ipv6_frag_rcv. `skb.data` is at the Fragment header; `nhoff` is the offset (from the network
 * header) of the byte that named it. An atomic fragment (offset 0, M clear) goes on as it is; a
 * fragment joins its queue and, when it completes the datagram, the datagram goes on.
 */
export function ipv6_frag_rcv(net: Net, skb: SkBuff, nhoff: number): ExtResult | null {
  const call = net.enter('ipv6_frag_rcv');
  try {
    const nh = skb.network_header;
    const fh = skb.data;
    const fhOff = fh - nh;
    if ((skb.cb.ipFlags ?? 0) & IP6SKB_FRAGMENTED) {
      icmpv6_param_prob(net, skb, ICMPV6_HDR_FIELD, fhOff, 'ipv6_frag_rcv', FILE, 'A second Fragment header in a packet already reassembled (IP6SKB_FRAGMENTED).');
      return null;
    }
    net.count(SNMP_Ip6ReasmReqds);
    const h = readIpv6(skb.buf, nh);
    if (h.payloadLen === 0 || !skb.mayPull(FRAG_HDR_LEN)) {
      icmpv6_param_prob(net, skb, ICMPV6_HDR_FIELD, fhOff, 'ipv6_frag_rcv', FILE, h.payloadLen === 0 ? 'payload_len 0 (a jumbogram) may not carry a Fragment header.' : 'The Fragment header is cut short.');
      return null;
    }
    const fragOff = rd16(skb.buf, fh + 2);
    const id = rd32(skb.buf, fh + 4);
    if (!(fragOff & (IP6_OFFSET | IP6_MF))) {
      skb.transport_header = fh + FRAG_HDR_LEN;
      net.count(SNMP_Ip6ReasmOKs);
      skb.cb.ipFlags = (skb.cb.ipFlags ?? 0) | IP6SKB_FRAGMENTED;
      skb.cb.fragMaxSize = h.payloadLen + IPV6_HLEN;
      net.step(skb, 'L3', 'ipv6_frag_rcv', FILE, net.full ? `An atomic fragment (offset 0, M clear, identification 0x${id.toString(16)}): there is nothing to reassemble, the packet goes on past the Fragment header (Ip6ReasmReqds, Ip6ReasmOKs).` : '');
      skb.pull(FRAG_HDR_LEN);
      return { skb, nhoff: fhOff };
    }
    // ipv6frag_thdr_truncated: a first fragment must hold the whole upper-layer header (RFC 8200 4.5)
    if ((fragOff & IP6_OFFSET) === 0) {
      const up = skb.buf[fh];
      const need = FRAG_HDR_LEN + (up === NEXTHDR_TCP ? 20 : up === NEXTHDR_UDP || up === NEXTHDR_ICMP ? 8 : 1);
      if (need > skb.len) {
        icmpv6_param_prob(net, skb, ICMPV6_HDR_INCOMP, 0, 'ipv6_frag_rcv', FILE, `The first fragment stops before the end of its next header ${up} (${skb.len - FRAG_HDR_LEN} bytes after the Fragment header).`);
        return null;
      }
    }
    const iif = skb.dev?.ifindex ?? 0;
    const keyIif = frag6KeyIif(h.daddr, iif);
    const key = frag6Key(h.saddr, h.daddr, id, 'IP6_DEFRAG_LOCAL_DELIVER', keyIif);
    const q = net.call('fq_find', () => inet_frag_find(net, key, 'IP6_DEFRAG_LOCAL_DELIVER', skb.pkt, (x) => ip6frag_expire_frag_queue(net, x, 'ip6_frag_expire', FILE), net.ipv6.frags));
    if (!q) {
      const high = net.get('net.ipv6.ip6frag_high_thresh');
      net.count(SNMP_Ip6ReasmFails);
      net.drop(skb, 'L3', 'ipv6_frag_rcv', FILE, 'NOT_SPECIFIED', high ? `Fragment memory (${net.ipv6.frags.mem} bytes) is over ip6frag_high_thresh ${high}: fq_find gives no queue (Ip6ReasmFails).` : 'ip6frag_high_thresh is 0: reassembly is off, every fragment is refused (Ip6ReasmFails).');
      return null;
    }
    q.iif = iif;
    const r = ip6_frag_queue(net, q, skb, fragOff, id, nhoff);
    // inet_frag_putn: a queue killed here (complete, corrupt or overlapping) is destroyed now
    if (q.complete) inet_frag_destroy(net, q, false);
    if (r && 'prob' in r) {
      icmpv6_param_prob(net, skb, ICMPV6_HDR_FIELD, r.prob, 'ipv6_frag_rcv', FILE, r.why);
      return null;
    }
    return r;
  } finally {
    net.leave(call);
  }
}

type QueueResult = ExtResult | { prob: number; why: string } | null;

function ip6_frag_queue(net: Net, q: FragQueue, skb: SkBuff, fragOff: number, id: number, nhoff: number): QueueResult {
  const call = net.enter('ip6_frag_queue');
  try {
    const nh = skb.network_header;
    const fh = skb.data;
    const h = readIpv6(skb.buf, nh);
    const discard = (what: string): null => {
      inet_frag_kill(net, q);
      net.count(SNMP_Ip6ReasmFails);
      net.drop(skb, 'L3', 'ip6_frag_queue', FILE, 'NOT_SPECIFIED', net.full ? `${what} The queue is killed (Ip6ReasmFails).` : '');
      return null;
    };
    const at = frag6_place(q, skb, fh, fragOff);
    if (at.kind === 'toolarge') return { prob: fh + 2 - nh, why: at.why };
    // RFC 8200: every fragment but the last carries a multiple of 8 bytes; unlike IPv4 the
    // sender is told (parameter problem pointing at payload_len)
    if (at.kind === 'unaligned') return { prob: 4, why: at.why };
    if (at.kind !== 'ok') return discard(at.why);
    const { offset, end, more } = at;
    skb.pull(FRAG_HDR_LEN);
    skb.trim(end - offset);
    const ins = frag6_insert(q, skb, offset, end, nhoff);
    if (ins === 'IPFRAG_DUP') {
      net.drop(skb, 'L3', 'ip6_frag_queue', FILE, 'DUP_FRAG', net.full ? `Bytes ${offset}..${end} are already queued: an exact duplicate is dropped alone, the queue waits on (no Ip6ReasmFails).` : '');
      return null;
    }
    // IPSTATS_MIB_REASM_OVERLAPS is counted too, but /proc/net/snmp6 does not list it
    if (ins === 'IPFRAG_OVERLAP') return discard(`Bytes ${offset}..${end} overlap what is queued without being a duplicate: IPv6 throws the whole datagram away (RFC 5722).`);
    if (q.firstIn && q.lastIn && q.meat === q.len) return ip6_frag_reasm(net, q, skb);
    skb.dst = null;
    net.step(skb, 'L3', 'ip6_frag_queue', FILE, net.full ? `Fragment at offset ${offset} (${end - offset} bytes${more ? ', M' : ', the last'}) waits in the reassembly queue of ${formatIpv6(h.saddr)} → ${formatIpv6(h.daddr)} identification 0x${id.toString(16)}: ${q.meat} of ${q.lastIn ? q.len : '?'} bytes so far (Ip6ReasmReqds).` : '');
    net.fate(skb, { kind: 'consumed', fn: 'ip6_frag_queue', detail: 'queued for reassembly' });
    return null;
  } finally {
    net.leave(call);
  }
}

/** Where a fragment goes in its queue, as ip6_frag_queue and nf_ct_frag6_queue both judge it (they differ in what they do about a bad one). */
export type Frag6Place = { kind: 'ok'; offset: number; end: number; more: boolean } | { kind: 'toolarge' | 'unaligned' | 'corrupt' | 'empty'; why: string };

/**
 * The checks both IPv6 queues make before inserting (v6.12 ip6_frag_queue, nf_ct_frag6_queue):
 * the end within 65535, a last fragment consistent with what was seen (it sets the length), a
 * fragment with M a multiple of 8, some data. `fh` is the Fragment header's position.
 */
export function frag6_place(q: FragQueue, skb: SkBuff, fh: number, fragOff: number): Frag6Place {
  const nh = skb.network_header;
  const h = readIpv6(skb.buf, nh);
  const offset = fragOff & IP6_OFFSET;
  const more = (fragOff & IP6_MF) !== 0;
  const end = offset + (h.payloadLen - (fh + FRAG_HDR_LEN - (nh + IPV6_HLEN)));
  if (end > IPV6_MAXPLEN) return { kind: 'toolarge', why: `The fragment would end at byte ${end}, past the largest payload (65535).` };
  if (!more) {
    if (end < q.len || (q.lastIn && end !== q.len)) return { kind: 'corrupt', why: `The last fragment ends at ${end}, but ${q.lastIn ? `a last fragment already ended the datagram at ${q.len}` : `data up to ${q.len} was seen`}: the datagram is corrupt.` };
    q.lastIn = true;
    q.len = end;
  } else {
    if (end & 7) return { kind: 'unaligned', why: `A fragment with M set ends at ${end}, not a multiple of 8.` };
    if (end > q.len) {
      if (q.lastIn) return { kind: 'corrupt', why: `This fragment reaches ${end}, beyond the datagram's end ${q.len} that the last fragment gave.` };
      q.len = end;
    }
  }
  if (end === offset) return { kind: 'empty', why: `This fragment carries no data (offset ${offset}).` };
  return { kind: 'ok', offset, end, more };
}

/**
 * inet_frag_queue_insert and the bookkeeping after it that both IPv6 queues share: the arrival
 * device, the bytes, the ECN bits, the memory, the largest fragment (frag_max_size), and the
 * first fragment's nhoffset. `skb.data` is at the fragment's data, trimmed to it.
 */
export function frag6_insert(q: FragQueue, skb: SkBuff, offset: number, end: number, nhoff: number): 'IPFRAG_OK' | 'IPFRAG_DUP' | 'IPFRAG_OVERLAP' {
  const nh = skb.network_header;
  const h = readIpv6(skb.buf, nh);
  const ins = inet_frag_queue_insert(q, skb, offset, end);
  if (ins !== 'IPFRAG_OK') return ins;
  if (skb.dev) q.iif = skb.dev.ifindex;
  q.meat += end - offset;
  q.ecn = (q.ecn ?? 0) | (1 << (h.tclass & 3));
  const truesize = skb.truesize();
  q.mem += truesize;
  q.dir!.mem += truesize;
  q.maxSize = Math.max(q.maxSize, skb.tail - nh);
  if (offset === 0) {
    q.nhoffset = nhoff;
    q.firstIn = true;
  }
  return ins;
}

/** fq_find's key (struct frag_v6_compare_key): addresses, identification, the defrag user, and the arrival interface for multicast and link-local destinations only. */
export function frag6Key(saddr: Uint8Array, daddr: Uint8Array, id: number, user: string, iif: number): string {
  return `${formatIpv6(saddr)} ${formatIpv6(daddr)} ${id} ${user} ${iif}`;
}

export function frag6KeyIif(daddr: Uint8Array, iif: number): number {
  return isV6Multicast(daddr) || isV6LinkLocal(daddr) ? iif : 0;
}

/** ip_frag_ecn_table: a not-ECT fragment mixed with ECN-capable ones is invalid; CE on any marks the whole. */
function ecnOf(bits: number): number | null {
  if (bits & 1 && bits & 0xe) return null;
  return bits & 8 ? 3 : 0;
}

/**
 * ip6_frag_reasm: the first fragment's unfragmentable part (the IPv6 header and any extension
 * headers before the Fragment header), the Fragment header removed (the byte that named it now
 * names what it named), and the data of every fragment in order.
 */
function ip6_frag_reasm(net: Net, q: FragQueue, last: SkBuff): ExtResult | null {
  const call = net.enter('ip6_frag_reasm');
  try {
    const r = frag6_join(net, q, last, 'ip6_frag_reasm', 'coalesce');
    if ('why' in r) {
      net.count(SNMP_Ip6ReasmFails);
      net.step(last, 'L3', 'ip6_frag_reasm', FILE, net.full ? `${r.why} Reassembly fails (Ip6ReasmFails).` : '');
      return null;
    }
    const { whole, nhoff, n } = r;
    whole.pull(whole.transport_header - whole.network_header);
    net.count(SNMP_Ip6ReasmOKs);
    net.step(whole, 'L3', 'ip6_frag_reasm', FILE, net.full ? `The last missing fragment arrived: ${n} fragments are joined into one packet of ${whole.tail - whole.network_header} bytes (payload_len ${whole.tail - whole.network_header - IPV6_HLEN}); the Fragment header is gone and next header ${whole.buf[whole.network_header + nhoff]} follows (Ip6ReasmOKs). frag_max_size ${q.maxSize} is remembered in IP6CB.` : '');
    return { skb: whole, nhoff };
  } finally {
    net.leave(call);
  }
}

/**
 * The join both IPv6 reassemblers make once every byte is queued (ip6_frag_reasm,
 * nf_ct_frag6_reasm, v6.12): the queue is killed; mixed ECN or a payload over 65535 fail;
 * otherwise a new packet holds the unfragmentable part and the data, the Fragment header gone,
 * with `data` at the network header, IP6SKB_FRAGMENTED and frag_max_size (the IPv6 header and
 * the largest fragment's payload) in its IP6CB. The fragments are consumed into it.
 * The fragments that are not merged into the head stay chained on its frag_list and are freed
 * with it (skb_release_data): ip6_frag_reasm merges what fits the head's tailroom (`coalesce`,
 * inet_frag_reasm_finish's try_coalesce), conntrack's defrag chains every one (`chain`).
 */
export function frag6_join(net: Net, q: FragQueue, last: SkBuff, fn: string, list: 'coalesce' | 'chain'): { whole: SkBuff; nhoff: number; n: number } | { why: string } {
  inet_frag_kill(net, q);
  const ecn = ecnOf(q.ecn ?? 0);
  if (ecn === null) return { why: 'Some fragments were ECN-capable and some not (ip_frag_ecn_table: invalid).' };
  const head = q.frags[0].skb;
  const nh = head.network_header;
  const unfrag = head.data - FRAG_HDR_LEN - nh;
  const payloadLen = unfrag - IPV6_HLEN + q.len;
  if (payloadLen > IPV6_MAXPLEN) return { why: `The fragments add up to a payload of ${payloadLen} bytes, more than 65535.` };
  const total = unfrag + q.len;
  const pkt = net.w.rec.newPacket(net.name, q.firstPkt);
  const whole = allocSkb(nh, total, pkt);
  const at = whole.put(total);
  const b = whole.w();
  b.set(head.buf.subarray(nh, nh + unfrag), at);
  const nhoff = q.nhoffset ?? 6;
  b[at + nhoff] = head.buf[head.data - FRAG_HDR_LEN];
  for (const f of q.frags) b.set(f.skb.buf.subarray(f.skb.data, f.skb.data + (f.end - f.offset)), at + unfrag + f.offset);
  wr16(b, at + 4, payloadLen);
  if (ecn) b[at + 1] |= ecn << 4;
  whole.network_header = at;
  whole.transport_header = at + unfrag;
  whole.dst = last.dst;
  whole.dev = last.dev;
  whole.skb_iif = last.skb_iif;
  whole.protocol = last.protocol;
  whole.pkt_type = last.pkt_type;
  whole.mark = last.mark;
  whole.cb = { ...last.cb, ipFlags: (last.cb.ipFlags ?? 0) | IP6SKB_FRAGMENTED, fragMaxSize: q.maxSize };
  // inet_frag_reasm_finish (v6.12): try_coalesce for ip6_frag_reasm, not for conntrack's defrag
  whole.shinfo = reasmFragList(q, last, list === 'coalesce');
  for (const f of q.frags) {
    // inet_frag_reasm_prepare: a fragment other than the first that completes the datagram
    // becomes the head itself (skb_morph); a clone of it takes its place in the list
    const clone = f.skb === last && f !== q.frags[0];
    net.fate(f.skb, { kind: 'consumed', fn, detail: clone ? `merged into packet ${pkt}: ${REASM_CLONE}` : `merged into packet ${pkt}` });
    q.mem -= f.skb.truesize();
    q.dir!.mem -= f.skb.truesize();
  }
  const n = q.frags.length;
  q.frags = [];
  return { whole, nhoff, n };
}

/**
 * ip6frag_expire_frag_queue (include/net/ipv6_frag.h), the timer of both IPv6 fqdirs
 * (ip6_frag_expire, nf_ct_frag6_expire): the queue's timeout sysctl ran out. Ip6ReasmFails and
 * Ip6ReasmTimeout count against the device of the last fragment; with the first fragment there
 * the sender gets ICMPv6 time exceeded code 1, about that fragment, which is then freed. The
 * rest go with the queue (FRAG_REASM_TIMEOUT).
 */
export function ip6frag_expire_frag_queue(net: Net, q: FragQueue, fn: string, file: string): void {
  if (q.complete) return;
  net.w.rec.fresh(() =>
    net.call(fn, () => {
      inet_frag_kill(net, q);
      const dir = q.dir ?? net.ipv6.frags;
      const sysctl = dir.timeout.replace(/^.*\./, '');
      const t = net.get(dir.timeout);
      const dev = net.devByIndex(q.iif);
      if (!dev) {
        net.step(null, 'L3', fn, file, net.full ? `Reassembly timed out after ${sysctl} ${t} s; the device the fragments came in on is gone: nothing is counted.` : '');
      } else {
        net.count(SNMP_Ip6ReasmFails);
        net.count(SNMP_Ip6ReasmTimeout);
        const head = q.firstIn ? q.frags.shift()?.skb : undefined;
        if (!head) {
          net.step(null, 'L3', fn, file, net.full ? `Reassembly timed out after ${sysctl} ${t} s without the first fragment: the queue is dropped silently (Ip6ReasmTimeout, Ip6ReasmFails).` : '');
        } else {
          // inet_frag_pull_head: the first fragment leaves the queue with its memory
          q.mem -= head.truesize();
          dir.mem -= head.truesize();
          head.dev = dev;
          net.step(head, 'L3', fn, file, net.full ? `Reassembly of ${q.meat} bytes timed out after ${sysctl} ${t} s (Ip6ReasmTimeout, Ip6ReasmFails); the first fragment is here, so the sender gets ICMPv6 time exceeded (fragment reassembly time exceeded).` : '');
          icmpv6_send(net, head, ICMPV6_TIME_EXCEED, ICMPV6_EXC_FRAGTIME, 0);
          net.drop(head, 'L3', fn, file, 'FRAG_REASM_TIMEOUT', 'The first fragment is freed.');
        }
      }
      inet_frag_destroy(net, q, true);
    }),
  );
}
