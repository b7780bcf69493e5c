import { ApiError, Ids } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { setup, withClock } from "./utils/harness.js"
import * as XStub from "./utils/XStub.js"

const hook = "https://example.com/webhook/twitter"
const other = "https://example.com/webhook/old"
const serviceUnavailable: XStub.Scripted = { status: 503, body: ApiError.body(ApiError.Catalog.ServiceUnavailable) }

describe("ensureWebhook", () => {
  it.scoped("no webhook for the URL: registers it", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const ensured = yield* client.ensureWebhook(hook)
      assert.strictEqual(ensured.action, "Registered")
      assert.strictEqual(ensured.webhook.url, hook)
      assert.deepStrictEqual(ensured.deleted, [])
      assert.deepStrictEqual(
        (yield* stub.webhooks).map((webhook) => webhook.url),
        [hook]
      )
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("a valid webhook with exactly this URL: reused, nothing sent but the list", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = yield* stub.addWebhook(hook, true)
      const ensured = yield* client.ensureWebhook(hook)
      assert.strictEqual(ensured.action, "Reused")
      assert.strictEqual(ensured.webhook.id, id)
      assert.deepStrictEqual(
        (yield* stub.seen).map((seen) => seen.endpoint),
        ["token", "listWebhooks"]
      )
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("an invalid webhook with this URL: validated again with PUT, not registered twice", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = yield* stub.addWebhook(hook, false)
      const ensured = yield* client.ensureWebhook(hook)
      assert.strictEqual(ensured.action, "Revalidated")
      assert.strictEqual(ensured.webhook.id, id)
      assert.isTrue(ensured.webhook.valid)
      assert.isTrue((yield* stub.webhooks)[0]!.valid)
      assert.strictEqual(yield* stub.count("validateWebhook"), 1)
      assert.strictEqual(yield* stub.count("registerWebhook"), 0)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("matching is by the exact URL string: a trailing slash is another webhook", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.addWebhook(`${hook}/`, true)
      const ensured = yield* client.ensureWebhook(hook)
      assert.strictEqual(ensured.action, "Registered")
      assert.strictEqual((yield* stub.webhooks).length, 2)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("other webhooks of the app are left alone by default", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.addWebhook(other, true)
      yield* client.ensureWebhook(hook)
      assert.deepStrictEqual(
        (yield* stub.webhooks).map((webhook) => webhook.url),
        [other, hook]
      )
      assert.strictEqual(yield* stub.count("deleteWebhook"), 0)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("replaceOthers: the others are deleted first, freeing a slot at the webhook limit", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ stub: { maxWebhooks: 1 } })
      const old = yield* stub.addWebhook(other, true)
      const ensured = yield* client.ensureWebhook(hook, { replaceOthers: true })
      assert.strictEqual(ensured.action, "Registered")
      assert.deepStrictEqual(ensured.deleted, [Ids.WebhookId.make(old)])
      assert.deepStrictEqual(
        (yield* stub.webhooks).map((webhook) => webhook.url),
        [hook]
      )
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("replaceOthers with a match: the match is kept, the others and its duplicates are deleted", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const duplicate = yield* stub.addWebhook(hook, false)
      const kept = yield* stub.addWebhook(hook, true)
      const old = yield* stub.addWebhook(other, true)
      const ensured = yield* client.ensureWebhook(hook, { replaceOthers: true })
      assert.strictEqual(ensured.action, "Reused")
      assert.strictEqual(ensured.webhook.id, kept)
      assert.deepStrictEqual([...ensured.deleted].sort(), [duplicate, old].sort())
      assert.deepStrictEqual(
        (yield* stub.webhooks).map((webhook) => webhook.id),
        [kept]
      )
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("the webhook limit without replaceOthers: TooManyResources, which says what to do", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup({ stub: { maxWebhooks: 1 } })
      yield* stub.addWebhook(other, true)
      const error = yield* Effect.flip(client.ensureWebhook(hook))
      assert.strictEqual(error._tag, "TooManyResources")
      assert.include(error.message, "Delete a webhook")
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("register answered 503 although X created the webhook: found by listing again, not registered twice", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("registerWebhook", {
        ...serviceUnavailable,
        onServe: Effect.asVoid(stub.addWebhook(hook, true))
      })
      const ensured = yield* withClock(client.ensureWebhook(hook))
      assert.strictEqual(ensured.action, "Registered")
      assert.strictEqual(ensured.webhook.url, hook)
      assert.strictEqual(yield* stub.count("registerWebhook"), 1)
      assert.strictEqual((yield* stub.webhooks).length, 1)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("register answered 503 and nothing was created: the ServerError is the result", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      yield* stub.script("registerWebhook", serviceUnavailable)
      const error = yield* Effect.flip(withClock(client.ensureWebhook(hook)))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual(yield* stub.count("registerWebhook"), 1)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("running it twice registers once", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const first = yield* client.ensureWebhook(hook)
      const second = yield* client.ensureWebhook(hook)
      assert.deepStrictEqual([first.action, second.action], ["Registered", "Reused"])
      assert.strictEqual(first.webhook.id, second.webhook.id)
      assert.strictEqual(yield* stub.count("registerWebhook"), 1)
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})

describe("ensureSubscribed", () => {
  it.scoped("not subscribed: checks, then subscribes with the user's tokens", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      assert.strictEqual(yield* client.ensureSubscribed(id, XStub.alice), "Subscribed")
      assert.deepStrictEqual(yield* stub.subscribers(id), ["200"])
      assert.deepStrictEqual(
        (yield* stub.seen).map((seen) => [seen.endpoint, seen.auth, seen.status]),
        [
          ["checkSubscription", "User:200", 404],
          ["subscribe", "User:200", 204]
        ]
      )
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("already subscribed: only checks", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.subscribe(id, "200")
      assert.strictEqual(yield* client.ensureSubscribed(id, XStub.alice), "AlreadySubscribed")
      assert.strictEqual(yield* stub.count("subscribe"), 0)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped('355 "Subscription already exists." after a check that said no (a race): success', () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.script("checkSubscription", { status: 404, body: ApiError.body(ApiError.Catalog.PageNotFound) })
      yield* stub.subscribe(id, "200")
      assert.strictEqual(yield* client.ensureSubscribed(id, XStub.alice), "AlreadySubscribed")
      assert.strictEqual(yield* stub.count("subscribe"), 1)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("subscribe answered 500 although X subscribed: the check afterwards says so, no second POST", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.script("subscribe", {
        status: 500,
        body: ApiError.body(ApiError.Catalog.InternalError),
        onServe: stub.subscribe(id, "200")
      })
      assert.strictEqual(yield* withClock(client.ensureSubscribed(id, XStub.alice)), "Subscribed")
      assert.strictEqual(yield* stub.count("subscribe"), 1)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("an unknown webhook: WebhookNotFound, nothing subscribed", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const error = yield* Effect.flip(client.ensureSubscribed(Ids.WebhookId.make("42"), XStub.alice))
      assert.strictEqual(error._tag, "WebhookNotFound")
      assert.strictEqual(yield* stub.count("subscribe"), 0)
    }).pipe(Effect.provide(XStub.ServerLive))
  )

  it.scoped("348: the app may not subscribe this user", () =>
    Effect.gen(function* () {
      const { stub, client } = yield* setup()
      const id = Ids.WebhookId.make(yield* stub.addWebhook(hook, true))
      yield* stub.script("subscribe", {
        status: 403,
        body: ApiError.body(ApiError.Catalog.SubscriptionNotPermitted)
      })
      const error = yield* Effect.flip(client.ensureSubscribed(id, XStub.bob))
      assert.strictEqual(error._tag, "NotPermitted")
      assert.include(error.message, "3-legged")
    }).pipe(Effect.provide(XStub.ServerLive))
  )
})
