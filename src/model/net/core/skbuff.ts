// struct sk_buff over a real byte buffer (include/linux/skbuff.h, net/core/skbuff.c, v6.12).
// The buffer is linear (no page frags): head..end is one Uint8Array, and data/tail move inside
// it exactly as the kernel's pointers do, so push/pull/put/reserve keep the kernel's meaning.
import type { IpSummed, PktType } from '../../../trace/contract';
import type { NetDevice } from './netdevice';
import type { Rtable } from '../ipv4/route_types';

/** The kernel BUG()s here (skb_under_panic / skb_over_panic); the model throws. */
export class SkbPanic extends Error {}

/** Per-layer control block, the model's version of skb->cb (IPCB, TCP_SKB_CB…). */
export interface SkbCb {
  /** IPCB(skb)->iif */
  iif?: number;
  /** IPCB(skb)->flags: IPSKB_FORWARDED, IPSKB_FRAG_COMPLETE… */
  ipFlags?: number;
  /** IPCB(skb)->frag_max_size: largest fragment seen while reassembling */
  fragMaxSize?: number;
  /** IP6CB(skb)->nhoff: the offset from the network header of the next-header byte to read next */
  nhoff?: number;
  /**
   * the data length of each fragment a reassembled datagram was made of, in order: the
   * frag_list ip_frag_reasm leaves (conntrack's defrag does not coalesce), which
   * ip_do_fragment's fast path reuses
   */
  fragList?: number[];
  /** the frag_list is ip_append_data's pieces of a datagram this host made (not a reassembly) */
  fragLocal?: boolean;
  /** TCP_SKB_CB(skb) */
  tcp?: { seq: number; endSeq: number; ackSeq: number; flags: number };
  /** IPCB(skb)->opt of a received packet with options (ip_rcv_options) */
  ipOpt?: { optlen: number; isChanged: boolean; routerAlert: number };
  /** NEIGH_CB(skb)->flags & LOCALLY_ENQUEUED: an ARP request back from the proxy queue */
  locallyEnqueued?: boolean;
}

/** The part of struct skb_shared_info the model keeps: the frag_list of a reassembled datagram. */
export interface SharedInfo {
  /**
   * the fragments in order; `clone` marks the skb_clone inet_frag_reasm_prepare made of the
   * fragment that completed the datagram (that fragment's own sk_buff became the head)
   */
  frag_list: { skb: SkBuff; clone: boolean }[];
}

export const IPSKB_FORWARDED = 1;
export const IPSKB_FRAG_COMPLETE = 1 << 3;
export const IPSKB_REROUTED = 1 << 4;
export const IPSKB_DOREDIRECT = 1 << 5;
export const IPSKB_FRAG_PMTU = 1 << 6;

let nextSkbUid = 1;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) and of struct sk_buff on x86_64 */
const SHINFO_SIZE = 320;
const SKBUFF_SIZE = 256;
/**
 * SKB_SMALL_HEAD_CACHE_SIZE (net/core/skbuff.c, since v6.3): kmalloc_reserve takes a head whose
 * data and skb_shared_info fit it from skb_small_head_cache, objects of this size, instead of
 * kmalloc's 512 or 1024. The size is SKB_HEAD_ALIGN(max(MAX_TCP_HEADER, GRO_MAX_HEAD_PAD)) and
 * depends on the build (MAX_HEADER): 576 on the kernel the harness replays on (256 bytes of data
 * room, see TCP_SKB_HEAD_TRUESIZE in tcp_window.ts). A small frame's head thus has up to 256
 * bytes of room, which is what lets reassembly copy two 64-byte fragments into it (gen-990611-47).
 */
const SKB_SMALL_HEAD_CACHE_SIZE = 576;

/**
 * What every socket the model keeps has in common, as skb->sk shows it: its kind (sk_family and
 * sk_protocol together). The owners' own types are in ipv4/sock_types.ts.
 */
export interface SockCommon {
  kind: 'udp' | 'udp6' | 'tcp' | 'raw';
}

/**
 * sk_buff data areas are carved from shared slabs: a Uint8Array of its own makes V8 allocate,
 * track and later sweep a separate backing store per packet (measured at 3 to 4 times the cost of
 * a view). A slab is zero-filled when made and its room is never reused, so a new buffer reads as
 * zeroes as a fresh Uint8Array does. A slab lives as long as any buffer carved from it: slabs are
 * small (8 KB) so that an sk_buff held for long (a socket's receive queue) keeps little else alive.
 */
