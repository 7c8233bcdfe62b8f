// ipv6_find_hdr with a target header (net/ipv6/exthdrs_core.c, v6.12), as the ip6t_* matches
// call it: walk the extension headers from the fixed header until the one asked for. Reaching
// an upper-layer protocol (or "no next header") first is -ENOENT, and so is a later fragment's
// header before the target (what follows it is not in this packet); a header that runs past
// the packet is -EBADMSG, which the matches turn into hotdrop.
import { IPV6_HLEN, NEXTHDR_AUTH, NEXTHDR_DEST, NEXTHDR_FRAGMENT, NEXTHDR_HOP, NEXTHDR_NONE, NEXTHDR_ROUTING } from '../../proto/ipv6';
import { rd16 } from '../../proto/addr';

export const ENOENT = -2;
export const EBADMSG = -74;

/** ipv6_ext_hdr: the next-header values that are extension headers (NEXTHDR_NONE counts). */
export function ipv6_ext_hdr(nexthdr: number): boolean {
  return nexthdr === NEXTHDR_HOP || nexthdr === NEXTHDR_ROUTING || nexthdr === NEXTHDR_FRAGMENT || nexthdr === NEXTHDR_AUTH || nexthdr === NEXTHDR_NONE || nexthdr === NEXTHDR_DEST;
}

/**
 * ipv6_find_hdr(skb, &offset, target, NULL, NULL) for a target extension header: the offset of
 * the first header of that type in b[nh..tail), or ENOENT / EBADMSG.
 */
export function ipv6_find_hdr(b: Uint8Array, nh: number, tail: number, target: number): { off: number } | { err: number } {
  let start = nh + IPV6_HLEN;
  let nexthdr = b[nh + 6];
  for (;;) {
    const found = nexthdr === target;
    if (!ipv6_ext_hdr(nexthdr) || nexthdr === NEXTHDR_NONE) return found ? { off: start } : { err: ENOENT };
    if (start + 2 > tail) return { err: EBADMSG };
    let hdrlen: number;
    if (nexthdr === NEXTHDR_FRAGMENT) {
      if (start + 4 > tail) return { err: EBADMSG };
      if (rd16(b, start + 2) & ~0x7 & 0xffff) {
        // a later fragment: only its own fragment header can be what is asked for
        return found ? { off: start } : { err: ENOENT };
      }
      hdrlen = 8;
    } else if (nexthdr === NEXTHDR_AUTH) hdrlen = (b[start + 1] + 2) << 2;
    else hdrlen = (b[start + 1] + 1) << 3;
    if (found) return { off: start };
    if (tail - start < hdrlen) return { err: EBADMSG };
    nexthdr = b[start];
    start += hdrlen;
  }
}

/**
 * ipv6_skip_exthdr from `start` (the byte after the fixed header) with the fixed header's next
 * header: the offset of the upper-layer header and its protocol, or null (-1) for NEXTHDR_NONE or
 * a header cut short. A Fragment header with a non-zero offset ends the walk: such a fragment
 * carries no upper-layer header. The first fragment's header is passed over like any other.
 */
export function ipv6_skip_exthdr(b: Uint8Array, start: number, tail: number, nexthdr: number): { off: number; nexthdr: number } | null {
  while (ipv6_ext_hdr(nexthdr)) {
    if (nexthdr === NEXTHDR_NONE || tail - start < 8) return null;
    let hdrlen: number;
    if (nexthdr === NEXTHDR_FRAGMENT) {
      if (rd16(b, start + 2) & ~7 & 0xffff) break;
      hdrlen = 8;
    } else if (nexthdr === NEXTHDR_AUTH) hdrlen = (b[start + 1] + 2) << 2;
    else hdrlen = (b[start + 1] + 1) << 3;
    nexthdr = b[start];
    start += hdrlen;
  }
  return { off: start, nexthdr };
}
