/**
 * Where OAuth 1.0a nonces come from. The default draws 32 alphanumeric characters from `node:crypto`;
 * tests provide a deterministic source so signatures are exact.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import { Context, Effect, Layer, Random } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** A fresh nonce: ASCII, unique per request. */
  readonly next: Effect.Effect<string>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Nonce extends Context.Tag("@account-activity/auth/Nonce")<Nonce, Service>() {}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
/** 248 = 4 * 62: bytes at or above it are dropped so every character is equally likely. */
const LIMIT = 248

/**
 * The length of the nonces made by `make` and `layerRandom`.
 *
 * @since 0.1.0
 * @category constants
 */
export const length = 32

/**
 * A nonce of 32 characters `[A-Za-z0-9]` from cryptographically secure random bytes (unbiased).
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeRandom = (): string => {
  let out = ""
  while (out.length < length) {
    const bytes = randomBytes(48)
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i]!
      if (b < LIMIT) out += ALPHABET[b % 62]
    }
  }
  return out
}

/**
 * The default service: `unsafeRandom` from `node:crypto`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service> = Effect.succeed({ next: Effect.sync(unsafeRandom) })

/**
 * The default layer: nonces from `node:crypto`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Nonce> = Layer.effect(Nonce, make)

/**
 * Nonces from Effect's `Random` service (seedable with `Random.make(seed)` or `TestRandom`): for tests
 * that want reproducible requests. Not for production.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRandom: Layer.Layer<Nonce> = Layer.succeed(Nonce, {
  next: Effect.gen(function* () {
    let out = ""
    for (let i = 0; i < length; i++) out += ALPHABET[yield* Random.nextIntBetween(0, 62)]
    return out
  })
})

/**
 * Always the same nonces, in order and then again from the start: for tests of exact signatures.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFixed = (nonces: readonly [string, ...Array<string>]): Layer.Layer<Nonce> =>
  Layer.sync(Nonce, () => {
    let i = 0
    return { next: Effect.sync(() => nonces[i++ % nonces.length]!) }
  })
