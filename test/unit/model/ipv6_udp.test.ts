// UDP over IPv6 on the model (net/ipv6/udp.c, v6.12): the send path and its mandatory checksum,
// delivery to an AF_INET6 listener, Udp6NoPorts with ICMPv6 port unreachable and its rate
// limit, no route, listeners, and what the grammar refuses.
import * as assert from 'assert';
import { runExample, fns, isSubsequence, firstPacket, eventsOf } from './helpers';
import { runScenarioText, scenarioError } from '../traffic_phase';
import { pseudoSum6 } from '../../../src/model/proto/ipv6';
import { csumFold } from '../../../src/model/proto/checksum';
import { parseIpv6 } from '../../../src/trace/ipv6';
import type { Trace } from '../../../src/trace/contract';

const rd16 = (hex: string, off: number): number => parseInt(hex.slice(off * 2, off * 2 + 4), 16);
const fate = (t: Trace, id: number) => t.packets.find((p) => p.id === id)!.fate;

const twoHosts = (opts: { listen?: string; traffic: string; clientSetup?: string }): string =>
  `name: t\nhosts:\n  a: |\n    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad\n    ip link set eth0 up\n${opts.clientSetup ?? ''}  b: |\n    ip -6 addr add 2001:db8:1::20/64 dev eth0 nodad\n    ip addr add 10.0.0.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\n${opts.listen ? `listen:\n  - b: ${opts.listen}\n` : ''}traffic:\n${opts.traffic}`;

const errorOf = scenarioError;

