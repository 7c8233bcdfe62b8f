// Netfilter: hooks, verdicts, priorities, nf_tables/iptables entry points and conntrack
// (include/linux/netfilter.h, net/netfilter/, include/uapi/linux/netfilter*.h).
import { enumType, fields, fn, macro, member, struct } from './define';
import type { KbEntry } from './types';

const NETFILTER_H = 'include/linux/netfilter.h';
const UAPI_NF = 'include/uapi/linux/netfilter.h';
const UAPI_NF_IPV4 = 'include/uapi/linux/netfilter_ipv4.h';
const CT_COMMON = 'include/uapi/linux/netfilter/nf_conntrack_common.h';
const CT_H = 'include/net/netfilter/nf_conntrack.h';
const NF_CORE = 'net/netfilter/core.c';

export const NETFILTER: KbEntry[] = [
  struct('nf_hook_ops', NETFILTER_H, 'netfilter', 'One function registered on a netfilter hook: which family and hook point, at which priority, and the function to call. nf_tables base chains, iptables tables and conntrack each register some.', { related: ['nf_register_net_hook', 'nf_hook_slow', 'NF_INET_PRE_ROUTING', 'NF_IP_PRI_FILTER'], steps: ['nf_hook_slow'] }),
  ...fields('nf_hook_ops', NETFILTER_H, 'netfilter', [
    ['hook', 'The function called for each packet; returns a verdict (NF_ACCEPT, NF_DROP…).', { related: ['NF_ACCEPT', 'NF_DROP'], steps: ['nf_hook_slow'] }],
    ['pf', 'Protocol family (NFPROTO_IPV4, NFPROTO_INET…).', { related: ['NFPROTO_IPV4'] }],
    ['hooknum', 'The hook point (NF_INET_PRE_ROUTING, … NF_INET_POST_ROUTING).', { related: ['nf_inet_hooks'] }],
    ['priority', 'Order among the functions on the same hook: lower runs first (conntrack -200, mangle -150, DNAT -100, filter 0, SNAT 100; nft chains choose theirs).', { related: ['nf_ip_hook_priorities', 'NF_IP_PRI_FILTER'], steps: ['nf_hook_slow'] }],
  ]),
  struct('nf_hook_state', NETFILTER_H, 'netfilter', 'What a hook function is told besides the packet: the hook point, family, input and output devices, the socket, the namespace and the continuation (okfn) to call on accept.', { related: ['nf_hook_slow', 'NF_HOOK'], steps: ['nf_hook_slow'] }),
  ...fields('nf_hook_state', NETFILTER_H, 'netfilter', [
    ['hook', 'Which hook point is running.'],
    ['pf', 'Which protocol family.'],
    ['in', 'Input device (set in PRE_ROUTING, LOCAL_IN, FORWARD) — what `iifname` matches.', { related: ['sk_buff.dev'] }],
    ['out', 'Output device (set in FORWARD, LOCAL_OUT, POST_ROUTING) — what `oifname` matches.'],
    ['okfn', 'The continuation run when every hook function accepts (e.g. ip_rcv_finish for PRE_ROUTING, ip_forward_finish for FORWARD).', { related: ['ip_rcv_finish', 'ip_forward_finish'] }],
  ]),
  struct('nf_hook_entries', NETFILTER_H, 'netfilter', 'The array of hook functions registered on one hook point of a namespace, sorted by priority, that nf_hook_slow walks.', { related: ['nf_hook_slow', 'nf_hook_ops'] }),
  fn('NF_HOOK', NETFILTER_H, 'netfilter', 'Run a netfilter hook point on a packet and, if every registered function accepts, call the continuation (okfn). With no functions registered it costs almost nothing. ip_rcv, ip_local_deliver, ip_forward, __ip_local_out and ip_output use it.', { related: ['nf_hook', 'nf_hook_slow', 'nf_hook_state.okfn'], steps: ['ip_rcv', 'ip_local_deliver', 'ip_forward', '__ip_local_out', 'ip_output'] }),
  fn('NF_HOOK_COND', NETFILTER_H, 'netfilter', 'NF_HOOK that only runs the hook when a condition holds (ip_output skips POST_ROUTING for rerouted packets this way).', { related: ['NF_HOOK'], steps: ['ip_output'] }),
  fn('nf_hook', NETFILTER_H, 'netfilter', 'Look up the hook entries for a family/hook in the namespace and, if any, run them via nf_hook_slow; returns 1 when the caller should continue with okfn.', { related: ['nf_hook_slow', 'NF_HOOK'], steps: ['nf_hook_slow'] }),
  fn('nf_hook_slow', NF_CORE, 'netfilter', 'Walk the hook functions in priority order: NF_ACCEPT goes on to the next, NF_DROP frees the packet (SKB_DROP_REASON_NETFILTER_DROP), NF_QUEUE hands it to user space, NF_STOLEN means a function took it (or, from nft_do_chain, already freed it on a drop verdict).', { related: ['nf_hook_entry_hookfn', 'NF_ACCEPT', 'NF_DROP', 'SKB_DROP_REASON_NETFILTER_DROP'] }),
  fn('nf_hook_entry_hookfn', NETFILTER_H, 'netfilter', 'Call one registered hook function with its private data.', { related: ['nf_hook_slow'], steps: ['nf_hook_slow'] }),
  fn('nf_register_net_hook', NF_CORE, 'netfilter', 'Add an nf_hook_ops to a namespace\'s hook point, keeping the array sorted by priority.', { related: ['nf_hook_ops'] }),
  fn('nft_do_chain', 'net/netfilter/nf_tables_core.c', 'netfilter', 'The nf_tables interpreter: evaluate the rules of a chain in order (expressions on the packet\'s fields) until one gives a verdict, jumping to and returning from other chains; at the end, the chain\'s policy. A drop verdict is freed here (NF_DROP_REASON: SKB_DROP_REASON_NETFILTER_DROP) and nf_hook_slow gets NF_STOLEN with EPERM.', { related: ['nf_hook_slow', 'NF_ACCEPT', 'NF_DROP'], steps: ['nf_hook_slow'] }),
  fn('ipt_do_table', 'net/ipv4/netfilter/ip_tables.c', 'netfilter', 'The iptables (legacy) engine: walk one table\'s rules for a hook, matching and applying targets, until a verdict.', { related: ['nf_hook_slow'], steps: ['nf_hook_slow'] }),

  enumType('nf_inet_hooks', UAPI_NF, 'netfilter', 'The five hook points of the inet families (and NF_INET_INGRESS for the inet family).', { related: ['NF_INET_PRE_ROUTING', 'NF_INET_LOCAL_IN', 'NF_INET_FORWARD', 'NF_INET_LOCAL_OUT', 'NF_INET_POST_ROUTING'] }),
  member('NF_INET_PRE_ROUTING', UAPI_NF, 'netfilter', 'Hook point on every received IP packet, after ip_rcv_core\'s checks and before the route lookup: where DNAT, conntrack and `prerouting` chains run.', { related: ['ip_rcv', 'ip_rcv_finish', 'nf_hook_slow'], steps: ['ip_rcv', 'nf_hook_slow'] }),
  member('NF_INET_LOCAL_IN', UAPI_NF, 'netfilter', 'Hook point for packets to be delivered locally, after reassembly (ip_local_deliver): the `input` chain.', { related: ['ip_local_deliver', 'ip_local_deliver_finish', 'nf_hook_slow'], steps: ['ip_local_deliver', 'nf_hook_slow'] }),
  member('NF_INET_FORWARD', UAPI_NF, 'netfilter', 'Hook point for forwarded packets, in ip_forward after the TTL has been decremented: the `forward` chain.', { related: ['ip_forward', 'ip_forward_finish', 'nf_hook_slow'], steps: ['ip_forward', 'nf_hook_slow'] }),
  member('NF_INET_LOCAL_OUT', UAPI_NF, 'netfilter', 'Hook point for locally generated packets (__ip_local_out): the `output` chain.', { related: ['__ip_local_out', 'nf_hook_slow'], steps: ['__ip_local_out', 'nf_hook_slow'] }),
  member('NF_INET_POST_ROUTING', UAPI_NF, 'netfilter', 'Hook point for every packet leaving, local or forwarded (ip_output), before fragmentation: SNAT/masquerade and conntrack confirmation.', { related: ['ip_output', 'ip_finish_output', 'nf_hook_slow'], steps: ['ip_output', 'nf_hook_slow'] }),
  member('NF_INET_NUMHOOKS', UAPI_NF, 'netfilter', 'Number of inet hook points (5).', { related: ['nf_inet_hooks'] }),
  member('NFPROTO_IPV4', UAPI_NF, 'netfilter', 'Netfilter family of IPv4 hooks (`table ip`).', { related: ['nf_hook_ops.pf'] }),
  member('NFPROTO_INET', UAPI_NF, 'netfilter', 'The nf_tables family covering IPv4 and IPv6 together (`table inet`).', { related: ['nf_hook_ops.pf'] }),
  macro('NF_DROP', UAPI_NF, 'netfilter', 'Verdict 0: drop the packet (freed with SKB_DROP_REASON_NETFILTER_DROP); the hook traversal stops.', { related: ['nf_hook_slow', 'SKB_DROP_REASON_NETFILTER_DROP'], steps: ['nf_hook_slow'] }),
  macro('NF_ACCEPT', UAPI_NF, 'netfilter', 'Verdict 1: let the packet continue to the next hook function, and after the last one to the continuation.', { related: ['nf_hook_slow'], steps: ['nf_hook_slow'] }),
  macro('NF_STOLEN', UAPI_NF, 'netfilter', 'Verdict 2: the hook function took the packet over (e.g. queued it for reassembly); the caller must not touch it.', { related: ['nf_hook_slow'] }),
  macro('NF_QUEUE', UAPI_NF, 'netfilter', 'Verdict 3: hand the packet to a user-space program through nfnetlink_queue.', { related: ['nf_hook_slow'] }),
  macro('NF_REPEAT', UAPI_NF, 'netfilter', 'Verdict 4: call the same hook function again.', { related: ['nf_hook_slow'] }),
  macro('NF_STOP', UAPI_NF, 'netfilter', 'Verdict 5 (deprecated): accept without running the remaining functions.', { related: ['nf_hook_slow'] }),
  enumType('nf_ip_hook_priorities', UAPI_NF_IPV4, 'netfilter', 'The standard priorities on IPv4 hooks; lower runs earlier.', { related: ['nf_hook_ops.priority'] }),
  member('NF_IP_PRI_RAW', UAPI_NF_IPV4, 'netfilter', 'Priority -300: the raw table, before conntrack (where NOTRACK is set).', { related: ['nf_ip_hook_priorities'] }),
  member('NF_IP_PRI_CONNTRACK_DEFRAG', UAPI_NF_IPV4, 'netfilter', 'Priority -400: conntrack\'s defragmentation, so conntrack sees whole datagrams.', { related: ['nf_ip_hook_priorities'] }),
  member('NF_IP_PRI_CONNTRACK', UAPI_NF_IPV4, 'netfilter', 'Priority -200: connection tracking (nf_conntrack_in) in PRE_ROUTING and LOCAL_OUT.', { related: ['nf_conntrack_in'], steps: ['nf_conntrack_in'] }),
  member('NF_IP_PRI_MANGLE', UAPI_NF_IPV4, 'netfilter', 'Priority -150: the mangle table.', { related: ['nf_ip_hook_priorities'] }),
  member('NF_IP_PRI_NAT_DST', UAPI_NF_IPV4, 'netfilter', 'Priority -100: destination NAT (before routing decides).', { related: ['nf_ip_hook_priorities'] }),
  member('NF_IP_PRI_FILTER', UAPI_NF_IPV4, 'netfilter', 'Priority 0: the filter table (and `type filter … priority filter` nft chains).', { related: ['nf_ip_hook_priorities'] }),
  member('NF_IP_PRI_SECURITY', UAPI_NF_IPV4, 'netfilter', 'Priority 50: the security table (SELinux labels).', { related: ['nf_ip_hook_priorities'] }),
  member('NF_IP_PRI_NAT_SRC', UAPI_NF_IPV4, 'netfilter', 'Priority 100: source NAT (after filtering, in POST_ROUTING).', { related: ['nf_ip_hook_priorities'] }),
  member('NF_IP_PRI_CONNTRACK_CONFIRM', UAPI_NF_IPV4, 'netfilter', 'Priority INT_MAX: conntrack confirms a new connection last, once the packet is sure to leave or be delivered.', { related: ['__nf_conntrack_confirm'] }),

  struct('nf_conn', CT_H, 'netfilter', 'A tracked connection: the original and reply tuples, status bits (confirmed, seen reply, NAT done…), timeout, and protocol state (TCP window tracking).', { related: ['nf_conntrack_in', 'nf_ct_get', 'sk_buff._nfct', 'nf_conntrack_tuple'], steps: ['nf_conntrack_in'] }),
  struct('nf_conntrack_tuple', 'include/net/netfilter/nf_conntrack_tuple.h', 'netfilter', 'A connection\'s identity in one direction: source and destination addresses, ports (or ICMP id/type), protocol.', { related: ['nf_conn'] }),
  fn('nf_conntrack_tcp_packet', 'net/netfilter/nf_conntrack_proto_tcp.c', 'netfilter', 'Conntrack\'s TCP tracker for one segment: the state table (tcp_conntracks) and its special cases, the RST checks against the other end\'s highest ACK, then the window check (tcp_in_window: a sequence past the receiver\'s window or an ACK of unseen data is invalid, old data ignored), then the timeout (shorter while data is unacknowledged or after retransmissions).', { related: ['nf_conntrack_in', 'ip_ct_tcp_state', 'nf_conn'], steps: ['nf_conntrack_in'] }),
  struct('ip_ct_tcp_state', 'include/linux/netfilter/nf_conntrack_tcp.h', 'netfilter', 'What conntrack knows of one direction of a TCP connection: td_end (highest sequence end sent), td_maxend (the other end\'s ACK plus its window), td_maxwin, td_maxack, td_scale and flags (window scale, SACK permitted, close initiated, be liberal, data unacknowledged, maxack set).', { related: ['nf_conntrack_tcp_packet', 'nf_conn'], steps: ['nf_conntrack_in'] }),
  fn('nf_conntrack_in', 'net/netfilter/nf_conntrack_core.c', 'netfilter', 'Conntrack\'s hook function body: find the connection for the packet\'s tuple or create an unconfirmed one, let the protocol tracker check the state, and attach it with its ctinfo (NEW, ESTABLISHED, RELATED, reply direction).', { related: ['nf_conn', 'nf_ct_get', 'IP_CT_NEW', 'IP_CT_ESTABLISHED', '__nf_conntrack_confirm'] }),
  fn('__nf_conntrack_confirm', 'net/netfilter/nf_conntrack_core.c', 'netfilter', 'Insert a new connection into the conntrack table when its first packet leaves the last hook (POST_ROUTING or LOCAL_IN).', { related: ['nf_conntrack_confirm', 'NF_IP_PRI_CONNTRACK_CONFIRM'], steps: ['nf_hook_slow'] }),
  fn('nf_conntrack_confirm', 'include/net/netfilter/nf_conntrack_core.h', 'netfilter', 'Confirm the packet\'s connection if it is not yet (inline wrapper).', { related: ['__nf_conntrack_confirm'] }),
  fn('nf_ct_get', CT_H, 'netfilter', 'The conntrack entry and ctinfo attached to a packet.', { related: ['sk_buff._nfct', 'nf_conn'] }),
  fn('nf_nat_inet_fn', 'net/netfilter/nf_nat_core.c', 'netfilter', 'NAT\'s hook function: on a connection\'s first packet set up the mapping (running the nat chains), then rewrite addresses and ports of every packet accordingly.', { related: ['nf_conn', 'NF_IP_PRI_NAT_DST', 'NF_IP_PRI_NAT_SRC'], steps: ['nf_hook_slow'] }),
  enumType('ip_conntrack_info', CT_COMMON, 'netfilter', 'How a packet relates to its tracked connection (ctinfo).', { related: ['IP_CT_NEW', 'IP_CT_ESTABLISHED', 'IP_CT_RELATED'] }),
  member('IP_CT_ESTABLISHED', CT_COMMON, 'netfilter', 'ctinfo: part of a connection that has seen traffic both ways (`ct state established`).', { related: ['ip_conntrack_info', 'nf_conntrack_in'], steps: ['nf_conntrack_in'] }),
  member('IP_CT_RELATED', CT_COMMON, 'netfilter', 'ctinfo: a new flow related to an existing one, e.g. an ICMP error about a tracked connection (`ct state related`).', { related: ['ip_conntrack_info'], steps: ['nf_conntrack_in'] }),
  member('IP_CT_NEW', CT_COMMON, 'netfilter', 'ctinfo: the first packet(s) of a connection not yet seen in reply (`ct state new`).', { related: ['ip_conntrack_info'], steps: ['nf_conntrack_in'] }),
  member('IP_CT_IS_REPLY', CT_COMMON, 'netfilter', 'Added to ctinfo for packets in the reply direction.', { related: ['ip_conntrack_info'] }),
  member('IPS_CONFIRMED_BIT', CT_COMMON, 'netfilter', 'Connection status bit: the connection is in the table (confirmed).', { related: ['__nf_conntrack_confirm'] }),
];
