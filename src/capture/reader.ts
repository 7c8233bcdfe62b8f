// Reads packet captures as a stream: classic pcap (either byte order, microsecond or nanosecond
// timestamps) and pcapng (sections of either byte order, interface descriptions with their
// timestamp resolution, enhanced, simple and obsolete packet blocks; other blocks skipped).
// Only Ethernet frames (LINKTYPE_ETHERNET) are accepted: that is what arrives on a veth or NIC.
//
// Pure: no Node built-ins. Bytes are pushed in chunks of any size and frames come out as they
// are complete, so memory stays bounded by the largest block, whatever the file's size. A
// malformed capture throws a CaptureError naming the byte offset where it goes wrong.

/** libpcap's MAXIMUM_SNAPLEN and Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD: no frame is longer. */
export const MAX_SNAPLEN = 262144;
/** The largest pcapng block accepted (Wireshark refuses blocks over 16 MiB the same way). */
export const MAX_BLOCK = 16 * 1024 * 1024;
export const LINKTYPE_ETHERNET = 1;

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAP_KUZNETZOV = 0xa1b2cd34;
const SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** A frame as the reader hands it to its callback: the object is the reader's own, filled anew for the next frame, so copy what you keep. */
export interface CaptureFrame {
  /** 0-based position of the frame in the capture */
  index: number;
  /** byte offset of the frame's record (pcap) or block (pcapng) in the file */
  offset: number;
  /** pcapng interface id (0 for pcap) */
  ifIndex: number;
  /** timestamp in nanoseconds since the epoch (0 for a simple packet block, which has none) */
  tsNs: bigint;
  /** the frame's length on the wire; `data` may be shorter when the capture cut it (snaplen) */
  origLen: number;
  /** the captured bytes; a view valid only during the callback: copy it to keep it */
  data: Uint8Array;
}

const NO_BYTES = new Uint8Array(0);

/**
 * The frame handed to the callback: one object a reader, filled anew for each frame, so valid
 * only during the callback, as its `data` view is (copy what you keep). A pcapng time stamp is
 * kept as its two words and turned into ns when `tsNs` is read: a replay at full speed never
 * reads it, and a frame costs no object and no BigInt.
 */
class FrameSlot implements CaptureFrame {
  index = 0;
  offset = 0;
  ifIndex = 0;
  origLen = 0;
  data: Uint8Array = NO_BYTES;
  /** the interface whose resolution the words are in; null: the time is `ns` */
  ifc: Iface | null = null;
  hi = 0;
  lo = 0;
  ns = 0n;

  get tsNs(): bigint {
    return this.ifc === null ? this.ns : stampNs(this.ifc, this.hi, this.lo);
  }

  fill(index: number, offset: number, ifIndex: number, origLen: number, data: Uint8Array, ifc: Iface | null, hi: number, lo: number, ns: bigint): this {
    this.index = index;
    this.offset = offset;
    this.ifIndex = ifIndex;
    this.origLen = origLen;
    this.data = data;
    this.ifc = ifc;
    this.hi = hi;
    this.lo = lo;
    this.ns = ns;
    return this;
  }
}

export class CaptureError extends Error {
  constructor(
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`at byte ${offset}: ${detail}`);
    this.name = 'CaptureError';
  }
}

interface Iface {
  linktype: number;
  snaplen: number;
  /** offset of its IDB, for errors */
  at: number;
  /** timestamp units: ns per tick as a ratio num/den */
  num: bigint;
  den: bigint;
  offsetNs: bigint;
  /** the last high word of a timestamp seen and its part of the time in ns (see `stampNs`) */
  hi: number;
  hiNs: bigint;
}

/**
 * A pcapng timestamp (ticks = hi << 32 | lo) in ns. A capture's frames share the high word for
 * about 4 s at ns resolution (an hour at µs), and most resolutions are whole ns (den 1), so the
 * high word's part is kept and a frame costs a conversion and an add or two, not six BigInt
 * operations. Exact either way: with den 1, ticks × num = (hi << 32) × num + lo × num.
 */