const SLAB_SIZE = 8192;
const SLAB_MAX_CARVE = 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabOff = 0;
function skbData(size: number): Uint8Array {
  if (size > SLAB_MAX_CARVE) return new Uint8Array(size);
  if (slabOff + size > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOff = 0;
  }
  const b = new Uint8Array(slab, slabOff, size);
  // 8-byte steps, as an allocator would align them
  slabOff += (size + 7) & ~7;
  return b;
}

export class SkBuff {
  buf: Uint8Array;
  readonly head = 0;
  private _data = 0;
  get data(): number {
    return this._data;
  }
  set data(v: number) {
    this._data = v;
    this.meta++;
  }
  private _tail = 0;
  get tail(): number {
    return this._tail;
  }
  set tail(v: number) {
    this._tail = v;
    this.meta++;
  }
  end: number;
  private _len = 0;
  get len(): number {
    return this._len;
  }
  set len(v: number) {
    this._len = v;
    this.meta++;
  }
  /** ETH_P_* in host order */
  private _protocol = 0;
  get protocol(): number {
    return this._protocol;
  }
  set protocol(v: number) {
    this._protocol = v;
    this.meta++;
  }
  private _pkt_type: PktType = 'PACKET_HOST';
  get pkt_type(): PktType {
    return this._pkt_type;
  }
  set pkt_type(v: PktType) {
    this._pkt_type = v;
    this.meta++;
  }
  private _dev: NetDevice | null = null;
  get dev(): NetDevice | null {
    return this._dev;
  }
  set dev(v: NetDevice | null) {
    this._dev = v;
    this.meta++;
  }
  private _skb_iif = 0;
  get skb_iif(): number {
    return this._skb_iif;
  }
  set skb_iif(v: number) {
    this._skb_iif = v;
    this.meta++;
  }
  private _mark = 0;
  get mark(): number {
    return this._mark;
  }
  set mark(v: number) {
    this._mark = v;
    this.meta++;
  }
  priority = 0;
  private _mac_header = -1;
  get mac_header(): number {
    return this._mac_header;
  }
  set mac_header(v: number) {
    this._mac_header = v;
    this.meta++;
  }
  private _network_header = -1;
  get network_header(): number {
    return this._network_header;
  }
  set network_header(v: number) {
    this._network_header = v;
    this.meta++;
  }
  private _transport_header = -1;
  get transport_header(): number {
    return this._transport_header;
  }
  set transport_header(v: number) {
    this._transport_header = v;
    this.meta++;
  }
  private _ip_summed: IpSummed = 'CHECKSUM_NONE';
  get ip_summed(): IpSummed {
    return this._ip_summed;
  }
  set ip_summed(v: IpSummed) {
    this._ip_summed = v;
    this.meta++;
  }
  /**
   * skb->csum_complete_sw and skb->csum_valid: __skb_checksum_complete (conntrack's nf_checksum
   * at PRE_ROUTING) summed the packet in software and left CHECKSUM_COMPLETE with its verdict.
   * udp4_csum_init and udp6_csum_init then refuse a bad sum at once, whatever the length.
   */
  csum_complete_sw = false;
  csum_valid = false;
  private _dst: Rtable | null = null;
  get dst(): Rtable | null {
    return this._dst;
  }
  set dst(v: Rtable | null) {
    this._dst = v;
    this.meta++;
  }
  /**
   * The destination address an IPv4 route was chosen for, kept with the packet rather than on the
   * route: the kernel's rtable has no destination (v6.12 include/net/route.h), as one input route
   * per next hop (nhc_rth_input) serves every packet through it. The model reads it where it
   * looks up a learnt path MTU (net.pmtu, by destination) and where it describes the route.
   * Set together with `dst` (dstSet); copied wherever `dst` is.
   */
  dstDaddr = 0;
  /** skb_dst_set for an IPv4 route: the route and the destination it was chosen for. */
  dstSet(rt: Rtable, daddr: number): void {
    this._dst = rt;
    this.dstDaddr = daddr;
    this.meta++;
  }
  /** conntrack info, filled by netfilter */
  private _nfct: { state: string; id: number } | null = null;
  get nfct(): { state: string; id: number } | null {
    return this._nfct;
  }
  set nfct(v: { state: string; id: number } | null) {
    this._nfct = v;
    this.meta++;
  }
  /** skb->ignore_df: may be fragmented past the MTU (a socket without PMTU discovery forced; a datagram nf_defrag_ipv6 reassembled) */
  ignore_df = false;
  cb: SkbCb = {};
  /** the model's packet id in the trace */
  pkt: number;
  /** bumped on every byte write, so snapshots copy bytes only when they changed */
  gen = 0;
  /**
   * Bumped by every write of a field a snapshot of the sk_buff shows (the accessors above: its
   * offsets and length, protocol, type, device, iif, mark, headers, ip_summed, route and
   * conntrack entry), so a full trace's recorder that saw this number saw these fields, and
   * does not compare them field by field at every step (Recorder.snapshotRow).
   */
  meta = 0;
  /**
   * A full trace's recorder's entry for this sk_buff (Recorder.snapshotRow: its bytes' last
   * version and snapshot rows), kept on it rather than in a WeakMap of the recorder's, whose
   * set for every new sk_buff was a fifth of the snapshot's cost. The model never reads it; a
   * copy starts without one.
   */
  rec: object | undefined = undefined;
  /** unique per sk_buff object (clones get their own) */
  readonly uid = nextSkbUid++;
  /** the socket that owns this skb on transmit (skb->sk) */
  sk: SockCommon | null = null;
  /**
   * skb->dst_pending_confirm: the sender asks that the neighbour this packet goes to be confirmed
   * on the way out (sock_confirm_neigh in ip_finish_output2). Set by __tcp_transmit_skb from the
   * socket's sk_dst_pending_confirm (v6.12).
   */
  dst_pending_confirm = false;
  /**
   * skb_shinfo(skb)->gso_size and gso_segs: a TCP sk_buff carrying several MSS-sized segments
   * (TSO/GSO), cut into them only where a device cannot take it whole (tcp_offload.ts). 0 for
   * an ordinary packet.
   */
  gso_size = 0;
  gso_segs = 0;
  /**
   * skb_shinfo(skb)->frag_list: the sk_buffs a reassembled datagram keeps behind its head
   * (inet_frag_reasm_finish). Shared with clones, as the data is: whoever frees the data last
   * frees the list (skb_release_data), which the model does once, at the first free.
   */
  shinfo: SharedInfo | null = null;

