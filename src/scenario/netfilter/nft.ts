// `nft` in the model: command lines (`nft add table …`, `nft add chain … '{ … }'`,
// `nft add|insert rule …`, `nft flush …`, `nft delete …`, `nft -f FILE`) and whole rules files
// in the form `nft list ruleset` prints (nested `table { chain { … } }` blocks, `define`).
// Everything is parsed first into operations; they are applied as one transaction, so a file
// with an error anywhere changes nothing, as `nft -f` does.
import type { Net } from '../../model/net/net_namespace';
import { NfEngine, NfError } from '../../model/net/netfilter/engine';
import { NAMED_PRIORITY, type Chain, type ChainType, type EvalCtx, type Expr, type HookShort, type NfFamily, type NfSet, type Rule, type SetElem, type SetKeyType, type Table, type Verdict } from '../../model/net/netfilter/nf_tables';
import { ipToNum, prefixMask } from '../../model/proto/addr';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../model/proto/ipv4';
import { ScenarioError, SourcePos } from '../types';
import { lexNft, type NTok, type PChars } from './lex';
import { nft_table_validate, NFT_JUMP_STACK_SIZE, type ValidateFailure } from '../../model/net/netfilter/nf_tables_validate';
import * as X from './exprs';

type Op = { pos: SourcePos; run: (e: NfEngine) => void };

const FAMILIES = new Set(['ip', 'inet']);
const OTHER_FAMILIES = new Set(['ip6', 'arp', 'bridge', 'netdev']);
const HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting']);
const q = (s: string): string => `"${s}"`;

/** nft's names of the datatypes, as its errors print them */
const TYPE_DESC: Record<SetKeyType, string> = { ipv4_addr: 'IPv4 address', inet_service: 'internet network service', inet_proto: 'Internet protocol', ifname: 'network interface name', mark: 'packet mark', icmp_type: 'ICMP type' };
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
};
type RawElem = { key: NTok; verdict?: NTok; target?: NTok };

/** Parses and applies nft input (the words after `nft`, or a file). Throws ScenarioError; applies nothing on error. */
export function runNft(net: Net, src: PChars, readFile?: (path: string, at: SourcePos) => PChars): void {
  const p = new NftParser(src, net, readFile);
  const ops = p.parseCommands();
  // the rules' checks keep the parser: drop its tokens, or a long ruleset keeps every line's
  p.release();
  applyOps(net, ops);
}

/** nft's words for EMLINK from nft_table_validate; iptables-nft says it its own way. */
export type LoopMessage = (f: ValidateFailure) => string;

const nftLoop: LoopMessage = (f) =>
  `Could not process rule: Too many links: ${f.path.join(' → ')}${f.loop ? ' is a loop' : ''} (the kernel follows at most ${NFT_JUMP_STACK_SIZE} jumps from a base chain, NFT_JUMP_STACK_SIZE)`;

export function applyOps(net: Net, ops: Op[], loopMessage: LoopMessage = nftLoop): void {
  const eng = NfEngine.of(net);
  const saved = eng.save();
  try {
    for (const op of ops) {
      try {
        op.run(eng);
      } catch (e) {
        if (e instanceof NfError) throw new ScenarioError(e.message, op.pos);
        throw e;
      }
      // nf_tables_newrule (and newsetelem) validate the table when a rule or element is added
      for (const t of eng.tables) {
        const f = nft_table_validate(t);
        if (f) throw new ScenarioError(loopMessage(f), op.pos);
      }
    }
    eng.commit();
  } catch (e) {
    eng.restore(saved);
    throw e;
  }
}

class NftParser {
  private toks: NTok[];
  private i = 0;
  private defines = new Map<string, NTok[]>();

  constructor(
    private src: PChars,
    private net: Net,
    private readFile?: (path: string, at: SourcePos) => PChars,
  ) {
    this.toks = lexNft(src);
  }

  /** Parsing is over: the tokens are no longer needed. */
  release(): void {
    this.toks = [];
  }

