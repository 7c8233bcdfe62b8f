// Named sets and maps in nft: declarations (`set|map NAME { type …; flags …; elements = { … } }`),
// `add|create|delete|destroy element`, and the lookups a rule makes in them (`EXPR @set`,
// `EXPR vmap @map`, an anonymous `vmap { … }`). Elements are checked against the set's type when
// they are loaded, where nft checks them.
import { CT_STATE_BITS } from './nft_ct_state';
import { NfError, type NfEngine } from '../../model/net/netfilter/engine';
import { concatKey, jiffiesAt, setTypeText, type Chain, type EvalCtx, type Expr, type NfFamily, type MapDataType, type NfSet, type SetElem, type SetKeyType, type Table, type Verdict } from '../../model/net/netfilter/nf_tables';
import { ScenarioError } from '../types';
import type { NTok } from './lex';
import * as X from './exprs';
import { NftCursor, q, type Check } from './nft_cursor';
import { findTable, type Op } from './nft_ops';
import { msToJiffies, timeMs } from './nft_time';
import { declaredHere, elemData, elemTimeout, mapDataType } from './nft_named_maps';
import { addr6Range, addr6Text, hex128 } from './nft_ip6_match';

const VERDICT_WORDS = new Set(['accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue']);

/** nft's names of the datatypes, as its errors print them */
export const TYPE_DESC: Record<SetKeyType, string> = { ipv4_addr: 'IPv4 address', inet_service: 'internet network service', inet_proto: 'Internet protocol', ifname: 'network interface name', mark: 'packet mark', icmp_type: 'ICMP type', ct_state: 'conntrack state', ct_dir: 'conntrack direction', ether_type: 'Ethernet protocol', nf_proto: 'netfilter protocol', ipv6_addr: 'IPv6 address' };
/** `typeof EXPR` in a set declaration → the datatype */
const TYPEOF: Record<string, SetKeyType> = {
  'ip saddr': 'ipv4_addr',
  'ip daddr': 'ipv4_addr',
  'ip protocol': 'inet_proto',
  'meta l4proto': 'inet_proto',
  'tcp dport': 'inet_service',
  'tcp sport': 'inet_service',
  'udp dport': 'inet_service',
  'udp sport': 'inet_service',
  'th dport': 'inet_service',
  'th sport': 'inet_service',
  'meta iifname': 'ifname',
  'meta oifname': 'ifname',
  iifname: 'ifname',
  oifname: 'ifname',
  'meta mark': 'mark',
  'ct mark': 'mark',
  'icmp type': 'icmp_type',
  'ip6 saddr': 'ipv6_addr',
  'ip6 daddr': 'ipv6_addr',
  'meta protocol': 'ether_type',
  'meta nfproto': 'nf_proto',
};
/** An element as written; a concatenated one (`A . B`) has its parts, key being the first. */
export type RawElem = { key: NTok; parts?: NTok[]; verdict?: NTok; target?: NTok; data?: NTok[]; timeout?: NTok; expires?: NTok };

/** A key's datatype as nft's errors describe it: one type's name, or `concatenation of (…)`. */
export function typeDesc(types: readonly SetKeyType[]): string {
  return types.length === 1 ? TYPE_DESC[types[0]] : `concatenation of (${types.map((t) => TYPE_DESC[t]).join(', ')})`;
}

export function findSet(e: NfEngine, fam: NfFamily, tn: NTok, sn: NTok): NfSet {
  const s = findTable(e, fam, tn).sets?.get(sn.text);
  if (!s) throw new ScenarioError(`Could not process rule: No such file or directory: no set or map ${sn.text} in table ${fam} ${tn.text}`, sn.pos);
  return s;
}

