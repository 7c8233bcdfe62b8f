// Where the kernel frees packets, and why, per namespace and per packet: a bpftrace program on
// the skb:kfree_skb tracepoint (one for the whole run, shared by the scenarios that run at the
// same time). For each freed IPv4, IPv6 or ARP sk_buff it prints the time, the network namespace (the
// inode of skb->dev's netns, else of the socket's, else of its route's device — an IPv6 reset of
// tcp_v6_send_reset has neither device nor socket before ip6_output; the route comes before the
// last rule because an entry of @ns can outlive its sk_buff (one freed by __kfree_skb passes no
// tracepoint) —, else of the namespace whose receive path last saw that sk_buff), the drop reason, the location (the function that called kfree_skb_reason)
// and the first bytes of the network and transport headers, enough to tell which packet it was.
// Each scenario opens a window on the namespaces it made (inode → host) for the time of its
// traffic and collects the drops in it: the machine's own traffic, and the other scenarios', is
// left out by namespace.
import * as fs from 'fs';
import * as path from 'path';
import { isEphemeral, ICMP_NAMES } from './frames';
import { formatIpv6, ICMPV6_TYPE_NAMES } from '../trace/ipv6';
import { Proc, registerCleanup, run, sleep } from './lab';

const TRACEFS = '/sys/kernel/tracing';
const FORMAT = path.join(TRACEFS, 'events/skb/kfree_skb/format');
export const BTF = '/sys/kernel/btf/vmlinux';

/**
 * The bpftrace program; $1 is the harness's own netns inode (drops there are the machine's own).
 * Lines: `READY`; `T <ns>` every 100 ms (how far the output has got); and per drop
 * `D <ns> <netns> <reason> <location> <protocol> <bytes left> <7 words at the network header> <4 words at the transport header>`
 * (words as the CPU reads them: little-endian u32, in hex). <bytes left> is skb->len counted from
 * the network header: the words are read whatever the packet's length, and what lies past its
 * end is stale memory, not the packet.
 *
 * An IPv6 packet (ETH_P_IPV6) prints a `D6` line instead:
 * `D6 <ns> <netns> <reason> <location> <protocol> <bytes left> <10 words at the network header> <upper-layer offset> <its next header> <fragment word> <4 words at the upper layer>`.
 * The extension headers before the upper layer (hop-by-hop, routing, destination options: each
 * by its own length; the Fragment header: 8 bytes) are walked in the program, as far as the
 * packet's bytes go and for at most V6_EXT_MAX headers, stopping after a Fragment header whose
 * offset is not 0 (what follows is data). The fragment word is the first 4 bytes of the last
 * Fragment header seen (next header, reserved, offset and M) with bit 32 set, or 0 if none.
 *
 * skb->dev is NULL for a fragment in a reassembly queue (ip_frag_queue clears it) and for some
 * sk_buffs freed from a socket's queue; the socket's netns covers the latter, and @ns remembers
 * the netns whose receive path (net:netif_receive_skb) last saw each sk_buff for the former.
 */
/** How many IPv6 extension headers the program (and the model's side, alike) walks before the upper layer. */
export const V6_EXT_MAX = 6;

