import { Credentials } from "@account-activity/auth"
import { ApiError, Ids } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { Clock, DateTime, Effect, Redacted } from "effect"
import type { ClientError, Service } from "../src/AccountActivityClient.js"
import type * as Endpoint from "../src/Endpoint.js"
import { type Harness, NOW, setup, withClock } from "./utils/harness.js"
import type * as Proxy from "./utils/proxy.js"

const window = { from: DateTime.unsafeMake(NOW - 2 * 60 * 60_000), to: DateTime.unsafeMake(NOW - 30 * 60_000) }
const at = (minutesAgo: number) => DateTime.unsafeMake(NOW - minutesAgo * 60_000)
const { Catalog } = ApiError

/** The tag, reason, code and status of an error, for one assertion. */
const summary = (error: ClientError) => ({
  tag: error._tag,
  reason: (error as { reason?: string }).reason,
  code: (error as { code?: number }).code,
  status: (error as { status?: number }).status
})

describe("X's error answers, produced by the emulator's own state, become core's tagged errors", () => {
  it.scoped("34: an unknown webhook → WebhookNotFound (PUT, DELETE, subscribe, list, replay)", () =>
    Effect.gen(function* () {
      const { client, alice } = yield* setup()
      const unknown = Ids.WebhookId.make("1234567890123456789")
      const errors = [
        yield* Effect.flip(client.validateWebhook(unknown)),
        yield* Effect.flip(client.deleteWebhook(unknown)),
        yield* Effect.flip(client.subscribe(unknown, alice.tokens)),
        yield* Effect.flip(client.listSubscriptions(unknown)),
        yield* Effect.flip(client.replay(unknown, window))
      ]
      for (const error of errors) {
        assert.deepStrictEqual(summary(error), { tag: "WebhookNotFound", reason: undefined, code: 34, status: 404 })
        assert.include(error.message, "List this app's webhooks")
      }
    })
  )

  it.scoped("34: the webhook of another app is not found either", () =>
    Effect.gen(function* () {
      const { client, emulator, receiver } = yield* setup()
      const other = yield* emulator.createApp({ name: "other" })
      receiver.setSecret(other.credentials.consumerSecret)
      const theirs = (yield* Effect.orDie(emulator.registerWebhook(other.app.id, receiver.url))).id
      const error = yield* Effect.flip(client.deleteWebhook(Ids.WebhookId.make(theirs)))
      assert.strictEqual(error._tag, "WebhookNotFound")
      assert.strictEqual((yield* emulator.webhooks).length, 1)
    })
  )

  it.scoped("34 (page): removing a user who is not subscribed → NotFound", () =>
    Effect.gen(function* () {
      const { client, register, alice } = yield* setup()
      const id = yield* register()
      const error = yield* Effect.flip(client.deleteSubscription(id, Ids.UserId.make(alice.user.id)))
      assert.deepStrictEqual(summary(error), { tag: "NotFound", reason: undefined, code: 34, status: 404 })
    })
  )

  it.scoped("214 URL requirements: a URL X refuses (https with a port off loopback) → CrcFailed UrlRequirements", () =>
    Effect.gen(function* () {
      const { client, emulator } = yield* setup()
      const error = yield* Effect.flip(client.registerWebhook("https://example.com:5000/NoWorkie"))
      assert.deepStrictEqual(summary(error), { tag: "CrcFailed", reason: "UrlRequirements", code: 214, status: 403 })
      assert.deepStrictEqual(yield* emulator.webhooks, [])
    })
  )

  it.scoped("214 URL requirements: nothing listens at the URL → CrcFailed UrlRequirements", () =>
    Effect.gen(function* () {
      const { client } = yield* setup()
      const error = yield* Effect.flip(client.registerWebhook("http://127.0.0.1:1/webhook"))
      assert.deepStrictEqual(summary(error), { tag: "CrcFailed", reason: "UrlRequirements", code: 214, status: 403 })
    })
  )

  it.scoped("214 invalid CRC response: a wrong response_token → CrcFailed InvalidResponse, nothing saved", () =>
    Effect.gen(function* () {
      const { client, receiver, hook, emulator } = yield* setup()
      receiver.setMode("wrong-token")
      const error = yield* Effect.flip(client.registerWebhook(hook))
      assert.deepStrictEqual(summary(error), { tag: "CrcFailed", reason: "InvalidResponse", code: 214, status: 403 })
      assert.deepStrictEqual(yield* emulator.webhooks, [])
    })
  )

  it.scoped(
    "214 non-200: the receiver answers 500 to the CRC of a PUT → CrcFailed Non200Response, marked invalid",
    () =>
      Effect.gen(function* () {
        const { client, register, receiver, emulator } = yield* setup()
        const id = yield* register()
        receiver.setMode("non-200")
        const error = yield* Effect.flip(client.validateWebhook(id))
        assert.deepStrictEqual(summary(error), { tag: "CrcFailed", reason: "Non200Response", code: 214, status: 403 })
        assert.isFalse((yield* emulator.webhook(id)).valid)
      })
  )

  it.scoped("214 high latency: no CRC answer within X's 3 s (on the TestClock) → CrcFailed HighLatency", () =>
    Effect.gen(function* () {
      const { client, receiver, hook, emulator } = yield* setup({ emulator: { crcTimeoutMillis: 3000 } })
      receiver.setMode("hang")
      const error = yield* Effect.flip(withClock(client.registerWebhook(hook)))
      assert.deepStrictEqual(summary(error), { tag: "CrcFailed", reason: "HighLatency", code: 214, status: 403 })
      assert.deepStrictEqual(yield* emulator.webhooks, [])
    })
  )

  it.scoped("214 webhook invalid: a replay for a webhook that failed its CRC → CrcFailed WebhookInvalid (400)", () =>
    Effect.gen(function* () {
      const { client, register, invalidate } = yield* setup()
      const id = yield* register()
      yield* invalidate(id)
      const error = yield* Effect.flip(client.replay(id, window))
      assert.deepStrictEqual(summary(error), { tag: "CrcFailed", reason: "WebhookInvalid", code: 214, status: 400 })
    })
  )

  it.scoped("214 too many resources: the account's webhook limit → TooManyResources", () =>
    Effect.gen(function* () {
      const { client, register, hook } = yield* setup({ emulator: { webhookLimit: 1 } })
      yield* register()
      const error = yield* Effect.flip(client.registerWebhook(`${hook}/second`))
      assert.deepStrictEqual(summary(error), { tag: "TooManyResources", reason: undefined, code: 214, status: 403 })
    })
  )

  it.scoped("348: a user token without the Direct Message permission → NotPermitted", () =>
    Effect.gen(function* () {
      const { client, register, emulator, app } = yield* setup()
      const id = yield* register()
      const reader = yield* Effect.orDie(emulator.createUser({ appId: app.app.id, permission: "read" }))
      const error = yield* Effect.flip(client.subscribe(id, reader.tokens))
      assert.deepStrictEqual(summary(error), { tag: "NotPermitted", reason: undefined, code: 348, status: 403 })
      assert.include(error.message, "3-legged")
    })
  )

  it.scoped("355 means two things: SubscriptionExists on subscribe, ReplayInProgress on replay", () =>
    Effect.gen(function* () {
      const { client, register, emulator, alice } = yield* setup()
      const id = yield* register()
      yield* client.subscribe(id, alice.tokens)
      const subscribed = yield* Effect.flip(client.subscribe(id, alice.tokens))
      assert.deepStrictEqual(summary(subscribed), {
        tag: "SubscriptionExists",
        reason: undefined,
        code: 355,
        status: 409
      })
      const job = yield* client.replay(id, window)
      const replaying = yield* Effect.flip(client.replay(id, window))
      assert.deepStrictEqual(summary(replaying), { tag: "ReplayInProgress", reason: undefined, code: 355, status: 409 })
      yield* Effect.orDie(emulator.completeReplayJob(job.job_id, "Complete"))
      yield* client.replay(id, window)
    })
  )

  it.scoped("356, 358, 360, 368: the replay dates and ids the emulator checks → InvalidReplayDates", () =>
    Effect.gen(function* () {
      const { client, register, emulator } = yield* setup()
      yield* emulator.setConfig({ rateLimits: { replay: 100 } })
      const id = yield* register()
      const cases: ReadonlyArray<readonly [Effect.Effect<unknown, ClientError>, string]> = [
        [client.replay(id, { from: at(60), to: at(-5) }), "NotInPast"],
        [client.replay(id, { from: at(60), to: at(90) }), "FromNotBeforeTo"],
        [client.replay(id, { from: at(6 * 24 * 60), to: at(60) }), "FromTooOld"],
        // X's 31/10-minute rule: the emulator answers 368 with the date
        [client.replay(id, { from: at(20), to: at(15) }), "NotInPast"],
        [client.replay(id, { from: at(60), to: at(5) }), "NotInPast"],
        // ids the client's types forbid, sent anyway: 360 negative, 358 not a number
        [client.replay("-5" as Ids.WebhookId, window), "NegativeParameter"],
        [client.replay("abc" as Ids.WebhookId, window), "MalformedParameter"]
      ]
      for (const [call, reason] of cases) {
        const error = yield* Effect.flip(call)
        assert.strictEqual(error._tag, "InvalidReplayDates", `${reason}: ${error.message}`)
        assert.strictEqual((error as ApiError.InvalidReplayDates).reason, reason)
        assert.strictEqual((error as ApiError.InvalidReplayDates).status, 400)
      }
    })
  )

  it.scoped("200: Replay not enabled for the account → Unauthorized Forbidden", () =>
    Effect.gen(function* () {
      const { emulator, receiver, another } = yield* setup()
      const noReplay = yield* emulator.createApp({ name: "no-replay", replayEnabled: false })
      receiver.setSecret(noReplay.credentials.consumerSecret)
      const id = Ids.WebhookId.make((yield* Effect.orDie(emulator.registerWebhook(noReplay.app.id, receiver.url))).id)
      const client = yield* another({ app: noReplay.credentials, owner: noReplay.owner })
      const error = yield* Effect.flip(client.replay(id, window))
      assert.deepStrictEqual(summary(error), { tag: "Unauthorized", reason: "Forbidden", code: 200, status: 403 })
    })
  )

  it.scoped("88: a real window exhausted far from its reset → RateLimited with resetAt, limit and remaining", () =>
    Effect.gen(function* () {
      const { client, emulator } = yield* setup()
      yield* emulator.setConfig({ rateLimits: { countSubscriptions: 1 } })
      yield* client.subscriptionsCount
      const error = yield* Effect.flip(withClock(client.subscriptionsCount))
      assert.deepStrictEqual(summary(error), { tag: "RateLimited", reason: "RateLimit", code: 88, status: 429 })
      if (error._tag === "RateLimited") {
        assert.strictEqual(DateTime.toEpochMillis(error.resetAt!), NOW + 15 * 60_000)
        assert.include(error.message, "2026-01-15T12:15:00")
      }
    })
  )

  it.scoped("88 on replay: the replay table's message, the same RateLimited", () =>
    Effect.gen(function* () {
      const { client, register, emulator } = yield* setup()
      yield* emulator.setConfig({ rateLimits: { replay: 0 } })
      const id = yield* register()
      const error = yield* Effect.flip(client.replay(id, window))
      assert.strictEqual(error._tag, "RateLimited")
      assert.strictEqual(
        (error as ApiError.RateLimited).apiMessage,
        "Too many requests. Please back off your API request rate."
      )
    })
  )
})

