// Connection tracking's core (net/netfilter/nf_conntrack_core.c, v6.12): the lookup of a
// packet's tuple (nf_conntrack_in), a new unconfirmed entry (init_conntrack), and the entry
// entering the table when its first packet leaves the last hook (__nf_conntrack_confirm). The
// tuple and TCP state helpers are in nf_conntrack.ts; the table itself is the engine's (per netns).
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName } from '../../../trace/contract';
import type { HookResult } from './core';
import type { NfEngine } from './engine';
import { IPPROTO_ICMP, IPPROTO_TCP } from '../../proto/ipv4';
import { tcpFlagString } from '../../proto/tcp';
import { pktinfo, type PktInfo } from './nf_pktinfo';
import { CT_FILE, describeTuple, icmpCanStart, innerTuple, invertTuple, isIcmpError, pktTuple, tcpNewState, tcpNextState, tupleKey, type NfConn, type Tuple } from './nf_conntrack';
import { INT_MAX, NF_IP_PRI_CONNTRACK } from './netfilter_ipv4';
import { nf_ct_acct_ext_add, nf_ct_acct_update } from './nf_conntrack_acct';
import { nf_ct_l4_error } from './nf_conntrack_l4_error';

export function nf_ct_set(skb: SkBuff, ct: NfConn, ctinfo: string): void {
  skb.nfct = { state: ctinfo, id: ct.id };
}

export function nf_conntrack_in(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): HookResult['verdict'] {
  const say = (what: string, verdict = 'NF_ACCEPT'): void => net.step(skb, 'L3', 'nf_conntrack_in', CT_FILE, what, { hook: nf.ctx(hook, NF_IP_PRI_CONNTRACK, verdict) });
  if (skb.nfct) {
    say(skb.nfct.state === 'IP_CT_UNTRACKED' ? 'Conntrack: the packet is marked untracked (notrack), so it is not looked up.' : `Conntrack: the packet already carries its entry (${skb.nfct.state}), attached when it was made, so it is not looked up again.`);
    return 'NF_ACCEPT';
  }
  const p = pktinfo(skb, hook, indev, outdev);
  // the protocol's error check (tcp_error, udp_error, nf_conntrack_icmpv4_error) runs before the
  // packet may count for a connection: one that fails it leaves no trace in the table
  const bad = nf_ct_l4_error(p, hook);
  if (bad) {
    say(`Conntrack: ${bad}, so the packet gets no entry (ct state invalid)${hook === 'NF_INET_PRE_ROUTING' && /checksum/.test(bad) ? '; checksums are verified on PRE_ROUTING only (nf_conntrack_checksum = 1)' : ''}.`);
    return 'NF_ACCEPT';
  }
  if (isIcmpError(p)) {
    const inner = innerTuple(p);
    const h = inner ? nf.hash.get(tupleKey(invertTuple(inner.t))) : undefined;
    if (!inner || !h) {
      say(`Conntrack: an ICMP error about ${inner ? describeTuple(inner.t) : 'a truncated datagram'}, which belongs to no known connection: no entry is attached (ct state invalid).`);
      return 'NF_ACCEPT';
    }
    const info = h.reply ? 'IP_CT_RELATED_REPLY' : 'IP_CT_RELATED';
    nf_ct_set(skb, h.ct, info);
    say(`Conntrack: an ICMP error quoting ${describeTuple(inner.t)}, a packet of connection #${h.ct.id}: the error is RELATED to it (${info}).`);
    return 'NF_ACCEPT';
  }
  const t = pktTuple(p);
  if (!t) {
    say('Conntrack: the transport header cannot be read (a later fragment or truncated): no entry (ct state invalid).');
    return 'NF_ACCEPT';
  }
  for (let round = 0; round < 2; round++) {
    const h = nf.hash.get(tupleKey(t));
    if (!h) return init_conntrack(nf, skb, p, t, say);
    const ct = h.ct;
    if (t.proto === IPPROTO_TCP) {
      const ns = tcpNextState(ct.tcpState ?? 'ESTABLISHED', p.tcpFlags ?? 0, h.reply);
      if (ns === 'REPEAT') {
        nf_ct_kill(nf, ct);
        say(`Conntrack: a new SYN for connection #${ct.id}, which is closed (${ct.tcpState}): the old entry is removed and the lookup is repeated (NF_REPEAT inside nf_conntrack_in).`, 'NF_REPEAT');
        continue;
      }
      ct.tcpState = ns;
    }
    const info = h.reply ? 'IP_CT_ESTABLISHED_REPLY' : ct.seenReply ? 'IP_CT_ESTABLISHED' : 'IP_CT_NEW';
    const first = h.reply && !ct.seenReply;
    if (h.reply) ct.seenReply = true;
    nf_ct_set(skb, ct, info);
    nf_ct_acct_update(ct, h.reply, skb.len);
    say(`Conntrack: ${describeTuple(t)} is the ${h.reply ? 'reply' : 'original'} direction of connection #${ct.id}${first ? ', its first reply (IPS_SEEN_REPLY is set)' : ''}: ${info}${ct.tcpState ? `, TCP state ${ct.tcpState}` : ''}.`);
    return 'NF_ACCEPT';
  }
  return 'NF_ACCEPT';
}

