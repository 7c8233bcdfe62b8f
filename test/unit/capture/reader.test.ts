// The capture reader on captures written by tcpdump, dumpcap and tshark (test/fixtures/captures,
// made by make.sh in network namespaces), on every variant written by the tests' own writer,
// on the model's own pcapng export, and on hostile files.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CaptureError, CaptureReader, readCapture, type CaptureFrame } from '../../../src/capture/reader';
import { readCaptureFile } from '../../../src/capture/file';
import { traceToPcapng } from '../../../src/cli/pcap';
import { runExample } from '../model/helpers';
import { chunks, concat, fixture, FIXTURES, pcap, pcapng, type Frame } from './write';

interface Got {
  tsNs: bigint;
  hex: string;
  origLen: number;
  offset: number;
}

function read(b: Uint8Array, chunk = 1 << 20): Got[] {
  const out: Got[] = [];
  readCapture(chunks(b, chunk), (f: CaptureFrame) => out.push({ tsNs: f.tsNs, hex: Buffer.from(f.data).toString('hex'), origLen: f.origLen, offset: f.offset }));
  return out;
}

function fails(b: Uint8Array, offset: number, re: RegExp): void {
  assert.throws(
    () => read(b),
    (e: unknown) => {
      assert.ok(e instanceof CaptureError, String(e));
      assert.match(e.message, re);
      assert.strictEqual(e.offset, offset, e.message);
      assert.ok(e.message.startsWith(`at byte ${offset}: `));
      return true;
    },
  );
}

// What the fixtures hold (make.sh): client 10.0.1.2 → server 10.0.1.1 on a veth, as server:eth0 saw it.
const ETHERTYPES = ['0806', '0800', '0800', '0800', '0800', '0800'];
const LENGTHS = [42, 98, 98, 51, 51, 56];

describe('capture reader: files written by the real tools', () => {
  const ns = read(fixture('tcpdump-ns.pcap'));

  it('tcpdump pcap (ns): an ARP request, two pings, three UDP datagrams', () => {
    assert.deepStrictEqual(ns.map((f) => f.hex.slice(24, 28)), ETHERTYPES);
    assert.deepStrictEqual(ns.map((f) => f.hex.length / 2), LENGTHS);
    assert.deepStrictEqual(ns.map((f) => f.origLen), LENGTHS);
    // the UDP payloads make.sh sent
    assert.ok(Buffer.from(ns[5].hex, 'hex').toString('latin1').endsWith('nobody listens'));
    // records follow one another after the 24-byte file header
    assert.deepStrictEqual(ns.map((f) => f.offset), [24, 82, 196, 310, 377, 444]);
    for (let i = 1; i < ns.length; i++) assert.ok(ns[i].tsNs > ns[i - 1].tsNs);
  });

  it('tcpdump pcap (µs) has the same frames, at the same times cut to microseconds', () => {
    const us = read(fixture('tcpdump-us.pcap'));
    assert.deepStrictEqual(us.map((f) => f.hex), ns.map((f) => f.hex));
    assert.deepStrictEqual(us.map((f) => f.tsNs), ns.map((f) => (f.tsNs / 1000n) * 1000n));
  });

  it('dumpcap pcapng and tshark pcapng (if_tsresol 9) have the same frames and nanosecond times', () => {
    for (const name of ['dumpcap.pcapng', 'tshark-ns.pcapng']) {
      const ng = read(fixture(name));
      assert.deepStrictEqual(ng.map((f) => [f.hex, f.tsNs]), ns.map((f) => [f.hex, f.tsNs]), name);
      assert.ok(ng[0].offset > 28, 'the first packet block comes after the section and interface blocks');
    }
  });

  it('reads the same frames whatever the chunk size (1, 7, 64 bytes)', () => {
    for (const name of ['tcpdump-us.pcap', 'dumpcap.pcapng']) {
      const whole = read(fixture(name));
      for (const n of [1, 7, 64]) assert.deepStrictEqual(read(fixture(name), n), whole, `${name} in ${n}-byte chunks`);
    }
  });

  it('reads a file through the file wrapper in small chunks', () => {
    const got: string[] = [];
    readCaptureFile(path.join(FIXTURES, 'dumpcap.pcapng'), (f) => got.push(Buffer.from(f.data).toString('hex')), 100);
    assert.deepStrictEqual(got, ns.map((f) => f.hex));
  });
});

