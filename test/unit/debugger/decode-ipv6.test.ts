import * as assert from 'assert';
import { decodeSkb } from '../../../src/debugger/decode';
import type { SkbSnapshot } from '../../../src/trace/contract';
import { formatIpv6, parseIpv6 } from '../../../src/trace/ipv6';

/** A frame at the head of an sk_buff, with the MAC header set (as on receive). */
function frame(hex: string, network = 14): SkbSnapshot {
  const len = hex.length / 2;
  return { len, data: 0, tail: len, end: len, headroom: 0, tailroom: 0, protocol: 0x86dd, protocolName: 'ETH_P_IPV6', pkt_type: 'PACKET_HOST', dev: 'eth0', iif: 2, mark: 0, mac_header: 0, network_header: network, transport_header: null, ip_summed: 'CHECKSUM_NONE', dst: null, ct: null, bytes: hex };
}

const ETH = '02000000000202000000000186dd';
const SRC = '20010db8000100000000000000000002'; // 2001:db8:1::2
const DST = '20010db8000200000000000000000002'; // 2001:db8:2::2
const ip6 = (plen: number, nh: number, hop: number, src = SRC, dst = DST): string => `60000000${plen.toString(16).padStart(4, '0')}${nh.toString(16).padStart(2, '0')}${hop.toString(16).padStart(2, '0')}${src}${dst}`;

describe('IPv6 addresses: RFC 5952 text, inet_pton grammar', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['FE80::0200:00FF:FE00:0001', 'fe80::200:ff:fe00:1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ];
  for (const [text, canonical] of cases) {
    it(`${text} → ${canonical}`, () => {
      const b = parseIpv6(text);
      assert.ok(b, text);
      assert.strictEqual(formatIpv6(b), canonical);
      assert.deepStrictEqual(parseIpv6(canonical), b);
    });
  }
  it('refuses what inet_pton refuses', () => {
    for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1:', '1::2:3:4:5:6:7:8', '::ffff:1.2.3', '::ffff:1.2.3.256', '::ffff:01.2.3.4', '10.0.0.1']) {
      assert.strictEqual(parseIpv6(bad), undefined, bad);
    }
  });
});

