/**
 * The OAuth 1.0a signing service: `OAuth1.sign` with the nonce drawn from `Nonce` and the timestamp from
 * `Clock`, so a test controls both.
 *
 * @since 0.1.0
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Context, Effect, Layer } from "effect"
import type * as Credentials from "./Credentials.js"
import { requestParts } from "./internal/request.js"
import * as Nonce from "./Nonce.js"
import * as OAuth1 from "./OAuth1.js"

/**
 * The request parts that are signed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  /** The full URL as requested, including its query. */
  readonly url: string | URL
  /** Decoded parameters of an `application/x-www-form-urlencoded` body; never a JSON body. */
  readonly formParams?: OAuth1.Params | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Signs with a fresh nonce and the current time. */
  readonly sign: (request: Request, credentials: Credentials.OAuth1Credentials) => Effect.Effect<OAuth1.Signed>
  /** The `Authorization` header value for `request`. */
  readonly authorization: (request: Request, credentials: Credentials.OAuth1Credentials) => Effect.Effect<string>
  /**
   * Sets the `Authorization` header of an outgoing request, signed over its final URL (url params
   * included) and, for a form body, its parameters. Fails if a form body is streamed.
   */
  readonly signRequest: (
    request: HttpClientRequest.HttpClientRequest,
    credentials: Credentials.OAuth1Credentials
  ) => Effect.Effect<HttpClientRequest.HttpClientRequest, HttpClientError.RequestError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class OAuth1Signer extends Context.Tag("@account-activity/auth/OAuth1Signer")<OAuth1Signer, Service>() {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, Nonce.Nonce> = Effect.gen(function* () {
  const nonces = yield* Nonce.Nonce
  const sign = (request: Request, credentials: Credentials.OAuth1Credentials) =>
    Effect.all([nonces.next, Clock.currentTimeMillis]).pipe(
      Effect.map(([nonce, millis]) =>
        OAuth1.sign({
          method: request.method,
          url: request.url,
          formParams: request.formParams,
          credentials,
          nonce,
          timestamp: Math.floor(millis / 1000)
        })
      )
    )
  return {
    sign,
    authorization: (request, credentials) => Effect.map(sign(request, credentials), (signed) => signed.authorization),
    signRequest: (request, credentials) =>
      requestParts(request).pipe(
        Effect.flatMap((parts) => sign(parts, credentials)),
        Effect.map((signed) => HttpClientRequest.setHeader(request, "Authorization", signed.authorization))
      )
  }
})

/**
 * Needs a `Nonce` source.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutNonce: Layer.Layer<OAuth1Signer, never, Nonce.Nonce> = Layer.effect(OAuth1Signer, make)

/**
 * The signer with nonces from `node:crypto`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<OAuth1Signer> = Layer.provide(layerWithoutNonce, Nonce.layer)
