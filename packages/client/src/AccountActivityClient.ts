/**
 * The Account Activity API client: the 11 v1.1 Enterprise endpoints as an Effect service, each signed with
 * the credentials it needs, each answer decoded with core's schemas, each error answer turned into core's
 * tagged `ApiError` by its code, rate limits tracked and honoured, retries only where they are safe.
 *
 * - **Auth** is chosen per endpoint (see `Endpoint`): the app owner's tokens to register, validate and
 *   delete webhooks; the subscribing user's tokens (passed to the call) to subscribe, check and
 *   self-unsubscribe; the app-only Bearer token for everything else.
 * - **Rate limits**: the `x-rate-limit-*` headers of every answer are kept per endpoint and auth context
 *   (`rateLimits`). A call whose window is known to be exhausted waits for its reset first, and a `429`
 *   waits until `x-rate-limit-reset` and is sent again, when the wait is at most `maxRateLimitWait`
 *   (default 60 s); otherwise the call fails with `RateLimited` and its `resetAt`.
 * - **Retries**: a 5xx answer, a lost answer or a timeout is retried with exponential backoff and jitter
 *   for `GET`, `PUT` and `DELETE` only. `POST` register, subscribe and replay are sent once: sent again,
 *   a register creates a second webhook. `ensureWebhook` and `ensureSubscribed` recover from those failures
 *   by looking before trying again.
 * - **Time** comes from `Clock`: every wait is a `Clock` sleep, so tests move it with `TestClock`.
 *
 * @since 0.1.0
 */
import { AuthClient, AuthKind, type BearerToken, type Credentials } from "@account-activity/auth"
import { ApiError, type Ids, Rest } from "@account-activity/core"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import {
  Clock,
  Config,
  type ConfigError,
  Context,
  DateTime,
  Duration,
  Effect,
  Either,
  Layer,
  Option,
  ParseResult,
  type Redacted,
  Ref,
  Schedule,
  Schema
} from "effect"
import * as Endpoint from "./Endpoint.js"
import * as RateLimit from "./RateLimit.js"
import { TransportError } from "./TransportError.js"

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * Every error a call can fail with: X's error answers as core's tagged errors (`WebhookNotFound`,
 * `CrcFailed`, `Unauthorized`, `RateLimited`, …), and the client's `TransportError` when there was no
 * usable answer.
 *
 * @since 0.1.0
 * @category errors
 */
export type ClientError = ApiError.ApiError | TransportError

/**
 * The subscription count as numbers, with the strings X sent kept in `raw`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscriptionsCount extends Rest.SubscriptionsCountNumbers {
  readonly raw: Rest.SubscriptionsCount
}

/**
 * The window of a replay job. `from` is inclusive, `to` exclusive; both are sent as `yyyymmddhhmm` in UTC,
 * seconds dropped. X wants `from` within the last 5 days and at least 31 minutes ago, `to` at least 10
 * minutes ago.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayWindow {
  readonly from: DateTime.DateTime
  readonly to: DateTime.DateTime
}

/**
 * @since 0.1.0
 * @category models
 */
export interface EnsureWebhookOptions {
  /**
   * Delete every other webhook of the app (other URLs, and duplicates of this URL) so that this one is the
   * only one left. Default `false`: other webhooks are left alone. When the URL has no webhook yet, the
   * others are deleted before registering, which frees the slots of an account at its webhook limit.
   */
  readonly replaceOthers?: boolean | undefined
}

/**
 * What `ensureWebhook` found and did: `Reused` a valid webhook of the URL, `Revalidated` an invalid one
 * (PUT, which makes X run a CRC), or `Registered` a new one; `deleted` lists the webhooks removed by
 * `replaceOthers`.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnsuredWebhook {
  readonly webhook: Rest.Webhook
  readonly action: "Reused" | "Revalidated" | "Registered"
  readonly deleted: ReadonlyArray<Ids.WebhookId>
}

/**
 * What `ensureSubscribed` did.
 *
 * @since 0.1.0
 * @category models
 */
