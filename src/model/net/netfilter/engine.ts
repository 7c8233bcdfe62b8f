// The host's netfilter: what is registered on each hook of each family (NFPROTO_IPV4 and
// NFPROTO_IPV6 have their own lists) and how nf_hook_slow runs it
// (net/netfilter/core.c). Entries on a hook run in priority order; at equal priority the one
// registered later runs first (nf_hook_entries_grow inserts a new entry before the first one of
// equal or higher priority). The entries are:
//   - nf_tables base chains of family ip and inet on IPv4's hooks, ip6 and inet on IPv6's
//     (filter and route types, and iptables-nft's),
//   - nf_defrag_ipv4 (-400) and nf_conntrack (-200) on PRE_ROUTING/LOCAL_OUT, and nf_confirm
//     (INT_MAX) on POST_ROUTING/LOCAL_IN — registered once a rule needs conntrack
//     (nf_ct_netns_get), as the kernel does,
//   - the NAT hook (nf_nat_ipv4_ops: -100 on PRE_ROUTING/LOCAL_OUT, 100 on POST_ROUTING/LOCAL_IN),
//     registered with the first nat chain; the nat chains run inside it, ordered by their own
//     priority, and only for a connection's first packet (nf_nat_inet_fn). IPv6 has the same
//     entries at the same priorities (nf_defrag_ipv6.ts, nf_nat_proto_ipv6.ts), registered by
//     the ip6 and inet tables that need them.
// The hook functions live in files named after the kernel's (v6.12): nf_defrag_ipv4.ts,
// nf_conntrack_core.ts, nf_nat_proto.ts and nf_nat_core.ts, and the statements' services in
// nft_nat.ts, nf_reject_ipv4.ts, nf_log_syslog.ts; ip_route_me_harder is ../ipv4/netfilter.ts.
// This file keeps the per-netns state (the ruleset, the conntrack table) and nf_hook_slow.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { HookContext, NfHookName } from '../../../trace/contract';
import type { HookResult, NetfilterEngine, NfProto } from './core';
import { pktinfo6 } from './nf_pktinfo_ipv6';
import { nft_reject_ipv6 } from './nf_reject_ipv6';
import { readIp } from '../../proto/ipv4';
import { ip_route_me_harder } from '../ipv4/netfilter';
import { ip6_route_me_harder } from '../ipv6/netfilter';
import { pktinfo, pktinfoDone } from './nf_pktinfo';
import { scanRules } from './nf_tables_validate';
import { nft_do_chain, HOOK_OF, type Chain, type ChainResult, type EvalCtx, type NfServices, type RejectHow, type Rule, type Table, type Verdict } from './nf_tables';
import { tupleKey, type NfConn, type Tuple } from './nf_conntrack';
import { hook2manip } from './nf_nat';
import { INT_MAX, NF_IP_PRI_CONNTRACK, NF_IP_PRI_CONNTRACK_DEFRAG, NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC } from './netfilter_ipv4';
import { ipv4_conntrack_defrag } from './nf_defrag_ipv4';
import { __nf_conntrack_confirm, nf_conntrack_in, nf_ct_find } from './nf_conntrack_core';
import { nf_nat_ipv4_fn } from './nf_nat_proto';
import { nf_nat_ipv6_fn } from './nf_nat_proto_ipv6';

/**
 * nf_hook_slow's step's hook context, one frozen object a hook, so a full trace's recorder
 * interns it by the object (Recorder.hookId) where a new one a step was walked key by key.
 */
const slowExtras = new Map<NfHookName, { hook: HookContext }>();
function slowExtra(hook: NfHookName): { hook: HookContext } {
  let x = slowExtras.get(hook);
  if (x === undefined) {
    x = Object.freeze({ hook: Object.freeze({ hook }) });
    slowExtras.set(hook, x);
  }
  return x;
}
import { ipv6_defrag } from './nf_defrag_ipv6';
import { inet4, type InetAddr } from '../../proto/inet_addr';
import type { NatAddrRange } from './nf_nat';
import { nft_nat_eval } from './nft_nat';
import { nf_log_ip6_packet, nf_log_ip_packet } from './nf_log_syslog';
import { nf_send_reset, nf_send_unreach } from './nf_reject_ipv4';

