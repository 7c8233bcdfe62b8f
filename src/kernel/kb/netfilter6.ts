// Netfilter for IPv6 (issue 14): ip6tables, IPv6 connection tracking and defragmentation,
// REJECT for IPv6 and NAT66 (net/ipv6/netfilter/*, net/netfilter/nf_conntrack_proto*.c,
// net/netfilter/nf_nat_proto.c). The hooks are the same NF_INET_* as IPv4's, under NFPROTO_IPV6.
import { enumType, fn, member, struct, variable } from './define';
import type { KbEntry } from './types';

const NF_IPV6_H = 'include/uapi/linux/netfilter_ipv6.h';
const IP6_TABLES_C = 'net/ipv6/netfilter/ip6_tables.c';
const IP6_TABLES_H = 'include/uapi/linux/netfilter_ipv6/ip6_tables.h';
const NF_REJECT6 = 'net/ipv6/netfilter/nf_reject_ipv6.c';
const CT_REASM = 'net/ipv6/netfilter/nf_conntrack_reasm.c';
const CT_PROTO = 'net/netfilter/nf_conntrack_proto.c';
const CT_ICMPV6 = 'net/netfilter/nf_conntrack_proto_icmpv6.c';
const NAT_PROTO = 'net/netfilter/nf_nat_proto.c';

