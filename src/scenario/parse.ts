// A scenario file → Scenario. Everything wrong is collected with its file, line and column and
// thrown at once as ScenarioErrors; nothing half-parsed is returned.
import { Document, isMap, isScalar, parseDocument, visit } from 'yaml';
import { splitTraffic, type TrafficSplit } from './fastTraffic';
import { check } from './check';
import { parseSetupLine } from './commands/setup';
import { Diag, q, subTok } from './diag';
import { Line, splitLines, splitWords } from './lines';
import { Source } from './source';
import { hostname, ifname, tokAddrPort, tokAddrPort6, tokUint } from './syntax';
import { parseLocalSend, parseWireSend } from './traffic';
import { parsePcapItem } from './pcapItem';
import { HostSpec, LinkEnd, LinkSpec, ListenSpec, Scenario, ScenarioError, ScenarioErrors, Tok, TrafficItem } from './types';
import { DEFAULT_INPUT_LIMITS, type InputLimits, raiseHint } from './limits';
import { Reader } from './yamlnodes';

const TOP = ['name', 'description', 'hosts', 'links', 'listen', 'traffic'];
// `traffic:` may be left out: a scenario made for a capture replay, or for `netstack ruleset`, has none
const REQUIRED = ['name', 'hosts'];

export interface ParseOptions {
  /** limits of our own on the input (src/scenario/limits.ts); each default is raised here */
  limits?: Partial<InputLimits>;
  /** false: read a long traffic list with the YAML parser too, not the line-by-line fast path (src/scenario/fastTraffic.ts) */
  fast?: boolean;
}

export function parseScenario(text: string, file: string, opts: ParseOptions = {}): Scenario {
  const { scenario, errors } = parseScenarioCollect(text, file, opts);
  if (errors.length) throw new ScenarioErrors(errors);
  return scenario;
}

/**
 * The scenario and every error found, sorted by position. With errors, the scenario holds what
 * parsed; a host's setup stops before its first error, and `buildable` says whether the rest
 * (hosts and links) is whole enough to be applied, so that the errors of applying it can be
 * reported with the parse errors.
 */
