// Behaviours of kernels newer than v6.12 that the fidelity harness may ask a run for, to tell
// whether what differs on such a kernel is that kernel's change and nothing else
// (src/fidelity/variant_check.ts). The model follows v6.12: a user's run never sets one.
export interface KernelVariant {
  /**
   * Linux 6.18.y stable (upstream 0201eedb69b2, "ipv6: icmp: remove obsolete code in icmpv6_xrlim_allow()"):
   * icmpv6_xrlim_allow no longer shortens net.ipv6.icmp.ratelimit for wider prefixes (the peer
   * is a host now, not a prefix); the same commit lowers the default to 100 ms, a sysctl
   * default the harness gives the run as a pinned sysctl.
   */
  icmpv6RatelimitWholeTimeout?: boolean;
}
