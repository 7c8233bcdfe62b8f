// nft's `ct` keys beyond state and mark, and `meta` keys beyond the interface, mark, length and
// protocol ones (nft_ct.c nft_ct_get_eval, nft_meta.c nft_meta_get_eval, v6.12). Each reads what
// the kernel reads; without the thing read (no conntrack entry, no socket, no device) the
// expression breaks the rule, as the kernel's does. They share their readers with iptables'
// conntrack, owner and connbytes (ct_exprs.ts, sock_exprs.ts).
import { lookupOr } from './nft_sets';
import type { EvalCtx, Expr } from '../../model/net/netfilter/nf_tables';
import type { NetDevice } from '../../model/net/core/netdevice';
import { nf_ct_set_acct } from '../../model/net/netfilter/nf_conntrack_acct';
import { numToIp } from '../../model/proto/addr';
import type { NTok } from './lex';
import * as X from './exprs';
import { CT_STATUS_KNOWN, ctDirection, ctExpirationMs, ctL3proto, ctOf, ctStatus, ctTuple, showStatus } from './ct_exprs';
import { timeMs, timeText } from './nft_time';
import { skOwner } from './sock_exprs';
import { NftCursor, q } from './nft_cursor';
import { connlimitItem } from './nft_connlimit';
import { ScenarioError } from '../types';

/** ARPHRD_* of the model's devices: Ethernet (veth, NIC) and loopback; nft's names for the types */
const IFTYPES: Record<string, number> = { ether: 1, ppp: 512, ipip: 768, ipip6: 769, loopback: 772, sit: 776, ipgre: 778 };
const devType = (d: NetDevice): number => (d.kind === 'loopback' ? 772 : 1);

/** user and group names of the reference machine's /etc/passwd and /etc/group (Debian) */
const IDS: Record<string, number> = { root: 0, daemon: 1, bin: 2 };

/** A compare of a numeric key: a value, a range, a { set }, with ==, !=, <, >… */
function numKey(p: NftCursor, kw: NTok, get: (x: EvalCtx) => number | undefined, parse: (t: NTok, s: string) => number, show: (v: number) => string, extra: Partial<Expr> = {}, prefixes = false): Expr {
  const op = p.op();
  const vs = p.values('a value');
  return X.matchNum(p.text(kw), get, op, p.ranges(vs, parse, prefixes), show, extra);
}

const notModelled = (p: NftCursor, t: NTok, why: string): never => p.fail(t, why);

/** an earlier `meta nfproto ipv6` of the same rule (nft's protocol context then refuses ip) */
function ruleSaidIpv6(p: NftCursor): boolean {
  for (let i = p.i - 1; i > 0; i--) {
    const t = p.toks[i];
    if (t.kind === 'nl' || t.text === ';' || t.text === '{' || t.text === '}') return false;
    if ((t.text === 'ipv6' || t.text === 'ip6') && p.toks[i - 1].text === 'nfproto') return true;
  }
  return false;
}

