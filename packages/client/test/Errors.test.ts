import { Credentials } from "@account-activity/auth"
import { ApiError, Ids } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Redacted } from "effect"
import type { ClientError, Service } from "../src/AccountActivityClient.js"
import type * as Endpoint from "../src/Endpoint.js"
import { NOW, setup } from "./utils/harness.js"
import * as XStub from "./utils/XStub.js"

const hook = "https://example.com/webhook/twitter"
const window = { from: DateTime.unsafeMake(NOW - 2 * 60 * 60_000), to: DateTime.unsafeMake(NOW - 30 * 60_000) }

/** Calls `endpoint` with plausible arguments. */
const callOf = (
  client: Service,
  endpoint: Endpoint.Name,
  webhookId: Ids.WebhookId
): Effect.Effect<unknown, ClientError> => {
  switch (endpoint) {
    case "registerWebhook":
      return client.registerWebhook(hook)
    case "listWebhooks":
      return client.listWebhooks
    case "validateWebhook":
      return client.validateWebhook(webhookId)
    case "deleteWebhook":
      return client.deleteWebhook(webhookId)
    case "subscribe":
      return client.subscribe(webhookId, XStub.alice)
    case "checkSubscription":
      return client.checkSubscription(webhookId, XStub.alice)
    case "unsubscribe":
      return client.unsubscribe(webhookId, XStub.alice)
    case "subscriptionsCount":
      return client.subscriptionsCount
    case "listSubscriptions":
      return client.listSubscriptions(webhookId)
    case "deleteSubscription":
      return client.deleteSubscription(webhookId, Ids.UserId.make("200"))
    case "replay":
      return client.replay(webhookId, window)
  }
}

interface Case {
  readonly name: string
  readonly endpoint: Endpoint.Name
  readonly answer: XStub.Scripted
  readonly tag: ClientError["_tag"]
  readonly reason?: string
  readonly code?: number
}

const catalogAnswer = (entry: ApiError.CatalogEntry): XStub.Scripted => ({
  status: entry.status,
  body: ApiError.body(entry)
})

const { Catalog } = ApiError