export const BPF_PROGRAM = `
tracepoint:net:netif_receive_skb
{
  $skb = (struct sk_buff *)args->skbaddr;
  $ino = (uint64)$skb->dev->nd_net.net->ns.inum;
  if ($ino != $1) { @ns[args->skbaddr] = $ino; }
}
tracepoint:skb:consume_skb
{
  delete(@ns[args->skbaddr]);
}
tracepoint:skb:kfree_skb
/args->protocol == 0x0800 || args->protocol == 0x0806 || args->protocol == 0x86dd/
{
  $skb = (struct sk_buff *)args->skbaddr;
  $ino = (uint64)0;
  if ($skb->dev != 0) { $ino = (uint64)$skb->dev->nd_net.net->ns.inum; }
  if ($ino == 0 && $skb->sk != 0) { $ino = (uint64)$skb->sk->__sk_common.skc_net.net->ns.inum; }
  if ($ino == 0 && ($skb->_skb_refdst & 0xfffffffffffffffe) != 0) {
    $dst = (struct dst_entry *)($skb->_skb_refdst & 0xfffffffffffffffe);
    if ($dst->dev != 0) { $ino = (uint64)$dst->dev->nd_net.net->ns.inum; }
  }
  if ($ino == 0) { $ino = @ns[args->skbaddr]; }
  delete(@ns[args->skbaddr]);
  if ($ino != $1) {
    $nh = $skb->head + $skb->network_header;
    $left = (int64)$skb->len - (int64)((uint64)$nh - (uint64)$skb->data);
    if (args->protocol == 0x86dd) {
      $o = (uint64)40;
      $nx = (uint64)(*(uint8 *)($nh + 6));
      $fw = (uint64)0;
      $done = (uint64)0;
      unroll(${V6_EXT_MAX}) {
        if ($done == 0 && ($nx == 0 || $nx == 43 || $nx == 60) && (int64)$o + 8 <= $left) {
          $nx2 = (uint64)(*(uint8 *)($nh + $o));
          $o = $o + ((uint64)(*(uint8 *)($nh + $o + 1)) + 1) * 8;
          $nx = $nx2;
        } else if ($done == 0 && $nx == 44 && (int64)$o + 8 <= $left) {
          $fw = (uint64)(*(uint32 *)($nh + $o)) | 0x100000000;
          $nx = (uint64)(*(uint8 *)($nh + $o));
          $o = $o + 8;
          if ((($fw >> 16) & 0xf8ff) != 0) { $done = 1; }
        } else {
          $done = 1;
        }
      }
      printf("D6 %llu %llu %u %s %u %lld %x %x %x %x %x %x %x %x %x %x %llu %llu %llx %x %x %x %x\\n", nsecs, $ino, args->reason, ksym(args->location), args->protocol, $left,
        *(uint32 *)($nh), *(uint32 *)($nh + 4), *(uint32 *)($nh + 8), *(uint32 *)($nh + 12), *(uint32 *)($nh + 16), *(uint32 *)($nh + 20), *(uint32 *)($nh + 24), *(uint32 *)($nh + 28), *(uint32 *)($nh + 32), *(uint32 *)($nh + 36),
        $o, $nx, $fw, *(uint32 *)($nh + $o), *(uint32 *)($nh + $o + 4), *(uint32 *)($nh + $o + 8), *(uint32 *)($nh + $o + 12));
    } else {
      $l4 = $nh + ((*(uint8 *)$nh) & 15) * 4;
      printf("D %llu %llu %u %s %u %lld %x %x %x %x %x %x %x %x %x %x %x\\n", nsecs, $ino, args->reason, ksym(args->location), args->protocol, $left,
        *(uint32 *)($nh), *(uint32 *)($nh + 4), *(uint32 *)($nh + 8), *(uint32 *)($nh + 12), *(uint32 *)($nh + 16), *(uint32 *)($nh + 20), *(uint32 *)($nh + 24),
        *(uint32 *)($l4), *(uint32 *)($l4 + 4), *(uint32 *)($l4 + 8), *(uint32 *)($l4 + 12));
    }
  }
}
interval:ms:100 { printf("T %llu\\n", nsecs); }
BEGIN { printf("READY\\n"); }
END { clear(@ns); }
`;

/**
 * Drops left out on both sides, and why. The model never records them (evidence: the only ones
 * the kernel showed in the examples' namespaces on 6.18 were these).
 */
export const IGNORED_DROP_REASONS: Record<string, string> = {
  QUEUE_PURGE:
    'a socket destroyed with sk_buffs still queued (inet_sock_destruct purges its receive and error queues): seen when ping exits with an ICMP error it read from its raw socket still on its error queue (IP_RECVERR). When that happens depends on the tool\'s lifetime; the model keeps its sockets open to the end of the run and frees nothing then.',
};

/**
 * Functions whose kfree_skb_reason is their last statement and compiles to a tail call
 * (`jmp sk_skb_reason_drop`), so that the tracepoint's location (sk_skb_reason_drop's
 * __builtin_return_address(0)) lies in their caller. The model names the function in the source;
 * the kernel's location names this caller.
 */