/** A datatype word of a declaration. */
export function datatype(p: NftCursor): SetKeyType {
  const t = p.word('a datatype');
  if (t.text in TYPE_DESC) return t.text as SetKeyType;
  if (t.text === 'ether_addr') p.fail(t, `type ${t.text} is not modelled (ipv4_addr, ipv6_addr, inet_service, inet_proto, ifname, mark, icmp_type, ct_state, ct_dir, ether_type, nf_proto are)`);
  return p.fail(t, `type ${q(t.text)} is not modelled (ipv4_addr, ipv6_addr, inet_service, inet_proto, ifname, mark, icmp_type, ct_state, ct_dir, ether_type, nf_proto are)`);
}

/** `set|map NAME { type T [: verdict]; typeof EXPR; flags …; elements = { … }; size N; policy P; comment "…" }` */
export function setDecl(p: NftCursor, ops: Op[], fam: NfFamily, tn: NTok, kind: NTok, sn: NTok, create: boolean): void {
  const isMap = kind.text === 'map';
  let keyType: SetKeyType | null = null;
  let fields: SetKeyType[] = [];
  let intervalTok: NTok | null = null;
  let dataType: 'verdict' | MapDataType | undefined;
  let timeoutFlag = false;
  let dynamic = false;
  let interval = false;
  let constant = false;
  let elems: RawElem[] = [];
  let timeout: number | undefined;
  let size: number | undefined;
  let typeofFrom: NTok | undefined;
  let typeofText: string | undefined;
  if (!p.is('{')) p.fail(p.peek(), `syntax error: expected { after the ${kind.text} name (${kind.text} ${sn.text} { type …; })`);
  p.next();
  p.skipSeps();
  while (!p.is('}')) {
    const t = p.next();
    if (t.kind === 'eof') p.fail(t, `syntax error: missing } at the end of the ${kind.text}`);
    if (t.text === 'type') {
      fields = [datatype(p)];
      while (p.is('.')) {
        p.next();
        fields.push(datatype(p));
      }
      keyType = fields[0];
      if (isMap) {
        const colon = p.word(`":" and the data type of the map`);
        if (colon.text !== ':') p.fail(colon, `syntax error: a map's type is KEY : DATA, found ${q(colon.text)}`);
        dataType = mapDataType(p, false);
      }
    } else if (t.text === 'typeof') {
      typeofFrom = p.peek();
      fields = [];
      for (;;) {
        const a = p.word('an expression');
        const b = p.atEnd() || p.is('.') || p.is(':') ? null : p.next();
        const k = b ? `${a.text} ${b.text}` : a.text;
        const ty = TYPEOF[k];
        if (!ty) p.fail(a, `typeof ${k} is not modelled (${Object.keys(TYPEOF).join(', ')} are)`);
        fields.push(ty);
        if (!p.is('.')) break;
        p.next();
      }
      keyType = fields[0];
      if (isMap) {
        const colon = p.word('":" and the data of the map');
        if (colon.text !== ':') p.fail(colon, `syntax error: a map's type is KEY : DATA, found ${q(colon.text)}`);
        dataType = mapDataType(p, true);
      }
      // nft 1.0.6 lists the declaration as typeof, its unqualified meta keys without `meta`
      typeofText = p.text(typeofFrom).replace(/\bmeta (iifname|oifname)\b/g, '$1');
    } else if (t.text === 'flags') {
      for (;;) {
        const f = p.word('a set flag');
        if (f.text === 'interval') {
          interval = true;
          intervalTok = f;
        }
        else if (f.text === 'constant') constant = true;
        // dynamic (NFT_SET_EVAL): rules may add elements (nft sets it itself for a set a rule of the
        // same transaction adds to: nft_dynset.ts); timeout: elements may expire
        else if (f.text === 'timeout') timeoutFlag = true;
        else if (f.text === 'dynamic') dynamic = true;
        else p.fail(f, `set flag ${q(f.text)} is not modelled (interval, constant, dynamic, timeout are)`);
        if (!p.is(',')) break;
        p.next();
      }
    } else if (t.text === 'elements') {
      p.expect('=');
      elems = elemBlock(p, isMap);
    } else if (t.text === 'size') {
      size = p.num(p.word('a size'), 1, 0xffffffff);
    } else if (t.text === 'timeout' && !isMap) {
      timeout = msToJiffies(timeMs(p, p.word('a timeout')));
    } else if (t.text === 'policy') {
      const pv = p.word('performance or memory');
      if (pv.text !== 'performance' && pv.text !== 'memory') p.fail(pv, `set policy ${q(pv.text)}: performance or memory`);
    } else if (t.text === 'comment') {
      p.word('a comment');
    } else if (t.text === 'auto-merge') {
      // merging adjacent intervals changes only how nft lists them
    } else if (t.text === 'timeout' || t.text === 'gc-interval' || t.text === 'counter') {
      p.fail(t, `set ${t.text} is not modelled`);
    } else p.fail(t, `syntax error: unexpected ${q(t.text)} in a ${kind.text} (type, typeof, flags, elements, size, policy, comment)`);
    if (p.is(';') || p.peek().kind === 'nl') p.skipSeps();
    else if (!p.is('}')) p.fail(p.peek(), `syntax error: unexpected ${q(p.peek().text)}, expecting newline or semicolon`);
  }
  p.next();
  if (!keyType) p.fail(sn, `${kind.text} ${sn.text} has no type (type ${isMap ? 'ipv4_addr : verdict' : 'ipv4_addr'}, or typeof …)`);
  const kt = keyType;
  // ranges of concatenated keys are the pipapo set (nft_set_pipapo.c), which the model lacks
  if (fields.length > 1 && intervalTok) p.fail(intervalTok, 'flags interval with a concatenated type (nft_set_pipapo) is not modelled');
  const fs = fields.length > 1 ? fields : undefined;
  const typeText = setTypeText({ keyType: kt, fields: fs });
  declaredHere(p, fam, tn.text, sn.text);
  ops.push({
    pos: sn.pos,
    run: (e) => {
      const t = findTable(e, fam, tn);
      if (!t.sets) t.sets = new Map();
      let set = t.sets.get(sn.text);
      if (set && create) throw new NfError(`Could not process rule: File exists: ${kind.text} ${sn.text}`);
      if (set && (setTypeText(set) !== typeText || set.kind !== kind.text)) throw new NfError(`Could not process rule: File exists: ${set.kind} ${sn.text} exists with type ${setTypeText(set)}`);
      if (!set) {
        set = { name: sn.text, kind: isMap ? 'map' : 'set', keyType: kt, fields: fs, dataType, interval, constant, elems: [], ...(timeoutFlag && { timeoutFlag }), ...(dynamic && { dynamic }), ...(timeout !== undefined && { timeout }), ...(size !== undefined && { size }), ...(typeofText && { typeofText }) };
        t.sets.set(sn.text, set);
      }
      for (const r of elems) addElem(p, t, set, r, false);
    },
  });
}

