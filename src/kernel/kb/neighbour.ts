// ARP and the neighbour table (net/ipv4/arp.c, net/core/neighbour.c, include/net/neighbour.h).
import { fields, fn, macro, struct, variable } from './define';
import type { KbEntry } from './types';

const ARP_C = 'net/ipv4/arp.c';
const NEIGH_C = 'net/core/neighbour.c';
const NEIGH_H = 'include/net/neighbour.h';
const UAPI_NEIGH = 'include/uapi/linux/neighbour.h';
const IF_ARP = 'include/uapi/linux/if_arp.h';

export const NEIGHBOUR: KbEntry[] = [
  struct('neighbour', NEIGH_H, 'L2',
    'An entry of a neighbour table (the ARP cache for IPv4): a next-hop address on a device, its link-layer address once known, its NUD state, and the packets waiting for resolution. `ip neigh` lists them.',
    { related: ['neigh_table', 'arp_tbl', 'neigh_resolve_output', 'NUD_REACHABLE'], steps: ['neigh_resolve_output', 'arp_process', 'ip_finish_output2'] }),
  ...fields('neighbour', NEIGH_H, 'L2', [
    ['nud_state', 'Neighbour Unreachability Detection state: NUD_INCOMPLETE (asking), NUD_REACHABLE (confirmed), NUD_STALE, NUD_DELAY, NUD_PROBE, NUD_FAILED, or the static NUD_PERMANENT/NUD_NOARP.', { related: ['NUD_INCOMPLETE', 'NUD_REACHABLE', 'NUD_FAILED', 'NUD_STALE'], steps: ['neigh_resolve_output', 'arp_process'] }],
    ['ha', 'The neighbour\'s hardware (MAC) address, valid once resolved; copied into the Ethernet header of each packet sent to it.', { related: ['eth_header'], steps: ['arp_process', 'neigh_resolve_output'] }],
    ['primary_key', 'The lookup key: the next hop\'s IPv4 address.', { related: ['ip_neigh_gw4'] }],
    ['output', 'How to send through this neighbour now: neigh_resolve_output while resolution may be needed, neigh_connected_output once it is reachable.', { related: ['neigh_resolve_output', 'neigh_connected_output', 'neigh_output'] }],
    ['arp_queue', 'Packets waiting for the address to resolve (bounded by queue_len_bytes / unres_qlen); sent when the reply comes, dropped (SKB_DROP_REASON_NEIGH_FAILED) if it never does.', { related: ['__neigh_event_send', 'SKB_DROP_REASON_NEIGH_QUEUEFULL', 'SKB_DROP_REASON_NEIGH_FAILED'], steps: ['neigh_resolve_output', 'arp_process'] }],
    ['dev', 'The device the neighbour is reached through.', { related: ['net_device'] }],
    ['confirmed', 'When reachability was last confirmed (an ARP reply, or TCP progress); drives REACHABLE → STALE.', { related: ['NUD_REACHABLE', 'NUD_STALE'] }],
    ['updated', 'When the state last changed.', { related: ['neigh_timer_handler'] }],
  ]),
  struct('neigh_table', NEIGH_H, 'L2', 'A neighbour table for one protocol (arp_tbl for IPv4) with its hash, its parameters (timeouts, probe counts, queue limits) and garbage collection.', { related: ['arp_tbl', 'neighbour'] }),
  variable('arp_tbl', ARP_C, 'L2', 'The IPv4 neighbour table (the ARP cache): entries keyed by IPv4 address, with ARP as the resolution protocol.', { related: ['neigh_table', 'neighbour', 'arp_solicit'] }),
  variable('arp_packet_type', ARP_C, 'L2', 'The packet_type that registers arp_rcv for ETH_P_ARP frames.', { related: ['packet_type', 'arp_rcv', 'ETH_P_ARP'] }),
  struct('arphdr', IF_ARP, 'L2', 'The fixed part of an ARP header: hardware and protocol types and address lengths, and the operation; the sender/target addresses follow it.', { related: ['arp_rcv', 'arp_process', 'arp_hdr'], steps: ['arp_rcv', 'arp_process'] }),
  ...fields('arphdr', IF_ARP, 'L2', [
    ['ar_hrd', 'Hardware type (ARPHRD_ETHER = 1).', { related: ['ARPHRD_ETHER'] }],
    ['ar_pro', 'Protocol type (ETH_P_IP).', { related: ['ETH_P_IP'] }],
    ['ar_hln', 'Hardware address length (6).'],
    ['ar_pln', 'Protocol address length (4).'],
    ['ar_op', 'Operation: ARPOP_REQUEST or ARPOP_REPLY.', { related: ['ARPOP_REQUEST', 'ARPOP_REPLY'], steps: ['arp_process'] }],
  ]),
  fn('arp_hdr', 'include/linux/if_arp.h', 'L2', 'The ARP header of an skb, at its network header.', { related: ['arphdr'] }),
  fn('arp_rcv', ARP_C, 'L2', 'Receive handler for ETH_P_ARP: sanity-check the header (length, hardware type, not for another host), then run it through the ARP netfilter hook to arp_process.', { related: ['arp_process', 'arp_packet_type', 'arphdr'] }),
  fn('arp_process', ARP_C, 'L2', 'Handle an ARP packet. A request is first routed like an IP packet from the sender to the target (ip_route_input_noref): a local route is answered unless arp_ignore or arp_filter says no, a route forwarded through another device may be answered by proxy ARP (proxy_arp), and a failing route (rp_filter, a martian sender) gets no answer. Then the sender updates its neighbour entry if one exists (arp_accept lets gratuitous ARP and unsolicited replies create one).', { related: ['arp_rcv', 'neigh_update', 'arp_send_dst', 'NUD_REACHABLE'] }),
  fn('arp_send_dst', ARP_C, 'L2', 'Build an ARP packet (arp_create) and transmit it (arp_xmit).', { related: ['arp_create', 'arp_xmit'], steps: ['arp_process', 'neigh_resolve_output'] }),
  fn('arp_create', ARP_C, 'L2', 'Build an ARP request or reply in a new skb: Ethernet header plus ARP header and addresses.', { related: ['arphdr', 'arp_xmit'] }),
  fn('arp_xmit', ARP_C, 'L2', 'Send an ARP packet through the ARP OUTPUT netfilter hook to dev_queue_xmit.', { related: ['dev_queue_xmit'] }),
  fn('arp_solicit', ARP_C, 'L2', 'The neighbour table\'s solicit callback for IPv4: choose the source address and send an ARP request for the neighbour (broadcast, or unicast when re-probing).', { related: ['neigh_probe', 'arp_send_dst', 'NUD_INCOMPLETE'], steps: ['neigh_resolve_output'] }),
  fn('neigh_resolve_output', NEIGH_C, 'L2', 'Output through a neighbour that may need resolving: if the MAC is not known yet, queue the packet on arp_queue and start resolution (ARP request); once known, build the Ethernet header and dev_queue_xmit.', { related: ['__neigh_event_send', 'neighbour.arp_queue', 'dev_hard_header', 'neigh_connected_output'] }),
  fn('neigh_connected_output', NEIGH_C, 'L2', 'Output through a neighbour known to be reachable: build the header from neighbour->ha and transmit, no checks.', { related: ['neigh_resolve_output', 'neighbour.output'] }),
  fn('neigh_output', NEIGH_H, 'L2', 'Send through a neighbour: use the cached header when the neighbour is connected, otherwise its output method (neigh_resolve_output).', { related: ['neigh_hh_output', 'neigh_resolve_output'], steps: ['ip_finish_output2'] }),
  fn('neigh_hh_output', NEIGH_H, 'L2', 'Fast path: copy a cached, ready-made hardware header in front of the packet and transmit.', { related: ['neigh_output'] }),
  fn('neigh_event_send', NEIGH_H, 'L2', 'Check whether a neighbour can be used now; if not, start or continue resolution (inline wrapper of __neigh_event_send).', { related: ['__neigh_event_send'], steps: ['neigh_resolve_output'] }),
  fn('__neigh_event_send', NEIGH_C, 'L2', 'Move a neighbour out of NONE/STALE (to INCOMPLETE or DELAY), start its timer, and queue the packet while it resolves; a full queue drops the oldest with SKB_DROP_REASON_NEIGH_QUEUEFULL.', { related: ['neighbour.arp_queue', 'NUD_INCOMPLETE', 'SKB_DROP_REASON_NEIGH_QUEUEFULL'], steps: ['neigh_resolve_output'] }),
  fn('pneigh_enqueue', NEIGH_C, 'L2', 'Hold a broadcast ARP request that proxy ARP will answer for a random delay below proxy_delay (0.8 s by default), so that the target itself, if it is there, answers first; the proxy timer (neigh_proxy_process) then runs arp_process on it again, which answers. Past proxy_qlen waiting requests it is dropped.', { related: ['arp_process', 'neigh_proxy_process'], steps: ['arp_process'] }),
  fn('neigh_proxy_process', NEIGH_C, 'L2', 'The proxy timer: hand each request whose delay has passed back to the table\'s proxy_redo (parp_redo for ARP, which calls arp_process).', { related: ['pneigh_enqueue', 'arp_process'], steps: ['pneigh_enqueue'] }),
  fn('neigh_update', NEIGH_C, 'L2', 'Change a neighbour\'s state and address (from an ARP reply or `ip neigh`); when it becomes valid, send the packets waiting on arp_queue.', { related: ['arp_process', 'neighbour.nud_state'], steps: ['arp_process'] }),
  fn('neigh_timer_handler', NEIGH_C, 'L2', 'The per-neighbour timer: REACHABLE → STALE after the reachable time, DELAY → PROBE, resend probes, and after too many unanswered probes → FAILED, dropping the queue (and IPv4 sends ICMP host unreachable for it).', { related: ['NUD_FAILED', 'NUD_PROBE', 'arp_solicit', 'SKB_DROP_REASON_NEIGH_FAILED'] }),
  fn('neigh_confirm', NEIGH_H, 'L2', 'An upper layer vouches for the neighbour (it answered): only neighbour->confirmed is stamped with now; the NUD_DELAY timer then finds the confirmation and returns the entry to NUD_REACHABLE without probing, and a REACHABLE entry ages from it.', { related: ['sock_confirm_neigh', 'NUD_DELAY', 'neigh_timer_handler'], steps: ['ip_finish_output2'] }),
  fn('sock_confirm_neigh', 'include/net/sock.h', 'L2', 'Called by ip_finish_output2 before neigh_output: a packet marked dst_pending_confirm (a TCP segment sent after tcp_ack or tcp_init_metrics called sk_dst_confirm) clears the socket\'s sk_dst_pending_confirm and confirms the neighbour it goes to (neigh_confirm).', { related: ['neigh_confirm', 'ip_finish_output2', 'tcp_ack'], steps: ['ip_finish_output2'] }),
  fn('neigh_app_ns', NEIGH_C, 'L2', 'An application probe: ask a user-space resolver for a neighbour\'s address with a netlink RTM_GETNEIGH notification. arp_solicit sends one instead of an ARP frame for the probes counted between ucast_solicit and ucast_solicit + app_solicit.', { related: ['arp_solicit', 'neigh_probe'] }),
  fn('neigh_probe', NEIGH_C, 'L2', 'Send one solicitation for a neighbour through its table\'s solicit method (arp_solicit).', { related: ['arp_solicit'] }),
  fn('neigh_lookup', NEIGH_C, 'L2', 'Find a neighbour entry by address and device, with a reference.', { related: ['neighbour', '__neigh_create'] }),
  fn('__neigh_create', NEIGH_C, 'L2', 'Create a neighbour entry (state NONE); failing (table full) drops with SKB_DROP_REASON_NEIGH_CREATEFAIL.', { related: ['neigh_lookup', 'SKB_DROP_REASON_NEIGH_CREATEFAIL'] }),
  fn('ip_neigh_gw4', 'include/net/route.h', 'L3', 'Find or create the neighbour for an IPv4 next hop on a device; ip_finish_output2 calls it with the route\'s gateway (or the destination itself on a connected route).', { related: ['ip_finish_output2', 'neighbour', 'rtable.rt_gw4'], steps: ['ip_finish_output2'] }),

  macro('NUD_INCOMPLETE', UAPI_NEIGH, 'L2', 'Neighbour state: a solicitation (ARP request) was sent and no answer has come yet; packets wait on arp_queue.', { related: ['neighbour.nud_state'], steps: ['neigh_resolve_output'] }),
  macro('NUD_REACHABLE', UAPI_NEIGH, 'L2', 'Neighbour state: the address is confirmed recently (an ARP reply); packets go straight out.', { related: ['neighbour.nud_state'], steps: ['arp_process'] }),
  macro('NUD_STALE', UAPI_NEIGH, 'L2', 'Neighbour state: the address is known but not confirmed lately (or was learnt from an unsolicited ARP); it is still used, and the next send starts re-confirmation.', { related: ['neighbour.nud_state', 'NUD_DELAY'], steps: ['arp_process'] }),
  macro('NUD_DELAY', UAPI_NEIGH, 'L2', 'Neighbour state: a STALE entry was used; wait briefly for upper-layer confirmation before probing.', { related: ['NUD_STALE', 'NUD_PROBE'] }),
  macro('NUD_PROBE', UAPI_NEIGH, 'L2', 'Neighbour state: re-confirming with unicast probes.', { related: ['NUD_DELAY', 'NUD_FAILED'] }),
  macro('NUD_FAILED', UAPI_NEIGH, 'L2', 'Neighbour state: resolution gave up; queued packets are dropped (SKB_DROP_REASON_NEIGH_FAILED).', { related: ['neighbour.nud_state', 'SKB_DROP_REASON_NEIGH_FAILED'] }),
  macro('NUD_NOARP', UAPI_NEIGH, 'L2', 'Neighbour state: no resolution needed (loopback, point-to-point, IFF_NOARP devices).', { related: ['IFF_NOARP'] }),
  macro('NUD_PERMANENT', UAPI_NEIGH, 'L2', 'Neighbour state: a static entry (`ip neigh add … permanent`) that never expires.', { related: ['neighbour.nud_state'] }),
  macro('NUD_NONE', UAPI_NEIGH, 'L2', 'Neighbour state: just created, nothing known yet.', { related: ['__neigh_create'] }),
  macro('NUD_VALID', NEIGH_H, 'L2', 'The set of states in which the neighbour\'s address may be used (PERMANENT, NOARP, REACHABLE, PROBE, STALE, DELAY).', { related: ['neighbour.nud_state'] }),
  macro('ARPOP_REQUEST', IF_ARP, 'L2', 'ARP operation 1: "who has this IP? tell me".', { related: ['arphdr.ar_op', 'arp_solicit'] }),
  macro('ARPOP_REPLY', IF_ARP, 'L2', 'ARP operation 2: "this IP is at this MAC".', { related: ['arphdr.ar_op', 'arp_process'] }),
  macro('ARPHRD_ETHER', IF_ARP, 'L2', 'ARP hardware type 1: Ethernet (also net_device.type of Ethernet-like devices).', { related: ['arphdr.ar_hrd', 'net_device.type'] }),
  macro('ARPHRD_LOOPBACK', IF_ARP, 'L2', 'Device type of the loopback device.', { related: ['net_device.type'] }),

  fn('neigh_invalidate', NEIGH_C, 'L2', 'Resolution failed (state becomes FAILED): report each queued packet through the table\'s error_report (arp_error_report) and drop them.', { related: ['neigh_timer_handler', 'arp_error_report', 'NUD_FAILED', 'SKB_DROP_REASON_NEIGH_FAILED'] }),
  fn('arp_error_report', ARP_C, 'L2', 'For a packet whose next hop never answered ARP: tell the route (link failure → ICMP host unreachable to the sender) and drop it.', { related: ['neigh_invalidate', 'ipv4_link_failure', 'ICMP_HOST_UNREACH'] }),
];
