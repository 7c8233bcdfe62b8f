// The statements and verdicts of an nft rule, one parser per keyword of the table in
// nft_rule.ts: counter, log, notrack, the verdicts, jump/goto, queue, reject, the NAT
// statements, limit and comment.
import type { Expr, ListedItem, RejectHow } from '../../model/net/netfilter/nf_tables';
import { ICMP_CODES } from './nft_header_fields';
import { hookCtxOf } from '../../model/net/netfilter/nft_hook_ctx';
import { ICMPV6_REJECT_CODES } from './nft_ip6_match';
import { ScenarioError } from '../types';
import type { NTok } from './lex';
import * as X from './exprs';
import { IPPROTO_TCP } from '../../model/proto/ipv4';
import { NftCursor, q } from './nft_cursor';
import { inet4, inet6, type InetAddr } from '../../model/proto/inet_addr';
import { parseIpv6 } from '../../trace/ipv6';
import { mapAhead } from './nft_datamap';
import { natMapStmt } from './nft_natmap';
import { prefixLenOf, prefixRange } from './values';

/** What one keyword's parser made: its expressions, and whether it ends the rule with a verdict. */
export interface Item {
  exprs: Expr[];
  verdict?: boolean;
  /**
   * Dependencies nft puts at the head of the rule rather than before the item (nft 1.0.6's
   * stmt_reject_gen_dependency: "otherwise we'd log things that won't be rejected"), each with
   * the match it lists as.
   */
  head?: { expr: Expr; listed: ListedItem }[];
  /** the item's listed form where it depends on the rule before it (reject's family), not on its tokens alone */
  listed?: string;
}
export type ItemParser = (p: NftCursor, kw: NTok) => Item;

const E = (e: Expr | Expr[]): Item => ({ exprs: Array.isArray(e) ? e : [e] });
const V = (e: Expr): Item => ({ exprs: [e], verdict: true });

export function counterItem(p: NftCursor): Item {
  if (p.is('packets')) {
    p.next();
    const pk = p.num(p.word('a number'), 0, Number.MAX_SAFE_INTEGER);
    p.expect('bytes');
    const by = p.num(p.word('a number'), 0, Number.MAX_SAFE_INTEGER);
    p.counter = { packets: pk, bytes: by };
  }
  return E(X.counterStmt(''));
}

export function logItem(p: NftCursor, kw: NTok): Item {
  let prefix = '';
  let audit = false;
  let options = 0;
  let level: NTok | null = null;
  let flags: NTok | null = null;
  let group: number | null = null;
  while (p.is('prefix') || p.is('level') || p.is('flags') || p.is('group') || p.is('snaplen') || p.is('queue-threshold')) {
    const k = p.next();
    options++;
    if (k.text === 'group') group = p.num(p.word('a group number'), 0, 0xffffffff) & 0xffff;
    else if (k.text === 'snaplen') p.num(p.word('a length'), 0, 0xffffffff);
    else if (k.text === 'queue-threshold') p.num(p.word('a number'), 0, 0xffff);
    else if (k.text === 'prefix') prefix = p.word('a prefix string').text;
    else if (k.text === 'level') {
      const l = p.word('a log level');
      if (!['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug', 'audit'].includes(l.text)) p.fail(l, `unknown log level ${q(l.text)}`);
      if (l.text === 'audit') audit = true;
      level = k;
    } else {
      // the flags are refused below; nft's own refusal comes first when a group is in the statement too
      const rest = p.toks.slice(p.i);
      const end = rest.findIndex((t) => t.kind === 'nl' || t.kind === 'eof' || t.text === ';' || t.text === '}');
      if (group !== null || (end < 0 ? rest : rest.slice(0, end)).some((t) => t.kind === 'word' && t.text === 'group')) p.fail(kw, 'flags and group are mutually exclusive');
      flags = k;
      break;
    }
  }
  // nft 1.0.6 (evaluate.c stmt_evaluate_log): a group sends the packet to nfnetlink_log, which
  // takes no level or flags
  if (group !== null && level) p.fail(kw, 'level and group are mutually exclusive');
  if (group !== null && flags) p.fail(kw, 'flags and group are mutually exclusive');
  // the flags add fields to the line (SEQ=/ACK=, OPT (…), UID=/GID=, MACSRC=…) that
  // nf_log_ip_packet and nf_log_ip6_packet are not modelled with: refused rather than ignored
  if (flags) p.fail(flags, 'log flags are not modelled (the log line is modelled with the default flags)');
  // level audit sends an audit record, which carries no prefix or flags (nft refuses them)
  if (audit && options > 1) p.fail(kw, "log level audit doesn't support any further options");
  // an audit record (nft_log_eval_audit) instead of a kernel log line is not modelled
  if (audit) p.fail(kw, 'log level audit (an audit record instead of a log line) is not modelled');
  if (group !== null) {
    // NF_LOG_TYPE_ULOG: nfulnl_log_packet hands the packet to the program bound to the group;
    // the model has no such program, so nothing is sent and the rule goes on (as iptables' NFLOG)
    const g = group;
    return E({
      text: '',
      v6: true,
      eval: (x) => {
        x.net.step(x.p.skb, 'L3', 'nfulnl_log_packet', 'net/netfilter/nfnetlink_log.c', x.net.full ? `log group ${g}: no program listens on nflog group ${g} (instance_lookup_get finds none), so nothing is logged and the rule goes on.` : '', { hook: hookCtxOf(x, 'NFT_CONTINUE') });
        return true;
      },
    });
  }
  return E({ ...X.logStmt('', prefix), v6: true });
}

