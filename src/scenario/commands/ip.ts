// `ip …` setup lines: the global options and the objects, then `ip address` and `ip link`.
// The grammar follows iproute2 (ip/ip.c, ipaddress.c, iplink.c), including its abbreviations.
import { Args, pick } from '../args';
import { Diag, q } from '../diag';
import { dottedQuad, ifname, ipv4, mask, tokMac, tokPrefix } from '../syntax';
import { SetupCommand, Tok } from '../types';
import { devArg, keyword, scopeArg, u32Arg, verb } from './common';
import { parseNeigh } from './ip-neigh';
import { parseRoute } from './ip-route';
import { parseRule } from './ip-rule';
import { parseIp6 } from './ip6';

/** ip/ip.c's object table, in its order (abbreviations resolve to the first match). */
const OBJECTS = ['address', 'addrlabel', 'maddress', 'route', 'rule', 'neighbor', 'neighbour', 'ntable', 'ntbl', 'link', 'l2tp', 'fou', 'ila', 'macsec', 'tunnel', 'tuntap', 'tap', 'token', 'tcpmetrics', 'tcp_metrics', 'monitor', 'xfrm', 'mroute', 'mrule', 'netns', 'netconf', 'vrf', 'sr', 'nexthop', 'mptcp', 'ioam', 'stats'];

export function parseIp(words: Tok[], d: Diag): SetupCommand[] {
  const a = new Args(words, d, 'ip', 1);
  while (a.more() && a.peek()!.text.startsWith('-')) {
    const o = a.next();
    if (o.text === '-4') continue;
    if (o.text === '-6') return parseIp6(words, d, words.indexOf(o) + 1);
    else if (o.text === '-n' || o.text === '-netns' || o.text === '--netns') {
      a.fail(o, `${q(o.text)} makes no sense in a host's setup: each host already is its own network namespace`);
    } else a.fail(o, `${q(o.text)}: unknown or unsupported option of \`ip\` (only -4 is accepted)`);
    return [];
  }
  if (!a.more()) {
    a.fail(words[words.length - 1], '`ip` needs an object: address, link, route, rule or neigh');
    return [];
  }
  const objTok = a.next();
  const obj = pick(objTok.text, OBJECTS);
  const pos = words[0].pos;
  let cmd: SetupCommand | undefined;
  switch (obj) {
    case 'address':
      cmd = parseAddr(new Args(words, d, 'ip address', indexAfter(words, objTok)), objTok, pos);
      break;
    case 'link':
      cmd = parseLink(new Args(words, d, 'ip link', indexAfter(words, objTok)), objTok, pos);
      break;
    case 'route':
      cmd = parseRoute(new Args(words, d, 'ip route', indexAfter(words, objTok)), objTok, pos);
      break;
    case 'rule':
      cmd = parseRule(new Args(words, d, 'ip rule', indexAfter(words, objTok)), objTok, pos);
      break;
    case 'neighbor':
    case 'neighbour':
      cmd = parseNeigh(new Args(words, d, 'ip neigh', indexAfter(words, objTok)), objTok, pos);
      break;
    case undefined:
      a.fail(objTok, `${q(objTok.text)}: unknown object of \`ip\`; expected address, link, route, rule or neigh`);
      break;
    default:
      a.fail(objTok, `\`ip ${obj}\` is not supported by the model; use address, link, route, rule or neigh`);
  }
  return cmd ? [cmd] : [];
}

function indexAfter(words: Tok[], t: Tok): number {
  return words.indexOf(t) + 1;
}

const ADDR_VERBS = ['add', 'change', 'chg', 'replace', 'delete', 'list', 'show', 'lst', 'flush', 'save', 'showdump', 'restore'];
const ADDR_KW = ['dev', 'local', 'broadcast*', 'brd=broadcast', 'scope', 'peer', 'remote', 'anycast', 'label', 'metric*', 'priority*', 'preference*', 'valid_lft*', 'preferred_lft*', 'home', 'nodad', 'noprefixroute', 'autojoin', 'mngtmpaddr'];
const ADDR_OK = ['dev', 'local', 'broadcast', 'scope'];

