// `ip -6 address|route|neigh …` (iproute2 with preferred_family AF_INET6): what the IPv6 model
// has — addresses (`nodad` or through DAD), unicast and error routes in the main table, static neighbours.
// Anything else of the same commands is refused at its word.
import { Args, pick } from '../args';
import { q, subTok, type Diag } from '../diag';
import { tokMac, tokUint } from '../syntax';
import type { SetupCommand, SourcePos, Tok } from '../types';
import { parseIpv6 } from '../../trace/ipv6';
import { devArg, keyword, verb } from './common';

type V6 = Extract<SetupCommand, { kind: 'addr6' | 'route6' | 'neigh6' }>;

/** An IPv6 address word; an error at it otherwise. */
function tokIpv6(t: Tok, d: Diag): string | undefined {
  if (!parseIpv6(t.text)) return void d.error(t, `${q(t.text)} is not an IPv6 address`);
  return t.text;
}

/** ADDR/PLEN, `default` (::/0), or an address alone (/128). */
function tokPrefix6(t: Tok, d: Diag, hostBits: boolean): { addr: string; plen: number } | undefined {
  if (t.text === 'default') return { addr: '::', plen: 0 };
  const slash = t.text.indexOf('/');
  const at = slash < 0 ? t : subTok(t, 0, slash);
  const a = parseIpv6(at.text);
  if (!a) return void d.error(at, `${q(at.text)} is not an IPv6 address`);
  let plen = 128;
  if (slash >= 0) {
    const p = tokUint(subTok(t, slash + 1), d, 0, 128, 'prefix length');
    if (p === undefined) return undefined;
    plen = p;
  }
  if (!hostBits) {
    for (let bit = plen; bit < 128; bit++) {
      if (a[bit >> 3] & (0x80 >> (bit & 7))) return void d.error(t, `${q(t.text)}: invalid prefix for the given prefix length (host bits set)`);
    }
  }
  return { addr: at.text, plen };
}

const OBJECTS = ['address', 'route', 'neighbor', 'neighbour', 'link', 'rule'];

export function parseIp6(words: Tok[], d: Diag, start: number): SetupCommand[] {
  const a = new Args(words, d, 'ip -6', start);
  if (!a.more()) {
    a.fail(words[words.length - 1], '`ip -6` needs an object: address, route or neigh');
    return [];
  }
  const objTok = a.next();
  const obj = pick(objTok.text, OBJECTS);
  const pos = words[0].pos;
  const sub = (cmd: string): Args => new Args(words, d, cmd, words.indexOf(objTok) + 1);
  let cmd: SetupCommand | undefined;
  if (obj === 'address') cmd = parseAddr6(sub('ip -6 address'), objTok, pos);
  else if (obj === 'route') cmd = parseRoute6(sub('ip -6 route'), objTok, pos);
  else if (obj === 'neighbor' || obj === 'neighbour') cmd = parseNeigh6(sub('ip -6 neigh'), objTok, pos);
  else a.fail(objTok, `\`ip -6 ${objTok.text}\` is not modelled; the IPv6 model has address, route and neigh`);
  return cmd ? [cmd] : [];
}

function parseAddr6(a: Args, obj: Tok, pos: SourcePos): SetupCommand | undefined {
  const v = verb(a, obj, ['add', 'change', 'replace', 'delete', 'show', 'list', 'flush'], { add: 'add', delete: 'del' } as const);
  if (!v) return undefined;
  const [op, verbTok] = v;
  let addr: { addr: string; plen: number } | undefined;
  let dev: Tok | undefined;
  let nodad = false;
  const seen = new Set<string>();
  while (a.more()) {
    const t = a.next();
    const kw = keyword(t.text, ['dev', 'local', 'nodad', 'scope', 'noprefixroute', 'valid_lft*', 'preferred_lft*', 'home', 'optimistic', 'mngtmpaddr', 'autojoin', 'label', 'metric*', 'peer']);
    if (kw !== undefined && !['dev', 'local', 'nodad'].includes(kw)) return a.fail(t, `${q(t.text)} is not modelled in \`ip -6 address\``);
    if (!a.once(seen, kw ?? 'local', t)) return undefined;
    if (kw === 'dev') dev = devArg(a, t);
    else if (kw === 'nodad') nodad = true;
    else {
      const at = kw === 'local' ? a.arg(t, 'an address') : t;
      addr = at && tokPrefix6(at, a.d, true);
      if (!addr) return void (a.failed = true);
      const bytes = parseIpv6(addr.addr)!;
      if (bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0x80) return a.fail(at!, `${q(at!.text)}: a link-local address of your own is not modelled; every device has one made from its MAC when it comes up`);
      if (bytes[0] === 0xff) return a.fail(at!, `${q(at!.text)} is a multicast address`);
    }
  }
  if (a.failed) return undefined;
  if (!addr) return a.fail(verbTok, '`ip -6 address` needs an address (ADDRESS/PLEN)');
  if (!dev) return a.fail(verbTok, '`ip -6 address` needs `dev IFNAME`');
  return { kind: 'addr6', op, pos, addr: addr.addr, plen: addr.plen, dev, nodad };
}

const ROUTE_TYPES = ['unicast', 'blackhole', 'unreachable', 'prohibit'];
const ROUTE_OTHER = ['local', 'broadcast', 'throw', 'nat', 'anycast', 'multicast'];

