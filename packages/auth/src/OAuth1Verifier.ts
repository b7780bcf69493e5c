/**
 * The server side of OAuth 1.0a: parse a received `Authorization: OAuth …` header, look up the secrets
 * of its consumer key and token, recompute the HMAC-SHA1 signature over the request as received and
 * compare it in constant time; refuse stale timestamps and replayed nonces.
 *
 * Each verifier instance keeps its own bounded memory of the nonces it accepted (no module state).
 *
 * @since 0.1.0
 */
import { timingSafeEqual } from "node:crypto"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Clock, Context, Duration, Effect, Either, Layer, Option, type Redacted, Schema } from "effect"
import { parseAuthorization } from "./internal/header.js"
import { isFormContentType } from "./internal/request.js"
import * as OAuth1 from "./OAuth1.js"

/**
 * Why a request was refused.
 *
 * @since 0.1.0
 * @category errors
 */
export const Reason = Schema.Literal(
  "MissingHeader",
  "MalformedHeader",
  "DuplicateParameter",
  "MissingParameter",
  "MalformedParameter",
  "MalformedRequest",
  "UnsupportedSignatureMethod",
  "UnsupportedVersion",
  "UnknownConsumerKey",
  "UnknownToken",
  "BadSignature",
  "TimestampOutOfWindow",
  "NonceReused"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type Reason = typeof Reason.Type

/**
 * A request that failed OAuth 1.0a verification. `parameter` names the protocol parameter at fault when
 * there is one. `status`, `code` and `apiMessage` are what X answers in that case (v1.1 error body
 * `{"errors":[{"code","message"}]}`), for servers that imitate it.
 *
 * @since 0.1.0
 * @category errors
 */
export class OAuth1VerificationError extends Schema.TaggedError<OAuth1VerificationError>(
  "@account-activity/auth/OAuth1VerificationError"
)("OAuth1VerificationError", {
  reason: Reason,
  parameter: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return messages[this.reason](this)
  }

  /**
   * The HTTP status X answers with.
   *
   * @since 0.1.0
   */
  get status(): number {
    return isBadData(this.reason) ? 400 : 401
  }

  /**
   * The v1.1 error code X answers with: 215 (bad authentication data), 135 (timestamp out of bounds)
   * or 32 (could not authenticate you).
   *
   * @since 0.1.0
   */
  get code(): number {
    return isBadData(this.reason) ? 215 : this.reason === "TimestampOutOfWindow" ? 135 : 32
  }

  /**
   * The v1.1 error message X answers with.
   *
   * @since 0.1.0
   */
  get apiMessage(): string {
    return isBadData(this.reason) ? "Bad authentication data." : "Could not authenticate you."
  }
}

const isBadData = (reason: Reason): boolean =>
  reason === "MissingHeader" ||
  reason === "MalformedHeader" ||
  reason === "DuplicateParameter" ||
  reason === "MissingParameter" ||
  reason === "MalformedParameter" ||
  reason === "MalformedRequest"

/**
 * A request as received.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  /** The full URL as requested (scheme, host, port, path and query). */
  readonly url: string | URL
  /** Decoded parameters of an `application/x-www-form-urlencoded` body; never a JSON body. */
  readonly formParams?: OAuth1.Params | undefined
  /** The `Authorization` header value, if any. */
  readonly authorization: string | undefined
}

/**
 * Who signed a verified request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Verified {
  readonly consumerKey: string
  readonly token: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The consumer secret of an app, or `None` for an unknown consumer key. */
  readonly consumerSecret: (consumerKey: string) => Effect.Effect<Option.Option<Redacted.Redacted>>
  /** The secret of an access token issued to `consumerKey`, or `None` for an unknown token. */
  readonly tokenSecret: (token: string, consumerKey: string) => Effect.Effect<Option.Option<Redacted.Redacted>>
  /** How far `oauth_timestamp` may be from the clock, both ways. Default: 300 seconds. */
  readonly timestampWindow?: Duration.DurationInput | undefined
  /** How many accepted nonces are remembered at most. Default: 100 000. */
  readonly maxNonces?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Verifies a request given as its parts. */
  readonly verify: (request: Request) => Effect.Effect<Verified, OAuth1VerificationError>
  /**
   * Verifies an incoming `HttpServerRequest`: the URL is `origin` (default `http://<Host header>`) plus
   * the request's path and query; a form body is read with `request.text` (cached, so the handler can
   * read it again).
   */
  readonly verifyServerRequest: (
    request: HttpServerRequest.HttpServerRequest,
    options?: { readonly origin?: string | undefined }
  ) => Effect.Effect<Verified, OAuth1VerificationError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class OAuth1Verifier extends Context.Tag("@account-activity/auth/OAuth1Verifier")<OAuth1Verifier, Service>() {}

