// Fragmentation (ip_do_fragment, net/ipv4/ip_output.c) and reassembly (ip_defrag,
// net/ipv4/ip_fragment.c, with the inet_frag queue of net/ipv4/inet_fragment.c): the memory
// bound (ipfrag_high_thresh) and the timeout (ipfrag_time) run in simulated time.
import type { Net } from '../net_namespace';
import type { FragQueue } from './ip_fragment_types';
import { allocSkb, type SkBuff } from '../core/skbuff';
import { numToIp, wr16 } from '../../proto/addr';
import { IP_MF, IP_OFFSET, ipSendCheck, readIp } from '../../proto/ipv4';
import { ICMP_EXC_FRAGTIME, ICMP_TIME_EXCEEDED } from '../../proto/icmp';
import { icmp_send } from './icmp';
import { ip_route_input_noref } from './route';

const OUT_FILE = 'net/ipv4/ip_output.c';
const FRAG_FILE = 'net/ipv4/ip_fragment.c';
/** what a queued fragment costs against ipfrag_high_thresh (data + struct sk_buff + shared info) */
const fragTruesize = (skb: SkBuff): number => skb.truesize();

/**
 * ip_do_fragment (the slow path, ip_frag_next): cut the datagram into pieces whose data is a
 * multiple of 8 bytes and fits the MTU; every piece gets a copy of the header, its offset and MF.
 */
export function ip_do_fragment(net: Net, skb: SkBuff, mtu: number, output: (frag: SkBuff) => void): void {
  net.call('ip_do_fragment', () => {
    const nh = skb.network_header;
    const iph = readIp(skb.buf, nh);
    const hlen = iph.ihl * 4;
    const total = skb.tail - nh;
    const payload = total - hlen;
    const chunk = (mtu - hlen) & ~7;
    if (chunk < 8) {
      net.count('IpFragFails');
      net.drop(skb, 'L3', 'ip_do_fragment', OUT_FILE, 'NOT_SPECIFIED', `The MTU ${mtu} leaves no room for fragment data.`);
      return;
    }
    const baseOff = (iph.fragOff & IP_OFFSET) * 8;
    const origMf = (iph.fragOff & IP_MF) !== 0;
    const count = Math.ceil(payload / chunk);
    net.step(skb, 'L3', 'ip_do_fragment', OUT_FILE, `The ${total}-byte datagram is cut into ${count} fragments of at most ${chunk} data bytes (a multiple of 8 that fits the MTU ${mtu} with the ${hlen}-byte header).`);
    const frags: SkBuff[] = [];
    for (let done = 0; done < payload; done += chunk) {
      const len = Math.min(chunk, payload - done);
      const pkt = net.w.rec.newPacket(net.name, skb.pkt);
      const f = allocSkb(skb.dst!.dev.llReservedSpace(), hlen + len, pkt);
      const at = f.put(hlen + len);
      const b = f.w();
      b.set(skb.buf.subarray(nh, nh + hlen), at);
      b.set(skb.buf.subarray(nh + hlen + done, nh + hlen + done + len), at + hlen);
      const last = done + len >= payload;
      const off = (baseOff + done) / 8;
      wr16(b, at + 6, (iph.fragOff & ~(IP_MF | IP_OFFSET)) | off | (!last || origMf ? IP_MF : 0));
      wr16(b, at + 2, hlen + len);
      ipSendCheck(b, at);
      f.network_header = at;
      f.transport_header = at + hlen;
      ip_copy_metadata(f, skb);
      net.count('IpFragCreates');
      net.step(f, 'L3', 'ip_do_fragment', OUT_FILE, `Fragment ${frags.length + 1} of ${count}: offset ${baseOff + done}, ${len} data bytes, MF ${!last || origMf ? 'set' : 'clear'} (IpFragCreates).`);
      frags.push(f);
    }
    net.count('IpFragOKs');
    net.fate(skb, { kind: 'consumed', fn: 'ip_do_fragment', detail: `cut into ${count} fragments` });
    for (const f of frags) output(f);
  });
}

