import { ApiError, Ids } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { Clock, DateTime, Effect } from "effect"
import { NOW, setup, withClock } from "./utils/harness.js"
import type * as Proxy from "./utils/proxy.js"

const { Catalog } = ApiError

const serverError = (status: 500 | 503): Proxy.Fault => ({
  status,
  body: ApiError.body(status === 500 ? Catalog.InternalError : Catalog.ServiceUnavailable)
})

const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - NOW)

describe("429 from the emulator's real windows: wait until x-rate-limit-reset, within the maximum wait", () => {
  it.scoped("waits until the reset, then sends again and succeeds", () =>
    Effect.gen(function* () {
      const { client, emulator, another, statuses } = yield* setup()
      yield* emulator.setConfig({ rateLimits: { listWebhooks: 1 }, rateLimitWindowMillis: 30_000 })
      // another client of the app spends the window: this client learns of it from the 429
      yield* (yield* another()).listWebhooks
      const webhooks = yield* withClock(client.listWebhooks)
      assert.deepStrictEqual(webhooks, [])
      assert.strictEqual(yield* elapsed, 30_000)
      assert.deepStrictEqual(yield* statuses("listWebhooks"), [200, 429, 200])
    })
  )

  it.scoped("a reset beyond the maximum wait fails at once with RateLimited and its reset time", () =>
    Effect.gen(function* () {
      const { client, emulator, another, statuses } = yield* setup()
      yield* emulator.setConfig({ rateLimits: { listWebhooks: 1 }, rateLimitWindowMillis: 61_000 })
      yield* (yield* another()).listWebhooks
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag === "RateLimited") {
        assert.strictEqual(DateTime.toEpochMillis(error.resetAt!), NOW + 61_000)
        assert.strictEqual(error.code, 88)
        assert.strictEqual(error.limit, 1)
        assert.strictEqual(error.remaining, 0)
        assert.include(error.message, "2026-01-15T12:01:01")
      }
      assert.strictEqual(yield* elapsed, 0)
      assert.deepStrictEqual(yield* statuses("listWebhooks"), [200, 429])
    })
  )

  it.scoped("the maximum wait is configurable", () =>
    Effect.gen(function* () {
      const { client, emulator, another } = yield* setup({ client: { maxRateLimitWait: "5 minutes" } })
      yield* emulator.setConfig({ rateLimits: { countSubscriptions: 1 }, rateLimitWindowMillis: 240_000 })
      yield* (yield* another()).subscriptionsCount
      const count = yield* withClock(client.subscriptionsCount)
      assert.strictEqual(count.provisioned, 50)
      assert.strictEqual(yield* elapsed, 240_000)
    })
  )

  it.scoped("a 429 is retried even for POST register (X did nothing), and registers once", () =>
    Effect.gen(function* () {
      const { client, emulator, another, hook, statuses } = yield* setup()
      yield* emulator.setConfig({ rateLimits: { registerWebhook: 1 }, rateLimitWindowMillis: 5_000 })
      yield* (yield* another()).registerWebhook(`${hook}/first`)
      const webhook = yield* withClock(client.registerWebhook(hook))
      assert.strictEqual(webhook.url, hook)
      assert.strictEqual(yield* elapsed, 5_000)
      assert.deepStrictEqual(
        (yield* emulator.webhooks).map((saved) => saved.url),
        [`${hook}/first`, hook]
      )
      assert.deepStrictEqual(yield* statuses("registerWebhook"), [200, 429, 200])
    })
  )

  it.scoped("a 429 without x-rate-limit-reset (a proxy's) cannot be waited for: RateLimited at once", () =>
    Effect.gen(function* () {
      const { client, proxy } = yield* setup()
      yield* proxy.fault("listWebhooks", { status: 429, body: ApiError.body(Catalog.RateLimitExceeded) })
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "RateLimited")
      assert.strictEqual(yield* elapsed, 0)
    })
  )

  it.scoped("at the limit, the next call waits for the window's reset instead of sending", () =>
    Effect.gen(function* () {
      const { client, emulator, statuses } = yield* setup({ client: { maxRateLimitWait: "20 minutes" } })
      yield* emulator.setConfig({ rateLimits: { listWebhooks: 2 } })
      yield* client.listWebhooks
      yield* client.listWebhooks
      yield* withClock(client.listWebhooks)
      assert.strictEqual(yield* elapsed, 15 * 60_000)
      assert.deepStrictEqual(yield* statuses("listWebhooks"), [200, 200, 200])
    })
  )

  it.scoped("at the limit, a reset beyond the maximum wait: X answers 429 and the call fails with RateLimited", () =>
    Effect.gen(function* () {
      const { client, emulator, statuses } = yield* setup()
      yield* emulator.setConfig({ rateLimits: { listWebhooks: 1 } })
      yield* client.listWebhooks
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag === "RateLimited") {
        assert.strictEqual(DateTime.toEpochMillis(error.resetAt!), NOW + 15 * 60_000)
        assert.strictEqual(error.limit, 1)
        assert.strictEqual(error.remaining, 0)
      }
      assert.strictEqual(yield* elapsed, 0)
      assert.deepStrictEqual(yield* statuses("listWebhooks"), [200, 429])
    })
  )
})

