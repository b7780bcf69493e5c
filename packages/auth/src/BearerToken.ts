/**
 * OAuth 2.0 app-only Bearer tokens, fetched with the client credentials grant
 * (`POST /oauth2/token`, `Authorization: Basic …`, `grant_type=client_credentials`) and cached per
 * credential set inside the service instance: two credential sets never share a token, and concurrent
 * callers of one set share a single in-flight request. A failed fetch is not cached.
 *
 * `invalidate` revokes the token with `POST /oauth2/invalidate_token` (Basic auth, form body
 * `access_token=…`: the app-only guide's form; the API reference's OAuth 1.0a variant needs the app
 * owner's tokens, which a Bearer user may not have).
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import {
  Cause,
  Config,
  type ConfigError,
  Context,
  Deferred,
  Effect,
  Exit,
  FiberId,
  Layer,
  Option,
  Redacted,
  Schema
} from "effect"
import type * as Credentials from "./Credentials.js"
import { percentEncode } from "./internal/encoding.js"

/**
 * The default API origin.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl = "https://api.x.com"

/**
 * Why a Bearer token could not be obtained or used.
 *
 * - `CredentialsUnverified`: code 99, HTTP 403 (bad consumer key or secret, invalidating a bad token, or
 *   token requests too frequent);
 * - `InvalidOrExpiredToken`: code 89, HTTP 401 or 403 (the token was invalidated or is wrong);
 * - `CredentialsNotAllowed`: code 220, HTTP 403 (a Bearer token on an endpoint that needs user context);
 * - `UnexpectedTokenType`: `/oauth2/token` answered a `token_type` other than `bearer`;
 * - `UnexpectedResponse`: another status or an unreadable body;
 * - `RequestFailed`: the request did not complete (network, DNS, TLS).
 *
 * @since 0.1.0
 * @category errors
 */
