// The address IPv6's redirect binds to (net/netfilter/nf_nat_redirect.c, v6.12:
// nf_nat_redirect_ipv6 and nf_nat_redirect_ipv6_usable). A packet this host sends (LOCAL_OUT) is
// redirected to ::1; a received one to the first usable address in the input device's
// inet6_dev->addr_list. "Usable": not v4-mapped, not tentative (the model's addresses never
// are: `nodad`, or a link-local address whose DAD the harness waits out), and, when the
// destination has a scope bit in ipv6_addr_scope's mask (loopback, link-local, site-local), an
// address of that scope; a global destination has none, so any address will do.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { NfHookName } from '../../../trace/contract';
import type { Inet6Ifaddr } from '../ipv6/ipv6_state';
import { devAddrs6 } from '../ipv6/addrconf';
import { isV6LinkLocal, isV6Loopback, isV6Multicast } from '../../proto/ipv6';
import { parseIpv6 } from '../../../trace/ipv6';

const LOOPBACK = parseIpv6('::1')!;

/** ipv6_addr_type's scope bits under IPV6_ADDR_SCOPE_MASK (0x00f0): loopback 0x10, link-local 0x20, site-local 0x40. */
function scopeBits(a: Uint8Array): number {
  if (isV6Multicast(a)) return 0;
  if (isV6Loopback(a)) return 0x10;
  if (isV6LinkLocal(a)) return 0x20;
  if (a[0] === 0xfe && (a[1] & 0xc0) === 0xc0) return 0x40;
  return 0;
}

/** ipv6_addr_src_scope: the order ipv6_link_dev_addr keeps addr_list in. */
function srcScope(a: Uint8Array): number {
  if (isV6Loopback(a)) return 0x1;
  if (isV6LinkLocal(a)) return 0x2;
  if (a[0] === 0xfe && (a[1] & 0xc0) === 0xc0) return 0x5;
  return 0xe;
}

const isMapped = (a: Uint8Array): boolean => a.subarray(0, 10).every((b) => b === 0) && a[10] === 0xff && a[11] === 0xff;

/**
 * inet6_dev->addr_list as the kernel keeps it: ipv6_link_dev_addr inserts an address before the
 * first one of the same or a smaller scope, so wider scopes come first and, within a scope, the
 * address added last. The model's list is in the order of adding.
 */
export function addrList6(net: Net, dev: NetDevice): Inet6Ifaddr[] {
  return devAddrs6(net, dev)
    .map((a, i) => ({ a, i }))
    .sort((x, y) => srcScope(y.a.addr) - srcScope(x.a.addr) || y.i - x.i)
    .map((x) => x.a);
}

/** The new destination of nf_nat_redirect_ipv6, or null where it returns NF_DROP. */
export function nf_nat_redirect_ipv6_addr(net: Net, hook: NfHookName, indev: NetDevice | null, daddr: Uint8Array): Uint8Array | null {
  if (hook === 'NF_INET_LOCAL_OUT') return LOOPBACK;
  if (!indev) return null;
  const scope = scopeBits(daddr);
  const ifa = addrList6(net, indev).find((f) => !isMapped(f.addr) && (!scope || (scope & scopeBits(f.addr)) !== 0));
  return ifa ? ifa.addr : null;
}
