// Conntrack's IPv6 defragmentation (net/ipv6/netfilter/nf_defrag_ipv6_hooks.c and
// nf_conntrack_reasm.c, v6.12). ipv6_defrag sits at NF_IP6_PRI_CONNTRACK_DEFRAG (-400) on
// PRE_ROUTING and LOCAL_OUT while IPv6 conntrack is on; nf_ct_frag6_gather queues each fragment
// in the namespace's nf_frag fqdir (not ip6's: its own net.netfilter.nf_conntrack_frag6_*
// sysctls), so conntrack and every rule see whole datagrams. The reassembled datagram keeps
// frag_max_size and ignore_df: forwarded, ip6_fragment cuts it again no larger than the biggest
// fragment it came in (or the sender gets Packet Too Big when that fragment does not fit).
// Unlike ipv6_frag_rcv this code counts no SNMP counter and sends no parameter problem: a
// fragment it cannot judge goes on untouched for ip6's own reassembly to judge, and a bad one is
// NF_DROP. The queue checks, the join and the timer are reassembly.ts's, shared.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { HookResult } from './core';
import type { NfEngine } from './engine';
import type { FragQueue } from '../ipv4/ip_fragment_types';
import { inet_frag_destroy, inet_frag_find, inet_frag_kill } from '../ipv4/inet_fragment';
import { rd16, rd32 } from '../../proto/addr';
import { IPV6_HLEN, NEXTHDR_DEST, NEXTHDR_HOP, NEXTHDR_ICMP, NEXTHDR_ROUTING, NEXTHDR_TCP, NEXTHDR_UDP, readIpv6 } from '../../proto/ipv6';
import { formatIpv6 } from '../../../trace/ipv6';
import { FRAG_HDR_LEN, IP6_OFFSET } from '../ipv6/ip6_fragment';
import { frag6Key, frag6KeyIif, frag6_insert, frag6_join, frag6_place, ip6frag_expire_frag_queue } from '../ipv6/reassembly';
import { morph } from './nf_defrag_ipv4';
import { NF_IP_PRI_CONNTRACK_DEFRAG } from './netfilter_ipv4';

const HOOKS_FILE = 'net/ipv6/netfilter/nf_defrag_ipv6_hooks.c';
export const NF_REASM_FILE = 'net/ipv6/netfilter/nf_conntrack_reasm.c';
const FILE = NF_REASM_FILE;
const NEXTHDR_FRAGMENT = 44;
const NEXTHDR_AUTH = 51;
const NEXTHDR_NONE = 59;

/** nf_ct_frag6_gather's outcome, as ipv6_defrag maps it: 0 → NF_ACCEPT, -EINPROGRESS → NF_STOLEN, other errors → NF_DROP. */
type At = { hook: ReturnType<NfEngine['ctx']> };
type Gather = { ret: 'ok' } | { ret: 'EINPROGRESS' } | { ret: 'EINVAL' | 'ENOMEM'; why: string };

export function ipv6_defrag(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff): { verdict: HookResult['verdict'] } {
  const call = net.enter('ipv6_defrag');
  try {
    const at = { hook: nf.ctx(hook, NF_IP_PRI_CONNTRACK_DEFRAG, 'NF_ACCEPT', undefined, 'ipv6') };
    // a packet that already has an entry (looped back) or is marked untracked is left alone
    if (skb.nfct) {
      net.step(skb, 'L3', 'ipv6_defrag', HOOKS_FILE, net.full ? `Conntrack defrag (${NF_IP_PRI_CONNTRACK_DEFRAG}): the packet already carries ${skb.nfct.state === 'IP_CT_UNTRACKED' ? 'the untracked mark' : 'its conntrack entry'}, nothing to do.` : '', at);
      return { verdict: 'NF_ACCEPT' };
    }
    const user = hook === 'NF_INET_PRE_ROUTING' ? 'IP6_DEFRAG_CONNTRACK_IN' : 'IP6_DEFRAG_CONNTRACK_OUT';
    const r = nf_ct_frag6_gather(net, skb, user, at);
    if (r.ret === 'EINPROGRESS') return { verdict: 'NF_STOLEN' };
    if (r.ret === 'ok') return { verdict: 'NF_ACCEPT' };
    net.step(skb, 'L3', 'ipv6_defrag', HOOKS_FILE, net.full ? `nf_ct_frag6_gather failed (-${r.ret}): ${r.why} The verdict is NF_DROP.` : '', { hook: nf.ctx(hook, NF_IP_PRI_CONNTRACK_DEFRAG, 'NF_DROP', undefined, 'ipv6') });
    return { verdict: 'NF_DROP' };
  } finally {
    net.leave(call);
  }
}