/** `{ e, e, … }` of a set, or `{ k : verdict, … }` of a map (newlines allowed, as nft list prints long ones). */
export function elemBlock(p: NftCursor, isMap: boolean): RawElem[] {
  const out: RawElem[] = [];
  p.expect('{');
  p.skipSeps();
  while (!p.is('}')) {
    const k = p.next();
    if (k.kind === 'eof') p.fail(k, 'syntax error: missing } at the end of the elements');
    if (k.kind !== 'word' && k.kind !== 'str') p.fail(k, `syntax error: expected an element, found ${q(k.text)}`);
    let key = k;
    if (k.kind === 'word' && k.text.startsWith('$')) {
      const d = p.defines.get(k.text.slice(1));
      if (!d || d.length !== 1) p.fail(k, `unknown variable ${q(k.text)} (no define ${k.text.slice(1)} before it, or not one value)`);
      key = { ...d[0], pos: k.pos };
    }
    // `A . B`: the parts of a concatenated element (the last may carry a glued verdict)
    const parts = [key];
    while (p.is('.')) {
      p.next();
      const t = p.next();
      if (t.kind !== 'word' && t.kind !== 'str') p.fail(t, `syntax error: expected a value after ".", found ${q(t.text)}`);
      parts.push(t);
    }
    // `KEY timeout T expires E`: the element's own lifetime (nft_named_maps.ts)
    const life: { timeout?: NTok; expires?: NTok } = {};
    while (p.is('timeout') || p.is('expires')) {
      const w = p.next();
      life[w.text as 'timeout' | 'expires'] = p.word(`a time after ${w.text}`);
    }
    const last = parts[parts.length - 1];
    // `25:accept` is one word to nft's scanner too: a key and its verdict
    const glued = isMap && last.kind === 'word' ? /^([^:]+):([a-z]+)$/.exec(last.text) : null;
    if (glued) parts[parts.length - 1] = { ...last, text: glued[1], end: last.start + glued[1].length };
    const r: RawElem = { key: parts[0], ...life };
    if (parts.length > 1) r.parts = parts;
    if (glued) {
      r.verdict = { ...last, text: glued[2], pos: { ...last.pos, col: last.pos.col + glued[1].length + 1 }, start: last.start + glued[1].length + 1 };
      if (r.verdict.text === 'jump' || r.verdict.text === 'goto') r.target = p.name('a chain name');
      else if (!['accept', 'drop', 'continue', 'return'].includes(r.verdict.text)) p.fail(r.verdict, `${q(r.verdict.text)} is not a verdict (accept, drop, continue, return, jump CHAIN, goto CHAIN)`);
    } else if (isMap) {
      const colon = p.word('":" and a verdict');
      if (colon.text !== ':') p.fail(colon, `syntax error: a map element is KEY : VERDICT, found ${q(colon.text)}`);
      // a data map's element: its data up to the next element (the map's type checks it)
      if (!VERDICT_WORDS.has(p.peek().text)) {
        r.data = [];
        while (p.peek().kind === 'word' && !p.is(',') && !p.is('}')) r.data.push(p.next());
        if (!r.data.length) p.fail(p.peek(), 'syntax error: a map element is KEY : VALUE');
        out.push(r);
        p.skipSeps();
        if (p.is(',')) p.next();
        else if (!p.is('}')) p.fail(p.peek(), `syntax error: expected , or } after the element, found ${q(p.peek().text)}`);
        p.skipSeps();
        continue;
      }
      r.verdict = p.word('a verdict');
      if (r.verdict.text === 'jump' || r.verdict.text === 'goto') r.target = p.name('a chain name');
      else if (!['accept', 'drop', 'continue', 'return'].includes(r.verdict.text)) p.fail(r.verdict, `${q(r.verdict.text)} is not a verdict (accept, drop, continue, return, jump CHAIN, goto CHAIN)`);
    } else if (p.is(':')) p.fail(p.peek(), 'a set has no data: use a map (map NAME { type … : verdict; })');
    out.push(r);
    p.skipSeps();
    if (p.is(',')) p.next();
    else if (!p.is('}')) p.fail(p.peek(), `syntax error: expected , or } after the element, found ${q(p.peek().text)}`);
    p.skipSeps();
  }
  p.next();
  return out;
}

