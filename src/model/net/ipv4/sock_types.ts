import type { RcvSpace } from './tcp_window';
import type { TcpAfOps } from './tcp_af_ops';
// The sockets of one host: UDP (struct udp_sock) and TCP (struct tcp_sock, request socks).
import type { SocketReport } from '../../../trace/contract';
import type { BacklogEntry } from './tcp_backlog';

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

/** An AF_INET6 UDP socket: bound to `::` (all zero) or one IPv6 address. */
export interface Udp6Sock {
  kind: 'udp6';
  laddr: Uint8Array;
  lport: number;
  /** IPV6_V6ONLY: without it a socket bound to `::` (or a v4-mapped address) also takes IPv4 datagrams */
  v6only: boolean;
  rcvbuf: number;
  rmemAlloc: number;
  report: SocketReport;
  errors: string[];
}

/** An sk_buff of the retransmit queue, with the TCP_SKB_CB(skb)->sacked bits the RTO reads. */
export interface RtxSkb {
  seq: number;
  len: number;
  /** tcp_skb_pcount */
  segs: number;
  psh: boolean;
  /** the packet id of its first transmission (parent of its retransmissions) */
  pkt: number;
  /** skb_mstamp_ns: when it last went out (ns) */
  sentAt: number;
  /** TCPCB_LOST, TCPCB_SACKED_RETRANS (tcp_retransmit_skb resent it), TCPCB_EVER_RETRANS */
  lost?: boolean;
  sackedRetrans?: boolean;
  everRetrans?: boolean;
}

