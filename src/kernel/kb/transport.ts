// UDP and TCP over IPv4 (net/ipv4/udp.c, tcp_ipv4.c, tcp_input.c, tcp_output.c, tcp_minisocks.c).
import { fields, fn, macro, member, struct } from './define';
import type { KbEntry } from './types';

const UDP_C = 'net/ipv4/udp.c';
const TCP_IPV4 = 'net/ipv4/tcp_ipv4.c';
const TCP_INPUT = 'net/ipv4/tcp_input.c';
const TCP_OUTPUT = 'net/ipv4/tcp_output.c';
const UAPI_UDP = 'include/uapi/linux/udp.h';
const UAPI_TCP = 'include/uapi/linux/tcp.h';
const TCP_STATES = 'include/net/tcp_states.h';

export const UDP: KbEntry[] = [
  struct('udphdr', UAPI_UDP, 'L4', 'The 8-byte UDP header: source port, destination port, length (header plus data) and checksum (optional over IPv4: 0 means none).', { related: ['udp_hdr', '__udp4_lib_rcv'], steps: ['__udp4_lib_rcv', 'udp_sendmsg'] }),
  ...fields('udphdr', UAPI_UDP, 'L4', [
    ['source', 'Source port of the datagram; replies and ICMP errors go back to it.'],
    ['dest', 'Destination port: with the addresses, the key of the socket lookup.', { related: ['__udp4_lib_lookup'], steps: ['__udp4_lib_rcv'] }],
    ['len', 'Length of header plus payload; shorter than 8 or longer than what arrived is a drop (UdpInErrors).', { related: ['SKB_DROP_REASON_PKT_TOO_SMALL'], steps: ['__udp4_lib_rcv'] }],
    ['check', 'Checksum over a pseudo-header (addresses, protocol, length) plus the datagram; 0 means not computed. A bad one drops with SKB_DROP_REASON_UDP_CSUM (InCsumErrors).', { related: ['SKB_DROP_REASON_UDP_CSUM', 'udp_lib_checksum_complete'], steps: ['__udp4_lib_rcv', 'udp_sendmsg'] }],
  ]),
  fn('udp_hdr', 'include/linux/udp.h', 'L4', 'The UDP header of an skb, at its transport header.', { related: ['udphdr'] }),
  struct('udp_sock', 'include/linux/udp.h', 'socket', 'A UDP socket: an inet_sock plus UDP state (corking, encapsulation hooks, GRO options).', { related: ['inet_sock', 'sock'] }),
  fn('udp_rcv', UDP_C, 'L4', 'The IPPROTO_UDP handler registered with IPv4; calls __udp4_lib_rcv.', { related: ['__udp4_lib_rcv', 'ip_protocol_deliver_rcu'] }),
  fn('__udp4_lib_rcv', UDP_C, 'L4', 'UDP receive: check the header and length, initialise checksum checking, find the socket (connected first, then bound), and queue the datagram to it. No socket: verify the checksum, count NoPorts, send ICMP port unreachable, drop with SKB_DROP_REASON_NO_SOCKET.', { related: ['__udp4_lib_lookup', 'udp_unicast_rcv_skb', 'udp_queue_rcv_skb', 'ICMP_PORT_UNREACH', 'SKB_DROP_REASON_NO_SOCKET', 'UDP_MIB_NOPORTS'] }),
  fn('__udp4_lib_lookup', UDP_C, 'L4', 'Find the UDP socket for (saddr, sport, daddr, dport, device): the best-scoring match in the port hash (connected and specific beats wildcard), with reuseport groups.', { related: ['__udp4_lib_rcv', 'udphdr.dest'], steps: ['__udp4_lib_rcv'] }),
  fn('udp4_csum_init', UDP_C, 'L4', 'Set up checksum verification for a received datagram: zero checksum means none, otherwise prepare the pseudo-header sum so it can be checked lazily.', { related: ['sk_buff.ip_summed', 'udp_lib_checksum_complete'], steps: ['__udp4_lib_rcv'] }),
  fn('udp_unicast_rcv_skb', UDP_C, 'L4', 'Deliver to the one socket found: udp_queue_rcv_skb.', { related: ['udp_queue_rcv_skb'], steps: ['__udp4_lib_rcv'] }),
  fn('udp_queue_rcv_skb', UDP_C, 'L4', 'Deliver a datagram to a socket, splitting GRO aggregates first; each segment goes through udp_queue_rcv_one_skb (encapsulation, socket filter, checksum when the socket will copy) to __udp_queue_rcv_skb.', { related: ['udp_queue_rcv_one_skb', '__udp_queue_rcv_skb', '__udp_enqueue_schedule_skb'] }),
  fn('udp_queue_rcv_one_skb', UDP_C, 'L4', 'Per-datagram socket delivery: encapsulation hand-off, socket filter (SKB_DROP_REASON_SOCKET_FILTER), full checksum if still unchecked, then __udp_queue_rcv_skb.', { related: ['udp_queue_rcv_skb', 'SKB_DROP_REASON_SOCKET_FILTER'], steps: ['udp_queue_rcv_skb'] }),
  fn('__udp_queue_rcv_skb', UDP_C, 'L4', 'Enqueue to the socket, counting RcvbufErrors/InErrors and dropping when the buffer is full.', { related: ['__udp_enqueue_schedule_skb', 'SKB_DROP_REASON_SOCKET_RCVBUFF'], steps: ['udp_queue_rcv_skb'] }),
  fn('__udp_enqueue_schedule_skb', UDP_C, 'L4', 'Put the datagram on the socket\'s receive queue if it fits in sk_rcvbuf (charging truesize to sk_rmem_alloc), else return -ENOMEM (its caller __udp_queue_rcv_skb frees the datagram with SKB_DROP_REASON_SOCKET_RCVBUFF); then wake the reader (sk_data_ready).', { related: ['sock.sk_receive_queue', 'sock.sk_rcvbuf', 'sock.sk_rmem_alloc', 'sock_def_readable', 'SKB_DROP_REASON_SOCKET_RCVBUFF'] }),
  fn('udp_lib_checksum_complete', 'include/net/udp.h', 'L4', 'Finish verifying a UDP checksum in software when the device did not; non-zero means bad.', { related: ['__skb_checksum_complete', 'SKB_DROP_REASON_UDP_CSUM'], steps: ['__udp4_lib_rcv', 'udp_queue_rcv_skb'] }),
  fn('udp_sendmsg', UDP_C, 'L4', 'sendto()/send() on a UDP socket: take the destination (argument or connected peer), route it (ip_route_output_flow), build the datagram (ip_make_skb, or append when corked) and send it with udp_send_skb.', { related: ['ip_route_output_flow', 'ip_make_skb', 'udp_send_skb', 'inet_sendmsg'] }),
  fn('udp_send_skb', UDP_C, 'L4', 'Fill the UDP header and checksum (or leave it CHECKSUM_PARTIAL for the device), then ip_send_skb; counts OutDatagrams.', { related: ['udp_sendmsg', 'ip_send_skb', 'udp4_hwcsum'], steps: ['udp_sendmsg'] }),
  fn('udp4_hwcsum', UDP_C, 'L4', 'Prepare a UDP checksum for hardware offload (CHECKSUM_PARTIAL with the pseudo-header sum).', { related: ['CHECKSUM_PARTIAL'], steps: ['udp_sendmsg'] }),
  fn('udp_recvmsg', UDP_C, 'socket', 'recvfrom() on a UDP socket: dequeue one datagram from the receive queue and copy it to user space.', { related: ['__udp_enqueue_schedule_skb', 'inet_recvmsg'] }),

  fn('udp_err', UDP_C, 'L4', 'ICMP error handler of UDP: icmp_unreach calls it with the datagram quoted in the error.', { related: ['__udp4_lib_err', 'icmp_unreach'] }),
  fn('__udp4_lib_err', UDP_C, 'L4', 'Find the UDP socket that sent the quoted datagram and report the error on it (ECONNREFUSED for port unreachable on a connected socket, EMSGSIZE with the new PMTU for fragmentation needed).', { related: ['udp_err', 'icmp_unreach', 'ICMP_PORT_UNREACH'] }),
  fn('__udp4_lib_mcast_deliver', UDP_C, 'L4', 'Deliver a UDP datagram sent to a broadcast or multicast address to every socket bound to its port whose addresses allow it (clones for all but the first). With none it is freed quietly and counted in UdpIgnoredMulti: no ICMP port unreachable for a broadcast.', { related: ['__udp4_lib_rcv', 'udp_queue_rcv_skb'], steps: ['__udp4_lib_rcv'], counters: ['UdpIgnoredMulti'] }),
];

