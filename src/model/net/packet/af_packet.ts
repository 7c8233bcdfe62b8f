// Frames crafted byte by byte and sent on a link (net/packet/af_packet.c, packet_snd): the way
// a test tool with a raw AF_PACKET socket puts an exact frame on the wire — bad checksums,
// fragments, odd header fields. The frame leaves the peer's device and arrives on the target.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import { allocSkb } from '../core/skbuff';
import { ETH_HLEN, ETH_P_IP, writeEth } from '../../proto/ethernet';
import { IP_DF, IP_MF, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPV4_HLEN, writeIp } from '../../proto/ipv4';
import { ICMP_ECHO, ICMP_ECHOREPLY, writeIcmp } from '../../proto/icmp';
import { writeUdp, UDP_HLEN } from '../../proto/udp';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_RST, TCPHDR_SYN, TCP_HLEN, writeTcp } from '../../proto/tcp';
import { wr16 } from '../../proto/addr';
import { dev_queue_xmit, NET_XMIT_CN, NET_XMIT_SUCCESS, xmitName } from '../core/dev';

const FILE = 'net/packet/af_packet.c';
/** VLAN_HLEN: packet_snd lets a frame exceed the MTU by one 802.1Q tag when it carries one. */
const VLAN_HLEN = 4;
const ETH_P_8021Q = 0x8100;

export interface FrameSpec {
  proto: 'udp' | 'tcp' | 'icmp';
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  /** tcp: "S", "SA", "A", "R", "PA", "F"…; icmp: "echo-request" / "echo-reply" */
  flags?: string;
  /** tcp header fields; defaults 1000, 1 when the flags have ACK (else 0), 64240 */
  seq?: number;
  ack?: number;
  window?: number;
  ttl: number;
  /** this frame's IP total length */
  size: number;
  /** the whole datagram's IP total length, when this frame is one fragment of it */
  datagram: number;
  df: boolean;
  id: number;
  tos: number;
  badIpChecksum: boolean;
  badL4Checksum: boolean;
  frag?: { offset: number; more: boolean };
  dstMac: string;
  srcMac: string;
  version?: number;
  ihl?: number;
  truncate?: number;
  payload?: Uint8Array;
}

function tcpFlags(s: string): number {
  let f = 0;
  for (const c of s.toUpperCase()) {
    if (c === 'S') f |= TCPHDR_SYN;
    else if (c === 'A' || c === '.') f |= TCPHDR_ACK;
    else if (c === 'R') f |= TCPHDR_RST;
    else if (c === 'P') f |= TCPHDR_PSH;
    else if (c === 'F') f |= TCPHDR_FIN;
  }
  return f;
}

