import { ApiError, Ids } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { Clock, DateTime, Effect } from "effect"
import { NOW, setup, withClock } from "./utils/harness.js"
import * as XStub from "./utils/XStub.js"

const hook = "https://example.com/webhook/twitter"
const { Catalog } = ApiError

const rateLimited = (resetInSeconds: number): XStub.Scripted => ({
  status: 429,
  body: ApiError.body(Catalog.RateLimitExceeded),
  headers: {
    "x-rate-limit-limit": "15",
    "x-rate-limit-remaining": "0",
    "x-rate-limit-reset": String(NOW / 1000 + resetInSeconds)
  }
})

const serverError = (status: 500 | 503): XStub.Scripted => ({
  status,
  body: ApiError.body(status === 500 ? Catalog.InternalError : Catalog.ServiceUnavailable)
})

const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - NOW)

describe("429: wait until x-rate-limit-reset, within the maximum wait", () => {
  it.scoped("waits until the reset, then sends again and succeeds", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("listWebhooks", rateLimited(30))
      const webhooks = yield* withClock(client.listWebhooks)
      assert.deepStrictEqual(webhooks, [])
      assert.strictEqual(yield* elapsed, 30_000)
      assert.deepStrictEqual(
        (yield* stub.seen).filter((seen) => seen.endpoint === "listWebhooks").map((seen) => seen.status),
        [429, 200]
      )
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a reset beyond the maximum wait fails at once with RateLimited and its reset time", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("listWebhooks", rateLimited(61))
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag === "RateLimited") {
        assert.strictEqual(DateTime.toEpochMillis(error.resetAt!), NOW + 61_000)
        assert.strictEqual(error.code, 88)
        assert.include(error.message, "2026-01-15T12:01:01")
      }
      assert.strictEqual(yield* elapsed, 0)
      assert.strictEqual(yield* stub.count("listWebhooks"), 1)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("the maximum wait is configurable", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ client: { maxRateLimitWait: "5 minutes" } })
      yield* stub.script("subscriptionsCount", rateLimited(240))
      const count = yield* withClock(client.subscriptionsCount)
      assert.strictEqual(count.provisioned, 50)
      assert.strictEqual(yield* elapsed, 240_000)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a 429 is retried even for POST register (X did nothing), and registers once", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("registerWebhook", rateLimited(5))
      const webhook = yield* withClock(client.registerWebhook(hook))
      assert.strictEqual(webhook.url, hook)
      assert.strictEqual((yield* stub.webhooks).length, 1)
      assert.strictEqual(yield* stub.count("registerWebhook"), 2)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a 429 without x-rate-limit-reset cannot be waited for: RateLimited at once", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("listWebhooks", { status: 429, body: ApiError.body(Catalog.RateLimitExceeded), bare: true })
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "RateLimited")
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a real window of the stub: at the limit, the next call waits for the reset instead of sending", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({
        stub: { limits: { listWebhooks: 2 } },
        client: { maxRateLimitWait: "20 minutes" }
      })
      yield* client.listWebhooks
      yield* client.listWebhooks
      yield* withClock(client.listWebhooks)
      assert.strictEqual(yield* elapsed, 15 * 60_000)
      assert.deepStrictEqual(
        (yield* stub.seen).filter((seen) => seen.endpoint === "listWebhooks").map((seen) => seen.status),
        [200, 200, 200]
      )
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a real window beyond the maximum wait: X answers 429 and the call fails with RateLimited", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ stub: { limits: { listWebhooks: 1 } } })
      yield* client.listWebhooks
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag === "RateLimited") {
        assert.strictEqual(DateTime.toEpochMillis(error.resetAt!), NOW + 15 * 60_000)
        assert.strictEqual(error.limit, 1)
        assert.strictEqual(error.remaining, 0)
      }
      assert.strictEqual(yield* elapsed, 0)
      assert.deepStrictEqual(
        (yield* stub.seen).filter((seen) => seen.endpoint === "listWebhooks").map((seen) => seen.status),
        [200, 429]
      )
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})

