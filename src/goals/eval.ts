// Evaluation of goal expressions over a TraceView (docs/goals.md). Two places a word can stand:
// at the top, a word is a value (router, delivered, IpForwDatagrams); inside an event condition
// (the argument of packet(), packets(), event(), events()), the word before a comparison names
// an event field (ttl < 2, fn == ip_forward) and a word alone is read as a breakpoint would read
// it (ip_forward, FORWARD, drop, L4). Static mistakes (an unknown function or field, a wrong
// number of arguments) are found by checkGoal before any trace exists.
import { GoalSyntaxError, Node } from './ast';
import { contains, equal, eventVal, isEvent, isPacket, order, packetVal, show, truthy, Val } from './values';
import { goalField, type EventRef, type PacketId, type TraceView } from './traceView';

interface Fn {
  /** which arguments are event conditions */
  cond: (argc: number, args: Node[]) => boolean[];
  min: number;
  max: number;
  help: string;
}

/** events(packet(3)) is about a packet; events(fn == ip_forward) is a condition. */
function packetLike(n: Node | undefined): boolean {
  return !!n && (n.t === 'num' || n.t === 'prop' || (n.t === 'call' && ['packet', 'packets', 'event'].includes(n.name)));
}

const condAt = (idx: number[]) => (argc: number, args: Node[]): boolean[] =>
  Array.from({ length: argc }, (_, i) => idx.includes(i) && !(args[i].t === 'num'));

export const FUNCTIONS: Record<string, Fn> = {
  packet: { cond: condAt([0]), min: 1, max: 1, help: 'packet(N) or packet(CONDITION): packet #N, or the first packet with an event that meets the condition' },
  packets: { cond: condAt([0]), min: 0, max: 1, help: 'packets(CONDITION): every packet with an event that meets the condition' },
  event: { cond: (n, a) => (n === 1 ? [!packetLike(a[0])] : [false, true]), min: 1, max: 2, help: 'event(CONDITION) or event(PACKET, CONDITION): the first such event' },
  events: { cond: (n, a) => (n === 1 ? [!packetLike(a[0])] : [false, true]), min: 0, max: 2, help: 'events(CONDITION) or events(PACKET, CONDITION): every such event' },
  hooks: { cond: () => [false], min: 1, max: 1, help: 'hooks(PACKET): the events where a netfilter hook ran on the packet' },
  rules: { cond: () => [false], min: 1, max: 1, help: 'rules(PACKET): the events where a netfilter rule matched the packet' },
  counter: { cond: () => [false, false], min: 2, max: 2, help: 'counter(HOST, NAME): the nstat counter\'s change over the run on HOST' },
  received: { cond: () => [false, false, false], min: 1, max: 3, help: 'received(HOST, PROTO, PORT): what the sockets on HOST received' },
  accepted: { cond: () => [false, false], min: 1, max: 2, help: 'accepted(HOST, PORT): the peers whose TCP connections HOST\'s listeners accepted' },
  icmp_sent: { cond: () => [false, false, false], min: 1, max: 3, help: 'icmp_sent(HOST, TYPE, CODE): the ICMP packets HOST made, of that type and code' },
  count: { cond: () => [false], min: 1, max: 1, help: 'count(LIST)' },
};

const ICMP_TYPES: Record<string, number> = {
  'echo-reply': 0, 'dest-unreach': 3, 'destination-unreachable': 3, 'source-quench': 4, redirect: 5, 'echo-request': 8, 'time-exceeded': 11, 'parameter-problem': 12,
};
const ICMP_CODES: Record<string, number> = {
  'net-unreach': 0, 'host-unreach': 1, 'prot-unreach': 2, 'proto-unreach': 2, 'port-unreach': 3, 'frag-needed': 4, 'fragmentation-needed': 4,
  'net-prohibited': 9, 'host-prohibited': 10, 'admin-prohibited': 13, 'ttl-exceeded': 0, 'frag-time-exceeded': 1,
};

const PACKET_PROPS = ['id', 'fate', 'reason', 'fn', 'host', 'detail', 'origin', 'parent', 'children', 'summary', 'events'];
const LIST_PROPS = ['count', 'first', 'last', 'sum', 'min', 'max'];
const RECEIPT_PROPS = ['from', 'bytes', 'packet', 'data', 'host'];

