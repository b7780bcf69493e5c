/**
 * A small seeded pseudo-random generator (sfc32, seeded through cyrb128): the same seed gives the same
 * sequence on every platform, synchronously, so payloads can be built without effects.
 *
 * @internal
 */

/**
 * @internal
 */
export interface Prng {
  /** A 32-bit unsigned integer. */
  readonly uint32: () => number
  /** An integer in `[0, max)`. */
  readonly int: (max: number) => number
  /** An integer in `[min, max]`. */
  readonly between: (min: number, max: number) => number
  /** `true` with probability `p`. */
  readonly chance: (p: number) => boolean
  /** One element of a non-empty array. */
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  /** A permutation of the array. */
  readonly shuffle: <A>(items: ReadonlyArray<A>) => Array<A>
  /** `length` lowercase hexadecimal characters. */
  readonly hex: (length: number) => string
  /** `length` characters of `[A-Za-z0-9]`. */
  readonly alnum: (length: number) => string
}

const cyrb128 = (text: string): [number, number, number, number] => {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= h2 ^ h3 ^ h4
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/**
 * A generator seeded by a string (numbers are seeded by their decimal text).
 *
 * @internal
 */
export const make = (seed: string | number): Prng => {
  let [a, b, c, d] = cyrb128(String(seed))
  const uint32 = () => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 15; i++) uint32()
  const int = (max: number) => Math.floor((uint32() / 4294967296) * max)
  const prng: Prng = {
    uint32,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => uint32() / 4294967296 < p,
    pick: (items) => items[int(items.length)]!,
    shuffle: (items) => {
      const out = items.slice()
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1)
        const tmp = out[i]!
        out[i] = out[j]!
        out[j] = tmp
      }
      return out
    },
    hex: (length) => {
      let out = ""
      while (out.length < length) out += uint32().toString(16).padStart(8, "0")
      return out.slice(0, length)
    },
    alnum: (length) => {
      let out = ""
      for (let i = 0; i < length; i++) out += ALNUM[int(ALNUM.length)]
      return out
    }
  }
  return prng
}