export const notrackItem: ItemParser = () => E({ ...X.notrackStmt(''), needsCt: false });
export const acceptItem: ItemParser = () => V(X.verdictStmt('', { code: 'NF_ACCEPT' }));
export const dropItem: ItemParser = () => V(X.verdictStmt('', { code: 'NF_DROP' }));
export const continueItem: ItemParser = () => V(X.verdictStmt('', { code: 'NFT_CONTINUE' }));
export const returnItem: ItemParser = () => V(X.verdictStmt('', { code: 'NFT_RETURN' }));

export function jumpItem(p: NftCursor, t: NTok): Item {
  const target = p.name('a chain name');
  p.checks.push((_e, c) => {
    const to = c.table.chains.get(target.text);
    if (!to) throw new ScenarioError(`Could not process rule: No such file or directory: chain ${target.text} does not exist in table ${c.table.family} ${c.table.name}`, target.pos);
    if (to.base) throw new ScenarioError(`Could not process rule: Operation not supported: ${t.text} to base chain ${target.text}`, target.pos);
  });
  return V({ text: `${t.text} ${target.text}`, jumpTo: target.text, eval: () => ({ code: t.text === 'jump' ? 'NFT_JUMP' : 'NFT_GOTO', chain: target.text }) });
}

export function queueItem(p: NftCursor): Item {
  let num = 0;
  let bypass = false;
  while (p.is('num') || p.is('bypass') || p.is('flags') || p.is('to') || p.is('fanout')) {
    const k = p.next();
    if (k.text === 'num' || k.text === 'to') num = p.num(p.word('a queue number'), 0, 65535);
    else if (k.text === 'bypass') bypass = true;
    else if (k.text === 'flags') {
      const f = p.word('bypass');
      if (f.text !== 'bypass') p.fail(f, `queue flag ${q(f.text)} is not modelled`);
      bypass = true;
    } else p.fail(k, 'queue fanout is not modelled');
  }
  return V(X.queueStmt('', num, bypass));
}

/**
 * The network family an inet rule fixed before its reject (nft 1.0.6's stmt_evaluate_reject_inet_family
 * reads it from the proto context, see NftCursor.l3Said). nft refuses an icmp reject for IPv6
 * and an icmpv6 one for IPv4 with the same words either way ("ip vs ip6"); `meta l4proto icmp`
 * alone fixes no family, so it does not count.
 */
function rejectFamilyOf(p: NftCursor): 'ipv4' | 'ipv6' | null {
  return p.ruleFamily === 'inet' ? p.l3Said : null;
}