/** What a bare word alone means inside an event condition, as breakpoints read it. */
const PRESENCE = new Set(['drop', 'hook', 'ct', 'counter', 'chain', 'rule', 'verdict']);
const HOOK_WORDS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING', 'NF_INET_PRE_ROUTING', 'NF_INET_LOCAL_IN', 'NF_INET_FORWARD', 'NF_INET_LOCAL_OUT', 'NF_INET_POST_ROUTING']);

/** Finds the mistakes that need no trace: unknown functions, fields, properties, argument counts. */
export function checkGoal(n: Node, inEvent = false): void {
  switch (n.t) {
    case 'num':
    case 'str':
      if (inEvent && n.t === 'str' && !n.quoted) bareWordTest(n.value, n.start);
      return;
    case 'list':
      n.items.forEach((x) => checkGoal(x, false));
      return;
    case 'prop':
      checkGoal(n.of, false);
      return;
    case 'not':
      checkGoal(n.of, inEvent);
      return;
    case 'arith':
      checkOperand(n.left, inEvent);
      checkOperand(n.right, inEvent);
      return;
    case 'and':
    case 'or':
      n.items.forEach((x) => checkGoal(x, inEvent));
      return;
    case 'cmp':
      if (inEvent && n.left.t === 'str' && !n.left.quoted) {
        if (!goalField(n.left.value)) throw new GoalSyntaxError(`unknown event field "${n.left.value}" (try fn, host, hook, chain, verdict, drop, ttl, saddr, daddr, proto, sport, dport, len, mark, dev)`, n.left.start);
      } else if (n.left.t === 'arith') checkGoal(n.left, inEvent);
      else checkGoal(n.left, false);
      if (n.right.t === 'arith') checkGoal(n.right, inEvent);
      else if (n.right.t !== 'str') checkGoal(n.right, false);
      return;
    case 'call': {
      const f = FUNCTIONS[n.name];
      if (!f) throw new GoalSyntaxError(`unknown function "${n.name}"; the functions are ${Object.keys(FUNCTIONS).join(', ')}`, n.start);
      if (n.args.length < f.min || n.args.length > f.max) throw new GoalSyntaxError(`${n.name} takes ${f.min === f.max ? f.min : `${f.min} to ${f.max}`} argument${f.max === 1 ? '' : 's'}: ${f.help}`, n.start);
      const conds = f.cond(n.args.length, n.args);
      n.args.forEach((a, i) => checkGoal(a, conds[i]));
      return;
    }
  }
}

/** An operand of + - * / %: inside an event condition a word may name a field (`tot_len - 20`). */
function checkOperand(n: Node, inEvent: boolean): void {
  if (n.t === 'str' && !n.quoted) {
    if (inEvent && goalField(n.value)) return;
    if (!/^[A-Za-z_]/.test(n.value)) throw new GoalSyntaxError(`"${n.value}" is not a number`, n.start);
    throw new GoalSyntaxError(inEvent ? `unknown event field "${n.value}" in arithmetic` : `"${n.value}" is not a number; arithmetic takes numbers, counters, counts and fields`, n.start);
  }
  if (n.t === 'str' || n.t === 'list') throw new GoalSyntaxError(`arithmetic takes numbers, not ${n.t === 'list' ? 'a list' : `"${n.value}"`}`, n.start);
  checkGoal(n, inEvent && n.t === 'arith');
}

function bareWordTest(w: string, at: number): { field: string; value?: string } {
  const f = goalField(w);
  if (f && PRESENCE.has(f)) return { field: f };
  const up = w.toUpperCase();
  if (HOOK_WORDS.has(up)) return { field: 'hook', value: w };
  if (['L2', 'L3', 'L4', 'SOCKET'].includes(up)) return { field: 'layer', value: w };
  if (up.startsWith('SKB_DROP_REASON_')) return { field: 'drop', value: w };
  if (!/^[A-Za-z_*][A-Za-z0-9_*.]*$/.test(w)) throw new GoalSyntaxError(`"${w}" is not a function name; write a condition like "ttl < 2"`, at);
  return { field: 'fn', value: w };
}

