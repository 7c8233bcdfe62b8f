// The matches of an nft rule, one parser per keyword of the table in nft_rule.ts: `ip …`,
// `tcp|udp|th …`, `icmp …`, `ct …`, `meta …` (and the meta keys written bare: iifname, mark…).
// Each builds the expression the kernel would evaluate (exprs.ts) and refuses, at its token,
// what the model does not model.
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../model/proto/ipv4';
import type { NTok } from './lex';
import * as X from './exprs';
import { NftCursor, q } from './nft_cursor';
import { lookupOr } from './nft_sets';
import { ctKey, metaKey } from './nft_keys';
import { ctStateMatch } from './nft_ct_state';
import { applyBitwise, markSource, parseBitwise } from './nft_bitwise';

export function ipMatch(p: NftCursor, kw: NTok): Expr {
  const k = p.key(kw, ['saddr', 'daddr', 'protocol', 'ttl', 'length']);
  p.l3Known = true;
  const op = p.op();
  if (k.text === 'saddr' || k.text === 'daddr') {
    const ref = lookupOr(p, kw, op, 'ipv4_addr', k.text === 'saddr' ? X.field.saddr : X.field.daddr, (v) => `ip ${k.text} ${X.showAddr(v as number)}`);
    if (ref) return ref;
  } else if (k.text === 'protocol') {
    const ref = lookupOr(p, kw, op, 'inet_proto', X.field.protocol, (v) => `ip protocol ${X.showProto(v as number)}`);
    if (ref) return ref;
  }
  const vs = p.values('a value');
  const text = p.text(kw);
  switch (k.text) {
    case 'saddr':
    case 'daddr':
      return X.matchNum(text, k.text === 'saddr' ? X.field.saddr : X.field.daddr, op, p.ranges(vs, (t, s) => p.addrOf(t, s), true), X.showAddr);
    case 'protocol': {
      const r = p.ranges(vs, (t, s) => (s in X.NFT_PROTO_BY_NAME ? X.NFT_PROTO_BY_NAME[s] : p.num(t, 0, 255)));
      if (op === '==') p.sawL4(protoNames(r));
      return X.matchNum(text, X.field.protocol, op, r, X.showProto);
    }
    case 'ttl':
      return X.matchNum(text, X.field.ttl, op, p.ranges(vs, (t) => p.num(t, 0, 255)), (v) => `ttl ${v}`);
    default:
      return X.matchNum(text, X.field.iplen, op, p.ranges(vs, (t) => p.num(t, 0, 65535)), (v) => `length ${v}`);
  }
}

export function l4Match(p: NftCursor, kw: NTok): Expr {
  const proto = kw.text === 'tcp' ? IPPROTO_TCP : kw.text === 'udp' ? IPPROTO_UDP : null;
  const k = p.key(kw, kw.text === 'tcp' ? ['sport', 'dport', 'flags'] : ['sport', 'dport']);
  if (kw.text !== 'th') p.needL4(kw, kw.text);
  if (k.text === 'flags') return tcpFlags(p, kw);
  const op = p.op();
  const get = X.field.port(proto, k.text as 'sport' | 'dport');
  const ref = lookupOr(p, kw, op, 'inet_service', get, (v) => `${kw.text} ${k.text} ${v}`);
  if (ref) return ref;
  const vs = p.values('a port');
  const text = p.text(kw);
  return X.matchNum(text, get, op, p.ranges(vs, (t, s) => p.portOf(t, s)), (v) => `${kw.text === 'th' ? 'th' : kw.text} ${k.text} ${v}`, {
    actual: (x) => {
      const v = get(x);
      return v === undefined ? `no ${kw.text === 'th' ? 'transport' : kw.text} header (${x.p.pf === 'ipv6' ? 'meta l4proto' : 'ip protocol'} ${X.showProto(x.p.l4proto)})` : `${kw.text} ${k.text} ${v}`;
    },
  });
}