export function rejectItem(p: NftCursor, kw: NTok): Item {
  // plain reject: icmp port-unreachable in an ip table, icmpv6 port-unreachable in an ip6 one,
  // and icmpx port-unreachable (NFT_REJECT_ICMPX_UNREACH) in an inet one, mapped per packet
  let how: RejectHow = p.ruleFamily === 'ip6' ? { icmp6Code: 4 } : p.ruleFamily === 'inet' ? { icmpCode: 3, icmpx: 1 } : { icmpCode: 3 };
  let l3: 'ipv4' | 'ipv6' | undefined;
  let kind: 'plain' | 'tcp' | 'icmpx' | 'icmp' | 'icmpv6' = 'plain';
  if (p.is('with')) {
    p.next();
    const k = p.word('icmp, icmpv6, icmpx or tcp');
    if (k.text === 'tcp') {
      p.expect('reset');
      how = { tcpReset: true };
      kind = 'tcp';
    } else if (k.text === 'icmpx') {
      if (p.is('type')) p.next();
      const n = p.word('an ICMPx unreachable type');
      // nft 1.0.6 refuses icmpx outside inet (and bridge/netdev) tables: an ip or ip6 table knows its family
      if (p.ruleFamily !== 'inet') p.fail(n, 'abstracted ICMP unreachable not supported');
      const v4 = [0, 3, 1, 13];
      // a number is the NFT_REJECT_ICMPX_* code itself; nft_reject_init refuses one above
      // NFT_REJECT_ICMPX_MAX (3) with EINVAL (v6.12 net/netfilter/nft_reject.c)
      const x = /^\d+$/.test(n.text) ? p.num(n, 0, 255) : ICMPX_NAMES.indexOf(n.text);
      if (x < 0) p.fail(n, `unknown reject type ${q(n.text)} (${ICMPX_NAMES.join(', ')})`);
      if (x > 3) p.fail(kw, 'Could not process rule: Invalid argument (an icmpx code above 3, NFT_REJECT_ICMPX_MAX)');
      how = { icmpCode: v4[x], icmpx: x };
      kind = 'icmpx';
    } else if (k.text === 'icmp') {
      if (p.ruleFamily === 'ip6') p.fail(k, 'conflicting protocols specified: ip6 vs. ip (reject with icmp in an ip6 table)');
      if (p.is('type')) p.next();
      const n = p.word('an ICMP unreachable type');
      // nft's icmp_code_type: the names of its table (frag-needed too) or a number
      const code = Object.hasOwn(ICMP_CODES, n.text) ? ICMP_CODES[n.text] : /^\d+$/.test(n.text) ? p.num(n, 0, 255) : undefined;
      if (code === undefined) p.fail(n, `unknown reject type ${q(n.text)} (${Object.keys(ICMP_CODES).join(', ')})`);
      if (rejectFamilyOf(p) === 'ipv6') p.fail(n, 'conflicting protocols specified: ip vs ip6 (the rule matches IPv6 packets only)');
      how = { icmpCode: code };
      l3 = 'ipv4';
      kind = 'icmp';
    } else if (k.text === 'icmpv6') {
      if (p.ruleFamily === 'ip') p.fail(k, 'conflicting protocols specified: ip vs. ip6 (reject with icmpv6 in an ip table)');
      if (p.is('type')) p.next();
      const n = p.word('an ICMPv6 unreachable type');
      const code = Object.hasOwn(ICMPV6_REJECT_CODES, n.text) ? ICMPV6_REJECT_CODES[n.text] : /^\d+$/.test(n.text) ? p.num(n, 0, 255) : undefined;
      if (code === undefined) p.fail(n, `unknown reject type ${q(n.text)} (${Object.keys(ICMPV6_REJECT_CODES).join(', ')})`);
      if (rejectFamilyOf(p) === 'ipv4') p.fail(n, 'conflicting protocols specified: ip vs ip6 (the rule matches IPv4 packets only)');
      how = { icmp6Code: code };
      l3 = 'ipv6';
      kind = 'icmpv6';
    } else p.fail(k, `reject with ${k.text}: expected icmp, icmpv6, icmpx or tcp reset`);
  }
  const listed = rejectListed(p, kind, how);
  if (how.tcpReset) {
    if (p.l4 && p.l4.names.some((n) => n !== 'tcp')) p.fail(kw, 'you cannot use tcp reset with this protocol');
    // with no protocol fixed yet, nft puts the dependency `meta l4proto tcp` at the head of the
    // rule, so nothing before the reject (a counter, a log) sees other protocols (nf_send_reset
    // for IPv4, nf_send_reset6 for IPv6: nft_reject_inet.c picks by the packet's family)
    const head = p.l4 ? [] : [{ expr: { ...X.matchNum('meta l4proto tcp', X.field.l4proto, '==', [[IPPROTO_TCP, IPPROTO_TCP]], X.showProto), v6: true }, listed: { text: 'meta l4proto tcp', numeric: `meta l4proto ${IPPROTO_TCP}` } }];
    return { exprs: [{ ...X.rejectStmt('', how), v6: true }], verdict: true, head, listed };
  }
  // an icmp or icmpv6 reject in an inet table whose family nothing fixed before it: nft puts
  // `meta nfproto ipv4|ipv6` at the head of the rule, and a packet of the other family ends the
  // rule there (the engine's Expr.l3 check, before any statement of the rule runs)
  const head =
    p.ruleFamily === 'inet' && l3 && !p.l3Said
      ? [{ expr: { text: `meta nfproto ${l3}`, eval: () => true, l3, v6: true }, listed: { text: `meta nfproto ${l3}` } }]
      : [];
  return { exprs: [{ ...X.rejectStmt('', how), v6: true, ...(l3 && { l3 }) }], verdict: true, head, listed };
}

