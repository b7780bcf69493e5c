/**
 * The Challenge-Response Check (CRC): X sends `GET <webhook url>?crc_token=<token>&nonce=<nonce>` and the
 * webhook must answer `200 {"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token))}`.
 *
 * A CRC handler is a signing oracle: the `response_token` for `crc_token = <a JSON body>` IS the
 * `x-twitter-webhooks-signature` of that body. So this module signs only tokens of an accepted shape (see
 * {@link defaultTokenPolicy}) and refuses everything else with a {@link CrcTokenError}.
 *
 * It also checks the signature X puts on the CRC GET itself, and builds such a request (for the emulator).
 *
 * @since 0.1.0
 */
import { Effect, Either, Schema } from "effect"
import * as Hmac from "./internal/hmac.js"
import * as WebhookSecrets from "./WebhookSecrets.js"
import * as WebhookSignature from "./WebhookSignature.js"

/**
 * The JSON body of a CRC answer: `{"response_token": "sha256=<base64>"}`. Send it with status 200 and
 * `Content-Type: application/json`.
 *
 * @since 0.1.0
 * @category models
 */
export const CrcResponse = Schema.Struct({ response_token: Schema.String })

/**
 * @since 0.1.0
 * @category models
 */
export type CrcResponse = typeof CrcResponse.Type

/**
 * A parsed query string, as `@effect/platform` (`HttpServerRequest.ParsedSearchParams`), Node's
 * `querystring` or a `URLSearchParams` give it, or the raw query string (with or without its `?`).
 * Values are URL-decoded; a raw string is decoded with `URLSearchParams` (so `+` means a space).
 *
 * @since 0.1.0
 * @category models
 */
export type Query = URLSearchParams | string | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/**
 * Which `crc_token` values this webhook is willing to sign.
 *
 * A token passes when it is non-empty, at most `maxLength` characters, free of the always-refused
 * characters (`{ } [ ] " &`, whitespace, control and format characters), matches `pattern`, and satisfies
 * `predicate` when one is given. The always-refused characters cannot be allowed by any policy: they keep
 * a JSON body (and the `crc_token=…&nonce=…` string of a CRC GET signature) from ever being signed.
 *
 * @since 0.1.0
 * @category hardening
 */
export interface TokenPolicy {
  readonly maxLength: number
  readonly pattern: RegExp
  readonly predicate?: ((token: string) => boolean) | undefined
}

/**
 * The default accepted token alphabet: letters, digits, the URL-unreserved `- . _ ~` and the base64
 * `+ / =`. It covers base64, base64url, hex, UUIDs and any unreserved-character token, and excludes every
 * character a JSON object needs (`{`, `"`, `:`), whitespace and `&`.
 *
 * @since 0.1.0
 * @category hardening
 */
export const defaultTokenPattern: RegExp = /^[A-Za-z0-9._~+/=-]+$/

/**
 * The default policy: {@link defaultTokenPattern}, 1 to 512 characters.
 *
 * X documents no token format (it is UNCONFIRMED). Tokens seen in the wild are base64 or base64url of a
 * few dozen characters; 512 leaves ample room for a longer format while keeping the oracle closed: a
 * delivery body can never match, because every delivery is a JSON object and so contains `{`, `"` and `:`.
 *
 * @since 0.1.0
 * @category hardening
 */
export const defaultTokenPolicy: TokenPolicy = { maxLength: 512, pattern: defaultTokenPattern }

/**
 * A policy built from the default with some parts replaced, e.g. the observed shape of another stack:
 * `Crc.tokenPolicy({ pattern: /^[A-Za-z0-9+/=_-]{16,128}$/ })`.
 *
 * @since 0.1.0
 * @category hardening
 */
export const tokenPolicy = (options: {
  readonly maxLength?: number | undefined
  readonly pattern?: RegExp | undefined
  readonly predicate?: ((token: string) => boolean) | undefined
}): TokenPolicy => ({
  maxLength: options.maxLength ?? defaultTokenPolicy.maxLength,
  pattern: options.pattern ?? defaultTokenPolicy.pattern,
  predicate: options.predicate
})

