import { createServer, type Server as NodeServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as AuthKind from "@account-activity/auth/AuthKind"
import { Crc, WebhookSignature } from "@account-activity/crc"
import { HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Option, type Redacted, type Scope, TestClock, TestServices } from "effect"
import * as Deliveries from "../src/Deliveries.js"
import * as Emulator from "../src/Emulator.js"
import * as ReplayEngine from "../src/ReplayEngine.js"
import * as Server from "../src/Server.js"
import { type AppClient, appClient, layer as layerWithoutDeliveries, raw } from "./utils/emulator.js"

const T0 = Date.UTC(2024, 5, 10, 12, 0, 0)
const MINUTE = 60_000

const Live = (options: Emulator.Options = {}) =>
  Server.layer().pipe(
    Layer.provideMerge(Server.layerReplay),
    Layer.provideMerge(Server.layerDeliveries()),
    Layer.provideMerge(Emulator.layer({ seed: 11, rateLimits: { replay: 100 }, ...options })),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )

/** `yyyymmddhhmm` in UTC. */
const stamp = (millis: number) => new Date(millis).toISOString().replace(/[-T:]/g, "").slice(0, 12)

/** Waits in real time (the test clock does not move). */
const realPause = (millis = 5) => TestServices.provideLive(Effect.sleep(millis))

interface Post {
  readonly body: string
  readonly signatureValid: boolean
  readonly status: number
}

/** A real webhook receiver on 127.0.0.1: answers CRCs with the app's secret, verifies every POST's signature. */
interface Receiver {
  readonly url: string
  readonly posts: ReadonlyArray<Post>
  readonly crcs: () => number
  /** The status of every POST from now on. */
  readonly answer: (status: number) => void
  /** The statuses of the next POSTs, before falling back to {@link answer}'s. */
  readonly answerNext: (...statuses: ReadonlyArray<number>) => void
  /** `true`: CRCs get a wrong `response_token`. */
  readonly wrongCrc: (wrong: boolean) => void
}

const receiver = (secret: Redacted.Redacted<string>): Effect.Effect<Receiver, never, Scope.Scope> =>
  Effect.gen(function* () {
    let status = 200
    let wrong = false
    let crcs = 0
    const next: Array<number> = []
    const posts: Array<Post> = []
    const server: NodeServer = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const header = req.headers[WebhookSignature.headerName]
        const signature = typeof header === "string" ? header : undefined
        if (req.method === "POST") {
          const bytes = Buffer.concat(chunks)
          const answered = next.shift() ?? status
          posts.push({
            body: bytes.toString("utf8"),
            signatureValid: WebhookSignature.isValid(new Uint8Array(bytes), signature, secret),
            status: answered
          })
          res.writeHead(answered)
          res.end()
          return
        }
        crcs++
        const query = new URL(req.url ?? "/", "http://receiver.invalid").searchParams
        const answer = Crc.responseWith({ crc_token: query.get("crc_token") ?? "" }, secret)
        res.writeHead(200, { "content-type": "application/json" })
        res.end(
          wrong
            ? JSON.stringify({ response_token: "sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ=" })
            : JSON.stringify(Either.isRight(answer) ? answer.right : {})
        )
      })
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return {
      url: `http://127.0.0.1:${port}/webhooks/x`,
      posts,
      crcs: () => crcs,
      answer: (value) => {
        status = value
      },
      answerNext: (...values) => {
        next.push(...values)
      },
      wrongCrc: (value) => {
        wrong = value
      }
    } satisfies Receiver
  })

const control = (method: "GET" | "POST" | "DELETE", path: string, body?: unknown) =>
  Effect.flatMap(Server.url, (base) => {
    const request = HttpClientRequest.make(method)(`${base}/_emulator/${path}`)
    return raw(body === undefined ? request : HttpClientRequest.bodyUnsafeJson(request, body))
  })

/** An app, a receiver, a webhook registered on it (CRC) and a subscribed user. */
const setup = Effect.gen(function* () {
  yield* TestClock.setTime(T0)
  const emulator = yield* Emulator.Emulator
  const client = yield* appClient()
  const appId = client.created.app.id
  const secret = client.created.credentials.consumerSecret
  const stub = yield* receiver(secret)
  const webhook = yield* Effect.orDie(emulator.registerWebhook(appId, stub.url))
  const alice = yield* Effect.orDie(emulator.createUser({ appId, screenName: "alice" }))
  yield* Effect.orDie(emulator.subscribe({ appId, webhookId: webhook.id, userId: alice.user.id }))
  return { emulator, client, appId, secret, stub, webhook, alice: alice.user.id }
})