export function init_conntrack(nf: NfEngine, skb: SkBuff, p: PktInfo, t: Tuple, say: (w: string, v?: string) => void): HookResult['verdict'] {
  let tcpState: string | undefined;
  if (t.proto === IPPROTO_TCP) {
    const s = tcpNewState(p.tcpFlags ?? 0);
    if (!s) {
      say(`Conntrack: a TCP segment with flags [${tcpFlagString(p.tcpFlags ?? 0)}] cannot start a connection (tcp_new: invalid new): no entry is attached (ct state invalid).`);
      return 'NF_ACCEPT';
    }
    tcpState = s;
  } else if (t.proto === IPPROTO_ICMP && !icmpCanStart(t.dport)) {
    say(`Conntrack: ICMP type ${t.dport} cannot start a connection (only queries such as echo request can): no entry (ct state invalid).`);
    return 'NF_ACCEPT';
  }
  const ct: NfConn = { id: nf.nextCt++, tuple: [t, invertTuple(t)], confirmed: false, seenReply: false, status: 0, tcpState, mark: 0 };
  nf.conns.set(ct.id, ct);
  nf_ct_acct_ext_add(nf, ct);
  nf_ct_acct_update(ct, false, skb.len);
  nf_ct_set(skb, ct, 'IP_CT_NEW');
  say(`Conntrack: no entry for ${describeTuple(t)}, so init_conntrack makes connection #${ct.id} (unconfirmed until the packet leaves the last hook); the reply is expected as ${describeTuple(ct.tuple[1])}. ctinfo IP_CT_NEW${tcpState ? `, TCP state ${tcpState}` : ''}.`);
  return 'NF_ACCEPT';
}

export function nf_ct_kill(nf: NfEngine, ct: NfConn): void {
  for (const [k, v] of nf.hash) if (v.ct === ct) nf.hash.delete(k);
  nf.conns.delete(ct.id);
}

export function __nf_conntrack_confirm(nf: NfEngine, net: Net, hook: NfHookName, skb: SkBuff): HookResult['verdict'] {
  const ct = nf.ctOf(skb);
  const say = (what: string): void => net.step(skb, 'L3', '__nf_conntrack_confirm', CT_FILE, what, { hook: nf.ctx(hook, INT_MAX, 'NF_ACCEPT') });
  if (!ct) {
    say(skb.nfct?.state === 'IP_CT_UNTRACKED' ? 'Confirm: the packet is untracked: nothing to confirm.' : 'Confirm: the packet has no conntrack entry: nothing to confirm.');
    return 'NF_ACCEPT';
  }
  if (ct.confirmed) {
    say(`Confirm: connection #${ct.id} is already in the table.`);
    return 'NF_ACCEPT';
  }
  if (skb.nfct!.state.endsWith('_REPLY')) {
    say(`Confirm: connection #${ct.id} is not confirmed, and a packet of the reply direction (here one made in answer to its first packet) does not put it in the table.`);
    return 'NF_ACCEPT';
  }
  ct.confirmed = true;
  nf.hash.set(tupleKey(ct.tuple[0]), { ct, reply: false });
  nf.hash.set(tupleKey(ct.tuple[1]), { ct, reply: true });
  say(`Confirm: the first packet of connection #${ct.id} passed every hook, so the connection enters the conntrack table under both tuples: ${describeTuple(ct.tuple[0])} (original) and ${describeTuple(ct.tuple[1])} (reply).`);
  return 'NF_ACCEPT';
}

export function nf_conntrack_tuple_taken(nf: NfEngine, reply: Tuple, self: NfConn): boolean {
  const h = nf.hash.get(tupleKey(reply));
  return !!h && h.ct !== self;
}
