// IPv6 fragmentation at the source, reassembly, extension headers and crafted IPv6 frames on the
// model: counters, fates, the bytes of the fragments, and what the grammar refuses.
import * as assert from 'assert';
import { runExample, firstPacket, eventsOf } from './helpers';
import { runScenarioText, scenarioError } from '../traffic_phase';

const byteAt = (hex: string, off: number): number => parseInt(hex.slice(off * 2, off * 2 + 2), 16);
const HOSTS = `hosts:\n  a: |\n    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad\n    ip link set eth0 up\n  b: |\n    ip -6 addr add 2001:db8:1::20/64 dev eth0 nodad\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\n`;
const wire = (...sends: string[]): string => `name: t\n${HOSTS}listen:\n  - b: udp [::]:7000\ntraffic:\n${sends.map((s) => `  - into: b:eth0\n    send: ${s}\n`).join('')}`;
const FROM = 'udp from [2001:db8:1::10]:40000 to [2001:db8:1::20]:7000';

describe('IPv6 fragments and extension headers on the model', () => {
  it('ipv6-fragmentation-reassembly: three fragments each way, one identification, reassembled before ICMPv6', () => {
    const t = runExample('ipv6-fragmentation-reassembly');
    const c = t.counters.client;
    const s = t.counters.server;
    assert.deepStrictEqual([c.Ip6FragCreates, c.Ip6FragOKs, s.Ip6ReasmReqds, s.Ip6ReasmOKs, s.Icmp6InEchos], [3, 1, 3, 1, 1]);
    assert.deepStrictEqual([s.Ip6FragCreates, c.Ip6ReasmOKs, c.Icmp6InEchoReplies], [3, 1, 1]);
    const req = firstPacket(t, (x) => x.includes('echo request'));
    const frags = t.events.filter((e) => e.fn === 'ip6_finish_output2' && e.host === 'client' && e.skb && byteAt(e.skb.bytes, e.skb.network_header! + 6) === 44);
    assert.strictEqual(frags.length, 3);
    const offs = frags.map((e) => (byteAt(e.skb!.bytes, e.skb!.network_header! + 42) << 8) | byteAt(e.skb!.bytes, e.skb!.network_header! + 43));
    // offset 0 and 1448 with M, 2896 without
    assert.deepStrictEqual(offs, [1, 1448 | 1, 2896]);
    const ids = new Set(frags.map((e) => e.skb!.bytes.slice((e.skb!.network_header! + 44) * 2, (e.skb!.network_header! + 48) * 2)));
    assert.strictEqual(ids.size, 1, 'one identification for the datagram');
    assert.ok(req > 0);
  });

  it('reassembly timeout: Ip6ReasmTimeout, time exceeded code 1, and Icmp6InErrors at a client with no socket', () => {
    const t = runExample('ipv6-reassembly-timeout');
    const s = t.counters.server;
    assert.deepStrictEqual([s.Ip6ReasmReqds, s.Ip6ReasmTimeout, s.Ip6ReasmFails, s.Icmp6OutTimeExcds], [1, 1, 1, 1]);
    const frag = t.packets[0];
    assert.strictEqual(frag.fate.reason, 'SKB_DROP_REASON_FRAG_REASM_TIMEOUT');
    const c = t.counters.client;
    assert.deepStrictEqual([c.Icmp6InTimeExcds, c.Icmp6InErrors], [1, 1]);
    assert.ok(t.events.some((e) => e.host === 'client' && e.fn === '__udp6_lib_err'), 'the quoted Fragment header is passed over to reach udpv6_err');
  });

  it('an ICMPv6 error quoting a datagram from a bound port counts no Icmp6InErrors; one quoting another port does', () => {
    const scen = (from: string): string =>
      `name: t\n${HOSTS}listen:\n  - a: udp [::]:40010\n  - b: udp [::]:7000\ntraffic:\n  - into: b:eth0\n    send: ${FROM.replace('40000', from)} size 1000 frag offset 0 more id 77\n`;
    const mine = runScenarioText(scen('40010'), 't.yaml').counters.a;
    const other = runScenarioText(scen('40011'), 't.yaml').counters.a;
    assert.strictEqual(mine.Icmp6InTimeExcds, 1);
    assert.strictEqual(mine.Icmp6InErrors ?? 0, 0);
    assert.strictEqual(other.Icmp6InErrors, 1);
  });

  it('Packet Too Big about a UDP datagram: udpv6_err records the path MTU, and the next datagram is fragmented to it', () => {
    const router = 'sysctl -w net.ipv6.conf.all.forwarding=1\n    ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad\n    ip -6 addr add 2001:db8:2::1/64 dev eth1 nodad\n    ip link set eth0 up\n    ip link set eth1 mtu 1280 up';
    const text = (count: number): string =>
      `name: t\nhosts:\n  c: |\n    ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad\n    ip link set eth0 up\n    ip -6 route add default via 2001:db8:1::1\n  r: |\n    ${router}\n  s: |\n    ip -6 addr add 2001:db8:2::20/64 dev eth0 nodad\n    ip link set eth0 mtu 1280 up\n    ip -6 route add default via 2001:db8:2::1\nlinks:\n  - c:eth0 r:eth0\n  - r:eth1 s:eth0\nlisten:\n  - s: udp [::]:7000\ntraffic:\n  - from: c\n    send: udp to [2001:db8:2::20]:7000 from :40030 size 1400 count ${count}\n`;
    const one = runScenarioText(text(1), 't.yaml');
    assert.deepStrictEqual([one.counters.r.Icmp6OutPktTooBigs, one.counters.c.Icmp6InPktTooBigs, one.counters.c.Icmp6InErrors, one.counters.c.Ip6FragCreates], [1, 1, undefined, undefined]);
    assert.ok(one.events.some((e) => e.host === 'c' && e.fn === 'udpv6_err_update_exception'));
    const two = runScenarioText(text(2), 't.yaml');
    // 1360 bytes of UDP (header and data) in an MTU of 1280: fragments of 1232 and 128
    assert.deepStrictEqual([two.counters.c.Ip6FragCreates, two.counters.s.Ip6ReasmOKs, two.counters.s.Udp6InDatagrams], [2, 1, 1]);
  });

  it('ipv6-udp-fragmentation: a software checksum, three fragments forwarded unchanged, one datagram delivered', () => {
    const t = runExample('ipv6-udp-fragmentation');
    const [c, r, s] = [t.counters.client, t.counters.router, t.counters.server];
    assert.deepStrictEqual([c.Udp6OutDatagrams, c.Ip6FragCreates, c.Ip6FragOKs], [1, 3, 1]);
    assert.deepStrictEqual([r.Ip6OutForwDatagrams, r.Ip6ReasmReqds ?? 0], [3, 0]);
    assert.deepStrictEqual([s.Ip6ReasmReqds, s.Ip6ReasmOKs, s.Udp6InDatagrams, s.Udp6InCsumErrors ?? 0], [3, 1, 1, 0]);
    const frags = t.events.filter((e) => e.fn === 'ip6_finish_output2' && e.host === 'client' && e.skb && byteAt(e.skb.bytes, e.skb.network_header! + 6) === 44);
    const offs = frags.map((e) => (byteAt(e.skb!.bytes, e.skb!.network_header! + 42) << 8) | byteAt(e.skb!.bytes, e.skb!.network_header! + 43));
    assert.deepStrictEqual(offs, [1, 1448 | 1, 2896]);
    const sock = t.sockets.find((x) => x.host === 'server');
    assert.strictEqual(sock?.received[0]?.bytes, 3952);
  });

  it('routing header type 0 with segments left: parameter problem at the type; none left: passed over', () => {
    const t = runScenarioText(wire(`${FROM} ext rt0:1`, `${FROM} ext rt0:0`), 't.yaml');
    const s = t.counters.b;
    assert.deepStrictEqual([s.Ip6InHdrErrors, s.Icmp6OutParmProblems, s.Udp6InDatagrams], [1, 1, 1]);
    const pp = t.packets.find((p) => p.summary.includes('parameter problem'))!;
    const ev = eventsOf(t, pp.id, 'icmp6_send')[0].skb!;
    // pointer 42: the routing header's type byte
    assert.strictEqual(parseInt(ev.bytes.slice((ev.network_header! + 44) * 2, (ev.network_header! + 48) * 2), 16), 42);
  });

  it('unknown options follow their two high bits: skip, drop, drop and report', () => {
    const t = runScenarioText(wire(`${FROM} ext dst:0x1e`, `${FROM} ext hop:0x5e`, `${FROM} ext dst:0x9e`), 't.yaml');
    const s = t.counters.b;
    assert.deepStrictEqual([s.Udp6InDatagrams, s.Icmp6OutParmProblems, s.Ip6InHdrErrors], [1, 1, 2]);
    assert.strictEqual(t.packets[1].fate.reason, 'SKB_DROP_REASON_UNHANDLED_PROTO');
  });

  it('refuses IPv4 fields, known options and other routing types in a crafted IPv6 frame, at their word', () => {
    const err = (send: string): string => scenarioError(wire(send));
    assert.match(err(`${FROM} ttl 3`), /t\.yaml:\d+:\d+: `ttl` is an IPv4 header field/);
    assert.match(err(`${FROM} ext hop:5`), /router alert.*not modelled/);
    assert.match(err(`${FROM} ext rt4:0`), /other routing types.*not modelled/);
    assert.match(err(`${FROM} id 5`), /give `frag offset N` too/);
    assert.match(err(`${FROM} size 44`), /too small/);
    assert.match(err('tcp from [2001:db8:1::10]:1 to [2001:db8:1::20]:2'), /not modelled/);
  });
});
