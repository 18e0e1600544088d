/**
 * Counter-based randomness: every random draw is a pure function of (seed, stream key, index). Noise of
 * one series therefore never depends on what else the simulation computed, so injecting a fault into one
 * service leaves every other series' noise untouched, and stepping in any chunk size gives the same
 * numbers. Written by hand because the few lines needed are smaller than any dependency.
 */

/** A 32-bit finaliser (MurmurHash3's fmix32): spreads every input bit over the output. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over the UTF-16 code units, finalised; stable across runs and platforms. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** A stream key for (seed, name): the same on every run. */
export function streamKey(seed: number, name: string): number {
  return fmix32(hashString(name) ^ Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.floor(seed / 2 ** 32));
}

/** Uniform in [0, 1) for draw `i` (any safe integer) of stream `key`. */
export function unit(key: number, i: number): number {
  const lo = i >>> 0;
  const hi = Math.floor(i / 2 ** 32) >>> 0;
  const a = fmix32(key ^ fmix32(lo ^ Math.imul(hi, 0x27d4eb2f)));
  const b = fmix32(a ^ 0x9e3779b9 ^ lo);
  // 53 bits of the two words, as Math.random would give.
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** Standard normal draw `i` of stream `key` (Box–Muller on two uniforms). */
export function gaussian(key: number, i: number): number {
  const u1 = unit(key, 2 * i) || 1e-12;
  const u2 = unit(key, 2 * i + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Smooth noise: standard normal knots every `periodMs`, joined by cosine interpolation. Gives the slow
 * wander real traffic has on top of its cycles, with roughly unit variance.
 */
export function smoothNoise(key: number, t: number, periodMs: number): number {
  const x = t / periodMs;
  const k = Math.floor(x);
  const f = (1 - Math.cos((x - k) * Math.PI)) / 2;
  const a = gaussian(key, k);
  const b = gaussian(key, k + 1);
  return (a * (1 - f) + b * f) / Math.sqrt(f * f + (1 - f) * (1 - f));
}

/** Poisson-distributed count with mean `mean` from draw `i` of stream `key` (normal approximation above 30). */
export function poisson(key: number, i: number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(key, i)));
  const limit = Math.exp(-mean);
  let p = unit(key, i * 64);
  let n = 0;
  while (p > limit && n < 63) {
    n++;
    p *= unit(key, i * 64 + n);
  }
  return n;
}

/** A sequential generator (sfc32) for places that need a stream, such as the storefront server. */
export function sequence(seed: number): () => number {
  let a = fmix32(seed ^ 0x9e3779b9);
  let b = fmix32(seed ^ 0x243f6a88);
  let c = fmix32(seed ^ 0xb7e15162);
  let d = 1;
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26; error below 1.5e-7, plenty for quantile mixing). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}