const REQUIRED = [
  "oauth_consumer_key",
  "oauth_nonce",
  "oauth_signature",
  "oauth_signature_method",
  "oauth_timestamp",
  "oauth_token"
] as const

const fail = (reason: Reason, extra?: { readonly parameter?: string; readonly detail?: string }) =>
  Effect.fail(new OAuth1VerificationError({ reason, ...extra }))

const TIMESTAMP = /^[0-9]{1,12}$/
const ASCII_NONCE = /^[\x21-\x7e]{1,255}$/

const constantTimeEquals = (a: string, b: string): boolean => {
  const x = Buffer.from(a, "utf8")
  const y = Buffer.from(b, "utf8")
  if (x.length !== y.length) {
    timingSafeEqual(x, x)
    return false
  }
  return timingSafeEqual(x, y)
}

/**
 * Builds a verifier with its own nonce memory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service> =>
  Effect.sync(() => {
    const windowMillis = Duration.toMillis(options.timestampWindow ?? Duration.seconds(300))
    const maxNonces = Math.max(1, options.maxNonces ?? 100_000)
    /** key → the instant after which a request with that nonce fails the timestamp check anyway */
    const nonces = new Map<string, number>()

    const remember = (key: string, expires: number, now: number) => {
      if (nonces.size >= maxNonces) {
        for (const [k, e] of nonces) if (e < now) nonces.delete(k)
      }
      // still full: forget the oldest entries (they are the closest to expiry)
      while (nonces.size >= maxNonces) {
        const oldest = nonces.keys().next()
        if (oldest.done) break
        nonces.delete(oldest.value)
      }
      nonces.set(key, expires)
    }

    const verify = (request: Request): Effect.Effect<Verified, OAuth1VerificationError> =>
      Effect.gen(function* () {
        if (request.authorization === undefined || request.authorization.trim() === "") {
          return yield* fail("MissingHeader")
        }
        const parsed = parseAuthorization(request.authorization)
        if (Either.isLeft(parsed)) {
          return yield* parsed.left._tag === "Duplicate"
            ? fail("DuplicateParameter", { parameter: parsed.left.parameter })
            : fail("MalformedHeader", { detail: parsed.left.detail })
        }
        const header = new Map<string, string>()
        const signed: Array<readonly [string, string]> = []
        for (const [key, value] of parsed.right) {
          if (key === "realm") continue
          if (!key.startsWith("oauth_")) {
            return yield* fail("MalformedHeader", { detail: `${key} is not an OAuth parameter` })
          }
          header.set(key, value)
          if (key !== "oauth_signature") signed.push([key, value])
        }
        for (const parameter of REQUIRED) {
          if (!header.has(parameter)) return yield* fail("MissingParameter", { parameter })
        }
        const consumerKey = header.get("oauth_consumer_key")!
        const token = header.get("oauth_token")!
        const nonce = header.get("oauth_nonce")!
        const timestamp = header.get("oauth_timestamp")!
        const signature = header.get("oauth_signature")!
        if (header.get("oauth_signature_method") !== "HMAC-SHA1") return yield* fail("UnsupportedSignatureMethod")
        const version = header.get("oauth_version")
        if (version !== undefined && version !== "1.0") return yield* fail("UnsupportedVersion")
        if (!TIMESTAMP.test(timestamp)) {
          return yield* fail("MalformedParameter", {
            parameter: "oauth_timestamp",
            detail: "expected whole seconds since the Unix epoch"
          })
        }
        if (!ASCII_NONCE.test(nonce)) {
          return yield* fail("MalformedParameter", { parameter: "oauth_nonce", detail: "expected printable ASCII" })
        }
        const now = yield* Clock.currentTimeMillis
        const sentAt = Number(timestamp) * 1000
        if (Math.abs(now - sentAt) > windowMillis) {
          return yield* fail("TimestampOutOfWindow", {
            detail: `more than ${Math.floor(windowMillis / 1000)} s from ${Math.floor(now / 1000)}`
          })
        }
        const consumerSecret = yield* options.consumerSecret(consumerKey)
        if (Option.isNone(consumerSecret)) return yield* fail("UnknownConsumerKey")
        const tokenSecret = yield* options.tokenSecret(token, consumerKey)
        if (Option.isNone(tokenSecret)) return yield* fail("UnknownToken")
        let url: URL
        try {
          url = typeof request.url === "string" ? new URL(request.url) : request.url
        } catch {
          return yield* fail("MalformedRequest", { detail: "the request URL is not absolute" })
        }
        const base = OAuth1.signatureBaseString({
          method: request.method,
          url,
          formParams: request.formParams,
          oauthParams: signed
        })
        const expected = OAuth1.hmacSha1(base, consumerSecret.value, tokenSecret.value)
        if (!constantTimeEquals(expected, signature)) return yield* fail("BadSignature")
        const key = `${consumerKey}\u0000${token}\u0000${nonce}`
        const seen = nonces.get(key)
        if (seen !== undefined && seen >= now) return yield* fail("NonceReused")
        remember(key, sentAt + windowMillis, now)
        return { consumerKey, token }
      })

    const verifyServerRequest = (
      request: HttpServerRequest.HttpServerRequest,
      verifyOptions?: { readonly origin?: string | undefined }
    ): Effect.Effect<Verified, OAuth1VerificationError> =>
      Effect.gen(function* () {
        const origin = verifyOptions?.origin ?? `http://${request.headers.host ?? "localhost"}`
        const formParams = isFormContentType(request.headers["content-type"])
          ? OAuth1.parseForm(
              yield* Effect.mapError(
                request.text,
                () => new OAuth1VerificationError({ reason: "MalformedRequest", detail: "the form body is unreadable" })
              )
            )
          : undefined
        return yield* verify({
          method: request.method,
          url: `${origin.replace(/\/+$/, "")}${request.url}`,
          formParams,
          authorization: request.headers.authorization
        })
      })

    return { verify, verifyServerRequest }
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<OAuth1Verifier> => Layer.effect(OAuth1Verifier, make(options))

