import { formatIpv6, ICMPV6_TYPE_NAMES } from '../trace/ipv6';

// Frames on the wire, compared byte for byte after masking what the kernel chooses at random.
// Every mask has its reason (MASK_REASONS); a masked checksum is still compared as "valid or not"
// on both sides, so a model that computes a wrong checksum is still caught.

export const MASK_REASONS: Record<string, string> = {
  'ip.id':
    'IPv4 ID: ip_select_ident draws it from a hash with a per-boot random key (ip_idents) or a per-socket counter seeded at random; the model picks its own.',
  'ip.check': 'IPv4 header checksum: covers the masked IP ID (validity still compared).',
  'icmp.echo.id': "ICMP echo identifier: iputils ping uses its own pid (raw socket); the model picks a seeded random id.",
  'icmp.echo.time': "ICMP echo data bytes 0-15: iputils ping's struct timeval (the send time).",
  'icmp.check': 'ICMP checksum: covers the masked echo id / timestamp / quoted datagram (validity still compared).',
  'l4.port': 'UDP/TCP port in ip_local_port_range (32768-60999): an ephemeral port the kernel draws at random (__inet_hash_connect, udp_lib_get_port).',
  'udp.check': 'UDP checksum: covers the masked port (validity still compared).',
  'tcp.seq': 'TCP sequence and acknowledgment numbers: the ISN is a keyed hash with a boot-time secret plus a clock (secure_tcp_seq).',
  'tcp.ts': 'TCP timestamp option values: each connection gets a random offset (secure_tcp_ts_off) added to the clock.',
  'tcp.check': 'TCP checksum: covers the masked fields (validity still compared).',
  'ip6.flowlabel':
    'IPv6 flow label (and the low nibble of the traffic class in the same bytes): with net.ipv6.auto_flowlabels (1 by default) ip6_make_flowlabel sets a hash of the flow keyed with a per-boot random seed on ping\'s packets, ICMPv6 replies and errors; the model writes 0.',
  'icmp6.echo.id': "ICMPv6 echo identifier: iputils ping's own (raw socket); the model picks a seeded random id.",
  'icmp6.echo.time': "ICMPv6 echo data bytes 0-15: iputils ping's struct timeval (the send time).",
  'icmp6.check': 'ICMPv6 checksum: covers the masked echo id / timestamp / quoted packet (validity still compared).',
  'ip6.frag.id':
    'IPv6 Fragment header identification: ipv6_select_ident draws it at random for every datagram (v6.12: get_random_u32_above(0)); the model draws from its seeded source.',
  'nic.l4.check':
    "UDP/TCP checksum of a packet whose CHECKSUM_PARTIAL checksum a modelled NIC (a `nic` link, e1000_xmit_frame) filled in on an earlier hop: the kernel replays that link as a veth pair, which hands the sk_buff over still CHECKSUM_PARTIAL, so on every later hop the kernel's frame carries the pseudo-header sum only. What a veth would show there is not what the modelled NIC did, so neither the field nor its validity is compared for those frames.",
  'nic.quoted.l4.check':
    "The UDP checksum inside the datagram an ICMP error quotes, when that datagram had its CHECKSUM_PARTIAL checksum filled in by a modelled NIC (a `nic` link) before the error was made: on the kernel's stand-in veth the datagram still held the pseudo-header sum when icmp_send copied it, so the quote carries that. (The quoted TCP checksum is masked anyway, with the sequence numbers it covers.)",
};

export interface Field {
  name: string;
  start: number;
  end: number;
}

export interface Norm {
  /** lowercase hex, masked bytes as "xx" */
  masked: string;
  hex: string;
  summary: string;
  fields: Field[];
  /** mask names applied */
  masks: string[];
  ipCsumOk?: boolean;
  l4CsumOk?: boolean;
}

