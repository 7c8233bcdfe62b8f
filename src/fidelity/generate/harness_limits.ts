// Draws the kernel run cannot replay faithfully, found on the model's own trace. The harness
// stands in a veth pair for a `nic` link (docs/fidelity.md, "Harness limits"); two things an
// e1000 does that no veth setting reproduces decide a whole scenario's outcome, so such a draw is
// drawn again (counted with the refused ones) rather than compared:
// - the time an answer takes. A veth hands the frame to its peer in the sender's own softirq, so
//   the whole round trip of a SYN (a router's ICMP error back to tcp_v4_err) runs while
//   connect() still holds the socket lock: LockDroppedIcmps, a soft error, the SYN retried. The
//   e1000's answer comes through its interrupt and NAPI, after connect() returned: the error
//   aborts the connect at once (gen-990004-2, gen-990102-12).
// - the order frames reach a host in. A frame over the e1000 reaches its peer after its interrupt
//   and NAPI poll; over the stand-in veth it is there in the sender's softirq. A frame from
//   another link that reaches the same host in between arrives after it on the kernel, before it
//   in the model: netfilter sees the two in the other order (gen-990139-20: a SYN-ACK retransmitted
//   over the nic, a SYN retransmitted over a veth, in one timer tick).
// - TCP segmentation offload. The e1000 cuts a TSO frame into MSS-sized segments on the wire;
//   the stand-in veth passes the GSO frame whole, and the receiver sees one segment where a NIC
//   delivers several (its ACKs, its window, its counters follow).
import type { Trace } from '../../trace/contract';

export function harnessLimit(t: Trace): string | undefined {
  const crossedNic = new Set(t.events.filter((e) => e.fn === 'e1000_xmit_frame').map((e) => e.packet));
  const byId = new Map(t.packets.map((p) => [p.id, p]));
  for (const e of t.events) {
    if (e.fn !== 'tcp_v4_err' && e.fn !== 'tcp_v6_err') continue;
    const icmp = byId.get(e.packet);
    const quoted = icmp?.parent !== null && icmp?.parent !== undefined ? byId.get(icmp.parent) : undefined;
    if (!quoted || !/TCP \[S\]/.test(quoted.summary)) continue;
    if (crossedNic.has(icmp!.id) || crossedNic.has(quoted.id)) return 'harness limit: an ICMP error about a SYN crosses a `nic` link (whether connect() still holds the socket depends on the NIC, which a veth cannot stand in for)';
  }
  const overtaken = overtakenOnNic(t.events);
  if (overtaken) return overtaken;
  if (t.events.some((e) => e.fn === 'e1000_xmit_frame' && /^A TSO frame/.test(e.what))) return 'harness limit: a TSO frame leaves through a `nic` link (the e1000 cuts it on the wire, a veth passes it whole)';
  return undefined;
}

/**
 * A frame that left over a `nic` link and, before its peer received it, another frame that
 * came over a veth reached that peer: with a veth in the nic's place the order is the other way.
 */
export function overtakenOnNic(events: readonly { fn: string; host: string; packet: number }[]): string | undefined {
  for (let i = 0; i < events.length; i++) {
    if (events[i].fn !== 'e1000_xmit_frame') continue;
    const p = events[i].packet;
    let k = i + 1;
    while (k < events.length && !(events[k].packet === p && events[k].fn === '__netif_receive_skb_core')) k++;
    if (k === events.length) continue;
    const dst = events[k].host;
    for (let j = i + 1; j < k; j++) {
      const e = events[j];
      if (e.fn === '__netif_receive_skb_core' && e.host === dst && e.packet !== p && cameOverVeth(events, j)) {
        return `harness limit: a frame over a \`nic\` link reaches ${dst} after one sent later over another link (the e1000's interrupt and NAPI poll delay it; the veth standing in for it does not)`;
      }
    }
  }
  return undefined;
}

/** Whether the frame received at events[j] was last sent by a veth (not an e1000). */
function cameOverVeth(events: readonly { fn: string; packet: number }[], j: number): boolean {
  const q = events[j].packet;
  for (let k = j - 1; k >= 0; k--) {
    if (events[k].packet !== q) continue;
    if (events[k].fn === 'veth_xmit') return true;
    if (events[k].fn === 'e1000_xmit_frame') return false;
  }
  return false;
}