/** NFT_REJECT_ICMPX_* by value */
const ICMPX_NAMES = ['no-route', 'port-unreachable', 'host-unreachable', 'admin-prohibited'];

/**
 * The reject as nft 1.0.6 lists it: its table's default (icmp port-unreachable in ip, icmpv6
 * port-unreachable in ip6, icmpx port-unreachable in inet) as plain `reject`; in an inet table a
 * plain reject after a match that fixed the family is the family's ICMP reject
 * (NFT_REJECT_ICMP_UNREACH), listed with it; codes by the names of nft's tables.
 */
function rejectListed(p: NftCursor, kind: 'plain' | 'tcp' | 'icmpx' | 'icmp' | 'icmpv6', how: RejectHow): string {
  const name = (table: Record<string, number>, c: number): string => Object.keys(table).find((n) => table[n] === c) ?? String(c);
  const icmp = (c: number): string => `reject with icmp ${name(ICMP_CODES, c)}`;
  const icmp6 = (c: number): string => `reject with icmpv6 ${name(ICMPV6_REJECT_CODES, c)}`;
  if (kind === 'tcp') return 'reject with tcp reset';
  if (p.ruleFamily === 'ip') return how.icmpCode === 3 ? 'reject' : icmp(how.icmpCode!);
  if (p.ruleFamily === 'ip6') return how.icmp6Code === 4 ? 'reject' : icmp6(how.icmp6Code!);
  if (kind === 'icmpx') return how.icmpx === 1 ? 'reject' : `reject with icmpx ${ICMPX_NAMES[how.icmpx!]}`;
  if (kind === 'icmp') return icmp(how.icmpCode!);
  if (kind === 'icmpv6') return icmp6(how.icmp6Code!);
  return p.l3Said === 'ipv4' ? icmp(3) : p.l3Said === 'ipv6' ? icmp6(4) : 'reject';
}

export const natItemV: ItemParser = (p, kw) => V(natItem(p, kw));
export const limitItemE: ItemParser = (p, kw) => E(limitItem(p, kw));

export function commentItem(p: NftCursor): Item {
  p.word('a comment string');
  return { exprs: [] };
}

