// Fragmentation (ip_do_fragment, net/ipv4/ip_output.c) and reassembly (ip_defrag,
// net/ipv4/ip_fragment.c, with the inet_frag queue of net/ipv4/inet_fragment.c), Linux v6.12:
// the memory bound (ipfrag_high_thresh) and the timeout (ipfrag_time) run in simulated time.
import { completePartialChecksum } from '../core/checksum_offload';
import type { Net } from '../net_namespace';
import type { DefragUser, FragQueue } from './ip_fragment_types';
import { allocSkb, copyFragMetadata, IPSKB_FRAG_PMTU, type SharedInfo, type SkBuff } from '../core/skbuff';
import { numToIp, wr16 } from '../../proto/addr';
import { IP_DF, IP_MF, IP_OFFSET, ipSendCheck, readIp } from '../../proto/ipv4';
import { ICMP_EXC_FRAGTIME, ICMP_TIME_EXCEEDED } from '../../proto/icmp';
import { icmp_send } from './icmp';
import { ip_route_input_noref } from './route';
import { ip_options_fragment } from './ip_options';
import { inet_frag_destroy, inet_frag_find, inet_frag_kill, inet_frag_queue_insert } from './inet_fragment';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_IpExtReasmOverlaps = snmpId('IpExtReasmOverlaps');
const SNMP_IpFragCreates = snmpId('IpFragCreates');
const SNMP_IpFragFails = snmpId('IpFragFails');
const SNMP_IpFragOKs = snmpId('IpFragOKs');
const SNMP_IpReasmFails = snmpId('IpReasmFails');
const SNMP_IpReasmOKs = snmpId('IpReasmOKs');
const SNMP_IpReasmReqds = snmpId('IpReasmReqds');
const SNMP_IpReasmTimeout = snmpId('IpReasmTimeout');

export type { DefragUser } from './ip_fragment_types';

const OUT_FILE = 'net/ipv4/ip_output.c';
const FRAG_FILE = 'net/ipv4/ip_fragment.c';

/**
 * ip_do_fragment: cut the datagram into pieces whose data is a multiple of 8 bytes and fits the
 * MTU (never more than the largest fragment it was reassembled from, frag_max_size); every
 * piece gets a copy of the header, its offset and MF. A datagram reassembled by conntrack keeps
 * its fragments (frag_list): when their geometry fits, the fast path sends them as they came.
 */
