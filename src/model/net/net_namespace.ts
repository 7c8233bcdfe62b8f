// struct net: one host of the scenario, a network namespace with its own devices, routes,
// neighbours, sysctls, counters and sockets (include/net/net_namespace.h).
import type { SnmpName } from './snmp';
import { SNMP_NAMES, snmpId, type SnmpId } from './snmp_ids';
import type { SkbDropReason } from './core/dropreason';
import { NetDevice, type DevKind } from './core/netdevice';
import { SysctlTable, type SysctlCell } from './sysctl_table';
import { HZ, procConvert, procGetLong, procWrite, type ProcHandler } from '../proc/sysctl';
import { qdiscFor } from './sched/sch_generic';
import { Fib, type FibRoute } from './ipv4/fib';
import type { Neighbour } from './core/neighbour_types';
import type { SkBuff } from './core/skbuff';
import { releaseOnFate, skb_release_data } from './core/skb_release';
import type { World } from '../world';
import type { Layer, Fate } from '../../trace/contract';
import type { Sentence, StepExtra, What } from '../sim/recorder';
import type { Task } from '../sim/scheduler';
import type { SockTables } from './ipv4/sock_types';
import type { FragQueue } from './ipv4/ip_fragment_types';
import type { NetfilterEngine } from './netfilter/core';
import { newIpv6State, type Ipv6State } from './ipv6/ipv6_state';
import type { InetPeer } from './ipv4/inetpeer';

export class SysctlError extends Error {}

function describeHandler(h: ProcHandler): string {
  switch (h) {
    case 'int':
      return 'an int, -2147483648..2147483647, in decimal, 0x hex or 0 octal';
    case 'uint':
      return 'a number without a sign, in decimal, 0x hex or 0 octal';
    case 'ulong':
      return 'an unsigned long, in decimal, 0x hex or 0 octal';
    case 'jiffies':
      return `seconds, at most ${Math.floor(INT_MAX / HZ)} (INT_MAX / HZ)`;
    case 'ms_jiffies':
      return 'milliseconds, not negative, below 2^31';
  }
}

/** A write the kernel refuses with EINVAL: the value is outside the entry's range. */
export class SysctlRangeError extends SysctlError {}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
/** include/net/tcp.h MAX_TCP_SYNCNT (v6.12) */
const MAX_TCP_SYNCNT = 127;
/** include/net/sock.h SOCK_MIN_RCVBUF = TCP_SKB_MIN_TRUESIZE = 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)): 2048 + 256 on x86_64 (v6.12) */
const SOCK_MIN_RCVBUF = 2304;

/**
 * The range a write must fall in, as the sysctl's ctl_table entry has it in v6.12: its proc
 * handler's type (proc_dointvec: an int; proc_dou8vec_minmax: 0..255; proc_doulongvec_minmax:
 * an unsigned long) narrowed by extra1/extra2. A bound may depend on another sysctl of the same
 * namespace (ipfrag_low_thresh is at most ipfrag_high_thresh). Outside it the kernel answers
 * EINVAL and keeps the old value.
 */
export interface SysctlRange {
  min: number | ((net: Net) => number);
  max: number | ((net: Net) => number);
  /** where the ctl_table entry is, in the v6.12 tree */
  file: string;
  /** how its proc handler reads the written text (src/model/kernel/sysctl.ts) */
  handler: ProcHandler;
}

const int = (file: string, min = INT_MIN, max = INT_MAX, handler: ProcHandler = 'int'): SysctlRange => ({ min, max, file, handler });
const u8 = (file: string, min = 0, max = 255): SysctlRange => ({ min, max, file, handler: 'uint' });
const IPV4 = 'net/ipv4/sysctl_net_ipv4.c';
const CORE = 'net/core/sysctl_net_core.c';
const NEIGH = 'net/core/neighbour.c';
const DEVINET = 'net/ipv4/devinet.c';
const FRAG = 'net/ipv4/ip_fragment.c';
const FRAG6 = 'net/ipv6/reassembly.c';
const NF_FRAG6 = 'net/ipv6/netfilter/nf_conntrack_reasm.c';
const NF_CT = 'net/netfilter/nf_conntrack_standalone.c';

