/**
 * The contract every `EventQueue` / `SeenStore` adapter passes: one shared test suite, built on
 * `@effect/vitest`. An adapter's test file calls {@link suite} with a layer providing both services.
 *
 * ```ts
 * // packages/queue-foo/test/Contract.test.ts
 * import { EventQueueSuite } from "@account-activity/queue/EventQueueSuite"
 * EventQueueSuite.suite("FooQueue", FooQueueTestLayer, { clock: "live", visibilityTimeout: "200 millis" })
 * ```
 *
 * The layer is built afresh for every test and must start empty (for a file-backed adapter: a new
 * temporary file per build, removed when the layer's scope closes). With `clock: "test"` the tests run
 * under `TestClock` and move time with `TestClock.adjust` (for adapters that read time only from `Clock`);
 * with `clock: "live"` they run on the real clock and really wait, so keep the visibility timeout small.
 *
 * Needs the optional peer dependencies `@effect/vitest` and `vitest`; import it from
 * `@account-activity/queue/EventQueueSuite` (the package's main entry never loads it).
 *
 * @since 0.1.0
 */
import { assert, describe, it } from "@effect/vitest"
import {
  Array as Arr,
  Chunk,
  Deferred,
  Duration,
  Effect,
  FastCheck,
  Fiber,
  type Layer,
  Ref,
  Runtime,
  type Scope,
  Stream,
  TestClock
} from "effect"
import * as EventQueue from "./EventQueue.js"
import * as SeenStore from "./SeenStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `"test"`: run under `TestClock` (time moves only with `TestClock.adjust`). `"live"`: the real clock. */
  readonly clock: "test" | "live"
  /** The visibility timeout (and short TTL) the tests use. Default: 30 s under `TestClock`, 200 ms live. */
  readonly visibilityTimeout?: Duration.DurationInput | undefined
  /** How many fibers append at once in the concurrency tests. Default: 32. */
  readonly concurrency?: number | undefined
}

type Services = EventQueue.EventQueue | SeenStore.SeenStore

const encoder = new TextEncoder()

const delivery = (text: string, source?: string): EventQueue.Delivery =>
  source === undefined
    ? { body: encoder.encode(text), receivedAt: 1_700_000_000_000, headers: { "content-type": "application/json" } }
    : { body: encoder.encode(text), receivedAt: 1_700_000_000_000, headers: {}, source }

const text = (message: { readonly body: Uint8Array }) => new TextDecoder().decode(message.body)

const bytes = (body: Uint8Array) => Array.from(body)

