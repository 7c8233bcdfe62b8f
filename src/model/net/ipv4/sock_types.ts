// The sockets of one host: UDP (struct udp_sock) and TCP (struct tcp_sock, request socks).
import type { SocketReport } from '../../trace';

export type TcpState = 'TCP_CLOSE' | 'TCP_LISTEN' | 'TCP_SYN_SENT' | 'TCP_SYN_RECV' | 'TCP_NEW_SYN_RECV' | 'TCP_ESTABLISHED';

export interface UdpSock {
  kind: 'udp';
  laddr: number;
  lport: number;
  /** connected peer (0 when not connected) */
  daddr: number;
  dport: number;
  rcvbuf: number;
  /** sk_rmem_alloc: bytes charged to the receive queue (truesize) */
  rmemAlloc: number;
  report: SocketReport;
  /** errors queued by ICMP (sk_err), e.g. ECONNREFUSED */
  errors: string[];
}

export interface TcpSock {
  kind: 'tcp';
  state: TcpState;
  laddr: number;
  lport: number;
  daddr: number;
  dport: number;
  sndNxt: number;
  sndUna: number;
  rcvNxt: number;
  iss: number;
  irs: number;
  tsRecent: number;
  /** a request sock's last_oow_ack_time: when a SYN-ACK last went out again for a retransmitted SYN (tcp_oow_rate_limited) */
  lastOowAck?: number;
  /** for listeners: the report of what was accepted and received */
  report: SocketReport | null;
  /** the listener a request or child belongs to */
  parent: TcpSock | null;
  /** bytes to send once established */
  pendingData: number;
  /** a SYN retransmit timer, for connects */
  retransTimer: { cancelled: boolean } | null;
  synRetries: number;
  /**
   * retrans_stamp (ns): when tcp_connect sent the SYN; tcp_write_timeout also gives up once the
   * time since then reaches tcp_model_timeout(tcp_syn_retries)
   */
  retransStamp?: number;
  /** TCPCB_SACKED_RETRANS on the SYN: its last retransmission went out (tcp_transmit_skb returned 0) */
  synRetransOk?: boolean;
  /** the packet id of the SYN, parent of retransmits */
  synPkt: number;
  errors: string[];
  /**
   * when connect() ran (simulated ns): on a veth path everything its SYN sets off at that
   * instant (ARP, the peer's answer) runs in the softirq before connect() releases the socket
   * lock, so an ICMP error arriving then finds the socket owned by the user (sock_owned_by_user)
   */
  userLockAt?: number;
  /** rcv_wnd: the receive window last offered (bytes) */
  rcvWnd?: number;
  /** rcv_wup: rcv_nxt when that window was offered */
  rcvWup?: number;
  /** data segments sent and not yet acknowledged (tp->packets_out, for TCPDelivered) */
  unackedSegs?: number;
}

export interface RawSock {
  kind: 'raw';
  protocol: number;
  /** the ping tool owning it: replies and errors seen */
  received: { from: string; what: string; packet: number }[];
  echoId: number;
  /** the destination of the ping running on it (iputils' whereto) */
  whereto?: number;
}

export interface SockTables {
  udp: UdpSock[];
  tcp: TcpSock[];
  raw: RawSock[];
  /** next ephemeral port (ip_local_port_range starts at 32768) */
  nextEphemeral: number;
}
