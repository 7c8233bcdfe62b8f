// The trace `fn` names the model emits (src/model names its steps after the kernel's own
// functions, v6.12): the functions issue 5 lists plus those src/model walks today (its step()
// and call() names). The KB's `modelSteps` only ever name functions from this list, and the
// CodeLens "modelled: …" is shown on these functions (plus those of a live trace).
import type { KernelPath } from './types';

export const MODEL_STEPS: readonly string[] = [
  // NAPI, the backlog and L2 receive
  'napi_schedule', 'e1000_intr', 'net_rx_action', '__napi_poll', 'e1000_clean', 'e1000_clean_rx_irq', 'e1000_receive_skb',
  'napi_gro_receive', 'gro_normal_list', 'napi_complete_done', 'netif_receive_skb_list_internal', '__netif_receive_skb_list_core',
  '__netif_receive_skb_list_ptype', 'netif_rx', 'enqueue_to_backlog', 'process_backlog', 'netif_receive_skb', '__netif_receive_skb',
  '__netif_receive_skb_one_core', '__netif_receive_skb_core', 'eth_type_trans', 'veth_xmit', 'veth_forward_skb', '__dev_forward_skb', '__dev_forward_skb2',
  'loopback_xmit',
  // ARP and neighbours
  'arp_rcv', 'arp_process', 'pneigh_enqueue', 'neigh_proxy_process', 'arp_solicit', 'arp_send_dst', 'arp_create', 'arp_xmit', 'arp_error_report', 'neigh_resolve_output',
  'neigh_connected_output', 'neigh_hh_output', '__neigh_event_send', 'neigh_update', 'neigh_probe', 'neigh_app_ns', 'neigh_timer_handler',
  'neigh_invalidate', 'sock_confirm_neigh',
  // IPv4 in
  'ip_rcv', 'ip_list_rcv', 'ip_sublist_rcv', 'ip_rcv_core', 'ip_rcv_finish', 'ip_rcv_finish_core', 'ip_route_input_noref', 'fib_lookup',
  'ip_error', 'ip_local_deliver', 'ip_local_deliver_finish', 'ip_protocol_deliver_rcu', 'ip_defrag', 'raw_local_deliver', 'raw_rcv',
  // forward
  'ip_forward', 'ip_forward_finish', 'ip_rt_send_redirect', 'ip_options_compile', 'ip_forward_options',
  // IPv4 out
  'ip_queue_xmit', 'ip_local_out', '__ip_local_out', 'ip_output', 'ip_finish_output', '__ip_finish_output', 'ip_finish_output2', 'ip_finish_output_gso', 'skb_gso_segment',
  'ip_do_fragment', 'ip_fragment', 'ip_push_pending_frames', 'ip_send_skb', 'ipv4_link_failure', 'raw_sendmsg', 'ip4_datagram_connect',
  // device out
  '__dev_queue_xmit', 'sch_direct_xmit', 'dev_hard_start_xmit', 'e1000_xmit_frame',
  // ICMP
  'icmp_rcv', 'icmp_echo', 'icmp_reply', 'icmp_push_reply', 'icmp_unreach', 'icmp_discard', '__icmp_send', 'ping_rcv',
  'icmp_redirect', 'icmp_socket_deliver', 'icmp_timestamp', '__ip_do_redirect', 'ip_mc_output', 'dev_loopback_xmit',
  // IPv6 (src/model/net/ipv6/): receive, forward, output, ICMPv6, neighbour discovery, ping's raw socket
  'ipv6_rcv', 'ip6_rcv_core', 'ip6_rcv_finish_core', 'ip6_route_input', 'ip6_mc_input', 'ip6_input', 'ip6_protocol_deliver_rcu', 'ip6_pkt_drop',
  'ip6_forward', 'ip6_forward_finish', '__ip6_local_out', 'ip6_local_out', 'ip6_send_skb', 'ip6_output', 'ip6_finish_output', 'ip6_finish_output2',
  'icmpv6_rcv', 'icmpv6_echo_reply', 'icmp6_send', 'icmpv6_notify', 'icmpv6_err', 'ndisc_rcv', 'ndisc_recv_ns', 'ndisc_recv_na', 'ndisc_solicit',
  'ndisc_send_ns', 'rt6_probe', 'ndisc_send_rs', 'ndisc_recv_rs', 'addrconf_rs_timer', 'igmp6_send', 'mld_mca_work', 'addrconf_dad_kick', 'addrconf_dad_work', 'addrconf_dad_completed', 'ndisc_send_na', 'ndisc_send_skb', 'ndisc_error_report', 'ip6_link_failure', 'ip6_datagram_connect', 'rawv6_sendmsg',
  'rawv6_rcv', 'ipv6_raw_deliver', 'raw6_icmp_error', 'udpv6_sendmsg', 'udp_v6_send_skb', 'udpv6_rcv', '__udp6_lib_rcv', '__udp6_lib_mcast_deliver', 'udpv6_queue_rcv_skb', 'udpv6_recvmsg', 'udpv6_err', '__udp6_lib_err', 'udpv6_err_update_exception',
  'tcp_v6_rcv', 'tcp_v6_send_synack', 'tcp_v6_send_reset', 'tcp_v6_connect', 'tcp_v6_err',
  // IPv6 fragmentation, reassembly and extension headers
  'ip6_fragment', 'ipv6_frag_rcv', 'fq_find', 'ip6_frag_queue', 'ip6_frag_reasm', 'ip6_frag_expire', 'ipv6_parse_hopopts', 'ip6_parse_tlv', 'ip6_tlvopt_unknown', 'dst_discard_out',
  'ipv6_destopt_rcv', 'ipv6_rthdr_rcv', 'icmpv6_param_prob_reason',
  // UDP
  'udp_rcv', '__udp4_lib_rcv', 'udp_queue_rcv_skb', '__udp_queue_rcv_skb', '__udp_enqueue_schedule_skb', 'udp_recvmsg', 'udp_sendmsg', 'udp_send_skb', 'udp_lib_get_port', 'inet_csk_get_port',
  'udp_err', '__udp4_lib_err', '__udp4_lib_mcast_deliver',
  // TCP
  'tcp_v4_rcv', 'tcp_v4_do_rcv', 'tcp_rcv_state_process', 'tcp_v4_send_reset', 'tcp_transmit_skb', 'tcp_v4_connect',
  'tcp_v4_send_synack', 'tcp_v4_conn_request', 'tcp_v6_conn_request', 'tcp_conn_request', 'tcp_create_openreq_child', 'tcp_finish_connect', 'tcp_queue_rcv', 'tcp_ack', 'tcp_reset',
  'tcp_v4_err', 'tcp_req_err', 'tcp_done', 'tcp_write_xmit', 'inet_rtx_syn_ack', 'reqsk_timer_handler', 'tcp_rtx_synack', 'tcp_write_timeout', 'tcp_retransmit_skb', '__tcp_retransmit_skb',
  'tcp_add_backlog', '__release_sock', 'tcp_check_req', 'inet_csk_reqsk_queue_drop', 'tcp_v4_send_ack', 'tcp_v6_send_ack', 'tcp_reqsk_send_challenge_ack', 'tcp_validate_incoming', 'tcp_send_challenge_ack',
  'tcp_send_loss_probe', 'tcp_data_queue', 'tcp_sacktag_write_queue', 'tcp_enter_loss', 'tcp_process_loss',
  // routing and reassembly details
  'ip_route_input_slow', 'ip_route_input_mc', 'ip_mkroute_input', 'ip_frag_queue', 'ip_frag_reasm', 'ip_expire', 'inet_frag_rbtree_purge', 'packet_snd', 'skb_release_data',
  // netfilter
  'NF_HOOK', 'nf_hook_slow', 'nf_conntrack_in', '__nf_conntrack_confirm', 'ipv4_conntrack_defrag', 'nft_do_chain', 'nft_do_chain_ipv4',
  'nft_do_chain_inet', 'nft_nat_do_chain', 'nft_meta_set_eval', 'nf_route_table_hook4', 'nf_route_table_hook6', 'ip_route_me_harder', 'nf_nat_inet_fn', 'nf_nat_ipv4_fn',
  'nf_nat_setup_info', 'nf_nat_alloc_null_binding', 'nf_nat_packet', 'nf_nat_ipv4_manip_pkt', 'nf_nat_icmp_reply_translation',
  'nft_do_chain_ipv6', 'nf_send_unreach6', 'nf_send_reset6', 'nf_log_ip6_packet', 'ipv6_defrag', 'nf_ct_frag6_gather', 'nf_ct_frag6_queue', 'nf_ct_frag6_reasm', 'nf_ct_frag6_expire', 'nf_nat_ipv6_fn', 'nf_nat_ipv6_manip_pkt', 'nf_nat_icmpv6_reply_translation', 'ip6_route_me_harder',
  'nf_send_unreach', 'nf_send_reset', 'nf_queue', 'nf_log_ip_packet', 'nfulnl_log_packet', 'tos_tg', 'dscp_tg', 'ttl_tg', 'hl_tg6', 'nft_ct_set_eval', 'connmark_tg_shift', 'tcpmss_tg4',
];