export const TAIL_CALLS: Record<string, { caller?: string; evidence: string }> = {
  arp_error_report: {
    caller: 'neigh_invalidate',
    evidence:
      'net/ipv4/arp.c arp_error_report is `dst_link_failure(skb); kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);` (v6.12 and 6.18 alike); 6.18\'s code ends `mov $0x3a,%edx; xor %edi,%edi; jmp sk_skb_reason_drop`, and the kernel stack of the drop is sk_skb_reason_drop ← neigh_invalidate ← neigh_timer_handler',
  },
  ndisc_error_report: {
    caller: 'neigh_invalidate',
    evidence:
      'net/ipv6/ndisc.c ndisc_error_report is `dst_link_failure(skb); kfree_skb(skb);` (v6.12), the IPv6 twin of arp_error_report; on 6.18.44 the drop\'s location is neigh_invalidate (replay of test/fidelity/found/fix-ipv6-mtu-below-min.yaml)',
  },
  tcp_data_queue: {
    caller: 'tcp_rcv_established',
    evidence:
      'net/ipv4/tcp_input.c tcp_data_queue ends at its drop label with `tcp_drop_reason(sk, skb, reason); return;` and tcp_drop_reason is sk_drops_add then sk_skb_reason_drop (v6.12), so the free is its last call; on 6.18.44 old data (TCP_OLD_DATA, a loss probe the receiver already had) is freed at location tcp_rcv_established, its caller (replay of test/fidelity/found/fix-tcp-loss-probe-dsack.yaml)',
  },
  // no fixed caller: the one before it on the model's stack
  ip6_pkt_drop: {
    evidence:
      'net/ipv6/route.c ip6_pkt_drop ends with `kfree_skb_reason(skb, reason); return 0;` (v6.12); 6.18.44 has it only as ip6_pkt_drop.isra.0 (its return value dropped, so the free is its last call), and the drop\'s location is its caller ip6_pkt_discard (replays of examples/ipv6-no-route.yaml and ipv6-tcp-connect-unreachable.yaml)',
  },
  icmpv6_param_prob_reason: {
    evidence:
      'net/ipv6/icmp.c icmpv6_param_prob_reason is `icmp6_send(…); kfree_skb_reason(skb, reason);` (v6.12); on 6.18.44 a packet with an unknown destination option of action 10 is freed at location ip6_tlvopt_unknown, its caller (generated 990521/14)',
  },
  ip6_protocol_deliver_rcu: {
    evidence:
      'net/ipv6/ip6_input.c ip6_protocol_deliver_rcu is a void function that ends at its discard label with `kfree_skb_reason(skb, reason);` (v6.12); on 6.18.44 an unknown next header (IP_NOPROTO) is freed at location ip6_input_finish, its caller (replay of examples/ipv6-unknown-next-header.yaml)',
  },
};

/** The function that called `fn` on the model's stack (nearest first), if any. */
function callerOf(fn: string, stack: string[] | undefined): string | undefined {
  if (!stack) return undefined;
  const at = stack.lastIndexOf(fn);
  return at > 0 ? stack[at - 1] : at < 0 ? stack[stack.length - 1] : undefined;
}

/**
 * Is the kernel's location the model's function? The same name; or the caller a tail call
 * returns to (TAIL_CALLS: a fixed one, else the function before it on the model's stack); or, for a function the compiler inlined (no symbol of its own in
 * /proc/kallsyms, e.g. the static __udp_queue_rcv_skb), the nearest caller on the model's stack
 * that has one.
 */
export function sameLocation(modelFn: string, stack: string[] | undefined, kernelFn: string, symbols?: Set<string>): boolean {
  const tail = TAIL_CALLS[modelFn];
  if (modelFn === kernelFn || (tail && (tail.caller ?? callerOf(modelFn, stack)) === kernelFn)) return true;
  if (!symbols || !stack || symbols.has(modelFn)) return false;
  const at = stack.lastIndexOf(modelFn);
  for (let i = (at < 0 ? stack.length : at) - 1; i >= 0; i--) {
    if (symbols.has(stack[i])) return stack[i] === kernelFn;
  }
  return false;
}

