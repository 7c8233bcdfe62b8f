// A small seeded generator (mulberry32) so that a generated scenario depends only on its seed
// and index: `--generate 200 --seed 7` makes the same 200 scenarios on every machine.

export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }

  /** A generator for scenario `index` of run `seed`, independent of the others. */
  static forScenario(seed: number, index: number, attempt = 0): Rng {
    let h = 2166136261;
    for (const n of [seed, index, attempt]) {
      for (let i = 0; i < 4; i++) h = Math.imul(h ^ ((n >>> (i * 8)) & 0xff), 16777619) >>> 0;
    }
    return new Rng(h);
  }

  /**
   * A side stream seeded by text already drawn (FNV-1a): later grammar is drawn from it so that
   * adding it leaves the main stream, and so every scenario drawn before, as it was.
   */
  static fromText(text: string): Rng {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return new Rng(h);
  }

  /** uniform in [0, 1) */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** an integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** true with probability p */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)];
  }

  /** one of the choices, by weight */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of choices) {
      if ((x -= w) < 0) return v;
    }
    return choices[choices.length - 1][1];
  }
}
