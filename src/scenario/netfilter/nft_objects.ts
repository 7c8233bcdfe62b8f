// Named stateful objects: `counter NAME { … }`, `quota NAME { … }`, `limit NAME { … }` declared in
// a table (nf_tables_api.c nf_tables_newobj), and the statements that use them, `counter name
// "NAME"` or `counter name KEY map { K : "NAME", … }` (nft_objref.c: nft_objref_eval runs the
// object's eval; nft_objref_map_eval looks the object up first, and a key in no element is
// NFT_BREAK). All rules naming an object share its state: one quota for several rules.
// Versions: the kernel's side from v6.12, the words and the listing from nft 1.0.6.
import type { Expr, NfFamily, NfObject, NfObjectKind, Table } from '../../model/net/netfilter/nf_tables';
import { objKey } from '../../model/net/netfilter/nf_tables';
import { NfError } from '../../model/net/netfilter/engine';
import { ScenarioError } from '../types';
import * as X from './exprs';
import type { NTok } from './lex';
import { NftCursor, q } from './nft_cursor';
import { findTable, type Op } from './nft_ops';
import { quotaSpec, type QuotaSpec } from './nft_quota';
import { limitSpec } from './nft_stmt';
import { dataMap, mapAhead, mapKey } from './nft_datamap';
import type { Item } from './nft_stmt';

export const OBJECT_KINDS = new Set<string>(['counter', 'quota', 'limit']);

/** nft's byte amounts as it prints them: the largest of bytes, kbytes, mbytes that divides evenly. */
export function bytesText(n: number): string {
  let v = n;
  let unit = 'bytes';
  for (const u of ['kbytes', 'mbytes']) {
    if (v === 0 || v % 1024 !== 0) break;
    v /= 1024;
    unit = u;
  }
  return `${v} ${unit}`;
}

const TIME_UNIT: Record<number, string> = { 1: 'second', 60: 'minute', 3600: 'hour', 86400: 'day', 604800: 'week' };

/** The body of a limit as nft 1.0.6 lists it (a packet burst only when not the default 5). */
export function limitText(l: X.LimitSpec): string {
  const unit = TIME_UNIT[l.unit];
  if (l.bytes) {
    const [v, u] = bytesText(l.rate).split(' ');
    return `rate ${l.over ? 'over ' : ''}${v} ${u}/${unit}${l.burst ? ` burst ${bytesText(l.burst)}` : ''}`;
  }
  return `rate ${l.over ? 'over ' : ''}${l.rate}/${unit}${l.burst && l.burst !== 5 ? ` burst ${l.burst} packets` : ''}`;
}

/** nft_counter_obj_eval: every packet counts, the rule goes on. */
function counterObject(name: string, packets: number, bytes: number): NfObject {
  const c = { packets, bytes };
  return {
    kind: 'counter',
    name,
    eval: (x) => {
      c.packets++;
      c.bytes += x.p.skb.len;
      return true;
    },
    why: () => `Counter ${name} now holds ${c.packets} packets, ${c.bytes} bytes.`,
    body: (stateless) => (stateless ? [] : [`packets ${c.packets} bytes ${c.bytes}`]),
  };
}

/**
 * nft_quota_obj_eval: the packet's length is added to what is consumed whether the rule then
 * matches or not; over the quota is consumed > quota, and `over` (NFT_QUOTA_F_INV) inverts.
 * The depletion event (nft_obj_notify) goes to netlink listeners, which the model has none of.
 */
function quotaObject(name: string, s: QuotaSpec, consumed0: number): NfObject & { consumed(): number } {
  let consumed = consumed0;
  let before = 0;
  return {
    kind: 'quota',
    name,
    consumed: () => consumed,
    eval: (x) => {
      before = consumed;
      consumed += x.p.skb.len;
      return consumed > s.bytes === s.over;
    },
    actual: () => (s.over ? `quota ${name}: ${consumed} bytes consumed of ${s.bytes}, not over it yet` : `quota ${name}: ${consumed} bytes consumed of ${s.bytes}, over it`),
    why: () => `Quota ${name} had ${before} bytes consumed; with this packet ${consumed} of ${s.bytes}${consumed > s.bytes ? ', over it' : ''}.`,
    body: (stateless) => [`${s.over ? 'over ' : ''}${bytesText(s.bytes)}${!stateless && consumed ? ` used ${bytesText(consumed)}` : ''}`],
  };
}