/** Function names in /proc/kallsyms (text symbols, compiler suffixes stripped). */
export function parseKallsyms(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const p = line.split(/\s+/);
    if (p.length >= 3 && (p[1] === 't' || p[1] === 'T')) out.add(baseSymbol(p[2]));
  }
  return out;
}

/** What identifies a packet at a drop, on either side. */
export interface PacketIdentity {
  /** what matching uses: addresses, protocol, fragment offset, ports, ICMP type/code/seq, ARP op/addresses; random fields left out */
  key: string;
  /** tcpdump-like, for the report */
  summary: string;
  /** the IPv4 TTL at the drop (compared for a matched pair) */
  ttl?: number;
}

export interface KernelDrop {
  /** CLOCK_MONOTONIC ns (bpf_ktime_get_ns) */
  t: number;
  netns: number;
  reason: string;
  fn: string;
  protocol: number;
  id: PacketIdentity;
}

/** Compiler suffixes of a symbol: ip_rcv_core.isra.0 → ip_rcv_core. */
export function baseSymbol(sym: string): string {
  return sym.replace(/\+0x[0-9a-f]+(?:\/0x[0-9a-f]+)?$/, '').replace(/(?:\.(?:cold|isra|constprop|part|llvm)(?:\.\d+)?)+$/, '');
}

/** The reason names from the tracepoint's format file (`__print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, …)`). */
export function parseReasonNames(format: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const x of format.matchAll(/\{ (\d+), "(\w+)" \}/g)) m.set(Number(x[1]), x[2]);
  return m;
}

