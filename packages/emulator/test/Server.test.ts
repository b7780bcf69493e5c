import * as AuthKind from "@account-activity/auth/AuthKind"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Emulator from "../src/Emulator.js"
import { appClient, layer, raw } from "./utils/emulator.js"

describe("server", () => {
  it.scoped('an unknown path or method is 404 code 34 "Sorry, that page does not exist."', () =>
    Effect.gen(function* () {
      const client = yield* appClient()
      for (const request of [
        HttpClientRequest.get("/1.1/account_activity/nothing.json"),
        HttpClientRequest.patch("/1.1/account_activity/webhooks.json"),
        HttpClientRequest.get("/2/webhooks")
      ]) {
        const reply = yield* client.send(AuthKind.AppOnly, request)
        assert.strictEqual(reply.status, 404)
        assert.deepStrictEqual(reply.json, { errors: [{ code: 34, message: "Sorry, that page does not exist." }] })
        assert.strictEqual(reply.headers["content-type"], "application/json")
      }
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("every API request is logged with its endpoint, auth scheme, status and error code", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const client = yield* appClient()
      yield* client.send(AuthKind.AppOnly, HttpClientRequest.get("/1.1/account_activity/subscriptions/count.json"))
      yield* raw(HttpClientRequest.get(`${client.base}/1.1/account_activity/webhooks.json`))
      const log = yield* emulator.requestLog
      const entries = log.map((e) => [
        e.method,
        e.url,
        Option.getOrNull(e.endpoint),
        e.auth,
        e.status,
        Option.getOrNull(e.code)
      ])
      assert.deepStrictEqual(entries, [
        ["POST", "/oauth2/token", null, "Basic", 200, null],
        ["GET", "/1.1/account_activity/subscriptions/count.json", "countSubscriptions", "Bearer", 200, null],
        ["GET", "/1.1/account_activity/webhooks.json", "listWebhooks", "None", 400, 215]
      ])
      assert.deepStrictEqual(
        log.map((e) => e.seq),
        [1, 2, 3]
      )
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("the request log keeps the newest entries only", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const client = yield* appClient()
      for (let i = 0; i < 4; i++) yield* raw(HttpClientRequest.get(`${client.base}/nope/${i}`))
      assert.deepStrictEqual(
        (yield* emulator.requestLog).map((e) => e.url),
        ["/nope/2", "/nope/3"]
      )
    }).pipe(Effect.provide(layer({ requestLogSize: 2 })))
  )
})
