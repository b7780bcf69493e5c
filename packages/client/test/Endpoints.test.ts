import { AuthClient, AuthKind } from "@account-activity/auth"
import { ApiError, Ids } from "@account-activity/core"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Redacted } from "effect"
import * as Endpoint from "../src/Endpoint.js"
import { NOW, setup } from "./utils/harness.js"
import * as XStub from "./utils/XStub.js"

const hook = "https://example.com/webhook/twitter"
const minutesAgo = (minutes: number) => DateTime.unsafeMake(NOW - minutes * 60_000)

/** The auth the stub saw on the requests of `endpoint`. */
const authSeen = (stub: XStub.Stub, endpoint: Endpoint.Name) =>
  Effect.map(stub.seen, (seen) =>
    seen.filter((request) => request.endpoint === endpoint).map((request) => request.auth)
  )

describe("every endpoint, signed with the auth it needs, through a stub that checks it", () => {
  it.scoped("registerWebhook: POST with url as a query parameter, app owner's tokens", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const webhook = yield* client.registerWebhook(`${hook}?a=1&b=two words`)
      assert.strictEqual(webhook.url, `${hook}?a=1&b=two words`)
      assert.isTrue(webhook.valid)
      assert.match(webhook.id, /^[0-9]+$/)
      assert.strictEqual(webhook.created_at, "2026-01-15T12:00:00Z")
      assert.deepStrictEqual(yield* authSeen(stub, "registerWebhook"), ["AppOwner"])
      const [seen] = yield* stub.seen
      assert.include(seen!.url, "url=https%3A%2F%2Fexample.com%2Fwebhook%2Ftwitter%3Fa%3D1%26b%3Dtwo")
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("listWebhooks: app-only Bearer, fetched once with the client credentials and cached", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const first = yield* stub.addWebhook(hook, true)
      const second = yield* stub.addWebhook("https://example.com/other", false)
      const webhooks = yield* client.listWebhooks
      assert.deepStrictEqual(
        webhooks.map((webhook) => [webhook.id, webhook.url, webhook.valid]),
        [
          [first, hook, true],
          [second, "https://example.com/other", false]
        ]
      )
      yield* client.listWebhooks
      assert.deepStrictEqual(yield* authSeen(stub, "listWebhooks"), ["AppOnly", "AppOnly"])
      assert.strictEqual(yield* stub.count("token"), 1)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("validateWebhook: PUT, 204 → void, the webhook is valid again", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = yield* stub.addWebhook(hook, false)
      const result = yield* client.validateWebhook(Ids.WebhookId.make(id))
      assert.isUndefined(result)
      assert.isTrue((yield* stub.webhooks)[0]!.valid)
      assert.deepStrictEqual(yield* authSeen(stub, "validateWebhook"), ["AppOwner"])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("deleteWebhook: DELETE, app owner's tokens", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = yield* stub.addWebhook(hook, true)
      yield* client.deleteWebhook(Ids.WebhookId.make(id))
      assert.deepStrictEqual(yield* stub.webhooks, [])
      assert.deepStrictEqual(yield* authSeen(stub, "deleteWebhook"), ["AppOwner"])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("subscribe: POST with the subscribing user's tokens (the stub subscribes that user)", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* client.subscribe(id, XStub.alice)
      yield* client.subscribe(id, XStub.bob)
      assert.deepStrictEqual(yield* stub.subscribers(id), ["200", "300"])
      assert.deepStrictEqual(yield* authSeen(stub, "subscribe"), ["User:200", "User:300"])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("checkSubscription: 204 → true, 404 code 34 → false", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.subscribe(id, "200")
      assert.isTrue(yield* client.checkSubscription(id, XStub.alice))
      assert.isFalse(yield* client.checkSubscription(id, XStub.bob))
      assert.deepStrictEqual(yield* authSeen(stub, "checkSubscription"), ["User:200", "User:300"])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("checkSubscription: an unknown webhook stays an error, it is not 'not subscribed'", () =>
    Effect.gen(function* () {
      const { client } = yield* setup()
      const error = yield* Effect.flip(client.checkSubscription(Ids.WebhookId.make("42"), XStub.alice))
      assert.strictEqual(error._tag, "WebhookNotFound")
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("unsubscribe (deprecated): DELETE with the user's own tokens", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.subscribe(id, "200")
      yield* stub.subscribe(id, "300")
      yield* client.unsubscribe(id, XStub.alice)
      assert.deepStrictEqual(yield* stub.subscribers(id), ["300"])
      assert.deepStrictEqual(yield* authSeen(stub, "unsubscribe"), ["User:200"])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("subscriptionsCount: app-only, numbers with the raw strings kept", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = yield* stub.addWebhook(hook, true)
      yield* stub.subscribe(id, "200")
      yield* stub.subscribe(id, "300")
      const count = yield* client.subscriptionsCount
      assert.deepStrictEqual(count, {
        accountName: "my-account",
        all: 2,
        directMessages: 0,
        provisioned: 50,
        raw: {
          account_name: "my-account",
          subscriptions_count_all: "2",
          subscriptions_count_direct_messages: "0",
          provisioned_count: "50"
        }
      })
      assert.deepStrictEqual(yield* authSeen(stub, "subscriptionsCount"), ["AppOnly"])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("listSubscriptions: app-only, the decoded list", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.subscribe(id, "200")
      const list = yield* client.listSubscriptions(id)
      assert.deepStrictEqual(list, {
        webhook_id: id,
        webhook_url: hook,
        application_id: Ids.AppId.make(XStub.applicationId),
        subscriptions: [{ user_id: Ids.UserId.make("200") }]
      })
      assert.deepStrictEqual(yield* authSeen(stub, "listSubscriptions"), ["AppOnly"])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("deleteSubscription: app-only by user id; a user who is not subscribed is NotFound", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.subscribe(id, "200")
      yield* client.deleteSubscription(id, Ids.UserId.make("200"))
      assert.deepStrictEqual(yield* stub.subscribers(id), [])
      const error = yield* Effect.flip(client.deleteSubscription(id, Ids.UserId.make("200")))
      assert.strictEqual(error._tag, "NotFound")
      assert.deepStrictEqual(yield* authSeen(stub, "deleteSubscription"), ["AppOnly", "AppOnly"])
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("replay: app-only POST with yyyymmddhhmm dates (seconds dropped), 202 → the job", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      const job = yield* client.replay(id, {
        from: DateTime.unsafeMake(NOW - 2 * 60 * 60_000 + 42_000),
        to: minutesAgo(30)
      })
      assert.match(job.job_id, /^[0-9]+$/)
      assert.strictEqual(job.created_at, "2026-01-15T12:00:00Z")
      const seen = (yield* stub.seen).filter((request) => request.endpoint === "replay")
      assert.deepStrictEqual(yield* authSeen(stub, "replay"), ["AppOnly"])
      assert.include(seen[0]!.url, "from_date=202601151000&to_date=202601151130")
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})

describe("the stub refuses the wrong auth kind like X, so the tests above can fail", () => {
  const wrongKinds: ReadonlyArray<readonly [Endpoint.Name, AuthKind.AuthKind, string]> = [
    ["registerWebhook", AuthKind.AppOnly, "CannotWrite"],
    ["registerWebhook", AuthKind.User(XStub.alice), "CouldNotAuthenticate"],
    ["validateWebhook", AuthKind.AppOnly, "CredentialsNotAllowed"],
    ["deleteWebhook", AuthKind.User(XStub.alice), "CouldNotAuthenticate"],
    ["subscribe", AuthKind.AppOnly, "CredentialsNotAllowed"],
    ["checkSubscription", AuthKind.AppOnly, "CredentialsNotAllowed"],
    ["unsubscribe", AuthKind.AppOnly, "CredentialsNotAllowed"],
    ["listWebhooks", AuthKind.AppOwner, "CouldNotAuthenticate"],
    ["subscriptionsCount", AuthKind.User(XStub.alice), "CouldNotAuthenticate"],
    ["listSubscriptions", AuthKind.AppOwner, "CouldNotAuthenticate"],
    ["deleteSubscription", AuthKind.AppOwner, "CouldNotAuthenticate"],
    ["replay", AuthKind.AppOwner, "WrongAuthMethod"]
  ]

  it.scoped("each endpoint with a wrong kind of credentials is refused", () =>
    Effect.gen(function* () {
      const { stub } = yield* setup()
      const id = yield* stub.addWebhook(hook, true)
      const auth = yield* Effect.provide(
        AuthClient.AuthClient,
        AuthClient.layer({
          app: XStub.app,
          owner: XStub.owner,
          bearerToken: Redacted.make(XStub.bearerToken),
          baseUrl: stub.url
        })
      )
      const http = yield* HttpClient.HttpClient
      for (const [name, kind, reason] of wrongKinds) {
        const endpoint = Endpoint.Endpoints[name]
        const request = HttpClientRequest.make(endpoint.method)(
          `${stub.url}${Endpoint.path(endpoint, { webhook_id: id, user_id: "200" })}`
        ).pipe(HttpClientRequest.setUrlParams({ url: hook, from_date: "202601151000", to_date: "202601151130" }))
        const signed = yield* auth.sign(kind)(request)
        const response = yield* http.execute(signed)
        const error = ApiError.fromResponse({ status: response.status, body: yield* response.text })
        assert.strictEqual(error._tag, "Unauthorized", `${name} with ${kind._tag}`)
        assert.strictEqual((error as ApiError.Unauthorized).reason, reason, `${name} with ${kind._tag}`)
      }
      assert.isTrue((yield* stub.seen).every((request) => request.status >= 400))
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})
