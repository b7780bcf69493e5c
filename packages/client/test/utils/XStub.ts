import { createServer } from "node:http"
import { BearerToken, Credentials, OAuth1Verifier } from "@account-activity/auth"
import { ApiError, Rest } from "@account-activity/core"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { Clock, DateTime, Effect, Layer, Option, Redacted, type Scope } from "effect"
import * as Endpoint from "../../src/Endpoint.js"

/**
 * A small stand-in for X's v1.1 Account Activity API on 127.0.0.1: it checks the auth of every request the
 * way X does (OAuth 1.0a signatures with `OAuth1Verifier`, Bearer tokens it issued itself), keeps
 * webhooks, subscriptions and replay jobs in memory, counts rate-limit windows with `Clock`, and answers
 * with X's error bodies. Tests can script the next answers of an endpoint.
 */

export const app = Credentials.app({ consumerKey: "stubConsumerKey", consumerSecret: "stub consumer secret" })
export const owner = Credentials.user({ accessToken: "100-ownerToken", accessTokenSecret: "owner token secret" })
export const alice = Credentials.user({ accessToken: "200-aliceToken", accessTokenSecret: "alice token secret" })
export const bob = Credentials.user({ accessToken: "300-bobToken", accessTokenSecret: "bob token secret" })
export const stranger = Credentials.user({ accessToken: "400-strangerToken", accessTokenSecret: "unknown" })
export const bearerToken = "AAAAstubBearerToken%3D"
export const applicationId = "11231812"

const tokenSecrets = new Map([owner, alice, bob].map((user) => [user.accessToken, user.accessTokenSecret]))
const userIdOf = (token: string): string => token.split("-")[0]!

/** A real HTTP server on 127.0.0.1 (port 0) and a real HTTP client. */
export const ServerLive = Layer.merge(
  NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }),
  NodeHttpClient.layerUndici
)

export interface Scripted {
  readonly status: number
  /** A JSON body. */
  readonly body?: unknown
  /** A raw body (not JSON). */
  readonly text?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Without the stub's x-rate-limit-* headers. */
  readonly bare?: boolean
  /** Runs when the answer is given (e.g. the request took effect although the answer is an error). */
  readonly onServe?: Effect.Effect<void>
}

export interface Seen {
  readonly endpoint: Endpoint.Name | "token"
  readonly method: string
  readonly url: string
  /** `AppOwner`, `User:<user id>`, `AppOnly`, or what was wrong with the credentials. */
  readonly auth: string
  readonly status: number
}

export interface StoredWebhook {
  readonly id: string
  readonly url: string
  valid: boolean
  readonly created_at: string
}

export interface StubOptions {
  /** Requests per 15-minute window, per endpoint; X's documented limits by default. */
  readonly limits?: Partial<Record<Endpoint.Name, number>>
  /** How many webhooks the account may have. Default 3. */
  readonly maxWebhooks?: number
  /** The `token_type` of `/oauth2/token` answers. Default `bearer`. */
  readonly tokenType?: string
}

export interface Stub {
  readonly url: string
  readonly seen: Effect.Effect<ReadonlyArray<Seen>>
  readonly count: (endpoint: Endpoint.Name | "token") => Effect.Effect<number>
  /** The next answers of `endpoint`, given after the auth check instead of its normal behaviour. */
  readonly script: (endpoint: Endpoint.Name, ...answers: ReadonlyArray<Scripted>) => Effect.Effect<void>
  readonly addWebhook: (url: string, valid: boolean) => Effect.Effect<string>
  readonly webhooks: Effect.Effect<ReadonlyArray<StoredWebhook>>
  readonly subscribers: (webhookId: string) => Effect.Effect<ReadonlyArray<string>>
  readonly subscribe: (webhookId: string, userId: string) => Effect.Effect<void>
  readonly finishReplay: (webhookId: string) => Effect.Effect<void>
}

type Presented =
  | { readonly _tag: "AppOwner" }
  | { readonly _tag: "User"; readonly userId: string }
  | { readonly _tag: "AppOnly" }

const WINDOW = 15 * 60 * 1000

const errorAnswer = (entry: ApiError.CatalogEntry, message?: string) =>
  HttpServerResponse.unsafeJson(ApiError.body(entry, message), { status: entry.status })

const scriptedAnswer = (answer: Scripted) =>
  (answer.text === undefined
    ? answer.body === undefined
      ? HttpServerResponse.empty({ status: answer.status })
      : HttpServerResponse.unsafeJson(answer.body, { status: answer.status })
    : HttpServerResponse.text(answer.text, { status: answer.status, contentType: "text/html" })
  ).pipe(HttpServerResponse.setHeaders(answer.headers ?? {}))