/** `ct KEY …` for the keys nft_match.ts does not read itself (state, mark). */
export function ctKey(p: NftCursor, kw: NTok, k: NTok): Expr {
  const needsCt = { needsCt: true, actual: (x: EvalCtx) => (ctOf(x) ? '' : 'no conntrack entry (the ct expression breaks)') } as const;
  const withCt = (f: (x: EvalCtx) => string): Partial<Expr> => ({ needsCt: true, actual: (x) => (ctOf(x) ? f(x) : 'no conntrack entry (the ct expression breaks)') });
  switch (k.text) {
    case 'direction': {
      // `ct direction vmap { original : …, reply : … }` and `ct direction @set`: a lookup
      const ref = lookupOr(p, kw, '==', 'ct_dir', ctDirection, (v) => `ct direction ${v ? 'reply' : 'original'}`);
      if (ref) return Object.assign(ref, { needsCt: true });
      return numKey(p, kw, ctDirection, (t, s) => (s === 'original' ? 0 : s === 'reply' ? 1 : /^(\d+|0x[0-9a-f]+)$/i.test(s) ? p.num(t, 0, 255) : p.fail(t, `unknown ct direction ${q(s)} (original, reply)`)), (v) => `ct direction ${v === 0 ? 'original' : v === 1 ? 'reply' : v}`, withCt((x) => `ct direction ${ctDirection(x) ? 'reply' : 'original'}`));
    }
    case 'status':
      return ctStatusMatch(p, kw, withCt((x) => `ct status ${showStatus(ctStatus(x) ?? 0)}`));
    case 'l3proto':
      return numKey(p, kw, ctL3proto, (t, s) => (s === 'ipv4' || s === 'ip' ? 2 : s === 'ipv6' || s === 'ip6' ? 10 : /^\d+$/.test(s) ? p.num(t, 0, 255) : p.fail(t, `unknown ct l3proto ${q(s)} (ipv4, ipv6)`)), (v) => `ct l3proto ${v === 2 ? 'ipv4' : v === 10 ? 'ipv6' : v}`, withCt((x) => `ct l3proto ${ctL3proto(x) === 10 ? 'ipv6' : 'ipv4'}`));
    case 'protocol':
      p.ctL4Known = true;
      return numKey(p, kw, ctTuple(0, 'proto'), (t, s) => (s in X.NFT_PROTO_BY_NAME ? X.NFT_PROTO_BY_NAME[s] : p.num(t, 0, 255)), (v) => `ct protocol ${X.showProto(v)}`, withCt((x) => `ct protocol ${X.showProto(ctTuple(0, 'proto')(x)!)}`));
    case 'original':
    case 'reply':
      return ctDirKey(p, kw, k.text === 'original' ? 0 : 1);
    case 'bytes':
    case 'packets':
    case 'avgpkt':
      return ctCounter(p, kw, k.text, null);
    case 'zone':
      if (p.is('set')) p.fail(p.peek(), 'ct zone set is not modelled (the model has no conntrack zones)');
      // the model has no zones: every entry is in the default zone 0
      return numKey(p, kw, (x) => (ctOf(x) ? 0 : undefined), (t) => p.num(t, 0, 65535), (v) => `ct zone ${v}`, needsCt);
    case 'expiration':
      // nft_ct_set_init has no expiration: the kernel refuses the rule
      if (p.is('set')) p.fail(k, 'Could not process rule: Operation not supported (ct expiration cannot be set)');
      // a time in ms (a bare number is seconds), compared with what is left of the entry
      return numKey(p, kw, ctExpirationMs, (t) => {
        const ms = timeMs(p, t);
        return ms > 0xffffffff ? p.fail(t, `value too large (${q(t.text)}: ct expiration is a 32-bit count of ms)`) : ms;
      }, (v) => `ct expiration ${timeText(v)}`, withCt((x) => `ct expiration ${timeText(ctExpirationMs(x)!)}`));
    case 'helper':
    case 'label':
    case 'event':
    case 'id':
    case 'secmark':
    case 'timeout':
    case 'expectation':
      return notModelled(p, k, `ct ${k.text} is not modelled`);
    case 'count':
      return connlimitItem(p, kw);
    default:
      return p.fail(k, `unknown ct key ${q(k.text)}`);
  }
}

/**
 * `ct status [!] FLAG,…` (some bit of them set, none with !), and the forms nft compiles to a
 * compare or a lookup of the whole status word: `== FLAGS`, `!= FLAGS`, `[!=] { FLAG, … }`. The
 * model keeps every bit its connections can have (ctStatusBits: no helpers, so no EXPECTED,
 * SEQ_ADJUST or HELPER; no flowtables, zones templates or timeouts objects), so the whole word is
 * the kernel's.
 */