/** Generates one Tweet of the user through the control API and starts its deliveries. */
const tweet = (userId: string) =>
  Effect.gen(function* () {
    const reply = yield* control("POST", "activity", { kind: "Tweet", forUserId: userId })
    assert.strictEqual(reply.status, 202, reply.text)
    return (reply.json as { activities: ReadonlyArray<{ id: string }> }).activities[0]!.id
  })

/** Moves the clock in steps until every live delivery has ended (its retries included). */
const settle = Effect.gen(function* () {
  const deliveries = yield* Deliveries.Deliveries
  for (let i = 0; i < 400 && (yield* deliveries.inFlight) > 0; i++) {
    yield* realPause(2)
    yield* TestClock.adjust("5 seconds")
  }
  yield* deliveries.awaitIdle
})

/** Requests a replay through the API (Bearer), as a client does. */
const requestReplay = (client: AppClient, webhookId: string, from: number, to: number) =>
  client.send(
    AuthKind.AppOnly,
    HttpClientRequest.post(`/1.1/account_activity/replay/webhooks/${webhookId}/subscriptions/all.json`).pipe(
      HttpClientRequest.setUrlParams({ from_date: stamp(from), to_date: stamp(to) })
    )
  )

const accepted = (client: AppClient, webhookId: string, from: number, to: number) =>
  Effect.gen(function* () {
    const reply = yield* requestReplay(client, webhookId, from, to)
    assert.strictEqual(reply.status, 202, reply.text)
    return (reply.json as { job_id: string }).job_id
  })

const statusBody = (webhookId: string, jobId: string, state: "Complete" | "Incomplete") =>
  JSON.stringify({
    replay_job_status: {
      webhook_id: webhookId,
      job_state: state,
      job_state_description:
        state === "Complete"
          ? "Job completed successfully"
          : "Job failed to deliver all events, please retry your replay job",
      job_id: jobId
    }
  })

