/**
 * A small seeded pseudo-random generator, so the synthetic tree is the same
 * bytes on every run with the same seed (sfc32, seeded through splitmix32).
 */

/** Deterministic random source. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T
  /** True with probability `p`. */
  chance(p: number): boolean
  /** `base` scaled by a uniform factor in [1 − spread, 1 + spread], rounded. */
  jitter(base: number, spread: number): number
  /** An independent generator derived from this one and `label` (stable across call order elsewhere). */
  fork(label: string | number): Rng
}

/** A generator seeded by a 32-bit integer. */
export function createRng(seed: number): Rng {
  let s = seed >>> 0
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = split()
  let b = split()
  let c = split()
  let d = split()
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t / 4294967296
  }
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
    jitter: (base, spread) => Math.round(base * (1 - spread + 2 * spread * next())),
    fork: (label) => createRng(hashLabel(seed, label)),
  }
  return rng
}

function hashLabel(seed: number, label: string | number): number {
  // FNV-1a over the seed and the label.
  let h = 0x811c9dc5 ^ seed
  for (const ch of `${seed}:${label}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193)
  return h >>> 0
}
