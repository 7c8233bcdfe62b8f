// The host's netfilter: what is registered on each IPv4 hook and how nf_hook_slow runs it
// (net/netfilter/core.c). Entries on a hook run in priority order; at equal priority the one
// registered later runs first (nf_hook_entries_grow inserts a new entry before the first one of
// equal or higher priority). The entries are:
//   - nf_tables base chains of family ip and inet (filter and route types, and iptables-nft's),
//   - nf_defrag_ipv4 (-400) and nf_conntrack (-200) on PRE_ROUTING/LOCAL_OUT, and nf_confirm
//     (INT_MAX) on POST_ROUTING/LOCAL_IN — registered once a rule needs conntrack
//     (nf_ct_netns_get), as the kernel does,
//   - the NAT hook (nf_nat_ipv4_ops: -100 on PRE_ROUTING/LOCAL_OUT, 100 on POST_ROUTING/LOCAL_IN),
//     registered with the first nat chain; the nat chains run inside it, ordered by their own
//     priority, and only for a connection's first packet (nf_nat_inet_fn).
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { SkBuff } from '../core/skbuff';
import type { HookContext, NfHookName } from '../../../trace/contract';
import type { HookResult, NetfilterEngine } from './core';
import { numToIp } from '../../proto/addr';
import { IP_MF, IP_OFFSET, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, PROTO_NAMES, readIp, writeIp } from '../../proto/ipv4';
import { TCP_HLEN, TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN, readTcp, tcpFlagString, writeTcp } from '../../proto/tcp';
import { ICMP_DEST_UNREACH } from '../../proto/icmp';
import { ETH_P_IP } from '../../proto/ethernet';
import { allocSkb } from '../core/skbuff';
import { Rtable } from '../ipv4/route_types';
import { IP4_REPLY_MARK, icmp_send } from '../ipv4/icmp';
import { writePseudoChecksum } from '../core/checksum_offload';
import { inet_select_addr, isLocalAddr, tableName } from '../ipv4/route';
import { ip_local_out } from '../ipv4/ip_output';
import { ip_defrag } from '../ipv4/ip_fragment';
import { pktinfo, type PktInfo } from './nf_pktinfo';
import { nf_ct_attach } from './nf_ct_attach';
import { nf_ct_acct_ext_add, nf_ct_acct_update } from './nf_conntrack_acct';
import { scanRules } from './nf_tables_validate';
import { nft_do_chain, HOOK_OF, type Chain, type EvalCtx, type NfServices, type Table, type Verdict, type ChainResult } from './nf_tables';
import { CT_FILE, describeTuple, icmpCanStart, innerTuple, invertTuple, isIcmpError, pktTuple, tcpNewState, tcpNextState, tupleKey, type NfConn, type Tuple } from './nf_conntrack';
import { hook2manip, icmpRecsum, manipPkt, natInitialized, natTarget, nf_nat_null_binding, nf_nat_setup_info, NAT_FILE, NAT_PROTO_FILE, type ManipType } from './nf_nat';

const CORE_FILE = 'net/netfilter/core.c';
const INT_MAX = 2147483647;
const NF_IP_PRI_CONNTRACK_DEFRAG = -400;
const NF_IP_PRI_CONNTRACK = -200;
const NF_IP_PRI_NAT_DST = -100;
const NF_IP_PRI_NAT_SRC = 100;

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
}

