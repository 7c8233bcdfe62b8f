// The expressions both rule languages compile to: matches on packet fields and statements.
// nft and iptables-nft give the kernel the same expressions (iptables -p tcp --dport 22 is
// `tcp dport 22` in nf_tables), so both parsers build their rules from here.
import type { EvalCtx, Expr, Verdict } from '../../model/net/netfilter/nf_tables';
import { ctStateName } from '../../model/net/netfilter/nf_conntrack';
import { numToIp } from '../../model/proto/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, PROTO_NAMES } from '../../model/proto/ipv4';

export type Op = '==' | '!=' | '<' | '>' | '<=' | '>=';
export type Range = [number, number];

export const PROTO_BY_NAME: Record<string, number> = { icmp: IPPROTO_ICMP, tcp: IPPROTO_TCP, udp: IPPROTO_UDP, igmp: 2, gre: 47, esp: 50, ah: 51, sctp: 132 };
export const SERVICES: Record<string, number> = { ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, www: 80, https: 443, ntp: 123, bootps: 67, bootpc: 68, imap: 143, snmp: 161, ldap: 389, 'http-alt': 8080, ftp: 21, pop3: 110, syslog: 514, submission: 587, imaps: 993, pop3s: 995, mysql: 3306, postgresql: 5432 };
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
export function matchIfname(text: string, which: 'in' | 'out', pattern: string, neg: boolean): Expr {
  const wild = pattern.endsWith('*') || pattern.endsWith('+');
  const stem = wild ? pattern.slice(0, -1) : pattern;
  const get = (x: EvalCtx): string => ((which === 'in' ? x.p.indev : x.p.outdev)?.name ?? '');
  return {
    text,
    eval: (x) => {
      const n = get(x);
      return (wild ? n.startsWith(stem) : n === stem) !== neg;
    },
    actual: (x) => `${which === 'in' ? 'iifname' : 'oifname'} "${get(x)}"`,
  };
}

/** meta iif / oif: by interface index, resolved when the rule is loaded. */
export function matchIfindex(text: string, which: 'in' | 'out', ifindex: number, neg: boolean): Expr {
  const get = (x: EvalCtx): number => (which === 'in' ? x.p.indev : x.p.outdev)?.ifindex ?? 0;
  return {
    text,
    eval: (x) => (get(x) === ifindex) !== neg,
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

export function matchPkttype(text: string, type: string, neg: boolean): Expr {
  return { text, eval: (x) => (x.p.skb.pkt_type === type) !== neg, actual: (x) => `pkttype ${Object.entries(PKTTYPES).find(([, t]) => t === x.p.skb.pkt_type)?.[0] ?? x.p.skb.pkt_type}` };
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

export function markSet(text: string, value: number, mask = 0xffffffff): Expr {
  return {
    text,
    eval: (x) => {
      const old = x.p.skb.mark;
      x.p.skb.mark = (((old & ~mask) >>> 0) ^ value) >>> 0;
      x.nf.markChanged(x, old);
      x.net.step(x.p.skb, 'L3', 'nft_meta_set_eval', 'net/netfilter/nft_meta.c', `meta mark set: skb->mark goes from 0x${old.toString(16)} to 0x${x.p.skb.mark.toString(16)}.`, { hook: { hook: x.p.hook, family: x.chain.table.family, table: x.chain.table.name, chain: x.chain.name, rule: x.rule.text, ruleIndex: x.chain.rules.indexOf(x.rule) + 1, ruleAt: x.rule.pos, verdict: 'NFT_CONTINUE' } });
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

export function rejectStmt(text: string, how: { tcpReset?: boolean; icmpCode?: number }): Expr {
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

export function natStmt(text: string, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect', addr: number | null, ports: Range | null): Expr {
  return {
    text,
    needsCt: true,
    nat: kind === 'snat' || kind === 'masquerade' ? 'snat' : 'dnat',
    eval: (x) => x.nf.nat(x, kind, addr, ports),
  };
}

export function queueStmt(text: string, num: number, bypass: boolean): Expr {
  return { text, eval: () => ({ code: 'NF_QUEUE', queue: { num, bypass } }) };
}
