// The log statement's line (net/netfilter/nf_log_syslog.c nf_log_ip_packet and
// nf_log_ip6_packet, v6.12), in the kernel log's format.
import { numToIp, rd16, rd32 } from '../../proto/addr';
import { formatIpv6 } from '../../../trace/ipv6';
import { IPPROTO_TCP, PROTO_NAMES } from '../../proto/ipv4';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from '../../proto/tcp';
import type { EvalCtx } from './nf_tables';
import { hookCtxOf } from './nft_hook_ctx';

export function nf_log_ip_packet(x: EvalCtx, prefix: string): void {
  const { p, net } = x;
  const i = p.iph;
  let l4 = '';
  if (p.sport !== undefined) l4 = ` SPT=${p.sport} DPT=${p.dport}`;
  if (p.l4proto === IPPROTO_TCP && p.tcpFlags !== undefined) {
    const f = p.tcpFlags;
    l4 += `${f & TCPHDR_ACK ? ' ACK' : ''}${f & 0x08 ? ' PSH' : ''}${f & TCPHDR_RST ? ' RST' : ''}${f & TCPHDR_SYN ? ' SYN' : ''}${f & TCPHDR_FIN ? ' FIN' : ''}`;
  }
  if (p.icmpType !== undefined) l4 = ` TYPE=${p.icmpType} CODE=${p.icmpCode}`;
  const line = `${prefix}IN=${p.indev?.name ?? ''} OUT=${p.outdev?.name ?? ''} SRC=${numToIp(i.saddr)} DST=${numToIp(i.daddr)} LEN=${i.totLen} TOS=0x${i.tos.toString(16).padStart(2, '0')} TTL=${i.ttl} ID=${i.id}${i.fragOff & 0x4000 ? ' DF' : ''} PROTO=${(PROTO_NAMES[i.protocol] ?? String(i.protocol)).toUpperCase()}${l4}${p.skb.mark ? ` MARK=0x${p.skb.mark.toString(16)}` : ''}`;
  net.step(p.skb, 'L3', 'nf_log_ip_packet', 'net/netfilter/nf_log_syslog.c', net.full ? `log: the kernel log gets the line "${line}".` : '', { hook: hookCtxOf(x, 'NFT_CONTINUE') });
}

/** nf_ip6_ext_hdr: the extension headers dump_ipv6_packet walks. */
const EXT6 = new Set([0, 43, 44, 50, 51, 60]);

/**
 * dump_ipv6_packet: the IPv6 header's fields, the extension headers (a fragment header prints
 * its offset and id), then the transport header — TCP with window, reserved bits, flags and
 * urgent pointer, UDP with its length, ICMPv6 with type and code, the echo id and sequence, and
 * for an error the packet it quotes in brackets (recursing once). The default log flags: no TCP
 * sequence numbers, options or IP options.
 */
