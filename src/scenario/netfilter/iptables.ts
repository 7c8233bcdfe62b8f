// `iptables` in the model, as Debian's iptables-nft: each table (raw, mangle, nat, filter,
// security) is an nf_tables table of family ip; a built-in chain becomes a base chain at the
// table's priority the first time it is used; every rule carries a counter (as iptables-nft
// adds one to each rule), then its target. Command lines (-t, -A, -I, -D, -P, -N, -F, -X, -Z)
// and iptables-save dumps (`*table`, `:CHAIN POLICY [p:b]`, `-A …`, `COMMIT`), as
// iptables-restore reads them.
import type { Net } from '../../model/net/net_namespace';
import { NfEngine } from '../../model/net/netfilter/engine';
import type { Chain, ChainType, EvalCtx, Expr, HookShort, Rule, Table } from '../../model/net/netfilter/nf_tables';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../model/proto/ipv4';
import { ScenarioError, SourcePos, Tok } from '../types';
import { applyOps, type LoopMessage } from './nft';
import { numToIp } from '../../model/proto/addr';
import { inet4 } from '../../model/proto/inet_addr';
import * as X from './exprs';
import { contiguousMaskLen, ipv4Of, numberOf, portOf, prefixLenOf, prefixRange } from './values';
import { XT_MATCHES, XT_TARGETS as XT_TARGET_MODULES, IPT_PROTOS } from './xt';
import type { XtMatch, XtTarget } from './xt/types';
import { hex, rememberSaveForm, saveAddr, saveRuleSpec, saveMark, saveProto, saveString, type SaveParts } from './iptables_save';
import { be16, l4Bytes } from './xt/l4hdr';
import { IP6T_EXTRA_PROTOS, IP6T_MATCHES, IP6T_TARGETS, REJECT6_WITH, ip6TableCheck, ip6Unsupported, matchAddr6, matchIcmp6, parseAddr6, parseIcmp6Type, toolName, type IptFamily } from './ip6tables';
import { natPorts6, natTo6 } from './ip6tables_nat';
import { IP6T_XT_MATCHES as IP6T_EXTHDR_MATCHES } from './xt/ip6_exthdr';
import { IP6T_CT_MATCHES } from './xt/conntrack6';
import { HL } from './xt/hl_target6';

/** libxt_icmp's (iptables 1.8.9) names of one type and code, for `--icmp-type NAME` */
const ICMP_CODE_NAMES: Record<string, [number, number]> = {
  'network-unreachable': [3, 0],
  'host-unreachable': [3, 1],
  'protocol-unreachable': [3, 2],
  'port-unreachable': [3, 3],
  'fragmentation-needed': [3, 4],
  'source-route-failed': [3, 5],
  'network-unknown': [3, 6],
  'host-unknown': [3, 7],
  'network-prohibited': [3, 9],
  'host-prohibited': [3, 10],
  'TOS-network-unreachable': [3, 11],
  'TOS-host-unreachable': [3, 12],
  'communication-prohibited': [3, 13],
  'host-precedence-violation': [3, 14],
  'precedence-cutoff': [3, 15],
  'network-redirect': [5, 0],
  'host-redirect': [5, 1],
  'TOS-network-redirect': [5, 2],
  'TOS-host-redirect': [5, 3],
  'ttl-zero-during-transit': [11, 0],
  'ttl-zero-during-reassembly': [11, 1],
  'ip-header-bad': [12, 0],
  'required-option-missing': [12, 1],
};

type Op = { pos: SourcePos; run: (e: NfEngine) => void };
/** the xt matches ip6tables loads that the model runs: the IPv6-only modules and conntrack's */
const IP6T_XT_MATCHES: Record<string, XtMatch> = { ...IP6T_EXTHDR_MATCHES, ...IP6T_CT_MATCHES };
/** the xt targets ip6tables loads that the model runs (the IPv4 header's TOS, DSCP, TTL… are not among them) */
const IP6T_XT_TARGETS: Record<string, XtTarget> = { HL } as Record<string, XtTarget>;
const q = (s: string): string => `"${s}"`;

/** table → built-in chain → [hook, priority, chain type] (iptables-nft's nft_chain_builtin_init) */
const BUILTIN: Record<string, Record<string, [HookShort, number, ChainType]>> = {
  raw: { PREROUTING: ['prerouting', -300, 'filter'], OUTPUT: ['output', -300, 'filter'] },
  mangle: {
    PREROUTING: ['prerouting', -150, 'filter'],
    INPUT: ['input', -150, 'filter'],
    FORWARD: ['forward', -150, 'filter'],
    OUTPUT: ['output', -150, 'route'],
    POSTROUTING: ['postrouting', -150, 'filter'],
  },
  nat: { PREROUTING: ['prerouting', -100, 'nat'], INPUT: ['input', 100, 'nat'], OUTPUT: ['output', -100, 'nat'], POSTROUTING: ['postrouting', 100, 'nat'] },
  filter: { INPUT: ['input', 0, 'filter'], FORWARD: ['forward', 0, 'filter'], OUTPUT: ['output', 0, 'filter'] },
  security: { INPUT: ['input', 50, 'filter'], FORWARD: ['forward', 50, 'filter'], OUTPUT: ['output', 50, 'filter'] },
};

/** libxt_LOG's level names (and 0..7) */
const LOG_LEVELS = ['emerg', 'panic', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];

/** xtables targets the model does not model: `-j NAME` with one of them is refused by name, never taken for a chain */
const XT_TARGETS = new Set(['AUDIT', 'CHECKSUM', 'CLASSIFY', 'CLUSTERIP', 'CONNSECMARK', 'DSCP', 'ECN', 'HMARK', 'IDLETIMER', 'LED', 'NETMAP', 'NFLOG', 'RATEEST', 'SECMARK', 'SET', 'SYNPROXY', 'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TPROXY', 'TTL', 'ULOG']);

const REJECT_WITH: Record<string, number | 'tcp-reset'> = {
  'icmp-net-unreachable': 0,
  'icmp-host-unreachable': 1,
  'icmp-proto-unreachable': 2,
  'icmp-port-unreachable': 3,
  'icmp-net-prohibited': 9,
  'icmp-host-prohibited': 10,
  'icmp-admin-prohibited': 13,
  'tcp-reset': 'tcp-reset',
};

/** iptables-nft's words when the kernel refuses a rule with EMLINK (nft_table_validate). */
const iptablesLoop: LoopMessage = (f) =>
  `iptables: RULE_APPEND failed (Too many links): ${f.path.join(' → ')}${f.loop ? ' is a loop' : ''} (the kernel follows at most 16 jumps from a built-in chain)`;

/** `iptables …` (or, with `fam` ip6, `ip6tables …`) on a setup line (words after the command). */
export function runIptables(net: Net, words: Tok[], fam: IptFamily = 'ip'): void {
  const ops: Op[] = [];
  parseCommand(words, ops, null, null, fam);
  applyOps(net, ops, iptablesLoop);
}

/** Shell-like words of one line of a file, with positions. */
export function splitFileLine(line: string, file: string, lineNo: number): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t' || line[i] === '\r') {
      i++;
      continue;
    }
    const start = i;
    let w = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t' && line[i] !== '\r') {
      const c = line[i];
      if (c === '"' || c === "'") {
        const j = line.indexOf(c, i + 1);
        if (j < 0) throw new ScenarioError('unterminated quote', { file, line: lineNo, col: i + 1 });
        w += line.slice(i + 1, j);
        i = j + 1;
      } else {
        w += c;
        i++;
      }
    }
    out.push({ text: w, pos: { file, line: lineNo, col: start + 1 } });
  }
  return out;
}

