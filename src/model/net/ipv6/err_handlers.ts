// inet6_protos[nexthdr]->err_handler (include/net/protocol.h, v6.12): what icmpv6_notify calls
// for the protocol of the datagram an ICMPv6 error quotes. The table lives in a module of its
// own, importing nothing, so that the protocols can register themselves whatever order the
// modules load in (icmp.ts and the transports import each other through ip6_input).
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';

/**
 * `off` is the quoted IPv6 header, `thoff` the quoted upper-layer header (after the extension
 * headers ipv6_skip_exthdr passed over); `info` is the ICMPv6 header's MTU / pointer field.
 */
export type Inet6ErrHandler = (net: Net, skb: SkBuff, off: number, type: number, code: number, info: number, thoff: number) => void;

export const inet6_err_handlers = new Map<number, Inet6ErrHandler>();