/**
 * Why a `crc_token` was refused.
 *
 * - `Missing`: no `crc_token` query parameter.
 * - `Duplicate`: more than one `crc_token` (ambiguous: which one would X check?).
 * - `Empty`: `crc_token=` with no value.
 * - `TooLong`: longer than the policy's `maxLength`.
 * - `BadCharacters`: a character outside the accepted shape, e.g. `{`, `"`, a space or a newline.
 * - `Rejected`: the policy's `predicate` said no.
 *
 * @since 0.1.0
 * @category errors
 */
export const TokenReason = Schema.Literal("Missing", "Duplicate", "Empty", "TooLong", "BadCharacters", "Rejected")

/**
 * @since 0.1.0
 * @category errors
 */
export type TokenReason = typeof TokenReason.Type

/**
 * A `crc_token` this webhook refuses to sign. Answer it with HTTP 400. The message never repeats the
 * token (it is attacker-controlled text).
 *
 * @since 0.1.0
 * @category errors
 */
export class CrcTokenError extends Schema.TaggedError<CrcTokenError>("@account-activity/crc/CrcTokenError")(
  "CrcTokenError",
  {
    reason: TokenReason,
    /** The length of the refused token, when there was one. */
    length: Schema.optional(Schema.Number),
    /** The policy's limit, for `TooLong`. */
    maxLength: Schema.optional(Schema.Number)
  }
) {
  override get message(): string {
    const messages: Record<TokenReason, string> = {
      Missing:
        "The CRC request has no crc_token query parameter; nothing is signed. X sends GET <webhook url>?crc_token=<token>.",
      Duplicate: "The CRC request has more than one crc_token query parameter; nothing is signed.",
      Empty: "The crc_token query parameter is empty; nothing is signed.",
      TooLong: `The crc_token is ${this.length} characters, longer than the accepted ${this.maxLength}; nothing is signed. If X really sends longer tokens, raise maxLength in the token policy.`,
      BadCharacters:
        'The crc_token contains characters outside the accepted token shape (such as {, ", :, whitespace or &); nothing is signed, so the CRC answer cannot be used to sign a forged delivery body. If X really sends such tokens, widen the pattern of the token policy.',
      Rejected: "The crc_token was refused by the token policy's predicate; nothing is signed."
    }
    return messages[this.reason]
  }
}

