// Addresses as libxtables reads them for an extension's option: ADDR[/LEN|/MASK], one address.
import { ipv4Of, contiguousMaskLen, prefixLenOf } from '../values';
import { prefixMask } from '../../../model/proto/addr';
import type { Tok } from '../../types';
import { fail, q } from './types';

export function addrMask(t: Tok, s = t.text): { addr: number; mask: number } {
  const [a, l] = s.split('/');
  const addr = ipv4Of(a);
  if (addr === undefined) fail(t, `host/network ${q(a)} not found (the model takes IPv4 addresses, not names)`);
  if (l === undefined) return { addr, mask: 0xffffffff };
  const plen = prefixLenOf(l);
  if (plen !== undefined) return { addr: (addr & prefixMask(plen)) >>> 0, mask: prefixMask(plen) >>> 0 };
  const m = ipv4Of(l);
  if (m === undefined || contiguousMaskLen(l) === undefined) fail(t, `invalid mask ${q(l)} specified`);
  return { addr: (addr & m) >>> 0, mask: m };
}
