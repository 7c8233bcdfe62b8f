// Decode the headers in an sk_buff snapshot's bytes (Ethernet, ARP, IPv4, ICMP, IPv6 with its
// extension headers, ICMPv6, UDP, TCP), the way Wireshark does: every header field with its byte range and its value. Used by the hex view
// (colour a byte by its header, hover a byte → its field) and by breakpoint conditions
// (`ttl < 2`, `dport == 22`). Pure: no vscode, no DOM, no Node.

import type { SkbSnapshot } from '../trace/contract';
import { formatIpv6, ICMPV6_TYPE_NAMES } from '../trace/ipv6';

export type HeaderProto = 'eth' | 'arp' | 'ip' | 'icmp' | 'udp' | 'tcp' | 'inner' | 'payload';

export interface HeaderField {
  proto: HeaderProto;
  name: string;
  /** offset from head */
  start: number;
  len: number;
  value: string;
}

export interface DecodedHeader {
  proto: HeaderProto;
  /** "Ethernet II", "Internet Protocol Version 4", "ICMP (time exceeded)", … */
  label: string;
  start: number;
  len: number;
}

export interface Decoded {
  bytes: Uint8Array;
  headers: DecodedHeader[];
  fields: HeaderField[];
  /** byte offset → index in `fields`, or -1 */
  fieldAt: Int16Array;
  /** values breakpoints can test: ttl, saddr, daddr, proto, sport, dport, icmp_type, … (outer headers only) */
  values: Record<string, number | string>;
}

export function hexToBytes(hex: string): Uint8Array {
  const n = hex.length >> 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

const IP_PROTOS: Record<number, string> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 58: 'ipv6-icmp' };
const ETHERTYPES: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q' };
const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'destination unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
};
/** The extension headers ipv6_parse_exthdrs and ip6_protocol_deliver_rcu walk (net/ipv6/exthdrs.c, v6.12). */
const IPV6_EXTHDRS: Record<number, string> = { 0: 'Hop-by-Hop Options', 43: 'Routing', 44: 'Fragment', 60: 'Destination Options', 51: 'Authentication' };
const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

export function ipProtoName(p: number): string {
  return IP_PROTOS[p] ?? String(p);
}

export function icmpTypeName(t: number): string {
  return ICMP_TYPES[t] ?? `type ${t}`;
}

export function icmpv6TypeName(t: number): string {
  return ICMPV6_TYPE_NAMES[t] ?? `type ${t}`;
}

class Decoder {
  readonly headers: DecodedHeader[] = [];
  readonly fields: HeaderField[] = [];
  readonly values: Record<string, number | string> = {};
  constructor(readonly b: Uint8Array) {}

  has(off: number, len: number): boolean {
    return off >= 0 && off + len <= this.b.length;
  }
  u8(o: number): number {
    return this.b[o];
  }
  u16(o: number): number {
    return (this.b[o] << 8) | this.b[o + 1];
  }
  u32(o: number): number {
    return ((this.b[o] << 24) | (this.b[o + 1] << 16) | (this.b[o + 2] << 8) | this.b[o + 3]) >>> 0;
  }
  mac(o: number): string {
    const p: string[] = [];
    for (let i = 0; i < 6; i++) p.push(this.b[o + i].toString(16).padStart(2, '0'));
    return p.join(':');
  }
  ip(o: number): string {
    return `${this.b[o]}.${this.b[o + 1]}.${this.b[o + 2]}.${this.b[o + 3]}`;
  }
  field(proto: HeaderProto, name: string, start: number, len: number, value: string): void {
    if (len > 0 && this.has(start, len)) this.fields.push({ proto, name, start, len, value });
  }
  header(proto: HeaderProto, label: string, start: number, len: number): void {
    const l = Math.max(0, Math.min(len, this.b.length - start));
    if (l > 0) this.headers.push({ proto, label, start, len: l });
  }
  hex16(v: number): string {
    return `0x${v.toString(16).padStart(4, '0')}`;
  }

