// An nft rule: a sequence of matches and statements, each started by a keyword. The keyword
// table below has one entry per keyword, so adding a construct is adding an entry (and its
// parser in nft_match.ts or nft_stmt.ts); a keyword the model knows but does not model has an
// entry that refuses it with its name.
import type { Expr, ListedItem, NfFamily, Rule } from '../../model/net/netfilter/nf_tables';
import { canonItem, listedRule } from './nft_canon';
import type { NTok } from './lex';
import { NftCursor, q, type Check } from './nft_cursor';
import { ctMatch, icmpMatch, ipMatch, l4Match, metaItem } from './nft_match';
import { headerMatch, rawPayloadMatch } from './nft_header_match';
import { icmpv6Match, ip6Match } from './nft_ip6_match';
import { sctpChunkMatch, tcpOptionMatch } from './nft_exthdr_match';
import { exthdrField, exthdrPresence, isRtExthdr } from './nft_exthdr6_match';
import { quotaItem } from './nft_quota';
import { concatAhead, concatMatch } from './nft_concat';
import { acceptItem, commentItem, continueItem, counterItem, dropItem, jumpItem, limitItemE, logItem, natItemV, notrackItem, queueItem, rejectItem, returnItem, type Item, type ItemParser } from './nft_stmt';
import { numgenItem } from './nft_numgen';
import { jhashItem } from './nft_hash';
import { dynsetItem } from './nft_dynset';
import { objrefItem } from './nft_objects';

const E = (e: Expr | Expr[]): Item => ({ exprs: Array.isArray(e) ? e : [e] });

const notModelled: ItemParser = (p, t) => p.fail(t, `${q(t.text)} is not modelled`);
const notIpv4: ItemParser = (p, t) => p.fail(t, `${q(t.text)}: the model is IPv4 only (and has no ${t.text} matches)`);
const noHeader: ItemParser = (p, t) => p.fail(t, `${q(t.text)} headers are not modelled (tcp, udp, icmp are)`);
/** a meta key written without `meta` (iifname, mark, …) */
const bareMeta: ItemParser = (p, t) => E(metaItem(p, t, t));

/** keyword → its parser */
export const ITEMS: Record<string, ItemParser> = {
  ip: (p, t) => {
    if (p.ruleFamily === 'ip6') p.fail(t, 'conflicting protocols specified: ip6 vs. ip (an ip6 table sees IPv6 packets only)');
    if (p.l3Said === 'ipv6') p.fail(t, 'conflicting protocols specified: ip6 vs. ip');
    p.l3Said = 'ipv4';
    // nft's dependency in an inet table (meta nfproto ipv4): an IPv6 packet breaks the rule here
    return E({ ...headerMatch(p, t, { keys: ['saddr', 'daddr', 'protocol', 'ttl', 'length'], parse: ipMatch }), l3: 'ipv4' });
  },
  tcp: (p, t) => E(p.is('option') ? tcpOptionMatch(p, t) : headerMatch(p, t, { keys: ['sport', 'dport', 'flags'], parse: l4Match })),
  udp: (p, t) => E(headerMatch(p, t, { keys: ['sport', 'dport'], parse: l4Match })),
  th: (p, t) => E(l4Match(p, t)),
  icmp: (p, t) => E(headerMatch(p, t, { keys: ['type'], parse: icmpMatch })),
  sctp: (p, t) => E(p.is('chunk') ? sctpChunkMatch(p, t) : headerMatch(p, t)),
  dccp: (p, t) => E(headerMatch(p, t)),
  udplite: (p, t) => E(headerMatch(p, t)),
  esp: (p, t) => E(headerMatch(p, t)),
  ah: (p, t) => E(headerMatch(p, t)),
  comp: (p, t) => E(headerMatch(p, t)),
  igmp: (p, t) => E(headerMatch(p, t)),
  '@nh': (p, t) => E(rawPayloadMatch(p, t)),
  '@th': (p, t) => E(rawPayloadMatch(p, t)),
  '@ll': (p, t) => E(rawPayloadMatch(p, t)),
  ct: (p, t) => E(ctMatch(p, t)),
  meta: (p, t) => E(metaItem(p, p.word('a meta key'), t)),
  iif: bareMeta,
  oif: bareMeta,
  iifname: bareMeta,
  oifname: bareMeta,
  mark: bareMeta,
  pkttype: bareMeta,
  nftrace: bareMeta,
  skuid: bareMeta,
  skgid: bareMeta,
  iiftype: bareMeta,
  oiftype: bareMeta,
  iifgroup: bareMeta,
  oifgroup: bareMeta,
  cpu: bareMeta,
  cgroup: bareMeta,
  counter: (p, t) => (p.is('name') ? objrefItem(p, t) : counterItem(p)),
  log: logItem,
  notrack: notrackItem,
  accept: acceptItem,
  drop: dropItem,
  continue: continueItem,
  return: returnItem,
  jump: jumpItem,
  goto: jumpItem,
  queue: queueItem,
  reject: rejectItem,
  snat: natItemV,
  dnat: natItemV,
  masquerade: natItemV,
  redirect: natItemV,
  comment: commentItem,
  limit: (p, t) => (p.is('name') ? objrefItem(p, t) : limitItemE(p, t)),
  quota: (p, t) => (p.is('name') ? objrefItem(p, t) : E(quotaItem(p, t))),
  ct_helper: notModelled,
  tproxy: notModelled,
  fwd: notModelled,
  dup: notModelled,
  synproxy: notModelled,
  flow: notModelled,
  numgen: (p, t) => E(numgenItem(p, t)),
  jhash: (p, t) => E(jhashItem(p, t)),
  add: (p, t) => E(dynsetItem(p, t)),
  update: (p, t) => E(dynsetItem(p, t)),
  delete: (p, t) => E(dynsetItem(p, t)),
  symhash: notModelled,
  fib: notModelled,
  // `rt type 0` is the routing header; `rt classid|nexthop|mtu|ipsec` is nft_rt, not modelled
  rt: (p, t) => (isRtExthdr(p) ? E(exthdrField(p, t)) : notModelled(p, t)),
  exthdr: (p, t) => E(exthdrPresence(p, t)),
  hbh: (p, t) => E(exthdrField(p, t)),
  frag: (p, t) => E(exthdrField(p, t)),
  dst: (p, t) => E(exthdrField(p, t)),
  mh: (p, t) => E(exthdrField(p, t)),
  rt0: (p, t) => p.fail(t, `${q(t.text)} (the type 0 routing header's addresses) is not modelled`),
  rt2: (p, t) => p.fail(t, `${q(t.text)} (the type 2 routing header) is not modelled`),
  srh: (p, t) => p.fail(t, `${q(t.text)} (the segment routing header) is not modelled`),
  socket: notModelled,
  osf: notModelled,
  ipsec: notModelled,
  ip6: (p, t) => E(ip6Match(p, t)),
  icmpv6: (p, t) => E(icmpv6Match(p, t)),
  ether: notIpv4,
  arp: notIpv4,
  vlan: notIpv4,
  gre: noHeader,
};