export class GoalEvalError extends GoalSyntaxError {}

/** Evaluates checked goal expressions over one trace; remembers the packets it looked at. */
export class Evaluator {
  /** packets an evaluation produced, for explanations */
  readonly seen = new Set<PacketId>();
  /** calls of packet() / event() that found nothing, for explanations */
  readonly missed: Node[] = [];
  constructor(readonly view: TraceView) {}

  value(n: Node): Val {
    switch (n.t) {
      case 'num':
        return n.value;
      case 'str':
        return n.value;
      case 'list':
        return n.items.map((x) => this.value(x));
      case 'not':
        return !truthy(this.value(n.of));
      case 'and':
        return n.items.every((x) => truthy(this.value(x)));
      case 'or':
        return n.items.some((x) => truthy(this.value(x)));
      case 'cmp':
        return compare(n.op, this.value(n.left), this.value(n.right));
      case 'arith':
        return arith(n, this.value(n.left), this.value(n.right));
      case 'prop':
        return this.prop(this.value(n.of), n.name, n.end - n.name.length);
      case 'call':
        return this.call(n);
    }
  }

  /** Does event `e` meet an event condition? */
  test(n: Node, e: EventRef): boolean {
    switch (n.t) {
      case 'and':
        return n.items.every((x) => this.test(x, e));
      case 'or':
        return n.items.some((x) => this.test(x, e));
      case 'not':
        return !this.test(n.of, e);
      case 'cmp':
        if (n.left.t === 'str' && !n.left.quoted) {
          const v = this.view.fieldAt(e, goalField(n.left.value) ?? n.left.value);
          return v !== undefined && compare(n.op, v, this.valueAt(n.right, e));
        }
        return compare(n.op, this.valueAt(n.left, e), this.valueAt(n.right, e));
      case 'str': {
        if (n.quoted) return truthy(n.value);
        const b = bareWordTest(n.value, n.start);
        const v = this.view.fieldAt(e, b.field);
        if (b.value === undefined) return v !== undefined && v !== '';
        return v !== undefined && equal(v, b.value);
      }
      default:
        return truthy(this.value(n));
    }
  }

  /** A value inside an event condition: words in arithmetic name the event's fields. */
  private valueAt(n: Node, e: EventRef): Val {
    if (n.t !== 'arith') return this.value(n);
    const side = (x: Node): Val => (x.t === 'str' && !x.quoted && goalField(x.value) ? (this.view.fieldAt(e, goalField(x.value)!) ?? null) : this.valueAt(x, e));
    return arith(n, side(n.left), side(n.right));
  }

  private eventsWhere(cond: Node | undefined, within?: readonly EventRef[]): EventRef[] {
    const all = within ?? Array.from({ length: this.view.eventCount() }, (_, i) => i);
    return cond ? all.filter((e) => this.test(cond, e)) : [...all];
  }

  private packetOf(v: Val, at: number): PacketId | undefined {
    if (Array.isArray(v) && v.length === 1) v = v[0];
    if (v === null) return undefined;
    if (isPacket(v)) return v.id;
    if (typeof v === 'number') return v;
    if (isEvent(v)) return this.view.fieldAt(v.e, 'packet') as number;
    throw new GoalEvalError('expected a packet here', at);
  }

  private noted(id: PacketId): Val {
    this.seen.add(id);
    return packetVal(id);
  }

