// Each built-in example, run on the model: the kernel path, the fates, the drop reasons, the
// counters and the sk_buff at key steps.
import * as assert from 'assert';
import { runExample, fns, isSubsequence, firstPacket, eventsOf } from './helpers';
import type { Trace } from '../../../src/trace/contract';

const byteAt = (hex: string, off: number): number => parseInt(hex.slice(off * 2, off * 2 + 2), 16);
const fate = (t: Trace, id: number) => t.packets.find((p) => p.id === id)!.fate;

describe('examples on the model', () => {
  it('forward-ttl-exceeded: ip_forward drops TTL 1 and answers with ICMP time exceeded', () => {
    const t = runExample('forward-ttl-exceeded');
    const echo = firstPacket(t, (s) => s.includes('echo request'));
    assert.ok(isSubsequence(fns(t, echo, 'client'), ['raw_sendmsg', '__ip_local_out', 'NF_HOOK', 'ip_output', 'NF_HOOK', 'ip_finish_output2', '__neigh_event_send', 'neigh_connected_output', '__dev_queue_xmit', 'dev_hard_start_xmit', 'veth_xmit']));
    assert.ok(isSubsequence(fns(t, echo, 'router'), ['eth_type_trans', 'enqueue_to_backlog', '__netif_receive_skb_core', 'ip_rcv_core', 'NF_HOOK', 'ip_mkroute_input', 'ip_forward']));
    assert.deepStrictEqual(fate(t, echo), { kind: 'dropped', host: 'router', fn: 'ip_forward', reason: 'SKB_DROP_REASON_IP_INHDR' });
    const r = t.counters.router;
    assert.deepStrictEqual([r.IpInReceives, r.IpInHdrErrors, r.IpOutRequests, r.IpOutTransmits, r.IcmpOutMsgs, r.IcmpOutTimeExcds, r.IcmpMsgOutType11], [1, 1, 1, 1, 1, 1, 1]);
    assert.strictEqual(r.IpForwDatagrams, undefined, 'the TTL check comes before ForwDatagrams is counted');
    assert.strictEqual(t.counters.client.IcmpInTimeExcds, 1);
    const icmp = t.packets.find((p) => p.parent === echo && p.summary.includes('time exceeded'))!;
    assert.deepStrictEqual([icmp.fate.kind, icmp.fate.host, icmp.fate.fn], ['delivered', 'client', 'raw_rcv']);
    // The error's bytes: type 11 code 0, TOS 0xc0, quoting the echo request's header (TTL 1).
    const out = eventsOf(t, icmp.id, 'icmp_push_reply')[0].skb!;
    const nh = out.network_header!;
    assert.deepStrictEqual([byteAt(out.bytes, nh + 1), byteAt(out.bytes, nh + 20), byteAt(out.bytes, nh + 21), byteAt(out.bytes, nh + 28 + 8)], [0xc0, 11, 0, 1]);
  });

  it('forward-ping: the TTL is lowered before the FORWARD hook and the reply comes back', () => {
    const t = runExample('forward-ping');
    const echo = firstPacket(t, (s) => s.includes('echo request'));
    const fwd = eventsOf(t, echo, 'ip_forward')[0].skb!;
    assert.strictEqual(byteAt(fwd.bytes, fwd.network_header! + 8), 63);
    const hooks = t.events.filter((e) => e.packet === echo && e.host === 'router' && e.hook).map((e) => e.hook!.hook);
    assert.deepStrictEqual(hooks, ['NF_INET_PRE_ROUTING', 'NF_INET_FORWARD', 'NF_INET_POST_ROUTING']);
    const fwdHook = t.events.find((e) => e.packet === echo && e.hook?.hook === 'NF_INET_FORWARD')!;
    assert.strictEqual(byteAt(fwdHook.skb!.bytes, fwdHook.skb!.network_header! + 8), 63);
    assert.strictEqual(t.counters.router.IpForwDatagrams, 2);
    const reply = firstPacket(t, (s) => s.includes('echo reply'));
    assert.deepStrictEqual([fate(t, reply).kind, fate(t, reply).host], ['delivered', 'client']);
  });

  it('sk_buff offsets move as the kernel moves them: push on output, pull on input', () => {
    const t = runExample('forward-ping');
    const echo = firstPacket(t, (s) => s.includes('echo request'));
    const out = eventsOf(t, echo, 'neigh_connected_output')[0].skb!;
    assert.strictEqual(out.data, out.network_header! - 14, 'eth_header pushes 14 bytes');
    assert.strictEqual(out.mac_header, out.data);
    const inn = t.events.find((e) => e.packet === echo && e.host === 'router' && e.fn === 'eth_type_trans')!.skb!;
    assert.strictEqual(inn.data, inn.mac_header! + 14, 'eth_type_trans pulls the Ethernet header');
    assert.strictEqual(inn.pkt_type, 'PACKET_HOST');
    const reply = firstPacket(t, (s) => s.includes('echo reply'));
    const up = t.events.find((e) => e.packet === reply && e.host === 'client' && e.fn === 'ip_local_deliver_finish')!.skb!;
    assert.strictEqual(up.data, up.network_header! + 20, 'the IP header is pulled before L4');
    assert.strictEqual(up.transport_header, up.data);
    assert.strictEqual(up.len, 64);
  });

  it('local-udp-delivery: a socket receives the payload; the sender leaves the checksum to the device', () => {
    const t = runExample('local-udp-delivery');
    const dg = firstPacket(t, (s) => s.includes('UDP'));
    assert.deepStrictEqual([fate(t, dg).kind, fate(t, dg).fn], ['delivered', 'udp_recvmsg']);
    assert.strictEqual(eventsOf(t, dg, 'udp_send_skb')[0].skb!.ip_summed, 'CHECKSUM_PARTIAL');
    const sock = t.sockets.find((s) => s.host === 'server' && s.local === '0.0.0.0:53')!;
    assert.deepStrictEqual(sock.received.map((r) => [r.from, r.data]), [['192.168.1.10:40000', 'hello, kernel']]);
    assert.strictEqual(t.counters.server.UdpInDatagrams, 1);
    assert.strictEqual(t.counters.client.UdpOutDatagrams, 1);
    const arp = t.packets.filter((p) => p.summary.startsWith('ARP'));
    assert.strictEqual(arp.length, 2);
    assert.strictEqual(arp[0].parent, dg, 'the ARP request is made for the waiting datagram');
  });

  it('local-tcp-handshake: SYN, SYN-ACK, ACK, then data queued and acknowledged', () => {
    const t = runExample('local-tcp-handshake');
    const tcp = t.packets.filter((p) => p.summary.includes('TCP'));
    assert.deepStrictEqual(tcp.map((p) => p.summary.match(/\[(.*?)\]/)![1]), ['S', 'S.', '.', 'P.', '.']);
    assert.deepStrictEqual(tcp.map((p) => p.fate.fn), ['tcp_conn_request', 'tcp_finish_connect', 'tcp_child_process', 'tcp_queue_rcv', 'tcp_ack']);
    assert.strictEqual(tcp[3].fate.kind, 'delivered');
    assert.deepStrictEqual([t.counters.client.TcpActiveOpens, t.counters.server.TcpPassiveOpens, t.counters.server.TcpInSegs, t.counters.client.TcpOutSegs], [1, 1, 3, 3]);
    const l = t.sockets.find((s) => s.proto === 'tcp')!;
    assert.deepStrictEqual(l.accepted, ['192.168.1.10:40001']);
    assert.strictEqual(l.received[0].bytes, 100);
  });

  it('frag-needed-df: ICMP fragmentation needed with the next-hop MTU, then local fragmentation', () => {
    const t = runExample('frag-needed-df');
    const first = firstPacket(t, (s) => s.includes('UDP, length 1472'));
    assert.deepStrictEqual(fate(t, first), { kind: 'dropped', host: 'router', fn: 'ip_forward', reason: 'SKB_DROP_REASON_PKT_TOO_BIG' });
    assert.strictEqual(t.counters.router.IpFragFails, 1);
    const err = t.packets.find((p) => p.parent === first && p.summary.includes('fragmentation needed'))!;
    const s = eventsOf(t, err.id, 'icmp_push_reply')[0].skb!;
    const icmp = s.network_header! + 20;
    assert.deepStrictEqual([byteAt(s.bytes, icmp), byteAt(s.bytes, icmp + 1), (byteAt(s.bytes, icmp + 6) << 8) | byteAt(s.bytes, icmp + 7)], [3, 4, 1400]);
    assert.deepStrictEqual([t.counters.client.IpFragCreates, t.counters.client.IpFragOKs, t.counters.server.IpReasmOKs, t.counters.server.UdpInDatagrams], [2, 1, 1, 1]);
  });

  it('fragmentation-reassembly: three fragments at offsets 0, 1480, 2960 are joined', () => {
    const t = runExample('fragmentation-reassembly');
    const frags = t.packets.filter((p) => p.fate.fn === 'ip_frag_reasm');
    assert.strictEqual(frags.length, 3);
    assert.deepStrictEqual(frags.map((p) => (p.summary.match(/frag offset (\d+)/) ?? [])[1]), ['0', '1480', '2960']);
    const whole = t.packets.find((p) => p.fate.fn === 'udp_recvmsg')!;
    assert.match(whole.summary, /length 3000$/);
    assert.deepStrictEqual([t.counters.client.IpFragCreates, t.counters.server.IpReasmReqds, t.counters.server.IpReasmOKs], [3, 3, 1]);
    assert.strictEqual(t.sockets.find((x) => x.host === 'server')!.received[0].bytes, 2972);
  });

  it('bad-ip-checksum: dropped in ip_rcv_core with IP_CSUM', () => {
    const t = runExample('bad-ip-checksum');
    assert.deepStrictEqual(t.packets[0].fate, { kind: 'dropped', host: 'server', fn: 'ip_rcv_core', reason: 'SKB_DROP_REASON_IP_CSUM' });
    assert.deepStrictEqual([t.counters.server.IpExtInCsumErrors, t.counters.server.IpInHdrErrors, t.counters.server.IpInDelivers], [1, 1, undefined]);
    assert.ok(isSubsequence(fns(t, t.packets[0].id, 'client'), ['packet_snd', '__dev_queue_xmit', 'veth_xmit']));
  });

  it('bad-udp-checksum: a short datagram fails at once, a long one when it is read', () => {
    const t = runExample('bad-udp-checksum');
    const [a, b] = t.packets.filter((p) => p.summary.includes('UDP'));
    assert.deepStrictEqual([a.fate.fn, a.fate.reason], ['__udp4_lib_rcv', 'SKB_DROP_REASON_UDP_CSUM']);
    assert.deepStrictEqual([b.fate.kind, b.fate.fn], ['dropped', 'udp_recvmsg']);
    assert.deepStrictEqual([t.counters.server.UdpInCsumErrors, t.counters.server.UdpInErrors, t.counters.server.UdpInDatagrams], [2, 2, undefined]);
  });

  it('udp-port-unreachable: UdpNoPorts, ICMP port unreachable forwarded back', () => {
    const t = runExample('udp-port-unreachable');
    const dg = firstPacket(t, (s) => s.includes('UDP'));
    assert.deepStrictEqual([fate(t, dg).fn, fate(t, dg).reason], ['__udp4_lib_rcv', 'SKB_DROP_REASON_NO_SOCKET']);
    assert.deepStrictEqual([t.counters.server.UdpNoPorts, t.counters.server.IcmpOutDestUnreachs, t.counters.router.IpForwDatagrams], [1, 1, 2]);
    const err = t.packets.find((p) => p.parent === dg && p.summary.includes('port unreachable'))!;
    assert.match(err.fate.detail ?? '', /ECONNREFUSED/);
  });

  it('tcp-rst-closed-port: RST with ACK of the SYN, connect refused', () => {
    const t = runExample('tcp-rst-closed-port');
    const syn = firstPacket(t, (s) => s.includes('[S]'));
    assert.deepStrictEqual([fate(t, syn).fn, fate(t, syn).reason], ['tcp_v4_rcv', 'SKB_DROP_REASON_NO_SOCKET']);
    const rst = t.packets.find((p) => p.parent === syn && p.summary.includes('TCP'))!;
    assert.match(rst.summary, /\[R\.\] seq 0, ack \d+/);
    assert.deepStrictEqual([t.counters.server.TcpOutRsts, t.counters.client.TcpAttemptFails], [1, 1]);
  });

  it('arp-resolution-failure: three broadcast requests a second apart, then NEIGH_FAILED and host unreachable', () => {
    const t = runExample('arp-resolution-failure');
    const reqs = t.events.filter((e) => e.fn === 'arp_create' && e.host === 'client');
    assert.deepStrictEqual(reqs.map((e) => e.time), [0, 1e9, 2e9]);
    const echo = firstPacket(t, (s) => s.includes('echo request'));
    assert.deepStrictEqual(fate(t, echo), { kind: 'dropped', host: 'client', fn: 'arp_error_report', reason: 'SKB_DROP_REASON_NEIGH_FAILED' });
    assert.strictEqual(t.events.find((e) => e.packet === echo && e.drop)!.time, 3e9);
    const unreach = t.packets.find((p) => p.summary.includes('host unreachable'))!;
    assert.deepStrictEqual([unreach.fate.kind, unreach.fate.fn], ['delivered', 'raw_rcv']);
  });

  it('otherhost-drop: PACKET_OTHERHOST is dropped before IP counts it', () => {
    const t = runExample('otherhost-drop');
    assert.deepStrictEqual(t.packets[0].fate, { kind: 'dropped', host: 'server', fn: 'ip_rcv_core', reason: 'SKB_DROP_REASON_OTHERHOST' });
    assert.strictEqual(t.counters.server.IpInReceives, undefined);
  });

  it('nic-napi: interrupt, NAPI poll, GRO and ip_list_rcv, with wire time', () => {
    const t = runExample('nic-napi');
    const dg = firstPacket(t, (s) => s.includes('UDP'));
    assert.ok(isSubsequence(fns(t, dg, 'server'), ['e1000_intr', 'e1000_receive_skb', 'napi_gro_receive', '__netif_receive_skb_core', 'ip_rcv_core']));
    const core = t.events.find((e) => e.packet === dg && e.fn === 'ip_rcv_core')!;
    assert.ok(isSubsequence(core.stack, ['net_rx_action', '__napi_poll', 'e1000_clean', 'ip_list_rcv', 'ip_rcv_core']), core.stack.join(' > '));
    assert.ok(core.time > 0, 'the wire takes time');
    const q = t.events.find((e) => e.packet === dg && e.host === 'client' && e.fn === '__dev_queue_xmit')!;
    assert.match(q.what, /pfifo_fast/);
    assert.strictEqual(fate(t, dg).kind, 'delivered');
  });

  it('forwarding-disabled: ip_error counts IpInAddrErrors and sends nothing', () => {
    const t = runExample('forwarding-disabled');
    const dg = firstPacket(t, (s) => s.includes('UDP'));
    assert.deepStrictEqual(fate(t, dg), { kind: 'dropped', host: 'middle', fn: 'ip_error', reason: 'SKB_DROP_REASON_IP_INADDRERRORS' });
    assert.strictEqual(t.counters.middle.IpInAddrErrors, 1);
    assert.strictEqual(t.counters.middle.IcmpOutMsgs, undefined);
  });

  it('route-types: no route → net unreachable, prohibit → admin prohibited, blackhole → silence', () => {
    const t = runExample('route-types');
    const dgs = t.packets.filter((p) => p.summary.includes('UDP'));
    assert.deepStrictEqual(dgs.map((p) => p.fate.reason), ['SKB_DROP_REASON_IP_INNOROUTES', 'SKB_DROP_REASON_NOT_SPECIFIED', 'SKB_DROP_REASON_NOT_SPECIFIED']);
    const errors = dgs.map((d) => t.packets.find((p) => p.parent === d.id && p.summary.includes('ICMP'))?.summary ?? 'none');
    assert.match(errors[0], /net unreachable/);
    assert.match(errors[1], /administratively prohibited/);
    assert.strictEqual(errors[2], 'none');
    assert.strictEqual(t.counters.router.IpExtInNoRoutes, 1);
  });

  it('udp-rcvbuf-full: the queue fills at the doubled SO_RCVBUF and later datagrams are dropped', () => {
    const t = runExample('udp-rcvbuf-full');
    const dgs = t.packets.filter((p) => p.summary.includes('UDP'));
    assert.deepStrictEqual(dgs.map((p) => p.fate.kind), ['delivered', 'delivered', 'delivered', 'delivered', 'dropped', 'dropped']);
    assert.strictEqual(dgs[4].fate.reason, 'SKB_DROP_REASON_SOCKET_RCVBUFF');
    assert.deepStrictEqual([t.counters.server.UdpRcvbufErrors, t.counters.server.UdpInErrors, t.counters.server.UdpInDatagrams], [2, 2, 4]);
  });

  it('ping-self-loopback: out through lo and back in, with the output route kept', () => {
    const t = runExample('ping-self-loopback');
    const echo = firstPacket(t, (s) => s.includes('echo request'));
    assert.ok(isSubsequence(fns(t, echo), ['ip_finish_output2', 'loopback_xmit', 'enqueue_to_backlog', 'ip_rcv_core', 'ip_rcv_finish_core', 'ip_local_deliver', 'icmp_rcv', 'icmp_echo']));
    assert.strictEqual(t.events.filter((e) => e.packet === echo && e.fn === 'ip_route_input_slow').length, 0);
  });

  it('local-ping: ping sends one request a second', () => {
    const t = runExample('local-ping');
    const sends = t.events.filter((e) => e.fn === 'raw_sendmsg');
    assert.deepStrictEqual(sends.map((e) => e.time), [0, 1e9]);
    assert.strictEqual(t.counters.client.IcmpInEchoReps, 2);
  });

  it('is deterministic: the same scenario gives the same trace', () => {
    assert.deepStrictEqual(JSON.stringify(runExample('frag-needed-df')), JSON.stringify(runExample('frag-needed-df')));
  });

  it('every event names a kernel function, a file of the reference tree and a sentence', () => {
    for (const name of ['forward-ttl-exceeded', 'local-tcp-handshake', 'nic-napi']) {
      for (const e of runExample(name).events) {
        assert.match(e.fn, /^[A-Za-z_][A-Za-z0-9_]*$/);
        assert.match(e.file, /^(net|drivers|include)\/[a-z0-9_/]+\.[ch]$/);
        assert.ok(e.what.length > 20 && /[.!?)]$/.test(e.what), `${e.fn}: ${e.what}`);
      }
    }
  });
  it('reassembly-timeout: ip_expire after ipfrag_time, with ICMP time exceeded (reassembly)', () => {
    const t = runExample('reassembly-timeout');
    const frag = t.packets[0];
    assert.deepStrictEqual([frag.fate.fn, frag.fate.reason], ['ip_expire', 'SKB_DROP_REASON_FRAG_REASM_TIMEOUT']);
    assert.strictEqual(t.events.find((e) => e.fn === 'ip_expire')!.time, 30e9);
    assert.deepStrictEqual([t.counters.server.IpReasmTimeout, t.counters.server.IpReasmFails, t.counters.server.IcmpOutTimeExcds], [1, 1, 1]);
    const icmp = t.packets.find((p) => p.parent === frag.id && p.summary.includes('ICMP'))!;
    const s = t.events.find((e) => e.packet === icmp.id && e.fn === 'icmp_push_reply')!.skb!;
    assert.deepStrictEqual([byteAt(s.bytes, s.network_header! + 20), byteAt(s.bytes, s.network_header! + 21)], [11, 1]);
  });

  it('icmp-ratelimit: six errors from the inet_peer bucket, four suppressed', () => {
    const t = runExample('icmp-ratelimit');
    assert.deepStrictEqual([t.counters.server.UdpNoPorts, t.counters.server.IcmpOutDestUnreachs, t.counters.server.IcmpOutRateLimitHost], [10, 6, 4]);
    assert.ok(t.events.some((e) => e.fn === '__icmp_send' && /per-destination rate limit/.test(e.what)));
  });

  it('udp-connected-socket: only the connected peer matches', () => {
    const t = runExample('udp-connected-socket');
    const [a, b] = t.packets.filter((p) => p.summary.includes('UDP'));
    assert.deepStrictEqual([a.fate.kind, b.fate.reason], ['delivered', 'SKB_DROP_REASON_NO_SOCKET']);
    assert.deepStrictEqual(t.sockets.find((x) => x.host === 'server')!.received.map((r) => r.data), ['from the peer']);
  });

  it('settles between items: housekeeping timers do not hold the next item back', () => {
    const t = runExample('icmp-ratelimit');
    const sends = t.events.filter((e) => e.fn === 'udp_send_skb' && e.packet !== 0).map((e) => e.time);
    assert.deepStrictEqual(sends, Array(10).fill(0));
    assert.ok(t.events.some((e) => e.fn === 'neigh_timer_handler' && e.time === 5e9), 'the neighbour is re-confirmed 5 s later, in the background');
  });
  it('tcp-bad-checksum: a short SYN is verified at once and dropped with TCP_CSUM', () => {
    const t = runExample('tcp-bad-checksum');
    assert.deepStrictEqual(t.packets[0].fate, { kind: 'dropped', host: 'server', fn: 'tcp_v4_rcv', reason: 'SKB_DROP_REASON_TCP_CSUM' });
    assert.deepStrictEqual([t.counters.server.TcpInCsumErrors, t.counters.server.TcpInErrs, t.counters.server.TcpOutSegs], [1, 1, undefined]);
  });

  it('reports each host with its devices, links, routes and neighbours', () => {
    const t = runExample('forward-ping');
    const router = t.hosts!.find((h) => h.name === 'router')!;
    assert.deepStrictEqual(router.devices.map((d) => [d.name, d.peer, d.addrs.join(), d.flags]), [
      ['lo', null, '127.0.0.1/8', '<LOOPBACK,MULTICAST,NOARP,UP,LOWER_UP>'],
      ['eth0', 'client:eth0', '10.0.1.1/24', '<BROADCAST,MULTICAST,UP,LOWER_UP>'],
      ['eth1', 'server:eth0', '10.0.2.1/24', '<BROADCAST,MULTICAST,UP,LOWER_UP>'],
    ]);
    assert.ok(router.routes.includes('10.0.2.0/24 dev eth1 proto kernel scope link src 10.0.2.1'));
    assert.ok(router.routes.includes('broadcast 10.0.1.255 dev eth0 proto kernel scope link src 10.0.1.1 table local'));
    assert.ok(router.routes.includes('local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 table local'));
    assert.ok(router.neighbours.some((n) => /^10\.0\.1\.2 dev eth0 lladdr 02:[0-9a-f:]+ REACHABLE$/.test(n)));
    assert.strictEqual(router.devices[1].stats.rx_packets, 3);
  });
});
