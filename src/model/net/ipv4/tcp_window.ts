// The receive window of an established connection after data arrived (Linux v6.12):
// tcp_init_buffer_space (net/ipv4/tcp_input.c) at the end of the handshake, tcp_measure_rcv_mss
// and tcp_grow_window for each in-order segment (tcp_event_data_recv), and __tcp_select_window
// / tcp_select_window (net/ipv4/tcp_output.c) for the window the next ACK offers. The memory
// each received sk_buff costs (its truesize, measured against sk_rcvbuf with scaling_ratio) is
// what moves the window: a segment tcp_sendmsg built keeps its payload in page fragments behind
// a head of TCP_SKB_HEAD_TRUESIZE, and a veth hands that same sk_buff to the receiver.

/** TCP_RMEM_TO_WIN_SCALE */
const RMEM_TO_WIN_SCALE = 8;
/** TCP_DEFAULT_SCALING_RATIO (v6.12): half of the buffer is payload until a segment is measured */
const DEFAULT_SCALING_RATIO = 1 << (RMEM_TO_WIN_SCALE - 1);
/** TCP_MSS_DEFAULT and TCP_MIN_MSS (include/net/tcp.h) */
const TCP_MSS_DEFAULT = 536;
const TCP_MIN_MSS = 88;
/**
 * SKB_TRUESIZE of the head tcp_stream_alloc_skb allocates, on x86_64: the truesize of a
 * tcp_sendmsg sk_buff is this plus the bytes copied into its page fragments. In v6.12
 * alloc_skb_fclone(MAX_TCP_HEADER) takes its head from skb_small_head_cache (kmalloc_reserve,
 * net/core/skbuff.c: SKB_HEAD_ALIGN(MAX_TCP_HEADER) fits SKB_SMALL_HEAD_CACHE_SIZE), not from
 * kmalloc-1024. That cache's size is SKB_HEAD_ALIGN(max(MAX_TCP_HEADER, GRO_MAX_HEAD_PAD)), and
 * so depends on MAX_HEADER, a build option: the kernel the harness replays on has neither
 * CONFIG_WLAN nor HYPERV_NET nor a tunnel (IPIP, GRE, SIT, IPv6 tunnel), so LL_MAX_HEADER and
 * MAX_HEADER are 32, GRO_MAX_HEAD_PAD is 32 + 128 + NET_SKB_PAD 64 = 224, the cache object 256 +
 * 320 (skb_shared_info) = 576 bytes, skb_end_offset 256, and SKB_TRUESIZE(256) = 256 + 256
 * (struct sk_buff, cache-aligned) + 320 = 832. (With Debian's config, MAX_HEADER 176, it is 960.)
 * A 1000-byte segment (ratio 1000·256/1832 = 139) then raises scaling_ratio above the default
 * 128 (gen-990014-7); 1280 lowered it to 112.
 */
export const TCP_SKB_HEAD_TRUESIZE = 832;

/** The receive-side state of a socket that these functions keep. */
export interface RcvSpace {
  rcvbuf: number;
  /** tcp_rmem[2]: what tcp_grow_window measures a segment's overhead against */
  rmemMax: number;
  scalingRatio: number;
  advmss: number;
  windowClamp: number;
  rcvSsthresh: number;
  /** icsk_ack.rcv_mss: the peer's MSS as the receiver guesses it */
  rcvMss: number;
  /** sk_rmem_alloc: what the queued segments cost (the application reads after the traffic) */
  rmemAlloc: number;
  wscale: number;
  /**
   * rcv_ssthresh and rcv_wnd as a kernel that sets the measured window_clamp through
   * tcp_set_window_clamp (mainline f5da7c45188e, v6.14) keeps them: that raises rcv_ssthresh to
   * min(rcv_wnd, window_clamp) when the clamp grows. 0e125ecfe20c "tcp: do not change
   * rcv_ssthresh in tcp_measure_rcv_mss()" (mainline and stable, September 2026; in 6.12.104, so
   * in the 6.12.117 tree the model follows) went back to a plain write; a 6.14+ stable kernel
   * built before it (6.18.44) still raises it. Kept only to say what such a kernel offers
   * (the harness's version exception); the model's own window uses rcvSsthresh.
   */
  alt?: { rcvSsthresh: number; rcvWnd: number };
}

const winFromSpace = (r: RcvSpace, space: number): number => Math.floor((space * r.scalingRatio) / 256);
const tcpSpace = (r: RcvSpace): number => winFromSpace(r, r.rcvbuf - r.rmemAlloc);
const fullSpace = (r: RcvSpace): number => winFromSpace(r, r.rcvbuf);
const align = (v: number, unit: number): number => Math.ceil(v / unit) * unit;

/**
 * The state tcp_init_transfer → tcp_init_buffer_space leaves: window_clamp from
 * tcp_select_initial_window (65535 << rcv_wscale) cut to the full space less one segment
 * (tcp_app_win's reservation), rcv_ssthresh the initial window no more than that, and
 * tcp_initialize_rcv_mss's guess of the peer's MSS (at most TCP_MSS_DEFAULT).
 */
