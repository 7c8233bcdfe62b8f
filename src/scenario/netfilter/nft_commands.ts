// nft's commands: `add|create|insert|replace table|chain|rule|set|map|element`, `flush`,
// `delete|destroy`, `define`, `-f FILE`, and the block form of a dump (`table … { chain … { … } }`).
// Each command parses into operations of one transaction (nft_ops.ts); the rules inside are read
// by nft_rule.ts, the sets and maps by nft_sets.ts.
import { NfError } from '../../model/net/netfilter/engine';
import { NAMED_PRIORITY, type ChainType, type HookShort, type NfFamily, type Rule } from '../../model/net/netfilter/nf_tables';
import type { NTok } from './lex';
import { FAMILIES, NftCursor, q, type Check } from './nft_cursor';
import { findChain, findTable, insertRule, type Op } from './nft_ops';
import { rule as parseRule } from './nft_rule';
import { elementCmd, findSet, setDecl } from './nft_sets';
import { deleteObject, objectDecl, OBJECT_KINDS } from './nft_objects';

const HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting']);

export function parseCommands(p: NftCursor): Op[] {
  const ops: Op[] = [];
  p.skipSeps();
  while (p.peek().kind !== 'eof') {
    command(p, ops);
    p.skipSeps();
  }
  return ops;
}

export function command(p: NftCursor, ops: Op[]): void {
  const t = p.next();
  if (t.kind !== 'word') p.fail(t, `syntax error: unexpected ${q(t.text)}`);
  switch (t.text) {
    case '-f':
    case '--file': {
      // an option of the command line only: in a file it would also let the file read itself
      if (p.inFile) p.fail(t, `${t.text} is an option of the nft command, not a statement of a rules file (nft's own \`include "FILE"\` is not modelled)`);
      const f = p.word('a file name');
      if (!p.readFile) p.fail(f, `nft -f ${f.text}: this run has no way to read files (the CLI and the extension pass one)`);
      const sub = new NftCursor(p.readFile(f.text, f.pos), p.net, p.readFile);
      sub.inFile = true;
      for (const op of parseCommands(sub)) ops.push(op);
      return;
    }
    case 'include':
      return p.fail(t, 'nft include is not modelled: put the included rules in the file itself');
    case 'add':
    case 'create':
    case 'insert':
    case 'replace':
      return addCmd(p, t, ops);
    case 'table':
      return tableBlock(p, t, ops, false);
    case 'flush':
      return flushCmd(p, t, ops);
    case 'delete':
    case 'destroy':
      return deleteCmd(p, t, ops);
    case 'define':
    case 'redefine': {
      const n = p.word('a variable name');
      p.expect('=');
      const val: NTok[] = [];
      // a value may be an anonymous set, over several lines: `define LAN = { 10.0.0.0/8, … }`
      let depth = 0;
      while (depth > 0 || !p.atEnd()) {
        const v = p.next();
        if (v.kind === 'eof') p.fail(v, `define ${n.text}: syntax error: missing } at the end of its set`);
        if (v.kind === 'punct' && v.text === '{') depth++;
        if (v.kind === 'punct' && v.text === '}') depth--;
        if (v.kind === 'nl') continue;
        // nft evaluates a definition where it stands: a variable in it must be defined already
        // (so a definition cannot name itself), and its value is taken in
        if (v.kind === 'word' && v.text.startsWith('$') && v.text.length > 1) {
          const d = p.defines.get(v.text.slice(1));
          if (!d) p.fail(v, `unknown variable ${q(v.text)} (no define ${v.text.slice(1)} before it)`);
          for (const x of d) val.push({ ...x, pos: v.pos });
        } else val.push(v);
      }
      if (!val.length) p.fail(n, `define ${n.text}: no value`);
      p.defines.set(n.text, val);
      p.endStatement();
      return;
    }
    case 'list':
    case 'monitor':
    case 'describe':
      return p.fail(t, `nft ${t.text} only prints; it changes nothing in the model, so it has no place in a setup (remove the line)`);
    case 'chain':
    case 'rule':
      return p.fail(t, `${q(t.text)} needs a command before it: nft add ${t.text} …`);
    case 'reset':
    case 'rename':
    case 'export':
    case 'import':
      return p.fail(t, `nft ${t.text} is not modelled`);
    default:
      if (t.text.startsWith('-')) return p.fail(t, `nft option ${t.text} is not modelled (only -f FILE is)`);
      return p.fail(t, `unknown nft command ${q(t.text)} (add, create, insert, flush, delete, table, define, -f)`);
  }
}

