/**
 * A small seeded generator (mulberry32) for reproducible noise, traffic and tests: the same
 * seed gives the same sequence, so a failing run can be repeated. Any `() => number` in
 * [0, 1) will do where one is asked for.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