/**
 * Parses an `Authorization: OAuth …` header into its decoded parameters (the `realm` included), refusing
 * malformed headers and repeated parameters.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseAuthorizationHeader = (
  header: string
): Either.Either<Array<[string, string]>, OAuth1VerificationError> =>
  Either.mapLeft(
    parseAuthorization(header),
    (failure) =>
      new OAuth1VerificationError(
        failure._tag === "Duplicate"
          ? { reason: "DuplicateParameter", parameter: failure.parameter }
          : { reason: "MalformedHeader", detail: failure.detail }
      )
  )

const detailOf = (e: OAuth1VerificationError): string => (e.detail === undefined ? "" : ` (${e.detail})`)

const messages: { readonly [R in Reason]: (e: OAuth1VerificationError) => string } = {
  MissingHeader: () =>
    "The request has no `Authorization: OAuth …` header: sign it with OAuth 1.0a (the app's consumer key and secret and an access token and secret).",
  MalformedHeader: (e) =>
    `The Authorization header is not a valid OAuth 1.0a header${detailOf(e)}: send \`OAuth name="value", …\` with every value quoted and percent-encoded.`,
  DuplicateParameter: (e) =>
    `The OAuth parameter ${e.parameter} appears more than once in the Authorization header: send each parameter once.`,
  MissingParameter: (e) =>
    `The Authorization header lacks ${e.parameter}: send oauth_consumer_key, oauth_nonce, oauth_signature, oauth_signature_method, oauth_timestamp, oauth_token and oauth_version.`,
  MalformedParameter: (e) => `The OAuth parameter ${e.parameter} is malformed${detailOf(e)}.`,
  MalformedRequest: (e) => `The request could not be read for verification${detailOf(e)}.`,
  UnsupportedSignatureMethod: () => 'Only oauth_signature_method="HMAC-SHA1" is supported: sign with HMAC-SHA1.',
  UnsupportedVersion: () => 'Only oauth_version="1.0" is supported: send oauth_version="1.0" or leave it out.',
  UnknownConsumerKey: () => "The oauth_consumer_key is not a known app: use the API Key of an app registered here.",
  UnknownToken: () =>
    "The oauth_token is not known for this consumer key: use an access token issued to this app (regenerate it if it was revoked).",
  BadSignature: () =>
    "The OAuth signature does not match: sign the exact method, URL (scheme, host, port, path, query) and form parameters that are sent (never a JSON body), with this app's consumer secret and this token's secret.",
  TimestampOutOfWindow: (e) =>
    `The oauth_timestamp is too far from the server's clock${detailOf(e)}: synchronize the clock (NTP) and sign each request when it is sent.`,
  NonceReused: () =>
    "The oauth_nonce was already used within the timestamp window, so the request looks replayed: draw a fresh random nonce for every request."
}