function dumpIpv6(b: Uint8Array, off: number, end: number, recurse: boolean): string {
  if (off + 40 > end) return 'TRUNCATED';
  const w = rd32(b, off);
  let s = `SRC=${formatIpv6(b.subarray(off + 8, off + 24))} DST=${formatIpv6(b.subarray(off + 24, off + 40))} LEN=${rd16(b, off + 4) + 40} TC=${(w >>> 20) & 0xff} HOPLIMIT=${b[off + 7]} FLOWLBL=${w & 0xfffff} `;
  let fragment = false;
  let ptr = off + 40;
  let cur = b[off + 6];
  while (cur !== 59 && EXT6.has(cur)) {
    if (ptr + 2 > end) return `${s}TRUNCATED`;
    let len: number;
    if (cur === 44) {
      if (ptr + 8 > end) return `${s}FRAG:TRUNCATED `;
      const fo = rd16(b, ptr + 2);
      s += `FRAG:${fo & 0xfff8} ${fo & 1 ? 'INCOMPLETE ' : ''}ID:${rd32(b, ptr + 4).toString(16).padStart(8, '0')} `;
      if (fo & 0xfff8) fragment = true;
      len = 8;
    } else if (cur === 51) len = (b[ptr + 1] + 2) * 4;
    else if (cur === 50) return s;
    else {
      if (fragment) return s;
      len = (b[ptr + 1] + 1) * 8;
    }
    cur = b[ptr];
    ptr += len;
  }
  if (cur === IPPROTO_TCP) {
    s += 'PROTO=TCP ';
    if (fragment) return s;
    if (ptr + 20 > end) return `${s}INCOMPLETE [${end - ptr} bytes] `;
    const f = b[ptr + 13];
    const names: [number, string][] = [[0x80, 'CWR'], [0x40, 'ECE'], [0x20, 'URG'], [TCPHDR_ACK, 'ACK'], [0x08, 'PSH'], [TCPHDR_RST, 'RST'], [TCPHDR_SYN, 'SYN'], [TCPHDR_FIN, 'FIN']];
    s += `SPT=${rd16(b, ptr)} DPT=${rd16(b, ptr + 2)} WINDOW=${rd16(b, ptr + 14)} RES=0x${((b[ptr + 12] & 0x0f) << 2).toString(16).padStart(2, '0')} ${names.filter(([m]) => f & m).map(([, n]) => `${n} `).join('')}URGP=${rd16(b, ptr + 18)} `;
  } else if (cur === 17 || cur === 136) {
    s += `PROTO=${cur === 17 ? 'UDP' : 'UDPLITE'} `;
    if (fragment) return s;
    if (ptr + 8 > end) return `${s}INCOMPLETE [${end - ptr} bytes] `;
    s += `SPT=${rd16(b, ptr)} DPT=${rd16(b, ptr + 2)} LEN=${rd16(b, ptr + 4)} `;
  } else if (cur === 58) {
    s += 'PROTO=ICMPv6 ';
    if (fragment) return s;
    if (ptr + 8 > end) return `${s}INCOMPLETE [${end - ptr} bytes] `;
    const type = b[ptr];
    s += `TYPE=${type} CODE=${b[ptr + 1]} `;
    if (type === 128 || type === 129) s += `ID=${rd16(b, ptr + 4)} SEQ=${rd16(b, ptr + 6)} `;
    else if (type >= 1 && type <= 4) {
      if (type === 4) s += `POINTER=${rd32(b, ptr + 4).toString(16).padStart(8, '0')} `;
      if (recurse) s += `[${dumpIpv6(b, ptr + 8, end, false)}] `;
      if (type === 2) s += `MTU=${rd32(b, ptr + 4)} `;
    }
  } else s += `PROTO=${cur} `;
  return s;
}

/**
 * nf_log_ip6_packet (nf_log_syslog.c, v6.12): nf_log_dump_packet_common's prefix, IN= and OUT=,
 * the link-layer header as MAC= when the packet came in on a device (dump_mac_header's
 * fallback), dump_ipv6_packet's fields, and MARK= when the packet has a mark.
 */
export function nf_log_ip6_packet(x: EvalCtx, prefix: string): void {
  const { p, net } = x;
  const skb = p.skb;
  let mac = '';
  if (p.indev) {
    mac = 'MAC=';
    if (skb.mac_header >= 0 && skb.mac_header !== skb.network_header) mac += Array.from(skb.buf.subarray(skb.mac_header, skb.mac_header + p.indev.hard_header_len), (v) => v.toString(16).padStart(2, '0')).join(':');
    mac += ' ';
  }
  const line = `${prefix}IN=${p.indev?.name ?? ''} OUT=${p.outdev?.name ?? ''} ${mac}${dumpIpv6(skb.buf, skb.network_header, skb.tail, true)}${skb.mark ? `MARK=0x${skb.mark.toString(16)} ` : ''}`.trimEnd();
  net.step(skb, 'L3', 'nf_log_ip6_packet', 'net/netfilter/nf_log_syslog.c', net.full ? `log: the kernel log gets the line "${line}".` : '', { hook: hookCtxOf(x, 'NFT_CONTINUE') });
}