/** The written text of an element's key (`A . B` for a concatenated one). */
export function keyText(r: RawElem): string {
  return (r.parts ?? [r.key]).map((t) => (t.kind === 'str' ? q(t.text) : t.text)).join(' . ');
}

/** The value of one element, checked against the set's type (at load, where nft checks it). */
export function elemOf(p: NftCursor, set: NfSet, r: RawElem): SetElem {
  const types = set.fields ?? [set.keyType];
  const parts = r.parts ?? [r.key];
  if (parts.length > types.length) p.fail(parts[types.length], 'too many concatenation components');
  if (parts.length < types.length) p.fail(r.key, `invalid data type, expected ${typeDesc(types)}`);
  if (types.length === 1) return valueOf(p, set, types[0], r.key);
  const vals = parts.map((t, i) => {
    const v = valueOf(p, set, types[i], t);
    if (v.lo !== v.hi) p.fail(t, 'ranges and prefixes in concatenated elements (nft_set_pipapo) are not modelled');
    return v.lo;
  });
  const k = concatKey(vals);
  return { lo: k, hi: k, text: keyText(r) };
}

function valueOf(p: NftCursor, set: NfSet, keyType: SetKeyType, key: NTok): SetElem {
  const s = key.text;
  const concat = !!set.fields;
  const ranged = key.kind === 'word' && (s.includes('/') || (s.indexOf('-', 1) > 0 && !(keyType === 'icmp_type' || (keyType === 'inet_service' && s in X.SERVICES))));
  if (ranged && !set.interval && !concat) p.fail(key, `You must add 'flags interval' to your set declaration if you want to add ${s.includes('/') ? 'prefix' : 'range'} elements`);
  if (keyType === 'ifname') return { lo: s, hi: s, text: q(s) };
  if (keyType === 'ipv6_addr') {
    if (concat) p.fail(key, 'IPv6 addresses in concatenations are not modelled');
    const [lo, hi] = addr6Range(p, key);
    return { lo: hex128(lo), hi: hex128(hi), text: addr6Text(lo, hi) };
  }
  let r: X.Range;
  switch (keyType) {
    case 'ipv4_addr':
      r = p.ranges([key], (t, v) => p.addrOf(t, v), true)[0];
      break;
    case 'inet_service':
      r = p.ranges([key], (t, v) => p.portOf(t, v))[0];
      break;
    case 'inet_proto':
      r = p.ranges([key], (t, v) => (v in X.PROTO_BY_NAME ? X.PROTO_BY_NAME[v] : p.num(t, 0, 255)))[0];
      break;
    case 'icmp_type':
      r = p.ranges([key], (t, v) => (v in X.ICMP_TYPES ? X.ICMP_TYPES[v] : p.num(t, 0, 255)))[0];
      break;
    case 'ct_state':
      r = p.ranges([key], (t, v) => (Object.hasOwn(CT_STATE_BITS, v) ? CT_STATE_BITS[v as keyof typeof CT_STATE_BITS] : p.num(t, 0, 0xffffffff)))[0];
      break;
    case 'ct_dir':
      r = p.ranges([key], (t, v) => (v === 'original' ? 0 : v === 'reply' ? 1 : p.num(t, 0, 255)))[0];
      break;
    case 'ether_type':
      r = p.ranges([key], (t, v) => (Object.hasOwn(X.ETHER_TYPES, v) ? X.ETHER_TYPES[v] : /^(0x[0-9a-f]+|\d+)$/i.test(v) ? p.num(t, 0, 65535) : p.fail(t, 'Could not parse Ethernet protocol')))[0];
      break;
    case 'nf_proto':
      r = p.ranges([key], (t, v) => (Object.hasOwn(X.NF_PROTOS, v) ? X.NF_PROTOS[v] : /^(0x[0-9a-f]+|\d+)$/i.test(v) ? p.num(t, 0, 255) : p.fail(t, 'Could not parse netfilter protocol')))[0];
      break;
    default:
      r = p.ranges([key], (t) => p.num(t, 0, 0xffffffff))[0];
  }
  // a state, direction or protocol is listed by its name whichever way it was written (nft's datatypes)
  const name =
    r[0] !== r[1]
      ? undefined
      : keyType === 'ct_state'
        ? Object.keys(CT_STATE_BITS).find((n) => CT_STATE_BITS[n as keyof typeof CT_STATE_BITS] === r[0])
        : keyType === 'ct_dir'
          ? ['original', 'reply'][r[0] as number]
          : keyType === 'ether_type'
            ? X.showEtherType(r[0] as number)
            : keyType === 'nf_proto'
              ? X.showNfProto(r[0] as number)
              : undefined;
  return { lo: r[0], hi: r[1], text: name ?? s };
}