const CORE_FILE = 'net/netfilter/core.c';

/** nf_hook_slow's result when every entry accepted: shared (the caller only reads it). */
const ACCEPTED: HookResult = Object.freeze({ verdict: 'NF_ACCEPT' });

type Entry =
  | { kind: 'chain'; priority: number; seq: number; chain: Chain }
  | { kind: 'defrag' | 'ct_in' | 'confirm' | 'nat'; priority: number; seq: number };

export class NfError extends Error {}

export interface RulesetState {
  tables: Table[];
  /** each rules and elements array as it was, by its length then */
  lengths: Map<unknown[], number>;
  ctSeq: number | null;
  natSeq: number | null;
  ct6Seq: number | null;
  nat6Seq: number | null;
}

export class NfEngine implements NetfilterEngine, NfServices {
  tables: Table[] = [];
  private seq = 0;
  private handle = 0;
  /** registration sequence of the IPv4 conntrack hooks (null: not registered) */
  ctSeq: number | null = null;
  natSeq: number | null = null;
  /**
   * The IPv6 ones: nf_ct_netns_get registers each family's hooks for the family of the table
   * that needs them (an inet table both), as the NAT hooks follow the nat chains' families.
   */
  ct6Seq: number | null = null;
  nat6Seq: number | null = null;
  readonly conns = new Map<number, NfConn>();
  readonly hash = new Map<string, { ct: NfConn; reply: boolean }>();
  nextCt = 1;
  readonly traced = new WeakSet<SkBuff>();
  /**
   * Each hook's entry list, made on the first packet at that hook after the ruleset last changed
   * (a packet passes four or five hooks; walking the tables and sorting at each was a fates
   * path cost). The ruleset changes only in a transaction, which ends in commit() or restore():
   * both drop the lists. The lists hold the chain objects, so a chain's policy and rules are read
   * as they are when the packet runs.
   */
  private hooks4: Partial<Record<NfHookName, readonly Entry[]>> = {};
  private hooks6: Partial<Record<NfHookName, readonly Entry[]>> = {};

  constructor(readonly net: Net) {}

  static of(net: Net): NfEngine {
    if (net.nf instanceof NfEngine) return net.nf;
    const e = new NfEngine(net);
    net.nf = e;
    return e;
  }

  // ---- the ruleset, as the parsers change it ----

  nextSeq(): number {
    return ++this.seq;
  }
  nextHandle(): number {
    return ++this.handle;
  }

  table(family: string, name: string): Table | undefined {
    return this.tables.find((t) => t.family === family && t.name === name);
  }

  /**
   * A copy to roll back to when a transaction fails half way (nft -f is all or nothing). Tables,
   * chains and sets are copied; their rules and elements are not: an array is only ever appended
   * to in place (any other change gives it a new array), so keeping the array and its length is
   * enough, and a ruleset built one rule per line costs no more than its rules.
   */
  save(): RulesetState {
    const lengths = new Map<unknown[], number>();
    return {
      tables: this.tables.map((t) => {
        const nt: Table = { ...t, chains: new Map(), sets: t.sets && new Map([...t.sets].map(([k, v]) => [k, { ...v }])), objects: t.objects && new Map(t.objects) };
        for (const [k, c] of t.chains) nt.chains.set(k, { ...c, table: nt });
        for (const c of nt.chains.values()) lengths.set(c.rules, c.rules.length);
        for (const v of nt.sets?.values() ?? []) lengths.set(v.elems, v.elems.length);
        return nt;
      }),
      lengths,
      ctSeq: this.ctSeq,
      natSeq: this.natSeq,
      ct6Seq: this.ct6Seq,
      nat6Seq: this.nat6Seq,
    };
  }

  restore(s: RulesetState): void {
    this.rulesetChanged();
    for (const [arr, len] of s.lengths) arr.length = len;
    this.tables = s.tables;
    this.ctSeq = s.ctSeq;
    this.natSeq = s.natSeq;
    this.ct6Seq = s.ct6Seq;
    this.nat6Seq = s.nat6Seq;
  }