export function ip_do_fragment(net: Net, skb: SkBuff, routeMtu: number, output: (frag: SkBuff) => number): number {
  const call = net.enter('ip_do_fragment');
  try {
    // an offloaded checksum (a segment skb_gso_segment cut) is completed before fragmenting (skb_checksum_help)
    if (skb.ip_summed === 'CHECKSUM_PARTIAL') completePartialChecksum(skb);
    const nh = skb.network_header;
    const iph = readIp(skb.buf, nh);
    const hlen = iph.ihl * 4;
    const total = skb.tail - nh;
    const payload = total - hlen;
    const fragMax = skb.cb.fragMaxSize;
    const mtu = fragMax && fragMax < routeMtu ? fragMax : routeMtu;
    const chunk = (mtu - hlen) & ~7;
    if (chunk < 8) {
      net.count(SNMP_IpFragFails);
      net.drop(skb, 'L3', 'ip_do_fragment', OUT_FILE, 'NOT_SPECIFIED', net.full ? `The MTU ${mtu} leaves no room for fragment data.` : '', '-EMSGSIZE');
      return -90;
    }
    const baseOff = (iph.fragOff & IP_OFFSET) * 8;
    const origMf = (iph.fragOff & IP_MF) !== 0;
    const list = skb.cb.fragList;
    const dataMtu = mtu - hlen;
    const fast = !!list && list.length > 1 && list[0] <= dataMtu && (list[0] & 7) === 0 && (iph.fragOff & (IP_MF | IP_OFFSET)) === 0 && list.every((n, i) => n <= dataMtu && ((n & 7) === 0 || i === list.length - 1));
    const sizes = fast ? list : [];
    if (!fast) for (let done = 0; done < payload; done += chunk) sizes.push(Math.min(chunk, payload - done));
    const count = sizes.length;
    const clamp = mtu < routeMtu ? ` (the route allows ${routeMtu}, but no fragment it was reassembled from was larger than ${mtu})` : '';
    net.step(
      skb,
      'L3',
      'ip_do_fragment',
      OUT_FILE,
      fast
        ? skb.cb.fragLocal
          ? `The ${total}-byte datagram was built by ip_append_data as ${count} pieces that each fit the MTU ${mtu} (its frag_list): the fast path sends each with a copy of the header.`
          : `The ${total}-byte datagram was reassembled from ${count} fragments that each fit the MTU ${mtu}${clamp}: the fast path sends them again as they came (its frag_list), each with a copy of the header, DF clear.`
        : `The ${total}-byte datagram is cut into ${count} fragments of at most ${chunk} data bytes (a multiple of 8 that fits the MTU ${mtu}${clamp} with the ${hlen}-byte header).`,
    );
    // each piece goes down as soon as it is made; the first one the way down refuses ends the
    // datagram: the rest is never sent (slow path: never made) and IpFragFails is counted
    let done = 0;
    let n = 0;
    const make = (len: number, done: number): { f: SkBuff; mf: boolean } => {
      const pkt = net.w.rec.newPacket(net.name, skb.pkt);
      const f = allocSkb(skb.dst!.dev.llReservedSpace(), hlen + len, pkt);
      const at = f.put(hlen + len);
      const b = f.w();
      b.set(skb.buf.subarray(nh, nh + hlen), at);
      b.set(skb.buf.subarray(nh + hlen + done, nh + hlen + done + len), at + hlen);
      const last = done + len >= payload;
      const off = (baseOff + done) / 8;
      const mf = !last || origMf;
      // the fast path (ip_fraglist_init/prepare) writes frag_off afresh: only the offset and MF
      wr16(b, at + 6, (fast ? 0 : iph.fragOff & ~(IP_MF | IP_OFFSET)) | off | (mf ? IP_MF : 0));
      wr16(b, at + 2, hlen + len);
      ipSendCheck(b, at);
      f.network_header = at;
      f.transport_header = at + hlen;
      ip_copy_metadata(f, skb);
      f.cb.fragList = undefined;
      return { f, mf };
    };
    for (const len of sizes) {
      n++;
      const { f, mf } = make(len, done);
      net.step(f, 'L3', 'ip_do_fragment', OUT_FILE, net.full ? `Fragment ${n} of ${count}: offset ${baseOff + done}, ${len} data bytes, MF ${mf ? 'set' : 'clear'}; it goes down now, and counts in IpFragCreates once sent.` : '');
      // ip_frag_ipcb / the fast path's first_frag: the later fragments copy a header whose
      // options without the "copied" bit are NOOPs (a received packet's options, IPCB opt)
      const optlen = skb.cb.ipOpt?.optlen ?? 0;
      if (n === 1 && optlen > 0) ip_options_fragment(skb.w(), nh, optlen);
      done += len;
      const err = output(f);
      if (err) {
        net.count(SNMP_IpFragFails);
        const rest = count - n;
        if (fast) {
          // ip_fraglist_prepare wrote the next fragment's header before this one went down;
          // kfree_skb_list frees it with the rest of the frag_list (NOT_SPECIFIED). The ones
          // after it never got a header.
          if (rest > 0) {
            const { f: next } = make(sizes[n], done);
            net.drop(next, 'L3', 'ip_do_fragment', OUT_FILE, 'NOT_SPECIFIED', net.full ? `Fragment ${n} was refused on the way down: the ${rest} fragment(s) still in the frag_list are freed unsent (kfree_skb_list), this one with the header ip_fraglist_prepare had already given it (IpFragFails).` : '', String(err));
            // a reassembled datagram's list holds the fragments as they came: the ones after
            // that still have their own IP header in front of their data, so each free shows
            for (const { skb: orig } of skb.shinfo?.frag_list.slice(n) ?? []) {
              net.step(orig, 'L3', 'ip_do_fragment', OUT_FILE, 'Freed unsent with the rest of the frag_list (kfree_skb_list), still with the header it came with.', { drop: 'SKB_DROP_REASON_NOT_SPECIFIED' });
            }
          } else net.step(null, 'L3', 'ip_do_fragment', OUT_FILE, `The last fragment was refused on the way down (IpFragFails).`, { ret: String(err) });
          // ip_fraglist_init took the list off the head: nothing is left for skb_release_data
          if (skb.shinfo) skb.shinfo.frag_list.length = 0;
          net.fate(skb, { kind: 'consumed', fn: 'ip_do_fragment', detail: `${n} of ${count} fragments sent` });
        } else {
          net.drop(skb, 'L3', 'ip_do_fragment', OUT_FILE, 'NOT_SPECIFIED', net.full ? `Fragment ${n} was refused on the way down: the datagram is freed and its other ${rest} fragment(s) are never made (IpFragFails).` : '', String(err));
        }
        return err;
      }
      net.count(SNMP_IpFragCreates);
    }
    net.count(SNMP_IpFragOKs);
    // the fast path sent the frag_list's own sk_buffs; the slow path copied them, and consume_skb
    // of the datagram frees the list (skb_release_data)
    if (fast && skb.shinfo) skb.shinfo.frag_list.length = 0;
    net.fate(skb, { kind: 'consumed', fn: 'ip_do_fragment', detail: `cut into ${count} fragments` });
    return 0;
  } finally {
    net.leave(call);
  }
}