const ip4 = (b: Uint8Array, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const rd16 = (b: Uint8Array, o: number): number => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const port = (p: number): string => (isEphemeral(p) ? '*' : String(p));
const TCP_FLAGS = ['F', 'S', 'R', 'P', '.', 'U', 'E', 'C'];

/**
 * The identity of the packet whose network header starts at `off` (ETH_P_IP or ETH_P_ARP).
 * The key has the addresses, protocol, total length, fragment offset and MF, ports, ICMP
 * type/code and echo sequence, TCP flags (ARP: op and addresses).
 * Left out of the key, as the frame comparison masks them: the IP ID, ephemeral ports
 * (32768-60999), the ICMP echo id, TCP sequence numbers — and the TTL, which is compared apart.
 *
 * Only real bytes are decoded: `end` is where the packet's bytes end (skb->len past the network
 * header; bpftrace reads on into whatever the buffer held before), and the transport header is
 * decoded only when the IHL leaves one (5 or more) and its bytes are within the packet. In the
 * kernel's layout the transport bytes stand apart (`l4off`, up to `l4end`).
 */
export function packetIdentity(protocol: number, b: Uint8Array, off: number, l4off?: number, end = b.length, l4end?: number): PacketIdentity {
  const netEnd = Math.min(end, l4off ?? b.length);
  if (protocol === 0x0806) {
    if (netEnd < off + 28) return { key: 'arp ?', summary: 'ARP (truncated)' };
    const op = rd16(b, off + 6);
    const sip = ip4(b, off + 14);
    const tip = ip4(b, off + 24);
    const what = op === 1 ? `who-has ${tip} tell ${sip}` : op === 2 ? `reply ${sip} to ${tip}` : `op ${op} ${sip} > ${tip}`;
    return { key: `arp ${op} ${sip} ${tip}`, summary: `ARP ${what}` };
  }
  if (protocol === 0x86dd) {
    if (netEnd < off + 40 || b[off] >> 4 !== 6) return { key: `ip6 ? ${netEnd - off} bytes`, summary: `IPv6 (${netEnd - off} bytes: no whole header)` };
    const w = walkIpv6Ext(b, off, end);
    return ipv6Identity(b.subarray(off, off + 40), w, b.subarray(Math.min(off + w.l4, end), end));
  }
  if (protocol !== 0x0800 || netEnd < off + 1 || b[off] >> 4 !== 4) return { key: `proto ${protocol} ?`, summary: `ethertype 0x${protocol.toString(16).padStart(4, '0')} (no IPv4 header)` };
  if (netEnd < off + 20) return { key: `ip ? ${netEnd - off} bytes`, summary: `IPv4 (${netEnd - off} bytes: no whole header)` };
  const ihl = (b[off] & 15) * 4;
  const l4 = l4off ?? off + ihl;
  const l4End = l4off !== undefined ? (l4end ?? b.length) : end;
  const has = (n: number): boolean => ihl >= 20 && l4 + n <= l4End;
  const saddr = ip4(b, off + 12);
  const daddr = ip4(b, off + 16);
  const proto = b[off + 9];
  const ttl = b[off + 8];
  const frag = rd16(b, off + 6);
  const totLen = rd16(b, off + 2);
  const fragOff = (frag & 0x1fff) * 8;
  const mf = (frag & 0x2000) !== 0;
  const fragKey = fragOff || mf ? ` frag ${fragOff}${mf ? '+' : ''}` : '';
  const fragText = fragOff || mf ? `, frag offset ${fragOff}${mf ? ' MF' : ''}` : '';
  let key = `ip ${saddr} > ${daddr} proto ${proto} len ${totLen}${fragKey}`;
  let summary: string;
  if (fragOff > 0) summary = `${saddr} > ${daddr}: ip-proto-${proto}`;
  else if ((proto === 17 || proto === 6) && has(4)) {
    const sp = rd16(b, l4);
    const dp = rd16(b, l4 + 2);
    key += ` ${port(sp)} > ${port(dp)}`;
    if (proto === 6) {
      const fl = has(14) ? b[l4 + 13] : undefined;
      const flags = fl === undefined ? '?' : TCP_FLAGS.filter((_, i) => fl & (1 << i)).join('');
      key += ` [${flags}]`;
      summary = `${saddr}.${sp} > ${daddr}.${dp}: TCP [${flags}]`;
    } else summary = `${saddr}.${sp} > ${daddr}.${dp}: UDP`;
  } else if (proto === 1 && has(2)) {
    const type = b[l4];
    const code = b[l4 + 1];
    key += ` icmp ${type}/${code}`;
    summary = `${saddr} > ${daddr}: ICMP ${ICMP_NAMES[type] ?? `type ${type}`}${code ? ` code ${code}` : ''}`;
    if ((type === 0 || type === 8) && has(8)) {
      const seq = rd16(b, l4 + 6);
      key += ` seq ${seq}`;
      summary += `, seq ${seq}`;
    }
  } else summary = `${saddr} > ${daddr}: ip-proto-${proto}${[1, 6, 17].includes(proto) ? ' (no transport header)' : ''}`;
  return { key, summary: `${summary}, ttl ${ttl}, length ${totLen}${fragText}`, ttl };
}

/** Where an IPv6 packet's upper layer starts (`l4`, from the network header), its next header, and the last Fragment header's offset and M flag. */
export interface Ipv6Walk {
  l4: number;
  nexthdr: number;
  frag?: { off: number; more: boolean };
}

/**
 * The walk the tracer makes over an IPv6 packet's extension headers (see BPF_PROGRAM), over the
 * packet's bytes from `off` up to `end`: the same headers, the same limits, so that the model's
 * packet and the kernel's get the same identity.
 */
export function walkIpv6Ext(b: Uint8Array, off: number, end: number): Ipv6Walk {
  const left = end - off;
  let o = 40;
  let nx = b[off + 6];
  let frag: Ipv6Walk['frag'];
  for (let n = 0; n < V6_EXT_MAX; n++) {
    if ((nx === 0 || nx === 43 || nx === 60) && o + 8 <= left) {
      const next = b[off + o];
      o += (b[off + o + 1] + 1) * 8;
      nx = next;
    } else if (nx === 44 && o + 8 <= left) {
      const fo = rd16(b, off + o + 2);
      frag = { off: fo & 0xfff8, more: (fo & 1) !== 0 };
      nx = b[off + o];
      o += 8;
      if (frag.off) break;
    } else break;
  }
  return { l4: o, nexthdr: nx, frag };
}

/**
 * The identity of an IPv6 packet: its 40-byte header `h`, the walk over its extension headers,
 * and the real bytes of its upper layer (`l4`, possibly fewer than a header). The key has the
 * addresses, payload length, the upper layer's next header, the fragment offset and M, ports,
 * ICMPv6 type/code and echo sequence, TCP flags; the hop limit is compared apart (as the TTL).
 * Left out, as for IPv4: the flow label, the fragment identification, ephemeral ports, the echo id.
 */
export function ipv6Identity(h: Uint8Array, w: Ipv6Walk, l4: Uint8Array): PacketIdentity {
  const saddr = formatIpv6(h, 8);
  const daddr = formatIpv6(h, 24);
  const plen = rd16(h, 4);
  const hlim = h[7];
  const nx = w.nexthdr;
  const frag = w.frag;
  const fragKey = frag ? ` frag ${frag.off}${frag.more ? '+' : ''}` : '';
  const fragText = frag ? `, frag offset ${frag.off}${frag.more ? ' M' : ''}` : '';
  let key = `ip6 ${saddr} > ${daddr} nxt ${nx} len ${plen}${fragKey}`;
  let summary: string;
  const has = (n: number): boolean => n <= l4.length;
  if (frag && frag.off > 0) summary = `${saddr} > ${daddr}: next header ${nx}`;
  else if ((nx === 17 || nx === 6) && has(4)) {
    const sp = rd16(l4, 0);
    const dp = rd16(l4, 2);
    key += ` ${port(sp)} > ${port(dp)}`;
    if (nx === 6) {
      const fl = has(14) ? l4[13] : undefined;
      const flags = fl === undefined ? '?' : TCP_FLAGS.filter((_, i) => fl & (1 << i)).join('');
      key += ` [${flags}]`;
      summary = `${saddr}.${sp} > ${daddr}.${dp}: TCP [${flags}]`;
    } else summary = `${saddr}.${sp} > ${daddr}.${dp}: UDP`;
  } else if (nx === 58 && has(2)) {
    const type = l4[0];
    const code = l4[1];
    key += ` icmp6 ${type}/${code}`;
    summary = `${saddr} > ${daddr}: ICMP6 ${ICMPV6_TYPE_NAMES[type] ?? `type ${type}`}${code ? ` code ${code}` : ''}`;
    if ((type === 128 || type === 129) && has(8)) {
      const seq = rd16(l4, 6);
      key += ` seq ${seq}`;
      summary += `, seq ${seq}`;
    }
  } else summary = `${saddr} > ${daddr}: next header ${nx}${[6, 17, 58].includes(nx) ? ' (no upper-layer header)' : ''}`;
  return { key, summary: `${summary}, hlim ${hlim}, payload length ${plen}${fragText}`, ttl: hlim };
}

/** Little-endian u32 words (as bpftrace read them) back to bytes. */
export function wordsToBytes(words: string[]): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  words.forEach((w, i) => {
    const v = parseInt(w, 16) >>> 0;
    b[i * 4] = v & 0xff;
    b[i * 4 + 1] = (v >>> 8) & 0xff;
    b[i * 4 + 2] = (v >>> 16) & 0xff;
    b[i * 4 + 3] = (v >>> 24) & 0xff;
  });
  return b;
}

