// Breakpoints over a trace: a small condition language, compiled once, matched per event.
//
//   ip_forward                     a kernel function (bare word; `*` globs: `ip_rcv*`)
//   fn == ip_forward               the same, spelled out; also file, host, layer, packet
//   hook == FORWARD                a netfilter hook (FORWARD, NF_INET_FORWARD, forward)
//   chain == input, table == filter, verdict == NF_DROP, rule ~ dport
//   drop                           any drop; `drop == NO_SOCKET` a drop reason (SKB_DROP_REASON_ optional)
//   counter == IpForwDatagrams     an event that changes that nstat counter
//   ttl < 2, dport == 22, saddr == 10.0.1.2, proto == icmp, icmp_type == 11, flags ~ SYN
//   len > 1000, mark != 0, dev == eth1, ct == IP_CT_NEW, pkt_type == PACKET_HOST
//   a && b, a and b; a || b, a or b (&& binds tighter); !drop, not drop
//
// Pure: no vscode, no DOM, no Node.

import type { TraceEvent } from '../trace/contract';
import { formatIpv6, parseIpv6 } from '../trace/ipv6';
import { LIMITS, type BreakpointSpec, type BreakpointView } from '../protocol';
import { decodeSkb } from './decode';

export type Op = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~';

interface Test {
  field: string;
  /** undefined: the field is present / truthy */
  op?: Op;
  value?: string;
  negate: boolean;
}

/** OR of ANDs of tests. */
export interface Condition {
  any: Test[][];
  /** fields that need the decoded packet bytes */
  needsBytes: boolean;
  /** the condition compiled: whether it holds at an event */
  match: (e: TraceEvent, values: PacketValueCache) => boolean;
}

export class BreakpointSyntaxError extends Error {}

const HOOKS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
const HOOK_ALIASES: Record<string, string> = {
  NF_INET_PRE_ROUTING: 'PREROUTING',
  PRE_ROUTING: 'PREROUTING',
  NF_INET_LOCAL_IN: 'INPUT',
  LOCAL_IN: 'INPUT',
  NF_INET_FORWARD: 'FORWARD',
  NF_INET_LOCAL_OUT: 'OUTPUT',
  LOCAL_OUT: 'OUTPUT',
  NF_INET_POST_ROUTING: 'POSTROUTING',
  POST_ROUTING: 'POSTROUTING',
};

const EVENT_FIELDS = new Set(['fn', 'file', 'host', 'layer', 'packet', 'seq', 'time', 'what', 'hook', 'chain', 'table', 'family', 'rule', 'verdict', 'priority', 'drop', 'counter']);
const SKB_FIELDS = new Set(['len', 'data', 'tail', 'end', 'headroom', 'tailroom', 'mark', 'dev', 'iif', 'protocol', 'pkt_type', 'ct', 'route', 'ip_summed', 'mac_header', 'network_header', 'transport_header']);
const PACKET_FIELDS = new Set([
  'ttl', 'tos', 'id', 'tot_len', 'frag_off', 'df', 'mf', 'proto', 'saddr', 'daddr', 'sport', 'dport', 'icmp_type', 'icmp_code', 'icmp_id', 'icmp_seq',
  'mtu', 'flags', 'tcp_seq', 'tcp_ack', 'udp_len', 'arp_op', 'eth_src', 'eth_dst', 'ethertype', 'ip_csum_ok',
  // IPv6 (decode.ts): saddr/daddr/proto/frag_off/mf/id serve both families
  'hop_limit', 'tclass', 'flowlabel', 'payload_len', 'nd_target',
]);
/** The fields read from the packet's headers (decode.ts), which the goal language names too. */
export const PACKET_FIELD_NAMES: readonly string[] = [...PACKET_FIELDS];
/** Other names for fields, shared with the goal language of exercises (src/goals/traceView.ts). */
export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  function: 'fn',
  func: 'fn',
  src: 'saddr',
  dst: 'daddr',
  reason: 'drop',
  nstat: 'counter',
  'ip.ttl': 'ttl',
  'ip.src': 'saddr',
  'ip.dst': 'daddr',
  'ipv6.src': 'saddr',
  'ipv6.dst': 'daddr',
  'ipv6.hlim': 'hop_limit',
  'ip.proto': 'proto',
  'ip.id': 'id',
  'tcp.sport': 'sport',
  'tcp.dport': 'dport',
  'udp.sport': 'sport',
  'udp.dport': 'dport',
  'tcp.flags': 'flags',
  'icmp.type': 'icmp_type',
  'icmp.code': 'icmp_code',
  'skb.len': 'len',
  'skb.mark': 'mark',
  'skb.dev': 'dev',
  'skb.protocol': 'protocol',
  'skb.pkt_type': 'pkt_type',
  'skb.dst': 'route',
  ct_state: 'ct',
};