export function parseScenarioCollect(text: string, file: string, opts: ParseOptions = {}): { scenario: Scenario; errors: ScenarioError[]; buildable: boolean } {
  const limits = { ...DEFAULT_INPUT_LIMITS, ...opts.limits };
  const src = new Source(text, file);
  const d = new Diag();
  const sc: Scenario = { file, name: '', hosts: [], links: [], listen: [], traffic: [] };
  const done = (buildable: boolean): { scenario: Scenario; errors: ScenarioError[]; buildable: boolean } => ({ scenario: sc, errors: sorted(d.errors), buildable });
  if (text.length > limits.maxInputBytes) {
    d.error({ file, line: 1, col: 1 }, `the scenario has ${text.length} characters, more than the limit of ${limits.maxInputBytes}; ${raiseHint('maxInputBytes')}`);
    return done(false);
  }
  const deep = tooDeep(text, limits.maxDepth);
  if (deep !== undefined) {
    src.lines.addNewLine(0);
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') src.lines.addNewLine(i + 1);
    d.error(src.pos(deep), `YAML: nested more than ${limits.maxDepth} levels deep; ${raiseHint('maxDepth')}`);
    return done(false);
  }
  const split = opts.fast === false ? undefined : splitTraffic(text);
  let doc: Document.Parsed;
  try {
    doc = parseDocument(split ? split.head : text, { lineCounter: src.lines, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    // the prescan bounds nesting; a RangeError left is the parser's own stack running out
    if (!(e instanceof RangeError)) throw e;
    d.error({ file, line: 1, col: 1 }, `YAML: too deeply nested for the parser (${e.message}); lower the nesting`);
    return done(false);
  }
  for (const e of doc.errors) d.error(src.pos(e.pos[0]), `YAML: ${e.message}`);
  if (d.errors.length) return done(false);
  if (split) attachTraffic(doc, split, text, src);
  if (!aliasesWithin(doc, src, d, limits)) return done(false);
  if (!noTags(doc, src, d)) return done(false);
  const r = new Reader(src, doc, d);
  let structural = false;
  const root = r.map(doc.contents, 'a scenario', src.pos(0));
  if (root) {
    const seen = new Set<string>();
    for (const { key, value } of r.pairs(root, 'the scenario')) {
      seen.add(key.text);
      const at = key.pos;
      const before = d.errors.length;
      switch (key.text) {
        case 'name':
          sc.name = r.tok(value, '`name`', at)?.text ?? '';
          break;
        case 'description': {
          const s = r.scalar(value, '`description`', at);
          if (s && s.value !== null) sc.description = String(s.value);
          break;
        }
        case 'hosts':
          sc.hosts = parseHosts(r, value, at);
          break;
        case 'links':
          sc.links = parseLinks(r, value, at);
          structural ||= d.errors.length > before;
          break;
        case 'listen':
          sc.listen = parseListen(r, value, at);
          break;
        case 'traffic':
          sc.traffic = parseTraffic(r, value, at);
          break;
        default:
          d.error(key, `${q(key.text)}: unknown key; a scenario has ${TOP.join(', ')}`);
      }
    }
    for (const k of REQUIRED) if (!seen.has(k)) d.error(r.pos(root), `the scenario needs \`${k}:\``);
    const before = d.errors.length;
    check(sc, d);
    structural ||= d.errors.slice(before).some((e) => sc.links.some((l) => l.pos.line === e.pos.line && l.pos.file === e.pos.file));
  } else structural = true;
  // a host's setup is applied up to its first error: what follows may depend on the broken line
  for (const h of sc.hosts) {
    const lines = (h.script ?? []).map((l) => l.pos.line);
    if (!lines.length) continue;
    const lo = lines.reduce((a, b) => Math.min(a, b));
    const hi = lines.reduce((a, b) => Math.max(a, b));
    const cut = d.errors.reduce((m, e) => (e.pos.file === file && e.pos.line >= lo && e.pos.line <= hi ? Math.min(m, e.pos.line) : m), Infinity);
    if (cut !== Infinity) h.setup = h.setup.filter((c) => c.pos.line < cut);
  }
  return done(!structural && sc.hosts.length > 0);
}

function sorted(errors: ScenarioError[]): ScenarioError[] {
  const errs = errors.map((e, i) => [e, i] as const);
  errs.sort(([a, i], [b, j]) => a.pos.line - b.pos.line || a.pos.col - b.pos.col || i - j);
  return errs.map(([e]) => e);
}

/**
 * The offset where YAML nesting first goes deeper than `max`, if it does: block levels by
 * indentation (and `- - ` compact lists), flow levels by brackets outside quotes and comments.
 * Checked before the `yaml` parser runs, whose recursion a deep enough file exhausts.
 */
export function tooDeep(text: string, max: number): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let off = 0;
  for (const line of text.split('\n')) {
    const start = off;
    off += line.length + 1;
    const body = line.trimStart();
    if (flow === 0) {
      if (body === '' || body.startsWith('#')) continue;
      const ind = line.length - body.length;
      while (indents.length && indents[indents.length - 1] >= ind) indents.pop();
      indents.push(ind);
      const dashes = /^(?:-[ \t]+)*/.exec(body)![0].split('-').length - 1;
      if (indents.length + dashes > max) return start + ind;
    }
    let quote = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") {
        if (flow > 0) quote = c;
      } else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) {
        break;
      } else if (c === '[' || c === '{') {
        if (++flow + indents.length > max) return start + i;
      } else if ((c === ']' || c === '}') && flow > 0) {
        flow--;
      }
    }
  }
  return undefined;
}

/**
 * Aliases are followed where they are used, so one anchored block aliased many times is read
 * many times: at most `maxAliasCount` alias uses, and their anchored text at most
 * `maxInputBytes` in all. (The `yaml` package has its own maxAliasCount, but only for toJS(),
 * which the scenario reader does not use.)
 */
function aliasesWithin(doc: Document.Parsed, src: Source, d: Diag, limits: InputLimits): boolean {
  let count = 0;
  let bytes = 0;
  let ok = true;
  visit(doc, {
    Alias(_, node) {
      count++;
      const target = node.resolve(doc);
      const r = target?.range;
      if (r) bytes += r[2] - r[0];
      const at = src.pos(node.range?.[0] ?? 0);
      if (count > limits.maxAliasCount) {
        d.error(at, `YAML: more than ${limits.maxAliasCount} aliases; ${raiseHint('maxAliasCount')}`);
      } else if (bytes > limits.maxInputBytes) {
        d.error(at, `YAML: the aliases expand to more than ${limits.maxInputBytes} characters; ${raiseHint('maxInputBytes')}`);
      } else return undefined;
      ok = false;
      return visit.BREAK;
    },
  });
  return ok;
}

