// IPv6 (issue 14): receive, local delivery, forwarding, output, fragmentation, reassembly,
// extension headers and routing (net/ipv6/ip6_input.c, ip6_output.c, reassembly.c, exthdrs*.c,
// route.c, ip6_fib.c). The model has no IPv6 path yet, so no entry names a model step.
import { dropReason, fields, fn, macro, member, struct, variable } from './define';
import type { KbEntry } from './types';

const IP6_INPUT = 'net/ipv6/ip6_input.c';
const IP6_OUTPUT = 'net/ipv6/ip6_output.c';
const OUTPUT_CORE = 'net/ipv6/output_core.c';
const REASSEMBLY = 'net/ipv6/reassembly.c';
const EXTHDRS = 'net/ipv6/exthdrs.c';
const EXTHDRS_CORE = 'net/ipv6/exthdrs_core.c';
const ROUTE6 = 'net/ipv6/route.c';
const IP6_FIB_C = 'net/ipv6/ip6_fib.c';
const IP6_FIB_H = 'include/net/ip6_fib.h';
const IP6_ROUTE_H = 'include/net/ip6_route.h';
const NET_IPV6_H = 'include/net/ipv6.h';
const LINUX_IPV6_H = 'include/linux/ipv6.h';
const UAPI_IPV6 = 'include/uapi/linux/ipv6.h';
const SNMP = 'include/uapi/linux/snmp.h';