  // ---- token helpers ----
  private peek(k = 0): NTok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }
  private next(): NTok {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private fail(t: NTok, msg: string): never {
    throw new ScenarioError(msg, t.pos);
  }
  private is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return (t.kind === 'word' || t.kind === 'punct') && t.text === text;
  }
  private expect(text: string, what?: string): NTok {
    const t = this.peek();
    if (!this.is(text)) this.fail(t, `syntax error: expected ${what ?? q(text)}${t.kind === 'eof' ? ' at the end' : `, found ${q(t.text)}`}`);
    return this.next();
  }
  private word(what: string): NTok {
    const t = this.peek();
    if (t.kind !== 'word' && t.kind !== 'str') this.fail(t, `syntax error: expected ${what}${t.kind === 'eof' || t.kind === 'nl' ? ' at the end of the command' : `, found ${q(t.text)}`}`);
    return this.next();
  }
  private atEnd(): boolean {
    const t = this.peek();
    return t.kind === 'eof' || t.kind === 'nl' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));
  }
  private skipSeps(): void {
    while (this.peek().kind === 'nl' || this.is(';')) this.next();
  }
  private endStatement(): void {
    const t = this.peek();
    if (t.kind === 'eof' || this.is('}')) return;
    if (t.kind === 'nl' || this.is(';')) {
      this.next();
      return;
    }
    this.fail(t, `syntax error: unexpected ${q(t.text)}`);
  }

  /** Inside a chain block every statement ends with a newline or `;` (nft: "expecting newline or semicolon"). */
  private endInBlock(): void {
    const t = this.peek();
    if (t.kind === 'nl' || this.is(';')) {
      this.next();
      return;
    }
    this.fail(t, `syntax error: unexpected ${t.kind === 'eof' ? 'end of input' : q(t.text)}, expecting newline or semicolon`);
  }

  // ---- commands ----

  parseCommands(): Op[] {
    const ops: Op[] = [];
    this.skipSeps();
    while (this.peek().kind !== 'eof') {
      this.command(ops);
      this.skipSeps();
    }
    return ops;
  }

  private command(ops: Op[]): void {
    const t = this.next();
    if (t.kind !== 'word') this.fail(t, `syntax error: unexpected ${q(t.text)}`);
    switch (t.text) {
      case '-f':
      case '--file': {
        const f = this.word('a file name');
        if (!this.readFile) this.fail(f, `nft -f ${f.text}: this run has no way to read files (the CLI and the extension pass one)`);
        const sub = new NftParser(this.readFile(f.text, f.pos), this.net, this.readFile);
        for (const op of sub.parseCommands()) ops.push(op);
        return;
      }
      case 'add':
      case 'create':
      case 'insert':
      case 'replace':
        return this.addCmd(t, ops);
      case 'table':
        return this.tableBlock(t, ops, false);
      case 'flush':
        return this.flushCmd(t, ops);
      case 'delete':
      case 'destroy':
        return this.deleteCmd(t, ops);
      case 'define':
      case 'redefine': {
        const n = this.word('a variable name');
        this.expect('=');
        const val: NTok[] = [];
        while (!this.atEnd()) val.push(this.next());
        if (!val.length) this.fail(n, `define ${n.text}: no value`);
        this.defines.set(n.text, val);
        this.endStatement();
        return;
      }
      case 'list':
      case 'monitor':
      case 'describe':
        return this.fail(t, `nft ${t.text} only prints; it changes nothing in the model, so it has no place in a setup (remove the line)`);
      case 'chain':
      case 'rule':
        return this.fail(t, `${q(t.text)} needs a command before it: nft add ${t.text} …`);
      case 'reset':
      case 'rename':
      case 'export':
      case 'import':
        return this.fail(t, `nft ${t.text} is not modelled`);
      default:
        if (t.text.startsWith('-')) return this.fail(t, `nft option ${t.text} is not modelled (only -f FILE is)`);
        return this.fail(t, `unknown nft command ${q(t.text)} (add, create, insert, flush, delete, table, define, -f)`);
    }
  }

  private family(): NfFamily {
    const t = this.peek();
    if (t.kind === 'word' && FAMILIES.has(t.text) && this.peek(1).kind === 'word') {
      this.next();
      return t.text as NfFamily;
    }
    if (t.kind === 'word' && OTHER_FAMILIES.has(t.text) && this.peek(1).kind === 'word') this.fail(t, `family ${t.text} is not modelled: the model is IPv4 only (use ip or inet)`);
    return 'ip';
  }

  private addCmd(verb: NTok, ops: Op[]): void {
    const what = this.word('table, chain or rule');
    switch (what.text) {
      case 'table': {
        if (verb.text === 'insert' || verb.text === 'replace') this.fail(verb, `nft ${verb.text} table: use add or create`);
        return this.tableBlock(what, ops, verb.text === 'create');
      }
      case 'chain': {
        if (verb.text === 'insert' || verb.text === 'replace') this.fail(verb, `nft ${verb.text} chain: use add or create`);
        const fam = this.family();
        const tn = this.word('a table name');
        const cn = this.word('a chain name');
        this.chainDecl(ops, fam, tn, cn, verb.text === 'create', true);
        this.endStatement();
        return;
      }
      case 'rule': {
        if (verb.text === 'create') this.fail(verb, 'nft create rule: use add or insert');
        const fam = this.family();
        const tn = this.word('a table name');
        const cn = this.word('a chain name');
        let position: { tok: NTok; handle: number } | null = null;
        if (this.is('position') || this.is('handle') || this.is('index')) {
          const kw = this.next();
          if (kw.text === 'index') this.fail(kw, 'rule index is not modelled: use position HANDLE');
          const n = this.word('a rule handle');
          if (!/^\d+$/.test(n.text)) this.fail(n, `${q(n.text)} is not a rule handle`);
          position = { tok: n, handle: Number(n.text) };
        }
        if (verb.text === 'replace' && !position) this.fail(verb, 'nft replace rule needs handle N');
        const rule = this.rule();
        ops.push({
          pos: verb.pos,
          run: (e) => {
            const chain = findChain(e, fam, tn, cn);
            insertRule(e, chain, rule.rule, rule.check, verb.text, position);
          },
        });
        this.endStatement();
        return;
      }
      case 'set':
      case 'map': {
        if (verb.text === 'insert' || verb.text === 'replace') this.fail(verb, `nft ${verb.text} ${what.text}: use add or create`);
        const fam = this.family();
        const tn = this.word('a table name');
        const sn = this.word(`a ${what.text} name`);
        this.setDecl(ops, fam, tn, what, sn, verb.text === 'create');
        this.endStatement();
        return;
      }
      case 'element': {
        if (verb.text === 'insert' || verb.text === 'replace') this.fail(verb, `nft ${verb.text} element: use add or create`);
        this.elementCmd(ops, verb);
        return;
      }
      case 'flowtable':
      case 'counter':
      case 'quota':
      case 'limit':
        return this.fail(what, `named ${what.text}s are not modelled (write the statement in the rule)`);
      default:
        return this.fail(what, `nft ${verb.text} ${what.text}: expected table, chain or rule`);
    }
  }

  /** `table [family] NAME [{ chain … }]` — the block form of a dump, or `add table`. */
  private tableBlock(kw: NTok, ops: Op[], create: boolean): void {
    const fam = this.family();
    const tn = this.word('a table name');
    ops.push({
      pos: tn.pos,
      run: (e) => {
        const t = e.table(fam, tn.text);
        if (t && create) throw new NfError(`Could not process rule: File exists: table ${fam} ${tn.text}`);
        if (!t) e.tables.push({ family: fam, name: tn.text, chains: new Map() });
      },
    });
    void kw;
    if (this.is('{')) {
      this.next();
      this.skipSeps();
      // nft_cmd_expand: a table block adds its sets and chains first, then the rules, so a rule
      // may jump to a chain declared further down (and a loop is found whichever way it is written)
      const rules: Op[] = [];
      while (!this.is('}')) {
        const t = this.peek();
        if (t.kind === 'eof') this.fail(t, 'syntax error: missing } at the end of the table');
        const w = this.next();
        if (w.text === 'chain') {
          const cn = this.word('a chain name');
          this.chainDecl(ops, fam, tn, cn, false, false, rules);
        } else if (w.text === 'flags' || w.text === 'comment') {
          if (w.text === 'flags') this.fail(w, 'table flags are not modelled');
          this.word('a comment');
        } else if (w.text === 'set' || w.text === 'map') {
          const sn = this.word(`a ${w.text} name`);
          this.setDecl(ops, fam, tn, w, sn, false);
        } else if (w.text === 'flowtable' || w.text === 'counter' || w.text === 'quota' || w.text === 'limit') {
          this.fail(w, `named ${w.text}s are not modelled (write the values in the rule)`);
        } else {
          this.fail(w, `syntax error: unexpected ${q(w.text)} in a table (expected chain)`);
        }
        this.skipSeps();
      }
      this.next();
      for (const op of rules) ops.push(op);
    }
    this.endStatement();
  }

  /** `chain NAME [{ type … hook … priority …; policy …; rules }]` */
  private chainDecl(ops: Op[], fam: NfFamily, tn: NTok, cn: NTok, create: boolean, cmdForm: boolean, ruleOps: Op[] = ops): void {
    let base: { type: ChainType; hook: HookShort; priority: number; policy?: 'accept' | 'drop'; typeTok: NTok; hookTok: NTok; prioTok: NTok } | null = null;
    let policy: { v: 'accept' | 'drop'; tok: NTok } | null = null;
    const rules: { rule: Rule; check: (e: NfEngine, c: Chain) => void }[] = [];
    if (this.is('{')) {
      this.next();
      this.skipSeps();
      while (!this.is('}')) {
        const t = this.peek();
        if (t.kind === 'eof') this.fail(t, 'syntax error: missing } at the end of the chain');
        if (this.is('type')) {
          this.next();
          const ty = this.word('a chain type (filter, nat, route)');
          if (!['filter', 'nat', 'route'].includes(ty.text)) this.fail(ty, `unknown chain type ${q(ty.text)} (filter, nat or route)`);
          this.expect('hook');
          const hk = this.word('a hook');
          if (hk.text === 'ingress' || hk.text === 'egress') this.fail(hk, `hook ${hk.text} is not modelled (only the five IPv4 hooks are)`);
          if (!HOOKS.has(hk.text)) this.fail(hk, `unknown hook ${q(hk.text)} (prerouting, input, forward, output, postrouting)`);
          if (this.is('device')) this.fail(this.peek(), 'device is only for netdev chains, which are not modelled');
          const pk = this.expect('priority');
          const prio = this.priority(pk);
          base = { type: ty.text as ChainType, hook: hk.text as HookShort, priority: prio, typeTok: ty, hookTok: hk, prioTok: pk };
          this.endInBlock();
        } else if (this.is('policy')) {
          this.next();
          const pv = this.word('accept or drop');
          if (pv.text !== 'accept' && pv.text !== 'drop') this.fail(pv, `policy must be accept or drop, not ${q(pv.text)}`);
          policy = { v: pv.text, tok: pv };
          this.endInBlock();
        } else if (this.is('comment')) {
          this.next();
          this.word('a comment');
          this.endInBlock();
        } else if (cmdForm) {
          this.fail(t, `syntax error: unexpected ${q(t.text)} in a chain declaration (type …, policy …)`);
        } else {
          rules.push(this.rule());
          this.endInBlock();
        }
        this.skipSeps();
      }
      this.next();
    }
    if (policy && !base) this.fail(policy.tok, 'policy is only for base chains (give type … hook … priority … first)');
    if (base) {
      const b = base;
      if (b.type === 'nat' && b.hook === 'forward') this.fail(b.hookTok, 'Could not process rule: Operation not supported: a nat chain cannot hook forward');
      if (b.type === 'route' && b.hook !== 'output') this.fail(b.hookTok, 'Could not process rule: Operation not supported: a route chain hooks output only');
      if (b.type === 'nat' && b.priority <= -200) this.fail(b.prioTok, 'Could not process rule: Operation not supported: a nat chain must have a priority above conntrack (-200)');
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

  private priority(kw: NTok): number {
    const t = this.next();
    let base: number;
    if (t.kind === 'word' && /^-?\d+$/.test(t.text)) base = Number(t.text);
    else if (t.kind === 'word' && t.text in NAMED_PRIORITY) base = NAMED_PRIORITY[t.text];
    else if (t.kind === 'punct' && t.text === '<') this.fail(t, 'syntax error in priority');
    else this.fail(t.kind === 'eof' ? kw : t, `priority must be a number or raw, mangle, dstnat, filter, security, srcnat${t.kind === 'eof' ? '' : `, not ${q(t.text)}`}`);
    const sign = this.peek();
    if (sign.kind === 'word' && (sign.text === '+' || sign.text === '-')) {
      this.next();
      const n = this.word('a number');
      if (!/^\d+$/.test(n.text)) this.fail(n, `${q(n.text)} is not a number`);
      return sign.text === '+' ? base + Number(n.text) : base - Number(n.text);
    }
    if (sign.kind === 'word' && /^[+-]\d+$/.test(sign.text)) {
      this.next();
      return base + Number(sign.text);
    }
    return base;
  }

  private flushCmd(verb: NTok, ops: Op[]): void {
    const what = this.word('ruleset, table or chain');
    if (what.text === 'ruleset') {
      if (this.peek().kind === 'word' && FAMILIES.has(this.peek().text)) {
        const f = this.next();
        ops.push({ pos: verb.pos, run: (e) => (e.tables = e.tables.filter((t) => t.family !== f.text)) });
      } else ops.push({ pos: verb.pos, run: (e) => (e.tables = []) });
    } else if (what.text === 'table') {
      const fam = this.family();
      const tn = this.word('a table name');
      ops.push({ pos: tn.pos, run: (e) => findTable(e, fam, tn).chains.forEach((c) => (c.rules = [])) });
    } else if (what.text === 'chain') {
      const fam = this.family();
      const tn = this.word('a table name');
      const cn = this.word('a chain name');
      ops.push({ pos: cn.pos, run: (e) => (findChain(e, fam, tn, cn).rules = []) });
    } else if (what.text === 'set' || what.text === 'map') {
      const fam = this.family();
      const tn = this.word('a table name');
      const sn = this.word(`a ${what.text} name`);
      ops.push({ pos: sn.pos, run: (e) => (this.findSet(e, fam, tn, sn).elems = []) });
    } else this.fail(what, `nft flush ${what.text}: expected ruleset, table, chain, set or map`);
    this.endStatement();
  }

  private deleteCmd(verb: NTok, ops: Op[]): void {
    const what = this.word('table, chain or rule');
    const quiet = verb.text === 'destroy';
    if (what.text === 'element') return this.elementCmd(ops, verb);
    if (what.text === 'set' || what.text === 'map') {
      const fam = this.family();
      const tn = this.word('a table name');
      const sn = this.word(`a ${what.text} name`);
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
      this.endStatement();
      return;
    }
    const fam = this.family();
    const tn = this.word('a table name');
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
      const cn = this.word('a chain name');
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
      const cn = this.word('a chain name');
      this.expect('handle');
      const h = this.word('a rule handle');
      if (!/^\d+$/.test(h.text)) this.fail(h, `${q(h.text)} is not a rule handle`);
      ops.push({
        pos: h.pos,
        run: (e) => {
          const c = findChain(e, fam, tn, cn);
          const at = c.rules.findIndex((r) => r.handle === Number(h.text));
          if (at < 0) throw new NfError(`Could not process rule: No such file or directory: no rule with handle ${h.text} in ${cn.text}`);
          c.rules = c.rules.filter((_, i) => i !== at);
        },
      });
    } else this.fail(what, `nft ${verb.text} ${what.text}: expected table, chain or rule`);
    this.endStatement();
  }

  // ---- named sets and maps ----

  private findSet(e: NfEngine, fam: NfFamily, tn: NTok, sn: NTok): NfSet {
    const s = findTable(e, fam, tn).sets?.get(sn.text);
    if (!s) throw new ScenarioError(`Could not process rule: No such file or directory: no set or map ${sn.text} in table ${fam} ${tn.text}`, sn.pos);
    return s;
  }

  /** A datatype word of a declaration. */
  private keyType(): SetKeyType {
    const t = this.word('a datatype');
    if (t.text in TYPE_DESC) return t.text as SetKeyType;
    if (t.text === 'ipv6_addr' || t.text === 'ether_addr') this.fail(t, `type ${t.text} is not modelled: the model is IPv4 only (ipv4_addr, inet_service, inet_proto, ifname, mark, icmp_type are)`);
    return this.fail(t, `type ${q(t.text)} is not modelled (ipv4_addr, inet_service, inet_proto, ifname, mark, icmp_type are)`);
  }

  /** `set|map NAME { type T [: verdict]; typeof EXPR; flags …; elements = { … }; size N; policy P; comment "…" }` */
  private setDecl(ops: Op[], fam: NfFamily, tn: NTok, kind: NTok, sn: NTok, create: boolean): void {
    const isMap = kind.text === 'map';
    let keyType: SetKeyType | null = null;
    let dataType: 'verdict' | undefined;
    let interval = false;
    let constant = false;
    let elems: RawElem[] = [];
    if (!this.is('{')) this.fail(this.peek(), `syntax error: expected { after the ${kind.text} name (${kind.text} ${sn.text} { type …; })`);
    this.next();
    this.skipSeps();
    while (!this.is('}')) {
      const t = this.next();
      if (t.kind === 'eof') this.fail(t, `syntax error: missing } at the end of the ${kind.text}`);
      if (t.text === 'type') {
        keyType = this.keyType();
        if (this.is('.')) this.fail(this.peek(), 'concatenated types are not modelled');
        if (isMap) {
          const colon = this.word(`":" and the data type of the map`);
          if (colon.text !== ':') this.fail(colon, `syntax error: a map's type is KEY : DATA, found ${q(colon.text)}`);
          const d = this.word('a data type');
          if (d.text !== 'verdict') this.fail(d, `maps to ${d.text} are not modelled (verdict maps are)`);
          dataType = 'verdict';
        }
      } else if (t.text === 'typeof') {
        const a = this.word('an expression');
        const b = this.atEnd() ? null : this.next();
        const k = b ? `${a.text} ${b.text}` : a.text;
        const ty = TYPEOF[k];
        if (!ty) this.fail(a, `typeof ${k} is not modelled (${Object.keys(TYPEOF).join(', ')} are)`);
        keyType = ty;
        if (isMap) {
          const colon = this.word('":" and the data of the map');
          if (colon.text !== ':') this.fail(colon, `syntax error: a map's type is KEY : DATA, found ${q(colon.text)}`);
          const d = this.word('verdict');
          if (d.text !== 'verdict') this.fail(d, `maps to ${d.text} are not modelled (verdict maps are)`);
          dataType = 'verdict';
        }
      } else if (t.text === 'flags') {
        for (;;) {
          const f = this.word('a set flag');
          if (f.text === 'interval') interval = true;
          else if (f.text === 'constant') constant = true;
          else this.fail(f, `set flag ${q(f.text)} is not modelled (interval and constant are)`);
          if (!this.is(',')) break;
          this.next();
        }
      } else if (t.text === 'elements') {
        this.expect('=');
        elems = this.elemBlock(isMap);
      } else if (t.text === 'size') {
        this.num(this.word('a size'), 1, 0xffffffff);
      } else if (t.text === 'policy') {
        const pv = this.word('performance or memory');
        if (pv.text !== 'performance' && pv.text !== 'memory') this.fail(pv, `set policy ${q(pv.text)}: performance or memory`);
      } else if (t.text === 'comment') {
        this.word('a comment');
      } else if (t.text === 'auto-merge') {
        // merging adjacent intervals changes only how nft lists them
      } else if (t.text === 'timeout' || t.text === 'gc-interval' || t.text === 'counter') {
        this.fail(t, `set ${t.text} is not modelled`);
      } else this.fail(t, `syntax error: unexpected ${q(t.text)} in a ${kind.text} (type, typeof, flags, elements, size, policy, comment)`);
      if (this.is(';') || this.peek().kind === 'nl') this.skipSeps();
      else if (!this.is('}')) this.fail(this.peek(), `syntax error: unexpected ${q(this.peek().text)}, expecting newline or semicolon`);
    }
    this.next();
    if (!keyType) this.fail(sn, `${kind.text} ${sn.text} has no type (type ${isMap ? 'ipv4_addr : verdict' : 'ipv4_addr'}, or typeof …)`);
    const kt = keyType;
    ops.push({
      pos: sn.pos,
      run: (e) => {
        const t = findTable(e, fam, tn);
        if (!t.sets) t.sets = new Map();
        let set = t.sets.get(sn.text);
        if (set && create) throw new NfError(`Could not process rule: File exists: ${kind.text} ${sn.text}`);
        if (set && (set.keyType !== kt || set.kind !== kind.text)) throw new NfError(`Could not process rule: File exists: ${set.kind} ${sn.text} exists with type ${set.keyType}`);
        if (!set) {
          set = { name: sn.text, kind: isMap ? 'map' : 'set', keyType: kt, dataType, interval, constant, elems: [] };
          t.sets.set(sn.text, set);
        }
        for (const r of elems) this.addElem(t, set, r, false);
      },
    });
  }

  /** `{ e, e, … }` of a set, or `{ k : verdict, … }` of a map (newlines allowed, as nft list prints long ones). */
  private elemBlock(isMap: boolean): RawElem[] {
    const out: RawElem[] = [];
    this.expect('{');
    this.skipSeps();
    while (!this.is('}')) {
      const k = this.next();
      if (k.kind === 'eof') this.fail(k, 'syntax error: missing } at the end of the elements');
      if (k.kind !== 'word' && k.kind !== 'str') this.fail(k, `syntax error: expected an element, found ${q(k.text)}`);
      let key = k;
      if (k.kind === 'word' && k.text.startsWith('$')) {
        const d = this.defines.get(k.text.slice(1));
        if (!d || d.length !== 1) this.fail(k, `unknown variable ${q(k.text)} (no define ${k.text.slice(1)} before it, or not one value)`);
        key = { ...d[0], pos: k.pos };
      }
      const r: RawElem = { key };
      if (isMap) {
        const colon = this.word('":" and a verdict');
        if (colon.text !== ':') this.fail(colon, `syntax error: a map element is KEY : VERDICT, found ${q(colon.text)}`);
        r.verdict = this.word('a verdict');
        if (r.verdict.text === 'jump' || r.verdict.text === 'goto') r.target = this.word('a chain name');
        else if (!['accept', 'drop', 'continue', 'return'].includes(r.verdict.text)) this.fail(r.verdict, `${q(r.verdict.text)} is not a verdict (accept, drop, continue, return, jump CHAIN, goto CHAIN)`);
      } else if (this.is(':')) this.fail(this.peek(), 'a set has no data: use a map (map NAME { type … : verdict; })');
      out.push(r);
      this.skipSeps();
      if (this.is(',')) this.next();
      else if (!this.is('}')) this.fail(this.peek(), `syntax error: expected , or } after the element, found ${q(this.peek().text)}`);
      this.skipSeps();
    }
    this.next();
    return out;
  }

  /** The value of one element, checked against the set's type (at load, where nft checks it). */
  private elemOf(set: NfSet, key: NTok): SetElem {
    const s = key.text;
    const ranged = key.kind === 'word' && (s.includes('/') || (s.indexOf('-', 1) > 0 && !(set.keyType === 'icmp_type' || (set.keyType === 'inet_service' && s in X.SERVICES))));
    if (ranged && !set.interval) this.fail(key, `You must add 'flags interval' to your set declaration if you want to add ${s.includes('/') ? 'prefix' : 'range'} elements`);
    if (set.keyType === 'ifname') return { lo: s, hi: s, text: q(s) };
    let r: X.Range;
    switch (set.keyType) {
      case 'ipv4_addr':
        r = this.ranges([key], (t, v) => this.addrOf(t, v), true)[0];
        break;
      case 'inet_service':
        r = this.ranges([key], (t, v) => this.portOf(t, v))[0];
        break;
      case 'inet_proto':
        r = this.ranges([key], (t, v) => (v in X.PROTO_BY_NAME ? X.PROTO_BY_NAME[v] : this.num(t, 0, 255)))[0];
        break;
      case 'icmp_type':
        r = this.ranges([key], (t, v) => (v in X.ICMP_TYPES ? X.ICMP_TYPES[v] : this.num(t, 0, 255)))[0];
        break;
      default:
        r = this.ranges([key], (t) => this.num(t, 0, 0xffffffff))[0];
    }
    return { lo: r[0], hi: r[1], text: s };
  }

  private addElem(t: Table, set: NfSet, r: RawElem, create: boolean): void {
    const el = this.elemOf(set, r.key);
    if (r.verdict) {
      const v = r.verdict.text;
      const code: Record<string, Verdict['code']> = { accept: 'NF_ACCEPT', drop: 'NF_DROP', continue: 'NFT_CONTINUE', return: 'NFT_RETURN', jump: 'NFT_JUMP', goto: 'NFT_GOTO' };
      el.verdict = { code: code[v], chain: r.target?.text };
      if (r.target) {
        const to = t.chains.get(r.target.text);
        if (!to) throw new ScenarioError(`Could not process rule: No such file or directory: chain ${r.target.text} does not exist in table ${t.family} ${t.name}`, r.target.pos);
        if (to.base) throw new ScenarioError(`Could not process rule: Operation not supported: ${v} to base chain ${r.target.text}`, r.target.pos);
      }
      el.text = `${el.text} : ${v}${r.target ? ` ${r.target.text}` : ''}`;
    } else if (set.kind === 'map') this.fail(r.key, `map ${set.name} needs KEY : VERDICT elements`);
    const same = set.elems.findIndex((x) => x.lo === el.lo && x.hi === el.hi);
    if (same >= 0) {
      if (create) throw new ScenarioError(`Could not process rule: File exists: element ${r.key.text} of ${set.name}`, r.key.pos);
      if (set.kind === 'map' && set.elems[same].verdict?.code !== el.verdict?.code) throw new ScenarioError(`Could not process rule: File exists: element ${r.key.text} of map ${set.name} has another verdict`, r.key.pos);
      return;
    }
    if (set.interval) {
      const over = set.elems.find((x) => (el.lo as number) <= (x.hi as number) && (el.hi as number) >= (x.lo as number));
      if (over) throw new ScenarioError(`Could not process rule: File exists: interval ${r.key.text} overlaps with element ${over.text} of ${set.name}`, r.key.pos);
    }
    set.elems.push(el);
  }

  /** `add|create|delete|destroy element [family] TABLE SET { … }` */
  private elementCmd(ops: Op[], verb: NTok): void {
    const fam = this.family();
    const tn = this.word('a table name');
    const sn = this.word('a set name');
    const isDel = verb.text === 'delete' || verb.text === 'destroy';
    // the elements are parsed as the set's kind says once it is known; accept both forms here
    const save = this.i;
    let elems: RawElem[];
    try {
      elems = this.elemBlock(false);
    } catch (e) {
      this.i = save;
      if (isDel) throw e;
      elems = this.elemBlock(true);
    }
    ops.push({
      pos: sn.pos,
      run: (e) => {
        const t = findTable(e, fam, tn);
        const set = this.findSet(e, fam, tn, sn);
        if (set.constant) throw new ScenarioError(`Could not process rule: Operation not permitted: ${set.kind} ${set.name} is constant`, sn.pos);
        for (const r of elems) {
          if (!isDel) {
            this.addElem(t, set, r, verb.text === 'create');
            continue;
          }
          const el = this.elemOf(set, r.key);
          const at = set.elems.findIndex((x) => x.lo === el.lo && x.hi === el.hi);
          if (at < 0) {
            if (verb.text === 'destroy') continue;
            throw new ScenarioError(`Could not process rule: No such file or directory: ${r.key.text} is not an element of ${set.name}`, r.key.pos);
          }
          set.elems = set.elems.filter((_, i) => i !== at);
        }
      },
    });
    this.endStatement();
  }

  // ---- rules ----

  private rule(): { rule: Rule; check: (e: NfEngine, c: Chain) => void } {
    const first = this.peek();
    if (this.atEnd()) this.fail(first, 'syntax error: the rule is empty');
    const exprs: Expr[] = [];
    const checks: ((e: NfEngine, c: Chain) => void)[] = [];
    this.curChecks = checks;
    let counter: { packets: number; bytes: number } | null = null;
    let lastEnd = first.end;
    let verdictSeen: NTok | null = null;
    while (!this.atEnd()) {
      const st = this.peek();
      if (verdictSeen && st.text !== 'comment') this.fail(st, `syntax error: nothing may follow the verdict ${q(verdictSeen.text)} (only a comment)`);
      this.sawVmap = false;
      const made = this.item(checks, (c) => (counter = c));
      lastEnd = this.toks[this.i - 1].end;
      const text = this.src.text.slice(st.start, lastEnd).replace(/\s+/g, ' ');
      for (const m of made.exprs) exprs.push({ ...m, text: m.text || text });
      if (made.verdict || this.sawVmap) verdictSeen = st;
    }
    const text = this.src.text.slice(first.start, lastEnd).replace(/\s+/g, ' ').trim();
    const rule: Rule = { handle: 0, text, pos: first.pos, exprs, counter };
    if (exprs.some((e) => e.text.startsWith('counter')) && !counter) rule.counter = { packets: 0, bytes: 0 };
    return {
      rule,
      check: (e, c) => {
        for (const f of checks) f(e, c);
      },
    };
  }

  /** One match or statement of a rule. */
  private item(checks: ((e: NfEngine, c: Chain) => void)[], setCounter: (c: { packets: number; bytes: number }) => void): { exprs: Expr[]; verdict?: boolean } {
    const t = this.next();
    if (t.kind !== 'word') this.fail(t, `syntax error: unexpected ${q(t.text)}`);
    const E = (e: Expr | Expr[]): { exprs: Expr[] } => ({ exprs: Array.isArray(e) ? e : [e] });
    switch (t.text) {
      case 'ip':
        return E(this.ipMatch(t));
      case 'tcp':
      case 'udp':
      case 'th':
        return E(this.l4Match(t));
      case 'icmp':
        return E(this.icmpMatch(t));
      case 'ct':
        return E(this.ctMatch(t));
      case 'meta':
        return E(this.metaItem(this.word('a meta key'), t));
      case 'iif':
      case 'oif':
      case 'iifname':
      case 'oifname':
      case 'mark':
      case 'pkttype':
      case 'nftrace':
        this.i--;
        return E(this.metaItem(this.next(), t));
      case 'counter': {
        if (this.is('packets')) {
          this.next();
          const pk = this.num(this.word('a number'), 0, Number.MAX_SAFE_INTEGER);
          this.expect('bytes');
          const by = this.num(this.word('a number'), 0, Number.MAX_SAFE_INTEGER);
          setCounter({ packets: pk, bytes: by });
        }
        return E(X.counterStmt(''));
      }
      case 'log': {
        let prefix = '';
        while (this.is('prefix') || this.is('level') || this.is('flags') || this.is('group')) {
          const k = this.next();
          if (k.text === 'group') this.fail(k, 'log group (nflog) is not modelled');
          if (k.text === 'prefix') prefix = this.word('a prefix string').text;
          else if (k.text === 'level') {
            const l = this.word('a log level');
            if (!['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug', 'audit'].includes(l.text)) this.fail(l, `unknown log level ${q(l.text)}`);
          } else {
            this.word('log flags');
            while (this.is(',')) {
              this.next();
              this.word('log flags');
            }
          }
        }
        return E(X.logStmt('', prefix));
      }
      case 'notrack':
        return E({ ...X.notrackStmt(''), needsCt: false });
      case 'accept':
        return { ...E(X.verdictStmt('', { code: 'NF_ACCEPT' })), verdict: true };
      case 'drop':
        return { ...E(X.verdictStmt('', { code: 'NF_DROP' })), verdict: true };
      case 'continue':
        return { ...E(X.verdictStmt('', { code: 'NFT_CONTINUE' })), verdict: true };
      case 'return':
        return { ...E(X.verdictStmt('', { code: 'NFT_RETURN' })), verdict: true };
      case 'jump':
      case 'goto': {
        const target = this.word('a chain name');
        checks.push((_e, c) => {
          const to = c.table.chains.get(target.text);
          if (!to) throw new ScenarioError(`Could not process rule: No such file or directory: chain ${target.text} does not exist in table ${c.table.family} ${c.table.name}`, target.pos);
          if (to.base) throw new ScenarioError(`Could not process rule: Operation not supported: ${t.text} to base chain ${target.text}`, target.pos);
        });
        return { ...E({ text: `${t.text} ${target.text}`, jumpTo: target.text, eval: () => ({ code: t.text === 'jump' ? 'NFT_JUMP' : 'NFT_GOTO', chain: target.text }) }), verdict: true };
      }
      case 'queue': {
        let num = 0;
        let bypass = false;
        while (this.is('num') || this.is('bypass') || this.is('flags') || this.is('to') || this.is('fanout')) {
          const k = this.next();
          if (k.text === 'num' || k.text === 'to') num = this.num(this.word('a queue number'), 0, 65535);
          else if (k.text === 'bypass') bypass = true;
          else if (k.text === 'flags') {
            const f = this.word('bypass');
            if (f.text !== 'bypass') this.fail(f, `queue flag ${q(f.text)} is not modelled`);
            bypass = true;
          } else this.fail(k, 'queue fanout is not modelled');
        }
        return { ...E(X.queueStmt('', num, bypass)), verdict: true };
      }
      case 'reject': {
        let how: { tcpReset?: boolean; icmpCode?: number } = { icmpCode: 3 };
        if (this.is('with')) {
          this.next();
          const k = this.word('icmp, icmpx or tcp');
          if (k.text === 'tcp') {
            this.expect('reset');
            how = { tcpReset: true };
          } else if (k.text === 'icmp' || k.text === 'icmpx') {
            if (this.is('type')) this.next();
            const n = this.word('an ICMP unreachable type');
            const map = k.text === 'icmpx' ? { 'port-unreachable': 3, 'admin-prohibited': 13, 'no-route': 0, 'host-unreachable': 1 } : X.REJECT_CODES;
            const code = (map as Record<string, number>)[n.text] ?? (/^\d+$/.test(n.text) ? Number(n.text) : undefined);
            if (code === undefined) this.fail(n, `unknown reject type ${q(n.text)} (${Object.keys(map).join(', ')})`);
            how = { icmpCode: code };
          } else if (k.text === 'icmpv6') this.fail(k, 'icmpv6: the model is IPv4 only');
          else this.fail(k, `reject with ${k.text}: expected icmp, icmpx or tcp reset`);
        }
        return { ...E(X.rejectStmt('', how)), verdict: true };
      }
      case 'snat':
      case 'dnat':
      case 'masquerade':
      case 'redirect':
        return { ...E(this.natItem(t, checks)), verdict: true };
      case 'comment':
        this.word('a comment string');
        return { exprs: [] };
      case 'limit':
        return E(this.limitItem(t));
      case 'quota':
      case 'ct_helper':
      case 'tproxy':
      case 'fwd':
      case 'dup':
      case 'synproxy':
      case 'flow':
      case 'numgen':
      case 'jhash':
      case 'symhash':
      case 'fib':
      case 'rt':
      case 'socket':
      case 'osf':
      case 'ipsec':
        return this.fail(t, `${q(t.text)} is not modelled`);
      case 'ip6':
      case 'icmpv6':
      case 'ether':
      case 'arp':
      case 'vlan':
        return this.fail(t, `${q(t.text)}: the model is IPv4 only (and has no ${t.text} matches)`);
      case 'sctp':
      case 'dccp':
      case 'udplite':
      case 'esp':
      case 'ah':
      case 'gre':
        return this.fail(t, `${q(t.text)} headers are not modelled (tcp, udp, icmp are)`);
      default:
        if (t.text.startsWith('@') || t.text.startsWith('$')) return this.fail(t, `${q(t.text)}: unexpected here`);
        return this.fail(t, `syntax error: unexpected ${q(t.text)} (not a match or statement the model knows)`);
    }
  }

  private curChecks: ((e: NfEngine, c: Chain) => void)[] = [];
  private sawVmap = false;

  /** After `EXPR [op]`: a named set `@NAME`, or a verdict map `vmap @NAME` / `vmap { … }`; null if neither follows. */
  private lookupOr(kw: NTok, op: X.Op, keyType: SetKeyType, get: (x: EvalCtx) => X.Key | undefined, show: (v: X.Key) => string): Expr | null {
    const t = this.peek();
    if (t.kind !== 'word' || (t.text !== 'vmap' && !t.text.startsWith('@'))) return null;
    const opTok = this.toks[this.i - 1];
    const check = (ref: NTok, wantMap: boolean) => (_e: NfEngine, c: Chain): void => {
      const name = ref.text.slice(1);
      const s = c.table.sets?.get(name);
      if (!s) throw new ScenarioError(`Could not process rule: No such file or directory: no set ${name} in table ${c.table.family} ${c.table.name}`, ref.pos);
      if (s.keyType !== keyType) throw new ScenarioError(`datatype mismatch, expected ${TYPE_DESC[keyType]}, ${s.kind} @${name} has type ${TYPE_DESC[s.keyType]}`, ref.pos);
      if (wantMap && s.dataType !== 'verdict') throw new ScenarioError(`@${name} is a set, not a verdict map (map ${name} { type ${s.keyType} : verdict; })`, ref.pos);
    };
    if (t.text === 'vmap') {
      if (opTok.kind === 'punct' && opTok.text !== '{') this.fail(opTok, 'syntax error: vmap takes no comparison');
      this.next();
      this.sawVmap = true;
      if (this.peek().text.startsWith('@')) {
        const ref = this.next();
        this.curChecks.push(check(ref, true));
        return X.vmapExpr(this.text(kw), ref.text.slice(1), get, show);
      }
      const raw = this.elemBlock(true);
      const anon: NfSet = { name: '', kind: 'map', keyType, dataType: 'verdict', interval: true, constant: true, elems: [] };
      this.curChecks.push((_e, c) => {
        anon.elems = [];
        for (const r of raw) this.addElem(c.table, anon, r, false);
      });
      for (const r of raw) if (r.target) this.curChecks.push(this.jumpCheck(r.verdict!, r.target));
      return X.vmapExpr(this.text(kw), anon, get, show);
    }
    if (op !== '==' && op !== '!=') this.fail(opTok, `only == and != look up a set`);
    const ref = this.next();
    if (ref.text.length < 2) this.fail(ref, 'syntax error: a set name after @');
    this.curChecks.push(check(ref, false));
    return X.setMatch(this.text(kw), ref.text.slice(1), get, op === '!=', show);
  }

  private jumpCheck(t: NTok, target: NTok): (e: NfEngine, c: Chain) => void {
    return (_e, c) => {
      const to = c.table.chains.get(target.text);
      if (!to) throw new ScenarioError(`Could not process rule: No such file or directory: chain ${target.text} does not exist in table ${c.table.family} ${c.table.name}`, target.pos);
      if (to.base) throw new ScenarioError(`Could not process rule: Operation not supported: ${t.text} to base chain ${target.text}`, target.pos);
    };
  }

  /** `limit rate [over] N[/]unit [burst M packets|bytes]`, N may be `N kbytes`/`N mbytes` for a byte rate. */
  private limitItem(kw: NTok): Expr {
    this.expect('rate');
    let over = false;
    if (this.is('over')) {
      this.next();
      over = true;
    } else if (this.is('until')) this.next();
    const UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };
    const BYTES: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 * 1024 };
    let t = this.word('a rate (N/second)');
    const m = /^(\d+)(?:\/(\w+))?$/.exec(t.text);
    if (!m) this.fail(t, `${q(t.text)}: expected N/second, N/minute, N/hour, N/day or N kbytes/second`);
    const n = Number(m[1]);
    if (n === 0) this.fail(t, 'Could not process rule: Invalid argument: the rate is 0');
    let bytes = false;
    let rate = n;
    let unitWord = m[2];
    if (!unitWord) {
      t = this.word('a unit (/second, or bytes/second, kbytes/second, mbytes/second)');
      const b = /^(\w+)?\/(\w+)$/.exec(t.text);
      if (b && b[1] && b[1] in BYTES) {
        bytes = true;
        rate = n * BYTES[b[1]];
        unitWord = b[2];
      } else if (b && !b[1]) unitWord = b[2];
      else this.fail(t, `${q(t.text)}: expected /second or kbytes/second (bytes, kbytes, mbytes)`);
    }
    if (!(unitWord! in UNITS)) this.fail(t, `unknown time unit ${q(unitWord!)} (second, minute, hour, day, week)`);
    let burst = 0;
    if (this.is('burst')) {
      this.next();
      const bt = this.word('a burst');
      burst = this.num(bt, 0, 0xffffffff);
      const u = this.word(bytes ? 'bytes, kbytes or mbytes' : 'packets');
      if (bytes) {
        if (!(u.text in BYTES)) this.fail(u, `a byte rate's burst is in bytes, kbytes or mbytes, not ${q(u.text)}`);
        burst *= BYTES[u.text];
      } else if (u.text !== 'packets') this.fail(u, `a packet rate's burst is in packets, not ${q(u.text)}`);
    }
    return X.limitExpr(this.text(kw), { rate, unit: UNITS[unitWord!], burst, bytes, over }, this.net.w.sched.now);
  }

  private op(): X.Op {
    const t = this.peek();
    if (t.kind === 'punct' && ['==', '!=', '<', '>', '<=', '>='].includes(t.text)) {
      this.next();
      return t.text as X.Op;
    }
    if (t.kind === 'punct' && t.text === '!') this.fail(t, 'syntax error: use != to negate');
    if (t.kind === 'word' && ['eq', 'ne', 'lt', 'gt', 'le', 'ge'].includes(t.text)) {
      this.next();
      return ({ eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=' } as Record<string, X.Op>)[t.text];
    }
    return '==';
  }

  /** The value words of a match: one value, a comma list, or a { set }. `$var`s are expanded. */
  private values(what: string): NTok[] {
    const out: NTok[] = [];
    const one = (): void => {
      const t = this.next();
      if (t.kind === 'word' && t.text.startsWith('$')) {
        const d = this.defines.get(t.text.slice(1));
        if (!d) this.fail(t, `unknown variable ${q(t.text)} (no define ${t.text.slice(1)} before it)`);
        for (const x of d) if (x.kind === 'word' || x.kind === 'str') out.push({ ...x, pos: t.pos });
        return;
      }
      if (t.kind !== 'word' && t.kind !== 'str') this.fail(t, `syntax error: expected ${what}${t.kind === 'eof' || t.kind === 'nl' ? ' at the end' : `, found ${q(t.text)}`}`);
      if (t.text.startsWith('@')) this.fail(t, `named sets (${t.text}) are not modelled: write the elements in { }`);
      out.push(t);
    };
    if (this.is('{')) {
      this.next();
      this.skipSeps();
      while (!this.is('}')) {
        if (this.peek().kind === 'eof') this.fail(this.peek(), 'syntax error: missing } at the end of the set');
        one();
        this.skipSeps();
        if (this.is(',')) this.next();
        this.skipSeps();
      }
      this.next();
      return out;
    }
    one();
    while (this.is(',')) {
      this.next();
      one();
    }
    return out;
  }

  private num(t: NTok, min: number, max: number): number {
    const s = t.text;
    const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isFinite(v) || v < min || v > max) this.fail(t, `${q(s)} is not a number from ${min} to ${max}`);
    return v;
  }

  private ranges(ts: NTok[], one: (t: NTok, s: string) => number, prefixes = false): X.Range[] {
    return ts.map((t) => {
      if (prefixes && t.text.includes('/')) {
        const [a, l] = t.text.split('/');
        if (!/^\d+$/.test(l) || Number(l) > 32) this.fail(t, `${q(t.text)}: bad prefix length`);
        const base = one(t, a);
        const m = prefixMask(Number(l));
        const lo = (base & m) >>> 0;
        return [lo, (lo | ~m) >>> 0] as X.Range;
      }
      const dash = t.text.indexOf('-', 1);
      if (dash > 0) {
        // a name with a dash (echo-request, http-alt) is one value, not a range
        try {
          const v = one(t, t.text);
          return [v, v] as X.Range;
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
        }
        const lo = one({ ...t, text: t.text.slice(0, dash) }, t.text.slice(0, dash));
        const hi = one({ ...t, text: t.text.slice(dash + 1) }, t.text.slice(dash + 1));
        if (hi < lo) this.fail(t, `${q(t.text)}: the range is reversed`);
        return [lo, hi] as X.Range;
      }
      const v = one(t, t.text);
      return [v, v] as X.Range;
    });
  }

  private addrOf(t: NTok, s: string): number {
    try {
      return ipToNum(s);
    } catch {
      return this.fail(t, `${q(s)} is not an IPv4 address${/[a-z]/i.test(s) ? ' (host names are not resolved by the model)' : ''}`);
    }
  }

  private portOf(t: NTok, s: string): number {
    if (s in X.SERVICES) return X.SERVICES[s];
    if (!/^\d+$/.test(s) || Number(s) > 65535) this.fail(t, `${q(s)} is not a port number or a known service name`);
    return Number(s);
  }

  private key(kw: NTok, allowed: string[]): NTok {
    const k = this.word(`one of ${allowed.join(', ')}`);
    if (!allowed.includes(k.text)) this.fail(k, `${kw.text} ${k.text} is not modelled (${allowed.map((a) => `${kw.text} ${a}`).join(', ')} are)`);
    return k;
  }

  private text(from: NTok): string {
    return this.src.text.slice(from.start, this.toks[this.i - 1].end).replace(/\s+/g, ' ');
  }

  private ipMatch(kw: NTok): Expr {
    const k = this.key(kw, ['saddr', 'daddr', 'protocol', 'ttl', 'length']);
    const op = this.op();
    if (k.text === 'saddr' || k.text === 'daddr') {
      const ref = this.lookupOr(kw, op, 'ipv4_addr', k.text === 'saddr' ? X.field.saddr : X.field.daddr, (v) => `ip ${k.text} ${X.showAddr(v as number)}`);
      if (ref) return ref;
    } else if (k.text === 'protocol') {
      const ref = this.lookupOr(kw, op, 'inet_proto', X.field.protocol, (v) => `ip protocol ${X.showProto(v as number)}`);
      if (ref) return ref;
    }
    const vs = this.values('a value');
    const text = this.text(kw);
    switch (k.text) {
      case 'saddr':
      case 'daddr':
        return X.matchNum(text, k.text === 'saddr' ? X.field.saddr : X.field.daddr, op, this.ranges(vs, (t, s) => this.addrOf(t, s), true), X.showAddr);
      case 'protocol':
        return X.matchNum(text, X.field.protocol, op, this.ranges(vs, (t, s) => (s in X.PROTO_BY_NAME ? X.PROTO_BY_NAME[s] : this.num(t, 0, 255))), X.showProto);
      case 'ttl':
        return X.matchNum(text, X.field.ttl, op, this.ranges(vs, (t) => this.num(t, 0, 255)), (v) => `ttl ${v}`);
      default:
        return X.matchNum(text, X.field.iplen, op, this.ranges(vs, (t) => this.num(t, 0, 65535)), (v) => `length ${v}`);
    }
  }

  private l4Match(kw: NTok): Expr {
    const proto = kw.text === 'tcp' ? IPPROTO_TCP : kw.text === 'udp' ? IPPROTO_UDP : null;
    const k = this.key(kw, kw.text === 'tcp' ? ['sport', 'dport', 'flags'] : ['sport', 'dport']);
    if (k.text === 'flags') return this.tcpFlags(kw);
    const op = this.op();
    const get = X.field.port(proto, k.text as 'sport' | 'dport');
    const ref = this.lookupOr(kw, op, 'inet_service', get, (v) => `${kw.text} ${k.text} ${v}`);
    if (ref) return ref;
    const vs = this.values('a port');
    const text = this.text(kw);
    return X.matchNum(text, get, op, this.ranges(vs, (t, s) => this.portOf(t, s)), (v) => `${kw.text === 'th' ? 'th' : kw.text} ${k.text} ${v}`, {
      actual: (x) => {
        const v = get(x);
        return v === undefined ? `no ${kw.text === 'th' ? 'transport' : kw.text} header (ip protocol ${X.showProto(x.p.l4proto)})` : `${kw.text} ${k.text} ${v}`;
      },
    });
  }

  private flagList(): number {
    let m = 0;
    const one = (): void => {
      const t = this.word('a tcp flag');
      if (!(t.text in X.TCP_FLAGS)) this.fail(t, `unknown tcp flag ${q(t.text)} (${Object.keys(X.TCP_FLAGS).join(', ')})`);
      m |= X.TCP_FLAGS[t.text];
    };
    if (this.is('(')) {
      this.next();
      one();
      while (this.is('|') || this.is(',')) {
        this.next();
        one();
      }
      this.expect(')');
      return m;
    }
    one();
    while (this.is('|') || this.is(',')) {
      this.next();
      one();
    }
    return m;
  }

  private tcpFlags(kw: NTok): Expr {
    const show = (v: number): string => `tcp flags ${X.showFlags(v)}`;
    if (this.is('&')) {
      this.next();
      const mask = this.flagList();
      const op = this.op();
      if (op !== '==' && op !== '!=') this.fail(this.toks[this.i - 1], 'only == and != compare masked flags');
      const val = this.flagList();
      return X.matchBits(this.text(kw), X.field.tcpFlags, mask, val, op === '!=', show);
    }
    const op = this.op();
    if (op !== '==' && op !== '!=') this.fail(this.toks[this.i - 1], 'only == and != compare tcp flags');
    const explicit = this.toks[this.i - 1].kind === 'punct';
    const val = this.flagList();
    if (this.peek().kind === 'word' && this.peek().text === '/') {
      this.next();
      const mask = this.flagList();
      return X.matchBits(this.text(kw), X.field.tcpFlags, mask, val, op === '!=', show);
    }
    if (explicit) return X.matchBits(this.text(kw), X.field.tcpFlags, 0xff, val, op === '!=', show);
    return X.matchBits(this.text(kw), X.field.tcpFlags, val, 'any', false, show);
  }

  private icmpMatch(kw: NTok): Expr {
    const k = this.key(kw, ['type', 'code']);
    const op = this.op();
    if (k.text === 'type') {
      const ref = this.lookupOr(kw, op, 'icmp_type', X.field.icmpType, (v) => `icmp type ${X.showIcmp(v as number)}`);
      if (ref) return ref;
    }
    const vs = this.values(k.text === 'type' ? 'an ICMP type' : 'an ICMP code');
    const text = this.text(kw);
    if (k.text === 'type') {
      return X.matchNum(text, X.field.icmpType, op, this.ranges(vs, (t, s) => (s in X.ICMP_TYPES ? X.ICMP_TYPES[s] : /^\d+$/.test(s) ? this.num(t, 0, 255) : this.fail(t, `unknown icmp type ${q(s)} (${Object.keys(X.ICMP_TYPES).join(', ')})`))), (v) => `icmp type ${X.showIcmp(v)}`, {
        actual: (x) => (x.p.icmpType === undefined ? `no icmp header (ip protocol ${X.showProto(x.p.l4proto)})` : `icmp type ${X.showIcmp(x.p.icmpType)}`),
      });
    }
    return X.matchNum(text, X.field.icmpCode, op, this.ranges(vs, (t) => this.num(t, 0, 255)), (v) => `icmp code ${v}`);
  }

  private ctMatch(kw: NTok): Expr {
    const k = this.key(kw, ['state', 'mark', 'status']);
    if (k.text === 'mark') return this.ctMarkItem(kw);
    if (k.text !== 'state') this.fail(k, `ct ${k.text} is not modelled (ct state and ct mark are)`);
    if (this.is('set')) this.fail(this.peek(), 'ct state cannot be set');
    const op = this.op();
    if (op !== '==' && op !== '!=') this.fail(this.toks[this.i - 1], 'only == and != compare ct state');
    const vs = this.values('a conntrack state');
    for (const v of vs) if (!(X.CT_STATES as readonly string[]).includes(v.text)) this.fail(v, `unknown ct state ${q(v.text)} (new, established, related, invalid, untracked)`);
    const mask = X.ctStateMask(vs.map((v) => v.text));
    return X.matchBits(this.text(kw), X.field.ctBits, mask, 'any', op === '!=', (v) => `ct state ${X.showCt(v)}`, { needsCt: true });
  }

  /** `ct mark [op] VALUE|@set`, `ct mark set VALUE|meta mark` (nft_ct.c: get breaks without an entry, set does nothing) */
  private ctMarkItem(kw: NTok): Expr {
    const show = (v: X.Key): string => `ct mark ${X.showHex(v as number)}`;
    const actual = (x: EvalCtx): string => {
      const v = X.ctMark(x);
      return v === undefined ? 'no conntrack entry (the ct expression breaks)' : show(v);
    };
    if (this.is('set')) {
      this.next();
      if (this.is('meta') || this.is('mark')) {
        if (this.is('meta')) this.next();
        this.expect('mark', 'mark (ct mark set meta mark)');
        return X.ctMarkSet(this.text(kw), (x) => x.p.skb.mark);
      }
      const v = this.num(this.word('a mark value or meta mark'), 0, 0xffffffff);
      return X.ctMarkSet(this.text(kw), () => v);
    }
    const op = this.op();
    const ref = this.lookupOr(kw, op, 'mark', X.ctMark, show);
    if (ref) return { ...ref, needsCt: true, actual };
    const vs = this.values('a mark');
    return X.matchNum(this.text(kw), X.ctMark, op, this.ranges(vs, (t) => this.num(t, 0, 0xffffffff)), show, { needsCt: true, actual });
  }

  private metaItem(k: NTok, kw: NTok): Expr | Expr[] {
    switch (k.text) {
      case 'iifname':
      case 'oifname': {
        const op = this.op();
        if (op !== '==' && op !== '!=') this.fail(this.toks[this.i - 1], `only == and != compare ${k.text}`);
        const ref = this.lookupOr(kw, op, 'ifname', (x) => ((k.text === 'iifname' ? x.p.indev : x.p.outdev)?.name ?? ''), (v) => `${k.text} "${v}"`);
        if (ref) return ref;
        const vs = this.values('an interface name');
        if (vs.length !== 1) this.fail(vs[1], 'sets of interface names are not modelled');
        return X.matchIfname(this.text(kw), k.text === 'iifname' ? 'in' : 'out', vs[0].text, op === '!=');
      }
      case 'iif':
      case 'oif': {
        const op = this.op();
        if (op !== '==' && op !== '!=') this.fail(this.toks[this.i - 1], `only == and != compare ${k.text}`);
        const vs = this.values('an interface');
        const dev = this.net.devices.get(vs[0].text);
        if (!dev) this.fail(vs[0], `Interface does not exist: ${q(vs[0].text)} (${k.text} is resolved to an index when the rule is loaded; iifname/oifname match by name)`);
        return X.matchIfindex(this.text(kw), k.text === 'iif' ? 'in' : 'out', dev.ifindex, op === '!=');
      }
      case 'mark': {
        if (this.is('set')) {
          this.next();
          if (this.is('ct')) {
            this.next();
            this.expect('mark', 'mark (meta mark set ct mark)');
            return { ...X.markSet(this.text(kw), X.ctMark), needsCt: true };
          }
          const v = this.num(this.word('a mark value'), 0, 0xffffffff);
          return X.markSet(this.text(kw), v);
        }
        const op = this.op();
        const ref = this.lookupOr(kw, op, 'mark', X.field.mark, (v) => `mark ${X.showHex(v as number)}`);
        if (ref) return ref;
        const vs = this.values('a mark');
        return X.matchNum(this.text(kw), X.field.mark, op, this.ranges(vs, (t) => this.num(t, 0, 0xffffffff)), (v) => `mark ${X.showHex(v)}`);
      }
      case 'nftrace': {
        this.expect('set');
        const v = this.word('1 or 0');
        if (v.text !== '1' && v.text !== '0') this.fail(v, 'nftrace is set to 1 or 0');
        return v.text === '1' ? X.nftraceSet(this.text(kw)) : { text: this.text(kw), eval: () => true };
      }
      case 'pkttype': {
        const op = this.op();
        const vs = this.values('a packet type');
        if (op !== '==' && op !== '!=') this.fail(this.toks[this.i - 1], 'only == and != compare pkttype');
        const t = X.PKTTYPES[vs[0].text];
        if (!t) this.fail(vs[0], `unknown pkttype ${q(vs[0].text)} (host, broadcast, multicast, other)`);
        return X.matchPkttype(this.text(kw), t, op === '!=');
      }
      case 'length': {
        const op = this.op();
        const vs = this.values('a length');
        return X.matchNum(this.text(kw), X.field.length, op, this.ranges(vs, (t) => this.num(t, 0, 65535)), (v) => `meta length ${v}`);
      }
      case 'l4proto':
      case 'protocol':
      case 'nfproto': {
        const op = this.op();
        if (k.text === 'l4proto') {
          const ref = this.lookupOr(kw, op, 'inet_proto', X.field.l4proto, (v) => `meta l4proto ${X.showProto(v as number)}`);
          if (ref) return ref;
        }
        const vs = this.values('a protocol');
        if (k.text === 'l4proto') return X.matchNum(this.text(kw), X.field.l4proto, op, this.ranges(vs, (t, s) => (s in X.PROTO_BY_NAME ? X.PROTO_BY_NAME[s] : this.num(t, 0, 255))), X.showProto);
        const want = k.text === 'protocol' ? 'ip' : 'ipv4';
        for (const v of vs) if (v.text !== want && v.text !== 'ip6' && v.text !== 'ipv6') this.fail(v, `meta ${k.text} ${v.text}: expected ${want}`);
        const yes = vs.some((v) => v.text === want) !== (op === '!=');
        return { text: this.text(kw), eval: () => yes };
      }
      default:
        return this.fail(k, `meta ${k.text} is not modelled (iif, oif, iifname, oifname, mark, pkttype, length, l4proto, nftrace are)`);
    }
  }

  private natItem(kw: NTok, checks: ((e: NfEngine, c: Chain) => void)[]): Expr {
    const kind = kw.text as 'snat' | 'dnat' | 'masquerade' | 'redirect';
    let addr: number | null = null;
    let ports: X.Range | null = null;
    if (kind === 'snat' || kind === 'dnat') {
      if (this.is('ip')) this.next();
      this.expect('to', `${q('to')} and an address`);
      const v = this.word('an address');
      const m = /^([\d.]+)(?::(\d+)(?:-(\d+))?)?$/.exec(v.text);
      if (!m) this.fail(v, `${q(v.text)}: expected ADDR or ADDR:PORT or ADDR:PORT-PORT`);
      addr = this.addrOf(v, m[1]);
      if (m[2]) ports = [this.portOf(v, m[2]), m[3] ? this.portOf(v, m[3]) : this.portOf(v, m[2])];
    } else if (this.is('to')) {
      this.next();
      const v = this.word('a port');
      const m = /^:?(\d+)(?:-(\d+))?$/.exec(v.text);
      if (!m) this.fail(v, `${q(v.text)}: expected :PORT or :PORT-PORT`);
      ports = [this.portOf(v, m[1]), this.portOf(v, m[2] ?? m[1])];
    }
    while (this.is('random') || this.is('persistent') || this.is('fully-random')) this.next();
    if (this.is(',')) this.fail(this.peek(), 'nat flags are not modelled');
    const text = this.text(kw);
    const snatKind = kind === 'snat' || kind === 'masquerade';
    checks.push((_e, c) => {
      if (c.base && c.base.type !== 'nat') throw new ScenarioError(`Could not process rule: Operation not supported: ${kind} needs a chain of type nat (this one is type ${c.base.type})`, kw.pos);
      if (c.base) {
        const ok = snatKind ? c.base.hook === 'postrouting' || c.base.hook === 'input' : c.base.hook === 'prerouting' || c.base.hook === 'output';
        if (!ok) throw new ScenarioError(`Could not process rule: Operation not supported: ${kind} is for the ${snatKind ? 'postrouting and input' : 'prerouting and output'} hooks, not ${c.base.hook}`, kw.pos);
      }
    });
    return X.natStmt(text, kind, addr, ports);
  }
}

