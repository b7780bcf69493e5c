/**
 * The HTTP face of the emulator: the 11 v1.1 Account Activity endpoints under `/1.1/account_activity/…`,
 * `POST /oauth2/token` and `POST /oauth2/invalidate_token`, with X's auth kinds, status codes, bodies,
 * error codes and rate-limit headers; and the control API under `/_emulator/`.
 *
 * @example
 * ```ts
 * import { Emulator, Server } from "@account-activity/emulator"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * // http://127.0.0.1:8787/1.1/account_activity/webhooks.json …
 * const EmulatorLive = Server.layer({ port: 8787 }).pipe(
 *   Layer.provideMerge(Server.layerReplay), // optional: replay jobs run by themselves
 *   Layer.provideMerge(Server.layerDeliveries()), // optional: signed deliveries, needed by layerReplay
 *   Layer.provideMerge(Emulator.layer({ seed: 1 })),
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * @since 0.1.0
 */
import { createServer } from "node:http"
import type { ApiError } from "@account-activity/core"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Layer, Option, Redacted } from "effect"
import * as Deliveries from "./Deliveries.js"
import * as Emulator from "./Emulator.js"
import type * as EmulatorConfig from "./EmulatorConfig.js"
import * as Control from "./internal/control.js"
import * as Routes from "./internal/routes.js"
import * as ReplayEngine from "./ReplayEngine.js"

/**
 * The path prefix of the control API. Nothing of X lives under it.
 *
 * @since 0.1.0
 * @category constants
 */
export const controlPrefix = "/_emulator/"

