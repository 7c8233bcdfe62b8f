// Sysctls of a network namespace, each across values its v6.12 handler accepts
// (net/ipv4/sysctl_net_ipv4.c, net/ipv4/devinet.c, net/core/neighbour.c). Only per-namespace
// keys: net.core.* of the init namespace (dev_weight, netdev_max_backlog …) would change the
// whole machine, so they are never generated. Times and retry counts stay small so that a
// scenario's wall time stays in seconds.
import { host, type Ctx } from './context';

/** key → values to draw from (legal for the kernel's handler) */
export const SYSCTL_VALUES: Record<string, readonly number[]> = {
  'net.ipv4.ip_default_ttl': [1, 2, 32, 64, 128, 255],
  'net.ipv4.ip_no_pmtu_disc': [0, 1],
  'net.ipv4.icmp_ratelimit': [0, 100, 1000, 5000],
  'net.ipv4.icmp_ratemask': [0, 6168, 6169, 65535],
  'net.ipv4.icmp_msgs_per_sec': [0, 1, 10, 1000],
  'net.ipv4.icmp_msgs_burst': [0, 1, 5, 50],
  'net.ipv4.icmp_echo_ignore_all': [0, 1],
  'net.ipv4.icmp_echo_ignore_broadcasts': [0, 1],
  'net.ipv4.icmp_ignore_bogus_error_responses': [0, 1],
  'net.ipv4.ip_early_demux': [0, 1],
  'net.ipv4.udp_early_demux': [0, 1],
  'net.ipv4.tcp_early_demux': [0, 1],
  'net.ipv4.ipfrag_time': [1, 2, 3],
  'net.ipv4.ipfrag_max_dist': [0, 1, 64],
  'net.ipv4.tcp_timestamps': [0, 1],
  'net.ipv4.tcp_sack': [0, 1],
  'net.ipv4.tcp_window_scaling': [0, 1],
  // 2 (always cookies) is not modelled and refused; 1 takes its place so the draw keeps its share of the stream
  'net.ipv4.tcp_syncookies': [0, 1, 1],
};

/** per interface (conf.all, conf.default or conf.IF) */
export const DEVCONF_VALUES: Record<string, readonly number[]> = {
  rp_filter: [0, 1, 2],
  accept_local: [0, 1],
  route_localnet: [0, 1],
  send_redirects: [0, 1],
  accept_redirects: [0, 1],
  arp_ignore: [0, 1, 2],
  arp_announce: [0, 1, 2],
  arp_filter: [0, 1],
  proxy_arp: [0, 1],
  // 1 is not modelled and refused; 0 takes its place so the draw keeps its share of the stream
  bc_forwarding: [0, 0],
  log_martians: [0, 1],
};

/**
 * Per-device neighbour parameters (net.ipv4.neigh.IF.*: every namespace has them, cloned from
 * arp_tbl's defaults). net.ipv4.neigh.default.* exists only in the initial namespace, and the
 * model refuses it as sysctl does in a new one.
 */
export const NEIGH_VALUES: Record<string, readonly number[]> = {
  mcast_solicit: [0, 1, 3],
  ucast_solicit: [0, 1, 3],
  retrans_time_ms: [200, 500, 1000],
};

export function sysctls(ctx: Ctx): void {
  if (!ctx.has('sysctl')) return;
  const { rng } = ctx;
  for (const h of ctx.hosts) {
    const n = rng.weighted([
      [5, 0],
      [3, 1],
      [2, 2],
      [1, 3],
    ] as const);
    for (let i = 0; i < n; i++) {
      const ifs = ctx.ifaces.filter((f) => f.host === h.name).map((f) => f.ifname);
      if (ctx.has('neigh-sysctl') && ifs.length && rng.chance(0.1)) {
        const key = rng.pick(Object.keys(NEIGH_VALUES));
        h.lines.push(`sysctl -w net.ipv4.neigh.${rng.pick(ifs)}.${key}=${rng.pick(NEIGH_VALUES[key])}`);
      } else if (rng.chance(0.6)) {
        const key = rng.pick(Object.keys(SYSCTL_VALUES));
        h.lines.push(`sysctl -w ${key}=${rng.pick(SYSCTL_VALUES[key])}`);
      } else {
        const scope = rng.pick(['all', 'default', ...ifs, ...ifs]);
        const key = rng.pick(Object.keys(DEVCONF_VALUES));
        h.lines.push(`sysctl -w net.ipv4.conf.${scope}.${key}=${rng.pick(DEVCONF_VALUES[key])}`);
      }
    }
  }
}

/**
 * Keeps the wall time of a run in seconds: a TCP connect that gets no answer retries its SYN
 * tcp_syn_retries times (6 by default: two minutes), a SYN_RECV its SYN-ACK
 * tcp_synack_retries times, and a lone fragment waits ipfrag_time (30 s).
 */
export function boundTimers(ctx: Ctx, o: { tcpFrom: Set<string>; tcpListen: Set<string>; fragTo: Set<string> }): void {
  for (const h of o.tcpFrom) host(ctx, h).lines.unshift('sysctl -w net.ipv4.tcp_syn_retries=1');
  for (const h of o.tcpListen) host(ctx, h).lines.unshift('sysctl -w net.ipv4.tcp_synack_retries=1');
  for (const h of o.fragTo) if (!host(ctx, h).lines.some((l) => l.includes('ipfrag_time'))) host(ctx, h).lines.unshift(`sysctl -w net.ipv4.ipfrag_time=${ctx.rng.pick([1, 2])}`);
}