export function addCmd(p: NftCursor, verb: NTok, ops: Op[]): void {
  const what = p.word('table, chain or rule');
  switch (what.text) {
    case 'table': {
      if (verb.text === 'insert' || verb.text === 'replace') p.fail(verb, `nft ${verb.text} table: use add or create`);
      return tableBlock(p, what, ops, verb.text === 'create');
    }
    case 'chain': {
      if (verb.text === 'insert' || verb.text === 'replace') p.fail(verb, `nft ${verb.text} chain: use add or create`);
      const fam = p.family();
      const tn = p.name('a table name');
      const cn = p.name('a chain name');
      chainDecl(p, ops, fam, tn, cn, verb.text === 'create', true);
      p.endStatement();
      return;
    }
    case 'rule': {
      if (verb.text === 'create') p.fail(verb, 'nft create rule: use add or insert');
      const fam = p.family();
      const tn = p.name('a table name');
      const cn = p.name('a chain name');
      let position: { tok: NTok; handle: number } | null = null;
      if (p.is('position') || p.is('handle') || p.is('index')) {
        const kw = p.next();
        if (kw.text === 'index') p.fail(kw, 'rule index is not modelled: use position HANDLE');
        const n = p.word('a rule handle');
        if (!/^\d+$/.test(n.text)) p.fail(n, `${q(n.text)} is not a rule handle`);
        position = { tok: n, handle: Number(n.text) };
      }
      if (verb.text === 'replace' && !position) p.fail(verb, 'nft replace rule needs handle N');
      const rule = parseRule(p, fam);
      ops.push({
        pos: verb.pos,
        run: (e) => {
          const chain = findChain(e, fam, tn, cn);
          insertRule(e, chain, rule.rule, rule.check, verb.text, position);
        },
      });
      p.endStatement();
      return;
    }
    case 'set':
    case 'map': {
      if (verb.text === 'insert' || verb.text === 'replace') p.fail(verb, `nft ${verb.text} ${what.text}: use add or create`);
      const fam = p.family();
      const tn = p.name('a table name');
      const sn = p.name(`a ${what.text} name`);
      setDecl(p, ops, fam, tn, what, sn, verb.text === 'create');
      p.endStatement();
      return;
    }
    case 'element': {
      if (verb.text === 'insert' || verb.text === 'replace') p.fail(verb, `nft ${verb.text} element: use add or create`);
      elementCmd(p, ops, verb);
      return;
    }
    case 'counter':
    case 'quota':
    case 'limit': {
      if (verb.text === 'insert' || verb.text === 'replace') p.fail(verb, `nft ${verb.text} ${what.text}: use add or create`);
      const fam = p.family();
      const tn = p.name('a table name');
      const on = p.name(`a ${what.text} name`);
      objectDecl(p, ops, fam, tn, what, on, verb.text === 'create');
      p.endStatement();
      return;
    }
    case 'flowtable':
      return p.fail(what, 'flowtables are not modelled');
    case 'ct':
    case 'synproxy':
    case 'secmark':
    case 'tunnel':
      return unmodelledObject(p, what);
    default:
      return p.fail(what, `nft ${verb.text} ${what.text}: expected table, chain or rule`);
  }
}

/** Stateful object kinds the model has no semantics for: refused by name, never as a syntax error. */
const UNMODELLED_OBJECTS = new Set(['ct', 'synproxy', 'secmark', 'tunnel']);

/**
 * `ct helper|timeout|expectation NAME { … }`, `synproxy NAME { … }`…: a ct helper object
 * (nft_ct.c nft_ct_helper_obj) attaches a conntrack helper, whose effect is the expectations it
 * makes from the packets' payload (ftp's PORT commands…), which the model does not have; a ct
 * timeout object gives its connections their own timeouts, where the model has the namespace's
 * sysctls only.
 */