const errorResponse = (rejection: Emulator.ApiRejection, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(rejection.body, { status: rejection.status, headers })

const rejection = (entry: ApiError.CatalogName) => new Emulator.ApiRejection({ entry })

const schemeOf = (authorization: string | undefined): Emulator.AuthScheme => {
  if (authorization === undefined || authorization.trim() === "") return "None"
  if (/^oauth /i.test(authorization)) return "OAuth1"
  if (/^bearer /i.test(authorization)) return "Bearer"
  if (/^basic /i.test(authorization)) return "Basic"
  return "Other"
}

/** The error X answers when a principal of the wrong kind calls an endpoint, if any. */
const wrongKind = (
  match: Routes.Match,
  principal: Emulator.Principal,
  strictAuth: boolean
): ApiError.CatalogName | undefined => {
  if (principal._tag === "App") {
    if (match.kind === "app") return undefined
    if (match.endpoint === "registerWebhook") return "CannotWrite"
    if (match.endpoint === "validateWebhook" && !strictAuth) return undefined
    return "CredentialsNotAllowed"
  }
  if (match.kind !== "app") return undefined
  if (match.endpoint === "replay") return "WrongAuthMethod"
  if (match.endpoint === "listWebhooks" && !strictAuth) return undefined
  return "CouldNotAuthenticate"
}

const formParams = (request: HttpServerRequest.HttpServerRequest) =>
  /^application\/x-www-form-urlencoded/i.test(request.headers["content-type"] ?? "")
    ? Effect.map(
        Effect.orElseSucceed(request.text, () => ""),
        (text) => new URLSearchParams(text)
      )
    : Effect.succeed(new URLSearchParams())

const param = (query: URLSearchParams, form: URLSearchParams, name: string): string | undefined =>
  query.get(name) ?? form.get(name) ?? undefined

/** Runs one v1.1 endpoint for an authenticated principal. */
const runEndpoint = (
  emulator: Emulator.Service,
  match: Routes.Match,
  principal: Emulator.Principal,
  request: HttpServerRequest.HttpServerRequest,
  query: URLSearchParams
): Effect.Effect<HttpServerResponse.HttpServerResponse, Emulator.ApiRejection> => {
  const appId = principal.app.id
  const userId = principal._tag === "User" ? principal.userId : ""
  const [first = "", second = ""] = match.params
  const noContent = Effect.as(HttpServerResponse.empty({ status: 204 }))
  switch (match.endpoint) {
    case "registerWebhook":
      return Effect.gen(function* () {
        const form = yield* formParams(request)
        const webhook = yield* emulator.registerWebhook(appId, param(query, form, "url"))
        return HttpServerResponse.unsafeJson(Emulator.webhookJson(webhook))
      })
    case "listWebhooks":
      return Effect.map(emulator.listWebhooks(appId), (list) =>
        HttpServerResponse.unsafeJson(list.map(Emulator.webhookJson))
      )
    case "validateWebhook":
      return noContent(emulator.validateWebhook(appId, first))
    case "deleteWebhook":
      return noContent(emulator.deleteWebhook(appId, first))
    case "subscribe":
      return noContent(
        emulator.subscribe({
          appId,
          webhookId: first,
          userId,
          permission: principal._tag === "User" ? principal.permission : undefined
        })
      )
    case "checkSubscription":
      return noContent(emulator.checkSubscription({ appId, webhookId: first, userId }))
    case "countSubscriptions":
      return Effect.map(emulator.countSubscriptions(appId), (count) => HttpServerResponse.unsafeJson(count))
    case "listSubscriptions":
      return Effect.map(emulator.listSubscriptions(appId, first), (list) => HttpServerResponse.unsafeJson(list))
    case "unsubscribe":
      return noContent(emulator.unsubscribe({ appId, webhookId: first, userId }))
    case "unsubscribeUser":
      return noContent(emulator.unsubscribe({ appId, webhookId: first, userId: second }))
    case "replay":
      return Effect.map(
        emulator.requestReplay({
          appId,
          webhookId: first,
          fromDate: query.get("from_date") ?? undefined,
          toDate: query.get("to_date") ?? undefined
        }),
        (job) => HttpServerResponse.unsafeJson(Emulator.replayJobJson(job), { status: 202 })
      )
  }
}

const rateLimitHeaders = (state: Emulator.RateLimitState): Record<string, string> => ({
  "x-rate-limit-limit": String(state.limit),
  "x-rate-limit-remaining": String(state.remaining),
  "x-rate-limit-reset": String(state.reset)
})

/** One v1.1 API request, from authentication to the answer. */
const api = (
  emulator: Emulator.Service,
  match: Routes.Match,
  request: HttpServerRequest.HttpServerRequest,
  query: URLSearchParams
) =>
  Effect.gen(function* () {
    const principal = yield* Effect.either(emulator.authenticate(request))
    if (principal._tag === "Left") return errorResponse(principal.left)
    const config = yield* emulator.config
    const refused = wrongKind(match, principal.right, config.strictAuth)
    if (refused !== undefined) return errorResponse(rejection(refused))
    const window = yield* emulator.countRequest(match.endpoint, principal.right)
    const headers = rateLimitHeaders(window)
    if (window.exceeded) {
      return errorResponse(
        rejection(match.endpoint === "replay" ? "ReplayRateLimitExceeded" : "RateLimitExceeded"),
        headers
      )
    }
    return yield* runEndpoint(emulator, match, principal.right, request, query).pipe(
      Effect.map(HttpServerResponse.setHeaders(headers)),
      Effect.catchTag("ApiRejection", (error) => Effect.succeed(errorResponse(error, headers)))
    )
  })

/** `POST /oauth2/token`: the client credentials grant. */
const token = (emulator: Emulator.Service, request: HttpServerRequest.HttpServerRequest, query: URLSearchParams) =>
  Effect.gen(function* () {
    const app = yield* emulator.authenticateBasic(request.headers.authorization)
    const form = yield* formParams(request)
    if (param(query, form, "grant_type") !== "client_credentials") return yield* rejection("CredentialsUnverified")
    const issued = yield* emulator.issueBearerToken(app.id).pipe(Effect.orDie)
    return HttpServerResponse.unsafeJson({ token_type: "bearer", access_token: Redacted.value(issued) })
  })

/**
 * `POST /oauth2/invalidate_token`: X documents Basic credentials (the app-only guide) and OAuth 1.0a with the
 * app owner's tokens (the API reference); both are accepted. The token comes from the form body or the query.
 */
const invalidate = (emulator: Emulator.Service, request: HttpServerRequest.HttpServerRequest, query: URLSearchParams) =>
  Effect.gen(function* () {
    const authorization = request.headers.authorization
    const app =
      schemeOf(authorization) === "OAuth1"
        ? (yield* emulator.authenticate(request).pipe(Effect.mapError(() => rejection("CredentialsUnverified")))).app
        : yield* emulator.authenticateBasic(authorization)
    const form = yield* formParams(request)
    const value = param(query, form, "access_token")
    if (value === undefined) return yield* rejection("CredentialsUnverified")
    yield* emulator.invalidateBearerToken(app.id, value)
    return HttpServerResponse.unsafeJson({ access_token: value })
  })

const codeOf = (response: HttpServerResponse.HttpServerResponse): Effect.Effect<Option.Option<number>> => {
  if (response.status < 400 || response.body._tag !== "Uint8Array") return Effect.succeed(Option.none())
  try {
    const parsed = JSON.parse(new TextDecoder().decode(response.body.body)) as {
      readonly errors?: ReadonlyArray<{ readonly code?: unknown }>
    }
    const code = parsed.errors?.[0]?.code
    return Effect.succeed(typeof code === "number" ? Option.some(code) : Option.none())
  } catch {
    return Effect.succeed(Option.none())
  }
}

/**
 * The whole server as an `HttpApp`: the API, the token endpoints and the control API. Every API request is
 * recorded in the request log.
 *
 * @since 0.1.0
 * @category http
 */
export const app: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  Emulator.Emulator | HttpServerRequest.HttpServerRequest
> = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const request = yield* HttpServerRequest.HttpServerRequest
  const url = new URL(request.url, "http://emulator.invalid")
  if (url.pathname.startsWith(controlPrefix)) {
    return yield* Control.handle(emulator, request, url, yield* Effect.serviceOption(Deliveries.Deliveries))
  }
  const match = Routes.match(request.method, url.pathname)
  const handled: Effect.Effect<HttpServerResponse.HttpServerResponse, Emulator.ApiRejection> =
    match !== undefined
      ? api(emulator, match, request, url.searchParams)
      : request.method === "POST" && url.pathname === "/oauth2/token"
        ? token(emulator, request, url.searchParams)
        : request.method === "POST" && url.pathname === "/oauth2/invalidate_token"
          ? invalidate(emulator, request, url.searchParams)
          : Effect.succeed(errorResponse(rejection("PageNotFound")))
  const response = yield* handled.pipe(
    Effect.catchTag("ApiRejection", (error) => Effect.succeed(errorResponse(error))),
    Effect.catchAllDefect((defect) =>
      Effect.as(
        Effect.logError("the emulator failed to answer a request", defect),
        errorResponse(rejection("InternalError"))
      )
    )
  )
  yield* emulator.logRequest({
    method: request.method,
    url: request.url,
    endpoint: Option.map(Option.fromNullable(match), (m): EmulatorConfig.Endpoint => m.endpoint),
    auth: schemeOf(request.headers.authorization),
    status: response.status,
    code: yield* codeOf(response)
  })
  return response
})