/** One `D …` (or `D6 …`) line of the program's output. */
export function parseDropLine(line: string, reasons: Map<number, string>): KernelDrop | undefined {
  const p = line.trim().split(/\s+/);
  if (p[0] === 'D6') return parseDrop6(p, reasons);
  if (p[0] !== 'D' || p.length !== 18) return undefined;
  const protocol = Number(p[5]);
  const left = Math.max(0, Number(p[6]));
  const nh = wordsToBytes(p.slice(7, 14));
  const l4 = wordsToBytes(p.slice(14, 18));
  // the 28 bytes at the network header, then 16 at the transport header (IHL×4 further on);
  // each decoded only as far as the packet really goes
  const b = new Uint8Array(nh.length + l4.length);
  b.set(nh);
  b.set(l4, nh.length);
  const ihl = left >= 1 ? (nh[0] & 15) * 4 : 0;
  const l4left = Math.max(0, Math.min(l4.length, left - ihl));
  const reasonNo = Number(p[3]);
  return { t: Number(p[1]), netns: Number(p[2]), reason: reasons.get(reasonNo) ?? `reason ${reasonNo}`, fn: baseSymbol(p[4]), protocol, id: packetIdentity(protocol, b, 0, nh.length, Math.min(left, nh.length), nh.length + l4left) };
}