/** Every namespace-wide sysctl the model reads → its range (ctl_table entries of v6.12). */
export const NET_SYSCTL_RANGES: Record<string, SysctlRange> = {
  // devinet_sysctl_forward: proc_dointvec, any int (non-zero turns forwarding on)
  'net.ipv4.ip_forward': int(DEVINET),
  // proc_dou8vec_minmax, extra1 ip_ttl_min 1, extra2 ip_ttl_max 255
  'net.ipv4.ip_default_ttl': u8(IPV4, 1, 255),
  'net.ipv4.ip_no_pmtu_disc': u8(IPV4),
  // proc_dou8vec_minmax without extra1/extra2: any u8
  'net.ipv4.fwmark_reflect': u8(IPV4),
  // proc_dointvec_ms_jiffies
  'net.ipv4.icmp_ratelimit': int(IPV4, INT_MIN, INT_MAX, 'ms_jiffies'),
  // ipv6_icmp_table_template: proc_dointvec_ms_jiffies, read by icmpv6_xrlim_allow
  'net.ipv6.icmp.ratelimit': int('net/ipv6/icmp.c', INT_MIN, INT_MAX, 'ms_jiffies'),
  'net.ipv4.icmp_ratemask': int(IPV4),
  // proc_dointvec_minmax, extra1 SYSCTL_ZERO
  'net.ipv4.icmp_msgs_per_sec': int(IPV4, 0),
  'net.ipv4.icmp_msgs_burst': int(IPV4, 0),
  // proc_dou8vec_minmax, extra1 SYSCTL_ZERO, extra2 SYSCTL_ONE
  'net.ipv4.icmp_echo_ignore_all': u8(IPV4, 0, 1),
  'net.ipv4.icmp_echo_ignore_broadcasts': u8(IPV4, 0, 1),
  'net.ipv4.icmp_ignore_bogus_error_responses': u8(IPV4, 0, 1),
  'net.ipv4.ip_early_demux': u8(IPV4),
  'net.ipv4.udp_early_demux': u8(IPV4),
  'net.ipv4.tcp_early_demux': u8(IPV4),
  // proc_doulongvec_minmax; ip4_frags_ns_ctl_register sets high's extra1 to &low_thresh and low's extra2 to &high_thresh
  'net.ipv4.ipfrag_high_thresh': { min: (n) => n.get('net.ipv4.ipfrag_low_thresh'), max: 2 ** 64 - 1, file: FRAG, handler: 'ulong' },
  'net.ipv4.ipfrag_low_thresh': { min: 0, max: (n) => n.get('net.ipv4.ipfrag_high_thresh'), file: FRAG, handler: 'ulong' },
  // proc_dointvec_jiffies
  'net.ipv4.ipfrag_time': int(FRAG, INT_MIN, INT_MAX, 'jiffies'),
  // proc_dointvec_minmax, extra1 dist_min 0
  'net.ipv4.ipfrag_max_dist': int(FRAG, 0),
  // ip6_frags_ns_sysctl_register: the same handlers as IPv4's, high's extra1 &low_thresh, low's extra2 &high_thresh
  'net.ipv6.ip6frag_high_thresh': { min: (n) => n.get('net.ipv6.ip6frag_low_thresh'), max: 2 ** 64 - 1, file: FRAG6, handler: 'ulong' },
  'net.ipv6.ip6frag_low_thresh': { min: 0, max: (n) => n.get('net.ipv6.ip6frag_high_thresh'), file: FRAG6, handler: 'ulong' },
  'net.ipv6.ip6frag_time': int(FRAG6, INT_MIN, INT_MAX, 'jiffies'),
  // nf_ct_frag6_sysctl_table: the same handlers and cross bounds, on nf_defrag_ipv6's own fqdir
  'net.netfilter.nf_conntrack_frag6_high_thresh': { min: (n) => n.get('net.netfilter.nf_conntrack_frag6_low_thresh'), max: 2 ** 64 - 1, file: NF_FRAG6, handler: 'ulong' },
  'net.netfilter.nf_conntrack_frag6_low_thresh': { min: 0, max: (n) => n.get('net.netfilter.nf_conntrack_frag6_high_thresh'), file: NF_FRAG6, handler: 'ulong' },
  'net.netfilter.nf_conntrack_frag6_timeout': int(NF_FRAG6, INT_MIN, INT_MAX, 'jiffies'),
  // nf_ct_sysctl_table: the conntrack timeouts, per netns (proc_dointvec_jiffies), read by
  // nf_conntrack_timeout.ts. Not here: generic_timeout's protocols, which the model does not track
  'net.netfilter.nf_conntrack_icmp_timeout': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_icmpv6_timeout': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_udp_timeout': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_udp_timeout_stream': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_syn_sent': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_syn_recv': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_established': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_fin_wait': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_close_wait': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_last_ack': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_time_wait': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_close': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  'net.netfilter.nf_conntrack_tcp_timeout_max_retrans': int(NF_CT, INT_MIN, INT_MAX, 'jiffies'),
  // the TCP tracker's switches (nf_tcp_net): proc_dou8vec_minmax, 0..1 (SYSCTL_ZERO, SYSCTL_ONE),
  // max_retrans without bounds (any u8)
  'net.netfilter.nf_conntrack_tcp_loose': u8(NF_CT, 0, 1),
  'net.netfilter.nf_conntrack_tcp_be_liberal': u8(NF_CT, 0, 1),
  'net.netfilter.nf_conntrack_tcp_ignore_invalid_rst': u8(NF_CT, 0, 1),
  'net.netfilter.nf_conntrack_tcp_max_retrans': u8(NF_CT),
  // proc_dou8vec_minmax, extra1 tcp_syn_retries_min 1, extra2 tcp_syn_retries_max MAX_TCP_SYNCNT
  'net.ipv4.tcp_syn_retries': u8(IPV4, 1, MAX_TCP_SYNCNT),
  // proc_dou8vec_minmax, extra1 SYSCTL_ZERO, extra2 tcp_syn_linear_timeouts_max MAX_TCP_SYNCNT
  'net.ipv4.tcp_syn_linear_timeouts': u8(IPV4, 0, MAX_TCP_SYNCNT),
  'net.ipv4.tcp_synack_retries': u8(IPV4),
  // proc_dou8vec_minmax: tcp_retries1 with extra2 tcp_retr1_max 255, tcp_retries2 unbounded
  'net.ipv4.tcp_retries1': u8(IPV4),
  'net.ipv4.tcp_retries2': u8(IPV4),
  'net.ipv4.tcp_timestamps': u8(IPV4),
  'net.ipv4.tcp_sack': u8(IPV4),
  'net.ipv4.tcp_window_scaling': u8(IPV4),
  'net.ipv4.tcp_syncookies': u8(IPV4),
  // ipv6_table_template: proc_dou8vec_minmax without extra1/extra2, any u8; read by inet6_create (IPV6_V6ONLY's default)
  'net.ipv6.bindv6only': u8('net/ipv6/sysctl_net_ipv6.c'),
  // the three values of tcp_rmem (writeSysctl): proc_dointvec_minmax on int[3], extra1 tcp_min_rcvbuf 4096
  'net.ipv4.tcp_rmem_min': int(IPV4, 4096),
  'net.ipv4.tcp_rmem_default': int(IPV4, 4096),
  'net.ipv4.tcp_rmem_max': int(IPV4, 4096),
  // proc_dointvec
  'net.core.netdev_budget': int(CORE),
  'net.core.netdev_max_backlog': int(CORE),
  // proc_do_dev_weight → proc_dointvec_minmax, extra1 SYSCTL_ONE
  'net.core.dev_weight': int(CORE, 1),
  // proc_dointvec_minmax, extra1 min_rcvbuf SOCK_MIN_RCVBUF
  'net.core.rmem_default': int(CORE, SOCK_MIN_RCVBUF),
  'net.core.rmem_max': int(CORE, SOCK_MIN_RCVBUF),
  // NEIGH_SYSCTL_ZERO_INTMAX_ENTRY: neigh_proc_dointvec_zero_intmax, 0..INT_MAX
  'net.ipv4.neigh.default.mcast_solicit': int(NEIGH, 0),
  'net.ipv4.neigh.default.ucast_solicit': int(NEIGH, 0),
  'net.ipv4.neigh.default.app_solicit': int(NEIGH, 0),
  'net.ipv4.neigh.default.unres_qlen_bytes': int(NEIGH, 0),
  // NEIGH_SYSCTL_MS_JIFFIES_REUSED_ENTRY: proc_dointvec_ms_jiffies; base_reachable_time_ms: neigh_proc_base_reachable_time, the same
  'net.ipv4.neigh.default.retrans_time_ms': int(NEIGH, INT_MIN, INT_MAX, 'ms_jiffies'),
  'net.ipv4.neigh.default.base_reachable_time_ms': int(NEIGH, INT_MIN, INT_MAX, 'ms_jiffies'),
};