export const IPV6: KbEntry[] = [
  struct('ipv6hdr', UAPI_IPV6, 'L3', 'The fixed 40-byte IPv6 header: version, traffic class, flow label, payload length, next header, hop limit, source and destination. Unlike IPv4 it has no header checksum, no options (those are extension headers chained by nexthdr) and no fragment fields (a fragment header carries them).', { related: ['ipv6_hdr', 'ip6_rcv_core', 'frag_hdr', 'iphdr'] }),
  ...fields('ipv6hdr', UAPI_IPV6, 'L3', [
    ['version', 'IP version, must be 6; ip6_rcv_core drops anything else (SKB_DROP_REASON_UNHANDLED_PROTO in v6.12, counted as Ip6InHdrErrors).', { related: ['ip6_rcv_core'] }],
    ['priority', 'The upper four bits of the traffic class (DSCP and ECN span priority and the first flow_lbl byte); ip6_rcv_core counts the ECN codepoint it sees (Ip6InNoECTPkts, Ip6InECT0Pkts…).', { related: ['ipv6hdr.flow_lbl', 'iphdr.tos'] }],
    ['flow_lbl', 'Three bytes: the low half of the traffic class and the 20-bit flow label, which senders set per flow (auto_flowlabels) so routers can hash a flow onto one ECMP path.', { related: ['ip6_flow_hdr', 'ipv6hdr.priority'] }],
    ['payload_len', 'Length of everything after the 40-byte header (extension headers included). ip6_rcv_core drops the packet when more is claimed than arrived (Ip6InTruncatedPkts) and trims padding beyond it; 0 only with a jumbo hop-by-hop option.', { related: ['ip6_rcv_core', 'IPSTATS_MIB_INTRUNCATEDPKTS', 'ipv6_hop_jumbo'] }],
    ['nexthdr', 'What follows the header: an extension header (NEXTHDR_HOP, NEXTHDR_ROUTING, NEXTHDR_FRAGMENT, NEXTHDR_DEST) or the transport (NEXTHDR_TCP 6, NEXTHDR_UDP 17, NEXTHDR_ICMP 58). ip6_protocol_deliver_rcu follows the chain through inet6_protos.', { related: ['NEXTHDR_HOP', 'NEXTHDR_FRAGMENT', 'ip6_protocol_deliver_rcu', 'inet6_protos'] }],
    ['hop_limit', 'The IPv6 TTL: each router decrements it in ip6_forward; a packet to be forwarded with hop_limit <= 1 is dropped and answered with ICMPv6 time exceeded (ICMPV6_EXC_HOPLIMIT). Neighbour discovery requires it to be 255.', { related: ['ip6_forward', 'ICMPV6_EXC_HOPLIMIT', 'ip6_dst_hoplimit', 'SKB_DROP_REASON_IPV6_NDISC_HOP_LIMIT'] }],
    ['saddr', 'Source address (128 bits). ip6_rcv_core drops a multicast source and a loopback source arriving on a non-loopback device.', { related: ['ipv6_dev_get_saddr', 'ipv6_addr_type'] }],
    ['daddr', 'Destination address: the key of ip6_route_input\'s lookup; multicast destinations go to ip6_mc_input.', { related: ['ip6_route_input', 'ip6_mc_input', 'ipv6_addr_is_multicast'] }],
  ]),
  fn('ipv6_hdr', LINUX_IPV6_H, 'L3', 'The IPv6 header of an skb, at its network header offset.', { related: ['ipv6hdr', 'skb_network_header'] }),
  variable('ipv6_packet_type', 'net/ipv6/af_inet6.c', 'L3', 'The packet_type that registers ipv6_rcv (and ipv6_list_rcv) for ETH_P_IPV6 frames when the ipv6 module initialises.', { related: ['packet_type', 'ipv6_rcv', 'ETH_P_IPV6'] }),
  struct('inet6_skb_parm', LINUX_IPV6_H, 'L3', 'IPv6\'s private state in skb->cb (IP6CB): the incoming interface, offsets of the extension headers seen so far, the offset of the next-header byte to follow, flags (forwarded, fragmented, router alert…) and the largest fragment size when netfilter reassembled the packet.', { related: ['IP6CB', 'sk_buff', 'ip6_protocol_deliver_rcu'] }),
  ...fields('inet6_skb_parm', LINUX_IPV6_H, 'L3', [
    ['iif', 'ifindex the packet arrived on; error messages and reassembly keys use it.', { related: ['net_device.ifindex'] }],
    ['nhoff', 'Offset of the next-header byte that names the header being processed; the extension header handlers move it along the chain, and ICMPv6 parameter problems point at it.', { related: ['ip6_protocol_deliver_rcu', 'ipv6hdr.nexthdr'] }],
    ['flags', 'IP6SKB_* bits: forwarded, rerouted, router alert seen, fragmented, hop-by-hop seen, jumbogram.', { related: ['ip6_forward', 'ipv6_parse_hopopts'] }],
    ['frag_max_size', 'Size of the largest fragment when nf_defrag_ipv6 reassembled the packet: ip6_forward and ip6_fragment use it so a reassembled packet leaves in fragments no larger than those that arrived.', { related: ['nf_ct_frag6_gather', 'ip6_fragment', 'ip6_pkt_too_big'] }],
  ]),
  macro('IP6CB', LINUX_IPV6_H, 'L3', 'The skb control buffer seen as struct inet6_skb_parm (IPv6\'s counterpart of IPCB).', { related: ['inet6_skb_parm'] }),

  // Receive and local delivery.
  fn('ipv6_rcv', IP6_INPUT, 'L3', 'Entry of IPv6 receive (the ETH_P_IPV6 handler): validate the header in ip6_rcv_core, then run NF_INET_PRE_ROUTING (NFPROTO_IPV6) with ip6_rcv_finish as the continuation.', { related: ['ip6_rcv_core', 'ip6_rcv_finish', 'ipv6_packet_type', 'NF_INET_PRE_ROUTING', 'ip_rcv'] }),
  fn('ipv6_list_rcv', IP6_INPUT, 'L3', 'The batched form of ipv6_rcv for a list of skbs from GRO/NAPI: each goes through ip6_rcv_core, then the survivors through PRE_ROUTING and routing as sublists (ip6_sublist_rcv).', { related: ['ipv6_rcv', 'ip6_sublist_rcv'] }),
  fn('ip6_sublist_rcv', IP6_INPUT, 'L3', 'Run PRE_ROUTING on a sublist of received IPv6 packets that share a device and network namespace, then route and deliver each.', { related: ['ipv6_list_rcv', 'ip6_rcv_finish'] }),
  fn('ip6_rcv_core', IP6_INPUT, 'L3', 'The IPv6 header checks, in order (v6.12): drop PACKET_OTHERHOST, count Ip6InReceives, drop when the device has no inet6_dev or disable_ipv6 is set (SKB_DROP_REASON_IPV6DISABLED), need 40 bytes, version 6, no loopback address on a non-loopback device, no interface-local multicast from outside, no unicast inside link-layer multicast if drop_unicast_in_l2_multicast, no multicast source, payload_len within what arrived (Ip6InTruncatedPkts), then parse a hop-by-hop header at once.', { related: ['ipv6_rcv', 'ipv6hdr', 'ipv6_parse_hopopts', 'SKB_DROP_REASON_IPV6DISABLED', 'SKB_DROP_REASON_OTHERHOST', 'SKB_DROP_REASON_PKT_TOO_SMALL', 'IPSTATS_MIB_INTRUNCATEDPKTS'] }),
  fn('ip6_rcv_finish', IP6_INPUT, 'L3', 'After PRE_ROUTING: find the route (ip6_rcv_finish_core) and call dst_input, which is ip6_input for a local address, ip6_forward for a forwarded packet, ip6_mc_input for multicast, or ip6_pkt_discard for an unreachable route.', { related: ['ip6_rcv_finish_core', 'ip6_input', 'ip6_forward', 'ip6_mc_input', 'ip_rcv_finish'] }),
  fn('ip6_rcv_finish_core', IP6_INPUT, 'L3', 'Early demux when enabled (tcp_v6_early_demux, udp_v6_early_demux find an established socket and reuse its cached route), otherwise the full ip6_route_input lookup when the skb has no dst yet.', { related: ['ip6_route_input', 'tcp_v6_early_demux', 'udp_v6_early_demux', 'ip_rcv_finish_core'] }),
  fn('ip6_input', IP6_INPUT, 'L3', 'Input method of local routes: run NF_INET_LOCAL_IN with ip6_input_finish as the continuation. Unlike IPv4 it does not reassemble first: fragments reach the fragment header\'s handler (ipv6_frag_rcv) after LOCAL_IN, unless nf_defrag_ipv6 already reassembled them at PRE_ROUTING.', { related: ['ip6_input_finish', 'NF_INET_LOCAL_IN', 'ipv6_frag_rcv', 'ip_local_deliver'] }),
  fn('ip6_input_finish', IP6_INPUT, 'L3', 'After LOCAL_IN: deliver to the protocol handlers under RCU (ip6_protocol_deliver_rcu).', { related: ['ip6_protocol_deliver_rcu', 'ip6_input'] }),
  fn('ip6_protocol_deliver_rcu', IP6_INPUT, 'L3', 'Walk the header chain: raw sockets first (raw6_local_deliver), then the inet6_protocol registered for the next header. Extension header handlers return a positive value to continue with the next one; final protocols (TCP, UDP, ICMPv6) end the walk and count Ip6InDelivers. An unknown next header with no raw socket gets ICMPv6 parameter problem (ICMPV6_UNK_NEXTHDR) and SKB_DROP_REASON_IP_NOPROTO.', { related: ['inet6_protos', 'inet6_protocol', 'raw6_local_deliver', 'ICMPV6_UNK_NEXTHDR', 'SKB_DROP_REASON_IP_NOPROTO', 'ip_protocol_deliver_rcu'] }),
  fn('ip6_mc_input', IP6_INPUT, 'L3', 'Input method for multicast destinations: count Ip6InMcastPkts, deliver locally when the device joined the group (ipv6_chk_mcast_addr), and, when multicast routing is on, hand a copy of routable (not link-local) groups to the multicast router; router-alert MLD messages go only to local delivery.', { related: ['ipv6_chk_mcast_addr', 'ip6_input', 'IPSTATS_MIB_INMCASTPKTS'] }),
  fn('raw6_local_deliver', 'net/ipv6/raw.c', 'socket', 'Give a copy of a received packet to every raw IPv6 socket bound to its next header; returns whether any took it, so an unknown protocol with a raw listener is not answered with a parameter problem.', { related: ['ip6_protocol_deliver_rcu'] }),
  struct('inet6_protocol', 'include/net/protocol.h', 'L3', 'An IPv6 next-header handler: receive function, error handler and flags (INET6_PROTO_FINAL for transports, INET6_PROTO_NOPOLICY to skip the IPsec policy check). Extension headers register one too.', { related: ['inet6_add_protocol', 'inet6_protos', 'net_protocol', 'INET6_PROTO_FINAL'] }),
  macro('INET6_PROTO_FINAL', 'include/net/protocol.h', 'L3', 'Flag of an inet6_protocol that ends the header chain (a transport such as TCP, UDP or ICMPv6), as opposed to an extension header.', { related: ['inet6_protocol', 'ip6_protocol_deliver_rcu'] }),
  variable('inet6_protos', 'net/ipv6/protocol.c', 'L3', 'The table of inet6_protocol handlers indexed by next-header number, read under RCU by ip6_protocol_deliver_rcu.', { related: ['inet6_protocol', 'inet6_add_protocol', 'ip6_protocol_deliver_rcu'] }),
  fn('inet6_add_protocol', 'net/ipv6/protocol.c', 'L3', 'Register an inet6_protocol for a next-header number (fails if one is already there); tcpv6, udpv6, icmpv6 and the extension headers register at init.', { related: ['inet6_protos', 'inet6_protocol', 'inet_add_protocol'] }),

  // Forwarding.
  fn('ip6_forward', IP6_OUTPUT, 'L3', 'Input method of forwarded routes, in order (v6.12): refuse unless net.ipv6.conf.all.forwarding is on (Ip6InAddrErrors, SKB_DROP_REASON_IP_INADDRERRORS: a host that does not forward still builds forwarding routes, and refuses here), drop packets not addressed to us at L2, hand router-alert packets to ip6_call_ra_chain, check the hop limit (<= 1: ICMPv6 time exceeded, Ip6InHdrErrors, SKB_DROP_REASON_IP_INHDR), proxy NDP, IPsec policy, send a redirect when the packet leaves by the interface it came in on, else refuse an unspecified, multicast or loopback source and answer a link-local one with ICMPv6 beyond scope (ICMPV6_NOT_NEIGHBOUR), both counted as Ip6InAddrErrors; count Ip6OutForwDatagrams, then the MTU check: too big means ICMPv6 Packet Too Big carrying the MTU, Ip6InTooBigErrors and SKB_DROP_REASON_PKT_TOO_BIG, since routers never fragment IPv6. Finally decrement hop_limit and run NF_INET_FORWARD with ip6_forward_finish.', { related: ['ip6_forward_finish', 'ipv6hdr.hop_limit', 'ICMPV6_TIME_EXCEED', 'ICMPV6_PKT_TOOBIG', 'ip6_pkt_too_big', 'ipv6_devconf.forwarding', 'SKB_DROP_REASON_IP_INADDRERRORS', 'IPSTATS_MIB_INTOOBIGERRORS', 'SKB_DROP_REASON_PKT_TOO_BIG', 'ndisc_send_redirect', 'ip_forward'] }),
  fn('ip6_forward_finish', IP6_OUTPUT, 'L3', 'After NF_INET_FORWARD: count the octets forwarded, then dst_output (ip6_output) unless multicast forwarding took the packet.', { related: ['ip6_forward', 'ip6_output'] }),
  fn('ip6_forward_proxy_check', IP6_OUTPUT, 'L3', 'With proxy_ndp, decide whether a packet for a proxied address is a neighbour discovery message this host must answer itself (deliver locally) rather than forward.', { related: ['ip6_forward', 'ipv6_devconf.proxy_ndp', 'ndisc_recv_ns'] }),
  fn('ip6_pkt_too_big', IP6_OUTPUT, 'L3', 'Whether a packet exceeds an MTU for forwarding: a reassembled packet is judged by its largest original fragment, GSO packets by their segments, and ignore_df packets never are.', { related: ['ip6_forward', 'inet6_skb_parm.frag_max_size'] }),
  fn('ip6_call_ra_chain', IP6_OUTPUT, 'L3', 'Give a packet carrying the Router Alert hop-by-hop option to raw sockets that asked for it (IPV6_ROUTER_ALERT), before forwarding.', { related: ['ip6_forward', 'ipv6_hop_ra'] }),

  // Output.
  fn('ip6_output', IP6_OUTPUT, 'L3', 'Output method of IPv6 routes: set the device and protocol, drop with SKB_DROP_REASON_IPV6DISABLED when IPv6 is disabled on the device, then run NF_INET_POST_ROUTING (skipped for rerouted packets) with ip6_finish_output.', { related: ['ip6_finish_output', 'NF_INET_POST_ROUTING', 'SKB_DROP_REASON_IPV6DISABLED', 'ip_output'] }),
  fn('ip6_finish_output', IP6_OUTPUT, 'L3', 'After POST_ROUTING: run the cgroup BPF egress program (SKB_DROP_REASON_BPF_CGROUP_EGRESS on refusal), then __ip6_finish_output.', { related: ['__ip6_finish_output', 'ip6_output', 'SKB_DROP_REASON_BPF_CGROUP_EGRESS'] }),
  fn('__ip6_finish_output', IP6_OUTPUT, 'L3', 'Send or fragment: IPsec-transformed packets go back to dst_output; GSO packets are checked per segment (ip6_finish_output_gso); a packet longer than the route\'s MTU, or larger than a recorded frag_max_size, goes to ip6_fragment; everything else to ip6_finish_output2.', { related: ['ip6_fragment', 'ip6_finish_output2', 'ip6_mtu'] }),
  fn('ip6_finish_output2', IP6_OUTPUT, 'L3', 'Hand the packet to the neighbour layer: loop a copy of multicast back to local listeners, count Ip6OutMcastPkts and octets, look up or create the nd_tbl neighbour of the next hop (SKB_DROP_REASON_NEIGH_CREATEFAIL on failure) and neigh_output, which may first have to solicit the link-layer address.', { related: ['neigh_output', 'nd_tbl', 'ip6_neigh_lookup', 'ndisc_solicit', 'SKB_DROP_REASON_NEIGH_CREATEFAIL', 'ip_finish_output2'] }),
  fn('ip6_xmit', IP6_OUTPUT, 'L3', 'Send a complete packet from a connected socket (TCP, SCTP, DCCP): push the socket\'s extension headers, write the IPv6 header with the flow label and hop limit, and if it fits the MTU (or may be segmented) run NF_INET_LOCAL_OUT then dst_output; otherwise report EMSGSIZE to the socket and count Ip6FragFails.', { related: ['ip6_flow_hdr', 'ip6_dst_hoplimit', 'NF_INET_LOCAL_OUT', 'tcp_v6_send_synack', 'ip_queue_xmit'] }),
  fn('ip6_local_out', OUTPUT_CORE, 'L3', 'Send a locally built IPv6 packet: __ip6_local_out (length and LOCAL_OUT), then dst_output if the hook accepted it.', { related: ['__ip6_local_out', 'ip6_output', 'ip_local_out'] }),
  fn('__ip6_local_out', OUTPUT_CORE, 'L3', 'Set payload_len from the skb length (0 above 65535, which only a jumbogram may be), then run NF_INET_LOCAL_OUT with dst_output as the continuation.', { related: ['ip6_local_out', 'NF_INET_LOCAL_OUT', 'ipv6hdr.payload_len'] }),
  fn('ip6_dst_hoplimit', OUTPUT_CORE, 'L3', 'The hop limit to send with when the socket sets none: the route\'s hop limit metric, else the device\'s hop_limit sysctl, else the namespace default (64).', { related: ['ipv6_devconf.hop_limit', 'IPV6_DEFAULT_HOPLIMIT', 'ipv6_pinfo.hop_limit'] }),
  fn('ip6_append_data', IP6_OUTPUT, 'L3', 'Queue data from a datagram socket (UDP, raw, ICMPv6 errors) on the cork, in MTU-sized skbs with room for the IPv6 and extension headers, so the message can be fragmented cheaply later.', { related: ['ip6_push_pending_frames', 'ip6_make_skb', '__ip6_append_data', 'ip_append_data'] }),
  fn('__ip6_append_data', IP6_OUTPUT, 'L3', 'The body of ip6_append_data: compute the fragment geometry from the path MTU and header lengths, refuse messages larger than the MTU when the socket forbids fragmentation (EMSGSIZE), and fill the queue.', { related: ['ip6_append_data'] }),
  fn('ip6_setup_cork', IP6_OUTPUT, 'L3', 'Record a send\'s route, options, hop limit and MTU (the path MTU, or the device MTU with IPV6_PMTUDISC_PROBE) in the cork for the appends that follow.', { related: ['ip6_append_data', 'ip6_make_skb'] }),
  fn('ip6_push_pending_frames', IP6_OUTPUT, 'L3', 'Turn the socket\'s corked queue into one IPv6 packet (__ip6_make_skb) and send it with ip6_send_skb.', { related: ['ip6_append_data', 'ip6_send_skb', 'icmpv6_push_pending_frames'] }),
  fn('ip6_make_skb', IP6_OUTPUT, 'L3', 'The uncorked fast path of datagram sending: append the data to a private queue and build the final skb with its IPv6 header in one call (udpv6_sendmsg without MSG_MORE).', { related: ['ip6_append_data', 'udpv6_sendmsg', 'ip_make_skb'] }),
  fn('ip6_send_skb', IP6_OUTPUT, 'L3', 'Send a finished datagram with ip6_local_out, turning a congestion verdict into 0 and counting Ip6OutDiscards on error.', { related: ['ip6_local_out', 'udp_v6_send_skb'] }),
  fn('ip6_dst_lookup_flow', IP6_OUTPUT, 'L3', 'Route a flowi6 for sending: choose the source address when unset (ipv6_dev_get_saddr), look the route up, and apply IPsec policy.', { related: ['ip6_dst_lookup_tail', 'ip6_route_output_flags', 'ipv6_dev_get_saddr', 'flowi6', 'tcp_v6_connect'] }),
  fn('ip6_dst_lookup_tail', IP6_OUTPUT, 'L3', 'The common part of output lookups: route the flow, pick the source address from the route\'s device when none is bound, and with optimistic DAD send via the default router while the next hop is unresolved.', { related: ['ip6_dst_lookup_flow', 'ipv6_dev_get_saddr'] }),
  fn('ip6_sk_dst_lookup_flow', IP6_OUTPUT, 'L3', 'Route for a datagram socket, reusing the socket\'s cached dst while it is still valid for the flow.', { related: ['ip6_dst_lookup_flow', 'udpv6_sendmsg'] }),
  fn('ip6_flow_hdr', NET_IPV6_H, 'L3', 'Write the first four bytes of an IPv6 header: version 6, traffic class and flow label.', { related: ['ipv6hdr.flow_lbl', 'ip6_xmit'] }),

  // Fragmentation (only at the source in IPv6).
  fn('ip6_fragment', IP6_OUTPUT, 'L3', 'Fragment a locally sent packet (routers never fragment IPv6): when fragmenting is not allowed (the skb is not marked ignore_df, as with IPV6_PMTUDISC_DO, or netfilter reassembled it from fragments larger than the MTU), answer the sender itself with Packet Too Big and count Ip6FragFails; otherwise insert a fragment header after the unfragmentable headers (ip6_find_1stfragopt), with one identification (ipv6_select_ident), using the skb\'s frag list directly when its geometry fits (ip6_fraglist_init) or copying into new skbs (ip6_frag_init/ip6_frag_next). Counts Ip6FragCreates and Ip6FragOKs.', { related: ['ip6_find_1stfragopt', 'ipv6_select_ident', 'ip6_fraglist_init', 'ip6_frag_next', 'frag_hdr', 'ICMPV6_PKT_TOOBIG', 'ip_do_fragment'] }),
  fn('ip6_fraglist_init', IP6_OUTPUT, 'L3', 'Fast-path fragmentation setup: turn the head skb into the first fragment by inserting the fragment header, when every skb of the frag list already has a valid fragment size.', { related: ['ip6_fragment'] }),
  fn('ip6_frag_init', IP6_OUTPUT, 'L3', 'Slow-path fragmentation setup: record the header length, MTU and identification for copying the packet into new fragment skbs.', { related: ['ip6_frag_next', 'ip6_fragment'] }),
  fn('ip6_frag_next', IP6_OUTPUT, 'L3', 'Build the next fragment in the slow path: allocate, copy the unfragmentable headers, write the fragment header with the offset and More-Fragments bit, and copy up to an 8-byte multiple of data.', { related: ['ip6_frag_init', 'IP6_MF', 'frag_hdr.frag_off'] }),
  fn('ip6_find_1stfragopt', OUTPUT_CORE, 'L3', 'The offset where the fragmentable part starts: after hop-by-hop, routing and the destination options that precede a routing header, which every fragment repeats.', { related: ['ip6_fragment'] }),
  fn('ipv6_select_ident', OUTPUT_CORE, 'L3', 'Choose the 32-bit fragment identification, hashed from the addresses with a per-boot secret so it cannot be predicted.', { related: ['ip6_fragment', 'frag_hdr.identification'] }),

  // Extension headers.
  struct('ipv6_opt_hdr', UAPI_IPV6, 'L3', 'The common start of hop-by-hop and destination options headers: next header and length in 8-byte units beyond the first 8; TLV-encoded options follow.', { related: ['ipv6_parse_hopopts', 'ipv6_destopt_rcv', 'ip6_parse_tlv'] }),
  ...fields('ipv6_opt_hdr', UAPI_IPV6, 'L3', [
    ['nexthdr', 'The header after this one.', { related: ['ipv6hdr.nexthdr'] }],
    ['hdrlen', 'Length in 8-byte units, not counting the first 8 bytes (so 0 means 8 bytes); ipv6_optlen turns it into bytes.', { related: ['ipv6_skip_exthdr'] }],
  ]),
  struct('ipv6_rt_hdr', UAPI_IPV6, 'L3', 'The routing header\'s common part: next header, length, routing type and segments left. v6.12 accepts type 2 (mobile IPv6), segment routing (4) and RPL (3) when configured; type 0 is deprecated and refused.', { related: ['ipv6_rthdr_rcv', 'NEXTHDR_ROUTING'] }),
  struct('frag_hdr', NET_IPV6_H, 'L3', 'The 8-byte IPv6 fragment header: next header, a reserved byte, the fragment offset with the More-Fragments flag, and a 32-bit identification shared by all fragments of a packet.', { related: ['ipv6_frag_rcv', 'ip6_fragment', 'NEXTHDR_FRAGMENT', 'IP6_MF', 'IP6_OFFSET'] }),
  ...fields('frag_hdr', NET_IPV6_H, 'L3', [
    ['nexthdr', 'The header of the fragmentable part (the transport or more extension headers).'],
    ['frag_off', 'Offset of the data in 8-byte units (masked by IP6_OFFSET) and the More-Fragments bit IP6_MF in the lowest bit.', { related: ['IP6_MF', 'IP6_OFFSET', 'ip6_frag_queue'] }],
    ['identification', 'The 32-bit fragment ID (IPv4 has 16 bits), part of the reassembly key with the addresses.', { related: ['ipv6_select_ident', 'fq_find'] }],
  ]),
  fn('ipv6_parse_hopopts', EXTHDRS, 'L3', 'Process the hop-by-hop options header, which must directly follow the IPv6 header and is parsed in ip6_rcv_core before routing: each option (router alert, jumbo payload, IOAM, CALIPSO) is handled, and an unknown one is skipped or makes the packet dropped, with or without an ICMPv6 parameter problem, as the two high bits of its type say.', { related: ['ip6_rcv_core', 'ip6_parse_tlv', 'ipv6_hop_ra', 'ipv6_hop_jumbo', 'NEXTHDR_HOP'] }),
  fn('ip6_parse_tlv', EXTHDRS, 'L3', 'Walk the TLV options of a hop-by-hop or destination options header, skipping padding, applying the known ones and obeying the action bits of unknown ones; also limits how many and how long the options may be (max_hbh_opts_number and friends).', { related: ['ipv6_parse_hopopts', 'ipv6_destopt_rcv', 'ICMPV6_UNK_OPTION'] }),
  fn('ipv6_hop_ra', EXTHDRS, 'L3', 'The Router Alert option: mark the packet so routers give it to the sockets that asked for it (MLD and RSVP use it).', { related: ['ip6_call_ra_chain', 'ipv6_parse_hopopts'] }),
  fn('ipv6_hop_jumbo', EXTHDRS, 'L3', 'The Jumbo Payload option for packets over 65535 bytes: valid only with payload_len 0; sets the real length.', { related: ['ipv6hdr.payload_len', 'ipv6_parse_hopopts'] }),
  fn('ipv6_destopt_rcv', EXTHDRS, 'L3', 'Handler of the destination options header (registered for NEXTHDR_DEST): check the length, parse its options and continue with the next header.', { related: ['ip6_parse_tlv', 'NEXTHDR_DEST', 'inet6_protocol'] }),
  fn('ipv6_rthdr_rcv', EXTHDRS, 'L3', 'Handler of the routing header: with no segments left just continue; otherwise, if source routing is accepted for the type, swap in the next address and forward the packet again; a refused type gets a parameter problem pointing at the type field.', { related: ['ipv6_rt_hdr', 'NEXTHDR_ROUTING'] }),
  fn('ipv6_find_hdr', EXTHDRS_CORE, 'L3', 'Find a given header in the extension header chain (or the transport header when asked for any) and return its offset; reports whether it stopped at a non-first fragment. ip6tables and conntrack use it to find the protocol of a packet.', { related: ['ipv6_skip_exthdr', 'ip6t_do_table'] }),
  fn('ipv6_skip_exthdr', EXTHDRS_CORE, 'L3', 'Skip the extension headers after a given offset and return where the upper-layer header starts and its number; for a non-first fragment it stops, since the transport header is not there.', { related: ['ipv6_find_hdr', 'ipv6_ext_hdr', 'icmp6_send'] }),
  fn('ipv6_ext_hdr', EXTHDRS_CORE, 'L3', 'Whether a next-header number is an extension header (hop-by-hop, routing, fragment, AH, none, destination options).', { related: ['ipv6_skip_exthdr'] }),
  macro('NEXTHDR_HOP', NET_IPV6_H, 'L3', 'Next header 0: hop-by-hop options, only valid right after the IPv6 header.', { related: ['ipv6_parse_hopopts'] }),
  macro('NEXTHDR_TCP', NET_IPV6_H, 'L3', 'Next header 6: TCP (tcp_v6_rcv).', { related: ['tcp_v6_rcv'] }),
  macro('NEXTHDR_UDP', NET_IPV6_H, 'L3', 'Next header 17: UDP (udpv6_rcv).', { related: ['udpv6_rcv'] }),
  macro('NEXTHDR_ROUTING', NET_IPV6_H, 'L3', 'Next header 43: routing header.', { related: ['ipv6_rthdr_rcv', 'ipv6_rt_hdr'] }),
  macro('NEXTHDR_FRAGMENT', NET_IPV6_H, 'L3', 'Next header 44: fragment header, handled by ipv6_frag_rcv.', { related: ['frag_hdr', 'ipv6_frag_rcv'] }),
  macro('NEXTHDR_ICMP', NET_IPV6_H, 'L3', 'Next header 58: ICMPv6 (icmpv6_rcv).', { related: ['icmpv6_rcv'] }),
  macro('NEXTHDR_NONE', NET_IPV6_H, 'L3', 'Next header 59: nothing follows; the rest of the payload is ignored.', { related: ['ipv6hdr.nexthdr'] }),
  macro('NEXTHDR_DEST', NET_IPV6_H, 'L3', 'Next header 60: destination options.', { related: ['ipv6_destopt_rcv'] }),
  macro('IP6_MF', NET_IPV6_H, 'L3', 'The More-Fragments bit of frag_hdr.frag_off: set on every fragment but the last.', { related: ['frag_hdr.frag_off', 'IP_MF'] }),
  macro('IP6_OFFSET', NET_IPV6_H, 'L3', 'Mask of the offset in frag_hdr.frag_off (already in bytes, since the offset counts 8-byte units above the three low bits).', { related: ['frag_hdr.frag_off', 'IP_OFFSET'] }),
  macro('IPV6_MIN_MTU', UAPI_IPV6, 'L3', 'The IPv6 minimum link MTU, 1280 bytes: every link must carry it, ip6_forward never uses a smaller MTU, ICMPv6 errors are cut to fit it, and an interface with a smaller MTU loses IPv6.', { related: ['ip6_forward', 'icmp6_send', 'ipv6_devconf.mtu6'] }),
  macro('IPV6_DEFAULT_HOPLIMIT', NET_IPV6_H, 'L3', 'The default hop limit, 64, for packets whose socket, route and device set none.', { related: ['ip6_dst_hoplimit'] }),

  // Reassembly.
  fn('ipv6_frag_rcv', REASSEMBLY, 'L3', 'Handler of the fragment header, reached after LOCAL_IN: count Ip6ReasmReqds; an atomic fragment (offset 0, no More-Fragments) is processed as is; a first fragment whose header chain does not reach the transport header gets a parameter problem (ICMPV6_HDR_INCOMP, RFC 7112); otherwise find or create the queue (fq_find) and add the fragment (ip6_frag_queue), which reassembles when complete.', { related: ['ip6_frag_queue', 'ip6_frag_reasm', 'fq_find', 'frag_hdr', 'NEXTHDR_FRAGMENT', 'IPSTATS_MIB_REASMREQDS'] }),
  fn('fq_find', REASSEMBLY, 'L3', 'Find or create the reassembly queue of a fragment, keyed by identification, source, destination and, for a link-local or multicast destination, the incoming interface.', { related: ['ipv6_frag_rcv', 'frag_queue'] }),
  fn('ip6_frag_queue', REASSEMBLY, 'L3', 'Insert a fragment into its queue: an end beyond 65535 bytes or a non-last fragment not a multiple of 8 draws a parameter problem (ICMPV6_HDR_FIELD); an overlap discards the whole queue (RFC 5722); a duplicate is dropped (SKB_DROP_REASON_DUP_FRAG). When all pieces are in, ip6_frag_reasm rebuilds the packet.', { related: ['ip6_frag_reasm', 'ipv6_frag_rcv', 'SKB_DROP_REASON_DUP_FRAG', 'ICMPV6_HDR_FIELD'] }),
  fn('ip6_frag_reasm', REASSEMBLY, 'L3', 'Rebuild the packet from a complete queue: remove the fragment header, fix payload_len and the next-header byte, count Ip6ReasmOKs and continue the header walk with the reassembled payload.', { related: ['ip6_frag_queue', 'IPSTATS_MIB_REASMOKS'] }),
  fn('ip6_frag_expire', REASSEMBLY, 'L3', 'Timer of a reassembly queue that did not complete within net.ipv6.ip6frag_time (60 s): the shared ip6frag_expire_frag_queue counts Ip6ReasmFails and Ip6ReasmTimeout and, only if the first fragment arrived, sends ICMPv6 time exceeded (ICMPV6_EXC_FRAGTIME) about it, freeing it as SKB_DROP_REASON_FRAG_REASM_TIMEOUT.', { related: ['ICMPV6_EXC_FRAGTIME', 'SKB_DROP_REASON_FRAG_REASM_TIMEOUT', 'IPSTATS_MIB_REASMTIMEOUT'] }),
  struct('frag_queue', 'include/net/ipv6_frag.h', 'L3', 'An IPv6 reassembly queue: the generic inet_frag_queue plus the interface, the offset of the next-header byte to rewrite and the ECN bits seen.', { related: ['fq_find', 'ip6_frag_queue'] }),

  // Routing.
  fn('ip6_route_input', ROUTE6, 'L3', 'Route a received packet: build a flowi6 from its header (and flow hash for multipath), look it up with ip6_route_input_lookup and attach the dst, whose input method decides local delivery, forwarding or discard.', { related: ['ip6_route_input_lookup', 'flowi6', 'ip6_rcv_finish_core', 'ip_route_input_noref'] }),
  fn('ip6_route_input_lookup', ROUTE6, 'L3', 'Input lookup through the policy rules (fib6_rule_lookup) with ip6_pol_route_input as the per-table function.', { related: ['ip6_route_input', 'ip6_pol_route_input', 'fib6_lookup'] }),
  fn('ip6_pol_route_input', ROUTE6, 'L3', 'Per-table input lookup: ip6_pol_route with the input interface.', { related: ['ip6_pol_route'] }),
  fn('ip6_pol_route_output', ROUTE6, 'L3', 'Per-table output lookup: ip6_pol_route with the output interface.', { related: ['ip6_pol_route', 'ip6_route_output_flags'] }),
  fn('ip6_pol_route', ROUTE6, 'L3', 'The routing decision in one table: fib6_table_lookup and multipath selection, then the dst to use: a cached exception (learned PMTU or redirect), a per-CPU copy of the route, or an uncached clone.', { related: ['fib6_table_lookup', 'fib6_select_path', 'rt6_info', 'fib6_info', 'rt6_insert_exception'] }),
  fn('ip6_route_output_flags', ROUTE6, 'L3', 'Output route lookup for a flowi6 from a local sender, through the rules; on failure the returned dst carries the error (e.g. the null entry with ENETUNREACH).', { related: ['ip6_pol_route_output', 'ip6_route_output', 'ip6_dst_lookup_flow', 'flowi6'] }),
  fn('ip6_route_output', IP6_ROUTE_H, 'L3', 'Output route lookup without flags: inline wrapper of ip6_route_output_flags.', { related: ['ip6_route_output_flags'] }),
  fn('fib6_lookup', 'net/ipv6/fib6_rules.c', 'L3', 'Look a flow up through the IPv6 policy rules (`ip -6 rule`; local, main by default), each table with fib6_table_lookup.', { related: ['fib6_table_lookup', 'fib_lookup'] }),
  fn('fib6_table_lookup', ROUTE6, 'L3', 'Longest-prefix match in one table\'s radix tree (fib6_node_lookup), then rt6_select among the routes at that node (metric, usable next hop, router preference), backtracking to shorter prefixes when none qualifies.', { related: ['fib6_node_lookup', 'rt6_select', 'fib6_info', 'fib_table_lookup'] }),
  fn('fib6_node_lookup', IP6_FIB_C, 'L3', 'Find the tree node of the longest prefix matching a destination (and, with subtrees, a source).', { related: ['fib6_table_lookup', 'fib6_node'] }),
  fn('rt6_select', ROUTE6, 'L3', 'Choose among the routes of one prefix: lowest metric first, preferring next hops whose neighbour is reachable and routers of higher RA preference; when the chosen router\'s reachability is in doubt, the next lookup tries the next equal route (round-robin).', { related: ['fib6_table_lookup', 'find_match'] }),
  fn('find_match', ROUTE6, 'L3', 'Score one next hop for rt6_select: skip dead or link-down ones, check the neighbour\'s reachability and the router preference.', { related: ['rt6_select'] }),
  fn('fib6_select_path', ROUTE6, 'L3', 'Pick one of the equal-cost siblings of a multipath route by the flow hash.', { related: ['ip6_pol_route', 'fib6_info.fib6_nsiblings'] }),
  fn('rt6_insert_exception', ROUTE6, 'L3', 'Store a per-destination route exception (a clone with a learned PMTU or a redirect\'s gateway) under its route\'s next hop.', { related: ['ip6_update_pmtu', 'rt6_do_redirect', 'ip6_pol_route'] }),
  fn('ip6_update_pmtu', ROUTE6, 'L3', 'Learn a smaller path MTU for a destination from a Packet Too Big message (called from the transports\' ICMPv6 error handlers), as a route exception that expires after net.ipv6.route.mtu_expires.', { related: ['rt6_insert_exception', 'ICMPV6_PKT_TOOBIG', 'udpv6_err', 'tcp_v6_err'] }),
  fn('rt6_do_redirect', ROUTE6, 'L3', 'Apply an accepted NDISC redirect: update the neighbour of the new first hop and record an exception route through it.', { related: ['ndisc_redirect_rcv', 'rt6_insert_exception'] }),
  fn('ip6_mtu', ROUTE6, 'L3', 'MTU of an IPv6 dst: its MTU metric (a configured or learned path MTU), else the output device\'s mtu6 (1280 when the device has no IPv6 state).', { related: ['ipv6_devconf.mtu6', 'IPV6_MIN_MTU', '__ip6_finish_output'] }),
  fn('ip6_dst_mtu_maybe_forward', IP6_ROUTE_H, 'L3', 'The MTU ip6_forward checks against: the output device\'s IPv6 MTU (mtu6), ignoring path MTUs learned for the destination, unless the route\'s MTU is locked (`mtu lock`).', { related: ['ip6_forward', 'ip6_mtu'] }),
  fn('ip6_neigh_lookup', ROUTE6, 'L3', 'The neighbour entry of a route\'s next hop (the gateway, or the destination on a connected route).', { related: ['ip6_finish_output2', 'nd_tbl'] }),
  fn('ip6_link_failure', ROUTE6, 'L3', 'Link-failure handler of IPv6 routes, called when a packet cannot be delivered to its next hop (neighbour resolution failed): answer ICMPv6 address unreachable and invalidate a cached clone of the route.', { related: ['ndisc_error_report', 'ICMPV6_ADDR_UNREACH'] }),
  fn('ip6_pkt_discard', ROUTE6, 'L3', 'Input method of unreachable routes: count Ip6InNoRoutes (or Ip6InAddrErrors for an unspecified destination), answer ICMPv6 no route and drop with SKB_DROP_REASON_IP_INNOROUTES.', { related: ['ICMPV6_NOROUTE', 'SKB_DROP_REASON_IP_INNOROUTES', 'ip_error'] }),
  fn('ip6_pkt_prohibit', ROUTE6, 'L3', 'Input method of prohibit routes: answer ICMPv6 administratively prohibited.', { related: ['ICMPV6_ADM_PROHIBITED'] }),
  struct('fib6_info', IP6_FIB_H, 'L3', 'One IPv6 route in the FIB, as `ip -6 route` lists it: destination (and source) prefix, metric, flags, type, protocol, the table, and its next hop (fib6_nh) or nexthop object; equal-cost siblings form a multipath route. Packets never carry it: they carry an rt6_info made from it.', { related: ['rt6_info', 'fib6_table_lookup', 'fib6_nh', 'fib_info'] }),
  ...fields('fib6_info', IP6_FIB_H, 'L3', [
    ['fib6_table', 'The table this route lives in (main, local, or a numbered one).'],
    ['fib6_dst', 'Destination prefix and length.'],
    ['fib6_metric', 'Route priority: lower wins among routes of the same prefix (1024 for user routes, 256 for addrconf prefix routes by default).', { related: ['rt6_select'] }],
    ['fib6_type', 'Route type (RTN_UNICAST, RTN_LOCAL, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_BLACKHOLE).', { related: ['RTN_UNICAST', 'RTN_LOCAL'] }],
    ['fib6_nsiblings', 'How many equal-cost siblings a multipath route has.', { related: ['fib6_select_path'] }],
    ['fib6_nh', 'The route\'s next hop (gateway, device, cached per-CPU clones and exceptions) when it has no nexthop object.', { related: ['fib6_nh'] }],
  ]),
  struct('fib6_nh', IP6_FIB_H, 'L3', 'An IPv6 next hop: the common part shared with IPv4 (gateway, device, flags) plus the per-CPU route copies and the exception bucket (learned PMTUs, redirects).', { related: ['fib6_info', 'rt6_insert_exception'] }),
  struct('fib6_node', IP6_FIB_H, 'L3', 'A node of a table\'s radix tree of prefixes, holding the routes (leaf) of its prefix.', { related: ['fib6_node_lookup'] }),
  struct('fib6_result', IP6_FIB_H, 'L3', 'What a table lookup yields: the chosen route and next hop, its flags and type.', { related: ['fib6_table_lookup', 'fib_result'] }),
  struct('rt6_info', IP6_FIB_H, 'L3', 'The IPv6 dst_entry a packet carries (skb_dst): made from a fib6_info (per-CPU copy, or a clone for an exception), with the gateway, flags and inet6_dev. IPv6\'s counterpart of rtable.', { related: ['dst_entry', 'fib6_info', 'ip6_pol_route', 'rtable'] }),
  ...fields('rt6_info', IP6_FIB_H, 'L3', [
    ['dst', 'The embedded dst_entry: input/output methods (ip6_input, ip6_forward, ip6_output), device, metrics.', { related: ['dst_entry'] }],
    ['from', 'The fib6_info this dst was made from.', { related: ['fib6_info'] }],
    ['rt6i_gateway', 'Next-hop address (the destination itself on a connected route).', { related: ['ip6_neigh_lookup'] }],
    ['rt6i_idev', 'The inet6_dev of the output device.', { related: ['inet6_dev'] }],
    ['rt6i_flags', 'RTF_* flags: gateway, cache (an exception clone), local, anycast, expires.'],
  ]),
  struct('flowi6', 'include/net/flow.h', 'L3', 'The key of an IPv6 route lookup: interfaces, mark, protocol, destination and source addresses, flow label and ports.', { related: ['ip6_route_input', 'ip6_route_output_flags', 'flowi4'] }),
  ...fields('flowi6', 'include/net/flow.h', 'L3', [
    ['daddr', 'Destination address to route.'],
    ['saddr', 'Source address; when unspecified the output lookup picks one (ipv6_dev_get_saddr).', { related: ['ipv6_dev_get_saddr'] }],
    ['flowlabel', 'Traffic class and flow label, also used for the multipath hash.'],
    ['flowi6_oif', 'Output interface the lookup is restricted to (a bound socket, or a link-local destination\'s scope); an alias into the common flow key.'],
  ]),
  fn('ipv6_dev_get_saddr', 'net/ipv6/addrconf.c', 'L3', 'Source address selection (RFC 6724) for a destination: among the usable addresses (not tentative unless optimistic, not DAD-failed), prefer the same address, the right scope, non-deprecated, home, the outgoing interface\'s, a matching label, temporary or public as use_tempaddr and the socket ask, then the longest common prefix.', { related: ['ipv6_get_saddr_eval', 'ipv6_addr_label', 'ip6_dst_lookup_flow', 'inet6_ifaddr', 'inet_select_addr'] }),
  fn('ipv6_get_saddr_eval', 'net/ipv6/addrconf.c', 'L3', 'Evaluate one rule of source address selection for a candidate address, so ipv6_dev_get_saddr can compare two candidates rule by rule.', { related: ['ipv6_dev_get_saddr'] }),
  fn('ipv6_addr_label', 'net/ipv6/addrlabel.c', 'L3', 'The policy table label of an address (`ip addrlabel`), used by source selection to prefer a source whose label matches the destination\'s.', { related: ['ipv6_dev_get_saddr'] }),

  // SNMP counters IPv6 shows as Ip6* (the IPv4 entries of the same enum cover InReceives, InDelivers…).
  member('IPSTATS_MIB_INTOOBIGERRORS', SNMP, 'L3', 'IPv6 counter InTooBigErrors (nstat Ip6InTooBigErrors): packets ip6_forward could not forward because they exceeded the MTU (answered with Packet Too Big).', { counters: ['Ip6InTooBigErrors'], related: ['ip6_forward', 'ICMPV6_PKT_TOOBIG'] }),
  member('IPSTATS_MIB_INTRUNCATEDPKTS', SNMP, 'L3', 'IP counter InTruncatedPkts (Ip6InTruncatedPkts): packets shorter than their header claims.', { counters: ['Ip6InTruncatedPkts', 'IpExtInTruncatedPkts'], related: ['ip6_rcv_core'] }),
  member('IPSTATS_MIB_INDISCARDS', SNMP, 'L3', 'IP counter InDiscards (Ip6InDiscards): received packets discarded without an error in them (IPv6 disabled on the device, IPsec policy refusing a forwarded packet).', { counters: ['Ip6InDiscards', 'IpInDiscards'], related: ['ip6_rcv_core', 'ip6_forward'] }),
  member('IPSTATS_MIB_OUTDISCARDS', SNMP, 'L3', 'IP counter OutDiscards (Ip6OutDiscards): outgoing packets dropped, e.g. when IPv6 is disabled on the output device or the headroom could not be made.', { counters: ['Ip6OutDiscards', 'IpOutDiscards'], related: ['ip6_output'] }),
  member('IPSTATS_MIB_INMCASTPKTS', SNMP, 'L3', 'IP counter InMcastPkts (Ip6InMcastPkts): multicast packets received.', { counters: ['Ip6InMcastPkts'], related: ['ip6_mc_input'] }),
  member('IPSTATS_MIB_OUTMCASTPKTS', SNMP, 'L3', 'IP counter OutMcastPkts (Ip6OutMcastPkts): multicast packets sent, counted in ip6_finish_output2.', { counters: ['Ip6OutMcastPkts'], related: ['ip6_finish_output2'] }),
  member('IPSTATS_MIB_REASMTIMEOUT', SNMP, 'L3', 'IP counter ReasmTimeout (Ip6ReasmTimeout): reassembly queues that timed out.', { counters: ['Ip6ReasmTimeout'], related: ['ip6_frag_expire'] }),

  // Drop reasons of the IPv6 receive path.
  dropReason('IPV6DISABLED', 'L3', 'IPv6 is disabled on the device (net.ipv6.conf.DEV.disable_ipv6=1, or no inet6_dev): ip6_rcv_core drops received packets and ip6_output outgoing ones.', [], { related: ['ip6_rcv_core', 'ip6_output', 'ipv6_devconf.disable_ipv6'] }),
  dropReason('IPV6_BAD_EXTHDR', 'L3', 'A received ICMPv6 error whose quoted packet has extension headers that cannot be walked to the transport header: icmpv6_notify cannot tell which socket it concerns and drops it (v6.12).', [], { related: ['icmpv6_notify', 'ipv6_skip_exthdr'] }),
];
