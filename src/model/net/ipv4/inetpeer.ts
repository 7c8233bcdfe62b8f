// The long-lived per-address state of net/ipv4/inetpeer.c (v6.12): one inet_peer per remote
// address, holding the token bucket that icmpv4_xrlim_allow, icmpv6_xrlim_allow and ip_error
// draw from, and ip_rt_send_redirect's backoff. The kernel keeps all of it in jiffies: a token
// is one jiffy of waiting, so two packets within one jiffy earn nothing between them, and one
// just across a jiffy boundary earns a whole jiffy. Counting in milliseconds instead lets a
// limit pass or refuse a packet a few ms away from where the kernel does.

import { HZ } from '../../proc/sysctl';

export interface InetPeer {
  /** rate_tokens: jiffies of credit (an unsigned long in the kernel) */
  rateTokens: number;
  /** rate_last: the jiffy of the last refill, or of the last redirect sent */
  rateLast: number;
  /** n_redirects: redirects sent since the last silence (ip_rt_send_redirect) */
  nRedirects: number;
}

/**
 * inet_getpeer with create set: a new peer has no tokens and a rate_last a minute back (60 * HZ),
 * so that its first inet_peer_xrlim_allow finds the bucket full.
 */
export function inet_getpeer<K>(peers: Map<K, InetPeer>, key: K, now: number): InetPeer {
  let p = peers.get(key);
  if (!p) peers.set(key, (p = { rateTokens: 0, rateLast: now - 60 * HZ, nRedirects: 0 }));
  return p;
}

/** XRLIM_BURST_FACTOR: a peer's bucket holds six timeouts' worth */
const XRLIM_BURST_FACTOR = 6;

/**
 * inet_peer_xrlim_allow: refill the bucket with the jiffies since the last call, cap it at six
 * timeouts and take one timeout from it. The cap is an int product compared as unsigned long, so
 * a timeout above INT_MAX / 6 jiffies (about 99 days) overflows it to negative and the bucket is
 * left uncapped; the timeout itself is at least 0 (its sysctl refuses negative writes).
 */
export function inet_peer_xrlim_allow(peer: InetPeer, timeout: number, now: number): boolean {
  let token = peer.rateTokens + (now - peer.rateLast);
  peer.rateLast = now;
  const cap = Math.imul(XRLIM_BURST_FACTOR, timeout);
  if (cap >= 0 && token > cap) token = cap;
  let ok = false;
  if (token >= timeout) {
    token -= timeout;
    ok = true;
  }
  peer.rateTokens = token;
  return ok;
}