  eth(o: number, limit: number, setValues: boolean): void {
    if (!this.has(o, 14)) return;
    const type = this.u16(o + 12);
    this.header('eth', 'Ethernet II', o, 14);
    this.field('eth', 'Destination', o, 6, this.mac(o));
    this.field('eth', 'Source', o + 6, 6, this.mac(o + 6));
    this.field('eth', 'Type', o + 12, 2, `${ETHERTYPES[type] ?? 'unknown'} (${this.hex16(type)})`);
    if (setValues) {
      this.values.eth_dst = this.mac(o);
      this.values.eth_src = this.mac(o + 6);
      this.values.ethertype = type;
    }
    this.l3(type, o + 14, limit, setValues);
  }

  l3(type: number, o: number, limit: number, setValues: boolean): void {
    if (type === 0x0800) this.ipv4(o, limit, setValues, 'ip');
    else if (type === 0x86dd) this.ipv6(o, limit, setValues, 'ip');
    else if (type === 0x0806) this.arp(o, setValues);
  }

  ip6(o: number): string {
    return formatIpv6(this.b, o);
  }

  ipv6(o: number, limit: number, setValues: boolean, proto: 'ip' | 'inner'): void {
    if (!this.has(o, 40)) return;
    const w = this.u32(o);
    const version = w >>> 28;
    const inner = proto === 'inner';
    if (version !== 6) {
      this.header(proto, `IP (version ${version}?)`, o, 1);
      this.field(proto, 'Version', o, 1, String(version));
      return;
    }
    const tclass = (w >>> 20) & 0xff;
    const flow = w & 0xfffff;
    const plen = this.u16(o + 4);
    let nh = this.u8(o + 6);
    const hop = this.u8(o + 7);
    this.header(proto, inner ? 'Inner IPv6 header (the packet the error is about)' : 'Internet Protocol Version 6', o, 40);
    this.field(proto, 'Version / traffic class / flow label', o, 4, `6, class 0x${tclass.toString(16).padStart(2, '0')}, flow 0x${flow.toString(16).padStart(5, '0')}`);
    this.field(proto, 'Payload length', o + 4, 2, String(plen));
    this.field(proto, 'Next header', o + 6, 1, `${IPV6_EXTHDRS[nh] ?? ipProtoName(nh).toUpperCase()} (${nh})`);
    this.field(proto, 'Hop limit', o + 7, 1, String(hop));
    this.field(proto, 'Source address', o + 8, 16, this.ip6(o + 8));
    this.field(proto, 'Destination address', o + 24, 16, this.ip6(o + 24));
    if (setValues) {
      Object.assign(this.values, { hop_limit: hop, tclass, flowlabel: flow, payload_len: plen, saddr: this.ip6(o + 8), daddr: this.ip6(o + 24) });
    }
    // an ICMPv6 error quotes as much of the packet as fits: decode what is there
    const end = inner ? limit : Math.min(limit, o + 40 + plen);
    let t = o + 40;
    // the chain of extension headers, each naming the next, until a transport or the end
    for (let guard = 0; IPV6_EXTHDRS[nh] && guard < 16; guard++) {
      if (!this.has(t, 8) || t + 8 > end) return;
      const next = this.u8(t);
      const name = IPV6_EXTHDRS[nh];
      if (nh === 44) {
        const fo = this.u16(t + 2);
        const off = fo & 0xfff8;
        const more = (fo & 1) !== 0;
        this.header(proto, `IPv6 ${name} header`, t, 8);
        this.field(proto, 'Next header', t, 1, `${IPV6_EXTHDRS[next] ?? ipProtoName(next).toUpperCase()} (${next})`);
        this.field(proto, 'Offset / M', t + 2, 2, `offset ${off}${more ? ', more fragments' : ''}`);
        this.field(proto, 'Identification', t + 4, 4, `0x${this.u32(t + 4).toString(16).padStart(8, '0')}`);
        if (setValues) Object.assign(this.values, { frag_off: off, mf: more ? 1 : 0, id: this.u32(t + 4) });
        t += 8;
        nh = next;
        if (off !== 0) {
          if (setValues) this.values.proto = ipProtoName(nh);
          this.payload(t, end, 'Fragment data');
          return;
        }
        continue;
      }
      // AH counts its length in 4-byte words less two; the others in 8-byte words less one
      const len = nh === 51 ? (this.u8(t + 1) + 2) * 4 : (this.u8(t + 1) + 1) * 8;
      this.header(proto, `IPv6 ${name} header`, t, len);
      this.field(proto, 'Next header', t, 1, `${IPV6_EXTHDRS[next] ?? ipProtoName(next).toUpperCase()} (${next})`);
      this.field(proto, 'Header length', t + 1, 1, `${len} bytes (${this.u8(t + 1)})`);
      if (len > 2) this.field(proto, nh === 43 ? 'Routing type / segments left / data' : 'Options', t + 2, len - 2, `${len - 2} bytes`);
      t += len;
      nh = next;
    }
    if (setValues) Object.assign(this.values, { proto: ipProtoName(nh), protocol_num: nh });
    if (nh === 59) return; // no next header
    if (inner) {
      if ((nh === 17 || nh === 6) && this.has(t, 4)) {
        this.field('inner', 'Inner source port', t, 2, String(this.u16(t)));
        this.field('inner', 'Inner destination port', t + 2, 2, String(this.u16(t + 2)));
        this.header('inner', `Inner ${ipProtoName(nh).toUpperCase()} header`, t, Math.max(0, Math.min(nh === 17 ? 8 : 20, end - t)));
      } else if (nh === 58 && this.has(t, 2)) {
        this.field('inner', 'Inner ICMPv6 type / code', t, 2, `${icmpv6TypeName(this.u8(t))} (${this.u8(t)}/${this.u8(t + 1)})`);
        this.header('inner', 'Inner ICMPv6 header', t, Math.max(0, Math.min(8, end - t)));
      }
      return;
    }
    if (nh === 58) this.icmpv6(t, end, setValues);
    else if (nh === 17) this.udp(t, end, setValues);
    else if (nh === 6) this.tcp(t, end, setValues);
    else this.payload(t, end, 'Payload');
  }