export const NETFILTER6: KbEntry[] = [
  member('NFPROTO_IPV6', 'include/uapi/linux/netfilter.h', 'netfilter', 'The IPv6 netfilter family (10): the hooks ipv6_rcv, ip6_input, ip6_forward, __ip6_local_out and ip6_output run, where ip6tables, ip6 nftables tables and IPv6 conntrack register.', { related: ['NFPROTO_IPV4', 'NF_HOOK', 'ipv6_rcv'] }),
  enumType('nf_ip6_hook_priorities', NF_IPV6_H, 'netfilter', 'The order of IPv6 hook functions at one hook, lowest first: defragmentation, raw, conntrack, mangle, DNAT, filter, security, SNAT, conntrack confirm. Same values as IPv4\'s.', { related: ['nf_ip_hook_priorities', 'NF_IP6_PRI_CONNTRACK_DEFRAG', 'NF_IP6_PRI_FILTER'] }),
  member('NF_IP6_PRI_CONNTRACK_DEFRAG', NF_IPV6_H, 'netfilter', 'Priority -400: nf_defrag_ipv6 reassembles fragments here, before conntrack and every table, so rules see whole packets.', { related: ['ipv6_defrag', 'NF_IP_PRI_CONNTRACK_DEFRAG'] }),
  member('NF_IP6_PRI_RAW', NF_IPV6_H, 'netfilter', 'Priority -300: the ip6tables raw table (NOTRACK before conntrack).', { related: ['NF_IP_PRI_RAW'] }),
  member('NF_IP6_PRI_CONNTRACK', NF_IPV6_H, 'netfilter', 'Priority -200: IPv6 connection tracking (ipv6_conntrack_in, ipv6_conntrack_local).', { related: ['ipv6_conntrack_in', 'NF_IP_PRI_CONNTRACK'] }),
  member('NF_IP6_PRI_MANGLE', NF_IPV6_H, 'netfilter', 'Priority -150: the ip6tables mangle table.', { related: ['NF_IP_PRI_MANGLE'] }),
  member('NF_IP6_PRI_NAT_DST', NF_IPV6_H, 'netfilter', 'Priority -100: destination NAT (nf_nat_ipv6_in).', { related: ['nf_nat_ipv6_in', 'NF_IP_PRI_NAT_DST'] }),
  member('NF_IP6_PRI_FILTER', NF_IPV6_H, 'netfilter', 'Priority 0: the ip6tables filter table.', { related: ['ip6t_do_table', 'NF_IP_PRI_FILTER'] }),
  member('NF_IP6_PRI_NAT_SRC', NF_IPV6_H, 'netfilter', 'Priority 100: source NAT and masquerade (nf_nat_ipv6_out).', { related: ['nf_nat_ipv6_out', 'NF_IP_PRI_NAT_SRC'] }),

  // ip6tables.
  fn('ip6t_do_table', IP6_TABLES_C, 'netfilter', 'Traverse one ip6tables table for a packet at a hook, the IPv6 twin of ipt_do_table: match each rule\'s addresses, interfaces and protocol (found through the extension headers with ipv6_find_hdr), then its matches; apply the target (ACCEPT, DROP, a jump, REJECT…) or the chain\'s policy.', { related: ['ip6t_entry', 'ip6t_ip6', 'ipv6_find_hdr', 'ipt_do_table', 'NF_DROP'] }),
  fn('ip6t_register_table', IP6_TABLES_C, 'netfilter', 'Register an ip6tables table (filter, mangle, raw, nat, security) in a namespace and attach its hook functions.', { related: ['ip6t_do_table', 'ip6table_filter_table_init'] }),
  fn('ip6table_filter_table_init', 'net/ipv6/netfilter/ip6table_filter.c', 'netfilter', 'Create the ip6tables filter table (INPUT, FORWARD, OUTPUT) in a namespace when first used; the forward policy follows the module\'s forward parameter.', { related: ['ip6t_register_table'] }),
  struct('ip6t_entry', IP6_TABLES_H, 'netfilter', 'One ip6tables rule as the kernel stores it: the ip6t_ip6 header match, offsets to its target and the next rule, and its packet/byte counters.', { related: ['ip6t_ip6', 'ip6t_do_table'] }),
  struct('ip6t_ip6', IP6_TABLES_H, 'netfilter', 'The IPv6 part of a rule: source and destination with masks, input and output interfaces, protocol and inversion flags.', { related: ['ip6t_entry'] }),
  fn('reject_tg6', 'net/ipv6/netfilter/ip6t_REJECT.c', 'netfilter', 'The ip6tables REJECT target: answer with an ICMPv6 destination unreachable (icmp6-port-unreachable by default, or no-route, adm-prohibited, addr-unreachable…) via nf_send_unreach6, or a TCP reset via nf_send_reset6, then drop.', { related: ['nf_send_unreach6', 'nf_send_reset6', 'ICMPV6_PORT_UNREACH', 'ICMPV6_ADM_PROHIBITED'] }),

  // Defragmentation for conntrack.
  fn('nf_defrag_ipv6_enable', 'net/ipv6/netfilter/nf_defrag_ipv6_hooks.c', 'netfilter', 'Register the IPv6 defragmentation hooks in a namespace (PRE_ROUTING and LOCAL_OUT at priority -400); conntrack and the tables that need whole packets enable it.', { related: ['ipv6_defrag', 'NF_IP6_PRI_CONNTRACK_DEFRAG'] }),
  fn('ipv6_defrag', 'net/ipv6/netfilter/nf_defrag_ipv6_hooks.c', 'netfilter', 'The defragmentation hook: skip packets already tracked or untracked, otherwise nf_ct_frag6_gather; a fragment held for reassembly is NF_STOLEN, a completed packet continues as one skb, an invalid one is dropped.', { related: ['nf_ct_frag6_gather', 'NF_STOLEN', 'ipv4_conntrack_defrag'] }),
  fn('nf_ct_frag6_gather', CT_REASM, 'netfilter', 'Netfilter\'s own IPv6 reassembly, separate from ipv6_frag_rcv\'s: queue a fragment (nf_ct_frag6_queue) and, when the packet is complete, rebuild it in the skb (nf_ct_frag6_reasm), recording the largest fragment in IP6CB frag_max_size so forwarding and ip6_fragment can refragment at the original size.', { related: ['nf_ct_frag6_queue', 'nf_ct_frag6_reasm', 'inet6_skb_parm.frag_max_size', 'ipv6_frag_rcv'] }),
  fn('nf_ct_frag6_queue', CT_REASM, 'netfilter', 'Insert a fragment into a netfilter reassembly queue, with the same overlap and size checks as the stack\'s ip6_frag_queue.', { related: ['nf_ct_frag6_gather', 'ip6_frag_queue'] }),
  fn('nf_ct_frag6_reasm', CT_REASM, 'netfilter', 'Join a complete netfilter reassembly queue into one packet and remove the fragment header.', { related: ['nf_ct_frag6_gather', 'ip6_frag_reasm'] }),
  fn('nf_ct_frag6_expire', CT_REASM, 'netfilter', 'Timer of a netfilter reassembly queue that did not complete within net.netfilter.nf_conntrack_frag6_timeout (60 s): the same ip6frag_expire_frag_queue as ip6_frag_expire, so Ip6ReasmFails and Ip6ReasmTimeout move and, with the first fragment queued, the sender gets ICMPv6 time exceeded (fragment reassembly time exceeded).', { related: ['nf_ct_frag6_gather', 'ip6_frag_expire', 'ICMPV6_EXC_FRAGTIME'] }),

  // Connection tracking for IPv6 (the old nf_conntrack_ipv6 module's l3proto was folded into nf_conntrack in v4.19).
  variable('ipv6_conntrack_ops', CT_PROTO, 'netfilter', 'The IPv6 conntrack hook registrations: ipv6_conntrack_in at PRE_ROUTING, ipv6_conntrack_local at LOCAL_OUT (priority -200), and nf_confirm at POST_ROUTING and LOCAL_IN. Since v4.19 there is no nf_conntrack_l3proto for IPv6 (nor an nf_conntrack_ipv6 module): these hooks in nf_conntrack itself replaced it.', { related: ['ipv6_conntrack_in', 'ipv6_conntrack_local', 'nf_confirm', 'NF_IP6_PRI_CONNTRACK'] }),
  fn('ipv6_conntrack_in', CT_PROTO, 'netfilter', 'Conntrack at PRE_ROUTING for IPv6: nf_conntrack_in finds or creates the connection of the (already reassembled) packet.', { related: ['nf_conntrack_in', 'ipv6_conntrack_ops', 'ipv4_conntrack_in'] }),
  fn('ipv6_conntrack_local', CT_PROTO, 'netfilter', 'Conntrack at LOCAL_OUT for locally generated IPv6 packets.', { related: ['nf_conntrack_in', 'ipv4_conntrack_local'] }),
  fn('nf_conntrack_icmpv6_error', CT_ICMPV6, 'netfilter', 'Conntrack\'s check of an ICMPv6 packet: verify the checksum (when checksumming is on), and for an error message find the connection of the packet it quotes so the error is tracked as RELATED.', { related: ['icmpv6_pkt_to_tuple', 'IP_CT_RELATED'] }),
  fn('icmpv6_pkt_to_tuple', CT_ICMPV6, 'netfilter', 'The conntrack tuple of an ICMPv6 message: type, code and echo identifier (so an echo reply matches its request).', { related: ['nf_conntrack_tuple', 'nf_conntrack_icmpv6_error'] }),

  // REJECT for IPv6.
  fn('nf_send_reset6', NF_REJECT6, 'netfilter', 'Send a TCP reset in answer to a packet (REJECT --reject-with tcp-reset): not to a RST, not to a multicast destination, not for a bad checksum; build the IPv6 header (nf_reject_ip6hdr_put) and the RST (nf_reject_ip6_tcphdr_put), route it back and send it with ip6_local_out.', { related: ['nf_reject_ip6_tcphdr_get', 'nf_reject_ip6hdr_put', 'nf_reject_ip6_tcphdr_put', 'reject_tg6', 'nf_send_reset'] }),
  fn('nf_reject_ip6_tcphdr_get', NF_REJECT6, 'netfilter', 'Find and validate the TCP header of the packet being rejected (skipping extension headers, no fragments, no RST, valid checksum).', { related: ['nf_send_reset6'] }),
  fn('nf_reject_ip6hdr_put', NF_REJECT6, 'netfilter', 'Write the IPv6 header of a reject answer: addresses swapped, the given next header and hop limit.', { related: ['nf_send_reset6'] }),
  fn('nf_reject_ip6_tcphdr_put', NF_REJECT6, 'netfilter', 'Write the RST: ports swapped; if the offending segment carried an ACK the RST takes its sequence from it, otherwise it acknowledges the segment with the ACK flag set; then the checksum.', { related: ['nf_send_reset6'] }),
  fn('nf_log_ip6_packet', 'net/netfilter/nf_log_syslog.c', 'netfilter', 'The `log` statement (LOG target) on an IPv6 packet: the prefix, IN= OUT=, MAC= for a received packet, then dump_ipv6_packet\'s SRC= DST= LEN= TC= HOPLIMIT= FLOWLBL=, the extension headers and the transport header.', { related: ['nf_log_ip_packet', 'nft_do_chain'] }),
  fn('nf_send_unreach6', NF_REJECT6, 'netfilter', 'Answer a packet with ICMPv6 destination unreachable of a given code (REJECT\'s ICMPv6 variants), via icmpv6_send with the packet\'s route.', { related: ['icmpv6_send', 'reject_tg6', 'nf_send_unreach'] }),
  fn('nf_reject_skb_v6_tcp_reset', NF_REJECT6, 'netfilter', 'Build (without sending) a TCP reset skb for a packet, for callers that send from the bridge or netdev families.', { related: ['nf_send_reset6'] }),
  fn('ip6_route_me_harder', 'net/ipv6/netfilter.c', 'netfilter', 'Route a locally generated IPv6 packet again after netfilter changed its addresses or mark at LOCAL_OUT (NAT, mangle).', { related: ['ip_route_me_harder', 'ipv6_conntrack_local'] }),
  fn('nf_ip6_checksum', 'net/netfilter/utils.c', 'netfilter', 'Verify an IPv6 transport checksum for netfilter code (conntrack, REJECT), using the pseudo-header and the hardware\'s verdict when there is one.', { related: ['nf_reject_ip6_tcphdr_get'] }),

  // NAT66.
  fn('nf_nat_ipv6_fn', NAT_PROTO, 'netfilter', 'The IPv6 NAT hook body: for a new connection run the nat table to set up a binding, then rewrite the packet (ICMPv6 errors through nf_nat_icmpv6_reply_translation).', { related: ['nf_nat_ipv6_in', 'nf_nat_ipv6_out', 'nf_nat_inet_fn', 'nf_nat_ipv4_fn'] }),
  fn('nf_nat_ipv6_in', NAT_PROTO, 'netfilter', 'DNAT at PRE_ROUTING: nf_nat_ipv6_fn, then drop the route if the destination changed so routing looks again.', { related: ['nf_nat_ipv6_fn', 'NF_IP6_PRI_NAT_DST'] }),
  fn('nf_nat_ipv6_out', NAT_PROTO, 'netfilter', 'SNAT and masquerade at POST_ROUTING: nf_nat_ipv6_fn, and reroute IPsec traffic whose addresses changed.', { related: ['nf_nat_ipv6_fn', 'NF_IP6_PRI_NAT_SRC'] }),
  fn('nf_nat_icmpv6_reply_translation', NAT_PROTO, 'netfilter', 'Rewrite an ICMPv6 error that belongs to a NATed connection: both the outer header and the packet it quotes, with their checksums.', { related: ['nf_nat_ipv6_fn', 'nf_nat_icmp_reply_translation'] }),
  fn('nf_nat_ipv6_manip_pkt', NAT_PROTO, 'netfilter', 'Rewrite one address of an IPv6 packet (and the port or ICMPv6 echo id behind it) for NAT: the transport header first, unless this is a later fragment, folding the address change into the TCP, UDP or ICMPv6 checksum over the pseudo-header (IPv6 has no header checksum), then the address itself.', { related: ['nf_nat_ipv6_fn', 'nf_nat_ipv4_manip_pkt', 'nf_nat_icmpv6_reply_translation'] }),
];
