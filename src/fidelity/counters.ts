// The counters compared, per host, as nstat names them (deltas over the run, each namespace with
// its own NSTAT_HISTORY).
//
// COMPARED: every counter that nstat reports for the namespace — /proc/net/snmp (Ip*, Icmp*,
// IcmpMsg*, Tcp*, Udp*, UdpLite*), /proc/net/netstat (IpExt*, TcpExt*, MPTcpExt*) and
// /proc/net/snmp6 (Ip6*, Icmp6*, Udp6*: IPv6 is off, so they must stay 0) — against the model's
// counter deltas. A counter missing on one side counts as 0 there, so a counter that the kernel
// moves and the model does not know is a difference too. The families and the counters the model
// already names are listed in MODELLED for reference; the only exceptions are IGNORED_COUNTERS,
// each with its reason.

/** Counter families nstat prints; all of them are compared. */
export const COMPARED_FAMILIES = ['Ip', 'IpExt', 'Icmp', 'IcmpMsg', 'Udp', 'UdpLite', 'Tcp', 'TcpExt', 'MPTcpExt', 'Ip6', 'Icmp6', 'Udp6', 'UdpLite6'] as const;

/** Counters left out of the comparison, and why (kept few). */
export const IGNORED_COUNTERS: Record<string, string> = {
  TcpCurrEstab: 'a gauge, not an event count: nstat never prints it (iproute2 misc/nstat.c, useless_number), so the kernel side has no value to compare',
  TcpRtoAlgorithm: 'a constant; nstat never prints it (useless_number)',
  TcpRtoMin: 'a constant; nstat never prints it (useless_number)',
  TcpRtoMax: 'a constant; nstat never prints it (useless_number)',
  TcpMaxConn: 'a constant; nstat never prints it (useless_number)',
  IpForwarding: 'the forwarding sysctl, not a counter; nstat never prints it (useless_number)',
  IpDefaultTTL: 'the default TTL sysctl, not a counter; nstat never prints it (useless_number)',
};

/** Is `name` compared? (every counter but the ignored ones) */
export function isCompared(name: string): boolean {
  return !(name in IGNORED_COUNTERS);
}