function parseAddr(a: Args, obj: Tok, pos: Tok['pos']): SetupCommand | undefined {
  const v = verb(a, obj, ADDR_VERBS, { add: 'addr-add', delete: 'addr-del' } as const);
  if (!v) return undefined;
  const [kind, verbTok] = v;
  const seen = new Set<string>();
  let addr: { addr: string; plen: number } | undefined;
  let dev: Tok | undefined;
  let brd: Tok | undefined;
  let scope: string | undefined;
  while (a.more()) {
    const t = a.next();
    const kw = keyword(t.text, ADDR_KW);
    if (kw === undefined && !/^\d/.test(t.text)) return a.unknown(t, ADDR_OK.concat('ADDRESS/PLEN'));
    if (kw !== undefined && !ADDR_OK.includes(kw)) return a.fail(t, `${q(t.text)} is not supported by the model in \`ip address\``);
    if (!a.once(seen, kw === 'local' || kw === undefined ? 'local' : kw, t)) return undefined;
    if (kw === 'dev') dev = devArg(a, t);
    else if (kw === 'broadcast') brd = a.arg(t, 'an address or +');
    else if (kw === 'scope') {
      scope = scopeArg(a, t);
      // inet_select_addr never picks an address of scope nowhere; the model's addresses have global, link or host
      if (scope === 'nowhere') return a.fail(a.words[a.words.indexOf(t) + 1], 'an address of scope nowhere is not modelled: the model has the scopes global, link and host');
    }
    else {
      const at = kw === 'local' ? a.arg(t, 'an address') : t;
      addr = at && tokPrefix(at, a.d, true);
      if (!addr && at) a.failed = true;
    }
  }
  if (a.failed) return undefined;
  if (!addr) return a.fail(verbTok, `${q(`ip address ${verbTok.text}`)} needs an address (ADDRESS/PLEN)`);
  if (!dev) return a.fail(verbTok, `${q(`ip address ${verbTok.text}`)} needs \`dev IFNAME\``);
  if (kind === 'addr-del') {
    if (brd || scope) return a.fail(brd ?? verbTok, '`ip address del` takes only the address and `dev`');
    return { kind, pos, addr: addr.addr, plen: addr.plen, dev };
  }
  let broadcast: string | undefined;
  if (brd) {
    if (brd.text === '+') broadcast = dottedQuad(((ipv4(addr.addr) as { value: number }).value | ~mask(addr.plen)) >>> 0);
    else if (brd.text === '-') return a.fail(brd, '`brd -` is not supported by the model');
    else if (ipv4(brd.text).ok) broadcast = brd.text;
    else return a.fail(brd, `${(ipv4(brd.text) as { why: string }).why}, nor \`+\``);
  }
  return { kind, pos, addr: addr.addr, plen: addr.plen, dev, ...(broadcast && { broadcast }), ...(scope && { scope }) };
}

const LINK_VERBS = ['add', 'change', 'replace', 'delete', 'set', 'show', 'list', 'lst', 'help', 'xstats', 'afstats', 'property'];
const LINK_KW = ['dev', 'up', 'down', 'mtu', 'address', 'txqueuelen*', 'qlen=txqueuelen', 'txqlen*=txqueuelen', 'promisc', 'arp', 'name', 'index', 'type', 'link', 'broadcast*', 'brd', 'netns', 'multicast', 'allmulticast', 'trailers', 'carrier', 'master', 'nomaster', 'alias', 'group', 'state', 'mode'];
const LINK_OK = ['dev', 'up', 'down', 'mtu', 'address', 'txqueuelen', 'promisc', 'arp'];