const cases: ReadonlyArray<Case> = [
  {
    name: "34 webhook",
    endpoint: "validateWebhook",
    answer: catalogAnswer(Catalog.WebhookNotFound),
    tag: "WebhookNotFound",
    code: 34
  },
  {
    name: "34 older 'Twitter application' text",
    endpoint: "deleteWebhook",
    answer: {
      status: 404,
      body: {
        errors: [{ code: 34, message: "Webhook does not exist or is associated with a different Twitter application." }]
      }
    },
    tag: "WebhookNotFound"
  },
  {
    name: "34 page",
    endpoint: "deleteSubscription",
    answer: catalogAnswer(Catalog.PageNotFound),
    tag: "NotFound",
    code: 34
  },
  {
    name: "214 URL requirements",
    endpoint: "registerWebhook",
    answer: catalogAnswer(Catalog.CrcUrlRequirements),
    tag: "CrcFailed",
    reason: "UrlRequirements"
  },
  {
    name: "214 invalid CRC response",
    endpoint: "registerWebhook",
    answer: catalogAnswer(Catalog.CrcInvalidResponse),
    tag: "CrcFailed",
    reason: "InvalidResponse"
  },
  {
    name: "214 high latency",
    endpoint: "validateWebhook",
    answer: catalogAnswer(Catalog.CrcHighLatency),
    tag: "CrcFailed",
    reason: "HighLatency"
  },
  {
    name: "214 non-200",
    endpoint: "validateWebhook",
    answer: catalogAnswer(Catalog.CrcNon200Response),
    tag: "CrcFailed",
    reason: "Non200Response"
  },
  {
    name: "214 webhook invalid (replay)",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.WebhookInvalid),
    tag: "CrcFailed",
    reason: "WebhookInvalid"
  },
  {
    name: "214 too many resources",
    endpoint: "registerWebhook",
    answer: catalogAnswer(Catalog.TooManyResources),
    tag: "TooManyResources"
  },
  {
    name: "348",
    endpoint: "subscribe",
    answer: catalogAnswer(Catalog.SubscriptionNotPermitted),
    tag: "NotPermitted",
    code: 348
  },
  {
    name: "355 subscription",
    endpoint: "subscribe",
    answer: catalogAnswer(Catalog.SubscriptionExists),
    tag: "SubscriptionExists",
    code: 355
  },
  {
    name: "355 replay",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ReplayInProgress),
    tag: "ReplayInProgress",
    code: 355
  },
  {
    name: "356 from before to",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ReplayFromNotBeforeTo),
    tag: "InvalidReplayDates",
    reason: "FromNotBeforeTo"
  },
  {
    name: "356 5 days",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ReplayFromTooOld),
    tag: "InvalidReplayDates",
    reason: "FromTooOld"
  },
  {
    name: "357",
    endpoint: "replay",
    answer: { status: 400, body: ApiError.body(Catalog.ReplayParamMissing, "from_date: queryParam is required.") },
    tag: "InvalidReplayDates",
    reason: "MissingParameter"
  },
  {
    name: "358",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ReplayParamMalformed),
    tag: "InvalidReplayDates",
    reason: "MalformedParameter"
  },
  {
    name: "360",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ReplayParamNegative),
    tag: "InvalidReplayDates",
    reason: "NegativeParameter"
  },
  {
    name: "368",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ReplayDateNotInPast),
    tag: "InvalidReplayDates",
    reason: "NotInPast"
  },
  {
    name: "32",
    endpoint: "listSubscriptions",
    answer: catalogAnswer(Catalog.CouldNotAuthenticate),
    tag: "Unauthorized",
    reason: "CouldNotAuthenticate",
    code: 32
  },
  {
    name: "32 wrong method (replay)",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.WrongAuthMethod),
    tag: "Unauthorized",
    reason: "WrongAuthMethod",
    code: 32
  },
  {
    name: "89 (401)",
    endpoint: "subscriptionsCount",
    answer: catalogAnswer(Catalog.InvalidOrExpiredToken),
    tag: "Unauthorized",
    reason: "InvalidToken",
    code: 89
  },
  {
    name: "89 (403)",
    endpoint: "listWebhooks",
    answer: { status: 403, body: ApiError.body(Catalog.InvalidOrExpiredToken) },
    tag: "Unauthorized",
    reason: "InvalidToken",
    code: 89
  },
  {
    name: "99 no access (GET webhooks)",
    endpoint: "listWebhooks",
    answer: catalogAnswer(Catalog.NoAccessToResource),
    tag: "Unauthorized",
    reason: "Forbidden",
    code: 99
  },
  {
    name: "135",
    endpoint: "validateWebhook",
    answer: catalogAnswer(Catalog.TimestampOutOfBounds),
    tag: "Unauthorized",
    reason: "ClockSkew",
    code: 135
  },
  {
    name: "200 replay not enabled",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ReplayNotEnabled),
    tag: "Unauthorized",
    reason: "Forbidden",
    code: 200
  },
  {
    name: "220",
    endpoint: "subscriptionsCount",
    answer: catalogAnswer(Catalog.CredentialsNotAllowed),
    tag: "Unauthorized",
    reason: "CredentialsNotAllowed",
    code: 220
  },
  {
    name: "261",
    endpoint: "registerWebhook",
    answer: catalogAnswer(Catalog.CannotWrite),
    tag: "Unauthorized",
    reason: "CannotWrite",
    code: 261
  },
  {
    name: "61",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ClientNotPermitted),
    tag: "Unauthorized",
    reason: "ClientNotPermitted",
    code: 61
  },
  {
    name: "215",
    endpoint: "subscribe",
    answer: catalogAnswer(Catalog.BadAuthenticationData),
    tag: "Unauthorized",
    reason: "BadAuthData",
    code: 215
  },
  {
    name: "88 beyond the wait",
    endpoint: "listWebhooks",
    answer: {
      ...catalogAnswer(Catalog.RateLimitExceeded),
      headers: { "x-rate-limit-reset": String(NOW / 1000 + 3600), "x-rate-limit-remaining": "0" }
    },
    tag: "RateLimited",
    reason: "RateLimit",
    code: 88
  },
  {
    name: "0 (POST register, not retried)",
    endpoint: "registerWebhook",
    answer: catalogAnswer(Catalog.InternalError),
    tag: "ServerError",
    code: 0
  },
  {
    name: "67 (POST replay, not retried)",
    endpoint: "replay",
    answer: catalogAnswer(Catalog.ServiceUnavailable),
    tag: "ServerError",
    code: 67
  },
  {
    name: "non-JSON 502 (POST subscribe, not retried)",
    endpoint: "subscribe",
    answer: { status: 502, text: "<html><body><h1>502 Bad Gateway</h1></body></html>" },
    tag: "ServerError"
  },
  {
    name: "unknown code",
    endpoint: "listSubscriptions",
    answer: { status: 400, body: { errors: [{ code: 9999, message: "Something new." }] } },
    tag: "UnknownApiError",
    code: 9999
  },
  {
    name: "success with an undecodable body",
    endpoint: "listWebhooks",
    answer: { status: 200, body: { webhooks: [] } },
    tag: "TransportError",
    reason: "UnexpectedResponse"
  },
  {
    name: "success with a non-JSON body",
    endpoint: "subscriptionsCount",
    answer: { status: 200, text: "<html>OK</html>" },
    tag: "TransportError",
    reason: "UnexpectedResponse"
  },
  {
    name: "replay 202 without a job id",
    endpoint: "replay",
    answer: { status: 202, body: { created_at: "2026-01-15T12:00:00Z" } },
    tag: "TransportError",
    reason: "UnexpectedResponse"
  }
]