/** Per-device settings: DEVINET_SYSCTL_RW_ENTRY → devinet_conf_proc → proc_dointvec, any int (forwarding: devinet_sysctl_forward, the same). */
export const DEVCONF_RANGE: SysctlRange = int(DEVINET);

const ADDRCONF = 'net/ipv6/addrconf.c';
/** The largest rs_interval in jiffies whose backoff (× 1.1, then × 2.1) stays within an s32 (addrconf_rs.ts). */
export const RS_INTERVAL_MAX_JIFFIES = Math.floor(2147483647 / 2.31);

/**
 * Per-device IPv6 settings the model reads (struct ipv6_devconf, addrconf.c's ctl_table, v6.12):
 * forwarding (addrconf_sysctl_forward → proc_dointvec) and disable_ipv6 (addrconf_sysctl_disable
 * → proc_dointvec) take any int; hop_limit is proc_dointvec_minmax, 1..255.
 */
export const IPV6_DEVCONF_RANGES: Record<string, SysctlRange> = {
  forwarding: int(ADDRCONF),
  disable_ipv6: int(ADDRCONF),
  hop_limit: int(ADDRCONF, 1, 255),
  // duplicate address detection (addrconf_dad_*): proc_dointvec each; router_solicitation_delay
  // is proc_dointvec_jiffies (seconds), read by addrconf_dad_kick as the bound of its random delay
  accept_dad: int(ADDRCONF),
  dad_transmits: int(ADDRCONF),
  enhanced_dad: int(ADDRCONF),
  optimistic_dad: int(ADDRCONF),
  router_solicitation_delay: int(ADDRCONF, INT_MIN, INT_MAX, 'jiffies'),
  // router solicitations (addrconf_rs.ts): router_solicitations is proc_dointvec_minmax with
  // extra1 -1 (-1 means without end); the two intervals proc_dointvec_jiffies (seconds);
  // accept_ra proc_dointvec (ipv6_accept_ra: the model's only reader, it takes no advertisement in)
  router_solicitations: int(ADDRCONF, -1),
  router_solicitation_interval: int(ADDRCONF, INT_MIN, INT_MAX, 'jiffies'),
  router_solicitation_max_interval: int(ADDRCONF, INT_MIN, INT_MAX, 'jiffies'),
  accept_ra: int(ADDRCONF),
  // proc_dointvec_ms_jiffies: the bound of the random delay of the MLD reports' retransmissions (mcast.ts)
  mldv2_unsolicited_report_interval: int(ADDRCONF, INT_MIN, INT_MAX, 'ms_jiffies'),
  mldv1_unsolicited_report_interval: int(ADDRCONF, INT_MIN, INT_MAX, 'ms_jiffies'),
  // proc_dointvec: 1 puts the device in MLDv1 mode (mld_in_v1_mode; all's value first when not 0)
  force_mld_version: int(ADDRCONF),
  // router_probe_interval (devconf rtr_probe_interval, CONFIG_IPV6_ROUTER_PREF): proc_dointvec_jiffies
  // (seconds), how often rt6_probe may probe a gateway (rt6_probe.ts)
  router_probe_interval: int(ADDRCONF, INT_MIN, INT_MAX, 'jiffies'),
};

/**
 * A fresh namespace's ipv6_devconf_dflt values (v6.12). `all` differs in one: ipv6_devconf has
 * accept_dad 0 (IPV6_DEVCONF_ALL), so DAD runs as long as the device's own is 1.
 */
export const IPV6_DEVCONF_DEFAULTS: Record<string, number> = { forwarding: 0, disable_ipv6: 0, hop_limit: 64, accept_dad: 1, dad_transmits: 1, enhanced_dad: 1, optimistic_dad: 0, router_solicitation_delay: 1, mldv2_unsolicited_report_interval: 1000, mldv1_unsolicited_report_interval: 10000, force_mld_version: 0, router_solicitations: -1, router_solicitation_interval: 4, router_solicitation_max_interval: 3600, accept_ra: 1, router_probe_interval: 60 };
const IPV6_DEVCONF_ALL: Record<string, number> = { ...IPV6_DEVCONF_DEFAULTS, accept_dad: 0 };