  constructor(size: number, pkt: number) {
    this.buf = skbData(size);
    this.data = 0;
    this.tail = 0;
    this.end = size;
    this.pkt = pkt;
  }

  headroom(): number {
    return this.data - this.head;
  }

  tailroom(): number {
    return this.end - this.tail;
  }

  /** skb_reserve: make headroom in an empty buffer */
  reserve(n: number): void {
    if (this.tail + n > this.end) throw new SkbPanic(`skb_reserve(${n}) beyond end`);
    this.data += n;
    this.tail += n;
  }

  /** skb_put: extend the data area at the tail; returns the offset of the new room */
  put(n: number): number {
    const at = this.tail;
    if (this.tail + n > this.end) {
      throw new SkbPanic(`skb_over_panic: put ${n} with tailroom ${this.tailroom()}`);
    }
    this.tail += n;
    this.len += n;
    return at;
  }

  /** skb_push: prepend n bytes of header into the headroom; returns the new data offset */
  push(n: number): number {
    if (this.data - n < this.head) {
      throw new SkbPanic(`skb_under_panic: push ${n} with headroom ${this.headroom()}`);
    }
    this.data -= n;
    this.len += n;
    return this.data;
  }

  /** skb_pull: strip n bytes from the front; null (no change) when n > len, as the kernel does */
  pull(n: number): number | null {
    if (n > this.len) return null;
    this.len -= n;
    this.data += n;
    return this.data;
  }

  /** pskb_may_pull: all our data is linear, so it is a length check */
  mayPull(n: number): boolean {
    return n <= this.len;
  }

  /** skb_trim / pskb_trim: cut the data to n bytes */
  trim(n: number): void {
    if (n < this.len) {
      this.len = n;
      this.tail = this.data + n;
    }
  }

  /**
   * pskb_expand_head / skb_expand_head: a new, bigger buffer with the same data, when a layer
   * below needs more headroom than the skb has (e.g. a forwarded frame leaving on a device with
   * a longer link-layer header).
   */
  expandHead(nhead: number): void {
    const fresh = new Uint8Array(this.end + nhead);
    fresh.set(this.buf.subarray(0, this.end), nhead);
    this.buf = fresh;
    this.data += nhead;
    this.tail += nhead;
    this.end += nhead;
    if (this.mac_header >= 0) this.mac_header += nhead;
    if (this.network_header >= 0) this.network_header += nhead;
    if (this.transport_header >= 0) this.transport_header += nhead;
    this.gen++;
  }

  /** pskb_expand_head(skb, 0, ntail): a bigger buffer with ntail more bytes of tailroom. */
  expandTail(ntail: number): void {
    const fresh = new Uint8Array(this.end + ntail);
    fresh.set(this.buf.subarray(0, this.end));
    this.buf = fresh;
    this.end += ntail;
    this.gen++;
  }