  icmpv6(o: number, end: number, setValues: boolean): void {
    if (!this.has(o, 4)) return;
    const type = this.u8(o);
    const code = this.u8(o + 1);
    const name = icmpv6TypeName(type);
    this.header('icmp', `ICMPv6 (${name})`, o, Math.min(8, end - o));
    this.field('icmp', 'Type', o, 1, `${name} (${type})`);
    this.field('icmp', 'Code', o + 1, 1, String(code));
    this.field('icmp', 'Checksum', o + 2, 2, this.hex16(this.u16(o + 2)));
    if (setValues) Object.assign(this.values, { icmp_type: type, icmp_code: code });
    if (!this.has(o, 8)) return;
    if (type === 128 || type === 129) {
      this.field('icmp', 'Identifier', o + 4, 2, String(this.u16(o + 4)));
      this.field('icmp', 'Sequence number', o + 6, 2, String(this.u16(o + 6)));
      if (setValues) Object.assign(this.values, { icmp_id: this.u16(o + 4), icmp_seq: this.u16(o + 6) });
      this.payload(o + 8, end, 'ICMPv6 data');
    } else if (type >= 1 && type <= 4) {
      if (type === 2) {
        this.field('icmp', 'MTU', o + 4, 4, String(this.u32(o + 4)));
        if (setValues) this.values.mtu = this.u32(o + 4);
      } else if (type === 4) this.field('icmp', 'Pointer', o + 4, 4, String(this.u32(o + 4)));
      else this.field('icmp', 'Unused', o + 4, 4, `0x${this.u32(o + 4).toString(16).padStart(8, '0')}`);
      this.ipv6(o + 8, end, false, 'inner');
    } else if ((type === 135 || type === 136 || type === 137) && this.has(o, 24)) {
      // neighbour discovery (net/ipv6/ndisc.c): flags, the target, then options (source/target link-layer address)
      this.field('icmp', type === 136 ? 'Flags (router, solicited, override)' : 'Reserved', o + 4, 4, `0x${this.u32(o + 4).toString(16).padStart(8, '0')}`);
      this.field('icmp', 'Target address', o + 8, 16, this.ip6(o + 8));
      if (setValues) this.values.nd_target = this.ip6(o + 8);
      let t = o + (type === 137 ? 40 : 24);
      if (type === 137 && this.has(o, 40)) this.field('icmp', 'Destination address', o + 24, 16, this.ip6(o + 24));
      while (this.has(t, 2) && t < end) {
        const ot = this.u8(t);
        const ol = this.u8(t + 1) * 8;
        if (ol === 0) break;
        const what = ot === 1 ? 'Source link-layer address' : ot === 2 ? 'Target link-layer address' : `Option ${ot}`;
        this.field('icmp', what, t, ol, (ot === 1 || ot === 2) && ol === 8 && this.has(t + 2, 6) ? this.mac(t + 2) : `${ol} bytes`);
        t += ol;
      }
    } else {
      this.field('icmp', 'Message body', o + 4, Math.max(0, Math.min(end, this.b.length) - o - 4), `${Math.max(0, end - o - 4)} bytes`);
    }
  }

