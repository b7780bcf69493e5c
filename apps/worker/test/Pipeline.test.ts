import type { ActivityEvent } from "@account-activity/core"
import { Plugin } from "@account-activity/core"
import { EventQueue, MemoryQueue, MemorySeenStore } from "@account-activity/queue"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Layer, Ref, Scope } from "effect"
import * as Worker from "../src/Worker.js"
import { deliveryOf, eventually, everyKind, recorder } from "./utils.js"

const QueueLive = Layer.merge(MemoryQueue.layer(), MemorySeenStore.layer())
const options: Worker.Options = { consumer: "test", retryBase: "10 millis", maxAttempts: 3 }

describe("Worker pipeline", () => {
  it.live("every activity kind reaches the plugin exactly once; duplicate records are dropped and acked", () =>
    Effect.gen(function* () {
      const seen = yield* Ref.make<ReadonlyArray<ActivityEvent.ActivityEvent>>([])
      const bodies = yield* everyKind()
      const queue = yield* EventQueue.EventQueue
      // Every body twice: X's retry after a lost 200 gives two records of one delivery.
      yield* queue.append([...bodies, ...bodies].map(({ body }) => deliveryOf(body)) as [EventQueue.Delivery])
      yield* Effect.forkScoped(Layer.launch(Worker.layer(options, recorder("recorder", seen))))
      yield* eventually(Ref.get(seen), (all) => all.length >= bodies.length)
      // All records are acked: nothing is left to lease.
      yield* eventually(
        queue.receive({ consumer: "probe", max: 10, visibilityTimeout: "1 millis" }),
        (left) => left.length === 0
      )
      const all = yield* Ref.get(seen)
      const keys = all.map((event) => event.identityKey)
      assert.strictEqual(new Set(keys).size, keys.length, "no event is handled twice")
      assert.deepStrictEqual(
        all.map((event) => event._tag).sort(),
        bodies.map((b) => b.tag).sort(),
        "every kind arrives as its tag"
      )
      assert.deepStrictEqual(yield* queue.deadLetters.list(), [])
    }).pipe(Effect.scoped, Effect.provide(QueueLive))
  )

  it.live("a plugin that fails twice is retried; the others see the event once and the record is acked once", () =>
    Effect.gen(function* () {
      const steady = yield* Ref.make<ReadonlyArray<ActivityEvent.ActivityEvent>>([])
      const calls = yield* Ref.make(0)
      const flaky = Plugin.all("flaky", () =>
        Effect.flatMap(
          Ref.updateAndGet(calls, (n) => n + 1),
          (n) => (n <= 2 ? Effect.fail(new Error(`flaky failure ${n}`)) : Effect.void)
        )
      )
      const [first] = yield* everyKind()
      const queue = yield* EventQueue.EventQueue
      yield* queue.append([deliveryOf(first!.body)])
      yield* Effect.forkScoped(Layer.launch(Worker.layer(options, Layer.merge(recorder("steady", steady), flaky))))
      yield* eventually(Ref.get(calls), (n) => n >= 3)
      yield* eventually(
        queue.receive({ consumer: "probe", max: 10, visibilityTimeout: "1 millis" }),
        (left) => left.length === 0
      )
      assert.strictEqual(yield* Ref.get(calls), 3)
      assert.strictEqual((yield* Ref.get(steady)).length, 1, "the steady plugin is not called again")
      assert.deepStrictEqual(yield* queue.deadLetters.list(), [])
    }).pipe(Effect.scoped, Effect.provide(QueueLive))
  )

  it.live("a plugin that keeps failing sends the record to the dead letter store with its error", () =>
    Effect.gen(function* () {
      const broken = Plugin.all("broken", () => Effect.fail(new Error("database is down")))
      const [first] = yield* everyKind()
      const queue = yield* EventQueue.EventQueue
      yield* queue.append([deliveryOf(first!.body)])
      yield* Effect.forkScoped(Layer.launch(Worker.layer(options, broken)))
      const dead = yield* eventually(queue.deadLetters.list(), (list) => list.length === 1)
      assert.strictEqual(dead[0]?.attempts, 3)
      assert.match(dead[0]?.error ?? "", /broken.*database is down/)
    }).pipe(Effect.scoped, Effect.provide(QueueLive))
  )

  it.live("a body that does not decode is retried and then dead-lettered with the decode error", () =>
    Effect.gen(function* () {
      const queue = yield* EventQueue.EventQueue
      yield* queue.append([deliveryOf("{not json")])
      const seen = yield* Ref.make<ReadonlyArray<ActivityEvent.ActivityEvent>>([])
      yield* Effect.forkScoped(Layer.launch(Worker.layer(options, recorder("recorder", seen))))
      const dead = yield* eventually(queue.deadLetters.list(), (list) => list.length === 1)
      assert.isNotEmpty(dead[0]?.error)
      assert.deepStrictEqual(yield* Ref.get(seen), [])
    }).pipe(Effect.scoped, Effect.provide(QueueLive))
  )

  it.live("stopping waits for the records being handled: they are handled to the end and acked", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const finished = yield* Ref.make(0)
      const slow = Plugin.all("slow", () =>
        Effect.zipRight(
          Deferred.succeed(started, undefined),
          Effect.zipRight(
            Effect.sleep("300 millis"),
            Ref.update(finished, (n) => n + 1)
          )
        )
      )
      const [first] = yield* everyKind()
      const queue = yield* EventQueue.EventQueue
      yield* queue.append([deliveryOf(first!.body)])
      const worker = yield* Scope.make()
      yield* Layer.buildWithScope(Worker.layer(options, slow), worker)
      yield* Deferred.await(started)
      // Stop while the plugin is in the middle of the event.
      yield* Scope.close(worker, Exit.void)
      assert.strictEqual(yield* Ref.get(finished), 1, "the plugin finished its event before the worker stopped")
      const left = yield* queue.receive({ consumer: "probe", max: 10, visibilityTimeout: "1 millis" })
      assert.deepStrictEqual(left, [], "the record was acked")
    }).pipe(Effect.scoped, Effect.provide(QueueLive))
  )

  it.live("stopping gives up on a record that takes longer than drainTimeout; it comes back", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const stuck = Plugin.all("stuck", () => Effect.zipRight(Deferred.succeed(started, undefined), Effect.never))
      const [first] = yield* everyKind()
      const queue = yield* EventQueue.EventQueue
      yield* queue.append([deliveryOf(first!.body)])
      const worker = yield* Scope.make()
      yield* Layer.buildWithScope(
        Worker.layer({ ...options, drainTimeout: "200 millis", visibilityTimeout: "500 millis" }, stuck),
        worker
      )
      yield* Deferred.await(started)
      const stopping = Date.now()
      yield* Scope.close(worker, Exit.void)
      assert.isBelow(Date.now() - stopping, 2000, "stopping waited for the stuck plugin")
      // Not acked: leased again once its visibility timeout has passed.
      const again = yield* eventually(queue.receive({ consumer: "probe", max: 10 }), (left) => left.length === 1)
      assert.strictEqual(again[0]!.attempts, 2)
    }).pipe(Effect.scoped, Effect.provide(QueueLive))
  )
})