  private call(n: Extract<Node, { t: 'call' }>): Val {
    const a = n.args;
    const v = this.view;
    switch (n.name) {
      case 'packet':
      case 'packets': {
        if (a[0]?.t === 'num') {
          const id = a[0].value;
          if (!v.fate(id)) return n.name === 'packet' ? null : [];
          return n.name === 'packet' ? this.noted(id) : [this.noted(id)];
        }
        const ids: PacketId[] = [];
        for (const e of this.eventsWhere(a[0])) {
          const p = v.fieldAt(e, 'packet') as number;
          if (p && !ids.includes(p)) ids.push(p);
          if (n.name === 'packet' && ids.length) break;
        }
        ids.sort((x, y) => x - y);
        if (n.name === 'packet') {
          if (!ids.length) this.missed.push(n);
          return ids.length ? this.noted(ids[0]) : null;
        }
        return ids.map((id) => this.noted(id));
      }
      case 'event':
      case 'events': {
        let within: readonly EventRef[] | undefined;
        let cond: Node | undefined = a[0];
        if (a.length === 2 || packetLike(a[0])) {
          const p = this.packetOf(this.value(a[0]), a[0].start);
          if (p === undefined) return n.name === 'event' ? null : [];
          this.seen.add(p);
          within = v.eventsOf(p);
          cond = a[1];
        }
        const es = this.eventsWhere(cond, within);
        if (n.name === 'event' && !es.length) this.missed.push(n);
        return n.name === 'event' ? (es.length ? eventVal(es[0]) : null) : es.map(eventVal);
      }
      case 'hooks':
      case 'rules': {
        const p = this.packetOf(this.value(a[0]), a[0].start);
        if (p === undefined) return [];
        this.seen.add(p);
        return v.eventsOf(p).filter((e) => v.fieldAt(e, n.name === 'hooks' ? 'hook' : 'rule') !== undefined && v.fieldAt(e, 'verdict') !== undefined).map(eventVal);
      }
      case 'counter': {
        const host = String(this.value(a[0]));
        const name = String(this.value(a[1]));
        this.knownHost(host, a[0].start);
        return v.counters(host)[name] ?? 0;
      }
      case 'received': {
        const host = String(this.value(a[0]));
        this.knownHost(host, a[0].start);
        const proto = a[1] ? String(this.value(a[1])).toLowerCase() : undefined;
        const port = a[2] ? String(this.value(a[2])) : undefined;
        const out: Val[] = [];
        for (const s of v.sockets()) {
          if (s.host !== host || (proto && s.proto !== proto) || (port && s.local.split(':').pop() !== port)) continue;
          for (const r of s.received) out.push({ k: 'receipt', r, host });
        }
        return out;
      }
      case 'accepted': {
        const host = String(this.value(a[0]));
        this.knownHost(host, a[0].start);
        const port = a[1] ? String(this.value(a[1])) : undefined;
        return v
          .sockets()
          .filter((s) => s.host === host && s.proto === 'tcp' && (!port || s.local.split(':').pop() === port))
          .flatMap((s) => [...(s.accepted ?? [])]);
      }
      case 'icmp_sent': {
        const host = String(this.value(a[0]));
        this.knownHost(host, a[0].start);
        const type = a[1] ? icmpNumber(this.value(a[1]), ICMP_TYPES, 'type', a[1].start) : undefined;
        const code = a[2] ? icmpNumber(this.value(a[2]), ICMP_CODES, 'code', a[2].start) : undefined;
        const out: Val[] = [];
        for (const p of v.packets()) {
          if (v.origin(p) !== host) continue;
          const first = v.eventsOf(p).find((e) => v.fieldAt(e, 'icmp_type') !== undefined);
          if (first === undefined || v.fieldAt(first, 'proto') !== 'icmp') continue;
          if (type !== undefined && v.fieldAt(first, 'icmp_type') !== type) continue;
          if (code !== undefined && v.fieldAt(first, 'icmp_code') !== code) continue;
          out.push(this.noted(p));
        }
        return out;
      }
      case 'count': {
        const x = this.value(a[0]);
        return Array.isArray(x) ? x.length : x === null ? 0 : 1;
      }
    }
    throw new GoalEvalError(`unknown function "${n.name}"`, n.start);
  }

  private knownHost(h: string, at: number): void {
    if (!this.view.hosts().includes(h)) throw new GoalEvalError(`no host "${h}" in this scenario (hosts: ${this.view.hosts().join(', ')})`, at);
  }