/**
 * A YAML tag (`!!binary`, `!!int`, `!foo`) changes what a value is, or names a type the file's
 * reader does not know: every value of a scenario is plain text, so a tag is refused where it
 * stands rather than followed or ignored.
 */
function noTags(doc: Document.Parsed, src: Source, d: Diag): boolean {
  let ok = true;
  visit(doc, {
    Node(_, node) {
      if (!node.tag) return undefined;
      const at = tagOffset(src.text, node.range?.[0] ?? 0);
      d.error(src.pos(at), `YAML tag ${q(src.text.slice(at).split(/\s/, 1)[0] || node.tag)}: not modelled; a scenario's values are plain text, written without a tag`);
      ok = false;
      return undefined;
    },
  });
  return ok;
}

/** Where a node's tag is written: one of the (up to two: a tag and an anchor) words before the node. */
function tagOffset(text: string, nodeAt: number): number {
  let i = nodeAt;
  for (let words = 0; words < 2; words++) {
    while (i > 0 && /\s/.test(text[i - 1])) i--;
    const end = i;
    while (i > 0 && !/\s/.test(text[i - 1])) i--;
    if (text[i] === '!') return i;
    if (i === end) break;
  }
  return nodeAt;
}

/** Puts the fast path's traffic list where YAML would have, and the lines it covers into the line counter. */
function attachTraffic(doc: Document.Parsed, split: TrafficSplit, text: string, src: Source): void {
  for (let i = text.indexOf('\n', split.head.length); i >= 0; i = text.indexOf('\n', i + 1)) src.lines.addNewLine(i + 1);
  const root = doc.contents;
  if (!isMap(root)) return;
  const pair = root.items.find((p) => isScalar(p.key) && p.key.range?.[0] === split.keyAt);
  if (pair) pair.value = split.seq as unknown as typeof pair.value;
}

function parseHosts(r: Reader, node: unknown, at: Tok['pos']): HostSpec[] {
  const m = r.map(node, '`hosts`', at);
  if (!m) return [];
  return r.pairs(m, '`hosts`').map(({ key, value }) => {
    const bad = hostname(key.text);
    if (bad) r.d.error(key, bad);
    const host: HostSpec = { name: key.text, pos: key.pos, setup: [], script: [] };
    for (const line of scriptLines(r, value, key)) {
      host.script!.push({ argv: line.words.map((w) => w.text), text: line.text, pos: line.pos });
      host.setup.push(...parseSetupLine(line, r.d));
    }
    return host;
  });
}

/** A host's setup: a block scalar (`|`), a plain or quoted string, or a list of strings. */
function scriptLines(r: Reader, node: unknown, host: Tok): Line[] {
  if (r.isNull(node)) return [];
  const n = r.resolve(node);
  const items = isScalar(n) ? [n] : r.seq(n, `the setup of host ${q(host.text)}`, host.pos)?.items ?? [];
  const out: Line[] = [];
  for (const item of items) {
    if (r.isNull(item)) continue;
    const s = r.scalar(item, 'a setup line', host.pos);
    if (!s) continue;
    if (s.type === 'BLOCK_FOLDED') {
      r.d.error(r.pos(s), 'a setup script must be a literal block `|`: `>` folds its lines into one');
      continue;
    }
    // one by one: a spread of a very long script would overflow the stack
    for (const l of splitLines(r.mapped(s), r.src, r.d)) out.push(l);
  }
  return out;
}

/** `HOST:IF` → its two parts, each with its own column. */
export function hostIf(r: Reader, t: Tok): LinkEnd | undefined {
  const colon = t.text.indexOf(':');
  if (colon <= 0 || colon === t.text.length - 1) {
    r.d.error(t, `${q(t.text)}: expected HOST:IFNAME, like client:eth0`);
    return undefined;
  }
  const end = { host: subTok(t, 0, colon), ifname: subTok(t, colon + 1) };
  const bad = ifname(end.ifname.text);
  if (bad) {
    r.d.error(end.ifname, bad);
    return undefined;
  }
  return end;
}

function words(r: Reader, node: unknown, what: string, at: Tok['pos']): Line | undefined {
  const s = r.scalar(node, what, at);
  if (!s) return undefined;
  const line = s.value === null ? undefined : splitWords(r.mapped(s), r.src, r.d);
  if (!line) r.d.error(r.pos(s.range ? s : node), `${what} must not be empty`);
  return line;
}