// Never signable, whatever the policy: JSON structure, quotes, the "&" of `crc_token=…&nonce=…`,
// whitespace, control and invisible format characters.
const alwaysRefused = /[{}[\]"&\s\p{Cc}\p{Cf}]/u

/**
 * Checks that a `crc_token` (already URL-decoded) has an accepted shape; succeeds with the token itself.
 *
 * @since 0.1.0
 * @category hardening
 */
export const checkToken = (
  token: string | null | undefined,
  policy: TokenPolicy = defaultTokenPolicy
): Either.Either<string, CrcTokenError> => {
  if (token === undefined || token === null) return Either.left(new CrcTokenError({ reason: "Missing" }))
  if (token.length === 0) return Either.left(new CrcTokenError({ reason: "Empty", length: 0 }))
  if (token.length > policy.maxLength) {
    return Either.left(new CrcTokenError({ reason: "TooLong", length: token.length, maxLength: policy.maxLength }))
  }
  // A `g` or `y` pattern keeps state between calls in `lastIndex`: start every check from the beginning.
  policy.pattern.lastIndex = 0
  if (alwaysRefused.test(token) || !policy.pattern.test(token)) {
    return Either.left(new CrcTokenError({ reason: "BadCharacters", length: token.length }))
  }
  if (policy.predicate !== undefined && !policy.predicate(token)) {
    return Either.left(new CrcTokenError({ reason: "Rejected", length: token.length }))
  }
  return Either.right(token)
}

type Param = { readonly _tag: "None" } | { readonly _tag: "One"; readonly value: string } | { readonly _tag: "Many" }

const none: Param = { _tag: "None" }
const many: Param = { _tag: "Many" }

const param = (query: Query, name: string): Param => {
  if (typeof query === "string") return param(new URLSearchParams(query), name)
  if (query instanceof URLSearchParams) {
    const values = query.getAll(name)
    return values.length === 0 ? none : values.length === 1 ? { _tag: "One", value: values[0]! } : many
  }
  const value = Object.hasOwn(query, name) ? query[name] : undefined
  if (value === undefined) return none
  if (typeof value === "string") return { _tag: "One", value }
  return value.length === 0 ? none : value.length === 1 ? { _tag: "One", value: value[0]! } : many
}

/**
 * Reads the single `crc_token` of a query and checks its shape.
 *
 * @since 0.1.0
 * @category hardening
 */
export const tokenFromQuery = (
  query: Query,
  policy: TokenPolicy = defaultTokenPolicy
): Either.Either<string, CrcTokenError> => {
  const token = param(query, "crc_token")
  switch (token._tag) {
    case "None":
      return Either.left(new CrcTokenError({ reason: "Missing" }))
    case "Many":
      return Either.left(new CrcTokenError({ reason: "Duplicate" }))
    case "One":
      return checkToken(token.value, policy)
  }
}

/**
 * The `response_token` for a `crc_token`: `"sha256=" + base64(HMAC-SHA256(secret, token))`, keyed with the
 * current (first) secret, over the token exactly as received (URL-decoded, UTF-8). Refuses a token the
 * policy does not accept.
 *
 * @example
 * ```ts
 * import { Crc } from "@account-activity/crc"
 * import { Redacted } from "effect"
 *
 * Crc.responseToken("foo", Redacted.make("my_consumer_secret"))
 * // Either.right("sha256=lsBND23VDheU4e/PArTx3YDHHQ2xs23Hj6wI9/uhx3A=")
 * ```
 *
 * @since 0.1.0
 * @category CRC
 */
export const responseToken = (
  token: string,
  secrets: WebhookSecrets.Secrets,
  policy: TokenPolicy = defaultTokenPolicy
): Either.Either<string, CrcTokenError> =>
  Either.map(checkToken(token, policy), (accepted) => Hmac.sign(Hmac.current(secrets), accepted))

/**
 * The CRC answer for a query: `{"response_token": …}` for its single, accepted `crc_token`.
 *
 * @since 0.1.0
 * @category CRC
 */
export const responseWith = (
  query: Query,
  secrets: WebhookSecrets.Secrets,
  policy: TokenPolicy = defaultTokenPolicy
): Either.Either<CrcResponse, CrcTokenError> =>
  Either.map(tokenFromQuery(query, policy), (token) => ({
    response_token: Hmac.sign(Hmac.current(secrets), token)
  }))

/**
 * The CRC answer for a query, keyed with the current (first) secret of
 * {@link WebhookSecrets.WebhookSecrets}. Reply 200 with the JSON on success, 400 on a {@link CrcTokenError}.
 *
 * @example
 * ```ts
 * import { Crc } from "@account-activity/crc"
 * import { Effect } from "effect"
 *
 * const answer = Crc.respond({ crc_token: "__TOKEN_FROM_TWITTER__" })
 * // Effect<{ response_token: string }, CrcTokenError, WebhookSecrets>
 * ```
 *
 * @since 0.1.0
 * @category CRC
 */
export const respond = (
  query: Query,
  policy: TokenPolicy = defaultTokenPolicy
): Effect.Effect<CrcResponse, CrcTokenError, WebhookSecrets.WebhookSecrets> =>
  Effect.flatMap(WebhookSecrets.WebhookSecrets, (service) => responseWith(query, service.secrets, policy))

/**
 * The exact string X signs on a CRC GET: `crc_token=<token>&nonce=<nonce>`, built from the DECODED query
 * values, in this order, with nothing escaped (the v1.1 docs and the receivers that verify it agree on
 * this; hashing the raw query string instead breaks as soon as X percent-encodes a character).
 *
 * @since 0.1.0
 * @category CRC request signature
 */
export const requestMessage = (token: string, nonce: string): string => `crc_token=${token}&nonce=${nonce}`

/**
 * The `x-twitter-webhooks-signature` X sends on a CRC GET: `"sha256=" + base64(HMAC-SHA256(secret,
 * requestMessage(token, nonce)))`, keyed with the current (first) secret.
 *
 * @since 0.1.0
 * @category CRC request signature
 */
export const signRequest = (token: string, nonce: string, secrets: WebhookSecrets.Secrets): string =>
  Hmac.sign(Hmac.current(secrets), requestMessage(token, nonce))

const requestError = (reason: WebhookSignature.Reason, secrets: number) =>
  Either.left(new WebhookSignature.WebhookSignatureError({ reason, subject: "CrcRequest", secrets }))

/**
 * Verifies the signature of a CRC GET over `crc_token=<token>&nonce=<nonce>` (see {@link requestMessage}).
 * Fails closed like {@link WebhookSignature.verifyWith}: a missing header, a query without exactly one
 * non-empty `crc_token` and `nonce`, or a mismatch is a `WebhookSignatureError` with `subject: "CrcRequest"`.
 * Succeeds with the index of the secret that matched.
 *
 * This does not check the token's shape: answer with {@link respond}, which does.
 *
 * @since 0.1.0
 * @category CRC request signature
 */
export const verifyRequestWith = (
  query: Query,
  header: string | null | undefined,
  secrets: WebhookSecrets.Secrets
): Either.Either<number, WebhookSignature.WebhookSignatureError> => {
  const list = Hmac.toList(secrets)
  const expected = Hmac.parse(header)
  if (typeof expected === "string") return requestError(expected, list.length)
  const parsed = typeof query === "string" ? new URLSearchParams(query) : query
  const token = param(parsed, "crc_token")
  const nonce = param(parsed, "nonce")
  if (token._tag !== "One" || nonce._tag !== "One" || token.value.length === 0 || nonce.value.length === 0) {
    return requestError("BadQuery", list.length)
  }
  const index = Hmac.match(list, requestMessage(token.value, nonce.value), expected)
  return index >= 0 ? Either.right(index) : requestError("Mismatch", list.length)
}

/**
 * Verifies a CRC GET's signature against every secret of {@link WebhookSecrets.WebhookSecrets}; see
 * {@link verifyRequestWith}.
 *
 * @since 0.1.0
 * @category CRC request signature
 */
export const verifyRequest = (
  query: Query,
  header: string | null | undefined
): Effect.Effect<number, WebhookSignature.WebhookSignatureError, WebhookSecrets.WebhookSecrets> =>
  Effect.flatMap(WebhookSecrets.WebhookSecrets, (service) => verifyRequestWith(query, header, service.secrets))

/**
 * Everything a sender of a CRC (X, or the emulator) needs: the query to put on the webhook URL, the
 * signature header for it, and the answer a correct webhook returns.
 *
 * @since 0.1.0
 * @category models
 */
export interface Challenge {
  readonly token: string
  readonly nonce: string
  /** The decoded query parameters. */
  readonly params: { readonly crc_token: string; readonly nonce: string }
  /** The encoded query string, without `?`: `crc_token=<encoded>&nonce=<encoded>`. */
  readonly search: string
  /** The `x-twitter-webhooks-signature` header value of the GET. */
  readonly signature: string
  /** The answer a correct webhook returns. */
  readonly response: CrcResponse
}

/**
 * Builds a CRC request as X sends it, for a given token, nonce and secret. The token is not checked
 * against a policy: the caller holds the secret, so this is no oracle, and an emulator may want to send
 * odd tokens on purpose.
 *
 * @example
 * ```ts
 * import { Crc } from "@account-activity/crc"
 * import { Redacted } from "effect"
 *
 * const challenge = Crc.challenge({ token: "abc", nonce: "n1", secrets: Redacted.make("secret") })
 * // fetch(`${webhookUrl}?${challenge.search}`, { headers: { "x-twitter-webhooks-signature": challenge.signature } })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const challenge = (options: {
  readonly token: string
  readonly nonce: string
  readonly secrets: WebhookSecrets.Secrets
}): Challenge => {
  const secret = Hmac.current(options.secrets)
  return {
    token: options.token,
    nonce: options.nonce,
    params: { crc_token: options.token, nonce: options.nonce },
    search: `crc_token=${encodeURIComponent(options.token)}&nonce=${encodeURIComponent(options.nonce)}`,
    signature: Hmac.sign(secret, requestMessage(options.token, options.nonce)),
    response: { response_token: Hmac.sign(secret, options.token) }
  }
}
