// nf_tables as the model keeps it: tables of a family, chains (base chains hooked at a priority,
// regular chains reached by jump/goto), and rules made of expressions evaluated in order
// (net/netfilter/nf_tables_api.c keeps them, net/netfilter/nf_tables_core.c nft_do_chain runs
// them). iptables on Debian is iptables-nft: its tables are nf_tables tables of family ip, so
// both rule languages end up here. A rule's expressions are closures rather than the kernel's
// register machine, but they run in the same order and stop the same way: a match that fails
// ends the rule (NFT_BREAK), a verdict ends the chain.
import type { Net } from '../net_namespace';
import type { HookContext, NfHookName } from '../../../trace/contract';
import type { PktInfo } from './nf_pktinfo';
import type { NfConn } from './nf_conntrack';
import { formatIpv6 } from '../../../trace/ipv6';

export const NFT_CORE_FILE = 'net/netfilter/nf_tables_core.c';

export type NfFamily = 'ip' | 'ip6' | 'inet';
export type ChainType = 'filter' | 'nat' | 'route';
export type HookShort = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export const HOOK_OF: Record<HookShort, NfHookName> = {
  prerouting: 'NF_INET_PRE_ROUTING',
  input: 'NF_INET_LOCAL_IN',
  forward: 'NF_INET_FORWARD',
  output: 'NF_INET_LOCAL_OUT',
  postrouting: 'NF_INET_POST_ROUTING',
};
export const SHORT_OF: Record<NfHookName, HookShort> = {
  NF_INET_PRE_ROUTING: 'prerouting',
  NF_INET_LOCAL_IN: 'input',
  NF_INET_FORWARD: 'forward',
  NF_INET_LOCAL_OUT: 'output',
  NF_INET_POST_ROUTING: 'postrouting',
};

/** Named priorities of nft (the NF_IP_PRI_* values, include/uapi/linux/netfilter_ipv4.h). */
export const NAMED_PRIORITY: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};

export interface SrcPos {
  file: string;
  line: number;
  col: number;
}

export type VerdictCode = 'NF_ACCEPT' | 'NF_DROP' | 'NF_QUEUE' | 'NF_STOLEN' | 'NFT_CONTINUE' | 'NFT_BREAK' | 'NFT_RETURN' | 'NFT_JUMP' | 'NFT_GOTO';

export interface Verdict {
  code: VerdictCode;
  /** jump/goto target */
  chain?: string;
  queue?: { num: number; bypass: boolean };
}

/**
 * How a reject answers (nft_reject.h): a TCP reset, an ICMP code of the packet's own family
 * (`icmpCode` for IPv4, `icmp6Code` for IPv6), or `icmpx`, the family-independent code of an
 * inet table (NFT_REJECT_ICMPX_*: 0 no-route, 1 port-unreachable, 2 host-unreachable,
 * 3 admin-prohibited) mapped to the packet's family when it runs.
 */
export interface RejectHow {
  tcpReset?: boolean;
  icmpCode?: number;
  icmp6Code?: number;
  icmpx?: number;
}