function ctStatusMatch(p: NftCursor, kw: NTok, extra: Partial<Expr>): Expr {
  if (p.peek().text === 'vmap' || p.peek().text.startsWith('@')) p.fail(p.peek(), `ct status with ${p.peek().text === 'vmap' ? 'a verdict map' : 'a named set'} is not modelled`);
  let neg = false;
  if (p.peek().kind === 'punct' && p.peek().text === '!') {
    p.next();
    neg = true;
  }
  const op = neg ? '!=' : p.op();
  const set = p.is('{');
  const explicit = !neg && p.toks[p.i - 1].kind === 'punct' && p.toks[p.i - 1].text !== '!';
  if (explicit && op !== '==' && op !== '!=') p.fail(kw, `ct status ${op} is not modelled (a status word compared by order)`);
  const vs = p.values('a conntrack status');
  const bit = (t: NTok, s: string): number => {
    if (/^(\d+|0x[0-9a-f]+)$/i.test(s)) return p.num(t, 0, 0xffffffff);
    if (Object.hasOwn(CT_STATUS_KNOWN, s)) return CT_STATUS_KNOWN[s];
    return p.fail(t, `unknown ct status ${q(s)} (expected, seen-reply, assured, confirmed, snat, dnat, dying)`);
  };
  const bits = vs.map((t) => bit(t, t.text));
  const show = (v: number): string => `ct status ${showStatus(v)}`;
  if (vs.length > 1 && set && neg) p.fail(kw, 'negation can only be used with singleton bitmask values');
  const mask = bits.reduce((a, b) => a | b, 0);
  if (!neg && (set || explicit)) {
    // a set holds each element as a whole word; a list without braces is one word of its bits
    const words = set ? bits : [mask];
    return X.matchNum(p.text(kw), ctStatus, op, words.map((w) => [w, w] as [number, number]), show, extra);
  }
  return X.matchBits(p.text(kw), ctStatus, mask, 'any', op === '!=', show, extra);
}

