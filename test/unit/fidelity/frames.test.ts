import * as assert from 'assert';
import { diffFrames, MASK_REASONS, normalizeFrame } from '../../../src/fidelity/frames';
import { buildFrame, type FrameSpec } from '../../../src/model/net/packet/af_packet';
import { ipToNum } from '../../../src/model/proto/addr';
import { l4Csum6 } from '../../../src/model/proto/ipv6';
import { parseIpv6 } from '../../../src/trace/ipv6';

function frame(o: Partial<FrameSpec> = {}): Uint8Array {
  const s: FrameSpec = {
    proto: 'udp',
    saddr: ipToNum('10.0.1.2'),
    daddr: ipToNum('10.0.2.2'),
    sport: 5000,
    dport: 53,
    ttl: 64,
    size: 60,
    datagram: 60,
    df: false,
    id: 1,
    tos: 0,
    badIpChecksum: false,
    badL4Checksum: false,
    dstMac: '02:00:00:00:00:02',
    srcMac: '02:00:00:00:00:01',
    ...o,
  };
  if (o.size !== undefined && o.datagram === undefined) s.datagram = o.size;
  return buildFrame(s);
}

describe('fidelity: frames compared byte for byte after masking', () => {
  it('every mask has a reason', () => {
    const names = new Set<string>();
    for (const f of [frame(), frame({ sport: 40000 }), frame({ proto: 'icmp', flags: 'echo-request', size: 84 }), frame({ proto: 'tcp', size: 40, sport: 40000, dport: 80 })]) for (const m of normalizeFrame(f).masks) names.add(m);
    for (const n of names) assert.ok(MASK_REASONS[n], `no reason for mask ${n}`);
  });

  it('the IP ID and header checksum are masked; checksums are still checked for validity', () => {
    const a = normalizeFrame(frame({ id: 1 }));
    const b = normalizeFrame(frame({ id: 999 }));
    assert.deepStrictEqual(diffFrames(a, b), []);
    assert.strictEqual(a.ipCsumOk, true);
    assert.strictEqual(a.l4CsumOk, true);
    const bad = normalizeFrame(frame({ badIpChecksum: true }));
    assert.deepStrictEqual(diffFrames(a, bad), [{ field: 'ip.check validity', model: 'true', kernel: 'false' }]);
  });

  it('names the first field that differs, with both values', () => {
    const d = diffFrames(normalizeFrame(frame({ ttl: 64 })), normalizeFrame(frame({ ttl: 63 })));
    assert.deepStrictEqual(d, [{ field: 'ip.ttl', model: '40', kernel: '3f' }]);
    const e = diffFrames(normalizeFrame(frame({ dport: 53 })), normalizeFrame(frame({ dport: 54 })));
    assert.strictEqual(e[0].field, 'udp.dest');
  });

  it('an ephemeral source port and the UDP checksum over it are masked; a fixed port is not', () => {
    assert.deepStrictEqual(diffFrames(normalizeFrame(frame({ sport: 40001 })), normalizeFrame(frame({ sport: 51234 }))), []);
    assert.strictEqual(diffFrames(normalizeFrame(frame({ sport: 5000 })), normalizeFrame(frame({ sport: 5001 })))[0].field, 'udp.source');
    assert.ok(normalizeFrame(frame({ sport: 40001 })).masks.includes('udp.check'));
    assert.ok(!normalizeFrame(frame({ sport: 5000 })).masks.includes('udp.check'));
  });

  it("ping's echo id and timestamp are masked, the sequence number is not", () => {
    const a = frame({ proto: 'icmp', flags: 'echo-request', size: 84 });
    const b = Uint8Array.from(a);
    b[14 + 20 + 4] ^= 0xff; // id
    b[14 + 20 + 8 + 3] ^= 0xff; // timestamp
    b[14 + 20 + 2] ^= 0xff; // checksum (masked, but now invalid)
    const d = diffFrames(normalizeFrame(a), normalizeFrame(b));
    assert.deepStrictEqual(d, [{ field: 'l4 checksum validity', model: 'true', kernel: 'false' }]);
    const c = Uint8Array.from(a);
    c[14 + 20 + 7] = 9; // seq
    assert.strictEqual(diffFrames(normalizeFrame(a), normalizeFrame(c))[0].field, 'icmp.echo.seq');
  });

  it('TCP: sequence numbers and the timestamp option are masked', () => {
    const a = normalizeFrame(frame({ proto: 'tcp', size: 40, sport: 40000, dport: 80 }));
    assert.ok(a.masks.includes('tcp.seq'));
    assert.match(a.summary, /TCP \* > 80 \[S\]/);
  });

  it('TCP over IPv6: the same masks as over IPv4, the checksum checked over the IPv6 pseudo-header', () => {
    const b = new Uint8Array(14 + 40 + 32);
    b.set([0x86, 0xdd], 12);
    b.set([0x60, 0, 0, 0, 0, 32, 6, 64], 14);
    const src = parseIpv6('2001:db8:1::10')!;
    const dst = parseIpv6('2001:db8:1::20')!;
    b.set(src, 22);
    b.set(dst, 38);
    const t = 54;
    b.set([0x9c, 0x41, 0, 80, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0x10, 1, 0xf6], t);
    b.set([1, 1, 8, 10, 0, 0, 3, 0xe8, 0, 0, 3, 0xe8], t + 20);
    b.set([(l4Csum6(b, t, 32, src, dst, 6) >> 8) & 0xff, l4Csum6(b, t, 32, src, dst, 6) & 0xff], t + 16);
    const n = normalizeFrame(b);
    assert.deepStrictEqual([n.l4CsumOk, ['tcp.seq', 'tcp.ts', 'tcp.check', 'l4.port'].every((m) => n.masks.includes(m))], [true, true]);
    assert.match(n.summary, /TCP \* > 80 \[\.\] len 0/);
    b[t + 14] ^= 1;
    assert.strictEqual(normalizeFrame(b).l4CsumOk, false);
  });

  it('summaries read like tcpdump', () => {
    assert.match(normalizeFrame(frame()).summary, /^10\.0\.1\.2 > 10\.0\.2\.2 UDP 5000 > 53 len 32, ttl 64, len 60$/);
  });

  it('a shorter frame is a frame length difference', () => {
    const a = frame();
    const d = diffFrames(normalizeFrame(a), normalizeFrame(a.slice(0, a.length - 4)));
    assert.strictEqual(d[0].field, 'frame length');
  });
});
