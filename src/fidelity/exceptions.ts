// Named, versioned exceptions: where the running kernel (newer than the v6.12 reference) behaves
// differently from v6.12, confirmed in the kernel's history, and the model follows v6.12. Each
// one says which kernels it covers, what differences it explains and why. Keep them few.
import * as fs from 'fs';
import * as zlib from 'zlib';
import type { Scenario } from '../scenario/types';
import type { Trace } from '../trace/contract';
import { ALT_WINDOW_NOTE } from '../model/net/ipv4/tcp_ipv4';
import type { Difference } from './compare';

export interface FidelityException {
  name: string;
  /** the kernel releases it applies to (the running kernel's `uname -r`) */
  applies(release: string): boolean;
  /** does this difference come from it? (`trace`: the model's, for an exception the model computes the other kernel's value for) */
  matches(sc: Scenario, d: Difference, trace?: Trace): boolean;
  reason: string;
}

export interface AppliedException {
  name: string;
  reason: string;
  count: number;
}

/** "6.18.44-fc-v657" → [6, 18] */
export function kernelVersion(release: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export const atLeast = (release: string, major: number, minor: number): boolean => {
  const [a, b] = kernelVersion(release);
  return a > major || (a === major && b >= minor);
};

/**
 * Defaults that changed after v6.12, pinned back to v6.12's value in every namespace before the
 * scenario's own setup lines run (a line of the scenario that sets one still wins). This makes the
 * running kernel behave as v6.12 where that is a plain sysctl default.
 */
export const PINNED_SYSCTLS: { key: string; value: string; since: string; reason: string }[] = [
  {
    key: 'net.ipv4.tcp_rmem',
    value: '4096 131072 6291456',
    since: '6.16',
    reason:
      'commit 572be9bf9d0d "tcp: increase tcp_rmem[2] to 32 MB" (v6.16) raised the default from 6 MB (v6.12: tcp_init, max_rshare = min(6 MB, …)); the receive window scale of a SYN follows it (7 with 6 MB, 10 with 32 MB), and so do the windows of every segment',
  },
];

const isDrop = (d: Difference, model: string, kernel: string | RegExp): boolean => d.field === 'drop' && d.model === model && (typeof kernel === 'string' ? d.kernel === kernel : kernel.test(d.kernel));

/**
 * The window field a kernel that raises rcv_ssthresh in tcp_measure_rcv_mss sends in the model
 * packet a frame difference names, as the model computed it alongside its own (RcvSpace.alt).
 */
function altWindow(d: Difference, trace?: Trace): number | undefined {
  const id = /\(model packet (\d+)/.exec(d.what)?.[1];
  if (!trace || id === undefined) return undefined;
  for (const e of trace.events) {
    if (e.packet !== Number(id) || e.fn !== 'tcp_transmit_skb') continue;
    const m = ALT_WINDOW_NOTE.exec(e.what);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The model dropped the packet a drop difference names because its IP options did not compile (ip_options.ts). */
function optionsRefused(d: Difference, trace?: Trace): boolean {
  const id = /^packet #(\d+) /.exec(d.what)?.[1];
  if (!trace || id === undefined) return false;
  return trace.events.some((e) => e.packet === Number(id) && e.fn === 'ip_options_compile' && /malformed/.test(e.what));
}

/** The model's drop of the packet a drop difference names says `why`. */
function modelDropSays(d: Difference, trace: Trace | undefined, why: RegExp): boolean {
  const id = /^packet #(\d+) /.exec(d.what)?.[1];
  if (!trace || id === undefined) return false;
  return trace.events.some((e) => e.packet === Number(id) && !!e.drop && why.test(e.what));
}

export const EXCEPTIONS: FidelityException[] = [
  {
    name: 'tcp-measure-rcv-mss-rcv-ssthresh (Linux 6.14+ without 0e125ecfe20c)',
    applies: (r) => atLeast(r, 6, 14),
    matches: (_sc, d, trace) => d.field === 'tcp.window' && /^[0-9a-f]{4}$/.test(d.kernel) && altWindow(d, trace) === parseInt(d.kernel, 16),
    reason:
      'mainline commit f5da7c45188e "tcp: adjust rcvq_space after updating scaling ratio" (Jakub Kicinski, v6.14) made tcp_measure_rcv_mss set the re-measured window_clamp through tcp_set_window_clamp, which raises rcv_ssthresh to min(rcv_wnd, window_clamp) when the clamp grows: after a receipt of MSS-sized segments (a GSO packet of 3000 bytes with timestamps, MSS 1448) the first ACK offers 556 × 128 instead of 548 × 128 (rcv_ssthresh 65160 + 6000 instead of 64076 + 6000). Commit 0e125ecfe20c "tcp: do not change rcv_ssthresh in tcp_measure_rcv_mss()" (September 2026, backported to 6.12.104, so in the 6.12.117 tree the model follows) writes window_clamp directly again; the running 6.18.44 does not have it. The model computes the other kernel\'s window alongside its own (tcp_window.ts, RcvSpace.alt) and says it in the ACK\'s step; only a kernel value equal to that one is explained.',
  },
  {
    name: 'udp-recvmsg-csum-drop-reason (Linux 6.15+)',
    applies: (r) => atLeast(r, 6, 15),
    matches: (_sc, d) => isDrop(d, 'udp_recvmsg NOT_SPECIFIED', 'udp_recvmsg UDP_CSUM') || isDrop(d, 'udpv6_recvmsg NOT_SPECIFIED', 'udpv6_recvmsg UDP_CSUM'),
    reason:
      'commit b3aaf3c13baa "udp: expand SKB_DROP_REASON_UDP_CSUM use" (Eric Dumazet, net-next, March 2025, in v6.15) frees a datagram whose checksum fails at recvmsg time with SKB_DROP_REASON_UDP_CSUM, in udp_recvmsg and udpv6_recvmsg alike; v6.12 (net/ipv4/udp.c udp_recvmsg and net/ipv6/udp.c udpv6_recvmsg, csum_copy_err) frees it with a plain kfree_skb (NOT_SPECIFIED), which is what the model records.',
  },
  {
    name: 'ping-rcv-frees-echo-reply (Linux 6.15+)',
    applies: (r) => atLeast(r, 6, 15),
    matches: (_sc, d) => isDrop(d, 'icmp_rcv NO_SOCKET', 'ping_rcv NO_SOCKET') || isDrop(d, 'icmpv6_rcv NO_SOCKET', 'ping_rcv NO_SOCKET'),
    reason:
      'commit a7e38208fe71 "inet: ping: avoid skb_clone() dance in ping_rcv()" (Eric Dumazet, net-next, February 2025, in v6.15) makes ping_rcv free an echo reply no ping socket wants itself (kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET)); in v6.12 ping_rcv returns SKB_DROP_REASON_NO_SOCKET and icmp_rcv frees the skb with it, which is what the model records. ping_rcv (net/ipv4/ping.c) is shared with IPv6: icmpv6_rcv calls it for an ICMPv6 echo reply and, in v6.12, frees the skb with the reason it returns.',
  },
  {
    name: 'ip-route-input-drop-reasons (Linux 6.13+)',
    applies: (r) => atLeast(r, 6, 13),
    matches: (_sc, d) => isDrop(d, 'ip_rcv_finish_core NOT_SPECIFIED', /^ip_(?:rcv_finish_core|rcv_finish|list_rcv_finish|sublist_rcv) IP_(?:LOCALNET|INVALID_SOURCE|INVALID_DEST|LOCAL_SOURCE)$/),
    reason:
      'commit 5b92112acd8e "net: ip: make ip_route_input_slow() return drop reasons" (Menglong Dong, net-next, November 2024, in v6.13; merge 12f077a728fa "net-ip-add-drop-reasons-to-input-route", with 82d9983ebeb8 "make ip_route_input_noref() return drop reasons" and "make fib_validate_source() support drop reasons") makes ip_route_input_slow return why it refused a packet, and ip_rcv_finish_core frees it with that reason: IP_LOCALNET (a loopback source or destination on a device without route_localnet), IP_INVALID_SOURCE (a multicast, limited broadcast or 0.0.0.0/8 source), IP_INVALID_DEST, IP_LOCAL_SOURCE (fib_validate_source: the source is our own). None of the four exists in v6.12 (include/net/dropreason-core.h); there ip_route_input_noref returns only an errno and ip_rcv_finish_core frees with NOT_SPECIFIED unless it is -EXDEV (IP_RPFILTER) — net/ipv4/ip_input.c, drop_error — which is what the model records.',
  },
  {
    name: 'ip-expire-route-drop-reason (Linux 6.13+)',
    applies: (r) => atLeast(r, 6, 13),
    matches: (_sc, d) => isDrop(d, 'ip_expire FRAG_REASM_TIMEOUT', /^ip_expire IP_(?:LOCALNET|INVALID_SOURCE|INVALID_DEST|LOCAL_SOURCE|RPFILTER)$/),
    reason:
      'the same series (commit 82d9983ebeb8 "net: ip: make ip_route_input_noref() return drop reasons", Menglong Dong, in v6.13) makes ip_expire keep the reason the input route gives when it routes the first fragment of a timed-out queue again, and free that fragment with it (IP_INVALID_SOURCE for a broadcast or 0.0.0.0/8 source, IP_RPFILTER, …) instead of FRAG_REASM_TIMEOUT. In v6.12 ip_expire (net/ipv4/ip_fragment.c) only reads an errno from ip_route_input_noref, skips the ICMP error and frees the fragment with SKB_DROP_REASON_FRAG_REASM_TIMEOUT, which is what the model records.',
  },
  {
    name: 'tcp-check-req-overwindow (Linux 6.15+)',
    applies: (r) => atLeast(r, 6, 15),
    matches: (_sc, d, trace) =>
      (isDrop(d, 'tcp_v4_rcv NOT_SPECIFIED', 'tcp_v4_rcv TCP_OVERWINDOW') || isDrop(d, 'tcp_v6_rcv NOT_SPECIFIED', 'tcp_v6_rcv TCP_OVERWINDOW')) && modelDropSays(d, trace, /^tcp_check_req returned no socket: .*(outside the window|out-of-window)/),
    reason:
      'commit e34100c2ecbb "tcp: add a drop_reason pointer to tcp_check_req()" and a11a791ca81e "tcp: add four drop reasons to tcp_check_req()" (Eric Dumazet, net-next, March 2025, in v6.15) let tcp_check_req tell tcp_v4_rcv / tcp_v6_rcv why it returned no socket: a segment outside the request sock\'s window (tcp_in_window fails, e.g. a RST at the SYN\'s own sequence) is freed with SKB_DROP_REASON_TCP_OVERWINDOW. In v6.12 (net/ipv4/tcp_minisocks.c, net/ipv4/tcp_ipv4.c) tcp_check_req has no drop reason and tcp_v4_rcv frees the segment with NOT_SPECIFIED (discard_and_relse), which is what the model records. Only a drop the model made because tcp_check_req found the segment out of window is explained.',
  },
  {
    name: 'ip-rcv-options-drop-reason (Linux 6.18+)',
    applies: (r) => atLeast(r, 6, 18),
    matches: (_sc, d, trace) => isDrop(d, 'ip_rcv_finish_core NOT_SPECIFIED', /^ip_(?:rcv_finish_core|rcv_finish|list_rcv_finish|sublist_rcv) IP_INHDR$/) && optionsRefused(d, trace),
    reason:
      'commit 9e1e2f4ebf99 "net: ipv4: convert ip_rcv_options to drop reasons" (Antoine Tenart, net-next, September 2025, in v6.18) makes ip_rcv_options return why it refused a packet, and ip_rcv_finish_core frees a packet whose IP options ip_options_compile rejects with SKB_DROP_REASON_IP_INHDR. In v6.12 (net/ipv4/ip_input.c) ip_rcv_options returns only true, and ip_rcv_finish_core frees the packet with NOT_SPECIFIED, which is what the model records; IpInHdrErrors is counted by both. Only a drop the model made because ip_options_compile failed is explained.',
  },
  {
    name: 'udp-rcvbuf-queue-empty (Linux 6.18+)',
    applies: (r) => atLeast(r, 6, 18),
    matches: (sc, d) =>
      sc.listen.some((l) => l.proto === 'udp' && l.rcvbuf !== undefined) &&
      ((d.what === 'counter' && ['UdpInDatagrams', 'UdpInErrors', 'UdpRcvbufErrors'].includes(d.field)) || (/^udp socket /.test(d.what) && d.kernel === '(none)') || isDrop(d, '(no drop)', / SOCKET_RCVBUFF$/)),
    reason:
      'commit 9aaec660b5be "udp: refine __udp_enqueue_schedule_skb() test" (net-next, September 2025, in v6.18) drops a datagram whose truesize does not fit in SO_RCVBUF unless the queue is empty; v6.12 (including 6.12.y with 5a465a0da13e) drops only when the queue already holds more than SO_RCVBUF, so it takes one more datagram (one SOCKET_RCVBUFF drop fewer). The model follows v6.12.',
  },
];

export function applyExceptions(sc: Scenario, diffs: Difference[], release: string, list: FidelityException[] = EXCEPTIONS, trace?: Trace): { kept: Difference[]; applied: AppliedException[] } {
  const kept: Difference[] = [];
  const counts = new Map<FidelityException, number>();
  for (const d of diffs) {
    const x = list.find((e) => e.applies(release) && e.matches(sc, d, trace));
    if (x) counts.set(x, (counts.get(x) ?? 0) + 1);
    else kept.push(d);
  }
  return { kept, applied: [...counts].map(([x, count]) => ({ name: x.name, reason: x.reason, count })) };
}

/**
 * Kernel features a scenario may need that the running kernel was built without. A scenario
 * whose setup fails on such a line cannot be replayed here at all: it is reported as not
 * replayable (named, with the config option), and left out of the agree/differ count.
 */
export const KERNEL_FEATURES: { config: string; what: string; matches: (argv: string[]) => boolean }[] = [
  { config: 'CONFIG_NFT_QUEUE', what: 'the nft `queue` statement (nft_queue)', matches: (a) => a[0] === 'nft' && a.includes('queue') },
  { config: 'CONFIG_NETFILTER_XT_TARGET_NFQUEUE', what: 'the iptables NFQUEUE target', matches: (a) => a[0].startsWith('iptables') && a.includes('NFQUEUE') },
];

let configCache: string | null | undefined;
/** The running kernel's build config (/proc/config.gz), or null when it is not available. */
export function kernelConfig(): string | null {
  if (configCache === undefined) {
    try {
      configCache = zlib.gunzipSync(fs.readFileSync('/proc/config.gz')).toString('utf8');
    } catch {
      configCache = null;
    }
  }
  return configCache;
}

/** Why a setup line that failed cannot work on this kernel, if the kernel's config says so. */
export function missingFeature(argv: string[], config: string | null = kernelConfig()): string | undefined {
  if (!config) return undefined;
  for (const f of KERNEL_FEATURES) {
    if (f.matches(argv) && new RegExp(`^# ${f.config} is not set$`, 'm').test(config)) return `the running kernel is built without ${f.config} (${f.what})`;
  }
  return undefined;
}
