// How nft lists one match or statement the model accepted (nftables 1.0.6's output, as its own
// tests/py expect it): keys as nft names them (`iif` unqualified, `meta mark`, `meta pkttype`),
// operators as symbols and `==` left out, values in their datatype's form (a mark as 0x%08x, a
// dotted mask as a prefix length, a port or user name as its number, ct state bits in bit
// order), statements with nft's defaults left out (`log level warn`) or written out (`queue num
// 0`). It runs on the tokens the parser has just accepted, so it never sees an invalid item; the
// key gives the datatype (the header field table for header matches).
import type { ListedItem, NfFamily, SetKeyType } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import { HEADERS, ICMP_CODES, type FieldType } from './nft_header_fields';
import { ICMP_TYPES, PROTO_BY_NAME, TCP_FLAGS } from './exprs';
import { big6, fmt6, hex128, ICMPV6_REJECT_CODES, ICMPV6_TYPES } from './nft_ip6_match';
import { EXTHDRS6, IPV6_PROTO_NAMES } from './nft_exthdr6_fields';
import { contiguousMaskLen, ipv4Of, numberOf, portOf, prefixLenOf, prefixRange } from './values';
import { numToIp } from '../../model/proto/addr';
import { formatIpv6, parseIpv6 } from '../../trace/ipv6';
import { CT_STATE_BITS as CT_STATE_BIT_OF } from './nft_ct_state';

interface T {
  k: 'word' | 'str' | 'punct';
  t: string;
}