function unmodelledObject(p: NftCursor, w: NTok): never {
  if (w.text !== 'ct') return p.fail(w, `${w.text} objects are not modelled`);
  const k = p.peek();
  if (k.text === 'helper') return p.fail(w, 'ct helper objects are not modelled (a conntrack helper and the expectations it makes, nft_ct_helper_obj)');
  if (k.text === 'timeout') return p.fail(w, 'ct timeout objects are not modelled (the model takes conntrack timeouts from the namespace\'s sysctls only)');
  if (k.text === 'expectation') return p.fail(w, 'ct expectation objects are not modelled (the model has no expectations)');
  return p.fail(k, `syntax error: unexpected ${q(k.text)} after ct (expected helper, timeout or expectation)`);
}

/** `table [family] NAME [{ chain … }]` — the block form of a dump, or `add table`. */
export function tableBlock(p: NftCursor, kw: NTok, ops: Op[], create: boolean): void {
  const fam = p.family();
  const tn = p.name('a table name');
  ops.push({
    pos: tn.pos,
    run: (e) => {
      const t = e.table(fam, tn.text);
      if (t && create) throw new NfError(`Could not process rule: File exists: table ${fam} ${tn.text}`);
      if (!t) e.tables.push({ family: fam, name: tn.text, chains: new Map() });
    },
  });
  void kw;
  if (p.is('{')) {
    p.next();
    p.skipSeps();
    // nft_cmd_expand: a table block adds its sets and chains first, then the rules, so a rule
    // may jump to a chain declared further down (and a loop is found whichever way it is written)
    const rules: Op[] = [];
    while (!p.is('}')) {
      const t = p.peek();
      if (t.kind === 'eof') p.fail(t, 'syntax error: missing } at the end of the table');
      const w = p.next();
      if (w.text === 'chain') {
        const cn = p.name('a chain name');
        chainDecl(p, ops, fam, tn, cn, false, false, rules);
      } else if (w.text === 'flags' || w.text === 'comment') {
        if (w.text === 'flags') p.fail(w, 'table flags are not modelled');
        p.word('a comment');
      } else if (w.text === 'set' || w.text === 'map') {
        const sn = p.name(`a ${w.text} name`);
        setDecl(p, ops, fam, tn, w, sn, false);
      } else if (OBJECT_KINDS.has(w.text)) {
        const on = p.name(`a ${w.text} name`);
        objectDecl(p, ops, fam, tn, w, on, false);
      } else if (w.text === 'flowtable') {
        p.fail(w, 'flowtables are not modelled');
      } else if (UNMODELLED_OBJECTS.has(w.text)) {
        unmodelledObject(p, w);
      } else {
        p.fail(w, `syntax error: unexpected ${q(w.text)} in a table (expected chain)`);
      }
      p.skipSeps();
    }
    p.next();
    for (const op of rules) ops.push(op);
  }
  p.endStatement();
}

