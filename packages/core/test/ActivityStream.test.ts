import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Ref, Scope, TestClock } from "effect"
import type * as ActivityEvent from "../src/ActivityEvent.js"
import * as ActivityStream from "../src/ActivityStream.js"
import { decodeDelivery, PluginError } from "../src/index.js"
import { fixture } from "./fixtures/delivery/load.js"

const events: ReadonlyArray<ActivityEvent.ActivityEvent> = ["tweet-by-user", "mention", "favorite", "dm-received"].map(
  (name) => Effect.runSync(decodeDelivery(fixture(name)))[0]!
)
const keys = events.map((event) => event.identityKey)

describe("ActivityStream", () => {
  it.scoped("publish completes only when every handler has handled every event", () =>
    Effect.gen(function* () {
      const stream = yield* ActivityStream.make
      const slow = yield* Ref.make<ReadonlyArray<string>>([])
      const fast = yield* Ref.make<ReadonlyArray<string>>([])
      yield* stream.subscribe("slow", (event) =>
        Effect.sleep("1 second").pipe(Effect.zipRight(Ref.update(slow, (seen) => [...seen, event.identityKey])))
      )
      yield* stream.subscribe("fast", (event) => Ref.update(fast, (seen) => [...seen, event.identityKey]))

      const publishing = yield* Effect.fork(stream.publish(events))
      yield* TestClock.adjust("3 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(publishing)), "publish returned before the slow handler finished")
      assert.deepStrictEqual(yield* Ref.get(fast), keys)
      assert.strictEqual((yield* Ref.get(slow)).length, 3)

      yield* TestClock.adjust("1 second")
      yield* Fiber.join(publishing)
      assert.deepStrictEqual(yield* Ref.get(slow), keys)
    })
  )

  it.scoped("fails with a PluginError naming the failing plugin, after the others finished", () =>
    Effect.gen(function* () {
      const stream = yield* ActivityStream.make
      const healthy = yield* Ref.make(0)
      const broken = yield* Ref.make(0)
      yield* stream.subscribe("healthy", () =>
        Effect.sleep("10 millis").pipe(Effect.zipRight(Ref.update(healthy, (n) => n + 1)))
      )
      yield* stream.subscribe("broken", (event) =>
        Ref.update(broken, (n) => n + 1).pipe(
          Effect.zipRight(event._tag === "Mention" ? Effect.fail(new Error("database is down")) : Effect.void)
        )
      )
      const publishing = yield* Effect.fork(stream.publish(events))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(publishing)
      assert(Exit.isFailure(exit))
      const error = yield* Effect.flip(exit)
      assert.instanceOf(error, PluginError)
      assert.strictEqual(error.plugin, "broken")
      assert.strictEqual(error.eventTag, "Mention")
      assert.strictEqual(error.identityKey, keys[1])
      assert.include(error.message, 'Plugin "broken"')
      assert.include(error.message, "database is down")
      assert.strictEqual(yield* Ref.get(healthy), events.length, "the healthy plugin handled every event")
      assert.strictEqual(yield* Ref.get(broken), 2, "the broken plugin stopped at its failure")
    })
  )

  it.scoped("turns a defect into a PluginError", () =>
    Effect.gen(function* () {
      const stream = yield* ActivityStream.make
      yield* stream.subscribe("throws", () =>
        Effect.sync(() => {
          throw new TypeError("cannot read properties of undefined")
        })
      )
      const error = yield* Effect.flip(stream.publish(events))
      assert.strictEqual(error.plugin, "throws")
      assert.instanceOf(error.cause, TypeError)
    })
  )

  it.scoped("runs plugins concurrently with each other", () =>
    Effect.gen(function* () {
      const stream = yield* ActivityStream.make
      const signal = yield* Deferred.make<void>()
      // "waits" can only finish once "signals" has run: sequential plugins would deadlock.
      yield* stream.subscribe("waits", () => Deferred.await(signal))
      yield* stream.subscribe("signals", () => Deferred.succeed(signal, undefined))
      yield* stream.publish(events.slice(0, 1))
    })
  )

  it.scoped("hands events to one plugin one at a time, in order, even across concurrent publishes", () =>
    Effect.gen(function* () {
      const stream = yield* ActivityStream.make
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const active = yield* Ref.make(0)
      const maxActive = yield* Ref.make(0)
      yield* stream.subscribe("sequential", (event) =>
        Effect.gen(function* () {
          const now = yield* Ref.updateAndGet(active, (n) => n + 1)
          yield* Ref.update(maxActive, (max) => Math.max(max, now))
          yield* Effect.sleep(event._tag === "Tweet" ? "50 millis" : "1 millis")
          yield* Ref.update(seen, (list) => [...list, event.identityKey])
          yield* Ref.update(active, (n) => n - 1)
        })
      )
      const fibers = yield* Effect.all([stream.publish(events), stream.publish(events)], {
        concurrency: "unbounded"
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fibers)
      assert.strictEqual(yield* Ref.get(maxActive), 1)
      assert.deepStrictEqual(yield* Ref.get(seen), [...keys, ...keys])
    })
  )

  it.effect("stops handing events to a handler when its scope closes", () =>
    Effect.gen(function* () {
      const stream = yield* ActivityStream.make
      const count = yield* Ref.make(0)
      const scope = yield* Scope.make()
      yield* stream.subscribe("temporary", () => Ref.update(count, (n) => n + 1)).pipe(Scope.extend(scope))
      yield* stream.publish(events)
      yield* Scope.close(scope, Exit.void)
      yield* stream.publish(events)
      assert.strictEqual(yield* Ref.get(count), events.length)
    })
  )

  it.effect("succeeds at once with no subscriber and with no event", () =>
    Effect.gen(function* () {
      yield* ActivityStream.publish(events)
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* ActivityStream.subscribe("never called", () => Effect.die("unexpected"))
          yield* ActivityStream.publish([])
        })
      )
    }).pipe(Effect.provide(ActivityStream.layer))
  )
})
