// Fuzzing the capture reader (issue 13): random bytes, and real captures cut, mutated and fed in
// random chunks, end either with frames or with a CaptureError naming a byte offset inside the
// input — never another exception — and the chunking never changes what is read.
import * as assert from 'assert';
import * as fc from 'fast-check';
import { CaptureError, readCapture, type CaptureFrame } from '../../../src/capture/reader';
import { fixture, pcap, pcapng } from '../capture/write';

// captures written by tcpdump, dumpcap and tshark (test/fixtures/captures), and big-endian ones
// from the tests' own writer
const FRAME = { tsNs: 1_500_000_123n, data: new Uint8Array(60).map((_, i) => i) };
const SEEDS: Uint8Array[] = [
  ...['tcpdump-us.pcap', 'tcpdump-ns.pcap', 'dumpcap.pcapng', 'tshark-ns.pcapng'].map(fixture),
  pcap([FRAME, FRAME], { le: false }),
  pcapng([FRAME, FRAME], { le: false }),
];

function chunks(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, b.length]) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  return out;
}

/** What the reader makes of the bytes: the frames (copied) or the error's offset and text. */
function read(parts: Uint8Array[]): { frames: string[] } | { error: CaptureError } {
  const frames: string[] = [];
  try {
    readCapture(parts, (f: CaptureFrame) => frames.push(`${f.tsNs}:${Buffer.from(f.data).toString('hex')}`));
    return { frames };
  } catch (e) {
    if (e instanceof CaptureError) return { error: e };
    throw e;
  }
}

const input = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  // a real capture, cut short and with bytes changed
  fc.tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 })).map(([b, cut, edits]) => {
    const c = new Uint8Array(b.subarray(0, cut % (b.length + 1)));
    for (const [i, v] of edits) if (c.length) c[i % c.length] = v;
    return c;
  }),
);

describe('fuzz: the capture reader', () => {
  it('ends with frames or a positioned CaptureError, and chunking changes nothing', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const whole = read([bytes]);
        const cut = read(chunks(bytes, cuts));
        if ('error' in whole) {
          assert.ok(whole.error.offset >= 0 && whole.error.offset <= bytes.length, `offset ${whole.error.offset} of ${bytes.length}`);
          assert.ok('error' in cut, 'the same bytes in chunks were read without the error');
          assert.strictEqual(cut.error.message, whole.error.message);
        } else {
          assert.deepStrictEqual(cut, whole);
        }
      }),
      { numRuns: 3000, seed: 29 },
    );
  });
});
