import { createServer } from "node:http"
import { WebhookSignature } from "@account-activity/crc"
import { HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Layer, Queue, Redacted, Ref, type Scope, TestClock } from "effect"
import * as Deliveries from "../src/Deliveries.js"

const secret = Redacted.make("emulator-consumer-secret")

// A body as X writes it: "/" escaped as "\/", non-ASCII escaped, plus one raw UTF-8 character to check that
// the signature covers the exact bytes.
const body =
  '{"for_user_id":"2244994945","tweet_create_events":[{"id":1556886030274000000,"id_str":"1556886030274000000","text":"Caf\\u00e9 \\u2615 https:\\/\\/t.co\\/x é"}]}'

interface Received {
  readonly body: string
  readonly signatureValid: boolean
  readonly contentType: string | undefined
  readonly at: number
}

const Live = Layer.merge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }), NodeHttpClient.layerUndici)

/** Waits in real time (the test clock does not move). */
const realPause = (millis = 5) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/** A real receiver on loopback: verifies every signature and answers with `respond(n)` for the n-th POST. */
const receiver = (respond: (n: number) => Effect.Effect<HttpServerResponse.HttpServerResponse>) =>
  Effect.gen(function* () {
    const received = yield* Queue.unbounded<Received>()
    const all = yield* Ref.make<ReadonlyArray<Received>>([])
    let count = 0
    yield* HttpServer.serveEffect()(
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const text = yield* request.text
        const entry: Received = {
          body: text,
          signatureValid: WebhookSignature.isValid(text, request.headers[WebhookSignature.headerName], secret),
          contentType: request.headers["content-type"],
          at: yield* Clock.currentTimeMillis
        }
        yield* Ref.update(all, (list) => [...list, entry])
        yield* Queue.offer(received, entry)
        return yield* respond(++count)
      }).pipe(Effect.orDie)
    )
    const url = yield* HttpServer.addressFormattedWith((address) => Effect.succeed(`${address}/webhook`))
    return { received, all: Ref.get(all), url }
  })

const ok = () => HttpServerResponse.empty({ status: 200 })
const status = (code: number) => HttpServerResponse.empty({ status: code })

const request = (url: string, overrides: Partial<Deliveries.DeliveryRequest> = {}): Deliveries.DeliveryRequest => ({
  webhookId: "1234577122340233217",
  url,
  consumerSecret: secret,
  body,
  forUserId: "2244994945",
  activityId: "activity-1",
  ...overrides
})

/** Waits (in real time) until the log has `n` lines. */
const logLength = (engine: Deliveries.Service, n: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2000; i++) {
      const log = yield* engine.log
      if (log.length >= n) return log
      yield* realPause()
    }
    return yield* Effect.dieMessage(`the delivery log never reached ${n} lines`)
  })

const withEngine = <A, E>(
  f: (engine: Deliveries.Service) => Effect.Effect<A, E, HttpServer.HttpServer | Scope.Scope>,
  options: Deliveries.Options = {}
) =>
  Effect.gen(function* () {
    const engine = yield* Deliveries.make(options)
    return yield* f(engine)
  }).pipe(Effect.scoped, Effect.provide(Live))