export type EnsuredSubscription = "Subscribed" | "AlreadySubscribed"

/**
 * How the client talks to X.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API origin: `https://api.x.com` by default; the emulator's `http://127.0.0.1:<port>` in tests. */
  readonly baseUrl?: string | undefined
  /**
   * The longest a call waits for a rate-limit window to reset (after a `429`, or before sending when the
   * window is known to be exhausted). Beyond it the call fails with `RateLimited`. Default: 60 seconds.
   */
  readonly maxRateLimitWait?: Duration.DurationInput | undefined
  /** How many times one call is sent again after a `429`. Default: 3. */
  readonly rateLimitRetries?: number | undefined
  /**
   * Retries of `GET`, `PUT` and `DELETE` after a 5xx answer, a lost answer or a timeout: `times` retries
   * (default 3), the first after `base` (default 1 second), each next one twice as long, jittered by ±20 %
   * and capped at `cap` (default 30 seconds).
   */
  readonly retry?:
    | {
        readonly times?: number | undefined
        readonly base?: Duration.DurationInput | undefined
        readonly cap?: Duration.DurationInput | undefined
      }
    | undefined
  /** How long one attempt may take, answer body included. Default: 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The options of `layer`: the client's options and the credentials of the app (see `AuthClient.Options`).
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions extends Options {
  /** The app's consumer key and secret. */
  readonly app: Credentials.AppCredentials
  /** The app owner's access token and secret: needed to register, validate and delete webhooks. */
  readonly owner?: Credentials.UserTokens | undefined
  /** A static app-only Bearer token; without it one is fetched with the app's credentials and cached. */
  readonly bearerToken?: Redacted.Redacted | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * `POST account_activity/webhooks.json?url=…` (app owner): registers a webhook; X runs a CRC against the
   * URL first. Sent once, never retried after a 5xx or a lost answer (see `ensureWebhook`).
   */
  readonly registerWebhook: (url: string) => Effect.Effect<Rest.Webhook, ClientError>
  /** `GET account_activity/webhooks.json` (app-only): every webhook of the app, valid or not. */
  readonly listWebhooks: Effect.Effect<ReadonlyArray<Rest.Webhook>, ClientError>
  /**
   * `PUT account_activity/webhooks/:webhook_id.json` (app owner): makes X run a CRC now, and marks the
   * webhook valid again when it passes (`CrcFailed` otherwise).
   */
  readonly validateWebhook: (webhookId: Ids.WebhookId) => Effect.Effect<void, ClientError>
  /** `DELETE account_activity/webhooks/:webhook_id.json` (app owner). */
  readonly deleteWebhook: (webhookId: Ids.WebhookId) => Effect.Effect<void, ClientError>
  /**
   * `POST …/webhooks/:webhook_id/subscriptions/all.json` with the subscribing user's tokens. Fails with
   * `SubscriptionExists` (code 355) when the user is already subscribed: `ensureSubscribed` takes that as
   * success. Never retried after a 5xx or a lost answer.
   */
  readonly subscribe: (webhookId: Ids.WebhookId, user: Credentials.UserTokens) => Effect.Effect<void, ClientError>
  /**
   * `GET …/webhooks/:webhook_id/subscriptions/all.json` with the user's tokens: `true` on `204`. X does not
   * document its "not subscribed" answer; a `404` (`NotFound`, code 34 "Sorry, that page does not exist.")
   * is taken as `false`. An unknown webhook (`WebhookNotFound`) stays an error.
   */
  readonly checkSubscription: (
    webhookId: Ids.WebhookId,
    user: Credentials.UserTokens
  ) => Effect.Effect<boolean, ClientError>
  /**
   * `DELETE …/webhooks/:webhook_id/subscriptions/all.json` with the user's tokens. Deprecated by X: prefer
   * `deleteSubscription`, which needs only the app's Bearer token.
   */
  readonly unsubscribe: (webhookId: Ids.WebhookId, user: Credentials.UserTokens) => Effect.Effect<void, ClientError>
  /** `GET account_activity/subscriptions/count.json` (app-only). */
  readonly subscriptionsCount: Effect.Effect<SubscriptionsCount, ClientError>
  /** `GET …/webhooks/:webhook_id/subscriptions/all/list.json` (app-only). */
  readonly listSubscriptions: (webhookId: Ids.WebhookId) => Effect.Effect<Rest.SubscriptionsList, ClientError>
  /**
   * `DELETE …/webhooks/:webhook_id/subscriptions/:user_id/all.json` (app-only). `NotFound` when the user is
   * not subscribed.
   */
  readonly deleteSubscription: (webhookId: Ids.WebhookId, userId: Ids.UserId) => Effect.Effect<void, ClientError>
  /**
   * `POST account_activity/replay/webhooks/:webhook_id/subscriptions/all.json?from_date&to_date` (app-only):
   * `202` with the job. One job per webhook at a time (`ReplayInProgress` otherwise); the end of the job
   * arrives at the webhook as a `replay_job_status` event. Never retried after a 5xx or a lost answer.
   */
  readonly replay: (webhookId: Ids.WebhookId, window: ReplayWindow) => Effect.Effect<Rest.ReplayJobCreated, ClientError>
  /**
   * Makes sure the app has a valid webhook for `url`, whatever it had before. A webhook matches when its
   * `url` is exactly this string (no normalization: a trailing slash, a different case or a query make
   * another URL). A valid match is reused; an invalid one is validated again (PUT); without a match the URL
   * is registered. If registering fails without an answer (5xx, timeout), the webhooks are listed again and
   * a webhook that appeared for the URL is returned, so running it again never registers twice.
   */
  readonly ensureWebhook: (url: string, options?: EnsureWebhookOptions) => Effect.Effect<EnsuredWebhook, ClientError>
  /**
   * Makes sure `user` is subscribed to the webhook: checks, subscribes when missing, and takes code 355
   * "Subscription already exists." as success. If subscribing fails without an answer, checks again.
   */
  readonly ensureSubscribed: (
    webhookId: Ids.WebhookId,
    user: Credentials.UserTokens
  ) => Effect.Effect<EnsuredSubscription, ClientError>
  /** The last rate-limit window seen per endpoint and auth context. */
  readonly rateLimits: Effect.Effect<ReadonlyArray<RateLimit.RateLimit>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class AccountActivityClient extends Context.Tag("@account-activity/client/AccountActivityClient")<
  AccountActivityClient,
  Service