/** A `D6` line's fields: the IPv6 header's 40 bytes, then the walk the program made and the words where it ended. */
function parseDrop6(p: string[], reasons: Map<number, string>): KernelDrop | undefined {
  if (p.length !== 24) return undefined;
  const protocol = Number(p[5]);
  const left = Math.max(0, Number(p[6]));
  const h = wordsToBytes(p.slice(7, 17));
  const l4off = Number(p[17]);
  // the fragment word: bit 32 says a Fragment header was seen; its bytes 2-3 (offset and M) are bits 16-31
  const seen = p[19].length > 8;
  const fw = parseInt(p[19].slice(-8), 16) >>> 0;
  const reasonNo = Number(p[3]);
  const base = { t: Number(p[1]), netns: Number(p[2]), reason: reasons.get(reasonNo) ?? `reason ${reasonNo}`, fn: baseSymbol(p[4]), protocol };
  if (left < 40 || h[0] >> 4 !== 6) return { ...base, id: { key: `ip6 ? ${Math.min(left, 40)} bytes`, summary: `IPv6 (${Math.min(left, 40)} bytes: no whole header)` } };
  const fo = ((fw >>> 16) & 0xff) * 256 + ((fw >>> 24) & 0xff);
  const frag = seen ? { off: fo & 0xfff8, more: (fo & 1) !== 0 } : undefined;
  const l4 = wordsToBytes(p.slice(20, 24)).subarray(0, Math.max(0, Math.min(16, left - l4off)));
  return { ...base, id: ipv6Identity(h, { l4: l4off, nexthdr: Number(p[18]), frag }, l4) };
}

/** A scenario's view on the tracer: its namespaces (inode → host), from the start of its traffic. */
export interface DropWindow {
  hosts: Map<number, string>;
  start: number;
}

export interface HostDrop extends KernelDrop {
  host: string;
}

function readKallsyms(): Set<string> | undefined {
  try {
    return parseKallsyms(fs.readFileSync('/proc/kallsyms', 'utf8'));
  } catch {
    return undefined;
  }
}

/** CLOCK_MONOTONIC now, in ns: the clock bpf_ktime_get_ns reads (libuv's hrtime). */
export const monotonicNs = (): number => Number(process.hrtime.bigint());

/** The inode of a named namespace (`ip netns add NAME` → /run/netns/NAME), as `stat -L -c %i` shows it. */
export function netnsInode(name: string): number {
  return fs.statSync(path.join('/run/netns', name)).ino;
}

export class DropTracer {
  private drops: KernelDrop[] = [];
  private parsed = 0;
  private lastTick = 0;
  /** the running kernel's function names (to tell an inlined function), or undefined if unreadable */
  readonly symbols: Set<string> | undefined = readKallsyms();

  private constructor(
    private readonly proc: Proc,
    private readonly reasons: Map<number, string>,
    private readonly unmount: () => void,
  ) {}

  /**
   * Mounts tracefs if it is not (bpftrace finds tracepoints there; unmounted at cleanup), starts
   * bpftrace and waits until its probes are attached. Throws with bpftrace's words if it cannot.
   */
  static async start(): Promise<DropTracer> {
    let mounted = false;
    if (!fs.existsSync(FORMAT)) {
      run(['mount', '-t', 'tracefs', 'nodev', TRACEFS]);
      mounted = true;
    }
    const unmount = (): void => {
      if (!mounted) return;
      mounted = false;
      try {
        run(['umount', TRACEFS]);
      } catch {
        try {
          // still busy (bpftrace just killed at an interruption): detach it now, it goes when free
          run(['umount', '-l', TRACEFS]);
        } catch {
          /* gone */
        }
      }
    };
    const own = fs.statSync('/proc/self/ns/net').ino;
    const reasons = parseReasonNames(fs.readFileSync(FORMAT, 'utf8'));
    const proc = new Proc(['bpftrace', '-B', 'line', '-e', BPF_PROGRAM, String(own)], { ...process.env, BPFTRACE_MAP_KEYS_MAX: '65536' });
    const t = new DropTracer(proc, reasons, unmount);
    registerCleanup(unmount);
    if (!(await proc.until((o) => /^READY$/m.test(o), 120000))) {
      await proc.stop('SIGKILL', 500);
      unmount();
      throw new Error(`bpftrace did not attach to skb:kfree_skb: ${proc.err.replace(/^ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK.*\n?/m, '').trim() || 'no output'}`);
    }
    return t;
  }