function parseLinks(r: Reader, node: unknown, at: Tok['pos']): LinkSpec[] {
  if (r.isNull(node)) return [];
  const out: LinkSpec[] = [];
  for (const item of r.seq(node, '`links`', at)?.items ?? []) {
    const line = words(r, item, 'a link', r.pos(item));
    if (!line) continue;
    const [wa, wb, wk, extra] = line.words;
    if (!wb) {
      r.d.error(wa, `${q(line.text)}: a link joins two ends: \`HOST:IF HOST:IF [veth|nic]\``);
      continue;
    }
    if (extra) r.d.error(extra, `${q(extra.text)}: unexpected word; a link is \`HOST:IF HOST:IF [veth|nic]\``);
    if (wk && wk.text !== 'veth' && wk.text !== 'nic') r.d.error(wk, `${q(wk.text)}: unknown link kind; expected veth or nic`);
    const a = hostIf(r, wa);
    const b = hostIf(r, wb);
    if (a && b && !extra) out.push({ pos: wa.pos, a, b, kind: wk?.text === 'nic' ? 'nic' : 'veth' });
  }
  return out;
}

function parseListen(r: Reader, node: unknown, at: Tok['pos']): ListenSpec[] {
  if (r.isNull(node)) return [];
  const out: ListenSpec[] = [];
  for (const item of r.seq(node, '`listen`', at)?.items ?? []) {
    const m = r.map(item, 'a listen entry (`- HOST: udp|tcp [ADDR:]PORT`)', r.pos(item));
    if (!m) continue;
    const pairs = r.pairs(m, 'a listen entry');
    if (pairs.length !== 1) {
      if (pairs.length > 1) r.d.error(pairs[1].key, 'one socket per entry: `- HOST: udp|tcp [ADDR:]PORT`');
      continue;
    }
    const [{ key: host, value }] = pairs;
    const line = words(r, value, `the socket of ${q(host.text)}`, host.pos);
    if (line) {
      const l = listenLine(r, host, line);
      if (l) out.push(l);
    }
  }
  return out;
}

function listenLine(r: Reader, host: Tok, line: Line): ListenSpec | undefined {
  const [p, ap, ...rest] = line.words;
  if (p.text !== 'udp' && p.text !== 'tcp') return void r.d.error(p, `${q(p.text)}: expected udp or tcp`);
  if (!ap) return void r.d.error(p, `${q(p.text)} needs a port: \`${p.text} [ADDR:]PORT\``);
  // `[::]:PORT` or `[IPV6]:PORT`: an AF_INET6 socket; UDP's and TCP's take IPV6_V6ONLY from
  // net.ipv6.bindv6only (a dual-stack listener by default)
  const v6 = ap.text.startsWith('[');
  const a = v6 ? tokAddrPort6(ap, r.d) : tokAddrPort(ap, r.d, true);
  if (!a) return undefined;
  const l: ListenSpec = { pos: host.pos, host, proto: p.text, addr: a.addr?.text ?? '0.0.0.0', port: a.port };
  for (let i = 0; i < rest.length; i += 2) {
    const [kw, arg] = [rest[i], rest[i + 1]];
    if (v6) return void r.d.error(kw, `${q(kw.text)}: rcvbuf and connect are not modelled for an IPv6 listener yet`);
    if (kw.text !== 'rcvbuf' && kw.text !== 'connect') return void r.d.error(kw, `${q(kw.text)}: unknown keyword; expected rcvbuf N or connect ADDR:PORT`);
    if (!arg) return void r.d.error(kw, `${q(kw.text)} needs ${kw.text === 'rcvbuf' ? 'a size in bytes' : 'ADDR:PORT'}`);
    if (kw.text === 'rcvbuf') {
      l.rcvbuf = tokUint(arg, r.d, 1, 0x7fffffff, 'rcvbuf');
      if (l.rcvbuf === undefined) return undefined;
    } else {
      if (p.text === 'tcp') return void r.d.error(kw, 'a listening TCP socket does not connect; `connect` is for udp');
      const c = tokAddrPort(arg, r.d, false);
      if (!c) return undefined;
      l.connect = { addr: c.addr!.text, port: c.port };
    }
  }
  return l;
}

const WAIT_UNITS: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

