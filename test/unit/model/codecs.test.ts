import * as assert from 'assert';
import { csumFold, csumPartial, ipFastCsum, l4Csum } from '../../../src/model/proto/checksum';
import { ipDecreaseTtl, ipSendCheck, readIp, writeIp, IPPROTO_UDP } from '../../../src/model/proto/ipv4';
import { writeUdp } from '../../../src/model/proto/udp';
import { ipToNum, numToIp, deriveMac } from '../../../src/model/proto/addr';
import { readArp, writeArp, ARPOP_REQUEST } from '../../../src/model/proto/arp';
import { icmpOk, writeIcmp } from '../../../src/model/proto/icmp';

describe('codecs and checksums', () => {
  it('computes the RFC 1071 example sum', () => {
    const b = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    // The RFC's folded sum is 0xddf2; the checksum is its complement.
    assert.strictEqual(csumFold(csumPartial(b, 0, 8)), ~0xddf2 & 0xffff);
  });

  it('writes an IPv4 header whose checksum verifies, and reads it back', () => {
    const b = new Uint8Array(20);
    writeIp(b, 0, { version: 4, ihl: 5, tos: 0, totLen: 84, id: 0x1c46, fragOff: 0x4000, ttl: 64, protocol: 1, saddr: ipToNum('10.0.1.2'), daddr: ipToNum('10.0.2.2') });
    assert.strictEqual(ipFastCsum(b, 0, 5), 0);
    const h = readIp(b, 0);
    assert.deepStrictEqual([h.totLen, h.id, h.ttl, numToIp(h.saddr), numToIp(h.daddr)], [84, 0x1c46, 64, '10.0.1.2', '10.0.2.2']);
  });

  it('ip_decrease_ttl keeps the header checksum right (incremental update)', () => {
    const b = new Uint8Array(20);
    for (const ttl of [64, 2, 255, 128]) {
      writeIp(b, 0, { version: 4, ihl: 5, tos: 0xc0, totLen: 1500, id: 0xffff, fragOff: 0, ttl, protocol: 17, saddr: 0xc0a80101, daddr: 0xffffffff });
      assert.strictEqual(ipDecreaseTtl(b, 0), ttl - 1);
      assert.strictEqual(ipFastCsum(b, 0, 5), 0, `ttl ${ttl}`);
      const copy = b.slice();
      ipSendCheck(copy, 0);
      assert.deepStrictEqual(copy, b);
    }
  });

  it('a UDP checksum verifies over the pseudo-header and breaks when a byte changes', () => {
    const b = new Uint8Array(8 + 5);
    b.set([104, 101, 108, 108, 111], 8);
    const s = ipToNum('192.168.1.10');
    const d = ipToNum('192.168.1.20');
    writeUdp(b, 0, { source: 40000, dest: 53, len: 13 }, s, d);
    assert.strictEqual(l4Csum(b, 0, 13, s, d, IPPROTO_UDP), 0);
    b[9] ^= 1;
    assert.notStrictEqual(l4Csum(b, 0, 13, s, d, IPPROTO_UDP), 0);
  });

  it('ICMP checksums cover header and body', () => {
    const b = new Uint8Array(16).fill(7);
    writeIcmp(b, 0, 16, { type: 8, code: 0, rest: 0x12340001 });
    assert.ok(icmpOk(b, 0, 16));
    b[15] = 0;
    assert.ok(!icmpOk(b, 0, 16));
  });

  it('ARP packets round-trip', () => {
    const b = new Uint8Array(28);
    writeArp(b, 0, { op: ARPOP_REQUEST, sha: '02:00:00:00:00:01', sip: ipToNum('10.0.0.1'), tha: '00:00:00:00:00:00', tip: ipToNum('10.0.0.2') });
    const a = readArp(b, 0);
    assert.deepStrictEqual([a.op, a.sha, numToIp(a.tip), a.hln, a.pln], [1, '02:00:00:00:00:01', '10.0.0.2', 6, 4]);
  });

  it('derives stable, locally administered unicast MACs per host and interface', () => {
    assert.strictEqual(deriveMac('client', 'eth0'), deriveMac('client', 'eth0'));
    assert.notStrictEqual(deriveMac('client', 'eth0'), deriveMac('server', 'eth0'));
    assert.match(deriveMac('a', 'b'), /^02(:[0-9a-f]{2}){5}$/);
  });
});