export function tcp_init_buffer_space(o: { rcvbuf: number; rmemMax: number; advmss: number; rcvWnd: number; wscale: number; mssCache: number }): RcvSpace {
  const r: RcvSpace = { rcvbuf: o.rcvbuf, rmemMax: o.rmemMax, scalingRatio: DEFAULT_SCALING_RATIO, advmss: o.advmss, windowClamp: 65535 * 2 ** o.wscale, rcvSsthresh: o.rcvWnd, rcvMss: 0, rmemAlloc: 0, wscale: o.wscale };
  const maxwin = fullSpace(r);
  // tcp_app_win is 31: maxwin >> 31 is 0, so the first cut is to maxwin itself
  if (r.windowClamp >= maxwin) r.windowClamp = maxwin;
  if (r.windowClamp > 2 * r.advmss && r.windowClamp + r.advmss > maxwin) r.windowClamp = Math.max(2 * r.advmss, maxwin - r.advmss);
  r.rcvSsthresh = Math.min(r.rcvSsthresh, r.windowClamp);
  r.rcvMss = Math.max(Math.min(o.advmss, o.mssCache, Math.floor(o.rcvWnd / 2), TCP_MSS_DEFAULT), TCP_MIN_MSS);
  return r;
}

/**
 * tcp_queue_rcv's charge, then tcp_event_data_recv: tcp_measure_rcv_mss (a segment of a new
 * size re-measures scaling_ratio from len/truesize, which sets window_clamp to the buffer's
 * window in v6.12) and, for 128 bytes or more, tcp_grow_window (rcv_ssthresh grows by at least
 * twice the segment while the buffer can back it). `gsoSize` is the segment size of a GSO
 * sk_buff (0 for one segment); `truesize` what the sk_buff costs.
 */
export function tcp_event_data_recv(r: RcvSpace, len: number, gsoSize: number, truesize: number, rcvWnd?: number): void {
  r.rmemAlloc += truesize;
  if (rcvWnd !== undefined) r.alt ??= { rcvSsthresh: r.rcvSsthresh, rcvWnd };
  const seg = gsoSize || len;
  if (seg >= r.rcvMss) {
    if (seg !== r.rcvMss) {
      const ratio = Math.floor((len * 256) / truesize) || 1;
      if (ratio !== r.scalingRatio) {
        const oldClamp = r.windowClamp;
        r.scalingRatio = ratio;
        r.windowClamp = fullSpace(r);
        // tcp_set_window_clamp (the variant kernel): raise on growth, cut on shrink
        if (r.alt && r.windowClamp > oldClamp) r.alt.rcvSsthresh = Math.max(Math.min(r.alt.rcvWnd, r.windowClamp), r.alt.rcvSsthresh);
        else if (r.alt && r.windowClamp < oldClamp) r.alt.rcvSsthresh = Math.min(r.alt.rcvSsthresh, r.windowClamp);
      }
    }
    r.rcvMss = Math.min(seg, r.advmss);
  }
  if (len < 128) return;
  r.rcvSsthresh = tcp_grow_window(r, r.rcvSsthresh, len, truesize);
  if (r.alt) r.alt.rcvSsthresh = tcp_grow_window(r, r.alt.rcvSsthresh, len, truesize);
}

/** tcp_grow_window: the rcv_ssthresh after an in-order segment of `len` bytes costing `truesize`. */
function tcp_grow_window(r: RcvSpace, ssthresh: number, len: number, truesize: number): number {
  const room = Math.min(r.windowClamp, tcpSpace(r)) - ssthresh;
  if (room <= 0) return ssthresh;
  // truesize_adjust: the payload is all in fragments (skb_headlen 0), so the head does not count
  const adjusted = truesize - TCP_SKB_HEAD_TRUESIZE >= len ? truesize - TCP_SKB_HEAD_TRUESIZE : truesize;
  let incr = 0;
  if (winFromSpace(r, adjusted) <= len) incr = 2 * r.advmss;
  else {
    // __tcp_grow_window: halve both until the overhead fits, while rcv_ssthresh is below the window
    let ts = winFromSpace(r, adjusted) >> 1;
    let win = winFromSpace(r, r.rmemMax) >> 1;
    while (ssthresh <= win) {
      if (ts <= len) {
        incr = 2 * r.rcvMss;
        break;
      }
      ts >>= 1;
      win >>= 1;
    }
  }
  return incr ? ssthresh + Math.min(room, Math.max(incr, 2 * len)) : ssthresh;
}

/**
 * __tcp_select_window then tcp_select_window's rule that a window never shrinks: the free space
 * (no more than rcv_ssthresh), aligned to the scale unit (with window scaling) or kept / rounded
 * down to a multiple of rcv_mss (without); never less than what is still open of the last
 * window (cur_win). Returns the new rcv_wnd in bytes (before the 16-bit field's cap).
 */
export function tcp_select_window_bytes(r: RcvSpace, rcvWnd: number, curWin: number, rcvSsthresh = r.rcvSsthresh): number {
  let mss = r.rcvMss;
  let free = tcpSpace(r);
  const allowed = fullSpace(r);
  const full = Math.min(r.windowClamp, allowed);
  const unit = 2 ** r.wscale;
  let win: number;
  if (mss > full) mss = full;
  if (mss <= 0) win = 0;
  else {
    let zero = false;
    if (free < full >> 1) {
      free = Math.floor(free / unit) * unit;
      zero = free < allowed >> 4 || free < mss;
    }
    if (zero) win = 0;
    else {
      if (free > rcvSsthresh) free = rcvSsthresh;
      if (r.wscale) win = align(free, unit);
      else {
        win = rcvWnd;
        if (win <= free - mss || win > free) win = Math.floor(free / mss) * mss;
        else if (mss === full && free > win + (full >> 1)) win = free;
      }
    }
  }
  if (win < curWin) win = align(curWin, unit);
  return win;
}
