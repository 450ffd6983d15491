/** Seeded random numbers: the same seed draws the same test values, replay offsets and bootstrap resamples. */

/** A uniform random number in [0, 1). */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for test values and resampling; same seed, same sequence. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