/** iptables-restore: a whole iptables-save dump. Each table named is flushed first, as iptables-restore does without --noflush. */
export function runIptablesRestore(net: Net, text: string, file: string, fam: IptFamily = 'ip'): void {
  const ops: Op[] = [];
  let table: { name: string; pos: SourcePos } | null = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const col = raw.indexOf(trimmed[0]) + 1;
    const pos = { file, line: n + 1, col };
    if (trimmed.startsWith('*')) {
      if (table) throw new ScenarioError(`*${trimmed.slice(1)}: the table ${table.name} before it has no COMMIT`, pos);
      const name = trimmed.slice(1).trim();
      if (!(name in BUILTIN)) throw new ScenarioError(`unknown table ${q(name)} (raw, mangle, nat, filter, security)`, { ...pos, col: col + 1 });
      if (fam === 'ip6') ip6TableCheck(name, { text: name, pos: { ...pos, col: col + 1 } });
      table = { name, pos };
      ops.push({
        pos,
        run: (e) => {
          const t = e.table(fam, name);
          if (t) e.tables = e.tables.filter((x) => x !== t);
        },
      });
      continue;
    }
    if (!table) throw new ScenarioError(`${q(trimmed.split(/\s+/)[0])} outside a table: a dump starts each table with *TABLE`, pos);
    const tname = table.name;
    if (trimmed === 'COMMIT') {
      table = null;
      continue;
    }
    if (trimmed.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?\s*$/.exec(trimmed);
      if (!m) throw new ScenarioError(`bad chain line ${q(trimmed)}: expected :CHAIN POLICY [packets:bytes]`, pos);
      const [, cname, pol, pk, by] = m;
      const polCol = raw.indexOf(pol, col + cname.length) + 1;
      if (BUILTIN[tname][cname]) {
        if (pol !== 'ACCEPT' && pol !== 'DROP') throw new ScenarioError(`policy ${q(pol)}: a built-in chain's policy is ACCEPT or DROP`, { ...pos, col: polCol });
        ops.push({
          pos,
          run: (e) => {
            const c = builtin(e, fam, tname, cname);
            c.base!.policy = pol === 'DROP' ? 'drop' : 'accept';
            c.packets = Number(pk ?? 0);
            c.bytes = Number(by ?? 0);
          },
        });
      } else {
        if (pol !== '-') throw new ScenarioError(`${cname} is not a built-in chain of ${tname}, so its policy must be "-"`, { ...pos, col: polCol });
        ops.push({ pos, run: (e) => userChain(e, fam, tname, cname, pos, true) });
      }
      continue;
    }
    let words = splitFileLine(raw, file, n + 1);
    let counters: [number, number] | null = null;
    const cm = /^\[(\d+):(\d+)\]$/.exec(words[0].text);
    if (cm) {
      counters = [Number(cm[1]), Number(cm[2])];
      words = words.slice(1);
    }
    parseCommand(words, ops, tname, counters, fam);
  }
  if (table) throw new ScenarioError(`table ${table.name} has no COMMIT: iptables-restore applies nothing`, table.pos);
  applyOps(net, ops, iptablesLoop);
}

function ensureTable(e: NfEngine, fam: IptFamily, name: string): Table {
  let t = e.table(fam, name);
  if (!t) {
    t = { family: fam, name, chains: new Map(), owner: 'iptables' };
    e.tables.push(t);
  }
  return t;
}

function builtin(e: NfEngine, fam: IptFamily, table: string, name: string): Chain {
  const t = ensureTable(e, fam, table);
  let c = t.chains.get(name);
  if (!c) {
    const [hook, priority, type] = BUILTIN[table][name];
    c = { table: t, name, base: { type, hook, priority, policy: 'accept' }, rules: [], regSeq: e.nextSeq(), packets: 0, bytes: 0 };
    t.chains.set(name, c);
  }
  return c;
}

function userChain(e: NfEngine, fam: IptFamily, table: string, name: string, pos: SourcePos, create: boolean): Chain {
  const t = ensureTable(e, fam, table);
  let c = t.chains.get(name);
  if (c && create) throw new ScenarioError(`${toolName(fam)}: Chain already exists: ${name}`, pos);
  if (!c) {
    if (!create) throw new ScenarioError(`iptables: Chain '${name}' does not exist${/^[A-Z]+$/.test(name) ? ` in table ${table}` : ''}`, pos);
    c = { table: t, name, base: null, rules: [], regSeq: e.nextSeq(), packets: 0, bytes: 0 };
    t.chains.set(name, c);
  }
  return c;
}

function chainFor(e: NfEngine, fam: IptFamily, table: string, tok: Tok): Chain {
  if (BUILTIN[table][tok.text]) return builtin(e, fam, table, tok.text);
  const t = e.table(fam, table);
  const c = t?.chains.get(tok.text);
  if (!c) throw new ScenarioError(`iptables: Chain '${tok.text}' does not exist in table ${table}${BUILTIN.filter[tok.text] || BUILTIN.nat[tok.text] || BUILTIN.mangle[tok.text] ? ' (it is a built-in chain of another table: add -t)' : ' (create it with -N first)'}`, tok.pos);
  return c;
}

class Args {
  i = 0;
  constructor(readonly w: Tok[]) {}
  more(): boolean {
    return this.i < this.w.length;
  }
  peek(): Tok | undefined {
    return this.w[this.i];
  }
  next(): Tok {
    return this.w[this.i++];
  }
  arg(opt: Tok, what: string): Tok {
    const t = this.w[this.i];
    if (!t || (t.text.startsWith('-') && t.text.length > 1 && !/^-\d/.test(t.text))) throw new ScenarioError(`option ${q(opt.text)} requires ${what}`, t ? t.pos : opt.pos);
    this.i++;
    return t;
  }
  bang(): boolean {
    if (this.w[this.i]?.text === '!') {
      this.i++;
      return true;
    }
    return false;
  }
}