/** Fields a condition can name, for completion and help text. */
export const BREAKPOINT_FIELDS: readonly string[] = [...EVENT_FIELDS, ...SKB_FIELDS, ...PACKET_FIELDS];

function normField(f: string): string {
  const l = f.toLowerCase();
  return FIELD_ALIASES[l] ?? l;
}

const TOKEN = /\s*(&&|\|\||==|!=|<=|>=|=|<|>|~|!|\(|\)|"[^"]*"|'[^']*'|[^\s&|=!<>~()"']+)/y;

const BLANK_TO_END = /\s*$/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    BLANK_TO_END.lastIndex = pos;
    if (BLANK_TO_END.test(text)) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new BreakpointSyntaxError(`cannot read "${clip(text.slice(pos).trim())}"`);
    out.push(m[1]);
    pos = TOKEN.lastIndex;
  }
  return out;
}

/** A piece of the user's text quoted in an error, kept short. */
function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const OPS = new Set(['==', '=', '!=', '<', '<=', '>', '>=', '~']);

function unquote(s: string): string {
  return (s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")) ? s.slice(1, -1) : s;
}

/** Parse a breakpoint condition; throws BreakpointSyntaxError with a readable message. */
export function parseCondition(text: string): Condition {
  // bounded before any work: a condition is read once per change, then matched per event
  if (text.length > LIMITS.breakpointText) {
    throw new BreakpointSyntaxError(`too long: ${text.length.toLocaleString('en')} characters, at most ${LIMITS.breakpointText}`);
  }
  const toks = tokenize(text);
  if (toks.length === 0) throw new BreakpointSyntaxError('empty condition');
  let tests = 0;
  const any: Test[][] = [[]];
  let needsBytes = false;
  let i = 0;
  while (i < toks.length) {
    let negate = false;
    while (toks[i] === '!' || toks[i]?.toLowerCase() === 'not') {
      negate = !negate;
      i++;
    }
    const word = toks[i++];
    if (word === undefined || OPS.has(word) || word === '&&' || word === '||') {
      throw new BreakpointSyntaxError(word === undefined ? 'condition ends too early' : `expected a field or a function name before "${clip(word)}"`);
    }
    let test: Test;
    if (OPS.has(toks[i] ?? '')) {
      const op = (toks[i] === '=' ? '==' : toks[i]) as Op;
      const value = toks[i + 1];
      if (value === undefined || OPS.has(value) || value === '&&' || value === '||') throw new BreakpointSyntaxError(`expected a value after "${clip(word)} ${toks[i]}"`);
      i += 2;
      const field = normField(word);
      if (!EVENT_FIELDS.has(field) && !SKB_FIELDS.has(field) && !PACKET_FIELDS.has(field)) {
        throw new BreakpointSyntaxError(`unknown field "${clip(word)}" (try fn, host, layer, hook, chain, drop, ttl, saddr, daddr, proto, sport, dport, len, mark, dev)`);
      }
      if ((op === '<' || op === '<=' || op === '>' || op === '>=') && parseNumber(unquote(value)) === undefined) {
        throw new BreakpointSyntaxError(`"${clip(word)} ${op}" needs a number, not "${clip(value)}"`);
      }
      test = { field, op, value: unquote(value), negate };
    } else {
      test = bareWord(unquote(word), negate);
    }
    if (++tests > LIMITS.breakpointTests) throw new BreakpointSyntaxError(`too many tests: at most ${LIMITS.breakpointTests} joined with && and ||`);
    if (PACKET_FIELDS.has(test.field)) needsBytes = true;
    any[any.length - 1].push(test);
    const next = toks[i];
    if (next === undefined) break;
    const l = next.toLowerCase();
    if (next === '&&' || l === 'and') i++;
    else if (next === '||' || l === 'or') {
      i++;
      any.push([]);
    } else throw new BreakpointSyntaxError(`expected && or || before "${clip(next)}"`);
    if (i >= toks.length) throw new BreakpointSyntaxError('condition ends too early');
  }
  return { any, needsBytes, match: compileCondition(any) };
}

function bareWord(w: string, negate: boolean): Test {
  const f = normField(w);
  if (f === 'drop' || f === 'hook' || f === 'ct' || f === 'counter' || f === 'chain' || f === 'rule' || f === 'verdict') return { field: f, negate };
  const up = w.toUpperCase();
  if (HOOKS.includes(up) || HOOK_ALIASES[up]) return { field: 'hook', op: '==', value: w, negate };
  if (up === 'L2' || up === 'L3' || up === 'L4' || up === 'SOCKET') return { field: 'layer', op: '==', value: w, negate };
  if (up.startsWith('SKB_DROP_REASON_')) return { field: 'drop', op: '==', value: w, negate };
  if (!/^[A-Za-z_*][A-Za-z0-9_*.]*$/.test(w)) throw new BreakpointSyntaxError(`"${clip(w)}" is not a function name; write a condition like "ttl < 2"`);
  return { field: 'fn', op: '==', value: w, negate };
}

function parseNumber(s: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
  return undefined;
}

/** The value of a field at an event; undefined when the event has no such thing. */
export type ValueOf = (e: TraceEvent, field: string) => string | number | undefined;

function hookName(h: string): string {
  const u = h.toUpperCase();
  return HOOK_ALIASES[u] ?? u;
}

function dropName(d: string): string {
  return d.toUpperCase().replace(/^SKB_DROP_REASON_/, '');
}

/** Values from the event itself and its skb snapshot; packet bytes through `packetValues`. */
export function eventValue(e: TraceEvent, field: string, packetValues: (e: TraceEvent) => Record<string, number | string>): string | number | undefined {
  switch (field) {
    case 'fn':
    case 'file':
    case 'host':
    case 'layer':
    case 'what':
    case 'packet':
    case 'seq':
    case 'time':
      return e[field];
    case 'hook':
      return e.hook ? hookName(e.hook.hook) : undefined;
    case 'chain':
    case 'table':
    case 'family':
    case 'rule':
    case 'verdict':
    case 'priority':
      return e.hook?.[field === 'rule' ? 'rule' : field];
    case 'drop':
      return e.drop;
    case 'counter':
      return e.counters && Object.keys(e.counters).length > 0 ? Object.keys(e.counters).join(' ') : undefined;
  }
  const s = e.skb;
  if (SKB_FIELDS.has(field)) {
    if (!s) return undefined;
    if (field === 'route') return s.dst ?? undefined;
    if (field === 'protocol') return s.protocolName;
    const v = (s as unknown as Record<string, unknown>)[field];
    return typeof v === 'number' || typeof v === 'string' ? v : undefined;
  }
  if (PACKET_FIELDS.has(field)) return s ? packetValues(e)[field] : undefined;
  return undefined;
}

/**
 * A `*` glob as a matcher, built once. Leftmost-first matching of the pieces between the stars is
 * exact for globs with only `*`, and linear in the subject: no regular expression, so no
 * backtracking however many stars a pattern has.
 */
export function globMatcher(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  const parts = pattern.split('*');
  const head = parts[0];
  const tail = parts[parts.length - 1];
  const middle = parts.slice(1, -1).filter((x) => x !== '');
  const least = head.length + tail.length + middle.reduce((n, x) => n + x.length, 0);
  return (s) => {
    if (s.length < least || !s.startsWith(head) || !s.endsWith(tail)) return false;
    let at = head.length;
    const stop = s.length - tail.length;
    for (const m of middle) {
      const k = s.indexOf(m, at);
      if (k < 0 || k + m.length > stop) return false;
      at = k + m.length;
    }
    return true;
  };
}

type Value = string | number | undefined;
type Compare = (v: Value) => boolean;

/** How a test compares a value, with everything that depends only on the breakpoint's text worked out now. */
function compileCompare(t: Test): Compare {
  if (t.op === undefined) return (v) => v !== undefined && v !== '' && v !== 0;
  const op = t.op;
  const want = t.value ?? '';
  if (t.field === 'counter') {
    const low = want.toLowerCase();
    if (op === '!=') return (v) => v !== undefined && !String(v).split(' ').includes(want);
    if (op === '~') return (v) => v !== undefined && String(v).split(' ').some((n) => n.toLowerCase().includes(low));
    return (v) => v !== undefined && String(v).split(' ').includes(want);
  }
  const wn = parseNumber(want);
  // the text the event's value is compared with, and how the value is brought to the same form
  let b = want;
  let norm: (v: string | number) => string = String;
  if (t.field === 'hook') {
    b = hookName(want);
  } else if (t.field === 'drop') {
    b = dropName(want);
    norm = (v) => dropName(String(v));
  } else if ((t.field === 'saddr' || t.field === 'daddr' || t.field === 'nd_target') && want.includes(':') && parseIpv6(want)) {
    // an IPv6 address may be written many ways: compare the one RFC 5952 form decode.ts gives
    b = formatIpv6(parseIpv6(want) as Uint8Array);
  } else if (t.field === 'layer' || t.field === 'proto' || t.field === 'chain' || t.field === 'table' || t.field === 'verdict') {
    b = want.toLowerCase();
    norm = (v) => String(v).toLowerCase();
  }
  if (op === '~') {
    const low = b.toLowerCase();
    const lowNum = wn === undefined ? low : String(wn);
    return (v) => v !== undefined && (typeof v === 'number' ? String(v).includes(lowNum) : norm(v).toLowerCase().includes(low));
  }
  if (op === '==' || op === '!=') {
    const g = globMatcher(b);
    const eq = (v: string | number): boolean => (typeof v === 'number' && wn !== undefined ? v === wn : g(norm(v)));
    return op === '==' ? (v) => v !== undefined && eq(v) : (v) => v !== undefined && !eq(v);
  }
  // <, <=, >, >=: the parser made sure the wanted value is a number
  const y = wn as number;
  const cmp = op === '<' ? (x: number) => x < y : op === '<=' ? (x: number) => x <= y : op === '>' ? (x: number) => x > y : (x: number) => x >= y;
  return (v) => {
    if (v === undefined) return false;
    const x = typeof v === 'number' ? v : parseNumber(v);
    return x !== undefined && cmp(x);
  };
}

/** A test as a predicate over an event: the field's value, compared, negated when written so. */
function compileTest(t: Test): (e: TraceEvent, values: PacketValueCache) => boolean {
  const cmp = compileCompare(t);
  const f = t.field;
  const r = (e: TraceEvent, values: PacketValueCache): boolean => cmp(eventValue(e, f, values.get));
  return t.negate ? (e, values) => !r(e, values) : r;
}

/** OR of ANDs, compiled once per condition. */
function compileCondition(any: Test[][]): Condition['match'] {
  const ors = any.filter((all) => all.length > 0).map((all) => all.map(compileTest));
  return (e, values) => {
    for (const all of ors) {
      let ok = true;
      for (const p of all) {
        if (!p(e, values)) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  };
}

/** Decoded packet values per event, computed on first use. */
export class PacketValueCache {
  // a Map, not a WeakMap: lookups are several times faster, and the cache lives as long as its trace
  private readonly cache = new Map<TraceEvent, Record<string, number | string>>();
  readonly get = (e: TraceEvent): Record<string, number | string> => {
    let v = this.cache.get(e);
    if (!v) {
      v = e.skb ? decodeSkb(e.skb).values : {};
      this.cache.set(e, v);
    }
    return v;
  };
}

export function matches(c: Condition, e: TraceEvent, values: PacketValueCache): boolean {
  return c.match(e, values);
}

/** A set of breakpoints, compiled; says which one (if any) stops at an event. */
export class BreakpointSet {
  readonly views: BreakpointView[];
  private readonly compiled: { id: string; cond: Condition }[] = [];
  private readonly values: PacketValueCache;

  constructor(specs: readonly BreakpointSpec[], events: readonly TraceEvent[], values = new PacketValueCache()) {
    this.values = values;
    this.views = specs.map((s) => {
      try {
        const cond = parseCondition(s.text);
        if (s.enabled) this.compiled.push({ id: s.id, cond });
        let hits = 0;
        const at: number[] = [];
        events.forEach((e, i) => {
          if (matches(cond, e, values)) {
            hits++;
            if (at.length < 5000) at.push(i);
          }
        });
        return { ...s, hits, at };
      } catch (err) {
        return { ...s, hits: 0, at: [], error: err instanceof Error ? err.message : String(err) };
      }
    });
  }

  get active(): boolean {
    return this.compiled.length > 0;
  }

  /** The id of the first enabled breakpoint that matches, or undefined. */
  hit(e: TraceEvent): string | undefined {
    for (const b of this.compiled) if (matches(b.cond, e, this.values)) return b.id;
    return undefined;
  }
}
