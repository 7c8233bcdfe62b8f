// ICMPv6, neighbour discovery and MLD (issue 14): net/ipv6/icmp.c, ndisc.c, mcast.c and their
// headers. Neighbour discovery replaces ARP, so these entries point at the IPv4/ARP ones they mirror.
import { dropReason, fields, fn, macro, member, struct, variable } from './define';
import type { KbEntry } from './types';

const ICMP6_C = 'net/ipv6/icmp.c';
const UAPI_ICMPV6 = 'include/uapi/linux/icmpv6.h';
const NDISC_C = 'net/ipv6/ndisc.c';
const NDISC_H = 'include/net/ndisc.h';
const MCAST_C = 'net/ipv6/mcast.c';
const MLD_H = 'include/net/mld.h';
const SNMP = 'include/uapi/linux/snmp.h';

export const ICMPV6_NDISC: KbEntry[] = [
  struct('icmp6hdr', UAPI_ICMPV6, 'L3', 'The ICMPv6 header: type, code, checksum (over a pseudo-header with both addresses, unlike ICMPv4) and four bytes whose meaning depends on the type: echo id and sequence, the MTU of Packet Too Big, the pointer of a parameter problem, the flags of a neighbour or router advertisement.', { related: ['icmp6_hdr', 'icmpv6_rcv', 'icmp6_send', 'icmphdr'] }),
  ...fields('icmp6hdr', UAPI_ICMPV6, 'L3', [
    ['icmp6_type', 'Message type: errors are 0–127 (destination unreachable 1, packet too big 2, time exceeded 3, parameter problem 4), informational 128–255 (echo, MLD, neighbour discovery). icmpv6_rcv dispatches on it.', { related: ['ICMPV6_DEST_UNREACH', 'ICMPV6_ECHO_REQUEST', 'NDISC_NEIGHBOUR_SOLICITATION'] }],
    ['icmp6_code', 'Sub-type of an error (for destination unreachable: no route, prohibited, address, port…); neighbour discovery requires 0.', { related: ['ICMPV6_PORT_UNREACH', 'SKB_DROP_REASON_IPV6_NDISC_BAD_CODE'] }],
    ['icmp6_cksum', 'Checksum over the pseudo-header and the message; a wrong one is counted in Icmp6InCsumErrors and Icmp6InErrors and dropped.', { related: ['ICMP6_MIB_CSUMERRORS'] }],
    ['icmp6_mtu', 'The next-hop MTU in a Packet Too Big message (an alias into the type-specific word).', { related: ['ICMPV6_PKT_TOOBIG', 'ip6_update_pmtu'] }],
    ['icmp6_pointer', 'The byte offset of the offending field in a parameter problem message.', { related: ['ICMPV6_PARAMPROB'] }],
    ['icmp6_identifier', 'The echo identifier (ping\'s id), copied into the reply.', { related: ['icmpv6_echo_reply'] }],
  ]),
  fn('icmp6_hdr', 'include/linux/icmpv6.h', 'L3', 'The ICMPv6 header of an skb, at its transport header.', { related: ['icmp6hdr'] }),

  fn('icmpv6_rcv', ICMP6_C, 'L3', 'ICMPv6 receive (next header 58): IPsec policy, checksum (Icmp6InCsumErrors), count Icmp6InMsgs and the per-type counter, then dispatch: echo request → icmpv6_echo_reply unless net.ipv6.icmp.echo_ignore_all, echo reply → ping sockets, Packet Too Big → learn the PMTU then icmpv6_notify, other errors → icmpv6_notify, router/neighbour messages and redirects → ndisc_rcv, MLD → igmp6_event_query/report. Unknown informational types are ignored.', { related: ['icmpv6_echo_reply', 'icmpv6_notify', 'ndisc_rcv', 'igmp6_event_query', 'ip6_update_pmtu', 'ICMP6_MIB_INMSGS', 'icmp_rcv'] }),
  fn('icmpv6_echo_reply', ICMP6_C, 'L3', 'Answer an echo request with an echo reply carrying the same identifier, sequence and data; a request to a multicast or anycast address is answered only if allowed (echo_ignore_multicast, echo_ignore_anycast), from a unicast address of ours. Rate limited like errors for the types in ratemask.', { related: ['icmpv6_rcv', 'ICMPV6_ECHO_REQUEST', 'ICMPV6_ECHO_REPLY', 'icmp_echo'] }),
  fn('icmpv6_notify', ICMP6_C, 'L3', 'Pass a received ICMPv6 error to the protocol of the packet it quotes: skip the quoted extension headers (SKB_DROP_REASON_IPV6_BAD_EXTHDR if impossible), then call that inet6_protocol\'s err_handler (udpv6_err, tcp_v6_err) and raw sockets.', { related: ['icmpv6_rcv', 'udpv6_err', 'tcp_v6_err', 'SKB_DROP_REASON_IPV6_BAD_EXTHDR', 'icmp_socket_deliver'] }),
  fn('icmpv6_err', ICMP6_C, 'L3', 'Error handler of ICMPv6 itself: an error quoting one of our echo requests goes to the ping socket that sent it.', { related: ['icmpv6_notify'] }),
  fn('icmp6_send', ICMP6_C, 'L3', 'Send an ICMPv6 error about a packet. Not about another error, and not when the offending packet went to a multicast or link-layer multicast address, except Packet Too Big and an unknown-option parameter problem, which must reach multicast senders; not to an unspecified or multicast source. Rate limited per destination (net.ipv6.icmp.ratelimit, ratemask) and host-wide; the message quotes as much of the packet as fits in 1280 bytes. Counts Icmp6OutMsgs, Icmp6OutErrors.', { related: ['icmpv6_send', 'icmpv6_xrlim_allow', 'icmpv6_global_allow', 'icmpv6_route_lookup', 'IPV6_MIN_MTU', 'ICMP6_MIB_OUTERRORS', '__icmp_send'] }),
  fn('icmpv6_send', 'include/linux/icmpv6.h', 'L3', 'Send an ICMPv6 error (type, code, info) about an skb: inline wrapper that passes the skb\'s IP6CB to the sender (icmp6_send when IPv6 is built in).', { related: ['icmp6_send', 'ip6_forward', 'icmp_send'] }),
  fn('icmpv6_param_prob_reason', ICMP6_C, 'L3', 'Send a parameter problem pointing at an offset of the packet, then free the packet with the given drop reason.', { related: ['ICMPV6_PARAMPROB', 'icmp6_send'] }),
  fn('icmpv6_xrlim_allow', ICMP6_C, 'L3', 'Per-destination rate limit of ICMPv6 messages: types in net.ipv6.icmp.ratemask are limited by a token bucket of net.ipv6.icmp.ratelimit (1000 ms), scaled by the prefix length of the route to the destination; Packet Too Big is always exempt. Refusals count Icmp6OutRateLimitHost.', { related: ['icmp6_send', 'ICMP6_MIB_RATELIMITHOST', 'netns_sysctl_ipv6.icmpv6_time', 'icmpv4_xrlim_allow'] }),
  fn('icmpv6_global_allow', ICMP6_C, 'L3', 'Host-wide ICMPv6 budget: shares the namespace\'s ICMP token bucket with IPv4 (net.ipv4.icmp_msgs_per_sec and icmp_msgs_burst).', { related: ['icmp_global_allow', 'icmp6_send'] }),
  fn('icmpv6_route_lookup', ICMP6_C, 'L3', 'Route an ICMPv6 error back to the sender, with IPsec handling of the reverse direction.', { related: ['icmp6_send', 'ip6_dst_lookup_flow'] }),
  fn('icmpv6_push_pending_frames', ICMP6_C, 'L3', 'Fill in the ICMPv6 checksum over the corked message and send it (ip6_push_pending_frames).', { related: ['ip6_push_pending_frames', 'icmp6_send', 'icmp_push_reply'] }),
  fn('icmpv6_err_convert', ICMP6_C, 'socket', 'Map an ICMPv6 error type and code to the errno a socket reports (no route → ENETUNREACH, port unreachable → ECONNREFUSED, time exceeded → EHOSTUNREACH…) and whether it is fatal.', { related: ['udpv6_err', 'tcp_v6_err'] }),

  macro('ICMPV6_DEST_UNREACH', UAPI_ICMPV6, 'L3', 'ICMPv6 type 1: destination unreachable; the code says why (no route, prohibited, address unreachable, port unreachable, reject route).', { related: ['ICMPV6_NOROUTE', 'ICMPV6_ADDR_UNREACH', 'ICMPV6_PORT_UNREACH', 'ICMP_DEST_UNREACH'] }),
  macro('ICMPV6_PKT_TOOBIG', UAPI_ICMPV6, 'L3', 'ICMPv6 type 2: Packet Too Big, carrying the MTU of the link that could not carry the packet. Since IPv6 routers never fragment, this is what path MTU discovery relies on; filtering it breaks large transfers.', { related: ['ip6_forward', 'icmp6hdr.icmp6_mtu', 'ip6_update_pmtu', 'ICMP_FRAG_NEEDED'] }),
  macro('ICMPV6_TIME_EXCEED', UAPI_ICMPV6, 'L3', 'ICMPv6 type 3: time exceeded; code 0 hop limit reached zero in transit (traceroute), code 1 reassembly timed out.', { related: ['ICMPV6_EXC_HOPLIMIT', 'ICMPV6_EXC_FRAGTIME', 'ICMP_TIME_EXCEEDED'] }),
  macro('ICMPV6_PARAMPROB', UAPI_ICMPV6, 'L3', 'ICMPv6 type 4: parameter problem, with a pointer to the offending byte; codes: bad header field, unknown next header, unknown option, incomplete header chain.', { related: ['ICMPV6_HDR_FIELD', 'ICMPV6_UNK_NEXTHDR', 'ICMPV6_UNK_OPTION', 'ICMPV6_HDR_INCOMP', 'icmp6hdr.icmp6_pointer'] }),
  macro('ICMPV6_ECHO_REQUEST', UAPI_ICMPV6, 'L3', 'ICMPv6 type 128: echo request (ping -6).', { related: ['icmpv6_echo_reply'] }),
  macro('ICMPV6_ECHO_REPLY', UAPI_ICMPV6, 'L3', 'ICMPv6 type 129: echo reply.', { related: ['icmpv6_echo_reply'] }),
  macro('ICMPV6_MGM_QUERY', UAPI_ICMPV6, 'L3', 'ICMPv6 type 130: MLD multicast listener query, from a router asking which groups have listeners.', { related: ['igmp6_event_query'] }),
  macro('ICMPV6_MGM_REPORT', UAPI_ICMPV6, 'L3', 'ICMPv6 type 131: MLDv1 listener report for one group.', { related: ['igmp6_event_report', 'igmp6_send'] }),
  macro('ICMPV6_MGM_REDUCTION', UAPI_ICMPV6, 'L3', 'ICMPv6 type 132: MLDv1 listener done (leaving a group).', { related: ['igmp6_send'] }),
  macro('ICMPV6_MLD2_REPORT', UAPI_ICMPV6, 'L3', 'ICMPv6 type 143: MLDv2 listener report, sent to ff02::16 with records for several groups.', { related: ['mld_send_report', 'mld2_report'] }),
  macro('ICMPV6_NOROUTE', UAPI_ICMPV6, 'L3', 'Destination unreachable code 0: no route to the destination.', { related: ['ip6_pkt_discard', 'ICMPV6_DEST_UNREACH'] }),
  macro('ICMPV6_ADM_PROHIBITED', UAPI_ICMPV6, 'L3', 'Destination unreachable code 1: administratively prohibited (a prohibit route, or ip6tables REJECT --reject-with icmp6-adm-prohibited).', { related: ['ip6_pkt_prohibit', 'reject_tg6'] }),
  macro('ICMPV6_ADDR_UNREACH', UAPI_ICMPV6, 'L3', 'Destination unreachable code 3: address unreachable, e.g. neighbour discovery of the destination failed, or a source ip6_forward will not forward.', { related: ['ndisc_error_report', 'ip6_forward', 'ICMP_HOST_UNREACH'] }),
  macro('ICMPV6_PORT_UNREACH', UAPI_ICMPV6, 'L3', 'Destination unreachable code 4: no socket on the destination port (Udp6NoPorts), also ip6tables REJECT\'s default.', { related: ['__udp6_lib_rcv', 'reject_tg6', 'ICMP_PORT_UNREACH'] }),
  macro('ICMPV6_REJECT_ROUTE', UAPI_ICMPV6, 'L3', 'Destination unreachable code 6: reject route to destination.', { related: ['ICMPV6_DEST_UNREACH'] }),
  macro('ICMPV6_EXC_HOPLIMIT', UAPI_ICMPV6, 'L3', 'Time exceeded code 0: the hop limit reached zero in transit (sent by ip6_forward).', { related: ['ip6_forward', 'ipv6hdr.hop_limit', 'ICMP_EXC_TTL'] }),
  macro('ICMPV6_EXC_FRAGTIME', UAPI_ICMPV6, 'L3', 'Time exceeded code 1: fragment reassembly timed out.', { related: ['ip6_frag_expire', 'ICMP_EXC_FRAGTIME'] }),
  macro('ICMPV6_HDR_FIELD', UAPI_ICMPV6, 'L3', 'Parameter problem code 0: an erroneous header field (e.g. a fragment length or offset that cannot be).', { related: ['ip6_frag_queue', 'ICMPV6_PARAMPROB'] }),
  macro('ICMPV6_UNK_NEXTHDR', UAPI_ICMPV6, 'L3', 'Parameter problem code 1: unknown next header (IPv6\'s protocol unreachable).', { related: ['ip6_protocol_deliver_rcu', 'ICMP_PROT_UNREACH'] }),
  macro('ICMPV6_UNK_OPTION', UAPI_ICMPV6, 'L3', 'Parameter problem code 2: an unrecognised option whose type asks for an error report.', { related: ['ip6_parse_tlv'] }),
  macro('ICMPV6_HDR_INCOMP', UAPI_ICMPV6, 'L3', 'Parameter problem code 3: the first fragment does not contain the whole header chain (RFC 7112).', { related: ['ipv6_frag_rcv'] }),

  member('ICMP6_MIB_INMSGS', SNMP, 'L3', 'ICMPv6 counter InMsgs (nstat Icmp6InMsgs): every ICMPv6 message icmpv6_rcv accepts after the checksum.', { counters: ['Icmp6InMsgs'], related: ['icmpv6_rcv'] }),
  member('ICMP6_MIB_INERRORS', SNMP, 'L3', 'ICMPv6 counter InErrors (Icmp6InErrors): received messages with a bad checksum or length.', { counters: ['Icmp6InErrors'], related: ['icmpv6_rcv'] }),
  member('ICMP6_MIB_OUTMSGS', SNMP, 'L3', 'ICMPv6 counter OutMsgs (Icmp6OutMsgs): every ICMPv6 message sent, including neighbour discovery and MLD.', { counters: ['Icmp6OutMsgs'], related: ['icmp6_send', 'ndisc_send_skb'] }),
  member('ICMP6_MIB_OUTERRORS', SNMP, 'L3', 'ICMPv6 counter OutErrors (Icmp6OutErrors): ICMPv6 messages that could not be sent.', { counters: ['Icmp6OutErrors'], related: ['icmp6_send'] }),
  member('ICMP6_MIB_CSUMERRORS', SNMP, 'L3', 'ICMPv6 counter InCsumErrors (Icmp6InCsumErrors).', { counters: ['Icmp6InCsumErrors'], related: ['icmpv6_rcv', 'icmp6hdr.icmp6_cksum'] }),
  member('ICMP6_MIB_RATELIMITHOST', SNMP, 'L3', 'ICMPv6 counter OutRateLimitHost (Icmp6OutRateLimitHost): messages suppressed by the per-destination rate limit.', { counters: ['Icmp6OutRateLimitHost'], related: ['icmpv6_xrlim_allow'] }),

  // Neighbour discovery (RFC 4861): IPv6's ARP, router discovery and redirects.
  variable('nd_tbl', NDISC_C, 'L2', 'The neighbour table of IPv6 (`ip -6 neigh`): entries resolved by neighbour solicitations, with the same NUD states as arp_tbl.', { related: ['neigh_table', 'arp_tbl', 'ndisc_constructor', 'ndisc_solicit'] }),
  fn('ndisc_constructor', NDISC_C, 'L2', 'Initialise a new nd_tbl entry: multicast and loopback destinations need no resolution (NUD_NOARP), the rest start unresolved with neigh_resolve_output as output.', { related: ['nd_tbl', 'ndisc_mc_map', 'neigh_resolve_output'] }),
  fn('ndisc_mc_map', NDISC_C, 'L2', 'The link-layer address of an IPv6 multicast address (on Ethernet 33:33 followed by its last four bytes).', { related: ['ndisc_constructor'] }),
  fn('ndisc_solicit', NDISC_C, 'L2', 'Neighbour table callback to probe an unresolved or stale neighbour: send a neighbour solicitation, multicast to the solicited-node group while resolving, unicast while probing.', { related: ['ndisc_send_ns', 'nd_tbl', 'arp_solicit'] }),
  fn('ndisc_error_report', NDISC_C, 'L2', 'A neighbour failed to resolve: answer each queued packet with ICMPv6 address unreachable.', { related: ['ICMPV6_ADDR_UNREACH', 'arp_error_report'] }),
  fn('ndisc_rcv', NDISC_C, 'L2', 'Entry of neighbour discovery for ICMPv6 types 133–137: a fragmented message (SKB_DROP_REASON_IPV6_NDISC_FRAG), a hop limit other than 255 (IPV6_NDISC_HOP_LIMIT, proof it came from the link) or a code other than 0 (IPV6_NDISC_BAD_CODE) is dropped; then dispatch to ndisc_recv_ns, ndisc_recv_na, ndisc_recv_rs, ndisc_router_discovery or ndisc_redirect_rcv.', { related: ['ndisc_recv_ns', 'ndisc_recv_na', 'ndisc_router_discovery', 'ndisc_redirect_rcv', 'SKB_DROP_REASON_IPV6_NDISC_HOP_LIMIT', 'arp_rcv'] }),
  fn('ndisc_recv_ns', NDISC_C, 'L2', 'A neighbour solicitation: check it (target not multicast; a DAD probe from :: must go to the solicited-node group and carry no source link-layer option). If the target is one of our tentative addresses, it is a duplicate (addrconf_dad_failure) unless it is our own looped-back probe (nonce). If the target is ours, learn the sender as STALE and answer with ndisc_send_na; a target not ours (nor proxied, nor anycast) is dropped with IPV6_NDISC_NS_OTHERHOST.', { related: ['ndisc_send_na', 'addrconf_dad_failure', 'nd_msg', 'SKB_DROP_REASON_IPV6_NDISC_NS_OTHERHOST', 'arp_process'] }),
  fn('ndisc_recv_na', NDISC_C, 'L2', 'A neighbour advertisement: one for our tentative address means DAD failed; otherwise update the neighbour (solicited → REACHABLE, unsolicited → STALE, honouring the override and router flags). Unsolicited advertisements for unknown neighbours are ignored unless accept_untracked_na, or always with drop_unsolicited_na.', { related: ['neigh_update', 'addrconf_dad_failure', 'NUD_REACHABLE', 'NUD_STALE', 'ipv6_devconf.accept_dad'] }),
  fn('ndisc_recv_rs', NDISC_C, 'L2', 'A router solicitation: a router (forwarding on) learns the sender\'s link-layer address; answering with router advertisements is left to a user-space daemon (radvd).', { related: ['ndisc_send_rs', 'rs_msg'] }),
  fn('ndisc_router_discovery', NDISC_C, 'L3', 'A router advertisement, accepted only from a link-local source and when accept_ra allows it (not while forwarding unless accept_ra is 2): install or refresh the default route through the sender with its lifetime and preference, take the current hop limit, reachable time and retransmit timer, the MTU option (accept_ra_mtu) and route information, and give each prefix option to addrconf_prefix_rcv (on-link routes and SLAAC).', { related: ['addrconf_prefix_rcv', 'ra_msg', 'ipv6_devconf.accept_ra', 'ND_OPT_PREFIX_INFO', 'ND_OPT_MTU'] }),
  fn('ndisc_redirect_rcv', NDISC_C, 'L3', 'An ICMPv6 redirect from the current first-hop router: if accept_redirects, the quoted flow is handed to the protocol, which installs an exception route through the better next hop (rt6_do_redirect).', { related: ['rt6_do_redirect', 'ndisc_send_redirect', 'ipv6_devconf.accept_redirects'] }),
  fn('ndisc_send_ns', NDISC_C, 'L2', 'Send a neighbour solicitation for a target: to its solicited-node multicast group (resolution, DAD) or unicast (reachability probe), with our link-layer address option unless the source is :: (a DAD probe), and a nonce for enhanced DAD.', { related: ['ndisc_ns_create', 'ndisc_send_skb', 'addrconf_dad_work', 'NDISC_NEIGHBOUR_SOLICITATION', 'arp_send_dst'] }),
  fn('ndisc_ns_create', NDISC_C, 'L2', 'Build a neighbour solicitation skb: the ND header with the target, and the source link-layer and nonce options.', { related: ['ndisc_send_ns'] }),
  fn('ndisc_send_na', NDISC_C, 'L2', 'Send a neighbour advertisement for one of our addresses, with the router flag when forwarding, the solicited flag when answering, the override flag unless anycast, and our link-layer address option.', { related: ['ndisc_recv_ns', 'NDISC_NEIGHBOUR_ADVERTISEMENT', 'ndisc_send_unsol_na'] }),
  fn('ndisc_send_unsol_na', NDISC_C, 'L2', 'Announce all our addresses on a device with unsolicited neighbour advertisements (e.g. after a link-layer address change, when ndisc_notify is set).', { related: ['ndisc_send_na'] }),
  fn('ndisc_send_rs', NDISC_C, 'L2', 'Send a router solicitation to all routers (ff02::2), from a link-local address when one is ready, else from ::.', { related: ['addrconf_rs_timer', 'addrconf_dad_completed', 'NDISC_ROUTER_SOLICITATION'] }),
  fn('ndisc_send_redirect', NDISC_C, 'L3', 'A router tells a host on the link that a better first hop exists for a destination (sent by ip6_forward when a packet leaves by the interface it came in on), rate limited per host.', { related: ['ip6_forward', 'NDISC_REDIRECT'] }),
  fn('ndisc_send_skb', NDISC_C, 'L2', 'Send a neighbour discovery message: checksum it, route it and send through NF_INET_LOCAL_OUT with hop limit 255; counts Icmp6OutMsgs and the per-type counter.', { related: ['ndisc_send_ns', 'ndisc_send_na', 'ICMP6_MIB_OUTMSGS'] }),
  fn('ndisc_parse_options', NDISC_C, 'L2', 'Split the options of a neighbour discovery message into a table by type; a zero-length or truncated option makes the message invalid (SKB_DROP_REASON_IPV6_NDISC_BAD_OPTIONS).', { related: ['SKB_DROP_REASON_IPV6_NDISC_BAD_OPTIONS', 'ND_OPT_SOURCE_LL_ADDR'] }),
  struct('nd_msg', NDISC_H, 'L2', 'A neighbour solicitation or advertisement: the ICMPv6 header (flags in its data word) and the target address, followed by options.', { related: ['ndisc_recv_ns', 'ndisc_recv_na', 'arphdr'] }),
  struct('rs_msg', NDISC_H, 'L2', 'A router solicitation: the ICMPv6 header, then options.', { related: ['ndisc_send_rs'] }),
  struct('ra_msg', NDISC_H, 'L3', 'A router advertisement: the ICMPv6 header (current hop limit, managed/other flags, router lifetime), reachable time and retransmit timer, then options (prefixes, MTU, routes, DNS).', { related: ['ndisc_router_discovery'] }),
  macro('NDISC_ROUTER_SOLICITATION', NDISC_H, 'L2', 'ICMPv6 type 133: router solicitation.', { related: ['ndisc_send_rs', 'ndisc_recv_rs'] }),
  macro('NDISC_ROUTER_ADVERTISEMENT', NDISC_H, 'L3', 'ICMPv6 type 134: router advertisement.', { related: ['ndisc_router_discovery'] }),
  macro('NDISC_NEIGHBOUR_SOLICITATION', NDISC_H, 'L2', 'ICMPv6 type 135: neighbour solicitation (IPv6\'s ARP request, and the DAD probe).', { related: ['ndisc_send_ns', 'ndisc_recv_ns', 'ARPOP_REQUEST'] }),
  macro('NDISC_NEIGHBOUR_ADVERTISEMENT', NDISC_H, 'L2', 'ICMPv6 type 136: neighbour advertisement (IPv6\'s ARP reply).', { related: ['ndisc_send_na', 'ndisc_recv_na', 'ARPOP_REPLY'] }),
  macro('NDISC_REDIRECT', NDISC_H, 'L3', 'ICMPv6 type 137: redirect.', { related: ['ndisc_redirect_rcv', 'ndisc_send_redirect'] }),
  member('ND_OPT_SOURCE_LL_ADDR', NDISC_H, 'L2', 'ND option 1: the sender\'s link-layer address (in solicitations).', { related: ['ndisc_parse_options'] }),
  member('ND_OPT_TARGET_LL_ADDR', NDISC_H, 'L2', 'ND option 2: the target\'s link-layer address (in advertisements and redirects).', { related: ['ndisc_send_na'] }),
  member('ND_OPT_PREFIX_INFO', NDISC_H, 'L3', 'ND option 3: a prefix with on-link (L) and autonomous (A) flags and lifetimes, the input of SLAAC.', { related: ['addrconf_prefix_rcv'] }),
  member('ND_OPT_MTU', NDISC_H, 'L3', 'ND option 5: the link MTU advertised by the router (applied when accept_ra_mtu).', { related: ['ndisc_router_discovery'] }),

  dropReason('IPV6_NDISC_FRAG', 'L2', 'A neighbour discovery message arrived fragmented, which RFC 6980 forbids.', [], { related: ['ndisc_rcv'] }),
  dropReason('IPV6_NDISC_HOP_LIMIT', 'L2', 'A neighbour discovery message with a hop limit other than 255: it may have been routed from off the link.', [], { related: ['ndisc_rcv', 'ipv6hdr.hop_limit'] }),
  dropReason('IPV6_NDISC_BAD_CODE', 'L2', 'A neighbour discovery message with a non-zero ICMPv6 code.', [], { related: ['ndisc_rcv'] }),
  dropReason('IPV6_NDISC_BAD_OPTIONS', 'L2', 'A neighbour discovery message with invalid or disallowed options.', [], { related: ['ndisc_parse_options'] }),
  dropReason('IPV6_NDISC_NS_OTHERHOST', 'L2', 'A neighbour solicitation for a target that is not ours (nor proxied or anycast): ignored.', [], { related: ['ndisc_recv_ns'] }),

  // MLD (RFC 2710, 3810): IPv6's IGMP.
  struct('mld_msg', MLD_H, 'L3', 'An MLDv1 message (query, report, done): ICMPv6 header with the maximum response delay, and the multicast address.', { related: ['igmp6_event_query', 'igmp6_send'] }),
  struct('mld2_report', MLD_H, 'L3', 'An MLDv2 report: a list of group records (mode and sources per group).', { related: ['mld_send_report', 'ICMPV6_MLD2_REPORT'] }),
  struct('ifmcaddr6', 'include/net/if_inet6.h', 'L3', 'One multicast group a device listens to, with its users, sources, MLD timers and report state.', { related: ['ipv6_dev_mc_inc', 'inet6_dev'] }),
  fn('igmp6_event_query', MCAST_C, 'L3', 'A received MLD query: queue it for mld_query_work, so the answer is computed outside the receive path.', { related: ['mld_query_work', 'ICMPV6_MGM_QUERY'] }),
  fn('mld_query_work', MCAST_C, 'L3', 'Process queued MLD queries: learn the querier\'s version and timers, and schedule reports for the groups asked about after a random delay.', { related: ['igmp6_event_query', 'mld_send_report'] }),
  fn('igmp6_event_report', MCAST_C, 'L3', 'A received MLD report from another listener: queue it for mld_report_work (in MLDv1 another listener\'s report cancels ours for that group).', { related: ['mld_report_work', 'ICMPV6_MGM_REPORT'] }),
  fn('mld_report_work', MCAST_C, 'L3', 'Process queued MLD reports of other listeners, stopping our pending MLDv1 report for the same group.', { related: ['igmp6_event_report'] }),
  fn('igmp6_send', MCAST_C, 'L3', 'Send an MLDv1 report or done message: from a link-local source, hop limit 1, with the router alert hop-by-hop option.', { related: ['ICMPV6_MGM_REPORT', 'ICMPV6_MGM_REDUCTION', 'ipv6_hop_ra'] }),
  fn('mld_send_report', MCAST_C, 'L3', 'Send MLDv2 reports (current state records) for one group or all, to ff02::16.', { related: ['mld2_report', 'ICMPV6_MLD2_REPORT'] }),
  fn('mld_ifc_work', MCAST_C, 'L3', 'Send MLDv2 state-change reports after joins and leaves, repeated robustness-variable times.', { related: ['mld_send_report'] }),
  fn('igmp6_join_group', MCAST_C, 'L3', 'After joining a group, send an unsolicited report and start the timer that repeats it.', { related: ['ipv6_dev_mc_inc', 'igmp6_send'] }),
  fn('ipv6_dev_mc_inc', MCAST_C, 'L3', 'Join a multicast group on a device (or take another reference): program the link-layer filter and announce it with MLD. Addrconf joins the all-nodes and each address\'s solicited-node group this way.', { related: ['ifmcaddr6', 'addrconf_join_solict', 'igmp6_join_group'] }),
  fn('ipv6_sock_mc_join', MCAST_C, 'socket', 'IPV6_JOIN_GROUP / IPV6_ADD_MEMBERSHIP on a socket: record the membership and join the group on the chosen device.', { related: ['ipv6_dev_mc_inc'] }),
  fn('ipv6_chk_mcast_addr', MCAST_C, 'L3', 'Whether a device listens to a multicast group (and to the given source): decides local delivery in ip6_mc_input.', { related: ['ip6_mc_input', 'ifmcaddr6'] }),
];
