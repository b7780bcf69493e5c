import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Duration, Effect, Exit, Fiber, Layer, Scope, Stream, TestClock } from "effect"
import * as EventQueue from "../src/EventQueue.js"
import * as MemoryQueue from "../src/MemoryQueue.js"
import * as MemorySeenStore from "../src/MemorySeenStore.js"
import * as QueueUnavailable from "../src/QueueUnavailable.js"
import * as SeenStore from "../src/SeenStore.js"

const delivery = (text: string): EventQueue.Delivery => ({
  body: new TextEncoder().encode(text),
  receivedAt: 0,
  headers: {}
})

const defectMessage = <A, E>(exit: Exit.Exit<A, E>): string => {
  assert.isTrue(Exit.isFailure(exit))
  const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
  return defect instanceof Error ? defect.message : String(defect)
}

describe("MemoryQueue", () => {
  it.effect("a bounded queue refuses an append beyond its capacity and stores none of it", () =>
    Effect.gen(function* () {
      const queue = yield* EventQueue.EventQueue
      yield* queue.append([delivery("1"), delivery("2")])
      const error = yield* Effect.flip(queue.append([delivery("3"), delivery("4")]))
      assert.strictEqual(error.reason, "Full")
      assert.strictEqual(error.operation, "append")
      assert.include(error.message, "capacity")
      const messages = yield* queue.receive({ consumer: "c" })
      assert.strictEqual(messages.length, 2)
      yield* messages[0]!.ack
      assert.strictEqual((yield* queue.append([delivery("5")])).length, 1)
    }).pipe(Effect.provide(MemoryQueue.layer({ capacity: 3 })))
  )

  it.effect("once its scope is closed every call fails with Closed, and waiting consumers stop", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const queue = yield* MemoryQueue.make().pipe(Scope.extend(scope))
      const waiting = yield* queue.consume({ consumer: "c" }).pipe(Stream.runDrain, Effect.fork)
      yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      const stopped = yield* Fiber.join(waiting).pipe(Effect.flip)
      assert.strictEqual(stopped.reason, "Closed")
      const error = yield* Effect.flip(queue.append([delivery("late")]))
      assert.strictEqual(error.reason, "Closed")
      assert.include(error.message, "shut down")
    })
  )

  it.effect("consume waits exactly until a lease expires", () =>
    Effect.gen(function* () {
      const queue = yield* EventQueue.EventQueue
      yield* queue.append([delivery("x")])
      yield* queue.receive({ consumer: "a", visibilityTimeout: "10 seconds" })
      const fiber = yield* queue.consume({ consumer: "b" }).pipe(Stream.take(1), Stream.runCollect, Effect.fork)
      yield* TestClock.adjust(Duration.millis(9_999))
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust(Duration.millis(1))
      const [message] = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.strictEqual(message?.attempts, 2)
    }).pipe(Effect.provide(MemoryQueue.layer()))
  )

  it.effect("a consumer gets the body as a copy it may change", () =>
    Effect.gen(function* () {
      const queue = yield* EventQueue.EventQueue
      yield* queue.append([delivery("abc")])
      const [first] = yield* queue.receive({ consumer: "c", visibilityTimeout: "1 second" })
      first!.body[0] = 0
      yield* TestClock.adjust("1 second")
      const [second] = yield* queue.receive({ consumer: "c" })
      assert.strictEqual(new TextDecoder().decode(second!.body), "abc")
    }).pipe(Effect.provide(MemoryQueue.layer()))
  )

  it.effect("the accessors use the queue of the context", () =>
    Effect.gen(function* () {
      const [id] = yield* EventQueue.append([delivery("via accessor")])
      const [message] = yield* EventQueue.receive({ consumer: "c" })
      assert.strictEqual(message?.id, id)
      yield* message!.ack
      yield* EventQueue.append([delivery("streamed")])
      const streamed = yield* EventQueue.consume({ consumer: "c" }).pipe(Stream.take(1), Stream.runCollect)
      assert.strictEqual(new TextDecoder().decode(Chunk.unsafeHead(streamed).body), "streamed")
    }).pipe(Effect.provide(MemoryQueue.layer()))
  )
})