describe('capture reader: every variant', () => {
  const frames: Frame[] = [
    { tsNs: 1_700_000_000_123_456_789n, data: Uint8Array.from({ length: 60 }, (_, i) => i) },
    { tsNs: 1_700_000_001_000_000_500n, data: Uint8Array.from({ length: 1514 }, (_, i) => (i * 7) & 255), origLen: 1600 },
    { tsNs: 1_700_000_001_000_001_000n, data: new Uint8Array(14) },
  ];
  const hexes = frames.map((f) => Buffer.from(f.data).toString('hex'));

  it('pcap in both byte orders, µs and ns', () => {
    for (const le of [true, false]) {
      const n = read(pcap(frames, { le, ns: true }));
      assert.deepStrictEqual(n.map((f) => [f.hex, f.tsNs]), frames.map((f, i) => [hexes[i], f.tsNs]));
      assert.deepStrictEqual(n.map((f) => f.origLen), [60, 1600, 14], 'origLen: the wire length when the capture cut the frame');
      const u = read(pcap(frames, { le }));
      assert.deepStrictEqual(u.map((f) => f.tsNs), frames.map((f) => (f.tsNs / 1000n) * 1000n));
    }
  });

  it('pcapng in both byte orders and with if_tsresol in powers of 10 and 2', () => {
    for (const le of [true, false]) {
      assert.deepStrictEqual(read(pcapng(frames, { le })).map((f) => f.tsNs), frames.map((f) => (f.tsNs / 1000n) * 1000n), 'no if_tsresol: microseconds');
      assert.deepStrictEqual(read(pcapng(frames, { le, tsresol: 9 })).map((f) => [f.hex, f.tsNs]), frames.map((f, i) => [hexes[i], f.tsNs]));
      assert.deepStrictEqual(read(pcapng(frames, { le, tsresol: 3 })).map((f) => f.tsNs), frames.map((f) => (f.tsNs / 1_000_000n) * 1_000_000n), 'milliseconds');
      // 2^-10 s ticks: back to ns, rounded down, within one tick of the original
      for (const [f, g] of read(pcapng(frames, { le, tsresol: 0x80 | 10 })).map((g, i) => [frames[i], g] as const)) {
        assert.ok(f.tsNs - g.tsNs >= 0n && f.tsNs - g.tsNs < 1_000_000_000n / 1024n + 1n, `${f.tsNs} vs ${g.tsNs}`);
      }
    }
  });

  it('pcapng simple packet blocks, and blocks it has no use for skipped', () => {
    // a simple packet block holds the whole frame (its length is the original length)
    const s = read(pcapng(frames.map((f) => ({ ...f, origLen: undefined })), { simple: true, extraBlocks: true }));
    assert.deepStrictEqual(s.map((f) => f.hex), hexes);
    assert.deepStrictEqual(s.map((f) => f.tsNs), [0n, 0n, 0n], 'a simple packet block has no timestamp');
  });

  it('several sections, each in its own byte order, each with its own interfaces', () => {
    const both = concat([pcapng(frames.slice(0, 1), { le: false, tsresol: 9 }), pcapng(frames.slice(1), { le: true, tsresol: 9 })]);
    assert.deepStrictEqual(read(both, 5).map((f) => f.hex), hexes);
  });

  it('keeps only an incomplete record between chunks: memory bounded by the largest record', () => {
    const big = pcap(Array.from({ length: 300 }, (_, i) => ({ tsNs: BigInt(i) * 1000n, data: new Uint8Array(1514).fill(i & 255) })));
    const r = new CaptureReader();
    let n = 0;
    let most = 0;
    for (const c of chunks(big, 4096)) {
      r.push(c, () => n++);
      most = Math.max(most, r.buffered);
    }
    r.end();
    assert.strictEqual(n, 300);
    assert.ok(most < 1514 + 16, `at most one record is held back (held ${most} bytes)`);
  });
});

