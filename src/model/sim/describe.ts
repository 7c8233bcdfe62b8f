// One-line, tcpdump-like summaries of what an sk_buff carries.
import { formatIpv6 } from '../../trace/ipv6';
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_TYPE_NAMES, IPV6_HLEN, NDISC_NEIGHBOUR_ADVERTISEMENT, NDISC_NEIGHBOUR_SOLICITATION, NEXTHDR_ICMP, readIcmp6, readIpv6 } from '../proto/ipv6';
import { numToIp, rd16, rd32 } from '../proto/addr';
import { readArp, ARPOP_REQUEST } from '../proto/arp';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6 } from '../proto/ethernet';
import { readIcmp, ICMP_TYPE_NAMES, UNREACH_CODE_NAMES, ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHOREPLY } from '../proto/icmp';
import { IP_MF, IP_OFFSET, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../proto/ipv4';
import { readTcp, tcpFlagString } from '../proto/tcp';

/** Describes an IPv4 datagram or ARP packet starting at `off` in `b`. */
export function describeL3(b: Uint8Array, off: number, proto: number, avail: number): string {
  if (proto === ETH_P_ARP) {
    if (avail < 28) return 'ARP (truncated)';
    const a = readArp(b, off);
    return a.op === ARPOP_REQUEST
      ? `ARP, Request who-has ${numToIp(a.tip)} tell ${numToIp(a.sip)}`
      : `ARP, Reply ${numToIp(a.sip)} is-at ${a.sha}`;
  }
  if (proto === ETH_P_IPV6) return describeIpv6(b, off, avail);
  if (proto !== ETH_P_IP) return `ethertype 0x${proto.toString(16).padStart(4, '0')}`;
  if (avail < 20) return 'IP (truncated)';
  // the header's fields read in place: a summary is made for every packet, and a header object
  // (readIp) per summary was a tenth of the fates path's allocation
  const ihl = b[off] & 15;
  const totLen = rd16(b, off + 2);
  const fragOff = rd16(b, off + 6);
  const ttl = b[off + 8];
  const protocol = b[off + 9];
  const hl = ihl * 4;
  const frag = fragOff & (IP_MF | IP_OFFSET);
  const l4 = off + hl;
  if (frag === 0 && protocol === IPPROTO_UDP && avail >= hl + 8) {
    return udpSummary(rd32(b, off + 12), rd32(b, off + 16), rd16(b, l4), rd16(b, l4 + 2), rd16(b, l4 + 4), ttl, totLen);
  }
  const fragTxt = frag ? `, frag offset ${(fragOff & IP_OFFSET) * 8}${fragOff & IP_MF ? ' MF' : ''}` : '';
  const tail = `, ttl ${ttl}, length ${totLen}${fragTxt}`;
  const s = addrText(rd32(b, off + 12));
  const d = addrText(rd32(b, off + 16));
  const firstFrag = (fragOff & IP_OFFSET) === 0;
  if (firstFrag && protocol === IPPROTO_UDP && avail >= hl + 8) {
    return `${s}.${rd16(b, l4)} > ${d}.${rd16(b, l4 + 2)}: UDP, length ${rd16(b, l4 + 4) - 8}${tail}`;
  }
  if (firstFrag && protocol === IPPROTO_TCP && avail >= hl + 20) {
    const t = readTcp(b, l4);
    return `${s}.${t.source} > ${d}.${t.dest}: TCP [${tcpFlagString(t.flags)}] seq ${t.seq}${t.flags & 0x10 ? `, ack ${t.ackSeq}` : ''}, length ${totLen - hl - t.doff * 4}${tail}`;
  }
  if (firstFrag && protocol === IPPROTO_ICMP && avail >= hl + 8) {
    const c = readIcmp(b, l4);
    let what = ICMP_TYPE_NAMES[c.type] ?? `type ${c.type}`;
    if (c.type === ICMP_ECHO || c.type === ICMP_ECHOREPLY) what += `, id ${c.rest >>> 16}, seq ${c.rest & 0xffff}`;
    if (c.type === ICMP_DEST_UNREACH) what = `${UNREACH_CODE_NAMES[c.code] ?? `unreachable code ${c.code}`}${c.code === 4 ? ` (mtu ${c.rest & 0xffff})` : ''}`;
    return `${s} > ${d}: ICMP ${what}${tail}`;
  }
  return `${s} > ${d}: proto ${protocol}${tail}`;
}

/**
 * The summaries of recent whole UDP datagrams, one slot a flow (addresses and ports, hashed into
 * 65,536 slots). A datagram whose fields the summary shows (addresses, ports, lengths, TTL) are
 * all those of its slot's gets that slot's string: the same text, built and flattened once. A
 * flow of datagrams of one size (a stream, a replayed capture) repeats it; a miss costs the hash
 * and the compare. The slots are made on the first UDP summary.
 */
const UDP_SLOTS = 65536;
let udpKeys: Int32Array | undefined;
let udpTexts: string[] = [];

/** The slot of a UDP flow's summary (exported for the test that makes flows meet in one slot). */
export function udpSummarySlot(saddr: number, daddr: number, sport: number, dport: number): number {
  let h = Math.imul(saddr ^ Math.imul(daddr, 0x9e3779b1), 0x85ebca6b) ^ ((sport << 16) | dport);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & (UDP_SLOTS - 1);
}

function udpSummary(saddr: number, daddr: number, sport: number, dport: number, udpLen: number, ttl: number, totLen: number): string {
  const ports = (sport << 16) | dport;
  const lens = (udpLen << 16) | totLen;
  const slot = udpSummarySlot(saddr, daddr, sport, dport);
  const keys = (udpKeys ??= new Int32Array(UDP_SLOTS * 5));
  const k = slot * 5;
  // a slot's first key is its ttl + 1: 0 marks a slot never filled
  if (keys[k] === ttl + 1 && keys[k + 1] === (saddr | 0) && keys[k + 2] === (daddr | 0) && keys[k + 3] === ports && keys[k + 4] === lens) return udpTexts[slot];
  const t = `${addrText(saddr)}.${sport} > ${addrText(daddr)}.${dport}: UDP, length ${udpLen - 8}, ttl ${ttl}, length ${totLen}`;
  if (t.charCodeAt(0) < 0) throw new Error('unreachable'); // flat once, kept flat
  if (udpTexts.length === 0) udpTexts = new Array<string>(UDP_SLOTS).fill('');
  keys[k] = ttl + 1;
  keys[k + 1] = saddr | 0;
  keys[k + 2] = daddr | 0;
  keys[k + 3] = ports;
  keys[k + 4] = lens;
  udpTexts[slot] = t;
  return t;
}

/**
 * Dotted-quad text of recently seen IPv4 addresses, 256 slots chosen by the address's low byte:
 * a capture's packets mostly repeat a few addresses, and a cached text is one flat string where
 * numToIp builds four number conversions and a concatenation per address per packet.
 */
const ADDR_SLOTS = 256;
const addrKeys = new Float64Array(ADDR_SLOTS).fill(-1);
const addrTexts: string[] = new Array<string>(ADDR_SLOTS).fill('');

function addrText(n: number): string {
  const slot = n & (ADDR_SLOTS - 1);
  if (addrKeys[slot] === n) return addrTexts[slot];
  const t = numToIp(n);
  if (t.charCodeAt(0) < 0) throw new Error('unreachable'); // flat once, kept flat
  addrKeys[slot] = n;
  addrTexts[slot] = t;
  return t;
}

export function describeFrame(b: Uint8Array, off: number, len: number): string {
  if (len < ETH_HLEN) return 'runt frame';
  const proto = (b[off + 12] << 8) | b[off + 13];
  return describeL3(b, off + ETH_HLEN, proto, len - ETH_HLEN);
}

/** An IPv6 packet as tcpdump prints it: `2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 1, seq 1, hlim 64, length 64`. */
function describeIpv6(b: Uint8Array, off: number, avail: number): string {
  if (avail < IPV6_HLEN) return 'IP6 (truncated)';
  const h = readIpv6(b, off);
  const tail = `, hlim ${h.hopLimit}, length ${h.payloadLen}`;
  const s = formatIpv6(h.saddr);
  const d = formatIpv6(h.daddr);
  if (h.nexthdr === NEXTHDR_ICMP && avail >= IPV6_HLEN + 8) {
    const c = readIcmp6(b, off + IPV6_HLEN);
    let what = ICMPV6_TYPE_NAMES[c.type] ?? `type ${c.type}`;
    if (c.type === ICMPV6_ECHO_REQUEST || c.type === ICMPV6_ECHO_REPLY) what += `, id ${c.rest >>> 16}, seq ${c.rest & 0xffff}`;
    if ((c.type === NDISC_NEIGHBOUR_SOLICITATION || c.type === NDISC_NEIGHBOUR_ADVERTISEMENT) && avail >= IPV6_HLEN + 24) what += `, ${c.type === NDISC_NEIGHBOUR_SOLICITATION ? 'who has' : 'tgt is'} ${formatIpv6(b, off + IPV6_HLEN + 8)}`;
    return `${s} > ${d}: ICMP6, ${what}${tail}`;
  }
  if (h.nexthdr === 17 && avail >= IPV6_HLEN + 8) {
    const o = off + IPV6_HLEN;
    return `${s}.${(b[o] << 8) | b[o + 1]} > ${d}.${(b[o + 2] << 8) | b[o + 3]}: UDP, length ${((b[o + 4] << 8) | b[o + 5]) - 8}${tail}`;
  }
  if (h.nexthdr === IPPROTO_TCP && avail >= IPV6_HLEN + 20) {
    const t = readTcp(b, off + IPV6_HLEN);
    return `${s}.${t.source} > ${d}.${t.dest}: TCP [${tcpFlagString(t.flags)}] seq ${t.seq}${t.flags & 0x10 ? `, ack ${t.ackSeq}` : ''}, length ${h.payloadLen - t.doff * 4}${tail}`;
  }
  return `${s} > ${d}: next header ${h.nexthdr}${tail}`;
}

/**
 * V8 keeps a string made by a template or `+` as a tree of its pieces until something reads it
 * whole: a packet's summary is about 560 bytes as such a tree and about 260 once flat, and a long
 * run at the fates level keeps one per packet (a million packets: 300 MB less); likewise each
 * distinct sentence of a full trace. Reading a
 * character is what makes V8 flatten it in place; the text is the same either way.
 */
export function flatten(s: string): void {
  if (s.charCodeAt(0) < 0) throw new Error('unreachable');
}