export const TCP: KbEntry[] = [
  struct('tcphdr', UAPI_TCP, 'L4', 'The TCP header: ports, sequence and acknowledgement numbers, data offset, flags (SYN, ACK, RST, FIN, PSH, URG…), window, checksum, urgent pointer; options follow when doff > 5.', { related: ['tcp_hdr', 'tcp_v4_rcv'], steps: ['tcp_v4_rcv', 'tcp_transmit_skb'] }),
  ...fields('tcphdr', UAPI_TCP, 'L4', [
    ['source', 'Source port of the segment, part of the 4-tuple that identifies the connection.'],
    ['dest', 'Destination port.', { steps: ['tcp_v4_rcv'] }],
    ['seq', 'Sequence number of the first data byte (or of the SYN).', { steps: ['tcp_rcv_state_process'] }],
    ['ack_seq', 'Next sequence number the sender expects from us, valid with ACK.', { steps: ['tcp_rcv_state_process'] }],
    ['doff', 'Header length in 32-bit words (5 without options); less than 5 is a bad segment.', { steps: ['tcp_v4_rcv'] }],
    ['syn', 'SYN flag: open a connection (synchronise sequence numbers).', { related: ['TCP_LISTEN', 'tcp_v4_conn_request'], steps: ['tcp_rcv_state_process'] }],
    ['ack', 'ACK flag: ack_seq is valid.', { steps: ['tcp_rcv_state_process'] }],
    ['rst', 'RST flag: abort the connection; sent by tcp_v4_send_reset for segments with no socket.', { related: ['tcp_v4_send_reset'], steps: ['tcp_v4_send_reset'] }],
    ['fin', 'FIN flag: the sender has no more data.'],
    ['window', 'Receive window advertised by the sender (scaled by the window-scale option).'],
    ['check', 'Checksum over pseudo-header and segment; a bad one drops with SKB_DROP_REASON_TCP_CSUM.', { related: ['SKB_DROP_REASON_TCP_CSUM'], steps: ['tcp_v4_rcv'] }],
  ]),
  fn('tcp_hdr', 'include/linux/tcp.h', 'L4', 'The TCP header of an skb, at its transport header.', { related: ['tcphdr'] }),
  struct('tcp_sock', 'include/linux/tcp.h', 'socket', 'A TCP socket: an inet_connection_sock plus all of TCP\'s state — sequence numbers, windows, congestion control, timers, queues.', { related: ['inet_connection_sock', 'sock'], steps: ['tcp_rcv_state_process', 'tcp_transmit_skb'] }),
  ...fields('tcp_sock', 'include/linux/tcp.h', 'socket', [
    ['snd_una', 'Oldest sequence number sent but not yet acknowledged.'],
    ['snd_nxt', 'Next sequence number to send.', { steps: ['tcp_transmit_skb'] }],
    ['rcv_nxt', 'Next sequence number expected from the peer.', { steps: ['tcp_rcv_state_process'] }],
  ]),
  struct('inet_connection_sock', 'include/net/inet_connection_sock.h', 'socket', 'The connection-oriented layer shared by TCP: the accept queue of a listener, retransmit timers, congestion-control ops, PMTU probing.', { related: ['tcp_sock', 'inet_sock', 'inet_csk_accept'] }),
  struct('request_sock', 'include/net/request_sock.h', 'socket', 'A mini-socket for a connection being opened on a listener (after SYN, before the final ACK), in state TCP_NEW_SYN_RECV; the full socket is created only when the handshake completes.', { related: ['tcp_conn_request', 'tcp_check_req', 'TCP_NEW_SYN_RECV'], steps: ['tcp_v4_rcv', 'tcp_rcv_state_process'] }),
  fn('tcp_v4_rcv', TCP_IPV4, 'L4', 'TCP receive: check header length and checksum, look the segment\'s socket up (established, then listening), handle request socks and TIME_WAIT, run the socket filter, then process it (tcp_v4_do_rcv) now or on the socket backlog if a user holds the socket. No socket → tcp_v4_send_reset and SKB_DROP_REASON_NO_SOCKET.', { related: ['tcp_v4_do_rcv', '__inet_lookup_skb', 'tcp_v4_send_reset', 'SKB_DROP_REASON_NO_SOCKET', 'SKB_DROP_REASON_TCP_CSUM'] }),
  fn('tcp_v4_do_rcv', TCP_IPV4, 'L4', 'Process a segment for a socket: ESTABLISHED → tcp_rcv_established (fast path); otherwise tcp_rcv_state_process. A non-zero result means answer with a RST.', { related: ['tcp_rcv_established', 'tcp_rcv_state_process', 'tcp_v4_send_reset'] }),
  fn('tcp_rcv_state_process', TCP_INPUT, 'L4', 'The TCP state machine for everything but the established fast path: a SYN on a LISTEN socket creates a request sock and sends a SYN-ACK; in SYN_SENT the SYN-ACK completes an active open; ACKs move SYN_RECV → ESTABLISHED; FIN and close states.', { related: ['tcp_conn_request', 'tcp_rcv_synsent_state_process', 'tcp_set_state', 'TCP_LISTEN', 'TCP_SYN_SENT', 'TCP_ESTABLISHED'] }),
  fn('tcp_rcv_established', TCP_INPUT, 'L4', 'Fast path for a segment on an ESTABLISHED connection: in-order data goes straight to the receive queue, ACKs advance the send side.', { related: ['tcp_v4_do_rcv', 'tcp_ack', 'tcp_data_queue'], steps: ['tcp_v4_do_rcv'] }),
  fn('tcp_rcv_synsent_state_process', TCP_INPUT, 'L4', 'In SYN_SENT: accept a valid SYN-ACK (acking our SYN), move to ESTABLISHED and send the final ACK; a RST aborts the connect.', { related: ['tcp_rcv_state_process', 'TCP_SYN_SENT'], steps: ['tcp_rcv_state_process'] }),
  fn('tcp_ack', TCP_INPUT, 'L4', 'Process an incoming ACK: advance snd_una, free acknowledged data, update windows and congestion control.', { related: ['tcp_sock.snd_una'], steps: ['tcp_rcv_state_process'] }),
  fn('tcp_data_queue', TCP_INPUT, 'L4', 'Queue received data: in order onto the receive queue (waking the reader), out of order into the OFO tree.', { related: ['sock.sk_receive_queue'], steps: ['tcp_rcv_state_process'] }),
  fn('tcp_v4_conn_request', TCP_IPV4, 'L4', 'A SYN reached a listening IPv4 socket: hand it to tcp_conn_request (drops broadcast/multicast SYNs).', { related: ['tcp_conn_request'], steps: ['tcp_rcv_state_process'] }),
  fn('tcp_conn_request', TCP_INPUT, 'L4', 'Handle a SYN on a listener: check the SYN and accept queues (SYN cookies when full), create a request sock, and send the SYN-ACK.', { related: ['request_sock', 'tcp_v4_send_synack', 'TCP_NEW_SYN_RECV'], steps: ['tcp_rcv_state_process'] }),
  fn('tcp_v4_send_synack', TCP_IPV4, 'L4', 'Build and send the SYN-ACK for a request sock (ip_build_and_send_pkt).', { related: ['tcp_conn_request', 'ip_build_and_send_pkt'], steps: ['tcp_rcv_state_process'] }),
  fn('tcp_check_req', 'net/ipv4/tcp_minisocks.c', 'L4', 'A segment for a request sock: if it is the valid final ACK of the handshake, create the child socket (tcp_v4_syn_recv_sock) and queue it for accept().', { related: ['request_sock', 'tcp_v4_syn_recv_sock', 'inet_csk_accept'], steps: ['tcp_v4_rcv'] }),
  fn('tcp_v4_syn_recv_sock', TCP_IPV4, 'L4', 'Create the full child socket of a completed handshake, copying addresses and options from the request sock.', { related: ['tcp_check_req'], steps: ['tcp_v4_rcv'] }),
  fn('tcp_child_process', 'net/ipv4/tcp_minisocks.c', 'L4', 'Run the new child socket\'s state machine on the segment that created it (SYN_RECV → ESTABLISHED) and wake the listener.', { related: ['tcp_check_req', 'tcp_rcv_state_process'], steps: ['tcp_v4_rcv'] }),
  fn('tcp_v4_send_reset', TCP_IPV4, 'L4', 'Answer a segment that has no connection with a RST, built from the offending segment\'s addresses and numbers (never in reply to a RST); counts OutRsts.', { related: ['tcphdr.rst', 'tcp_v4_rcv', 'TCP_MIB_OUTRSTS'] }),
  fn('tcp_v4_send_check', TCP_IPV4, 'L4', 'Set up the TCP checksum of an outgoing segment (pseudo-header, offloaded as CHECKSUM_PARTIAL).', { related: ['CHECKSUM_PARTIAL'], steps: ['tcp_transmit_skb'] }),
  fn('tcp_transmit_skb', TCP_OUTPUT, 'L4', 'Send one segment: clone it (the original stays in the retransmit queue), push and fill the TCP header and options, set up the checksum, and hand it to IP (ip_queue_xmit via icsk_af_ops).', { related: ['__tcp_transmit_skb', 'ip_queue_xmit', 'tcp_v4_send_check'] }),
  fn('__tcp_transmit_skb', TCP_OUTPUT, 'L4', 'The body of tcp_transmit_skb.', { related: ['tcp_transmit_skb'], steps: ['tcp_transmit_skb'] }),
  fn('tcp_write_xmit', TCP_OUTPUT, 'L4', 'Send as many queued segments as the congestion and receive windows (and pacing) allow.', { related: ['tcp_transmit_skb'] }),
  fn('tcp_connect', TCP_OUTPUT, 'L4', 'Start an active open: build the SYN, queue it for retransmission, send it and arm the retransmit timer.', { related: ['tcp_v4_connect', 'tcp_transmit_skb'], steps: ['tcp_v4_connect'] }),
  fn('tcp_v4_connect', TCP_IPV4, 'L4', 'connect() on an IPv4 TCP socket: route to the destination, pick the source address and an ephemeral port, choose the initial sequence number, enter SYN_SENT and send the SYN (tcp_connect).', { related: ['tcp_connect', 'ip_route_output_flow', 'TCP_SYN_SENT'] }),
  fn('tcp_send_ack', TCP_OUTPUT, 'L4', 'Send a bare ACK now.', { related: ['tcp_transmit_skb'], steps: ['tcp_rcv_state_process'] }),
  fn('tcp_set_state', 'net/ipv4/tcp.c', 'L4', 'Change a TCP socket\'s state, keeping the counters (CurrEstab, ActiveOpens…) and hash tables in step.', { related: ['sock.sk_state', 'TCP_ESTABLISHED'], steps: ['tcp_rcv_state_process', 'tcp_v4_connect'] }),
  fn('tcp_sendmsg', 'net/ipv4/tcp.c', 'L4', 'send() on a TCP socket: copy user data into segments on the write queue and push them out (tcp_write_xmit).', { related: ['tcp_write_xmit', 'inet_sendmsg'] }),
  fn('tcp_add_backlog', TCP_IPV4, 'L4', 'Queue a segment on the socket backlog while a user holds the socket lock; processed at release_sock. Over the limit → SKB_DROP_REASON_SOCKET_BACKLOG.', { related: ['sk_add_backlog', 'SKB_DROP_REASON_SOCKET_BACKLOG'], steps: ['tcp_v4_rcv'] }),
  fn('__inet_lookup_skb', 'include/net/inet_hashtables.h', 'L4', 'Find the TCP socket for a received segment: established hash first (exact 4-tuple), then listeners.', { related: ['tcp_v4_rcv'], steps: ['tcp_v4_rcv'] }),
  fn('inet_csk_accept', 'net/ipv4/inet_connection_sock.c', 'socket', 'accept() on a listener: wait for and take a child socket from the accept queue.', { related: ['inet_connection_sock', 'tcp_check_req'] }),
  member('TCP_ESTABLISHED', TCP_STATES, 'L4', 'TCP state 1: the connection is open; data flows both ways.', { related: ['sock.sk_state'], steps: ['tcp_rcv_state_process'] }),
  member('TCP_SYN_SENT', TCP_STATES, 'L4', 'TCP state: connect() sent a SYN and waits for the SYN-ACK.', { related: ['tcp_v4_connect'], steps: ['tcp_v4_connect', 'tcp_rcv_state_process'] }),
  member('TCP_SYN_RECV', TCP_STATES, 'L4', 'TCP state: a SYN was answered with a SYN-ACK and the final ACK is awaited (for child sockets and Fast Open).', { related: ['tcp_child_process'] }),
  member('TCP_LISTEN', TCP_STATES, 'L4', 'TCP state: a listening socket; SYNs create request socks.', { related: ['tcp_conn_request'], steps: ['tcp_rcv_state_process'] }),
  member('TCP_CLOSE', TCP_STATES, 'L4', 'TCP state: closed, or never connected.', { related: ['sock.sk_state'] }),
  member('TCP_TIME_WAIT', TCP_STATES, 'L4', 'TCP state: closed actively, lingering to absorb late segments (handled by a small timewait sock).', { related: ['tcp_v4_rcv'] }),
  member('TCP_NEW_SYN_RECV', TCP_STATES, 'L4', 'State of a request_sock: the SYN-ACK was sent, waiting for the final ACK.', { related: ['request_sock', 'tcp_check_req'], steps: ['tcp_v4_rcv'] }),
  macro('TCPHDR_SYN', 'include/net/tcp.h', 'L4', 'The SYN bit in TCP\'s internal flags byte (as in tcp_skb_cb.tcp_flags).', { related: ['tcphdr.syn'] }),
  macro('TCPHDR_ACK', 'include/net/tcp.h', 'L4', 'The ACK bit in TCP\'s internal flags byte.', { related: ['tcphdr.ack'] }),
  macro('TCPHDR_RST', 'include/net/tcp.h', 'L4', 'The RST bit in TCP\'s internal flags byte.', { related: ['tcphdr.rst'] }),
  fn('tcp_v4_err', TCP_IPV4, 'L4', 'ICMP error handler of TCP: find the connection the quoted segment belongs to (established lookup only), check its sequence number is in flight (else OutOfWindowIcmps), then: redirect → the route, fragmentation needed → lower the MSS, a hard error in SYN_SENT/SYN_RECV → tcp_done_with_error (unless the user holds the socket: LockDroppedIcmps, soft error), otherwise a soft error.', { related: ['icmp_socket_deliver', 'tcp_done_with_error', 'tcp_req_err'], steps: ['icmp_unreach', 'icmp_redirect'], counters: ['TcpExtLockDroppedIcmps', 'TcpExtOutOfWindowIcmps'] }),
  fn('tcp_req_err', TCP_IPV4, 'L4', 'An ICMP error about a SYN-ACK of a request sock: a hard error for the SYN-ACK we sent drops the request (inet_csk_reqsk_queue_drop, ListenDrops).', { related: ['tcp_v4_err'], steps: ['tcp_v4_err'] }),
  fn('tcp_done_with_error', TCP_INPUT, 'L4', 'Fail a connection with an error: set sk_err, purge the write queue, tcp_done, and wake the application (connect() returns the error).', { related: ['tcp_done', 'tcp_v4_err', 'tcp_reset'], steps: ['tcp_v4_err'] }),
  fn('tcp_done', 'net/ipv4/tcp.c', 'L4', 'Close a socket for good: TcpAttemptFails when it was still connecting, state TCP_CLOSE, timers cleared.', { related: ['tcp_done_with_error'], steps: ['tcp_v4_err'], counters: ['TcpAttemptFails'] }),
];
