// The expressions both rule languages compile to: matches on packet fields and statements.
// nft and iptables-nft give the kernel the same expressions (iptables -p tcp --dport 22 is
// `tcp dport 22` in nf_tables), so both parsers build their rules from here.
import { jiffiesAt, setLookup, type EvalCtx, type Expr, type NfSet, type RejectHow, type SetElem, type Verdict } from '../../model/net/netfilter/nf_tables';
import { ctStateName } from '../../model/net/netfilter/nf_conntrack';
import { numToIp } from '../../model/proto/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, PROTO_NAMES } from '../../model/proto/ipv4';

export type Op = '==' | '!=' | '<' | '>' | '<=' | '>=';
import type { Range } from './values';
export type { Range };

/** `meta protocol`'s names (nft 1.0.6 ethertype_tbl): skb->protocol, the frame's EtherType */
export const ETHER_TYPES: Record<string, number> = { ip: 0x0800, arp: 0x0806, ip6: 0x86dd, vlan: 0x8100, '8021q': 0x8100, '8021ad': 0x88a8 };
const ETHER_NAMES: Record<number, string> = { 0x0800: 'ip', 0x0806: 'arp', 0x86dd: 'ip6', 0x8100: '8021q', 0x88a8: '8021ad' };
export const showEtherType = (v: number): string => ETHER_NAMES[v] ?? `0x${v.toString(16).padStart(4, '0')}`;
/** `meta nfproto`'s names: the hook's family, NFPROTO_IPV4 2 and NFPROTO_IPV6 10 */
export const NF_PROTOS: Record<string, number> = { ipv4: 2, ipv6: 10 };
export const showNfProto = (v: number): string => (v === 2 ? 'ipv4' : v === 10 ? 'ipv6' : String(v));

export const PROTO_BY_NAME: Record<string, number> = { icmp: IPPROTO_ICMP, tcp: IPPROTO_TCP, udp: IPPROTO_UDP, igmp: 2, gre: 47, esp: 50, ah: 51, sctp: 132, dccp: 33, comp: 108, udplite: 136, 'ipv6-icmp': 58, ipv6: 41, ospf: 89, vrrp: 112, pim: 103, l2tp: 115 };
/** nft also reads its keyword icmpv6 as protocol 58 (`meta l4proto icmpv6`, nft 1.0.6); iptables does not take it here. */
export const NFT_PROTO_BY_NAME: Record<string, number> = { ...PROTO_BY_NAME, icmpv6: 58 };
export { SERVICES } from './values';
export const ICMP_TYPES: Record<string, number> = {
  'echo-reply': 0,
  'destination-unreachable': 3,
  'source-quench': 4,
  redirect: 5,
  'echo-request': 8,
  'router-advertisement': 9,
  'router-solicitation': 10,
  'time-exceeded': 11,
  'parameter-problem': 12,
  'timestamp-request': 13,
  'timestamp-reply': 14,
  'info-request': 15,
  'info-reply': 16,
  'address-mask-request': 17,
  'address-mask-reply': 18,
};
export const TCP_FLAGS: Record<string, number> = { fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32, ecn: 64, cwr: 128 };
export const CT_STATES = ['invalid', 'established', 'related', 'new', 'untracked'] as const;
export const PKTTYPES: Record<string, string> = { host: 'PACKET_HOST', unicast: 'PACKET_HOST', broadcast: 'PACKET_BROADCAST', multicast: 'PACKET_MULTICAST', other: 'PACKET_OTHERHOST' };
/** reject with icmp type NAME → the ICMP unreachable code nf_send_unreach sends */
export const REJECT_CODES: Record<string, number> = {
  'net-unreachable': 0,
  'host-unreachable': 1,
  'prot-unreachable': 2,
  'port-unreachable': 3,
  'net-prohibited': 9,
  'host-prohibited': 10,
  'admin-prohibited': 13,
};

const AND = (a: number, b: number): number => (a & b) >>> 0;