const noContent = HttpServerResponse.empty({ status: 204 })

/** Starts the stub on the `HttpServer` in context, for the current scope. */
export const make = (options: StubOptions = {}): Effect.Effect<Stub, never, HttpServer.HttpServer | Scope.Scope> =>
  Effect.gen(function* () {
    const verifier = yield* OAuth1Verifier.make({
      consumerSecret: (key) =>
        Effect.succeed(key === app.consumerKey ? Option.some(app.consumerSecret) : Option.none()),
      tokenSecret: (token) => Effect.succeed(Option.fromNullable(tokenSecrets.get(token)))
    })
    const seen: Array<Seen> = []
    const scripts = new Map<Endpoint.Name, Array<Scripted>>()
    const windows = new Map<string, { start: number; count: number }>()
    const webhooks: Array<StoredWebhook> = []
    const subscriptions = new Map<string, Set<string>>()
    const replays = new Set<string>()
    let nextId = 1_000_000_000_000_000_001n
    let nextJob = 2_000_000_000_000_000_001n

    const newWebhook = (url: string, valid: boolean) =>
      Effect.map(DateTime.now, (now) => {
        const webhook: StoredWebhook = {
          id: String(nextId++),
          url,
          valid,
          created_at: DateTime.formatIso(now).replace(/\.\d{3}Z$/, "Z")
        }
        webhooks.push(webhook)
        subscriptions.set(webhook.id, new Set())
        return webhook
      })

    const presented = (
      request: HttpServerRequest.HttpServerRequest
    ): Effect.Effect<
      | { readonly ok: Presented; readonly label: string }
      | { readonly refused: HttpServerResponse.HttpServerResponse; readonly label: string }
    > => {
      const authorization = request.headers.authorization ?? ""
      if (authorization.startsWith("Bearer ")) {
        return Effect.succeed(
          authorization === `Bearer ${bearerToken}`
            ? { ok: { _tag: "AppOnly" }, label: "AppOnly" }
            : { refused: errorAnswer(ApiError.Catalog.InvalidOrExpiredToken), label: "BadBearer" }
        )
      }
      return verifier.verifyServerRequest(request).pipe(
        Effect.map(({ token }) =>
          token === owner.accessToken
            ? { ok: { _tag: "AppOwner" } as const, label: "AppOwner" }
            : { ok: { _tag: "User", userId: userIdOf(token) } as const, label: `User:${userIdOf(token)}` }
        ),
        Effect.catchTag("OAuth1VerificationError", (error) =>
          Effect.succeed({
            refused: HttpServerResponse.unsafeJson(
              { errors: [{ code: error.code, message: error.apiMessage }] },
              { status: error.status }
            ),
            label: `Refused:${error.reason}`
          })
        )
      )
    }

    /** X's answer to the wrong kind of credentials for `endpoint`, if they are wrong. */
    const wrongKind = (
      endpoint: Endpoint.Endpoint,
      who: Presented
    ): HttpServerResponse.HttpServerResponse | undefined => {
      switch (endpoint.auth) {
        case "AppOwner":
          if (who._tag === "AppOnly") {
            return errorAnswer(
              endpoint.name === "registerWebhook"
                ? ApiError.Catalog.CannotWrite
                : ApiError.Catalog.CredentialsNotAllowed
            )
          }
          return who._tag === "User" ? errorAnswer(ApiError.Catalog.CouldNotAuthenticate) : undefined
        case "User":
          return who._tag === "AppOnly" ? errorAnswer(ApiError.Catalog.CredentialsNotAllowed) : undefined
        case "AppOnly":
          if (who._tag === "AppOnly") return undefined
          return errorAnswer(
            endpoint.name === "replay" ? ApiError.Catalog.WrongAuthMethod : ApiError.Catalog.CouldNotAuthenticate
          )
      }
    }

    const userOf = (who: Presented): string => (who._tag === "User" ? who.userId : userIdOf(owner.accessToken))

    interface Context {
      readonly who: Presented
      readonly params: Readonly<Record<string, string | undefined>>
      readonly query: URLSearchParams
      readonly now: number
    }

    const findWebhook = (id: string | undefined) => webhooks.find((webhook) => webhook.id === id)
    const webhookNotFound = errorAnswer(ApiError.Catalog.WebhookNotFound)
    const pageNotFound = errorAnswer(ApiError.Catalog.PageNotFound)

    const behaviours: {
      readonly [N in Endpoint.Name]: (context: Context) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    } = {
      registerWebhook: ({ query }) => {
        const url = query.get("url")
        if (url === null || !url.startsWith("https://") || /^https:\/\/[^/]+:\d+/.test(url)) {
          return Effect.succeed(errorAnswer(ApiError.Catalog.CrcUrlRequirements))
        }
        if (webhooks.length >= (options.maxWebhooks ?? 3)) {
          return Effect.succeed(errorAnswer(ApiError.Catalog.TooManyResources))
        }
        return Effect.map(newWebhook(url, true), (webhook) => HttpServerResponse.unsafeJson(webhook))
      },
      listWebhooks: () => Effect.succeed(HttpServerResponse.unsafeJson(webhooks)),
      validateWebhook: ({ params }) => {
        const webhook = findWebhook(params.webhook_id)
        if (webhook === undefined) return Effect.succeed(webhookNotFound)
        webhook.valid = true
        return Effect.succeed(noContent)
      },
      deleteWebhook: ({ params }) => {
        const index = webhooks.findIndex((webhook) => webhook.id === params.webhook_id)
        if (index < 0) return Effect.succeed(webhookNotFound)
        webhooks.splice(index, 1)
        subscriptions.delete(params.webhook_id!)
        return Effect.succeed(noContent)
      },
      subscribe: ({ params, who }) => {
        const users = subscriptions.get(params.webhook_id ?? "")
        if (users === undefined) return Effect.succeed(webhookNotFound)
        if (users.has(userOf(who))) return Effect.succeed(errorAnswer(ApiError.Catalog.SubscriptionExists))
        users.add(userOf(who))
        return Effect.succeed(noContent)
      },
      checkSubscription: ({ params, who }) => {
        const users = subscriptions.get(params.webhook_id ?? "")
        if (users === undefined) return Effect.succeed(webhookNotFound)
        return Effect.succeed(users.has(userOf(who)) ? noContent : pageNotFound)
      },
      unsubscribe: ({ params, who }) => {
        const users = subscriptions.get(params.webhook_id ?? "")
        if (users === undefined) return Effect.succeed(webhookNotFound)
        return Effect.succeed(users.delete(userOf(who)) ? noContent : pageNotFound)
      },
      subscriptionsCount: () => {
        const all = new Set(Array.from(subscriptions.values()).flatMap((users) => Array.from(users)))
        return Effect.succeed(
          HttpServerResponse.unsafeJson({
            account_name: "my-account",
            subscriptions_count_all: String(all.size),
            subscriptions_count_direct_messages: "0",
            provisioned_count: "50"
          })
        )
      },
      listSubscriptions: ({ params }) => {
        const webhook = findWebhook(params.webhook_id)
        if (webhook === undefined) return Effect.succeed(webhookNotFound)
        return Effect.succeed(
          HttpServerResponse.unsafeJson({
            webhook_id: webhook.id,
            webhook_url: webhook.url,
            application_id: applicationId,
            subscriptions: Array.from(subscriptions.get(webhook.id) ?? []).map((user_id) => ({ user_id }))
          })
        )
      },
      deleteSubscription: ({ params }) => {
        const users = subscriptions.get(params.webhook_id ?? "")
        if (users === undefined) return Effect.succeed(webhookNotFound)
        return Effect.succeed(users.delete(params.user_id ?? "") ? noContent : pageNotFound)
      },
      replay: ({ params, query, now }) =>
        Effect.sync(() => {
          const webhook = findWebhook(params.webhook_id)
          if (webhook === undefined) return webhookNotFound
          for (const name of ["from_date", "to_date"]) {
            if (query.get(name) === null) {
              return errorAnswer(ApiError.Catalog.ReplayParamMissing, `${name}: queryParam is required.`)
            }
          }
          const from = Rest.parseReplayDate(query.get("from_date")!)
          const to = Rest.parseReplayDate(query.get("to_date")!)
          if (Option.isNone(from) || Option.isNone(to)) return errorAnswer(ApiError.Catalog.ReplayParamMalformed)
          if (!webhook.valid) return errorAnswer(ApiError.Catalog.WebhookInvalid)
          const [fromMillis, toMillis] = [DateTime.toEpochMillis(from.value), DateTime.toEpochMillis(to.value)]
          if (toMillis > now) {
            return errorAnswer(
              ApiError.Catalog.ReplayDateNotInPast,
              `to_date: [${query.get("to_date")}] is not in the past.`
            )
          }
          if (fromMillis >= toMillis) return errorAnswer(ApiError.Catalog.ReplayFromNotBeforeTo)
          if (fromMillis < now - 5 * 24 * 60 * 60 * 1000) return errorAnswer(ApiError.Catalog.ReplayFromTooOld)
          if (replays.has(webhook.id)) return errorAnswer(ApiError.Catalog.ReplayInProgress)
          replays.add(webhook.id)
          const createdAt = DateTime.formatIso(DateTime.unsafeMake(now)).replace(/\.\d{3}Z$/, "Z")
          return HttpServerResponse.unsafeJson({ job_id: String(nextJob++), created_at: createdAt }, { status: 202 })
        })
    }

    const handle = (endpoint: Endpoint.Endpoint) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const params = yield* HttpRouter.params
        const now = yield* Clock.currentTimeMillis
        const auth = yield* presented(request)
        const done = (label: string, response: HttpServerResponse.HttpServerResponse) => {
          seen.push({
            endpoint: endpoint.name,
            method: request.method,
            url: request.url,
            auth: label,
            status: response.status
          })
          return response
        }
        if ("refused" in auth) return done(auth.label, auth.refused)
        const refused = wrongKind(endpoint, auth.ok)
        if (refused !== undefined) return done(auth.label, refused)

        const key = `${endpoint.name} ${auth.label}`
        const limit = options.limits?.[endpoint.name] ?? endpoint.limit
        let window = windows.get(key)
        if (window === undefined || now >= window.start + WINDOW) {
          window = { start: now, count: 0 }
          windows.set(key, window)
        }
        const headers = {
          "x-rate-limit-limit": String(limit),
          "x-rate-limit-remaining": String(Math.max(0, limit - window.count - 1)),
          "x-rate-limit-reset": String(Math.floor((window.start + WINDOW) / 1000))
        }
        if (window.count >= limit) {
          const entry =
            endpoint.name === "replay" ? ApiError.Catalog.ReplayRateLimitExceeded : ApiError.Catalog.RateLimitExceeded
          return done(
            auth.label,
            errorAnswer(entry).pipe(HttpServerResponse.setHeaders({ ...headers, "x-rate-limit-remaining": "0" }))
          )
        }
        window.count++

        const scripted = scripts.get(endpoint.name)?.shift()
        if (scripted !== undefined) {
          if (scripted.onServe !== undefined) yield* scripted.onServe
          return done(
            auth.label,
            scriptedAnswer(scripted).pipe(
              HttpServerResponse.setHeaders(
                scripted.bare === true ? (scripted.headers ?? {}) : { ...headers, ...scripted.headers }
              )
            )
          )
        }
        const query = new URL(request.url, "http://stub").searchParams
        const response = yield* behaviours[endpoint.name]({ who: auth.ok, params, query, now })
        return done(auth.label, response.pipe(HttpServerResponse.setHeaders(headers)))
      })

    const token = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.text, () => "")
      const basic = `Basic ${Redacted.value(BearerToken.basicCredentials(app))}`
      const ok = request.headers.authorization === basic && body === "grant_type=client_credentials"
      seen.push({
        endpoint: "token",
        method: request.method,
        url: request.url,
        auth: ok ? "Basic" : "BadBasic",
        status: ok ? 200 : 403
      })
      return ok
        ? HttpServerResponse.unsafeJson({ token_type: options.tokenType ?? "bearer", access_token: bearerToken })
        : errorAnswer(ApiError.Catalog.CredentialsUnverified)
    })

    const router = Endpoint.all.reduce(
      (router, endpoint) =>
        HttpRouter.route(endpoint.method)(router, endpoint.path as HttpRouter.PathInput, handle(endpoint)),
      HttpRouter.empty.pipe(HttpRouter.post("/oauth2/token", token))
    )
    yield* HttpServer.serveEffect(router)
    const url = yield* HttpServer.addressFormattedWith((address) => Effect.succeed(address))

    return {
      url,
      seen: Effect.sync(() => seen.slice()),
      count: (endpoint) => Effect.sync(() => seen.filter((request) => request.endpoint === endpoint).length),
      script: (endpoint, ...answers) =>
        Effect.sync(() => {
          scripts.set(endpoint, [...(scripts.get(endpoint) ?? []), ...answers])
        }),
      addWebhook: (url, valid) => Effect.map(newWebhook(url, valid), (webhook) => webhook.id),
      webhooks: Effect.sync(() => webhooks.map((webhook) => ({ ...webhook }))),
      subscribers: (webhookId) => Effect.sync(() => Array.from(subscriptions.get(webhookId) ?? [])),
      subscribe: (webhookId, userId) =>
        Effect.sync(() => {
          subscriptions.get(webhookId)?.add(userId)
        }),
      finishReplay: (webhookId) =>
        Effect.sync(() => {
          replays.delete(webhookId)
        })
    } satisfies Stub
  })
