// The nine tracks of the exercises, in learning order (issue 11, following the seed's map).
export interface Track {
  id: string;
  title: string;
}

export const TRACKS: readonly Track[] = [
  { id: 'journeys', title: 'The sandwich and the three journeys: local delivery, forwarding, local send' },
  { id: 'skb', title: 'net_device, sk_buff, NAPI and the backlog, the qdisc' },
  { id: 'nat', title: 'Modified: DNAT, masquerade and SNAT, replies un-NATed' },
  { id: 'firewall', title: 'Dropped: firewalls' },
  { id: 'feedback', title: 'Feedback: time exceeded, fragmentation needed, port unreachable, rate limits' },
  { id: 'fragments', title: 'Fragmented and reassembled' },
  { id: 'checksums', title: 'Verified: checksums at each layer' },
  { id: 'routing', title: 'Routing decisions: policy routing, rp_filter, error routes, ARP failure' },
  { id: 'ipv6', title: 'IPv6: neighbour discovery, the hop limit, Packet Too Big' },
];

export const KINDS = ['predict', 'find', 'fix'] as const;
export type ExerciseKind = (typeof KINDS)[number];