function parseLink(a: Args, obj: Tok, pos: Tok['pos']): SetupCommand | undefined {
  if (a.more() && pick(a.peek()!.text, LINK_VERBS) === 'add') {
    return a.fail(a.peek()!, '`ip link add` is not used in a scenario: interfaces come from `links:` (a veth pair or a nic per link)');
  }
  const v = verb(a, obj, LINK_VERBS, { set: 'link-set', change: 'link-set' } as const);
  if (!v) return undefined;
  const [, verbTok] = v;
  const seen = new Set<string>();
  const out: Extract<SetupCommand, { kind: 'link-set' }> = { kind: 'link-set', pos, dev: undefined as unknown as Tok };
  let changes = 0;
  while (a.more()) {
    const t = a.next();
    const kw = keyword(t.text, LINK_KW);
    if (kw === undefined || kw === 'dev') {
      if (seen.has('dev')) return a.fail(t, `${q(t.text)}: unknown keyword in \`ip link set\`, or a second device; expected one of: ${LINK_OK.join(', ')}`);
      seen.add('dev');
      const bad = kw === 'dev' ? undefined : ifname(t.text);
      const d = kw === 'dev' ? devArg(a, t) : bad ? a.fail(t, bad) : t;
      if (!d) return undefined;
      out.dev = d;
      continue;
    }
    if (!LINK_OK.includes(kw)) return a.fail(t, `${q(t.text)} is not supported by the model in \`ip link set\``);
    if (!a.once(seen, kw === 'down' ? 'up' : kw, t)) return undefined;
    changes++;
    if (kw === 'up' || kw === 'down') out.up = kw === 'up';
    // iproute2 reads an int; the device's range is checked once the device is known (below)
    else if (kw === 'mtu') out.mtu = u32Arg(a, t, 'a number', 0, 0x7fffffff);
    else if (kw === 'txqueuelen') out.txqueuelen = u32Arg(a, t, 'a number');
    else if (kw === 'address') out.address = unicastMac(a, t);
    else out[kw as 'promisc' | 'arp'] = onOff(a, t);
  }
  if (a.failed) return undefined;
  if (!out.dev) return a.fail(verbTok, '`ip link set` needs a device');
  if (changes === 0) return a.fail(verbTok, '`ip link set` with nothing to set: add up, down, mtu N, address MAC, txqueuelen N, promisc on|off or arp on|off');
  if (Object.values(out).some((x) => x === undefined)) return undefined; // a value was wrong (reported)
  const mtuTok = out.mtu === undefined ? undefined : a.words[a.words.findIndex((w) => w.text === 'mtu') + 1];
  if (out.mtu !== undefined && mtuTok) {
    // dev_validate_mtu (v6.12): a veth takes ETH_MIN_MTU..ETH_MAX_MTU; lo sets no range
    // (gen_lo_setup), but below 68 IPv4 leaves it (inetdev_valid_mtu), which is not modelled
    if (out.dev.text === 'lo') {
      if (out.mtu < 68) return a.fail(mtuTok, `mtu ${out.mtu} on lo: the kernel takes it, and IPv4 then leaves the device (inetdev_valid_mtu); not modelled`);
    } else if (out.mtu < 68 || out.mtu > 65535) return a.fail(mtuTok, `${q('mtu')}: ${q(mtuTok.text)} is out of range (68..65535)`);
  }
  return out;
}

function onOff(a: Args, kw: Tok): boolean | undefined {
  const t = a.arg(kw, '`on` or `off`');
  if (!t) return undefined;
  if (t.text === 'on' || t.text === 'off') return t.text === 'on';
  return a.fail(t, `${q(kw.text)} takes \`on\` or \`off\`, not ${q(t.text)}`);
}

/** eth_validate_addr(): a device address must be unicast and not all zeros. */
function unicastMac(a: Args, kw: Tok): string | undefined {
  const t = a.arg(kw, 'a MAC address');
  const m = t && tokMac(t, a.d);
  if (!t || !m) return undefined;
  if (parseInt(m.slice(0, 2), 16) & 1) return a.fail(t, `${q(t.text)} is a multicast address: a device address must be unicast`);
  if (m === '00:00:00:00:00:00') return a.fail(t, 'a device address cannot be all zeros');
  return m;
}