  /** After a change: conntrack and the NAT hook are registered while something uses them. */
  commit(): void {
    this.rulesetChanged();
    let ct = false;
    let nat = false;
    let ct6 = false;
    let nat6 = false;
    for (const t of this.tables) {
      const v4 = familySees(t, 'ipv4');
      const v6 = familySees(t, 'ipv6');
      for (const c of t.chains.values()) {
        if (c.base?.type === 'nat') {
          nat ||= v4;
          nat6 ||= v6;
        }
        if (scanRules(c.rules).ct > 0) {
          const need = ctFamilies(c.rules);
          ct ||= v4 && need.ipv4;
          ct6 ||= v6 && need.ipv6;
        }
      }
    }
    // in the order the kernel registers them within one transaction: IPv4 first, then IPv6
    // (nf_ct_netns_inet_get, nf_nat_inet_register_fn)
    if (nat && this.natSeq === null) this.natSeq = this.nextSeq();
    if (!nat) this.natSeq = null;
    if (ct && this.ctSeq === null) this.ctSeq = this.nextSeq();
    if (!ct) this.ctSeq = null;
    if (nat6 && this.nat6Seq === null) this.nat6Seq = this.nextSeq();
    if (!nat6) this.nat6Seq = null;
    if (ct6 && this.ct6Seq === null) this.ct6Seq = this.nextSeq();
    if (!ct6) this.ct6Seq = null;
  }

  /** Drops the cached entry lists: the next packet at each hook makes its list anew. */
  private rulesetChanged(): void {
    this.hooks4 = {};
    this.hooks6 = {};
  }

  /**
   * nf_hook_slow's sentence for the hook's entries: made once per list of entries (a change of
   * the ruleset makes new lists), where it was made at every hook of every packet, with the NAT
   * chains listed and sorted anew for each entry.
   */
  private slowWhat(es: readonly Entry[], hook: NfHookName, pf: NfProto): string {
    let text = this.slowWhats.get(es);
    if (text === undefined) {
      const nat = this.natChains(hook, pf);
      text = `${hook}: ${es.length} hook function${es.length > 1 ? 's' : ''} registered, run in priority order: ${es.map((e) => `${entryName(e, nat)} (${prioName(e.priority)})`).join(', ')}.`;
      this.slowWhats.set(es, text);
    }
    return text;
  }
  private slowWhats = new WeakMap<readonly Entry[], string>();

  /** The hook's entries in the order nf_hook_slow runs them, as the ruleset is now. */
  private entries(hook: NfHookName, pf: NfProto): readonly Entry[] {
    const cache = pf === 'ipv6' ? this.hooks6 : this.hooks4;
    return cache[hook] ?? (cache[hook] = Object.freeze(this.makeEntries(hook, pf)));
  }

  private makeEntries(hook: NfHookName, pf: NfProto): Entry[] {
    const out: Entry[] = [];
    for (const t of this.tables) {
      if (!familySees(t, pf)) continue;
      for (const c of t.chains.values()) {
        if (!c.base || c.base.type === 'nat' || HOOK_OF[c.base.hook] !== hook) continue;
        out.push({ kind: 'chain', priority: c.base.priority, seq: c.regSeq, chain: c });
      }
    }
    // the IPv6 hooks' priorities are the same numbers (NF_IP6_PRI_CONNTRACK_DEFRAG -400,
    // NF_IP6_PRI_CONNTRACK -200, NF_IP6_PRI_NAT_DST -100, NF_IP6_PRI_NAT_SRC 100, NF_IP6_PRI_LAST)
    const ctSeq = pf === 'ipv6' ? this.ct6Seq : this.ctSeq;
    const natSeq = pf === 'ipv6' ? this.nat6Seq : this.natSeq;
    if (ctSeq !== null) {
      if (hook === 'NF_INET_PRE_ROUTING' || hook === 'NF_INET_LOCAL_OUT') {
        out.push({ kind: 'defrag', priority: NF_IP_PRI_CONNTRACK_DEFRAG, seq: ctSeq });
        out.push({ kind: 'ct_in', priority: NF_IP_PRI_CONNTRACK, seq: ctSeq });
      }
      if (hook === 'NF_INET_POST_ROUTING' || hook === 'NF_INET_LOCAL_IN') out.push({ kind: 'confirm', priority: INT_MAX, seq: ctSeq });
    }
    if (natSeq !== null && hook !== 'NF_INET_FORWARD') {
      out.push({ kind: 'nat', priority: hook2manip(hook) === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC, seq: natSeq });
    }
    return out.sort((a, b) => a.priority - b.priority || b.seq - a.seq);
  }