function findTable(e: NfEngine, fam: NfFamily, tn: NTok): Table {
  const t = e.table(fam, tn.text);
  if (!t) throw new ScenarioError(`Could not process rule: No such file or directory: table ${fam} ${tn.text} does not exist`, tn.pos);
  return t;
}

function findChain(e: NfEngine, fam: NfFamily, tn: NTok, cn: NTok): Chain {
  const c = findTable(e, fam, tn).chains.get(cn.text);
  if (!c) throw new ScenarioError(`Could not process rule: No such file or directory: chain ${cn.text} does not exist in table ${fam} ${tn.text}`, cn.pos);
  return c;
}

function insertRule(e: NfEngine, chain: Chain, proto: Rule, check: (e: NfEngine, c: Chain) => void, verb: string, position: { tok: NTok; handle: number } | null): void {
  check(e, chain);
  const rule: Rule = { ...proto, handle: e.nextHandle(), counter: proto.counter ? { ...proto.counter } : null };
  if (!position) {
    // only appending changes a rules array in place (nf_tables_validate.ts caches by array)
    if (verb === 'insert') chain.rules = [rule, ...chain.rules];
    else chain.rules.push(rule);
    return;
  }
  const at = chain.rules.findIndex((r) => r.handle === position.handle);
  if (at < 0) throw new ScenarioError(`Could not process rule: No such file or directory: no rule with handle ${position.handle} in ${chain.name}`, position.tok.pos);
  const cut = verb === 'insert' ? at : at + 1;
  chain.rules = verb === 'replace' ? chain.rules.map((r, i) => (i === at ? rule : r)) : [...chain.rules.slice(0, cut), rule, ...chain.rules.slice(cut)];
}