/** `chain NAME [{ type … hook … priority …; policy …; rules }]` */
export function chainDecl(p: NftCursor, ops: Op[], fam: NfFamily, tn: NTok, cn: NTok, create: boolean, cmdForm: boolean, ruleOps: Op[] = ops): void {
  let base: { type: ChainType; hook: HookShort; priority: number; policy?: 'accept' | 'drop'; typeTok: NTok; hookTok: NTok; prioTok: NTok } | null = null;
  let policy: { v: 'accept' | 'drop'; tok: NTok } | null = null;
  const rules: { rule: Rule; check: Check }[] = [];
  if (p.is('{')) {
    p.next();
    p.skipSeps();
    while (!p.is('}')) {
      const t = p.peek();
      if (t.kind === 'eof') p.fail(t, 'syntax error: missing } at the end of the chain');
      if (p.is('type')) {
        p.next();
        const ty = p.word('a chain type (filter, nat, route)');
        if (!['filter', 'nat', 'route'].includes(ty.text)) p.fail(ty, `unknown chain type ${q(ty.text)} (filter, nat or route)`);
        p.expect('hook');
        const hk = p.word('a hook');
        if (hk.text === 'ingress' || hk.text === 'egress') p.fail(hk, `hook ${hk.text} is not modelled (only the five IPv4 hooks are)`);
        if (!HOOKS.has(hk.text)) p.fail(hk, `unknown hook ${q(hk.text)} (prerouting, input, forward, output, postrouting)`);
        if (p.is('device')) p.fail(p.peek(), 'device is only for netdev chains, which are not modelled');
        const pk = p.expect('priority');
        const prio = priority(p, pk);
        base = { type: ty.text as ChainType, hook: hk.text as HookShort, priority: prio, typeTok: ty, hookTok: hk, prioTok: pk };
        p.endInBlock();
      } else if (p.is('policy')) {
        p.next();
        const pv = p.word('accept or drop');
        if (pv.text !== 'accept' && pv.text !== 'drop') p.fail(pv, `policy must be accept or drop, not ${q(pv.text)}`);
        policy = { v: pv.text, tok: pv };
        p.endInBlock();
      } else if (p.is('comment')) {
        p.next();
        p.word('a comment');
        p.endInBlock();
      } else if (cmdForm) {
        p.fail(t, `syntax error: unexpected ${q(t.text)} in a chain declaration (type …, policy …)`);
      } else {
        rules.push(parseRule(p, fam));
        p.endInBlock();
      }
      p.skipSeps();
    }
    p.next();
  }
  if (policy && !base) p.fail(policy.tok, 'policy is only for base chains (give type … hook … priority … first)');
  if (base) {
    const b = base;
    if (b.type === 'nat' && b.hook === 'forward') p.fail(b.hookTok, 'Could not process rule: Operation not supported: a nat chain cannot hook forward');
    if (b.type === 'route' && b.hook !== 'output') p.fail(b.hookTok, 'Could not process rule: Operation not supported: a route chain hooks output only');
    if (b.type === 'nat' && b.priority <= -200) p.fail(b.prioTok, 'Could not process rule: Operation not supported: a nat chain must have a priority above conntrack (-200)');
    if (fam === 'ip6' && b.type === 'route') p.fail(b.typeTok, 'type route chains of ip6 tables are not modelled (nf_route_table_hook6): only filter and nat chains are');
  }
  ops.push({
    pos: cn.pos,
    run: (e) => {
      const t = e.table(fam, tn.text);
      if (!t) throw new NfError(`Could not process rule: No such file or directory: table ${fam} ${tn.text} does not exist`);
      let c = t.chains.get(cn.text);
      if (c && create) throw new NfError(`Could not process rule: File exists: chain ${cn.text}`);
      if (c && base) {
        const cb = c.base;
        if (!cb || cb.type !== base.type || cb.hook !== base.hook || cb.priority !== base.priority) throw new NfError(`Could not process rule: Device or resource busy: chain ${cn.text} exists with another type, hook or priority`);
      }
      if (c && policy && c.base) c.base.policy = policy.v;
      if (!c) {
        c = { table: t, name: cn.text, base: base ? { type: base.type, hook: base.hook, priority: base.priority, policy: policy?.v ?? 'accept' } : null, rules: [], regSeq: e.nextSeq(), packets: 0, bytes: 0 };
        t.chains.set(cn.text, c);
      }
    },
  });
  for (const r of rules) {
    ruleOps.push({
      pos: r.rule.pos,
      run: (e) => {
        const chain = findChain(e, fam, tn, cn);
        insertRule(e, chain, r.rule, r.check, 'add', null);
      },
    });
  }
}

export function priority(p: NftCursor, kw: NTok): number {
  const t = p.next();
  let base: number;
  if (t.kind === 'word' && /^-?\d+$/.test(t.text)) base = Number(t.text);
  else if (t.kind === 'word' && t.text in NAMED_PRIORITY) base = NAMED_PRIORITY[t.text];
  else if (t.kind === 'punct' && t.text === '<') p.fail(t, 'syntax error in priority');
  else p.fail(t.kind === 'eof' ? kw : t, `priority must be a number or raw, mangle, dstnat, filter, security, srcnat${t.kind === 'eof' ? '' : `, not ${q(t.text)}`}`);
  const sign = p.peek();
  if (sign.kind === 'word' && (sign.text === '+' || sign.text === '-')) {
    p.next();
    const n = p.word('a number');
    if (!/^\d+$/.test(n.text)) p.fail(n, `${q(n.text)} is not a number`);
    return sign.text === '+' ? base + Number(n.text) : base - Number(n.text);
  }
  if (sign.kind === 'word' && /^[+-]\d+$/.test(sign.text)) {
    p.next();
    return base + Number(sign.text);
  }
  return base;
}