/** The range of a key the model has, or undefined. */
export function sysctlRange(key: string): SysctlRange | undefined {
  const v6 = /^net\.ipv6\.conf\.[^.]+\.(\w+)$/.exec(key);
  if (v6) return IPV6_DEVCONF_RANGES[v6[1]];
  if (key.startsWith('net.ipv4.conf.')) return DEVCONF_RANGE;
  const neigh = /^net\.ipv4\.neigh\.[^.]+\.(\w+)$/.exec(key);
  if (neigh) return NET_SYSCTL_RANGES[`net.ipv4.neigh.default.${neigh[1]}`];
  return NET_SYSCTL_RANGES[key];
}

/**
 * Sysctls the kernel registers only in the initial namespace (v6.12): net_core_table's
 * dev_weight, netdev_budget and netdev_max_backlog (net/core/sysctl_net_core.c registers it for
 * init_net alone; rmem_default/rmem_max are in netns_core_table, per namespace) and the ARP
 * table's default parameters (arp_init → neigh_sysctl_register(NULL, …), net/ipv4/arp.c). Every
 * host of a scenario is a fresh namespace, whose /proc/sys has no such file: the model keeps
 * init_net's values and refuses a write as sysctl does there. Per-device neighbour parameters
 * (net.ipv4.neigh.IF.*) exist in every namespace.
 */
/** The parts of tcp_rmem, which the model keeps as three keys of its own: no file has these names. */
const TCP_RMEM = ['net.ipv4.tcp_rmem_min', 'net.ipv4.tcp_rmem_default', 'net.ipv4.tcp_rmem_max'];

/**
 * net.core's buffer sizes from wmem_max on: a new namespace has them read-only
 * (sysctl_core_net_init clears the write bits, net/core/sysctl_net_core.c, v6.12), since their
 * data is the machine's own. A write is refused; checked on 6.18: `setting key …: Invalid argument`.
 */
const READ_ONLY_IN_NETNS = ['net.core.wmem_max', 'net.core.rmem_max', 'net.core.wmem_default', 'net.core.rmem_default'];

export function initNetOnly(key: string): boolean {
  return key === 'net.core.dev_weight' || key === 'net.core.netdev_budget' || key === 'net.core.netdev_max_backlog' || key.startsWith('net.ipv4.neigh.default.');
}

/** The neighbour parameters the model reads, per device (neigh_parms cloned from arp_tbl's defaults). */
export const NEIGH_PARMS = ['mcast_solicit', 'ucast_solicit', 'app_solicit', 'retrans_time_ms', 'unres_qlen_bytes', 'base_reachable_time_ms'] as const;
export type NeighParm = (typeof NEIGH_PARMS)[number];

/** Per-device IPv4 settings (IPV4_DEVCONF_*) that the model reads, with a fresh netns's values. */
export const DEVCONF_DEFAULTS: Record<string, number> = {
  forwarding: 0,
  rp_filter: 0,
  accept_redirects: 1,
  send_redirects: 1,
  secure_redirects: 1,
  shared_media: 1,
  accept_local: 0,
  route_localnet: 0,
  log_martians: 0,
  arp_ignore: 0,
  arp_announce: 0,
  arp_filter: 0,
  arp_accept: 0,
  proxy_arp: 0,
  bc_forwarding: 0,
  drop_unicast_in_l2_multicast: 0,
  src_valid_mark: 0,
};