export interface TcpSock {
  kind: 'tcp';
  state: TcpState;
  /** icsk_af_ops: ipv4_specific, ipv6_specific, or ipv6_mapped for an IPv4 peer of a dual-stack IPv6 listener */
  af: TcpAfOps;
  /** IPv4 addresses (0 for an IPv6 socket) */
  laddr: number;
  lport: number;
  daddr: number;
  dport: number;
  /** an IPv6 socket's addresses (sk_v6_rcv_saddr, sk_v6_daddr); laddr6 all zero for `::` */
  laddr6?: Uint8Array;
  daddr6?: Uint8Array;
  /** IPV6_V6ONLY (from net.ipv6.bindv6only at socket()): an IPv6 listener that IPv4 segments never find */
  v6only?: boolean;
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
  retransTimer: { cancelled: boolean; done?: boolean } | null;
  /**
   * icsk_retransmit_timer while data is in flight: ICSK_TIME_LOSS_PROBE (tcp_schedule_loss_probe,
   * a SACK connection) or ICSK_TIME_RETRANS (the RTO, whose data retransmission is not modelled)
   */
  xmitTimer?: { kind: 'probe' | 'rto'; t: { cancelled: boolean; done?: boolean } };
  /** tcp_rtx_queue: the sk_buffs sent and not yet acknowledged, in sequence order (the last is what a loss probe resends) */
  rtxQueue?: RtxSkb[];
  /** icsk_ca_state: Open, or Loss after a retransmission timeout (tcp_enter_loss) until tcp_process_loss ends it */
  caState?: 'Open' | 'Loss';
  /** high_seq: snd_nxt when the Loss state began */
  highSeq?: number;
  /** icsk_retransmits: RTO expiries since data was last acknowledged; icsk_rto (ns), doubled by each expiry */
  retransmits?: number;
  rto?: number;
  /** the data's retrans_stamp (ns): when the head of the queue had last gone out at its first RTO retransmission (0: none) */
  dataRetransStamp?: number;
  /** undo_marker (snd_una at tcp_init_undo, 0: none) and undo_retrans (retransmissions not yet reported as duplicates) */
  undoMarker?: number;
  undoRetrans?: number;
  /** snd_ssthresh, and prior_ssthresh / prior_cwnd saved by tcp_enter_loss for an undo (segments; ssthresh undefined: TCP_INFINITE_SSTHRESH) */
  ssthresh?: number;
  priorSsthresh?: number;
  priorCwnd?: number;
  /** tp->frto: F-RTO (tcp_frto, 2 by default) runs in this Loss episode */
  frto?: boolean;
  /** when the head of the retransmit queue went out (tcp_rto_delta_us counts the RTO from it) */
  rtxHeadAt?: number;
  /** mss_cache: the MSS the data went out with (tcp_dsack_seen counts a DSACK's segments by it) */
  mssCache?: number;
  /** tlp_high_seq: snd_nxt when a loss probe went out, until tcp_process_tlp_ack settles it (0: none) */
  tlpHighSeq?: number;
  /** tlp_retrans: that probe resent data (rather than sending new data) */
  tlpRetrans?: boolean;
  /** total_retrans and dsack_dups: segments retransmitted, and segments the peer reported twice (DSACK) */
  totalRetrans?: number;
  dsackDups?: number;
  /** rx_opt.dsack with duplicate_sack[0]: the DSACK block the next segment sent carries (tcp_dsack_set) */
  dsack?: [number, number];
  synRetries: number;
  /** retrans_stamp: when the SYN was first sent (simulated ns; tcp_connect sets it) */
  retransStamp?: number;
  /** the packet id of the SYN, parent of retransmits */
  synPkt: number;
  /** a request sock: req->num_timeout (its SYN-ACK timer's expiries) and the TOS of the SYN it answers */
  numTimeout?: number;
  synTos?: number;
  /** the last SYN retransmission reached the device layer (TCPCB_SACKED_RETRANS set by tcp_retransmit_skb) */
  synRtxOk?: boolean;
  /** some SYN retransmission reached the device layer: the SYN's sk_buff carries TCPCB_RETRANS for good */
  synEverRtx?: boolean;
  errors: string[];
  /**
   * when connect() ran (simulated ns): on a veth path everything its SYN sets off at that
   * instant (ARP, the peer's answer) runs in the softirq before connect() releases the socket
   * lock, so an ICMP error arriving then finds the socket owned by the user (sock_owned_by_user)
   */
  userLockAt?: number;
  /**
   * sock_owned_by_user: the application is inside tcp_sendmsg (lock_sock … release_sock), so a
   * segment arriving in a softirq waits on the backlog (tcp_backlog.ts)
   */
  ownedByUser?: boolean;
  /** sk_backlog: the segments release_sock will hand to tcp_v4_do_rcv */
  backlog?: BacklogEntry[];
  /** rcv_wnd: the receive window last offered (bytes) */
  rcvWnd?: number;
  /** rcv_wup: rcv_nxt when that window was offered */
  rcvWup?: number;
  /** tstamp_ok: timestamps on every segment (for a SYN_SENT socket: offered, tcp_timestamps) */
  tstampOk?: boolean;
  /** sack_ok: SACK permitted (offered, then negotiated) */
  sackOk?: boolean;
  /** wscale_ok: window scaling in use (offered, then negotiated) */
  wscaleOk?: boolean;
  /** rx_opt.rcv_wscale: the scale of the windows we offer (0 without window scaling) */
  rcvWscale?: number;
  /** rx_opt.mss_clamp: the MSS the peer's SYN or SYN-ACK offered (TCP_MSS_DEFAULT, 536, without one) */
  mssClamp?: number;
  /** data segments sent and not yet acknowledged (tp->packets_out, for TCPDelivered) */
  unackedSegs?: number;
  /** snd_wnd and max_window: the window the peer offers (bytes), and the largest it offered */
  sndWnd?: number;
  maxWindow?: number;
  /** snd_wscale: the scale of the peer's windows (0 without window scaling) */
  sndWscale?: number;
  /** snd_cwnd in segments (TCP_INIT_CWND, 10, at the start) */
  cwnd?: number;
  /** advmss: the MSS this end announced (the route's MTU less 40) */
  advmss?: number;
  /** the receive window's state once established (tcp_window.ts) */
  rcvSpace?: RcvSpace;
  /** the window field a kernel that raises rcv_ssthresh in tcp_measure_rcv_mss would send in the segment being built, when it differs (RcvSpace.alt) */
  altWindow?: number;
  /**
   * sk_dst_pending_confirm (v6.12): TCP learnt that the peer is reachable (tcp_ack's forward
   * progress or duplicate ACK, tcp_init_metrics at the end of the handshake); the next segment
   * sent carries it (skb->dst_pending_confirm) and confirms the neighbour on its way out.
   */
  dstPendingConfirm?: boolean;
  /**
   * sk_err_soft: an ICMP error tcp_v4_err could not act on (connect() held the socket, or the
   * connection is established); tcp_write_err reports it instead of ETIMEDOUT (v6.12)
   */
  errSoft?: string;
  /** snd_wl1: the sequence number of the segment that last updated snd_wnd (tcp_may_update_window) */
  sndWl1?: number;
  /** the write queue not yet sent: each sk_buff's data length (tcp_sendmsg fills them up to size_goal) */
  writeQueue?: number[];
}

export interface RawSock {
  kind: 'raw';
  protocol: number;
  /** the ping tool owning it: replies and errors seen */
  received: { from: string; what: string; packet: number }[];
  echoId: number;
  /** the destination of the ping running on it (iputils' whereto) */
  whereto?: number;
  /** an IPv6 ping's destination (an ICMPv6 raw socket) */
  whereto6?: Uint8Array;
  /**
   * iputils' rts->confirm: an IPv6 ping took an echo reply since its last send, so the next echo
   * request goes with MSG_CONFIRM (ping6_send_probe; ping4_send_probe sends with no flags)
   */
  msgConfirm?: boolean;
}

export interface SockTables {
  udp: UdpSock[];
  /** AF_INET6 UDP sockets (net/ipv6/udp.c); IPv6-only (IPV6_V6ONLY), so IPv4 lookups never see them */
  udp6: Udp6Sock[];
  tcp: TcpSock[];
  raw: RawSock[];
  /** next ephemeral port (ip_local_port_range starts at 32768) */
  nextEphemeral: number;
}
