// A packet of a trace the model's recorder makes (PacketInfo). Its one-line summary is made when
// a reader asks for it, from a copy of the headers the packet had at its first step with headers:
// a run at the fates level makes a packet per frame and nobody may read the summaries (a replay's
// counts by fate), and making them was the largest single cost of that path (issue 12; the
// figures are in docs/capture.md). The copy is a few dozen bytes in a shared chunk, smaller than
// the text it stands for.
import type { Fate, PacketInfo } from '../../trace/contract';
import { describeFrame, describeL3, flatten } from './describe';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6 } from '../proto/ethernet';
import { IPPROTO_TCP } from '../proto/ipv4';

/**
 * How many bytes from `off` a summary reads (describe.ts): an IPv4 header and the first 8 bytes
 * after it (20 for a TCP header's fixed part), an IPv6 header and a neighbour message's target, an ARP
 * message; after an Ethernet header for a frame known only from its MAC header (`proto` -1).
 */
function summaryBytes(b: Uint8Array, off: number, avail: number, proto: number): number {
  if (proto < 0) return avail < ETH_HLEN ? avail : ETH_HLEN + summaryBytes(b, off + ETH_HLEN, avail - ETH_HLEN, (b[off + 12] << 8) | b[off + 13]);
  const n = proto === ETH_P_IP ? (avail < 20 ? 0 : Math.max(20, (b[off] & 15) * 4) + (b[off + 9] === IPPROTO_TCP ? 20 : 8)) : proto === ETH_P_IPV6 ? 64 : proto === ETH_P_ARP ? 28 : 0;
  return n < avail ? n : avail;
}
const CHUNK = 1 << 16;

/** The chunks the copies go into, one recorder's: a chunk is dropped with the last packet that points into it. */
export class HeaderCopies {
  private chunk = new Uint8Array(CHUNK);
  private used = 0;
  /** where the last copy starts in the chunk copy() gave */
  at = 0;

  /** Copies `n` bytes of `b` from `off` and gives the chunk; `at` is then where they start. */
  copy(b: Uint8Array, off: number, n: number): Uint8Array {
    if (this.used + n > CHUNK) {
      this.chunk = new Uint8Array(CHUNK);
      this.used = 0;
    }
    const c = this.chunk;
    const at = this.used;
    for (let i = 0; i < n; i++) c[at + i] = b[off + i];
    this.at = at;
    this.used = at + n;
    return c;
  }
}

/**
 * Reads as a plain PacketInfo: `summary` is an accessor of the class, and `toJSON` writes the
 * contract's keys in its order. structuredClone copies own properties only, so a trace that
 * crosses to a worker's parent or the webview goes as plainPackets().
 */
export class RecordedPacket implements PacketInfo {
  id: number;
  parent: number | null;
  origin: string;
  fate: Fate;
  #text = '';
  /** the copied headers, until the summary is made from them */
  #bytes: Uint8Array | null = null;
  #at = 0;
  #avail = 0;
  /** the EtherType of headers from the network header; -1 for a frame from its MAC header */
  #proto = 0;

  constructor(id: number, parent: number | null, origin: string) {
    this.id = id;
    this.parent = parent;
    this.origin = origin;
    this.fate = { kind: 'pending', host: origin, fn: '' };
  }

  get summary(): string {
    const b = this.#bytes;
    if (b !== null) {
      const text = this.#proto < 0 ? describeFrame(b, this.#at, this.#avail) : describeL3(b, this.#at, this.#proto, this.#avail);
      // kept flat: a reader of every packet (the JSON writer) would keep each as a tree of pieces
      flatten(text);
      this.#text = text;
      this.#bytes = null;
    }
    return this.#text;
  }

  set summary(text: string) {
    this.#text = text;
    this.#bytes = null;
  }

  /** whether the summary is made or its headers are kept */
  get summarized(): boolean {
    return this.#bytes !== null || this.#text !== '';
  }

  /**
   * Keeps the headers at `off` (`avail` bytes to the end of the data) for the summary: those
   * from the network header (`proto` its EtherType), or a whole frame's (`proto` -1).
   */
  keepHeaders(copies: HeaderCopies, b: Uint8Array, off: number, avail: number, proto: number): void {
    this.#bytes = copies.copy(b, off, summaryBytes(b, off, avail, proto));
    this.#at = copies.at;
    this.#avail = avail;
    this.#proto = proto;
  }

  toJSON(): PacketInfo {
    return { id: this.id, parent: this.parent, summary: this.summary, origin: this.origin, fate: this.fate };
  }
}