/** ip_copy_metadata: a new skb made from another keeps its route, device, marks and control block. */
function ip_copy_metadata(to: SkBuff, from: SkBuff): void {
  to.dst = from.dst;
  to.dev = from.dev;
  to.skb_iif = from.skb_iif;
  to.protocol = from.protocol;
  to.pkt_type = from.pkt_type;
  to.mark = from.mark;
  to.priority = from.priority;
  to.nfct = from.nfct;
  to.cb = { ...from.cb };
}

export type DefragUser = 'IP_DEFRAG_LOCAL_DELIVER' | 'IP_DEFRAG_CONNTRACK_IN' | 'IP_DEFRAG_CONNTRACK_OUT';

/**
 * ip_defrag: queue a fragment; return the whole datagram when this fragment completes it, or
 * null when it waits (or was dropped).
 */
export function ip_defrag(net: Net, skb: SkBuff, user: DefragUser): SkBuff | null {
  return net.call('ip_defrag', () => {
    net.count('IpReasmReqds');
    const iph = readIp(skb.buf, skb.network_header);
    const key = `${iph.saddr} ${iph.daddr} ${iph.id} ${iph.protocol} ${user}`;
    let q = net.fragQueues.get(key);
    if (!q) {
      if (net.fragMem > net.get('net.ipv4.ipfrag_high_thresh')) {
        net.count('IpReasmFails');
        net.drop(skb, 'L3', 'ip_defrag', FRAG_FILE, 'NOT_SPECIFIED', `Fragment memory (${net.fragMem} bytes) is over ipfrag_high_thresh: no new reassembly queue (IpReasmFails).`);
        return null;
      }
      q = { key, frags: [], len: 0, meat: 0, lastIn: false, firstIn: false, mem: 0, timer: null, maxSize: 0, firstPkt: skb.pkt };
      net.fragQueues.set(key, q);
      const queue = q;
      q.timer = net.w.sched.after(net.get('net.ipv4.ipfrag_time') * 1e9, () => ip_expire(net, queue));
    }
    return ip_frag_queue(net, q, skb);
  });
}

function ip_frag_queue(net: Net, q: FragQueue, skb: SkBuff): SkBuff | null {
  return net.call('ip_frag_queue', () => {
    const nh = skb.network_header;
    const iph = readIp(skb.buf, nh);
    const hlen = iph.ihl * 4;
    const offset = (iph.fragOff & IP_OFFSET) * 8;
    const mf = (iph.fragOff & IP_MF) !== 0;
    const end = offset + iph.totLen - hlen;
    const discard = (what: string, reason = 'NOT_SPECIFIED'): null => {
      ipq_kill(net, q);
      net.count('IpReasmFails');
      for (const f of q.frags) net.drop(f.skb, 'L3', 'ip_frag_queue', FRAG_FILE, reason, 'The whole reassembly queue is thrown away.');
      net.drop(skb, 'L3', 'ip_frag_queue', FRAG_FILE, reason, what);
      return null;
    };
    if (!mf) {
      if (end < q.len || (q.lastIn && end !== q.len)) return discard('The last fragment disagrees with the datagram length seen so far: the queue is corrupt and dropped (IpReasmFails).');
      q.lastIn = true;
      q.len = end;
    } else if (end > q.len) {
      if (q.lastIn) return discard('A fragment reaches beyond the end of the datagram: the queue is dropped (IpReasmFails).');
      q.len = end;
    }
    if (q.frags.some((f) => offset < f.end && end > f.offset)) {
      net.count('IpExtReasmOverlaps');
      return discard('This fragment overlaps one already queued: the whole datagram is dropped (RFC 5722, IpExtReasmOverlaps).', 'DUP_FRAG');
    }
    q.frags.push({ offset, end, skb });
    q.frags.sort((a, b) => a.offset - b.offset);
    q.meat += end - offset;
    q.mem += fragTruesize(skb);
    net.fragMem += fragTruesize(skb);
    q.maxSize = Math.max(q.maxSize, iph.totLen);
    if (offset === 0) q.firstIn = true;
    if (q.firstIn && q.lastIn && q.meat === q.len) return ip_frag_reasm(net, q, skb);
    skb.dst = null;
    net.step(skb, 'L3', 'ip_frag_queue', FRAG_FILE, `Fragment at offset ${offset} (${end - offset} bytes${mf ? ', MF' : ', the last'}) waits in the reassembly queue of ${numToIp(iph.saddr)} → ${numToIp(iph.daddr)} id ${iph.id}: ${q.meat} of ${q.lastIn ? q.len : '?'} bytes so far.`);
    net.fate(skb, { kind: 'consumed', fn: 'ip_frag_queue', detail: 'queued for reassembly' });
    return null;
  });
}