/**
 * find_prev_fhdr: walk the extension headers (ipv6_ext_hdr's set) to the Fragment header; the
 * offset (from the network header) of the byte that names it and the header's own offset. Null
 * when an upper-layer header, "no next header" or the packet's end comes first.
 */
export function find_prev_fhdr(skb: SkBuff): { nhoff: number; fhoff: number } | null {
  const b = skb.buf;
  const nh = skb.network_header;
  let nexthdr = b[nh + 6];
  let prevNhoff = 6;
  let start = IPV6_HLEN;
  let len = skb.tail - nh - start;
  while (nexthdr !== NEXTHDR_FRAGMENT) {
    if (![NEXTHDR_HOP, NEXTHDR_ROUTING, NEXTHDR_AUTH, NEXTHDR_DEST].includes(nexthdr) || nexthdr === NEXTHDR_NONE) return null;
    if (len < 2) return null;
    const hdrlen = nexthdr === NEXTHDR_AUTH ? (b[nh + start + 1] + 2) << 2 : (b[nh + start + 1] + 1) << 3;
    prevNhoff = start;
    nexthdr = b[nh + start];
    len -= hdrlen;
    start += hdrlen;
  }
  if (len < 0) return null;
  return { nhoff: prevNhoff, fhoff: start };
}

function nf_ct_frag6_gather(net: Net, skb: SkBuff, user: 'IP6_DEFRAG_CONNTRACK_IN' | 'IP6_DEFRAG_CONNTRACK_OUT', at: At): Gather {
  const call = net.enter('nf_ct_frag6_gather');
  try {
    const nh = skb.network_header;
    const h = readIpv6(skb.buf, nh);
    const pass = (why: string): Gather => {
      net.step(skb, 'L3', 'nf_ct_frag6_gather', FILE, net.full ? `Conntrack defrag (${NF_IP_PRI_CONNTRACK_DEFRAG}): ${why}` : '', at);
      return { ret: 'ok' };
    };
    if (h.payloadLen === 0) return pass('payload_len 0 (a jumbogram) cannot carry a Fragment header: nothing to do.');
    const found = find_prev_fhdr(skb);
    if (!found) return pass('no Fragment header, nothing to do.');
    const { nhoff, fhoff } = found;
    const fh = nh + fhoff;
    if (fh + FRAG_HDR_LEN > skb.tail) return { ret: 'ENOMEM', why: 'the Fragment header is cut short (pskb_may_pull fails).' };
    const fragOff = rd16(skb.buf, fh + 2);
    const id = rd32(skb.buf, fh + 4);
    // ipv6frag_thdr_truncated: a first fragment must hold its upper-layer header (RFC 8200 4.5);
    // one that does not goes on as it is, for ipv6_frag_rcv to refuse
    if ((fragOff & IP6_OFFSET) === 0) {
      const up = skb.buf[fh];
      const need = FRAG_HDR_LEN + (up === NEXTHDR_TCP ? 20 : up === NEXTHDR_UDP || up === NEXTHDR_ICMP ? 8 : 1);
      if (fh + need > skb.tail) return pass(`the first fragment stops before the end of its next header ${up}: it is not queued and goes on untracked by reassembly (ipv6frag_thdr_truncated).`);
    }
    const iif = skb.dev?.ifindex ?? 0;
    const key = frag6Key(h.saddr, h.daddr, id, user, frag6KeyIif(h.daddr, iif));
    const q = net.call('fq_find', () => inet_frag_find(net, key, user, skb.pkt, (x) => ip6frag_expire_frag_queue(net, x, 'nf_ct_frag6_expire', FILE), net.ipv6.nfFrags));
    if (!q) {
      const high = net.get('net.netfilter.nf_conntrack_frag6_high_thresh');
      return { ret: 'ENOMEM', why: high ? `nf_defrag_ipv6's fragment memory (${net.ipv6.nfFrags.mem} bytes) is over nf_conntrack_frag6_high_thresh ${high}: fq_find gives no queue.` : 'nf_conntrack_frag6_high_thresh is 0: every fragment is refused.' };
    }
    const r = nf_ct_frag6_queue(net, q, skb, fh, fragOff, id, nhoff, at);
    // inet_frag_putn: a queue killed here (complete, corrupt or overlapping) is destroyed now
    if (q.complete) inet_frag_destroy(net, q, false);
    return r;
  } finally {
    net.leave(call);
  }
}