function stampNs(ifc: Iface, hi: number, lo: number): bigint {
  if (ifc.den !== 1n) return (((BigInt(hi) << 32n) | BigInt(lo)) * ifc.num) / ifc.den + ifc.offsetNs;
  if (hi !== ifc.hi) {
    ifc.hi = hi;
    ifc.hiNs = (BigInt(hi) << 32n) * ifc.num + ifc.offsetNs;
  }
  return ifc.num === 1n ? ifc.hiNs + BigInt(lo) : ifc.hiNs + BigInt(lo) * ifc.num;
}

function tsResolution(v: number): { num: bigint; den: bigint } {
  // the high bit says a power of 2, else a power of 10 (pcapng spec, if_tsresol)
  const exp = BigInt(v & 0x7f);
  if (v & 0x80) return { num: 1_000_000_000n, den: 1n << exp };
  return exp <= 9n ? { num: 10n ** (9n - exp), den: 1n } : { num: 1n, den: 10n ** (exp - 9n) };
}

export class CaptureReader {
  format: 'pcap' | 'pcapng' | undefined;
  /** frames read so far */
  frames = 0;
  private pending = new Uint8Array(0);
  /** file offset of pending[0] */
  private base = 0;
  private le = true;
  // pcap
  private nsPerTick = 1000n;
  private snaplen = 0;
  // pcapng
  private ifaces: Iface[] = [];
  private section = false;
  private readonly frame = new FrameSlot();

