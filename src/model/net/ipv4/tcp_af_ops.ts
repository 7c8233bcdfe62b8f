// struct inet_connection_sock_af_ops (include/net/inet_connection_sock.h, v6.12): what the
// shared TCP state machine (tcp_input.c, tcp_output.c, tcp_minisocks.c) asks of the address
// family through icsk->icsk_af_ops — ipv4_specific (net/ipv4/tcp_ipv4.c), ipv6_specific and
// ipv6_mapped (net/ipv6/tcp_ipv6.c). The model's table holds the same seams: the route, the IP
// header size (net_header_len), building and sending the packet around a segment
// (queue_xmit / send_check, and the control socket's reset), and the names of the family's
// functions for the trace.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';
import type { Rtable } from './route_types';

/** The addresses of a connection, from one end's side: IPv4 (u32) or IPv6 (16 bytes). */
export interface TcpEndpoints {
  af: TcpAfOps;
  laddr: number;
  daddr: number;
  laddr6?: Uint8Array;
  daddr6?: Uint8Array;
}

/** What a segment's IP packet needs besides the addresses. */
export interface TcpIpArgs {
  /** the TCP header and data length */
  len: number;
  pkt: number;
  rt: Rtable;
  df: boolean;
  ttl?: number;
  tos?: number;
  /** a socket's segment (checksum left to the device) or the control socket's (computed here) */
  offload: boolean;
  /** writes the TCP header and data at `off`; `csum` fills the checksum field for the family */
  body: (b: Uint8Array, off: number) => void;
}

export interface TcpAfOps {
  /** the kernel's table: ipv4_specific, ipv6_specific, ipv6_mapped */
  readonly name: 'ipv4_specific' | 'ipv6_specific' | 'ipv6_mapped';
  /** net_header_len: the IP header a segment carries (20 or 40); the MSS is the MTU less it and 20 */
  readonly netHeaderLen: number;
  /** the family's tcp_ipv*.c, for trace steps */
  readonly file: string;
  /** the family's function names: tcp_v4_rcv / tcp_v6_rcv and so on */
  readonly fn: { rcv: string; doRcv: string; sendReset: string; sendSynack: string; synRecvSock: string; err: string; connRequest: string };
  /** the route from the local to the peer address (inet_csk_route_req, inet6_csk_route_socket…) */
  route(net: Net, ep: TcpEndpoints): { rt: Rtable } | { error: number; what: string };
  /** the path MTU a connection's MSS comes from (dst_mtu with a learnt route exception) */
  pmtu(net: Net, ep: TcpEndpoints, rt: Rtable): number;
  /** build the IP packet around a segment (ip_make_skb / ip6 header) with the TCP checksum of this family */
  build(net: Net, ep: TcpEndpoints, a: TcpIpArgs, sk: boolean): SkBuff;
  /** a socket's segment: ip_queue_xmit / inet6_csk_xmit; the control socket's: ip_send_unicast_reply / ip6_xmit */
  send(net: Net, skb: SkBuff, sk: boolean): number;
  /** the local and peer addresses as text, with the port: 10.0.0.1:80 or [2001:db8::1]:80 */
  fmt(addr: 'l' | 'd', ep: TcpEndpoints, port: number): string;
  /** the received segment's addresses, seen from this host (laddr = its destination) and its TOS / traffic class */
  rcvEndpoints(skb: SkBuff): TcpEndpoints & { tos: number };
  /** the TCP checksum of a received segment is wrong (over this family's pseudo-header) */
  csumBad(skb: SkBuff): boolean;
}
