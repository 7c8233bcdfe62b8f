// Router solicitations in a comparison (src/model/net/ipv6/addrconf_rs.ts, docs/fidelity.md
// "## IPv6"). A scenario that sets none of the router solicitation sysctls runs with
// router_solicitations=0 on both sides (link_up.ts, v6Pinned) and has none. One that sets them has
// them compared: the first of each device at the link-up (link_up_frames.ts: by bytes; as a set
// for a device whose series has no end, since the kernel's second may come before the end of the
// link-up wait when the setup took long), and those in the traffic's span apart from the ordered
// IPv6 stream, by their bytes as a set: where they fall among the other frames depends on the
// random backoff and the kernel's timing, not on what the model decides. How many there are is
// still compared through the counters (Icmp6OutRouterSolicits and the Ip6Out* ones).
import type { Scenario } from '../scenario/types';
import { v6Pinned } from './link_up';

/** Whether an IPv6 packet (from its header on) is a router solicitation: ICMPv6 type 133 right after the header. */
export function isRsPacket(p: Uint8Array): boolean {
  return p.length >= 48 && p[0] >> 4 === 6 && p[6] === 58 && p[40] === 133;
}

/** The same for an Ethernet frame. */
export function isRsFrame(b: Uint8Array): boolean {
  return b.length >= 14 + 48 && ((b[12] << 8) | b[13]) === 0x86dd && isRsPacket(b.subarray(14));
}

/**
 * The devices ("host:ifname") whose router solicitations do not end (router_solicitations -1,
 * v6.12's default) in a scenario that is not pinned: each device's own key as the setup lines
 * leave it (every device is made before them, so a write to `default` does not reach it, and one
 * to `all` is all's own: addrconf reads idev->cnf.rtr_solicits).
 */
export function unendingRsDevices(sc: Scenario): Set<string> {
  const out = new Set<string>();
  if (v6Pinned(sc).length) return out;
  for (const h of sc.hosts) {
    const value = new Map<string, number>();
    for (const c of h.setup) {
      if (c.kind !== 'sysctl') continue;
      const m = /^net\.ipv6\.conf\.([^.]+)\.router_solicitations$/.exec(c.key.text);
      if (m) value.set(m[1], Number(c.value.text.trim()));
    }
    for (const l of sc.links) {
      for (const end of [l.a, l.b]) if (end.host.text === h.name && (value.get(end.ifname.text) ?? -1) < 0) out.add(`${h.name}:${end.ifname.text}`);
    }
  }
  return out;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * One interface's router solicitations in the traffic's span, compared by bytes as a set: a
 * solicitation one side sent that the other never sent (in the span or at the link-up) is a
 * difference; how many each sent is not looked at here.
 */
export function compareRsSets(model: Uint8Array[], kernel: Uint8Array[], modelLinkUp: Uint8Array[], kernelLinkUp: Uint8Array[]): { side: 'model' | 'kernel'; bytes: string }[] {
  const all = (l: Uint8Array[], up: Uint8Array[]): Set<string> => new Set([...l.map((b) => hex(b.subarray(14))), ...up.filter(isRsPacket).map(hex)]);
  const ma = all(model, modelLinkUp);
  const ka = all(kernel, kernelLinkUp);
  const out: { side: 'model' | 'kernel'; bytes: string }[] = [];
  for (const h of new Set(model.map((b) => hex(b.subarray(14))))) if (!ka.has(h)) out.push({ side: 'model', bytes: h });
  for (const h of new Set(kernel.map((b) => hex(b.subarray(14))))) if (!ma.has(h)) out.push({ side: 'kernel', bytes: h });
  return out;
}
