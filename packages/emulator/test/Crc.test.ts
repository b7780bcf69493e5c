import * as AuthKind from "@account-activity/auth/AuthKind"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, TestClock, TestServices } from "effect"
import * as Emulator from "../src/Emulator.js"
import { layer, type Mode, messageOf, refusedUrl, registered, withWebhook } from "./utils/emulator.js"

const register = (url: string) =>
  HttpClientRequest.post("/1.1/account_activity/webhooks.json").pipe(HttpClientRequest.setUrlParam("url", url))

const failures: ReadonlyArray<readonly [Exclude<Mode, "ok" | "hang">, string]> = [
  ["wrong-token", "Webhook URL does not meet the requirements. Invalid CRC token or json response format."],
  ["bad-json", "Webhook URL does not meet the requirements. Invalid CRC token or json response format."],
  ["non-200", "Non-200 response code during CRC GET request (i.e. 404, 500, etc)."]
]

/** Waits (on the real clock) until the webhook's validity is `valid`. */
const until = (emulator: Emulator.Service, id: string, valid: boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 200; i++) {
      const webhook = yield* Effect.orDie(emulator.webhook(id))
      if (webhook.valid === valid) return webhook
      yield* TestServices.provideLive(Effect.sleep("10 millis"))
    }
    return yield* Effect.dieMessage(`webhook ${id} never became valid=${valid}`)
  })

describe("CRC on register", () => {
  for (const [mode, message] of failures) {
    it.scoped(`${mode}: 403 code 214 "${message}", nothing saved`, () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const { client, stub } = yield* withWebhook
        stub.setMode(mode)
        const reply = yield* client.send(AuthKind.AppOwner, register(stub.url))
        assert.strictEqual(reply.status, 403)
        assert.deepStrictEqual(reply.json, { errors: [{ code: 214, message }] })
        assert.strictEqual(stub.requests.length, 1)
        assert.deepStrictEqual(yield* emulator.webhooks, [])
      }).pipe(Effect.provide(layer()))
    )
  }

  it.scoped("no answer within 3 seconds (TestClock): 403 code 214 high latency", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      stub.setMode("hang")
      const fiber = yield* Effect.fork(client.send(AuthKind.AppOwner, register(stub.url)))
      yield* Effect.promise(() => stub.holding)
      yield* TestClock.adjust("2999 millis")
      assert.isNull(fiber.unsafePoll(), "still waiting before 3 seconds")
      yield* TestClock.adjust("1 millis")
      const reply = yield* Fiber.join(fiber)
      assert.strictEqual(reply.status, 403)
      assert.strictEqual(
        messageOf(reply),
        "High latency on CRC GET request. Your webhook should respond in less than 3 seconds."
      )
      assert.deepStrictEqual(yield* emulator.webhooks, [])
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("connection refused: 403 code 214 URL requirements", () =>
    Effect.gen(function* () {
      const { client } = yield* withWebhook
      const reply = yield* client.send(AuthKind.AppOwner, register(yield* refusedUrl))
      assert.strictEqual(reply.status, 403)
      assert.deepStrictEqual(reply.json, {
        errors: [{ code: 214, message: "Webhook URL does not meet the requirements." }]
      })
    }).pipe(Effect.provide(layer()))
  )
})

describe("CRC on PUT", () => {
  it.scoped("a failed PUT marks the webhook invalid (403 code 214); a passing PUT makes it valid again (204)", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const put = HttpClientRequest.put(`/1.1/account_activity/webhooks/${id}.json`)
      for (const [mode, message] of failures) {
        stub.setMode(mode)
        const reply = yield* client.send(AuthKind.AppOwner, put)
        assert.strictEqual(reply.status, 403)
        assert.deepStrictEqual(reply.json, { errors: [{ code: 214, message }] })
        assert.isFalse((yield* emulator.webhook(id)).valid)
        assert.isFalse(yield* emulator.isDeliverable(id))
        const list = yield* client.send(AuthKind.AppOnly, HttpClientRequest.get("/1.1/account_activity/webhooks.json"))
        assert.strictEqual((list.json as ReadonlyArray<{ valid: boolean }>)[0]!.valid, false)
        stub.setMode("ok")
        assert.strictEqual((yield* client.send(AuthKind.AppOwner, put)).status, 204)
        assert.isTrue(yield* emulator.isDeliverable(id))
      }
    }).pipe(Effect.provide(layer()))
  )
})

describe("periodic re-validation", () => {
  it.scoped("daily (default): 24 h after the last success the CRC runs; a wrong answer marks the webhook invalid", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      yield* TestClock.adjust("23 hours")
      assert.deepStrictEqual(yield* emulator.runDueRevalidations, [])
      assert.strictEqual(stub.requests.length, 1)
      stub.setMode("wrong-token")
      yield* TestClock.adjust("1 hour")
      const webhook = yield* until(emulator, id, false)
      assert.strictEqual(webhook.lastCrc.trigger, "periodic")
      assert.strictEqual(webhook.lastCrc.outcome, "InvalidResponse")
      assert.strictEqual(stub.requests.length, 2)
      assert.isFalse(yield* emulator.isDeliverable(id))
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("a passing periodic CRC restarts the 24 hours; advanceClock runs the due checks", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      yield* emulator.advanceClock("24 hours")
      const checked = yield* emulator.webhook(id)
      assert.strictEqual(checked.lastCrc.trigger, "periodic")
      assert.isTrue(checked.valid)
      assert.strictEqual(checked.lastValidatedAt, 24 * 60 * 60 * 1000)
      stub.setMode("non-200")
      yield* emulator.advanceClock("23 hours")
      assert.isTrue((yield* emulator.webhook(id)).valid)
      yield* emulator.advanceClock("1 hour")
      assert.isFalse((yield* emulator.webhook(id)).valid)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("hourly: the CRC runs 1 hour after the last success", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      stub.setMode("bad-json")
      yield* emulator.advanceClock("59 minutes")
      assert.isTrue((yield* emulator.webhook(id)).valid)
      yield* emulator.advanceClock("1 minute")
      assert.isFalse((yield* emulator.webhook(id)).valid)
    }).pipe(Effect.provide(layer({ revalidation: "hourly" })))
  )

  it.scoped("stale30m: transient failures keep the webhook valid until 28 hours without success", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      stub.setMode("non-200")
      yield* emulator.advanceClock("24 hours")
      assert.strictEqual((yield* emulator.webhook(id)).lastCrc.outcome, "Non200Response")
      assert.isTrue((yield* emulator.webhook(id)).valid)
      for (let i = 0; i < 7; i++) yield* emulator.advanceClock("30 minutes")
      assert.isTrue((yield* emulator.webhook(id)).valid)
      yield* emulator.advanceClock("30 minutes")
      assert.isFalse((yield* emulator.webhook(id)).valid)
      assert.strictEqual(stub.requests.length, 1 + 9)
    }).pipe(Effect.provide(layer({ revalidation: "stale30m" })))
  )
})