  /** The nat chains of a hook of one family (inet chains are on both), in the order nf_nat_register_fn inserted them. */
  natChains(hook: NfHookName, pf: NfProto = 'ipv4'): Chain[] {
    const out: Chain[] = [];
    for (const t of this.tables) if (familySees(t, pf)) for (const c of t.chains.values()) if (c.base?.type === 'nat' && HOOK_OF[c.base.hook] === hook) out.push(c);
    return out.sort((a, b) => a.base!.priority - b.base!.priority || b.regSeq - a.regSeq);
  }

  /** Whether the hook has any entry: asked at every hook a packet passes. */
  hasChains(hook: NfHookName, pf: NfProto = 'ipv4'): boolean {
    return this.entries(hook, pf).length > 0;
  }

  // ---- nf_hook_slow ----

  run(net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, pf: NfProto = 'ipv4'): HookResult {
    const es = this.entries(hook, pf);
    if (net.full) net.step(skb, 'L3', 'nf_hook_slow', CORE_FILE, this.slowWhat(es, hook, pf), slowExtra(hook));
    else net.step(skb, 'L3', 'nf_hook_slow', CORE_FILE, '');
    // an index, not for-of: the array iterator's objects were an allocation per hook a packet passed
    for (let i = 0; i < es.length; i++) {
      const e = es[i];
      const v = this.runEntry(net, e, hook, skb, indev, outdev, pf);
      if (v.verdict === 'NF_ACCEPT') continue;
      if (v.verdict === 'NF_QUEUE' && v.queue?.bypass) {
        net.step(skb, 'L3', 'nf_queue', 'net/netfilter/nf_queue.c', net.full ? `${hook}: no program listens on queue ${v.queue.num ?? 0}, but the rule says bypass: the packet goes on as if accepted.` : '', { hook: { hook, verdict: 'NF_ACCEPT' } });
        continue;
      }
      return { verdict: v.verdict, ...(v.err !== undefined && { err: v.err }) };
    }
    return ACCEPTED;
  }