  prop(x: Val, name: string, at: number): Val {
    if (Array.isArray(x)) {
      switch (name) {
        case 'count':
          return x.length;
        case 'first':
          return x[0] ?? null;
        case 'last':
          return x[x.length - 1] ?? null;
        case 'sum':
        case 'min':
        case 'max': {
          const ns = x.map((y) => (typeof y === 'number' ? y : Number(y))).filter((y) => !Number.isNaN(y));
          if (!ns.length) return null;
          return name === 'sum' ? ns.reduce((s, y) => s + y, 0) : name === 'min' ? Math.min(...ns) : Math.max(...ns);
        }
      }
      return x.map((y) => this.prop(y, name, at)).filter((y) => y !== null);
    }
    if (x === null) return null;
    if (isPacket(x)) {
      const f = this.view.fate(x.id);
      switch (name) {
        case 'id':
          return x.id;
        case 'fate':
          return f?.kind ?? null;
        case 'reason':
          return f?.reason ?? null;
        case 'fn':
          return f?.fn ?? null;
        case 'host':
          return f?.host ?? null;
        case 'detail':
          return f?.detail ?? null;
        case 'origin':
          return this.view.origin(x.id);
        case 'summary':
          return this.view.summary(x.id);
        case 'parent': {
          const p = this.view.parent(x.id);
          return p === null ? null : this.noted(p);
        }
        case 'children':
          return this.view.packets().filter((p) => this.view.parent(p) === x.id).map((p) => this.noted(p));
        case 'events':
          return this.view.eventsOf(x.id).map(eventVal);
      }
      throw new GoalEvalError(`a packet has no "${name}"; it has ${[...PACKET_PROPS, ...LIST_PROPS.slice(0, 0)].join(', ')}`, at);
    }
    if (isEvent(x)) {
      if (name === 'packet') return this.noted(this.view.fieldAt(x.e, 'packet') as number);
      const f = goalField(name);
      if (!f) throw new GoalEvalError(`an event has no field "${name}"`, at);
      return this.view.fieldAt(x.e, f) ?? null;
    }
    if (typeof x === 'object' && x.k === 'receipt') {
      switch (name) {
        case 'from':
          return x.r.from;
        case 'bytes':
          return x.r.bytes;
        case 'packet':
          return this.noted(x.r.packet);
        case 'data':
          return x.r.data ?? null;
        case 'host':
          return x.host;
      }
      throw new GoalEvalError(`a received datagram has ${RECEIPT_PROPS.join(', ')}, not "${name}"`, at);
    }
    throw new GoalEvalError(`"${String(x)}" has no property "${name}"`, at);
  }
}

function icmpNumber(v: Val, names: Record<string, number>, what: string, at: number): number {
  if (typeof v === 'number') return v;
  const s = String(v).toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  if (s in names) return names[s];
  throw new GoalEvalError(`unknown ICMP ${what} "${s}" (a number, or ${Object.keys(names).join(', ')})`, at);
}

/** + - * / % over numbers; something missing on either side gives nothing. */
function arith(n: Extract<Node, { t: 'arith' }>, a: Val, b: Val): Val {
  const x = toNumber(a, n.left);
  const y = toNumber(b, n.right);
  if (x === null || y === null) return null;
  switch (n.op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
    case '%':
      if (y === 0) throw new GoalEvalError(`division by zero: \`${n.op}\` has 0 on its right`, n.right.start);
      return n.op === '/' ? x / y : x % y;
  }
}

function toNumber(v: Val, at: Node): number | null {
  if (Array.isArray(v) && v.length === 1) v = v[0];
  if (v === null || (Array.isArray(v) && v.length === 0)) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^-?(\d+(\.\d+)?|0x[0-9a-f]+)$/i.test(v.trim())) return Number(v.trim());
  if (Array.isArray(v)) throw new GoalEvalError(`arithmetic takes one number, and this is a list of ${v.length}; take .count, .sum, .first or .last of it`, at.start);
  throw new GoalEvalError(`arithmetic takes numbers, and this is ${show(v)}`, at.start);
}

export function compare(op: string, a: Val, b: Val): boolean {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '~':
      return contains(a, b);
    case 'in':
      return Array.isArray(b) ? b.some((x) => equal(a, x)) : contains(b, a);
    default: {
      const d = order(a, b);
      if (d === undefined) return false;
      return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
    }
  }
}