/** ip_copy_metadata: IPv4's fragments also keep the input interface (skb_iif), which IPv6's do not. */
function ip_copy_metadata(to: SkBuff, from: SkBuff): void {
  copyFragMetadata(to, from);
  to.skb_iif = from.skb_iif;
}

/** ip_defrag's result: the whole datagram, or null when the fragment waits or was freed. */
export function ip_defrag(net: Net, skb: SkBuff, user: DefragUser): SkBuff | null {
  const call = net.enter('ip_defrag');
  try {
    net.count(SNMP_IpReasmReqds);
    const iph = readIp(skb.buf, skb.network_header);
    const key = `${iph.saddr} ${iph.daddr} ${iph.id} ${iph.protocol} ${user}`;
    const q = net.call('ip_find', () => inet_frag_find(net, key, user, skb.pkt, (x) => ip_expire(net, x)));
    if (!q) {
      const high = net.get('net.ipv4.ipfrag_high_thresh');
      net.count(SNMP_IpReasmFails);
      net.drop(skb, 'L3', 'ip_defrag', FRAG_FILE, 'NOT_SPECIFIED', high ? `Fragment memory (${net.fragMem} bytes) is over ipfrag_high_thresh ${high}: inet_frag_find gives no queue, not even this datagram's own (IpReasmFails).` : 'ipfrag_high_thresh is 0: reassembly is off, every fragment is refused (IpReasmFails).');
      return null;
    }
    const whole = ip_frag_queue(net, q, skb);
    // inet_frag_putn: a queue killed here (complete, corrupt or overlapping) is destroyed now
    if (q.complete) inet_frag_destroy(net, q, false);
    return whole;
  } finally {
    net.leave(call);
  }
}

function ip_frag_queue(net: Net, q: FragQueue, skb: SkBuff): SkBuff | null {
  const call = net.enter('ip_frag_queue');
  try {
    const nh = skb.network_header;
    const iph = readIp(skb.buf, nh);
    const ihl = iph.ihl * 4;
    const offset = (iph.fragOff & IP_OFFSET) * 8;
    const mf = (iph.fragOff & IP_MF) !== 0;
    let end = offset + skb.tail - nh - ihl;
    let trimmed = '';
    // discard_qp: the queue dies with this fragment; what it holds is freed by inet_frag_destroy
    const discard = (what: string): null => {
      inet_frag_kill(net, q);
      net.count(SNMP_IpReasmFails);
      net.drop(skb, 'L3', 'ip_frag_queue', FRAG_FILE, 'NOT_SPECIFIED', net.full ? `${what} The queue is killed (IpReasmFails).` : '');
      return null;
    };
    if (!mf) {
      if (end < q.len || (q.lastIn && end !== q.len)) return discard(`The last fragment ends at ${end}, but ${q.lastIn ? `a last fragment already ended the datagram at ${q.len}` : `data up to ${q.len} was seen`}: the datagram is corrupt.`);
      q.lastIn = true;
      q.len = end;
    } else {
      if (end & 7) {
        trimmed = ` Its data ends at ${end}, not a multiple of 8: only ${end & ~7} counts (the tail is cut off).`;
        end &= ~7;
        if (skb.ip_summed !== 'CHECKSUM_UNNECESSARY') skb.ip_summed = 'CHECKSUM_NONE';
      }
      if (end > q.len) {
        if (q.lastIn) return discard(`This fragment reaches ${end}, beyond the datagram's end ${q.len} that the last fragment gave.`);
        q.len = end;
      }
    }
    if (end === offset) return discard(`This fragment carries no data (offset ${offset}, end ${end}).${trimmed}`);
    // pskb_trim_rcsum: the fragment keeps exactly its data
    skb.trim(ihl + end - offset);
    const ins = inet_frag_queue_insert(q, skb, offset, end);
    if (ins === 'IPFRAG_DUP') {
      net.drop(skb, 'L3', 'ip_frag_queue', FRAG_FILE, 'DUP_FRAG', net.full ? `Bytes ${offset}..${end} are already queued: an exact duplicate is dropped alone, the queue waits on (no IpReasmFails).` : '');
      return null;
    }
    if (ins === 'IPFRAG_OVERLAP') {
      net.count(SNMP_IpExtReasmOverlaps);
      return discard(`Bytes ${offset}..${end} overlap what is queued without being a duplicate: the whole datagram is thrown away (RFC 5722, IpExtReasmOverlaps).`);
    }
    if (skb.dev) q.iif = skb.dev.ifindex;
    q.meat += end - offset;
    const truesize = skb.truesize();
    q.mem += truesize;
    net.fragMem += truesize;
    if (offset === 0) q.firstIn = true;
    const fragsize = end - offset + ihl;
    q.maxSize = Math.max(q.maxSize, fragsize);
    if (iph.fragOff & IP_DF) q.maxDfSize = Math.max(q.maxDfSize, fragsize);
    if (q.firstIn && q.lastIn && !q.complete && q.meat === q.len) return ip_frag_reasm(net, q, skb);
    skb.dst = null;
    net.step(skb, 'L3', 'ip_frag_queue', FRAG_FILE, net.full ? `Fragment at offset ${offset} (${end - offset} bytes${mf ? ', MF' : ', the last'}) waits in the reassembly queue of ${numToIp(iph.saddr)} → ${numToIp(iph.daddr)} id ${iph.id}: ${q.meat} of ${q.lastIn ? q.len : '?'} bytes so far.${trimmed}` : '');
    net.fate(skb, { kind: 'consumed', fn: 'ip_frag_queue', detail: 'queued for reassembly' });
    return null;
  } finally {
    net.leave(call);
  }
}