/** `ct original|reply [ip] saddr|daddr`, `proto-src`, `proto-dst`, `protocol`, `bytes`, `packets`, `avgpkt`, `zone`, `l3proto` */
function ctDirKey(p: NftCursor, kw: NTok, dir: 0 | 1): Expr {
  let k = p.word('a ct key');
  if (k.text === 'ip') {
    if (ruleSaidIpv6(p)) p.fail(k, 'conflicting protocols specified: ip6 vs. ip');
    p.l3Known = true;
    k = p.word('saddr or daddr');
    if (k.text !== 'saddr' && k.text !== 'daddr') p.fail(k, `syntax error: unexpected ${q(k.text)} (ct ${dir ? 'reply' : 'original'} ip saddr|daddr)`);
  } else if (k.text === 'ip6') p.fail(k, '"ip6": conntrack addresses of IPv6 (ct original|reply ip6 saddr|daddr) are not modelled');
  const withCt = (f: (x: EvalCtx) => string): Partial<Expr> => ({ needsCt: true, actual: (x) => (ctOf(x) ? f(x) : 'no conntrack entry (the ct expression breaks)') });
  const name = dir ? 'reply' : 'original';
  switch (k.text) {
    case 'saddr':
    case 'daddr': {
      if (ruleSaidIpv6(p)) p.fail(k, 'conflicting protocols specified: ip6 vs. ip');
      if (!p.l3Known) p.fail(k, `ct ${name} ${k.text}: cannot determine the address family (write ct ${name} ip ${k.text})`);
      const get = ctTuple(dir, k.text === 'saddr' ? 'src' : 'dst');
      return numKey(p, kw, get, (t, s) => p.addrOf(t, s), X.showAddr, withCt((x) => `ct ${name} ip ${k.text} ${numToIp(get(x)!)}`), true);
    }
    case 'proto-src':
    case 'proto-dst': {
      // nft gives these a port type only from a protocol context (meta l4proto, a transport
      // header match or ct protocol first); without one the value has no type, and nft refuses it
      if (!p.l4 && !p.ctL4Known) {
        const v = p.peek(p.peek().text === '!=' || p.peek().text === '==' ? 1 : 0);
        p.fail(v, `Can't parse symbolic invalid expressions (ct ${name} ${k.text} needs the transport protocol first: meta l4proto, ct protocol or a tcp/udp match)`);
      }
      const get = ctTuple(dir, k.text === 'proto-src' ? 'sport' : 'dport');
      return numKey(p, kw, get, (t, s) => p.portOf(t, s), (v) => `ct ${name} ${k.text} ${v}`, withCt((x) => `ct ${name} ${k.text} ${get(x)}`));
    }
    case 'protocol':
      p.ctL4Known = true;
      return numKey(p, kw, ctTuple(dir, 'proto'), (t, s) => (s in X.NFT_PROTO_BY_NAME ? X.NFT_PROTO_BY_NAME[s] : p.num(t, 0, 255)), (v) => `ct ${name} protocol ${X.showProto(v)}`, withCt((x) => `ct ${name} protocol ${X.showProto(ctTuple(dir, 'proto')(x)!)}`));
    case 'bytes':
    case 'packets':
    case 'avgpkt':
      return ctCounter(p, kw, k.text, dir);
    case 'zone':
      if (p.is('set')) p.fail(p.peek(), 'ct zone set is not modelled (the model has no conntrack zones)');
      return numKey(p, kw, (x) => (ctOf(x) ? 0 : undefined), (t) => p.num(t, 0, 65535), (v) => `ct ${name} zone ${v}`, { needsCt: true });
    case 'l3proto':
      return numKey(p, kw, ctL3proto, (t, s) => (s === 'ipv4' || s === 'ip' ? 2 : s === 'ipv6' || s === 'ip6' ? 10 : p.fail(t, `unknown ct l3proto ${q(s)}`)), (v) => `ct l3proto ${v}`, { needsCt: true });
    case 'mark':
    case 'state':
    case 'status':
    case 'direction':
      return p.fail(k, `ct ${k.text} has no direction: write ct ${k.text}`);
    case 'expiration':
      return p.fail(k, 'syntax error, unexpected expiration (ct expiration has no direction)');
    default:
      return p.fail(k, `unknown ct ${name} key ${q(k.text)}`);
  }
}

/** `ct [original|reply] bytes|packets|avgpkt`: the acct counters; loading one turns accounting on (nft_ct_get_init). No counters: 0. */
function ctCounter(p: NftCursor, kw: NTok, key: string, dir: 0 | 1 | null): Expr {
  p.checks.push((e) => nf_ct_set_acct(e));
  const read = (x: EvalCtx): number | undefined => {
    const ct = ctOf(x);
    if (!ct) return undefined;
    const a = ct.acct;
    if (!a) return 0;
    const sum = (k: 'packets' | 'bytes'): number => (dir === null ? a[k][0] + a[k][1] : a[k][dir]);
    if (key === 'avgpkt') return sum('packets') ? Math.floor(sum('bytes') / sum('packets')) : 0;
    return sum(key as 'packets' | 'bytes');
  };
  const label = `ct ${dir === null ? '' : dir ? 'reply ' : 'original '}${key}`;
  return numKey(p, kw, read, (t) => p.num(t, 0, Number.MAX_SAFE_INTEGER), (v) => `${label} ${v}`, {
    needsCt: true,
    actual: (x) => {
      const ct = ctOf(x);
      return !ct ? 'no conntrack entry (the ct expression breaks)' : !ct.acct ? `connection #${ct.id}, made while accounting was off: ${label} reads 0` : `${label} ${read(x)}`;
    },
  });
}

