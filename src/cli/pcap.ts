// The frames of a trace as a pcapng file, for Wireshark or tcpdump -r: every frame a device is
// handed (dev_hard_start_xmit — where the kernel's packet taps see it too, so a checksum left to
// the device still shows its partial value), one interface block per host:device, timestamps
// in nanoseconds of simulated time.
import type { Trace } from '../trace/contract';
import { eachEvent } from '../trace/read';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const LINKTYPE_ETHERNET = 1;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

class Writer {
  private chunks: Uint8Array[] = [];

  block(type: number, body: Uint8Array): void {
    const total = 12 + body.length;
    const b = new Uint8Array(total);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, total, true);
    b.set(body, 8);
    v.setUint32(total - 4, total, true);
    this.chunks.push(b);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function options(list: [number, Uint8Array][]): Uint8Array {
  const size = list.reduce((n, [, v]) => n + 4 + pad4(v.length), 0) + 4;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  let at = 0;
  for (const [code, val] of list) {
    v.setUint16(at, code, true);
    v.setUint16(at + 2, val.length, true);
    b.set(val, at + 4);
    at += 4 + pad4(val.length);
  }
  return b; // ends with opt_endofopt (zeros)
}

export interface PcapSummary {
  bytes: Uint8Array;
  frames: number;
  interfaces: string[];
}

export function traceToPcapng(t: Trace): PcapSummary {
  const w = new Writer();
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, 0x1a2b3c4d, true);
  sv.setUint16(4, 1, true);
  sv.setUint16(6, 0, true);
  sv.setBigInt64(8, -1n, true);
  w.block(SHB, shb);
  const ifaces = new Map<string, number>();
  let frames = 0;
  for (const e of eachEvent(t)) {
    if (e.fn !== 'dev_hard_start_xmit' || !e.skb?.dev) continue;
    const name = `${e.host}:${e.skb.dev}`;
    let id = ifaces.get(name);
    if (id === undefined) {
      id = ifaces.size;
      ifaces.set(name, id);
      const head = new Uint8Array(8);
      const hv = new DataView(head.buffer);
      hv.setUint16(0, LINKTYPE_ETHERNET, true);
      hv.setUint32(4, 0, true);
      const opts = options([
        [OPT_IF_NAME, new TextEncoder().encode(name)],
        [OPT_IF_TSRESOL, Uint8Array.of(9)],
      ]);
      const body = new Uint8Array(head.length + opts.length);
      body.set(head);
      body.set(opts, head.length);
      w.block(IDB, body);
    }
    const s = e.skb;
    const frame = hexToBytes(s.bytes, s.data, s.tail);
    const body = new Uint8Array(20 + pad4(frame.length));
    const bv = new DataView(body.buffer);
    const ts = BigInt(e.time);
    bv.setUint32(0, id, true);
    bv.setUint32(4, Number(ts >> 32n), true);
    bv.setUint32(8, Number(ts & 0xffffffffn), true);
    bv.setUint32(12, frame.length, true);
    bv.setUint32(16, frame.length, true);
    body.set(frame, 20);
    w.block(EPB, body);
    frames++;
  }
  return { bytes: w.bytes(), frames, interfaces: [...ifaces.keys()] };
}

function hexToBytes(hex: string, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice((from + i) * 2, (from + i) * 2 + 2), 16);
  return out;
}