/** ip_frag_reasm: glue the pieces behind the first fragment's header into one datagram. */
function ip_frag_reasm(net: Net, q: FragQueue, last: SkBuff): SkBuff {
  return net.call('ip_frag_reasm', () => {
    ipq_kill(net, q);
    const head = q.frags[0].skb;
    const nh = head.network_header;
    const hlen = (head.buf[nh] & 15) * 4;
    const total = hlen + q.len;
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
    wr16(b, at + 2, total);
    wr16(b, at + 6, readIp(b, at).fragOff & ~(IP_MF | IP_OFFSET));
    ipSendCheck(b, at);
    whole.network_header = at;
    whole.transport_header = at + hlen;
    ip_copy_metadata(whole, last);
    whole.ip_summed = 'CHECKSUM_NONE';
    whole.cb.fragMaxSize = q.maxSize;
    net.count('IpReasmOKs');
    for (const f of q.frags) {
      net.fate(f.skb, { kind: 'consumed', fn: 'ip_frag_reasm', detail: `merged into packet ${pkt}` });
    }
    net.step(whole, 'L3', 'ip_frag_reasm', FRAG_FILE, `The last missing fragment arrived: ${q.frags.length} fragments are joined into one ${total}-byte datagram (IpReasmOKs); frag_max_size ${q.maxSize} is remembered in IPCB.`);
    return whole;
  });
}

function ipq_kill(net: Net, q: FragQueue): void {
  net.w.sched.cancel(q.timer);
  net.fragQueues.delete(q.key);
  net.fragMem -= q.mem;
}

/** ip_expire: the queue's timer ran out (ipfrag_time): drop it, and tell the sender if the first fragment came. */
function ip_expire(net: Net, q: FragQueue): void {
  if (!net.fragQueues.has(q.key)) return;
  net.w.rec.fresh(() =>
    net.call('ip_expire', () => {
      ipq_kill(net, q);
      net.count('IpReasmFails');
      net.count('IpReasmTimeout');
      const head = q.frags[0]?.skb;
      if (q.firstIn && head) {
        net.step(head, 'L3', 'ip_expire', FRAG_FILE, `Reassembly of ${q.meat} bytes timed out after ipfrag_time ${net.get('net.ipv4.ipfrag_time')} s (IpReasmTimeout, IpReasmFails); the first fragment is here, so the sender gets ICMP time exceeded (fragment reassembly).`);
        head.dst = head.dst ?? q.frags[q.frags.length - 1].skb.dst;
        if (!head.dst) {
          // the route was dropped while the fragment waited; it is looked up again (as ip_expire does)
          const iph = readIp(head.buf, head.network_header);
          ip_route_input_noref(net, head, iph.daddr, iph.saddr, iph.tos, head.dev!);
        }
        icmp_send(net, head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
      } else {
        net.step(null, 'L3', 'ip_expire', FRAG_FILE, `Reassembly timed out after ipfrag_time ${net.get('net.ipv4.ipfrag_time')} s without the first fragment: the queue is dropped silently (IpReasmTimeout, IpReasmFails).`);
      }
      for (const f of q.frags) net.drop(f.skb, 'L3', 'ip_expire', FRAG_FILE, 'FRAG_REASM_TIMEOUT', 'The waiting fragment is freed.');
    }),
  );
}
