// IPv6 conntrack and NAT66 (issue 14): the shared tuples, ICMPv6 tracking (echo, errors
// RELATED, neighbour discovery untracked, replies that cannot start a connection), the
// nf_nat_ipv6_manip_pkt rewrites and their checksums, and the three examples.
import * as assert from 'assert';
import { errAt, nfEvents, run, runExample, twoHosts } from './helpers';
import type { Trace, TraceEvent } from '../../../src/trace/contract';
import { parseIpv6 } from '../../../src/trace/ipv6';
import { inet4, inet6 } from '../../../src/model/proto/inet_addr';
import { canInvert, invertTuple, tupleKey, type NfConn, type Tuple } from '../../../src/model/net/netfilter/nf_conntrack';
import { nf_nat_ipv6_manip_pkt, nf_nat_icmpv6_reply_translation } from '../../../src/model/net/netfilter/nf_nat_manip_ipv6';
import { SkBuff } from '../../../src/model/net/core/skbuff';
import { l4Csum6, writeIpv6 } from '../../../src/model/proto/ipv6';

const a6 = (s: string): Uint8Array => parseIpv6(s)!;
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const bytesOf = (e: TraceEvent): Uint8Array => Uint8Array.from(e.skb!.bytes.match(/../g)!.map((x) => parseInt(x, 16)));

/** An IPv6 packet with a transport payload whose checksum is right (full, not CHECKSUM_PARTIAL). */
function pkt6(src: string, dst: string, proto: number, l4: number[]): SkBuff {
  const skb = new SkBuff(256, 1);
  const b = skb.buf;
  writeIpv6(b, 0, { tclass: 0, flowLabel: 0, payloadLen: l4.length, nexthdr: proto, hopLimit: 64, saddr: a6(src), daddr: a6(dst) });
  b.set(l4, 40);
  skb.network_header = 0;
  skb.tail = 40 + l4.length;
  skb.len = skb.tail;
  const ck = proto === 58 ? 2 : proto === 17 ? 6 : 16;
  b[40 + ck] = 0;
  b[41 + ck] = 0;
  const c = l4Csum6(b, 40, l4.length, a6(src), a6(dst), proto);
  b[40 + ck] = c >> 8;
  b[41 + ck] = c & 255;
  return skb;
}
const okSum = (skb: SkBuff, off = 0): boolean => l4Csum6(skb.buf, off + 40, skb.tail - off - 40, skb.buf.slice(off + 8, off + 24), skb.buf.slice(off + 24, off + 40), skb.buf[off + 6]) === 0;

/**
 * Two hosts on one link: a (2001:db8:1::1, with 10.0.0.1 when `v4`) and b (…::2, 10.0.0.2), `a`
 * given its extra setup lines (nft rules), and the traffic entries as YAML lines.
 */
const filterInput = (rule: string): string[] => ['nft add table ip6 f', "nft add chain ip6 f input '{ type filter hook input priority 0; policy accept; }'", `nft add rule ip6 f input ${rule}`];

describe('IPv6 conntrack: tuples of either family in one table', () => {
  it('an ICMPv6 echo request inverts to the echo reply; a type without a reply type cannot be inverted', () => {
    const t: Tuple = { src: inet6(a6('2001:db8:1::10')), dst: inet6(a6('2001:db8:2::20')), proto: 58, sport: 7, dport: 128 };
    const r = invertTuple(t);
    assert.deepStrictEqual([r.dport, r.sport, hex((r.src as { v6: Uint8Array }).v6)], [129, 7, hex(a6('2001:db8:2::20'))]);
    assert.strictEqual(invertTuple(r).dport, 128);
    assert.ok(canInvert(t));
    assert.ok(!canInvert({ ...t, dport: 133 }));
    // ICMP (v4) type 8 is the echo request there, not ICMPv6's
    assert.strictEqual(invertTuple({ ...t, proto: 1, src: inet4(1), dst: inet4(2), dport: 8 }).dport, 0);
  });

  it('keys tell the families and the addresses apart', () => {
    const v4: Tuple = { src: inet4(0x0a000001), dst: inet4(0x0a000002), proto: 17, sport: 1, dport: 2 };
    const v6: Tuple = { src: inet6(a6('::a00:1')), dst: inet6(a6('::a00:2')), proto: 17, sport: 1, dport: 2 };
    assert.notStrictEqual(tupleKey(v4), tupleKey(v6));
    assert.strictEqual(tupleKey(v6), tupleKey({ ...v6, src: inet6(a6('0::a00:1')) }));
    assert.notStrictEqual(tupleKey(v6), tupleKey({ ...v6, dst: inet6(a6('::a00:3')) }));
  });
});