describe("X's error answers become core's tagged errors, by code", () => {
  for (const testCase of cases) {
    it.scoped(
      `${testCase.name} on ${testCase.endpoint} → ${testCase.tag}${testCase.reason ? ` (${testCase.reason})` : ""}`,
      () =>
        Effect.gen(function* () {
          const { stub, client } = yield* setup()
          const webhookId = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
          yield* stub.script(testCase.endpoint, testCase.answer)
          const error = yield* Effect.flip(callOf(client, testCase.endpoint, webhookId))
          assert.strictEqual(error._tag, testCase.tag, error.message)
          if (testCase.reason !== undefined) assert.strictEqual((error as { reason?: string }).reason, testCase.reason)
          if (testCase.code !== undefined) assert.strictEqual((error as { code?: number }).code, testCase.code)
          if (error._tag !== "TransportError") assert.strictEqual(error.status, testCase.answer.status)
          assert.strictEqual(yield* stub.count(testCase.endpoint), 1, "sent once: no retry")
          assert.isAbove(error.message.length, 40)
        }).pipe(Effect.provide(XStub.ServerLive))
    )
  }

  it.scoped("the non-JSON 502 keeps the page's text, tags stripped, as X's message", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("registerWebhook", { status: 502, text: "<html><body><h1>502 Bad Gateway</h1></body></html>" })
      const error = yield* Effect.flip(client.registerWebhook(hook))
      assert.strictEqual(error._tag, "ServerError")
      if (error._tag === "ServerError") assert.strictEqual(error.apiMessage, "502 Bad Gateway")
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped(
    "355 means two things: SubscriptionExists on subscribe, ReplayInProgress on replay (from the stub's state)",
    () =>
      Effect.gen(function* () {
        const { stub, client } = yield* setup()
        const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
        yield* client.subscribe(id, XStub.alice)
        const subscribed = yield* Effect.flip(client.subscribe(id, XStub.alice))
        assert.strictEqual(subscribed._tag, "SubscriptionExists")
        yield* client.replay(id, window)
        const replaying = yield* Effect.flip(client.replay(id, window))
        assert.strictEqual(replaying._tag, "ReplayInProgress")
        yield* stub.finishReplay(id)
        yield* client.replay(id, window)
      }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped(
    "replay dates the stub checks itself: not in the past (368), from not before to (356), older than 5 days (356)",
    () =>
      Effect.gen(function* () {
        const { stub, client } = yield* setup()
        const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
        const at = (minutesAgo: number) => DateTime.unsafeMake(NOW - minutesAgo * 60_000)
        const future = yield* Effect.flip(client.replay(id, { from: at(60), to: at(-5) }))
        const reversed = yield* Effect.flip(client.replay(id, { from: at(60), to: at(90) }))
        const old = yield* Effect.flip(client.replay(id, { from: at(6 * 24 * 60), to: at(60) }))
        assert.deepStrictEqual(
          [future, reversed, old].map((error) => [error._tag, (error as ApiError.InvalidReplayDates).reason]),
          [
            ["InvalidReplayDates", "NotInPast"],
            ["InvalidReplayDates", "FromNotBeforeTo"],
            ["InvalidReplayDates", "FromTooOld"]
          ]
        )
      }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a replay against an invalid webhook: CrcFailed WebhookInvalid (214), from the stub's state", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, false))
      const error = yield* Effect.flip(client.replay(id, window))
      assert.strictEqual(error._tag, "CrcFailed")
      assert.strictEqual((error as ApiError.CrcFailed).reason, "WebhookInvalid")
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})

describe("credentials the stub refuses", () => {
  it.scoped("a wrong owner secret: the OAuth signature fails, 401 code 32 → Unauthorized CouldNotAuthenticate", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({
        client: { owner: Credentials.user({ accessToken: XStub.owner.accessToken, accessTokenSecret: "wrong" }) }
      })
      const error = yield* Effect.flip(client.registerWebhook(hook))
      assert.strictEqual(error._tag, "Unauthorized")
      assert.strictEqual((error as ApiError.Unauthorized).reason, "CouldNotAuthenticate")
      assert.strictEqual((error as ApiError.Unauthorized).code, 32)
      assert.deepStrictEqual(yield* stub.webhooks, [])
      assert.notInclude(error.message, "wrong")
      assert.notInclude(JSON.stringify(error), "wrong")
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a wrong consumer secret: /oauth2/token refuses (403, 99) → Unauthorized CredentialsUnverified", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({
        client: { app: Credentials.app({ consumerKey: XStub.app.consumerKey, consumerSecret: "not the secret" }) }
      })
      const error = yield* Effect.flip(client.listWebhooks)
      assert.strictEqual(error._tag, "Unauthorized")
      assert.strictEqual((error as ApiError.Unauthorized).reason, "CredentialsUnverified")
      assert.strictEqual(yield* stub.count("listWebhooks"), 0)
      assert.notInclude(JSON.stringify(error), "not the secret")
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a subscribing user unknown to X: 401 code 32 on subscribe", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      const error = yield* Effect.flip(client.subscribe(id, XStub.stranger))
      assert.strictEqual(error._tag, "Unauthorized")
      assert.deepStrictEqual(yield* stub.subscribers(id), [])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("after 89 the fetched Bearer token is dropped: the next call fetches a new one", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("listWebhooks", catalogAnswer(Catalog.InvalidOrExpiredToken))
      const error = yield* Effect.flip(client.listWebhooks)
      assert.strictEqual((error as ApiError.Unauthorized).reason, "InvalidToken")
      assert.strictEqual((error as ApiError.Unauthorized).apiMessage, Catalog.InvalidOrExpiredToken.message)
      yield* client.listWebhooks
      assert.strictEqual(yield* stub.count("token"), 2)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a static Bearer token is used as given, without a token request", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ client: { bearerToken: Redacted.make(XStub.bearerToken) } })
      yield* client.listWebhooks
      assert.strictEqual(yield* stub.count("token"), 0)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("AppOwner endpoints without owner tokens fail before sending: TransportError InvalidRequest", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ client: { owner: undefined } })
      const error = yield* Effect.flip(client.registerWebhook(hook))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as { reason?: string }).reason, "InvalidRequest")
      assert.include(error.message, "owner")
      assert.strictEqual(yield* stub.count("registerWebhook"), 0)
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})