/** `meta KEY …` (and bare skuid, skgid, …) for the keys nft_match.ts does not read itself. */
export function metaKey(p: NftCursor, k: NTok, kw: NTok): Expr | null {
  switch (k.text) {
    case 'skuid':
    case 'skgid': {
      const get = (x: EvalCtx): number | undefined => skOwner(x)?.[k.text === 'skuid' ? 'uid' : 'gid'];
      return numKey(p, kw, get, (t, s) => (Object.hasOwn(IDS, s) ? IDS[s] : /^\d+$/.test(s) ? p.num(t, 0, 0xffffffff) : p.fail(t, `${k.text === 'skuid' ? 'User' : 'Group'} does not exist: ${q(s)}`)), (v) => `meta ${k.text} ${v}`, {
        actual: (x) => (get(x) === undefined ? 'no local socket (the meta expression breaks)' : `meta ${k.text} ${get(x)}`),
      });
    }
    case 'iiftype':
    case 'oiftype': {
      const get = (x: EvalCtx): number | undefined => {
        const d = k.text === 'iiftype' ? x.p.indev : x.p.outdev;
        return d ? devType(d) : undefined;
      };
      return numKey(p, kw, get, (t, s) => (Object.hasOwn(IFTYPES, s) ? IFTYPES[s] : p.num(t, 0, 65535)), (v) => `meta ${k.text} ${Object.keys(IFTYPES).find((n) => IFTYPES[n] === v) ?? v}`);
    }
    case 'iifgroup':
    case 'oifgroup': {
      // the model's devices are all in group 0, "default" (no `ip link set group`)
      const get = (x: EvalCtx): number | undefined => ((k.text === 'iifgroup' ? x.p.indev : x.p.outdev) ? 0 : undefined);
      return numKey(p, kw, get, (t, s) => (s === 'default' ? 0 : p.num(t, 0, 0xffffffff)), (v) => `${k.text} ${v === 0 ? '"default"' : v}`);
    }
    case 'priority': {
      if (p.is('set')) p.fail(p.peek(), 'meta priority set is not modelled (skb->priority chooses a qdisc band)');
      const parse = (t: NTok, s: string): number => {
        if (s === 'root') return 0xffffffff;
        if (s === 'none') return 0;
        const m = /^([0-9a-f]{1,4}):([0-9a-f]{0,4})$/i.exec(s);
        if (m) return ((parseInt(m[1], 16) << 16) | (m[2] ? parseInt(m[2], 16) : 0)) >>> 0;
        return p.num(t, 0, 0xffffffff);
      };
      return numKey(p, kw, (x) => x.p.skb.priority, parse, (v) => `meta priority ${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`);
    }
    case 'ipsec':
    case 'secpath': {
      // the model has no IPsec: no packet carries a secpath
      const w = p.word('exists or missing');
      if (w.text !== 'exists' && w.text !== 'missing') p.fail(w, 'expected exists or missing');
      const want = w.text === 'missing';
      // nft_meta_get_validate_xfrm (v6.12 nft_meta.c, CONFIG_XFRM): only at prerouting, input
      // and forward, where a received packet can carry a secpath; elsewhere EOPNOTSUPP
      p.checks.push((_e, c) => {
        if (c.base && !['prerouting', 'input', 'forward'].includes(c.base.hook)) throw new ScenarioError(`Could not process rule: Operation not supported: meta ${k.text} is read at the prerouting, input and forward hooks only, not ${c.base.hook}`, kw.pos);
      });
      return { text: p.text(kw), eval: () => want, actual: () => 'no secpath (the model has no IPsec)' };
    }
    case 'cpu':
      return p.fail(k, 'meta cpu is not modelled (the CPU that handles a packet)');
    case 'cgroup':
      return p.fail(k, 'meta cgroup is not modelled (the model has no cgroups)');
    case 'time':
    case 'day':
    case 'hour':
      return p.fail(k, `meta ${k.text} is not modelled (the model has no wall clock)`);
    case 'random':
      return p.fail(k, 'meta random is not modelled (the kernel draws a random number for each packet)');
    case 'rtclassid':
      return p.fail(k, 'meta rtclassid is not modelled (route realms)');
    default:
      return null;
  }
}