  /**
   * skb_tailroom as the kernel sees it: the data area ends where kmalloc's slab object ends
   * (less struct skb_shared_info), not where the model's exact-size buffer ends; 0 once the
   * skb is nonlinear (a frag_list).
   */
  kernelTailroom(): number {
    if (this.shinfo?.frag_list.length) return 0;
    return Math.max(0, this.truesize() - SKBUFF_SIZE - SHINFO_SIZE - this.tail);
  }

  /**
   * skb->truesize: what the buffer really costs, charged against socket and fragment memory
   * limits — the kmalloc'd data area (with struct skb_shared_info, rounded up to the slab size)
   * plus struct sk_buff itself.
   */
  truesize(): number {
    const need = ((this.end + 63) & ~63) + SHINFO_SIZE;
    // kmalloc_reserve: a head that fits comes from skb_small_head_cache (see SKB_SMALL_HEAD_CACHE_SIZE)
    if (need <= SKB_SMALL_HEAD_CACHE_SIZE) return SKB_SMALL_HEAD_CACHE_SIZE + SKBUFF_SIZE;
    let slab = 64;
    for (const s of [64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]) {
      slab = s;
      if (s >= need) break;
    }
    if (need > 8192) slab = Math.ceil(need / 4096) * 4096;
    return slab + SKBUFF_SIZE;
  }

  /** The bytes for writing: callers that change bytes go through here so snapshots notice. */
  w(): Uint8Array {
    this.gen++;
    return this.buf;
  }

  resetMacHeader(): void {
    this.mac_header = this.data;
  }
  resetNetworkHeader(): void {
    this.network_header = this.data;
  }
  resetTransportHeader(): void {
    this.transport_header = this.data;
  }
  setTransportHeader(off: number): void {
    this.transport_header = this.data + off;
  }

  /** The current data area (a view, not a copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.data, this.tail);
  }

  /**
   * skb_clone-like copy for the model: its own buffer (the kernel shares the data; the model
   * copies because the clone may be changed independently, e.g. a TCP retransmit queue).
   */
  copy(pkt: number): SkBuff {
    const c = new SkBuff(this.end, pkt);
    c.buf.set(this.buf.subarray(0, this.end));
    c.data = this.data;
    c.tail = this.tail;
    c.len = this.len;
    c.protocol = this.protocol;
    c.pkt_type = this.pkt_type;
    c.dev = this.dev;
    c.skb_iif = this.skb_iif;
    c.mark = this.mark;
    c.priority = this.priority;
    c.mac_header = this.mac_header;
    c.network_header = this.network_header;
    c.transport_header = this.transport_header;
    c.ip_summed = this.ip_summed;
    c.csum_complete_sw = this.csum_complete_sw;
    c.csum_valid = this.csum_valid;
    c.dst = this.dst;
    c.dstDaddr = this.dstDaddr;
    // __copy_skb_header → __nf_copy: a clone holds a reference to the same conntrack entry, so
    // the clone of a broadcast (ip_mc_output) reaches POST_ROUTING's NAT and confirm with it
    c.nfct = this.nfct ? { ...this.nfct } : null;
    c.ignore_df = this.ignore_df;
    c.cb = structuredCloneCb(this.cb);
    c.gso_size = this.gso_size;
    c.gso_segs = this.gso_segs;
    c.dst_pending_confirm = this.dst_pending_confirm;
    c.shinfo = this.shinfo;
    return c;
  }
}

function structuredCloneCb(cb: SkbCb): SkbCb {
  return { ...cb, tcp: cb.tcp ? { ...cb.tcp } : undefined };
}

/**
 * What a fragment takes from the packet it is cut from, as ip_copy_metadata and
 * ip6_copy_metadata both copy it (v6.12 ip_output.c, ip6_output.c): its type, priority,
 * protocol, route, device, mark and conntrack entry (nf_copy). The control block goes along too
 * (the kernel copies it where it builds the fragment).
 */
export function copyFragMetadata(to: SkBuff, from: SkBuff): void {
  to.pkt_type = from.pkt_type;
  to.priority = from.priority;
  to.protocol = from.protocol;
  to.dst = from.dst;
  to.dstDaddr = from.dstDaddr;
  to.dev = from.dev;
  to.mark = from.mark;
  to.nfct = from.nfct;
  to.cb = { ...from.cb };
}

/**
 * alloc_skb with the headroom the path needs reserved, as sk_stream_alloc_skb / sock_alloc_send_skb
 * callers do with LL_RESERVED_SPACE + header lengths.
 */
export function allocSkb(headroom: number, payload: number, pkt: number): SkBuff {
  const skb = new SkBuff(headroom + payload, pkt);
  skb.reserve(headroom);
  return skb;
}
