// The IPv6 examples on the model: the path, the fates, the drop reasons, the counters and the
// bytes at key steps; and what the IPv6 scenario layer refuses.
import * as assert from 'assert';
import { runExample, fns, isSubsequence, firstPacket, eventsOf } from './helpers';
import { scenarioError } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';

const byteAt = (hex: string, off: number): number => parseInt(hex.slice(off * 2, off * 2 + 2), 16);
const fate = (t: Trace, id: number) => t.packets.find((p) => p.id === id)!.fate;

describe('IPv6 on the model', () => {
  it('ipv6-local-ping: a solicitation to the solicited-node group, the advertisement, echo and reply', () => {
    const t = runExample('ipv6-local-ping');
    const ns = firstPacket(t, (s) => s.includes('neighbour solicitation'));
    assert.ok(t.packets.find((p) => p.id === ns)!.summary.includes('> ff02::1:ff00:20'));
    const nsOut = eventsOf(t, ns, 'ndisc_send_skb')[0].skb!;
    // hop limit 255, ICMPv6 type 135, the source link-layer option carrying the client's MAC
    assert.deepStrictEqual([byteAt(nsOut.bytes, nsOut.network_header! + 7), byteAt(nsOut.bytes, nsOut.network_header! + 40), byteAt(nsOut.bytes, nsOut.network_header! + 64)], [255, 135, 1]);
    assert.ok(isSubsequence(fns(t, ns, 'server'), ['ip6_rcv_core', 'ip6_route_input', 'ip6_mc_input', 'ip6_input', 'icmpv6_rcv', 'ndisc_recv_ns']));
    const echo = firstPacket(t, (s) => s.includes('echo request'));
    assert.ok(isSubsequence(fns(t, echo, 'server'), ['ip6_rcv_core', 'ip6_route_input', 'ip6_input', 'ip6_protocol_deliver_rcu', 'icmpv6_rcv']));
    const replies = t.packets.filter((p) => p.summary.includes('echo reply'));
    assert.deepStrictEqual(replies.map((p) => [p.fate.kind, p.fate.host]), [['delivered', 'client'], ['delivered', 'client']]);
    const s = t.counters.server;
    // the one multicast packet besides the client's router solicitations (ff02::2, which the server has not joined): the solicitation
    assert.deepStrictEqual([s.Icmp6InEchos, s.Icmp6OutEchoReplies, s.Icmp6InType128, s.Icmp6OutType129, s.Ip6InMcastPkts - t.counters.client.Icmp6OutRouterSolicits], [2, 2, 2, 2, 1]);
    assert.strictEqual(t.counters.client.Icmp6OutEchos, 2);
  });

  it('ipv6-forward-ping: ip6_forward lowers the hop limit, the router solicits from its link-local address', () => {
    const t = runExample('ipv6-forward-ping');
    const echo = firstPacket(t, (s) => s.includes('echo request'));
    const out = eventsOf(t, echo, 'ip6_finish_output2').find((e) => e.host === 'router')!.skb!;
    assert.strictEqual(byteAt(out.bytes, out.network_header! + 7), 63);
    assert.strictEqual(t.counters.router.Ip6OutForwDatagrams, 2);
    const ns = t.packets.find((p) => p.parent === echo && p.summary.includes('neighbour solicitation') && p.summary.startsWith('fe80::'));
    assert.ok(ns, 'the router asks for the server from fe80::…, the echo request\'s source not being its own');
    const reply = firstPacket(t, (x) => x.includes('echo reply'));
    assert.deepStrictEqual([fate(t, reply).kind, fate(t, reply).host], ['delivered', 'client']);
  });

  it('ipv6-hop-limit-exceeded: time exceeded from the router, Ip6InHdrErrors, no Ip6OutForwDatagrams', () => {
    const t = runExample('ipv6-hop-limit-exceeded');
    const echo = firstPacket(t, (s) => s.includes('echo request'));
    assert.deepStrictEqual(fate(t, echo), { kind: 'dropped', host: 'router', fn: 'ip6_forward', reason: 'SKB_DROP_REASON_IP_INHDR' });
    const r = t.counters.router;
    assert.deepStrictEqual([r.Ip6InHdrErrors, r.Icmp6OutTimeExcds, r.Icmp6OutType3, r.Ip6OutForwDatagrams], [1, 1, 1, undefined]);
    const err = t.packets.find((p) => p.parent === echo && p.summary.includes('time exceeded'))!;
    assert.ok(err.summary.startsWith('2001:db8:1::1 > 2001:db8:1::10'));
    assert.deepStrictEqual([err.fate.kind, err.fate.host], ['delivered', 'client']);
  });

  it('ipv6-no-route, forwarding-disabled and packet-too-big: each drop with its counter and its ICMPv6 answer', () => {
    const nr = runExample('ipv6-no-route');
    const e1 = firstPacket(nr, (s) => s.includes('echo request'));
    assert.deepStrictEqual([fate(nr, e1).fn, fate(nr, e1).reason, nr.counters.router.Ip6InNoRoutes, nr.counters.client.Icmp6InDestUnreachs], ['ip6_pkt_drop', 'SKB_DROP_REASON_IP_INNOROUTES', 1, 1]);
    const fd = runExample('ipv6-forwarding-disabled');
    const e2 = firstPacket(fd, (s) => s.includes('echo request'));
    assert.deepStrictEqual([fate(fd, e2).fn, fate(fd, e2).reason, fd.counters.router.Ip6InAddrErrors, fd.counters.router.Icmp6OutMsgs - fd.counters.router.Icmp6OutRouterSolicits], ['ip6_forward', 'SKB_DROP_REASON_IP_INADDRERRORS', 1, 4]);
    // with forwarding off the router is a host: it solicits routers on both links (addrconf_rs.ts)
    assert.ok(fd.counters.router.Icmp6OutRouterSolicits >= 2);
    assert.ok(!fd.packets.some((p) => p.summary.includes('unreachable')), 'no ICMPv6 error when forwarding is off');
    const pt = runExample('ipv6-packet-too-big');
    const e3 = firstPacket(pt, (s) => s.includes('echo request'));
    assert.deepStrictEqual([fate(pt, e3).reason, pt.counters.router.Ip6InTooBigErrors, pt.counters.router.Ip6FragFails, pt.counters.router.Ip6OutForwDatagrams], ['SKB_DROP_REASON_PKT_TOO_BIG', 1, 1, 1]);
    const ptb = pt.packets.find((p) => p.summary.includes('packet too big'))!;
    const ev = eventsOf(pt, ptb.id, 'icmp6_send')[0].skb!;
    // the MTU in the message, and the quote cut to fit 1280 bytes
    assert.strictEqual(parseInt(ev.bytes.slice((ev.network_header! + 44) * 2, (ev.network_header! + 48) * 2), 16), 1280);
    assert.strictEqual(byteAt(ev.bytes, ev.network_header! + 4) * 256 + byteAt(ev.bytes, ev.network_header! + 5), 1240);
  });

  it('refuses what the IPv6 model does not have, at its word', () => {
    const sc = (setup: string, traffic = 'icmp echo-request to 2001:db8:1::20'): string =>
      `name: t\nhosts:\n  a: |\n    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad\n    ip link set eth0 up\n${setup}\n  b: |\n    ip -6 addr add 2001:db8:1::20/64 dev eth0 nodad\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\ntraffic:\n  - from: a\n    send: ${traffic}\n`;
    const err = scenarioError;
    assert.match(err(sc('    nft add table inet t\n    nft add chain inet t c \'{ type filter hook input priority 0; }\'\n    nft add rule inet t c log flags all accept')), /log flags are not modelled/);
    assert.match(err(sc('', 'tcp connect to [::ffff:10.0.0.1]:80')), /v4-mapped address .* not modelled/);
    assert.match(err(sc('    sysctl -w net.ipv6.conf.all.disable_ipv6=1')), /not modelled/);
    assert.match(err(sc('    sysctl -w net.ipv6.conf.all.hop_limit=0')), /Invalid argument/);
    assert.match(err(sc('    ip -6 route add 2001:db8:9::/64 via 2001:db8:7::1')), /Nexthop has invalid gateway/);
    assert.match(err(sc('', 'icmp echo-request to 2001:db8:1::20 df')), /unknown keyword/);
  });
});