describe("EventQueue options", () => {
  const queueLayer = MemoryQueue.layer()

  it.effect("nonsense options are defects that say what is wrong", () =>
    Effect.gen(function* () {
      const queue = yield* EventQueue.EventQueue
      assert.include(defectMessage(yield* Effect.exit(queue.receive({ consumer: "" }))), "consumer")
      assert.include(defectMessage(yield* Effect.exit(queue.receive({ consumer: "c", max: 0 }))), "max")
      assert.include(
        defectMessage(yield* Effect.exit(queue.receive({ consumer: "c", maxAttempts: 1.5 }))),
        "maxAttempts"
      )
      assert.include(
        defectMessage(yield* Effect.exit(queue.receive({ consumer: "c", visibilityTimeout: Duration.infinity }))),
        "visibilityTimeout"
      )
      assert.include(
        defectMessage(yield* Effect.exit(queue.append([] as unknown as [EventQueue.Delivery]))),
        "at least one"
      )
      assert.include(
        defectMessage(
          yield* Effect.exit(queue.append([{ body: "text" as unknown as Uint8Array, receivedAt: 0, headers: {} }]))
        ),
        "Uint8Array"
      )
      assert.include(
        defectMessage(
          yield* Effect.exit(
            queue.append([{ body: new Uint8Array(), receivedAt: 0, headers: { n: 1 as unknown as string } }])
          )
        ),
        "header"
      )
    }).pipe(Effect.provide(queueLayer))
  )

  it("leaseRequest fills in the defaults", () => {
    assert.deepStrictEqual(EventQueue.leaseRequest({ consumer: "w" }), {
      consumer: "w",
      max: 10,
      visibilityTimeoutMillis: 30_000,
      maxAttempts: 10
    })
  })
})

describe("MemorySeenStore", () => {
  it.effect("uses its configured TTL by default and the accessors use the store of the context", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* SeenStore.markIfNew(["a"]), new Set(["a"]))
      yield* TestClock.adjust("59 seconds")
      assert.isTrue(yield* SeenStore.has("a"))
      yield* TestClock.adjust("1 second")
      assert.isFalse(yield* SeenStore.has("a"))
      yield* SeenStore.markIfNew(["b"])
      yield* SeenStore.forget(["b"])
      assert.isFalse(yield* SeenStore.has("b"))
    }).pipe(Effect.provide(MemorySeenStore.layer({ ttl: "1 minute" })))
  )

  it.effect("the default TTL is 7 days", () =>
    Effect.gen(function* () {
      assert.strictEqual(Duration.toMillis(SeenStore.defaultTtl), 7 * 24 * 60 * 60 * 1000)
      yield* SeenStore.markIfNew(["k"])
      yield* TestClock.adjust(Duration.subtract(Duration.days(7), Duration.millis(1)))
      assert.isTrue(yield* SeenStore.has("k"))
      yield* TestClock.adjust(Duration.millis(1))
      assert.isFalse(yield* SeenStore.has("k"))
    }).pipe(Effect.provide(MemorySeenStore.layer()))
  )

  it.effect("keys marked in bulk expire and can be marked again", () =>
    Effect.gen(function* () {
      const store = yield* SeenStore.SeenStore
      for (let round = 0; round < 5; round++) {
        yield* store.markIfNew(
          Array.from({ length: 1000 }, (_, i) => `r${round}-${i}`),
          { ttl: "1 second" }
        )
        yield* TestClock.adjust("2 seconds")
      }
      assert.isFalse(yield* store.has("r0-0"))
      assert.isTrue((yield* store.markIfNew(["r0-0"])).has("r0-0"))
    }).pipe(Effect.provide(Layer.fresh(MemorySeenStore.layer())))
  )
})

describe("QueueUnavailable", () => {
  it("says what failed and what to do, with the storage's own words", () => {
    const error = new QueueUnavailable.QueueUnavailable({
      reason: "Full",
      operation: "append",
      detail: "SQLITE_FULL: database or disk is full"
    })
    assert.strictEqual(
      error.message,
      "The event queue could not append (SQLITE_FULL: database or disk is full): the storage is full. Free disk space (or raise the queue's capacity), then retry."
    )
    assert.strictEqual(error._tag, "QueueUnavailable")
  })

  it("has an actionable message for every reason", () => {
    for (const reason of QueueUnavailable.Reason.literals) {
      const message = new QueueUnavailable.QueueUnavailable({ reason, operation: "receive" }).message
      assert.match(message, /^The event queue could not receive: .+\.$/)
    }
  })
})