describe("credentials the emulator refuses", () => {
  it.scoped("32: a wrong owner secret fails the OAuth signature → Unauthorized CouldNotAuthenticate", () =>
    Effect.gen(function* () {
      const { another, app, hook, emulator } = yield* setup()
      const client = yield* another({
        owner: Credentials.user({ accessToken: app.owner.accessToken, accessTokenSecret: "wrong" })
      })
      const error = yield* Effect.flip(client.registerWebhook(hook))
      assert.deepStrictEqual(summary(error), {
        tag: "Unauthorized",
        reason: "CouldNotAuthenticate",
        code: 32,
        status: 401
      })
      assert.deepStrictEqual(yield* emulator.webhooks, [])
      assert.notInclude(error.message, "wrong")
      assert.notInclude(JSON.stringify(error), "wrong")
    })
  )

  it.scoped("32: a subscribing user's token the emulator never issued", () =>
    Effect.gen(function* () {
      const { client, register, emulator } = yield* setup()
      const id = yield* register()
      const stranger = Credentials.user({ accessToken: "400-strangerToken", accessTokenSecret: "unknown" })
      const error = yield* Effect.flip(client.subscribe(id, stranger))
      assert.deepStrictEqual(summary(error), {
        tag: "Unauthorized",
        reason: "CouldNotAuthenticate",
        code: 32,
        status: 401
      })
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
    })
  )

  it.scoped("135: an OAuth timestamp an hour off the emulator's clock → Unauthorized ClockSkew", () =>
    Effect.gen(function* () {
      const { client, register } = yield* setup()
      const id = yield* register()
      const skewed = NOW + 60 * 60_000
      const base = yield* Effect.clock
      // the client's clock an hour ahead; the emulator keeps the TestClock
      const clock: Clock.Clock = {
        [Clock.ClockTypeId]: Clock.ClockTypeId,
        unsafeCurrentTimeMillis: () => skewed,
        currentTimeMillis: Effect.succeed(skewed),
        unsafeCurrentTimeNanos: () => BigInt(skewed) * 1_000_000n,
        currentTimeNanos: Effect.succeed(BigInt(skewed) * 1_000_000n),
        sleep: (duration) => base.sleep(duration)
      }
      const error = yield* Effect.flip(Effect.withClock(client.validateWebhook(id), clock))
      assert.deepStrictEqual(summary(error), { tag: "Unauthorized", reason: "ClockSkew", code: 135, status: 401 })
    })
  )

  it.scoped("99: a wrong consumer secret, /oauth2/token refuses (403) → Unauthorized CredentialsUnverified", () =>
    Effect.gen(function* () {
      const { another, app, proxy } = yield* setup()
      const client = yield* another({
        app: Credentials.app({ consumerKey: app.credentials.consumerKey, consumerSecret: "not the secret" })
      })
      const error = yield* Effect.flip(client.listWebhooks)
      assert.deepStrictEqual(summary(error), {
        tag: "Unauthorized",
        reason: "CredentialsUnverified",
        code: 99,
        status: 403
      })
      assert.strictEqual(yield* proxy.count("listWebhooks"), 0)
      assert.notInclude(JSON.stringify(error), "not the secret")
    })
  )

  it.scoped("89: after X revokes the fetched Bearer token, the call fails and the next one fetches a new token", () =>
    Effect.gen(function* () {
      const { client, emulator, app, proxy } = yield* setup()
      yield* client.listWebhooks
      const revoked = yield* Effect.orDie(emulator.issueBearerToken(app.app.id))
      yield* Effect.orDie(emulator.invalidateBearerToken(app.app.id, Redacted.value(revoked)))
      const error = yield* Effect.flip(client.listWebhooks)
      assert.deepStrictEqual(summary(error), { tag: "Unauthorized", reason: "InvalidToken", code: 89, status: 401 })
      assert.strictEqual((error as ApiError.Unauthorized).apiMessage, Catalog.InvalidOrExpiredToken.message)
      yield* client.listWebhooks
      assert.strictEqual(yield* proxy.count("token"), 2)
    })
  )

  it.scoped("a static Bearer token is used as given, without a token request", () =>
    Effect.gen(function* () {
      const { another, emulator, app, proxy } = yield* setup()
      const client = yield* another({ bearerToken: yield* Effect.orDie(emulator.issueBearerToken(app.app.id)) })
      yield* client.listWebhooks
      assert.strictEqual(yield* proxy.count("token"), 0)
    })
  )

  it.scoped("AppOwner endpoints without owner tokens fail before sending: TransportError InvalidRequest", () =>
    Effect.gen(function* () {
      const { another, hook, proxy } = yield* setup()
      const client = yield* another({ owner: undefined })
      const error = yield* Effect.flip(client.registerWebhook(hook))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as { reason?: string }).reason, "InvalidRequest")
      assert.include(error.message, "owner")
      assert.strictEqual(yield* proxy.count("registerWebhook"), 0)
    })
  )
})