export function addElem(p: NftCursor, t: Table, set: NfSet, r: RawElem, create: boolean): void {
  const el = elemOf(p, set, r);
  if (set.kind === 'map' && set.dataType && set.dataType !== 'verdict') {
    if (!r.data) p.fail(r.verdict ?? r.key, `map ${set.name} maps to ${set.dataType}: KEY : ${set.dataType === 'mark' ? 'MARK' : 'ADDRESS'} elements`);
    const d = elemData(p, set, r.data);
    el.data = d.data;
    el.text = `${el.text} : ${d.text}`;
  } else if (r.data) p.fail(r.data[0], set.kind === 'map' ? `${q(r.data.map((t) => t.text).join(' '))} is not a verdict (accept, drop, continue, return, jump CHAIN, goto CHAIN)` : 'a set has no data: use a map');
  else if (r.verdict) {
    const v = r.verdict.text;
    const code: Record<string, Verdict['code']> = { accept: 'NF_ACCEPT', drop: 'NF_DROP', continue: 'NFT_CONTINUE', return: 'NFT_RETURN', jump: 'NFT_JUMP', goto: 'NFT_GOTO' };
    el.verdict = { code: code[v], chain: r.target?.text };
    if (r.target) {
      const to = t.chains.get(r.target.text);
      if (!to) throw new ScenarioError(`Could not process rule: No such file or directory: chain ${r.target.text} does not exist in table ${t.family} ${t.name}`, r.target.pos);
      if (to.base) throw new ScenarioError(`Could not process rule: Operation not supported: ${v} to base chain ${r.target.text}`, r.target.pos);
    }
    el.text = `${el.text} : ${v}${r.target ? ` ${r.target.text}` : ''}`;
  } else if (set.kind === 'map') p.fail(r.key, `map ${set.name} needs KEY : VERDICT elements`);
  // an element added without a timeout of its own gets the set's (nft_add_set_elem)
  const own = elemTimeout(p, set, r.timeout, r.expires, r.key);
  const life = own ?? set.timeout;
  if (life) el.expires = jiffiesAt(p.net.w.sched.now) + life;
  if (own && r.timeout) el.text = el.text.replace(/^([^:]*?)( : |$)/, (_m, k: string, sep: string) => `${k} timeout ${r.timeout!.text}${sep}`);
  const same = set.elems.findIndex((x) => x.lo === el.lo && x.hi === el.hi);
  if (same >= 0) {
    if (create) throw new ScenarioError(`Could not process rule: File exists: element ${keyText(r)} of ${set.name}`, r.key.pos);
    if (set.kind === 'map' && String(set.elems[same].data) !== String(el.data)) throw new ScenarioError(`Could not process rule: File exists: element ${keyText(r)} of map ${set.name} has other data`, r.key.pos);
    if (set.kind === 'map' && set.elems[same].verdict?.code !== el.verdict?.code) throw new ScenarioError(`Could not process rule: File exists: element ${keyText(r)} of map ${set.name} has another verdict`, r.key.pos);
    return;
  }
  if (set.interval) {
    const over = set.elems.find((x) => (el.lo as number) <= (x.hi as number) && (el.hi as number) >= (x.lo as number));
    if (over) throw new ScenarioError(`Could not process rule: File exists: interval ${r.key.text} overlaps with element ${over.text} of ${set.name}`, r.key.pos);
  }
  set.elems.push(el);
}