/** The whole datagram, L4 checksum right (unless asked otherwise), then this frame's slice of it. */
export function buildFrame(s: FrameSpec): Uint8Array {
  const dg = new Uint8Array(s.datagram);
  const l4 = IPV4_HLEN;
  const l4len = s.datagram - IPV4_HLEN;
  const proto = s.proto === 'udp' ? IPPROTO_UDP : s.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_ICMP;
  const hdr = s.proto === 'udp' ? UDP_HLEN : s.proto === 'tcp' ? TCP_HLEN : 8;
  for (let i = hdr; i < l4len; i++) dg[l4 + i] = s.payload ? s.payload[(i - hdr) % Math.max(s.payload.length, 1)] ?? 0 : (0x30 + ((i - hdr) % 64)) & 255;
  if (s.payload && s.payload.length === 0) dg.fill(0, l4 + hdr);
  if (s.proto === 'udp') writeUdp(dg, l4, { source: s.sport, dest: s.dport, len: l4len }, s.saddr, s.daddr);
  else if (s.proto === 'tcp') writeTcp(dg, l4, { source: s.sport, dest: s.dport, seq: s.seq ?? 1000, ackSeq: s.ack ?? (tcpFlags(s.flags ?? 'S') & TCPHDR_ACK ? 1 : 0), doff: 5, flags: tcpFlags(s.flags ?? 'S'), window: s.window ?? 64240, urgPtr: 0 }, l4len, s.saddr, s.daddr);
  else writeIcmp(dg, l4, l4len, { type: s.flags === 'echo-reply' ? ICMP_ECHOREPLY : ICMP_ECHO, code: 0, rest: (0x4242 << 16) | 1 });
  if (s.badL4Checksum) {
    const at = l4 + (s.proto === 'udp' ? 6 : s.proto === 'tcp' ? 16 : 2);
    wr16(dg, at, (((dg[at] << 8) | dg[at + 1]) ^ 0x5a5a) || 1);
  }
  const off = s.frag?.offset ?? 0;
  const dataLen = s.size - IPV4_HLEN;
  const frame = new Uint8Array(ETH_HLEN + s.size);
  writeEth(frame, 0, { dst: s.dstMac, src: s.srcMac, proto: ETH_P_IP });
  frame.set(dg.subarray(l4 + off, l4 + off + dataLen), ETH_HLEN + IPV4_HLEN);
  const fragOff = (s.df ? IP_DF : 0) | (s.frag?.more ? IP_MF : 0) | (off >> 3);
  writeIp(frame, ETH_HLEN, { version: 4, ihl: 5, tos: s.tos, totLen: s.size, id: s.id, fragOff, ttl: s.ttl, protocol: proto, saddr: s.saddr, daddr: s.daddr });
  if (s.version !== undefined || s.ihl !== undefined) {
    frame[ETH_HLEN] = ((s.version ?? 4) << 4) | (s.ihl ?? 5);
    wr16(frame, ETH_HLEN + 10, 0);
    writeIpChecksumOnly(frame, ETH_HLEN);
  }
  if (s.badIpChecksum) wr16(frame, ETH_HLEN + 10, (((frame[ETH_HLEN + 10] << 8) | frame[ETH_HLEN + 11]) ^ 0x5a5a) || 1);
  return s.truncate !== undefined ? frame.slice(0, ETH_HLEN + s.truncate) : frame;
}