/** Namespace-wide sysctls the model reads, with a fresh netns's values (v6.12). */
export const NET_SYSCTL_DEFAULTS: Record<string, number> = {
  'net.ipv4.ip_forward': 0,
  'net.ipv4.ip_default_ttl': 64,
  'net.ipv4.ip_no_pmtu_disc': 0,
  'net.ipv4.icmp_ratelimit': 1000,
  /** icmpv6_sysctl_init (v6.12 af_inet6.c inet6_net_init): 1*HZ */
  'net.ipv6.icmp.ratelimit': 1000,
  'net.ipv4.icmp_ratemask': 0x1818,
  'net.ipv4.icmp_msgs_per_sec': 1000,
  'net.ipv4.icmp_msgs_burst': 50,
  'net.ipv4.icmp_echo_ignore_all': 0,
  'net.ipv4.icmp_echo_ignore_broadcasts': 1,
  'net.ipv4.icmp_ignore_bogus_error_responses': 1,
  /** IP4_REPLY_MARK: ICMP replies and errors (and TCP resets) carry the packet's mark when 1 */
  'net.ipv4.fwmark_reflect': 0,
  'net.ipv4.ip_early_demux': 1,
  'net.ipv4.ipfrag_high_thresh': 4194304,
  'net.ipv4.ipfrag_low_thresh': 3145728,
  'net.ipv4.ipfrag_time': 30,
  'net.ipv4.ipfrag_max_dist': 64,
  /** IPV6_FRAG_HIGH_THRESH, IPV6_FRAG_LOW_THRESH, IPV6_FRAG_TIMEOUT (include/net/ipv6.h) */
  'net.ipv6.ip6frag_high_thresh': 4194304,
  'net.ipv6.ip6frag_low_thresh': 3145728,
  'net.ipv6.ip6frag_time': 60,
  /** nf_ct_net_init: nf_defrag_ipv6's fqdir starts with the same IPV6_FRAG_* values */
  'net.netfilter.nf_conntrack_frag6_high_thresh': 4194304,
  'net.netfilter.nf_conntrack_frag6_low_thresh': 3145728,
  'net.netfilter.nf_conntrack_frag6_timeout': 60,
  /** the trackers' defaults (v6.12: nf_ct_icmp_timeout, nf_ct_icmpv6_timeout, udp_timeouts, tcp_timeouts), in s */
  'net.netfilter.nf_conntrack_icmp_timeout': 30,
  'net.netfilter.nf_conntrack_icmpv6_timeout': 30,
  'net.netfilter.nf_conntrack_udp_timeout': 30,
  'net.netfilter.nf_conntrack_udp_timeout_stream': 120,
  'net.netfilter.nf_conntrack_tcp_timeout_syn_sent': 120,
  'net.netfilter.nf_conntrack_tcp_timeout_syn_recv': 60,
  'net.netfilter.nf_conntrack_tcp_timeout_established': 432000,
  'net.netfilter.nf_conntrack_tcp_timeout_fin_wait': 120,
  'net.netfilter.nf_conntrack_tcp_timeout_close_wait': 60,
  'net.netfilter.nf_conntrack_tcp_timeout_last_ack': 30,
  'net.netfilter.nf_conntrack_tcp_timeout_time_wait': 120,
  'net.netfilter.nf_conntrack_tcp_timeout_close': 10,
  'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged': 300,
  'net.netfilter.nf_conntrack_tcp_timeout_max_retrans': 300,
  /** nf_conntrack_tcp_init_net (v6.12): pick up connections, strict windows, check RSTs, 3 retransmissions */
  'net.netfilter.nf_conntrack_tcp_loose': 1,
  'net.netfilter.nf_conntrack_tcp_be_liberal': 0,
  'net.netfilter.nf_conntrack_tcp_ignore_invalid_rst': 0,
  'net.netfilter.nf_conntrack_tcp_max_retrans': 3,
  'net.ipv4.tcp_syn_retries': 6,
  /** tcp_sk_init (v6.5+): the first N SYN timeouts keep the RTO instead of doubling it */
  'net.ipv4.tcp_syn_linear_timeouts': 4,
  'net.ipv4.tcp_synack_retries': 5,
  /** TCP_RETR1, TCP_RETR2 (include/net/tcp.h): the black-hole step after 3 RTO periods, the end after 15 */
  'net.ipv4.tcp_retries1': 3,
  'net.ipv4.tcp_retries2': 15,
  'net.ipv4.tcp_timestamps': 1,
  'net.ipv4.tcp_sack': 1,
  'net.ipv4.tcp_window_scaling': 1,
  'net.ipv4.tcp_syncookies': 1,
  'net.ipv6.bindv6only': 0,
  /** tcp_rmem = "4096 131072 6291456" (v6.12: tcp_init, the largest is min(6 MB, a share of memory): 6 MB here) */
  'net.ipv4.tcp_rmem_min': 4096,
  'net.ipv4.tcp_rmem_default': 131072,
  'net.ipv4.tcp_rmem_max': 6291456,
  'net.ipv4.udp_early_demux': 1,
  'net.ipv4.tcp_early_demux': 1,
  'net.core.netdev_budget': 300,
  'net.core.netdev_max_backlog': 1000,
  'net.core.dev_weight': 64,
  'net.core.rmem_default': 212992,
  'net.core.rmem_max': 212992,
  'net.ipv4.neigh.default.mcast_solicit': 3,
  'net.ipv4.neigh.default.ucast_solicit': 3,
  'net.ipv4.neigh.default.app_solicit': 0,
  'net.ipv4.neigh.default.retrans_time_ms': 1000,
  'net.ipv4.neigh.default.unres_qlen_bytes': 212992,
  'net.ipv4.neigh.default.base_reachable_time_ms': 30000,
};

export class Net {
  readonly devices = new Map<string, NetDevice>();
  readonly fib = new Fib();
  /** arp_tbl entries: key "ifindex/ip" */
  readonly neigh = new Map<string, Neighbour>();
  readonly sysctl = new SysctlTable();
  /** net.core's sysctls read per packet (netif_rx, net_rx_action), as cells: `net.read(net.sysctlCore.netdev_budget)` */
  readonly sysctlCore = {
    netdev_max_backlog: this.sysctl.cell('net.core.netdev_max_backlog'),
    netdev_budget: this.sysctl.cell('net.core.netdev_budget'),
    dev_weight: this.sysctl.cell('net.core.dev_weight'),
  };
  /** net.ipv4.conf.all's cells, by key (devOrconf, devMaxconf) */
  private readonly allConf = new Map<string, SysctlCell>();
  /**
   * nstat counters since the start of the run, by slot (snmp_ids.ts): a count is an index and an
   * add, where a Map by name took a lookup. -1: not counted yet (a count is never negative). The
   * slots in the order they were first counted, which `counters()` keeps.
   */
  private readonly mibVals: number[] = [];
  private readonly mibOrder: SnmpId[] = [];
  sock: SockTables = { udp: [], udp6: [], tcp: [], raw: [], nextEphemeral: 32768 };
  /** the rule engine of issue 3, when the scenario has rules */
  nf: NetfilterEngine | null = null;
  readonly fragQueues = new Map<string, FragQueue>();
  fragMem = 0;
  /** per-CPU softnet_data of the one CPU: the backlog and the NAPI poll list */
  readonly backlog: SkBuff[] = [];
  readonly pollList: NetDevice[] = [];
  backlogScheduled = false;
  softirqPending: Task | null = null;
  /** the NET_RX softirq's task body and its fresh call path (core/dev.ts), made once, not per raise */
  rxSoftirq: (() => void) | null = null;
  rxSoftirqRun: (() => void) | null = null;
  /**
   * icmp_global: the token bucket of icmp_msgs_per_sec (its stamp in jiffies). A new namespace starts with no credit
   * and a stamp of 0 (struct net is zeroed; v6.12 sets neither), which is far from any jiffies
   * value: the first rate-limited ICMP refills the bucket with a whole second's worth,
   * min(icmp_msgs_per_sec, icmp_msgs_burst), and none at all when icmp_msgs_per_sec is 0.
   */
  icmpGlobal = { credit: 0, stamp: -1e9 };
  /**
   * inet_peer per remote address: the rate-limit state icmpv4_xrlim_allow and ip_error share, and
   * ip_rt_send_redirect's count of redirects sent to it (n_redirects, 0 when absent)
   */
  readonly peers = new Map<number, InetPeer>();
  /** ip_idents: a deterministic IP ID generator per destination */
  readonly ipIdents = new Map<string, number>();
  /** route exceptions learnt from ICMP fragmentation needed: destination → path MTU */
  readonly pmtu = new Map<number, number>();
  /** next-hop exceptions from accepted ICMP redirects: destination → new gateway on that route's next hop */
  readonly fnhe = new Map<number, { route: FibRoute; gw: number }>();
  /** the IPv6 half of the namespace (addresses, fib6, ND), made by addrconf when first used */
  ipv6: Ipv6State = newIpv6State();
  private nextIfindex = 1;
  /** seeded from the host name: the few random choices the kernel makes are repeatable here */
  private rng: number;
  readonly lo: NetDevice;

