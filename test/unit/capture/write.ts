// Captures written by the tests themselves in every variant the reader must take: pcap and
// pcapng in either byte order, with other timestamp resolutions, simple packet blocks and blocks
// the reader must skip. Independent of src/cli/pcap.ts (little-endian pcapng only).
import * as path from 'path';
import * as fs from 'fs';

export const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/captures');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
}

export interface Frame {
  tsNs: bigint;
  data: Uint8Array;
  origLen?: number;
}

class Out {
  parts: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 255);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >> 8) : this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    return this.le ? this.u16(v & 0xffff).u16(v >>> 16) : this.u16(v >>> 16).u16(v & 0xffff);
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  pad(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function pcap(frames: Frame[], opts: { le?: boolean; ns?: boolean; snaplen?: number; linktype?: number } = {}): Uint8Array {
  const o = new Out(opts.le ?? true);
  o.u32(opts.ns ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(opts.snaplen ?? 262144).u32(opts.linktype ?? 1);
  for (const f of frames) {
    const sec = f.tsNs / 1_000_000_000n;
    const frac = f.tsNs % 1_000_000_000n;
    o.u32(Number(sec)).u32(Number(opts.ns ? frac : frac / 1000n)).u32(f.data.length).u32(f.origLen ?? f.data.length).bytes(f.data);
  }
  return o.done();
}

export interface NgOptions {
  le?: boolean;
  /** if_tsresol byte; default none (microseconds) */
  tsresol?: number;
  linktype?: number;
  /** write simple packet blocks (no timestamp) instead of enhanced ones */
  simple?: boolean;
  /** put a name resolution block and a custom block before the packets */
  extraBlocks?: boolean;
}

function block(le: boolean, type: number, body: (o: Out) => void): Uint8Array {
  const o = new Out(le);
  body(o);
  o.pad();
  const b = o.done();
  return new Out(le).u32(type).u32(b.length + 12).bytes(b).u32(b.length + 12).done();
}

export function pcapng(frames: Frame[], opts: NgOptions = {}): Uint8Array {
  const le = opts.le ?? true;
  const parts: Uint8Array[] = [];
  parts.push(block(le, 0x0a0d0d0a, (o) => o.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff)));
  parts.push(
    block(le, 1, (o) => {
      o.u16(opts.linktype ?? 1).u16(0).u32(0);
      if (opts.tsresol !== undefined) o.u16(9).u16(1).u8(opts.tsresol).pad();
      o.u16(0).u16(0);
    }),
  );
  if (opts.extraBlocks) {
    parts.push(block(le, 4, (o) => o.u16(1).u16(8).bytes(Uint8Array.of(10, 0, 1, 2)).bytes(new TextEncoder().encode('cli\0')).u16(0).u16(0)));
    parts.push(block(le, 0x00000bad, (o) => o.u32(32473).bytes(new TextEncoder().encode('whatever'))));
  }
  const res = opts.tsresol ?? 6;
  for (const f of frames) {
    if (opts.simple) {
      parts.push(block(le, 3, (o) => o.u32(f.origLen ?? f.data.length).bytes(f.data)));
      continue;
    }
    const ticks = res & 0x80 ? (f.tsNs << BigInt(res & 0x7f)) / 1_000_000_000n : (f.tsNs * 10n ** BigInt(res)) / 1_000_000_000n;
    parts.push(
      block(le, 6, (o) =>
        o
          .u32(0)
          .u32(Number(ticks >> 32n))
          .u32(Number(ticks & 0xffffffffn))
          .u32(f.data.length)
          .u32(f.origLen ?? f.data.length)
          .bytes(f.data),
      ),
    );
  }
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `b` cut into chunks of `n` bytes. */
export function* chunks(b: Uint8Array, n: number): Generator<Uint8Array> {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}
