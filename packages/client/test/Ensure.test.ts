import { ApiError, Ids } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { setup, withClock } from "./utils/harness.js"
import type * as Proxy from "./utils/proxy.js"

const serviceUnavailable: Proxy.Fault = { status: 503, body: ApiError.body(ApiError.Catalog.ServiceUnavailable) }

const urls = (webhooks: ReadonlyArray<{ readonly url: string }>) => webhooks.map((webhook) => webhook.url)

describe("ensureWebhook", () => {
  it.scoped("no webhook for the URL: registers it", () =>
    Effect.gen(function* () {
      const { client, hook, emulator } = yield* setup()
      const ensured = yield* client.ensureWebhook(hook)
      assert.strictEqual(ensured.action, "Registered")
      assert.strictEqual(ensured.webhook.url, hook)
      assert.deepStrictEqual(ensured.deleted, [])
      assert.deepStrictEqual(urls(yield* emulator.webhooks), [hook])
    })
  )

  it.scoped("a valid webhook with exactly this URL: reused, nothing sent but the list", () =>
    Effect.gen(function* () {
      const { client, hook, register, proxy } = yield* setup()
      const id = yield* register()
      const ensured = yield* client.ensureWebhook(hook)
      assert.strictEqual(ensured.action, "Reused")
      assert.strictEqual(ensured.webhook.id, id)
      assert.deepStrictEqual(
        (yield* proxy.seen).map((seen) => seen.endpoint),
        ["token", "listWebhooks"]
      )
    })
  )

  it.scoped("an invalid webhook with this URL: validated again with PUT (a CRC), not registered twice", () =>
    Effect.gen(function* () {
      const { client, hook, register, invalidate, proxy, emulator } = yield* setup()
      const id = yield* register()
      yield* invalidate(id)
      const ensured = yield* client.ensureWebhook(hook)
      assert.strictEqual(ensured.action, "Revalidated")
      assert.strictEqual(ensured.webhook.id, id)
      assert.isTrue(ensured.webhook.valid)
      assert.isTrue((yield* emulator.webhook(id)).valid)
      assert.strictEqual(yield* proxy.count("validateWebhook"), 1)
      assert.strictEqual(yield* proxy.count("registerWebhook"), 0)
    })
  )

  it.scoped("an invalid webhook whose receiver still fails the CRC: CrcFailed, and it stays invalid", () =>
    Effect.gen(function* () {
      const { client, hook, register, invalidate, receiver, emulator } = yield* setup()
      const id = yield* register()
      yield* invalidate(id)
      receiver.setMode("wrong-token")
      const error = yield* Effect.flip(client.ensureWebhook(hook))
      assert.strictEqual(error._tag, "CrcFailed")
      assert.isFalse((yield* emulator.webhook(id)).valid)
    })
  )

  it.scoped("matching is by the exact URL string: a trailing slash is another webhook", () =>
    Effect.gen(function* () {
      const { client, hook, register, emulator } = yield* setup()
      yield* register(`${hook}/`)
      const ensured = yield* client.ensureWebhook(hook)
      assert.strictEqual(ensured.action, "Registered")
      assert.strictEqual((yield* emulator.webhooks).length, 2)
    })
  )

  it.scoped("other webhooks of the app are left alone by default", () =>
    Effect.gen(function* () {
      const { client, hook, register, emulator, proxy } = yield* setup()
      yield* register(`${hook}/old`)
      yield* client.ensureWebhook(hook)
      assert.deepStrictEqual(urls(yield* emulator.webhooks), [`${hook}/old`, hook])
      assert.strictEqual(yield* proxy.count("deleteWebhook"), 0)
    })
  )

  it.scoped("replaceOthers: the others are deleted first, freeing a slot at the webhook limit", () =>
    Effect.gen(function* () {
      const { client, hook, register, emulator } = yield* setup({ emulator: { webhookLimit: 1 } })
      const old = yield* register(`${hook}/old`)
      const ensured = yield* client.ensureWebhook(hook, { replaceOthers: true })
      assert.strictEqual(ensured.action, "Registered")
      assert.deepStrictEqual(ensured.deleted, [old])
      assert.deepStrictEqual(urls(yield* emulator.webhooks), [hook])
    })
  )

  it.scoped("replaceOthers with a match: the match is kept, the others and its duplicates are deleted", () =>
    Effect.gen(function* () {
      const { client, hook, register, invalidate, emulator } = yield* setup({
        emulator: { rejectDuplicateUrls: false }
      })
      const duplicate = yield* register()
      yield* invalidate(duplicate)
      const kept = yield* register()
      const old = yield* register(`${hook}/old`)
      const ensured = yield* client.ensureWebhook(hook, { replaceOthers: true })
      assert.strictEqual(ensured.action, "Reused")
      assert.strictEqual(ensured.webhook.id, kept)
      assert.deepStrictEqual([...ensured.deleted].sort(), [duplicate, old].sort())
      assert.deepStrictEqual(
        (yield* emulator.webhooks).map((webhook) => webhook.id),
        [kept]
      )
    })
  )

  it.scoped("the webhook limit without replaceOthers: TooManyResources, which says what to do", () =>
    Effect.gen(function* () {
      const { client, hook, register } = yield* setup({ emulator: { webhookLimit: 1 } })
      yield* register(`${hook}/old`)
      const error = yield* Effect.flip(client.ensureWebhook(hook))
      assert.strictEqual(error._tag, "TooManyResources")
      assert.include(error.message, "Delete a webhook")
    })
  )

  it.scoped("register answered 503 although X created the webhook: found by listing again, not registered twice", () =>
    Effect.gen(function* () {
      const { client, hook, proxy, emulator } = yield* setup()
      // the emulator registers the webhook; its answer is lost on the way back
      yield* proxy.fault("registerWebhook", { ...serviceUnavailable, forward: true })
      const ensured = yield* withClock(client.ensureWebhook(hook))
      assert.strictEqual(ensured.action, "Registered")
      assert.strictEqual(ensured.webhook.url, hook)
      assert.strictEqual(yield* proxy.count("registerWebhook"), 1)
      assert.deepStrictEqual(urls(yield* emulator.webhooks), [hook])
    })
  )

  it.scoped("register answered 503 and nothing was created: the ServerError is the result", () =>
    Effect.gen(function* () {
      const { client, hook, proxy, emulator } = yield* setup()
      yield* proxy.fault("registerWebhook", serviceUnavailable)
      const error = yield* Effect.flip(withClock(client.ensureWebhook(hook)))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual(yield* proxy.count("registerWebhook"), 1)
      assert.deepStrictEqual(yield* emulator.webhooks, [])
    })
  )

  it.scoped("running it twice registers once", () =>
    Effect.gen(function* () {
      const { client, hook, proxy } = yield* setup()
      const first = yield* client.ensureWebhook(hook)
      const second = yield* client.ensureWebhook(hook)
      assert.deepStrictEqual([first.action, second.action], ["Registered", "Reused"])
      assert.strictEqual(first.webhook.id, second.webhook.id)
      assert.strictEqual(yield* proxy.count("registerWebhook"), 1)
    })
  )
})

