/**
 * The `x-twitter-webhooks-signature` header of every webhook delivery: sign (what X, or the emulator, sends)
 * and verify (what a receiver must do before trusting a byte of the body).
 *
 * The header value is `"sha256=" + base64(HMAC-SHA256(key = consumer secret, message = raw body bytes))`,
 * standard base64 with `=` padding. Verification fails closed: it succeeds only when the header is present
 * and well formed and its digest equals, in constant time, the HMAC of the raw body under one of the
 * configured secrets. Every other case is a {@link WebhookSignatureError} with a `reason`.
 *
 * @since 0.1.0
 */
import { Effect, Either, Schema } from "effect"
import * as Hmac from "./internal/hmac.js"
import * as WebhookSecrets from "./WebhookSecrets.js"

/**
 * The name of the signature header (lowercase, as Node and `@effect/platform` expose request headers).
 *
 * @since 0.1.0
 * @category constants
 */
export const headerName = "x-twitter-webhooks-signature"

/**
 * Why a signature was refused.
 *
 * - `Missing`: no header at all.
 * - `Empty`: the header is empty, or `sha256=` with nothing after it.
 * - `BadPrefix`: the value does not start with the lowercase `sha256=` (e.g. `sha1=`, `SHA256=`, no prefix).
 * - `NotBase64`: the digest is not standard base64 with padding (base64url, missing `=`, stray characters).
 * - `HexDigest`: the digest is 64 hexadecimal characters: hex where X uses base64.
 * - `BadLength`: the digest is base64 but not of 32 bytes (truncated, or another hash).
 * - `Mismatch`: well formed, but the HMAC under every configured secret differs.
 * - `BadQuery`: (CRC request only) the query lacks exactly one `crc_token` and one `nonce`.
 *
 * @since 0.1.0
 * @category errors
 */
export const Reason = Schema.Literal(
  "Missing",
  "Empty",
  "BadPrefix",
  "NotBase64",
  "HexDigest",
  "BadLength",
  "Mismatch",
  "BadQuery"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type Reason = typeof Reason.Type

/**
 * What was signed: a delivery POST body, or the `crc_token=…&nonce=…` string of a CRC GET.
 *
 * @since 0.1.0
 * @category errors
 */
export const Subject = Schema.Literal("Delivery", "CrcRequest")

/**
 * @since 0.1.0
 * @category errors
 */
export type Subject = typeof Subject.Type

/**
 * A refused `x-twitter-webhooks-signature`. Carries no secret and no part of the body or header; the
 * message says what to check.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookSignatureError extends Schema.TaggedError<WebhookSignatureError>(
  "@account-activity/crc/WebhookSignatureError"
)("WebhookSignatureError", {
  reason: Reason,
  subject: Subject,
  /** How many secrets were tried. */
  secrets: Schema.Number
}) {
  override get message(): string {
    const what = this.subject === "Delivery" ? "delivery" : "CRC request"
    const messages: Record<Reason, string> = {
      Missing:
        this.subject === "Delivery"
          ? `The delivery has no ${headerName} header, so it is refused. X signs every delivery: the sender is not X, or a proxy in front of this server drops the header.`
          : `The CRC request has no ${headerName} header, so it is refused. X's v1.1 platform signs CRC requests; if yours does not (unconfirmed for v2), do not enable the CRC request signature check.`,
      Empty: `The ${headerName} header of the ${what} carries no digest (empty, or "sha256=" with nothing after it), so it is refused.`,
      BadPrefix: `The ${headerName} header of the ${what} does not start with "sha256=" (lowercase), so it is refused. X signs with HMAC-SHA256; a "sha1=" or otherwise prefixed value comes from another sender.`,
      NotBase64: `The digest in the ${headerName} header of the ${what} is not standard base64 with padding (44 characters of A-Z a-z 0-9 + / ending in "="), so it is refused.`,
      HexDigest: `The digest in the ${headerName} header of the ${what} is hexadecimal, so it is refused: X encodes the HMAC-SHA256 digest in standard base64. If you produce this header, use digest("base64").`,
      BadLength: `The digest in the ${headerName} header of the ${what} does not decode to the 32 bytes of an HMAC-SHA256, so it is refused (truncated header, or another hash function).`,
      BadQuery: `The CRC request must carry exactly one crc_token and one nonce query parameter for its ${headerName} header to be checked; it is refused.`,
      Mismatch:
        this.subject === "Delivery"
          ? `The ${headerName} header does not match the delivery body under any of the ${this.secrets} configured secret(s), so it is refused. Check that each secret is the app's consumer secret (API secret key), not a bearer token or access-token secret, and that the HMAC is computed over the raw body bytes exactly as received, never over re-serialized JSON (X escapes "/" as "\\/").`
          : `The ${headerName} header does not match "crc_token=<token>&nonce=<nonce>" (the decoded query values) under any of the ${this.secrets} configured secret(s), so the CRC request is refused. Check that each secret is the app's consumer secret (API secret key).`
    }
    return messages[this.reason]
  }
}

