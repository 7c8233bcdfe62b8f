// One-line, tcpdump-like summaries of what an sk_buff carries.
import { formatIpv6 } from '../../trace/ipv6';
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_TYPE_NAMES, IPV6_HLEN, NDISC_NEIGHBOUR_ADVERTISEMENT, NDISC_NEIGHBOUR_SOLICITATION, NEXTHDR_ICMP, readIcmp6, readIpv6 } from '../proto/ipv6';
import { numToIp } from '../proto/addr';
import { readArp, ARPOP_REQUEST } from '../proto/arp';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6 } from '../proto/ethernet';
import { readIcmp, ICMP_TYPE_NAMES, UNREACH_CODE_NAMES, ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHOREPLY } from '../proto/icmp';
import { IP_MF, IP_OFFSET, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, readIp } from '../proto/ipv4';
import { readTcp, tcpFlagString } from '../proto/tcp';
import { readUdp } from '../proto/udp';

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
  const ip = readIp(b, off);
  const hl = ip.ihl * 4;
  const frag = ip.fragOff & (IP_MF | IP_OFFSET);
  const fragTxt = frag ? `, frag offset ${(ip.fragOff & IP_OFFSET) * 8}${ip.fragOff & IP_MF ? ' MF' : ''}` : '';
  const tail = `, ttl ${ip.ttl}, length ${ip.totLen}${fragTxt}`;
  const s = numToIp(ip.saddr);
  const d = numToIp(ip.daddr);
  const l4 = off + hl;
  const firstFrag = (ip.fragOff & IP_OFFSET) === 0;
  if (firstFrag && ip.protocol === IPPROTO_UDP && avail >= hl + 8) {
    const u = readUdp(b, l4);
    return `${s}.${u.source} > ${d}.${u.dest}: UDP, length ${u.len - 8}${tail}`;
  }
  if (firstFrag && ip.protocol === IPPROTO_TCP && avail >= hl + 20) {
    const t = readTcp(b, l4);
    return `${s}.${t.source} > ${d}.${t.dest}: TCP [${tcpFlagString(t.flags)}] seq ${t.seq}${t.flags & 0x10 ? `, ack ${t.ackSeq}` : ''}, length ${ip.totLen - hl - t.doff * 4}${tail}`;
  }
  if (firstFrag && ip.protocol === IPPROTO_ICMP && avail >= hl + 8) {
    const c = readIcmp(b, l4);
    let what = ICMP_TYPE_NAMES[c.type] ?? `type ${c.type}`;
    if (c.type === ICMP_ECHO || c.type === ICMP_ECHOREPLY) what += `, id ${c.rest >>> 16}, seq ${c.rest & 0xffff}`;
    if (c.type === ICMP_DEST_UNREACH) what = `${UNREACH_CODE_NAMES[c.code] ?? `unreachable code ${c.code}`}${c.code === 4 ? ` (mtu ${c.rest & 0xffff})` : ''}`;
    return `${s} > ${d}: ICMP ${what}${tail}`;
  }
  return `${s} > ${d}: proto ${ip.protocol}${tail}`;
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