/** Calls `endpoint` with plausible arguments. */
const callOf = (harness: Harness, client: Service, endpoint: Endpoint.Name, webhookId: Ids.WebhookId) => {
  switch (endpoint) {
    case "registerWebhook":
      return client.registerWebhook(`${harness.hook}/new`)
    case "listWebhooks":
      return client.listWebhooks
    case "validateWebhook":
      return client.validateWebhook(webhookId)
    case "deleteWebhook":
      return client.deleteWebhook(webhookId)
    case "subscribe":
      return client.subscribe(webhookId, harness.alice.tokens)
    case "checkSubscription":
      return client.checkSubscription(webhookId, harness.alice.tokens)
    case "unsubscribe":
      return client.unsubscribe(webhookId, harness.alice.tokens)
    case "subscriptionsCount":
      return client.subscriptionsCount
    case "listSubscriptions":
      return client.listSubscriptions(webhookId)
    case "deleteSubscription":
      return client.deleteSubscription(webhookId, Ids.UserId.make(harness.alice.user.id))
    case "replay":
      return client.replay(webhookId, window)
  }
}

interface FaultCase {
  readonly name: string
  readonly endpoint: Endpoint.Name
  readonly fault: Proxy.Fault
  readonly tag: ClientError["_tag"]
  readonly reason?: string
  readonly code?: number
}

