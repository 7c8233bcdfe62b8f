// inet_confirm_addr (net/ipv4/devinet.c, v6.12): the address test arp_ignore and arp_accept use.
import type { Net } from '../net_namespace';
import type { InIfaddr, NetDevice } from '../core/netdevice';
import { inPrefix } from '../../proto/addr';

/** rt_scope_t: a smaller value reaches further */
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
const SCOPE: Record<InIfaddr['scope'], number> = { global: RT_SCOPE_UNIVERSE, link: RT_SCOPE_LINK, host: RT_SCOPE_HOST };

/**
 * inet_confirm_addr: an address of `dev` (of any device when null) that is `local` (any when
 * 0) with a scope no narrower than `scope`, provided one subnet of that device holds both
 * `local` and `dst` (each when given); 0 when there is none. With route_localnet a host-scope
 * address (127.x) counts as link scope.
 */
export function inet_confirm_addr(net: Net, dev: NetDevice | null, dst: number, local: number, scope: number): number {
  if (dev) return confirm_addr_indev(net, dev, dst, local, scope);
  for (const d of net.devices.values()) {
    const addr = confirm_addr_indev(net, d, dst, local, scope);
    if (addr) return addr;
  }
  return 0;
}

/**
 * One device's addresses in their order: `addr` is the first that qualifies as the answer,
 * `same` says a subnet holding `local` and `dst` was seen. When only `dst` is given, the answer
 * must be in that subnet, or be the subnet's own address if its scope qualifies; otherwise the
 * search goes on for a wider subnet.
 */
function confirm_addr_indev(net: Net, dev: NetDevice, dst: number, local: number, scope: number): number {
  const localnetScope = net.devOrconf(dev, 'route_localnet') ? RT_SCOPE_LINK : RT_SCOPE_HOST;
  const holds = (a: number, ifa: InIfaddr): boolean => inPrefix(a, ifa.local, ifa.plen);
  let addr = 0;
  let same = false;
  for (const ifa of dev.addrs) {
    const minScope = Math.min(SCOPE[ifa.scope], localnetScope);
    if (!addr && (!local || local === ifa.local) && minScope <= scope) {
      addr = ifa.local;
      if (same) break;
    }
    if (same) continue;
    same = (!local || holds(local, ifa)) && (!dst || holds(dst, ifa));
    if (!same || !addr) continue;
    if (local || !dst || holds(addr, ifa)) break;
    if (minScope <= scope) {
      addr = ifa.local;
      break;
    }
    same = false;
  }
  return same ? addr : 0;
}
