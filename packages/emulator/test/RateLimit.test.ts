import * as AuthKind from "@account-activity/auth/AuthKind"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import { appClient, codeOf, layer } from "./utils/emulator.js"

const list = HttpClientRequest.get("/1.1/account_activity/webhooks.json")
const start = Date.UTC(2024, 5, 1, 12, 0, 0)
const reset = String(Math.ceil((start + 15 * 60 * 1000) / 1000))

describe("rate limits", () => {
  it.scoped("15 GET webhooks per window: headers count down, the 16th is 429 code 88, the window resets", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const client = yield* appClient()
      for (let i = 1; i <= 15; i++) {
        const reply = yield* client.send(AuthKind.AppOnly, list)
        assert.strictEqual(reply.status, 200)
        assert.strictEqual(reply.headers["x-rate-limit-limit"], "15")
        assert.strictEqual(reply.headers["x-rate-limit-remaining"], String(15 - i))
        assert.strictEqual(reply.headers["x-rate-limit-reset"], reset)
      }
      yield* TestClock.adjust("14 minutes")
      const limited = yield* client.send(AuthKind.AppOnly, list)
      assert.strictEqual(limited.status, 429)
      assert.deepStrictEqual(limited.json, { errors: [{ code: 88, message: "Rate limit exceeded" }] })
      assert.strictEqual(limited.headers["x-rate-limit-remaining"], "0")
      assert.strictEqual(limited.headers["x-rate-limit-reset"], reset)
      // user context draws from its own pool, another app from its own
      assert.strictEqual((yield* client.send(AuthKind.AppOwner, list)).status, 200)
      const other = yield* appClient()
      assert.strictEqual((yield* other.send(AuthKind.AppOnly, list)).status, 200)
      yield* TestClock.adjust("1 minute")
      const again = yield* client.send(AuthKind.AppOnly, list)
      assert.strictEqual(again.status, 200)
      assert.strictEqual(again.headers["x-rate-limit-remaining"], "14")
      assert.strictEqual(again.headers["x-rate-limit-reset"], String(Math.ceil((start + 30 * 60 * 1000) / 1000)))
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("replay allows 5 per window and answers the replay table's text on the 6th", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const client = yield* appClient()
      const replay = HttpClientRequest.post("/1.1/account_activity/replay/webhooks/123/subscriptions/all.json")
      for (let i = 1; i <= 5; i++) {
        const reply = yield* client.send(AuthKind.AppOnly, replay)
        assert.strictEqual(reply.status, 400) // missing from_date: still counted
        assert.strictEqual(reply.headers["x-rate-limit-limit"], "5")
        assert.strictEqual(reply.headers["x-rate-limit-remaining"], String(5 - i))
      }
      const limited = yield* client.send(AuthKind.AppOnly, replay)
      assert.strictEqual(limited.status, 429)
      assert.deepStrictEqual(limited.json, {
        errors: [{ code: 88, message: "Too many requests. Please back off your API request rate." }]
      })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("each endpoint has X's limit, and setConfig changes it", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const client = yield* appClient()
      const limits: ReadonlyArray<readonly [HttpClientRequest.HttpClientRequest, AuthKind.AuthKind, string]> = [
        [HttpClientRequest.get("/1.1/account_activity/subscriptions/count.json"), AuthKind.AppOnly, "15"],
        [HttpClientRequest.get("/1.1/account_activity/webhooks/1/subscriptions/all/list.json"), AuthKind.AppOnly, "50"],
        [HttpClientRequest.del("/1.1/account_activity/webhooks/1/subscriptions/2/all.json"), AuthKind.AppOnly, "500"],
        [HttpClientRequest.post("/1.1/account_activity/webhooks/1/subscriptions/all.json"), AuthKind.AppOwner, "500"],
        [HttpClientRequest.get("/1.1/account_activity/webhooks/1/subscriptions/all.json"), AuthKind.AppOwner, "500"],
        [HttpClientRequest.del("/1.1/account_activity/webhooks/1/subscriptions/all.json"), AuthKind.AppOwner, "500"],
        [HttpClientRequest.put("/1.1/account_activity/webhooks/1.json"), AuthKind.AppOwner, "15"],
        [HttpClientRequest.del("/1.1/account_activity/webhooks/1.json"), AuthKind.AppOwner, "15"],
        [HttpClientRequest.post("/1.1/account_activity/webhooks.json"), AuthKind.AppOwner, "15"]
      ]
      for (const [request, kind, limit] of limits) {
        const reply = yield* client.send(kind, request)
        assert.strictEqual(reply.headers["x-rate-limit-limit"], limit, request.url)
      }
      yield* emulator.setConfig({ rateLimits: { countSubscriptions: 1 } })
      const count = HttpClientRequest.get("/1.1/account_activity/subscriptions/count.json")
      const limited = yield* client.send(AuthKind.AppOnly, count)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(codeOf(limited), 88)
    }).pipe(Effect.provide(layer()))
  )
})
