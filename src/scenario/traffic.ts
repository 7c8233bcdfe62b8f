// The `send:` line of a traffic item. Local sends name what a tool or socket would do (so the
// same item can be replayed with ping, a UDP socket or a TCP connect on a real kernel); wire
// sends describe a frame field by field, including fields forced wrong.
import { Args } from './args';
import { Diag, q } from './diag';
import { tokAddrPort, tokAddrPort6, tokIpv4, tokUint } from './syntax';
import { parseIpv6 } from '../trace/ipv6';
import { IpOptions, LocalSend, Repeat, Tok, WireSend } from './types';
import { minSize6, v4Only, wire6Option, WIRE6_OPTIONS } from './wire6';
import { expectWord, SHARED_WIRE_OPTIONS, sharedWireOption } from './wire_options';

const IP_HDR = 20;
/** smallest IP datagram for each protocol: IP header + L4 header */
export const MIN_SIZE = { icmp: IP_HDR + 8, udp: IP_HDR + 8, tcp: IP_HDR + 20 } as const;
/** ping's default for IPv6: 56 data bytes + 8 ICMPv6 + 40 IPv6 */
const PING6_SIZE = 104;
/** ping's default: 56 data bytes + 8 ICMP + 20 IP */
export const PING_SIZE = 84;

type Proto = keyof typeof MIN_SIZE;

function proto(a: Args, t: Tok | undefined, at: Tok): Proto | undefined {
  if (!t) return a.fail(at, '`send` is empty: expected icmp, udp or tcp');
  if (t.text === 'icmp' || t.text === 'udp' || t.text === 'tcp') return t.text;
  return a.fail(t, `${q(t.text)}: unknown protocol; expected icmp, udp or tcp`);
}


/**
 * `size`: the IP datagram's total length, from the protocol's headers up to 65535; a wire frame
 * may be as short as the IP header (a fragment past offset 0 carries no protocol header; this is
 * checked once `frag` is known).
 */
function sizeArg(a: Args, kw: Tok, p: Proto, wire = false): number | undefined {
  const t = a.arg(kw, 'a number of bytes');
  return t && tokUint(t, a.d, wire ? IP_HDR : MIN_SIZE[p], 65535, `size of a ${p} ${wire ? 'frame' : 'datagram'} (IP total length)`);
}

function num(a: Args, kw: Tok, min: number, max: number): number | undefined {
  const t = a.arg(kw, 'a number');
  return t && tokUint(t, a.d, min, max, q(kw.text));
}

/** the most datagrams or connections one item sends */
export const MAX_COUNT = 10_000_000;

/** `rate` paces a `count`; TCP connections from one fixed port would collide (EADDRINUSE is not modelled). */
function checkRepeat(a: Args, words: Tok[], s: Repeat & { sport?: number }, p: Proto): void {
  const at = (w: string): Tok => words.find((x) => x.text === w)!;
  if (s.rate !== undefined && s.count === undefined) a.fail(at('rate'), '`rate` paces a `count`: give `count N` too');
  if (p === 'tcp' && s.sport !== undefined && (s.count ?? 1) > 1) a.fail(at('count'), 'several connections from one source port `from :PORT` would collide (EADDRINUSE): not modelled; leave the port to the kernel');
}

/** `payload "text"` must fit in `size` when both are given. */
function checkPayload(a: Args, s: { size?: number; payload?: string }, p: Proto, at: Tok | undefined): void {
  if (at && s.size !== undefined && s.payload !== undefined) {
    const need = MIN_SIZE[p] + Buffer.byteLength(s.payload);
    if (s.size < need) a.fail(at, `size ${s.size} is too small for this payload: ${p} needs at least ${need}`);
  }
}