describe('NAT66 rewrites (nf_nat_ipv6_manip_pkt)', () => {
  it('UDP: the source address and port change and the checksum stays right', () => {
    const skb = pkt6('2001:db8:1::10', '2001:db8:2::20', 17, [0x13, 0x88, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4]);
    assert.ok(okSum(skb));
    nf_nat_ipv6_manip_pkt(skb, 0, { src: inet6(a6('2001:db8:2::1')), dst: inet6(a6('2001:db8:2::20')), proto: 17, sport: 6000, dport: 53 }, 'SRC');
    assert.strictEqual(hex(skb.buf.slice(8, 24)), hex(a6('2001:db8:2::1')));
    assert.strictEqual((skb.buf[40] << 8) | skb.buf[41], 6000);
    assert.ok(okSum(skb));
  });

  it('TCP: the destination address and port change and the checksum stays right', () => {
    const tcp = new Array(20).fill(0);
    tcp[0] = 0x9c;
    tcp[2] = 0x1f;
    tcp[3] = 0x90; // 8080
    tcp[12] = 0x50;
    tcp[13] = 0x02;
    const skb = pkt6('2001:db8:1::10', '2001:db8:1::1', 6, tcp);
    nf_nat_ipv6_manip_pkt(skb, 0, { src: inet6(a6('2001:db8:1::10')), dst: inet6(a6('2001:db8:2::20')), proto: 6, sport: 0x9c00, dport: 80 }, 'DST');
    assert.strictEqual(hex(skb.buf.slice(24, 40)), hex(a6('2001:db8:2::20')));
    assert.strictEqual((skb.buf[42] << 8) | skb.buf[43], 80);
    assert.ok(okSum(skb));
  });

  it('ICMPv6 echo: the pseudo-header address and the echo id are folded into the checksum', () => {
    const skb = pkt6('2001:db8:1::10', '2001:db8:2::20', 58, [128, 0, 0, 0, 0x12, 0x34, 0, 1, 9, 9]);
    nf_nat_ipv6_manip_pkt(skb, 0, { src: inet6(a6('2001:db8:2::1')), dst: inet6(a6('2001:db8:2::20')), proto: 58, sport: 0x4321, dport: 128 }, 'SRC');
    assert.strictEqual((skb.buf[44] << 8) | skb.buf[45], 0x4321);
    assert.ok(okSum(skb));
  });

  it('an ICMPv6 error about a source-NATed datagram goes back to the inside address, its quote too', () => {
    const inside = inet6(a6('2001:db8:1::10'));
    const outside = inet6(a6('2001:db8:2::1'));
    const server = inet6(a6('2001:db8:2::20'));
    const ct: NfConn = { id: 1, tuple: [{ src: inside, dst: server, proto: 17, sport: 5000, dport: 53 }, { src: server, dst: outside, proto: 17, sport: 53, dport: 5000 }], confirmed: true, seenReply: false, status: 1 << 4, mark: 0, timeout: 0 };
    // the quoted datagram as the server saw it: 2001:db8:2::1:5000 → 2001:db8:2::20:53
    const quote = pkt6('2001:db8:2::1', '2001:db8:2::20', 17, [0x13, 0x88, 0, 53, 0, 9, 0, 0, 0x78]);
    const body = [1, 4, 0, 0, 0, 0, 0, 0, ...quote.buf.slice(0, quote.tail)];
    const skb = pkt6('2001:db8:2::20', '2001:db8:2::1', 58, body);
    assert.ok(okSum(skb));
    assert.ok(nf_nat_icmpv6_reply_translation(skb, ct, true, 'DST', 40));
    assert.strictEqual(hex(skb.buf.slice(24, 40)), hex(a6('2001:db8:1::10')), 'outer destination');
    assert.strictEqual(hex(skb.buf.slice(48 + 8, 48 + 24)), hex(a6('2001:db8:1::10')), 'quoted source');
    assert.ok(okSum(skb));
    // the quoted UDP checksum was kept right too
    assert.ok(okSum({ buf: skb.buf, tail: skb.tail } as SkBuff, 48));
  });
});

const verdicts = (t: Trace, host: string): string[] => nfEvents(t, host).filter((e) => e.fn === 'nft_do_chain' && e.hook?.verdict && e.hook.verdict !== 'NFT_BREAK').map((e) => `${e.hook!.chain} ${e.hook!.ruleIndex ?? e.hook!.rule} ${e.hook!.verdict}`);

