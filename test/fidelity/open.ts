// The known-open differences: scenarios in test/fidelity/found/ that the model gets wrong today,
// each with the class of its difference (src/fidelity/generate/classify.ts) and why. CI requires
// each of them to still differ with that class — so that a fix shows up as a failure asking to
// move the file out of this list — and every other file in found/ to agree. Each is listed in
// docs/fidelity.md under "Open differences".
export const OPEN: Record<string, { cls: string; why: string }> = {
  'gen-3-5.yaml': {
    cls: 'IPv4 frame field ip.tos',
    why: 'a connect whose SYN-ACKs are rejected on the way back: the model now answers a retransmitted SYN with the SYN-ACK again (inet_rtx_syn_ack) and frees it in tcp_v4_rcv as v6.12 does, but the kernel sends the SYN retransmissions that follow an ICMP error with TOS 0xc0 and stops sooner: docs/fidelity.md, open difference 2',
  },
};

/**
 * Generated scenarios of CI's fixed set (src/fidelity/generate/ci.ts) that differ today, each
 * with the class of its most telling difference when it was last measured (kernel 6.18, one CI
 * run). CI requires each to still differ — so a fix shows up as a failure asking to take it off
 * this list — and every other generated scenario to agree. docs/fidelity.md, "Open differences",
 * groups them by class; `npm run fidelity -- --generate 50 --seed S --only I` replays one and
 * shrinks it.
 */
