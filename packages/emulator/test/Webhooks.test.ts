import * as AuthKind from "@account-activity/auth/AuthKind"
import { Crc } from "@account-activity/crc"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import { codeOf, layer, messageOf, registered, withWebhook } from "./utils/emulator.js"

const webhooksPath = "/1.1/account_activity/webhooks.json"
const register = (url: string) => HttpClientRequest.post(webhooksPath).pipe(HttpClientRequest.setUrlParam("url", url))

describe("webhooks", () => {
  it.scoped("POST registers after a signed CRC GET and answers {id,url,valid,created_at}", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2016, 5, 2, 23, 54, 2, 345))
      const { client, stub } = yield* withWebhook
      const reply = yield* client.send(AuthKind.AppOwner, register(stub.url))
      assert.strictEqual(reply.status, 200)
      const body = reply.json as { id: string; url: string; valid: boolean; created_at: string }
      assert.match(body.id, /^[1-9][0-9]{18}$/)
      assert.deepStrictEqual(body, { id: body.id, url: stub.url, valid: true, created_at: "2016-06-02T23:54:02Z" })
      assert.strictEqual(reply.headers["x-rate-limit-limit"], "15")
      // the CRC GET carried crc_token, nonce and a signature over "crc_token=…&nonce=…"
      assert.strictEqual(stub.requests.length, 1)
      const crc = stub.requests[0]!
      assert.match(crc.query.get("crc_token") ?? "", /^[A-Za-z0-9_-]{43}$/)
      assert.isTrue((crc.query.get("nonce") ?? "").length > 0)
      const verified = Crc.verifyRequestWith(crc.query, crc.signature, client.created.credentials.consumerSecret)
      assert.isTrue(Either.isRight(verified))
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("GET lists the app's webhooks with a Bearer token and, by default, with OAuth 1.0a", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const bearer = yield* client.send(AuthKind.AppOnly, HttpClientRequest.get(webhooksPath))
      assert.strictEqual(bearer.status, 200)
      assert.deepStrictEqual(
        (bearer.json as ReadonlyArray<{ id: string }>).map((w) => w.id),
        [id]
      )
      const oauth = yield* client.send(AuthKind.AppOwner, HttpClientRequest.get(webhooksPath))
      assert.strictEqual(oauth.status, 200)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("strictAuth: GET webhooks with OAuth 1.0a is 401 code 32, PUT with Bearer 403 code 220", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const list = yield* client.send(AuthKind.AppOwner, HttpClientRequest.get(webhooksPath))
      assert.strictEqual(list.status, 401)
      assert.strictEqual(codeOf(list), 32)
      const put = yield* client.send(
        AuthKind.AppOnly,
        HttpClientRequest.put(`/1.1/account_activity/webhooks/${id}.json`)
      )
      assert.strictEqual(put.status, 403)
      assert.strictEqual(codeOf(put), 220)
    }).pipe(Effect.provide(layer({ strictAuth: true })))
  )

  it.scoped("PUT re-validates with a CRC and answers 204 with an empty body; Bearer works too by default", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const put = yield* client.send(
        AuthKind.AppOwner,
        HttpClientRequest.put(`/1.1/account_activity/webhooks/${id}.json`)
      )
      assert.strictEqual(put.status, 204)
      assert.strictEqual(put.text, "")
      const bearer = yield* client.send(
        AuthKind.AppOnly,
        HttpClientRequest.put(`/1.1/account_activity/webhooks/${id}.json`)
      )
      assert.strictEqual(bearer.status, 204)
      assert.strictEqual(stub.requests.length, 3)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("PUT and DELETE of an unknown webhook, or another app's, are 404 code 34", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const other = yield* withWebhook
      for (const request of [
        HttpClientRequest.put("/1.1/account_activity/webhooks/1234567890.json"),
        HttpClientRequest.del("/1.1/account_activity/webhooks/1234567890.json"),
        HttpClientRequest.put(`/1.1/account_activity/webhooks/${id}.json`),
        HttpClientRequest.del(`/1.1/account_activity/webhooks/${id}.json`)
      ]) {
        const reply = yield* other.client.send(AuthKind.AppOwner, request)
        assert.strictEqual(reply.status, 404)
        assert.strictEqual(codeOf(reply), 34)
        assert.strictEqual(messageOf(reply), "Webhook does not exist or is associated with a different X application.")
      }
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("DELETE answers 204, removes the webhook and its subscriptions", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const user = yield* emulator.createUser({ appId: client.created.app.id })
      yield* emulator.subscribe({ appId: client.created.app.id, webhookId: id, userId: user.user.id })
      const reply = yield* client.send(
        AuthKind.AppOwner,
        HttpClientRequest.del(`/1.1/account_activity/webhooks/${id}.json`)
      )
      assert.strictEqual(reply.status, 204)
      assert.strictEqual(reply.text, "")
      assert.deepStrictEqual(yield* emulator.webhooks, [])
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("DELETE with a Bearer token is 403 code 220; register with a Bearer token 403 code 261", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const del = yield* client.send(
        AuthKind.AppOnly,
        HttpClientRequest.del(`/1.1/account_activity/webhooks/${id}.json`)
      )
      assert.strictEqual(del.status, 403)
      assert.strictEqual(codeOf(del), 220)
      const post = yield* client.send(AuthKind.AppOnly, register(stub.url))
      assert.strictEqual(post.status, 403)
      assert.strictEqual(codeOf(post), 261)
      assert.strictEqual(messageOf(post), "Your App cannot perform write actions.")
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("the webhook limit counts every app of the account: the 4th is 403 code 214, nothing saved", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const first = yield* withWebhook
      const second = yield* withWebhook
      yield* registered(first.client, `${first.stub.url}/a`, AuthKind.AppOwner)
      yield* registered(first.client, `${first.stub.url}/b`, AuthKind.AppOwner)
      yield* registered(second.client, `${second.stub.url}/a`, AuthKind.AppOwner)
      const crcs = second.stub.requests.length
      const reply = yield* second.client.send(AuthKind.AppOwner, register(`${second.stub.url}/b`))
      assert.strictEqual(reply.status, 403)
      assert.deepStrictEqual(reply.json, { errors: [{ code: 214, message: "Too many resources already created." }] })
      assert.strictEqual(second.stub.requests.length, crcs, "no CRC is sent when the limit is reached")
      assert.strictEqual((yield* emulator.webhooks).length, 3)
      // another account has its own limit
      const other = yield* emulator.createApp({ account: "other" })
      assert.strictEqual(other.app.account, "other")
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("URL rules: local mode takes loopback http with a port; strict mode only https without a port", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      for (const url of ["ftp://127.0.0.1/x", "http://example.com/webhook", "not a url"]) {
        const reply = yield* client.send(AuthKind.AppOwner, register(url))
        assert.strictEqual(reply.status, 403, url)
        assert.deepStrictEqual(reply.json, {
          errors: [{ code: 214, message: "Webhook URL does not meet the requirements." }]
        })
      }
      const missing = yield* client.send(AuthKind.AppOwner, HttpClientRequest.post(webhooksPath))
      assert.strictEqual(codeOf(missing), 214)
      yield* emulator.setConfig({ urlMode: "strict" })
      const strict = yield* client.send(AuthKind.AppOwner, register(stub.url))
      assert.strictEqual(strict.status, 403)
      assert.strictEqual(messageOf(strict), "Webhook URL does not meet the requirements.")
      assert.strictEqual(stub.requests.length, 0)
      const withPort = yield* client.send(AuthKind.AppOwner, register("https://example.com:5000/NoWorkie"))
      assert.strictEqual(messageOf(withPort), "Webhook URL does not meet the requirements.")
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("a URL the app already registered is refused with code 214", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      yield* registered(client, stub.url, AuthKind.AppOwner)
      const again = yield* client.send(AuthKind.AppOwner, register(stub.url))
      assert.strictEqual(again.status, 403)
      assert.strictEqual(messageOf(again), "Webhook URL does not meet the requirements.")
    }).pipe(Effect.provide(layer()))
  )
})
