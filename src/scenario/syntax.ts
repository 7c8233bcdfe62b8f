// Lexical checks shared by setup lines, links, listen and traffic. Each returns a message on
// failure so that the caller decides which word (or part of a word) the error points at.
import { Diag, q, subTok } from './diag';
import { Prefix, Tok } from './types';
import { parseIpv6 } from '../trace/ipv6';

export type Checked<T> = { ok: true; value: T } | { ok: false; why: string };

/** Strict dotted quad: inet_aton would read `010` as octal, so leading zeros are refused. */
export function ipv4(text: string): Checked<number> {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p))) {
    return { ok: false, why: `${q(text)} is not an IPv4 address (expected a dotted quad like 10.0.0.1)` };
  }
  if (parts.some((p) => p.length > 1 && p[0] === '0')) {
    return { ok: false, why: `${q(text)}: leading zeros are ambiguous (octal to inet_aton); write the plain number` };
  }
  const n = parts.map(Number);
  const bad = n.find((x) => x > 255);
  if (bad !== undefined) return { ok: false, why: `${q(text)}: ${bad} is not a byte (0..255)` };
  return { ok: true, value: ((n[0] << 24) | (n[1] << 16) | (n[2] << 8) | n[3]) >>> 0 };
}

export function dottedQuad(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function mask(plen: number): number {
  return plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
}

/** A decimal number (or 0x… hex when `hex`) in [min, max]. */
export function uint(text: string, min: number, max: number, hex = false): Checked<number> {
  const re = hex ? /^(?:\d+|0x[0-9a-f]+)$/i : /^\d+$/;
  if (!re.test(text)) return { ok: false, why: `${q(text)} is not a number` };
  // iproute2 reads its numbers with strtoul base 0, so `010` is 8 to `ip`; rather than guess which
  // the writer meant, a leading zero is refused (as in a dotted quad)
  if (/^0\d/.test(text)) return { ok: false, why: `${q(text)}: a leading zero is ambiguous (octal to iproute2, ${octal(text)}); write the plain number` };
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    return { ok: false, why: `${q(text)} is out of range (${min}..${max})` };
  }
  return { ok: true, value: v };
}

function octal(text: string): string {
  return /^[0-7]+$/.test(text) ? `${text} is ${parseInt(text, 8)}` : `${text} is not a number`;
}

/** 6 bytes, each one or two hex digits, `:`-separated (as iproute2's ll_addr_a2n reads them); lower case. */
export function mac(text: string): Checked<string> {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{1,2}$/i.test(p))) {
    return { ok: false, why: `${q(text)} is not a MAC address (expected 6 hex bytes like 02:00:00:00:00:01)` };
  }
  return { ok: true, value: parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':') };
}

/** dev_valid_name(): 1..15 bytes (IFNAMSIZ 16 with the NUL), not `.`/`..`, no `/`, `:` or blanks. */
export function ifname(text: string): string | undefined {
  if (text.length === 0) return 'an interface name cannot be empty';
  if (Buffer.byteLength(text) > 15) return `interface name ${q(text)} is longer than 15 bytes (IFNAMSIZ)`;
  if (text === '.' || text === '..') return `${q(text)} is not a valid interface name`;
  if (/[/:\s]/.test(text)) return `interface name ${q(text)} contains '/', ':' or a blank`;
  return undefined;
}

/** A host becomes a network namespace (`ip netns add NAME`) and is written HOST:IF: keep it simple. */
export function hostname(text: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(text)) {
    return `${q(text)} is not a valid host name (a letter or _, then up to 31 letters, digits, '_', '.', '-')`;
  }
  return undefined;
}

// Tok-level helpers: report at the right column, return undefined on error.

export function tokIpv4(t: Tok, d: Diag): string | undefined {
  const r = ipv4(t.text);
  if (!r.ok) return void d.error(t, r.why);
  return t.text;
}

export function tokUint(t: Tok, d: Diag, min: number, max: number, what: string, hex = false): number | undefined {
  const r = uint(t.text, min, max, hex);
  if (!r.ok) return void d.error(t, `${what}: ${r.why}`);
  return r.value;
}

export function tokMac(t: Tok, d: Diag): string | undefined {
  const r = mac(t.text);
  if (!r.ok) return void d.error(t, r.why);
  return r.value;
}

/** ADDR/PLEN; without /PLEN the prefix is a host (/32). `hostBits` false: refuse 10.0.0.1/8. */
export function tokPrefix(t: Tok, d: Diag, hostBits: boolean): Prefix | undefined {
  const slash = t.text.indexOf('/');
  const addrTok = slash < 0 ? t : subTok(t, 0, slash);
  const a = ipv4(addrTok.text);
  if (!a.ok) return void d.error(addrTok, a.why);
  let plen = 32;
  if (slash >= 0) {
    const p = tokUint(subTok(t, slash + 1), d, 0, 32, 'prefix length');
    if (p === undefined) return undefined;
    plen = p;
  }
  if (!hostBits && (a.value & ~mask(plen)) !== 0) {
    return void d.error(t, `${q(t.text)}: invalid prefix for given prefix length (host bits set; the network is ${dottedQuad(a.value & mask(plen))}/${plen})`);
  }
  return { addr: addrTok.text, plen };
}

/** ADDR:PORT (or :PORT / PORT when `addrOptional`); ports 1..65535. */
/** `[IPV6]:PORT` (the brackets keep the address's colons apart from the port's); `[::]` is the unspecified address. */
export function tokAddrPort6(t: Tok, d: Diag): { addr: Tok; port: number } | undefined {
  const close = t.text.indexOf(']');
  if (!t.text.startsWith('[') || close < 0 || t.text[close + 1] !== ':') return void d.error(t, `${q(t.text)}: expected [IPV6]:PORT`);
  const addr = subTok(t, 1, close);
  if (!parseIpv6(addr.text)) return void d.error(addr, `${q(addr.text)} is not an IPv6 address`);
  const port = tokUint(subTok(t, close + 2), d, 1, 65535, 'port');
  if (port === undefined) return undefined;
  return { addr, port };
}

export function tokAddrPort(t: Tok, d: Diag, addrOptional: boolean): { addr?: Tok; port: number } | undefined {
  const colon = t.text.lastIndexOf(':');
  if (colon < 0 && !addrOptional) return void d.error(t, `${q(t.text)}: expected ADDR:PORT`);
  const addr = colon > 0 ? subTok(t, 0, colon) : undefined;
  if (addr && tokIpv4(addr, d) === undefined) return undefined;
  if (!addr && colon === 0 && !addrOptional) return void d.error(t, `${q(t.text)}: expected ADDR:PORT, the address is missing`);
  const port = tokUint(subTok(t, colon + 1), d, 1, 65535, 'port');
  if (port === undefined) return undefined;
  return { addr, port };
}