function parseCommand(words: Tok[], ops: Op[], fileTable: string | null, counters: [number, number] | null, fam: IptFamily): void {
  // `-s a,b -d c,d`: iptables makes one rule per pair of addresses, sources outermost, each
  // appended, inserted at the same number (so the last pair comes first) or deleted in turn
  const multi = words.findIndex((w, i) => i > 0 && ['-s', '--source', '-d', '--destination'].includes(words[i - 1].text) && w.text.includes(','));
  if (multi > 0) {
    if (words[multi - 2]?.text === '!') throw new ScenarioError('! not allowed with multiple source or destination IP addresses', words[multi - 2].pos);
    const parts = words[multi].text.split(',');
    if (parts.some((x) => !x)) throw new ScenarioError(`host/network \`\` not found in ${q(words[multi].text)}`, words[multi].pos);
    const isSrc = ['-s', '--source'].includes(words[multi - 1].text);
    const other = words.findIndex((w, i) => i > 0 && (isSrc ? ['-d', '--destination'] : ['-s', '--source']).includes(words[i - 1].text) && w.text.includes(','));
    // sources outermost: with both lists, expand the source list first
    const at = !isSrc && other > 0 ? other : multi;
    for (const x of words[at].text.split(',')) parseCommand(words.map((w, i) => (i === at ? { ...w, text: x } : w)), ops, fileTable, counters, fam);
    return;
  }
  const a = new Args(words);
  if (!fileTable) a.next(); // the command word
  let table = fileTable ?? 'filter';
  let cmd: { tok: Tok; chain?: Tok; num?: number; policy?: Tok } | null = null;
  const spec: Tok[] = [];
  while (a.more()) {
    const t = a.next();
    switch (t.text) {
      case '-t':
      case '--table': {
        if (fileTable) throw new ScenarioError('-t is not allowed inside a dump: the table is given by *TABLE', t.pos);
        const v = a.arg(t, 'a table name');
        if (!(v.text in BUILTIN)) throw new ScenarioError(`can't initialize ${toolName(fam)} table \`${v.text}': Table does not exist (raw, mangle, nat, filter, security)`, v.pos);
        if (fam === 'ip6') ip6TableCheck(v.text, v);
        table = v.text;
        break;
      }
      case '-A':
      case '--append':
      case '-I':
      case '--insert':
      case '-D':
      case '--delete':
      case '-P':
      case '--policy':
      case '-N':
      case '--new-chain':
      case '-F':
      case '--flush':
      case '-X':
      case '--delete-chain':
      case '-Z':
      case '--zero': {
        if (cmd) throw new ScenarioError(`iptables: only one command at a time (${cmd.tok.text} was given already)`, t.pos);
        cmd = { tok: t };
        const needsChain = ['-A', '--append', '-I', '--insert', '-D', '--delete', '-P', '--policy', '-N', '--new-chain'].includes(t.text);
        const nx = a.peek();
        if (needsChain || (nx && !nx.text.startsWith('-'))) {
          if (needsChain || nx) cmd.chain = a.arg(t, 'a chain name');
        }
        if ((t.text === '-I' || t.text === '--insert' || t.text === '-D' || t.text === '--delete') && a.peek() && /^\d+$/.test(a.peek()!.text)) cmd.num = Number(a.next().text);
        if (t.text === '-P' || t.text === '--policy') cmd.policy = a.arg(t, 'a policy (ACCEPT or DROP)');
        break;
      }
      case '-w':
      case '--wait':
        if (a.peek() && /^\d+$/.test(a.peek()!.text)) a.next();
        break;
      case '-L':
      case '-S':
      case '--list':
      case '--list-rules':
      case '-n':
      case '-v':
      case '--line-numbers':
        throw new ScenarioError(`iptables ${t.text} only prints; it changes nothing in the model, so it has no place in a setup (remove the line)`, t.pos);
      default:
        if (!cmd) throw new ScenarioError(`iptables: ${t.text.startsWith('-') ? `unknown or misplaced option ${q(t.text)}` : `unexpected ${q(t.text)}`}: a command (-A, -I, -D, -P, -N, -F, -X, -Z) comes first`, t.pos);
        spec.push(t);
        while (a.more() && !['-t', '--table'].includes(a.peek()!.text)) spec.push(a.next());
    }
  }
  if (!cmd) throw new ScenarioError('iptables: no command given (-A, -I, -D, -P, -N, -F, -X, -Z)', words[0]?.pos ?? { file: '?', line: 1, col: 1 });
  const c = cmd;
  const tname = table;
  switch (c.tok.text) {
    case '-P':
    case '--policy': {
      const pol = c.policy!;
      if (!BUILTIN[tname][c.chain!.text]) throw new ScenarioError(`iptables: ${c.chain!.text} is not a built-in chain of table ${tname}, so it has no policy`, c.chain!.pos);
      if (pol.text !== 'ACCEPT' && pol.text !== 'DROP') throw new ScenarioError(`iptables: bad policy name ${q(pol.text)} (ACCEPT or DROP)`, pol.pos);
      if (spec.length) throw new ScenarioError(`iptables -P takes no rule options (${q(spec[0].text)})`, spec[0].pos);
      ops.push({ pos: c.tok.pos, run: (e) => (builtin(e, fam, tname, c.chain!.text).base!.policy = pol.text === 'DROP' ? 'drop' : 'accept') });
      return;
    }
    case '-N':
    case '--new-chain':
      if (BUILTIN[tname][c.chain!.text]) throw new ScenarioError(`iptables: Chain already exists: ${c.chain!.text} is built in`, c.chain!.pos);
      ops.push({ pos: c.chain!.pos, run: (e) => userChain(e, fam, tname, c.chain!.text, c.chain!.pos, true) });
      return;
    case '-F':
    case '--flush':
    case '-Z':
    case '--zero': {
      const zero = c.tok.text === '-Z' || c.tok.text === '--zero';
      ops.push({
        pos: c.tok.pos,
        run: (e) => {
          const t = e.table(fam, tname);
          if (!t) return;
          const chains = c.chain ? [chainFor(e, fam, tname, c.chain)] : [...t.chains.values()];
          for (const ch of chains) {
            if (zero) {
              ch.packets = 0;
              ch.bytes = 0;
              for (const r of ch.rules) if (r.counter) r.counter = { packets: 0, bytes: 0 };
            } else ch.rules = [];
          }
        },
      });
      return;
    }
    case '-X':
    case '--delete-chain':
      ops.push({
        pos: c.tok.pos,
        run: (e) => {
          const t = e.table(fam, tname);
          if (!t) return;
          for (const ch of [...t.chains.values()]) {
            if (ch.base || (c.chain && ch.name !== c.chain.text)) continue;
            if (ch.rules.length && c.chain) throw new ScenarioError(`iptables: Directory not empty: chain ${ch.name} still has rules`, c.chain.pos);
            t.chains.delete(ch.name);
          }
        },
      });
      return;
  }
  // -A / -I / -D with a rule spec
  const chainTok = c.chain!;
  if ((c.tok.text === '-D' || c.tok.text === '--delete') && c.num !== undefined) {
    ops.push({
      pos: c.tok.pos,
      run: (e) => {
        const ch = chainFor(e, fam, tname, chainTok);
        if (c.num! < 1 || c.num! > ch.rules.length) throw new ScenarioError(`iptables: Index of deletion too big: ${ch.name} has ${ch.rules.length} rules`, c.tok.pos);
        ch.rules = ch.rules.filter((_, i) => i !== c.num! - 1);
      },
    });
    return;
  }
  const built = buildRule(spec, tname, fam);
  const text = [c.tok.text === '--append' ? '-A' : c.tok.text === '--insert' ? '-I' : c.tok.text === '--delete' ? '-D' : c.tok.text, chainTok.text, ...spec.map((s) => (/[\s"]/.test(s.text) || s.text === '' ? `"${s.text}"` : s.text))].join(' ');
  const rulePos = c.tok.pos;
  ops.push({
    pos: rulePos,
    run: (e) => {
      const ch = chainFor(e, fam, tname, chainTok);
      built.check(e, ch);
      const rule: Rule = { handle: e.nextHandle(), text: '', pos: rulePos, exprs: built.exprs, counter: { packets: counters?.[0] ?? 0, bytes: counters?.[1] ?? 0 } };
      rememberSaveForm(rule, built.save);
      // the trace and the debugger show the rule as iptables-save lists it (`iptables -S` with
      // the table named), the form `netstack ruleset` prints
      rule.text = `${tname !== 'filter' ? `-t ${tname} ` : ''}-A ${ch.name} ${saveRuleSpec(rule) ?? text}`.trimEnd();
      if (c.tok.text === '-A' || c.tok.text === '--append') ch.rules.push(rule);
      else if (c.tok.text === '-I' || c.tok.text === '--insert') {
        const n = c.num ?? 1;
        if (n < 1 || n > ch.rules.length + 1) throw new ScenarioError(`iptables: Index of insertion too big: ${ch.name} has ${ch.rules.length} rules`, c.tok.pos);
        ch.rules = [...ch.rules.slice(0, n - 1), rule, ...ch.rules.slice(n - 1)];
      } else {
        // iptables -D SPEC deletes the first rule that means the same: compared in iptables-save form
        const same = (r: Rule): boolean => r.text === rule.text;
        const at = ch.rules.findIndex(same);
        if (at < 0) throw new ScenarioError('iptables: Bad rule (does a matching rule exist in that chain?)', c.tok.pos);
        ch.rules = ch.rules.filter((_, i) => i !== at);
      }
    },
  });
}

interface Built {
  exprs: Expr[];
  save: SaveParts;
  check: (e: NfEngine, c: Chain) => void;
}

/** An address with a prefix length or a dotted mask: a range, or (a mask with holes) the bits to compare. */
function parseAddr(t: Tok): { range: X.Range } | { value: number; mask: number } {
  const [a, l] = t.text.split('/');
  const base = ipv4Of(a);
  if (base === undefined) throw new ScenarioError(`host/network ${q(t.text)} not found (the model takes IPv4 addresses, not names)`, t.pos);
  let plen = 32;
  if (l !== undefined) {
    const n = prefixLenOf(l) ?? contiguousMaskLen(l);
    if (n === undefined) {
      // a mask with holes (255.0.255.0) is taken as it is: iptables-nft compares (addr & mask)
      const mask = ipv4Of(l);
      if (mask === undefined) throw new ScenarioError(`invalid mask ${q(l)}`, t.pos);
      return { value: (base & mask) >>> 0, mask };
    }
    plen = n;
  }
  return { range: prefixRange(base, plen) };
}

function parsePort(t: Tok, s: string): number {
  const v = portOf(s);
  if (v === undefined) throw new ScenarioError(`invalid port/service ${q(s)} specified`, t.pos);
  return v;
}

function portRange(t: Tok, s: string): X.Range {
  const colon = s.indexOf(':');
  const lo = colon < 0 ? s : s.slice(0, colon);
  const hi = colon < 0 ? undefined : s.slice(colon + 1);
  const a = lo === '' ? 0 : parsePort(t, lo);
  const b = hi === undefined ? a : hi === '' ? 65535 : parsePort(t, hi);
  return [a, b];
}

function parseNum(t: Tok, max = 0xffffffff): number {
  const v = numberOf(t.text);
  if (v === undefined || v > max) throw new ScenarioError(`${q(t.text)} is not a number`, t.pos);
  return v;
}

function valueMask(t: Tok): [number, number] {
  const [v, m] = t.text.split('/');
  return [parseNum({ ...t, text: v }), m === undefined ? 0xffffffff : parseNum({ ...t, text: m })];
}

function natTo(t0: Tok, withAddr: boolean, baseOk = false): { addr: number | null; ports: X.Range | null; base?: number; max?: number } {
  let t = t0;
  let base: number | undefined;
  const slash = /:[\w-]+\/\w+$/.test(t.text) ? t.text.lastIndexOf('/') : -1;
  if (withAddr && slash >= 0) {
    const at = { ...t.pos, col: t.pos.col + slash };
    // libipt_DNAT revision 2: ADDR:PORT-PORT/BASE, base 1-65535 (a number or a service)
    if (!baseOk) throw new ScenarioError('a port range with a base (PORT-PORT/BASE) is only valid for DNAT', at);
    const bs = t.text.slice(slash + 1);
    const bv = portOf(bs);
    if (bv === undefined || bv === 0) throw new ScenarioError(`Port range ${q(t.text.slice(t.text.indexOf(':') + 1))} invalid: base port ${q(bs)} is not 1-65535`, at);
    if (!/:[\w]+(?:-[a-z]\w*)*-\w/.test(t.text.slice(0, slash))) throw new ScenarioError('a base (/BASE) needs a port range PORT-PORT before it', at);
    base = bv;
    t = { ...t, text: t.text.slice(0, slash) };
  }
  const m = withAddr ? /^([\d.]+)(?:-([\d.]+))?(?::([a-z\d][\w]*(?:-[a-z][\w]*)*)(?:-(\w+(?:-[a-z]\w*)*))?)?$/i.exec(t.text) : /^([a-z\d]\w*(?:-[a-z]\w*)*)(?:-(\w+(?:-[a-z]\w*)*))?$/i.exec(t.text);
  if (!m) throw new ScenarioError(withAddr ? `bad address ${q(t.text)}: expected ADDR[:PORT[-PORT]]` : `bad port range ${q(t.text)}: expected PORT[-PORT]`, t.pos);
  if (withAddr) {
    const addr = ipv4Of(m[1]);
    if (addr === undefined) throw new ScenarioError(`bad IP address ${q(m[1])}`, t.pos);
    // ADDR-ADDR: an address range (nf_nat_range2 min_addr..max_addr), picked by find_best_ips_proto
    const max = m[2] === undefined ? undefined : ipv4Of(m[2]);
    if (m[2] !== undefined && max === undefined) throw new ScenarioError(`bad IP address ${q(m[2])}`, t.pos);
    if (max !== undefined && max < addr) throw new ScenarioError(`a reversed address range (${m[1]}-${m[2]}) is not modelled: give the lower address first`, t.pos);
    return { addr, ports: m[3] ? [parsePort(t, m[3]), parsePort(t, m[4] ?? m[3])] : null, base, ...(max !== undefined && max !== addr && { max }) };
  }
  return { addr: null, ports: [parsePort(t, m[1]), parsePort(t, m[2] ?? m[1])] };
}

/** The built-in options, whose argument iptables reads from the next word only (`-ptcp`, `--protocol=tcp` are refused). */
const BUILTIN_OPTS = new Set(['-p', '--protocol', '-s', '--source', '-d', '--destination', '-i', '--in-interface', '-o', '--out-interface', '-j', '--jump', '-g', '--goto', '-m', '--match']);

/** `--opt=value` of an extension's option is `--opt value`, as getopt_long reads it. */
function splitEquals(spec: Tok[]): Tok[] {
  return spec.flatMap((t) => {
    const eq = t.text.indexOf('=');
    if (!t.text.startsWith('--') || eq < 0 || BUILTIN_OPTS.has(t.text.slice(0, eq))) return [t];
    return [
      { text: t.text.slice(0, eq), pos: t.pos },
      { text: t.text.slice(eq + 1), pos: { ...t.pos, col: t.pos.col + eq + 1 } },
    ];
  });
}

/** xt_multiport's protocols (multiport_mt_check) */
const MULTIPORT_PROTOS = [IPPROTO_TCP, IPPROTO_UDP, IPT_PROTOS.udplite, IPT_PROTOS.sctp, IPT_PROTOS.dccp];

/** the ports xt_multiport reads: the first two 16-bit words of the transport header (none in a later fragment) */
function multiportPort(proto: number | null, which: 'sport' | 'dport'): (x: EvalCtx) => number | undefined {
  if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) return X.field.port(proto, which);
  return (x) => {
    if (x.p.l4proto !== proto) return undefined;
    const b = l4Bytes(x, 0, 4);
    return typeof b === 'string' ? undefined : be16(b, which === 'sport' ? 0 : 2);
  };
}

/** What iptables says when a match is loaded with none of the options it needs. */
const MATCH_NEEDS: Record<string, string> = {
  ttl: "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt'",
  mark: 'mark: option "--mark" must be specified',
  connmark: 'connmark: option "--mark" must be specified',
  multiport: 'multiport expection an option',
  comment: 'comment: option "--comment" must be specified',
  pkttype: 'pkttype: option "--pkt-type" must be specified',
  length: 'length: option "--length" must be specified',
  icmp: 'icmp: option "--icmp-type" must be specified',
  icmp6: 'icmp6: option "--icmpv6-type" must be specified',
  hl: "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'",
};

function buildRule(words: Tok[], table: string, fam: IptFamily = 'ip'): Built {
  const spec = splitEquals(words);
  const a = new Args(spec);
  const exprs: Expr[] = [];
  const checks: ((e: NfEngine, c: Chain) => void)[] = [];
  let proto: number | null = null;
  const modules = new Set<string>();
  let target: Expr | null = null;
  let lastModule = '';
  const text = (from: number): string => spec.slice(from, a.i).map((s) => (/\s/.test(s.text) ? `"${s.text}"` : s.text)).join(' ');
  // a match's protocol is checked when the rule is complete, so `-m tcp --dport 22 -p tcp` is fine
  let finalProto: number | null = null;
  const PROTOS = fam === 'ip6' ? { ...IPT_PROTOS, ...IP6T_EXTRA_PROTOS } : IPT_PROTOS;
  for (let i = 0; i < spec.length - 1; i++) {
    if ((spec[i].text === '-p' || spec[i].text === '--protocol') && spec[i - 1]?.text !== '!' && spec[i + 1].text !== '!') {
      const v = spec[i + 1].text;
      finalProto = Object.hasOwn(PROTOS, v) ? PROTOS[v] : /^\d+$/.test(v) ? Number(v) : null;
    }
  }
  const seen = new Map<string, Tok>();
  const once = (key: string, t: Tok, msg: string): void => {
    if (seen.has(key)) throw new ScenarioError(msg, t.pos);
    seen.set(key, t);
  };
  /** a match's option: once per rule, and not with the options of its group it excludes */
  const modOpt = (mod: string, t: Tok, long: string, group = long): void => {
    used.add(mod);
    const prev = seen.get(`${mod} ${group}`);
    if (prev) throw new ScenarioError(prev.text === long ? `${mod}: option "${long}" can only be used once.` : `${mod}: option "${long}" cannot be used together with "${prev.text}".`, t.pos);
    seen.set(`${mod} ${group}`, { ...t, text: long });
  };
  const moduleTok = new Map<string, Tok>();
  const save: SaveParts = { matches: [] };
  /** the built-in matches' options, by module, in canonical form: key → words */
  const modSave = new Map<string, Map<string, string[]>>();
  /** a built-in match's piece: `-m NAME` then its options in the save function's order */
  const modPiece = (name: string): Map<string, string[]> => {
    let m = modSave.get(name);
    if (!m) {
      const opts = (m = new Map());
      modSave.set(name, opts);
      const order = SAVE_ORDER[name] ?? [];
      save.matches.push(() => ['-m', name, ...order.flatMap((k) => opts.get(k) ?? [])]);
    }
    return m;
  };
  const bang = (n: boolean): string[] => (n ? ['!'] : []);
  const instances: { name: string; mod: XtMatch; st: unknown; tok: Tok; slot: number; words: string[] }[] = [];
  const used = new Set<string>();
  const needProto = (opt: Tok, protos: number[]): void => {
    if (proto === null || !protos.includes(proto)) throw new ScenarioError(`unknown option ${q(opt.text)}${proto === null ? ' (it needs -p tcp or -p udp first)' : ''}`, opt.pos);
  };
  while (a.more()) {
    const from = a.i;
    let neg = a.bang();
    // iptables' own words for a `!` that ends the line (xshared.c)
    if (!a.more()) throw new ScenarioError('nothing appropriate following !', spec[a.i - 1].pos);
    const t = a.next();
    if (!neg) neg = a.bang();
    const inst = [...instances].reverse().find((m) => Object.hasOwn(m.mod.opts, t.text));
    if (inst) {
      const saved = inst.mod.parse(inst.st, { opt: t, neg, arg: (what) => (inst.mod.opts[t.text] ? a.arg(t, what) : t), proto: proto ?? finalProto, table });
      inst.words.push(saved ? saved.join(' ') : text(from));
      continue;
    }
    switch (t.text) {
      case '-p':
      case '--protocol': {
        const v = a.arg(t, 'a protocol');
        const n = v.text === 'all' ? 0 : Object.hasOwn(PROTOS, v.text) ? PROTOS[v.text] : /^\d+$/.test(v.text) ? Number(v.text) : -1;
        if (n < 0 || n > 255) throw new ScenarioError(`unknown protocol ${q(v.text)} specified`, v.pos);
        once('-p', t, 'multiple -p flags not allowed');
        if (n === 0 && neg) throw new ScenarioError('rule would never match protocol', t.pos);
        if (n === 0) break;
        save.p = saveProto(neg, n);
        proto = neg ? null : n;
        exprs.push(X.matchNum(text(from), X.field.l4proto, neg ? '!=' : '==', [[n, n]], X.showProto));
        break;
      }
      case '-s':
      case '--source':
      case '-d':
      case '--destination': {
        const v = a.arg(t, 'an address');
        const src = t.text === '-s' || t.text === '--source';
        once(src ? '-s' : '-d', t, `multiple ${src ? '-s' : '-d'} flags not allowed`);
        if (fam === 'ip6') {
          const a6 = parseAddr6(v);
          // ::/0 is every address: ip6tables-nft adds no match for it, and lists none
          if (a6.range[0] === 0n && a6.range[1] === (1n << 128n) - 1n && !neg) break;
          save[src ? 's' : 'd'] = [...bang(neg), src ? '-s' : '-d', a6.save];
          exprs.push(matchAddr6(text(from), src, a6.range, neg));
          break;
        }
        const ad = parseAddr(v);
        save[src ? 's' : 'd'] = 'range' in ad ? saveAddr(src ? '-s' : '-d', neg, ad.range[0], (~(ad.range[1] - ad.range[0]) >>> 0)) : saveAddr(src ? '-s' : '-d', neg, ad.value, ad.mask);
        const get = src ? X.field.saddr : X.field.daddr;
        exprs.push('range' in ad ? X.matchNum(text(from), get, neg ? '!=' : '==', [ad.range], X.showAddr) : X.matchBits(text(from), get, ad.mask, ad.value, neg, X.showAddr));
        break;
      }
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface': {
        const v = a.arg(t, 'an interface name');
        const inn = t.text === '-i' || t.text === '--in-interface';
        once(inn ? '-i' : '-o', t, `multiple ${inn ? '-i' : '-o'} flags not allowed`);
        exprs.push(X.matchIfname(text(from), inn ? 'in' : 'out', [v.text], neg));
        save[inn ? 'i' : 'o'] = [...bang(neg), inn ? '-i' : '-o', v.text];
        checks.push((_e, c) => {
          const hook = c.base?.hook;
          if (inn && (hook === 'output' || hook === 'postrouting')) throw new ScenarioError(`Can't use -i with ${c.name}`, t.pos);
          if (!inn && (hook === 'prerouting' || hook === 'input')) throw new ScenarioError(`Can't use -o with ${c.name}`, t.pos);
        });
        break;
      }
      case '-m':
      case '--match': {
        if (neg) throw new ScenarioError('unexpected ! flag before --match', t.pos);
        const v = a.arg(t, 'a match name');
        const known = fam === 'ip6' ? [...IP6T_MATCHES] : ['tcp', 'udp', 'icmp', 'mark', 'connmark', 'multiport', 'comment', 'pkttype', 'length', 'ttl'];
        const xmods = fam === 'ip6' ? IP6T_XT_MATCHES : XT_MATCHES;
        if (fam === 'ip6' && !IP6T_MATCHES.has(v.text) && !Object.hasOwn(IP6T_XT_MATCHES, v.text)) ip6Unsupported('match', v);
        const xm = Object.hasOwn(xmods, v.text) ? xmods[v.text] : undefined;
        if (xm) {
          const eff: number | null = proto ?? finalProto;
          if (xm.protos && (eff === null || !xm.protos.includes(eff))) throw new ScenarioError(`-m ${v.text} needs -p ${xm.protos.map((n) => Object.keys(IPT_PROTOS).find((k) => IPT_PROTOS[k] === n) ?? n).join(' or -p ')} in the rule (the kernel refuses it otherwise: RULE_APPEND failed (Invalid argument))`, v.pos);
          if (xm.protos && proto === null) proto = eff;
          const inst = { name: v.text, mod: xm, st: xm.init(), tok: v, slot: exprs.length, words: [] as string[] };
          instances.push(inst);
          save.matches.push(() => ['-m', inst.name, ...(inst.mod.save ? inst.mod.save(inst.st) : inst.words)]);
          exprs.push(X.verdictStmt('', { code: 'NFT_CONTINUE' }));
          modules.add(v.text);
          lastModule = v.text;
          break;
        }
        if (!known.includes(v.text)) throw new ScenarioError(`match ${q(v.text)} is not modelled`, v.pos);
        if (v.text === 'tcp' || v.text === 'udp' || v.text === 'icmp' || v.text === 'multiport' || v.text === 'icmp6') {
          const eff: number | null = proto ?? finalProto;
          const ok = v.text === 'multiport' ? eff !== null && MULTIPORT_PROTOS.includes(eff) : eff === (v.text === 'icmp6' ? IP6T_EXTRA_PROTOS.icmpv6 : X.PROTO_BY_NAME[v.text]);
          if (!ok) throw new ScenarioError(`-m ${v.text} needs -p ${v.text === 'multiport' ? 'tcp, udp, udplite, sctp or dccp' : v.text} in the rule (the kernel refuses it otherwise: RULE_APPEND failed (Invalid argument))`, v.pos);
          if (proto === null) proto = eff;
        }
        if (!moduleTok.has(v.text)) moduleTok.set(v.text, v);
        // `-m tcp` twice is one match in the save form; every other built-in match is printed where it was loaded
        if (!modSave.has(v.text) || (v.text !== 'tcp' && v.text !== 'udp')) modPiece(v.text);
        modules.add(v.text);
        lastModule = v.text;
        break;
      }
      case '--dport':
      case '--destination-port':
      case '--sport':
      case '--source-port': {
        needProto(t, [IPPROTO_TCP, IPPROTO_UDP]);
        const v = a.arg(t, 'a port');
        const which = t.text.startsWith('--d') ? 'dport' : 'sport';
        once(which, t, `Only one \`--${which === 'dport' ? 'destination' : 'source'}-port' allowed`);
        const pname = proto === IPPROTO_TCP ? 'tcp' : 'udp';
        const get = X.field.port(proto, which);
        const r = portRange(v, v.text);
        // libxt_tcp refuses a reversed range; libxt_udp takes it (a rule that never matches), as iptables 1.8.9 does
        if (r[0] > r[1] && proto === IPPROTO_TCP) throw new ScenarioError('invalid portrange (min > max)', v.pos);
        exprs.push(X.matchNum(text(from), get, neg ? '!=' : '==', [r], (x) => `${pname} ${which} ${x}`));
        modPiece(pname).set(which, [...bang(neg), `--${which}`, r[0] === r[1] ? `${r[0]}` : `${r[0]}:${r[1]}`]);
        break;
      }
      case '--dports':
      case '--sports':
      case '--ports':
      case '--destination-ports':
      case '--source-ports': {
        if (!modules.has('multiport')) throw new ScenarioError(`unknown option ${q(t.text)} (it needs -m multiport)`, t.pos);
        modOpt('multiport', t, t.text === '--ports' ? '--ports' : t.text === '--dports' || t.text === '--destination-ports' ? '--destination-ports' : '--source-ports', 'ports');
        const v = a.arg(t, 'a port list');
        const rs = v.text.split(',').map((s) => portRange(v, s));
        if (rs.some(([lo, hi]) => lo > hi)) throw new ScenarioError('invalid portrange specified', v.pos);
        const pname = Object.keys(IPT_PROTOS).find((k) => IPT_PROTOS[k] === proto) ?? String(proto);
        modPiece('multiport').set('ports', [...bang(neg), t.text === '--ports' ? '--ports' : t.text.startsWith('--d') ? '--dports' : '--sports', rs.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}:${hi}`)).join(',')]);
        if (t.text === '--ports') {
          const sp = multiportPort(proto, 'sport');
          const dp = multiportPort(proto, 'dport');
          const hit = (n: number | undefined): boolean => n !== undefined && rs.some(([lo, hi]) => n >= lo && n <= hi);
          exprs.push({ text: text(from), eval: (x) => (hit(sp(x)) || hit(dp(x))) !== neg, actual: (x) => `${pname} sport ${sp(x)} dport ${dp(x)}` });
        } else {
          const which = t.text.startsWith('--d') ? 'dport' : 'sport';
          exprs.push(X.matchNum(text(from), multiportPort(proto, which), neg ? '!=' : '==', rs, (x) => `${pname} ${which} ${x}`));
        }
        break;
      }
      case '--tcp-flags':
      case '--syn': {
        needProto(t, [IPPROTO_TCP]);
        once('tcp-flags', t, "Only one of `--syn' or `--tcp-flags'  allowed");
        let mask = X.TCP_FLAGS.syn | X.TCP_FLAGS.rst | X.TCP_FLAGS.ack | X.TCP_FLAGS.fin;
        let comp = X.TCP_FLAGS.syn;
        if (t.text === '--tcp-flags') {
          const flags = (v: Tok): number => {
            if (v.text === 'ALL') return 0x3f;
            if (v.text === 'NONE') return 0;
            let m = 0;
            for (const f of v.text.split(',')) {
              const b = X.TCP_FLAGS[f.toLowerCase()];
              if (b === undefined) throw new ScenarioError(`unknown TCP flag ${q(f)}`, v.pos);
              m |= b;
            }
            return m;
          };
          mask = flags(a.arg(t, 'a flag mask'));
          comp = flags(a.arg(t, 'the flags that must be set'));
        }
        exprs.push(X.matchBits(text(from), X.field.tcpFlags, mask, comp, neg, (v) => `tcp flags ${X.showFlags(v)}`));
        modPiece('tcp').set('flags', [...bang(neg), '--tcp-flags', tcpFlagNames(mask), tcpFlagNames(comp)]);
        break;
      }
      case '--icmpv6-type': {
        if (fam !== 'ip6') throw new ScenarioError(`unknown option ${q(t.text)}`, t.pos);
        needProto(t, [IP6T_EXTRA_PROTOS.icmpv6]);
        modOpt('icmp6', t, '--icmpv6-type');
        const ty = parseIcmp6Type(a.arg(t, 'an ICMPv6 type'));
        exprs.push(matchIcmp6(text(from), ty, neg));
        modPiece('icmp6').set('type', [...bang(neg), '--icmpv6-type', ty.save]);
        break;
      }
      case '--icmp-type': {
        if (fam === 'ip6') throw new ScenarioError(`unknown option ${q(t.text)}`, t.pos);
        needProto(t, [IPPROTO_ICMP]);
        modOpt('icmp', t, '--icmp-type');
        const v = a.arg(t, 'an ICMP type');
        // libxt_icmp's names of a type and code (`port-unreachable` is 3/3)
        const [ty, code] = Object.hasOwn(ICMP_CODE_NAMES, v.text) ? ICMP_CODE_NAMES[v.text].map(String) : v.text.split('/');
        const n = ty in X.ICMP_TYPES ? X.ICMP_TYPES[ty] : ty === 'ttl-exceeded' ? 11 : ty === 'any' ? -1 : /^\d+$/.test(ty) ? Number(ty) : NaN;
        if (Number.isNaN(n)) throw new ScenarioError(`invalid ICMP type ${q(ty)}`, v.pos);
        if (n >= 0) exprs.push(X.matchNum(text(from), X.field.icmpType, neg ? '!=' : '==', [[n, n]], (x) => `icmp type ${X.showIcmp(x)}`));
        modPiece('icmp').set('type', [...bang(neg), '--icmp-type', n < 0 ? 'any' : code !== undefined ? `${n}/${Number(code)}` : `${n}`]);
        if (code !== undefined) exprs.push(X.matchNum(text(from), X.field.icmpCode, neg ? '!=' : '==', [[Number(code), Number(code)]], (x) => `icmp code ${x}`));
        break;
      }
      case '--mark': {
        if (!modules.has('mark') && !modules.has('connmark')) throw new ScenarioError('unknown option "--mark" (it needs -m mark or -m connmark)', t.pos);
        modOpt(lastModule === 'connmark' || !modules.has('mark') ? 'connmark' : 'mark', t, '--mark');
        const v = a.arg(t, 'a mark');
        const [val, mask] = valueMask(v);
        modPiece(lastModule === 'connmark' || !modules.has('mark') ? 'connmark' : 'mark').set('mark', [...bang(neg), '--mark', saveMark(val, mask)]);
        if (lastModule === 'connmark' || !modules.has('mark')) {
          // connmark_mt (xt_connmark.c): no conntrack entry, no match (even with !)
          exprs.push({
            text: text(from),
            needsCt: true,
            eval: (x) => {
              const m = X.ctMark(x);
              return m !== undefined && (((m & mask) >>> 0) === val) !== neg;
            },
            actual: (x) => {
              const m = X.ctMark(x);
              return m === undefined ? 'no conntrack entry' : `ct mark ${X.showHex(m)}`;
            },
          });
          break;
        }
        exprs.push(X.matchBits(text(from), X.field.mark, mask, val, neg, (m) => `mark ${X.showHex(m)}`));
        break;
      }
      case '--comment':
        if (!modules.has('comment')) throw new ScenarioError('unknown option "--comment" (it needs -m comment)', t.pos);
        modOpt('comment', t, '--comment');
        modPiece('comment').set('comment', ['--comment', saveString(a.arg(t, 'a comment').text)]);
        break;
      case '--pkt-type': {
        if (!modules.has('pkttype')) throw new ScenarioError('unknown option "--pkt-type" (it needs -m pkttype)', t.pos);
        modOpt('pkttype', t, '--pkt-type');
        const v = a.arg(t, 'a packet type');
        const ty = X.PKTTYPES[v.text];
        if (!ty) throw new ScenarioError(`bad packet type ${q(v.text)} (unicast, broadcast, multicast)`, v.pos);
        exprs.push(X.matchPkttype(text(from), [ty], neg));
        modPiece('pkttype').set('type', [...bang(neg), '--pkt-type', { PACKET_HOST: 'unicast', PACKET_BROADCAST: 'broadcast', PACKET_MULTICAST: 'multicast', PACKET_OTHERHOST: 'otherhost' }[ty] ?? v.text]);
        break;
      }
      case '--length': {
        if (!modules.has('length')) throw new ScenarioError('unknown option "--length" (it needs -m length)', t.pos);
        modOpt('length', t, '--length');
        const v = a.arg(t, 'a length or range');
        // `A:` is A to 65535, `:B` is 0 to B (libxt_length)
        const [lo, hi] = v.text.split(':').map((s, i) => (s === '' ? (i === 0 ? 0 : 65535) : parseNum({ ...v, text: s }, 65535)));
        // xt_length: the IPv4 total length, or the IPv6 payload length plus the 40-byte fixed header
        const len = fam === 'ip6' ? (x: EvalCtx) => (x.p.ip6h ? x.p.ip6h.payloadLen + 40 : undefined) : X.field.iplen;
        exprs.push(X.matchNum(text(from), len, neg ? '!=' : '==', [[lo, hi ?? lo]], (x) => `length ${x}`));
        modPiece('length').set('length', [...bang(neg), '--length', hi === undefined || hi === lo ? `${lo}` : `${lo}:${hi}`]);
        break;
      }
      case '--ttl-eq':
      case '--ttl-lt':
      case '--ttl-gt': {
        if (!modules.has('ttl')) throw new ScenarioError(`unknown option ${q(t.text)} (it needs -m ttl)`, t.pos);
        modOpt('ttl', t, t.text, 'ttl');
        const v = parseNum(a.arg(t, 'a TTL'), 255);
        const op: X.Op = t.text === '--ttl-eq' ? (neg ? '!=' : '==') : t.text === '--ttl-lt' ? '<' : '>';
        exprs.push(X.matchNum(text(from), X.field.ttl, op, [[v, v]], (x) => `ttl ${x}`));
        modPiece('ttl').set('ttl', [...bang(neg && t.text === '--ttl-eq'), t.text, String(v)]);
        break;
      }
      case '--hl-eq':
      case '--hl-lt':
      case '--hl-gt': {
        // xt_hl's hl_mt6: the IPv6 hop limit against the value
        if (!modules.has('hl')) throw new ScenarioError(`unknown option ${q(t.text)} (it needs -m hl)`, t.pos);
        modOpt('hl', t, t.text, 'hl');
        const v = parseNum(a.arg(t, 'a hop limit'), 255);
        const op: X.Op = t.text === '--hl-eq' ? (neg ? '!=' : '==') : t.text === '--hl-lt' ? '<' : '>';
        exprs.push(X.matchNum(text(from), (x) => x.p.ip6h?.hopLimit, op, [[v, v]], (x) => `ip6 hoplimit ${x}`));
        modPiece('hl').set('hl', [...bang(neg && t.text === '--hl-eq'), t.text, String(v)]);
        break;
      }
      case '-f':
      case '--fragment':
        if (fam === 'ip6') throw new ScenarioError("`-f' is not supported in IPv6, use -m frag instead", t.pos);
        once('-f', t, 'multiple -f flags not allowed');
        // IPT_F_FRAG (ip_packet_match): a fragment other than the first, an offset other than 0;
        // iptables-nft 1.8.9 loads it as `ip frag-off & 0x1fff != 0` (== 0 with !)
        exprs.push({ text: text(from), eval: (x) => (x.p.fragoff !== 0) !== neg, actual: (x) => (x.p.fragoff ? `a fragment at offset ${x.p.fragoff * 8}` : 'no fragment offset') });
        save.f = [...bang(neg), '-f'];
        break;
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        if (target) throw new ScenarioError('iptables: only one target (-j) per rule', t.pos);
        const v = a.arg(t, 'a target');
        target = buildTarget(a, v, t, table, checks, proto, text, from, save, fam);
        break;
      }
      default: {
        if (/^-p./.test(t.text) || t.text.startsWith('--protocol=')) throw new ScenarioError(`unknown protocol ${q(t.text)} specified`, t.pos);
        throw new ScenarioError(`${t.text.startsWith('-') ? 'unknown option' : 'unexpected word'} ${q(t.text)}`, t.pos);
      }
    }
  }
  for (const inst of instances) {
    const made = inst.mod.finish(inst.st, { tok: inst.tok, text: ['-m', inst.name, ...inst.words].join(' '), proto, table, check: (f) => checks.push(f) });
    exprs.splice(inst.slot, 1, ...made);
    for (const later of instances) if (later.slot > inst.slot) later.slot += made.length - 1;
  }
  for (const [mod, tok] of moduleTok) if (MATCH_NEEDS[mod] && !used.has(mod)) throw new ScenarioError(MATCH_NEEDS[mod], tok.pos);
  const all = [...exprs, X.counterStmt('counter')];
  if (target) all.push(target);
  return {
    // an ip6tables rule holds only what the model runs on IPv6 packets (ip6tables.ts's lists)
    exprs: fam === 'ip6' ? all.map((e) => ({ ...e, v6: true })) : all,
    save,
    check: (e, c) => {
      for (const f of checks) f(e, c);
    },
  };
}

/** the options of each built-in match in the order its save function prints them */
const SAVE_ORDER: Record<string, string[]> = { tcp: ['sport', 'dport', 'flags'], udp: ['sport', 'dport'], icmp: ['type'], icmp6: ['type'], hl: ['hl'], mark: ['mark'], connmark: ['mark'], multiport: ['ports'], comment: ['comment'], pkttype: ['type'], length: ['length'], ttl: ['ttl'] };

/** libxt_tcp's print_tcpf: the flag names in bit order, NONE for none */
function tcpFlagNames(m: number): string {
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'].filter((_, i) => m & (1 << i));
  return names.length ? names.join(',') : 'NONE';
}

function buildTarget(a: Args, v: Tok, jumpTok: Tok, table: string, checks: ((e: NfEngine, c: Chain) => void)[], proto: number | null, text: (from: number) => string, from: number, save: SaveParts, fam: IptFamily): Expr {
  // what iptables-save prints: by default the words given; targetOf sets the canonical form of those it knows
  const given = a.i;
  let end = given;
  const jump = jumpTok.text === '--jump' ? '-j' : jumpTok.text === '--goto' ? '-g' : jumpTok.text;
  save.target = () => [jump, v.text, ...a.w.slice(given, end).map((w) => (/[\s"']/.test(w.text) || w.text === '' ? `"${w.text}"` : w.text))];
  const r = targetOf(a, v, jumpTok, table, checks, proto, text, from, (words) => (save.target = () => [jump, v.text, ...words()]), fam);
  end = a.i;
  return r;
}

function targetOf(a: Args, v: Tok, jumpTok: Tok, table: string, checks: ((e: NfEngine, c: Chain) => void)[], proto: number | null, text: (from: number) => string, from: number, saveAs: (words: () => string[]) => void, fam: IptFamily): Expr {
  const goto = jumpTok.text === '-g' || jumpTok.text === '--goto';
  const opts = (allowed: string[]): Map<string, Tok> => {
    const m = new Map<string, Tok>();
    while (a.more() && allowed.includes(a.peek()!.text)) {
      const o = a.next();
      const flagOnly = ['--queue-bypass', '--queue-cpu-fanout', '--log-tcp-sequence', '--notrack', '--save-mark', '--restore-mark', '--random', '--random-fully', '--persistent', '--log-tcp-options', '--log-ip-options', '--log-uid'];
      if (m.has(o.text)) throw new ScenarioError(`${v.text}: option ${q(o.text)} can only be used once.`, o.pos);
      m.set(o.text, flagOnly.includes(o.text) ? o : a.arg(o, 'a value'));
    }
    return m;
  };
  const onlyIn = (tables: string[], what: string, hooks?: HookShort[]): void => {
    if (!tables.includes(table)) throw new ScenarioError(`${what} target: only valid in the ${tables.join('/')} table${tables.length > 1 ? 's' : ''}, not ${table}`, v.pos);
    if (hooks) {
      checks.push((_e, c) => {
        if (c.base && !hooks.includes(c.base.hook)) throw new ScenarioError(`${what} target: only valid in ${hooks.map((h) => h.toUpperCase()).join('/')}, not ${c.name}`, v.pos);
      });
    }
  };
  // with one address (all the model takes) persistent changes nothing; the random port choices are not modelled
  const notRandom = (o: Map<string, Tok>): void => {
    for (const f of ['--random', '--random-fully']) if (o.has(f)) throw new ScenarioError(`${v.text} ${f} is not modelled (the kernel picks the port at random)`, o.get(f)!.pos);
  };
  // libxt_NAT: ports need a protocol that has them; the model's NAT66 rewrites TCP and UDP ports
  const needPorts6 = (to: Tok): void => {
    if (proto === IPT_PROTOS.sctp || proto === IPT_PROTOS.dccp) throw new ScenarioError(`${v.text} of ${proto === IPT_PROTOS.sctp ? 'SCTP' : 'DCCP'} ports is not modelled (TCP and UDP are)`, to.pos);
    if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) throw new ScenarioError('Need TCP, UDP, SCTP or DCCP with port specification', to.pos);
  };
  const vt = (code: 'NF_ACCEPT' | 'NF_DROP' | 'NFT_RETURN'): Expr => {
    if (goto) throw new ScenarioError(`-g needs a user chain, not ${v.text}`, v.pos);
    return X.verdictStmt(text(from), { code });
  };
  // ip6tables: the targets the model runs on IPv6 packets; any other built-in or xt target is refused by name
  const TARGET_NAMES = ['TRACE', 'NOTRACK', 'CT', 'CONNMARK', 'SNAT', 'DNAT', 'MASQUERADE', 'REDIRECT'];
  if (fam === 'ip6' && !IP6T_TARGETS.has(v.text) && (TARGET_NAMES.includes(v.text) || XT_TARGETS.has(v.text) || Object.hasOwn(XT_TARGET_MODULES, v.text))) ip6Unsupported('target', v);
  switch (v.text) {
    case 'ACCEPT':
      return vt('NF_ACCEPT');
    case 'DROP':
      return vt('NF_DROP');
    case 'RETURN':
      return vt('NFT_RETURN');
    case 'QUEUE':
    case 'NFQUEUE': {
      // --queue-balance spreads packets over queues by a hash of the flow: no program listens on any
      // queue in the model, so whichever queue is picked the packet is dropped (or, with bypass, accepted)
      const o = opts(['--queue-num', '--queue-bypass', '--queue-balance', '--queue-cpu-fanout']);
      if (o.has('--queue-num') && o.has('--queue-balance')) throw new ScenarioError('NFQUEUE: "--queue-balance" cannot be used together with "--queue-num".', o.get('--queue-balance')!.pos);
      if (o.has('--queue-cpu-fanout') && !o.has('--queue-balance')) throw new ScenarioError('NFQUEUE: "--queue-cpu-fanout" needs "--queue-balance".', o.get('--queue-cpu-fanout')!.pos);
      const bal = o.get('--queue-balance');
      let qnum = o.get('--queue-num') ? parseNum(o.get('--queue-num')!, 65535) : 0;
      if (bal) {
        const m = /^(\d+):(\d+)$/.exec(bal.text);
        if (!m || Number(m[1]) >= Number(m[2]) || Number(m[2]) > 65534) throw new ScenarioError(`NFQUEUE: bad range ${q(bal.text)} for --queue-balance (FIRST:LAST, FIRST < LAST)`, bal.pos);
        qnum = Number(m[1]);
      }
      if (v.text === 'NFQUEUE') saveAs(() => [...(bal ? ['--queue-balance', bal.text] : ['--queue-num', String(qnum)]), ...(o.has('--queue-bypass') ? ['--queue-bypass'] : []), ...(o.has('--queue-cpu-fanout') ? ['--queue-cpu-fanout'] : [])]);
      return X.queueStmt(text(from), qnum, o.has('--queue-bypass'));
    }
    case 'REJECT': {
      onlyIn(['filter'], 'REJECT', ['input', 'forward', 'output']);
      const o = opts(['--reject-with']);
      if (fam === 'ip6') {
        // libip6t_REJECT: icmp6-port-unreachable by default; ip6t_REJECT's checkentry wants -p tcp for tcp-reset
        const w6 = o.get('--reject-with');
        const how6 = w6 ? (Object.hasOwn(REJECT6_WITH, w6.text) ? REJECT6_WITH[w6.text] : undefined) : 4;
        if (how6 === undefined) throw new ScenarioError(`unknown reject type ${q(w6!.text)}`, w6!.pos);
        if (how6 === 'tcp-reset' && proto !== IPPROTO_TCP) throw new ScenarioError('--reject-with tcp-reset is only valid with -p tcp (RULE_APPEND failed (Invalid argument))', w6!.pos);
        saveAs(() => ['--reject-with', Object.keys(REJECT6_WITH).find((k) => REJECT6_WITH[k] === how6)!]);
        return X.rejectStmt(text(from), how6 === 'tcp-reset' ? { tcpReset: true } : { icmp6Code: how6 });
      }
      const w = o.get('--reject-with');
      const how = w ? REJECT_WITH[w.text] ?? REJECT_WITH[`icmp-${w.text}`] : 3;
      if (how === undefined) throw new ScenarioError(`unknown reject type ${q(w!.text)} (${Object.keys(REJECT_WITH).join(', ')})`, w!.pos);
      if (how === 'tcp-reset' && proto !== IPPROTO_TCP) throw new ScenarioError('--reject-with tcp-reset is only valid with -p tcp', w!.pos);
      saveAs(() => ['--reject-with', Object.keys(REJECT_WITH).find((k) => REJECT_WITH[k] === how)!]);
      return X.rejectStmt(text(from), how === 'tcp-reset' ? { tcpReset: true } : { icmpCode: how });
    }
    case 'LOG': {
      const o = opts(['--log-prefix', '--log-level', '--log-tcp-sequence', '--log-tcp-options', '--log-ip-options', '--log-uid']);
      // the log line is modelled with the default flags only (nf_log_ip_packet, nf_log_ip6_packet):
      // the others add fields to it, so they are refused rather than ignored
      for (const [k, w] of o) if (k !== '--log-prefix' && k !== '--log-level') throw new ScenarioError(`LOG ${k} is not modelled (the log line is modelled with the default flags)`, w.pos);
      const lv = o.get('--log-level');
      if (lv && !LOG_LEVELS.includes(lv.text) && !/^[0-7]$/.test(lv.text)) throw new ScenarioError(`log level ${q(lv.text)} unknown`, lv.pos);
      const level = lv ? (/^[0-7]$/.test(lv.text) ? Number(lv.text) : Math.max(0, LOG_LEVELS.indexOf(lv.text) - 1)) : 4;
      saveAs(() => [...(o.has('--log-prefix') ? ['--log-prefix', saveString(o.get('--log-prefix')!.text)] : []), ...(level !== 4 ? ['--log-level', String(level)] : []), ...['--log-tcp-sequence', '--log-tcp-options', '--log-ip-options', '--log-uid'].filter((f) => o.has(f))]);
      return X.logStmt(text(from), o.get('--log-prefix')?.text ?? '');
    }
    case 'MARK': {
      const o = opts(['--set-mark', '--set-xmark', '--and-mark', '--or-mark', '--xor-mark']);
      if (o.size !== 1) throw new ScenarioError('MARK target: give exactly one of --set-mark, --set-xmark', v.pos);
      const [k, val] = [...o.entries()][0];
      if (k !== '--set-mark' && k !== '--set-xmark') throw new ScenarioError(`MARK ${k} is not modelled (--set-mark and --set-xmark are)`, val.pos);
      const [value, mask] = valueMask(val);
      // --set-mark v/m is --set-xmark v/(m|v)
      saveAs(() => ['--set-xmark', `${hex(value)}/${hex(k === '--set-mark' ? (mask | value) >>> 0 : mask)}`]);
      return X.markSet(text(from), value, k === '--set-mark' ? (mask | value) >>> 0 : mask);
    }
    case 'CONNMARK': {
      // connmark_tg_shift (xt_connmark.c): no conntrack entry, nothing is done
      const o = opts(['--set-mark', '--set-xmark', '--save-mark', '--restore-mark', '--nfmask', '--ctmask', '--mask']);
      const modes = ['--set-mark', '--set-xmark', '--save-mark', '--restore-mark'].filter((k) => o.has(k));
      if (modes.length !== 1) throw new ScenarioError('CONNMARK target: give exactly one of --set-mark, --set-xmark, --save-mark, --restore-mark', v.pos);
      const k = modes[0];
      const maskOf = (name: string): number => (o.has(name) ? valueMask(o.get(name)!)[0] : o.has('--mask') ? valueMask(o.get('--mask')!)[0] : 0xffffffff);
      if (k === '--set-mark' || k === '--set-xmark') {
        const [value, mask] = valueMask(o.get(k)!);
        const ctmask = k === '--set-mark' ? (mask | value) >>> 0 : mask;
        saveAs(() => ['--set-xmark', `${hex(value)}/${hex(ctmask)}`]);
        return X.ctMarkSet(text(from), (_x, old) => ((old & ~ctmask) >>> 0) ^ value, 'connmark_tg_shift', 'net/netfilter/xt_connmark.c');
      }
      const nfmask = maskOf('--nfmask');
      const ctmask = maskOf('--ctmask');
      saveAs(() => [k, '--nfmask', hex(nfmask), '--ctmask', hex(ctmask)]);
      if (k === '--save-mark') return X.ctMarkSet(text(from), (x, old) => ((old & ~ctmask) >>> 0) ^ ((x.p.skb.mark & nfmask) >>> 0), 'connmark_tg_shift', 'net/netfilter/xt_connmark.c');
      return X.connmarkRestore(text(from), nfmask, ctmask);
    }
    case 'TRACE':
      onlyIn(['raw'], 'TRACE');
      return X.nftraceSet(text(from));
    case 'NOTRACK':
      onlyIn(['raw'], 'NOTRACK');
      return { ...X.notrackStmt(text(from)) };
    case 'CT': {
      onlyIn(['raw'], 'CT');
      const o = opts(['--notrack', '--ctevents', '--expevents', '--zone', '--zone-orig', '--zone-reply', '--helper', '--timeout']);
      for (const k of ['--zone', '--zone-orig', '--zone-reply', '--helper', '--timeout']) if (o.has(k)) throw new ScenarioError(`CT ${k} is not modelled (the model has no conntrack ${k.includes('zone') ? 'zones' : k.slice(2) + 's'})`, o.get(k)!.pos);
      const evList = (k: string, names: string[]): void => {
        const w = o.get(k);
        if (!w) return;
        for (const n of w.text.split(',')) if (!names.includes(n)) throw new ScenarioError(`CT: unknown event type ${q(n)}`, w.pos);
      };
      evList('--ctevents', ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark']);
      evList('--expevents', ['new']);
      if (o.has('--notrack')) return X.notrackStmt(text(from));
      if (!o.size) throw new ScenarioError('CT: give --notrack, --ctevents or --expevents (a template with nothing in it is not modelled)', v.pos);
      // xt_ct_tg attaches a template whose event masks only filter what ctnetlink listeners (conntrack -E)
      // are sent; the model has none, and nf_conntrack_in then tracks the packet as without the template
      return { text: text(from), eval: () => true };
    }
    case 'SNAT':
    case 'DNAT': {
      const snat = v.text === 'SNAT';
      onlyIn(['nat'], v.text, snat ? ['postrouting', 'input'] : ['prerouting', 'output']);
      const key = snat ? '--to-source' : '--to-destination';
      const o = opts(snat ? [key, '--random', '--random-fully', '--persistent'] : [key, '--random', '--persistent']);
      notRandom(o);
      const to = o.get(key);
      if (!to) throw new ScenarioError(fam === 'ip6' ? `${v.text}: option "${key}" must be specified` : `${v.text}: ${key} is required`, v.pos);
      if (fam === 'ip6') {
        const r6 = natTo6(to, !snat);
        if (r6.ports) needPorts6(to);
        saveAs(() => [key, r6.save, ...(o.has('--persistent') ? ['--persistent'] : [])]);
        return X.natStmt(text(from), snat ? 'snat' : 'dnat', r6.addr, r6.ports, r6.base, { ...(r6.max && { max: r6.max }), ...(o.has('--persistent') && { persistent: true }) });
      }
      const r = natTo(to, true, !snat);
      if (r.ports && proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) throw new ScenarioError(`${v.text}: a port needs -p tcp or -p udp`, to.pos);
      saveAs(() => [key, `${numToIp(r.addr!)}${r.max !== undefined ? `-${numToIp(r.max)}` : ''}${r.ports ? `:${r.ports[0] === r.ports[1] ? r.ports[0] : `${r.ports[0]}-${r.ports[1]}`}${r.base !== undefined ? `/${r.base}` : ''}` : ''}`, ...(o.has('--persistent') ? ['--persistent'] : [])]);
      const range = { ...(r.max !== undefined && { max: inet4(r.max) }), ...(o.has('--persistent') && { persistent: true }) };
      return X.natStmt(text(from), snat ? 'snat' : 'dnat', r.addr, r.ports, r.base, range);
    }
    case 'MASQUERADE':
    case 'REDIRECT': {
      const masq = v.text === 'MASQUERADE';
      onlyIn(['nat'], v.text, masq ? ['postrouting'] : ['prerouting', 'output']);
      const o = opts(masq ? ['--to-ports', '--random', '--random-fully'] : ['--to-ports', '--random']);
      notRandom(o);
      const to = o.get('--to-ports');
      if (to && fam === 'ip6') needPorts6(to);
      if (to && proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) throw new ScenarioError('Need TCP, UDP, SCTP or DCCP with port specification', to.pos);
      const r = to ? (fam === 'ip6' ? { ports: natPorts6(to, to.text) } : natTo(to, false)) : { ports: null };
      saveAs(() => (r.ports ? ['--to-ports', r.ports[0] === r.ports[1] ? `${r.ports[0]}` : `${r.ports[0]}-${r.ports[1]}`] : []));
      return X.natStmt(text(from), masq ? 'masquerade' : 'redirect', null, r.ports);
    }
    default: {
      const tmods = fam === 'ip6' ? IP6T_XT_TARGETS : XT_TARGET_MODULES;
      const xt = Object.hasOwn(tmods, v.text) ? tmods[v.text] : undefined;
      if (xt) {
        if (goto) throw new ScenarioError(`-g needs a user chain, not ${v.text}`, v.pos);
        const st = xt.init();
        const words = [jumpTok.text, v.text];
        while (a.more() && (Object.hasOwn(xt.opts, a.peek()!.text) || (a.peek()!.text === '!' && Object.hasOwn(xt.opts, a.w[a.i + 1]?.text ?? '')))) {
          const neg = a.bang();
          const o = a.next();
          const val = xt.opts[o.text] ? a.arg(o, 'a value') : null;
          xt.parse(st, { opt: o, neg, arg: () => val ?? o, proto, table });
          words.push(...(neg ? ['!'] : []), o.text, ...(val ? [val.text] : []));
        }
        if (xt.save) saveAs(() => xt.save!(st));
        return xt.finish(st, { tok: v, text: text(from), proto, table, check: (f) => checks.push(f) });
      }
      if (XT_TARGETS.has(v.text) || a.peek()?.text.startsWith('--')) throw new ScenarioError(`target ${v.text} is not modelled`, v.pos);
      checks.push((e) => {
        const t = e.table(fam, table);
        const to = t?.chains.get(v.text);
        if (!to) throw new ScenarioError(`Couldn't load target \`${v.text}': no such chain in table ${table} (the model knows ACCEPT, DROP, RETURN, REJECT, LOG, MARK, SNAT, DNAT, MASQUERADE, REDIRECT, NOTRACK, CT, TRACE, QUEUE, NFQUEUE and user chains)`, v.pos);
        if (to.base) throw new ScenarioError(`iptables: cannot jump to built-in chain ${v.text}`, v.pos);
      });
      return { text: text(from), jumpTo: v.text, eval: () => ({ code: goto ? 'NFT_GOTO' : 'NFT_JUMP', chain: v.text }) };
    }
  }
}

export { BUILTIN };