/** nft_limit_obj_pkts_eval / nft_limit_obj_bytes_eval: the token bucket of nft_limit.c, full when the object is made. */
function limitObject(name: string, l: X.LimitSpec, now: number): NfObject {
  const e = X.limitExpr(`limit ${name}`, l, now);
  return {
    kind: 'limit',
    name,
    eval: (x) => e.eval(x) === true,
    actual: (x) => `limit ${name}: ${e.actual?.(x) ?? ''}`,
    why: (x) => e.why?.(x),
    body: () => [limitText(l)],
  };
}

interface ObjSpec {
  kind: NfObjectKind;
  make: (old: NfObject | undefined) => NfObject | null;
}

/** The words of an object after its name, braced or not, up to the end of the command or the `}`. */
function objSpec(p: NftCursor, kw: NTok, name: NTok): ObjSpec {
  const braced = p.is('{');
  if (braced) {
    p.next();
    p.skipSeps();
  }
  const kind = kw.text as NfObjectKind;
  let spec: ObjSpec;
  if (kind === 'counter') {
    let packets = 0;
    let bytes = 0;
    if (p.is('packets')) {
      p.next();
      packets = p.num(p.word('a number'), 0, Number.MAX_SAFE_INTEGER);
      p.expect('bytes');
      bytes = p.num(p.word('a number'), 0, Number.MAX_SAFE_INTEGER);
    }
    // a counter has no update (nft_counter_obj_ops): adding one that exists changes nothing
    spec = { kind, make: (old) => (old ? null : counterObject(name.text, packets, bytes)) };
  } else if (kind === 'quota') {
    const s = quotaSpec(p, kw);
    // nft_quota_obj_update: the quota and its flags are the new ones, what is consumed stays
    spec = { kind, make: (old) => quotaObject(name.text, s, old ? (old as ReturnType<typeof quotaObject>).consumed() : s.used) };
  } else {
    const l = limitSpec(p, kw);
    const now = p.net.w.sched.now;
    // a limit has no update (nft_limit_obj_ops): adding one that exists changes nothing
    spec = { kind, make: (old) => (old ? null : limitObject(name.text, l, now)) };
  }
  if (braced) {
    p.skipSeps();
    if (p.is('comment')) {
      p.next();
      p.word('a comment');
      p.skipSeps();
    }
    if (!p.is('}')) p.fail(p.peek(), `syntax error: unexpected ${q(p.peek().text)} in ${kind} ${name.text} (not modelled, or not nft's)`);
    p.next();
  }
  return spec;
}

/** `KIND NAME { … }` in a table block, or `add|create KIND [family] TABLE NAME …`. */
export function objectDecl(p: NftCursor, ops: Op[], fam: NfFamily, tn: NTok, kw: NTok, name: NTok, create: boolean): void {
  const spec = objSpec(p, kw, name);
  ops.push({
    pos: name.pos,
    run: (e) => {
      const t = findTable(e, fam, tn);
      const objs = t.objects ?? (t.objects = new Map());
      const key = objKey(spec.kind, name.text);
      const old = objs.get(key);
      // nf_tables_newobj: NLM_F_EXCL (create) on an existing object is -EEXIST
      if (old && create) throw new NfError(`Could not process rule: File exists: ${spec.kind} ${name.text} in table ${fam} ${tn.text}`);
      const made = spec.make(old);
      if (made) objs.set(key, made);
    },
  });
}