describe('UDP over IPv6 on the model', () => {
  it('ipv6-udp-delivery: udpv6_sendmsg → ip6_local_out, udpv6_rcv → the [::]:53 socket, Udp6Out/InDatagrams', () => {
    const t = runExample('ipv6-udp-delivery');
    const u = firstPacket(t, (s) => s.includes('UDP'));
    assert.ok(isSubsequence(fns(t, u, 'client'), ['udp_v6_send_skb', '__ip6_local_out', 'ip6_output']));
    assert.ok(isSubsequence(fns(t, u, 'server'), ['ip6_rcv_core', 'ip6_input', 'ip6_protocol_deliver_rcu', '__udp6_lib_rcv', 'udpv6_recvmsg']));
    assert.deepStrictEqual([fate(t, u).kind, fate(t, u).host, fate(t, u).fn], ['delivered', 'server', 'udpv6_recvmsg']);
    // the checksum is never left out over IPv6: CHECKSUM_PARTIAL leaves the pseudo-header sum, which
    // completed over the datagram gives a valid checksum
    const out = eventsOf(t, u, 'udp_v6_send_skb')[0].skb!;
    const l4 = out.network_header! + 40;
    assert.notStrictEqual(rd16(out.bytes, l4 + 6), 0);
    assert.strictEqual(rd16(out.bytes, l4 + 4), 8 + 'hello, kernel'.length);
    assert.strictEqual(out.ip_summed, 'CHECKSUM_PARTIAL');
    assert.strictEqual(rd16(out.bytes, l4 + 6), ~csumFold(pseudoSum6(parseIpv6('2001:db8:1::10')!, parseIpv6('2001:db8:1::20')!, 17, 8 + 13)) & 0xffff);
    assert.deepStrictEqual([t.counters.client.Udp6OutDatagrams, t.counters.server.Udp6InDatagrams, t.counters.server.Udp6NoPorts], [1, 1, undefined]);
    const sock = t.sockets.find((s) => s.host === 'server')!;
    assert.deepStrictEqual(sock.received.map((r) => [r.from, r.bytes, r.data]), [['[2001:db8:1::10]:40000', 13, 'hello, kernel']]);
  });

  it('a multicast destination no socket takes: Udp6IgnoredMulti, freed quietly (__udp6_lib_mcast_deliver), no ICMPv6 error; a [::] socket on the port gets it', () => {
    const frame = (port: number): string => `  - into: b:eth0\n    send: udp from [2001:db8:1::10]:53 to [ff02::1]:${port}\n`;
    const t = runScenarioText(twoHosts({ listen: 'udp [::]:9000', traffic: frame(4444) + frame(9000) }), 't.yaml');
    const b = t.counters.b;
    assert.deepStrictEqual([b.Udp6IgnoredMulti, b.Udp6NoPorts, b.Icmp6OutDestUnreachs, b.Udp6InDatagrams], [1, undefined, undefined, 1]);
    const dropped = t.packets.filter((p) => p.fate.kind === 'dropped' && p.fate.fn === '__udp6_lib_mcast_deliver');
    assert.strictEqual(dropped.length, 1);
  });

  it('ipv6-udp-port-unreachable: Udp6NoPorts, NO_SOCKET, ICMPv6 port unreachable forwarded back', () => {
    const t = runExample('ipv6-udp-port-unreachable');
    const u = firstPacket(t, (s) => s.includes('UDP'));
    assert.deepStrictEqual(fate(t, u), { kind: 'dropped', host: 'server', fn: '__udp6_lib_rcv', reason: 'SKB_DROP_REASON_NO_SOCKET' });
    const err = t.packets.find((p) => p.parent === u && p.summary.includes('destination unreachable'))!;
    const ev = eventsOf(t, err.id, 'icmp6_send')[0].skb!;
    assert.deepStrictEqual([ev.bytes.slice((ev.network_header! + 40) * 2, (ev.network_header! + 42) * 2)], ['0104']);
    assert.deepStrictEqual([t.counters.server.Udp6NoPorts, t.counters.server.Icmp6OutDestUnreachs, t.counters.router.Ip6OutForwDatagrams, t.counters.client.Icmp6InDestUnreachs], [1, 1, 2, 1]);
  });

  it('a burst to a closed port: every datagram counts Udp6NoPorts, icmpv6_xrlim_allow suppresses some errors (Icmp6OutRateLimitHost)', () => {
    const t = runScenarioText(twoHosts({ traffic: '  - from: a\n    send: udp to [2001:db8:1::20]:9999 count 10\n' }), 't.yaml');
    const s = t.counters.b;
    assert.strictEqual(s.Udp6NoPorts, 10);
    assert.ok(s.Icmp6OutDestUnreachs! < 10 && s.Icmp6OutDestUnreachs! > 0, `some errors are suppressed: ${s.Icmp6OutDestUnreachs}`);
    assert.strictEqual(s.Icmp6OutRateLimitHost! + s.Icmp6OutDestUnreachs!, 10);
    assert.strictEqual(t.counters.a.Icmp6InDestUnreachs, s.Icmp6OutDestUnreachs);
  });

  it('no route: ENETUNREACH, Ip6OutNoRoutes, nothing counted as sent', () => {
    const t = runScenarioText(twoHosts({ traffic: '  - from: a\n    send: udp to [2001:db8:9::1]:53\n' }), 't.yaml');
    assert.deepStrictEqual([t.counters.a.Ip6OutNoRoutes, t.counters.a.Udp6OutDatagrams, t.counters.a.Ip6OutRequests], [1, undefined, undefined]);
    const p = t.packets[0];
    assert.deepStrictEqual([p.fate.fn, p.fate.reason], ['udpv6_sendmsg', 'SKB_DROP_REASON_IP_OUTNOROUTES']);
  });

  it('listeners: one bound to an address wins over [::]; an IPv4 datagram does not reach a v6-only socket, reaches a dual-stack one', () => {
    const t = runScenarioText(twoHosts({ listen: 'udp [::]:53\n  - b: udp [2001:db8:1::20]:53', traffic: '  - from: a\n    send: udp to [2001:db8:1::20]:53 from :40000\n' }), 't.yaml');
    const got = Object.fromEntries(t.sockets.filter((s) => s.host === 'b').map((s) => [s.local, s.received.length]));
    assert.deepStrictEqual(got, { '[::]:53': 0, '[2001:db8:1::20]:53': 1 });
    const text = twoHosts({ listen: 'udp [::]:53', clientSetup: '    ip addr add 10.0.0.1/24 dev eth0\n', traffic: '  - from: a\n    send: udp to 10.0.0.2:53 from :40000\n' });
    // IPV6_V6ONLY from net.ipv6.bindv6only=1: the IPv4 datagram finds no socket
    const v4 = runScenarioText(text.replace('  b: |\n', '  b: |\n    sysctl -w net.ipv6.bindv6only=1\n'), 't.yaml');
    assert.deepStrictEqual([v4.counters.b.UdpNoPorts, v4.counters.b.Udp6InDatagrams], [1, undefined]);
    // by default the socket is dual-stack and takes it (IPv4's counter)
    const dual = runScenarioText(text, 't.yaml');
    assert.deepStrictEqual([dual.counters.b.UdpNoPorts, dual.counters.b.UdpInDatagrams], [undefined, 1]);
  });

  it('size: the IPv6 packet length; larger than the path MTU is fragmented at the source, its checksum summed in software', () => {
    const t = runScenarioText(twoHosts({ listen: 'udp [::]:53', traffic: '  - from: a\n    send: udp to [2001:db8:1::20]:53 size 1500\n' }), 't.yaml');
    const sock = t.sockets.find((s) => s.host === 'b')!;
    assert.deepStrictEqual(sock.received.map((r) => r.bytes), [1500 - 48]);
    assert.strictEqual(t.counters.a.Ip6FragCreates, undefined);
    const big = runScenarioText(twoHosts({ listen: 'udp [::]:53', traffic: '  - from: a\n    send: udp to [2001:db8:1::20]:53 size 1501\n' }), 't.yaml');
    assert.deepStrictEqual([big.counters.a.Ip6FragCreates, big.counters.a.Ip6FragOKs, big.counters.b.Ip6ReasmOKs], [2, 1, 1]);
    // the reassembled datagram's checksum is verified when the application reads it: right, so no Udp6InCsumErrors
    assert.deepStrictEqual([big.counters.b.Udp6InDatagrams, big.counters.b.Udp6InCsumErrors], [1, undefined]);
    assert.deepStrictEqual(big.sockets.find((s) => s.host === 'b')!.received.map((r) => r.bytes), [1501 - 48]);
  });

  it('refuses what UDP over IPv6 does not model, at its word', () => {
    const send = (s: string): string => errorOf(twoHosts({ traffic: `  - from: a\n    send: ${s}\n` }));
    assert.match(send('udp to 2001:db8:1::20:53'), /in brackets/);
    assert.match(send('udp to [2001:db8:1::20]:53 ttl 3'), /unknown keyword/);
    assert.match(send('udp to [2001:db8:1::20]:53 df'), /unknown keyword/);
    assert.match(send('udp to [2001:db8:1::2x]:53'), /not an IPv6 address/);
    assert.match(send('udp to [2001:db8:1::20]:53 size 47'), /at least 48/);
    const listen = (l: string): string => errorOf(twoHosts({ listen: l, traffic: '  - from: a\n    send: udp to [2001:db8:1::20]:53\n' }));
    assert.match(listen('tcp [::]:80 rcvbuf 4096'), /not modelled for an IPv6 listener/);
    assert.match(listen('udp [::]:53 rcvbuf 4096'), /not modelled for an IPv6 listener/);
    assert.match(listen('udp [2001:db8:1::99]:53'), /Cannot assign requested address/);
  });
});