export function flagList(p: NftCursor): number {
  let m = 0;
  const one = (): void => {
    const t = p.word('a tcp flag');
    if (!(t.text in X.TCP_FLAGS)) p.fail(t, `unknown tcp flag ${q(t.text)} (${Object.keys(X.TCP_FLAGS).join(', ')})`);
    m |= X.TCP_FLAGS[t.text];
  };
  if (p.is('(')) {
    p.next();
    one();
    while (p.is('|') || p.is(',')) {
      p.next();
      one();
    }
    p.expect(')');
    return m;
  }
  one();
  while (p.is('|') || p.is(',')) {
    p.next();
    one();
  }
  return m;
}

/**
 * The mask after `V /`: nft 1.0.6's grammar takes a list there (list_rhs_expr, two or more
 * elements joined by commas, each may be `a|b`), so `tcp flags rst / rst` and `syn / syn|ack`
 * are syntax errors ("expecting comma") where `syn / syn,ack` is not.
 */
function slashMask(p: NftCursor): number {
  let m = 0;
  let elements = 0;
  const element = (): void => {
    const one = (): void => {
      const t = p.word('a tcp flag');
      if (!(t.text in X.TCP_FLAGS)) p.fail(t, `unknown tcp flag ${q(t.text)} (${Object.keys(X.TCP_FLAGS).join(', ')})`);
      m |= X.TCP_FLAGS[t.text];
    };
    one();
    while (p.is('|')) {
      p.next();
      one();
    }
    elements++;
  };
  element();
  while (p.is(',')) {
    p.next();
    element();
  }
  if (elements < 2) {
    const t = p.peek();
    p.fail(t, `syntax error, unexpected ${t.kind === 'eof' ? 'end of rule' : q(t.text)}, expecting comma: the mask after / is a list of two or more flags (write \`rst / rst,ack\` or \`& rst == rst\`)`);
  }
  return m;
}

export function tcpFlags(p: NftCursor, kw: NTok): Expr {
  const show = (v: number): string => `tcp flags ${X.showFlags(v)}`;
  if (p.is('&')) {
    p.next();
    const mask = flagList(p);
    const op = p.op();
    if (op !== '==' && op !== '!=') p.fail(p.toks[p.i - 1], 'only == and != compare masked flags');
    const val = flagList(p);
    return X.matchBits(p.text(kw), X.field.tcpFlags, mask, val, op === '!=', show);
  }
  if (p.peek().kind === 'punct' && p.peek().text === '!') {
    // `tcp flags ! fin,rst`: none of them set (bitwise & mask, cmp eq 0), as nft 1.0.6 compiles it;
    // `! { fin }` is the same, a set of more than one element is refused
    p.next();
    if (p.is('{')) {
      const vs = p.values('a tcp flag');
      if (vs.length > 1) p.fail(kw, 'negation can only be used with singleton bitmask values');
      const m = p.ranges(vs, (t, s) => (Object.hasOwn(X.TCP_FLAGS, s) ? X.TCP_FLAGS[s] : p.num(t, 0, 255)))[0][0];
      return X.matchBits(p.text(kw), X.field.tcpFlags, m, 'any', true, show);
    }
    return X.matchBits(p.text(kw), X.field.tcpFlags, flagList(p), 'any', true, show);
  }
  const op = p.op();
  if (op !== '==' && op !== '!=') p.fail(p.toks[p.i - 1], 'only == and != compare tcp flags');
  const explicit = p.toks[p.i - 1].kind === 'punct';
  if (p.is('{')) {
    // an anonymous set is an nft_lookup: the whole flags byte equals one of the elements
    const vs = p.values('a tcp flag');
    const r = p.ranges(vs, (t, s) => (Object.hasOwn(X.TCP_FLAGS, s) ? X.TCP_FLAGS[s] : p.num(t, 0, 255)));
    return X.matchNum(p.text(kw), X.field.tcpFlags, op, r, show);
  }
  const val = flagList(p);
  if (p.peek().kind === 'word' && p.peek().text === '/') {
    p.next();
    const mask = slashMask(p);
    return X.matchBits(p.text(kw), X.field.tcpFlags, mask, val, op === '!=', show);
  }
  if (explicit) return X.matchBits(p.text(kw), X.field.tcpFlags, 0xff, val, op === '!=', show);
  return X.matchBits(p.text(kw), X.field.tcpFlags, val, 'any', false, show);
}