  /** bytes held back: the start of a record whose end has not come yet */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feeds the next bytes of the file; calls `onFrame` for every frame completed by them. */
  push(chunk: Uint8Array, onFrame: (f: CaptureFrame) => void): void {
    let buf = chunk;
    if (this.pending.length) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
    }
    const used = this.parse(buf, onFrame);
    this.base += used;
    // keep the incomplete tail; copied, since the caller may reuse the chunk's memory
    this.pending = used === buf.length ? new Uint8Array(0) : buf.slice(used);
  }

  /** The file has ended: anything left over is a truncated record. */
  end(): void {
    if (this.format === undefined) {
      throw new CaptureError(this.base, this.pending.length ? `the file ends after ${this.pending.length} bytes, inside the file header` : 'the file is empty: not a pcap or pcapng capture');
    }
    if (this.pending.length) {
      const what = this.format === 'pcap' ? 'packet record' : 'block';
      throw new CaptureError(this.base, `the capture is truncated: the file ends inside a ${what} (${this.pending.length} bytes of it present)`);
    }
  }

  /** a pcap record's whole seconds in ns, kept while they stay the same (frames come many a second) */
  private lastSec = -1;
  private lastSecNs = 0n;

  private secNs(sec: number): bigint {
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastSecNs = BigInt(sec) * 1_000_000_000n;
    }
    return this.lastSecNs;
  }

  private u32(b: Uint8Array, at: number): number {
    return this.le ? (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0 : ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }

  private u16(b: Uint8Array, at: number): number {
    return this.le ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1];
  }

  /** Parses whole records from `b`; returns how many bytes were used. */
  private parse(b: Uint8Array, onFrame: (f: CaptureFrame) => void): number {
    let pos = 0;
    if (this.format === undefined) {
      if (b.length < 4) return 0;
      const m = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      if (m === SHB) this.format = 'pcapng';
      else {
        const h = this.fileHeader(b);
        if (h === 0) return 0;
        pos = h;
      }
    }
    return this.format === 'pcap' ? this.pcapRecords(b, pos, onFrame) : this.blocks(b, pos, onFrame);
  }

  private fileHeader(b: Uint8Array): number {
    const be = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    const le = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    let magic: number;
    if (le === PCAP_US || le === PCAP_NS || le === PCAP_KUZNETZOV) [this.le, magic] = [true, le];
    else if (be === PCAP_US || be === PCAP_NS || be === PCAP_KUZNETZOV) [this.le, magic] = [false, be];
    else throw new CaptureError(this.base, `unknown magic number 0x${be.toString(16).padStart(8, '0')}: not a pcap (a1b2c3d4, a1b23c4d) or pcapng (0a0d0d0a) capture`);
    if (magic === PCAP_KUZNETZOV) throw new CaptureError(this.base, 'a "modified" (Kuznetzov) pcap, magic a1b2cd34: not supported; convert it with `editcap -F pcap`');
    if (b.length < 24) return 0;
    const major = this.u16(b, 4);
    if (major !== 2) throw new CaptureError(this.base + 4, `pcap version ${major}.${this.u16(b, 6)}: only version 2.x exists`);
    this.snaplen = this.u32(b, 16);
    if (this.snaplen > MAX_SNAPLEN) throw new CaptureError(this.base + 16, `snaplen ${this.snaplen} is absurd: no capture tool cuts frames above ${MAX_SNAPLEN} bytes`);
    const network = this.u32(b, 20);
    if (network & 0x04000000) throw new CaptureError(this.base + 20, `the link-type field says the frames carry a ${network >>> 28}-byte FCS: not supported (the stack never sees the FCS)`);
    const lt = network & 0xffff;
    if (lt !== LINKTYPE_ETHERNET) throw new CaptureError(this.base + 20, `unsupported link type ${lt}${LINKTYPE_NAMES[lt] ? ` (${LINKTYPE_NAMES[lt]})` : ''}: only Ethernet (LINKTYPE_ETHERNET, 1) is replayed`);
    this.nsPerTick = magic === PCAP_NS ? 1n : 1000n;
    this.format = 'pcap';
    return 24;
  }

  private pcapRecords(b: Uint8Array, pos: number, onFrame: (f: CaptureFrame) => void): number {
    while (b.length - pos >= 16) {
      const caplen = this.u32(b, pos + 8);
      if (caplen > MAX_SNAPLEN) throw new CaptureError(this.base + pos + 8, `packet record ${this.frames + 1} says it holds ${caplen} bytes: more than any capture holds (${MAX_SNAPLEN}); the file is corrupt`);
      if (b.length - pos < 16 + caplen) break;
      const sec = this.u32(b, pos);
      const frac = this.u32(b, pos + 4);
      const ns = this.secNs(sec) + (this.nsPerTick === 1n ? BigInt(frac) : BigInt(frac) * this.nsPerTick);
      onFrame(this.frame.fill(this.frames++, this.base + pos, 0, this.u32(b, pos + 12), b.subarray(pos + 16, pos + 16 + caplen), null, 0, 0, ns));
      pos += 16 + caplen;
    }
    return pos;
  }

  private blocks(b: Uint8Array, pos: number, onFrame: (f: CaptureFrame) => void): number {
    while (b.length - pos >= 12) {
      const at = this.base + pos;
      let type = this.u32(b, pos);
      if (((b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]) >>> 0 === SHB) {
        type = SHB;
        const bom = (b[pos + 8] | (b[pos + 9] << 8) | (b[pos + 10] << 16) | (b[pos + 11] << 24)) >>> 0;
        if (bom === BOM) this.le = true;
        else if (((b[pos + 8] << 24) | (b[pos + 9] << 16) | (b[pos + 10] << 8) | b[pos + 11]) >>> 0 === BOM) this.le = false;
        else throw new CaptureError(at + 8, `section header block with byte-order magic 0x${bom.toString(16)}: expected 1a2b3c4d in either byte order`);
      } else if (!this.section) {
        throw new CaptureError(at, 'the first block is not a section header block');
      }
      const len = this.u32(b, pos + 4);
      const min = type === SHB ? 28 : type === IDB ? 20 : type === EPB || type === PB ? 32 : type === SPB ? 16 : 12;
      if (len < min || len % 4 !== 0 || len > MAX_BLOCK) {
        throw new CaptureError(at + 4, `block of type 0x${type.toString(16)} has an absurd length ${len}${len % 4 ? ' (not a multiple of 4)' : len < min ? ` (at least ${min} for this type)` : ` (over ${MAX_BLOCK})`}`);
      }
      if (b.length - pos < len) break;
      const trailer = this.u32(b, pos + len - 4);
      if (trailer !== len) throw new CaptureError(at + len - 4, `block of type 0x${type.toString(16)} ends with length ${trailer} but starts with ${len}: the file is corrupt`);
      this.block(type, b, pos, len, at, onFrame);
      pos += len;
    }
    return pos;
  }

  private block(type: number, b: Uint8Array, pos: number, len: number, at: number, onFrame: (f: CaptureFrame) => void): void {
    switch (type) {
      case SHB: {
        const major = this.u16(b, pos + 12);
        if (major !== 1) throw new CaptureError(at + 12, `pcapng version ${major}.${this.u16(b, pos + 14)}: only version 1.x is defined`);
        this.ifaces = []; // interface ids are per section
        this.section = true;
        return;
      }
      case IDB: {
        const lt = this.u16(b, pos + 8);
        if (lt !== LINKTYPE_ETHERNET) throw new CaptureError(at + 8, `interface ${this.ifaces.length} has link type ${lt}${LINKTYPE_NAMES[lt] ? ` (${LINKTYPE_NAMES[lt]})` : ''}: only Ethernet (LINKTYPE_ETHERNET, 1) is replayed`);
        const snaplen = this.u32(b, pos + 12);
        if (snaplen > MAX_SNAPLEN && snaplen !== 0xffffffff) throw new CaptureError(at + 12, `interface ${this.ifaces.length} has snaplen ${snaplen}: absurd, no capture tool cuts frames above ${MAX_SNAPLEN} bytes`);
        const ifc: Iface = { linktype: lt, snaplen, at, num: 1000n, den: 1n, offsetNs: 0n, hi: -1, hiNs: 0n };
        this.options(b, pos + 16, pos + len - 4, (code, o, n) => {
          if (code === OPT_IF_TSRESOL && n >= 1) Object.assign(ifc, tsResolution(b[o]));
          if (code === OPT_IF_TSOFFSET && n >= 8) {
            const hi = this.u32(b, o + (this.le ? 4 : 0));
            const lo = this.u32(b, o + (this.le ? 0 : 4));
            ifc.offsetNs = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)) * 1_000_000_000n;
          }
        });
        this.ifaces.push(ifc);
        return;
      }
      case EPB:
      case PB: {
        const id = type === EPB ? this.u32(b, pos + 8) : this.u16(b, pos + 8);
        const ifc = this.iface(id, at + 8);
        const caplen = this.u32(b, pos + 20);
        if (caplen > len - 32) throw new CaptureError(at + 20, `packet block says it holds ${caplen} bytes but the block has room for ${len - 32}`);
        onFrame(this.frame.fill(this.frames++, at, id, this.u32(b, pos + 24), b.subarray(pos + 28, pos + 28 + caplen), ifc, this.u32(b, pos + 12), this.u32(b, pos + 16), 0n));
        return;
      }
      case SPB: {
        const ifc = this.iface(0, at);
        const origLen = this.u32(b, pos + 8);
        let caplen = Math.min(origLen, len - 16);
        if (ifc.snaplen && ifc.snaplen !== 0xffffffff) caplen = Math.min(caplen, ifc.snaplen);
        onFrame(this.frame.fill(this.frames++, at, 0, origLen, b.subarray(pos + 12, pos + 12 + caplen), null, 0, 0, 0n));
        return;
      }
      default:
      // name resolution, statistics, decryption secrets, custom blocks…: nothing to replay
    }
  }

  private iface(id: number, at: number): Iface {
    const ifc = this.ifaces[id];
    if (!ifc) throw new CaptureError(at, `packet on interface ${id}, but this section describes ${this.ifaces.length} interface${this.ifaces.length === 1 ? '' : 's'}`);
    return ifc;
  }

  private options(b: Uint8Array, from: number, to: number, each: (code: number, at: number, len: number) => void): void {
    let o = from;
    while (o + 4 <= to) {
      const code = this.u16(b, o);
      const n = this.u16(b, o + 2);
      if (code === OPT_ENDOFOPT) return;
      if (o + 4 + n > to) throw new CaptureError(this.base + o, `option ${code} runs past the end of its block`);
      each(code, o + 4, n);
      o += 4 + ((n + 3) & ~3);
    }
  }
}

/** Reads every frame from a sequence of chunks; throws CaptureError on a bad capture. */
export function readCapture(chunks: Iterable<Uint8Array>, onFrame: (f: CaptureFrame) => void): CaptureReader {
  const r = new CaptureReader();
  for (const c of chunks) r.push(c, onFrame);
  r.end();
  return r;
}

/** Link types a user may meet, to say what the capture is instead of a bare number. */
const LINKTYPE_NAMES: Record<number, string> = {
  0: 'BSD loopback',
  101: 'raw IP',
  105: 'IEEE 802.11',
  113: 'Linux cooked capture (tcpdump -i any)',
  127: 'IEEE 802.11 radiotap',
  228: 'raw IPv4',
  276: 'Linux cooked capture v2 (tcpdump -i any)',
};
