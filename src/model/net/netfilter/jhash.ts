// Bob Jenkins' lookup3 hash as include/linux/jhash.h (v6.12) has it: nft_jhash hashes its
// registers with it, and nf_nat_core's find_best_ips_proto the addresses of a tuple (jhash2 over
// four u32 words is the same as jhash over their 16 bytes); reciprocal_scale (include/linux/
// kernel.h) scales a hash into a range.
const rol = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** jhash over bytes (u32 words read little-endian, as on x86). */
export function jhash(k: readonly number[], initval: number): number {
  let length = k.length;
  let a = (0xdeadbeef + length + initval) >>> 0;
  let b = a;
  let c = a;
  const mix = (): void => {
    a = (a - c) >>> 0; a = (a ^ rol(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol(b, 4)) >>> 0; b = (b + a) >>> 0;
  };
  const final = (): void => {
    c = (c ^ b) >>> 0; c = (c - rol(b, 14)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol(c, 11)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol(a, 25)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol(b, 16)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol(c, 4)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol(a, 14)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol(b, 24)) >>> 0;
  };
  const word = (i: number): number => (k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24)) >>> 0;
  let o = 0;
  while (length > 12) {
    a = (a + word(o)) >>> 0;
    b = (b + word(o + 4)) >>> 0;
    c = (c + word(o + 8)) >>> 0;
    mix();
    length -= 12;
    o += 12;
  }
  if (length === 0) return c;
  // the last block: up to 12 bytes, each added at its place in a, b or c
  const add = [0, 0, 0];
  for (let i = 0; i < length; i++) add[i >> 2] += k[o + i] * 2 ** (8 * (i & 3));
  a = (a + add[0]) >>> 0;
  b = (b + add[1]) >>> 0;
  c = (c + add[2]) >>> 0;
  final();
  return c;
}

/** reciprocal_scale: val · n / 2^32, the high half of the 64-bit product. */
export function reciprocalScale(val: number, n: number): number {
  return Number((BigInt(val >>> 0) * BigInt(n >>> 0)) >> 32n);
}