function writeIpChecksumOnly(b: Uint8Array, off: number): void {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (b[off + i] << 8) | b[off + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  wr16(b, off + 10, ~sum & 0xffff);
}

/**
 * packet_snd's own refusals of a SOCK_RAW frame, in its order (net/packet/af_packet.c, v6.12):
 * the bound device is down (ENETDOWN); the frame is longer than MTU + link header + one VLAN tag
 * (EMSGSIZE, checked before an sk_buff is allocated); shorter than the link header (EINVAL,
 * dev_validate_header); longer than MTU + link header without an 802.1Q tag to excuse the extra
 * 4 bytes (EMSGSIZE, packet_extra_vlan_len_allowed). A refused frame never reaches the device.
 */
export function packetSndRefusal(dev: NetDevice, frame: Uint8Array): { errno: string; why: string } | undefined {
  if (!dev.up) return { errno: 'ENETDOWN', why: `${dev.name} is down (no IFF_UP)` };
  const max = dev.mtu + dev.hard_header_len;
  if (frame.length > max + VLAN_HLEN) return { errno: 'EMSGSIZE', why: `the ${frame.length}-byte frame is longer than ${dev.name}'s MTU ${dev.mtu} plus its link header and one VLAN tag allow` };
  if (frame.length < dev.hard_header_len) return { errno: 'EINVAL', why: `${frame.length} bytes is shorter than an Ethernet header` };
  const tagged = frame.length >= ETH_HLEN && ((frame[12] << 8) | frame[13]) === ETH_P_8021Q;
  if (frame.length > max && !tagged) return { errno: 'EMSGSIZE', why: `the ${frame.length}-byte frame is longer than ${dev.name}'s MTU ${dev.mtu} plus its link header, and it carries no 802.1Q tag` };
  return undefined;
}

/**
 * packet_snd: the tool's socket on `dev` (the target's link partner) sends the frame as it is.
 * What sendmsg returns is recorded as the kernel returns it: a refusal (packetSndRefusal) ends
 * the send before the device; otherwise the frame goes to dev_queue_xmit, and a transmit that
 * reports NET_XMIT_DROP (a veth whose peer would not take the frame: down, too big for its MTU,
 * a full backlog) becomes ENOBUFS through net_xmit_errno, while NET_XMIT_CN (noop_qdisc of a
 * device without carrier) counts as sent. Returns the packet's id.
 */
export function packet_snd(net: Net, dev: NetDevice, frame: Uint8Array, target: NetDevice, parent: number | null = null): number {
  // a fresh call path matters only to a full trace (at the fates level `fresh` is a plain call):
  // the closure it takes would be made for every frame of a replay
  return net.full ? net.w.rec.fresh(() => packet_snd_fresh(net, dev, frame, target, parent)) : packet_snd_fresh(net, dev, frame, target, parent);
}

function packet_snd_fresh(net: Net, dev: NetDevice, frame: Uint8Array, target: NetDevice, parent: number | null): number {
  const call = net.enter('packet_snd');
  try {
    const pkt = net.w.rec.newPacket(net.name, parent);
    const skb = allocSkb(dev.llReservedSpace(), frame.length, pkt);
    skb.w().set(frame, skb.put(frame.length));
    skb.resetMacHeader();
    skb.network_header = skb.data + ETH_HLEN;
    skb.dev = dev;
    // A replay tool's socket is bound to ETH_P_ALL, so packet_parse_headers takes skb->protocol
    // from the frame's own EtherType (dev_parse_header_protocol; net/packet/af_packet.c, v6.12).
    skb.protocol = frame.length >= ETH_HLEN ? (frame[12] << 8) | frame[13] : ETH_P_IP;
    const refused = packetSndRefusal(dev, frame);
    if (refused) {
      // the step shows the frame the tool handed to sendmsg; it never becomes a transmitted sk_buff
      net.step(skb, 'socket', 'packet_snd', FILE, net.full ? `A test tool's raw AF_PACKET socket on ${net.name}:${dev.name} tries to send a crafted ${frame.length}-byte frame, but packet_snd refuses it: ${refused.why}, so sendmsg fails with ${refused.errno}.` : '', { ret: `-${refused.errno}` });
      net.w.rec.fate(pkt, { kind: 'dropped', host: net.name, fn: 'packet_snd', detail: refused.errno });
      return pkt;
    }
    net.step(skb, 'L2', 'packet_snd', FILE, net.full ? net.say(sendWhat, net.name, dev.name, frame.length, target.net.name, target.name) : '');
    const rc = dev_queue_xmit(net, skb);
    if (rc !== NET_XMIT_SUCCESS && rc !== NET_XMIT_CN) {
      net.step(null, 'socket', 'packet_snd', FILE, net.full ? `The transmit returned ${xmitName(rc)}: net_xmit_errno turns it into ENOBUFS, so the tool's sendmsg fails with ENOBUFS (No buffer space available) although the frame reached ${dev.name}'s driver.` : '', { ret: '-ENOBUFS' });
    }
    return pkt;
  } finally {
    net.leave(call);
  }
}

/** packet_snd's sentence, made by a full trace only: a closure in packet_snd would cost a context per frame. */
/** packet_snd's sentence (net.say): `host`:`dev` sends `len` bytes to `toHost`:`toDev` */
function sendWhat(host: string, dev: string, len: number, toHost: string, toDev: string): string {
  return `A test tool's raw AF_PACKET socket on ${host}:${dev} sends a crafted ${len}-byte frame to ${toHost}:${toDev}, bypassing ${host}'s IP stack.`;
}