describe('capture reader: the model\'s own pcapng (netstack trace --pcap)', () => {
  it('reads back every frame a device was handed, in order, with its simulated time', () => {
    const t = runExample('forward-ping');
    const got = read(traceToPcapng(t).bytes);
    const sent = t.events.filter((e) => e.fn === 'dev_hard_start_xmit' && e.skb?.dev);
    assert.ok(sent.length >= 4);
    assert.deepStrictEqual(got.map((f) => f.hex), sent.map((e) => e.skb!.bytes.slice(e.skb!.data * 2, e.skb!.tail * 2)));
    assert.deepStrictEqual(got.map((f) => f.tsNs), sent.map((e) => BigInt(e.time)));
  });
});

describe('capture reader: bad captures say what and at which byte', () => {
  const f: Frame[] = [{ tsNs: 1_000_000_000n, data: new Uint8Array(60) }];
  const le32 = (b: Uint8Array, at: number, v: number): Uint8Array => {
    const c = b.slice();
    new DataView(c.buffer).setUint32(at, v, true);
    return c;
  };

  it('empty, or cut inside the file header', () => {
    fails(new Uint8Array(0), 0, /empty/);
    fails(pcap(f).subarray(0, 10), 0, /ends after 10 bytes, inside the file header/);
  });

  it('a wrong magic number', () => {
    fails(new TextEncoder().encode('GIF89a, not a capture at all'), 0, /unknown magic number 0x47494638/);
    fails(le32(pcap(f), 0, 0xa1b2cd34), 0, /Kuznetzov/);
  });

  it('truncated: the file ends inside a record or block', () => {
    const p = pcap(f);
    fails(p.subarray(0, p.length - 1), 24, /truncated: the file ends inside a packet record \(75 bytes of it present\)/);
    const ng = pcapng(f);
    fails(ng.subarray(0, ng.length - 3), ng.length - 92, /truncated: the file ends inside a block/);
  });

  it('an unsupported link type, in pcap and in a pcapng interface block', () => {
    fails(pcap(f, { linktype: 113 }), 20, /unsupported link type 113 \(Linux cooked capture \(tcpdump -i any\)\): only Ethernet/);
    fails(pcapng(f, { linktype: 101 }), 36, /interface 0 has link type 101 \(raw IP\)/);
    fails(le32(pcap(f), 20, 0x14000001), 20, /FCS/);
  });

  it('an absurd snaplen or record length', () => {
    fails(pcap(f, { snaplen: 0x7fffffff }), 16, /snaplen 2147483647 is absurd/);
    fails(le32(pcap(f), 24 + 8, 0x10000000), 32, /packet record 1 says it holds 268435456 bytes/);
  });

  it('an absurd pcapng block length, or one that does not match its trailer', () => {
    const ng = pcapng(f);
    const epb = ng.length - 92; // SHB 28 + IDB 20 (no options → 24) …: the last block is the EPB
    fails(le32(ng, epb + 4, 0x7ffffff0), epb + 4, /absurd length 2147483632 \(over 16777216\)/);
    fails(le32(ng, epb + 4, 90), epb + 4, /not a multiple of 4/);
    fails(le32(ng, epb + 4, 16), epb + 4, /at least 32/);
    fails(le32(ng, ng.length - 4, 88), ng.length - 4, /ends with length 88 but starts with 92/);
    fails(le32(ng, epb + 20, 200), epb + 20, /says it holds 200 bytes but the block has room for 60/);
  });

  it('a packet on an interface the section did not describe; a section with a bad byte-order magic', () => {
    const ng = pcapng(f);
    fails(le32(ng, ng.length - 92 + 8, 3), ng.length - 92 + 8, /interface 3, but this section describes 1 interface/);
    fails(le32(ng, 8, 0x12345678), 8, /byte-order magic/);
  });

  it('a capture file that is no regular file, through the file wrapper', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-cap-'));
    try {
      assert.throws(() => readCaptureFile(path.join(dir, 'missing.pcap'), () => undefined), /ENOENT/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