/**
 * Registers the contract tests under `describe(name)`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Services, E>, options: Options): void => {
  const live = options.clock === "live"
  const vt = Duration.toMillis(Duration.decode(options.visibilityTimeout ?? (live ? "200 millis" : "30 seconds")))
  const slack = live ? Math.max(100, vt / 2) : 1
  const concurrency = options.concurrency ?? 32

  const elapse = (millis: number): Effect.Effect<void> =>
    live ? Effect.sleep(Duration.millis(millis)) : TestClock.adjust(Duration.millis(millis))

  const test = (title: string, body: Effect.Effect<void, unknown, Services | Scope.Scope>) =>
    (live ? it.live : it.effect)(title, () => body.pipe(Effect.scoped, Effect.provide(layer)))

  const consumer = (id: string, extra: Partial<EventQueue.ReceiveOptions> = {}): EventQueue.ReceiveOptions => ({
    consumer: id,
    visibilityTimeout: Duration.millis(vt),
    ...extra
  })

  /** Leases everything available now, in as many calls as needed. */
  const drain = (options: EventQueue.ReceiveOptions) =>
    Effect.gen(function* () {
      const queue = yield* EventQueue.EventQueue
      const out: Array<EventQueue.Message> = []
      while (true) {
        const batch = yield* queue.receive(options)
        if (batch.length === 0) return out
        out.push(...batch)
      }
    })

  describe(name, () => {
    describe("EventQueue", () => {
      test(
        "append and receive give back the exact bytes, headers, receivedAt and source",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const escaped = encoder.encode('{"source":"\\u003ca href=\\"https:\\/\\/mobile.twitter.com\\"\\u003e"}')
          const invalidUtf8 = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0xed, 0xa0, 0x80, 0x0a, 0x7b])
          const everyByte = new Uint8Array(256).map((_, index) => index)
          const appended: Arr.NonEmptyReadonlyArray<EventQueue.Delivery> = [
            {
              body: escaped,
              receivedAt: 1_660_746_200_593,
              headers: {
                "content-type": "application/json",
                "x-twitter-webhooks-signature": "sha256=s4UZngUmTLzF5hn1DkTFC1dmqZ+m3aZPu9FNpsZqX4Y="
              },
              source: "webhook"
            },
            { body: invalidUtf8, receivedAt: 1, headers: {} },
            { body: everyByte, receivedAt: 2, headers: { "x-empty": "" }, source: "replay" },
            { body: new Uint8Array(0), receivedAt: 3, headers: {} }
          ]
          const ids = yield* queue.append(appended)
          assert.strictEqual(ids.length, 4)
          invalidUtf8[0] = 0x00 // the queue keeps its own copy
          const messages = yield* queue.receive(consumer("c1", { max: 10 }))
          assert.deepStrictEqual(
            messages.map((m) => m.id),
            [...ids]
          )
          const expected = [escaped, new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0xed, 0xa0, 0x80, 0x0a, 0x7b])]
          assert.deepStrictEqual(bytes(messages[0]!.body), bytes(expected[0]!))
          assert.deepStrictEqual(bytes(messages[1]!.body), bytes(expected[1]!))
          assert.deepStrictEqual(bytes(messages[2]!.body), bytes(everyByte))
          assert.strictEqual(messages[3]!.body.length, 0)
          assert.instanceOf(messages[0]!.body, Uint8Array)
          assert.deepStrictEqual(messages[0]!.headers, appended[0].headers)
          assert.deepStrictEqual(messages[1]!.headers, {})
          assert.deepStrictEqual(messages[2]!.headers, { "x-empty": "" })
          assert.deepStrictEqual(
            messages.map((m) => m.receivedAt),
            [1_660_746_200_593, 1, 2, 3]
          )
          assert.deepStrictEqual(
            messages.map((m) => m.source),
            ["webhook", undefined, "replay", undefined]
          )
          assert.deepStrictEqual(
            messages.map((m) => m.attempts),
            [1, 1, 1, 1]
          )
        })
      )

      test(
        "any bytes survive the round trip (property)",
        Effect.gen(function* () {
          const runtime = yield* Effect.runtime<Services>()
          const run = Runtime.runPromise(runtime)
          yield* Effect.promise(() =>
            FastCheck.assert(
              FastCheck.asyncProperty(
                FastCheck.array(FastCheck.uint8Array({ maxLength: 2048 }), { minLength: 1, maxLength: 8 }),
                FastCheck.dictionary(
                  FastCheck.oneof(FastCheck.string({ minLength: 1, maxLength: 20 }), FastCheck.constant("__proto__")),
                  FastCheck.string({ maxLength: 40 }),
                  { maxKeys: 4 }
                ),
                (bodies, headers) =>
                  run(
                    Effect.gen(function* () {
                      const queue = yield* EventQueue.EventQueue
                      const deliveries = bodies.map((body) => ({ body, receivedAt: 42, headers }))
                      yield* queue.append(deliveries as unknown as Arr.NonEmptyReadonlyArray<EventQueue.Delivery>)
                      const messages = yield* drain(consumer("prop", { max: 100 }))
                      yield* Effect.forEach(messages, (m) => m.ack, { discard: true })
                      return (
                        messages.length === bodies.length &&
                        messages.every(
                          (m, i) =>
                            m.body.length === bodies[i]!.length &&
                            m.body.every((byte, j) => byte === bodies[i]![j]) &&
                            JSON.stringify(m.headers) === JSON.stringify(headers)
                        )
                      )
                    })
                  )
              ),
              { numRuns: 25 }
            )
          )
        })
      )

      test(
        "ack removes a message for good",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          yield* queue.append([delivery("a"), delivery("b")])
          const [first, second] = yield* queue.receive(consumer("c1"))
          yield* first!.ack
          yield* first!.ack // acking twice is harmless
          yield* elapse(vt + slack)
          const again = yield* queue.receive(consumer("c2"))
          assert.deepStrictEqual(again.map(text), ["b"])
          assert.strictEqual(again[0]!.id, second!.id)
          assert.strictEqual(again[0]!.attempts, 2)
          assert.deepStrictEqual(yield* queue.deadLetters.list(), [])
        })
      )

      test(
        "the order of a single producer is kept",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const sent: Array<string> = []
          for (let batch = 0; batch < 4; batch++) {
            const texts = Arr.makeBy(5, (i) => `event-${batch}-${i}`)
            sent.push(...texts)
            yield* queue.append(Arr.map(texts as Arr.NonEmptyArray<string>, (t) => delivery(t)))
          }
          const received = yield* queue.consume(consumer("c1", { max: 3 })).pipe(
            Stream.take(20),
            Stream.tap((m) => m.ack),
            Stream.runCollect
          )
          assert.deepStrictEqual(Chunk.toReadonlyArray(received).map(text), sent)
        })
      )

      test(
        "consume waits for appends",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const fiber = yield* queue.consume(consumer("c1")).pipe(
            Stream.take(3),
            Stream.tap((m) => m.ack),
            Stream.runCollect,
            Effect.fork
          )
          yield* Effect.yieldNow()
          yield* queue.append([delivery("one")])
          yield* queue.append([delivery("two"), delivery("three")])
          const received = yield* Fiber.join(fiber)
          assert.deepStrictEqual(Chunk.toReadonlyArray(received).map(text), ["one", "two", "three"])
        })
      )

      test(
        "a lease hides the message until the visibility timeout, then it comes back with attempts + 1",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const [id] = yield* queue.append([delivery("slow")])
          const [first] = yield* queue.receive(consumer("c1"))
          assert.strictEqual(first!.id, id)
          assert.strictEqual(first!.attempts, 1)
          assert.deepStrictEqual(yield* queue.receive(consumer("c2")), [])
          if (!live) {
            yield* elapse(vt - 1)
            assert.deepStrictEqual(yield* queue.receive(consumer("c2")), [])
            yield* elapse(1)
          } else {
            yield* elapse(vt + slack)
          }
          const [second] = yield* queue.receive(consumer("c2"))
          assert.strictEqual(second?.id, id)
          assert.strictEqual(second!.attempts, 2)
          assert.strictEqual(text(second!), "slow")
          // The first lease is over: its ack and nack change nothing, the second lease owns the message.
          yield* first!.ack
          yield* first!.nack("too late")
          assert.deepStrictEqual(yield* queue.receive(consumer("c3")), [])
          yield* elapse(vt + slack)
          const [third] = yield* queue.receive(consumer("c3"))
          assert.strictEqual(third?.id, id)
          assert.strictEqual(third!.attempts, 3)
          yield* third!.ack
          yield* elapse(vt + slack)
          assert.deepStrictEqual(yield* queue.receive(consumer("c3")), [])
        })
      )

      test(
        "consume redelivers a message that was not acked",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          yield* queue.append([delivery("x")])
          const first = yield* queue.consume(consumer("c1")).pipe(Stream.take(1), Stream.runCollect)
          assert.strictEqual(Chunk.unsafeHead(first).attempts, 1)
          yield* elapse(vt + slack)
          const second = yield* queue.consume(consumer("c2")).pipe(Stream.take(1), Stream.runCollect)
          assert.strictEqual(Chunk.unsafeHead(second).attempts, 2)
          assert.strictEqual(Chunk.unsafeHead(second).id, Chunk.unsafeHead(first).id)
        })
      )

      test(
        "nack redelivers at once, or after the delay asked for",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          yield* queue.append([delivery("flaky")])
          const [first] = yield* queue.receive(consumer("c1"))
          yield* first!.nack("plugin failed")
          const [second] = yield* queue.receive(consumer("c1"))
          assert.strictEqual(second?.attempts, 2)
          assert.strictEqual(text(second!), "flaky")
          yield* second!.nack("later", { delay: Duration.millis(vt) })
          assert.deepStrictEqual(yield* queue.receive(consumer("c1")), [])
          yield* elapse(vt + slack)
          const [third] = yield* queue.receive(consumer("c1"))
          assert.strictEqual(third?.attempts, 3)
        })
      )

      test(
        "after maxAttempts a nacked message goes to the dead letters with the last error",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const [poisonId] = yield* queue.append([
            {
              body: new Uint8Array([0xff, 0x00]),
              receivedAt: 7,
              headers: { "content-type": "application/json" },
              source: "webhook"
            }
          ])
          const options = consumer("c1", { maxAttempts: 3, max: 1 })
          for (let attempt = 1; attempt <= 3; attempt++) {
            const [message] = yield* queue.receive(options)
            assert.strictEqual(message?.attempts, attempt)
            yield* message!.nack(`failure ${attempt}`)
          }
          yield* queue.append([delivery("healthy")])
          const rest = yield* queue.receive(options)
          assert.deepStrictEqual(rest.map(text), ["healthy"])
          const dead = yield* queue.deadLetters.list()
          assert.strictEqual(dead.length, 1)
          assert.strictEqual(dead[0]!.id, poisonId)
          assert.strictEqual(dead[0]!.attempts, 3)
          assert.strictEqual(dead[0]!.error, "failure 3")
          assert.deepStrictEqual(bytes(dead[0]!.body), [0xff, 0x00])
          assert.deepStrictEqual(dead[0]!.headers, { "content-type": "application/json" })
          assert.strictEqual(dead[0]!.receivedAt, 7)
          assert.strictEqual(dead[0]!.source, "webhook")
          assert.isNumber(dead[0]!.failedAt)
        })
      )

      test(
        "a lease that expires on the last attempt sends the message to the dead letters",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const [id] = yield* queue.append([delivery("hangs")])
          const options = consumer("worker-7", { maxAttempts: 2 })
          yield* queue.receive(options)
          yield* elapse(vt + slack)
          const [second] = yield* queue.receive(options)
          assert.strictEqual(second?.attempts, 2)
          yield* elapse(vt + slack)
          assert.deepStrictEqual(yield* queue.receive(options), [])
          const dead = yield* queue.deadLetters.list()
          assert.deepStrictEqual(
            dead.map((d) => d.id),
            [id]
          )
          assert.strictEqual(dead[0]!.attempts, 2)
          assert.include(dead[0]!.error, "expired")
          assert.include(dead[0]!.error, "worker-7")
        })
      )

      test(
        "dead letters can be listed, redriven with attempts reset, and discarded",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const ids = yield* queue.append([delivery("d1"), delivery("d2"), delivery("d3")])
          const options = consumer("c1", { maxAttempts: 1 })
          for (const message of yield* queue.receive(options)) yield* message.nack("bad")
          const dead = yield* queue.deadLetters.list()
          assert.deepStrictEqual(dead.map(text), ["d1", "d2", "d3"])
          assert.deepStrictEqual((yield* queue.deadLetters.list({ limit: 2 })).map(text), ["d1", "d2"])
          const unknown = "no-such-message" as EventQueue.MessageId
          assert.strictEqual(yield* queue.deadLetters.redrive([ids[0], ids[2]!, unknown]), 2)
          assert.deepStrictEqual((yield* queue.deadLetters.list()).map(text), ["d2"])
          const back = yield* queue.receive(consumer("c2", { maxAttempts: 1 }))
          assert.deepStrictEqual(back.map(text), ["d1", "d3"])
          assert.deepStrictEqual(
            back.map((m) => m.attempts),
            [1, 1]
          )
          assert.deepStrictEqual(
            back.map((m) => m.headers),
            [delivery("").headers, delivery("").headers]
          )
          yield* back[0]!.ack
          yield* back[1]!.nack("bad again")
          assert.deepStrictEqual((yield* queue.deadLetters.list()).map(text), ["d2", "d3"])
          assert.strictEqual(yield* queue.deadLetters.discard([ids[1]!, ids[2]!, unknown]), 2)
          assert.deepStrictEqual(yield* queue.deadLetters.list(), [])
          assert.strictEqual(yield* queue.deadLetters.redrive([ids[1]!]), 0)
          yield* elapse(vt + slack)
          assert.deepStrictEqual(yield* queue.receive(options), [])
        })
      )

      test(
        "concurrent appends are all stored, each with its own id",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const perFiber = 8
          const idLists = yield* Effect.forEach(
            Arr.range(1, concurrency),
            (fiber) =>
              Effect.forEach(
                Arr.range(1, perFiber),
                (i) =>
                  queue.append(
                    i % 3 === 0
                      ? [delivery(`${fiber}:${i}:a`), delivery(`${fiber}:${i}:b`)]
                      : [delivery(`${fiber}:${i}`)]
                  ),
                { concurrency: 1 }
              ),
            { concurrency: "unbounded" }
          )
          const ids = idLists.flat(2)
          const expected = Arr.range(1, concurrency).flatMap((fiber) =>
            Arr.range(1, perFiber).flatMap((i) =>
              i % 3 === 0 ? [`${fiber}:${i}:a`, `${fiber}:${i}:b`] : [`${fiber}:${i}`]
            )
          )
          assert.strictEqual(new Set(ids).size, expected.length)
          // A long lease: on a loaded machine the first leases must not expire while the rest are drained.
          const received = yield* drain(consumer("c1", { max: 50, visibilityTimeout: Duration.minutes(5) }))
          assert.deepStrictEqual(received.map(text).sort(), [...expected].sort())
          assert.deepStrictEqual(new Set(received.map((m) => m.id)), new Set(ids))
          // Each producer's own order is kept.
          const positions = new Map(received.map((m, index) => [text(m), index]))
          for (const fiber of Arr.range(1, concurrency)) {
            const own = expected.filter((t) => t.startsWith(`${fiber}:`)).map((t) => positions.get(t)!)
            assert.deepStrictEqual(
              own,
              [...own].sort((a, b) => a - b)
            )
          }
        })
      )

      test(
        "two consumers never hold the same message at once",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const total = 60
          yield* queue.append(Arr.map(Arr.range(1, total), (i) => delivery(`m${i}`)))
          const long = Duration.toMillis(Duration.hours(1))
          const [a, b] = yield* Effect.all(
            [
              drain({ consumer: "a", max: 7, visibilityTimeout: Duration.millis(long) }),
              drain({ consumer: "b", max: 5, visibilityTimeout: Duration.millis(long) })
            ],
            { concurrency: 2 }
          )
          const idsA = new Set(a.map((m) => m.id))
          const idsB = new Set(b.map((m) => m.id))
          assert.strictEqual(idsA.size + idsB.size, total)
          assert.strictEqual(new Set([...idsA, ...idsB]).size, total)
        })
      )

      test(
        "two consume streams share the messages without overlap",
        Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const total = 40
          yield* queue.append(Arr.map(Arr.range(1, total), (i) => delivery(`s${i}`)))
          const done = yield* Deferred.make<void>()
          const handled = yield* Ref.make(0)
          const seen = { a: new Set<string>(), b: new Set<string>() }
          const run = (name: "a" | "b") =>
            queue.consume({ consumer: name, max: 3, visibilityTimeout: Duration.hours(1) }).pipe(
              Stream.runForEach((message) =>
                Effect.gen(function* () {
                  seen[name].add(message.id)
                  yield* message.ack
                  const count = yield* Ref.updateAndGet(handled, (n) => n + 1)
                  if (count === total) yield* Deferred.succeed(done, undefined)
                  yield* Effect.yieldNow()
                })
              ),
              Effect.fork
            )
          const fibers = [yield* run("a"), yield* run("b")]
          yield* Deferred.await(done)
          yield* Fiber.interruptAll(fibers)
          assert.strictEqual(seen.a.size + seen.b.size, total)
          assert.strictEqual(new Set([...seen.a, ...seen.b]).size, total)
        })
      )
    })

    describe("SeenStore", () => {
      test(
        "markIfNew returns the keys not seen yet, each once",
        Effect.gen(function* () {
          const store = yield* SeenStore.SeenStore
          assert.isFalse(yield* store.has("k1"))
          assert.deepStrictEqual(yield* store.markIfNew(["k1", "k2", "k1"]), new Set(["k1", "k2"]))
          assert.deepStrictEqual(yield* store.markIfNew(["k2", "k3"]), new Set(["k3"]))
          assert.deepStrictEqual(yield* store.markIfNew(["k1", "k2", "k3"]), new Set())
          assert.deepStrictEqual(yield* store.markIfNew([]), new Set())
          assert.isTrue(yield* store.has("k1"))
          assert.isFalse(yield* store.has("k4"))
        })
      )

      test(
        "a key is new again once its TTL has passed",
        Effect.gen(function* () {
          const store = yield* SeenStore.SeenStore
          assert.deepStrictEqual(yield* store.markIfNew(["short"], { ttl: Duration.millis(vt) }), new Set(["short"]))
          assert.deepStrictEqual(yield* store.markIfNew(["long"], { ttl: Duration.hours(1) }), new Set(["long"]))
          assert.isTrue(yield* store.has("short"))
          // Marking it again does not extend its TTL.
          assert.deepStrictEqual(yield* store.markIfNew(["short"], { ttl: Duration.hours(1) }), new Set())
          yield* elapse(vt + slack)
          assert.isFalse(yield* store.has("short"))
          assert.isTrue(yield* store.has("long"))
          assert.deepStrictEqual(yield* store.markIfNew(["short", "long"]), new Set(["short"]))
          assert.isTrue(yield* store.has("short"))
        })
      )

      if (!live) {
        test(
          "by default a key stays seen for longer than the 5-day Replay window",
          Effect.gen(function* () {
            const store = yield* SeenStore.SeenStore
            yield* store.markIfNew(["replayed"])
            yield* TestClock.adjust(Duration.days(6))
            assert.isTrue(yield* store.has("replayed"))
            assert.deepStrictEqual(yield* store.markIfNew(["replayed"]), new Set())
          })
        )
      }

      test(
        "of concurrent markIfNew calls with the same key, exactly one wins",
        Effect.gen(function* () {
          const store = yield* SeenStore.SeenStore
          const results = yield* Effect.forEach(
            Arr.range(1, concurrency),
            (i) => store.markIfNew(["contested", `own-${i}`]),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.filter((fresh) => fresh.has("contested")).length, 1)
          assert.isTrue(results.every((fresh, index) => fresh.has(`own-${index + 1}`)))
        })
      )

      test(
        "forget makes keys new again",
        Effect.gen(function* () {
          const store = yield* SeenStore.SeenStore
          yield* store.markIfNew(["f1", "f2"])
          yield* store.forget(["f1", "never-marked"])
          assert.isFalse(yield* store.has("f1"))
          assert.isTrue(yield* store.has("f2"))
          assert.deepStrictEqual(yield* store.markIfNew(["f1", "f2"]), new Set(["f1"]))
        })
      )
    })
  })
}
