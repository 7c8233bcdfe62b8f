// UDP, TCP and sockets over IPv6 (issue 14): net/ipv6/udp.c, tcp_ipv6.c, af_inet6.c, datagram.c.
// Most of TCP's state machine is shared with IPv4 (tcp_input.c), so these entries cover the
// IPv6-specific entry points and point at the shared ones.
import { fields, fn, member, struct } from './define';
import type { KbEntry } from './types';

const UDP6 = 'net/ipv6/udp.c';
const TCP6 = 'net/ipv6/tcp_ipv6.c';
const AF_INET6 = 'net/ipv6/af_inet6.c';
const LINUX_IPV6_H = 'include/linux/ipv6.h';
const SNMP = 'include/uapi/linux/snmp.h';

export const IPV6_TRANSPORT: KbEntry[] = [
  fn('udpv6_rcv', UDP6, 'L4', 'The inet6_protocol handler for UDP (next header 17): __udp6_lib_rcv with the UDP table.', { related: ['__udp6_lib_rcv', 'NEXTHDR_UDP', 'udp_rcv'] }),
  fn('__udp6_lib_rcv', UDP6, 'L4', 'UDP over IPv6 receive: check the length field (trim padding, PKT_TOO_SMALL when short), initialise the checksum, which IPv6 makes mandatory (a zero checksum is refused unless the socket allows it), deliver multicast to every matching socket, otherwise look the socket up and queue; with no socket, verify the checksum, count Udp6NoPorts and answer ICMPv6 port unreachable (SKB_DROP_REASON_NO_SOCKET). Bad checksums count Udp6InCsumErrors (SKB_DROP_REASON_UDP_CSUM).', { related: ['udpv6_rcv', '__udp6_lib_lookup', 'udp6_unicast_rcv_skb', '__udp6_lib_mcast_deliver', 'ICMPV6_PORT_UNREACH', 'SKB_DROP_REASON_NO_SOCKET', 'SKB_DROP_REASON_UDP_CSUM', 'UDP_MIB_NOPORTS', '__udp4_lib_rcv'] }),
  fn('__udp6_lib_lookup', UDP6, 'L4', 'Find the UDP socket for a datagram: a connected socket matching all four values first, then sockets bound to the address or to ::, scored by how exactly they match (and by SO_REUSEPORT groups or a BPF sk_lookup program).', { related: ['udp6_lib_lookup2', '__udp6_lib_rcv', '__udp4_lib_lookup'] }),
  fn('udp6_lib_lookup2', UDP6, 'L4', 'Score the sockets of one secondary hash chain (address and port) and return the best one.', { related: ['__udp6_lib_lookup'] }),
  fn('udp6_unicast_rcv_skb', UDP6, 'L4', 'Deliver a unicast datagram to the socket found: udpv6_queue_rcv_skb; a negative return resubmits it as another protocol (encapsulation).', { related: ['udpv6_queue_rcv_skb', 'udp_unicast_rcv_skb'] }),
  fn('udpv6_queue_rcv_skb', UDP6, 'L4', 'Queue a datagram on an IPv6 UDP socket, first splitting GRO-aggregated packets into segments.', { related: ['udpv6_queue_rcv_one_skb', 'udp_queue_rcv_skb'] }),
  fn('udpv6_queue_rcv_one_skb', UDP6, 'L4', 'Queue one datagram: encapsulation sockets take theirs, the socket filter runs, the checksum is verified if still pending, then __udp_enqueue_schedule_skb (SKB_DROP_REASON_SOCKET_RCVBUFF when the buffer is full, counting Udp6RcvbufErrors).', { related: ['__udp_enqueue_schedule_skb', 'SKB_DROP_REASON_SOCKET_RCVBUFF', 'udp_queue_rcv_one_skb'] }),
  fn('__udp6_lib_mcast_deliver', UDP6, 'L4', 'Deliver a multicast datagram to every socket that joined the group on that port, cloning it for all but the last; when no socket wants it, it is dropped and counted as Udp6IgnoredMulti, never answered with ICMPv6.', { related: ['__udp6_lib_rcv', '__udp4_lib_mcast_deliver', 'UDP_MIB_IGNOREDMULTI'] }),
  fn('udpv6_sendmsg', UDP6, 'L4', 'UDP send on an IPv6 socket: an IPv4-mapped destination on a dual-stack socket goes through udp_sendmsg; otherwise take the destination and ancillary data (hop limit, traffic class, flow label), route with ip6_sk_dst_lookup_flow, then build the datagram with ip6_make_skb and send it with udp_v6_send_skb (or append to a cork with MSG_MORE).', { related: ['udp_v6_send_skb', 'ip6_make_skb', 'ip6_sk_dst_lookup_flow', 'ipv6_addr_v4mapped', 'udp_sendmsg'] }),
  fn('udp_v6_send_skb', UDP6, 'L4', 'Write the UDP header and checksum (offloaded or computed over the pseudo-header) and send with ip6_send_skb; counts Udp6OutDatagrams, or Udp6SndbufErrors on ENOBUFS.', { related: ['ip6_send_skb', 'udpv6_sendmsg', 'udp_send_skb'] }),
  fn('udpv6_recvmsg', UDP6, 'socket', 'UDP receive on an IPv6 socket: copy a datagram out, verify a deferred checksum, fill the source address (IPv4-mapped for IPv4 datagrams on a dual-stack socket) and ancillary data.', { related: ['udp_recvmsg'] }),
  fn('udpv6_err', UDP6, 'L4', 'UDP\'s ICMPv6 error handler: find the socket of the quoted datagram, update PMTU or redirect information, and report the error to the socket when it asked (IPV6_RECVERR) or is connected.', { related: ['icmpv6_notify', 'icmpv6_err_convert', 'udp_err'] }),
  fn('udp_v6_early_demux', UDP6, 'L4', 'Early demux for UDP over IPv6: for a unicast datagram, find a connected socket and attach its cached route, saving the route lookup.', { related: ['ip6_rcv_finish_core'] }),

  fn('tcp_v6_rcv', TCP6, 'L4', 'The inet6_protocol handler for TCP (next header 6), the IPv6 twin of tcp_v4_rcv: check the header and checksum, look up the socket (__inet6_lookup_skb), handle request socks, time-wait and listeners, and process the segment with tcp_v6_do_rcv or queue it on the backlog; no socket means a reset (tcp_v6_send_reset) and SKB_DROP_REASON_NO_SOCKET.', { related: ['tcp_v6_do_rcv', 'tcp_v6_send_reset', 'tcp_v4_rcv', 'NEXTHDR_TCP', 'SKB_DROP_REASON_NO_SOCKET'] }),
  fn('tcp_v6_do_rcv', TCP6, 'L4', 'Process a segment for an IPv6 TCP socket (IPv4 segments of a mapped socket go to tcp_v4_do_rcv): established fast path tcp_rcv_established, listeners via tcp_v6_cookie_check and tcp_child_process, other states tcp_rcv_state_process.', { related: ['tcp_rcv_established', 'tcp_rcv_state_process', 'tcp_v4_do_rcv'] }),
  fn('tcp_v6_connect', TCP6, 'L4', 'connect() for an IPv6 TCP socket: an IPv4-mapped destination switches the socket to the IPv4 operations and calls tcp_v4_connect; otherwise route the flow (ip6_dst_lookup_flow, choosing the source address), bind a port, pick the initial sequence number and send the SYN with tcp_connect.', { related: ['ip6_dst_lookup_flow', 'tcp_connect', 'tcp_v4_connect', 'ipv6_addr_v4mapped'] }),
  fn('tcp_v6_conn_request', TCP6, 'L4', 'A SYN reached an IPv6 listener: IPv4 SYNs of a dual-stack listener go to tcp_v4_conn_request; a SYN to a non-unicast destination is dropped, one from an IPv4-mapped source counted as a header error; the rest go to tcp_conn_request with the IPv6 request operations.', { related: ['tcp_conn_request', 'tcp_v4_conn_request', 'tcp_v6_send_synack'] }),
  fn('tcp_v6_send_synack', TCP6, 'L4', 'Send the SYN-ACK for a request sock: route it, build the segment and send it with ip6_xmit.', { related: ['ip6_xmit', 'tcp_v4_send_synack'] }),
  fn('tcp_v6_syn_recv_sock', TCP6, 'L4', 'Create the child socket when the handshake completes: for an IPv4 connection on a dual-stack listener via tcp_v4_syn_recv_sock with IPv4-mapped addresses, otherwise a full IPv6 socket copying the listener\'s IPv6 options.', { related: ['tcp_v4_syn_recv_sock', 'tcp_create_openreq_child'] }),
  fn('tcp_v6_send_reset', TCP6, 'L4', 'Answer a segment with a RST (never a RST, never to a multicast destination), with sequence numbers taken from the offending segment; sent via tcp_v6_send_response.', { related: ['tcp_v6_send_response', 'tcp_v4_send_reset', 'TCP_MIB_OUTRSTS'] }),
  fn('tcp_v6_send_response', TCP6, 'L4', 'Build and send a bare RST or ACK not tied to a full socket (resets, time-wait and request sock ACKs) from the control socket, routed back to the sender.', { related: ['tcp_v6_send_reset'] }),
  fn('tcp_v6_err', TCP6, 'L4', 'TCP\'s ICMPv6 error handler: a Packet Too Big lowers the MSS and retransmits, a redirect updates the route, other errors are reported to the socket or abort a connection still in SYN_SENT.', { related: ['icmpv6_notify', 'tcp_v4_err', 'ICMPV6_PKT_TOOBIG'] }),
  fn('tcp_v6_early_demux', TCP6, 'L4', 'Early demux for TCP over IPv6: find an established socket for the segment and attach its cached route, saving the route lookup.', { related: ['ip6_rcv_finish_core'] }),

  struct('ipv6_pinfo', LINUX_IPV6_H, 'socket', 'The IPv6 part of a socket (inet6_sk): source address, flow label, cached route cookie, extension header options, hop limits, traffic class, PMTU discovery mode, multicast and ancillary data settings.', { related: ['sock', 'inet_sock', 'ip6_xmit'] }),
  ...fields('ipv6_pinfo', LINUX_IPV6_H, 'socket', [
    ['saddr', 'The source address the socket sends from.', { related: ['ipv6_dev_get_saddr'] }],
    ['flow_label', 'The flow label set with IPV6_FLOWINFO_SEND (else one is generated per flow).', { related: ['ipv6hdr.flow_lbl'] }],
    ['hop_limit', 'IPV6_UNICAST_HOPS, -1 meaning the route\'s or device\'s default.', { related: ['ip6_dst_hoplimit', 'inet_sock.uc_ttl'] }],
    ['mcast_hops', 'IPV6_MULTICAST_HOPS (1 by default).'],
    ['pmtudisc', 'IPV6_MTU_DISCOVER: whether to fragment locally or refuse messages beyond the path MTU.', { related: ['__ip6_append_data', 'inet_sock.pmtudisc'] }],
    ['tclass', 'IPV6_TCLASS: the traffic class sent.', { related: ['ipv6hdr.priority'] }],
  ]),
  struct('udp6_sock', LINUX_IPV6_H, 'socket', 'An IPv6 UDP socket: udp_sock followed by its ipv6_pinfo.', { related: ['udp_sock', 'ipv6_pinfo'] }),
  fn('inet6_create', AF_INET6, 'socket', 'socket(AF_INET6, …): find the protocol switch entry (TCP, UDP, raw, ping), allocate the sock and initialise its IPv6 part (v6only from bindv6only, unicast hop limit -1 meaning the route\'s default, multicast hops 1).', { related: ['ipv6_pinfo', 'netns_sysctl_ipv6.bindv6only'] }),
  fn('inet6_bind', AF_INET6, 'socket', 'bind() for IPv6 sockets: an IPv4-mapped address binds the IPv4 side; a link-local address needs a scope (interface); the address must be ours unless freebind or nonlocal bind.', { related: ['inet6_create'] }),
  fn('inet6_sendmsg', AF_INET6, 'socket', 'AF_INET6 sendmsg: autobind if needed, then the protocol\'s sendmsg (udpv6_sendmsg, tcp_sendmsg).', { related: ['udpv6_sendmsg', 'inet_sendmsg'] }),
  fn('inet6_recvmsg', AF_INET6, 'socket', 'AF_INET6 recvmsg: the protocol\'s recvmsg (udpv6_recvmsg, tcp_recvmsg).', { related: ['udpv6_recvmsg', 'inet_recvmsg'] }),
  fn('ip6_datagram_connect', 'net/ipv6/datagram.c', 'socket', 'connect() on an IPv6 datagram socket: IPv4-mapped destinations connect the IPv4 side; otherwise record the peer, choose the source and cache the route.', { related: ['udpv6_sendmsg'] }),

  // UDP counters count IPv6 datagrams separately (nstat Udp6*), with the same MIB items.
  member('UDP_MIB_IGNOREDMULTI', SNMP, 'L4', 'UDP counter IgnoredMulti (Udp6IgnoredMulti for IPv6): multicast or broadcast datagrams no socket wanted.', { counters: ['UdpIgnoredMulti', 'Udp6IgnoredMulti'], related: ['__udp6_lib_mcast_deliver'] }),
  member('UDP_MIB_SNDBUFERRORS', SNMP, 'L4', 'UDP counter SndbufErrors (Udp6SndbufErrors): sends that failed for lack of buffer space.', { counters: ['UdpSndbufErrors', 'Udp6SndbufErrors'], related: ['udp_v6_send_skb'] }),
  fn('rawv6_sendmsg', 'net/ipv6/raw.c', 'L4', 'sendmsg on a raw IPv6 socket (iputils ping\'s SOCK_RAW IPPROTO_ICMPV6 socket): route the destination (ip6_dst_lookup_flow, which picks the source address), build the packet with ip6_append_data, and rawv6_push_pending_frames fills in the ICMPv6 checksum before ip6_push_pending_frames sends it.', { related: ['ip6_append_data', 'ip6_send_skb', 'ipv6_dev_get_saddr'] }),
  fn('rawv6_rcv', 'net/ipv6/raw.c', 'L4', 'A raw IPv6 socket\'s copy of a received packet (from ipv6_raw_deliver): checked and queued on the socket. ping reads its echo replies and ICMPv6 errors here.', { related: ['ipv6_raw_deliver', 'rawv6_sendmsg'] }),
  fn('ipv6_raw_deliver', 'net/ipv6/raw.c', 'L4', 'Give every raw socket of the packet\'s next header a clone, unless its ICMP6_FILTER blocks the ICMPv6 type (iputils ping lets only echo replies and errors through); ip6_protocol_deliver_rcu calls it before the protocol handler and learns whether any socket took the packet.', { related: ['rawv6_rcv', 'ip6_protocol_deliver_rcu'] }),
  fn('raw6_icmp_error', 'net/ipv6/raw.c', 'L4', 'Tell raw sockets of the quoted packet\'s protocol about an ICMPv6 error (icmpv6_notify calls it): ping prints it as "Destination unreachable", "Time exceeded" or "Packet too big".', { related: ['icmpv6_notify', 'rawv6_rcv'] }),
];