describe('IPv6 conntrack and NAT66 examples', () => {
  it('ipv6-nf-stateful-forward: echo reply and SYN-ACK are established, the server\'s own ping is dropped', () => {
    const t = runExample('ipv6-nf-stateful-forward.yaml');
    const cts = t.events.filter((e) => e.host === 'router' && e.fn === 'nf_conntrack_in').map((e) => e.what);
    assert.ok(cts.some((w) => /icmpv6 .* type 128 .*IP_CT_NEW/.test(w)));
    assert.ok(cts.some((w) => /type 129 .*IP_CT_ESTABLISHED_REPLY/.test(w)));
    assert.ok(cts.some((w) => /neighbour discovery or MLD/.test(w)));
    const v = verdicts(t, 'router');
    assert.deepStrictEqual(v.slice(0, 2), ['forward 2 NF_ACCEPT', 'forward 1 NF_ACCEPT']);
    assert.strictEqual(v[v.length - 1], 'forward 3 NF_DROP');
    const dropped = t.packets.filter((p) => p.fate.kind === 'dropped' && p.fate.host === 'router');
    assert.deepStrictEqual(dropped.map((p) => [p.fate.fn, p.fate.reason]), [['nft_do_chain', 'SKB_DROP_REASON_NETFILTER_DROP']]);
    assert.ok(dropped[0].summary.includes('2001:db8:2::20 > 2001:db8:1::10'));
    assert.strictEqual(t.counters.client.TcpActiveOpens, 1);
  });

  it('ipv6-nat66-masquerade: the ping leaves as 2001:db8:2::1 and its reply comes back; the port unreachable is translated; the reply datagram reaches port 5000', () => {
    const t = runExample('ipv6-nat66-masquerade.yaml');
    const request = t.packets.find((p) => p.summary.includes('echo request'))!;
    const echo = t.events.find((e) => e.host === 'server' && e.packet === request.id && e.skb && e.skb.network_header !== null)!;
    const b = bytesOf(echo);
    const nh = echo.skb!.network_header!;
    assert.strictEqual(hex(b.slice(nh + 8, nh + 24)), hex(a6('2001:db8:2::1')));
    assert.strictEqual(l4Csum6(b, nh + 40, (b[nh + 4] << 8) | b[nh + 5], b.slice(nh + 8, nh + 24), b.slice(nh + 24, nh + 40), 58), 0);
    assert.strictEqual(t.counters.client.Icmp6InEchoReplies, 1);
    assert.strictEqual(t.counters.client.Icmp6InDestUnreachs, 1);
    assert.ok(t.events.some((e) => e.host === 'router' && e.fn === 'nf_nat_icmpv6_reply_translation' && /After the rewrite it quotes a packet 2001:db8:1::10 → 2001:db8:2::20/.test(e.what)));
    const answer = t.packets.find((p) => p.summary.includes('2001:db8:2::20.53 > 2001:db8:2::1.5000'))!;
    assert.strictEqual(answer.fate.host, 'client');
    assert.strictEqual(t.counters.server.Udp6NoPorts, 1);
  });

  it('ipv6-nat66-dnat-port-forward: the SYN reaches the server\'s port 80 and the client is connected to [2001:db8:1::1]:8080', () => {
    const t = runExample('ipv6-nat66-dnat-port-forward.yaml');
    assert.strictEqual(t.counters.client.TcpActiveOpens, 1);
    assert.strictEqual(t.counters.server.TcpPassiveOpens, 1);
    assert.ok(t.events.some((e) => e.host === 'router' && e.fn === 'nf_nat_setup_info' && /\[2001:db8:2::20\]:80/.test(e.what)));
    assert.ok(t.events.some((e) => e.host === 'client' && /ESTABLISHED/.test(e.what)));
  });

  it('an ICMPv6 echo reply without a connection is invalid (it cannot start one)', () => {
    const t = run(twoHosts({ a: filterInput('ct state invalid counter drop'), traffic: ['- into: a:eth0', '  send: icmp echo-reply from 2001:db8:1::2 to 2001:db8:1::1', '- from: b', '  send: icmp echo-request to 2001:db8:1::1'] }));
    const v = verdicts(t, 'a');
    assert.strictEqual(v[0], 'input 1 NF_DROP');
    assert.ok(t.events.some((e) => e.host === 'a' && e.fn === 'nf_conntrack_in' && /type 129 cannot start a connection/.test(e.what)));
    // the echo request makes a connection and is answered
    assert.strictEqual(t.counters.b.Icmp6InEchoReplies, 1);
  });
});

describe('IPv6 conntrack: hooks registered per family (nf_ct_netns_get)', () => {
  const pair = (table: string): string =>
    twoHosts({
      v4: true,
      a: [`nft add table ${table} f`, `nft add chain ${table} f input '{ type filter hook input priority 0; policy accept; }'`, `nft add rule ${table} f input ct state new counter`],
      traffic: ['- from: b', '  send: icmp echo-request to 2001:db8:1::1', '- from: b', '  send: icmp echo-request to 10.0.0.1'],
    });
  const tracked = (t: Trace): string[] => [...new Set(t.events.filter((e) => e.host === 'a' && e.fn === 'nf_conntrack_in' && /echo|type 128|type 8 /.test(e.what)).map((e) => (/icmpv6/.test(e.what) ? 'ipv6' : 'ipv4')))].sort();
  it('an ip table tracks IPv4 only, an ip6 table IPv6 only, an inet table both', () => {
    assert.deepStrictEqual(tracked(run(pair('ip'))), ['ipv4']);
    assert.deepStrictEqual(tracked(run(pair('ip6'))), ['ipv6']);
    assert.deepStrictEqual(tracked(run(pair('inet'))), ['ipv4', 'ipv6']);
  });
});