describe("rateLimits: the last window per endpoint and auth context", () => {
  it.scoped("app-only, owner and each user have their own windows", () =>
    Effect.gen(function* () {
      const { client, register, alice, bob } = yield* setup()
      const id = yield* register()
      yield* client.listWebhooks
      yield* client.listWebhooks
      yield* client.validateWebhook(id)
      yield* client.subscribe(id, alice.tokens)
      yield* client.subscribe(id, bob.tokens)
      yield* client.checkSubscription(id, bob.tokens)
      const windows = yield* client.rateLimits
      const summary = windows
        .map((window) => [window.endpoint, window.auth, window.limit, window.remaining] as const)
        .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`))
      const expected: Array<readonly [string, string, number, number]> = [
        ["checkSubscription", `user:${bob.user.id}`, 500, 499],
        ["listWebhooks", "app", 15, 13],
        ["subscribe", `user:${alice.user.id}`, 500, 499],
        ["subscribe", `user:${bob.user.id}`, 500, 499],
        ["validateWebhook", "owner", 15, 14]
      ]
      assert.deepStrictEqual(
        summary,
        expected.sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`))
      )
      for (const window of windows) {
        assert.strictEqual(DateTime.toEpochMillis(window.resetAt), NOW + 15 * 60_000)
        assert.strictEqual(DateTime.toEpochMillis(window.observedAt), NOW)
      }
      assert.notInclude(JSON.stringify(windows), alice.tokens.accessToken)
    })
  )
})

