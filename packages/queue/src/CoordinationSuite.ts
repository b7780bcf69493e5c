/**
 * The contract every `Journal` and `Lock` adapter passes, built on `@effect/vitest`. An adapter's test
 * file calls {@link suite} with a layer providing both services, built afresh (and empty) for every test.
 *
 * ```ts
 * import * as CoordinationSuite from "@account-activity/queue/CoordinationSuite"
 * CoordinationSuite.suite("FooQueue", FooCoordinationLayer, { clock: "live" })
 * ```
 *
 * With `clock: "live"` the lock tests really wait for a short TTL to pass (use it for adapters whose
 * storage keeps its own time, such as Redis); with `clock: "test"` they move `TestClock`.
 *
 * @since 0.1.0
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, type Layer, type Scope, TestClock } from "effect"
import * as Journal from "./Journal.js"
import * as Lock from "./Lock.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `"test"`: time moves with `TestClock.adjust`; `"live"`: the real clock. */
  readonly clock: "test" | "live"
}

type Services = Journal.Journal | Lock.Lock

const strip = (spans: ReadonlyArray<Journal.Span>) => spans.map(({ from, key, kind, to }) => ({ kind, key, from, to }))

/**
 * Registers the contract tests under `describe(name)`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Services, E>, options: Options): void => {
  const live = options.clock === "live"
  const ttl = live ? 150 : 30_000
  const elapse = (millis: number): Effect.Effect<void> =>
    live ? Effect.sleep(Duration.millis(millis)) : TestClock.adjust(Duration.millis(millis))
  const test = (title: string, body: Effect.Effect<void, unknown, Services | Scope.Scope>) =>
    (live ? it.live : it.effect)(title, () => body.pipe(Effect.scoped, Effect.provide(layer)))

  describe(name, () => {
    describe("Journal", () => {
      test(
        "extend grows a span while heartbeats come within the tolerance, and starts a new one after a hole",
        Effect.gen(function* () {
          const journal = yield* Journal.Journal
          yield* journal.extend("receiver", "r1", 1_000, 500)
          yield* journal.extend("receiver", "r1", 1_400, 500)
          yield* journal.extend("receiver", "r1", 1_900, 500)
          yield* journal.extend("receiver", "r1", 5_000, 500)
          yield* journal.extend("receiver", "r2", 1_200, 500)
          assert.deepStrictEqual(strip(yield* journal.list("receiver", 0)), [
            { kind: "receiver", key: "r1", from: 1_000, to: 1_900 },
            { kind: "receiver", key: "r2", from: 1_200, to: 1_200 },
            { kind: "receiver", key: "r1", from: 5_000, to: 5_000 }
          ])
        })
      )

      test(
        "a heartbeat older than the span's end changes nothing",
        Effect.gen(function* () {
          const journal = yield* Journal.Journal
          yield* journal.extend("receiver", "r1", 2_000, 500)
          yield* journal.extend("receiver", "r1", 1_000, 500)
          assert.deepStrictEqual(strip(yield* journal.list("receiver", 0)), [
            { kind: "receiver", key: "r1", from: 2_000, to: 2_000 }
          ])
        })
      )

      test(
        "record keeps whole spans apart by kind, and list filters by end time",
        Effect.gen(function* () {
          const journal = yield* Journal.Journal
          yield* journal.record({ kind: "recovered", key: "w1", from: 100, to: 200 })
          yield* journal.record({ kind: "recovered", key: "w1", from: 300, to: 400 })
          yield* journal.record({ kind: "webhook-invalid", key: "w1", from: 150, to: 250 })
          assert.deepStrictEqual(strip(yield* journal.list("recovered", 250)), [
            { kind: "recovered", key: "w1", from: 300, to: 400 }
          ])
          assert.deepStrictEqual(strip(yield* journal.list("webhook-invalid", 0)), [
            { kind: "webhook-invalid", key: "w1", from: 150, to: 250 }
          ])
          assert.deepStrictEqual(yield* journal.list("receiver", 0), [])
        })
      )

      test(
        "concurrent heartbeats of one key leave one span",
        Effect.gen(function* () {
          const journal = yield* Journal.Journal
          yield* Effect.forEach(
            Array.from({ length: 20 }, (_, i) => 1_000 + i * 10),
            (at) => journal.extend("receiver", "r1", at, 1_000),
            { concurrency: "unbounded", discard: true }
          )
          const spans = yield* journal.list("receiver", 0)
          assert.strictEqual(spans.length, 1)
          assert.strictEqual(spans[0]?.to, 1_190)
        })
      )
    })

    describe("Lock", () => {
      test(
        "one owner at a time; the holder renews; release frees it",
        Effect.gen(function* () {
          const lock = yield* Lock.Lock
          assert.isTrue(yield* lock.acquire("lifecycle", "a", ttl))
          assert.isFalse(yield* lock.acquire("lifecycle", "b", ttl))
          assert.isTrue(yield* lock.acquire("lifecycle", "a", ttl))
          assert.isTrue(yield* lock.acquire("replay", "b", ttl))
          yield* lock.release("lifecycle", "b")
          assert.isFalse(yield* lock.acquire("lifecycle", "b", ttl))
          yield* lock.release("lifecycle", "a")
          assert.isTrue(yield* lock.acquire("lifecycle", "b", ttl))
        })
      )

      test(
        "a lock whose holder stops renewing passes to another owner after the TTL",
        Effect.gen(function* () {
          const lock = yield* Lock.Lock
          assert.isTrue(yield* lock.acquire("lifecycle", "a", ttl))
          yield* elapse(ttl / 2)
          assert.isFalse(yield* lock.acquire("lifecycle", "b", ttl))
          yield* elapse(ttl)
          assert.isTrue(yield* lock.acquire("lifecycle", "b", ttl))
          assert.isFalse(yield* lock.acquire("lifecycle", "a", ttl))
        })
      )

      test(
        "of concurrent contenders exactly one wins",
        Effect.gen(function* () {
          const lock = yield* Lock.Lock
          const won = yield* Effect.forEach(
            Array.from({ length: 16 }, (_, i) => `owner-${i}`),
            (owner) => lock.acquire("replay", owner, ttl),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(won.filter(Boolean).length, 1)
        })
      )
    })
  })
}