  arp(o: number, setValues: boolean): void {
    if (!this.has(o, 28)) return;
    const op = this.u16(o + 6);
    const opName = op === 1 ? 'request' : op === 2 ? 'reply' : String(op);
    this.header('arp', `Address Resolution Protocol (${opName})`, o, 28);
    this.field('arp', 'Hardware type', o, 2, this.u16(o) === 1 ? 'Ethernet (1)' : String(this.u16(o)));
    this.field('arp', 'Protocol type', o + 2, 2, `${ETHERTYPES[this.u16(o + 2)] ?? '?'} (${this.hex16(this.u16(o + 2))})`);
    this.field('arp', 'Hardware size', o + 4, 1, String(this.u8(o + 4)));
    this.field('arp', 'Protocol size', o + 5, 1, String(this.u8(o + 5)));
    this.field('arp', 'Opcode', o + 6, 2, `${opName} (${op})`);
    this.field('arp', 'Sender MAC', o + 8, 6, this.mac(o + 8));
    this.field('arp', 'Sender IP', o + 14, 4, this.ip(o + 14));
    this.field('arp', 'Target MAC', o + 18, 6, this.mac(o + 18));
    this.field('arp', 'Target IP', o + 24, 4, this.ip(o + 24));
    if (setValues) {
      this.values.arp_op = op;
      this.values.saddr = this.ip(o + 14);
      this.values.daddr = this.ip(o + 24);
    }
  }

  ipv4(o: number, limit: number, setValues: boolean, proto: 'ip' | 'inner'): void {
    if (!this.has(o, 20)) return;
    const vihl = this.u8(o);
    const version = vihl >> 4;
    const ihl = (vihl & 15) * 4;
    if (version !== 4) {
      this.header(proto, `IP (version ${version}?)`, o, 1);
      this.field(proto, 'Version / IHL', o, 1, `version ${version}, header ${ihl} bytes`);
      return;
    }
    const hl = Math.max(20, ihl);
    const totLen = this.u16(o + 2);
    const fragWord = this.u16(o + 6);
    const p = this.u8(o + 9);
    const check = this.u16(o + 10);
    const ok = this.has(o, hl) && ipChecksum(this.b, o, hl) === 0;
    const inner = proto === 'inner';
    this.header(proto, inner ? 'Inner IPv4 header (the datagram the error is about)' : 'Internet Protocol Version 4', o, hl);
    this.field(proto, 'Version / IHL', o, 1, `4, header ${ihl} bytes (${vihl & 15})`);
    this.field(proto, 'TOS / DSCP+ECN', o + 1, 1, `0x${this.u8(o + 1).toString(16).padStart(2, '0')}`);
    this.field(proto, 'Total length', o + 2, 2, String(totLen));
    this.field(proto, 'Identification', o + 4, 2, `${this.hex16(this.u16(o + 4))} (${this.u16(o + 4)})`);
    const flags = [(fragWord & 0x4000) !== 0 ? 'DF' : '', (fragWord & 0x2000) !== 0 ? 'MF' : ''].filter(Boolean).join(' ') || 'none';
    this.field(proto, 'Flags / fragment offset', o + 6, 2, `${flags}, offset ${(fragWord & 0x1fff) * 8}`);
    this.field(proto, 'Time to live', o + 8, 1, String(this.u8(o + 8)));
    this.field(proto, 'Protocol', o + 9, 1, `${ipProtoName(p).toUpperCase()} (${p})`);
    this.field(proto, 'Header checksum', o + 10, 2, `${this.hex16(check)} ${ok ? '[correct]' : '[incorrect]'}`);
    this.field(proto, 'Source address', o + 12, 4, this.ip(o + 12));
    this.field(proto, 'Destination address', o + 16, 4, this.ip(o + 16));
    if (ihl > 20) this.field(proto, 'Options', o + 20, ihl - 20, `${ihl - 20} bytes`);
    if (setValues) {
      Object.assign(this.values, {
        ttl: this.u8(o + 8),
        tos: this.u8(o + 1),
        id: this.u16(o + 4),
        tot_len: totLen,
        frag_off: (fragWord & 0x1fff) * 8,
        df: (fragWord & 0x4000) !== 0 ? 1 : 0,
        mf: (fragWord & 0x2000) !== 0 ? 1 : 0,
        proto: ipProtoName(p),
        protocol_num: p,
        saddr: this.ip(o + 12),
        daddr: this.ip(o + 16),
        ip_csum_ok: ok ? 1 : 0,
      });
    }
    if ((fragWord & 0x1fff) !== 0) {
      this.payload(o + hl, Math.min(limit, o + totLen), 'Fragment data');
      return;
    }
    const end = inner ? limit : Math.min(limit, o + Math.max(totLen, hl));
    if (inner) {
      // an ICMP error quotes the header and 8 bytes: name them but go no deeper than ports
      if (p === 17 || p === 6) {
        const t = o + hl;
        if (this.has(t, 4)) {
          this.field('inner', 'Inner source port', t, 2, String(this.u16(t)));
          this.field('inner', 'Inner destination port', t + 2, 2, String(this.u16(t + 2)));
        }
        this.header('inner', `Inner ${ipProtoName(p).toUpperCase()} header (first 8 bytes)`, t, Math.max(0, Math.min(8, end - t)));
      } else if (p === 1) {
        const t = o + hl;
        if (this.has(t, 2)) this.field('inner', 'Inner ICMP type / code', t, 2, `${icmpTypeName(this.u8(t))} (${this.u8(t)}/${this.u8(t + 1)})`);
        this.header('inner', 'Inner ICMP header (first 8 bytes)', t, Math.max(0, Math.min(8, end - t)));
      }
      return;
    }
    const t = o + hl;
    if (p === 1) this.icmp(t, end, setValues);
    else if (p === 17) this.udp(t, end, setValues);
    else if (p === 6) this.tcp(t, end, setValues);
    else this.payload(t, end, 'Payload');
  }

