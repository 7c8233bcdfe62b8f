// Changes of a newer kernel that move many things of a scenario at once (frames, passes,
// counters), where a per-difference exception (exceptions.ts) would have to explain nearly
// anything. Instead the model runs again with the change (src/model/sim/variant.ts): when that
// run agrees with the kernel in everything, the first run's differences are the change's, and are
// reported as explained by it; when it does not, they all stay differences.
import type { Scenario } from '../scenario/types';
import type { RunOptions } from '../scenario/run';
import type { KernelRun } from './replay';
import { usesIpv6 } from '../scenario/ipv6_use';

export interface VariantCheck {
  name: string;
  reason: string;
  /** whether the running kernel has the change, as the replay found it, and it can matter */
  applies(sc: Scenario, k: KernelRun): boolean;
  /** the model run's options with the change */
  options(k: KernelRun): RunOptions;
}

/** v6.12's default net.ipv6.icmp.ratelimit, 1*HZ (ms) */
const V612_ICMPV6_RATELIMIT_MS = 1000;

export const VARIANT_CHECKS: VariantCheck[] = [
  {
    name: 'icmpv6-ratelimit-per-host (Linux 6.18.y stable)',
    // a new namespace's default tells: 100 ms with the change, 1000 without
    applies: (sc, k) => usesIpv6(sc) && k.icmpv6Ratelimit !== undefined && k.icmpv6Ratelimit !== V612_ICMPV6_RATELIMIT_MS,
    options: (k) => ({ kernelVariant: { icmpv6RatelimitWholeTimeout: true }, pinnedSysctls: { 'net.ipv6.icmp.ratelimit': k.icmpv6Ratelimit! } }),
    reason:
      'upstream commit 0201eedb69b2 "ipv6: icmp: remove obsolete code in icmpv6_xrlim_allow()" (Eric Dumazet, February 2026; in 6.18-stable from its review of 24 February 2026, not in the 6.12.117 tree the model follows) makes icmpv6_xrlim_allow stop shortening net.ipv6.icmp.ratelimit for wider prefixes (inet_getpeer_v6 keys a host, not a prefix, since fd0273d7939f) and lowers its default from 1000 to 100 ms. v6.12 (net/ipv6/icmp.c) shifts the timeout right by (128 - plen) >> 5: a quarter of it through a /64. The model follows v6.12; run again with the change and the kernel\'s default, it agreed with the kernel in everything.',
  },
];