export const Reason = Schema.Literal(
  "CredentialsUnverified",
  "InvalidOrExpiredToken",
  "CredentialsNotAllowed",
  "UnexpectedTokenType",
  "UnexpectedResponse",
  "RequestFailed"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type Reason = typeof Reason.Type

/**
 * A Bearer token failure. Never holds a secret: no consumer secret, no token, no Basic credentials.
 *
 * @since 0.1.0
 * @category errors
 */
export class BearerTokenError extends Schema.TaggedError<BearerTokenError>("@account-activity/auth/BearerTokenError")(
  "BearerTokenError",
  {
    reason: Reason,
    status: Schema.optional(Schema.Number),
    code: Schema.optional(Schema.Number),
    detail: Schema.optional(Schema.String)
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return messages[this.reason](this)
  }
}

const ErrorBody = Schema.Struct({
  errors: Schema.Array(Schema.Struct({ code: Schema.Number }))
})
const decodeErrorBody = Schema.decodeUnknownOption(Schema.parseJson(ErrorBody))

/**
 * Maps an X error answer to a `BearerTokenError`: code 99 → `CredentialsUnverified`, 89 →
 * `InvalidOrExpiredToken` (HTTP 401 in the Bearer guide, 403 in the global table: both are accepted),
 * 220 → `CredentialsNotAllowed`. Anything else is `None`.
 *
 * @since 0.1.0
 * @category errors
 */
export const fromErrorBody = (status: number, body: string): Option.Option<BearerTokenError> => {
  if (status !== 401 && status !== 403) return Option.none()
  return Option.flatMap(decodeErrorBody(body), ({ errors }) => {
    for (const { code } of errors) {
      if (code === 89) return Option.some(new BearerTokenError({ reason: "InvalidOrExpiredToken", status, code }))
      if (code === 220) return Option.some(new BearerTokenError({ reason: "CredentialsNotAllowed", status, code }))
      if (code === 99) return Option.some(new BearerTokenError({ reason: "CredentialsUnverified", status, code }))
    }
    return Option.none()
  })
}

/**
 * The Basic credentials of the token endpoints: `Base64(rfc1738(consumerKey) ":" rfc1738(consumerSecret))`
 * (X's keys are alphanumeric, so RFC 3986 and RFC 1738 encodings agree on them).
 *
 * @since 0.1.0
 * @category encoding
 */
export const basicCredentials = (app: Credentials.AppCredentials): Redacted.Redacted =>
  Redacted.make(
    Buffer.from(`${percentEncode(app.consumerKey)}:${percentEncode(Redacted.value(app.consumerSecret))}`).toString(
      "base64"
    )
  )

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The app's Bearer token, fetched once per credential set and then cached. */
  readonly get: (app: Credentials.AppCredentials) => Effect.Effect<Redacted.Redacted, BearerTokenError>
  /** Revokes the app's token at X (fetching it first if none is cached) and drops it from the cache. */
  readonly invalidate: (app: Credentials.AppCredentials) => Effect.Effect<void, BearerTokenError>
  /** Drops the cached token (after a code 89) without calling X. */
  readonly clear: (app: Credentials.AppCredentials) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class BearerToken extends Context.Tag("@account-activity/auth/BearerToken")<BearerToken, Service>() {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API origin; default `https://api.x.com`. */
  readonly baseUrl?: string | undefined
}

const TokenBody = Schema.parseJson(Schema.Struct({ token_type: Schema.String, access_token: Schema.String }))
const decodeTokenBody = Schema.decodeUnknownOption(TokenBody)

const keyOf = (app: Credentials.AppCredentials): string =>
  createHash("sha256")
    .update(app.consumerKey)
    .update("\u0000")
    .update(Redacted.value(app.consumerSecret))
    .digest("base64")

/**
 * Builds the service with its own token cache. The first caller of a credential set fetches the token;
 * concurrent callers wait for that fetch (and fetch again themselves if it was interrupted).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const base = (options?.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
    const cache = new Map<string, Deferred.Deferred<Redacted.Redacted, BearerTokenError>>()

    const execute = (request: HttpClientRequest.HttpClientRequest, app: Credentials.AppCredentials) =>
      client
        .execute(
          request.pipe(
            HttpClientRequest.setHeader("Authorization", `Basic ${Redacted.value(basicCredentials(app))}`),
            HttpClientRequest.acceptJson
          )
        )
        .pipe(
          Effect.catchAll((error) =>
            Effect.fail(
              new BearerTokenError({
                reason: "RequestFailed",
                detail: `${error._tag} ${"reason" in error ? error.reason : ""}`.trim()
              })
            )
          )
        )

    const readBody = (response: HttpClientResponse.HttpClientResponse) =>
      response.text.pipe(
        Effect.mapError(
          () =>
            new BearerTokenError({ reason: "UnexpectedResponse", status: response.status, detail: "unreadable body" })
        )
      )

    const failFrom = (status: number, body: string) =>
      Effect.fail(
        Option.getOrElse(
          fromErrorBody(status, body),
          () => new BearerTokenError({ reason: "UnexpectedResponse", status })
        )
      )

    const fetchToken = (app: Credentials.AppCredentials): Effect.Effect<Redacted.Redacted, BearerTokenError> =>
      Effect.gen(function* () {
        const response = yield* execute(
          HttpClientRequest.post(`${base}/oauth2/token`).pipe(
            HttpClientRequest.bodyText(
              "grant_type=client_credentials",
              "application/x-www-form-urlencoded;charset=UTF-8"
            )
          ),
          app
        )
        const body = yield* readBody(response)
        if (response.status !== 200) return yield* failFrom(response.status, body)
        const decoded = decodeTokenBody(body)
        if (Option.isNone(decoded)) {
          return yield* new BearerTokenError({ reason: "UnexpectedResponse", status: 200, detail: "not a token body" })
        }
        if (decoded.value.token_type.toLowerCase() !== "bearer") {
          return yield* new BearerTokenError({ reason: "UnexpectedTokenType", detail: decoded.value.token_type })
        }
        return Redacted.make(decoded.value.access_token)
      })

    const get = (app: Credentials.AppCredentials): Effect.Effect<Redacted.Redacted, BearerTokenError> =>
      Effect.suspend(() => {
        const key = keyOf(app)
        const pending = cache.get(key)
        if (pending !== undefined) {
          // the fiber fetching for everyone was interrupted: fetch again from this one
          return Deferred.await(pending).pipe(
            Effect.catchAllCause((cause) => (Cause.isInterruptedOnly(cause) ? get(app) : Effect.failCause(cause)))
          )
        }
        const deferred = Deferred.unsafeMake<Redacted.Redacted, BearerTokenError>(FiberId.none)
        cache.set(key, deferred)
        return fetchToken(app).pipe(
          Effect.onExit((exit) => {
            if (Exit.isFailure(exit) && cache.get(key) === deferred) cache.delete(key)
            return Deferred.done(deferred, exit)
          })
        )
      })

    const clear = (app: Credentials.AppCredentials): Effect.Effect<void> =>
      Effect.sync(() => {
        cache.delete(keyOf(app))
      })

    const invalidate = (app: Credentials.AppCredentials): Effect.Effect<void, BearerTokenError> =>
      Effect.gen(function* () {
        const token = yield* get(app)
        yield* clear(app)
        const response = yield* execute(
          HttpClientRequest.post(`${base}/oauth2/invalidate_token`).pipe(
            HttpClientRequest.bodyText(
              `access_token=${percentEncode(Redacted.value(token))}`,
              "application/x-www-form-urlencoded;charset=UTF-8"
            )
          ),
          app
        )
        const body = yield* readBody(response)
        if (response.status !== 200) return yield* failFrom(response.status, body)
      })

    return { get, invalidate, clear }
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<BearerToken, never, HttpClient.HttpClient> =>
  Layer.effect(BearerToken, make(options))

/**
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<BearerToken, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(BearerToken, Effect.flatMap(Config.unwrap(config), make))

const whereOf = (e: BearerTokenError): string =>
  e.status === undefined ? "" : ` (HTTP ${e.status}${e.code === undefined ? "" : `, code ${e.code}`})`
const detailOf = (e: BearerTokenError): string => (e.detail === undefined ? "" : `: ${e.detail}`)

const messages: { readonly [R in Reason]: (e: BearerTokenError) => string } = {
  CredentialsUnverified: (e) =>
    `X could not verify the app credentials${whereOf(e)}: check the consumer key and secret, and do not request tokens too often (they are cached).`,
  InvalidOrExpiredToken: (e) =>
    `The Bearer token is invalid or expired${whereOf(e)}: a fetched token is dropped from the cache and fetched again by the next request; a static token must be replaced.`,
  CredentialsNotAllowed: (e) =>
    `A Bearer token cannot call this endpoint${whereOf(e)}: it needs OAuth 1.0a user context (AuthKind.AppOwner or AuthKind.User).`,
  UnexpectedTokenType: (e) =>
    `/oauth2/token answered a token that is not of type "bearer"${detailOf(e)}: check that the base URL points at the X API.`,
  UnexpectedResponse: (e) =>
    `Unexpected answer from the token endpoint${whereOf(e)}${detailOf(e)}: check the base URL and that the app has access.`,
  RequestFailed: (e) => `The token request did not complete${detailOf(e)}: check the network and the base URL.`
}