  icmp(o: number, end: number, setValues: boolean): void {
    if (!this.has(o, 8)) return;
    const type = this.u8(o);
    const code = this.u8(o + 1);
    this.header('icmp', `ICMP (${icmpTypeName(type)})`, o, 8);
    this.field('icmp', 'Type', o, 1, `${icmpTypeName(type)} (${type})`);
    this.field('icmp', 'Code', o + 1, 1, String(code));
    this.field('icmp', 'Checksum', o + 2, 2, this.hex16(this.u16(o + 2)));
    if (setValues) Object.assign(this.values, { icmp_type: type, icmp_code: code });
    if (type === 0 || type === 8) {
      this.field('icmp', 'Identifier', o + 4, 2, String(this.u16(o + 4)));
      this.field('icmp', 'Sequence number', o + 6, 2, String(this.u16(o + 6)));
      if (setValues) Object.assign(this.values, { icmp_id: this.u16(o + 4), icmp_seq: this.u16(o + 6) });
      this.payload(o + 8, end, 'ICMP data');
    } else if (type === 3 || type === 11 || type === 12 || type === 5) {
      if (type === 3 && code === 4) {
        this.field('icmp', 'Unused', o + 4, 2, this.hex16(this.u16(o + 4)));
        this.field('icmp', 'Next-hop MTU', o + 6, 2, String(this.u16(o + 6)));
        if (setValues) this.values.mtu = this.u16(o + 6);
      } else if (type === 5) {
        this.field('icmp', 'Gateway', o + 4, 4, this.ip(o + 4));
      } else {
        this.field('icmp', 'Unused', o + 4, 4, `0x${this.u32(o + 4).toString(16).padStart(8, '0')}`);
      }
      this.ipv4(o + 8, end, false, 'inner');
    } else {
      this.field('icmp', 'Rest of header', o + 4, 4, `0x${this.u32(o + 4).toString(16).padStart(8, '0')}`);
      this.payload(o + 8, end, 'ICMP data');
    }
  }

