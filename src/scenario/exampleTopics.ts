// The shipped examples in a learning order, grouped by topic (the tracks of the exercises), each
// with one line on what to notice when stepping it. The Examples view shows them this way; a
// test keeps this list and examples/ in step. Pure data.

export interface ExampleTopic {
  id: string;
  title: string;
  /** file name in examples/ → what to notice */
  examples: [string, string][];
}

export const EXAMPLE_TOPICS: readonly ExampleTopic[] = [
  {
    id: 'journeys',
    title: '1. The three journeys',
    examples: [
      ['local-udp-delivery.yaml', 'ip_local_deliver hands the datagram up; udp_recvmsg is where the application reads it'],
      ['local-ping.yaml', 'icmp_echo answers in the kernel: no application on the server side'],
      ['forward-ping.yaml', 'ip_forward lowers the TTL once per hop; IpForwDatagrams counts both directions'],
      ['local-tcp-handshake.yaml', 'the SYN becomes a request sock (tcp_conn_request), the ACK a full socket'],
      ['ping-self-loopback.yaml', 'a packet to yourself goes through lo, out and straight back in'],
      ['udp-connected-socket.yaml', 'a connected UDP socket caches its route and only takes its peer\'s datagrams'],
    ],
  },
  {
    id: 'ipv6',
    title: 'IPv6: the other half of L3',
    examples: [
      ['ipv6-local-ping.yaml', 'neighbour discovery instead of ARP: a solicitation to ff02::1:ff00:20, ip6_mc_input'],
      ['ipv6-forward-ping.yaml', 'ip6_forward lowers the hop limit; the router solicits from its link-local address'],
      ['ipv6-hop-limit-exceeded.yaml', 'hop limit 1 at a router: ICMPv6 time exceeded and Ip6InHdrErrors'],
      ['ipv6-no-route.yaml', 'no route: ip6_null_entry\'s ip6_pkt_discard answers destination unreachable'],
      ['ipv6-forwarding-disabled.yaml', 'forwarding off: ip6_forward drops silently (Ip6InAddrErrors), no ICMPv6'],
      ['ipv6-packet-too-big.yaml', 'routers never fragment IPv6: Packet Too Big, and the sender learns the path MTU'],
      ['ipv6-nf-forward-drop.yaml', 'an ip6 table\'s forward chain drops UDP from a prefix (nft_do_chain_ipv6); the ping passes'],
      ['ipv6-nf-stateful-forward.yaml', 'IPv6 conntrack: ct state established,related accept, then drop, on forward'],
      ['ipv6-nf-defrag-forward.yaml', 'nf_defrag_ipv6: the firewall router reassembles fragments for conntrack and refragments them on the way out'],
      ['ipv6-nf-defrag-packet-too-big.yaml', 'nf_defrag_ipv6: a reassembled datagram whose fragments do not fit the next link gets Packet Too Big'],
      ['ipv6-nat66-masquerade.yaml', 'NAT66: a ping and UDP masqueraded, the reply un-NATed, an ICMPv6 error translated'],
      ['ipv6-nat66-redirect.yaml', 'NAT66 redirect: to the input device\'s newest address, and a local connection to ::1'],
      ['ipv6-nat66-dnat-local.yaml', 'DNAT66 of a locally sent SYN, routed again by ip6_route_me_harder'],
      ['ipv6-nat66-snat-range.yaml', 'SNAT66 to an address range: find_best_ips_proto\'s hash, with and without persistent'],
      ['ipv6-nat66-dnat-port-forward.yaml', 'DNAT66: [2001:db8:1::1]:8080 forwarded to the server\'s port 80'],
      ['ipv6-nf-reject-icmpv6.yaml', 'reject in an inet table answers IPv6 with ICMPv6: admin-prohibited, or port unreachable for icmpx'],
      ['ipv6-ip6tables-dnat-forward.yaml', 'ip6tables -t nat DNAT --to-destination [ADDR]:PORT: a router forwards its port to a server behind it'],
      ['ipv6-ip6tables-forward-firewall.yaml', 'an ip6tables FORWARD firewall: policy DROP, a user chain, icmp6 types, REJECT with icmp6-adm-prohibited'],
      ['ipv6-ip6tables-frag-match.yaml', 'ip6tables -m frag --fragmore / --fraglast on the fragments of a forwarded datagram'],
      ['ipv6-ip6tables-mangle-mark.yaml', 'ip6tables mangle OUTPUT MARK: a route chain routes the packet again; filter OUTPUT drops by the mark'],
      ['ipv6-ip6tables-masquerade.yaml', 'ip6tables -t nat MASQUERADE: a ping and a UDP exchange behind the router\'s address'],
      ['ipv6-nf-reject-tcp-reset.yaml', 'reject with tcp reset over IPv6: nf_send_reset6 answers the SYN, connect() gets ECONNREFUSED'],
      ['ipv6-fragmentation-reassembly.yaml', 'only the source fragments IPv6: ip6_fragment, the Fragment header, ipv6_frag_rcv'],
      ['ipv6-bad-udp-checksum.yaml', 'a crafted UDPv6 datagram with a wrong (mandatory) checksum: Udp6InCsumErrors'],
      ['ipv6-unknown-next-header.yaml', 'destination options, then next header 253: Ip6InUnknownProtos and parameter problem code 1'],
      ['ipv6-udp-delivery.yaml', 'udpv6_sendmsg to a [::]:53 listener: the mandatory checksum, Udp6OutDatagrams, Udp6InDatagrams'],
      ['ipv6-udp-port-unreachable.yaml', 'no socket: Udp6NoPorts and ICMPv6 port unreachable, forwarded back by a router'],
      ['ipv6-udp-fragmentation.yaml', 'UDP beyond the path MTU: a software checksum, ip6_fragment, fragments forwarded as they are'],
      ['ipv6-udp-packet-too-big.yaml', 'Packet Too Big about UDP: udpv6_err records the path MTU; the next datagram is fragmented'],
      ['ipv6-reassembly-timeout.yaml', 'a lone first fragment: Ip6ReasmTimeout, time exceeded code 1; no socket sent it: Icmp6InErrors'],
      ['ipv6-tcp-forward.yaml', 'TCP over IPv6 through a router: tcp_v6_connect, MSS 1440, the shared state machine behind ipv6_specific'],
      ['ipv6-tcp-rst-closed-port.yaml', 'a closed port over IPv6: tcp_v6_send_reset, and connect() fails with ECONNREFUSED'],
      ['ipv6-tcp-connect-unreachable.yaml', 'ICMPv6 no route reaches tcp_v6_err: first kept soft (socket owned), then connect() fails with ENETUNREACH'],
      ['ipv6-tcp-dual-stack.yaml', 'a [::] listener without IPV6_V6ONLY takes an IPv4 client, seen as ::ffff:192.168.1.10'],
      ['ipv6-udp-dual-stack.yaml', 'a [::] UDP socket takes IPv4 datagrams behind IPv4 sockets; bindv6only=1 refuses them'],
    ],
  },
  {
    id: 'skb',
    title: '2. net_device, sk_buff, NAPI, qdisc',
    examples: [
      ['nic-napi.yaml', 'interrupt, NAPI poll and GRO on a NIC; watch skb->data move as headers are pulled'],
      ['udp-rcvbuf-full.yaml', 'the receive queue is bounded in bytes of truesize: later datagrams are dropped'],
      ['otherhost-drop.yaml', 'a frame for another MAC is PACKET_OTHERHOST and dropped in ip_rcv_core'],
    ],
  },
  {
    id: 'nat',
    title: '3. Modified: NAT',
    examples: [
      ['nf-masquerade-lan.yaml', 'the source is rewritten at POST_ROUTING; the reply is un-NATed by conntrack alone'],
      ['nf-dnat-port-forward.yaml', 'DNAT at PRE_ROUTING happens before the routing decision, so the packet is forwarded'],
      ['nf-output-dnat.yaml', 'locally made packets are DNATed at LOCAL_OUT and rerouted'],
      ['nf-redirect.yaml', 'redirect is DNAT to the incoming interface\'s own address'],
      ['nf-masquerade-icmp-error.yaml', 'an ICMP error about a NATed packet is un-NATed too, inner header included'],
    ],
  },
  {
    id: 'firewall',
    title: '4. Dropped: firewalls',
    examples: [
      ['nf-forward-drop.yaml', 'a forward chain rule drops with SKB_DROP_REASON_NETFILTER_DROP; its counter moves'],
      ['nf-stateful-firewall.yaml', 'ct state established lets replies back; the policy drops the rest'],
      ['nf-same-rules-nft.yaml', 'the same firewall in nft…'],
      ['nf-same-rules-iptables.yaml', '…and in iptables-nft: the same chains, the same trace'],
      ['nf-iptables-restore.yaml', 'iptables-restore loads a whole ruleset at once'],
      ['nf-reject-icmp.yaml', 'reject answers with an ICMP error where drop says nothing'],
      ['nf-named-sets.yaml', 'one rule matches many addresses through a named set or map'],
      ['nf-concat-sets.yaml', 'a set of (address . port) pairs: both fields must match one element'],
      ['nf-limit-connmark.yaml', 'limit counts tokens; connmark carries a mark across a connection'],
      ['nf-tcp-flags-quota.yaml', 'tcp flags with a mask, a tcp option of the SYN, and a byte quota'],
      ['nf-named-objects.yaml', 'named quota and counter objects: several rules share one quota'],
      ['nf-raw-notrack.yaml', 'the raw table at priority -300 runs before conntrack and can skip it'],
      ['nf-conntrack-defrag.yaml', 'conntrack needs whole datagrams: fragments are gathered at PRE_ROUTING'],
      ['nf-queue-no-listener.yaml', 'queue with no program listening drops the packet'],
      ['nf-nftrace.yaml', 'meta nftrace makes the kernel report every rule a packet meets'],
      ['nf-ct-status-direction.yaml', 'ct direction and ct status tell a connection\'s first packets from its answers; meta skuid the sending socket'],
      ['nf-owner-skuid.yaml', 'meta skuid/skgid and -m owner: which packets have a socket, and whose'],
      ['nf-hashlimit-nflog.yaml', 'hashlimit keeps a token bucket per source; NFLOG with no listener changes nothing'],
      ['nf-hashlimit-expire.yaml', 'a hashlimit entry lives one unit of its rate, so a quiet source does not start afresh'],
      ['nf-string-recent.yaml', '-m string looks for a word in the packet; -m recent counts the pings of each source'],
      ['nf-netmap-dnat-base.yaml', 'NETMAP maps a whole network; DNAT with /BASE maps a port range onto another'],
      ['nf-tcpmss-clamp.yaml', 'TCPMSS lowers the MSS of the SYNs a router forwards to fit a smaller link'],
      ['nf-dynamic-set-timeout.yaml', 'rules add to a set as packets pass; its elements expire after a timeout'],
      ['nf-data-maps-jhash.yaml', 'a map gives a rule its value (a mark, a NAT address and port); jhash hashes fields as the kernel does'],
      ['nf-named-maps-delete.yaml', 'maps declared once and used by name give marks and NAT targets; a rule deletes from a set'],
    ],
  },
  {
    id: 'feedback',
    title: '5. Feedback: ICMP errors',
    examples: [
      ['forward-ttl-exceeded.yaml', 'the router drops TTL 1 in ip_forward and answers time exceeded (IP_INHDR)'],
      ['udp-port-unreachable.yaml', 'no socket on the port: UdpNoPorts and ICMP port unreachable'],
      ['tcp-rst-closed-port.yaml', 'TCP answers a closed port with a RST, not with ICMP'],
      ['frag-needed-df.yaml', 'DF and a smaller MTU: fragmentation needed, and the sender learns the path MTU'],
      ['icmp-ratelimit.yaml', 'ICMP errors are rate limited per destination by a token bucket'],
    ],
  },
  {
    id: 'fragments',
    title: '6. Fragmented and reassembled',
    examples: [
      ['fragmentation-reassembly.yaml', 'ip_do_fragment cuts on 8-byte boundaries; ip_frag_reasm joins them'],
      ['reassembly-timeout.yaml', 'a missing fragment: the queue expires and time exceeded (code 1) goes back'],
    ],
  },
  {
    id: 'checksums',
    title: '7. Verified: checksums',
    examples: [
      ['bad-ip-checksum.yaml', 'the IP header sum is checked first, in ip_rcv_core (IpInHdrErrors)'],
      ['bad-udp-checksum.yaml', 'UDP checks its own sum with the pseudo-header (UdpInCsumErrors)'],
      ['tcp-bad-checksum.yaml', 'tcp_v4_rcv drops a bad segment before any socket lookup'],
    ],
  },
  {
    id: 'routing',
    title: '8. Routing decisions',
    examples: [
      ['forwarding-disabled.yaml', 'ip_forward=0: the route lookup ends in ip_error, silently'],
      ['route-types.yaml', 'no route and prohibit answer with ICMP; blackhole says nothing'],
      ['arp-resolution-failure.yaml', 'the packet waits in the arp_queue until the neighbour fails'],
      ['nf-fwmark-routing.yaml', 'a mark set by a rule chooses the routing table (policy routing)'],
      ['nf-output-mark-reroute.yaml', 'a mark set at LOCAL_OUT makes the kernel route the packet again'],
    ],
  },
];
