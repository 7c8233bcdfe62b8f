// An address of either family, for code both families share (the kernel's union nf_inet_addr
// and struct in6_addr). IPv4 code keeps its u32 `number` (__be32); only shared code takes this.
import { formatIpv6, parseIpv6 } from '../../trace/ipv6';
import { numToIp } from './addr';

export type InetAddr = { family: 'ipv4'; v4: number } | { family: 'ipv6'; v6: Uint8Array };

export const inet4 = (v4: number): InetAddr => ({ family: 'ipv4', v4: v4 >>> 0 });
export const inet6 = (v6: Uint8Array): InetAddr => ({ family: 'ipv6', v6 });

export function inetAddrEqual(a: InetAddr, b: InetAddr): boolean {
  if (a.family === 'ipv4') return b.family === 'ipv4' && a.v4 === b.v4;
  return b.family === 'ipv6' && ipv6AddrEqual(a.v6, b.v6);
}

/** ipv6_addr_equal */
export function ipv6AddrEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ipv6_prefix_equal: the first plen bits agree */
export function ipv6PrefixEqual(a: Uint8Array, b: Uint8Array, plen: number): boolean {
  const whole = plen >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const bits = plen & 7;
  if (!bits) return true;
  const m = (0xff << (8 - bits)) & 0xff;
  return (a[whole] & m) === (b[whole] & m);
}

export function inetAddrInPrefix(a: InetAddr, net: InetAddr, plen: number): boolean {
  if (a.family === 'ipv4') {
    if (net.family !== 'ipv4') return false;
    const m = plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
    return ((a.v4 & m) >>> 0) === ((net.v4 & m) >>> 0);
  }
  return net.family === 'ipv6' && ipv6PrefixEqual(a.v6, net.v6, plen);
}

export function formatInetAddr(a: InetAddr): string {
  return a.family === 'ipv4' ? numToIp(a.v4) : formatIpv6(a.v6);
}

/** A textual address of either family (an IPv6 one has a colon), or undefined. */
export function parseInetAddr(text: string): InetAddr | undefined {
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    return v6 ? inet6(v6) : undefined;
  }
  const p = text.split('.');
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
  return inet4(p.reduce((n, x) => n * 256 + Number(x), 0));
}