describe('header decoding: IPv6', () => {
  it('an ICMPv6 echo request: the IPv6 header, its addresses as RFC 5952 writes them, the echo', () => {
    const icmp = '8000abcd00070001' + 'deadbeef';
    const d = decodeSkb(frame(ETH + ip6(12, 58, 64) + icmp));
    assert.deepStrictEqual(d.headers.map((h) => h.label), ['Ethernet II', 'Internet Protocol Version 6', 'ICMPv6 (echo request)', 'ICMPv6 data']);
    assert.strictEqual(d.values.saddr, '2001:db8:1::2');
    assert.strictEqual(d.values.daddr, '2001:db8:2::2');
    assert.strictEqual(d.values.hop_limit, 64);
    assert.strictEqual(d.values.icmp_type, 128);
    assert.strictEqual(d.values.icmp_id, 7);
    // hover the hop limit byte → its field
    assert.strictEqual(d.fields[d.fieldAt[14 + 7]].name, 'Hop limit');
    assert.strictEqual(d.fields[d.fieldAt[14 + 8]].value, '2001:db8:1::2');
  });

  it('walks hop-by-hop and destination options to UDP, as ip6_protocol_deliver_rcu does', () => {
    const hbh = '3c00' + '010400000000'; // next: dest opts, 8 bytes, PadN
    const dopt = '1100' + '010400000000'; // next: UDP
    const udp = '3039003500080000';
    const d = decodeSkb(frame(ETH + ip6(24, 0, 1) + hbh + dopt + udp));
    assert.deepStrictEqual(d.headers.map((h) => h.label), ['Ethernet II', 'Internet Protocol Version 6', 'IPv6 Hop-by-Hop Options header', 'IPv6 Destination Options header', 'User Datagram Protocol']);
    assert.strictEqual(d.values.proto, 'udp');
    assert.strictEqual(d.values.dport, 53);
  });

  it('a fragment header: the first fragment goes on to its transport, a later one is fragment data', () => {
    const first = decodeSkb(frame(ETH + ip6(24, 44, 64) + '1100000112345678' + '3039003500100000' + '0000000000000000'));
    assert.strictEqual(first.values.frag_off, 0);
    assert.strictEqual(first.values.mf, 1);
    assert.strictEqual(first.values.id, 0x12345678);
    assert.strictEqual(first.values.dport, 53);
    const later = decodeSkb(frame(ETH + ip6(16, 44, 64) + '1100005812345678' + '0000000000000000'));
    assert.strictEqual(later.values.frag_off, 88);
    assert.strictEqual(later.values.mf, 0);
    assert.strictEqual(later.values.proto, 'udp');
    assert.strictEqual(later.headers.at(-1)?.label, 'Fragment data');
  });

  it('a Packet Too Big quotes the packet it is about, and names its MTU', () => {
    const inner = ip6(8, 17, 63, DST, SRC) + '3039003500080000';
    const ptb = '02000000000005dc' + inner;
    const d = decodeSkb(frame(ETH + ip6(ptb.length / 2, 58, 64) + ptb));
    assert.strictEqual(d.values.icmp_type, 2);
    assert.strictEqual(d.values.mtu, 1500);
    assert.ok(d.headers.some((h) => h.label === 'Inner IPv6 header (the packet the error is about)'));
    assert.strictEqual(d.fields.find((f) => f.name === 'Inner destination port')?.value, '53');
    // the outer values stay the outer packet's
    assert.strictEqual(d.values.saddr, '2001:db8:1::2');
  });

  it('a neighbour solicitation: its target and the source link-layer address option', () => {
    const ns = '8700000000000000' + DST + '0101020000000001';
    const d = decodeSkb(frame(ETH + ip6(ns.length / 2, 58, 255, SRC, 'ff0200000000000000000001ff000002') + ns));
    assert.strictEqual(d.values.nd_target, '2001:db8:2::2');
    assert.strictEqual(d.values.daddr, 'ff02::1:ff00:2');
    assert.strictEqual(d.fields.find((f) => f.name === 'Source link-layer address')?.value, '02:00:00:00:00:01');
  });

  it('a truncated IPv6 header decodes nothing past Ethernet, and without a MAC header the version picks IPv6', () => {
    assert.deepStrictEqual(decodeSkb(frame(ETH + ip6(0, 59, 64).slice(0, 60))).headers.map((h) => h.proto), ['eth']);
    const bare = frame(ip6(8, 17, 64) + '3039003500080000', 0);
    const d = decodeSkb({ ...bare, mac_header: null, protocol: 0 });
    assert.strictEqual(d.values.dport, 53);
  });
});

describe('breakpoints on IPv6 fields', () => {
  it('hop_limit and an address written any way stop at the IPv6 packet', async () => {
    const { parseCondition, matches, PacketValueCache } = await import('../../../src/debugger/breakpoints');
    const skb = frame(ETH + ip6(12, 58, 1) + '8000abcd00070001deadbeef');
    const e = { seq: 0, time: 0, host: 'r', packet: 1, layer: 'L3', fn: 'ip6_forward', file: 'net/ipv6/ip6_output.c', stack: [], what: '', skb } as unknown as import('../../../src/trace/contract').TraceEvent;
    const cache = new PacketValueCache();
    for (const yes of ['hop_limit < 2', 'saddr == 2001:DB8:1:0::2', 'ipv6.dst == 2001:db8:2:0:0:0:0:2', 'icmp_type == 128']) assert.ok(matches(parseCondition(yes), e, cache), yes);
    for (const no of ['hop_limit > 1', 'saddr == 2001:db8:1::3', 'ttl < 2']) assert.ok(!matches(parseCondition(no), e, cache), no);
  });
});