function cmp(v: number, op: Op, r: Range[]): boolean {
  switch (op) {
    case '==':
      return r.some(([lo, hi]) => v >= lo && v <= hi);
    case '!=':
      return !r.some(([lo, hi]) => v >= lo && v <= hi);
    case '<':
      return v < r[0][0];
    case '>':
      return v > r[0][0];
    case '<=':
      return v <= r[0][0];
    case '>=':
      return v >= r[0][0];
  }
}

/** A numeric field compared with ranges (a value, a prefix, a-b, or a set of them). */
export function matchNum(text: string, get: (x: EvalCtx) => number | undefined, op: Op, r: Range[], show: (v: number) => string = String, extra: Partial<Expr> = {}): Expr {
  return {
    text,
    eval: (x) => {
      const v = get(x);
      return v !== undefined && cmp(v, op, r);
    },
    actual: (x) => {
      const v = get(x);
      return v === undefined ? 'no such field' : show(v);
    },
    ...extra,
  };
}

/** A bitmask field: `any` (implicit nft op: some bit of the mask set), or (field & mask) ==/!= value. */
export function matchBits(text: string, get: (x: EvalCtx) => number | undefined, mask: number, value: number | 'any', neg: boolean, show: (v: number) => string, extra: Partial<Expr> = {}): Expr {
  return {
    text,
    eval: (x) => {
      const v = get(x);
      if (v === undefined) return false;
      const hit = value === 'any' ? AND(v, mask) !== 0 : AND(v, mask) === value;
      return hit !== neg;
    },
    actual: (x) => {
      const v = get(x);
      return v === undefined ? 'no such field' : show(v);
    },
    ...extra,
  };
}

/** Interface name with nft's `*` or iptables' `+` wildcard at the end. */
/** A device name against one or more names (a set), each of which may end in a wildcard. */
export function matchIfname(text: string, which: 'in' | 'out', patterns: readonly string[], neg: boolean): Expr {
  const pats = patterns.map((p) => {
    const wild = p.endsWith('*') || p.endsWith('+');
    return { wild, stem: wild ? p.slice(0, -1) : p };
  });
  const get = (x: EvalCtx): string => ((which === 'in' ? x.p.indev : x.p.outdev)?.name ?? '');
  return {
    text,
    eval: (x) => {
      const n = get(x);
      return pats.some(({ wild, stem }) => (wild ? n.startsWith(stem) : n === stem)) !== neg;
    },
    actual: (x) => `${which === 'in' ? 'iifname' : 'oifname'} "${get(x)}"`,
  };
}

/** meta iif / oif: by interface index, resolved when the rule is loaded. */
export function matchIfindex(text: string, which: 'in' | 'out', ifindexes: readonly number[], neg: boolean): Expr {
  const get = (x: EvalCtx): number => (which === 'in' ? x.p.indev : x.p.outdev)?.ifindex ?? 0;
  return {
    text,
    eval: (x) => ifindexes.includes(get(x)) !== neg,
    actual: (x) => `${which === 'in' ? 'iif' : 'oif'} ${((which === 'in' ? x.p.indev : x.p.outdev)?.name) ?? 'none'}`,
  };
}

export const showAddr = (v: number): string => numToIp(v);
export const showProto = (v: number): string => PROTO_NAMES[v] ?? String(v);
export const showIcmp = (v: number): string => Object.entries(ICMP_TYPES).find(([, n]) => n === v)?.[0] ?? String(v);
export const showFlags = (v: number): string => Object.entries(TCP_FLAGS).filter(([, b]) => v & b).map(([n]) => n).join(',') || '0x0';
export const showHex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;

