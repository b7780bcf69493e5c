import * as AuthKind from "@account-activity/auth/AuthKind"
import { Rest } from "@account-activity/core"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as Emulator from "../src/Emulator.js"
import { codeOf, layer, messageOf, registered, withWebhook } from "./utils/emulator.js"

const all = (id: string) => `/1.1/account_activity/webhooks/${id}/subscriptions/all.json`

const setup = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const { client, stub } = yield* withWebhook
  const id = yield* registered(client, stub.url, AuthKind.AppOwner)
  const alice = yield* emulator.createUser({ appId: client.created.app.id, screenName: "alice" })
  return { emulator, client, id, alice, as: AuthKind.User(alice.tokens) }
})

describe("subscriptions", () => {
  it.scoped("subscribe (204), check (204), list and count with Bearer, then 409 code 355 for a duplicate", () =>
    Effect.gen(function* () {
      const { client, id, alice, as } = yield* setup
      const subscribe = yield* client.send(as, HttpClientRequest.post(all(id)))
      assert.strictEqual(subscribe.status, 204)
      assert.strictEqual(subscribe.text, "")
      const check = yield* client.send(as, HttpClientRequest.get(all(id)))
      assert.strictEqual(check.status, 204)
      const list = yield* client.send(
        AuthKind.AppOnly,
        HttpClientRequest.get(`/1.1/account_activity/webhooks/${id}/subscriptions/all/list.json`)
      )
      assert.strictEqual(list.status, 200)
      assert.deepStrictEqual(list.json, {
        webhook_id: id,
        webhook_url: (yield* (yield* Emulator.Emulator).webhook(id)).url,
        application_id: client.created.app.id,
        subscriptions: [{ user_id: alice.user.id }]
      })
      assert.isTrue(Schema.is(Rest.SubscriptionsList)(Schema.decodeUnknownSync(Rest.SubscriptionsList)(list.json)))
      const count = yield* client.send(
        AuthKind.AppOnly,
        HttpClientRequest.get("/1.1/account_activity/subscriptions/count.json")
      )
      assert.deepStrictEqual(count.json, {
        account_name: "emulator-account",
        subscriptions_count_all: "1",
        subscriptions_count_direct_messages: "0",
        provisioned_count: "50"
      })
      const duplicate = yield* client.send(as, HttpClientRequest.post(all(id)))
      assert.strictEqual(duplicate.status, 409)
      assert.deepStrictEqual(duplicate.json, { errors: [{ code: 355, message: "Subscription already exists." }] })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("check of a user who is not subscribed is 404 code 34", () =>
    Effect.gen(function* () {
      const { client, id, as } = yield* setup
      const check = yield* client.send(as, HttpClientRequest.get(all(id)))
      assert.strictEqual(check.status, 404)
      assert.deepStrictEqual(check.json, { errors: [{ code: 34, message: "Sorry, that page does not exist." }] })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("an unknown webhook is 404 code 34 on subscribe, check, list and both unsubscribes", () =>
    Effect.gen(function* () {
      const { client, as } = yield* setup
      for (const [kind, request] of [
        [as, HttpClientRequest.post(all("999"))],
        [as, HttpClientRequest.get(all("999"))],
        [as, HttpClientRequest.del(all("999"))],
        [AuthKind.AppOnly, HttpClientRequest.get("/1.1/account_activity/webhooks/999/subscriptions/all/list.json")],
        [AuthKind.AppOnly, HttpClientRequest.del("/1.1/account_activity/webhooks/999/subscriptions/1/all.json")]
      ] as const) {
        const reply = yield* client.send(kind, request)
        assert.strictEqual(reply.status, 404)
        assert.strictEqual(messageOf(reply), "Webhook does not exist or is associated with a different X application.")
      }
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("a token without the Direct Messages permission is 403 code 348", () =>
    Effect.gen(function* () {
      const { emulator, client, id } = yield* setup
      const bob = yield* emulator.createUser({ appId: client.created.app.id, permission: "read-write" })
      const reply = yield* client.send(AuthKind.User(bob.tokens), HttpClientRequest.post(all(id)))
      assert.strictEqual(reply.status, 403)
      assert.deepStrictEqual(reply.json, {
        errors: [
          { code: 348, message: "Client application is not permitted to access this user's webhook subscriptions." }
        ]
      })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("the deprecated user-context DELETE and the Bearer DELETE by user id answer 204, then 404", () =>
    Effect.gen(function* () {
      const { emulator, client, id, alice, as } = yield* setup
      yield* client.send(as, HttpClientRequest.post(all(id)))
      const deprecated = yield* client.send(as, HttpClientRequest.del(all(id)))
      assert.strictEqual(deprecated.status, 204)
      assert.strictEqual(deprecated.text, "")
      assert.strictEqual(codeOf(yield* client.send(as, HttpClientRequest.del(all(id)))), 34)
      yield* client.send(as, HttpClientRequest.post(all(id)))
      const byId = `/1.1/account_activity/webhooks/${id}/subscriptions/${alice.user.id}/all.json`
      const removed = yield* client.send(AuthKind.AppOnly, HttpClientRequest.del(byId))
      assert.strictEqual(removed.status, 204)
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
      const again = yield* client.send(AuthKind.AppOnly, HttpClientRequest.del(byId))
      assert.strictEqual(again.status, 404)
      assert.deepStrictEqual(again.json, { errors: [{ code: 34, message: "Sorry, that page does not exist." }] })
      const withUser = yield* client.send(as, HttpClientRequest.del(byId))
      assert.strictEqual(withUser.status, 401)
      assert.strictEqual(codeOf(withUser), 32)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("provisioned_count: beyond it 403 code 214 (enforce), or accepted (allow)", () =>
    Effect.gen(function* () {
      const { emulator, client, id } = yield* setup
      yield* emulator.setConfig({ provisionedCount: 2 })
      const users = yield* Effect.forEach([1, 2, 3], () => emulator.createUser({ appId: client.created.app.id }))
      const [a, b, c] = users
      assert.strictEqual((yield* client.send(AuthKind.User(a!.tokens), HttpClientRequest.post(all(id)))).status, 204)
      assert.strictEqual((yield* client.send(AuthKind.User(b!.tokens), HttpClientRequest.post(all(id)))).status, 204)
      const over = yield* client.send(AuthKind.User(c!.tokens), HttpClientRequest.post(all(id)))
      assert.strictEqual(over.status, 403)
      assert.deepStrictEqual(over.json, { errors: [{ code: 214, message: "Too many resources already created." }] })
      yield* emulator.setConfig({ subscriptionLimit: "allow" })
      assert.strictEqual((yield* client.send(AuthKind.User(c!.tokens), HttpClientRequest.post(all(id)))).status, 204)
      const count = yield* emulator.countSubscriptions(client.created.app.id)
      assert.strictEqual(count.subscriptions_count_all, "3")
      assert.strictEqual(count.provisioned_count, "2")
    }).pipe(Effect.provide(layer()))
  )
})