const catalogFault = (entry: ApiError.CatalogEntry): Proxy.Fault => ({
  status: entry.status,
  body: ApiError.body(entry)
})

/**
 * Answers the emulator cannot be made to give (it never fails on its own, answers 89 with 401 only, and
 * always writes X's current texts): given by the proxy in front of it, in X's exact bodies.
 */
const faultCases: ReadonlyArray<FaultCase> = [
  {
    name: "0 (POST register, not retried)",
    endpoint: "registerWebhook",
    fault: catalogFault(Catalog.InternalError),
    tag: "ServerError",
    code: 0
  },
  {
    name: "67 (POST replay, not retried)",
    endpoint: "replay",
    fault: catalogFault(Catalog.ServiceUnavailable),
    tag: "ServerError",
    code: 67
  },
  {
    name: "non-JSON 502 (POST subscribe, not retried)",
    endpoint: "subscribe",
    fault: { status: 502, text: "<html><body><h1>502 Bad Gateway</h1></body></html>" },
    tag: "ServerError"
  },
  {
    name: "34 with the older 'Twitter application' text",
    endpoint: "registerWebhook",
    fault: {
      status: 404,
      body: {
        errors: [{ code: 34, message: "Webhook does not exist or is associated with a different Twitter application." }]
      }
    },
    tag: "WebhookNotFound"
  },
  {
    name: "89 with 403 (the code table's status)",
    endpoint: "listWebhooks",
    fault: { status: 403, body: ApiError.body(Catalog.InvalidOrExpiredToken) },
    tag: "Unauthorized",
    reason: "InvalidToken",
    code: 89
  },
  {
    name: "99 'You don't have access' (GET webhooks)",
    endpoint: "listWebhooks",
    fault: catalogFault(Catalog.NoAccessToResource),
    tag: "Unauthorized",
    reason: "Forbidden",
    code: 99
  },
  {
    name: "61 (replay)",
    endpoint: "replay",
    fault: catalogFault(Catalog.ClientNotPermitted),
    tag: "Unauthorized",
    reason: "ClientNotPermitted",
    code: 61
  },
  {
    name: "an unknown code",
    endpoint: "registerWebhook",
    fault: { status: 400, body: { errors: [{ code: 9999, message: "Something new." }] } },
    tag: "UnknownApiError",
    code: 9999
  },
  {
    name: "success with an undecodable body",
    endpoint: "registerWebhook",
    fault: { status: 200, body: { webhooks: [] } },
    tag: "TransportError",
    reason: "UnexpectedResponse"
  },
  {
    name: "success with a non-JSON body",
    endpoint: "replay",
    fault: { status: 202, text: "<html>OK</html>" },
    tag: "TransportError",
    reason: "UnexpectedResponse"
  },
  {
    name: "replay 202 without a job id",
    endpoint: "replay",
    fault: { status: 202, body: { created_at: "2026-01-15T12:00:00Z" } },
    tag: "TransportError",
    reason: "UnexpectedResponse"
  }
]