function parseRoute6(a: Args, obj: Tok, pos: SourcePos): SetupCommand | undefined {
  const v = verb(a, obj, ['add', 'change', 'replace', 'delete', 'show', 'list', 'flush', 'get', 'append', 'prepend', 'test'], { add: 'add', delete: 'del', replace: 'replace' } as const);
  if (!v) return undefined;
  const [op, verbTok] = v;
  let type = 'unicast';
  let dst: { addr: string; plen: number } | undefined;
  let via: Tok | undefined;
  let dev: Tok | undefined;
  let metric: number | undefined;
  let mtu: number | undefined;
  const seen = new Set<string>();
  while (a.more()) {
    const t = a.next();
    const kw = keyword(t.text, ['via', 'dev', 'oif=dev', 'metric', 'priority=metric', 'preference=metric', 'mtu', 'table', 'src', 'proto', 'scope', 'expires', 'pref', 'onlink', 'advmss', 'hoplimit', 'from', 'nexthop', 'realm', 'encap']);
    if (kw !== undefined) {
      if (!['via', 'dev', 'metric', 'mtu'].includes(kw)) return a.fail(t, `${q(t.text)} is not modelled in \`ip -6 route\` (the IPv6 model has via, dev, metric and mtu in the main table)`);
      if (!a.once(seen, kw, t)) return undefined;
      if (kw === 'via') {
        via = a.arg(t, 'an address');
        if (via && !tokIpv6(via, a.d)) return void (a.failed = true);
      } else if (kw === 'dev') dev = devArg(a, t);
      else if (kw === 'metric') {
        const m = a.arg(t, 'a number');
        metric = m && tokUint(m, a.d, 0, 0xffffffff, 'metric');
        if (metric === undefined) return void (a.failed = true);
      } else {
        const m = a.arg(t, 'a number');
        if (m?.text === 'lock') return a.fail(m, '`mtu lock` is not modelled for IPv6');
        mtu = m && tokUint(m, a.d, 1280, 65535, 'mtu');
        if (mtu === undefined) return void (a.failed = true);
      }
      continue;
    }
    if (ROUTE_TYPES.includes(t.text) && !dst && !seen.has('type')) {
      seen.add('type');
      type = t.text;
      continue;
    }
    if (ROUTE_OTHER.includes(t.text)) return a.fail(t, `route type ${q(t.text)} is not modelled for IPv6`);
    if (dst) return a.fail(t, `${q(t.text)}: unknown keyword in \`ip -6 route\`, or a second destination`);
    if (!t.text.includes(':') && t.text !== 'default') return a.unknown(t, ['PREFIX', 'default', 'via', 'dev', 'metric', 'mtu']);
    dst = tokPrefix6(t, a.d, false);
    if (!dst) return void (a.failed = true);
  }
  if (a.failed) return undefined;
  if (!dst) return a.fail(verbTok, '`ip -6 route` needs a destination (PREFIX or default)');
  if (type === 'unicast' && op !== 'del' && !via && !dev) return a.fail(verbTok, 'a unicast route needs `via ADDRESS` or `dev IFNAME`');
  return { kind: 'route6', op, pos, type, dst, ...(via && { via }), ...(dev && { dev }), ...(metric !== undefined && { metric }), ...(mtu !== undefined && { mtu }) } as V6;
}

function parseNeigh6(a: Args, obj: Tok, pos: SourcePos): SetupCommand | undefined {
  const v = verb(a, obj, ['add', 'change', 'replace', 'delete', 'show', 'list', 'flush', 'get'], { add: 'add', replace: 'replace', delete: 'del' } as const);
  if (!v) return undefined;
  const [op, verbTok] = v;
  let addr: string | undefined;
  let lladdr: string | undefined;
  let dev: Tok | undefined;
  let nud = 'permanent';
  const seen = new Set<string>();
  while (a.more()) {
    const t = a.next();
    const kw = keyword(t.text, ['lladdr*', 'nud', 'dev', 'to', 'proxy*', 'router*', 'extern_learn*', 'protocol*']);
    if (kw !== undefined && !['lladdr', 'nud', 'dev', 'to'].includes(kw)) return a.fail(t, `${q(t.text)} is not modelled in \`ip -6 neigh\``);
    if (!a.once(seen, kw === 'to' || kw === undefined ? 'addr' : kw, t)) return undefined;
    if (kw === 'lladdr') {
      const m = a.arg(t, 'a MAC address');
      lladdr = m && tokMac(m, a.d);
      if (!lladdr) return void (a.failed = true);
    } else if (kw === 'dev') dev = devArg(a, t);
    else if (kw === 'nud') {
      const s = a.arg(t, 'a state');
      if (!s) return undefined;
      if (!['permanent', 'reachable', 'stale', 'noarp'].includes(s.text)) return a.fail(s, `nud ${q(s.text)} is not modelled; use permanent, reachable, stale or noarp`);
      nud = s.text;
    } else {
      const at = kw === 'to' ? a.arg(t, 'an address') : t;
      addr = at && tokIpv6(at, a.d);
      if (!addr) return void (a.failed = true);
    }
  }
  if (a.failed) return undefined;
  if (!addr || !dev) return a.fail(verbTok, 'Device and destination are required arguments: `ip -6 neigh add ADDRESS lladdr MAC dev IFNAME`');
  if (op !== 'del' && !lladdr && nud !== 'noarp') return a.fail(verbTok, `\`ip -6 neigh ${verbTok.text}\` needs \`lladdr MAC\``);
  return { kind: 'neigh6', op, pos, addr, dev, nud, ...(lladdr && { lladdr }) } as V6;
}