export const field = {
  saddr: (x: EvalCtx) => x.p.iph.saddr,
  daddr: (x: EvalCtx) => x.p.iph.daddr,
  protocol: (x: EvalCtx) => x.p.iph.protocol,
  ttl: (x: EvalCtx) => x.p.iph.ttl,
  iplen: (x: EvalCtx) => x.p.iph.totLen,
  l4proto: (x: EvalCtx) => x.p.l4proto,
  mark: (x: EvalCtx) => x.p.skb.mark,
  length: (x: EvalCtx) => x.p.skb.len,
  port: (proto: number | null, which: 'sport' | 'dport') => (x: EvalCtx) => (proto === null || x.p.l4proto === proto ? x.p[which] : undefined),
  icmpType: (x: EvalCtx) => (x.p.l4proto === IPPROTO_ICMP ? x.p.icmpType : undefined),
  icmpCode: (x: EvalCtx) => (x.p.l4proto === IPPROTO_ICMP ? x.p.icmpCode : undefined),
  tcpFlags: (x: EvalCtx) => (x.p.l4proto === IPPROTO_TCP ? x.p.tcpFlags : undefined),
  ctBits: (x: EvalCtx) => 1 << CT_STATES.indexOf(ctStateName(x.nf.ctState(x.p.skb))),
};

export function ctStateMask(names: string[]): number {
  let m = 0;
  for (const n of names) m |= 1 << CT_STATES.indexOf(n as (typeof CT_STATES)[number]);
  return m;
}
export const showCt = (v: number): string => CT_STATES.filter((_, i) => v & (1 << i)).join(',');

export function matchPkttype(text: string, types: readonly string[], neg: boolean): Expr {
  return { text, eval: (x) => types.includes(x.p.skb.pkt_type) !== neg, actual: (x) => `pkttype ${Object.entries(PKTTYPES).find(([, t]) => t === x.p.skb.pkt_type)?.[0] ?? x.p.skb.pkt_type}` };
}

// ---- statements ----

export function counterStmt(text: string): Expr {
  return {
    text,
    eval: (x) => {
      const c = x.rule.counter ?? (x.rule.counter = { packets: 0, bytes: 0 });
      c.packets++;
      c.bytes += x.p.skb.len;
      return true;
    },
  };
}

export function verdictStmt(text: string, v: Verdict): Expr {
  return { text, eval: () => v };
}

export function markSet(text: string, value: number | ((x: EvalCtx) => number | undefined), mask = 0xffffffff): Expr {
  return {
    text,
    ...(typeof value === 'function' ? { actual: () => 'no conntrack entry, so ct mark cannot be loaded (NFT_BREAK)' } : {}),
    eval: (x) => {
      const v = typeof value === 'function' ? value(x) : value;
      if (v === undefined) return false;
      const old = x.p.skb.mark;
      x.p.skb.mark = (((old & ~mask) >>> 0) ^ v) >>> 0;
      x.nf.markChanged(x, old);
      x.net.step(x.p.skb, 'L3', 'nft_meta_set_eval', 'net/netfilter/nft_meta.c', x.net.full ? `meta mark set: skb->mark goes from 0x${old.toString(16)} to 0x${x.p.skb.mark.toString(16)}.` : '', ruleHook(x));
      return true;
    },
  };
}

export function nftraceSet(text: string): Expr {
  return {
    text,
    eval: (x) => {
      x.nf.setTrace(x);
      return true;
    },
  };
}

export function logStmt(text: string, prefix: string): Expr {
  return {
    text,
    eval: (x) => {
      x.nf.log(x, prefix);
      return true;
    },
  };
}

export function notrackStmt(text: string): Expr {
  return {
    text,
    eval: (x) => {
      x.nf.notrack(x);
      return true;
    },
  };
}

export function rejectStmt(text: string, how: RejectHow): Expr {
  return {
    text,
    eval: (x) => {
      if (how.tcpReset && x.p.l4proto !== IPPROTO_TCP) {
        // nft refuses `reject with tcp reset` without a tcp match; iptables' check is at load time
        return { code: 'NF_DROP' };
      }
      x.nf.reject(x, how);
      return { code: 'NF_DROP' };
    },
  };
}

export function natStmt(text: string, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect', addr: number | import('../../model/proto/inet_addr').InetAddr | null, ports: Range | null, base?: number, range?: import('../../model/net/netfilter/nf_nat').NatAddrRange): Expr {
  return {
    text,
    needsCt: true,
    nat: kind === 'snat' || kind === 'masquerade' ? 'snat' : 'dnat',
    eval: (x) => x.nf.nat(x, kind, addr, ports, base, range),
  };
}