describe("replay engine", () => {
  it.scoped(
    "a receiver that was down gets exactly the missed activities, oldest first, then Complete; a new job is accepted",
    () =>
      Effect.gen(function* () {
        const { client, emulator, stub, webhook, alice } = yield* setup
        const engine = yield* ReplayEngine.ReplayEngine
        const deliveries = yield* Deliveries.Deliveries
        stub.answer(503)
        const ids: Array<string> = []
        for (const offset of [0, 6 * MINUTE, 12 * MINUTE]) {
          yield* TestClock.setTime(T0 + offset)
          ids.push(yield* tweet(alice))
          yield* settle
        }
        // each activity was tried 4 times and never delivered
        assert.strictEqual(stub.posts.length, 12)
        assert.isTrue(stub.posts.every((post) => post.status === 503 && post.signatureValid))
        const originals = [0, 4, 8].map((index) => stub.posts[index]!.body)
        assert.strictEqual(new Set(originals).size, 3)
        // the receiver is back; the window [12:00, 12:20) becomes replayable at 12:31
        stub.answer(200)
        const tooEarly = yield* requestReplay(client, webhook.id, T0, T0 + 20 * MINUTE)
        assert.strictEqual(tooEarly.status, 400)
        yield* TestClock.setTime(T0 + 31 * MINUTE)
        const crcsBefore = stub.crcs()
        const jobId = yield* accepted(client, webhook.id, T0, T0 + 20 * MINUTE)
        const report = yield* engine.awaitJob(jobId)
        assert.deepStrictEqual(report, {
          jobId,
          webhookId: webhook.id,
          crc: Option.some("Ok" as const),
          replayed: 3,
          delivered: 3,
          state: "Complete" as const,
          statusEvent: Option.some("Delivered" as const)
        })
        assert.strictEqual(stub.crcs(), crcsBefore + 1, "a CRC before the replay")
        const replayed = stub.posts.slice(12)
        assert.deepStrictEqual(
          replayed.map((post) => post.body),
          [...originals, statusBody(webhook.id, jobId, "Complete")]
        )
        assert.isTrue(replayed.every((post) => post.signatureValid))
        const job = yield* Effect.orDie(emulator.replayJob(jobId))
        assert.strictEqual(job.state, "Complete")
        assert.deepStrictEqual(job.finishedAt, Option.some(T0 + 31 * MINUTE))
        assert.strictEqual((yield* Effect.orDie(emulator.webhook(webhook.id))).lastCrc.trigger, "replay")
        // every replay line is one attempt marked with the job
        const lines = (yield* deliveries.log).filter((line) => line.replayJobId === jobId)
        assert.deepStrictEqual(
          lines.map((line) => [line.activityId, line.attempt, line.result]),
          [
            [ids[0], 1, "Delivered"],
            [ids[1], 1, "Delivered"],
            [ids[2], 1, "Delivered"],
            [jobId, 1, "Delivered"]
          ]
        )
        // the job is over: another can be requested (no 409), and it replays the same window again
        const second = yield* accepted(client, webhook.id, T0, T0 + 20 * MINUTE)
        assert.notStrictEqual(second, jobId)
        assert.strictEqual((yield* engine.awaitJob(second)).replayed, 3)
        assert.strictEqual(stub.posts.length, 12 + 4 + 4)
      }).pipe(Effect.provide(Live()))
  )

  it.scoped("a receiver failing during the replay: Incomplete event and state, replayed events never retried", () =>
    Effect.gen(function* () {
      const { client, emulator, stub, webhook, alice } = yield* setup
      const engine = yield* ReplayEngine.ReplayEngine
      yield* tweet(alice)
      yield* settle
      yield* TestClock.setTime(T0 + MINUTE)
      yield* tweet(alice)
      yield* settle
      assert.strictEqual(stub.posts.length, 2)
      yield* TestClock.setTime(T0 + 40 * MINUTE)
      stub.answerNext(500)
      const jobId = yield* accepted(client, webhook.id, T0, T0 + 2 * MINUTE)
      const report = yield* engine.awaitJob(jobId)
      assert.strictEqual(report.replayed, 2)
      assert.strictEqual(report.delivered, 1)
      assert.strictEqual(report.state, "Incomplete")
      assert.deepStrictEqual(report.statusEvent, Option.some("Delivered" as const))
      assert.deepStrictEqual(
        stub.posts.slice(2).map((post) => [post.body, post.status]),
        [
          [stub.posts[0]!.body, 500],
          [stub.posts[1]!.body, 200],
          [statusBody(webhook.id, jobId, "Incomplete"), 200]
        ]
      )
      assert.strictEqual((yield* Effect.orDie(emulator.replayJob(jobId))).state, "Incomplete")
      // no retry of the failed replayed event, however long we wait
      yield* TestClock.adjust("1 hour")
      yield* realPause(30)
      assert.strictEqual(stub.posts.length, 5)
      // X's advice: resubmit a job for the same period
      const retry = yield* accepted(client, webhook.id, T0, T0 + 2 * MINUTE)
      assert.strictEqual((yield* engine.awaitJob(retry)).state, "Complete")
    }).pipe(Effect.provide(Live()))
  )

  it.scoped("a failed CRC before the replay: webhook invalid, job Incomplete, nothing redelivered", () =>
    Effect.gen(function* () {
      const { client, emulator, stub, webhook, alice } = yield* setup
      const engine = yield* ReplayEngine.ReplayEngine
      const deliveries = yield* Deliveries.Deliveries
      yield* tweet(alice)
      yield* settle
      assert.strictEqual(stub.posts.length, 1)
      yield* TestClock.setTime(T0 + 40 * MINUTE)
      stub.wrongCrc(true)
      const jobId = yield* accepted(client, webhook.id, T0, T0 + 5 * MINUTE)
      const report = yield* engine.awaitJob(jobId)
      assert.deepStrictEqual(report.crc, Option.some("InvalidResponse" as const))
      assert.strictEqual(report.replayed, 0)
      assert.strictEqual(report.state, "Incomplete")
      // the status event is not sent either: the webhook is invalid
      assert.deepStrictEqual(report.statusEvent, Option.some("Skipped" as const))
      assert.strictEqual(stub.posts.length, 1)
      const after = yield* Effect.orDie(emulator.webhook(webhook.id))
      assert.isFalse(after.valid)
      assert.deepStrictEqual([after.lastCrc.outcome, after.lastCrc.trigger], ["InvalidResponse", "replay"])
      assert.strictEqual((yield* Effect.orDie(emulator.replayJob(jobId))).state, "Incomplete")
      assert.deepStrictEqual(
        (yield* deliveries.log).filter((line) => line.replayJobId === jobId).map((line) => line.result),
        ["Skipped"]
      )
      // the webhook must pass a CRC (PUT) before another replay
      const refused = yield* requestReplay(client, webhook.id, T0, T0 + 5 * MINUTE)
      assert.strictEqual(refused.status, 400)
      assert.strictEqual((refused.json as { errors: Array<{ code: number }> }).errors[0]!.code, 214)
    }).pipe(Effect.provide(Live()))
  )

  it.scoped("only that webhook's deliveries in [from, to): from inclusive, to exclusive at the minute", () =>
    Effect.gen(function* () {
      const { client, emulator, appId, secret, stub, webhook, alice } = yield* setup
      const engine = yield* ReplayEngine.ReplayEngine
      const deliveries = yield* Deliveries.Deliveries
      const other = yield* receiver(secret)
      const second = yield* Effect.orDie(emulator.registerWebhook(appId, other.url))
      yield* Effect.orDie(emulator.subscribe({ appId, webhookId: second.id, userId: alice }))
      const from = T0 + 10 * MINUTE
      const to = T0 + 20 * MINUTE
      const times = [from - 1, from, from + 5 * MINUTE, to - 1, to]
      for (const at of times) {
        yield* TestClock.setTime(at)
        yield* tweet(alice)
        yield* deliveries.awaitIdle
      }
      assert.strictEqual(stub.posts.length, 5)
      assert.strictEqual(other.posts.length, 5)
      yield* TestClock.setTime(to + 31 * MINUTE)
      const jobId = yield* accepted(client, webhook.id, from, to)
      const report = yield* engine.awaitJob(jobId)
      assert.strictEqual(report.replayed, 3)
      assert.strictEqual(report.state, "Complete")
      assert.deepStrictEqual(
        stub.posts.slice(5).map((post) => post.body),
        [stub.posts[1]!.body, stub.posts[2]!.body, stub.posts[3]!.body, statusBody(webhook.id, jobId, "Complete")]
      )
      // the other webhook saw nothing of the replay
      yield* realPause(30)
      assert.strictEqual(other.posts.length, 5)
    }).pipe(Effect.provide(Live()))
  )

  it.scoped("a 5-day window on the TestClock: 4-day-old activity is replayed, 6-day-old is refused (356)", () =>
    Effect.gen(function* () {
      const { client, stub, webhook, alice } = yield* setup
      const engine = yield* ReplayEngine.ReplayEngine
      const deliveries = yield* Deliveries.Deliveries
      yield* tweet(alice)
      yield* deliveries.awaitIdle
      yield* TestClock.adjust("2 days")
      yield* tweet(alice)
      yield* deliveries.awaitIdle
      assert.strictEqual(stub.posts.length, 2)
      yield* TestClock.adjust("4 days")
      const tooOld = yield* requestReplay(client, webhook.id, T0, T0 + 10 * MINUTE)
      assert.strictEqual(tooOld.status, 400)
      assert.deepStrictEqual(tooOld.json, {
        errors: [{ code: 356, message: "from_date must be within the past 5 days." }]
      })
      const fourDaysAgo = T0 + 2 * 24 * 60 * MINUTE
      const jobId = yield* accepted(client, webhook.id, fourDaysAgo, fourDaysAgo + MINUTE)
      const report = yield* engine.awaitJob(jobId)
      assert.strictEqual(report.replayed, 1)
      assert.strictEqual(report.state, "Complete")
      assert.deepStrictEqual(
        stub.posts.slice(2).map((post) => post.body),
        [stub.posts[1]!.body, statusBody(webhook.id, jobId, "Complete")]
      )
    }).pipe(Effect.provide(Live({ revalidation: "off" })))
  )

  it.scoped("the emulator clock (POST /_emulator/clock/advance) makes activity replayable too", () =>
    Effect.gen(function* () {
      const { client, stub, webhook, alice } = yield* setup
      const engine = yield* ReplayEngine.ReplayEngine
      const deliveries = yield* Deliveries.Deliveries
      // the standalone emulator runs on the real clock and jumps ahead with clock/advance
      yield* control("POST", "clock/advance", { duration: "1 hour" })
      yield* tweet(alice)
      yield* deliveries.awaitIdle
      assert.strictEqual((yield* deliveries.records)[0]!.firstAttemptAt, T0 + 60 * MINUTE, "in emulator time")
      assert.strictEqual((yield* control("POST", "clock/advance", { duration: "45 minutes" })).status, 200)
      const jobId = yield* accepted(client, webhook.id, T0 + 60 * MINUTE, T0 + 61 * MINUTE)
      assert.strictEqual((yield* engine.awaitJob(jobId)).replayed, 1)
      assert.strictEqual(stub.posts[1]!.body, stub.posts[0]!.body)
    }).pipe(Effect.provide(Live()))
  )
})

