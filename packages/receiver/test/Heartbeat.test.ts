import { WebhookSecrets } from "@account-activity/crc"
import { Journal, MemoryJournal, MemoryQueue, QueueUnavailable } from "@account-activity/queue"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import * as Receiver from "../src/Receiver.js"
import { secret } from "./utils/http.js"

const start = 1_700_000_000_000

const Base = Layer.mergeAll(MemoryQueue.layer(), WebhookSecrets.layer(secret).pipe(Layer.orDie))

const spans = Effect.flatMap(Journal.Journal, (journal) => journal.list("receiver", 0))

describe("heartbeat", () => {
  it.effect("with a Journal: a span from the start, extended every interval, ended when the scope closes", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const receiver = yield* Receiver.make({ instanceId: "receiver-a", heartbeatInterval: "5 seconds" })
          assert.strictEqual(receiver.instanceId, "receiver-a")
          assert.deepStrictEqual(yield* spans, [{ kind: "receiver", key: "receiver-a", from: start, to: start }])
          yield* TestClock.adjust("4999 millis")
          assert.strictEqual((yield* spans)[0]!.to, start)
          yield* TestClock.adjust("1 millis")
          assert.strictEqual((yield* spans)[0]!.to, start + 5000)
          yield* TestClock.adjust("12 seconds")
          assert.strictEqual((yield* spans)[0]!.to, start + 15_000)
          yield* TestClock.adjust("2 seconds")
        })
      )
      // The last heartbeat, as the scope closed, carries the span to the end.
      assert.deepStrictEqual(yield* spans, [{ kind: "receiver", key: "receiver-a", from: start, to: start + 19_000 }])
      // Nothing runs after the scope closed.
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* spans)[0]!.to, start + 19_000)
    }).pipe(Effect.provide(Layer.merge(Base, MemoryJournal.layer)))
  )

  it.effect("a stopped receiver leaves a hole: the next instance's span starts anew", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      yield* Effect.scoped(Receiver.make({ instanceId: "receiver-a", heartbeatInterval: "5 seconds" }))
      yield* TestClock.adjust("1 minute")
      yield* Effect.scoped(Receiver.make({ instanceId: "receiver-a", heartbeatInterval: "5 seconds" }))
      assert.deepStrictEqual(
        (yield* spans).map((span) => [span.from, span.to]),
        [
          [start, start],
          [start + 60_000, start + 60_000]
        ]
      )
    }).pipe(Effect.provide(Layer.merge(Base, MemoryJournal.layer)))
  )

  it.effect("a failing journal is counted and logged, and the receiver keeps running", () =>
    Effect.gen(function* () {
      const receiver = yield* Receiver.make({ heartbeatInterval: "1 second" })
      yield* TestClock.adjust("3 seconds")
      assert.strictEqual(receiver.metrics.snapshot().heartbeatFailures, 4)
    }).pipe(
      Effect.scoped,
      Effect.provide(Base),
      Effect.provideService(Journal.Journal, {
        extend: () => Effect.fail(new QueueUnavailable.QueueUnavailable({ reason: "Busy", operation: "extend" })),
        record: () => Effect.void,
        list: () => Effect.succeed([])
      })
    )
  )

  it.effect("without a Journal nothing is written and nothing fails", () =>
    Effect.gen(function* () {
      const receiver = yield* Receiver.make({ heartbeatInterval: "1 second" })
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(receiver.metrics.snapshot().heartbeatFailures, 0)
      assert.isTrue(receiver.instanceId.endsWith(`:${process.pid}`))
    }).pipe(Effect.scoped, Effect.provide(Base))
  )
})
