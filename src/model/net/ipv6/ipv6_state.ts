// The IPv6 half of a namespace (struct netns_ipv6 and the inet6_dev of each device, v6.12):
// addresses, the fib6 tables, multicast memberships, path MTUs learnt, ICMPv6 rate limits,
// reassembly queues.
import type { InetPeer } from '../ipv4/inetpeer';
import type { Fqdir } from '../ipv4/ip_fragment_types';
import type { Inet6DevMc } from './mcast';
import type { Inet6DevRs } from './addrconf_rs';

/**
 * sizeof(struct frag_queue) on x86_64: struct inet_frag_queue (176 bytes, struct ipq's 200 less
 * its own IPv4 fields) plus iif, nhoffset and ecn, padded: 184 (v6.12 layout).
 */
export const FRAG_QUEUE_SIZE = 184;

/** struct inet6_ifaddr: one address of a device. */
export interface Inet6Ifaddr {
  addr: Uint8Array;
  plen: number;
  scope: 'global' | 'link' | 'host';
  /** IFA_F_NODAD, IFA_F_PERMANENT, IFA_F_TENTATIVE… as `ip -6 addr` lists them */
  flags: string[];
  /**
   * Duplicate address detection (addrconf_dad_*, v6.12), while the address is IFA_F_TENTATIVE:
   * `waiting` until the device's link is ready (addrconf_dad_begin stopped it: IF_READY unset),
   * `probing` once addrconf_dad_kick drew its delay; `probes` left to send (ifp->dad_probes),
   * `nonce` its ND_OPT_NONCE (enhanced_dad), 0 for none.
   */
  dad?: { state: 'waiting' | 'probing'; probes: number; nonce: number };
}

/** IFA_F_TENTATIVE: the address is still going through DAD (not a source, not delivered to). */
export function isTentative(a: Inet6Ifaddr): boolean {
  return a.flags.includes('tentative');
}

export type Rt6Type = 'RTN_UNICAST' | 'RTN_LOCAL' | 'RTN_MULTICAST' | 'RTN_BLACKHOLE' | 'RTN_UNREACHABLE' | 'RTN_PROHIBIT';

/** struct fib6_info: one route of a fib6 table. */
export interface Fib6Info {
  dst: Uint8Array;
  plen: number;
  type: Rt6Type;
  /** fib6_nh: the device (none for an error route) and the gateway (fib_nh_gw6) */
  ifindex: number;
  gw: Uint8Array | null;
  metric: number;
  /** RTAX_MTU, 0 for the device's */
  mtu: number;
  table: 'local' | 'main';
  /** RTPROT_KERNEL for routes addrconf adds */
  proto: 'kernel' | 'boot' | 'static';
  /** fib6_nh->last_probe, in jiffies: when rt6_probe last probed the gateway (at first, when the route was made) */
  lastProbe?: number;
}

export interface Ipv6State {
  /** IPv6 is on in this namespace (the scenario uses it); off, every device is as with disable_ipv6 */
  enabled: boolean;
  /** inet6_dev->addr_list by ifindex */
  readonly addrs: Map<number, Inet6Ifaddr[]>;
  readonly routes: Fib6Info[];
  /** inet6_dev's multicast state by ifindex: mc_list, mc_tomb and the MLD report works (mcast.ts) */
  readonly mc: Map<number, Inet6DevMc>;
  /** inet6_dev's router solicitation state by ifindex (addrconf_rs.ts) */
  readonly rs: Map<number, Inet6DevRs>;
  /** inet6_dev->ac_list by ifindex: the anycast addresses joined (a forwarding device's subnet-router ones), by their text, with their users */
  readonly anycast: Map<number, Map<string, number>>;
  /** route exceptions from Packet Too Big: destination text → path MTU */
  readonly pmtu: Map<string, number>;
  /** inet_peer rate-limit state per destination for icmpv6_xrlim_allow */
  readonly peers: Map<string, InetPeer>;
  /** net->ipv6.fqdir: the reassembly queues of ipv6_frag_rcv (net/ipv6/reassembly.c) */
  readonly frags: Fqdir;
  /** nf_frag_pernet(net)->fqdir: nf_defrag_ipv6's own queues (net/ipv6/netfilter/nf_conntrack_reasm.c) and sysctls */
  readonly nfFrags: Fqdir;
  /** ifindex of the devices whose inet6_dev addrconf_ifdown removed (an MTU below IPV6_MIN_MTU) */
  readonly gone: Set<number>;
}

export function newIpv6State(): Ipv6State {
  return {
    enabled: false,
    addrs: new Map(),
    routes: [],
    mc: new Map(),
    rs: new Map(),
    anycast: new Map(),
    pmtu: new Map(),
    peers: new Map(),
    frags: { queues: new Map(), mem: 0, highThresh: 'net.ipv6.ip6frag_high_thresh', timeout: 'net.ipv6.ip6frag_time', qsize: FRAG_QUEUE_SIZE },
    nfFrags: { queues: new Map(), mem: 0, highThresh: 'net.netfilter.nf_conntrack_frag6_high_thresh', timeout: 'net.netfilter.nf_conntrack_frag6_timeout', qsize: FRAG_QUEUE_SIZE },
    gone: new Set(),
  };
}