  /** An entry's verdict: a chain's (with its queue), or a hook function's (its drop reason is not passed on). */
  private runEntry(net: Net, e: Entry, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null, pf: NfProto): { verdict: HookResult['verdict']; err?: number; queue?: ChainResult['queue'] } {
    switch (e.kind) {
      case 'chain': {
        const c = e.chain;
        if (pf === 'ipv6') {
          // nft_do_chain_ipv6 / nft_do_chain_inet (nft_chain_filter.c) with nft_set_pktinfo_ipv6;
          // a route chain on LOCAL_OUT is nf_route_table_hook6 (nft_chain_route.c)
          const route = c.base!.type === 'route' && hook === 'NF_INET_LOCAL_OUT';
          const fn = route ? 'nf_route_table_hook6' : c.table.family === 'inet' ? 'nft_do_chain_inet' : 'nft_do_chain_ipv6';
          return net.call(fn, () => {
            const p = pktinfo6(skb, hook, indev, outdev);
            const before = route ? routeKey6(skb) : '';
            net.step(skb, 'L3', fn, route ? 'net/netfilter/nft_chain_route.c' : 'net/netfilter/nft_chain_filter.c', net.full ? net.say(baseChainWhat, c, c.base!.policy, c.rules.length, ', for an IPv6 packet') : '', { hook: { hook, family: c.table.family, table: c.table.name, chain: c.name, priority: c.base!.priority } });
            const res = nft_do_chain(this, net, c, p, this.traced);
            // nf_route_table_hook6: a changed source, destination, mark, hop limit or first header
            // word (version, traffic class, flow label) routes the packet again
            if (route && res.verdict === 'NF_ACCEPT' && routeKey6(skb) !== before) {
              const err = ip6_route_me_harder(net, skb, hook, 'the route chain changed the packet or its mark');
              if (err < 0) return { verdict: 'NF_DROP', err };
            }
            return res;
          });
        }
        const fn = c.base!.type === 'route' ? 'nf_route_table_hook4' : c.table.family === 'inet' ? 'nft_do_chain_inet' : 'nft_do_chain_ipv4';
        // enter/leave and no closure: this runs for every base chain a packet meets
        const call = net.enter(fn);
        const p = pktinfo(skb, hook, indev, outdev);
        try {
          const reroute = c.base!.type === 'route' && hook === 'NF_INET_LOCAL_OUT';
          const before = reroute ? { saddr: p.iph.saddr, daddr: p.iph.daddr, mark: skb.mark, tos: p.iph.tos } : null;
          const full = net.full;
          net.step(skb, 'L3', fn, c.base!.type === 'route' ? 'net/netfilter/nft_chain_route.c' : 'net/netfilter/nft_chain_filter.c', full ? net.say(baseChainWhat, c, c.base!.policy, c.rules.length, '') : '', full ? { hook: { hook, family: c.table.family, table: c.table.name, chain: c.name, priority: c.base!.priority } } : undefined);
          const res = nft_do_chain(this, net, c, p, this.traced);
          if (res.verdict === 'NF_ACCEPT' && before !== null) {
            const iph = readIp(skb.buf, skb.network_header);
            if (iph.saddr !== before.saddr || iph.daddr !== before.daddr || skb.mark !== before.mark || iph.tos !== before.tos) {
              if (!ip_route_me_harder(net, skb, hook, `the route chain changed the ${skb.mark !== before.mark ? 'mark' : 'addresses'}`)) return { verdict: 'NF_DROP' };
            }
          }
          return res;
        } finally {
          pktinfoDone();
          net.leave(call);
        }
      }
      case 'defrag':
        return pf === 'ipv6' ? ipv6_defrag(this, net, hook, skb) : ipv4_conntrack_defrag(this, net, hook, skb);
      case 'ct_in': {
        const fam = pf === 'ipv6' ? 'ipv6' : 'ipv4';
        return { verdict: net.call(hook === 'NF_INET_PRE_ROUTING' ? `${fam}_conntrack_in` : `${fam}_conntrack_local`, () => nf_conntrack_in(this, net, hook, skb, indev, outdev, pf)) };
      }
      case 'confirm':
        return { verdict: net.call('nf_confirm', () => __nf_conntrack_confirm(this, net, hook, skb, pf)) };
      case 'nat':
        return pf === 'ipv6' ? nf_nat_ipv6_fn(this, net, hook, skb, indev, outdev) : nf_nat_ipv4_fn(this, net, hook, skb, indev, outdev);
    }
  }

  ctx(hook: NfHookName, priority: number, verdict: string, table?: string, pf: NfProto = 'ipv4'): HookContext {
    return { hook, family: pf === 'ipv6' ? 'ip6' : 'ip', priority, verdict, ...(table ? { table } : {}) };
  }

  // ---- nf_conntrack: the per-netns table's accessors (include/net/netfilter/nf_conntrack.h) ----

  ctOf(skb: SkBuff): NfConn | null {
    if (!skb.nfct || !skb.nfct.id) return null;
    return this.conns.get(skb.nfct.id) ?? null;
  }

  ctFind(t: Tuple): NfConn | null {
    return nf_ct_find(this, tupleKey(t))?.ct ?? null;
  }

  ctState(skb: SkBuff): string | null {
    // a ctinfo without an entry (nf_ct_attach of an untracked packet's answer) reads as invalid
    if (skb.nfct && !skb.nfct.id && skb.nfct.state !== 'IP_CT_UNTRACKED') return null;
    return skb.nfct ? skb.nfct.state : null;
  }

