// Draws the kernel run cannot replay faithfully, found on the model's own trace. The harness
// stands in a veth pair for a `nic` link (docs/fidelity.md, "Harness limits"); two things an
// e1000 does that no veth setting reproduces decide a whole scenario's outcome, so such a draw is
// drawn again (counted with the refused ones) rather than compared:
// - the time an answer takes. A veth hands the frame to its peer in the sender's own softirq, so
//   the whole round trip of a SYN (a router's ICMP error back to tcp_v4_err) runs while
//   connect() still holds the socket lock: LockDroppedIcmps, a soft error, the SYN retried. The
//   e1000's answer comes through its interrupt and NAPI, after connect() returned: the error
//   aborts the connect at once (gen-990004-2, gen-990102-12).
// - TCP segmentation offload. The e1000 cuts a TSO frame into MSS-sized segments on the wire;
//   the stand-in veth passes the GSO frame whole, and the receiver sees one segment where a NIC
//   delivers several (its ACKs, its window, its counters follow).
import type { Trace } from '../../trace/contract';

export function harnessLimit(t: Trace): string | undefined {
  const crossedNic = new Set(t.events.filter((e) => e.fn === 'e1000_xmit_frame').map((e) => e.packet));
  const byId = new Map(t.packets.map((p) => [p.id, p]));
  for (const e of t.events) {
    if (e.fn !== 'tcp_v4_err') continue;
    const icmp = byId.get(e.packet);
    const quoted = icmp?.parent !== null && icmp?.parent !== undefined ? byId.get(icmp.parent) : undefined;
    if (!quoted || !/TCP \[S\]/.test(quoted.summary)) continue;
    if (crossedNic.has(icmp!.id) || crossedNic.has(quoted.id)) return 'harness limit: an ICMP error about a SYN crosses a `nic` link (whether connect() still holds the socket depends on the NIC, which a veth cannot stand in for)';
  }
  if (t.events.some((e) => e.fn === 'e1000_xmit_frame' && /^A TSO frame/.test(e.what))) return 'harness limit: a TSO frame leaves through a `nic` link (the e1000 cuts it on the wire, a veth passes it whole)';
  return undefined;
}