/**
 * The keywords whose expressions are modelled on IPv6 packets as well (nf_tables.ts Expr.v6):
 * family-independent matches and statements, and `ip …`, which an IPv6 packet never evaluates.
 * The rest (log, raw payloads, …) is refused in a table IPv6 packets reach
 * (src/scenario/build.ts); ip6, icmpv6, reject, ct and the nat statements mark their own expressions.
 */
const V6_ITEMS = new Set(['notrack', 'ip', 'tcp', 'udp', 'th', 'icmp', 'meta', 'iif', 'oif', 'iifname', 'oifname', 'mark', 'pkttype', 'counter', 'accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue', 'comment', 'limit', 'quota']);

/** keywords a concatenation may start with: a match's key, then `.` */
const CONCAT_FIRST = new Set(['ip', 'tcp', 'udp', 'th', 'icmp', 'meta', 'ct', 'mark', 'iifname', 'oifname', 'iif', 'oif', 'pkttype', 'skuid', 'skgid', 'sctp', 'dccp', 'udplite', 'esp', 'ah', 'comp', 'igmp', 'cpu', 'cgroup', 'iiftype', 'oiftype', 'iifgroup', 'oifgroup']);

/** One match or statement of a rule. */
function item(p: NftCursor): Item {
  const t = p.next();
  if (t.kind !== 'word') p.fail(t, `syntax error: unexpected ${q(t.text)}`);
  const parse = Object.hasOwn(ITEMS, t.text) ? ITEMS[t.text] : undefined;
  if (parse && CONCAT_FIRST.has(t.text) && concatAhead(p, p.i - 1)) return E(concatMatch(p, t));
  if (parse) return parse(p, t);
  if (t.text.startsWith('@') || t.text.startsWith('$')) return p.fail(t, `${q(t.text)}: unexpected here`);
  return p.fail(t, `syntax error: unexpected ${q(t.text)} (not a match or statement the model knows)`);
}

/** A rule up to its end (newline, `;`, `}` or the end of the input), with the checks to make when it is loaded. */
export function rule(p: NftCursor, family: NfFamily): { rule: Rule; check: Check } {
  const first = p.peek();
  p.ruleFamily = family;
  p.l4 = null;
  p.ctL4Known = false;
  p.icmpType = null;
  p.l3Known = family === 'ip';
  p.l3Said = null;
  if (p.atEnd()) p.fail(first, 'syntax error: the rule is empty');
  const exprs: Expr[] = [];
  const checks: Check[] = [];
  p.checks = checks;
  p.counter = null;
  let verdictSeen: NTok | null = null;
  const listed: ListedItem[] = [];
  while (!p.atEnd()) {
    const st = p.peek();
    const from = p.i;
    if (verdictSeen && st.text !== 'comment') p.fail(st, `syntax error: nothing may follow the verdict ${q(verdictSeen.text)} (only a comment)`);
    const made = item(p);
    const canon = made.listed !== undefined ? { text: made.listed } : canonItem(p.toks.slice(from, p.i), p.defines);
    listed.push(canon);
    for (const m of made.exprs) exprs.push({ ...m, text: m.text || canon.text, at: st.pos, v6: m.v6 ?? V6_ITEMS.has(st.text) });
    for (const h of (made.head ?? []).reverse()) {
      exprs.unshift({ ...h.expr, at: st.pos });
      listed.unshift(h.listed);
    }
    // a verdict map is no verdict statement: nft 1.0.6 reads matches and statements after it,
    // which run when the element found is `continue` (a miss ends the rule)
    if (made.verdict) verdictSeen = st;
  }
  const items = listedRule(listed, family);
  const r: Rule = { handle: 0, text: items.map((it) => it.text).join(' '), listed: items, pos: first.pos, exprs, counter: p.counter };
  if (listed.some((it) => it.counter) && !p.counter) r.counter = { packets: 0, bytes: 0 };
  return {
    rule: r,
    check: (e, c) => {
      for (const f of checks) f(e, c);
    },
  };
}