/** What a rule's expressions may ask of the engine while they run. */
export interface NfServices {
  /** ctinfo of the packet: IP_CT_NEW…, 'untracked', or null (no conntrack entry: `ct state invalid`) */
  ctState(skb: PktInfo['skb']): string | null;
  notrack(x: EvalCtx): void;
  /** `base`: the port the range's first port stands for (NF_NAT_RANGE_PROTO_OFFSET, iptables' PORT-PORT/BASE) */
  /** `range`: the last address of an address range, and `persistent` (NF_NAT_RANGE_PERSISTENT) */
  nat(x: EvalCtx, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect', addr: import('../../proto/inet_addr').InetAddr | number | null, ports: [number, number] | null, base?: number, range?: import('./nf_nat').NatAddrRange): Verdict | boolean;
  reject(x: EvalCtx, how: RejectHow): void;
  log(x: EvalCtx, prefix: string): void;
  setTrace(x: EvalCtx): void;
  /** the packet's conntrack entry (nf_ct_get): null without one, or untracked */
  ctOf(skb: PktInfo['skb']): NfConn | null;
  /** nf_conntrack_find_get: the confirmed entry that holds the tuple (either direction), or null */
  ctFind(t: import('./nf_conntrack').Tuple): NfConn | null;
  /** the mark changed: remember for the re-route an output route chain asks for */
  markChanged(x: EvalCtx, old: number): void;
}

export interface EvalCtx {
  nf: NfServices;
  net: Net;
  p: PktInfo;
  chain: Chain;
  rule: Rule;
}

export interface Expr {
  /** the words of the rule this expression came from */
  text: string;
  /** a match returns true to go on, false to end the rule; a statement may return a verdict */
  eval(x: EvalCtx): boolean | Verdict;
  /** the value the packet had, to say why a match failed */
  actual?(x: EvalCtx): string;
  /** needs conntrack (nf_ct_netns_get at rule load) */
  needsCt?: boolean;
  /** after a match or a statement that decided: what it found (the set element, the limit's tokens), for the rule's sentence */
  why?(x: EvalCtx): string | undefined;
  /** the named set or map this expression looks up (a set in use cannot be deleted) */
  setRef?: string;
  /** the named objects this expression refers to (objKey), which cannot be deleted while it does */
  objRefs?: string[];
  /** a NAT statement: only in a nat chain, dnat-kind at prerouting/output, snat-kind at postrouting/input */
  nat?: 'snat' | 'dnat';
  /** the chain a jump or goto verdict goes to, for nft_chain_validate */
  jumpTo?: string;
  /** a verdict map: the chains its elements jump or go to now, for nft_chain_validate */
  targets?(t: Table): string[];
  /**
   * The family this expression belongs to (an `ip …` or `icmpv6 …` match): in an inet table nft
   * puts `meta nfproto ipv4|ipv6` before it, so a packet of the other family breaks the rule here.
   */
  l3?: 'ipv4' | 'ipv6';
  /**
   * The one family whose conntrack this expression needs, where that is narrower than the
   * table's: an inet table's `snat|dnat ip|ip6 to` (nft_nat_init: nf_ct_netns_get for the
   * statement's NFTA_NAT_FAMILY, not the table's), so the other family's packets stay untracked.
   */
  ctFamily?: 'ipv4' | 'ipv6';
  /** modelled on IPv6 packets too (expressions without it are refused in a table IPv6 packets reach) */
  v6?: boolean;
  /** where the expression's keyword is in the rule, for that refusal */
  at?: SrcPos;
}

/** One match or statement of a rule as the tool lists it (`nft list ruleset`). */
export interface ListedItem {
  text: string;
  /** the form with protocol numbers (nft -n), when it differs */
  numeric?: string;
  /** an anonymous counter: its values are the rule's */
  counter?: boolean;
  /** a match whose family comes from the `meta nfproto` before it (`ct original saddr`), which nft then lists as its dependency */
  usesNfproto?: boolean;
}

export interface Rule {
  handle: number;
  /** the rule as the tool lists it (nft's canonical form where the parser gives `listed`; else as written) */
  text: string;
  /** its matches and statements as nft lists them, for `nft list ruleset` */
  listed?: ListedItem[];
  pos: SrcPos;
  exprs: Expr[];
  counter: { packets: number; bytes: number } | null;
  /** a full trace's hook contexts of this rule's steps, made once (ruleCtx); the model never reads them */
  ctxs?: HookContext[];
}

export interface BaseSpec {
  type: ChainType;
  hook: HookShort;
  priority: number;
  policy: 'accept' | 'drop';
}

export interface Chain {
  table: Table;
  name: string;
  base: BaseSpec | null;
  rules: Rule[];
  /** order of registration: at equal priority the later one runs first (nf_hook_entries_grow) */
  regSeq: number;
  /** base chain counters (nft_update_chain_stats: only when the policy decides, and only for chains made with counters, as iptables-nft makes its built-in ones) */
  packets: number;
  bytes: number;
  /** a full trace's hook contexts of this chain's return and policy steps, made once (chainCtx, policyCtx) */
  ctxs?: HookContext[];
}

/** The key types of named sets and maps the model knows (nft's datatypes). */
export type SetKeyType = 'ipv4_addr' | 'inet_service' | 'inet_proto' | 'ifname' | 'mark' | 'icmp_type' | 'ct_state' | 'ct_dir' | 'ether_type' | 'nf_proto' | 'ipv6_addr';
/** The data of a named data map the model reads: a mark (meta/ct mark set), a NAT address, a NAT address and port. */
export type MapDataType = 'mark' | 'ipv4_addr' | 'ipv4_addr . inet_service';

/** One element: a value, or with flags interval a range (a prefix is a range); a map's element has its data. */
export interface SetElem {
  lo: number | string;
  hi: number | string;
  /** the element as nft prints it */
  text: string;
  verdict?: Verdict;
  /** a data map's element: its data as the registers nft_lookup fills hold it (a mark; an address; an address and a port) */
  data?: number[];
  /** an element with a timeout (nft_set_ext timeout): the jiffies64 at which it expires */
  expires?: number;
}

/**
 * A named set or map of a table (nf_tables_api.c nft_set; the backend, nft_set_hash.c or with
 * flags interval nft_set_rbtree.c / nft_set_pipapo.c, only changes how the lookup is done, not
 * what it finds). Rules find it by name when they run, as nft_lookup holds the set it was bound to.
 */
export interface NfSet {
  name: string;
  kind: 'set' | 'map';
  keyType: SetKeyType;
  /**
   * A concatenated key (`type ipv4_addr . inet_service`): its fields in order, keyType being the
   * first. The kernel's nft_set sees one key of the fields laid end to end, each padded to a
   * 32-bit register, so a lookup is equality on every field; keys are kept as their fields'
   * values joined (concatKey), which compares the same way.
   */
  fields?: SetKeyType[];
  /** a map's data type: verdicts, or the data of a data map (MapDataType) */
  dataType?: 'verdict' | MapDataType;
  interval: boolean;
  constant: boolean;
  elems: SetElem[];
  /** `timeout T`: the default timeout of elements rules add, in jiffies */
  timeout?: number;
  /** `flags dynamic` (NFT_SET_EVAL): the kernel picks a backend rules can add to and delete from (nft_set_rhash) */
  dynamic?: boolean;
  /** `flags timeout` (NFT_SET_TIMEOUT): elements may carry timeouts of their own */
  timeoutFlag?: boolean;
  /** `size N`: nft_dynset_new adds no element past it */
  size?: number;
  /** declared with `typeof …` (nft keeps it in the set's userdata and lists it so) */
  typeofText?: string;
}

/** A concatenated key as the model keeps it: the fields' values, joined. */
export function concatKey(vals: readonly (number | string)[]): string {
  return vals.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(' . ');
}

/** The datatype of a set's key, as nft's declarations write it. */
export function setTypeText(s: Pick<NfSet, 'keyType' | 'fields'>): string {
  return (s.fields ?? [s.keyType]).join(' . ');
}

/**
 * nft_lookup: the element whose key (or range) holds the value, if any. With `jiffies` (the
 * jiffies64 of the lookup) an element whose expiration has come is not found
 * (__nft_set_elem_expired: time_after_eq64).
 */
export function setLookup(s: NfSet, v: number | string, jiffies?: number): SetElem | undefined {
  // an IPv6 address is a key of 32 hex digits, so its ranges compare as strings do
  const exact = typeof v === 'string' && s.keyType !== 'ipv6_addr';
  return s.elems.find((e) => (exact ? e.lo === v : (v as number) >= (e.lo as number) && (v as number) <= (e.hi as number)) && !(jiffies !== undefined && e.expires !== undefined && jiffies >= e.expires));
}

export { HZ } from '../../proc/sysctl';
export { jiffiesAt } from '../../sim/scheduler';

export type NfObjectKind = 'counter' | 'quota' | 'limit';

/**
 * A named stateful object of a table (nf_tables_api.c struct nft_object): `counter NAME`,
 * `quota NAME`, `limit NAME`. Rules reach it through nft_objref (nft_objref.c), which runs the
 * object's own eval (obj->ops->eval), so every rule naming it shares its state.
 */
export interface NfObject {
  kind: NfObjectKind;
  name: string;
  /** obj->ops->eval: false is NFT_BREAK */
  eval(x: EvalCtx): boolean;
  /** why the object broke the rule, and what it found when it did not */
  actual?(x: EvalCtx): string;
  why?(x: EvalCtx): string | undefined;
  /** the lines inside `KIND NAME { … }` as nft lists them (stateless: nft -s, no values) */
  body(stateless: boolean): string[];
}

/** How a table keys its objects: an object is found by its type and name. */
export function objKey(kind: NfObjectKind, name: string): string {
  return `${kind} ${name}`;
}

export interface Table {
  family: NfFamily;
  name: string;
  chains: Map<string, Chain>;
  /** named sets and maps */
  sets?: Map<string, NfSet>;
  /** named stateful objects, by objKey (the kernel finds one by its name and type: nft_obj_lookup) */
  objects?: Map<string, NfObject>;
  /** made by iptables-nft */
  owner?: 'iptables';
}

const NF_VERDICT: Record<string, VerdictCode> = { accept: 'NF_ACCEPT', drop: 'NF_DROP' };

export function policyVerdict(p: 'accept' | 'drop'): VerdictCode {
  return NF_VERDICT[p];
}

export function hookCtx(chain: Chain, hook: NfHookName, extra: Partial<HookContext> = {}): HookContext {
  return {
    hook,
    family: chain.table.family,
    table: chain.table.name,
    chain: chain.name,
    priority: chain.base?.priority,
    ...extra,
  };
}

function verdictWord(v: Verdict): string {
  switch (v.code) {
    case 'NF_ACCEPT':
      return 'accept';
    case 'NF_DROP':
      return 'drop';
    case 'NF_QUEUE':
      return `queue (num ${v.queue?.num ?? 0}${v.queue?.bypass ? ', bypass' : ''})`;
    case 'NF_STOLEN':
      return 'stolen';
    case 'NFT_JUMP':
      return `jump ${v.chain}`;
    case 'NFT_GOTO':
      return `goto ${v.chain}`;
    case 'NFT_RETURN':
      return 'return';
    default:
      return v.code;
  }
}

export interface ChainResult {
  verdict: 'NF_ACCEPT' | 'NF_DROP' | 'NF_QUEUE' | 'NF_STOLEN';
  queue?: { num: number; bypass: boolean };
  /** the errno a verdict carries (NF_DROP_GETERR): -EPERM with the NF_STOLEN of a drop */
  err?: number;
}

const EPERM = 1;

/**
 * A drop verdict (a rule's, or the base chain's policy): nft_do_chain frees the packet itself,
 * NF_DROP_REASON(pkt->skb, SKB_DROP_REASON_NETFILTER_DROP, EPERM) in nf_tables_core.c, and hands
 * nf_hook_slow NF_STOLEN carrying -EPERM, so the hook does not free it again and its caller
 * sees -EPERM.
 */
function dropHere(net: Net, skb: PktInfo['skb'], hook: NfHookName, by: string): ChainResult {
  net.drop(skb, 'L3', 'nft_do_chain', NFT_CORE_FILE, 'NETFILTER_DROP', net.full ? `${hook}: the verdict is drop, so nft_do_chain frees the packet itself (NF_DROP_REASON: kfree_skb_reason with SKB_DROP_REASON_NETFILTER_DROP) and returns NF_STOLEN with EPERM to nf_hook_slow.` : '');
  // the fate names the rule (or policy) that dropped it, so fates-only runs can say which
  const fate = net.w.rec.getFate(skb.pkt);
  if (fate) fate.detail = by;
  return { verdict: 'NF_STOLEN', err: -EPERM };
}

/**
 * nft_do_chain: run a base chain's rules in order; jump pushes the rule after the jump on the
 * jump stack and continues in the target chain, goto does not push, return (or the end of a
 * regular chain) pops; falling off the base chain applies its policy and counts the chain.
 */
/** Shared, never changed: a rule without a verdict of its own; and a fates run's empty list of match texts. */
const NFT_CONTINUE: Verdict = Object.freeze({ code: 'NFT_CONTINUE' });
const NO_WHY: string[] = [];

/** What a full trace's steps of one nft_do_chain call need; made only at the full level. */
interface Teller {
  net: Net;
  base: Chain;
  p: PktInfo;
  traced: WeakSet<PktInfo['skb']>;
  /** the "packet:" line of `nft monitor trace` is printed once per base chain */
  dumped: boolean;
}

/**
 * A step of nft_do_chain in a full trace, with its sentence and its hook context (chainCtx…).
 * The sentences are made by the module functions below (tellFailed…), not by closures in
 * nft_do_chain: a closure there makes V8 allocate a context for the variables it captures on
 * every call and every rule, at the fates level too. The hot ones are templates (net.say), made
 * once per distinct arguments.
 */
function say(t: Teller, chain: Chain, what: string, ctx: HookContext): void {
  const { net, base, p } = t;
  const skb = p.skb;
  let mon = '';
  if (t.traced.has(skb) && ctx.verdict !== 'NFT_BREAK') {
    const lines = t.dumped ? [] : [packetLine(base, p)];
    t.dumped = true;
    lines.push(traceLine(chain, p, ctx));
    mon = ` nft monitor trace prints: ${lines.map((l) => `«${l}»`).join(' ')}`;
  }
  net.step(skb, 'L3', 'nft_do_chain', NFT_CORE_FILE, net.full ? what + mon : '', { hook: ctx });
}

/**
 * The hook contexts a rule or chain gives its steps, kept on it: the same few for every packet
 * (a context per verdict), where a new object per step cost its making and the recorder's
 * interning of it key by key (a walk of about twenty map lookups: 5 % of a full trace). One is
 * taken only when every field is what a new one would have (a chain renamed, a rule moved or
 * a base chain's priority or family changed makes a new one); they are frozen, as the recorder
 * keeps the first object of each content it sees. At most CTX_KEPT a rule or chain: the oldest
 * goes first.
 */
const CTX_KEPT = 8;

function keptCtx(l: HookContext[], c: HookContext): HookContext {
  Object.freeze(c);
  if (l.length >= CTX_KEPT) l.shift();
  l.push(c);
  return c;
}

/**
 * The hook context of a rule's step: hookCtx's keys in its order (the JSON output's), with the
 * base chain's priority, then the rule's. One literal where hookCtx's spreads made four objects
 * per rule and packet.
 */
function ruleCtx(t: Teller, chain: Chain, rule: Rule, i: number, verdict: HookContext['verdict']): HookContext {
  const hook = t.p.hook;
  const family = chain.table.family;
  const table = chain.table.name;
  const name = chain.name;
  const priority = t.base.base?.priority;
  const l = (rule.ctxs ??= []);
  for (const c of l) {
    if (c.verdict === verdict && c.hook === hook && c.ruleIndex === i + 1 && c.chain === name && c.table === table && c.family === family && c.priority === priority && c.rule === rule.text && c.ruleAt === rule.pos) return c;
  }
  return keptCtx(l, { hook, family, table, chain: name, priority, rule: rule.text, ruleIndex: i + 1, ruleAt: rule.pos, verdict });
}

/** The same for the return from a regular chain. */
function chainCtx(t: Teller, chain: Chain, verdict: HookContext['verdict']): HookContext {
  const hook = t.p.hook;
  const family = chain.table.family;
  const table = chain.table.name;
  const name = chain.name;
  const priority = t.base.base?.priority;
  const l = (chain.ctxs ??= []);
  for (const c of l) {
    if (c.verdict === verdict && c.rule === undefined && c.hook === hook && c.chain === name && c.table === table && c.family === family && c.priority === priority) return c;
  }
  return keptCtx(l, { hook, family, table, chain: name, priority, verdict });
}

/** The same for a base chain's policy: its keys in the order the policy step always had. */
function policyCtx(t: Teller, base: Chain, pol: 'accept' | 'drop'): HookContext {
  const hook = t.p.hook;
  const family = base.table.family;
  const table = base.table.name;
  const name = base.name;
  const priority = base.base?.priority;
  const verdict = policyVerdict(pol);
  const rule = `policy ${pol}`;
  const l = (base.ctxs ??= []);
  for (const c of l) {
    if (c.rule === rule && c.verdict === verdict && c.hook === hook && c.chain === name && c.table === table && c.family === family && c.priority === priority) return c;
  }
  return keptCtx(l, { hook, family, table, chain: name, priority, verdict, rule });
}

/** A rule whose match `f` failed (NFT_BREAK). */
function tellFailed(t: Teller, chain: Chain, rule: Rule, i: number, f: Expr, x: EvalCtx): void {
  const p = t.p;
  const other = f.l3 !== undefined && f.l3 !== (p.pf ?? 'ipv4');
  const had = other ? `meta nfproto ${p.pf ?? 'ipv4'}: the implicit meta nfproto ${f.l3} before it fails` : f.actual ? f.actual(x) : '';
  say(t, chain, t.net.say(failedWhat, i, chain.name, rule.text, f.text, had), ruleCtx(t, chain, rule, i, 'NFT_BREAK'));
}

/** tellFailed's sentence (net.say): rule `i` (0-based) of `chain`, whose match `match` fails on what the packet `had` */
function failedWhat(i: number, chain: string, rule: string, match: string, had: string): string {
  return `Rule ${i + 1} of ${chain}, \`${rule}\`: \`${match}\` does not match${had ? ` (the packet has ${had})` : ''}, so the rule ends here (NFT_BREAK) and the next rule is tried.`;
}

/** A rule that matched: with no verdict (NFT_CONTINUE), or with verdict `v`. */
function tellMatched(t: Teller, chain: Chain, rule: Rule, i: number, found: string[], v: Verdict): void {
  const whyText = found.length ? ` ${found.join(' ')}` : '';
  const counted = rule.counter ? ` Its counter now reads ${rule.counter.packets} packet${rule.counter.packets === 1 ? '' : 's'}, ${rule.counter.bytes} bytes.` : '';
  if (v.code === 'NFT_CONTINUE') {
    say(t, chain, `Rule ${i + 1} of ${chain.name}, \`${rule.text}\`: it matches but has no verdict, so evaluation goes on with the next rule (NFT_CONTINUE).${whyText}${counted}`, ruleCtx(t, chain, rule, i, 'NFT_CONTINUE'));
    return;
  }
  say(t, chain, `Rule ${i + 1} of ${chain.name}, \`${rule.text}\`: it matches; verdict ${verdictWord(v)}.${whyText}${counted}`, ruleCtx(t, chain, rule, i, v.code));
}

function tellReturn(t: Teller, chain: Chain, to: Chain): void {
  say(t, chain, t.net.say(returnWhat, chain.name, to.name), chainCtx(t, chain, 'NFT_RETURN'));
}

/** tellReturn's sentence (net.say) */
function returnWhat(chain: string, to: string): string {
  return `The end of regular chain ${chain} is reached: an implicit return to ${to}, after the rule that jumped.`;
}

function tellPolicy(t: Teller, base: Chain, pol: 'accept' | 'drop', stats: boolean): void {
  // with the chain's counter the sentence is new for every packet: made as it is, not a template
  const what = stats
    ? `No rule of base chain ${base.name} decided: its policy ${pol} applies, and the chain's counter counts the packet (${base.packets} packet${base.packets === 1 ? '' : 's'}, ${base.bytes} bytes; iptables -L -v shows it with the policy).`
    : t.net.say(policyWhat, base.name, pol);
  say(t, base, what, policyCtx(t, base, pol));
}

/** tellPolicy's sentence without the chain's counter (net.say) */
function policyWhat(chain: string, pol: string): string {
  return `No rule of base chain ${chain} decided: its policy ${pol} applies.`;
}

/** A base chain's policy accept, one frozen result (callers only read it): every packet a chain lets through by its policy. */
const POLICY_ACCEPT: ChainResult = Object.freeze({ verdict: 'NF_ACCEPT' });

/** `traced`: the packets meta nftrace marked (a set, not a closure: this runs for every packet). */
export function nft_do_chain(nf: NfServices, net: Net, base: Chain, p: PktInfo, traced: WeakSet<PktInfo['skb']>): ChainResult {
  const call = net.enter('nft_do_chain');
  try {
    const hook = p.hook;
    const skb = p.skb;
    let stack: { chain: Chain; next: number }[] | null = null;
    let chain = base;
    let i = 0;
    // The fates level keeps no sentences and no hook contexts: a step there is made without them
    // (the level changes only between frames), and this function makes no closure at all.
    const tell: Teller | null = net.w.rec.level === 'full' ? { net, base, p, traced, dumped: false } : null;
    for (;;) {
      let verdict: Verdict = NFT_CONTINUE;
      for (; i < chain.rules.length; i++) {
        const rule = chain.rules[i];
        const x: EvalCtx = { nf, net, p, chain, rule };
        let failed: Expr | null = null;
        verdict = NFT_CONTINUE;
        const found: string[] = tell === null ? NO_WHY : [];
        // an index, not for-of: the array iterator's objects were an allocation per rule a packet met
        const exprs = rule.exprs;
        for (let k = 0; k < exprs.length; k++) {
          const e = exprs[k];
          const r = e.l3 && e.l3 !== (p.pf ?? 'ipv4') ? false : e.eval(x);
          if (r === false) {
            failed = e;
            break;
          }
          const w = tell === null ? undefined : e.why?.(x);
          if (w) found.push(w);
          if (r !== true) {
            verdict = r;
            break;
          }
        }
        if (tell === null) {
          net.step(skb, 'L3', 'nft_do_chain', NFT_CORE_FILE, '');
          if (failed || verdict.code === 'NFT_CONTINUE') continue;
          break;
        }
        if (failed) {
          tellFailed(tell, chain, rule, i, failed, x);
          continue;
        }
        tellMatched(tell, chain, rule, i, found, verdict);
        if (verdict.code === 'NFT_CONTINUE') continue;
        break;
      }
      if (i >= chain.rules.length) verdict = NFT_CONTINUE;
      switch (verdict.code) {
        case 'NF_DROP':
          return dropHere(net, skb, hook, `${chain.table.name} ${chain.name} rule ${i + 1}`);
        case 'NF_ACCEPT':
        case 'NF_QUEUE':
        case 'NF_STOLEN':
          return { verdict: verdict.code, queue: verdict.queue };
        case 'NFT_JUMP':
        case 'NFT_GOTO': {
          const target = chain.table.chains.get(verdict.chain!)!;
          if (verdict.code === 'NFT_JUMP') (stack ??= []).push({ chain, next: i + 1 });
          chain = target;
          i = 0;
          continue;
        }
        default:
          break;
      }
      // NFT_RETURN or the end of the chain
      const back = stack?.pop();
      if (back) {
        if (verdict.code !== 'NFT_RETURN') {
          if (tell === null) net.step(skb, 'L3', 'nft_do_chain', NFT_CORE_FILE, '');
          else tellReturn(tell, chain, back.chain);
        }
        chain = back.chain;
        i = back.next;
        continue;
      }
      chain = base;
      const pol = base.base!.policy;
      // only chains made with counters (NFTA_CHAIN_COUNTERS: iptables-nft's built-in chains, not nft's) have stats
      const stats = base.table.owner === 'iptables';
      if (stats) {
        base.packets++;
        base.bytes += skb.len;
      }
      if (tell === null) net.step(skb, 'L3', 'nft_do_chain', NFT_CORE_FILE, '');
      else tellPolicy(tell, base, pol, stats);
      if (policyVerdict(pol) === 'NF_DROP') return dropHere(net, skb, hook, `${base.table.name} ${base.name} policy drop`);
      return policyVerdict(pol) === 'NF_ACCEPT' ? POLICY_ACCEPT : { verdict: policyVerdict(pol) as 'NF_ACCEPT' | 'NF_DROP' };
    }
  } finally {
    net.leave(call);
  }
}

const ICMP_NAME: Record<number, string> = { 0: 'echo-reply', 3: 'destination-unreachable', 5: 'redirect', 8: 'echo-request', 11: 'time-exceeded', 12: 'parameter-problem' };

function traceId(p: PktInfo): string {
  return (p.skb.pkt * 0x9e3779b1 >>> 0).toString(16).padStart(8, '0');
}

/** The "packet:" line `nft monitor trace` prints first in a base chain for a traced packet. */
function packetLine(base: Chain, p: PktInfo): string {
  if (p.ip6h) return packetLine6(base, p);
  const i = p.iph;
  const ip = (a: number): string => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  let l4 = '';
  if (p.l4proto === 6 && p.sport !== undefined) l4 = ` tcp sport ${p.sport} tcp dport ${p.dport} tcp flags == 0x${(p.tcpFlags ?? 0).toString(16)}`;
  else if (p.l4proto === 17 && p.sport !== undefined) l4 = ` udp sport ${p.sport} udp dport ${p.dport}`;
  else if (p.l4proto === 1 && p.icmpType !== undefined) l4 = ` icmp type ${ICMP_NAME[p.icmpType] ?? p.icmpType} icmp code ${p.icmpCode}`;
  const dev = `${p.indev ? `iif "${p.indev.name}" ` : ''}${p.outdev ? `oif "${p.outdev.name}" ` : ''}`;
  return `trace id ${traceId(p)} ${base.table.family} ${base.table.name} ${base.name} packet: ${dev}ip saddr ${ip(i.saddr)} ip daddr ${ip(i.daddr)} ip ttl ${i.ttl} ip id ${i.id} ip length ${i.totLen}${l4}`;
}

/** A rule or policy line in the form `nft monitor trace` prints for packets with meta nftrace set. */
function traceLine(chain: Chain, p: PktInfo, extra: Partial<HookContext>): string {
  const t = `trace id ${traceId(p)} ${chain.table.family} ${chain.table.name} ${chain.name}`;
  const v = extra.verdict;
  if (typeof extra.rule === 'string' && extra.rule.startsWith('policy ')) return `${t} policy ${extra.rule.slice(7)}`;
  const vw = v === 'NF_ACCEPT' ? 'accept' : v === 'NF_DROP' ? 'drop' : v === 'NF_QUEUE' ? 'queue' : v === 'NFT_CONTINUE' ? 'continue' : v === 'NFT_RETURN' ? 'return' : v === 'NFT_JUMP' || v === 'NFT_GOTO' ? `${v === 'NFT_JUMP' ? 'jump' : 'goto'} ${/\b(?:jump|goto) (\S+)/.exec(extra.rule ?? '')?.[1] ?? extra.rule?.split(' ').pop()}` : String(v);
  if (!extra.rule) return `${t} (verdict ${vw})`;
  return `${t} rule ${extra.rule} (verdict ${vw})`;
}

const ICMPV6_NAME: Record<number, string> = { 1: 'destination-unreachable', 2: 'packet-too-big', 3: 'time-exceeded', 4: 'parameter-problem', 128: 'echo-request', 129: 'echo-reply', 135: 'nd-neighbor-solicit', 136: 'nd-neighbor-advert' };

/** The "packet:" line for an IPv6 packet (nftables' trace_print_packet with the ip6 header's fields). */
function packetLine6(base: Chain, p: PktInfo): string {
  const h = p.ip6h!;
  const a = (b: Uint8Array): string => formatIpv6(b);
  let l4 = '';
  if (p.l4proto === 6 && p.sport !== undefined) l4 = ` tcp sport ${p.sport} tcp dport ${p.dport} tcp flags == 0x${(p.tcpFlags ?? 0).toString(16)}`;
  else if (p.l4proto === 17 && p.sport !== undefined) l4 = ` udp sport ${p.sport} udp dport ${p.dport}`;
  else if (p.l4proto === 58 && p.icmpType !== undefined) l4 = ` icmpv6 type ${ICMPV6_NAME[p.icmpType] ?? p.icmpType} icmpv6 code ${p.icmpCode}`;
  const dev = `${p.indev ? `iif "${p.indev.name}" ` : ''}${p.outdev ? `oif "${p.outdev.name}" ` : ''}`;
  return `trace id ${traceId(p)} ${base.table.family} ${base.table.name} ${base.name} packet: ${dev}ip6 saddr ${a(h.saddr)} ip6 daddr ${a(h.daddr)} ip6 hoplimit ${h.hopLimit} ip6 flowlabel ${h.flowLabel} ip6 length ${h.payloadLen} ip6 nexthdr ${p.l4proto}${l4}`;
}