describe("faults control route", () => {
  it.scoped("POST /_emulator/faults changes what the receiver sees; DELETE clears the faults", () =>
    Effect.gen(function* () {
      const { client, stub, webhook, alice } = yield* setup
      const engine = yield* ReplayEngine.ReplayEngine
      const deliveries = yield* Deliveries.Deliveries
      // drop: nothing arrives, but X believes it sent it, so Replay recovers it
      const drop = yield* control("POST", "faults", { fault: "drop" })
      assert.strictEqual(drop.status, 200)
      assert.deepStrictEqual(drop.json, { pending: [{ fault: "drop", remaining: 1 }] })
      yield* tweet(alice)
      yield* deliveries.awaitIdle
      assert.strictEqual(stub.posts.length, 0)
      // duplicate, for this webhook only
      const duplicate = yield* control("POST", "faults", { fault: "duplicate", webhookId: webhook.id })
      assert.deepStrictEqual(duplicate.json, { pending: [{ fault: "duplicate", remaining: 1, webhookId: webhook.id }] })
      yield* TestClock.adjust(MINUTE)
      yield* tweet(alice)
      yield* deliveries.awaitIdle
      assert.strictEqual(stub.posts.length, 2)
      assert.strictEqual(stub.posts[0]!.body, stub.posts[1]!.body)
      // delay on the clock
      yield* control("POST", "faults", { fault: { delay: 10_000 } })
      yield* tweet(alice)
      yield* realPause(30)
      assert.strictEqual(stub.posts.length, 2)
      yield* TestClock.adjust("10 seconds")
      yield* deliveries.awaitIdle
      assert.strictEqual(stub.posts.length, 3)
      // DELETE clears what is left
      yield* control("POST", "faults", { fault: "drop", times: 3 })
      assert.deepStrictEqual((yield* control("GET", "faults")).json, { pending: [{ fault: "drop", remaining: 3 }] })
      assert.deepStrictEqual((yield* control("DELETE", "faults")).json, { pending: [] })
      yield* tweet(alice)
      yield* deliveries.awaitIdle
      assert.strictEqual(stub.posts.length, 4)
      // the dropped activity comes back with Replay
      yield* TestClock.setTime(T0 + 45 * MINUTE)
      const jobId = yield* accepted(client, webhook.id, T0, T0 + MINUTE)
      assert.strictEqual((yield* engine.awaitJob(jobId)).replayed, 1)
      const dropped = (yield* deliveries.log).find((line) => line.result === "Dropped")!
      const record = (yield* deliveries.records).find((r) => r.deliveryId === dropped.deliveryId)!
      assert.strictEqual(stub.posts[4]!.body, record.body)
      // bad bodies
      assert.strictEqual((yield* control("POST", "faults", { fault: "explode" })).status, 400)
      assert.strictEqual((yield* control("POST", "faults", { fault: "drop", times: 0 })).status, 400)
    }).pipe(Effect.provide(Live()))
  )

  it.scoped("without the delivery engine the faults route answers 501", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* control("POST", "faults", { fault: "drop" })).status, 501)
      assert.strictEqual((yield* control("DELETE", "faults")).status, 501)
    }).pipe(Effect.provide(layerWithoutDeliveries()))
  )
})