export const OPEN_GENERATED: Record<string, string> = {
  'gen-1001-11.yaml': "error: setup of h2, line 19 `nft add rule ip fw input meta l4proto udp tcp dport 8080 counter continue` failed on the kernel: Error: conflicting protocols specified: udp vs. tcp",
  'gen-1001-12.yaml': "host h4, packet #10 0.0.0.0 > 10.0.3.2: ICMP echo reply, id 16962, seq 1, ttl 64, length 36, frag offset 0 MF: drop: model ip_expire FRAG_REASM_TIMEOUT vs kernel ip_expire IP_INVALID_SOURCE",
  'gen-1001-17.yaml': "host h2, IPv4 frame 2 out of eth0 (model packet 12: 10.0.1.2 > 10.0.2.1 TCP * > 4444 [S] len 0, ttl 64 DF, len 60): ip.tot_len: model 003c vs kernel 0038",
  'gen-1001-18.yaml': "error: traffic item 1: sending the frame on h1:eth0 failed: No buffer space available",
  'gen-1001-30.yaml': "host h1, traffic item 2: send result: model EINVAL vs kernel ENETUNREACH",
  'gen-1001-31.yaml': "host h1, IPv4 frame 1 out of eth0 (model packet 4): frame: model 10.0.1.1 > 10.0.1.2 ICMP destination unreachable code 3 about [10.0.1.2 > 10.0.1.1 UDP * > 9000 len 1472, ttl 64 DF, len 1500], ttl 64,",
  'gen-1001-49.yaml': "host h2, IPv4 frame 2 out of eth0 (model packet 7): frame: model 10.0.1.2 > 10.0.1.1 ICMP destination unreachable code 3 about [10.0.1.1 > 10.0.1.2 UDP * > 53 len 32, ttl 64 DF, len 60], ttl 64, len 8",
  'gen-1002-3.yaml': "error: setup of h1, line 14 `nft add rule ip filter prerouting meta l4proto tcp udp dport 53 limit rate over 2/second burst 1 packets drop` failed on the kernel: Error: conflicting protocols specified",
  'gen-1002-28.yaml': "host h1, packet 10.0.1.2 > 10.0.1.1: ip-proto-1, ttl 64, length 1500, frag offset 1480 MF (no model packet): drop: model (no drop) vs kernel skb_release_data NOT_SPECIFIED",
  'gen-1002-29.yaml': "host h2, IPv4 frame 4 out of eth0 (model packet 6: 10.0.1.2 > 10.0.1.1 TCP * > 8080 [S] len 0, ttl 64 DF, len 60): ip.protocol: model 06 vs kernel 11",
  'gen-1002-30.yaml': "host h2, ARP frame 4 out of eth0 (model packet 11: ARP who-has 10.0.1.13 tell 10.0.1.2 to ff:ff:ff:ff:ff:ff): eth.dst: model ffffffffffff vs kernel 025b6397fe0d",
  'gen-1002-31.yaml': "host h4, IPv4 frame 1 out of eth0 (model packet 15: 10.0.3.2 > 10.0.1.1 TCP * > 8080 [S] len 0, ttl 64 DF, len 60): ip.frag_off: model 4000 vs kernel 0000",
  'gen-1002-32.yaml': "host h1, IPv4 frame 4 out of eth0 (model packet 6: 10.0.1.1 > 10.8.7.95 TCP * > 4444 [S] len 0, ttl 64 DF, len 60): ip.tot_len: model 003c vs kernel 05dc",
  'gen-1002-34.yaml': "host h2, IPv4 frame 4 out of eth0 (model packet 6: 10.0.1.2 > 10.8.7.27 TCP * > 8080 [S] len 0, ttl 64 DF, len 60): ip.tot_len: model 003c vs kernel 0054",
  'gen-1002-41.yaml': "error: traffic item 2: sending the frame on h2:eth0 failed: No buffer space available",
  'gen-1002-46.yaml': "host h1, packet #5 10.0.1.2.53 > 10.0.1.1.3128: TCP [R] seq 1000, length 0, ttl 64, length 40: drop: model tcp_rcv_state_process TCP_FLAGS vs kernel tcp_rcv_state_process TCP_RESET",
  'gen-1003-1.yaml': "host h3, ARP frame 4 out of eth0 (model packet 11): frame: model ARP who-has 10.0.2.13 tell 10.0.2.2 to ff:ff:ff:ff:ff:ff vs kernel (none)",
  'gen-1003-3.yaml': "host h2, IPv4 frame 2 out of eth0 (model packet 11): frame: model 10.0.1.2 > 10.0.1.127 ICMP time exceeded code 1 about [10.0.1.127 > 10.0.1.2 UDP * > 9000 len 90, ttl 64, len 52], ttl 64, len 80 vs k",
  'gen-1003-4.yaml': "host h2, IPv4 frame 1 out of eth1 (model packet 8): frame: model 10.0.2.1 > 10.0.4.2 TCP 4444 > * [R.] len 0, ttl 64 DF, len 40 vs kernel (none)",
  'gen-1003-5.yaml': "host h1, IPv4 frame 1 out of eth0 (model packet 1: 10.0.3.2 > 10.0.1.2 TCP * > 80 [S] len 0, ttl 63 DF, len 60): l4 checksum validity: model true vs kernel false",
  'gen-1003-14.yaml': "host h2, ARP frame 4 out of eth1 (model packet 11: ARP who-has 10.0.2.13 tell 10.0.2.1 to ff:ff:ff:ff:ff:ff): arp.tpa: model 0a00020d vs kernel 0a000202",
  'gen-1003-17.yaml': "host h2, IPv4 frame 1 out of eth1 (model packet 5): frame: model 10.0.2.1 > 10.0.2.2 ICMP time exceeded code 1 about [10.0.2.2 > 10.0.2.1 UDP 80 > 4444 len 120, ttl 64, len 84], ttl 64, len 112 vs ker",
  'gen-1003-19.yaml': "host h1, IPv4 frame 4 out of eth0 (model packet 14): frame: model 10.0.1.1 > 10.9.5.49 TCP * > 4444 [S] len 0, ttl 64 DF, len 60 vs kernel (none)",
  'gen-1003-20.yaml': "error: traffic item 1: sending the frame on h1:eth0 failed: Message too long",
  'gen-1003-28.yaml': "host h2, ARP frame 4 out of eth0 (model packet 11): frame: model ARP who-has 10.0.1.13 tell 10.0.1.2 to ff:ff:ff:ff:ff:ff vs kernel (none)",
  'gen-1003-29.yaml': "host h1, IPv4 frame 6 out of eth0 (model packet 20): frame: model 10.0.3.1 > 10.0.1.2 TCP 80 > * [R.] len 0, ttl 64 DF, len 40 vs kernel (none)",
  'gen-1003-30.yaml': "host h1, IPv4 frame 1 out of eth0 (model packet 1: 10.0.1.1 > 10.9.2.8 TCP * > 8080 [S] len 0, ttl 64 DF, len 60): ip.tot_len: model 003c vs kernel 0038",
  'gen-1003-32.yaml': "host h4, IPv4 frame 5 out of eth0 (model packet 9): frame: model 10.0.3.2 > 10.0.1.2 TCP * > 3128 [S] len 0, ttl 64 DF, len 60 vs kernel (none)",
  'gen-1003-33.yaml': "host h1, IPv4 frame 4 out of eth0 (model packet 6: 10.0.1.1 > 10.0.2.2 TCP * > 3128 [S] len 0, ttl 64 DF, len 60): ip.tot_len: model 003c vs kernel 001c",
  'gen-1003-38.yaml': "host h1, packet 10.0.1.2 > 10.0.1.1: ip-proto-1, ttl 64, length 1500, frag offset 1480 MF (no model packet): drop: model (no drop) vs kernel skb_release_data NOT_SPECIFIED",
  'gen-1003-39.yaml': "host h1, IPv4 frame 1 out of eth0 (model packet 7: 10.0.1.1 > 10.0.1.2 TCP 3128 > * [R.] len 0, ttl 64 DF, len 40): tcp.source: model 0c38 vs kernel 1f90",
  'gen-1003-40.yaml': "host h1, IPv4 frame 4 out of eth0 (model packet 6): frame: model 10.0.1.1 > 10.0.1.2 TCP * > 3128 [S] len 0, ttl 64 DF, len 60 vs kernel (none)",
};