/** Words after `from: HOST` … `send:`. */
export function parseLocalSend(words: Tok[], d: Diag, at: Tok): LocalSend | undefined {
  const a = new Args(words, d, 'send');
  const p = proto(a, a.more() ? a.next() : undefined, at);
  if (!p) return undefined;
  const pt = words[0];
  let s: LocalSend;
  if (p === 'icmp') {
    const ty = expectWord(a, 'echo-request', pt);
    const to = ty && expectWord(a, 'to', ty);
    const addr = to && a.arg(to, 'an address');
    if (!addr) return undefined;
    // the address decides the family: an IPv6 one makes this an ICMPv6 echo request
    const v6 = addr.text.includes(':');
    if (v6 && !parseIpv6(addr.text)) return void d.error(addr, `${q(addr.text)} is not an IPv6 address`);
    if (!v6 && !tokIpv4(addr, d)) return undefined;
    s = { proto: 'icmp', type: 'echo-request', to: addr, count: 1, size: v6 ? PING6_SIZE : PING_SIZE };
  } else {
    let last = pt;
    if (p === 'tcp') {
      const c = expectWord(a, 'connect', pt);
      if (!c) return undefined;
      last = c;
    }
    const to = expectWord(a, 'to', last);
    const ap = to && a.arg(to, 'ADDR:PORT');
    const v6ap = !!ap && (ap.text.startsWith('[') || (ap.text.match(/:/g) ?? []).length > 1);
    if (ap && v6ap && p === 'tcp' && /^\[::ffff:/i.test(ap.text)) return a.fail(ap, `${q(ap.text)}: a connect to a v4-mapped address (tcp_v6_connect hands it to tcp_v4_connect) is not modelled; write the IPv4 address`);
    if (ap && v6ap && !ap.text.startsWith('[')) return a.fail(ap, `${q(ap.text)}: write an IPv6 address in brackets, [ADDR]:PORT`);
    const dst = ap && (v6ap ? tokAddrPort6(ap, d) : tokAddrPort(ap, d, false));
    if (!dst) return undefined;
    s = p === 'udp' ? { proto: 'udp', to: dst.addr!, dport: dst.port } : { proto: 'tcp', to: dst.addr!, dport: dst.port };
  }
  const v6 = p === 'icmp' && s.to.text.includes(':');
  const udp6 = p === 'udp' && s.to.text.includes(':');
  const allowed: Record<Proto, string[]> = {
    // IPv6 has no DF: routers never fragment, and a source fragments only past the path MTU
    icmp: v6 ? ['ttl', 'size', 'count'] : ['ttl', 'size', 'df', 'no-df', 'count'],
    // UDP over IPv6: no DF and no broadcast in IPv6; a hop limit (IPV6_UNICAST_HOPS) is not modelled yet
    udp: udp6 ? ['from', 'size', 'payload', 'count', 'rate'] : ['from', 'size', 'ttl', 'df', 'no-df', 'payload', 'broadcast', 'count', 'rate'],
    tcp: ['from', 'data', 'count', 'rate'],
  };
  const seen = new Set<string>();
  let bad = false;
  let payloadTok: Tok | undefined;
  while (a.more()) {
    const t = a.next();
    if (!allowed[p].includes(t.text)) return a.unknown(t, allowed[p]);
    if (!a.once(seen, t.text === 'no-df' ? 'df' : t.text, t)) return undefined;
    const v = localOption(a, t, p, s);
    if (t.text === 'payload') payloadTok = t;
    bad ||= v === undefined;
  }
  checkPayload(a, s as { size?: number; payload?: string }, p, payloadTok);
  // IP_TTL takes 1..255 (-1: the default), v6.12 do_ip_setsockopt; IPv6's hop limit takes 0
  const ttlAt = words.findIndex((w) => w.text === 'ttl');
  if (!v6 && !udp6 && (s as IpOptions).ttl === 0 && ttlAt >= 0) {
    return a.fail(words[ttlAt + 1], '`ttl 0`: setsockopt(IP_TTL) fails with EINVAL (Invalid argument): a socket takes a TTL of 1..255; a wire frame may carry 0');
  }
  const pl = (s as { payload?: string }).payload;
  if (p === 'udp' && payloadTok && pl !== undefined) {
    // ip_append_data (IP_MAX_MTU less the IP header) and __ip6_append_data (IPV6_MAXPLEN), v6.12:
    // a longer datagram fails with EMSGSIZE; the UDP length field could not hold it either
    const max = udp6 ? 65535 - 8 : 65535 - 20 - 8;
    const len = Buffer.byteLength(pl);
    if (len > max) return a.fail(payloadTok, `a payload of ${len} bytes: a UDP datagram over IPv${udp6 ? 6 : 4} carries at most ${max} (sendmsg fails with EMSGSIZE)`);
  }
  if (v6 && !a.failed && (s.size ?? 0) < 48) return a.fail(words.find((w) => w.text === 'size') ?? at, `size ${s.size}: an ICMPv6 echo request is at least 48 bytes (40 of IPv6 header, 8 of ICMPv6)`);
  if (udp6 && !a.failed && s.size !== undefined) {
    const pl = (s as { payload?: string }).payload;
    const need = 48 + (pl !== undefined ? Buffer.byteLength(pl) : 0);
    if (s.size < need) return a.fail(words.find((w) => w.text === 'size') ?? at, `size ${s.size}: a UDP datagram over IPv6 with this payload is at least ${need} bytes (40 of IPv6 header, 8 of UDP, the payload)`);
  }
  if (p !== 'icmp') checkRepeat(a, words, s as Repeat & { sport?: number }, p);
  return a.failed || bad ? undefined : s;
}

function localOption(a: Args, t: Tok, p: Proto, s: LocalSend): unknown {
  switch (t.text) {
    case 'df':
    case 'no-df':
      return (s.df = t.text === 'df');
    case 'from': {
      const w = a.arg(t, ':PORT');
      if (!w) return undefined;
      if (!w.text.startsWith(':')) return a.fail(w, `${q(w.text)}: only the source port can be chosen: \`from :PORT\``);
      const r = tokAddrPort(w, a.d, true);
      return r && ((s as { sport?: number }).sport = r.port);
    }
    case 'data':
      return ((s as { data?: number }).data = num(a, t, 0, 1 << 20));
    case 'broadcast':
      // setsockopt(SO_BROADCAST, 1) on the sending socket
      return ((s as { broadcast?: boolean }).broadcast = true);
    case 'count':
      return ((s as { count: number }).count = num(a, t, 1, p === 'icmp' ? 1000 : MAX_COUNT)!);
    case 'rate':
      return ((s as Repeat).rate = num(a, t, 1, 1_000_000_000));
    case 'payload': {
      const w = a.arg(t, 'a text');
      return w && ((s as { payload?: string }).payload = w.text);
    }
    default:
      return ipOption(a, t, p, s);
  }
}

/** ttl, size, id, tos: fields shared by every IP datagram. */
function ipOption(a: Args, t: Tok, p: Proto, s: IpOptions, wire = false): unknown {
  switch (t.text) {
    case 'ttl':
      return (s.ttl = num(a, t, 0, 255));
    case 'size':
      return (s.size = sizeArg(a, t, p, wire));
    case 'id':
      return (s.id = num(a, t, 0, 65535));
    case 'tos':
      return (s.tos = num(a, t, 0, 255));
  }
  return undefined;
}

const WIRE_IP = ['ttl', 'size', 'df', 'no-df', 'id', 'tos', 'bad-ip-checksum', 'frag', 'dst-mac', 'src-mac', 'version', 'ihl', 'truncate', 'payload'];
const WIRE_L4: Record<Proto, string[]> = { udp: ['bad-udp-checksum'], tcp: ['flags', 'seq', 'ack', 'window', 'bad-tcp-checksum'], icmp: ['bad-icmp-checksum'] };
const TCP_FLAGS = 'FSRPAUEC';

/** Words after `into: HOST:IF` … `send:`. */
export function parseWireSend(words: Tok[], d: Diag, at: Tok): WireSend | undefined {
  const a = new Args(words, d, 'send');
  const p = proto(a, a.more() ? a.next() : undefined, at);
  if (!p) return undefined;
  let last = words[0];
  let icmpType: string | undefined;
  if (p === 'icmp') {
    const ty = a.peek();
    if (ty?.text !== 'echo-request' && ty?.text !== 'echo-reply') return ty ? a.fail(ty, `${q(ty.text)}: expected echo-request or echo-reply`) : a.fail(last, 'expected echo-request after `icmp`');
    icmpType = a.next().text;
    last = ty;
  }
  const withPort = p !== 'icmp';
  const fromKw = expectWord(a, 'from', last);
  const fromW = fromKw && a.arg(fromKw, withPort ? 'ADDR:PORT' : 'an address');
  const toKw = fromW && expectWord(a, 'to', fromW);
  const toW = toKw && a.arg(toKw, withPort ? 'ADDR:PORT' : 'an address');
  if (!fromW || !toW) return undefined;
  const s: WireSend = { proto: p, src: fromW, dst: toW };
  // the address decides the family: a crafted IPv6 frame has its own fields (src/scenario/wire6.ts)
  if (withPort ? fromW.text.startsWith('[') : fromW.text.includes(':')) return parseWire6(a, d, s, words, icmpType);
  if (withPort) {
    const src = tokAddrPort(fromW, d, false);
    const dst = tokAddrPort(toW, d, false);
    if (!src || !dst) return undefined;
    Object.assign(s, { src: src.addr, dst: dst.addr, sport: src.port, dport: dst.port });
  } else {
    if (!tokIpv4(fromW, d) || !tokIpv4(toW, d)) return undefined;
    Object.assign(s, { icmpType, flags: icmpType });
  }
  if (p === 'tcp') s.flags = 'S';
  const allowed = WIRE_IP.concat(WIRE_L4[p]);
  const seen = new Set<string>();
  let bad = false;
  let payloadTok: Tok | undefined;
  while (a.more()) {
    const t = a.next();
    if (!allowed.includes(t.text)) {
      const other = Object.entries(WIRE_L4).find(([, l]) => l.includes(t.text));
      if (other) return a.fail(t, `${q(t.text)} is for ${other[0]}, this frame is ${p}`);
      return a.unknown(t, allowed);
    }
    if (!a.once(seen, t.text === 'no-df' ? 'df' : t.text, t)) return undefined;
    if (t.text === 'payload') payloadTok = t;
    // every option is parsed (its arguments consumed) even after an earlier one was wrong
    const ok = wireOption(a, t, p, s) !== undefined;
    bad ||= !ok;
  }
  checkPayload(a, s, p, payloadTok);
  const sizeTok = words[words.findIndex((w) => w.text === 'size') + 1];
  if (s.size !== undefined && s.size < MIN_SIZE[p] && !(s.frag && s.frag.offset > 0)) {
    a.fail(sizeTok, `size ${s.size} is too small for the ${p} header (at least ${MIN_SIZE[p]}); only a fragment past offset 0 may be as short as the IP header (20)`);
  }
  if (s.truncate !== undefined && s.size !== undefined && s.truncate > s.size) {
    a.fail(words.find((w) => w.text === 'truncate')!, `truncate ${s.truncate} is more than the datagram's size ${s.size}`);
  }
  return a.failed || bad ? undefined : s;
}

function wireOption(a: Args, t: Tok, p: Proto, s: WireSend): unknown {
  if (SHARED_WIRE_OPTIONS.includes(t.text)) return sharedWireOption(a, t, s);
  switch (t.text) {
    case 'df':
    case 'no-df':
      return (s.df = t.text === 'df');
    case 'bad-ip-checksum':
      return (s.badIpChecksum = true);
    case 'bad-udp-checksum':
    case 'bad-tcp-checksum':
    case 'bad-icmp-checksum':
      return (s.badL4Checksum = true);
    case 'version':
      return (s.version = num(a, t, 0, 15));
    case 'ihl':
      return (s.ihl = num(a, t, 0, 15));
    case 'truncate':
      return (s.truncate = num(a, t, 0, 65535));
    case 'seq':
      return (s.seq = num(a, t, 0, 0xffffffff));
    case 'ack':
      return (s.ack = num(a, t, 0, 0xffffffff));
    case 'window':
      return (s.window = num(a, t, 0, 65535));
    case 'flags': {
      const f = a.arg(t, 'TCP flags (S, SA, A, R, F, P …)');
      if (!f) return undefined;
      const bad = [...f.text].findIndex((c, i) => !TCP_FLAGS.includes(c) || f.text.indexOf(c) !== i);
      if (bad >= 0 || f.text === '') return a.fail(f, `${q(f.text)}: TCP flags are letters from ${TCP_FLAGS} (each once), like S, SA, A, R, FA`);
      return (s.flags = f.text);
    }
    default:
      return ipOption(a, t, p, s, true);
  }
}

/** The rest of an IPv6 wire send: both addresses IPv6, then its own options. */
function parseWire6(a: Args, d: Diag, s: WireSend, words: Tok[], icmpType: string | undefined): WireSend | undefined {
  const p = s.proto;
  if (p === 'tcp') return a.fail(words[0], 'a crafted TCP segment over IPv6 is not modelled yet');
  if (p === 'udp') {
    const src = tokAddrPort6(s.src, d);
    const dst = tokAddrPort6(s.dst, d);
    if (!src || !dst) return undefined;
    Object.assign(s, { src: src.addr, dst: dst.addr, sport: src.port, dport: dst.port });
  } else {
    for (const w of [s.src, s.dst]) if (!parseIpv6(w.text)) return a.fail(w, `${q(w.text)} is not an IPv6 address (both addresses of a frame are of one family)`);
    Object.assign(s, { icmpType, flags: icmpType });
  }
  s.v6 = true;
  const allowed = WIRE6_OPTIONS.concat(p === 'udp' ? ['bad-udp-checksum'] : ['bad-icmp-checksum']);
  const seen = new Set<string>();
  let bad = false;
  while (a.more()) {
    const t = a.next();
    if (!allowed.includes(t.text)) {
      if (v4Only(t)) return a.fail(t, `${q(t.text)} is an IPv4 header field; this frame is IPv6 (hop-limit, tclass, frag, id, ext, next-header)`);
      return a.unknown(t, allowed);
    }
    if (!a.once(seen, t.text, t)) return undefined;
    bad ||= wire6Option(a, t, s) === undefined;
  }
  if (a.failed || bad) return undefined;
  const min = minSize6(s);
  const sizeAt = words.findIndex((w) => w.text === 'size');
  if (s.size === undefined) s.size = min + (s.frag && s.frag.offset > 0 ? 8 : 0) + Math.max(32, s.payload !== undefined ? Buffer.byteLength(s.payload) : 0);
  else if (s.size < min) return a.fail(words[sizeAt + 1], `size ${s.size} is too small: these headers need at least ${min} bytes`);
  if (s.payload !== undefined && !s.frag && s.size < min + Buffer.byteLength(s.payload)) return a.fail(words[sizeAt + 1], `size ${s.size} is too small for this payload: at least ${min + Buffer.byteLength(s.payload)}`);
  if (s.id !== undefined && !s.frag) return a.fail(words.find((w) => w.text === 'id')!, '`id` is the Fragment header\'s identification: give `frag offset N` too');
  return s;
}