const rd16 = (b: Uint8Array, o: number): number => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const rd32 = (b: Uint8Array, o: number): number => (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;
const ip = (b: Uint8Array, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const mac = (b: Uint8Array, o: number): string => Array.from(b.subarray(o, o + 6), (x) => x.toString(16).padStart(2, '0')).join(':');

function sum16(b: Uint8Array, start: number, end: number, init = 0): number {
  let s = init;
  for (let i = start; i < end; i += 2) s += ((b[i] ?? 0) << 8) | (i + 1 < end ? (b[i + 1] ?? 0) : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

export function isEphemeral(port: number): boolean {
  return port >= 32768 && port <= 60999;
}

export const ICMP_NAMES: Record<number, string> = { 0: 'echo reply', 3: 'destination unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request', 11: 'time exceeded', 12: 'parameter problem' };

export function normalizeFrame(b: Uint8Array): Norm {
  const fields: Field[] = [];
  const masks = new Set<string>();
  const maskAt: [number, number][] = [];
  const f = (name: string, start: number, len: number): void => void fields.push({ name, start, end: start + len });
  const mask = (name: string, start: number, len: number): void => {
    masks.add(name);
    maskAt.push([start, start + len]);
  };
  let summary = `${b.length}-byte frame`;
  let ipCsumOk: boolean | undefined;
  let l4CsumOk: boolean | undefined;
  if (b.length >= 14) {
    f('eth.dst', 0, 6);
    f('eth.src', 6, 6);
    f('eth.type', 12, 2);
    const type = rd16(b, 12);
    if (type === 0x0806 && b.length >= 42) {
      for (const [n, o, l] of [['arp.htype', 14, 2], ['arp.ptype', 16, 2], ['arp.hlen', 18, 1], ['arp.plen', 19, 1], ['arp.op', 20, 2], ['arp.sha', 22, 6], ['arp.spa', 28, 4], ['arp.tha', 32, 6], ['arp.tpa', 38, 4]] as const) f(n, o, l);
      const op = rd16(b, 20);
      summary = op === 1 ? `ARP who-has ${ip(b, 38)} tell ${ip(b, 28)}${rd32(b, 32) || rd16(b, 36) ? ` (tha ${mac(b, 32)})` : ''} to ${mac(b, 0)}` : op === 2 ? `ARP reply ${ip(b, 28)} is-at ${mac(b, 22)} to ${mac(b, 0)}` : `ARP op ${op}`;
      if (b.length > 42) f('eth.padding', 42, b.length - 42);
    } else if (type === 0x0800 && b.length >= 34) {
      const r = ipv4(b, 14, '', f, mask, true);
      summary = r.summary;
      ipCsumOk = r.ipCsumOk;
      l4CsumOk = r.l4CsumOk;
    } else if (type === 0x86dd && b.length >= 54) {
      const r = ipv6(b, 14, '', f, mask, true);
      summary = r.summary;
      l4CsumOk = r.l4CsumOk;
    }
  }
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0'));
  const m = hex.slice();
  for (const [s, e] of maskAt) for (let i = s; i < e && i < m.length; i++) m[i] = 'xx';
  return { masked: m.join(''), hex: hex.join(''), summary, fields, masks: [...masks].sort(), ipCsumOk, l4CsumOk };
}

type F = (name: string, start: number, len: number) => void;

/** One IPv4 header and what follows (`outer`: a whole datagram; else a quoted one inside an ICMP error). */
/**
 * The fields of an ICMP or ICMPv6 echo (id, sequence, ping's timestamp, data), with the id and
 * the timestamp masked (ping picks them); returns the summary's ` seq N`.
 */
function echoFields(b: Uint8Array, l4: number, end: number, name: string, maskName: string, f: F, mask: F): string {
  f(name + '.echo.id', l4 + 4, 2);
  f(name + '.echo.seq', l4 + 6, 2);
  mask(maskName + '.echo.id', l4 + 4, 2);
  if (end - l4 - 8 >= 16) {
    f(name + '.echo.time', l4 + 8, 16);
    mask(maskName + '.echo.time', l4 + 8, 16);
    if (end > l4 + 24) f(name + '.echo.data', l4 + 24, end - l4 - 24);
  } else if (end > l4 + 8) f(name + '.echo.data', l4 + 8, end - l4 - 8);
  return ` seq ${rd16(b, l4 + 6)}`;
}

function ipv4(b: Uint8Array, o: number, pfx: string, f: F, mask: F, outer: boolean): { summary: string; ipCsumOk?: boolean; l4CsumOk?: boolean; masked: boolean } {
  const ihl = (b[o] & 15) * 4;
  const tot = rd16(b, o + 2);
  const proto = b[o + 9];
  const fragOff = rd16(b, o + 6) & 0x1fff;
  const mf = (rd16(b, o + 6) & 0x2000) !== 0;
  const df = (rd16(b, o + 6) & 0x4000) !== 0;
  const ttl = b[o + 8];
  for (const [n, d, l] of [['ip.vihl', 0, 1], ['ip.tos', 1, 1], ['ip.tot_len', 2, 2], ['ip.id', 4, 2], ['ip.frag_off', 6, 2], ['ip.ttl', 8, 1], ['ip.protocol', 9, 1], ['ip.check', 10, 2], ['ip.saddr', 12, 4], ['ip.daddr', 16, 4]] as const) f(pfx + n, o + d, l);
  if (ihl > 20) f(pfx + 'ip.options', o + 20, ihl - 20);
  mask('ip.id', o + 4, 2);
  mask('ip.check', o + 10, 2);
  const ipCsumOk = outer && ihl >= 20 && o + ihl <= b.length ? sum16(b, o, o + ihl) === 0xffff : undefined;
  const l4 = o + Math.max(ihl, 20);
  const end = outer ? Math.min(b.length, o + tot) : b.length;
  if (outer && b.length > o + tot) f('eth.padding', o + tot, b.length - (o + tot));
  let what = `proto ${proto}`;
  let l4CsumOk: boolean | undefined;
  let maskedL4 = false;
  const pseudo = (len: number): number => sum16(b, o + 12, o + 20, proto + len);
  const whole = outer && fragOff === 0 && !mf && end === o + tot;
  if (fragOff !== 0) {
    f(pfx + 'ip.payload', l4, end - l4);
    what = `fragment offset ${fragOff * 8}${mf ? ' MF' : ''} proto ${proto}`;
  } else if (proto === 1 && end - l4 >= 8) {
    const type = b[l4];
    const code = b[l4 + 1];
    f(pfx + 'icmp.type', l4, 1);
    f(pfx + 'icmp.code', l4 + 1, 1);
    f(pfx + 'icmp.check', l4 + 2, 2);
    what = `ICMP ${ICMP_NAMES[type] ?? `type ${type}`}${code ? ` code ${code}` : ''}`;
    let inner = false;
    if (type === 8 || type === 0) {
      what += echoFields(b, l4, end, pfx + 'icmp', 'icmp', f, mask);
      inner = true;
    } else if ([3, 4, 5, 11, 12].includes(type)) {
      f(pfx + 'icmp.rest', l4 + 4, 4);
      if (type === 3 && code === 4) what += ` mtu ${rd16(b, l4 + 6)}`;
      if (end - l4 >= 28 && b[l4 + 8] >> 4 === 4) {
        const q = ipv4(b.subarray(0, end), l4 + 8, 'quoted.', f, mask, false);
        what += ` about [${q.summary}]`;
        inner = true;
      } else if (end > l4 + 8) f(pfx + 'icmp.data', l4 + 8, end - l4 - 8);
    } else if (end > l4 + 4) f(pfx + 'icmp.rest', l4 + 4, end - l4 - 4);
    if (inner) mask('icmp.check', l4 + 2, 2);
    maskedL4 = inner;
    if (whole) l4CsumOk = sum16(b, l4, end) === 0xffff;
  } else if (proto === 17 && end - l4 >= 8) {
    // a zero checksum over IPv4 means "none" (RFC 768): nothing to check
    const u = udpFields(b, l4, end, pfx, f, mask, whole && rd16(b, l4 + 6) !== 0, pseudo(end - l4));
    what = u.what;
    maskedL4 = u.masked;
    if (u.l4CsumOk !== undefined) l4CsumOk = u.l4CsumOk;
  } else if (proto === 6 && end - l4 >= (outer ? 20 : 8)) {
    const t = tcpFields(b, l4, end, pfx, f, mask, whole, pseudo(end - l4));
    what = t.what;
    maskedL4 = true;
    if (t.l4CsumOk !== undefined) l4CsumOk = t.l4CsumOk;
  }
  const summary = `${ip(b, o + 12)} > ${ip(b, o + 16)} ${what}, ttl ${ttl}${df ? ' DF' : ''}, len ${tot}`;
  return { summary, ipCsumOk, l4CsumOk, masked: maskedL4 };
}

/**
 * The UDP header and data, over IPv4 or IPv6 alike: an ephemeral port is masked with the
 * checksum that covers it. `csumInit` is the pseudo-header's sum; `check`: the datagram is all
 * there and carries a checksum to check.
 */
function udpFields(b: Uint8Array, l4: number, end: number, pfx: string, f: F, mask: F, check: boolean, csumInit: number): { what: string; masked: boolean; l4CsumOk?: boolean } {
  const sp = rd16(b, l4);
  const dp = rd16(b, l4 + 2);
  f(pfx + 'udp.source', l4, 2);
  f(pfx + 'udp.dest', l4 + 2, 2);
  f(pfx + 'udp.len', l4 + 4, 2);
  f(pfx + 'udp.check', l4 + 6, 2);
  if (end > l4 + 8) f(pfx + 'udp.data', l4 + 8, end - l4 - 8);
  let masked = false;
  for (const [p, at] of [[sp, l4], [dp, l4 + 2]]) {
    if (isEphemeral(p)) {
      mask('l4.port', at, 2);
      masked = true;
    }
  }
  if (masked) mask('udp.check', l4 + 6, 2);
  const what = `UDP ${isEphemeral(sp) ? '*' : sp} > ${isEphemeral(dp) ? '*' : dp} len ${rd16(b, l4 + 4) - 8}`;
  return { what, masked, ...(check && { l4CsumOk: sum16(b, l4, end, csumInit) === 0xffff }) };
}

/**
 * The TCP header, options and data, over IPv4 or IPv6 alike: the ISN, timestamps, the checksum
 * over them and ephemeral ports are masked. `csumInit` is the pseudo-header's sum; `whole`:
 * the segment is all there, so its checksum can be checked.
 */
function tcpFields(b: Uint8Array, l4: number, end: number, pfx: string, f: F, mask: F, whole: boolean, csumInit: number): { what: string; l4CsumOk?: boolean } {
  const sp = rd16(b, l4);
  const dp = rd16(b, l4 + 2);
  f(pfx + 'tcp.source', l4, 2);
  f(pfx + 'tcp.dest', l4 + 2, 2);
  f(pfx + 'tcp.seq', l4 + 4, 4);
  mask('tcp.seq', l4 + 4, 4);
  for (const [p, at] of [[sp, l4], [dp, l4 + 2]]) if (isEphemeral(p)) mask('l4.port', at, 2);
  let what = `TCP ${isEphemeral(sp) ? '*' : sp} > ${isEphemeral(dp) ? '*' : dp}`;
  let l4CsumOk: boolean | undefined;
  if (end - l4 >= 20) {
    const doff = (b[l4 + 12] >> 4) * 4;
    const fl = b[l4 + 13];
    f(pfx + 'tcp.ack_seq', l4 + 8, 4);
    mask('tcp.seq', l4 + 8, 4);
    f(pfx + 'tcp.doff', l4 + 12, 1);
    f(pfx + 'tcp.flags', l4 + 13, 1);
    f(pfx + 'tcp.window', l4 + 14, 2);
    f(pfx + 'tcp.check', l4 + 16, 2);
    f(pfx + 'tcp.urg_ptr', l4 + 18, 2);
    mask('tcp.check', l4 + 16, 2);
    const names = ['F', 'S', 'R', 'P', '.', 'U', 'E', 'C'];
    what += ` [${names.filter((_, i) => fl & (1 << i)).join('')}]`;
    for (let p = l4 + 20; p < Math.min(l4 + doff, end); ) {
      const kind = b[p];
      if (kind === 0 || kind === 1) {
        f(pfx + 'tcp.opt.nop', p, 1);
        p++;
        continue;
      }
      const len = b[p + 1] || 2;
      f(pfx + `tcp.opt.${kind === 2 ? 'mss' : kind === 3 ? 'wscale' : kind === 4 ? 'sack_perm' : kind === 5 ? 'sack' : kind === 8 ? 'timestamps' : `kind${kind}`}`, p, len);
      if (kind === 8) mask('tcp.ts', p + 2, 8);
      // SACK blocks are sequence numbers, drawn from the ISN like seq and ack_seq
      if (kind === 5) mask('tcp.seq', p + 2, Math.max(0, Math.min(len, end - p) - 2));
      p += len;
    }
    if (end > l4 + doff) f(pfx + 'tcp.data', l4 + doff, end - l4 - doff);
    what += ` len ${Math.max(0, end - l4 - doff)}`;
    if (whole) l4CsumOk = sum16(b, l4, end, csumInit) === 0xffff;
  }
  return { what, l4CsumOk };
}

const ip6 = (b: Uint8Array, o: number): string => formatIpv6(b, o);


/**
 * The extension headers after an IPv6 header, up to the upper layer (or the data of a fragment
 * past offset 0): where that starts, its next header, the summary's prefix, and whether a
 * Fragment header was seen (`frag`) and the data is not the datagram's start (`later`).
 */
function ipv6Ext(b: Uint8Array, at: number, end: number, nh: number, pfx: string, f: F, mask: F): { at: number; nh: number; what: string; frag: boolean; later: boolean } {
  let what = '';
  let frag = false;
  for (let n = 0; n < 8; n++) {
    if ((nh === 0 || nh === 43 || nh === 60) && end - at >= 8) {
      const len = (b[at + 1] + 1) * 8;
      const name = nh === 0 ? 'hop' : nh === 43 ? 'rt' : 'dst';
      f(`${pfx}ip6.${name}.nexthdr`, at, 1);
      f(`${pfx}ip6.${name}.body`, at + 1, Math.min(len, end - at) - 1);
      what += nh === 43 ? `[routing type ${b[at + 2]} segleft ${b[at + 3]}] ` : `[${name}-opts ${len}] `;
      nh = b[at];
      at += len;
    } else if (nh === 44 && end - at >= 8) {
      const off = rd16(b, at + 2);
      f(`${pfx}ip6.frag.nexthdr`, at, 2);
      f(`${pfx}ip6.frag.off`, at + 2, 2);
      f(`${pfx}ip6.frag.id`, at + 4, 4);
      mask('ip6.frag.id', at + 4, 4);
      what += `[frag offset ${off & 0xfff8}${off & 1 ? ' M' : ''}] `;
      frag = true;
      nh = b[at];
      at += 8;
      if (off & 0xfff8) return { at, nh, what, frag, later: true };
    } else break;
  }
  return { at, nh, what, frag, later: false };
}

/** One IPv6 header and what follows (`outer`: a whole packet; else one quoted in an ICMPv6 error). */
function ipv6(b: Uint8Array, o: number, pfx: string, f: F, mask: F, outer: boolean): { summary: string; l4CsumOk?: boolean } {
  const plen = rd16(b, o + 4);
  let nh = b[o + 6];
  const hlim = b[o + 7];
  for (const [n, d, l] of [['ip6.vtcfl', 0, 4], ['ip6.plen', 4, 2], ['ip6.nexthdr', 6, 1], ['ip6.hlim', 7, 1], ['ip6.saddr', 8, 16], ['ip6.daddr', 24, 16]] as const) f(pfx + n, o + d, l);
  mask('ip6.flowlabel', o + 1, 3);
  const end = outer ? Math.min(b.length, o + 40 + plen) : b.length;
  if (outer && b.length > o + 40 + plen) f('eth.padding', o + 40 + plen, b.length - (o + 40 + plen));
  // extension headers: hop-by-hop, routing, destination options, each by its own length; the
  // Fragment header, whose identification is drawn at random
  const ext = ipv6Ext(b, o + 40, end, nh, pfx, f, mask);
  const l4 = ext.at;
  nh = ext.nh;
  let what = `${ext.what}next header ${nh}`;
  let l4CsumOk: boolean | undefined;
  if (ext.later) {
    if (end > l4) f(pfx + 'ip6.frag.data', l4, end - l4);
    what = `${ext.what}next header ${nh}`;
  } else if (nh === 58 && end - l4 >= 4) {
    const type = b[l4];
    const code = b[l4 + 1];
    f(pfx + 'icmp6.type', l4, 1);
    f(pfx + 'icmp6.code', l4 + 1, 1);
    f(pfx + 'icmp6.check', l4 + 2, 2);
    what = `${ext.what}ICMP6 ${ICMPV6_TYPE_NAMES[type] ?? `type ${type}`}${code ? ` code ${code}` : ''}`;
    let masked = false;
    if ((type === 128 || type === 129) && end - l4 >= 8) {
      what += echoFields(b, l4, end, pfx + 'icmp6', 'icmp6', f, mask);
      masked = true;
    } else if (type < 128 && end - l4 >= 8) {
      f(pfx + 'icmp6.rest', l4 + 4, 4);
      if (type === 2) what += ` mtu ${rd32(b, l4 + 4)}`;
      if (end - l4 >= 48 && b[l4 + 8] >> 4 === 6) {
        what += ` about [${ipv6(b.subarray(0, end), l4 + 8, 'quoted.', f, mask, false).summary}]`;
        masked = true;
      } else if (end > l4 + 8) f(pfx + 'icmp6.data', l4 + 8, end - l4 - 8);
    } else if ((type === 135 || type === 136) && end - l4 >= 24) {
      f(pfx + 'nd.flags', l4 + 4, 4);
      f(pfx + 'nd.target', l4 + 8, 16);
      if (end > l4 + 24) f(pfx + 'nd.options', l4 + 24, end - l4 - 24);
      what += ` ${type === 135 ? 'who has' : 'tgt is'} ${ip6(b, l4 + 8)}`;
    } else if (end > l4 + 4) f(pfx + 'icmp6.rest', l4 + 4, end - l4 - 4);
    if (masked) mask('icmp6.check', l4 + 2, 2);
    if (outer && !ext.frag && end === o + 40 + plen) l4CsumOk = sum16(b, l4, end, sum16(b, o + 8, o + 40, 58 + (end - l4))) === 0xffff;
  } else if (nh === 17 && end - l4 >= 8) {
    // over IPv6 the checksum is mandatory: a zero one is checked (and fails) like any other
    const u = udpFields(b, l4, end, pfx, f, mask, outer && !ext.frag && end === o + 40 + plen, sum16(b, o + 8, o + 40, 17 + (end - l4)));
    what = `${ext.what}${u.what}`;
    l4CsumOk = u.l4CsumOk;
  } else if (nh === 6 && end - l4 >= (outer ? 20 : 8)) {
    // TCP over IPv6: the same fields and masks as over IPv4, the checksum over IPv6's pseudo-header
    const t = tcpFields(b, l4, end, pfx, f, mask, outer && !ext.frag && end === o + 40 + plen, sum16(b, o + 8, o + 40, 6 + (end - l4)));
    what = `${ext.what}${t.what}`;
    l4CsumOk = t.l4CsumOk;
  } else if (end > l4) f(pfx + 'ip6.payload', l4, end - l4);
  return { summary: `${ip6(b, o + 8)} > ${ip6(b, o + 24)} ${what}, hlim ${hlim}, plen ${plen}`, l4CsumOk };
}

export interface FrameDiff {
  field: string;
  model: string;
  kernel: string;
}

/**
 * Where two normalized frames differ: the first differing field (unmasked bytes), or checksum
 * validity. `nicChecksum`: the model's packet had its L4 checksum filled in by a modelled NIC on
 * an earlier hop (MASK_REASONS 'nic.l4.check'): that field and its validity are left out.
 * `nicQuoted`: an ICMP error quotes such a packet ('nic.quoted.l4.check'): the quoted UDP/TCP
 * checksum is left out.
 */
export function diffFrames(model: Norm, kernel: Norm, opts: { nicChecksum?: boolean; nicQuoted?: boolean } = {}): FrameDiff[] {
  const out: FrameDiff[] = [];
  let a = model.masked;
  let b = kernel.masked;
  const nicFields = [...(opts.nicChecksum ? ['udp.check', 'tcp.check'] : []), ...(opts.nicQuoted ? ['quoted.udp.check', 'quoted.tcp.check'] : [])];
  if (nicFields.length) {
    for (const fld of model.fields.filter((x) => nicFields.includes(x.name))) {
      const xx = 'xx'.repeat(fld.end - fld.start);
      a = a.slice(0, fld.start * 2) + xx + a.slice(fld.end * 2);
      b = b.slice(0, fld.start * 2) + xx + b.slice(fld.end * 2);
    }
  }
  if (a !== b) {
    const n = Math.max(a.length, b.length) / 2;
    let at = -1;
    for (let i = 0; i < n; i++) {
      if (a.slice(2 * i, 2 * i + 2) !== b.slice(2 * i, 2 * i + 2)) {
        at = i;
        break;
      }
    }
    if (model.hex.length !== kernel.hex.length && (at < 0 || at >= Math.min(a.length, b.length) / 2)) {
      out.push({ field: 'frame length', model: String(model.hex.length / 2), kernel: String(kernel.hex.length / 2) });
    } else {
      const fld = model.fields.find((x) => at >= x.start && at < x.end) ?? { name: `byte ${at}`, start: at, end: at + 1 };
      out.push({ field: fld.name, model: model.hex.slice(fld.start * 2, fld.end * 2) || '(none)', kernel: kernel.hex.slice(fld.start * 2, fld.end * 2) || '(none)' });
    }
  }
  if (model.ipCsumOk !== kernel.ipCsumOk) out.push({ field: 'ip.check validity', model: String(model.ipCsumOk), kernel: String(kernel.ipCsumOk) });
  if (!opts.nicChecksum && model.l4CsumOk !== kernel.l4CsumOk) out.push({ field: 'l4 checksum validity', model: String(model.l4CsumOk), kernel: String(kernel.l4CsumOk) });
  return out;
}

/** The IPv4 fields a hook shows (for comparing with nft trace `packet:` lines). */
export function ipFieldsAt(b: Uint8Array, o: number): { saddr: string; daddr: string; ttl: number; protocol: number; length: number } | undefined {
  if (o + 20 > b.length || b[o] >> 4 !== 4) return undefined;
  return { saddr: ip(b, o + 12), daddr: ip(b, o + 16), ttl: b[o + 8], protocol: b[o + 9], length: rd16(b, o + 2) };
}

export function hexToBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}