describe("ensureSubscribed", () => {
  it.scoped("not subscribed: checks, then subscribes with the user's tokens", () =>
    Effect.gen(function* () {
      const { client, register, proxy, emulator, alice, authSeen } = yield* setup()
      const id = yield* register()
      assert.strictEqual(yield* client.ensureSubscribed(id, alice.tokens), "Subscribed")
      assert.deepStrictEqual(
        (yield* emulator.subscriptions).map((subscription) => subscription.userId),
        [alice.user.id]
      )
      assert.deepStrictEqual(
        (yield* proxy.seen)
          .filter((seen) => seen.endpoint === "checkSubscription" || seen.endpoint === "subscribe")
          .map((seen) => [seen.endpoint, seen.status]),
        [
          ["checkSubscription", 404],
          ["subscribe", 204]
        ]
      )
      assert.deepStrictEqual(yield* authSeen("subscribe"), [`User:${alice.user.id}`])
    })
  )

  it.scoped("already subscribed: only checks", () =>
    Effect.gen(function* () {
      const { client, register, proxy, emulator, app, alice } = yield* setup()
      const id = yield* register()
      yield* Effect.orDie(emulator.subscribe({ appId: app.app.id, webhookId: id, userId: alice.user.id }))
      assert.strictEqual(yield* client.ensureSubscribed(id, alice.tokens), "AlreadySubscribed")
      assert.strictEqual(yield* proxy.count("subscribe"), 0)
    })
  )

  it.scoped('355 "Subscription already exists." after a check that said no (a race): success', () =>
    Effect.gen(function* () {
      const { client, register, proxy, emulator, app, alice } = yield* setup()
      const id = yield* register()
      // a concurrent subscriber wins between the check and the POST
      yield* proxy.fault("checkSubscription", { status: 404, body: ApiError.body(ApiError.Catalog.PageNotFound) })
      yield* Effect.orDie(emulator.subscribe({ appId: app.app.id, webhookId: id, userId: alice.user.id }))
      assert.strictEqual(yield* client.ensureSubscribed(id, alice.tokens), "AlreadySubscribed")
      assert.deepStrictEqual(
        (yield* proxy.seen).filter((seen) => seen.endpoint === "subscribe").map((seen) => seen.status),
        [409]
      )
    })
  )

  it.scoped("subscribe answered 500 although X subscribed: the check afterwards says so, no second POST", () =>
    Effect.gen(function* () {
      const { client, register, proxy, emulator, alice } = yield* setup()
      const id = yield* register()
      yield* proxy.fault("subscribe", {
        status: 500,
        body: ApiError.body(ApiError.Catalog.InternalError),
        forward: true
      })
      assert.strictEqual(yield* withClock(client.ensureSubscribed(id, alice.tokens)), "Subscribed")
      assert.strictEqual(yield* proxy.count("subscribe"), 1)
      assert.strictEqual((yield* emulator.subscriptions).length, 1)
    })
  )

  it.scoped("an unknown webhook: WebhookNotFound, nothing subscribed", () =>
    Effect.gen(function* () {
      const { client, proxy, alice } = yield* setup()
      const error = yield* Effect.flip(client.ensureSubscribed(Ids.WebhookId.make("42"), alice.tokens))
      assert.strictEqual(error._tag, "WebhookNotFound")
      assert.strictEqual(yield* proxy.count("subscribe"), 0)
    })
  )

  it.scoped("348: the app may not subscribe this user (a token without the DM permission)", () =>
    Effect.gen(function* () {
      const { client, register, emulator, app } = yield* setup()
      const id = yield* register()
      const reader = yield* Effect.orDie(emulator.createUser({ appId: app.app.id, permission: "read-write" }))
      const error = yield* Effect.flip(client.ensureSubscribed(id, reader.tokens))
      assert.strictEqual(error._tag, "NotPermitted")
      assert.include(error.message, "3-legged")
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
    })
  )
})