export function natItem(p: NftCursor, kw: NTok): Expr {
  const kind = kw.text as 'snat' | 'dnat' | 'masquerade' | 'redirect';
  let addr: number | InetAddr | null = null;
  let ports: X.Range | null = null;
  let max: InetAddr | undefined;
  // the family of the statement (nft_nat's NFTA_NAT_FAMILY): in an inet table, `ip`/`ip6` or the
  // rule's ip match before it; an ip or ip6 table's own otherwise
  let fam: 'ipv4' | 'ipv6' | null = p.ruleFamily === 'ip6' ? 'ipv6' : p.ruleFamily === 'ip' ? 'ipv4' : null;
  if (kind === 'snat' || kind === 'dnat') {
    const family = p.is('ip') || p.is('ip6') ? p.next() : null;
    if (family?.text === 'ip' && p.ruleFamily === 'ip6') p.fail(family, 'conflicting protocols specified: ip6 vs. ip (an ip6 table sees IPv6 packets only)');
    if (family?.text === 'ip6' && p.ruleFamily === 'ip') p.fail(family, 'conflicting protocols specified: ip vs. ip6 (an ip table sees IPv4 packets only)');
    if (family) fam = family.text === 'ip6' ? 'ipv6' : 'ipv4';
    // `snat ip prefix to …`: nft's NF_NAT_RANGE_NETMAP, one prefix mapped onto another
    if (p.is('prefix')) p.fail(p.peek(), `${kind} prefix (NF_NAT_RANGE_NETMAP: a prefix mapped onto a prefix) is not modelled`);
    else if (p.ruleFamily === 'inet' && p.l3Known) fam = 'ipv4';
    // nf_nat in an inet table must know the address family: nft takes it from `ip` here or an ip match before
    if (!fam) p.fail(kw, 'ip or ip6 must be specified with address for inet tables.');
    p.expect('to', `${q('to')} and an address`);
    const e = p.peek();
    // a NAT map's data are IPv4 addresses here: nft 1.0.6 refuses IPv4 data for ip6 NAT and the
    // IPv6 maps are not modelled, so an ip6 NAT map is refused whatever its elements
    if (mapAhead(p) && fam === 'ipv6') p.fail(e, `${kind} ${family ? `${family.text} ` : ''}to … map (a NAT map of IPv6 addresses) is not modelled`);
    if (mapAhead(p)) return natMapStmt(p, kw, kind);
    if (e.kind === 'word' && ['numgen', 'jhash', 'symhash'].includes(e.text)) p.fail(e, `${kind} to ${e.text} without a map is not modelled`);
    if (e.kind === 'word' && /^[a-z]/.test(e.text) && !(fam === 'ipv6' && /^[a-f0-9:]+$/.test(e.text))) p.fail(e, `${kind} to ${e.text} … (addresses from this expression) is not modelled`);
    if (fam === 'ipv6') {
      const r = nat6Target(p);
      addr = r.addr;
      ports = r.ports;
      max = r.max;
    } else {
      const v = p.word('an address');
      // ADDR/LEN is the range of the prefix (nft 1.0.6 loads addr_min and addr_max; no port may
      // follow); ADDR-ADDR is an address range (nft_nat's NFTA_NAT_REG_ADDR_MAX): find_best_ips_proto picks from either
      const pre = /^([\d.]+)\/(\d+)$/.exec(v.text);
      const m = /^([\d.]+)(?:-([\d.]+))?(?::(\d+)(?:-(\d+))?)?$/.exec(v.text);
      if (pre) {
        const plen = prefixLenOf(pre[2]) ?? p.fail(v, `${q(v.text)}: bad prefix length`);
        const [lo, hi] = prefixRange(p.addrOf(v, pre[1]), plen);
        addr = lo;
        if (hi !== lo) max = inet4(hi);
      } else if (!m) p.fail(v, `${q(v.text)}: expected ADDR, ADDR/LEN, ADDR-ADDR, ADDR:PORT or ADDR:PORT-PORT`);
      else {
        addr = p.addrOf(v, m[1]);
        if (m[2] !== undefined) {
          const hi = p.addrOf(v, m[2]);
          if (hi < (addr as number)) p.fail(v, 'Range has zero or negative size');
          if (hi !== addr) max = inet4(hi);
        }
        if (m[3]) {
          const off = m[1].length + (m[2] !== undefined ? m[2].length + 1 : 0) + 1;
          needTransport(p, v, off);
          ports = [p.portOf(v, m[3]), m[4] ? p.portOf(v, m[4]) : p.portOf(v, m[3])];
        }
      }
    }
  } else if (p.is('to')) {
    p.next();
    const v = p.word('a port');
    const m = /^:?(\d+)(?:-(\d+))?$/.exec(v.text);
    if (!m) p.fail(v, `${q(v.text)}: expected :PORT or :PORT-PORT`);
    needTransport(p, v, v.text.startsWith(':') ? 1 : 0);
    ports = [p.portOf(v, m[1]), p.portOf(v, m[2] ?? m[1])];
  }
  let persistent = false;
  while (p.is('random') || p.is('persistent') || p.is('fully-random')) {
    const f = p.next();
    // persistent changes find_best_ips_proto's hash for an address range; with one
    // address the kernel's choice is the same; random ports are not modelled
    if (f.text !== 'persistent') p.fail(f, `nat flag ${f.text} is not modelled (the kernel picks the port at random)`);
    persistent = true;
  }
  if (p.is(',')) p.fail(p.peek(), 'nat flags are not modelled');
  natChecks(p, kw, kind);
  const e = X.natStmt(p.text(kw), kind, addr, ports, undefined, max || persistent ? { ...(max && { max }), persistent } : undefined);
  // masquerade is nft_masq_inet_eval (either family); snat/dnat of one family leave the other's
  // packets alone (nft_nat_inet_eval), which the implicit family match models (Expr.l3);
  // redirect is nft_redir_inet_eval (nf_nat_redirect_ipv4 or _ipv6 by the packet's family)
  return { ...e, v6: true, ...(fam && kind !== 'masquerade' && p.ruleFamily === 'inet' && { l3: fam, ctFamily: fam }) };
}

