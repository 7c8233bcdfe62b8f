// The generated set CI replays (test/fidelity/examples.test.ts): fixed seeds, so that it is the
// same set on every run, over the whole grammar; the scenarios known to differ are listed in
// test/fidelity/open.ts (OPEN_GENERATED) and grouped in docs/fidelity.md, "Open differences".
import type { Feature } from './context';

export const CI_GENERATED: { seeds: number[]; perSeed: number; exclude: Feature[] } = {
  seeds: [1001, 1002, 1003],
  perSeed: 50,
  exclude: [],
};

/** The file name of generated scenario `index` of `seed`. */
export const generatedName = (seed: number, index: number): string => `gen-${seed}-${index}.yaml`;
