/**
 * Signs `HttpClient` requests for an `AuthKind`: OAuth 1.0a with the app owner's or a user's tokens, or an
 * app-only Bearer token (a configured static one, or fetched with the app's client credentials and
 * cached). The signature covers the final URL (url params included) and form bodies, never JSON bodies.
 *
 * @example
 * ```ts
 * import { AuthClient, AuthKind } from "@account-activity/auth"
 * import { HttpClient, HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* AuthClient.signed(AuthKind.AppOwner)(yield* HttpClient.HttpClient)
 *   return yield* client.execute(
 *     HttpClientRequest.post("https://api.x.com/1.1/account_activity/webhooks.json").pipe(
 *       HttpClientRequest.setUrlParam("url", "https://example.com/webhook")
 *     )
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Config, type ConfigError, Context, Effect, Layer, Option, type Redacted } from "effect"
import type { AuthKind } from "./AuthKind.js"
import * as BearerToken from "./BearerToken.js"
import type * as Credentials from "./Credentials.js"
import * as OAuth1Signer from "./OAuth1Signer.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The app's consumer key and secret: used by every auth kind. */
  readonly app: Credentials.AppCredentials
  /** The app owner's access token and secret, for `AuthKind.AppOwner`. */
  readonly owner?: Credentials.UserTokens | undefined
  /** A static Bearer token; without it one is fetched with the app's credentials and cached. */
  readonly bearerToken?: Redacted.Redacted | undefined
  /** The API origin for `/oauth2/token`; default `https://api.x.com`. */
  readonly baseUrl?: string | undefined
}

/**
 * The errors a signed client adds to its own: a request that cannot be signed (`RequestError` with
 * reason `Encode`) and Bearer token failures.
 *
 * @since 0.1.0
 * @category models
 */
export type SignError = HttpClientError.RequestError | BearerToken.BearerTokenError

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Sets the `Authorization` header of one request for `kind`. */
  readonly sign: (
    kind: AuthKind
  ) => (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest, SignError>
  /**
   * A client whose every request is signed for `kind`, after the client's own request transforms (apply it
   * after `prependUrl`). For `AppOnly`, a 401/403 answer with code 89, 99 or 220 fails with a
   * `BearerTokenError`, and code 89 drops the cached token.
   */
  readonly signed: (
    kind: AuthKind
  ) => <E, R>(client: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E | SignError, R>
  /** The app-only Bearer token (the static one, or fetched and cached). */
  readonly bearerToken: Effect.Effect<Redacted.Redacted, BearerToken.BearerTokenError>
  /** Revokes the fetched Bearer token at X and drops it from the cache. */
  readonly invalidateBearerToken: Effect.Effect<void, BearerToken.BearerTokenError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class AuthClient extends Context.Tag("@account-activity/auth/AuthClient")<AuthClient, Service>() {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<Service, never, OAuth1Signer.OAuth1Signer | BearerToken.BearerToken> =>
  Effect.gen(function* () {
    const signer = yield* OAuth1Signer.OAuth1Signer
    const bearer = yield* BearerToken.BearerToken
    const staticToken = options.bearerToken

    const bearerToken: Effect.Effect<Redacted.Redacted, BearerToken.BearerTokenError> =
      staticToken === undefined ? bearer.get(options.app) : Effect.succeed(staticToken)

    const sign =
      (kind: AuthKind) =>
      (request: HttpClientRequest.HttpClientRequest): Effect.Effect<HttpClientRequest.HttpClientRequest, SignError> => {
        switch (kind._tag) {
          case "AppOwner":
            return options.owner === undefined
              ? Effect.fail(
                  new HttpClientError.RequestError({
                    request,
                    reason: "Encode",
                    description:
                      "AuthKind.AppOwner needs the app owner's access token and secret: set `owner` in the AuthClient options"
                  })
                )
              : signer.signRequest(request, { app: options.app, user: options.owner })
          case "User":
            return signer.signRequest(request, { app: options.app, user: kind.tokens })
          case "AppOnly":
            return Effect.map(bearerToken, (token) => HttpClientRequest.bearerToken(request, token))
        }
      }

    const checkBearerResponse = (
      response: HttpClientResponse.HttpClientResponse
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, BearerToken.BearerTokenError> => {
      if (response.status !== 401 && response.status !== 403) return Effect.succeed(response)
      return response.text.pipe(
        Effect.option,
        Effect.flatMap((body) => {
          const error = Option.flatMap(body, (text) => BearerToken.fromErrorBody(response.status, text))
          if (Option.isNone(error)) return Effect.succeed(response)
          const clear =
            error.value.reason === "InvalidOrExpiredToken" && staticToken === undefined
              ? bearer.clear(options.app)
              : Effect.void
          return Effect.zipRight(clear, Effect.fail(error.value))
        })
      )
    }

    const signed =
      (kind: AuthKind) =>
      <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | SignError, R> => {
        const signing = HttpClient.mapRequestEffect(client, sign(kind))
        return kind._tag === "AppOnly"
          ? HttpClient.transformResponse(signing, Effect.flatMap(checkBearerResponse))
          : signing
      }

    return {
      sign,
      signed,
      bearerToken,
      invalidateBearerToken: staticToken === undefined ? bearer.invalidate(options.app) : Effect.void
    }
  })

/**
 * The Layer apps provide: OAuth 1.0a signing with nonces from `node:crypto`, Bearer tokens fetched from
 * `baseUrl` through the `HttpClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AuthClient, never, HttpClient.HttpClient> =>
  Layer.effect(AuthClient, make(options)).pipe(
    Layer.provide(Layer.merge(OAuth1Signer.layer, BearerToken.layer({ baseUrl: options.baseUrl })))
  )

/**
 * `layer` with its options read from `Config`; the app chooses the names.
 *
 * @example
 * ```ts
 * import { AuthClient } from "@account-activity/auth"
 * import { Config } from "effect"
 *
 * const AuthLive = AuthClient.layerConfig({
 *   app: { consumerKey: Config.string("AAA_CONSUMER_KEY"), consumerSecret: Config.redacted("AAA_CONSUMER_SECRET") },
 *   owner: { accessToken: Config.string("AAA_ACCESS_TOKEN"), accessTokenSecret: Config.redacted("AAA_ACCESS_TOKEN_SECRET") }
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<AuthClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))

/**
 * `client` signed for `kind` with the `AuthClient` in context.
 *
 * @since 0.1.0
 * @category combinators
 */
export const signed =
  (kind: AuthKind) =>
  <E, R>(
    client: HttpClient.HttpClient.With<E, R>
  ): Effect.Effect<HttpClient.HttpClient.With<E | SignError, R>, never, AuthClient> =>
    Effect.map(AuthClient, (service) => service.signed(kind)(client))