/**
 * The header value X sends for a body: `"sha256=" + base64(HMAC-SHA256(secret, body))`. A string body is
 * hashed as its UTF-8 bytes. With several secrets, the first (newest) signs.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@account-activity/crc"
 * import { Redacted } from "effect"
 *
 * WebhookSignature.signWith("test=1&other_test=2", Redacted.make("test"))
 * // "sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc="
 * ```
 *
 * @since 0.1.0
 * @category signing
 */
export const signWith = (body: string | Uint8Array, secrets: WebhookSecrets.Secrets): string =>
  Hmac.sign(Hmac.current(secrets), body)

/**
 * Verifies the `x-twitter-webhooks-signature` header of a delivery over its RAW body (the exact bytes
 * received, or the text they decode to as UTF-8). Succeeds with the zero-based index of the secret that
 * matched (0 is the newest; a match on an older one means a sender still uses it). Fails closed with a
 * {@link WebhookSignatureError} otherwise, including when the header is missing.
 *
 * Synchronous and allocation-light: the receiver calls it for every POST. `Either` is an `Effect`, so
 * `yield*` it inside `Effect.gen`.
 *
 * @since 0.1.0
 * @category verification
 */
export const verifyWith = (
  body: string | Uint8Array,
  header: string | null | undefined,
  secrets: WebhookSecrets.Secrets
): Either.Either<number, WebhookSignatureError> => {
  const list = Hmac.toList(secrets)
  const expected = Hmac.parse(header)
  if (typeof expected === "string") {
    return Either.left(new WebhookSignatureError({ reason: expected, subject: "Delivery", secrets: list.length }))
  }
  const index = Hmac.match(list, body, expected)
  return index >= 0
    ? Either.right(index)
    : Either.left(new WebhookSignatureError({ reason: "Mismatch", subject: "Delivery", secrets: list.length }))
}

/**
 * `true` only when {@link verifyWith} succeeds.
 *
 * @since 0.1.0
 * @category verification
 */
export const isValid = (
  body: string | Uint8Array,
  header: string | null | undefined,
  secrets: WebhookSecrets.Secrets
): boolean => Either.isRight(verifyWith(body, header, secrets))

/**
 * Signs a body with the current (first) secret of {@link WebhookSecrets.WebhookSecrets}.
 *
 * @since 0.1.0
 * @category signing
 */
export const sign = (body: string | Uint8Array): Effect.Effect<string, never, WebhookSecrets.WebhookSecrets> =>
  Effect.map(WebhookSecrets.WebhookSecrets, (service) => signWith(body, service.secrets))

/**
 * Verifies a delivery against every secret of {@link WebhookSecrets.WebhookSecrets}; see {@link verifyWith}.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@account-activity/crc"
 * import { Effect } from "effect"
 *
 * const handle = (rawBody: string, header: string | undefined) =>
 *   Effect.gen(function* () {
 *     const secretIndex = yield* WebhookSignature.verify(rawBody, header)
 *     if (secretIndex > 0) yield* Effect.logWarning("a delivery was signed with an older secret")
 *     return JSON.parse(rawBody) as unknown // parse the very string that was verified
 *   })
 * ```
 *
 * @since 0.1.0
 * @category verification
 */
export const verify = (
  body: string | Uint8Array,
  header: string | null | undefined
): Effect.Effect<number, WebhookSignatureError, WebhookSecrets.WebhookSecrets> =>
  Effect.flatMap(WebhookSecrets.WebhookSecrets, (service) => verifyWith(body, header, service.secrets))