function parseTraffic(r: Reader, node: unknown, at: Tok['pos']): TrafficItem[] {
  if (r.isNull(node)) return [];
  const out: TrafficItem[] = [];
  for (const item of r.seq(node, '`traffic`', at)?.items ?? []) {
    const m = r.map(item, 'a traffic item ({from, send}, {into, send} or {wait})', r.pos(item));
    if (!m) continue;
    const pos = r.pos(m);
    const kv = new Map(r.pairs(m, 'a traffic item').map((p) => [p.key.text, p]));
    if (kv.has('pcap')) {
      const it = parsePcapItem(r, kv, pos);
      if (it) out.push(it);
      continue;
    }
    const unknown = [...kv.values()].find((p) => !['from', 'into', 'send', 'wait', 'at'].includes(p.key.text));
    if (unknown) {
      r.d.error(unknown.key, `${q(unknown.key.text)}: unknown key; a traffic item has from+send, into+send or wait, and optionally at`);
      continue;
    }
    const [from, into, send, wait, atKv] = ['from', 'into', 'send', 'wait', 'at'].map((k) => kv.get(k));
    const prev = out.length ? out[out.length - 1] : undefined;
    const at = atKv && atOffset(r, atKv.value, atKv.key, prev, !!wait);
    if (atKv && at === undefined) continue;
    if (wait) {
      const other = from ?? into ?? send;
      if (other) r.d.error(other.key, '`wait` stands alone in its item');
      const w = r.tok(wait.value, '`wait`', wait.key.pos);
      const ns = w && waitNs(r, w);
      if (ns !== undefined && !other) out.push({ kind: 'wait', pos, ns });
      continue;
    }
    if (from && into) {
      r.d.error(into.key, 'an item has either `from` (sent by a host) or `into` (arrives from the wire), not both');
      continue;
    }
    const head = from ?? into;
    if (!head) {
      r.d.error(pos, 'a traffic item needs `from: HOST` or `into: HOST:IF` (with `send`), or `wait`');
      continue;
    }
    if (!send) {
      r.d.error(head.key, '`send:` is missing: what is sent?');
      continue;
    }
    const who = r.tok(head.value, q(head.key.text), head.key.pos);
    const line = words(r, send.value, '`send`', send.key.pos);
    if (!who || !line) continue;
    const raw = line.text;
    if (from) {
      const s = parseLocalSend(line.words, r.d, send.key);
      if (s) out.push({ kind: 'local', pos, from: who, send: s, raw, ...(at !== undefined && { at }) });
    } else {
      const end = hostIf(r, who);
      const s = parseWireSend(line.words, r.d, send.key);
      if (s && end) out.push({ kind: 'wire', pos, host: end.host, ifname: end.ifname, send: s, raw, ...(at !== undefined && { at }) });
    }
  }
  return out;
}

/** the longest `at:` offset: longer than any timer a datagram or a connection waits on */
const MAX_AT_NS = 3600e9;

/**
 * `at: +DURATION` (0 allowed: right after the previous item, without settling). Only between
 * two sends: a `wait` is itself time, and the first item has nothing to be relative to.
 */
function atOffset(r: Reader, node: unknown, key: Tok, prev: TrafficItem | undefined, onWait: boolean): number | undefined {
  const w = r.tok(node, '`at`', key.pos);
  if (!w) return undefined;
  if (onWait) return void r.d.error(key, '`at` is for a send; a `wait` item is already time that passes');
  if (!prev) return void r.d.error(key, '`at` times an item after the previous one; the first item has none (it starts when the setup has settled)');
  if (prev.kind === 'wait') return void r.d.error(key, '`at` right after a `wait` has nothing to be relative to: put the time in the wait');
  if (!w.text.startsWith('+')) return void r.d.error(w, `${q(w.text)}: \`at\` is relative to the previous item's start: write it with a plus, like +5ms`);
  const m = /^\+(\d+(?:\.\d+)?)(s|ms|us|ns)$/.exec(w.text);
  if (!m) return void r.d.error(w, `${q(w.text)}: expected +DURATION with a unit: +5ms, +0ms, +1s, +200us`);
  const ns = Math.round(Number(m[1]) * WAIT_UNITS[m[2]]);
  if (!(ns <= MAX_AT_NS)) return void r.d.error(w, `${q(w.text)}: at most +3600s (an hour) after the previous item`);
  return ns;
}

function waitNs(r: Reader, w: Tok): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|ms|us|ns)$/.exec(w.text);
  if (!m) return void r.d.error(w, `${q(w.text)}: expected a duration with a unit: 31s, 500ms, 2us, 10ns`);
  const ns = Math.round(Number(m[1]) * WAIT_UNITS[m[2]]);
  if (ns <= 0 || !Number.isSafeInteger(ns)) return void r.d.error(w, `${q(w.text)}: the duration must be positive and at most ~104 days`);
  return ns;
}