/** A NAT statement loads only into a nat chain of the hooks its kind is for. */
export function natChecks(p: NftCursor, kw: NTok, kind: 'snat' | 'dnat' | 'masquerade' | 'redirect'): void {
  const snatKind = kind === 'snat' || kind === 'masquerade';
  p.checks.push((_e, c) => {
    if (c.base && c.base.type !== 'nat') throw new ScenarioError(`Could not process rule: Operation not supported: ${kind} needs a chain of type nat (this one is type ${c.base.type})`, kw.pos);
    if (c.base) {
      const ok = snatKind ? c.base.hook === 'postrouting' || c.base.hook === 'input' : c.base.hook === 'prerouting' || c.base.hook === 'output';
      if (!ok) throw new ScenarioError(`Could not process rule: Operation not supported: ${kind} is for the ${snatKind ? 'postrouting and input' : 'prerouting and output'} hooks, not ${c.base.hook}`, kw.pos);
    }
  });
}

/**
 * The IPv6 target of `snat|dnat ip6 to`: ADDR, [ADDR]:PORT[-PORT] (nft's brackets around an
 * address followed by a port), or an address range ADDR-ADDR (nf_nat_core's find_best_ips_proto
 * chooses in it), or both, [LO]-[HI]:PORT[-PORT].
 */
function nat6Target(p: NftCursor): { addr: InetAddr; ports: X.Range | null; max?: InetAddr } {
  const first = p.peek();
  let text = '';
  // the lexer may cut `[2001:db8::1]:80` at the brackets and colons: join the tokens that touch
  let end = first.start;
  while (!p.atEnd() && p.peek().start === end) {
    const t = p.next();
    text += t.text;
    end = t.end;
  }
  const r = /^([0-9a-fA-F:.]+)-([0-9a-fA-F:.]+)$/.exec(text);
  if (r) return { ...addrRange6(p, first, r[1], r[2]), ports: null };
  // [ADDR]-[ADDR]:PORT[-PORT]: an address range with ports, both chosen as for either alone
  const rp = /^\[([0-9a-fA-F:.]+)\]-\[([0-9a-fA-F:.]+)\](?::(\d+)(?:-(\d+))?)?$/.exec(text);
  if (rp) return { ...addrRange6(p, first, rp[1], rp[2]), ports: natPorts6(p, first, rp[3], rp[4], rp[1].length + rp[2].length + 6) };
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+)(?:-(\d+))?)?$/.exec(text) ?? /^([0-9a-fA-F:.]+)$/.exec(text);
  if (!m) return p.fail(first, `${q(text)}: expected an IPv6 address, ADDR-ADDR, [ADDR]:PORT or [ADDR]-[ADDR]:PORT`);
  const a = parseIpv6(m[1]);
  if (!a) return p.fail(first, `${q(m[1])} is not an IPv6 address`);
  return { addr: inet6(a), ports: natPorts6(p, first, m[2], m[3], m[1].length + 3) };
}

/** `LO-HI` of an IPv6 NAT target: both addresses, LO not above HI (one nf_nat_range2's min and max). */
function addrRange6(p: NftCursor, first: NTok, loText: string, hiText: string): { addr: InetAddr; max: InetAddr } {
  const lo = parseIpv6(loText);
  const hi = parseIpv6(hiText);
  if (!lo) return p.fail(first, `${q(loText)} is not an IPv6 address`);
  if (!hi) return p.fail(first, `${q(hiText)} is not an IPv6 address`);
  const c = lo.findIndex((b, i) => b !== hi[i]);
  if (c >= 0 && lo[c] > hi[c]) p.fail(first, 'Range has zero or negative size');
  return { addr: inet6(lo), max: inet6(hi) };
}

