// Feature `sysctl-more` (session 13; on for every seed but CI's): the namespace sysctls the model
// reads that `sysctl` leaves out, so that each is checked against the kernel on scenarios nobody
// chose. Drawn last, from a side stream seeded by the host's lines, and appended to them: the
// scenario without the feature is the one with it less these lines. Setup is over before any
// traffic, so a sysctl after the host's rules means what it would before them.
import { Rng } from './rng';
import type { Ctx } from './context';

/** Namespace-wide keys, each with values its v6.12 handler accepts. */
const NET_MORE: Record<string, readonly string[]> = {
  // ICMP replies and errors, and TCP resets, carry the packet's mark (IP4_REPLY_MARK)
  'net.ipv4.fwmark_reflect': ['0', '1'],
  // 0: exponential SYN retries from the first; 4 (default) the first four a second apart
  'net.ipv4.tcp_syn_linear_timeouts': ['0', '1', '4'],
  // min, default and max of a TCP socket's receive buffer: the window it offers and its scale
  'net.ipv4.tcp_rmem': ['"4096 16384 262144"', '"4096 87380 4194304"', '"4096 131072 33554432"', '"8192 65536 65536"'],
};

/** Per-device IPv4 settings (net.ipv4.conf.{all,default,IF}.KEY) that `sysctl` does not draw. */
const DEVCONF_MORE: Record<string, readonly string[]> = {
  forwarding: ['0', '1'],
  secure_redirects: ['0', '1'],
  shared_media: ['0', '1'],
  arp_accept: ['0', '1', '2'],
  drop_unicast_in_l2_multicast: ['0', '1'],
  src_valid_mark: ['0', '1'],
};

/** Per-device neighbour parameters (net.ipv4.neigh.IF.KEY) that `neigh-sysctl` does not draw. */
const NEIGH_MORE: Record<string, readonly string[]> = {
  // probes a user-space daemon would answer: none listens, so they only lengthen a resolution
  app_solicit: ['0', '1', '2'],
  // how many bytes (truesize) may wait for a resolution before the oldest is dropped
  unres_qlen_bytes: ['0', '1500', '4000', '212992'],
};

export function sysctlsMore(ctx: Ctx): void {
  for (const h of ctx.hosts) {
    const rng = Rng.fromText(`sysctl-more\n${h.name}\n${h.lines.join('\n')}`);
    const n = rng.weighted([
      [6, 0],
      [3, 1],
      [1, 2],
    ] as const);
    const ifs = ctx.ifaces.filter((f) => f.host === h.name).map((f) => f.ifname);
    for (let i = 0; i < n; i++) {
      const kind = rng.weighted([
        [3, 'net'],
        [4, 'dev'],
        [2, 'neigh'],
      ] as const);
      if (kind === 'net') {
        const key = rng.pick(Object.keys(NET_MORE));
        h.lines.push(`sysctl -w ${key}=${rng.pick(NET_MORE[key])}`);
      } else if (kind === 'dev' || !ifs.length) {
        const scope = rng.pick(['all', 'default', ...ifs, ...ifs]);
        const key = rng.pick(Object.keys(DEVCONF_MORE));
        h.lines.push(`sysctl -w net.ipv4.conf.${scope}.${key}=${rng.pick(DEVCONF_MORE[key])}`);
      } else {
        const key = rng.pick(Object.keys(NEIGH_MORE));
        h.lines.push(`sysctl -w net.ipv4.neigh.${rng.pick(ifs)}.${key}=${rng.pick(NEIGH_MORE[key])}`);
      }
    }
  }
}