describe("5xx and lost answers (through the proxy): retried with backoff for GET, PUT, DELETE; never for POST", () => {
  it.scoped("GET: 503, 500 and a non-JSON 502 are retried with growing delays, then the emulator answers", () =>
    Effect.gen(function* () {
      const { client, proxy, statuses } = yield* setup()
      yield* proxy.fault("listWebhooks", serverError(503), serverError(500), {
        status: 502,
        text: "<html><h1>502 Bad Gateway</h1></html>"
      })
      const webhooks = yield* withClock(client.listWebhooks)
      assert.deepStrictEqual(webhooks, [])
      assert.deepStrictEqual(yield* statuses("listWebhooks"), [503, 500, 502, 200])
      // 1 s, 2 s, 4 s, each jittered by ±20 %
      const waited = yield* elapsed
      assert.isAtLeast(waited, 0.8 * 7000)
      assert.isAtMost(waited, 1.2 * 7000)
    })
  )

  it.scoped("GET: the retries are bounded; the last ServerError is the result", () =>
    Effect.gen(function* () {
      const { client, proxy } = yield* setup({ client: { retry: { times: 2, base: "100 millis" } } })
      yield* proxy.fault("subscriptionsCount", serverError(503), serverError(503), serverError(500))
      const error = yield* Effect.flip(withClock(client.subscriptionsCount))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual((error as ApiError.ServerError).code, 0)
      assert.strictEqual(yield* proxy.count("subscriptionsCount"), 3)
    })
  )

  it.scoped("PUT and DELETE are retried too, and take effect once", () =>
    Effect.gen(function* () {
      const { client, proxy, register, invalidate, emulator, alice } = yield* setup()
      const id = yield* register()
      yield* invalidate(id)
      yield* client.subscribe(id, alice.tokens)
      yield* proxy.fault("validateWebhook", serverError(503))
      yield* proxy.fault("deleteSubscription", serverError(500))
      yield* withClock(client.validateWebhook(id))
      yield* withClock(client.deleteSubscription(id, Ids.UserId.make(alice.user.id)))
      assert.strictEqual(yield* proxy.count("validateWebhook"), 2)
      assert.strictEqual(yield* proxy.count("deleteSubscription"), 2)
      assert.isTrue((yield* emulator.webhook(id)).valid)
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
    })
  )

  it.scoped("POST register: a 503 fails at once, without a second request (a retry would register twice)", () =>
    Effect.gen(function* () {
      const { client, proxy, hook, emulator } = yield* setup()
      yield* proxy.fault("registerWebhook", serverError(503))
      const error = yield* Effect.flip(withClock(client.registerWebhook(hook)))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual(yield* proxy.count("registerWebhook"), 1)
      assert.strictEqual(yield* elapsed, 0)
      assert.deepStrictEqual(yield* emulator.webhooks, [])
    })
  )

  it.scoped("POST subscribe and POST replay: not retried either", () =>
    Effect.gen(function* () {
      const { client, proxy, register, alice } = yield* setup()
      const id = yield* register()
      yield* proxy.fault("subscribe", serverError(500))
      yield* proxy.fault("replay", serverError(503))
      const subscribe = yield* Effect.flip(withClock(client.subscribe(id, alice.tokens)))
      const replay = yield* Effect.flip(
        withClock(
          client.replay(id, {
            from: DateTime.unsafeMake(NOW - 2 * 60 * 60_000),
            to: DateTime.unsafeMake(NOW - 30 * 60_000)
          })
        )
      )
      assert.deepStrictEqual([subscribe._tag, replay._tag], ["ServerError", "ServerError"])
      assert.strictEqual(yield* proxy.count("subscribe"), 1)
      assert.strictEqual(yield* proxy.count("replay"), 1)
    })
  )

  it.scoped("no server at all: the Bearer token request gets no answer, RequestFailed, retried for GET", () =>
    Effect.gen(function* () {
      const { another } = yield* setup()
      const client = yield* another({ baseUrl: "http://127.0.0.1:1", retry: { times: 2 } })
      const error = yield* Effect.flip(withClock(client.subscriptionsCount))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as { reason?: string }).reason, "RequestFailed")
      assert.include(error.message, "/oauth2/token")
      assert.isAtLeast(yield* elapsed, 0.8 * 3000)
    })
  )

  it.scoped("a token endpoint that answers something else than a token: BearerTokenUnavailable, not retried", () =>
    Effect.gen(function* () {
      const { client, proxy } = yield* setup()
      yield* proxy.fault("token", { status: 200, body: { token_type: "mac", access_token: "AAAAnotabearer" } })
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as { reason?: string }).reason, "BearerTokenUnavailable")
      assert.include(error.message, "mac")
      assert.strictEqual(yield* proxy.count("token"), 1)
      assert.strictEqual(yield* proxy.count("listWebhooks"), 0)
    })
  )

  it.scoped("no server at all: TransportError RequestFailed, retried for PUT, not for POST", () =>
    Effect.gen(function* () {
      const { another } = yield* setup()
      const client = yield* another({ baseUrl: "http://127.0.0.1:1", retry: { times: 2, base: "1 second" } })
      const validate = yield* Effect.flip(withClock(client.validateWebhook(Ids.WebhookId.make("1"))))
      assert.strictEqual(validate._tag, "TransportError")
      assert.strictEqual((validate as { reason?: string }).reason, "RequestFailed")
      assert.include(validate.message, "PUT /1.1/account_activity/webhooks/1.json")
      assert.isAtLeast(yield* elapsed, 0.8 * 3000)
      const before = yield* elapsed
      const register = yield* Effect.flip(withClock(client.registerWebhook("https://example.com/webhook")))
      assert.strictEqual((register as { reason?: string }).reason, "RequestFailed")
      assert.strictEqual(yield* elapsed, before)
    })
  )

  it.scoped("a request without an answer in time: TransportError Timeout", () =>
    Effect.gen(function* () {
      const { proxy, another } = yield* setup()
      const client = yield* another({ timeout: "5 seconds", retry: { times: 0 } })
      yield* proxy.fault("listWebhooks", { hang: true })
      const error = yield* Effect.flip(withClock(client.listWebhooks))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as { reason?: string }).reason, "Timeout")
      assert.strictEqual(yield* elapsed, 5000)
    })
  )
})
