// IPv4 addresses as unsigned 32-bit numbers, MAC addresses as "aa:bb:cc:dd:ee:ff" strings.

export function ipToNum(s: string): number {
  const p = s.split('.');
  if (p.length !== 4) throw new Error(`not an IPv4 address: ${s}`);
  let n = 0;
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x) || Number(x) > 255) throw new Error(`not an IPv4 address: ${s}`);
    n = n * 256 + Number(x);
  }
  return n >>> 0;
}

export function numToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function prefixMask(plen: number): number {
  return plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
}

export function inPrefix(addr: number, net: number, plen: number): boolean {
  const m = prefixMask(plen);
  return ((addr & m) >>> 0) === ((net & m) >>> 0);
}

export const isMulticast = (a: number): boolean => (a >>> 28) === 0xe;
export const isLbcast = (a: number): boolean => a === 0xffffffff;
export const isZeronet = (a: number): boolean => (a >>> 24) === 0;
export const isLoopback = (a: number): boolean => (a >>> 24) === 127;

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';

/**
 * A run meets few MAC addresses and writes and reads them in every Ethernet header, so each text
 * and each byte pattern is converted once and kept (up to MAC_CACHE of each: a capture of many
 * addresses starts the cache over rather than growing it). Deterministic either way.
 */
const MAC_CACHE = 4096;
const macBytes = new Map<string, readonly number[]>();
const macTexts = new Map<number, string>();
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The six bytes of "aa:bb:…"; shared and frozen: copy them (Uint8Array.set) to use them. */
export function macToBytes(mac: string): readonly number[] {
  // the last few asked for, compared first as the same string object (a device's or a
  // neighbour's own text): a frame's header names the same two or three every hop, and the Map
  // hashes the text each time
  for (let i = 0; i < RECENT; i++) if (recentMacs[i] === mac) return recentBytes[i];
  const b = macBytesOf(mac);
  recentMacs[recentAt] = mac;
  recentBytes[recentAt] = b;
  recentAt = (recentAt + 1) & (RECENT - 1);
  return b;
}

const RECENT = 4;
// no MAC text is empty of its own: '\0' marks a slot never filled
const recentMacs: string[] = ['\0', '\0', '\0', '\0'];
const recentBytes: (readonly number[])[] = [[], [], [], []];
let recentAt = 0;

function macBytesOf(mac: string): readonly number[] {
  let b = macBytes.get(mac);
  if (b === undefined) {
    if (macBytes.size >= MAC_CACHE) macBytes.clear();
    b = Object.freeze(mac.split(':').map((h) => parseInt(h, 16)));
    macBytes.set(mac, b);
  }
  return b;
}

export function bytesToMac(b: Uint8Array, off: number): string {
  if (off < 0 || off + 6 > b.length) return slowBytesToMac(b, off);
  // the 48 bits as one exact number (below 2^53), the cache's key
  const key = (b[off] * 0x10000 + ((b[off + 1] << 8) | b[off + 2])) * 0x1000000 + ((b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]);
  let mac = macTexts.get(key);
  if (mac === undefined) {
    if (macTexts.size >= MAC_CACHE) macTexts.clear();
    mac = `${HEX2[b[off]]}:${HEX2[b[off + 1]]}:${HEX2[b[off + 2]]}:${HEX2[b[off + 3]]}:${HEX2[b[off + 4]]}:${HEX2[b[off + 5]]}`;
    macTexts.set(key, mac);
  }
  return mac;
}

/** Past the buffer's end: as before the cache (a missing byte throws). */
function slowBytesToMac(b: Uint8Array, off: number): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(b[off + i].toString(16).padStart(2, '0'));
  return out.join(':');
}

export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

export function rd16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
export function rd32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
export function wr16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 255;
  b[o + 1] = v & 255;
}
export function wr32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 255;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}

/** FNV-1a: deterministic MAC addresses derived from host and interface names. */
export function deriveMac(host: string, ifname: string): string {
  let h = 0x811c9dc5;
  for (const ch of `${host}/${ifname}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let h2 = 0x12345;
  for (const ch of `${ifname}@${host}`) {
    h2 = (Math.imul(h2, 31) + ch.charCodeAt(0)) >>> 0;
  }
  // 02:… is a locally administered unicast address, as veth's random MACs are.
  const b = [0x02, (h >>> 24) & 255, (h >>> 16) & 255, (h >>> 8) & 255, h & 255, h2 & 255];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}
