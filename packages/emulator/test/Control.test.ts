import * as AuthKind from "@account-activity/auth/AuthKind"
import * as Credentials from "@account-activity/auth/Credentials"
import { WebhookSignature } from "@account-activity/crc"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, TestClock, TestServices } from "effect"
import * as Emulator from "../src/Emulator.js"
import * as Server from "../src/Server.js"
import { appClient, layer, layerWithDeliveries, raw, receiver } from "./utils/emulator.js"

const control = (method: "GET" | "POST" | "PUT", path: string, body?: unknown) =>
  Effect.flatMap(Server.url, (base) => {
    const request = HttpClientRequest.make(method)(`${base}/_emulator/${path}`)
    return raw(body === undefined ? request : HttpClientRequest.bodyUnsafeJson(request, body))
  })

describe("control API", () => {
  it.scoped("creates apps and users with usable credentials", () =>
    Effect.gen(function* () {
      const created = yield* control("POST", "apps", { name: "demo", account: "acme" })
      assert.strictEqual(created.status, 201)
      const app = created.json as {
        app: { id: string; account: string; name: string }
        consumerKey: string
        consumerSecret: string
        accessToken: string
        accessTokenSecret: string
      }
      assert.strictEqual(app.app.account, "acme")
      assert.strictEqual(app.app.name, "demo")
      const user = yield* control("POST", "users", { appId: app.app.id, screenName: "alice", userId: "2244994945" })
      assert.strictEqual(user.status, 201)
      const tokens = user.json as {
        user: { id: string; screenName: string }
        accessToken: string
        accessTokenSecret: string
      }
      assert.deepStrictEqual(tokens.user, { id: "2244994945", screenName: "alice" })
      // the returned credentials authenticate against the API
      const emulator = yield* Emulator.Emulator
      const stored = yield* emulator.app(app.app.id)
      assert.strictEqual(stored.consumerKey, app.consumerKey)
      const principal = Credentials.user({
        accessToken: tokens.accessToken,
        accessTokenSecret: tokens.accessTokenSecret
      })
      assert.strictEqual(principal.accessToken.startsWith("2244994945-"), true)
      const unknown = yield* control("POST", "users", { appId: "1" })
      assert.strictEqual(unknown.status, 400)
      assert.match((unknown.json as { error: string }).error, /createApp/)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("state, webhooks, subscriptions, requests and replay jobs are readable", () =>
    Effect.gen(function* () {
      const client = yield* appClient()
      const stub = yield* receiver
      stub.setSecret(client.created.credentials.consumerSecret)
      yield* client.send(
        AuthKind.AppOwner,
        HttpClientRequest.post("/1.1/account_activity/webhooks.json").pipe(
          HttpClientRequest.setUrlParam("url", stub.url)
        )
      )
      const state = (yield* control("GET", "state")).json as {
        apps: Array<{ id: string; consumerSecret?: string }>
        webhooks: Array<{ url: string; valid: boolean; lastCrc: { outcome: string; trigger: string } }>
      }
      assert.strictEqual(state.apps.length, 1)
      assert.isUndefined(state.apps[0]!.consumerSecret, "secrets are not listed")
      assert.strictEqual(state.webhooks[0]!.url, stub.url)
      assert.deepStrictEqual(state.webhooks[0]!.lastCrc.outcome, "Ok")
      const webhooks = (yield* control("GET", "webhooks")).json as Array<unknown>
      assert.strictEqual(webhooks.length, 1)
      assert.deepStrictEqual((yield* control("GET", "subscriptions")).json, [])
      const requests = (yield* control("GET", "requests")).json as Array<{
        method: string
        endpoint: string | null
        status: number
        auth: string
      }>
      assert.deepStrictEqual(
        requests.map((r) => [r.method, r.endpoint, r.status, r.auth]),
        [["POST", "registerWebhook", 200, "OAuth1"]]
      )
      assert.deepStrictEqual((yield* control("GET", "replay-jobs")).json, [])
      assert.strictEqual((yield* control("GET", "nope")).status, 404)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("config and limits can be read and changed; a bad body is 400", () =>
    Effect.gen(function* () {
      const read = (yield* control("GET", "config")).json as { webhookLimit: number; revalidation: string }
      assert.strictEqual(read.webhookLimit, 3)
      assert.strictEqual(read.revalidation, "daily")
      const changed = yield* control("PUT", "config", { webhookLimit: 5, rateLimits: { replay: 1 } })
      assert.strictEqual(changed.status, 200)
      const config = yield* (yield* Emulator.Emulator).config
      assert.strictEqual(config.webhookLimit, 5)
      assert.strictEqual(config.rateLimits.replay, 1)
      assert.strictEqual(config.rateLimits.subscribe, 500)
      assert.strictEqual((yield* control("PUT", "config", { webhookLimit: -1 })).status, 400)
      assert.strictEqual((yield* control("PUT", "config", { urlMode: "lax" })).status, 400)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("the clock: offset added to Clock, advanced by millis or a duration", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2024, 0, 1))
      const before = (yield* control("GET", "clock")).json as { now: number; iso: string }
      assert.strictEqual(before.iso, "2024-01-01T00:00:00.000Z")
      const advanced = (yield* control("POST", "clock/advance", { duration: "2 hours" })).json as { now: number }
      assert.strictEqual(advanced.now, Date.UTC(2024, 0, 1, 2))
      const again = (yield* control("POST", "clock/advance", { millis: 1000 })).json as { now: number }
      assert.strictEqual(again.now, Date.UTC(2024, 0, 1, 2, 0, 1))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* (yield* Emulator.Emulator).now, Date.UTC(2024, 0, 1, 2, 1, 1))
      assert.strictEqual((yield* control("POST", "clock/advance", {})).status, 400)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("replay jobs can be completed and Bearer tokens issued through the control API", () =>
    Effect.gen(function* () {
      const client = yield* appClient()
      const issued = (yield* control("POST", `apps/${client.created.app.id}/bearer-token`)).json as {
        access_token: string
      }
      const list = yield* raw(
        HttpClientRequest.get(`${client.base}/1.1/account_activity/webhooks.json`).pipe(
          HttpClientRequest.bearerToken(issued.access_token)
        )
      )
      assert.strictEqual(list.status, 200)
      assert.strictEqual((yield* control("POST", "replay-jobs/123/complete", {})).status, 400)
      assert.deepStrictEqual((yield* control("POST", "revalidate")).json, { checked: [] })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped(
    "POST /_emulator/activity generates activity and delivers it signed; GET /_emulator/deliveries logs it",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const client = yield* appClient()
        const stub = yield* receiver
        const secret = client.created.credentials.consumerSecret
        stub.setSecret(secret)
        const webhook = yield* emulator.registerWebhook(client.created.app.id, stub.url)
        const none = yield* control("POST", "activity", { kind: "Like" })
        assert.strictEqual(none.status, 400)
        const alice = yield* emulator.createUser({ appId: client.created.app.id, screenName: "alice" })
        yield* emulator.subscribe({ appId: client.created.app.id, webhookId: webhook.id, userId: alice.user.id })
        const injected = yield* control("POST", "activity", { kind: "Follow", forUserId: alice.user.id })
        assert.strictEqual(injected.status, 202)
        const [activity] = (injected.json as { activities: Array<{ kind: string; deliveries: Array<unknown> }> })
          .activities
        assert.strictEqual(activity!.kind, "Follow")
        assert.strictEqual(activity!.deliveries.length, 1)
        const many = yield* control("POST", "activity", { count: 3 })
        assert.strictEqual((many.json as { activities: Array<unknown> }).activities.length, 3)
        for (let i = 0; i < 200 && stub.posts.length < 4; i++)
          yield* TestServices.provideLive(Effect.sleep("10 millis"))
        assert.isAtLeast(stub.posts.length, 4)
        for (const post of stub.posts) {
          assert.isTrue(Either.isRight(WebhookSignature.verifyWith(post.body, post.signature, secret)))
          assert.include(post.body, `"for_user_id":"${alice.user.id}"`)
        }
        const log = (yield* control("GET", "deliveries")).json as Array<{ webhookId: string; result: string }>
        assert.isAtLeast(log.filter((entry) => entry.result === "Delivered").length, 4)
        assert.isTrue(log.every((entry) => entry.webhookId === webhook.id))
      }).pipe(Effect.provide(layerWithDeliveries()))
  )

  it.scoped("without the delivery engine the activity routes answer 501", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* control("GET", "deliveries")).status, 501)
    }).pipe(Effect.provide(layer()))
  )
})