function nf_ct_frag6_queue(net: Net, q: FragQueue, skb: SkBuff, fh: number, fragOff: number, id: number, nhoff: number, at: At): Gather {
  const call = net.enter('nf_ct_frag6_queue');
  try {
    const h = readIpv6(skb.buf, skb.network_header);
    const place = frag6_place(q, skb, fh, fragOff);
    if (place.kind === 'unaligned') {
      // RFC 8200 wants a parameter problem: this code kills the queue and lets the fragment
      // through untouched (-EPROTO becomes 0), so that ipv6_frag_rcv sends it
      inet_frag_kill(net, q);
      net.step(skb, 'L3', 'nf_ct_frag6_queue', FILE, net.full ? `${place.why} The queue is killed and the fragment goes on untouched (-EPROTO): ip6's own reassembly will answer it with a parameter problem.` : '', at);
      return { ret: 'ok' };
    }
    if (place.kind === 'toolarge') return { ret: 'EINVAL', why: place.why };
    // the "err" label: this fragment is refused, the queue lives on
    if (place.kind !== 'ok') return { ret: 'EINVAL', why: `${place.why} The fragment is refused; its queue waits on.` };
    const { offset, end, more } = place;
    skb.pull(fh + FRAG_HDR_LEN - skb.data);
    skb.trim(end - offset);
    const ins = frag6_insert(q, skb, offset, end, nhoff);
    if (ins === 'IPFRAG_DUP') {
      // no error for a duplicate: it is freed and reported as queued
      net.drop(skb, 'L3', 'nf_ct_frag6_queue', FILE, 'DUP_FRAG', net.full ? `Bytes ${offset}..${end} are already queued: the duplicate is freed, the queue waits on.` : '');
      return { ret: 'EINPROGRESS' };
    }
    if (ins === 'IPFRAG_OVERLAP') {
      inet_frag_kill(net, q);
      return { ret: 'EINVAL', why: `Bytes ${offset}..${end} overlap what is queued without being a duplicate: the queue is killed (RFC 5722).` };
    }
    if (q.firstIn && q.lastIn && q.meat === q.len) return nf_ct_frag6_reasm(net, q, skb, at);
    skb.dst = null;
    net.step(skb, 'L3', 'nf_ct_frag6_queue', FILE, net.full ? `Conntrack defrag (${NF_IP_PRI_CONNTRACK_DEFRAG}): fragment at offset ${offset} (${end - offset} bytes${more ? ', M' : ', the last'}) waits in nf_defrag_ipv6's queue of ${formatIpv6(h.saddr)} → ${formatIpv6(h.daddr)} identification 0x${id.toString(16)}: ${q.meat} of ${q.lastIn ? q.len : '?'} bytes so far. No rule has seen it (NF_STOLEN).` : '', at);
    net.fate(skb, { kind: 'consumed', fn: 'nf_ct_frag6_queue', detail: 'queued for conntrack reassembly' });
    return { ret: 'EINPROGRESS' };
  } finally {
    net.leave(call);
  }
}

/**
 * nf_ct_frag6_reasm: the datagram is joined into the skb that completed it (the kernel reuses
 * that sk_buff), with the Fragment header removed, ignore_df set and frag_max_size kept, and
 * goes on through the hook as one packet.
 */
function nf_ct_frag6_reasm(net: Net, q: FragQueue, skb: SkBuff, at: At): Gather {
  const call = net.enter('nf_ct_frag6_reasm');
  try {
    const dev = skb.dev;
    const r = frag6_join(net, q, skb, 'nf_ct_frag6_reasm', 'chain');
    if ('why' in r) {
      // the queue owns the fragment now: it is freed with the queue, and reported as queued
      net.step(skb, 'L3', 'nf_ct_frag6_reasm', FILE, net.full ? `${r.why} Reassembly fails; the fragments are freed with the queue.` : '');
      return { ret: 'EINPROGRESS' };
    }
    const { whole, n } = r;
    // inet_frag_reasm_prepare's clone of this fragment takes its place on the frag_list: a copy
    // made now, while this skb still holds the fragment (morph then makes it the datagram)
    const list = whole.shinfo?.frag_list;
    const mine = list?.findIndex((f) => f.skb === skb) ?? -1;
    if (list && mine >= 0) list[mine] = { ...list[mine], skb: skb.copy(skb.pkt) };
    morph(skb, whole);
    skb.dev = dev;
    skb.ignore_df = true;
    net.step(skb, 'L3', 'nf_ct_frag6_reasm', FILE, net.full ? `Conntrack defrag (${NF_IP_PRI_CONNTRACK_DEFRAG}): the last missing fragment arrived; ${n} fragments are one ${skb.len}-byte packet again (no Fragment header, payload_len ${skb.len - IPV6_HLEN}), which goes on through the hook. IP6CB keeps frag_max_size ${skb.cb.fragMaxSize} and ignore_df is set, so a forward cuts it again no larger than that. No Ip6Reasm* counter moves.` : '', at);
    return { ret: 'ok' };
  } finally {
    net.leave(call);
  }
}