/**
 * ip_frag_reasm: glue the pieces behind the first fragment's header into one datagram. DF is
 * set only when the largest fragment had it (max_df_size == max_size), so that a datagram built
 * from a small DF fragment and a large one without DF is not refused as too big later.
 */
function ip_frag_reasm(net: Net, q: FragQueue, last: SkBuff): SkBuff | null {
  const call = net.enter('ip_frag_reasm');
  try {
    inet_frag_kill(net, q);
    const head = q.frags[0].skb;
    const nh = head.network_header;
    const hlen = (head.buf[nh] & 15) * 4;
    const total = hlen + q.len;
    if (total > 65535) {
      net.count(SNMP_IpReasmFails);
      net.step(last, 'L3', 'ip_frag_reasm', FRAG_FILE, net.full ? `The fragments add up to ${total} bytes, more than an IP datagram can hold (-E2BIG, "Oversized IP packet"): reassembly fails (IpReasmFails).` : '');
      return null;
    }
    const pkt = net.w.rec.newPacket(net.name, q.firstPkt);
    const whole = allocSkb(nh, total, pkt);
    const at = whole.put(total);
    const b = whole.w();
    b.set(head.buf.subarray(nh, nh + hlen), at);
    for (const f of q.frags) {
      const fnh = f.skb.network_header;
      const fhl = (f.skb.buf[fnh] & 15) * 4;
      b.set(f.skb.buf.subarray(fnh + fhl, fnh + fhl + (f.end - f.offset)), at + hlen + f.offset);
    }
    const df = q.maxDfSize === q.maxSize;
    wr16(b, at + 2, total);
    wr16(b, at + 6, df ? IP_DF : 0);
    ipSendCheck(b, at);
    whole.network_header = at;
    whole.transport_header = at + hlen;
    ip_copy_metadata(whole, last);
    whole.ip_summed = 'CHECKSUM_NONE';
    whole.cb.fragMaxSize = Math.max(q.maxDfSize, q.maxSize);
    // ip_frag_coalesce_ok: only local delivery merges the pieces; conntrack's defrag keeps them
    whole.cb.fragList = q.user === 'IP_DEFRAG_LOCAL_DELIVER' ? undefined : q.frags.map((f) => f.end - f.offset);
    if (df) whole.cb.ipFlags = (whole.cb.ipFlags ?? 0) | IPSKB_FRAG_PMTU;
    whole.shinfo = reasmFragList(q, last);
    net.count(SNMP_IpReasmOKs);
    for (const f of q.frags) {
      // inet_frag_reasm_prepare: a fragment other than the first that completes the datagram
      // becomes the head itself (skb_morph); a clone of it takes its place in the list
      net.fate(f.skb, { kind: 'consumed', fn: 'ip_frag_reasm', detail: f.skb === last && f !== q.frags[0] ? `merged into packet ${pkt}: ${REASM_CLONE}` : `merged into packet ${pkt}` });
      q.mem -= f.skb.truesize();
      net.fragMem -= f.skb.truesize();
    }
    const n = q.frags.length;
    q.frags = [];
    net.step(whole, 'L3', 'ip_frag_reasm', FRAG_FILE, net.full ? `The last missing fragment arrived: ${n} fragments are joined into one ${total}-byte datagram (IpReasmOKs); frag_max_size ${whole.cb.fragMaxSize} is remembered in IPCB, and DF is ${df ? 'set: the largest fragment had it' : 'clear: the largest fragment did not have it'}.` : '');
    return whole;
  } finally {
    net.leave(call);
  }
}