/** `delete|destroy counter|quota|limit [family] TABLE NAME`: -EBUSY while a rule names it. */
export function deleteObject(p: NftCursor, ops: Op[], what: NTok, quiet: boolean): void {
  const fam = p.family();
  const tn = p.name('a table name');
  if (p.is('handle')) p.fail(p.peek(), `delete ${what.text} … handle N is not modelled (give the name)`);
  const name = p.name(`a ${what.text} name`);
  const key = objKey(what.text as NfObjectKind, name.text);
  ops.push({
    pos: name.pos,
    run: (e) => {
      const t = findTable(e, fam, tn);
      if (!t.objects?.has(key)) {
        if (quiet) return;
        throw new NfError(`Could not process rule: No such file or directory: no ${what.text} ${name.text} in table ${fam} ${tn.text}`);
      }
      for (const c of t.chains.values()) for (const r of c.rules) if (r.exprs.some((x) => x.objRefs?.includes(key))) throw new NfError(`Could not process rule: Device or resource busy: ${what.text} ${name.text} is used by rule \`${r.text}\` in chain ${c.name}`);
      t.objects.delete(key);
    },
  });
  p.endStatement();
}

/** nft_objref_init: the object must exist in the rule's table when the rule loads (-ENOENT). */
function needObject(t: Table, kind: NfObjectKind, n: NTok): void {
  if (!t.objects?.has(objKey(kind, n.text))) throw new ScenarioError(`Could not process rule: No such file or directory: no ${kind} ${q(n.text)} in table ${t.family} ${t.name}`, n.pos);
}

/** A statement's object name: a "string" or a bare word. */
function objName(p: NftCursor, kind: string, t: NTok): NTok {
  if (t.kind !== 'str' && t.kind !== 'word') p.fail(t, `syntax error: expected a ${kind} name`);
  if (t.kind === 'word' && !/^[A-Za-z_][\w.-]*$/.test(t.text)) p.fail(t, `syntax error: ${q(t.text)} is not a ${kind} name`);
  return t;
}

/** `counter|quota|limit name "NAME"` or `… name KEY map { K : "NAME", … }` (nft_objref). */
export function objrefItem(p: NftCursor, kw: NTok): Item {
  const kind = kw.text as NfObjectKind;
  p.expect('name');
  if (p.peek().text.startsWith('@')) p.fail(p.peek(), `${kind} name … map @MAP (a named object map) is not modelled`);
  if (!mapAhead(p)) {
    const n = objName(p, kind, p.next());
    const key = objKey(kind, n.text);
    p.checks.push((_e, c) => needObject(c.table, kind, n));
    const at = (t: Table): NfObject | undefined => t.objects?.get(key);
    const e: Expr = {
      text: '',
      objRefs: [key],
      v6: true,
      eval: (x) => at(x.chain.table)?.eval(x) ?? false,
      actual: (x) => at(x.chain.table)?.actual?.(x) ?? `${kind} ${n.text}`,
      why: (x) => at(x.chain.table)?.why?.(x),
    };
    return { exprs: [e] };
  }
  const key = mapKey(p);
  const names: NTok[] = [];
  const m = dataMap(p, key, (d) => {
    if (d.length !== 1) p.fail(d[1] ?? d[0], `syntax error: the data of a ${kind} map is one ${kind} name`);
    names.push(objName(p, kind, d[0]));
    return d[0].text;
  });
  // nft_objref_map_init binds a set of objects of one type: each element names one that exists
  p.checks.push((_e, c) => {
    for (const n of names) needObject(c.table, kind, n);
  });
  let hit: NfObject | undefined;
  const e: Expr = {
    text: '',
    objRefs: names.map((n) => objKey(kind, n.text)),
    needsCt: key.ct,
    eval: (x) => {
      const n = m.lookup(x);
      hit = n === undefined ? undefined : x.chain.table.objects?.get(objKey(kind, n));
      // nft_objref_map_eval: no element (nor catch-all) for the key is NFT_BREAK
      if (!hit) return false;
      return hit.eval(x);
    },
    actual: (x) => (hit ? `${m.last()}: ${hit.actual?.(x) ?? kind}` : m.last()),
    why: (x) => `${m.last()}. ${hit?.why?.(x) ?? ''}`.trim(),
  };
  return { exprs: [e] };
}

/** A named object's lines in `nft list ruleset`. */
export function listObject(o: NfObject, stateless: boolean): string[] {
  return [`\t${o.kind} ${o.name} {`, ...o.body(stateless).map((l) => `\t\t${l}`), '\t}'];
}