export function flushCmd(p: NftCursor, verb: NTok, ops: Op[]): void {
  const what = p.word('ruleset, table or chain');
  if (what.text === 'ruleset') {
    if (p.peek().kind === 'word' && FAMILIES.has(p.peek().text)) {
      const f = p.next();
      ops.push({ pos: verb.pos, run: (e) => (e.tables = e.tables.filter((t) => t.family !== f.text)) });
    } else ops.push({ pos: verb.pos, run: (e) => (e.tables = []) });
  } else if (what.text === 'table') {
    const fam = p.family();
    const tn = p.name('a table name');
    ops.push({ pos: tn.pos, run: (e) => findTable(e, fam, tn).chains.forEach((c) => (c.rules = [])) });
  } else if (what.text === 'chain') {
    const fam = p.family();
    const tn = p.name('a table name');
    const cn = p.name('a chain name');
    ops.push({ pos: cn.pos, run: (e) => (findChain(e, fam, tn, cn).rules = []) });
  } else if (what.text === 'set' || what.text === 'map') {
    const fam = p.family();
    const tn = p.name('a table name');
    const sn = p.name(`a ${what.text} name`);
    ops.push({ pos: sn.pos, run: (e) => (findSet(e, fam, tn, sn).elems = []) });
  } else p.fail(what, `nft flush ${what.text}: expected ruleset, table, chain, set or map`);
  p.endStatement();
}

export function deleteCmd(p: NftCursor, verb: NTok, ops: Op[]): void {
  const what = p.word('table, chain or rule');
  const quiet = verb.text === 'destroy';
  if (what.text === 'element') return elementCmd(p, ops, verb);
  if (OBJECT_KINDS.has(what.text)) return deleteObject(p, ops, what, quiet);
  if (what.text === 'set' || what.text === 'map') {
    const fam = p.family();
    const tn = p.name('a table name');
    const sn = p.name(`a ${what.text} name`);
    ops.push({
      pos: sn.pos,
      run: (e) => {
        const t = findTable(e, fam, tn);
        if (!t.sets?.has(sn.text)) {
          if (quiet) return;
          throw new NfError(`Could not process rule: No such file or directory: no ${what.text} ${sn.text} in table ${fam} ${tn.text}`);
        }
        for (const c of t.chains.values()) for (const r of c.rules) if (r.exprs.some((x) => x.setRef === sn.text)) throw new NfError(`Could not process rule: Device or resource busy: ${what.text} ${sn.text} is used by rule \`${r.text}\` in chain ${c.name}`);
        t.sets.delete(sn.text);
      },
    });
    p.endStatement();
    return;
  }
  const fam = p.family();
  const tn = p.name('a table name');
  if (what.text === 'table') {
    ops.push({
      pos: tn.pos,
      run: (e) => {
        const t = e.table(fam, tn.text);
        if (!t && !quiet) throw new NfError(`Could not process rule: No such file or directory: table ${fam} ${tn.text}`);
        e.tables = e.tables.filter((x) => x !== t);
      },
    });
  } else if (what.text === 'chain') {
    const cn = p.name('a chain name');
    ops.push({
      pos: cn.pos,
      run: (e) => {
        const t = findTable(e, fam, tn);
        const c = t.chains.get(cn.text);
        if (!c) {
          if (quiet) return;
          throw new NfError(`Could not process rule: No such file or directory: chain ${cn.text}`);
        }
        if (c.rules.length) throw new NfError(`Could not process rule: Device or resource busy: chain ${cn.text} is not empty`);
        for (const o of t.chains.values()) for (const r of o.rules) if (r.exprs.some((x) => x.text === `jump ${cn.text}` || x.text === `goto ${cn.text}`)) throw new NfError(`Could not process rule: Device or resource busy: chain ${cn.text} is jumped to`);
        t.chains.delete(cn.text);
      },
    });
  } else if (what.text === 'rule') {
    const cn = p.name('a chain name');
    p.expect('handle');
    const h = p.word('a rule handle');
    if (!/^\d+$/.test(h.text)) p.fail(h, `${q(h.text)} is not a rule handle`);
    ops.push({
      pos: h.pos,
      run: (e) => {
        const c = findChain(e, fam, tn, cn);
        const at = c.rules.findIndex((r) => r.handle === Number(h.text));
        if (at < 0) throw new NfError(`Could not process rule: No such file or directory: no rule with handle ${h.text} in ${cn.text}`);
        c.rules = c.rules.filter((_, i) => i !== at);
      },
    });
  } else p.fail(what, `nft ${verb.text} ${what.text}: expected table, chain or rule`);
  p.endStatement();
}

