/**
 * Ids and credentials drawn from a `Random` service, so a seeded emulator hands out the same ones every run.
 *
 * @internal
 */
import { Effect, type Random } from "effect"

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const TOKEN = `${ALNUM}-_`

/** @internal */
export const fromAlphabet = (random: Random.Random, alphabet: string, length: number): Effect.Effect<string> =>
  Effect.gen(function* () {
    let out = ""
    for (let i = 0; i < length; i++) out += alphabet[yield* random.nextIntBetween(0, alphabet.length)]
    return out
  })

/** @internal */
export const alphanumeric = (random: Random.Random, length: number): Effect.Effect<string> =>
  fromAlphabet(random, ALNUM, length)

/** A numeric id of exactly `length` digits, without a leading zero. @internal */
export const numericId = (random: Random.Random, length: number): Effect.Effect<string> =>
  Effect.gen(function* () {
    const first = yield* random.nextIntBetween(1, 10)
    return `${first}${yield* fromAlphabet(random, "0123456789", length - 1)}`
  })

/** A token-shaped `crc_token`: 43 characters of the base64url alphabet, like a 32-byte digest. @internal */
export const crcToken = (random: Random.Random): Effect.Effect<string> => fromAlphabet(random, TOKEN, 43)

/** An app-only Bearer token shaped like X's: a run of `A`, then percent-encoded base64. @internal */
export const bearerToken = (random: Random.Random): Effect.Effect<string> =>
  Effect.gen(function* () {
    const head = yield* alphanumeric(random, 22)
    const tail = yield* alphanumeric(random, 50)
    return `AAAAAAAAAAAAAAAAAAAAA${head}%3D${tail}`
  })
