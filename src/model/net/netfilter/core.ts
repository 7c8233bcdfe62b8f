// The netfilter hook points (include/linux/netfilter.h NF_HOOK, net/netfilter/core.c
// nf_hook_slow). The IPv4 stack calls nf_hook at the five NF_INET_* hooks; what runs there is
// the host's NetfilterEngine (nftables / iptables rules, conntrack, NAT), when it has one.
import type { SkbDropReason } from '../core/dropreason';
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { NfHookName, NfVerdict } from '../../../trace/contract';

export interface HookResult {
  verdict: NfVerdict;
  /** the errno the verdict carries (NF_DROP_GETERR): -EPERM with nft_do_chain's NF_STOLEN for a drop */
  err?: number;
  /** for NF_DROP from a rule: the drop reason name without the prefix (NETFILTER_DROP…) */
  reason?: SkbDropReason;
}

/** The protocol family a hook belongs to (NFPROTO_IPV4 or NFPROTO_IPV6): each has its own hook lists. */
export type NfProto = 'ipv4' | 'ipv6';

/** What issue 3's rule engine plugs in: runs the base chains on a hook, in priority order. */
export interface NetfilterEngine {
  hasChains(hook: NfHookName, pf?: NfProto): boolean;
  run(net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, pf?: NfProto): HookResult;
}

const HOOK_FILE = 'include/linux/netfilter.h';
const CORE_FILE = 'net/netfilter/core.c';

const NEXT: Record<NfHookName, string> = {
  NF_INET_PRE_ROUTING: 'ip_rcv_finish',
  NF_INET_LOCAL_IN: 'ip_local_deliver_finish',
  NF_INET_FORWARD: 'ip_forward_finish',
  NF_INET_LOCAL_OUT: 'dst_output',
  NF_INET_POST_ROUTING: 'ip_finish_output',
};

const EPERM = 1;

/** The step of a hook with no base chain: its sentence and hook context. */
interface PassThrough {
  what: string;
  extra: { hook: { hook: NfHookName; verdict: NfVerdict } };
}
/** by family, hook and okfn: nested Maps of constant strings, whose hashes V8 keeps (a key built per packet is hashed anew) */
const PASS_THROUGH = new Map<NfProto, Map<NfHookName, Map<string, PassThrough>>>();

/**
 * Made once per family, hook and okfn, not per packet: a packet passes about four hooks without
 * a chain, and a sentence closure and two objects each were the fates path's largest allocation.
 * The context is shared by the events that carry it (the recorder interns contexts anyway).
 */
function passThrough(pf: NfProto, hook: NfHookName, next: string): PassThrough {
  let byHook = PASS_THROUGH.get(pf);
  if (byHook === undefined) PASS_THROUGH.set(pf, (byHook = new Map()));
  let byNext = byHook.get(hook);
  if (byNext === undefined) byHook.set(hook, (byNext = new Map()));
  let p = byNext.get(next);
  if (p === undefined) {
    const fam = pf === 'ipv6' ? ' (NFPROTO_IPV6)' : '';
    p = {
      what: `${hook}${fam}: no netfilter base chain is registered on this hook, so the packet goes straight on to ${next}.`,
      extra: Object.freeze({ hook: Object.freeze({ hook, verdict: 'NF_ACCEPT' as NfVerdict }) }),
    };
    byNext.set(next, p);
  }
  return p;
}

/** nf_hook_slow runs the hook's entries: a function of its own, so that a hook without a chain makes no closure context */
function nf_hook_slow(net: Net, engine: NetfilterEngine, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, pf: NfProto): HookResult {
  const c = net.enter('nf_hook_slow');
  try {
    return engine.run(net, hook, skb, indev, outdev, pf);
  } finally {
    net.leave(c);
  }
}

/**
 * NF_HOOK: run the hook, then `okfn` if the verdict lets the packet go on. With no base chain
 * on the hook the kernel skips netfilter entirely (a static key), and so does the model, but
 * the step is still shown so that a learner sees where the hook sits. Returns what nf_hook_slow
 * returns (v6.12): 1 when the packet went on to `okfn`, 0 when a hook kept it (stolen, queued),
 * -errno when a hook freed it (-EPERM for NF_DROP).
 */
export function NF_HOOK(net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, okfn: () => void): number {
  return nf_hook_pf(net, 'ipv4', hook, skb, indev, outdev, NEXT[hook], okfn);
}

/** nf_hook of an IPv4 hook; 1: the caller calls the hook's okfn (the one NF_HOOK names for it). */
export function nf_hook_ipv4(net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): number {
  return nf_hook(net, 'ipv4', hook, skb, indev, outdev, NEXT[hook]);
}

/** NF_HOOK for either family: `next` names the okfn for the sentence (ip6_rcv_finish, …). */
export function nf_hook_pf(net: Net, pf: NfProto, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, next: string, okfn: () => void): number {
  const ret = nf_hook(net, pf, hook, skb, indev, outdev, next);
  if (ret === 1) okfn();
  return ret;
}

/**
 * nf_hook as NF_HOOK uses it: runs the hook and returns 1 when the packet goes on, and the caller
 * then calls the okfn itself (the kernel's nf_hook returns the same). A hot caller that calls its
 * okfn directly makes no closure for it (`if (nf_hook_ipv4(…) === 1) ip_forward_finish(net, skb)`).
 */
export function nf_hook(net: Net, pf: NfProto, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, next: string): number {
  const engine = net.nf;
  if (!engine || !engine.hasChains(hook, pf)) {
    const pass = passThrough(pf, hook, next);
    net.step(skb, 'L3', 'NF_HOOK', HOOK_FILE, pass.what, pass.extra);
    return 1;
  }
  const res = nf_hook_slow(net, engine, hook, skb, indev, outdev, pf);
  switch (res.verdict) {
    case 'NF_ACCEPT':
      return 1;
    case 'NF_DROP':
      // a hook function's NF_DROP (conntrack, a failed re-route) is freed here; an nf_tables
      // chain's drop comes as NF_STOLEN with EPERM, freed in nft_do_chain already
      net.drop(skb, 'L3', 'nf_hook_slow', CORE_FILE, res.reason ?? 'NETFILTER_DROP', net.full ? `${hook}: the verdict is NF_DROP, so nf_hook_slow frees the packet.` : '');
      return res.err ?? -EPERM;
    case 'NF_QUEUE':
      // nf_queue: no program listens on the queue (__nf_queue fails with -ESRCH) and the rule
      // has no bypass, so nf_queue frees the packet with a plain kfree_skb (NOT_SPECIFIED)
      net.drop(skb, 'L3', 'nf_queue', 'net/netfilter/nf_queue.c', 'NOT_SPECIFIED', net.full ? `${hook}: the verdict is NF_QUEUE but no program listens on the queue, so nf_queue frees the packet (a plain kfree_skb: no drop reason).` : '');
      return 0;
    case 'NF_STOLEN':
      // with an errno, the packet was dropped by the hook function that stole it
      if (res.err) return res.err;
      net.step(skb, 'L3', 'nf_hook_slow', CORE_FILE, net.full ? `${hook}: the verdict is NF_STOLEN: netfilter took the packet over (e.g. queued for reassembly).` : '', { hook: { hook, verdict: 'NF_STOLEN' } });
      return 0;
    default:
      return 1;
  }
}