/** meta keys nft prints without `meta` (meta.c meta_key_is_unqualified) */
const UNQUALIFIED = new Set(['iif', 'oif', 'iifname', 'oifname', 'iifgroup', 'oifgroup']);
/** meta keys that may be written without `meta` but are printed with it */
const BARE_META = new Set(['mark', 'pkttype', 'nftrace', 'skuid', 'skgid', 'iiftype', 'oiftype', 'cpu', 'cgroup', 'priority', 'rtclassid', 'secmark', 'length', 'protocol', 'l4proto', 'nfproto']);
const HEADER_PROTOS = new Set(Object.keys(HEADERS).concat(['th', 'ip6', 'icmpv6'], Object.keys(EXTHDRS6)));
const RELOPS: Record<string, string> = { eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=', '==': '==', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
const BITOPS: Record<string, string> = { and: '&', '&': '&', or: '|', '|': '|', xor: '^', '^': '^' };

const CT_STATE_BITS: [string, number][] = Object.entries(CT_STATE_BIT_OF);
const CT_STATUS_BITS: [string, number][] = [
  ['expected', 1],
  ['seen-reply', 2],
  ['assured', 4],
  ['confirmed', 8],
  ['snat', 16],
  ['dnat', 32],
  ['dying', 512],
];
const TCP_FLAG_BITS = Object.entries(TCP_FLAGS) as [string, number][];
const IDS: Record<string, number> = { root: 0, daemon: 1, bin: 2 };
/** protocol numbers nft lists by their /etc/protocols name (netbase's, as on the reference machine) */
const PROTO_LISTED: Record<number, string> = { 0: 'ip', 1: 'icmp', 2: 'igmp', 4: 'ipencap', 6: 'tcp', 17: 'udp', 22: 'xns-idp', 33: 'dccp', 41: 'ipv6', 47: 'gre', 50: 'esp', 51: 'ah', 43: 'ipv6-route', 44: 'ipv6-frag', 58: 'ipv6-icmp', 59: 'ipv6-nonxt', 60: 'ipv6-opts', 88: 'eigrp', 89: 'ospf', 103: 'pim', 108: 'ipcomp', 112: 'vrrp', 115: 'l2tp', 132: 'sctp', 136: 'udplite' };

type VType = 'ethertype' | 'ifname' | 'ifindex' | 'addr' | 'addr6' | 'hex' | 'tchandle' | 'mark' | 'proto' | 'port' | 'int' | 'uid' | 'group' | 'ctstate' | 'ctstatus' | 'tcpflags' | 'icmptype' | 'ctdir' | 'raw' | Record<string, number>;

const hex8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

function bitsOf(table: [string, number][], words: string[]): number | undefined {
  let m = 0;
  for (const w of words) {
    const hit = table.find(([n]) => n === w);
    const n = numberOf(w);
    if (hit) m |= hit[1];
    else if (n !== undefined) m |= n;
    else return undefined;
  }
  return m;
}

function bitNames(table: [string, number][], m: number): string {
  const out: string[] = [];
  let left = m;
  for (const [n, b] of table) {
    if (m & b) {
      out.push(n);
      left &= ~b;
    }
  }
  if (left) out.push(`0x${left.toString(16)}`);
  return out.join(',') || '0x0';
}

/** nft 1.0.6's ethertype names (its ethertype_tbl); vlan is read as 8021q, which is how it lists */
/** `meta nfproto`'s values by name (nfproto_type): listed by name, `10` as `ipv6` */
const NF_PROTO_NAMES: Record<string, number> = { ipv4: 2, ipv6: 10 };
const ETHERTYPES: Record<string, number> = { ip: 0x0800, arp: 0x0806, ip6: 0x86dd, '8021q': 0x8100, '8021ad': 0x88a8, vlan: 0x8100 };

/** One value (no range, no prefix) of a datatype, as nft prints it; `numeric` for nft -n. */
function one(s: string, ty: VType, numeric: boolean): string {
  switch (ty) {
    case 'ethertype': {
      const v = numberOf(s) ?? ETHERTYPES[s];
      if (v === undefined) return s;
      const name = Object.keys(ETHERTYPES).find((n) => ETHERTYPES[n] === v);
      return name ?? `0x${v.toString(16).padStart(4, '0')}`;
    }
    case 'ifname':
    case 'ifindex':
      return `"${s}"`;
    case 'addr': {
      // an address written as a number (a mask: `ip saddr & 0xff`) prints as one
      const v = numberOf(s);
      return v === undefined ? s : numToIp(v >>> 0);
    }
    case 'hex': {
      const v = numberOf(s);
      return v === undefined ? s : `0x${v.toString(16)}`;
    }
    case 'tchandle': {
      // tc's major:minor handle, as nft's tchandle_type prints a meta priority
      const v = numberOf(s);
      return v === undefined ? s : `${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
    }
    case 'mark': {
      const v = numberOf(s);
      return v === undefined ? s : hex8(v);
    }
    case 'proto': {
      // nft's parser reads the keyword icmpv6 as protocol 58 (`ip6 nexthdr icmpv6`)
      const v = numberOf(s) ?? PROTO_BY_NAME[s] ?? IPV6_PROTO_NAMES[s] ?? (s === 'icmpv6' ? 58 : undefined);
      if (v === undefined) return s;
      return numeric ? String(v) : (PROTO_LISTED[v] ?? String(v));
    }
    case 'port': {
      const v = portOf(s);
      return v === undefined ? s : String(v);
    }
    case 'uid': {
      const v = numberOf(s) ?? IDS[s];
      return v === undefined ? s : String(v);
    }
    case 'group': {
      const v = numberOf(s);
      return v === 0 || s === 'default' || s === '"default"' ? '"default"' : v === undefined ? s : String(v);
    }
    case 'icmptype': {
      const v = numberOf(s);
      if (v === undefined) return s;
      return Object.entries(ICMP_TYPES).find(([, n]) => n === v)?.[0] ?? String(v);
    }
    case 'int': {
      const v = numberOf(s);
      return v === undefined ? s : String(v);
    }
    case 'ctstate': {
      // one state by its number, as a set or map element (`8` lists as `new`)
      const v = numberOf(s);
      return v === undefined ? s : (CT_STATE_BITS.find(([, b]) => b === v)?.[0] ?? s);
    }
    case 'ctdir': {
      const v = numberOf(s);
      return v === 0 ? 'original' : v === 1 ? 'reply' : s;
    }
    case 'ctstatus':
    case 'tcpflags':
    case 'raw':
      return s;
    case 'addr6':
      return addr6Canon(s) ?? s;
    default: {
      // a name is printed as the table's first name of its value (an alias as its canonical name)
      const v = numberOf(s) ?? (Object.hasOwn(ty, s) ? ty[s] : undefined);
      if (v === undefined) return s;
      return Object.entries(ty).find(([, n]) => n === v)?.[0] ?? String(v);
    }
  }
}

/** A value word: a value, a range a-b, or (addresses) a prefix, in the datatype's printed form. */
function value(s: string, ty: VType, numeric: boolean): string {
  if (ty === 'addr6') return addr6Canon(s) ?? s;
  if (ty === 'addr' && s.includes('/')) {
    const [a, m] = s.split('/');
    const len = prefixLenOf(m) ?? contiguousMaskLen(m);
    const base = ipv4Of(a);
    if (len === undefined || base === undefined) return s;
    if (len === 32) return a;
    const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
    return `${numToIp((base & mask) >>> 0)}/${len}`;
  }
  const dash = s.indexOf('-', 1);
  if (dash > 0 && !/^[a-z]/i.test(s)) {
    // a range of protocols is listed in numbers
    const rty = ty === 'proto' ? 'int' : ty;
    // and one of ethertypes in hex (nft 1.0.6: `meta protocol 0x0800-0x0806`)
    if (ty === 'ethertype') {
      const [a, b] = [numberOf(s.slice(0, dash)) ?? ETHERTYPES[s.slice(0, dash)], numberOf(s.slice(dash + 1)) ?? ETHERTYPES[s.slice(dash + 1)]];
      if (a !== undefined && b !== undefined) return [a, b].map((v) => `0x${v.toString(16).padStart(4, '0')}`).join('-');
    }
    const lo = one(s.slice(0, dash), rty, numeric);
    const hi = one(s.slice(dash + 1), rty, numeric);
    return lo === hi ? lo : `${lo}-${hi}`;
  }
  return one(s, ty, numeric);
}

function fieldType(f: FieldType): VType {
  return f === 'addr' ? 'addr' : f === 'proto' ? 'proto' : f === 'port' ? 'port' : f === 'int' ? 'int' : f;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** An IPv6 address, ADDR/LEN (masked) or FIRST-LAST as nft lists it, or undefined if it is none. */
function addr6Canon(s: string): string | undefined {
  const slash = s.indexOf('/');
  if (slash > 0) {
    const a = parseIpv6(s.slice(0, slash));
    const len = Number(s.slice(slash + 1));
    if (!a || !Number.isInteger(len) || len < 0 || len > 128) return undefined;
    if (len === 128) return formatIpv6(a);
    const host = (1n << BigInt(128 - len)) - 1n;
    return `${fmt6(big6(a) & ~host)}/${len}`;
  }
  const dash = s.indexOf('-');
  if (dash > 0) {
    const a = parseIpv6(s.slice(0, dash));
    const b = parseIpv6(s.slice(dash + 1));
    return a && b ? `${formatIpv6(a)}-${formatIpv6(b)}` : undefined;
  }
  const a = parseIpv6(s);
  return a ? formatIpv6(a) : undefined;
}

/** The order of an IPv6 address, prefix or range in a listed set: its first address, 32 hex digits. */
function addr6SortKey(shown: string): string {
  const a = parseIpv6(shown.split(/[/-]/)[0]);
  return a ? hex128(big6(a)) : shown;
}

/** The datatype of a key (its words as nft lists them). */
function typeOfKey(key: string[]): VType {
  const [a, b, c, d] = key;
  if (a === 'meta') {
    if (b === 'mark') return 'mark';
    if (b === 'l4proto') return 'proto';
    if (b === 'protocol') return 'ethertype';
    if (b === 'skuid' || b === 'skgid') return 'uid';
    if (b === 'priority') return 'tchandle';
    if (b === 'nfproto') return NF_PROTO_NAMES;
    // pkttype_type's names, `unicast` an alias of `host` (listed as host)
    if (b === 'pkttype') return { host: 0, unicast: 0, broadcast: 1, multicast: 2, other: 3 };
    if (b === 'iiftype' || b === 'oiftype') return 'raw';
    return 'int';
  }
  if (a === 'iifgroup' || a === 'oifgroup') return 'group';
  if (a === 'iifname' || a === 'oifname') return 'ifname';
  // a device's index, listed by its name, a set of them in index order (not known here: as written)
  if (a === 'iif' || a === 'oif') return 'ifindex';
  if (a === 'ct') {
    const k = b === 'original' || b === 'reply' ? (c === 'ip' ? d : c) : b;
    if (k === 'mark') return 'mark';
    if (k === 'state') return 'ctstate';
    if (k === 'status') return 'ctstatus';
    if (k === 'saddr' || k === 'daddr') return 'addr';
    if (k === 'protocol') return 'proto';
    if (k === 'proto-src' || k === 'proto-dst') return 'port';
    if (k === 'direction') return 'ctdir';
    return 'int';
  }
  if (a === 'tcp' && b === 'flags') return 'tcpflags';
  if (a === 'icmp' && b === 'type') return 'icmptype';
  if (a === 'icmp' && b === 'code') return ICMP_CODES;
  // nft 1.0.6 prints icmpv6 types and codes by the names of its icmp6 type and code tables
  if (a === 'icmpv6' && b === 'type') return ICMPV6_TYPES;
  if (a === 'icmpv6' && b === 'code') return ICMPV6_REJECT_CODES;
  if (a === 'comp' && b === 'flags') return 'hex';
  if (a === 'th') return 'port';
  if (a === 'ip6' && (b === 'saddr' || b === 'daddr')) return 'addr6';
  if (a === 'ip6' && b === 'nexthdr') return 'proto';
  if (EXTHDRS6[a]?.fields[b]) return fieldType(EXTHDRS6[a].fields[b].type);
  if (HEADERS[a]?.fields[b]) return fieldType(HEADERS[a].fields[b].type);
  return 'raw';
}

/** Values written as a flag list (`a,b`, `a|b`) print as one bit set. */
function flagTable(ty: VType): [string, number][] | null {
  return ty === 'ctstate' ? CT_STATE_BITS : ty === 'ctstatus' ? CT_STATUS_BITS : ty === 'tcpflags' ? TCP_FLAG_BITS : null;
}

/** The words of a key: everything before the operator, the set, or the first value. */
function keyLength(ts: T[]): number {
  const a = ts[0]?.t;
  const w = (i: number): string | undefined => (ts[i]?.k === 'word' ? ts[i].t : undefined);
  if (a === 'ct') {
    if (w(1) === 'original' || w(1) === 'reply') return w(2) === 'ip' ? 4 : 3;
    return 2;
  }
  if (a === 'meta') return 2;
  if (a === 'tcp' && w(1) === 'option') return w(3) && !['exists', 'missing', 'set'].includes(w(3)!) && !/^\d/.test(w(3)!) ? 4 : 3;
  if (a === 'sctp' && w(1) === 'chunk') return w(3) && !['exists', 'missing'].includes(w(3)!) && !/^\d/.test(w(3)!) ? 4 : 3;
  if (HEADER_PROTOS.has(a)) return 2;
  if (a?.startsWith('@')) return 5;
  return 1;
}

function join(ts: string[]): string {
  return ts.join(' ').replace(/ ,/g, ',').replace(/\{ +/g, '{ ').replace(/ +\}/g, ' }');
}

/** The value an element is ordered by (its lower end). */
function sortKey(shown: string, ty: VType): number | undefined {
  const whole = shown.replace(/^"|"$/g, '');
  // a name with a dash (router-advertisement) is one value; a-b is a range, ordered by a
  const named = ty === 'icmptype' ? ICMP_TYPES[whole] : typeof ty === 'object' ? ty[whole] : undefined;
  if (named !== undefined) return named;
  const lo = whole.split(/-(?=[0-9a-z])/)[0].split('/')[0];
  if (ty === 'addr') return ipv4Of(lo);
  const flags = flagTable(ty);
  if (flags) return flags.find(([n]) => n === lo)?.[1];
  if (ty === 'ctdir') return lo === 'original' ? 0 : lo === 'reply' ? 1 : undefined;
  if (ty === 'tchandle') {
    const m = /^([0-9a-f]+):([0-9a-f]+)$/.exec(lo);
    return m ? parseInt(m[1], 16) * 65536 + parseInt(m[2], 16) : undefined;
  }
  if (ty === 'proto') {
    // a protocol name may have a dash (ipv6-frag): the whole word first
    const named = (w: string): number | undefined => {
      const e = Object.entries(PROTO_LISTED).find(([, n]) => n === w);
      return e ? Number(e[0]) : undefined;
    };
    const v = named(whole) ?? numberOf(lo) ?? named(lo) ?? NaN;
    return Number.isNaN(v) ? undefined : v;
  }
  if (ty === 'icmptype') return numberOf(lo) ?? ICMP_TYPES[lo];
  if (typeof ty === 'object') return numberOf(lo) ?? ty[lo];
  if (ty === 'ethertype') return numberOf(lo) ?? ETHERTYPES[lo];
  if (ty === 'ifname' || ty === 'ifindex' || ty === 'raw' || ty === 'group') return undefined;
  return numberOf(lo);
}

/** An interval set's ranges: adjacent and overlapping ones become one, as nft merges them. */
function mergeRanges(shown: string[]): string[] {
  const r = shown.map((x) => x.split('-').map(Number));
  if (!r.every((x) => x.every((n) => Number.isInteger(n))) || !r.some((x) => x.length === 2)) return shown;
  const iv = r.map((x) => [x[0], x[x.length - 1]]).sort((a, b) => a[0] - b[0]);
  const out: number[][] = [];
  for (const x of iv) {
    const last = out[out.length - 1];
    if (last && x[0] <= last[1] + 1) last[1] = Math.max(last[1], x[1]);
    else out.push([...x]);
  }
  return out.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
}

/** A set `{ … }` or a list a,b,c of values (elements sorted as the kernel's set returns them is not knowable: kept in order). */
function valuesText(ts: T[], ty: VType, numeric: boolean): string {
  const flags = flagTable(ty);
  const braced = ts[0]?.t === '{';
  // a set inside a set is merged into it
  const inner = (braced ? ts.slice(1, ts.length - 1) : ts).filter((t) => !(t.k === 'punct' && (t.t === '{' || t.t === '}')));
  const words = inner.filter((t) => !(t.k === 'punct' && (t.t === ',' || t.t === '|'))).map((t) => (t.k === 'str' ? t.t : t.t));
  if (flags && !braced) {
    const m = bitsOf(flags, words);
    if (m !== undefined) return ty === 'ctstate' && m === 0 ? '0x0' : bitNames(flags, m);
  }
  const strs = new Set(inner.filter((t) => t.k === 'str').map((t) => t.t));
  let shown = words.map((s) => (strs.has(s) && ty !== 'group' && ty !== 'uid' && ty !== 'ifname' && ty !== 'ifindex' ? `"${s}"` : value(s, ty, numeric)));
  if (braced && ty === 'int') shown = mergeRanges(shown);
  if (braced) {
    // nft lists an anonymous set in value order, and a set of one element as that element
    const keys = shown.map((x) => sortKey(x, ty));
    if (keys.every((k) => k !== undefined)) shown = shown.map((x, j) => [x, keys[j]!] as const).sort((a, b) => a[1] - b[1]).map(([x]) => x);
    if (ty === 'addr6') shown = [...shown].sort((a, b) => cmpStr(addr6SortKey(a), addr6SortKey(b)));
    // names compare as their bytes (a wildcard by its stem)
    if (ty === 'ifname') shown = [...shown].sort((a, b) => cmpStr(a.replace(/^"|\*?"$/g, ''), b.replace(/^"|\*?"$/g, '')));
    return shown.length === 1 ? shown[0] : `{ ${shown.join(', ')} }`;
  }
  return shown.join(', ');
}

/** A match `KEY [BITOP V]… [RELOP] VALUES` or a statement `KEY set VALUE`. */
function matchText(ts: T[], numeric: boolean): string {
  const n = keyLength(ts);
  const key = ts.slice(0, n).map((t) => t.t);
  const rawPayload = key[0]?.startsWith('@');
  if (rawPayload) key.splice(0, n, key.join(''));
  if (key[0] === 'tcp' && key[1] === 'option') {
    // `sack0` is the first block of `sack`; a raw option `@KIND,OFF,LEN` is one word
    if (key[2] === 'sack0') key[2] = 'sack';
    if (key[2]?.startsWith('@')) {
      const raw = ts.slice(2, 7).map((t) => t.t).join('');
      return join(['tcp', 'option', raw, ...ts.slice(7).map((t) => t.t)]);
    }
  }
  // `meta secpath` is the old name of `meta ipsec`, which nft 1.0.6 lists (meta.c's meta_templates)
  if (key[0] === 'meta' && key[1] === 'secpath') key[1] = 'ipsec';
  // ct's address keys name the family (`ct original ip saddr`)
  if (key[0] === 'ct' && (key[1] === 'original' || key[1] === 'reply') && (key[2] === 'saddr' || key[2] === 'daddr')) key.splice(2, 0, 'ip');
  // the protocol is the same in both directions: nft lists it without one
  if (key[0] === 'ct' && (key[1] === 'original' || key[1] === 'reply') && key[2] === 'protocol') key.splice(1, 1);
  // a raw load at a port's place in the transport header is listed as th's port
  const th = rawPayload ? ({ '@th,0,16': 'sport', '@th,16,16': 'dport' } as Record<string, string>)[key[0]] : undefined;
  if (th) key.splice(0, 1, 'th', th);
  const ty = rawPayload && !th ? 'hex' : typeOfKey(key);
  let i = n;
  const out = [...key];
  let bitwise = false;
  if (ts[i]?.t === 'set') {
    out.push('set');
    i++;
    const rest = ts.slice(i);
    // a meta key as the value is listed with meta (`ct mark set meta mark`)
    if (rest[0] && BARE_META.has(rest[0].t) && !UNQUALIFIED.has(rest[0].t)) rest.unshift({ k: 'word', t: 'meta' });
    if (rest[0]?.t === 'numgen') return join([...out, numgenHead(rest)[0]]);
    if (rest[0]?.t === 'jhash') return join([...out, jhashText(rest)]);
    const mapAt = rest.findIndex((t) => t.t === 'map');
    if (mapAt > 0 && rest[mapAt + 1]?.t === '{') return join([...out, dataMapText(rest, mapAt, ty, numeric)]);
    // a constant folded (`0x12 or 0x11` is one value): the parser folded it already the same way
    if (rest.length === 1) return join([...out, value(rest[0].t, ty, numeric)]);
    if (rest.length === 3 && BITOPS[rest[1].t] && numberOf(rest[0].t) !== undefined && numberOf(rest[2].t) !== undefined) {
      const a = numberOf(rest[0].t)!;
      const b = numberOf(rest[2].t)!;
      const v = BITOPS[rest[1].t] === '&' ? a & b : BITOPS[rest[1].t] === '|' ? a | b : a ^ b;
      return join([...out, value(String(v >>> 0), ty, numeric)]);
    }
    const words: string[] = [];
    for (let j = 0; j < rest.length; j++) {
      const t = rest[j];
      // `>> N` / `<< N` (two tokens to the lexer, a shift only when accepted): the count in decimal
      if ((t.t === '>' || t.t === '<') && rest[j + 1]?.t === t.t) {
        words.push(t.t + t.t, String(numberOf(rest[j + 2]?.t ?? '') ?? rest[j + 2]?.t ?? ''));
        j += 2;
        continue;
      }
      words.push(t.k === 'str' ? `"${t.t}"` : BITOPS[t.t] ?? (numberOf(t.t) !== undefined ? value(t.t, ty, numeric) : t.t));
    }
    return join([...out, ...words]);
  }
  const flags = flagTable(ty);
  // a flag list in parentheses `(syn|fin)` is one value
  const operand = (): string => {
    if (ts[i]?.t !== '(') return ts[i++]?.t ?? '';
    const words: string[] = [];
    for (i++; i < ts.length && ts[i].t !== ')'; i++) if (ts[i].t !== '|' && ts[i].t !== ',') words.push(ts[i].t);
    i++;
    const m = flags ? bitsOf(flags, words) : undefined;
    return m === undefined ? words.join('|') : String(m);
  };
  const masks: [string, string][] = [];
  while (ts[i] && BITOPS[ts[i].t] && ts[i + 1]) {
    bitwise = true;
    const o = BITOPS[ts[i].t];
    i++;
    masks.push([o, operand()]);
  }
  let op = '==';
  let explicit = false;
  if (flags && ts[i]?.t === '!' && ts[i].k === 'punct') {
    // `! M`: none of the bits (the bitmask's negated implicit form)
    i++;
    const m = bitsOf(flags, ts.slice(i).filter((t) => t.t !== ',' && t.t !== '{' && t.t !== '}').map((t) => t.t));
    return join([...out, '!', m === undefined ? plain(ts.slice(i)) : bitNames(flags, m)]);
  }
  if (ts[i] && RELOPS[ts[i].t] && (ts[i].k === 'punct' || ts.length > i + 1)) {
    op = RELOPS[ts[i].t];
    explicit = true;
    i++;
  }
  if (ts[i]?.t === '(') {
    const at = i;
    const v = operand();
    ts.splice(at, ts.length - at, { k: 'word', t: v });
    i = at;
  }
  let rest = ts.slice(i);
  if (flags) {
    const slash = rest.findIndex((t) => t.t === '/');
    const bits = (xs: T[]): number | undefined => bitsOf(flags, xs.filter((t) => t.t !== ',' && t.t !== '|').map((t) => t.t));
    if (slash >= 0 && !bitwise) {
      // `V / M` written out: the same shortcut, in bit order
      const v = bits(rest.slice(0, slash));
      const m = bits(rest.slice(slash + 1));
      if (v !== undefined && m !== undefined) return join([...out, ...(op === '!=' ? ['!='] : []), `${bitNames(flags, v)} / ${bitNames(flags, m)}`]);
    }
    // a value written as a|b under a mask is one value
    const v = bits(rest);
    if (bitwise && rest.length > 1 && v !== undefined) rest = [{ k: 'word', t: String(v) }];
  }
  // xor alone with == or != folds into the value (nft's binop_transfer)
  if (masks.length === 1 && masks[0][0] === '^' && rest.length === 1 && (op === '==' || op === '!=')) {
    const v = ((numberOf(rest[0].t) ?? 0) ^ (numberOf(masks[0][1]) ?? 0)) >>> 0;
    return join([...out, ...(op === '!=' ? ['!='] : []), value(String(v), ty, numeric)]);
  }
  // an address masked with a prefix's mask is the prefix
  if (ty === 'addr' && masks.length === 1 && masks[0][0] === '&' && rest.length === 1 && op === '==') {
    const len = contiguousMaskLen(value(masks[0][1], ty, numeric));
    if (len !== undefined && len > 0) return join([...out, value(`${value(rest[0].t, ty, numeric)}/${len}`, ty, numeric)]);
  }
  // a bitmask under a mask is listed in nft's flag shortcuts (1.0.1 and later): `! M` for none of
  // the bits, `V / M` for exactly V among M (all of M too: `fin,syn / fin,syn`)
  if (flags && masks.length === 1 && masks[0][0] === '&' && rest.length === 1 && (op === '==' || op === '!=')) {
    const m = numberOf(masks[0][1]);
    const v = numberOf(rest[0].t) ?? bitsOf(flags, [rest[0].t]);
    if (m !== undefined && v !== undefined) {
      const names = (x: number): string => bitNames(flags, x);
      if (v === 0) return join([...out, ...(op === '==' ? ['!'] : []), names(m)]);
      return join([...out, ...(op === '!=' ? ['!='] : []), `${names(v)} / ${names(m)}`]);
    }
  }
  const showMask = (v: string): string => {
    const m = numberOf(v);
    return flags && m !== undefined ? `(${bitNames(flags, m).split(',').join(' | ')})` : value(v, ty, numeric);
  };
  // an explicit == or != of several flags is one cmp of the whole value: nft prints tcp flags as a
  // number, other bitmasks as `a | b` (without ==)
  if (flags && explicit && !masks.length && rest.length > 1 && rest[0].t !== '{' && (op === '==' || op === '!=')) {
    const v = bitsOf(flags, rest.filter((t) => t.t !== ',' && t.t !== '|').map((t) => t.t));
    if (v !== undefined && ty === 'tcpflags') return join([...out, op, `0x${v.toString(16)}`]);
    if (v !== undefined) return join([...out, ...(op === '!=' ? ['!='] : []), bitNames(flags, v).split(',').join(' | ')]);
  }
  for (const [o, v] of masks) out.push(o, showMask(v));
  // a bitmask type's == is exact equality, unlike its implicit form (any of the bits)
  if (op !== '==' || bitwise || (flags && explicit)) out.push(op);
  if ((rest[0]?.t === 'vmap' || rest[0]?.t === 'map') && rest[1]?.t === '{') return join([...out, rest[0].t, mapText(rest.slice(2, rest.length - 1), ty, numeric)]);
  if (rest[0]?.t === 'vmap' || rest[0]?.t === 'map') return join([...out, ...rest.map((t) => (t.k === 'str' ? `"${t.t}"` : t.t))]);
  if (bitwise && flags && rest.length === 1 && numberOf(rest[0].t) !== undefined) out.push(bitNames(flags, numberOf(rest[0].t)!).split(',').join(' | '));
  else if (rest.length) out.push(valuesText(rest, ty, numeric));
  return join(out);
}

/** An anonymous map's elements `KEY : DATA`, keys in their datatype's form, in key order. */
function mapText(ts: T[], ty: VType, numeric: boolean): string {
  const elems: string[][] = [[]];
  for (const t of ts) {
    if (t.k === 'punct' && t.t === ',') elems.push([]);
    else elems[elems.length - 1].push(t.k === 'str' ? `"${t.t}"` : t.t);
  }
  const shown = elems
    .filter((e) => e.length)
    .map((e) => {
      // the separator is a word of its own (an IPv6 key has colons in it); glued, split the text
      const at = e.indexOf(':');
      const [key, ...data] = at > 0 ? [e.slice(0, at).join(' '), e.slice(at + 1).join(' ')] : e.join(' ').split(/ ?: ?/);
      return { key: value(key.replace(/^"|"$/g, ''), ty, numeric), data: data.join(':').trim() };
    });
  const keys = shown.map((e) => sortKey(e.key, ty));
  if (keys.every((k) => k !== undefined)) shown.sort((a, b) => sortKey(a.key, ty)! - sortKey(b.key, ty)!);
  if (ty === 'addr6') shown.sort((a, b) => cmpStr(addr6SortKey(a.key), addr6SortKey(b.key)));
  return `{ ${shown.map((e) => `${e.key} : ${e.data}`).join(', ')} }`;
}

/** `numgen inc mod N [offset O]` with its numbers in decimal, and how many tokens it took */
function numgenHead(ts: T[]): [string, number] {
  const dec = (t: T | undefined): string => String(numberOf(t?.t ?? '') ?? t?.t ?? '');
  const out = ['numgen', ts[1]?.t ?? '', 'mod', dec(ts[3])];
  if (ts[4]?.t !== 'offset') return [out.join(' '), 4];
  return [[...out, 'offset', dec(ts[5])].join(' '), 6];
}

/**
 * `KEY map { k : v, … }` as a statement's value: the key as nft names it, each element's key
 * parts in their field's datatype form and its data in the statement's, in key order.
 */
function dataMapText(rest: T[], mapAt: number, dataTy: VType, numeric: boolean, quoteData = false): string {
  const keyToks = rest.slice(0, mapAt);
  if (keyToks[0]?.t === 'numgen' || keyToks[0]?.t === 'jhash') return plain(rest);
  const keys: string[][] = [[]];
  for (const t of keyToks) {
    if (t.t === '.') keys.push([]);
    else keys[keys.length - 1].push(t.t);
  }
  for (const k of keys) {
    if (k[0] === 'meta' && UNQUALIFIED.has(k[1])) k.shift();
    else if (BARE_META.has(k[0])) k.unshift('meta');
  }
  const types = keys.map((k) => typeOfKey(k));
  const elems: T[][] = [[]];
  for (const t of rest.slice(mapAt + 2, rest.length - 1)) {
    if (t.k === 'punct' && t.t === ',') elems.push([]);
    else elems[elems.length - 1].push(t);
  }
  const shown = elems
    .filter((e) => e.length)
    .map((e) => {
      const words = e.flatMap((t): T[] => {
        const g = t.k === 'word' ? /^([^:]+):([^:]+)$/.exec(t.t) : null;
        return g ? [{ k: 'word', t: g[1] }, { k: 'word', t: ':' }, { k: 'word', t: g[2] }] : [t];
      });
      const colon = words.findIndex((t) => t.t === ':');
      const parts = words.slice(0, colon).filter((t) => t.t !== '.').map((t, j) => value(t.t, types[j] ?? 'raw', numeric));
      const data = words.slice(colon + 1).map((t) => (quoteData ? `"${t.t}"` : numberOf(t.t) !== undefined ? value(t.t, dataTy, numeric) : t.t)).join(' ');
      return { text: `${parts.join(' . ')} : ${data}`, sort: parts.map((x, j) => sortKey(x, types[j] ?? 'raw')) };
    });
  if (shown.every((e) => e.sort.every((k) => k !== undefined))) {
    shown.sort((a, b) => {
      for (let j = 0; j < a.sort.length; j++) if (a.sort[j] !== b.sort[j]) return a.sort[j]! - b.sort[j]!;
      return 0;
    });
  }
  return `${keys.map((k) => k.join(' ')).join(' . ')} map { ${shown.map((e) => e.text).join(', ')} }`;
}

/**
 * An IPv4 NAT address range as nft 1.0.6 lists it: a range that is exactly a prefix prints as
 * one (`10.0.0.0-10.0.0.255` is `10.0.0.0/24`, a single address `/32`), any other as written.
 */
function natRangeText(w: string): string {
  // a prefix lists with its host bits cleared (nft 1.0.6: `snat to 10.0.0.1/30` lists as 10.0.0.0/30)
  const pre = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(w);
  const plen = pre ? prefixLenOf(pre[2]) : undefined;
  const base = pre ? ipv4Of(pre[1]) : undefined;
  if (plen !== undefined && base !== undefined) return `${numToIp(prefixRange(base, plen)[0])}/${plen}`;
  const m = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)(:.*)?$/.exec(w);
  if (!m) return w;
  const lo = ipv4Of(m[1]);
  const hi = ipv4Of(m[2]);
  if (lo === undefined || hi === undefined) return w;
  const span = (hi - lo) >>> 0;
  const bits = Math.log2(span + 1);
  if (hi < lo || !Number.isInteger(bits) || lo % (span + 1) !== 0) return w;
  return `${m[1]}/${32 - bits}${m[3] ?? ''}`;
}

/** `jhash FIELDS mod N [seed S] [offset O]` as nft lists it: N and O in decimal, the seed in hex, then the rest. */
function jhashText(ts: T[]): string {
  const m = ts.findIndex((t) => t.t === 'mod');
  if (m < 0) return plain(ts);
  const dec = (t: T | undefined): string => String(numberOf(t?.t ?? '') ?? t?.t ?? '');
  const out = [...ts.slice(0, m).map((t) => t.t), 'mod', dec(ts[m + 1])];
  let i = m + 2;
  const opts = new Map<string, string>();
  while (ts[i]?.t === 'seed' || ts[i]?.t === 'offset') {
    const v = numberOf(ts[i + 1]?.t ?? '');
    opts.set(ts[i].t, ts[i].t === 'seed' && v !== undefined ? `0x${v.toString(16)}` : dec(ts[i + 1]));
    i += 2;
  }
  for (const k of ['seed', 'offset']) if (opts.has(k)) out.push(k, opts.get(k)!);
  return join([...out, ...ts.slice(i).map((t) => (t.k === 'str' ? `"${t.t}"` : t.t))]);
}

function plain(ts: T[]): string {
  return join(ts.map((t) => (t.k === 'str' ? `"${t.t}"` : t.t)));
}

/**
 * nft 1.0.6 lists a quota as `quota [over ]N UNIT[ used M UNIT]` (quota_stmt_print): `until` is
 * the default and not printed, each amount is in the largest unit that divides it (get_rate:
 * 2048 bytes is `2 kbytes`, 0 stays `0 bytes`), and `used` only when something was used.
 */
function quotaText(ts: T[]): string {
  const w = ts.map((t) => t.t);
  const units: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 * 1024 };
  let i = 1;
  const over = w[i] === 'over';
  if (over || w[i] === 'until') i++;
  const amount = (): number | undefined => {
    const n = numberOf(w[i] ?? '');
    const u = units[w[i + 1] ?? ''];
    i += 2;
    return n === undefined || u === undefined ? undefined : n * u;
  };
  const bytes = amount();
  const used = w[i] === 'used' ? (i++, amount()) : 0;
  if (bytes === undefined || used === undefined || i !== w.length) return plain(ts);
  const show = (n: number): string => {
    let k = 0;
    while (n !== 0 && k < 2 && n % 1024 === 0) {
      n /= 1024;
      k++;
    }
    return `${n} ${['bytes', 'kbytes', 'mbytes'][k]}`;
  };
  return join(['quota', ...(over ? ['over'] : []), show(bytes), ...(used ? ['used', show(used)] : [])]);
}

const LOG_ORDER = ['prefix', 'group', 'snaplen', 'queue-threshold', 'level', 'flags'];

function logText(ts: T[]): string {
  const opts = new Map<string, string>();
  for (let i = 1; i < ts.length; i++) {
    const k = ts[i].t;
    if (k === 'flags') {
      const fl: string[] = [];
      while (ts[i + 1] && !LOG_ORDER.includes(ts[i + 1].t)) fl.push(ts[++i].t);
      opts.set('flags', fl.join(' ').replace(/ ?, ?/g, ','));
      continue;
    }
    const v = ts[++i];
    opts.set(k, k === 'prefix' ? `"${v.t}"` : v.t);
  }
  if (opts.get('level') === 'warn') opts.delete('level');
  // the group is a u16 (nft 1.0.6 lists `group 70000` as 4464); snaplen and queue-threshold go
  // to nfnetlink_log only, and without a group nft sends and lists neither
  if (opts.has('group')) opts.set('group', String((numberOf(opts.get('group')!) ?? 0) & 0xffff));
  else {
    opts.delete('snaplen');
    opts.delete('queue-threshold');
  }
  return ['log', ...LOG_ORDER.filter((k) => opts.has(k)).map((k) => `${k} ${opts.get(k)}`)].join(' ');
}

function queueText(ts: T[]): string {
  let num = '0';
  const flags: string[] = [];
  for (let i = 1; i < ts.length; i++) {
    if (ts[i].t === 'num') num = ts[++i].t;
    else if (ts[i].t === 'flags') {
      while (ts[i + 1] && (ts[i + 1].t === ',' || ts[i + 1].t === 'bypass' || ts[i + 1].t === 'fanout')) if (ts[++i].t !== ',') flags.push(ts[i].t);
    } else if (ts[i].t === 'bypass' || ts[i].t === 'fanout') flags.push(ts[i].t);
  }
  const f = ['bypass', 'fanout'].filter((x) => flags.includes(x));
  return `queue ${f.length ? `flags ${f.join(',')} ` : ''}num ${num}`;
}

/** NFT_REJECT_ICMPX_* by value */
const ICMPX_NAMES = ['no-route', 'port-unreachable', 'host-unreachable', 'admin-prohibited'];

function rejectText(ts: T[]): string {
  // reject with icmp port-unreachable is the default for ip (nft prints plain reject)
  const words = ts.map((t) => t.t);
  // nft 1.0.6 lists `with icmp CODE` without the word type
  let w = words.join(' ').replace(/^reject with (icmpx?) type /, 'reject with $1 ');
  // an icmpx code given as its number lists by its name
  w = w.replace(/^reject with icmpx (\d+)$/, (all, n: string) => (ICMPX_NAMES[Number(n)] ? `reject with icmpx ${ICMPX_NAMES[Number(n)]}` : all));
  if (w === 'reject with icmp port-unreachable') return 'reject';
  return w;
}

/** Whether the item is a concatenation (`KEY . KEY …`). */
function isConcat(ts: T[]): boolean {
  const dot = (i: number): boolean => ts[i]?.k === 'word' && ts[i].t === '.';
  return dot(1) || (ts[1]?.k === 'word' && dot(2));
}

/**
 * A concatenation's lookup: each key as nft names it, and each element's parts in their field's
 * datatype form; an anonymous set or map lists in key order and keeps its braces for one element.
 */
function concatText(ts: T[], numeric: boolean): string {
  const keys: string[][] = [];
  let i = 0;
  for (;;) {
    const seg: string[] = [];
    while (ts[i] && ts[i].k === 'word' && ts[i].t !== '.' && !RELOPS[ts[i].t] && !ts[i].t.startsWith('@') && ts[i].t !== 'vmap') seg.push(ts[i++].t);
    if (seg[0] === 'meta' && UNQUALIFIED.has(seg[1])) seg.shift();
    else if (BARE_META.has(seg[0])) seg.unshift('meta');
    keys.push(seg);
    if (ts[i]?.t !== '.') break;
    i++;
  }
  const types = keys.map((k) => typeOfKey(k));
  const out = [keys.map((k) => k.join(' ')).join(' . ')];
  if (ts[i] && RELOPS[ts[i].t]) {
    if (RELOPS[ts[i].t] !== '==') out.push(RELOPS[ts[i].t]);
    i++;
  }
  const isMap = ts[i]?.t === 'vmap';
  if (isMap) out.push(ts[i++].t);
  if (ts[i]?.t !== '{') return join([...out, ...ts.slice(i).map((t) => t.t)]);
  const elems: T[][] = [[]];
  for (const t of ts.slice(i + 1, ts.length - 1)) {
    if (t.k === 'punct' && t.t === ',') elems.push([]);
    else elems[elems.length - 1].push(t);
  }
  const shown = elems
    .filter((e) => e.length)
    .map((e) => {
      const words: T[] = [];
      for (const t of e) {
        // `22:accept` is a key part and its verdict in one word
        const glued = isMap && t.k === 'word' ? /^([^:]+):([a-z]+)$/.exec(t.t) : null;
        if (glued) words.push({ k: 'word', t: glued[1] }, { k: 'punct', t: ':' }, { k: 'word', t: glued[2] });
        else words.push(t);
      }
      const colon = words.findIndex((t) => t.t === ':');
      const keyToks = colon < 0 ? words : words.slice(0, colon);
      const parts = keyToks.filter((t) => t.t !== '.').map((t, j) => (t.k === 'str' ? `"${t.t}"` : value(t.t, types[j] ?? 'raw', numeric)));
      const sort = parts.map((x, j) => sortKey(x, types[j] ?? 'raw'));
      const data = colon < 0 ? '' : ` : ${words.slice(colon + 1).map((t) => t.t).join(' ')}`;
      return { text: `${parts.join(' . ')}${data}`, sort };
    });
  if (shown.every((e) => e.sort.every((k) => k !== undefined))) {
    shown.sort((a, b) => {
      for (let j = 0; j < a.sort.length; j++) if (a.sort[j] !== b.sort[j]) return a.sort[j]! - b.sort[j]!;
      return 0;
    });
  }
  return join([...out, `{ ${shown.map((e) => e.text).join(', ')} }`]);
}

/** The item a keyword's parser accepted, as nft lists it. */
export function canonItem(toks: NTok[], defines: Map<string, NTok[]>): ListedItem {
  const ts: T[] = [];
  for (const t of toks) {
    if (t.kind === 'word' && t.text.startsWith('$') && defines.has(t.text.slice(1))) {
      for (const d of defines.get(t.text.slice(1))!) if (d.kind !== 'nl' && d.kind !== 'eof') ts.push({ k: d.kind, t: d.text });
    } else if (t.kind !== 'nl' && t.kind !== 'eof') ts.push({ k: t.kind, t: t.text });
  }
  if (isConcat(ts)) {
    const text = concatText(ts, false);
    const numeric = concatText(ts, true);
    return numeric === text ? { text } : { text, numeric };
  }
  if (ts[0]?.t === 'meta' && UNQUALIFIED.has(ts[1]?.t)) ts.shift();
  else if (ts[0] && BARE_META.has(ts[0].t)) ts.unshift({ k: 'word', t: 'meta' });
  const kw = ts[0]?.t;
  if ((kw === 'counter' || kw === 'quota' || kw === 'limit') && ts[1]?.t === 'name') {
    const objref = (numeric: boolean): string => {
      const rest = ts.slice(2);
      const mapAt = rest.findIndex((t) => t.t === 'map');
      // nft lists an object's name quoted, and a map of them as any data map, its names quoted
      return mapAt > 0 ? `${kw} name ${dataMapText(rest, mapAt, 'raw', numeric, true)}` : `${kw} name "${rest[0]?.t ?? ''}"`;
    };
    const text = objref(false);
    const numeric = objref(true);
    return numeric === text ? { text } : { text, numeric };
  }
  if (kw === 'counter') return { text: 'counter', counter: true };
  const render = (numeric: boolean): string => {
    switch (kw) {
      case 'log':
        return logText(ts);
      case 'queue':
        return queueText(ts);
      case 'reject':
        return rejectText(ts);
      case 'comment':
        return `comment "${ts[1]?.t ?? ''}"`;
      case 'accept':
      case 'drop':
      case 'continue':
      case 'return':
      case 'jump':
      case 'goto':
      case 'notrack':
      case 'snat':
      case 'dnat':
        return plain(ts.map((t) => ({ ...t, t: natRangeText(t.t) })));
      case 'masquerade':
      case 'redirect':
      case 'limit':
      case 'exthdr':
        return plain(ts);
      case 'quota':
        return quotaText(ts);
      case 'jhash':
        return jhashText(ts);
      case 'add':
      case 'update':
      case 'delete':
        return plain(ts);
      case 'numgen': {
        const [head, i] = numgenHead(ts);
        const op = RELOPS[ts[i]?.t] && ts.length > i + 1 ? RELOPS[ts[i].t] : undefined;
        return join([head, ...(op && op !== '==' ? [op] : []), valuesText(ts.slice(op ? i + 1 : i), 'int', numeric)]);
      }
      default:
        // `ct count [over] N` is a statement (connlimit_stmt_print), its number in decimal, cut to 32 bits
        if (kw === 'ct' && ts[1]?.t === 'count') {
          const over = ts[2]?.t === 'over';
          return join(['ct count', ...(over ? ['over'] : []), String(BigInt(ts[over ? 3 : 2].t) & 0xffffffffn)]);
        }
        return matchText(ts, numeric);
    }
  };
  const text = render(false);
  const numeric = render(true);
  // `ct original saddr` without ip or ip6 takes its family from the meta nfproto before it
  const usesNfproto = kw === 'ct' && (ts[1]?.t === 'original' || ts[1]?.t === 'reply') && (ts[2]?.t === 'saddr' || ts[2]?.t === 'daddr');
  return { text, ...(numeric !== text && { numeric }), ...(usesNfproto && { usesNfproto }) };
}


/**
 * The rule's items as nft lists them: a protocol match that only states the dependency of a
 * later header match of the same protocol is left out (nft's payload dependency removal, done
 * when no statement stands between them), and the comment comes last.
 */
export function listedRule(items: ListedItem[], family: NfFamily): ListedItem[] {
  // a nat statement's family word is listed only in an inet table (nft 1.0.6: `snat ip to A` in
  // an ip table, `dnat ip6 to [A]:P` in an ip6 table list as `snat to A`, `dnat to [A]:P`)
  if (family !== 'inet') {
    for (const it of items) {
      it.text = it.text.replace(/^(snat|dnat) ip6? to /, '$1 to ');
      if (it.numeric) it.numeric = it.numeric.replace(/^(snat|dnat) ip6? to /, '$1 to ');
    }
  }
  // the dependency nft adds is ip protocol in an ip table, meta l4proto in an inet one (1.0.6)
  const depKeys = family === 'ip' ? ['ip protocol ', 'meta l4proto '] : family === 'ip6' ? ['ip6 nexthdr ', 'meta l4proto '] : ['meta l4proto '];
  const nfDeps = family === 'inet' ? nfprotoDeps(items) : new Set<number>();
  const out = items.filter((it, i) => {
    if (nfDeps.has(i)) return false;
    const dep = depKeys.find((k) => it.text.startsWith(k));
    if (!dep) return true;
    const num = (it.numeric ?? it.text).slice(dep.length);
    if (!/^\d+$/.test(num)) return true;
    const proto = Number(num);
    for (const later of items.slice(i + 1)) {
      const w = later.text.split(' ');
      // `meta l4proto tcp th dport 22` is listed as tcp dport 22
      const name = Object.keys(HEADERS).find((h) => HEADERS[h].proto === proto && HEADERS[h].fields.dport);
      if (w[0] === 'th' && name && dep === 'meta l4proto ') {
        later.text = `${name} ${w.slice(1).join(' ')}`;
        if (later.numeric) later.numeric = `${name} ${later.numeric.split(' ').slice(1).join(' ')}`;
        return false;
      }
      const h = HEADERS[w[0]];
      if (h?.proto === proto && h.fields[w[1]] !== undefined) return false;
      if (proto === 58 && w[0] === 'icmpv6') return false;
      if (h?.proto === proto && (w[1] === 'flags' || w[1] === 'option' || w[1] === 'chunk' || w[1] === 'type')) return false;
      // in an ip or ip6 table the reject takes the tcp dependency as its own (stmt_reject_postprocess
      // releases it); an inet table's listing keeps it
      if (family !== 'inet' && proto === 6 && later.text === 'reject with tcp reset') return false;
      if (!isMatch(later.text)) return true;
    }
    return true;
  });
  // the ICMP echo dependency nft adds before icmp id/sequence is a set, which it lists
  const echo = out.findIndex((it) => /^icmp (id|sequence) /.test(it.text));
  if (echo >= 0 && !out.slice(0, echo).some((it) => it.text.startsWith('icmp type '))) out.splice(echo, 0, { text: 'icmp type { echo-reply, echo-request }' });
  const comment = out.findIndex((it) => it.text.startsWith('comment '));
  if (comment >= 0) out.push(...out.splice(comment, 1));
  return out;
}

/**
 * In an inet table, the `meta nfproto ipv4|ipv6` matches nft 1.0.6 lists as dependencies and so
 * leaves out: the last one before an ip (icmp) or ip6 (icmpv6) header match, a `ct original
 * saddr` that takes its family from it, or a reject that is not icmpx (whose listing names the
 * family), with only matches between them. A statement between keeps it.
 */
function nfprotoDeps(items: ListedItem[]): Set<number> {
  const deps = new Set<number>();
  const users: Record<string, string[]> = { ipv4: ['ip', 'icmp'], ipv6: ['ip6', 'icmpv6'] };
  let nf = -1;
  items.forEach((it, i) => {
    const fam = /^meta nfproto (ipv4|ipv6)$/.exec(it.text)?.[1];
    if (fam) {
      nf = i;
      return;
    }
    if (nf < 0) return;
    const w = it.text.split(' ');
    const reject = w[0] === 'reject' && w.length > 1 && w[2] !== 'icmpx';
    if (reject || it.usesNfproto || users[items[nf].text.slice('meta nfproto '.length)].includes(w[0])) {
      deps.add(nf);
      nf = -1;
    } else if (!isMatch(it.text)) nf = -1;
  });
  return deps;
}

const STATEMENTS = new Set(['counter', 'log', 'queue', 'reject', 'comment', 'accept', 'drop', 'continue', 'return', 'jump', 'goto', 'notrack', 'snat', 'dnat', 'masquerade', 'redirect', 'limit', 'quota']);

function isMatch(text: string): boolean {
  return !STATEMENTS.has(text.split(' ')[0]) && !/ set /.test(` ${text} `);
}

const SET_TYPES: Record<SetKeyType, VType> = { ipv4_addr: 'addr', inet_service: 'port', inet_proto: 'proto', ifname: 'ifname', mark: 'mark', icmp_type: 'icmptype', ct_state: 'ctstate', ct_dir: 'ctdir', ether_type: 'ethertype', nf_proto: NF_PROTO_NAMES, ipv6_addr: 'addr6' };

/** A named set's element key as nft lists it (a concatenated one part by part). */
export function listedElem(key: string, type: SetKeyType | readonly SetKeyType[]): string {
  const types = typeof type === 'string' ? [type] : type;
  const parts = types.length > 1 ? key.split(' . ') : [key];
  return parts.map((k, i) => value(k.replace(/^"(.*)"$/, '$1'), SET_TYPES[types[i] ?? types[0]], false)).join(' . ');
}