/**
 * Serves {@link app} on the `HttpServer` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const serve: Layer.Layer<never, never, Emulator.Emulator | HttpServer.HttpServer> = HttpServer.serve(app)

/**
 * The delivery engine wired to the emulator: it skips webhooks that are not valid, writes its log and records in
 * the emulator's time (so `advanceClock` moves them along with Replay's windows), and the control routes
 * `POST /_emulator/activity`, `GET /_emulator/deliveries` and `/_emulator/faults` use it. Without it those
 * routes answer 501.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDeliveries = (
  options: Omit<Deliveries.Options, "canDeliver" | "now"> = {}
): Layer.Layer<Deliveries.Deliveries, never, Emulator.Emulator | HttpClient.HttpClient> =>
  Layer.scoped(
    Deliveries.Deliveries,
    Effect.flatMap(Emulator.Emulator, (emulator) =>
      Deliveries.make({
        ...options,
        canDeliver: (webhookId) => emulator.isDeliverable(webhookId),
        now: emulator.now
      })
    )
  )

/**
 * The replay engine wired to the emulator and its delivery engine: every job the replay endpoint accepts then
 * runs in the background (CRC, redelivery of the window oldest first, `replay_job_status`) and ends by itself.
 * Without it a job stays `Running` until `completeReplayJob` ends it. Provide it above {@link layerDeliveries}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerReplay: Layer.Layer<ReplayEngine.ReplayEngine, never, Emulator.Emulator | Deliveries.Deliveries> =
  ReplayEngine.layer

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default 0: any free port (read it back with {@link url}). */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
}

/**
 * The emulator's HTTP server on Node, listening on `host:port`. Provides the `HttpServer` (for its address).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError, Emulator.Emulator> =>
  serve.pipe(
    Layer.provideMerge(
      NodeHttpServer.layer(createServer, { port: options.port ?? 0, host: options.host ?? "127.0.0.1" })
    )
  )

/**
 * The base URL of the running server, e.g. `http://127.0.0.1:51234`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const url: Effect.Effect<string, never, HttpServer.HttpServer> = HttpServer.addressFormattedWith((address) =>
  Effect.succeed(address)
)