export function icmpMatch(p: NftCursor, kw: NTok): Expr {
  const k = p.key(kw, ['type', 'code']);
  p.needL4(kw, 'icmp');
  // its dependency fixes IPv4 unless an ip6/nfproto match came first (nft 1.0.6 loads
  // `meta nfproto ipv6 icmp type …` too: ICMP in IPv6)
  p.l3Said ??= 'ipv4';
  const op = p.op();
  if (k.text === 'type') {
    const ref = lookupOr(p, kw, op, 'icmp_type', X.field.icmpType, (v) => `icmp type ${X.showIcmp(v as number)}`);
    if (ref) return ref;
  }
  const vs = p.values(k.text === 'type' ? 'an ICMP type' : 'an ICMP code');
  const text = p.text(kw);
  if (k.text === 'type') {
    const r = p.ranges(vs, (t, s) => (s in X.ICMP_TYPES ? X.ICMP_TYPES[s] : /^\d+$/.test(s) ? p.num(t, 0, 255) : p.fail(t, `unknown icmp type ${q(s)} (${Object.keys(X.ICMP_TYPES).join(', ')})`)));
    if (op === '==' && r.length === 1 && r[0][0] === r[0][1] && p.icmpType === null) p.icmpType = r[0][0];
    return X.matchNum(text, X.field.icmpType, op, r, (v) => `icmp type ${X.showIcmp(v)}`, {
      actual: (x) => (x.p.icmpType === undefined || x.p.l4proto !== IPPROTO_ICMP ? `no icmp header (${x.p.pf === 'ipv6' ? 'meta l4proto' : 'ip protocol'} ${X.showProto(x.p.l4proto)})` : `icmp type ${X.showIcmp(x.p.icmpType)}`),
    });
  }
  return X.matchNum(text, X.field.icmpCode, op, p.ranges(vs, (t) => p.num(t, 0, 255)), (v) => `icmp code ${v}`);
}

export function ctMatch(p: NftCursor, kw: NTok): Expr {
  const k = p.word('a ct key');
  const at = p.i;
  const e = k.text === 'mark' ? ctMarkItem(p, kw) : k.text !== 'state' ? ctKey(p, kw, k) : ctStateMatch(p, kw);
  // conntrack is one core for both families: every ct key but the IPv4 tuple addresses
  // (`ct original ip saddr` …) reads an IPv6 entry as it reads an IPv4 one
  const sub = p.toks[at]?.text;
  const v4addr = (k.text === 'original' || k.text === 'reply') && (sub === 'ip' || sub === 'saddr' || sub === 'daddr');
  return v4addr ? e : { ...e, v6: true };
}

/** `ct mark [op] VALUE|@set`, `ct mark set VALUE|meta mark` (nft_ct.c: get breaks without an entry, set does nothing) */
export function ctMarkItem(p: NftCursor, kw: NTok): Expr {
  const show = (v: X.Key): string => `ct mark ${X.showHex(v as number)}`;
  const actual = (x: EvalCtx): string => {
    const v = X.ctMark(x);
    return v === undefined ? 'no conntrack entry (the ct expression breaks)' : show(v);
  };
  if (p.is('set')) {
    p.next();
    const src = markSource(p);
    if ('value' in src) return X.ctMarkSet(p.text(kw), () => src.value);
    // the source is loaded first, as its own expression: a ct mark load without an entry ends the
    // rule (NFT_BREAK), a numgen moves on whether or not there is an entry to set
    let loaded: number | undefined;
    const set = X.ctMarkSet(p.text(kw), (_x, old) => loaded ?? old);
    return {
      ...set,
      eval: (x) => {
        loaded = src.get(x);
        return loaded === undefined ? false : set.eval(x);
      },
    };
  }
  const bw = parseBitwise(p, 32, () => p.num(p.word('a mask'), 0, 0xffffffff));
  const get = applyBitwise(bw, X.ctMark);
  const op = p.op();
  const ref = lookupOr(p, kw, op, 'mark', get, show);
  if (ref) return { ...ref, needsCt: true, actual };
  const vs = p.values('a mark');
  return X.matchNum(p.text(kw), get, op, p.ranges(vs, (t) => p.num(t, 0, 0xffffffff)), show, { needsCt: true, actual });
}