export const MODEL_STEP_SET: ReadonlySet<string> = new Set(MODEL_STEPS);

/** Typical walks, to say where a function sits ("step 7 of 'forward a packet'"). */
export const KERNEL_PATHS: readonly KernelPath[] = [
  {
    id: 'rx-veth',
    title: 'receive from a veth peer',
    steps: [
      'veth_xmit', 'veth_forward_skb', '__dev_forward_skb', 'eth_type_trans', 'netif_rx', 'enqueue_to_backlog', 'net_rx_action',
      '__napi_poll', 'process_backlog', '__netif_receive_skb', '__netif_receive_skb_one_core', '__netif_receive_skb_core',
    ],
  },
  {
    id: 'rx-nic',
    title: 'receive on a NIC with NAPI',
    steps: [
      'e1000_intr', 'napi_schedule', 'net_rx_action', '__napi_poll', 'e1000_clean', 'e1000_clean_rx_irq', 'eth_type_trans',
      'e1000_receive_skb', 'napi_gro_receive', 'gro_normal_list', 'netif_receive_skb_list_internal', '__netif_receive_skb_list_core',
      '__netif_receive_skb_core', 'ip_list_rcv',
    ],
  },
  {
    id: 'forward',
    title: 'forward a packet',
    steps: [
      'ip_rcv', 'ip_rcv_core', 'nf_hook_slow', 'ip_rcv_finish', 'ip_route_input_noref', 'fib_lookup', 'ip_forward',
      'ip_forward_finish', 'ip_output', 'ip_finish_output', 'ip_finish_output2', 'neigh_resolve_output',
      '__dev_queue_xmit', 'dev_hard_start_xmit', 'veth_xmit',
    ],
  },
  {
    id: 'deliver-udp',
    title: 'deliver a UDP datagram',
    steps: [
      'ip_rcv', 'ip_rcv_core', 'ip_rcv_finish', 'ip_route_input_noref', 'fib_lookup', 'ip_local_deliver', 'ip_defrag',
      'ip_local_deliver_finish', 'ip_protocol_deliver_rcu', 'udp_rcv', '__udp4_lib_rcv', 'udp_queue_rcv_skb',
      '__udp_enqueue_schedule_skb',
    ],
  },
  {
    id: 'send-udp',
    title: 'send from a UDP socket',
    steps: [
      'udp_sendmsg', 'ip_local_out', '__ip_local_out', 'ip_output', 'ip_finish_output', 'ip_fragment', 'ip_do_fragment',
      'ip_finish_output2', 'neigh_resolve_output', '__dev_queue_xmit', 'dev_hard_start_xmit',
    ],
  },
  {
    id: 'ping',
    title: 'answer a ping',
    steps: ['ip_local_deliver_finish', 'ip_protocol_deliver_rcu', 'icmp_rcv', 'icmp_echo', 'ip_local_out', 'ip_output'],
  },
  {
    id: 'icmp-error',
    title: 'send an ICMP error',
    steps: ['ip_forward', '__icmp_send', 'ip_local_out', '__ip_local_out', 'ip_output', 'ip_finish_output', 'ip_finish_output2'],
  },
  {
    id: 'arp',
    title: 'resolve a neighbour with ARP',
    steps: ['ip_finish_output2', 'neigh_resolve_output', 'arp_rcv', 'arp_process'],
  },
  {
    id: 'tcp-connect',
    title: 'TCP handshake',
    steps: [
      'tcp_v4_connect', 'tcp_transmit_skb', 'ip_queue_xmit', 'ip_local_out', 'tcp_v4_rcv', 'tcp_v4_do_rcv',
      'tcp_rcv_state_process', 'tcp_v4_send_reset',
    ],
  },
  {
    id: 'conntrack',
    title: 'connection tracking',
    steps: ['nf_hook_slow', 'nf_conntrack_in'],
  },
];