describe("rateLimits: the last window per endpoint and auth context", () => {
  it.scoped("app-only, owner and each user have their own windows", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* client.listWebhooks
      yield* client.listWebhooks
      yield* client.validateWebhook(id)
      yield* client.subscribe(id, XStub.alice)
      yield* client.subscribe(id, XStub.bob)
      yield* client.checkSubscription(id, XStub.bob)
      const windows = yield* client.rateLimits
      const summary = windows
        .map((window) => [window.endpoint, window.auth, window.limit, window.remaining] as const)
        .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`))
      assert.deepStrictEqual(summary, [
        ["checkSubscription", "user:300", 500, 499],
        ["listWebhooks", "app", 15, 13],
        ["subscribe", "user:200", 500, 499],
        ["subscribe", "user:300", 500, 499],
        ["validateWebhook", "owner", 15, 14]
      ])
      for (const window of windows) {
        assert.strictEqual(DateTime.toEpochMillis(window.resetAt), NOW + 15 * 60_000)
        assert.strictEqual(DateTime.toEpochMillis(window.observedAt), NOW)
      }
      assert.notInclude(JSON.stringify(windows), "Token")
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})

describe("5xx and lost answers: retried with backoff for GET, PUT, DELETE; never for POST", () => {
  it.scoped("GET: 503, 500 and a non-JSON 502 are retried with growing delays, then it succeeds", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("listWebhooks", serverError(503), serverError(500), {
        status: 502,
        text: "<html><h1>502 Bad Gateway</h1></html>"
      })
      const webhooks = yield* withClock(client.listWebhooks)
      assert.deepStrictEqual(webhooks, [])
      assert.strictEqual(yield* stub.count("listWebhooks"), 4)
      // 1 s, 2 s, 4 s, each jittered by ±20 %
      const waited = yield* elapsed
      assert.isAtLeast(waited, 0.8 * 7000)
      assert.isAtMost(waited, 1.2 * 7000)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("GET: the retries are bounded; the last ServerError is the result", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ client: { retry: { times: 2, base: "100 millis" } } })
      yield* stub.script("subscriptionsCount", serverError(503), serverError(503), serverError(500))
      const error = yield* Effect.flip(withClock(client.subscriptionsCount))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual((error as ApiError.ServerError).code, 0)
      assert.strictEqual(yield* stub.count("subscriptionsCount"), 3)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("PUT and DELETE are retried too", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, false))
      yield* stub.script("validateWebhook", serverError(503))
      yield* stub.script("deleteSubscription", serverError(500))
      yield* stub.subscribe(id, "200")
      yield* withClock(client.validateWebhook(id))
      yield* withClock(client.deleteSubscription(id, Ids.UserId.make("200")))
      assert.strictEqual(yield* stub.count("validateWebhook"), 2)
      assert.strictEqual(yield* stub.count("deleteSubscription"), 2)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("POST register: a 503 fails at once, without a second request (a retry would register twice)", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("registerWebhook", serverError(503))
      const error = yield* Effect.flip(withClock(client.registerWebhook(hook)))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual(yield* stub.count("registerWebhook"), 1)
      assert.strictEqual(yield* elapsed, 0)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("POST subscribe and POST replay: not retried either", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.script("subscribe", serverError(500))
      yield* stub.script("replay", serverError(503))
      const subscribe = yield* Effect.flip(withClock(client.subscribe(id, XStub.alice)))
      const replay = yield* Effect.flip(
        withClock(
          client.replay(id, {
            from: DateTime.unsafeMake(NOW - 2 * 60 * 60_000),
            to: DateTime.unsafeMake(NOW - 30 * 60_000)
          })
        )
      )
      assert.deepStrictEqual([subscribe._tag, replay._tag], ["ServerError", "ServerError"])
      assert.strictEqual(yield* stub.count("subscribe"), 1)
      assert.strictEqual(yield* stub.count("replay"), 1)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("no server at all: the Bearer token request gets no answer, RequestFailed, retried for GET", () =>
    Effect.gen(function* () {
      const { client } = yield* setup({ client: { baseUrl: "http://127.0.0.1:1", retry: { times: 2 } } })
      const error = yield* Effect.flip(withClock(client.subscriptionsCount))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as { reason?: string }).reason, "RequestFailed")
      assert.include(error.message, "/oauth2/token")
      assert.isAtLeast(yield* elapsed, 0.8 * 3000)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a token endpoint that answers something else than a token: BearerTokenUnavailable, not retried", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ stub: { tokenType: "mac" } })
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as { reason?: string }).reason, "BearerTokenUnavailable")
      assert.include(error.message, "mac")
      assert.strictEqual(yield* stub.count("token"), 1)
      assert.strictEqual(yield* stub.count("listWebhooks"), 0)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("no server at all: TransportError RequestFailed, retried for PUT, not for POST", () =>
    Effect.gen(function* () {
      const { client } = yield* setup({
        client: { baseUrl: "http://127.0.0.1:1", retry: { times: 2, base: "1 second" } }
      })
      const validate = yield* Effect.flip(withClock(client.validateWebhook(Ids.WebhookId.make("1"))))
      assert.strictEqual(validate._tag, "TransportError")
      assert.strictEqual((validate as { reason?: string }).reason, "RequestFailed")
      assert.include(validate.message, "PUT /1.1/account_activity/webhooks/1.json")
      assert.isAtLeast(yield* elapsed, 0.8 * 3000)
      const before = yield* elapsed
      const register = yield* Effect.flip(withClock(client.registerWebhook(hook)))
      assert.strictEqual((register as { reason?: string }).reason, "RequestFailed")
      assert.strictEqual(yield* elapsed, before)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a request without an answer in time: TransportError Timeout", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ client: { timeout: "5 seconds", retry: { times: 0 } } })
      yield* stub.script("listWebhooks", { status: 200, body: [], onServe: Effect.never })
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as { reason?: string }).reason, "Timeout")
      assert.strictEqual(yield* elapsed, 5000)
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})