/** `add|create|delete|destroy element [family] TABLE SET { … }` */
export function elementCmd(p: NftCursor, ops: Op[], verb: NTok): void {
  const fam = p.family();
  const tn = p.name('a table name');
  const sn = p.name('a set name');
  const isDel = verb.text === 'delete' || verb.text === 'destroy';
  // the elements are parsed as the set's kind says once it is known; accept both forms here
  const save = p.i;
  let elems: RawElem[];
  try {
    elems = elemBlock(p, false);
  } catch (e) {
    p.i = save;
    if (isDel) throw e;
    elems = elemBlock(p, true);
  }
  ops.push({
    pos: sn.pos,
    run: (e) => {
      const t = findTable(e, fam, tn);
      const set = findSet(e, fam, tn, sn);
      if (set.constant) throw new ScenarioError(`Could not process rule: Operation not permitted: ${set.kind} ${set.name} is constant`, sn.pos);
      for (const r of elems) {
        if (!isDel) {
          addElem(p, t, set, r, verb.text === 'create');
          continue;
        }
        const el = elemOf(p, set, r);
        const at = set.elems.findIndex((x) => x.lo === el.lo && x.hi === el.hi);
        if (at < 0) {
          if (verb.text === 'destroy') continue;
          throw new ScenarioError(`Could not process rule: No such file or directory: ${keyText(r)} is not an element of ${set.name}`, r.key.pos);
        }
        set.elems = set.elems.filter((_, i) => i !== at);
      }
    },
  });
  p.endStatement();
}

