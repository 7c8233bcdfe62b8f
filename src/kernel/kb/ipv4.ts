// IPv4: receive, routing, local delivery, forwarding, output, fragmentation and reassembly
// (net/ipv4/ip_input.c, route.c, fib_*.c, ip_forward.c, ip_output.c, ip_fragment.c).
import { fields, fn, macro, member, struct, variable } from './define';
import type { KbEntry } from './types';

const IP_INPUT = 'net/ipv4/ip_input.c';
const IP_OUTPUT = 'net/ipv4/ip_output.c';
const IP_FORWARD = 'net/ipv4/ip_forward.c';
const IP_FRAGMENT = 'net/ipv4/ip_fragment.c';
const INET_FRAGMENT = 'net/ipv4/inet_fragment.c';
const ROUTE_C = 'net/ipv4/route.c';
const ROUTE_H = 'include/net/route.h';
const IP_H = 'include/net/ip.h';
const IP_FIB_H = 'include/net/ip_fib.h';
const DST_H = 'include/net/dst.h';
const UAPI_IP = 'include/uapi/linux/ip.h';
const RTNETLINK = 'include/uapi/linux/rtnetlink.h';
const UAPI_IN = 'include/uapi/linux/in.h';

export const IPV4: KbEntry[] = [
  struct('iphdr', UAPI_IP, 'L3', 'The IPv4 header: version and header length, TOS, total length, identification and fragment field, TTL, protocol, header checksum, source and destination. At least 20 bytes (ihl 5), more with options.', { related: ['ip_hdr', 'ip_rcv_core', 'ip_send_check'], steps: ['ip_rcv_core', 'ip_forward', '__ip_local_out', 'ip_do_fragment'] }),
  ...fields('iphdr', UAPI_IP, 'L3', [
    ['version', 'IP version, must be 4; ip_rcv_core drops others with SKB_DROP_REASON_IP_INHDR.', { steps: ['ip_rcv_core'] }],
    ['ihl', 'Header length in 32-bit words (5 without options). Less than 5 is a header error; the transport header starts at ihl*4.', { related: ['sk_buff.transport_header', 'SKB_DROP_REASON_IP_INHDR'], steps: ['ip_rcv_core'] }],
    ['tos', 'Type of service: DSCP and ECN bits.', { related: ['sk_buff.priority'] }],
    ['tot_len', 'Length of the whole datagram, header included. Must fit in what arrived (else IP_INHDR) and not be below ihl*4; padding beyond it is trimmed.', { related: ['pskb_trim_rcsum', 'sk_buff.len'], steps: ['ip_rcv_core', 'ip_do_fragment'] }],
    ['id', 'Identification: all fragments of a datagram share it, so the receiver can reassemble them.', { related: ['ip_select_ident', 'ip_defrag'], steps: ['ip_defrag', 'ip_do_fragment'] }],
    ['frag_off', 'Flags and fragment offset: IP_DF (don\'t fragment), IP_MF (more fragments), and the offset in 8-byte units (IP_OFFSET).', { related: ['IP_DF', 'IP_MF', 'IP_OFFSET', 'ip_is_fragment'], steps: ['ip_local_deliver', 'ip_forward', 'ip_do_fragment'] }],
    ['ttl', 'Time to live: each router decrements it (ip_decrease_ttl in ip_forward); a packet arriving to be forwarded with ttl <= 1 is dropped and answered with ICMP time exceeded.', { related: ['ip_decrease_ttl', 'ip_forward', 'ICMP_TIME_EXCEEDED'], steps: ['ip_forward'] }],
    ['protocol', 'The L4 protocol (IPPROTO_ICMP 1, IPPROTO_TCP 6, IPPROTO_UDP 17): ip_protocol_deliver_rcu picks the handler by it.', { related: ['IPPROTO_UDP', 'IPPROTO_TCP', 'ip_protocol_deliver_rcu'], steps: ['ip_protocol_deliver_rcu'] }],
    ['check', 'Header checksum (over the header only); a wrong one drops in ip_rcv_core (SKB_DROP_REASON_IP_CSUM). Recomputed after the TTL changes and on output by ip_send_check.', { related: ['ip_send_check', 'SKB_DROP_REASON_IP_CSUM'], steps: ['ip_rcv_core', 'ip_forward', '__ip_local_out'] }],
    ['saddr', 'Source address.', { related: ['inet_select_addr', 'fib_validate_source'] }],
    ['daddr', 'Destination address: the key of the input route lookup.', { related: ['ip_route_input_noref', 'fib_lookup'], steps: ['ip_route_input_noref'] }],
  ]),
  fn('ip_hdr', 'include/linux/ip.h', 'L3', 'The IPv4 header of an skb, at its network header offset.', { related: ['iphdr', 'skb_network_header'] }),
  variable('ip_packet_type', 'net/ipv4/af_inet.c', 'L3', 'The packet_type that registers ip_rcv for ETH_P_IP frames.', { related: ['packet_type', 'ip_rcv', 'ETH_P_IP'] }),

  fn('ip_rcv', IP_INPUT, 'L3', 'Entry of IPv4 receive (the ETH_P_IP handler): validate the header in ip_rcv_core, then run the NF_INET_PRE_ROUTING hook with ip_rcv_finish as the continuation.', { related: ['ip_rcv_core', 'ip_rcv_finish', 'NF_INET_PRE_ROUTING', 'ip_packet_type'] }),
  fn('ip_rcv_core', IP_INPUT, 'L3', 'The header checks, in order: drop PACKET_OTHERHOST (OTHERHOST), count InReceives, make the skb private, require 20 bytes (PKT_TOO_SMALL / IP_INHDR), version 4 and ihl >= 5, the header checksum (IP_CSUM), a sane tot_len; then trim padding and set the transport header.', { related: ['ip_rcv', 'iphdr', 'SKB_DROP_REASON_OTHERHOST', 'SKB_DROP_REASON_IP_CSUM', 'SKB_DROP_REASON_IP_INHDR', 'IPSTATS_MIB_INPKTS'] }),
  fn('ip_rcv_finish', IP_INPUT, 'L3', 'After PRE_ROUTING: route the packet (ip_rcv_finish_core), then call dst_input, which is ip_local_deliver for a local route or ip_forward for a forwarded one.', { related: ['ip_rcv_finish_core', 'dst_input', 'ip_local_deliver', 'ip_forward'] }),
  fn('ip_rcv_finish_core', IP_INPUT, 'L3', 'Early demux (find an established socket\'s cached route) or a full input route lookup with ip_route_input_noref; then process IP options.', { related: ['ip_route_input_noref', 'ip_rcv_options'], steps: ['ip_rcv_finish'] }),
  fn('ip_rcv_options', IP_INPUT, 'L3', 'Parse and check IP options of a received packet (source routing policy, record route…).', { related: ['iphdr.ihl'], steps: ['ip_rcv_finish'] }),
  fn('ip_local_deliver', IP_INPUT, 'L3', 'Input method of local routes: reassemble fragments first (ip_defrag), then run the NF_INET_LOCAL_IN hook with ip_local_deliver_finish as the continuation.', { related: ['ip_defrag', 'ip_local_deliver_finish', 'NF_INET_LOCAL_IN'] }),
  fn('ip_local_deliver_finish', IP_INPUT, 'L3', 'After LOCAL_IN: pull the IP header off (data now at the L4 header) and deliver to the protocol handler.', { related: ['ip_protocol_deliver_rcu', 'skb_pull'] }),
  fn('ip_protocol_deliver_rcu', IP_INPUT, 'L3', 'Deliver to raw sockets and to the net_protocol registered for iphdr->protocol (icmp_rcv, udp_rcv, tcp_v4_rcv). An unknown protocol with no raw socket gets ICMP protocol unreachable and SKB_DROP_REASON_IP_NOPROTO.', { related: ['net_protocol', 'icmp_rcv', 'udp_rcv', 'tcp_v4_rcv', 'SKB_DROP_REASON_IP_NOPROTO'] }),
  struct('net_protocol', 'include/net/protocol.h', 'L3', 'An IPv4 upper-layer protocol registration: its handler (udp_rcv, tcp_v4_rcv, icmp_rcv) and error handler, indexed by protocol number in inet_protos.', { related: ['ip_protocol_deliver_rcu', 'inet_add_protocol'], steps: ['ip_protocol_deliver_rcu'] }),
  fn('inet_add_protocol', 'net/ipv4/protocol.c', 'L3', 'Register a net_protocol for an IP protocol number.', { related: ['net_protocol'] }),

  fn('ip_route_input_mc', ROUTE_C, 'L3', 'Input route for a datagram to a multicast group the device has joined (ip_check_mc_rcu; every device that is up has joined 224.0.0.1): ip_mc_validate_source checks the source — no multicast, limited broadcast or (without route_localnet) loopback source, 0.0.0.0 only to 224.0.0.0/24 or for IGMP, else fib_validate_source — and the route is RTN_MULTICAST with RTCF_LOCAL, input ip_local_deliver. A group not joined, with multicast forwarding off, is refused (-EINVAL) before ip_route_input_slow is reached.', { related: ['ip_route_input_noref', 'fib_validate_source', 'ip_local_deliver'], steps: ['ip_rcv_finish_core'] }),
  fn('ip_route_input_noref', ROUTE_C, 'L3', 'Input route lookup for a received packet: martian checks, then the FIB lookup; attach the resulting dst to the skb. Local → input = ip_local_deliver; forwardable (and forwarding on) → ip_forward; no route, or not ours while forwarding is off → a route whose input is ip_error.', { related: ['ip_route_input_slow', 'fib_lookup', 'rtable', 'dst_entry', 'SKB_DROP_REASON_IP_INNOROUTES'] }),
  fn('ip_route_input_slow', ROUTE_C, 'L3', 'The full input routing decision: reject martian sources/destinations, fib_lookup, check the source with fib_validate_source (rp_filter), refuse to forward when forwarding is off, and build a cached route for local, broadcast or forwarded delivery.', { related: ['fib_lookup', 'fib_validate_source', 'ip_mkroute_input', 'RTN_LOCAL', 'RTN_UNICAST'], steps: ['ip_route_input_noref'] }),
  fn('ip_mkroute_input', ROUTE_C, 'L3', 'Make (or reuse from the next hop\'s cache) the route for a packet to be forwarded, with ip_forward as its input method.', { related: ['ip_route_input_slow', 'ip_forward'], steps: ['ip_route_input_noref'] }),
  fn('rt_dst_alloc', ROUTE_C, 'L3', 'Allocate an rtable with its input/output methods defaulting to local delivery and ip_output.', { related: ['rtable', 'dst_entry'] }),
  fn('ip_route_output_flow', ROUTE_C, 'L3', 'Output route lookup for locally generated packets (sockets, ICMP): resolve a flowi4 to a route, choosing the source address if unset.', { related: ['ip_route_output_key_hash', 'flowi4', 'inet_select_addr'], steps: ['udp_sendmsg', 'tcp_v4_connect', '__icmp_send'] }),
  fn('ip_route_output_key_hash', ROUTE_C, 'L3', 'The output routing decision under RCU: pick the output device and source, then fib_lookup and build the route.', { related: ['ip_route_output_flow', 'fib_lookup'], steps: ['udp_sendmsg'] }),
  fn('ip_route_output_key', ROUTE_H, 'L3', 'Output route lookup for a flowi4 without a socket.', { related: ['ip_route_output_flow'] }),
  fn('fib_lookup', IP_FIB_H, 'L3', 'Look the destination up in the routing tables. Until a custom `ip rule` exists the local and main tables share one trie, so one lookup (then the default table) does it; with custom rules, the rules are walked in order (local, main, default by default). The longest matching prefix wins and gives a fib_result (type, next hop, device).', { related: ['fib_table_lookup', 'fib_result', 'RT_TABLE_LOCAL', 'RT_TABLE_MAIN'] }),
  fn('fib_table_lookup', 'net/ipv4/fib_trie.c', 'L3', 'Longest-prefix match of an address in one routing table\'s LC-trie, then pick a usable alias/next hop for it.', { related: ['fib_lookup', 'fib_table'], steps: ['fib_lookup'] }),
  fn('fib_validate_source', 'net/ipv4/fib_frontend.c', 'L3', 'Check a received packet\'s source address by looking up the reverse route (reverse path filter, rp_filter); a failure drops with SKB_DROP_REASON_IP_RPFILTER.', { related: ['ip_route_input_slow', 'SKB_DROP_REASON_IP_RPFILTER'], steps: ['ip_route_input_noref'] }),
  struct('fib_result', IP_FIB_H, 'L3', 'What a FIB lookup returns: the route type (RTN_*), prefix length, table, and the next hop to use.', { related: ['fib_lookup', 'fib_info'], steps: ['fib_lookup'] }),
  ...fields('fib_result', IP_FIB_H, 'L3', [
    ['type', 'The route type found (RTN_LOCAL, RTN_UNICAST, RTN_BLACKHOLE…): local delivery, forwarding or a reject.', { related: ['RTN_LOCAL', 'RTN_UNICAST', 'RTN_UNREACHABLE'], steps: ['fib_lookup'] }],
    ['prefixlen', 'Length of the matching prefix (longest match).', { steps: ['fib_lookup'] }],
  ]),
  struct('fib_info', IP_FIB_H, 'L3', 'Shared attributes of routes (protocol, scope, preferred source, metrics like MTU) and their next hops.', { related: ['fib_result', 'fib_nh'] }),
  struct('fib_nh', IP_FIB_H, 'L3', 'One IPv4 next hop: gateway, output device, scope, and its cache of output routes.', { related: ['fib_info', 'rtable.rt_gw4'] }),
  struct('fib_table', IP_FIB_H, 'L3', 'One routing table (local 255, main 254, …) holding a trie of prefixes.', { related: ['fib_table_lookup', 'RT_TABLE_MAIN'] }),
  struct('flowi4', 'include/net/flow.h', 'L3', 'The key of an IPv4 route lookup: destination and source, output/input interface, mark, TOS, protocol and ports.', { related: ['ip_route_output_flow', 'fib_lookup'], steps: ['udp_sendmsg', 'fib_lookup'] }),
  ...fields('flowi4', 'include/net/flow.h', 'L3', [
    ['daddr', 'Destination address to route.'],
    ['saddr', 'Source address; 0 lets the lookup choose one.', { related: ['inet_select_addr'] }],
  ]),
  fn('inet_select_addr', 'net/ipv4/devinet.c', 'L3', 'Choose a source address on a device for a destination and scope (the primary address of a matching subnet, else any suitable one).', { related: ['in_device', 'ip_route_output_flow'] }),
  struct('in_device', 'include/linux/inetdevice.h', 'L3', 'A device\'s IPv4 state: its list of addresses (in_ifaddr) and per-interface configuration such as forwarding, rp_filter, arp_ignore.', { related: ['net_device.ip_ptr', 'in_ifaddr', 'inet_select_addr'] }),
  struct('in_ifaddr', 'include/linux/inetdevice.h', 'L3', 'One IPv4 address on a device (`ip addr add 10.0.1.2/24 dev eth0`): address, prefix length, broadcast, scope.', { related: ['in_device'] }),

  struct('dst_entry', DST_H, 'L3', 'The protocol-independent part of a route attached to a packet: the output device, the input and output methods that continue the packet\'s path, metrics (MTU) and an error code for reject routes.', { related: ['rtable', 'skb_dst', 'dst_input', 'dst_output'], steps: ['ip_route_input_noref', 'ip_rcv_finish', 'ip_output'] }),
  ...fields('dst_entry', DST_H, 'L3', [
    ['dev', 'The output device of the route.', { related: ['net_device'] }],
    ['input', 'What to do with a received packet on this route: ip_local_deliver, ip_forward, or ip_error for reject routes.', { related: ['dst_input', 'ip_local_deliver', 'ip_forward', 'ip_error'], steps: ['ip_rcv_finish'] }],
    ['output', 'How to send on this route: ip_output for unicast.', { related: ['dst_output', 'ip_output'], steps: ['ip_local_out', 'ip_forward_finish'] }],
    ['error', 'For reject routes, the errno reported (EHOSTUNREACH, EACCES…).', { related: ['ip_error', 'RTN_UNREACHABLE'] }],
    ['expires', 'When a cached route (e.g. with a learnt PMTU) expires.'],
  ]),
  fn('dst_input', DST_H, 'L3', 'Call the packet\'s route input method (local delivery or forward).', { related: ['dst_entry.input'], steps: ['ip_rcv_finish'] }),
  fn('dst_output', DST_H, 'L3', 'Call the packet\'s route output method (ip_output).', { related: ['dst_entry.output', 'ip_output'], steps: ['ip_local_out', 'ip_forward_finish'] }),
  fn('dst_mtu', DST_H, 'L3', 'The path MTU for a route (route metric, learnt PMTU, or the device MTU).', { related: ['net_device.mtu', 'ip_skb_dst_mtu'] }),
  struct('rtable', ROUTE_H, 'L3', 'An IPv4 route as attached to packets: a dst_entry plus the route type, the gateway, the PMTU learnt for it and flags.', { related: ['dst_entry', 'skb_rtable', 'fib_result'], steps: ['ip_route_input_noref', 'ip_forward', 'ip_finish_output2'] }),
  ...fields('rtable', ROUTE_H, 'L3', [
    ['rt_type', 'The route type (RTN_LOCAL, RTN_UNICAST, RTN_BROADCAST…).', { related: ['RTN_LOCAL', 'RTN_UNICAST'] }],
    ['rt_gw4', 'The IPv4 gateway (next hop) when the route goes via a router; otherwise the destination itself is the next hop.', { related: ['ip_neigh_gw4'], steps: ['ip_finish_output2'] }],
    ['rt_gw_family', 'Address family of the gateway (0 for a connected route).'],
    ['rt_uses_gateway', 'Set when the next hop is a gateway, not the destination (matters for redirects and strict source routes).', { steps: ['ip_forward'] }],
    ['rt_pmtu', 'A path MTU learnt from ICMP fragmentation needed, lower than the device MTU.', { related: ['dst_mtu', 'ICMP_FRAG_NEEDED'] }],
  ]),
  fn('ip_error', ROUTE_C, 'L3', 'Input method of routes that lead nowhere (unreachable, prohibit, no route while forwarding): count and send the matching ICMP destination unreachable, with rate limiting, and drop.', { related: ['dst_entry.error', 'RTN_UNREACHABLE', '__icmp_send'], steps: ['ip_rcv_finish'] }),
  member('RTN_UNICAST', RTNETLINK, 'L3', 'Route type: a normal route, via a gateway or directly connected.', { related: ['fib_result.type'], steps: ['fib_lookup'] }),
  member('RTN_LOCAL', RTNETLINK, 'L3', 'Route type: the destination is one of our addresses (the local table, made by `ip addr add`); the packet is delivered locally.', { related: ['fib_result.type', 'ip_local_deliver'], steps: ['fib_lookup'] }),
  member('RTN_BROADCAST', RTNETLINK, 'L3', 'Route type: a broadcast address, delivered locally as broadcast.', { related: ['fib_result.type'] }),
  member('RTN_MULTICAST', RTNETLINK, 'L3', 'Route type: multicast.', { related: ['fib_result.type'] }),
  member('RTN_BLACKHOLE', RTNETLINK, 'L3', 'Route type: silently drop (`ip route add blackhole …`).', { related: ['fib_result.type'], steps: ['ip_route_input_noref'] }),
  member('RTN_UNREACHABLE', RTNETLINK, 'L3', 'Route type: drop and answer ICMP host unreachable (`ip route add unreachable …`).', { related: ['fib_result.type', 'ip_error'], steps: ['ip_route_input_noref'] }),
  member('RTN_PROHIBIT', RTNETLINK, 'L3', 'Route type: drop and answer ICMP administratively prohibited.', { related: ['fib_result.type', 'ip_error'] }),
  member('RT_TABLE_MAIN', RTNETLINK, 'L3', 'Routing table 254, "main": where `ip route add` puts routes by default.', { related: ['fib_lookup', 'RT_TABLE_LOCAL'] }),
  member('RT_TABLE_LOCAL', RTNETLINK, 'L3', 'Routing table 255, "local": the kernel\'s routes for our own and broadcast addresses, looked up before main.', { related: ['fib_lookup', 'RTN_LOCAL'] }),

  fn('ip_forward', IP_FORWARD, 'L3', 'Input method of forwarded routes. In 6.12 order: drop if not for this host at L2, checks for router alert and xfrm policy; a TTL of 1 or less → ICMP time exceeded and drop; count ForwDatagrams; a DF packet bigger than the MTU → FragFails + ICMP fragmentation needed; make the header writable and decrement the TTL; then the NF_INET_FORWARD hook (which therefore sees the lowered TTL) → ip_forward_finish.', { related: ['ip_forward_finish', 'ip_decrease_ttl', 'ip_exceeds_mtu', 'NF_INET_FORWARD', 'ICMP_TIME_EXCEEDED', 'ICMP_FRAG_NEEDED', 'IPSTATS_MIB_OUTFORWDATAGRAMS'] }),
  fn('ip_options_compile', 'net/ipv4/ip_options.c', 'L3', 'Walk the IP options of a header longer than 20 bytes in order (called by ip_rcv_options once the packet is routed): END clears what follows it, NOOP is one byte, every other option has a length byte that must fit; source routes, record route, timestamp and router alert have their own checks. A malformed option earns ICMP parameter problem pointing at the byte blamed, and ip_rcv_options counts IpInHdrErrors and drops the packet.', { related: ['ip_rcv_finish_core', 'ip_forward_options', 'ICMP_PARAMETERPROB'] }),
  fn('ip_forward_options', 'net/ipv4/ip_options.c', 'L3', 'Called by ip_forward_finish for a forwarded packet with options: fill in record route and source route addresses, and recompute the header checksum when the options were rewritten (is_changed).', { related: ['ip_forward_finish', 'ip_options_compile'] }),
  fn('ip_forward_finish', IP_FORWARD, 'L3', 'After FORWARD: apply IP options (record route…), clear the time stamp, then dst_output (ip_output) towards the next hop.', { related: ['ip_forward', 'dst_output', 'ip_output'] }),
  fn('ip_exceeds_mtu', IP_FORWARD, 'L3', 'Whether a packet to be forwarded is too big for the route MTU and may not be fragmented (DF set, or GSO that does not fit).', { related: ['ip_forward', 'IP_DF', 'dst_mtu'], steps: ['ip_forward'] }),
  fn('ip_decrease_ttl', IP_H, 'L3', 'Decrement the TTL and patch the header checksum incrementally instead of recomputing it.', { related: ['iphdr.ttl', 'iphdr.check', 'ip_forward'], steps: ['ip_forward'] }),
  fn('ip_call_ra_chain', 'net/ipv4/ip_input.c', 'L3', 'Give packets with the Router Alert option to sockets that asked for them (RSVP, IGMP proxies) before forwarding.', { related: ['ip_forward'] }),

  fn('ip_queue_xmit', IP_OUTPUT, 'L3', 'How TCP sends a segment: route it (cached socket route or a new lookup), push and fill the IP header, then ip_local_out.', { related: ['__ip_queue_xmit', 'ip_local_out', 'tcp_transmit_skb'] }),
  fn('__ip_queue_xmit', IP_OUTPUT, 'L3', 'The body of ip_queue_xmit, taking the TOS as an argument.', { related: ['ip_queue_xmit'], steps: ['ip_queue_xmit'] }),
  fn('ip_build_and_send_pkt', IP_OUTPUT, 'L3', 'Add an IP header to a packet not tied to a full socket (a TCP SYN-ACK from a request sock) and send it through ip_local_out.', { related: ['ip_local_out', 'tcp_v4_send_synack'], steps: ['tcp_rcv_state_process'] }),
  fn('ip_local_out', IP_OUTPUT, 'L3', 'Send a locally generated, fully built IP packet: __ip_local_out (LOCAL_OUT hook), then dst_output if the hook accepted it.', { related: ['__ip_local_out', 'dst_output', 'NF_INET_LOCAL_OUT'] }),
  fn('__ip_local_out', IP_OUTPUT, 'L3', 'Count OutRequests (locally generated datagrams only), set tot_len, compute the header checksum, then run the NF_INET_LOCAL_OUT hook with dst_output as the continuation.', { related: ['ip_local_out', 'ip_send_check', 'NF_INET_LOCAL_OUT'] }),
  fn('ip_output', IP_OUTPUT, 'L3', 'Output method of unicast routes, for local and forwarded packets alike: set the output device and protocol, then the NF_INET_POST_ROUTING hook (skipped for packets rerouted by netfilter) → ip_finish_output.', { related: ['ip_finish_output', 'NF_INET_POST_ROUTING', 'dst_output'] }),
  fn('ip_finish_output', IP_OUTPUT, 'L3', 'After POST_ROUTING: run the cgroup egress BPF, then __ip_finish_output: if the packet is bigger than the MTU (and not GSO), fragment it; otherwise ip_finish_output2.', { related: ['__ip_finish_output', 'ip_fragment', 'ip_finish_output2'] }),
  fn('__ip_finish_output', IP_OUTPUT, 'L3', 'Choose between fragmenting (too big for the MTU), segmenting GSO, and sending as is.', { related: ['ip_finish_output', 'ip_fragment', 'ip_finish_output2'], steps: ['ip_finish_output'] }),
  fn('ip_finish_output_gso', IP_OUTPUT, 'L3', 'A GSO packet (TSO): if each of its segments fits the MTU (skb_gso_validate_network_len) it goes on whole, however long; otherwise skb_gso_segment cuts it here and each segment goes through ip_fragment.', { related: ['__ip_finish_output', 'skb_gso_segment', 'ip_fragment'], steps: ['ip_finish_output_gso', 'skb_gso_segment'] }),
  fn('skb_gso_segment', 'include/net/gso.h', 'L3', 'Cut a GSO sk_buff into its segments in software (for TCP: inet_gso_segment → tcp_gso_segment), each with its own IP length, ID and checksums, TCP sequence number and flags.', { related: ['ip_finish_output_gso'], steps: ['skb_gso_segment'] }),
  fn('ip_finish_output2', IP_OUTPUT, 'L3', 'Last IP step before L2: count OutTransmits, make room for the link header if needed, find or create the neighbour for the next hop (gateway or destination) and hand the packet to neigh_output. No neighbour → SKB_DROP_REASON_NEIGH_CREATEFAIL.', { related: ['ip_neigh_gw4', 'neigh_output', 'neigh_resolve_output', 'rtable.rt_gw4'] }),
  fn('ip_fragment', IP_OUTPUT, 'L3', 'Fragment a packet for ip_finish_output: if DF is set (and not allowed to ignore), count FragFails and send ICMP fragmentation needed instead; otherwise ip_do_fragment.', { related: ['ip_do_fragment', 'IP_DF', 'ICMP_FRAG_NEEDED'] }),
  fn('ip_do_fragment', IP_OUTPUT, 'L3', 'Split a datagram into fragments that fit the MTU: each carries a copy of the header, an offset in 8-byte units and MF except the last; a fast path reuses an existing frag_list. Counts FragOKs/FragCreates, calls output for each fragment.', { related: ['ip_fragment', 'iphdr.frag_off', 'IP_MF', 'IPSTATS_MIB_FRAGCREATES'] }),
  fn('ip_send_check', IP_OUTPUT, 'L3', 'Compute the IPv4 header checksum.', { related: ['iphdr.check'], steps: ['__ip_local_out', 'ip_do_fragment'] }),
  fn('ip_make_skb', IP_OUTPUT, 'L3', 'Build a complete datagram skb from user data in one go (the UDP fast path without corking).', { related: ['ip_append_data', 'udp_sendmsg'], steps: ['udp_sendmsg'] }),
  fn('ip_append_data', IP_OUTPUT, 'L3', 'Append user data to a socket\'s pending datagram (corked UDP, raw, ICMP), allocating skbs sized for the MTU.', { related: ['ip_make_skb', 'ip_push_pending_frames'] }),
  fn('ip_push_pending_frames', IP_OUTPUT, 'L3', 'Turn the pending data into one datagram and send it.', { related: ['ip_append_data', 'ip_send_skb'], steps: ['__icmp_send', 'icmp_echo'] }),
  fn('ip_send_skb', IP_OUTPUT, 'L3', 'Send a finished datagram with ip_local_out; a non-zero return (a NET_XMIT_* code from the device layer, turned into -ENOBUFS by net_xmit_errno unless it is NET_XMIT_CN, or a hook\'s -EPERM) counts IpOutDiscards and goes back to udp_send_skb or raw_sendmsg.', { related: ['ip_local_out', 'veth_xmit'], steps: ['udp_sendmsg', 'raw_sendmsg'] }),
  fn('ip_select_ident', IP_H, 'L3', 'Choose the IP ID for an outgoing datagram (per-destination counter hashing, or 0 with DF on a connected socket).', { related: ['iphdr.id'] }),
  fn('ip_skb_dst_mtu', IP_H, 'L3', 'The MTU to use for an outgoing packet: the route\'s PMTU or the device MTU, depending on the socket\'s PMTU discovery mode.', { related: ['dst_mtu'], steps: ['ip_finish_output'] }),
  fn('ip_is_fragment', IP_H, 'L3', 'True when a header has MF set or a non-zero offset.', { related: ['iphdr.frag_off', 'ip_defrag'], steps: ['ip_local_deliver'] }),

  fn('ip_defrag', IP_FRAGMENT, 'L3', 'Reassembly: find or create the queue for (src, dst, id, protocol), add the fragment; when the datagram is complete, return it whole. Fragments wait at most ipfrag_time (30 s) and within ipfrag_high_thresh memory.', { related: ['ip_frag_queue', 'ip_frag_reasm', 'ip_expire', 'IPSTATS_MIB_REASMOKS', 'SKB_DROP_REASON_FRAG_REASM_TIMEOUT'] }),
  fn('ip_frag_queue', IP_FRAGMENT, 'L3', 'Place a fragment in its queue (v6.12): a last fragment that disagrees with the length seen, data past a known end, or a fragment left without data (an MF fragment\'s end is cut to a multiple of 8) kills the queue (IpReasmFails); a fragment wholly inside what is queued is a duplicate, dropped alone (SKB_DROP_REASON_DUP_FRAG); a partial overlap counts IpExtReasmOverlaps and kills the queue. Tracks the largest fragment and the largest with DF.', { related: ['ip_defrag', 'inet_frag_queue_insert', 'inet_frag_kill', 'SKB_DROP_REASON_DUP_FRAG'], steps: ['ip_defrag'] }),
  fn('ip_frag_reasm', IP_FRAGMENT, 'L3', 'Join the fragments of a complete queue into one skb (a head plus frag_list) with a fixed-up header: DF only when the largest fragment had it (max_df_size == max_size), and frag_max_size in IPCB. More than 65535 bytes fails (IpReasmFails).', { related: ['ip_defrag', 'skb_shared_info.frag_list'], steps: ['ip_defrag'] }),
  fn('ip_expire', IP_FRAGMENT, 'L3', 'Timer of an incomplete fragment queue: count ReasmFails/ReasmTimeout; if the first fragment came, route it again and send ICMP time exceeded (fragment reassembly) — for a conntrack defrag queue only when the datagram was for this host — then free it (FRAG_REASM_TIMEOUT); inet_frag_rbtree_purge frees the rest.', { related: ['ip_defrag', 'ICMP_EXC_FRAGTIME', 'SKB_DROP_REASON_FRAG_REASM_TIMEOUT', 'inet_frag_rbtree_purge'], steps: ['ip_defrag'] }),
  fn('ip_find', IP_FRAGMENT, 'L3', 'Build the reassembly key (source, destination, id, protocol, defrag user, VRF) and look the queue up with inet_frag_find.', { related: ['ip_defrag', 'inet_frag_find'], steps: ['ip_defrag'] }),
  fn('inet_frag_find', INET_FRAGMENT, 'L3', 'Find or create the reassembly queue for a key — but none at all, not even an existing one, while the namespace\'s fragment memory is over ipfrag_high_thresh or the threshold is 0; a new queue starts its ipfrag_time timer.', { related: ['ip_find', 'ip_defrag'], steps: ['ip_defrag'] }),
  fn('inet_frag_queue_insert', INET_FRAGMENT, 'L3', 'Insert a fragment in the queue\'s rb-tree of runs (contiguous fragments): after the tail\'s end it is appended, starting inside the tail it overlaps; elsewhere, wholly inside one run it is a duplicate (IPFRAG_DUP), touching one otherwise an overlap (IPFRAG_OVERLAP, RFC 5722).', { related: ['ip_frag_queue'], steps: ['ip_defrag'] }),
  fn('inet_frag_kill', INET_FRAGMENT, 'L3', 'Take a reassembly queue out of service: stop its timer, mark it complete and remove it from the lookup table; it is destroyed when its last reference goes.', { related: ['inet_frag_destroy', 'ip_frag_queue', 'ip_expire'], steps: ['ip_defrag'] }),
  fn('inet_frag_destroy', INET_FRAGMENT, 'L3', 'Free a dead reassembly queue: inet_frag_rbtree_purge frees its fragments — with FRAG_REASM_TIMEOUT when the timer killed it, as consumed otherwise — and the memory is given back.', { related: ['inet_frag_rbtree_purge', 'inet_frag_kill'], steps: ['ip_defrag'] }),
  fn('inet_frag_rbtree_purge', INET_FRAGMENT, 'L3', 'Free every fragment left in a queue\'s rb-tree with the given reason (kfree_skb_reason: SKB_CONSUMED is a consume, not a drop) and return their truesize.', { related: ['inet_frag_destroy', 'SKB_DROP_REASON_FRAG_REASM_TIMEOUT'], steps: ['ip_defrag'] }),

  struct('inet_skb_parm', IP_H, 'L3', 'IPv4\'s private data in skb->cb: incoming interface, options, flags such as IPSKB_FORWARDED and the fragment max size.', { related: ['IPCB', 'sk_buff.cb'] }),
  macro('IPCB', IP_H, 'L3', 'Access the inet_skb_parm that IPv4 keeps in skb->cb.', { related: ['inet_skb_parm'] }),
  macro('IPSKB_FORWARDED', IP_H, 'L3', 'IPCB flag: this packet was forwarded (used to avoid certain local-only processing).', { related: ['inet_skb_parm', 'ip_forward'], steps: ['ip_forward'] }),
  macro('IP_DF', IP_H, 'L3', 'The Don\'t Fragment bit of frag_off (0x4000): a too-big packet is not fragmented but dropped with ICMP fragmentation needed. Path MTU discovery sets it on sockets by default.', { related: ['iphdr.frag_off', 'ip_forward', 'ip_fragment', 'ICMP_FRAG_NEEDED'], steps: ['ip_forward', 'ip_fragment'] }),
  macro('IP_MF', IP_H, 'L3', 'The More Fragments bit (0x2000): set on every fragment except the last.', { related: ['iphdr.frag_off', 'ip_do_fragment', 'ip_defrag'], steps: ['ip_do_fragment', 'ip_defrag'] }),
  macro('IP_OFFSET', IP_H, 'L3', 'Mask of the fragment offset in frag_off (in 8-byte units).', { related: ['iphdr.frag_off'] }),
  macro('IP_CE', IP_H, 'L3', 'The reserved "congestion" flag bit of frag_off (0x8000), must be zero.', { related: ['iphdr.frag_off'] }),
  member('IPPROTO_ICMP', UAPI_IN, 'L3', 'IP protocol 1: ICMP, handled by icmp_rcv.', { related: ['iphdr.protocol', 'icmp_rcv'] }),
  member('IPPROTO_TCP', UAPI_IN, 'L3', 'IP protocol 6: TCP, handled by tcp_v4_rcv.', { related: ['iphdr.protocol', 'tcp_v4_rcv'] }),
  member('IPPROTO_UDP', UAPI_IN, 'L3', 'IP protocol 17: UDP, handled by udp_rcv.', { related: ['iphdr.protocol', 'udp_rcv'] }),
  macro('IP_PMTUDISC_DO', UAPI_IN, 'socket', 'IP_MTU_DISCOVER mode: always set DF and never fragment locally.', { related: ['IP_DF', 'inet_sock.pmtudisc'] }),
  macro('IP_PMTUDISC_WANT', UAPI_IN, 'socket', 'IP_MTU_DISCOVER mode (the default via ip_no_pmtu_disc=0): set DF, use the learnt path MTU, fragment locally if the route MTU demands.', { related: ['IP_DF', 'inet_sock.pmtudisc'] }),

  fn('ip_list_rcv', IP_INPUT, 'L3', 'The list form of ip_rcv, used for batches from GRO: check each header with ip_rcv_core, run PRE_ROUTING, then route and deliver the survivors in sub-lists.', { related: ['ip_rcv', 'ip_sublist_rcv', 'ip_rcv_core'] }),
  fn('ip_sublist_rcv', IP_INPUT, 'L3', 'Run PRE_ROUTING over a sub-list of packets from one device, then ip_rcv_finish-like routing for each (ip_list_rcv_finish).', { related: ['ip_list_rcv', 'NF_INET_PRE_ROUTING'] }),
  fn('ip_rt_send_redirect', ROUTE_C, 'L3', 'Send an ICMP redirect (rate limited) when a router forwards a packet back out of the interface it came in on and the sender could reach the next hop directly.', { related: ['ip_forward', 'ICMP_REDIRECT'] }),
  fn('ipv4_link_failure', ROUTE_C, 'L3', 'Called when the link layer cannot deliver (neighbour resolution failed): send ICMP host unreachable to the packet\'s source and expire the route\'s cached state.', { related: ['arp_error_report', 'ICMP_HOST_UNREACH'] }),
  fn('raw_local_deliver', 'net/ipv4/raw.c', 'socket', 'Give a copy of a locally delivered datagram to every raw socket bound to its protocol (ping without a ping socket, custom protocols).', { related: ['raw_rcv', 'ip_protocol_deliver_rcu'] }),
  fn('raw_rcv', 'net/ipv4/raw.c', 'socket', 'Queue a datagram (with its IP header) on a raw socket, after policy and filter checks.', { related: ['raw_local_deliver'] }),
  fn('ip4_datagram_connect', 'net/ipv4/datagram.c', 'socket', 'connect() on a UDP (or raw) socket: route to the destination with ip_route_connect and keep the source it chose; ENETUNREACH counts IpOutNoRoutes, a broadcast route without SO_BROADCAST is EACCES. iputils ping does this on a probe socket first to learn its source address, and exits when it fails.', { related: ['ip_route_output_flow', 'raw_sendmsg'] }),
  fn('raw_sendmsg', 'net/ipv4/raw.c', 'socket', 'sendto() on a raw socket (e.g. classic ping\'s ICMP socket): route, build the datagram with the user\'s payload (and header, with IP_HDRINCL) and send it.', { related: ['ip_append_data', 'ip_push_pending_frames', 'ip_route_output_flow'] }),
  fn('__ip_do_redirect', ROUTE_C, 'L3', 'Apply a received ICMP redirect: only from the gateway the route uses, for a unicast, on-link new gateway (accept_redirects, shared_media/secure_redirects). Once the new gateway\'s neighbour entry is valid, a next-hop exception (update_or_create_fnhe) sends the destination there; until then it only starts resolving it (neigh_event_send).', { related: ['ipv4_sk_redirect', 'icmp_redirect', 'ip_rt_send_redirect'], steps: ['icmp_redirect'] }),
  fn('ipv4_sk_redirect', ROUTE_C, 'L3', 'A socket\'s error handler (UDP, raw) got an ICMP redirect: look up its route and apply the redirect to it (__ip_do_redirect).', { related: ['__ip_do_redirect', 'raw_err', '__udp4_lib_err'], steps: ['icmp_redirect'] }),
  fn('raw_err', 'net/ipv4/raw.c', 'L3', 'ICMP error for a raw socket (ping): fragmentation needed updates its path MTU, a redirect goes to ipv4_sk_redirect, other errors reach the application only with IP_RECVERR or on a connected socket.', { related: ['ipv4_sk_redirect', 'icmp_socket_deliver'], steps: ['icmp_redirect', 'icmp_unreach'] }),
  fn('ip_mc_output', IP_OUTPUT, 'L3', 'dst->output of broadcast and multicast routes: a broadcast (or a looped multicast) is cloned back to this host through POST_ROUTING and dev_loopback_xmit, then the packet leaves by ip_finish_output.', { related: ['ip_mc_finish_output', 'dev_loopback_xmit', 'ip_output'] }),
  fn('ip_mc_finish_output', IP_OUTPUT, 'L3', 'Give the looped-back clone of a broadcast or multicast a copy of its route on lo and hand it to dev_loopback_xmit.', { related: ['ip_mc_output', 'dev_loopback_xmit'], steps: ['ip_mc_output'] }),
];