/** The fate detail of the fragment that completed a datagram when it was not the first one. */
export const REASM_CLONE = 'it completed it, and its sk_buff became the head (skb_morph); a clone of it (inet_frag_reasm_prepare) took its place in the frag_list';

/**
 * inet_frag_reasm_finish: which fragments stay chained behind the head (its frag_list). Local
 * delivery (ip_frag_coalesce_ok) tries skb_try_coalesce on each: while the head is still
 * linear, a fragment that fits its tailroom (the slack of its kmalloc'd buffer) is copied in
 * and freed unseen (kfree_skb_partial); past that the head is nonlinear and, the fragments'
 * heads being kmalloc'd (locked: nothing to steal), each one is chained. Conntrack's defrag
 * chains them all, which ip_do_fragment's fast path reuses.
 */
export function reasmFragList(q: FragQueue, last: SkBuff, coalesce = q.user === 'IP_DEFRAG_LOCAL_DELIVER'): SharedInfo | null {
  const head = q.frags[0];
  let room = coalesce ? head.skb.kernelTailroom() : 0;
  const list: SharedInfo['frag_list'] = [];
  for (const f of q.frags.slice(1)) {
    const len = f.end - f.offset;
    if (!list.length && len <= room) {
      room -= len;
      continue;
    }
    list.push({ skb: f.skb, clone: f.skb === last });
  }
  return list.length ? { frag_list: list } : null;
}

/**
 * ip_expire: the queue's timer ran out (ipfrag_time). With the first fragment there, that
 * fragment is routed again and the sender gets ICMP time exceeded (fragment reassembly) — but
 * a queue of conntrack's defrag at PRE_ROUTING sends it only when the datagram was for this
 * host (RFC 792: only the end host). The first fragment is freed here, the rest by the purge.
 */
function ip_expire(net: Net, q: FragQueue): void {
  if (q.complete) return;
  net.w.rec.fresh(() =>
    net.call('ip_expire', () => {
      inet_frag_kill(net, q);
      net.count(SNMP_IpReasmFails);
      net.count(SNMP_IpReasmTimeout);
      const t = net.get('net.ipv4.ipfrag_time');
      const head = q.firstIn ? q.frags.shift()?.skb : undefined;
      if (!head) {
        net.step(null, 'L3', 'ip_expire', FRAG_FILE, net.full ? `Reassembly timed out after ipfrag_time ${t} s without the first fragment: the queue is dropped silently (IpReasmTimeout, IpReasmFails).` : '');
      } else {
        // inet_frag_pull_head: the first fragment leaves the queue (and its memory with it)
        q.mem -= head.truesize();
        net.fragMem -= head.truesize();
        const dev = [...net.devices.values()].find((d) => d.ifindex === q.iif);
        const iph = readIp(head.buf, head.network_header);
        head.dev = dev ?? null;
        const err = dev ? ip_route_input_noref(net, head, iph.daddr, iph.saddr, iph.tos, dev) : -19;
        const skipIcmp = q.user === 'IP_DEFRAG_CONNTRACK_IN' && head.dst?.type !== 'RTN_LOCAL';
        if (err) {
          net.step(head, 'L3', 'ip_expire', FRAG_FILE, net.full ? `Reassembly timed out after ipfrag_time ${t} s (IpReasmTimeout, IpReasmFails); routing the first fragment again fails, so no ICMP is sent.` : '');
        } else if (skipIcmp) {
          net.step(head, 'L3', 'ip_expire', FRAG_FILE, net.full ? `Reassembly (conntrack defrag) timed out after ipfrag_time ${t} s (IpReasmTimeout, IpReasmFails); the datagram was not for this host, and only its end host reports a reassembly timeout: no ICMP.` : '');
        } else {
          net.step(head, 'L3', 'ip_expire', FRAG_FILE, net.full ? `Reassembly of ${q.meat} bytes timed out after ipfrag_time ${t} s (IpReasmTimeout, IpReasmFails); the first fragment is here, so the sender gets ICMP time exceeded (fragment reassembly).` : '');
          icmp_send(net, head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
        }
        net.drop(head, 'L3', 'ip_expire', FRAG_FILE, 'FRAG_REASM_TIMEOUT', 'The first fragment is freed.');
      }
      inet_frag_destroy(net, q, true);
    }),
  );
}