  private take(): void {
    const out = this.proc.out;
    let nl: number;
    while ((nl = out.indexOf('\n', this.parsed)) >= 0) {
      const line = out.slice(this.parsed, nl);
      this.parsed = nl + 1;
      if (line.startsWith('T ')) this.lastTick = Math.max(this.lastTick, Number(line.slice(2)));
      else if (line.startsWith('D ') || line.startsWith('D6 ')) {
        const d = parseDropLine(line, this.reasons);
        if (d) this.drops.push(d);
      }
    }
  }

  /** Opens a window on these namespaces (name → host) from now on. */
  open(namespaces: Map<string, string>): DropWindow {
    const hosts = new Map<number, string>();
    for (const [name, host] of namespaces) hosts.set(netnsInode(name), host);
    return { hosts, start: monotonicNs() };
  }

  /**
   * The drops in the window's namespaces from its start until now (waits until bpftrace's output
   * has got past now). With `expect` (host → how many drops the model made there), a host that has
   * fewer so far is given up to `graceMs` more: the kernel's timers (a neighbour's last probe, a
   * reassembly queue's expiry) run late on a loaded machine, and the run's fixed wait can end just
   * before them. A host whose kernel never drops as often is only compared later.
   */
  async collect(w: DropWindow, expect?: ReadonlyMap<string, number>, graceMs = 4000): Promise<HostDrop[]> {
    let out = await this.collectUntil(w, monotonicNs());
    const short = (l: HostDrop[]): boolean => [...(expect ?? [])].some(([host, n]) => countFor(l, host) < n);
    const giveUp = Date.now() + graceMs;
    while (expect && short(out) && Date.now() < giveUp) {
      await sleep(100);
      out = await this.collectUntil(w, monotonicNs());
    }
    return out;
  }

  private async collectUntil(w: DropWindow, end: number): Promise<HostDrop[]> {
    const deadline = Date.now() + 60000;
    for (;;) {
      this.take();
      if (this.lastTick >= end + 150e6) break;
      if (!this.proc.running) throw new Error(`bpftrace stopped: ${this.proc.err.trim()}`);
      const lost = /Lost \d+ events/.exec(this.proc.out + this.proc.err);
      if (lost) throw new Error(`bpftrace: ${lost[0]} (its perf buffer overflowed): the drops cannot be compared`);
      if (Date.now() > deadline) throw new Error('bpftrace output did not catch up within 60 s');
      await sleep(50);
    }
    const out: HostDrop[] = [];
    for (const d of this.drops) {
      const host = w.hosts.get(d.netns);
      if (host !== undefined && d.t >= w.start && d.t <= end) out.push({ ...d, host });
    }
    // bpftrace reads one perf buffer per CPU: its lines are in time order per CPU only
    return out.sort((a, b) => a.t - b.t);
  }

  /** Stops bpftrace (SIGINT: it detaches and exits) and unmounts tracefs if it mounted it. */
  async stop(): Promise<void> {
    await this.proc.stop('SIGINT', 5000);
    this.unmount();
  }
}

/** How many of these drops happened on this host and are compared (not IGNORED_DROP_REASONS). */
export function countFor(drops: readonly { host: string; reason: string }[], host: string): number {
  let n = 0;
  for (const d of drops) if (d.host === host && !(d.reason in IGNORED_DROP_REASONS)) n++;
  return n;
}
