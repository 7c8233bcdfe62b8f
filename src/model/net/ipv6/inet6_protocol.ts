// net/ipv6/protocol.c (v6.12): the err_handler half of inet6_protos, in a module of its own with
// no imports of the IPv6 path, so a protocol can register itself however the modules load.
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';

/** inet6_protos[nexthdr]->err_handler of the protocols above ICMPv6 (tcp_v6_err registers itself: tcp_ipv6.ts) */
export const inet6_err_handlers = new Map<number, (net: Net, skb: SkBuff, off: number, type: number, code: number, info: number) => void>();