export function metaItem(p: NftCursor, k: NTok, kw: NTok): Expr | Expr[] {
  switch (k.text) {
    case 'iifname':
    case 'oifname': {
      const op = p.op();
      if (op !== '==' && op !== '!=') p.fail(p.toks[p.i - 1], `only == and != compare ${k.text}`);
      const ref = lookupOr(p, kw, op, 'ifname', (x) => ((k.text === 'iifname' ? x.p.indev : x.p.outdev)?.name ?? ''), (v) => `${k.text} "${v}"`);
      if (ref) return ref;
      // one name, or a set of them (`iifname { "lan0", "wg0" }`): any of them matches
      const vs = p.values('an interface name');
      for (const v of vs) if (v.text === '') p.fail(v, 'Empty string is not allowed');
      return X.matchIfname(p.text(kw), k.text === 'iifname' ? 'in' : 'out', vs.map((v) => v.text), op === '!=');
    }
    case 'iif':
    case 'oif': {
      const op = p.op();
      if (op !== '==' && op !== '!=') p.fail(p.toks[p.i - 1], `only == and != compare ${k.text}`);
      // each interface of a set is resolved to its index when the rule is loaded
      const vs = p.values('an interface');
      const idx = vs.map((v) => {
        const dev = p.net.devices.get(v.text);
        return dev ? dev.ifindex : p.fail(v, `Interface does not exist: ${q(v.text)} (${k.text} is resolved to an index when the rule is loaded; iifname/oifname match by name)`);
      });
      return X.matchIfindex(p.text(kw), k.text === 'iif' ? 'in' : 'out', idx, op === '!=');
    }
    case 'mark': {
      if (p.is('set')) {
        p.next();
        const src = markSource(p);
        if ('value' in src) return X.markSet(p.text(kw), src.value);
        return src.ct ? { ...X.markSet(p.text(kw), src.get), needsCt: true } : { ...X.markSet(p.text(kw), src.get), actual: undefined };
      }
      const bw = parseBitwise(p, 32, () => p.num(p.word('a mask'), 0, 0xffffffff));
      const get = applyBitwise(bw, X.field.mark);
      const op = p.op();
      const ref = lookupOr(p, kw, op, 'mark', get, (v) => `mark ${X.showHex(v as number)}`);
      if (ref) return ref;
      const vs = p.values('a mark');
      return X.matchNum(p.text(kw), get, op, p.ranges(vs, (t) => p.num(t, 0, 0xffffffff)), (v) => `mark ${X.showHex(v)}`);
    }
    case 'nftrace': {
      // nft_meta_get_init has no NFT_META_NFTRACE: reading it is EOPNOTSUPP (nft 1.0.6's words)
      if (!p.is('set')) p.fail(kw, 'Could not process rule: Operation not supported (meta nftrace can only be set)');
      p.expect('set');
      const v = p.word('1 or 0');
      if (v.text !== '1' && v.text !== '0') p.fail(v, 'nftrace is set to 1 or 0');
      return v.text === '1' ? X.nftraceSet(p.text(kw)) : { text: p.text(kw), eval: () => true };
    }
    case 'pkttype': {
      if (p.peek().text === 'vmap' || p.peek().text.startsWith('@')) p.fail(p.peek(), `meta pkttype with ${p.peek().text === 'vmap' ? 'a verdict map' : 'a named set'} is not modelled`);
      const op = p.op();
      const vs = p.values('a packet type');
      if (op !== '==' && op !== '!=') p.fail(p.toks[p.i - 1], 'only == and != compare pkttype');
      // every value of a list or set (pkttype_type: the names, or the number of skb->pkt_type)
      const byNumber = ['host', 'broadcast', 'multicast', 'other'];
      const types = vs.map((v) => {
        const t = X.PKTTYPES[/^\d+$/.test(v.text) && Number(v.text) < byNumber.length ? byNumber[Number(v.text)] : v.text];
        return t ?? p.fail(v, `unknown pkttype ${q(v.text)} (host, broadcast, multicast, other, or 0 to 3)`);
      });
      return X.matchPkttype(p.text(kw), types, op === '!=');
    }
    case 'length': {
      const op = p.op();
      const vs = p.values('a length');
      return X.matchNum(p.text(kw), X.field.length, op, p.ranges(vs, (t) => p.num(t, 0, 65535)), (v) => `meta length ${v}`);
    }
    case 'l4proto':
    case 'protocol':
    case 'nfproto': {
      const op = p.op();
      if (k.text === 'l4proto') {
        const ref = lookupOr(p, kw, op, 'inet_proto', X.field.l4proto, (v) => `meta l4proto ${X.showProto(v as number)}`);
        if (ref) return ref;
      }
      if (k.text !== 'l4proto') {
        // nft's evaluation (1.0.6): the family of a hook of an ip or ip6 table is fixed already
        if (k.text === 'nfproto' && p.ruleFamily !== 'inet') p.fail(kw, 'meta nfproto is only useful in the inet family');
        // `meta protocol vmap { ip : jump v4, ip6 : jump v6 }`, a lookup of the field's value
        const nf = k.text === 'nfproto';
        const [v4, v6] = nf ? [2, 10] : [0x0800, 0x86dd];
        const shown = nf ? X.showNfProto : X.showEtherType;
        const ref = lookupOr(p, kw, op, nf ? 'nf_proto' : 'ether_type', (x) => ((x.p.pf ?? 'ipv4') === 'ipv4' ? v4 : v6), (v) => `meta ${k.text} ${shown(v as number)}`);
        if (ref) return ref;
      }
      const vs = p.values('a protocol');
      if (k.text === 'l4proto') {
        const r = p.ranges(vs, (t, s) => (s in X.NFT_PROTO_BY_NAME ? X.NFT_PROTO_BY_NAME[s] : p.num(t, 0, 255)));
        if (op === '==') p.sawL4(protoNames(r));
        return X.matchNum(p.text(kw), X.field.l4proto, op, r, X.showProto);
      }
      // nfproto: the hook's family (nft_pf: NFPROTO_IPV4 2, NFPROTO_IPV6 10); protocol: the
      // ethertype in skb->protocol, ETH_P_IP or ETH_P_IPV6 for what an ip/ip6/inet hook sees, so
      // arp or 802.1Q/802.1ad never match here. The names are nft 1.0.6's; a number is any value
      // of the field (u8, be16), and a range of them is allowed as for any integer.
      const nfproto = k.text === 'nfproto';
      const names = nfproto ? X.NF_PROTOS : X.ETHER_TYPES;
      const r = p.ranges(vs, (t, s) => (Object.hasOwn(names, s) ? names[s] : /^(0x[0-9a-f]+|\d+)$/i.test(s) ? p.num(t, 0, nfproto ? 255 : 65535) : p.fail(t, nfproto ? 'Could not parse netfilter protocol' : 'Could not parse Ethernet protocol')));
      const ipv4 = nfproto ? 2 : 0x0800;
      const ipv6 = nfproto ? 10 : 0x86dd;
      const one = op === '==' && r.length === 1 && r[0][0] === r[0][1] ? r[0][0] : null;
      if (one === ipv4) p.l3Known = true;
      // nft 1.0.6 lets a later nfproto match replace the context (`meta nfproto ipv6 meta nfproto ipv4` loads)
      if (nfproto && (one === ipv4 || one === ipv6)) p.l3Said = one === ipv4 ? 'ipv4' : 'ipv6';
      const show = nfproto ? X.showNfProto : X.showEtherType;
      const m = X.matchNum(p.text(kw), (x) => ((x.p.pf ?? 'ipv4') === 'ipv4' ? ipv4 : ipv6), op, r, show);
      return { ...m, actual: (x: EvalCtx) => `meta ${k.text} ${show((x.p.pf ?? 'ipv4') === 'ipv4' ? ipv4 : ipv6)}` };
    }
    default:
      return metaKey(p, k, kw) ?? p.fail(k, `meta ${k.text} is not modelled`);
  }
}

/** The protocols a `meta l4proto`/`ip protocol` comparison names, as nft prints them; none for a range. */
function protoNames(r: X.Range[]): string[] {
  if (r.some(([lo, hi]) => lo !== hi)) return [];
  // by nft's names (132 is sctp), so a later `sctp …` header match agrees with `meta l4proto 132`
  const name = (v: number): string => Object.entries(X.PROTO_BY_NAME).find(([, n]) => n === v)?.[0] ?? String(v);
  return [...new Set(r.map(([v]) => name(v)))];
}