  // ---- services for rule expressions ----

  nat(x: EvalCtx, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect', addr: InetAddr | number | null, ports: [number, number] | null, base?: number, range?: NatAddrRange): Verdict | boolean {
    return nft_nat_eval(this, x, kind, typeof addr === 'number' ? inet4(addr) : addr, ports, base, range);
  }

  notrack(x: EvalCtx): void {
    // nft_notrack_eval / xt_ct_target (v6.12): a packet that already carries an entry or the
    // untracked mark (one sent over loopback keeps what conntrack gave it on the way out) is left
    // as it is
    if (x.p.skb.nfct) return;
    x.p.skb.nfct = { state: 'IP_CT_UNTRACKED', id: 0 };
  }

  setTrace(x: EvalCtx): void {
    this.traced.add(x.p.skb);
  }

  markChanged(): void {
    /* route chains compare the mark before and after */
  }

  log(x: EvalCtx, prefix: string): void {
    if (x.p.pf === 'ipv6') nf_log_ip6_packet(x, prefix);
    else nf_log_ip_packet(x, prefix);
  }

  reject(x: EvalCtx, how: RejectHow): void {
    const { net, p } = x;
    if (p.pf === 'ipv6') {
      nft_reject_ipv6(net, p, how);
      return;
    }
    if (how.tcpReset) nf_send_reset(net, p);
    else nf_send_unreach(net, p, how.icmpCode ?? 3);
  }
}

/** The sentence of a base chain's entry step (`tail`: what the packet is, for IPv6). */
/**
 * The sentence of a base chain's step (net.say): of the chain, what of it can change (its policy,
 * its number of rules) given apart; its names, type, hook and priority are fixed for its life.
 */
function baseChainWhat(c: Chain, policy: string, rules: number, tail: string): string {
  return `Base chain ${c.table.family} ${c.table.name} ${c.name} (type ${c.base!.type} hook ${c.base!.hook} priority ${c.base!.priority}; policy ${policy}${c.table.owner ? '; made by iptables-nft' : ''}): ${rules} rule${rules === 1 ? '' : 's'}${tail}.`;
}

function entryName(e: Entry, nat: Chain[]): string {
  switch (e.kind) {
    case 'chain':
      return `${e.chain.table.family} ${e.chain.table.name} ${e.chain.name}`;
    case 'defrag':
      return 'conntrack defrag';
    case 'ct_in':
      return 'conntrack';
    case 'confirm':
      return 'conntrack confirm';
    case 'nat':
      return `nat${nat.length ? ` [${nat.map((c) => `${c.table.family} ${c.table.name} ${c.name}`).join(', ')}]` : ''}`;
  }
}

function prioName(p: number): string {
  return p === INT_MAX ? 'INT_MAX' : String(p);
}


/** Which tables a family's hooks see: ip tables IPv4 packets, ip6 tables IPv6 ones, inet tables both. */
function familySees(t: Table, pf: NfProto): boolean {
  return t.family === 'inet' || (t.family === 'ip') === (pf === 'ipv4');
}

/** The families whose conntrack a chain's rules need (Expr.ctFamily narrows one expression to its own). */
function ctFamilies(rules: Rule[]): { ipv4: boolean; ipv6: boolean } {
  const out = { ipv4: false, ipv6: false };
  for (const r of rules)
    for (const x of r.exprs) {
      if (!x.needsCt) continue;
      if (x.ctFamily !== 'ipv6') out.ipv4 = true;
      if (x.ctFamily !== 'ipv4') out.ipv6 = true;
    }
  return out;
}

/** What nf_route_table_hook6 saves before the chain: saddr, daddr, the first word, hop limit, and the mark. */
function routeKey6(skb: SkBuff): string {
  const nh = skb.network_header;
  return `${Array.from(skb.buf.subarray(nh, nh + 4)).join(',')}|${skb.buf[nh + 7]}|${Array.from(skb.buf.subarray(nh + 8, nh + 40)).join(',')}|${skb.mark}`;
}