/** After `EXPR [op]`: a named set `@NAME`, or a verdict map `vmap @NAME` / `vmap { … }`; null if neither follows. */
export function lookupOr(p: NftCursor, kw: NTok, op: X.Op, keyTypes: SetKeyType | SetKeyType[], get: (x: EvalCtx) => X.Key | undefined, show: (v: X.Key) => string): Expr | null {
  const types = Array.isArray(keyTypes) ? keyTypes : [keyTypes];
  const keyType = types[0];
  const fields = types.length > 1 ? types : undefined;
  const t = p.peek();
  if (t.kind !== 'word' || (t.text !== 'vmap' && !t.text.startsWith('@'))) return null;
  const opTok = p.toks[p.i - 1];
  const check = (ref: NTok, wantMap: boolean) => (_e: NfEngine, c: Chain): void => {
    const name = ref.text.slice(1);
    const s = c.table.sets?.get(name);
    if (!s) throw new ScenarioError(`Could not process rule: No such file or directory: no set ${name} in table ${c.table.family} ${c.table.name}`, ref.pos);
    if (setTypeText(s) !== types.join(' . ')) throw new ScenarioError(`datatype mismatch, expected ${typeDesc(s.fields ?? [s.keyType])}, expression has type ${typeDesc(types)}`, ref.pos);
    if (wantMap && s.dataType !== 'verdict') throw new ScenarioError(`@${name} is a set, not a verdict map (map ${name} { type ${setTypeText(s)} : verdict; })`, ref.pos);
  };
  if (t.text === 'vmap') {
    if (opTok.kind === 'punct' && opTok.text !== '{') p.fail(opTok, 'syntax error: vmap takes no comparison');
    p.next();
    if (p.peek().text.startsWith('@')) {
      const ref = p.next();
      p.checks.push(check(ref, true));
      return X.vmapExpr(p.text(kw), ref.text.slice(1), get, show);
    }
    const raw = elemBlock(p, true);
    const anon: NfSet = { name: '', kind: 'map', keyType, fields, dataType: 'verdict', interval: !fields, constant: true, elems: [] };
    p.checks.push((_e, c) => {
      anon.elems = [];
      for (const r of raw) addElem(p, c.table, anon, r, false);
    });
    for (const r of raw) if (r.target) p.checks.push(jumpCheck(r.verdict!, r.target));
    return X.vmapExpr(p.text(kw), anon, get, show);
  }
  if (op !== '==' && op !== '!=') p.fail(opTok, `only == and != look up a set`);
  const ref = p.next();
  if (ref.text.length < 2) p.fail(ref, 'syntax error: a set name after @');
  p.checks.push(check(ref, false));
  return X.setMatch(p.text(kw), ref.text.slice(1), get, op === '!=', show);
}

export function jumpCheck(t: NTok, target: NTok): Check {
  return (_e, c) => {
    const to = c.table.chains.get(target.text);
    if (!to) throw new ScenarioError(`Could not process rule: No such file or directory: chain ${target.text} does not exist in table ${c.table.family} ${c.table.name}`, target.pos);
    if (to.base) throw new ScenarioError(`Could not process rule: Operation not supported: ${t.text} to base chain ${target.text}`, target.pos);
  };
}

