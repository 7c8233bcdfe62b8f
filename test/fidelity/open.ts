// The known-open differences: scenarios in test/fidelity/found/ that the model gets wrong today,
// each with the class of its difference (src/fidelity/generate/classify.ts) and why. CI requires
// each of them to still differ with that class — so that a fix shows up as a failure asking to
// move the file out of this list — and every other file in found/ to agree. Each is listed in
// docs/fidelity.md under "Open differences".
export const OPEN: Record<string, { cls: string; why: string }> = {
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
  'gen-1001-2.yaml': "host h3, IPv4 frame 1 out of eth0 (model packet 1): frame: model 10.0.2.2 > 10.0.2.255 TCP * > 8080 [S] len 0, ttl 64 DF, len 60 vs kernel (none)",
  'gen-1001-5.yaml': "host h2, netfilter pass 4 (model packet 6) 10.0.1.2 > 10.5.1.7 (output): hooks: model output vs kernel prerouting",
  'gen-1001-9.yaml': "host h2, counter: IpOutNoRoutes: model 2 vs kernel 1",
  'gen-1001-15.yaml': "host h2, netfilter pass 3 (model packet 6) 127.0.0.1 > 127.0.0.6 (output \u2192 postrouting) at output: ip saddr: model 127.0.0.1 vs kernel 127.0.0.6",
  'gen-1001-19.yaml': "host h1, netfilter pass 4 (model packet 5): pass: model 127.0.0.1 > 127.0.0.1 (output \u2192 postrouting) vs kernel (none)",
  'gen-1001-22.yaml': "host h2, IPv4 frame 1 out of eth0 (model packet 3): frame: model 10.0.1.2 > 10.0.1.255 ICMP echo request seq 1, ttl 64, len 1500 vs kernel (none)",
  'gen-1001-31.yaml': "host h1, IPv4 frame 1 out of eth0 (model packet 4): frame: model 10.0.1.1 > 10.0.1.2 ICMP destination unreachable code 3 about [10.0.1.2 > 10.0.1.1 UDP * > 9000 len 1472, ttl 64 DF, len 1500], ttl 64,",
  'gen-1001-34.yaml': "host h4, netfilter pass 3 (model packet 7) 10.0.4.2 > 10.0.1.2 (prerouting \u2192 forward \u2192 postrouting): hooks: model prerouting \u2192 forward \u2192 postrouting vs kernel output \u2192 postrouting",
  'gen-1001-38.yaml': "host h4, netfilter pass 1 (model packet 5) 10.0.3.2 > 255.255.255.255 (prerouting \u2192 input): hooks: model prerouting \u2192 input vs kernel prerouting",
  'gen-1002-3.yaml': "host h3, IPv4 frame 1 out of eth1 (model packet 1: 10.0.3.1 > 10.0.3.2 TCP * > 8080 [S] len 0, ttl 64 DF, len 60): tcp.opt.sack_perm: model 0402 vs kernel 0101 (since the generator stopped drawing `meta l4proto tcp udp dport 53`: the SYN retransmissions, model 5 vs kernel 2)",
  'gen-1002-7.yaml': "host h1, IPv4 frame 1 out of eth0 (model packet 5): frame: model 10.0.1.1 > 10.0.1.255 TCP * > 3128 [S] len 0, ttl 64 DF, len 60 vs kernel (none)",
  'gen-1002-8.yaml': "host h2, IPv4 frame 6 out of eth0: frame: model (none) vs kernel 10.9.4.25 > 10.0.1.1 ICMP echo reply seq 1, ttl 64, len 60",
  'gen-1002-19.yaml': "host h3, IPv4 frame 3 out of eth0: frame: model (none) vs kernel 10.0.2.2 > 10.0.1.2 ICMP echo request seq 1, ttl 64, len 1500",
  'gen-1002-21.yaml': "host h1, netfilter pass 7 (model packet 4) 127.0.0.1 > 127.0.0.1 (output \u2192 postrouting) at output: ip saddr: model 127.0.0.1 vs kernel 127.0.0.6",
  'gen-1002-22.yaml': "host h2, ping's socket: message 2: model echo reply from 10.0.1.1 vs kernel (none)",
  'gen-1002-28.yaml': "host h1, packet 10.0.1.2 > 10.0.1.1: ip-proto-1, ttl 64, length 1500, frag offset 1480 MF (no model packet): drop: model (no drop) vs kernel skb_release_data NOT_SPECIFIED",
  'gen-1002-31.yaml': "host h1, netfilter pass 5 (model packet 14) 127.0.0.1 > 127.0.0.1 (output \u2192 postrouting) at output: ip saddr: model 127.0.0.1 vs kernel 127.0.0.4",
  'gen-1002-40.yaml': "host h2, netfilter pass 3 (model packet 2) 10.0.1.1 > 10.9.5.218 (prerouting \u2192 input): hooks: model prerouting \u2192 input vs kernel output \u2192 postrouting",
  'gen-1002-42.yaml': "host h1, netfilter pass 19 (model packet 10) 127.0.0.1 > 127.0.0.9 (output \u2192 postrouting) at output: ip saddr: model 127.0.0.1 vs kernel 127.0.0.9",
  'gen-1002-45.yaml': "host h2, netfilter pass 1 (model packet 1) 10.0.2.67 > 10.0.2.67 (output \u2192 postrouting) at output: ip saddr: model 10.0.2.67 vs kernel 10.0.2.1",
  'gen-1002-48.yaml': "host h1, netfilter pass 5 (model packet 6) 127.0.0.1 > 127.0.0.1 (output \u2192 postrouting) at output: ip saddr: model 127.0.0.1 vs kernel 127.0.0.6",
  'gen-1003-9.yaml': "host h1, netfilter pass 25 (model packet 14): pass: model 127.0.0.1 > 127.0.0.1 (output \u2192 postrouting) vs kernel (none)",
  'gen-1003-15.yaml': "host h4, counter: TcpExtTCPLostRetransmit: model 1 vs kernel 0",
  'gen-1003-25.yaml': "host h2, IPv4 frame 1 out of eth0 (model packet 3): frame: model 10.0.1.2 > 10.0.1.255 TCP * > 80 [S] len 0, ttl 64 DF, len 60 vs kernel (none)",
  'gen-1003-38.yaml': "host h1, packet 10.0.1.2 > 10.0.1.1: ip-proto-1, ttl 64, length 1500, frag offset 1480 MF (no model packet): drop: model (no drop) vs kernel skb_release_data NOT_SPECIFIED",
  'gen-1003-46.yaml': "host h1, netfilter pass 3 (model packet 2) 127.0.0.1 > 127.0.0.6 (output \u2192 postrouting) at output: ip saddr: model 127.0.0.1 vs kernel 127.0.0.6",
  'gen-1003-48.yaml': "host h1, counter: TcpExtTCPLostRetransmit: model 1 vs kernel 0",
};