export function queueStmt(text: string, num: number, bypass: boolean): Expr {
  return { text, eval: () => ({ code: 'NF_QUEUE', queue: { num, bypass } }) };
}

// ---- sets, maps, limit, ct mark ----

export type Key = number | string;

/** `EXPR @set` / `EXPR != @set`: nft_lookup on a named set (NFT_LOOKUP_F_INV for !=). */
export function setMatch(text: string, setOrName: string | NfSet, get: (x: EvalCtx) => Key | undefined, neg: boolean, show: (v: Key) => string): Expr {
  let hit: SetElem | undefined;
  let val: Key | undefined;
  // an anonymous set (`{ a . b, … }` of a concatenation) is the rule's own, named ones the table's
  const anon = typeof setOrName === 'string' ? undefined : setOrName;
  const name = typeof setOrName === 'string' ? setOrName : '';
  const set = (x: EvalCtx): NfSet | undefined => anon ?? x.chain.table.sets?.get(name);
  const where = anon ? 'the anonymous set' : `@${name}`;
  return {
    text,
    setRef: anon ? undefined : name,
    eval: (x) => {
      val = get(x);
      const s = set(x);
      if (val === undefined || !s) return false;
      hit = setLookup(s, val, jiffiesAt(x.net.w.sched.now));
      return !!hit !== neg;
    },
    actual: (x) => {
      const v = get(x);
      if (v === undefined) return 'no such field';
      return hit ? `${show(v)}, which is element ${hit.text} of ${where}` : `${show(v)}, which is in no element of ${where}`;
    },
    why: () => (val === undefined ? undefined : hit ? `The lookup in ${anon ? where : `set ${where}`} finds element ${hit.text} for ${show(val)}.` : `The lookup in ${anon ? where : `set ${where}`} finds no element for ${show(val)}, as != asks.`),
  };
}

/** `EXPR vmap @map` or `vmap { k : verdict, … }`: nft_lookup with the verdict register as destination; no element: NFT_BREAK. */
export function vmapExpr(text: string, map: string | NfSet, get: (x: EvalCtx) => Key | undefined, show: (v: Key) => string): Expr {
  let hit: SetElem | undefined;
  let val: Key | undefined;
  const name = typeof map === 'string' ? `map @${map}` : 'the anonymous map';
  return {
    text,
    setRef: typeof map === 'string' ? map : undefined,
    targets: (t) => {
      const s = typeof map === 'string' ? t.sets?.get(map) : map;
      return (s?.elems ?? []).flatMap((e) => (e.verdict?.chain && (e.verdict.code === 'NFT_JUMP' || e.verdict.code === 'NFT_GOTO') ? [e.verdict.chain] : []));
    },
    eval: (x) => {
      val = get(x);
      const s = typeof map === 'string' ? x.chain.table.sets?.get(map) : map;
      hit = val === undefined || !s ? undefined : setLookup(s, val, jiffiesAt(x.net.w.sched.now));
      // nft_lookup copies the element's verdict into the registers; NFT_CONTINUE goes on with the
      // rule's next expression (nft_do_chain), so what follows the vmap runs for it
      if (hit?.verdict?.code === 'NFT_CONTINUE') return true;
      return hit?.verdict ?? false;
    },
    actual: (x) => {
      const v = get(x);
      return v === undefined ? 'no such field' : `${show(v)}, which is in no element of ${name}`;
    },
    why: () => (hit ? `The lookup in ${name} finds element ${hit.text} for ${show(val!)}.` : undefined),
  };
}

export interface LimitSpec {
  rate: number;
  /** seconds per unit */
  unit: number;
  burst: number;
  bytes: boolean;
  over: boolean;
}

/**
 * `limit rate [over] N/unit [burst M packets|bytes]`: nft_limit.c's token bucket, in ns of
 * simulated time. Tokens are ns of credit: a packet costs unit/rate (bytes: unit·len/rate), the
 * bucket holds burst packets' worth (bytes: unit·(rate+burst)/rate) and starts full at load.
 */