describe("answers only a faulty network gives, through the proxy: mapped by code and status, sent once", () => {
  for (const testCase of faultCases) {
    it.scoped(
      `${testCase.name} on ${testCase.endpoint} → ${testCase.tag}${testCase.reason ? ` (${testCase.reason})` : ""}`,
      () =>
        Effect.gen(function* () {
          const harness = yield* setup()
          const webhookId = yield* harness.register()
          yield* harness.proxy.fault(testCase.endpoint, testCase.fault)
          const error = yield* Effect.flip(callOf(harness, harness.client, testCase.endpoint, webhookId))
          assert.strictEqual(error._tag, testCase.tag, error.message)
          if (testCase.reason !== undefined) assert.strictEqual((error as { reason?: string }).reason, testCase.reason)
          if (testCase.code !== undefined) assert.strictEqual((error as { code?: number }).code, testCase.code)
          if (error._tag !== "TransportError") assert.strictEqual(error.status, testCase.fault.status)
          assert.strictEqual(yield* harness.proxy.count(testCase.endpoint), 1, "sent once: no retry")
          assert.isAbove(error.message.length, 40)
        })
    )
  }

  it.scoped("the non-JSON 502 keeps the page's text, tags stripped, as X's message", () =>
    Effect.gen(function* () {
      const { client, proxy, hook } = yield* setup()
      yield* proxy.fault("registerWebhook", { status: 502, text: "<html><body><h1>502 Bad Gateway</h1></body></html>" })
      const error = yield* Effect.flip(client.registerWebhook(hook))
      assert.strictEqual(error._tag, "ServerError")
      if (error._tag === "ServerError") assert.strictEqual(error.apiMessage, "502 Bad Gateway")
    })
  )
})