export class NfEngine implements NetfilterEngine, NfServices {
  tables: Table[] = [];
  private seq = 0;
  private handle = 0;
  /** registration sequence of the conntrack hooks (null: not registered) */
  ctSeq: number | null = null;
  natSeq: number | null = null;
  readonly conns = new Map<number, NfConn>();
  private readonly hash = new Map<string, { ct: NfConn; reply: boolean }>();
  private nextCt = 1;
  private readonly traced = new WeakSet<SkBuff>();

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
        const nt: Table = { ...t, chains: new Map(), sets: t.sets && new Map([...t.sets].map(([k, v]) => [k, { ...v }])) };
        for (const [k, c] of t.chains) nt.chains.set(k, { ...c, table: nt });
        for (const c of nt.chains.values()) lengths.set(c.rules, c.rules.length);
        for (const v of nt.sets?.values() ?? []) lengths.set(v.elems, v.elems.length);
        return nt;
      }),
      lengths,
      ctSeq: this.ctSeq,
      natSeq: this.natSeq,
    };
  }

  restore(s: RulesetState): void {
    for (const [arr, len] of s.lengths) arr.length = len;
    this.tables = s.tables;
    this.ctSeq = s.ctSeq;
    this.natSeq = s.natSeq;
  }

  /** After a change: conntrack and the NAT hook are registered while something uses them. */
  commit(): void {
    let ct = false;
    let nat = false;
    for (const t of this.tables) {
      for (const c of t.chains.values()) {
        if (c.base?.type === 'nat') nat = true;
        if (scanRules(c.rules).ct > 0) ct = true;
      }
    }
    if (nat && this.natSeq === null) this.natSeq = this.nextSeq();
    if (!nat) this.natSeq = null;
    if (ct && this.ctSeq === null) this.ctSeq = this.nextSeq();
    if (!ct) this.ctSeq = null;
  }

  private entries(hook: NfHookName): Entry[] {
    const out: Entry[] = [];
    for (const t of this.tables) {
      for (const c of t.chains.values()) {
        if (!c.base || c.base.type === 'nat' || HOOK_OF[c.base.hook] !== hook) continue;
        out.push({ kind: 'chain', priority: c.base.priority, seq: c.regSeq, chain: c });
      }
    }
    if (this.ctSeq !== null) {
      if (hook === 'NF_INET_PRE_ROUTING' || hook === 'NF_INET_LOCAL_OUT') {
        out.push({ kind: 'defrag', priority: NF_IP_PRI_CONNTRACK_DEFRAG, seq: this.ctSeq });
        out.push({ kind: 'ct_in', priority: NF_IP_PRI_CONNTRACK, seq: this.ctSeq });
      }
      if (hook === 'NF_INET_POST_ROUTING' || hook === 'NF_INET_LOCAL_IN') out.push({ kind: 'confirm', priority: INT_MAX, seq: this.ctSeq });
    }
    if (this.natSeq !== null && hook !== 'NF_INET_FORWARD') {
      out.push({ kind: 'nat', priority: hook2manip(hook) === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC, seq: this.natSeq });
    }
    return out.sort((a, b) => a.priority - b.priority || b.seq - a.seq);
  }

  /** The nat chains of a hook, in the order nf_nat_register_fn inserted them. */
  private natChains(hook: NfHookName): Chain[] {
    const out: Chain[] = [];
    for (const t of this.tables) for (const c of t.chains.values()) if (c.base?.type === 'nat' && HOOK_OF[c.base.hook] === hook) out.push(c);
    return out.sort((a, b) => a.base!.priority - b.base!.priority || b.regSeq - a.regSeq);
  }

  hasChains(hook: NfHookName): boolean {
    return this.entries(hook).length > 0;
  }

  // ---- nf_hook_slow ----

  run(net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): HookResult {
    const es = this.entries(hook);
    const names = es.map((e) => `${entryName(e, this.natChains(hook))} (${prioName(e.priority)})`);
    net.step(skb, 'L3', 'nf_hook_slow', CORE_FILE, `${hook}: ${es.length} hook function${es.length > 1 ? 's' : ''} registered, run in priority order: ${names.join(', ')}.`, { hook: { hook } });
    for (const e of es) {
      const v = this.runEntry(net, e, hook, skb, indev, outdev);
      if (v.verdict === 'NF_ACCEPT') continue;
      if (v.verdict === 'NF_QUEUE' && v.bypass) {
        net.step(skb, 'L3', 'nf_queue', 'net/netfilter/nf_queue.c', `${hook}: no program listens on queue ${v.queueNum ?? 0}, but the rule says bypass: the packet goes on as if accepted.`, { hook: { hook, verdict: 'NF_ACCEPT' } });
        continue;
      }
      return { verdict: v.verdict };
    }
    return { verdict: 'NF_ACCEPT' };
  }

  private runEntry(net: Net, e: Entry, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): { verdict: HookResult['verdict']; bypass?: boolean; queueNum?: number } {
    switch (e.kind) {
      case 'chain': {
        const c = e.chain;
        const fn = c.base!.type === 'route' ? 'nf_route_table_hook4' : c.table.family === 'inet' ? 'nft_do_chain_inet' : 'nft_do_chain_ipv4';
        return net.call(fn, () => {
          const p = pktinfo(skb, hook, indev, outdev);
          const before = { saddr: p.iph.saddr, daddr: p.iph.daddr, mark: skb.mark, tos: p.iph.tos };
          net.step(skb, 'L3', fn, c.base!.type === 'route' ? 'net/netfilter/nft_chain_route.c' : 'net/netfilter/nft_chain_filter.c', `Base chain ${c.table.family} ${c.table.name} ${c.name} (type ${c.base!.type} hook ${c.base!.hook} priority ${c.base!.priority}; policy ${c.base!.policy}${c.table.owner ? '; made by iptables-nft' : ''}): ${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}.`, { hook: { hook, family: c.table.family, table: c.table.name, chain: c.name, priority: c.base!.priority } });
          const res = nft_do_chain(this, net, c, p, () => this.traced.has(skb));
          if (res.verdict === 'NF_ACCEPT' && c.base!.type === 'route' && hook === 'NF_INET_LOCAL_OUT') {
            const iph = readIp(skb.buf, skb.network_header);
            if (iph.saddr !== before.saddr || iph.daddr !== before.daddr || skb.mark !== before.mark || iph.tos !== before.tos) {
              if (!this.routeMeHarder(net, skb, hook, `the route chain changed the ${skb.mark !== before.mark ? 'mark' : 'addresses'}`)) return { verdict: 'NF_DROP' };
            }
          }
          return { verdict: res.verdict, bypass: res.queue?.bypass, queueNum: res.queue?.num };
        });
      }
      case 'defrag':
        return this.defrag(net, hook, skb);
      case 'ct_in':
        return { verdict: net.call(hook === 'NF_INET_PRE_ROUTING' ? 'ipv4_conntrack_in' : 'ipv4_conntrack_local', () => this.conntrackIn(net, hook, skb, indev, outdev)) };
      case 'confirm':
        return { verdict: net.call('nf_confirm', () => this.confirm(net, hook, skb)) };
      case 'nat':
        return { verdict: this.natHook(net, hook, skb, indev, outdev) };
    }
  }

  private ctx(hook: NfHookName, priority: number, verdict: string, table?: string): HookContext {
    return { hook, family: 'ip', priority, verdict, ...(table ? { table } : {}) };
  }

  // ---- nf_defrag_ipv4 ----

  private defrag(net: Net, hook: NfHookName, skb: SkBuff): { verdict: HookResult['verdict'] } {
    return net.call('ipv4_conntrack_defrag', () => {
      const iph = readIp(skb.buf, skb.network_header);
      if ((iph.fragOff & (IP_MF | IP_OFFSET)) === 0) {
        net.step(skb, 'L3', 'ipv4_conntrack_defrag', 'net/ipv4/netfilter/nf_defrag_ipv4.c', `Conntrack defrag (${NF_IP_PRI_CONNTRACK_DEFRAG}): not a fragment, nothing to do.`, { hook: this.ctx(hook, NF_IP_PRI_CONNTRACK_DEFRAG, 'NF_ACCEPT') });
        return { verdict: 'NF_ACCEPT' };
      }
      net.step(skb, 'L3', 'ipv4_conntrack_defrag', 'net/ipv4/netfilter/nf_defrag_ipv4.c', 'Conntrack needs whole datagrams: the fragment goes to ip_defrag (IP_DEFRAG_CONNTRACK_IN) before any rule sees it.', { hook: { hook, family: 'ip', priority: NF_IP_PRI_CONNTRACK_DEFRAG } });
      const whole = ip_defrag(net, skb, hook === 'NF_INET_PRE_ROUTING' ? 'IP_DEFRAG_CONNTRACK_IN' : 'IP_DEFRAG_CONNTRACK_OUT');
      if (!whole) return { verdict: 'NF_STOLEN' };
      // the kernel reassembles into the skb that completed the datagram (skb_morph): so does the model
      morph(skb, whole);
      net.step(skb, 'L3', 'ipv4_conntrack_defrag', 'net/ipv4/netfilter/nf_defrag_ipv4.c', 'The datagram is whole again and continues through the hook.', { hook: this.ctx(hook, NF_IP_PRI_CONNTRACK_DEFRAG, 'NF_ACCEPT') });
      return { verdict: 'NF_ACCEPT' };
    });
  }

  // ---- nf_conntrack ----

  ctOf(skb: SkBuff): NfConn | null {
    if (!skb.nfct || !skb.nfct.id) return null;
    return this.conns.get(skb.nfct.id) ?? null;
  }

  ctState(skb: SkBuff): string | null {
    return skb.nfct ? skb.nfct.state : null;
  }

  private setCt(skb: SkBuff, ct: NfConn, ctinfo: string): void {
    skb.nfct = { state: ctinfo, id: ct.id };
  }

  private conntrackIn(net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): HookResult['verdict'] {
    const say = (what: string, verdict = 'NF_ACCEPT'): void => net.step(skb, 'L3', 'nf_conntrack_in', CT_FILE, what, { hook: this.ctx(hook, NF_IP_PRI_CONNTRACK, verdict) });
    if (skb.nfct) {
      say(skb.nfct.state === 'IP_CT_UNTRACKED' ? 'Conntrack: the packet is marked untracked (notrack), so it is not looked up.' : `Conntrack: the packet already carries its entry (${skb.nfct.state}), attached when it was made, so it is not looked up again.`);
      return 'NF_ACCEPT';
    }
    const p = pktinfo(skb, hook, indev, outdev);
    if (isIcmpError(p)) {
      const inner = innerTuple(p);
      const h = inner ? this.hash.get(tupleKey(invertTuple(inner.t))) : undefined;
      if (!inner || !h) {
        say(`Conntrack: an ICMP error about ${inner ? describeTuple(inner.t) : 'a truncated datagram'}, which belongs to no known connection: no entry is attached (ct state invalid).`);
        return 'NF_ACCEPT';
      }
      const info = h.reply ? 'IP_CT_RELATED_REPLY' : 'IP_CT_RELATED';
      this.setCt(skb, h.ct, info);
      say(`Conntrack: an ICMP error quoting ${describeTuple(inner.t)}, a packet of connection #${h.ct.id}: the error is RELATED to it (${info}).`);
      return 'NF_ACCEPT';
    }
    const t = pktTuple(p);
    if (!t) {
      say('Conntrack: the transport header cannot be read (a later fragment or truncated): no entry (ct state invalid).');
      return 'NF_ACCEPT';
    }
    for (let round = 0; round < 2; round++) {
      const h = this.hash.get(tupleKey(t));
      if (!h) return this.ctNew(skb, p, t, say);
      const ct = h.ct;
      if (t.proto === IPPROTO_TCP) {
        const ns = tcpNextState(ct.tcpState ?? 'ESTABLISHED', p.tcpFlags ?? 0, h.reply);
        if (ns === 'REPEAT') {
          this.kill(ct);
          say(`Conntrack: a new SYN for connection #${ct.id}, which is closed (${ct.tcpState}): the old entry is removed and the lookup is repeated (NF_REPEAT inside nf_conntrack_in).`, 'NF_REPEAT');
          continue;
        }
        ct.tcpState = ns;
      }
      const info = h.reply ? 'IP_CT_ESTABLISHED_REPLY' : ct.seenReply ? 'IP_CT_ESTABLISHED' : 'IP_CT_NEW';
      const first = h.reply && !ct.seenReply;
      if (h.reply) ct.seenReply = true;
      this.setCt(skb, ct, info);
      nf_ct_acct_update(ct, h.reply, skb.len);
      say(`Conntrack: ${describeTuple(t)} is the ${h.reply ? 'reply' : 'original'} direction of connection #${ct.id}${first ? ', its first reply (IPS_SEEN_REPLY is set)' : ''}: ${info}${ct.tcpState ? `, TCP state ${ct.tcpState}` : ''}.`);
      return 'NF_ACCEPT';
    }
    return 'NF_ACCEPT';
  }

  private ctNew(skb: SkBuff, p: PktInfo, t: Tuple, say: (w: string, v?: string) => void): HookResult['verdict'] {
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
    const ct: NfConn = { id: this.nextCt++, tuple: [t, invertTuple(t)], confirmed: false, seenReply: false, status: 0, tcpState, mark: 0 };
    this.conns.set(ct.id, ct);
    nf_ct_acct_ext_add(this, ct);
    nf_ct_acct_update(ct, false, skb.len);
    this.setCt(skb, ct, 'IP_CT_NEW');
    say(`Conntrack: no entry for ${describeTuple(t)}, so init_conntrack makes connection #${ct.id} (unconfirmed until the packet leaves the last hook); the reply is expected as ${describeTuple(ct.tuple[1])}. ctinfo IP_CT_NEW${tcpState ? `, TCP state ${tcpState}` : ''}.`);
    return 'NF_ACCEPT';
  }

  private kill(ct: NfConn): void {
    for (const [k, v] of this.hash) if (v.ct === ct) this.hash.delete(k);
    this.conns.delete(ct.id);
  }

  private confirm(net: Net, hook: NfHookName, skb: SkBuff): HookResult['verdict'] {
    const ct = this.ctOf(skb);
    const say = (what: string): void => net.step(skb, 'L3', '__nf_conntrack_confirm', CT_FILE, what, { hook: this.ctx(hook, INT_MAX, 'NF_ACCEPT') });
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
    this.hash.set(tupleKey(ct.tuple[0]), { ct, reply: false });
    this.hash.set(tupleKey(ct.tuple[1]), { ct, reply: true });
    say(`Confirm: the first packet of connection #${ct.id} passed every hook, so the connection enters the conntrack table under both tuples: ${describeTuple(ct.tuple[0])} (original) and ${describeTuple(ct.tuple[1])} (reply).`);
    return 'NF_ACCEPT';
  }

  // ---- NAT ----

  private natHook(net: Net, hook: NfHookName, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): HookResult['verdict'] {
    const fn = { NF_INET_PRE_ROUTING: 'nf_nat_ipv4_pre_routing', NF_INET_POST_ROUTING: 'nf_nat_ipv4_out', NF_INET_LOCAL_OUT: 'nf_nat_ipv4_local_fn', NF_INET_LOCAL_IN: 'nf_nat_ipv4_local_in', NF_INET_FORWARD: '' }[hook];
    const m = hook2manip(hook);
    const prio = m === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC;
    return net.call(fn, () => {
      const say = (f: string, file: string, what: string, verdict = 'NF_ACCEPT'): void => net.step(skb, 'L3', f, file, what, { hook: this.ctx(hook, prio, verdict, 'nat') });
      const daddr0 = readIp(skb.buf, skb.network_header).daddr;
      const ct = this.ctOf(skb);
      if (!ct) {
        say('nf_nat_ipv4_fn', NAT_PROTO_FILE, `NAT (${m === 'DST' ? 'destination' : 'source'}, priority ${prio}): the packet has no conntrack entry, so there is nothing to translate.`);
        return 'NF_ACCEPT';
      }
      const ctinfo = skb.nfct!.state;
      const reply = ctinfo.endsWith('_REPLY');
      if ((ctinfo === 'IP_CT_RELATED' || ctinfo === 'IP_CT_RELATED_REPLY') && readIp(skb.buf, skb.network_header).protocol === IPPROTO_ICMP) {
        return this.icmpReplyTranslation(net, hook, skb, ct, reply, m, say);
      }
      return net.call('nf_nat_inet_fn', () => {
        if (ctinfo === 'IP_CT_NEW' || ctinfo === 'IP_CT_RELATED' || ctinfo === 'IP_CT_RELATED_REPLY') {
          if (!natInitialized(ct, m)) {
            const chains = this.natChains(hook);
            say('nf_nat_inet_fn', NAT_FILE, `NAT (${m === 'DST' ? 'destination' : 'source'}, priority ${prio}): connection #${ct.id} has no ${m} binding yet, so the nat chains of this hook run${chains.length ? `: ${chains.map((c) => `${c.table.family} ${c.table.name} ${c.name} (priority ${c.base!.priority})`).join(', ')}` : ' (there are none)'}.`);
            for (const c of chains) {
              const r: ChainResult = net.call('nft_nat_do_chain', () => {
                net.step(skb, 'L3', 'nft_nat_do_chain', 'net/netfilter/nft_chain_nat.c', `Nat chain ${c.table.family} ${c.table.name} ${c.name} (type nat hook ${c.base!.hook} priority ${c.base!.priority}${c.table.owner ? '; made by iptables-nft' : ''}): ${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}.`, { hook: { hook, family: c.table.family, table: c.table.name, chain: c.name, priority: c.base!.priority } });
                return nft_do_chain(this, net, c, pktinfo(skb, hook, indev, outdev), () => this.traced.has(skb));
              });
              if (r.verdict !== 'NF_ACCEPT') return r.verdict;
              if (natInitialized(ct, m)) break;
            }
            if (!natInitialized(ct, m)) {
              nf_nat_null_binding(ct, m);
              say('nf_nat_alloc_null_binding', NAT_FILE, `No nat rule chose a ${m === 'SRC' ? 'source' : 'destination'} for connection #${ct.id}: it gets a null binding (its addresses stay as they are, and later packets skip the nat chains).`);
            }
          } else {
            say('nf_nat_inet_fn', NAT_FILE, `NAT: connection #${ct.id} already has its ${m} binding; the nat chains are not run again.`);
          }
        } else {
          say('nf_nat_inet_fn', NAT_FILE, `NAT (${m === 'DST' ? 'destination' : 'source'}, priority ${prio}): a packet of the established connection #${ct.id} (${ctinfo}) follows the binding made by the first packet; no nat chain runs.`);
        }
        this.natPacket(net, hook, skb, ct, reply, m);
        const daddr1 = readIp(skb.buf, skb.network_header).daddr;
        if (daddr1 !== daddr0) {
          if (hook === 'NF_INET_LOCAL_OUT') {
            if (!this.routeMeHarder(net, skb, hook, 'NAT changed the destination')) return 'NF_DROP';
          } else if (hook === 'NF_INET_PRE_ROUTING' && skb.dst) {
            skb.dst = null;
          }
        }
        return 'NF_ACCEPT';
      });
    });
  }

  /** nf_nat_packet: rewrite the packet as the binding says for its direction. */
  private natPacket(net: Net, hook: NfHookName, skb: SkBuff, ct: NfConn, reply: boolean, m: ManipType): void {
    const target = natTarget(ct, m, reply);
    if (!target) return;
    const iph = readIp(skb.buf, skb.network_header);
    const cur = pktTuple(pktinfo(skb, hook, null, null));
    const from = m === 'SRC' ? endpoint(iph.protocol, iph.saddr, cur?.sport) : endpoint(iph.protocol, iph.daddr, cur?.dport);
    const to = m === 'SRC' ? endpoint(iph.protocol, target.src, target.sport) : endpoint(iph.protocol, target.dst, target.dport);
    net.call('nf_nat_packet', () => {
      net.step(skb, 'L3', 'nf_nat_packet', NAT_FILE, `${m === 'SRC' ? 'Source' : 'Destination'} NAT of ${reply ? 'a reply' : 'an original-direction'} packet of connection #${ct.id}: before the rewrite, the ${m === 'SRC' ? 'source' : 'destination'} is ${from}.`, { hook: this.ctx(hook, m === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC, 'NF_ACCEPT', 'nat') });
      manipPkt(skb, skb.network_header, target, m);
      net.step(skb, 'L3', 'nf_nat_ipv4_manip_pkt', NAT_PROTO_FILE, `After the rewrite the ${m === 'SRC' ? 'source' : 'destination'} is ${to}; the IP header checksum${iph.protocol === IPPROTO_TCP || iph.protocol === IPPROTO_UDP ? ` and the ${PROTO_NAMES[iph.protocol]} checksum (pseudo header and port)` : ''} are updated incrementally.`, { hook: this.ctx(hook, m === 'DST' ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC, 'NF_ACCEPT', 'nat') });
    });
  }

  /** nf_nat_icmp_reply_translation: an ICMP error about a NATed connection: fix the quoted packet, then the outer header. */
  private icmpReplyTranslation(net: Net, hook: NfHookName, skb: SkBuff, ct: NfConn, reply: boolean, m: ManipType, say: (f: string, file: string, what: string, v?: string) => void): HookResult['verdict'] {
    return net.call('nf_nat_icmp_reply_translation', () => {
      const other = ct.tuple[reply ? 0 : 1];
      const bit = natTarget(ct, m, reply);
      if (!bit) {
        say('nf_nat_icmp_reply_translation', NAT_PROTO_FILE, `An ICMP error related to connection #${ct.id}: no ${m} translation applies in this direction.`);
        return 'NF_ACCEPT';
      }
      const iph = readIp(skb.buf, skb.network_header);
      const icmpOff = skb.network_header + iph.ihl * 4;
      say('nf_nat_icmp_reply_translation', NAT_PROTO_FILE, `An ICMP error related to connection #${ct.id}: before the rewrite, it quotes a packet ${numToIp(readIp(skb.buf, icmpOff + 8).saddr)} → ${numToIp(readIp(skb.buf, icmpOff + 8).daddr)} and goes ${numToIp(iph.saddr)} → ${numToIp(iph.daddr)}.`);
      manipPkt(skb, icmpOff + 8, other, m === 'SRC' ? 'DST' : 'SRC');
      icmpRecsum(skb, icmpOff);
      const outer = invertTuple(other);
      manipPkt(skb, skb.network_header, { ...outer, proto: IPPROTO_ICMP }, m);
      const n = readIp(skb.buf, skb.network_header);
      say('nf_nat_icmp_reply_translation', NAT_PROTO_FILE, `After the rewrite the quoted packet is ${numToIp(readIp(skb.buf, icmpOff + 8).saddr)} → ${numToIp(readIp(skb.buf, icmpOff + 8).daddr)} (as its sender knows it) and the error goes ${numToIp(n.saddr)} → ${numToIp(n.daddr)}; the checksums are redone.`);
      if (hook === 'NF_INET_LOCAL_OUT' && n.daddr !== iph.daddr && !this.routeMeHarder(net, skb, hook, 'NAT changed the destination')) return 'NF_DROP';
      return 'NF_ACCEPT';
    });
  }

  private tupleTaken(reply: Tuple, self: NfConn): boolean {
    const h = this.hash.get(tupleKey(reply));
    return !!h && h.ct !== self;
  }

  // ---- services for rule expressions ----

  nat(x: EvalCtx, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect', addr: number | null, ports: [number, number] | null): Verdict | boolean {
    const { net, p } = x;
    const skb = p.skb;
    const ct = this.ctOf(skb);
    if (!ct) return { code: 'NF_ACCEPT' };
    const m: ManipType = kind === 'snat' || kind === 'masquerade' ? 'SRC' : 'DST';
    let a = addr ?? 0;
    if (kind === 'masquerade') {
      const rt = skb.dst;
      const out = p.outdev ?? rt?.dev ?? null;
      const nh = rt?.gateway || p.iph.daddr;
      a = out ? inet_select_addr(net, out, nh) : 0;
      if (!a) return { code: 'NF_DROP' };
    } else if (kind === 'redirect') {
      if (p.hook === 'NF_INET_LOCAL_OUT') a = 0x7f000001;
      else {
        const ifa = p.indev?.addrs.find((f) => !f.secondary);
        if (!ifa) return { code: 'NF_DROP' };
        a = ifa.local;
      }
    }
    const r = net.call('nf_nat_setup_info', () => nf_nat_setup_info(ct, a, ports, m, (t) => this.tupleTaken(t, ct)));
    const why = kind === 'masquerade' ? ` (masquerade: the address ${p.outdev?.name ?? ''} would use to reach ${numToIp(skb.dst?.gateway || p.iph.daddr)})` : kind === 'redirect' ? ` (redirect: ${p.hook === 'NF_INET_LOCAL_OUT' ? '127.0.0.1 for a local packet' : `the primary address of ${p.indev?.name}`})` : '';
    net.step(skb, 'L3', 'nf_nat_setup_info', NAT_FILE, `${m === 'SRC' ? 'Source' : 'Destination'} NAT binding for connection #${ct.id}${why}: the original ${describeTuple(r.before)} becomes ${describeTuple(r.after)}; replies are now expected as ${describeTuple(ct.tuple[1])}.`, { hook: hookCtxOf(x, 'NF_ACCEPT') });
    return { code: 'NF_ACCEPT' };
  }

  notrack(x: EvalCtx): void {
    x.p.skb.nfct = { state: 'IP_CT_UNTRACKED', id: 0 };
  }

  setTrace(x: EvalCtx): void {
    this.traced.add(x.p.skb);
  }

  markChanged(): void {
    /* route chains compare the mark before and after */
  }

  log(x: EvalCtx, prefix: string): void {
    const { p, net } = x;
    const i = p.iph;
    let l4 = '';
    if (p.sport !== undefined) l4 = ` SPT=${p.sport} DPT=${p.dport}`;
    if (p.l4proto === IPPROTO_TCP && p.tcpFlags !== undefined) {
      const f = p.tcpFlags;
      l4 += `${f & TCPHDR_ACK ? ' ACK' : ''}${f & 0x08 ? ' PSH' : ''}${f & TCPHDR_RST ? ' RST' : ''}${f & TCPHDR_SYN ? ' SYN' : ''}${f & TCPHDR_FIN ? ' FIN' : ''}`;
    }
    if (p.icmpType !== undefined) l4 = ` TYPE=${p.icmpType} CODE=${p.icmpCode}`;
    const line = `${prefix}IN=${p.indev?.name ?? ''} OUT=${p.outdev?.name ?? ''} SRC=${numToIp(i.saddr)} DST=${numToIp(i.daddr)} LEN=${i.totLen} TOS=0x${i.tos.toString(16).padStart(2, '0')} TTL=${i.ttl} ID=${i.id}${i.fragOff & 0x4000 ? ' DF' : ''} PROTO=${(PROTO_NAMES[i.protocol] ?? String(i.protocol)).toUpperCase()}${l4}${p.skb.mark ? ` MARK=0x${p.skb.mark.toString(16)}` : ''}`;
    net.step(p.skb, 'L3', 'nf_log_ip_packet', 'net/netfilter/nf_log_syslog.c', `log: the kernel log gets the line "${line}".`, { hook: hookCtxOf(x, 'NFT_CONTINUE') });
  }

  reject(x: EvalCtx, how: { tcpReset?: boolean; icmpCode?: number }): void {
    const { net, p } = x;
    if (how.tcpReset) this.sendReset(net, p);
    else this.sendUnreach(net, p, how.icmpCode ?? 3);
  }

  /** nf_send_unreach: an ICMP destination unreachable back to the sender, through icmp_send. */
  private sendUnreach(net: Net, p: PktInfo, code: number): void {
    net.call('nf_send_unreach', () => {
      const skb = p.skb;
      if (p.iph.fragOff & IP_OFFSET) return;
      if (!skb.dst) {
        // nf_reject_fill_skb_dst: at PRE_ROUTING the packet has no route yet; one back to the source is looked up
        const rt = this.outputRoute(net, p.iph.saddr, 0, skb.mark);
        if (!rt) return;
        skb.dst = rt;
      }
      net.step(skb, 'L3', 'nf_send_unreach', 'net/ipv4/netfilter/nf_reject_ipv4.c', `reject: the sender is told with ICMP destination unreachable, code ${code}, through icmp_send.`, { hook: { hook: p.hook } });
      icmp_send(net, skb, ICMP_DEST_UNREACH, code, 0);
    });
  }

  /** nf_send_reset: a TCP RST built from the offending segment, routed and sent with ip_local_out. */
  private sendReset(net: Net, p: PktInfo): void {
    net.call('nf_send_reset', () => {
      const old = p.skb;
      if (p.l4proto !== IPPROTO_TCP || p.sport === undefined || (p.tcpFlags ?? 0) & TCPHDR_RST) return;
      const oth = readTcp(old.buf, p.thoff);
      const dataLen = p.iph.totLen - p.iph.ihl * 4 - oth.doff * 4;
      let seq = 0;
      let ack = 0;
      let flags = TCPHDR_RST;
      if (oth.flags & TCPHDR_ACK) seq = oth.ackSeq;
      else {
        ack = (oth.seq + dataLen + (oth.flags & TCPHDR_SYN ? 1 : 0) + (oth.flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
        flags |= TCPHDR_ACK;
      }
      const pkt = net.w.rec.newPacket(net.name, old.pkt);
      const nskb = allocSkb(128, 20 + TCP_HLEN, pkt);
      const at = nskb.put(20 + TCP_HLEN);
      nskb.network_header = at;
      nskb.transport_header = at + 20;
      const b = nskb.w();
      writeTcp(b, at + 20, { source: oth.dest, dest: oth.source, seq, ackSeq: ack, doff: 5, flags, window: 0, urgPtr: 0 }, TCP_HLEN, p.iph.daddr, p.iph.saddr);
      // nf_reject_ip_tcphdr_put (v6.12): only the pseudo-header sum is written, the rest is left
      // to the device (CHECKSUM_PARTIAL)
      writePseudoChecksum(b, at + 20, TCP_HLEN, p.iph.daddr, p.iph.saddr, IPPROTO_TCP);
      nskb.ip_summed = 'CHECKSUM_PARTIAL';
      writeIp(b, at, { version: 4, ihl: 5, tos: 0, totLen: 40, id: 0, fragOff: 0x4000, ttl: net.get('net.ipv4.ip_default_ttl'), protocol: IPPROTO_TCP, saddr: p.iph.daddr, daddr: p.iph.saddr });
      nskb.protocol = ETH_P_IP;
      nskb.mark = IP4_REPLY_MARK(net, old.mark);
      const rt = this.outputRoute(net, p.iph.saddr, p.iph.daddr, nskb.mark);
      if (!rt) return;
      nskb.dst = rt;
      nskb.dev = rt.dev;
      // nf_ct_attach: the RST belongs to the connection of the segment it answers, in the other direction
      nf_ct_attach(nskb, old);
      net.step(old, 'L4', 'nf_send_reset', 'net/ipv4/netfilter/nf_reject_ipv4.c', `reject with tcp reset at ${p.hook}: a RST answers this segment.`, { hook: { hook: p.hook } });
      // the RST is a new, locally made packet: its own netfilter path starts at LOCAL_OUT
      net.step(nskb, 'L4', 'nf_send_reset', 'net/ipv4/netfilter/nf_reject_ipv4.c', `reject with tcp reset: a RST ${numToIp(p.iph.daddr)}:${oth.dest} → ${numToIp(p.iph.saddr)}:${oth.source} (${flags & TCPHDR_ACK ? `ack ${ack}` : `seq ${seq}`}) is built from the refused segment (CHECKSUM_PARTIAL, mark IP4_REPLY_MARK ${nskb.mark}), routed with ip_route_me_harder and sent with ip_local_out: LOCAL_OUT, then POST_ROUTING.`);
      ip_local_out(net, nskb);
    });
  }

  /** A route for a packet netfilter makes or re-routes (ip_route_me_harder: any source allowed). */
  private outputRoute(net: Net, daddr: number, saddr: number, mark: number): Rtable | null {
    const res = net.fib.lookup({ daddr, saddr: isLocalAddr(net, saddr) ? saddr : 0, iif: net.lo.ifindex, oif: 0, mark, tos: 0, iifName: 'lo' });
    if ('error' in res) return null;
    const r = res.route;
    if (r.type === 'RTN_LOCAL') return new Rtable('RTN_LOCAL', net.lo, 'ip_local_deliver', 'ip_output', 0, daddr, 0, 0, saddr);
    if (r.type !== 'RTN_UNICAST' || !r.dev) return null;
    return new Rtable('RTN_UNICAST', r.dev, null, 'ip_output', r.gw, daddr, r.mtu, 0, saddr || inet_select_addr(net, r.dev, r.gw || daddr));
  }

  /** ip_route_me_harder: a locally made packet whose destination or mark changed is routed again. */
  routeMeHarder(net: Net, skb: SkBuff, hook: NfHookName, why: string): boolean {
    return net.call('ip_route_me_harder', () => {
      const iph = readIp(skb.buf, skb.network_header);
      const res = net.fib.lookup({ daddr: iph.daddr, saddr: iph.saddr, iif: net.lo.ifindex, oif: 0, mark: skb.mark, tos: iph.tos & 0x1c, iifName: 'lo' });
      const old = skb.dst?.describe() ?? 'none';
      const rt = this.outputRoute(net, iph.daddr, iph.saddr, skb.mark);
      if (!rt) {
        net.step(skb, 'L3', 'ip_route_me_harder', 'net/ipv4/netfilter.c', `${why}, so the packet is routed again (mark 0x${skb.mark.toString(16)}): no route to ${numToIp(iph.daddr)}, the packet is dropped.`, { hook: { hook } });
        return false;
      }
      skb.dst = rt;
      if (skb.headroom() < rt.dev.llReservedSpace()) skb.expandHead(rt.dev.llReservedSpace() - skb.headroom());
      const table = 'error' in res ? '' : ` (table ${tableName(res.table)})`;
      net.step(skb, 'L3', 'ip_route_me_harder', 'net/ipv4/netfilter.c', `${why}, so the packet is routed again with daddr ${numToIp(iph.daddr)} and mark 0x${skb.mark.toString(16)}${table}: the route was "${old}", now "${rt.describe()}".`, { hook: { hook } });
      return true;
    });
  }
}

function hookCtxOf(x: EvalCtx, verdict: string): HookContext {
  return { hook: x.p.hook, family: x.chain.table.family, table: x.chain.table.name, chain: x.chain.name, rule: x.rule.text, ruleIndex: x.chain.rules.indexOf(x.rule) + 1, ruleAt: x.rule.pos, verdict };
}

function endpoint(proto: number, a: number, port: number | undefined): string {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP ? `${numToIp(a)}:${port}` : numToIp(a);
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

/** skb_morph-like: `skb` becomes the reassembled datagram `whole`. */
function morph(skb: SkBuff, whole: SkBuff): void {
  skb.buf = whole.buf;
  skb.data = whole.data;
  skb.tail = whole.tail;
  skb.end = whole.end;
  skb.len = whole.len;
  skb.network_header = whole.network_header;
  skb.transport_header = whole.transport_header;
  skb.ip_summed = whole.ip_summed;
  skb.cb = whole.cb;
  skb.pkt = whole.pkt;
  skb.gen++;
}

