// ICMP for IPv4 (net/ipv4/icmp.c, include/net/icmp.h, include/uapi/linux/icmp.h).
import { fields, fn, macro, struct } from './define';
import type { KbEntry } from './types';

const ICMP_C = 'net/ipv4/icmp.c';
const UAPI_ICMP = 'include/uapi/linux/icmp.h';

export const ICMP: KbEntry[] = [
  struct('icmphdr', UAPI_ICMP, 'L3', 'The ICMP header: type, code, checksum, and four bytes whose meaning depends on the type (echo id/sequence, next-hop MTU for fragmentation needed).', { related: ['icmp_rcv', '__icmp_send', 'icmp_hdr'], steps: ['icmp_rcv', 'icmp_echo', '__icmp_send'] }),
  ...fields('icmphdr', UAPI_ICMP, 'L3', [
    ['type', 'Message type (ICMP_ECHO 8, ICMP_ECHOREPLY 0, ICMP_DEST_UNREACH 3, ICMP_TIME_EXCEEDED 11…); icmp_rcv dispatches on it.', { related: ['ICMP_ECHO', 'ICMP_DEST_UNREACH', 'ICMP_TIME_EXCEEDED'], steps: ['icmp_rcv'] }],
    ['code', 'Sub-type: for destination unreachable, net/host/protocol/port/fragmentation needed; for time exceeded, TTL or reassembly.', { related: ['ICMP_PORT_UNREACH', 'ICMP_FRAG_NEEDED', 'ICMP_EXC_TTL'] }],
    ['checksum', 'Checksum over the whole ICMP message; a wrong one drops (SKB_DROP_REASON_ICMP_CSUM, Icmp InCsumErrors).', { related: ['SKB_DROP_REASON_ICMP_CSUM'], steps: ['icmp_rcv'] }],
  ]),
  fn('icmp_hdr', 'include/linux/icmp.h', 'L3', 'The ICMP header of an skb, at its transport header.', { related: ['icmphdr'] }),
  fn('icmp_rcv', ICMP_C, 'L3', 'ICMP receive: verify the checksum, count InMsgs and the per-type counter, drop broadcast echo requests unless allowed, and dispatch by type (echo → icmp_echo, errors → icmp_unreach, which informs the transport protocol).', { related: ['icmp_echo', 'icmp_unreach', 'icmphdr', 'SKB_DROP_REASON_ICMP_CSUM', 'ICMP_MIB_INMSGS'] }),
  fn('icmp_echo', ICMP_C, 'L3', 'Answer an echo request (unless icmp_echo_ignore_all): turn it into an echo reply with the same id, sequence and data, sent back by icmp_reply.', { related: ['icmp_reply', 'ICMP_ECHO', 'ICMP_ECHOREPLY'] }),
  fn('icmp_reply', ICMP_C, 'L3', 'Send a reply to a received ICMP message (echo reply, timestamp reply): route back to the sender and push it out, subject to rate limits.', { related: ['icmp_echo', 'icmp_push_reply'], steps: ['icmp_echo'] }),
  fn('icmp_push_reply', ICMP_C, 'L3', 'Append the ICMP message to the ICMP socket\'s pending frame, fill the checksum and send it.', { related: ['ip_push_pending_frames'], steps: ['icmp_echo', '__icmp_send'] }),
  fn('icmp_unreach', ICMP_C, 'L3', 'Handle a received destination unreachable, source quench or time exceeded: learn a path MTU for fragmentation needed, then tell the transport protocol whose packet it quotes (its err_handler).', { related: ['icmp_rcv', 'ICMP_FRAG_NEEDED'], steps: ['icmp_rcv'] }),
  fn('__icmp_send', ICMP_C, 'L3', 'Send an ICMP error about a packet: not about another ICMP error, a fragment other than the first, a broadcast or multicast, or a packet from a bad source; rate limited (icmp_ratelimit/ratemask, icmp_msgs_per_sec). The error quotes the IP header and the first bytes of the packet.', { related: ['icmp_send', 'icmpv4_xrlim_allow', 'icmp_global_allow', 'ICMP_TIME_EXCEEDED', 'ICMP_DEST_UNREACH', 'ICMP_MIB_OUTMSGS'] }),
  fn('icmp_send', 'include/net/icmp.h', 'L3', 'Send an ICMP error (type, code, info) about an skb: inline wrapper of __icmp_send with the skb\'s IP options.', { related: ['__icmp_send'], steps: ['__icmp_send', 'ip_forward', '__udp4_lib_rcv'] }),
  fn('icmpv4_xrlim_allow', ICMP_C, 'L3', 'Per-destination rate limit for ICMP errors: types in icmp_ratemask are limited by a token bucket of icmp_ratelimit (1 s per burst by default).', { related: ['__icmp_send', 'icmp_global_allow'], steps: ['__icmp_send'] }),
  fn('icmp_global_allow', ICMP_C, 'L3', 'Host-wide ICMP budget: at most icmp_msgs_per_sec messages per second (with icmp_msgs_burst).', { related: ['icmpv4_xrlim_allow'], steps: ['__icmp_send'] }),
  fn('icmp_out_count', ICMP_C, 'L3', 'Count an outgoing ICMP message: OutMsgs and the per-type counter (OutTimeExcds, OutDestUnreachs, OutEchoReps…).', { related: ['ICMP_MIB_OUTMSGS'], steps: ['__icmp_send', 'icmp_echo'] }),
  macro('ICMP_ECHOREPLY', UAPI_ICMP, 'L3', 'ICMP type 0: echo reply (the answer to ping).', { related: ['icmp_echo'], steps: ['icmp_echo'] }),
  macro('ICMP_ECHO', UAPI_ICMP, 'L3', 'ICMP type 8: echo request (ping).', { related: ['icmp_echo'], steps: ['icmp_rcv'] }),
  macro('ICMP_DEST_UNREACH', UAPI_ICMP, 'L3', 'ICMP type 3: destination unreachable; the code says why (net, host, protocol, port, fragmentation needed, prohibited).', { related: ['ICMP_PORT_UNREACH', 'ICMP_HOST_UNREACH', 'ICMP_FRAG_NEEDED'], steps: ['__icmp_send'] }),
  macro('ICMP_TIME_EXCEEDED', UAPI_ICMP, 'L3', 'ICMP type 11: time exceeded; code 0 TTL ran out in transit (what traceroute relies on), code 1 fragment reassembly timed out.', { related: ['ICMP_EXC_TTL', 'ICMP_EXC_FRAGTIME', 'ip_forward'], steps: ['ip_forward', '__icmp_send'] }),
  macro('ICMP_REDIRECT', UAPI_ICMP, 'L3', 'ICMP type 5: redirect, sent by a router forwarding back out of the interface the packet came in on.', { related: ['ip_forward'] }),
  macro('ICMP_PARAMETERPROB', UAPI_ICMP, 'L3', 'ICMP type 12: parameter problem (a bad IP option).', { related: ['ip_rcv_options'] }),
  macro('ICMP_NET_UNREACH', UAPI_ICMP, 'L3', 'Destination unreachable code 0: no route to the network.', { related: ['ICMP_DEST_UNREACH', 'ip_error'] }),
  macro('ICMP_HOST_UNREACH', UAPI_ICMP, 'L3', 'Destination unreachable code 1: the host did not answer ARP, or an unreachable route matched.', { related: ['ICMP_DEST_UNREACH', 'NUD_FAILED', 'RTN_UNREACHABLE'] }),
  macro('ICMP_PROT_UNREACH', UAPI_ICMP, 'L3', 'Destination unreachable code 2: no handler for the IP protocol.', { related: ['ICMP_DEST_UNREACH', 'ip_protocol_deliver_rcu'], steps: ['ip_protocol_deliver_rcu'] }),
  macro('ICMP_PORT_UNREACH', UAPI_ICMP, 'L3', 'Destination unreachable code 3: no UDP socket on that port (UdpNoPorts).', { related: ['ICMP_DEST_UNREACH', '__udp4_lib_rcv', 'SKB_DROP_REASON_NO_SOCKET'], steps: ['__udp4_lib_rcv'] }),
  macro('ICMP_FRAG_NEEDED', UAPI_ICMP, 'L3', 'Destination unreachable code 4: the packet has DF and is bigger than the next hop\'s MTU, which the message carries; path MTU discovery learns from it.', { related: ['ICMP_DEST_UNREACH', 'IP_DF', 'ip_forward', 'rtable.rt_pmtu'], steps: ['ip_forward', 'ip_fragment'] }),
  macro('ICMP_PKT_FILTERED', UAPI_ICMP, 'L3', 'Destination unreachable code 13: administratively prohibited (a prohibit route or an nft/iptables reject).', { related: ['RTN_PROHIBIT'] }),
  macro('ICMP_EXC_TTL', UAPI_ICMP, 'L3', 'Time exceeded code 0: TTL reached zero in transit.', { related: ['ICMP_TIME_EXCEEDED'], steps: ['ip_forward'] }),
  macro('ICMP_EXC_FRAGTIME', UAPI_ICMP, 'L3', 'Time exceeded code 1: fragment reassembly time exceeded.', { related: ['ICMP_TIME_EXCEEDED', 'ip_expire'], steps: ['ip_defrag'] }),

  fn('icmp_discard', ICMP_C, 'L3', 'Handler for ICMP types the kernel just counts and ignores (e.g. an echo reply no socket waits for, obsolete types).', { related: ['icmp_rcv'] }),
  fn('ping_rcv', 'net/ipv4/ping.c', 'socket', 'Deliver an ICMP echo reply to the unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP) whose echo id matches.', { related: ['icmp_rcv', 'ICMP_ECHOREPLY'] }),
  fn('icmp_redirect', ICMP_C, 'L3', 'Handle a received ICMP redirect: check it quotes an IP header, then icmp_socket_deliver hands it to the protocol of the quoted packet, whose error handler applies it to the route (ipv4_sk_redirect → __ip_do_redirect).', { related: ['icmp_socket_deliver', '__ip_do_redirect', 'ICMP_REDIRECT'], steps: ['icmp_rcv'] }),
  fn('icmp_socket_deliver', ICMP_C, 'L3', 'Give a received ICMP error to the sockets it is about: needs the quoted IP header plus 8 bytes (else IcmpInErrors); raw sockets of the quoted protocol first (raw_icmp_error), then inet_protos[protocol]->err_handler (udp_err, tcp_v4_err, icmp_err).', { related: ['icmp_unreach', 'icmp_redirect', 'udp_err', 'tcp_v4_err', 'raw_err'], steps: ['icmp_unreach', 'icmp_redirect'] }),
  fn('icmp_timestamp', ICMP_C, 'L3', 'Answer an ICMP timestamp request with a timestamp reply carrying the receive and transmit times in milliseconds since midnight UTC (icmp_reply).', { related: ['icmp_reply', 'ICMP_TIMESTAMP'], steps: ['icmp_rcv'] }),
  fn('icmp_global_consume', ICMP_C, 'L3', 'After a rate-limited ICMP message passed the per-peer limit, take a random 0, 1 or 2 credits from the namespace-wide bucket of icmp_global_allow (it may go negative).', { related: ['icmp_global_allow', 'icmpv4_xrlim_allow'], steps: ['__icmp_send', 'icmp_reply'] }),
  fn('fib_compute_spec_dst', 'net/ipv4/fib_frontend.c', 'L3', 'The source address for a reply: the packet\'s destination when it was one of our addresses, otherwise (a broadcast or multicast) the preferred source of our route back to the sender, or an address of the incoming device.', { related: ['icmp_reply', 'inet_select_addr'], steps: ['icmp_reply'] }),
  macro('IP4_REPLY_MARK', 'include/net/ip.h', 'L3', 'The mark a reply (ICMP reply or error, TCP reset) is routed with: the packet\'s own mark only when net.ipv4.fwmark_reflect is 1, else 0.', { related: ['icmp_reply', '__icmp_send'], steps: ['icmp_reply', '__icmp_send'] }),
  macro('ICMP_TIMESTAMP', UAPI_ICMP, 'L3', 'ICMP type 13: timestamp request, answered by icmp_timestamp.', { related: ['icmp_timestamp'] }),
  macro('ICMP_SOURCE_QUENCH', UAPI_ICMP, 'L3', 'ICMP type 4: source quench (obsolete); icmp_unreach passes it on, and the transports ignore it.', { related: ['icmp_unreach'] }),
];