>() {}

/**
 * The default API origin.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl = "https://api.x.com"

// -----------------------------------------------------------------------------
// Constructors
// -----------------------------------------------------------------------------

interface Answer {
  readonly status: number
  readonly headers: HttpClientResponse.HttpClientResponse["headers"]
  readonly text: string
}

interface Call {
  readonly endpoint: Endpoint.Endpoint
  readonly kind: AuthKind.AuthKind
  readonly path: string
  readonly query?: Readonly<Record<string, string>> | undefined
}

const detailOf = (text: string): string => (text.length > 500 ? `${text.slice(0, 500)}…` : text)

const isRetriable = (error: ClientError): boolean =>
  error._tag === "ServerError" ||
  (error._tag === "TransportError" &&
    (error.reason === "RequestFailed" || error.reason === "Timeout" || error.reason === "UnreadableResponse"))

const bearerCatalog = {
  InvalidOrExpiredToken: ApiError.Catalog.InvalidOrExpiredToken,
  CredentialsNotAllowed: ApiError.Catalog.CredentialsNotAllowed,
  CredentialsUnverified: ApiError.Catalog.CredentialsUnverified
} as const

const bearerReason = {
  InvalidOrExpiredToken: "InvalidToken",
  CredentialsNotAllowed: "CredentialsNotAllowed",
  CredentialsUnverified: "CredentialsUnverified"
} as const

/**
 * Builds the client on the `HttpClient` and the `AuthClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, never, HttpClient.HttpClient | AuthClient.AuthClient> =>
  Effect.gen(function* () {
    const auth = yield* AuthClient.AuthClient
    const http = yield* HttpClient.HttpClient
    const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
    const maxWait = Duration.toMillis(options.maxRateLimitWait ?? Duration.seconds(60))
    const rateLimitRetries = Math.max(0, options.rateLimitRetries ?? 3)
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(30))
    const retryCap = Duration.decode(options.retry?.cap ?? Duration.seconds(30))
    const retrySchedule = Schedule.exponential(options.retry?.base ?? Duration.seconds(1), 2).pipe(
      Schedule.jittered,
      Schedule.modifyDelay((delay) => Duration.min(delay, retryCap)),
      Schedule.intersect(Schedule.recurs(Math.max(0, options.retry?.times ?? 3)))
    )
    const windows = yield* Ref.make<ReadonlyMap<string, RateLimit.RateLimit>>(new Map())
    const base = HttpClient.mapRequest(http, HttpClientRequest.prependUrl(baseUrl))

    const transportError = (
      call: Call,
      reason: TransportError["reason"],
      extra: { status?: number; detail?: string }
    ) =>
      new TransportError({
        reason,
        endpoint: call.endpoint.name,
        method: call.endpoint.method,
        path: call.path,
        ...extra
      })

    const windowKey = (call: Call) => `${call.endpoint.name} ${RateLimit.authContext(call.kind)}`

    const record = (call: Call, answer: Answer) =>
      Option.match(RateLimit.fromHeaders(answer.headers), {
        onNone: () => Effect.void,
        onSome: (window) =>
          Effect.flatMap(DateTime.now, (observedAt) =>
            Ref.update(windows, (current) =>
              new Map(current).set(windowKey(call), {
                endpoint: call.endpoint.name,
                auth: RateLimit.authContext(call.kind),
                ...window,
                observedAt
              })
            )
          )
      })

    /** Waits for the reset of a window known to be exhausted, when that is within `maxWait`. */
    const awaitWindow = (call: Call) =>
      Effect.gen(function* () {
        const window = (yield* Ref.get(windows)).get(windowKey(call))
        if (window === undefined || window.remaining > 0) return
        const wait = DateTime.toEpochMillis(window.resetAt) - (yield* Clock.currentTimeMillis)
        if (wait > 0 && wait <= maxWait) {
          yield* Effect.logDebug(`rate limit of ${window.endpoint} (${window.auth}) exhausted: waiting ${wait} ms`)
          yield* Effect.sleep(Duration.millis(wait))
        }
      })

    const readAnswer = (
      call: Call,
      response: HttpClientResponse.HttpClientResponse
    ): Effect.Effect<Answer, TransportError> =>
      response.text.pipe(
        Effect.map((text) => ({ status: response.status, headers: response.headers, text })),
        Effect.mapError((error) =>
          transportError(call, "UnreadableResponse", { status: response.status, detail: error.description ?? "" })
        )
      )

    const fromBearerError = (call: Call, error: BearerToken.BearerTokenError): ClientError => {
      switch (error.reason) {
        case "InvalidOrExpiredToken":
        case "CredentialsNotAllowed":
        case "CredentialsUnverified": {
          const entry = bearerCatalog[error.reason]
          return new ApiError.Unauthorized({
            reason: bearerReason[error.reason],
            status: error.status ?? entry.status,
            code: error.code ?? entry.code,
            apiMessage: entry.message
          })
        }
        case "RequestFailed":
          // the token request got no answer: as transient as the call's own request, and retried like it
          return transportError(call, "RequestFailed", { detail: `POST /oauth2/token: ${error.detail ?? "no answer"}` })
        default:
          return transportError(call, "BearerTokenUnavailable", { detail: error.message })
      }
    }

    const fromRequestError = (call: Call, error: HttpClientError.HttpClientError): TransportError =>
      error._tag === "RequestError"
        ? transportError(call, error.reason === "Transport" ? "RequestFailed" : "InvalidRequest", {
            detail: error.description ?? error.reason
          })
        : transportError(call, "UnreadableResponse", { status: error.response.status, detail: error.description ?? "" })

    /** One attempt: sign, send, read the answer. */
    const send = (call: Call): Effect.Effect<Answer, ClientError> =>
      Effect.suspend(() => {
        // the answer X gave, seen before the signed client's own check of Bearer errors (89, 99, 220)
        let answered: HttpClientResponse.HttpClientResponse | undefined
        const capturing = HttpClient.transformResponse(
          base,
          Effect.tap((response) =>
            Effect.sync(() => {
              answered = response
            })
          )
        )
        let request = HttpClientRequest.make(call.endpoint.method)(call.path).pipe(HttpClientRequest.acceptJson)
        if (call.query !== undefined) request = HttpClientRequest.setUrlParams(request, call.query)
        return auth
          .signed(call.kind)(capturing)
          .execute(request)
          .pipe(
            Effect.flatMap((response) => readAnswer(call, response)),
            Effect.catchAll((error): Effect.Effect<Answer, ClientError> => {
              if (error._tag === "TransportError") return Effect.fail(error)
              if (error._tag === "BearerTokenError") {
                return answered === undefined ? Effect.fail(fromBearerError(call, error)) : readAnswer(call, answered)
              }
              return Effect.fail(fromRequestError(call, error))
            }),
            Effect.timeoutFail({
              duration: timeout,
              onTimeout: () => transportError(call, "Timeout", { detail: `no answer in ${Duration.format(timeout)}` })
            })
          )
      })

    const attempt = <A>(
      call: Call,
      decode: (answer: Answer) => Effect.Effect<A, ClientError>
    ): Effect.Effect<A, ClientError> =>
      send(call).pipe(
        Effect.tap((answer) => record(call, answer)),
        Effect.flatMap((answer) =>
          answer.status >= 200 && answer.status < 300
            ? decode(answer)
            : Effect.fail(ApiError.fromResponse({ status: answer.status, body: answer.text, headers: answer.headers }))
        )
      )

    /** Attempts with the rate-limit waits and the retries the endpoint allows. */
    const run = <A>(
      call: Call,
      decode: (answer: Answer) => Effect.Effect<A, ClientError>
    ): Effect.Effect<A, ClientError> =>
      Effect.gen(function* () {
        const driver = yield* Schedule.driver(retrySchedule)
        let rateLimited = 0
        while (true) {
          yield* awaitWindow(call)
          const result = yield* Effect.either(attempt(call, decode))
          if (Either.isRight(result)) return result.right
          const error = result.left
          if (error._tag === "RateLimited") {
            if (error.reason === "RateLimit" && error.resetAt !== undefined && rateLimited < rateLimitRetries) {
              const wait = Math.max(1000, DateTime.toEpochMillis(error.resetAt) - (yield* Clock.currentTimeMillis))
              if (wait <= maxWait) {
                rateLimited++
                yield* Effect.logDebug(`${call.endpoint.name}: 429, waiting ${wait} ms for the window to reset`)
                yield* Effect.sleep(Duration.millis(wait))
                continue
              }
            }
            return yield* Effect.fail(error)
          }
          if (call.endpoint.idempotent && isRetriable(error)) {
            const next = yield* Effect.either(driver.next(error))
            if (Either.isRight(next)) {
              yield* Effect.logDebug(`${call.endpoint.name}: retrying after ${error._tag}`)
              continue
            }
          }
          return yield* Effect.fail(error)
        }
      })

    const noContent = (): Effect.Effect<void> => Effect.void

    const json =
      <A, I>(call: Call, schema: Schema.Schema<A, I>) =>
      (answer: Answer): Effect.Effect<A, TransportError> =>
        Schema.decodeUnknown(Schema.parseJson(schema))(answer.text).pipe(
          Effect.mapError((error) =>
            transportError(call, "UnexpectedResponse", {
              status: answer.status,
              detail: detailOf(ParseResult.TreeFormatter.formatErrorSync(error))
            })
          )
        )

    const call = (
      endpoint: Endpoint.Endpoint,
      kind: AuthKind.AuthKind,
      params: { readonly webhook_id?: string; readonly user_id?: string } = {},
      query?: Readonly<Record<string, string>>
    ): Call => ({ endpoint, kind, path: Endpoint.path(endpoint, params), query })

    const { Endpoints } = Endpoint

    const registerWebhook = (url: string) => {
      const c = call(Endpoints.registerWebhook, AuthKind.AppOwner, {}, { url })
      return run(c, json(c, Rest.Webhook))
    }

    const listWebhooksCall = call(Endpoints.listWebhooks, AuthKind.AppOnly)
    const listWebhooks = run(listWebhooksCall, json(listWebhooksCall, Rest.WebhookList))

    const validateWebhook = (webhookId: Ids.WebhookId) =>
      run(call(Endpoints.validateWebhook, AuthKind.AppOwner, { webhook_id: webhookId }), noContent)

    const deleteWebhook = (webhookId: Ids.WebhookId) =>
      run(call(Endpoints.deleteWebhook, AuthKind.AppOwner, { webhook_id: webhookId }), noContent)

    const subscribe = (webhookId: Ids.WebhookId, user: Credentials.UserTokens) =>
      run(call(Endpoints.subscribe, AuthKind.User(user), { webhook_id: webhookId }), noContent)

    const checkSubscription = (webhookId: Ids.WebhookId, user: Credentials.UserTokens) =>
      run(call(Endpoints.checkSubscription, AuthKind.User(user), { webhook_id: webhookId }), noContent).pipe(
        Effect.as(true),
        Effect.catchTag("NotFound", () => Effect.succeed(false))
      )

    const unsubscribe = (webhookId: Ids.WebhookId, user: Credentials.UserTokens) =>
      run(call(Endpoints.unsubscribe, AuthKind.User(user), { webhook_id: webhookId }), noContent)

    const countCall = call(Endpoints.subscriptionsCount, AuthKind.AppOnly)
    const subscriptionsCount = run(countCall, json(countCall, Rest.SubscriptionsCount)).pipe(
      Effect.map((raw): SubscriptionsCount => ({ ...Rest.subscriptionsCountNumbers(raw), raw }))
    )

    const listSubscriptions = (webhookId: Ids.WebhookId) => {
      const c = call(Endpoints.listSubscriptions, AuthKind.AppOnly, { webhook_id: webhookId })
      return run(c, json(c, Rest.SubscriptionsList))
    }

    const deleteSubscription = (webhookId: Ids.WebhookId, userId: Ids.UserId) =>
      run(call(Endpoints.deleteSubscription, AuthKind.AppOnly, { webhook_id: webhookId, user_id: userId }), noContent)

    const replay = (webhookId: Ids.WebhookId, window: ReplayWindow) => {
      const c = call(
        Endpoints.replay,
        AuthKind.AppOnly,
        { webhook_id: webhookId },
        { from_date: Rest.formatReplayDate(window.from), to_date: Rest.formatReplayDate(window.to) }
      )
      return run(c, json(c, Rest.ReplayJobCreated))
    }

    const ensureWebhook = (url: string, ensureOptions: EnsureWebhookOptions = {}) =>
      Effect.gen(function* () {
        const webhooks = yield* listWebhooks
        const matching = webhooks.filter((webhook) => webhook.url === url)
        const found = matching.find((webhook) => webhook.valid) ?? matching[0]
        const others = ensureOptions.replaceOthers === true ? webhooks.filter((webhook) => webhook !== found) : []
        const deleteOthers = Effect.forEach(others, (webhook) =>
          deleteWebhook(webhook.id).pipe(
            // deleted meanwhile: as good as deleted now
            Effect.catchTag("WebhookNotFound", () => Effect.void),
            Effect.as(webhook.id)
          )
        )
        if (found !== undefined) {
          if (found.valid) return { webhook: found, action: "Reused", deleted: yield* deleteOthers } as const
          yield* validateWebhook(found.id)
          const deleted = yield* deleteOthers
          return { webhook: { ...found, valid: true }, action: "Revalidated", deleted } as const
        }
        const deleted = yield* deleteOthers
        const webhook = yield* registerWebhook(url).pipe(
          Effect.catchAll((error) =>
            isRetriable(error)
              ? listWebhooks.pipe(
                  Effect.flatMap((after) => {
                    const created = after.find((webhook) => webhook.url === url)
                    return created === undefined ? Effect.fail(error) : Effect.succeed(created)
                  })
                )
              : Effect.fail(error)
          )
        )
        return { webhook, action: "Registered", deleted } as const
      })

    const ensureSubscribed = (webhookId: Ids.WebhookId, user: Credentials.UserTokens) =>
      Effect.gen(function* () {
        if (yield* checkSubscription(webhookId, user)) return "AlreadySubscribed" as const
        return yield* subscribe(webhookId, user).pipe(
          Effect.as<EnsuredSubscription>("Subscribed"),
          Effect.catchAll((error): Effect.Effect<EnsuredSubscription, ClientError> => {
            if (error._tag === "SubscriptionExists") return Effect.succeed("AlreadySubscribed")
            if (!isRetriable(error)) return Effect.fail(error)
            return checkSubscription(webhookId, user).pipe(
              Effect.flatMap((subscribed) => (subscribed ? Effect.succeed("Subscribed" as const) : Effect.fail(error)))
            )
          })
        )
      })

    return {
      registerWebhook,
      listWebhooks,
      validateWebhook,
      deleteWebhook,
      subscribe,
      checkSubscription,
      unsubscribe,
      subscriptionsCount,
      listSubscriptions,
      deleteSubscription,
      replay,
      ensureWebhook,
      ensureSubscribed,
      rateLimits: Effect.map(Ref.get(windows), (current) => Array.from(current.values()))
    } satisfies Service
  })

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * The Layer apps provide: the client and its `AuthClient` (OAuth 1.0a signing, Bearer tokens fetched from
 * `baseUrl` and cached), on the `HttpClient` in context.
 *
 * @example
 * ```ts
 * import { AccountActivityClient } from "@account-activity/client"
 * import { Credentials } from "@account-activity/auth"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * const ClientLive = AccountActivityClient.layer({
 *   app: Credentials.app({ consumerKey: "…", consumerSecret: "…" }),
 *   owner: Credentials.user({ accessToken: "…", accessTokenSecret: "…" })
 * }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LayerOptions): Layer.Layer<AccountActivityClient, never, HttpClient.HttpClient> =>
  Layer.effect(AccountActivityClient, make(options)).pipe(
    Layer.provide(
      AuthClient.layer({
        app: options.app,
        owner: options.owner,
        bearerToken: options.bearerToken,
        baseUrl: options.baseUrl
      })
    )
  )

/**
 * `layer` with its options read from `Config`; the app chooses the names.
 *
 * @example
 * ```ts
 * import { AccountActivityClient } from "@account-activity/client"
 * import { Credentials } from "@account-activity/auth"
 * import { Config } from "effect"
 *
 * const ClientLive = AccountActivityClient.layerConfig({
 *   app: Credentials.appConfig({ consumerKey: "AAA_CONSUMER_KEY", consumerSecret: "AAA_CONSUMER_SECRET" }),
 *   owner: Credentials.userConfig({ accessToken: "AAA_ACCESS_TOKEN", accessTokenSecret: "AAA_ACCESS_TOKEN_SECRET" }),
 *   baseUrl: Config.string("AAA_API_URL").pipe(Config.withDefault("https://api.x.com"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<LayerOptions>
): Layer.Layer<AccountActivityClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
