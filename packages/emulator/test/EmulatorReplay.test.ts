import * as AuthKind from "@account-activity/auth/AuthKind"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import { appClient, layer, registered, withWebhook } from "./utils/emulator.js"

const now = Date.UTC(2024, 5, 10, 12, 0, 0)
const replayPath = (id: string) => `/1.1/account_activity/replay/webhooks/${id}/subscriptions/all.json`
const replay = (id: string, query: Record<string, string>) =>
  HttpClientRequest.post(replayPath(id)).pipe(HttpClientRequest.setUrlParams(query))
const error = (code: number, message: string) => ({ errors: [{ code, message }] })

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(now)
  const { client, stub } = yield* withWebhook
  const id = yield* registered(client, stub.url, AuthKind.AppOwner)
  return {
    client,
    stub,
    id,
    send: (request: HttpClientRequest.HttpClientRequest) => client.send(AuthKind.AppOnly, request)
  }
})

const Live = layer({ rateLimits: { replay: 100 } })

describe("replay validation", () => {
  it.scoped("parameters: 357 missing, 358 malformed, 360 negative webhook id", () =>
    Effect.gen(function* () {
      const { id, send } = yield* setup
      const cases: ReadonlyArray<readonly [HttpClientRequest.HttpClientRequest, unknown]> = [
        [replay(id, { to_date: "202406101100" }), error(357, "from_date: queryParam is required.")],
        [replay(id, { from_date: "202406101100" }), error(357, "to_date: queryParam is required.")],
        [replay(id, { from_date: "2024061011", to_date: "202406101140" }), error(358, "Unable to parse parameter.")],
        [replay(id, { from_date: "202402301100", to_date: "202406101140" }), error(358, "Unable to parse parameter.")],
        [
          replay("abc", { from_date: "202406101100", to_date: "202406101140" }),
          error(358, "Unable to parse parameter.")
        ],
        [
          replay("-5", { from_date: "202406101100", to_date: "202406101140" }),
          error(360, "webhook_id: [-5] is not greater than or equal to 0.")
        ]
      ]
      for (const [request, body] of cases) {
        const reply = yield* send(request)
        assert.strictEqual(reply.status, 400, request.url)
        assert.deepStrictEqual(reply.json, body)
      }
    }).pipe(Effect.provide(Live))
  )

  it.scoped("window: 368 not in the past, 356 order and 5 days, 368 for the 31- and 10-minute rules", () =>
    Effect.gen(function* () {
      const { id, send } = yield* setup
      const cases: ReadonlyArray<readonly [Record<string, string>, unknown]> = [
        [
          { from_date: "202406101200", to_date: "202406101100" },
          error(368, "from_date: [202406101200] is not in the past.")
        ],
        [
          { from_date: "202406101100", to_date: "202406101300" },
          error(368, "to_date: [202406101300] is not in the past.")
        ],
        [{ from_date: "202406101100", to_date: "202406101100" }, error(356, "from_date must be before to_date.")],
        [{ from_date: "202406101130", to_date: "202406101100" }, error(356, "from_date must be before to_date.")],
        [
          { from_date: "202406051159", to_date: "202406051300" },
          error(356, "from_date must be within the past 5 days.")
        ],
        [
          { from_date: "202406101130", to_date: "202406101145" },
          error(368, "from_date: [202406101130] is not in the past.")
        ],
        [
          { from_date: "202406101100", to_date: "202406101151" },
          error(368, "to_date: [202406101151] is not in the past.")
        ]
      ]
      for (const [query, body] of cases) {
        const reply = yield* send(replay(id, query))
        assert.strictEqual(reply.status, 400, JSON.stringify(query))
        assert.deepStrictEqual(reply.json, body)
      }
    }).pipe(Effect.provide(Live))
  )

  it.scoped("202 {job_id, created_at} at the edges of the window; 409 code 355 while the job runs", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { id, send } = yield* setup
      const accepted = yield* send(replay(id, { from_date: "202406051200", to_date: "202406101150" }))
      assert.strictEqual(accepted.status, 202)
      const body = accepted.json as { job_id: string; created_at: string }
      assert.match(body.job_id, /^[1-9][0-9]{18}$/)
      assert.strictEqual(body.created_at, "2024-06-10T12:00:00Z")
      const [job] = yield* emulator.replayJobs
      assert.strictEqual(job!.state, "Running")
      assert.strictEqual(job!.fromDate, Date.UTC(2024, 5, 5, 12, 0))
      assert.strictEqual(job!.toDate, Date.UTC(2024, 5, 10, 11, 50))
      const second = yield* send(replay(id, { from_date: "202406101000", to_date: "202406101129" }))
      assert.strictEqual(second.status, 409)
      assert.deepStrictEqual(second.json, error(355, "A replay job is already in progress for this webhook."))
      const done = yield* emulator.completeReplayJob(body.job_id, "Complete")
      assert.strictEqual(done.state, "Complete")
      assert.deepStrictEqual(done.finishedAt, Option.some(now))
      const third = yield* send(replay(id, { from_date: "202406101000", to_date: "202406101129" }))
      assert.strictEqual(third.status, 202)
    }).pipe(Effect.provide(Live))
  )

  it.scoped("an unknown webhook is 404 code 34; an invalid one 400 code 214", () =>
    Effect.gen(function* () {
      const { client, stub, id, send } = yield* setup
      const dates = { from_date: "202406101000", to_date: "202406101100" }
      const unknown = yield* send(replay("1234", dates))
      assert.strictEqual(unknown.status, 404)
      assert.deepStrictEqual(
        unknown.json,
        error(34, "Webhook does not exist or is associated with a different X application.")
      )
      stub.setMode("non-200")
      yield* client.send(AuthKind.AppOwner, HttpClientRequest.put(`/1.1/account_activity/webhooks/${id}.json`))
      const invalid = yield* send(replay(id, dates))
      assert.strictEqual(invalid.status, 400)
      assert.deepStrictEqual(invalid.json, error(214, "Webhook is marked invalid and requires a CRC check."))
    }).pipe(Effect.provide(Live))
  )

  it.scoped("an account without Replay is 403 code 200", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const client = yield* appClient({ replayEnabled: false })
      const reply = yield* client.send(
        AuthKind.AppOnly,
        replay("1", { from_date: "202406101000", to_date: "202406101100" })
      )
      assert.strictEqual(reply.status, 403)
      assert.strictEqual((reply.json as { errors: Array<{ code: number }> }).errors[0]!.code, 200)
    }).pipe(Effect.provide(Live))
  )
})
