// Numbers, ports, IPv4 addresses and prefixes as both rule languages write them. nft and
// iptables agree on what a value is (0x hex or decimal, a service name or a port number, a
// dotted quad) and differ in how they say it is wrong, so these return undefined and each
// parser words its own error.
import { ipToNum, prefixMask } from '../../model/proto/addr';
import { SERVICE_PORTS } from './services';

export type Range = [number, number];

/**
 * Service names as Debian's /etc/services spells them (services.ts), where nft and iptables look
 * them up. A scenario must not depend on the machine that runs it, so the table is built in rather
 * than read.
 */
export const SERVICES: Record<string, number> = SERVICE_PORTS;

/** A number written in decimal or 0x hex; undefined for anything else. */
export function numberOf(s: string): number | undefined {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

/** A port: a known service name or a number up to 65535. */
export function portOf(s: string): number | undefined {
  if (Object.hasOwn(SERVICES, s)) return SERVICES[s];
  if (!/^\d+$/.test(s) || Number(s) > 65535) return undefined;
  return Number(s);
}

/** A dotted-quad IPv4 address as a number; undefined if it is not one. */
export function ipv4Of(s: string): number | undefined {
  try {
    return ipToNum(s);
  } catch {
    return undefined;
  }
}

/** A prefix length written as a number (0..32); undefined otherwise. */
export function prefixLenOf(s: string): number | undefined {
  return /^\d+$/.test(s) && Number(s) <= 32 ? Number(s) : undefined;
}

/** A dotted mask as a prefix length when its ones are contiguous; undefined otherwise. */
export function contiguousMaskLen(s: string): number | undefined {
  const m = ipv4Of(s);
  if (m === undefined) return undefined;
  const inv = ~m >>> 0;
  if ((inv & (inv + 1)) !== 0) return undefined;
  return 32 - Math.log2(inv + 1);
}

/** The addresses a prefix covers. */
export function prefixRange(base: number, plen: number): Range {
  const m = prefixMask(plen);
  const lo = (base & m) >>> 0;
  return [lo, (lo | ~m) >>> 0];
}