  constructor(
    readonly name: string,
    readonly w: World,
  ) {
    for (const [key, v] of Object.entries(NET_SYSCTL_DEFAULTS)) this.sysctl.set(key, v);
    for (const scope of ['all', 'default']) {
      for (const [key, v] of Object.entries(DEVCONF_DEFAULTS)) this.sysctl.set(`net.ipv4.conf.${scope}.${key}`, v);
      for (const [key, v] of Object.entries(scope === 'all' ? IPV6_DEVCONF_ALL : IPV6_DEVCONF_DEFAULTS)) this.sysctl.set(`net.ipv6.conf.${scope}.${key}`, v);
    }
    this.lo = this.addDevice('lo', '00:00:00:00:00:00', 'loopback', 65536, 1000);
    let h = 2166136261;
    for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    this.rng = (h ^ Math.imul(w.randomSalt, 0x9e3779b1)) >>> 0 || 1;
  }

  /** xorshift32: a deterministic stand-in for get_random_u32_below */
  randBelow(n: number): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng % n;
  }

  addDevice(name: string, mac: string, kind: DevKind, mtu: number, txqlen: number): NetDevice {
    const dev = new NetDevice(this, name, this.nextIfindex++, mac, kind, mtu, txqlen);
    dev.qdisc = qdiscFor('noqueue', txqlen);
    this.devices.set(name, dev);
    for (const [key] of Object.entries(DEVCONF_DEFAULTS)) {
      this.sysctl.set(`net.ipv4.conf.${name}.${key}`, this.sysctl.get(`net.ipv4.conf.default.${key}`)!);
    }
    for (const p of NEIGH_PARMS) this.sysctl.set(`net.ipv4.neigh.${name}.${p}`, this.sysctl.get(`net.ipv4.neigh.default.${p}`)!);
    // ipv6_add_dev copies net->ipv6.devconf_dflt into the new inet6_dev
    for (const key of Object.keys(IPV6_DEVCONF_DEFAULTS)) this.sysctl.set(`net.ipv6.conf.${name}.${key}`, this.sysctl.get(`net.ipv6.conf.default.${key}`)!);
    // ipv6_add_dev: a loopback device never does DAD (accept_dad -1)
    if (kind === 'loopback') this.sysctl.set(`net.ipv6.conf.${name}.accept_dad`, -1);
    return dev;
  }

  /** addrconf_ifdown unregisters the device's net.ipv6.conf.IF directory with its inet6_dev (addrconf_sysctl_unregister). */
  forgetDevconf6(name: string): void {
    for (const key of Object.keys(IPV6_DEVCONF_DEFAULTS)) this.sysctl.delete(`net.ipv6.conf.${name}.${key}`);
  }

  devByIndex(ifindex: number): NetDevice | undefined {
    for (const d of this.devices.values()) if (d.ifindex === ifindex) return d;
    return undefined;
  }

  get(key: string): number {
    const v = this.sysctl.get(key);
    if (v === undefined) throw new SysctlError(`unknown sysctl ${key}`);
    return v;
  }

  /** A sysctl's value through its cell (SysctlTable.cell): what `get` of its name returns. */
  read(c: SysctlCell): number {
    const v = c.v;
    if (v === undefined) throw new SysctlError(`unknown sysctl ${c.key}`);
    return v;
  }

  /** The cell of a device's net.ipv4.conf entry, kept on the device: read several times a packet. */
  private devCell(dev: NetDevice, key: string): SysctlCell {
    // a device of another namespace (never passed today) is looked up by name, as before
    if (dev.net !== this) return this.sysctl.cell(`net.ipv4.conf.${dev.name}.${key}`);
    const m = dev.conf4Cells;
    let c = m.get(key);
    if (c === undefined) {
      c = this.sysctl.cell(`net.ipv4.conf.${dev.name}.${key}`);
      m.set(key, c);
    }
    return c;
  }

  private allCell(key: string): SysctlCell {
    let c = this.allConf.get(key);
    if (c === undefined) {
      c = this.sysctl.cell(`net.ipv4.conf.all.${key}`);
      this.allConf.set(key, c);
    }
    return c;
  }

  /** IN_DEV_CONF_GET */
  devconf(dev: NetDevice, key: string): number {
    return this.read(this.devCell(dev, key));
  }

  /** IN_DEV_ORCONF: the device's value or the "all" one */
  devOrconf(dev: NetDevice, key: string): number {
    return this.devconf(dev, key) || this.read(this.allCell(key));
  }

  /** IN_DEV_MAXCONF (rp_filter, arp_ignore…): the larger of "all" and the device's */
  devMaxconf(dev: NetDevice, key: string): number {
    return Math.max(this.devconf(dev, key), this.read(this.allCell(key)));
  }

  /** `sysctl -w`: forwarding switches propagate the way devinet_sysctl_forward makes them do. */
  /** NEIGH_VAR(dev's arp_parms, …) */
  neighParm(dev: NetDevice, p: NeighParm): number {
    return this.get(`net.ipv4.neigh.${dev.name}.${p}`);
  }

  /**
   * `sysctl -w KEY=TEXT` in this namespace: the text read as the key's proc handler reads it
   * (base 0, jiffies rounding, a second number ignored), then the range of its entry.
   */
  /** init_net's value of a machine-wide key a namespace can only read (READ_ONLY_IN_NETNS). */
  setMachineSysctl(key: string, v: number): void {
    if (!READ_ONLY_IN_NETNS.includes(key) || !(key in NET_SYSCTL_DEFAULTS)) throw new Error(`${key} is not a machine-wide sysctl the model reads`);
    this.sysctl.set(key, v);
  }

  writeSysctl(key: string, text: string): void {
    const stat = (): SysctlError => new SysctlError(`cannot stat /proc/sys/${key.replace(/\./g, '/')}: No such file or directory`);
    const inval = (): SysctlRangeError => new SysctlRangeError(`setting key "${key}": Invalid argument`);
    if (TCP_RMEM.includes(key)) throw stat();
    if (READ_ONLY_IN_NETNS.includes(key)) throw new SysctlRangeError(`setting key "${key}": Invalid argument (read-only in a network namespace other than the first: sysctl_core_net_init, net/core/sysctl_net_core.c)`);
    if (key === 'net.ipv4.tcp_rmem') {
      // __do_proc_dointvec over int[3]: each number in turn until the text ends; one out of range
      // stops there with EINVAL, the ones before it are already written
      let rest = text.replace(/^\s+/, '');
      if (!rest) throw inval();
      for (const k of TCP_RMEM) {
        const r = procGetLong(rest);
        if (!r) throw inval();
        const v = procConvert(r, 'int');
        if (v === undefined || v < 4096) throw new SysctlRangeError(`setting key "${key}": Invalid argument (each of its three values is at least 4096, tcp_min_rcvbuf: net/ipv4/sysctl_net_ipv4.c)`);
        this.sysctl.set(k, v);
        rest = r.rest.replace(/^\s+/, '');
        if (!rest) return;
      }
      return;
    }
    if (!this.sysctl.has(key) || initNetOnly(key)) throw stat();
    const v = procWrite(text, sysctlRange(key)?.handler ?? 'int');
    if (v === undefined) throw new SysctlRangeError(`setting key "${key}": Invalid argument (${JSON.stringify(text)} is not what the kernel reads here: ${describeHandler(sysctlRange(key)?.handler ?? 'int')})`);
    // the jiffies handlers have no extra1/extra2: what they read is the whole check (a read-back
    // of 2147483647 ms is 2147483648, one jiffy's rounding above INT_MAX)
    // values whose behaviour the model does not have are refused rather than ignored
    if (key === 'net.ipv4.tcp_syncookies' && v === 2) throw new SysctlRangeError(`net.ipv4.tcp_syncookies=2 (a SYN cookie for every SYN) is not modelled: the model sends no SYN cookies`);
    // addrconf_disable_ipv6 takes the device's addresses and routes away (addrconf_ifdown): not modelled
    if (/^net\.ipv6\.conf\.[^.]+\.disable_ipv6$/.test(key) && v !== 0) throw new SysctlRangeError(`${key}=${v} is not modelled: turning IPv6 off removes the device's addresses and routes (addrconf_ifdown), which the model does not do`);
    // optimistic DAD (IFA_F_OPTIMISTIC: usable while DAD runs, RFC 4429) is not modelled
    if (/^net\.ipv6\.conf\.[^.]+\.optimistic_dad$/.test(key) && v !== 0) throw new SysctlRangeError(`${key}=${v} is not modelled: optimistic DAD (an address usable while it is tentative, IFA_F_OPTIMISTIC) is not in the model`);
    // rs_interval is an s32 of jiffies that rfc3315_s14_backoff_* multiply by up to 1.1 × 2.1:
    // at 0 or below, or past that, it wraps and the timer fires at once, over and over: not modelled
    if (/^net\.ipv6\.conf\.[^.]+\.router_solicitation(_max)?_interval$/.test(key) && (v < 1 || v * HZ > RS_INTERVAL_MAX_JIFFIES)) throw new SysctlRangeError(`${key}=${v} is not modelled: the model sends router solicitations rs_interval apart for an interval from 1 to ${Math.floor(RS_INTERVAL_MAX_JIFFIES / HZ)} s (rs_interval, an s32 of jiffies, would stay 0 or wrap in rfc3315_s14_backoff_update)`);
    if (key.endsWith('.bc_forwarding') && v !== 0) throw new SysctlRangeError(`${key}=${v} is not modelled: the model does not forward directed broadcasts (IN_DEV_BFORWARD)`);
    const h = sysctlRange(key)?.handler;
    if (h === 'jiffies' || h === 'ms_jiffies') this.sysctl.set(key, v);
    else this.setSysctl(key, v);
    // devinet_conf_proc and its kin flush the cached routes on a change of what routing reads:
    // the model flushes on any write (a cached route keeps nothing a sysctl chooses)
    this.fib.rt_cache_flush();
  }

  setSysctl(key: string, value: number): void {
    if (!this.sysctl.has(key) || initNetOnly(key)) throw new SysctlError(`cannot stat /proc/sys/${key.replace(/\./g, '/')}: No such file or directory`);
    const r = sysctlRange(key);
    const min = typeof r?.min === 'function' ? r.min(this) : (r?.min ?? INT_MIN);
    const max = typeof r?.max === 'function' ? r.max(this) : (r?.max ?? INT_MAX);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new SysctlRangeError(`setting key "${key}": Invalid argument (the kernel takes ${min}..${max}: ${r?.file ?? 'its ctl_table entry'})`);
    }
    this.sysctl.set(key, value);
    if (key === 'net.ipv4.ip_forward' || key === 'net.ipv4.conf.all.forwarding') {
      this.sysctl.set('net.ipv4.ip_forward', value);
      this.sysctl.set('net.ipv4.conf.all.forwarding', value);
      this.sysctl.set('net.ipv4.conf.default.forwarding', value);
      for (const d of this.devices.keys()) this.sysctl.set(`net.ipv4.conf.${d}.forwarding`, value);
    }
    // addrconf_fixup_forwarding (v6.12): all.forwarding is copied to default and to every device
    if (key === 'net.ipv6.conf.all.forwarding') {
      this.sysctl.set('net.ipv6.conf.default.forwarding', value);
      // only the devices that have an inet6_dev (addrconf_mtu_change may have removed one)
      for (const d of this.devices.keys()) if (this.sysctl.has(`net.ipv6.conf.${d}.forwarding`)) this.sysctl.set(`net.ipv6.conf.${d}.forwarding`, value);
    }

  }

  // --- recording helpers, bound to this host ---

  /** Counts SNMP counter `c`: its slot (a module's constant, snmpId), or its name (looked up). */
  count(c: SnmpId | SnmpName, n = 1): void {
    const id = typeof c === 'number' ? c : snmpId(c);
    const vals = this.mibVals;
    while (vals.length <= id) vals.push(-1);
    const v = vals[id];
    if (v < 0) {
      vals[id] = n;
      this.mibOrder.push(id);
    } else vals[id] = v + n;
    this.w.rec.count(this.name, SNMP_NAMES[id], n);
  }

  /** The counters counted so far, by name, in the order they were first counted. */
  counters(): [string, number][] {
    const out: [string, number][] = [];
    for (const id of this.mibOrder) out.push([SNMP_NAMES[id], this.mibVals[id]]);
    return out;
  }

  step(skb: SkBuff | null, layer: Layer, fn: string, file: string, what: What, extra?: StepExtra): void {
    this.w.rec.step(this.name, skb, layer, fn, file, what, extra);
  }

  /** kfree_skb_reason: the packet's journey ends here with a drop reason. */
  drop(skb: SkBuff, layer: Layer, fn: string, file: string, reason: SkbDropReason, what: What, ret?: string): void {
    const full = dropReasonName(reason);
    // the step's extra is read only in a full trace: none is made at the fates level
    this.w.rec.step(this.name, skb, layer, fn, file, what, this.w.rec.level !== 'full' ? undefined : ret ? { drop: full, ret } : { drop: full });
    this.w.rec.fate(skb.pkt, { kind: 'dropped', host: this.name, fn, reason: full });
    // __kfree_skb → skb_release_data: a reassembled datagram's frag_list goes with it
    if (skb.shinfo) skb_release_data(this, skb, 'NOT_SPECIFIED');
  }

  fate(skb: SkBuff, fate: Omit<Fate, 'host'>): void {
    this.w.rec.fate(skb.pkt, { ...fate, host: this.name });
    if (skb.shinfo) {
      const how = releaseOnFate(fate);
      if (how) skb_release_data(this, skb, how);
    }
  }

  call<T>(fn: string, body: () => T): T {
    return this.w.rec.call(fn, body);
  }

  /**
   * A full trace's sentence made by template `f` of the arguments (Recorder.say): once per
   * distinct arguments in a run, not at every step. `f` reads nothing but its arguments.
   */
  say<A>(f: (a: A) => string, a: A): string;
  say<A, B>(f: (a: A, b: B) => string, a: A, b: B): string;
  say<A, B, C>(f: (a: A, b: B, c: C) => string, a: A, b: B, c: C): string;
  say<A, B, C, D>(f: (a: A, b: B, c: C, d: D) => string, a: A, b: B, c: C, d: D): string;
  say<A, B, C, D, E>(f: (a: A, b: B, c: C, d: D, e: E) => string, a: A, b: B, c: C, d: D, e: E): string;
  say<A, B, C, D, E, G>(f: (a: A, b: B, c: C, d: D, e: E, g: G) => string, a: A, b: B, c: C, d: D, e: E, g: G): string;
  say(f: Sentence, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, g?: unknown): string {
    return this.w.rec.say(f, a, b, c, d, e, g);
  }

  /** `call` without a closure (Recorder.enter): `const c = net.enter(fn); try { … } finally { net.leave(c); }` */
  /**
   * True when the run keeps a full trace: only then is a step's sentence read. A hot call site
   * passes '' otherwise (`net.full ? fooWhat(…) : ''`), so the fates path makes no sentence closure.
   */
  get full(): boolean {
    return this.w.rec.level === 'full';
  }

  enter(fn: string): number {
    return this.w.rec.enter(fn);
  }

  leave(depth: number): void {
    this.w.rec.leave(depth);
  }
}

/** SKB_DROP_REASON_<reason>, one string per reason: a long run keeps one in every dropped packet's fate. */
const DROP_REASON_NAMES = new Map<string, string>();
function dropReasonName(reason: SkbDropReason): string {
  let n = DROP_REASON_NAMES.get(reason);
  if (n === undefined) {
    n = `SKB_DROP_REASON_${reason}`;
    DROP_REASON_NAMES.set(reason, n);
  }
  return n;
}