/** `:PORT[-PORT]` after an IPv6 NAT target (`portAt`: where it starts, for needTransport's error), or none. */
function natPorts6(p: NftCursor, first: NTok, lo: string | undefined, hi: string | undefined, portAt: number): X.Range | null {
  if (!lo) return null;
  needTransport(p, first, portAt);
  const ports: X.Range = [p.portOf(first, lo), hi ? p.portOf(first, hi) : p.portOf(first, lo)];
  if (ports[1] < ports[0]) p.fail(first, 'Range has zero or negative size');
  return ports;
}

/** `limit rate [over] N[/]unit [burst M packets|bytes]`, N may be `N kbytes`/`N mbytes` for a byte rate. */
export function limitItem(p: NftCursor, kw: NTok): Expr {
  return X.limitExpr(p.text(kw), limitSpec(p, kw), p.net.w.sched.now);
}

/** The words after `limit` (in a rule or a `limit NAME { … }` object). */
export function limitSpec(p: NftCursor, kw: NTok): X.LimitSpec {
  p.expect('rate');
  let over = false;
  if (p.is('over')) {
    p.next();
    over = true;
  } else if (p.is('until')) p.next();
  const UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };
  const BYTES: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 * 1024 };
  let t = p.word('a rate (N/second)');
  const m = /^(\d+)(?:\/(\w+))?$/.exec(t.text);
  if (!m) p.fail(t, `${q(t.text)}: expected N/second, N/minute, N/hour, N/day or N kbytes/second`);
  const n = Number(m[1]);
  if (n === 0) p.fail(t, 'Could not process rule: Invalid argument: the rate is 0');
  let bytes = false;
  let rate = n;
  let mult = 1;
  let unitWord = m[2];
  if (!unitWord) {
    t = p.word('a unit (/second, or bytes/second, kbytes/second, mbytes/second)');
    const b = /^(\w+)?\/(\w+)$/.exec(t.text);
    if (b && b[1] && b[1] in BYTES) {
      bytes = true;
      mult = BYTES[b[1]];
      rate = n * mult;
      unitWord = b[2];
    } else if (b && !b[1]) unitWord = b[2];
    else p.fail(t, `${q(t.text)}: expected /second or kbytes/second (bytes, kbytes, mbytes)`);
  }
  if (!(unitWord! in UNITS)) p.fail(t, `unknown time unit ${q(unitWord!)} (second, minute, hour, day, week)`);
  let burst = 0;
  if (p.is('burst')) {
    p.next();
    const bt = p.word('a burst');
    burst = p.num(bt, 0, 0xffffffff);
    const u = p.word(bytes ? 'bytes, kbytes or mbytes' : 'packets');
    if (bytes) {
      if (!(u.text in BYTES)) p.fail(u, `a byte rate's burst is in bytes, kbytes or mbytes, not ${q(u.text)}`);
      burst *= BYTES[u.text];
    } else if (u.text !== 'packets') p.fail(u, `a packet rate's burst is in packets, not ${q(u.text)}`);
  }
  if (limitOverflows(BigInt(m[1]) * BigInt(mult), UNITS[unitWord!], burst, bytes)) p.fail(kw, 'Could not process rule: Value too large for defined data type');
  return { rate, unit: UNITS[unitWord!], burst, bytes, over };
}

const U64 = (1n << 64n) - 1n;

/**
 * v6.12 nft_limit_init's u64 arithmetic, each step refused with -EOVERFLOW when it wraps: unit in
 * ns, rate + burst, and the bucket size (packets: ns/rate · burst; bytes: ns · (rate + burst)).
 */
export function limitOverflows(rate: bigint, unit: number, burst: number, bytes: boolean): boolean {
  const nsecs = BigInt(unit) * 1_000_000_000n;
  const b = BigInt(bytes ? burst : burst || 5);
  if (rate + b > U64) return true;
  return bytes ? nsecs * (rate + b) > U64 : (nsecs / rate) * b > U64;
}

/** A port in a NAT statement needs a transport protocol fixed before it (nft's words). */
function needTransport(p: NftCursor, v: NTok, off: number): void {
  if (!p.l4) throw new ScenarioError('transport protocol mapping is only valid after transport protocol match', { ...v.pos, col: v.pos.col + off });
}