  udp(o: number, end: number, setValues: boolean): void {
    if (!this.has(o, 8)) return;
    this.header('udp', 'User Datagram Protocol', o, 8);
    this.field('udp', 'Source port', o, 2, String(this.u16(o)));
    this.field('udp', 'Destination port', o + 2, 2, String(this.u16(o + 2)));
    this.field('udp', 'Length', o + 4, 2, String(this.u16(o + 4)));
    this.field('udp', 'Checksum', o + 6, 2, this.hex16(this.u16(o + 6)));
    if (setValues) Object.assign(this.values, { sport: this.u16(o), dport: this.u16(o + 2), udp_len: this.u16(o + 4) });
    this.payload(o + 8, end, 'UDP payload');
  }

  tcp(o: number, end: number, setValues: boolean): void {
    if (!this.has(o, 20)) return;
    const doff = (this.u8(o + 12) >> 4) * 4;
    const fl = this.u8(o + 13);
    const flags = TCP_FLAGS.filter((_, i) => (fl & (1 << i)) !== 0).join(',') || 'none';
    this.header('tcp', `Transmission Control Protocol [${flags}]`, o, Math.max(20, doff));
    this.field('tcp', 'Source port', o, 2, String(this.u16(o)));
    this.field('tcp', 'Destination port', o + 2, 2, String(this.u16(o + 2)));
    this.field('tcp', 'Sequence number', o + 4, 4, String(this.u32(o + 4)));
    this.field('tcp', 'Acknowledgment number', o + 8, 4, String(this.u32(o + 8)));
    this.field('tcp', 'Header length / flags', o + 12, 2, `${doff} bytes, [${flags}]`);
    this.field('tcp', 'Window', o + 14, 2, String(this.u16(o + 14)));
    this.field('tcp', 'Checksum', o + 16, 2, this.hex16(this.u16(o + 16)));
    this.field('tcp', 'Urgent pointer', o + 18, 2, String(this.u16(o + 18)));
    if (doff > 20) this.field('tcp', 'Options', o + 20, doff - 20, `${doff - 20} bytes`);
    if (setValues) {
      Object.assign(this.values, { sport: this.u16(o), dport: this.u16(o + 2), tcp_seq: this.u32(o + 4), tcp_ack: this.u32(o + 8), flags });
    }
    this.payload(o + Math.max(20, doff), end, 'TCP payload');
  }

  payload(o: number, end: number, label: string): void {
    const len = Math.min(end, this.b.length) - o;
    if (len <= 0) return;
    this.header('payload', label, o, len);
    this.field('payload', label, o, len, `${len} bytes`);
  }
}

/** RFC 1071 sum over [o, o+len); 0 when a header with its checksum in place is correct. */
export function ipChecksum(b: Uint8Array, o: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (b[o + i] << 8) | (i + 1 < len ? b[o + i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Decode the headers of a snapshot. Starts at the MAC header when it is set (even when
 * skb->data has been pulled past it, as Wireshark shows the frame), else at the network header,
 * else at skb->data by skb->protocol.
 */
export function decodeSkb(skb: SkbSnapshot): Decoded {
  const bytes = hexToBytes(skb.bytes);
  const d = new Decoder(bytes);
  const limit = Math.min(bytes.length, Math.max(skb.tail, skb.data));
  if (skb.mac_header !== null && skb.mac_header + 14 <= skb.data + 14 && (skb.network_header === null || skb.network_header >= skb.mac_header + 14)) {
    d.eth(skb.mac_header, limit, true);
  } else if (skb.network_header !== null) {
    d.l3(skb.protocol || guessL3(bytes, skb.network_header), skb.network_header, limit, true);
  } else if (skb.len > 0) {
    d.l3(skb.protocol || guessL3(bytes, skb.data), skb.data, limit, true);
  }
  const fieldAt = new Int16Array(bytes.length).fill(-1);
  d.fields.forEach((f, i) => {
    for (let k = f.start; k < f.start + f.len && k < bytes.length; k++) fieldAt[k] = i;
  });
  return { bytes, headers: d.headers, fields: d.fields, fieldAt, values: d.values };
}

function guessL3(b: Uint8Array, o: number): number {
  if (o >= b.length) return 0;
  return b[o] >> 4 === 4 ? 0x0800 : b[o] >> 4 === 6 ? 0x86dd : 0;
}