export function limitExpr(text: string, l: LimitSpec, now0: number): Expr {
  const nsecs = BigInt(l.unit) * 1_000_000_000n;
  const rate = BigInt(l.rate);
  const burst = BigInt(l.bytes ? l.burst : l.burst || 5);
  const max = l.bytes ? (nsecs * (rate + burst)) / rate : (nsecs / rate) * burst;
  let tokens = max;
  let last = BigInt(Math.round(now0));
  let within = true;
  let cost = 0n;
  return {
    text,
    eval: (x) => {
      const now = BigInt(Math.round(x.net.w.sched.now));
      cost = l.bytes ? (nsecs * BigInt(x.p.skb.len)) / rate : nsecs / rate;
      let t = tokens + now - last;
      if (t > max) t = max;
      last = now;
      within = t - cost >= 0n;
      tokens = within ? t - cost : t;
      return within !== l.over;
    },
    actual: () => (within ? `a bucket with the ${cost} ns of credit a packet costs, ${tokens} ns left after paying: within the rate, and limit over matches only above it` : `a bucket with only ${tokens} ns of credit, less than the ${cost} ns a packet costs: over the rate`),
    why: () => (within ? `The limit's bucket had the ${cost} ns of credit the packet costs; ${tokens} ns are left.` : `The limit's bucket had ${tokens} ns of credit, less than the ${cost} ns the packet costs: over the rate.`),
  };
}

/** ct mark of the packet's connection; no entry: undefined (nft_ct_get_eval breaks). */
export const ctMark = (x: EvalCtx): number | undefined => x.nf.ctOf(x.p.skb)?.mark;

const ruleHook = (x: EvalCtx) => ({ hook: { hook: x.p.hook, family: x.chain.table.family, table: x.chain.table.name, chain: x.chain.name, rule: x.rule.text, ruleIndex: x.chain.rules.indexOf(x.rule) + 1, ruleAt: x.rule.pos, verdict: 'NFT_CONTINUE' as const } });

/** `ct mark set VALUE` / `ct mark set meta mark` (nft_ct_set_eval), CONNMARK --set-mark/--save-mark: no entry, nothing happens. */
export function ctMarkSet(text: string, value: (x: EvalCtx, old: number) => number, fn = 'nft_ct_set_eval', file = 'net/netfilter/nft_ct.c'): Expr {
  return {
    text,
    needsCt: true,
    eval: (x) => {
      const ct = x.nf.ctOf(x.p.skb);
      if (!ct) {
        x.net.step(x.p.skb, 'L3', fn, file, x.net.full ? `${text}: the packet has no conntrack entry, so there is no mark to set.` : '', ruleHook(x));
        return true;
      }
      const old = ct.mark;
      ct.mark = value(x, old) >>> 0;
      x.net.step(x.p.skb, 'L3', fn, file, x.net.full ? `${text}: the mark of connection #${ct.id} goes from 0x${old.toString(16)} to 0x${ct.mark.toString(16)}${old === ct.mark ? ' (unchanged, so no IPCT_MARK event)' : ''}.` : '', ruleHook(x));
      return true;
    },
  };
}

/** CONNMARK --restore-mark: skb->mark = (skb->mark & ~nfmask) ^ (ct->mark & ctmask); no entry, nothing. */
export function connmarkRestore(text: string, nfmask: number, ctmask: number): Expr {
  return {
    text,
    needsCt: true,
    eval: (x) => {
      const ct = x.nf.ctOf(x.p.skb);
      if (!ct) return true;
      const old = x.p.skb.mark;
      x.p.skb.mark = (((old & ~nfmask) >>> 0) ^ ((ct.mark & ctmask) >>> 0)) >>> 0;
      x.nf.markChanged(x, old);
      x.net.step(x.p.skb, 'L3', 'connmark_tg_shift', 'net/netfilter/xt_connmark.c', x.net.full ? `CONNMARK --restore-mark: skb->mark goes from 0x${old.toString(16)} to 0x${x.p.skb.mark.toString(16)} (connection #${ct.id} has mark 0x${ct.mark.toString(16)}).` : '', ruleHook(x));
      return true;
    },
  };
}
