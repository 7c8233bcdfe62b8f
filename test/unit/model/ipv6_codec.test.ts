import * as assert from 'assert';
import { formatInetAddr, inetAddrEqual, inetAddrInPrefix, inet4, parseInetAddr } from '../../../src/model/proto/inet_addr';
import { ICMPV6_ECHO_REQUEST, ipv6McMac, l4Csum6, NEXTHDR_ICMP, readIcmp6, readIpv6, solicitedNode, writeIcmp6, writeIpv6 } from '../../../src/model/proto/ipv6';
import { parseIpv6 } from '../../../src/trace/ipv6';

const a6 = (s: string): Uint8Array => parseIpv6(s)!;

describe('IPv6 codecs and the address type', () => {
  it('parses either family by its form and formats v6 as RFC 5952', () => {
    const v4 = parseInetAddr('192.168.1.20')!;
    assert.deepStrictEqual(v4, inet4(0xc0a80114));
    const v6 = parseInetAddr('2001:DB8:0:0:0:0:0:2')!;
    assert.strictEqual(v6.family, 'ipv6');
    assert.strictEqual(formatInetAddr(v6), '2001:db8::2');
    assert.strictEqual(parseInetAddr('2001:db8:::2'), undefined);
    assert.strictEqual(parseInetAddr('300.1.1.1'), undefined);
    assert.ok(!inetAddrEqual(v4, v6));
  });

  it('compares prefixes bit by bit, families never mixed', () => {
    const net = parseInetAddr('2001:db8:1::')!;
    assert.ok(inetAddrInPrefix(parseInetAddr('2001:db8:1::7')!, net, 64));
    assert.ok(!inetAddrInPrefix(parseInetAddr('2001:db8:2::7')!, net, 64));
    // /47 ignores the last bit of the third group: 2001:db8:1:: and 2001:db8:0:: share it
    assert.ok(inetAddrInPrefix(parseInetAddr('2001:db8::7')!, net, 47));
    assert.ok(!inetAddrInPrefix(parseInetAddr('2001:db8::7')!, net, 48));
    assert.ok(!inetAddrInPrefix(inet4(0), net, 0));
  });

  it('writes a header that reads back, and an ICMPv6 checksum over the pseudo-header', () => {
    const b = new Uint8Array(40 + 12);
    writeIpv6(b, 0, { tclass: 0, flowLabel: 0x12345, payloadLen: 12, nexthdr: NEXTHDR_ICMP, hopLimit: 64, saddr: a6('2001:db8::1'), daddr: a6('2001:db8::2') });
    b.set([0x61, 0x62, 0x63, 0x64], 48);
    writeIcmp6(b, 40, 12, { type: ICMPV6_ECHO_REQUEST, code: 0, rest: 0x12340001 }, a6('2001:db8::1'), a6('2001:db8::2'));
    const h = readIpv6(b, 0);
    assert.deepStrictEqual([h.version, h.flowLabel, h.payloadLen, h.nexthdr, h.hopLimit], [6, 0x12345, 12, 58, 64]);
    // the same packet's checksum computed independently (Python, RFC 8200 8.1)
    assert.strictEqual(readIcmp6(b, 40).checksum, 0x4d48);
    assert.strictEqual(l4Csum6(b, 40, 12, h.saddr, h.daddr, NEXTHDR_ICMP), 0);
    b[50] ^= 1;
    assert.notStrictEqual(l4Csum6(b, 40, 12, h.saddr, h.daddr, NEXTHDR_ICMP), 0);
  });

  it('maps an address to its solicited-node group and the group to a 33:33 MAC', () => {
    const sn = solicitedNode(a6('2001:db8::aabb:ccdd'));
    assert.strictEqual(formatInetAddr({ family: 'ipv6', v6: sn }), 'ff02::1:ffbb:ccdd');
    assert.strictEqual(ipv6McMac(sn), '33:33:ff:bb:cc:dd');
  });
});
