/**
 * The HMAC-SHA256 hot path shared by CRC answers and signature checks: prepared keys, strict parsing of a
 * `sha256=<base64>` value, and constant-time comparison of 32-byte digests. No Effect here: the receiver
 * runs this for every POST.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto"
import { type Array as Arr, Redacted } from "effect"

/** The literal prefix X puts before the digest, in both the CRC answer and the signature header. */
export const prefix = "sha256="

/** The byte length of an HMAC-SHA256 digest. */
export const digestBytes = 32

/** One secret, or several for rotation (the first signs, every one verifies). */
export type Secrets = Redacted.Redacted<string> | Arr.NonEmptyReadonlyArray<Redacted.Redacted<string>>

const keys = new WeakMap<Redacted.Redacted<string>, KeyObject>()

/**
 * The prepared key of a secret. A `KeyObject` is built once per `Redacted` value and reused: Node hashes
 * a prepared key faster than a string key, and the secret's text is read only once.
 */
export const keyOf = (secret: Redacted.Redacted<string>): KeyObject => {
  let key = keys.get(secret)
  if (key === undefined) {
    key = createSecretKey(Buffer.from(Redacted.value(secret), "utf8"))
    keys.set(secret, key)
  }
  return key
}

/** The secrets as a non-empty list, newest first. */
export const toList = (secrets: Secrets): Arr.NonEmptyReadonlyArray<Redacted.Redacted<string>> =>
  Redacted.isRedacted(secrets) ? [secrets] : secrets

/** The secret that signs and answers CRC: the first one. */
export const current = (secrets: Secrets): Redacted.Redacted<string> =>
  Redacted.isRedacted(secrets) ? secrets : secrets[0]

/** The raw 32-byte HMAC-SHA256 of a message (a string is hashed as its UTF-8 bytes). */
export const digest = (key: KeyObject, message: string | Uint8Array): Buffer =>
  createHmac("sha256", key).update(message).digest()

/** `sha256=` + standard base64 (with padding) of the HMAC-SHA256 of `message`. */
export const sign = (secret: Redacted.Redacted<string>, message: string | Uint8Array): string =>
  prefix + digest(keyOf(secret), message).toString("base64")

/** Why a `sha256=<base64>` value could not be read as a digest. */
export type ParseFailure = "Missing" | "Empty" | "BadPrefix" | "NotBase64" | "HexDigest" | "BadLength"

// 32 bytes are exactly 44 base64 characters: 42 free ones, a 43rd whose two low bits are zero (the
// canonical encoding) and one "=". Anything else is refused, so one digest has exactly one spelling.
const canonical = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const hex = /^[0-9A-Fa-f]{64}$/

const isOws = (code: number): boolean => code === 32 || code === 9

/**
 * Reads a `sha256=<base64>` value into its 32 digest bytes, or says why it cannot.
 *
 * Leading and trailing spaces and tabs are dropped (RFC 9110 §5.5: optional whitespace around a field
 * value is not part of it; Node's HTTP parser drops it too). Everything else is exact: the prefix is
 * lowercase `sha256=`, the digest is canonical standard base64 with padding.
 */
export const parse = (value: string | null | undefined): Buffer | ParseFailure => {
  if (value === undefined || value === null) return "Missing"
  let text = value
  if (text.length > 0 && (isOws(text.charCodeAt(0)) || isOws(text.charCodeAt(text.length - 1)))) {
    text = text.replace(/^[ \t]+|[ \t]+$/g, "")
  }
  if (text.length === 0) return "Empty"
  if (!text.startsWith(prefix)) return "BadPrefix"
  const encoded = text.slice(prefix.length)
  if (encoded.length === 0) return "Empty"
  if (canonical.test(encoded)) return Buffer.from(encoded, "base64")
  if (hex.test(encoded)) return "HexDigest"
  // 44 base64 characters that are not the canonical spelling of 32 bytes: refused as malformed.
  if (encoded.length !== 44 && base64.test(encoded)) return "BadLength"
  return "NotBase64"
}

/**
 * The index of the first secret whose HMAC of `message` equals `expected` (compared in constant time),
 * or -1 when none does.
 */
export const match = (
  secrets: Arr.NonEmptyReadonlyArray<Redacted.Redacted<string>>,
  message: string | Uint8Array,
  expected: Buffer
): number => {
  for (let i = 0; i < secrets.length; i++) {
    if (timingSafeEqual(digest(keyOf(secrets[i]!), message), expected)) return i
  }
  return -1
}