describe("Deliveries", () => {
  it.effect("a 200 receiver gets one signed POST with the exact body", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(ok)
        const handle = yield* engine.deliver(request(server.url))
        assert.strictEqual(handle.deliveryId, "1")
        assert.strictEqual(yield* handle.await, "Delivered")
        yield* engine.awaitIdle
        const all = yield* server.all
        assert.strictEqual(all.length, 1)
        assert.strictEqual(all[0]!.body, body)
        assert.isTrue(all[0]!.signatureValid)
        assert.strictEqual(all[0]!.contentType, "application/json")
        const log = yield* engine.log
        assert.deepStrictEqual(
          log.map((line) => [line.attempt, line.at, line.result, line.status, line.outcome]),
          [[1, 0, "Delivered", 200, "Delivered"]]
        )
        const records = yield* engine.records
        assert.strictEqual(records[0]!.delivered, true)
        assert.strictEqual(records[0]!.outcome, "Delivered")
        // nothing more is ever sent
        yield* TestClock.adjust("1 hour")
        yield* realPause(30)
        assert.strictEqual((yield* server.all).length, 1)
      })
    )
  )

  it.effect("a failing receiver gets exactly 4 attempts at 0 s, 6 s, 36 s and 281 s", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(() => status(500))
        const handle = yield* engine.deliver(request(server.url))
        let log = yield* logLength(engine, 1)
        assert.strictEqual(log[0]!.nextAttemptAt, 6_000)
        // not a millisecond early
        yield* TestClock.adjust(5_999)
        yield* realPause(30)
        assert.strictEqual((yield* server.all).length, 1)
        yield* TestClock.adjust(1)
        log = yield* logLength(engine, 2)
        assert.strictEqual(log[1]!.nextAttemptAt, 36_000)
        yield* TestClock.adjust(30_000)
        log = yield* logLength(engine, 3)
        assert.strictEqual(log[2]!.nextAttemptAt, 281_000)
        yield* TestClock.adjust(245_000)
        log = yield* logLength(engine, 4)
        assert.strictEqual(yield* handle.await, "Failed")
        assert.deepStrictEqual(
          log.map((line) => [line.attempt, line.at, line.result, line.status, line.outcome]),
          [
            [1, 0, "BadStatus", 500, undefined],
            [2, 6_000, "BadStatus", 500, undefined],
            [3, 36_000, "BadStatus", 500, undefined],
            [4, 281_000, "BadStatus", 500, "Failed"]
          ]
        )
        yield* TestClock.adjust("4 hours")
        yield* realPause(30)
        const all = yield* server.all
        assert.strictEqual(all.length, 4)
        assert.isTrue(all.every((entry) => entry.signatureValid && entry.body === body))
        assert.deepStrictEqual(
          all.map((entry) => entry.at),
          [0, 6_000, 36_000, 281_000]
        )
        assert.strictEqual(yield* engine.inFlight, 0)
      })
    )
  )

  it.effect("a slow receiver times out after 3 s, on X's timeline: 0, 3+3, 3+3+27+3, 3+3+27+3+242+3", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(() => Effect.never)
        const handle = yield* engine.deliver(request(server.url))
        const starts: Array<number> = []
        for (const wait of [3_000, 27_000, 242_000, undefined]) {
          const got = yield* Queue.take(server.received)
          starts.push(got.at)
          yield* TestClock.adjust(2_999)
          yield* realPause(20)
          assert.strictEqual((yield* engine.log).length, starts.length - 1, "no timeout before 3 s")
          yield* TestClock.adjust(1)
          const log = yield* logLength(engine, starts.length)
          assert.strictEqual(log[starts.length - 1]!.result, "Timeout")
          if (wait !== undefined) yield* TestClock.adjust(wait)
        }
        assert.strictEqual(yield* handle.await, "Failed")
        assert.deepStrictEqual(starts, [0, 6_000, 36_000, 281_000])
        assert.strictEqual(yield* Clock.currentTimeMillis, 284_000)
        const log = yield* engine.log
        assert.deepStrictEqual(
          log.map((line) => [line.at, line.result, line.outcome]),
          [
            [0, "Timeout", undefined],
            [6_000, "Timeout", undefined],
            [36_000, "Timeout", undefined],
            [281_000, "Timeout", "Failed"]
          ]
        )
      })
    )
  )

  it.effect("any status but 200 is retried, and success on the 3rd attempt stops the retries", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver((n) => (n === 1 ? status(204) : n === 2 ? status(503) : ok()))
        const handle = yield* engine.deliver(request(server.url))
        yield* logLength(engine, 1)
        yield* TestClock.adjust(6_000)
        yield* logLength(engine, 2)
        yield* TestClock.adjust(30_000)
        yield* logLength(engine, 3)
        assert.strictEqual(yield* handle.await, "Delivered")
        yield* TestClock.adjust("1 hour")
        yield* realPause(30)
        assert.strictEqual((yield* server.all).length, 3)
        assert.deepStrictEqual(
          (yield* engine.log).map((line) => [line.attempt, line.at, line.result, line.status, line.outcome]),
          [
            [1, 0, "BadStatus", 204, undefined],
            [2, 6_000, "BadStatus", 503, undefined],
            [3, 36_000, "Delivered", 200, "Delivered"]
          ]
        )
      })
    )
  )

  it.effect("a refused connection is logged as such and retried", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const handle = yield* engine.deliver(request("http://127.0.0.1:1/webhook"))
        yield* logLength(engine, 1)
        for (const step of [6_000, 30_000, 245_000]) yield* TestClock.adjust(step)
        assert.strictEqual(yield* handle.await, "Failed")
        const log = yield* engine.log
        assert.deepStrictEqual(
          log.map((line) => line.result),
          ["ConnectionRefused", "ConnectionRefused", "ConnectionRefused", "ConnectionRefused"]
        )
      })
    )
  )

  it.effect("Replay deliveries are sent once and never retried", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(() => status(500))
        const handle = yield* engine.deliver(request(server.url, { replayJobId: "1095098195724558337" }))
        assert.strictEqual(yield* handle.await, "Failed")
        yield* TestClock.adjust("1 hour")
        yield* realPause(30)
        assert.strictEqual((yield* server.all).length, 1)
        const log = yield* engine.log
        assert.deepStrictEqual(
          log.map((line) => [line.attempt, line.replayJobId, line.outcome]),
          [[1, "1095098195724558337", "Failed"]]
        )
        assert.deepStrictEqual(yield* engine.attemptedBetween(0, Number.MAX_SAFE_INTEGER), [])
      })
    )
  )

  it.effect("an invalid webhook is skipped, before the first attempt or before a retry", () =>
    Effect.gen(function* () {
      const valid = yield* Ref.make(false)
      yield* withEngine(
        (engine) =>
          Effect.gen(function* () {
            const server = yield* receiver(() => status(500))
            const first = yield* engine.deliver(request(server.url, { activityId: "a" }))
            assert.strictEqual(yield* first.await, "Skipped")
            yield* Ref.set(valid, true)
            const second = yield* engine.deliver(request(server.url, { activityId: "b" }))
            yield* logLength(engine, 2)
            yield* Ref.set(valid, false)
            yield* TestClock.adjust(6_000)
            assert.strictEqual(yield* second.await, "Skipped")
            yield* TestClock.adjust("1 hour")
            yield* realPause(30)
            assert.strictEqual((yield* server.all).length, 1)
            assert.deepStrictEqual(
              (yield* engine.log).map((line) => [line.activityId, line.attempt, line.result, line.detail]),
              [
                ["a", 1, "Skipped", "webhook invalid"],
                ["b", 1, "BadStatus", "HTTP 500, not 200"],
                ["b", 2, "Skipped", "webhook invalid"]
              ]
            )
            // the skipped-from-the-start delivery was never attempted: Replay cannot recover it
            assert.deepStrictEqual(
              (yield* engine.attemptedBetween(0, 10_000)).map((record) => record.activityId),
              ["b"]
            )
          }),
        { canDeliver: () => Ref.get(valid) }
      )
    })
  )

  it.effect("Duplicate: the receiver gets the same signed body twice", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(ok)
        yield* engine.inject(Deliveries.duplicate)
        assert.strictEqual((yield* engine.pendingFaults).length, 1)
        yield* engine.deliver(request(server.url))
        assert.strictEqual((yield* engine.pendingFaults).length, 0)
        yield* engine.awaitIdle
        const all = yield* server.all
        assert.strictEqual(all.length, 2)
        assert.isTrue(all.every((entry) => entry.body === body && entry.signatureValid))
        assert.deepStrictEqual(
          (yield* engine.log).map((line) => [line.copy, line.result]),
          [
            [1, "Delivered"],
            [2, "Delivered"]
          ]
        )
        // the fault was used up: the next delivery is sent once
        yield* engine.deliver(request(server.url, { activityId: "activity-2" }))
        yield* engine.awaitIdle
        assert.strictEqual((yield* server.all).length, 3)
      })
    )
  )

  it.effect("Drop: nothing reaches the receiver, the log says Dropped, Replay can recover it", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(ok)
        yield* engine.inject(Deliveries.drop)
        const handle = yield* engine.deliver(request(server.url))
        assert.strictEqual(yield* handle.await, "Dropped")
        yield* realPause(30)
        assert.strictEqual((yield* server.all).length, 0)
        const [line] = yield* engine.log
        assert.strictEqual(line!.result, "Dropped")
        const [record] = yield* engine.attemptedBetween(0, 1)
        assert.strictEqual(record!.delivered, false)
        assert.strictEqual(record!.body, body)
      })
    )
  )

  it.effect("Delay: the first attempt waits on the clock", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(ok)
        yield* engine.inject(Deliveries.delay("10 seconds"))
        yield* engine.deliver(request(server.url))
        yield* realPause(30)
        assert.strictEqual((yield* server.all).length, 0)
        yield* TestClock.adjust("10 seconds")
        const got = yield* Queue.take(server.received)
        assert.strictEqual(got.at, 10_000)
        yield* engine.awaitIdle
        assert.strictEqual((yield* engine.records)[0]!.firstAttemptAt, 10_000)
      })
    )
  )

  it.effect("Reorder: a held delivery reaches the receiver after the next one", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(ok)
        yield* engine.inject(Deliveries.reorder)
        yield* engine.deliver(request(server.url, { activityId: "first", body: '{"n":1}' }))
        yield* realPause(30)
        assert.strictEqual((yield* server.all).length, 0)
        yield* engine.deliver(request(server.url, { activityId: "second", body: '{"n":2}' }))
        yield* engine.awaitIdle
        assert.deepStrictEqual(
          (yield* server.all).map((entry) => entry.body),
          ['{"n":2}', '{"n":1}']
        )
      })
    )
  )

  it.effect("releaseHeld lets a held delivery go without a next one", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(ok)
        yield* engine.inject(Deliveries.reorder, { webhookId: "1234577122340233217" })
        yield* engine.deliver(request(server.url))
        yield* realPause(20)
        assert.strictEqual(yield* engine.inFlight, 1)
        assert.strictEqual(yield* engine.releaseHeld, 1)
        yield* engine.awaitIdle
        assert.strictEqual((yield* server.all).length, 1)
      })
    )
  )

  it.effect("faults scoped to a webhook leave the others alone; times and clearFaults", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(ok)
        yield* engine.inject(Deliveries.drop, { webhookId: "42", times: 2 })
        yield* engine.deliver(request(server.url))
        yield* engine.awaitIdle
        assert.strictEqual((yield* server.all).length, 1)
        assert.deepStrictEqual(
          (yield* engine.pendingFaults).map((pending) => pending.remaining),
          [2]
        )
        yield* engine.deliver(request(server.url, { webhookId: "42" }))
        yield* engine.awaitIdle
        assert.strictEqual((yield* server.all).length, 1)
        yield* engine.clearFaults
        yield* engine.deliver(request(server.url, { webhookId: "42" }))
        yield* engine.awaitIdle
        assert.strictEqual((yield* server.all).length, 2)
      })
    )
  )

  it.effect("attemptedBetween lists live deliveries by first attempt in [from, to), oldest first", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver(ok)
        yield* TestClock.setTime(1_000)
        yield* engine.deliver(request(server.url, { activityId: "a" }))
        yield* engine.awaitIdle
        yield* TestClock.setTime(2_000)
        yield* engine.deliver(request(server.url, { activityId: "b", forUserId: "3001969357" }))
        yield* engine.awaitIdle
        yield* TestClock.setTime(3_000)
        yield* engine.deliver(request(server.url, { activityId: "c" }))
        yield* engine.awaitIdle
        const ids = (from: number, to: number) =>
          Effect.map(engine.attemptedBetween(from, to), (records) =>
            records.map((record) => [record.activityId, record.forUserId, record.firstAttemptAt, record.delivered])
          )
        assert.deepStrictEqual(yield* ids(0, 10_000), [
          ["a", "2244994945", 1_000, true],
          ["b", "3001969357", 2_000, true],
          ["c", "2244994945", 3_000, true]
        ])
        assert.deepStrictEqual(yield* ids(1_000, 3_000), [
          ["a", "2244994945", 1_000, true],
          ["b", "3001969357", 2_000, true]
        ])
        assert.deepStrictEqual(yield* ids(3_001, 10_000), [])
      })
    )
  )

  it.effect("deliveries run concurrently: a slow one does not hold back the others", () =>
    withEngine((engine) =>
      Effect.gen(function* () {
        const server = yield* receiver((n) => (n === 1 ? Effect.never : ok()))
        const slow = yield* engine.deliver(request(server.url, { activityId: "slow" }))
        yield* Queue.take(server.received)
        const fast = yield* engine.deliver(request(server.url, { activityId: "fast" }))
        assert.strictEqual(yield* fast.await, "Delivered")
        assert.strictEqual(yield* engine.inFlight, 1)
        yield* TestClock.adjust(3_000)
        yield* logLength(engine, 2)
        yield* TestClock.adjust(3_000)
        assert.strictEqual(yield* slow.await, "Delivered")
      })
    )
  )

  it.effect("the layer provides the engine", () =>
    Effect.gen(function* () {
      const engine = yield* Deliveries.Deliveries
      const server = yield* receiver(ok)
      const outcome = yield* Deliveries.deliverAndAwait(request(server.url))
      assert.strictEqual(outcome, "Delivered")
      assert.strictEqual((yield* engine.log).length, 1)
    }).pipe(Effect.scoped, Effect.provide(Deliveries.layer().pipe(Layer.provideMerge(Live))))
  )
})