describe('IPv6 conntrack and NAT66: what is refused', () => {
  const six = (rules: string[], table = 'inet'): string => twoHosts({ a: [`nft add table ${table} n`, ...rules], traffic: ['- from: b', '  send: icmp echo-request to 2001:db8:1::1'] });
  it('route chains and the IPv4 tuple addresses of ct, at their position', () => {
    const route = errAt(six(["nft add chain ip6 n out '{ type route hook output priority 0; }'"], 'ip6'));
    assert.match(route.detail, /route chains of ip6 tables are not modelled/);
    const ct = errAt(six(["nft add chain inet n in '{ type filter hook input priority 0; }'", 'nft add rule inet n in ct original ip saddr 10.0.0.1 accept']));
    assert.match(ct.detail, /not modelled on IPv6 packets/);
  });

  it('nft\'s own refusals: ip6 in an ip table, a reversed address range, a port without a protocol', () => {
    const chain = "nft add chain ip n post '{ type nat hook postrouting priority 100; }'";
    assert.match(errAt(six([chain, 'nft add rule ip n post snat ip6 to 2001:db8::1'], 'ip')).detail, /conflicting protocols/);
    const c6 = "nft add chain ip6 n post '{ type nat hook postrouting priority 100; }'";
    assert.match(errAt(six([c6, 'nft add rule ip6 n post snat to 2001:db8::9-2001:db8::1'], 'ip6')).detail, /Range has zero or negative size/);
    assert.match(errAt(six([c6, 'nft add rule ip6 n post snat to [2001:db8::1]:80'], 'ip6')).detail, /transport protocol mapping/);
  });
});

describe('IPv6 netfilter: which family a rule turns conntrack on for, and REJECT\'s checksum check', () => {
  const base = (rules: string): string => `name: t
hosts:
  a: |
    ip addr add 10.0.1.1/24 dev eth0
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  b: |
    ip addr add 10.0.1.2/24 dev eth0
    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
    ip link set eth0 up
    nft add table inet n
    nft add chain inet n postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'
${rules}
links:
  - a:eth0 b:eth0
traffic:
  - from: b
    send: icmp echo-request to 10.0.1.1
`;
  const ranChain = (t: Trace): boolean => t.events.some((e) => e.host === 'b' && e.fn === 'nft_nat_do_chain');

  it('an inet table\'s snat ip6 tracks IPv6 only (nft_nat_init: the statement\'s family), so an IPv4 packet skips the nat chain; masquerade tracks both', () => {
    assert.ok(!ranChain(run(base('    nft add rule inet n postrouting oifname "eth0" snat ip6 to 2001:db8:1::2'))));
    assert.ok(ranChain(run(base('    nft add rule inet n postrouting oifname "eth0" snat ip to 10.0.1.2'))));
    assert.ok(ranChain(run(base('    nft add rule inet n postrouting oifname "eth0" masquerade'))));
  });

  it('REJECT sends no ICMPv6 error for a datagram with a bad checksum (reject6_csum_ok), one for a good one', () => {
    const t = run(`name: t
hosts:
  a: |
    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
    ip link set eth0 up
  b: |
    ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
    ip link set eth0 up
    nft add table ip6 f
    nft add chain ip6 f input '{ type filter hook input priority 0; policy accept; }'
    nft add rule ip6 f input ip6 saddr 2001:db8:1::1 meta l4proto udp counter reject
links:
  - a:eth0 b:eth0
traffic:
  - into: b:eth0
    send: udp from [2001:db8:1::1]:40000 to [2001:db8:1::2]:53 bad-udp-checksum
  - into: b:eth0
    send: udp from [2001:db8:1::1]:40000 to [2001:db8:1::2]:53 next-header 59
  - into: b:eth0
    send: udp from [2001:db8:1::1]:40000 to [2001:db8:1::2]:53
`);
    const steps = t.events.filter((e) => e.host === 'b' && e.fn === 'nf_send_unreach6' && /reject6_csum_ok|is told/.test(e.what)).map((e) => e.what);
    // the datagram with no next header is not UDP to the rule (meta l4proto 59): only two reach the reject
    assert.strictEqual(steps.length, 2);
    assert.match(steps[0], /checksum .* is wrong/);
    assert.match(steps[1], /told with ICMPv6 destination unreachable/);
    assert.strictEqual(t.counters.b.Icmp6OutDestUnreachs, 1);
  });
});
