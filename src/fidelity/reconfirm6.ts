// In a run long enough for a neighbour entry to age at random (compare.ts, NONDETERMINISM
// 'neigh-random-reachable-time'), the re-confirmation probes and their answers are left out of the
// frames. An ARP probe touches nothing else; an IPv6 one (a unicast neighbour solicitation from
// ndisc_solicit in NUD_PROBE, and the advertisement answering it) also went through the sender's
// OUTPUT and POSTROUTING hooks and the receiver's PREROUTING and INPUT, and moved both hosts'
// ICMPv6 and IPv6 counters (icmp6_send/ndisc_send_skb: Icmp6OutMsgs and the type's counters,
// ip6_output's Ip6OutRequests; ipv6_rcv and icmpv6_rcv the In side). Those are left out too, on
// each side for the frames left out on that side.
import { isNdisc, type HookPass, type Observation } from './observe';
import type { RemovedFrame } from './compare';
import { formatIpv6 } from '../trace/ipv6';

const ETH = 14;

/** The counters one IPv6 neighbour discovery message moves on its sender and on its receiver. */
function counterNames(type: number): { out: string[]; in: string[] } {
  const what = type === 135 ? 'NeighborSolicits' : 'NeighborAdvertisements';
  return {
    out: ['Icmp6OutMsgs', `Icmp6Out${what}`, `Icmp6OutType${type}`, 'Ip6OutRequests', 'Ip6OutTransmits'],
    in: ['Icmp6InMsgs', `Icmp6In${what}`, `Icmp6InType${type}`, 'Ip6InReceives', 'Ip6InDelivers', 'Ip6InNoECTPkts'],
  };
}

function takePass(hooks: Map<string, HookPass[]>, host: string, first: 'output' | 'prerouting', saddr: string, daddr: string): boolean {
  const list = hooks.get(host);
  const i = list?.findIndex((p) => p.nd && p.hooks[0]?.hook === first && p.hooks[0].saddr === saddr && p.hooks[0].daddr === daddr) ?? -1;
  if (i < 0) return false;
  hooks.set(host, list!.filter((_, k) => k !== i));
  return true;
}

function lower(counters: Record<string, Record<string, number>>, host: string, names: string[], octets: string, len: number): void {
  const c = counters[host];
  if (!c) return;
  for (const n of names) if (c[n]) c[n]--;
  if (c[octets]) c[octets] = Math.max(0, c[octets] - len);
}

/** The observation without the hook passes and counters of the IPv6 re-confirmation frames left out of it. */
export function withoutNdEffects(obs: Observation, left: RemovedFrame[]): Observation {
  const nd = left.filter((f) => ((f.bytes[12] << 8) | f.bytes[13]) === 0x86dd && isNdisc(f.bytes, ETH) && (f.bytes[ETH + 40] === 135 || f.bytes[ETH + 40] === 136));
  if (!nd.length) return obs;
  const hooks = new Map(obs.hooks);
  const counters: Record<string, Record<string, number>> = {};
  for (const [h, c] of Object.entries(obs.counters)) counters[h] = { ...c };
  for (const f of nd) {
    const b = f.bytes;
    const sender = f.key.split(':')[0];
    const saddr = formatIpv6(b.subarray(ETH + 8, ETH + 24));
    const daddr = formatIpv6(b.subarray(ETH + 24, ETH + 40));
    const len = 40 + ((b[ETH + 4] << 8) | b[ETH + 5]);
    const names = counterNames(b[ETH + 40]);
    takePass(hooks, sender, 'output', saddr, daddr);
    lower(counters, sender, names.out, 'Ip6OutOctets', len);
    // the receiver: the other host whose hooks saw it come in
    const receiver = [...hooks.keys()].find((h) => h !== sender && takePass(hooks, h, 'prerouting', saddr, daddr));
    if (receiver) lower(counters, receiver, names.in, 'Ip6InOctets', len);
  }
  return { ...obs, hooks, counters };
}
