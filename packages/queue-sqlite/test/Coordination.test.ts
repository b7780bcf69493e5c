import { EventQueue, Journal, Lock } from "@account-activity/queue"
import * as CoordinationSuite from "@account-activity/queue/CoordinationSuite"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Array as Arr, Effect, Exit, Layer, Scope } from "effect"
import * as SqliteQueue from "../src/SqliteQueue.js"
import { freshLayer, tempFile } from "./utils/tempFile.js"

CoordinationSuite.suite("SqliteQueue", freshLayer({ pollInterval: "20 millis" }), { clock: "live" })

// Locks read the time from Clock, so the suite also runs under TestClock.
CoordinationSuite.suite("SqliteQueue (TestClock)", freshLayer({ pollInterval: "20 millis" }), { clock: "test" })

/** Builds the layer in a scope of its own: one "process" with its own connection to the file. */
const open = (options: SqliteQueue.Options) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(SqliteQueue.layer(options), scope)
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    return { context, close: Scope.close(scope, Exit.void) }
  })

describe("SqliteQueue coordination", () => {
  it.scopedLive("two connections to one file contend for a lock: one holder at a time, handed over on expiry", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const a = yield* open({ filename })
      const b = yield* open({ filename })
      const lockA = yield* Effect.provide(Lock.Lock, a.context)
      const lockB = yield* Effect.provide(Lock.Lock, b.context)
      const contenders = Arr.range(1, 16).map((i) => ({ lock: i % 2 === 0 ? lockA : lockB, owner: `owner-${i}` }))
      const won = yield* Effect.forEach(
        contenders,
        ({ lock, owner }) => Effect.map(lock.acquire("replay", owner, "300 millis"), (ok) => (ok ? owner : undefined)),
        { concurrency: "unbounded" }
      )
      const winners = won.filter((owner) => owner !== undefined)
      assert.strictEqual(winners.length, 1)
      const winner = winners[0]!
      const [mine, theirs] = Number(winner.slice("owner-".length)) % 2 === 0 ? [lockA, lockB] : [lockB, lockA]
      assert.isTrue(yield* mine.acquire("replay", winner, "300 millis")) // renewal through the same connection
      assert.isFalse(yield* theirs.acquire("replay", "other", "300 millis"))
      assert.isTrue(yield* theirs.acquire("replay", winner, "300 millis")) // the owner, through the other connection
      yield* Effect.sleep("400 millis")
      assert.isTrue(yield* theirs.acquire("replay", "other", "300 millis"))
      assert.isFalse(yield* mine.acquire("replay", winner, "300 millis"))
      yield* mine.release("replay", winner) // not the holder: changes nothing
      assert.isFalse(yield* mine.acquire("replay", "third", "300 millis"))
      yield* theirs.release("replay", "other")
      assert.isTrue(yield* mine.acquire("replay", "third", "300 millis"))
    })
  )

  it.scopedLive("two connections share the journal, and concurrent heartbeats leave one span", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const a = yield* open({ filename })
      const b = yield* open({ filename })
      yield* Effect.forEach(
        Arr.range(0, 19),
        (i) =>
          Journal.extend("receiver", "r1", 1_000 + i * 10, 1_000).pipe(
            Effect.provide(i % 2 === 0 ? a.context : b.context)
          ),
        { concurrency: "unbounded", discard: true }
      )
      const spans = yield* Journal.list("receiver", 0).pipe(Effect.provide(a.context))
      assert.strictEqual(spans.length, 1)
      assert.strictEqual(spans[0]!.to, 1_190)
    })
  )

  it.scopedLive("the journal drops spans that ended more than the retention before the newest time written", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const { context } = yield* open({ filename, journalRetention: "1 minute" })
      yield* Journal.extend("receiver", "old", 1_000, 100).pipe(Effect.provide(context))
      yield* Journal.record({ kind: "receiver", key: "kept", from: 30_000, to: 40_000 }).pipe(Effect.provide(context))
      yield* Journal.record({ kind: "recovered", key: "w", from: 0, to: 500 }).pipe(Effect.provide(context))
      yield* Journal.extend("receiver", "new", 62_001, 100).pipe(Effect.provide(context))
      assert.deepStrictEqual(
        (yield* Journal.list("receiver", 0).pipe(Effect.provide(context))).map((span) => span.key),
        ["kept", "new"]
      )
      // Retention is per kind: the recovered window is kept until a recovered span is written much later.
      assert.strictEqual((yield* Journal.list("recovered", 0).pipe(Effect.provide(context))).length, 1)
    })
  )

  it.scopedLive("a file made before the journal and locks existed gets their tables, and keeps its messages", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const first = yield* open({ filename })
      const [id] = yield* EventQueue.append([{ body: new Uint8Array([1, 2, 3]), receivedAt: 1, headers: {} }]).pipe(
        Effect.provide(first.context)
      )
      yield* first.close
      const db = new Database(filename)
      db.exec("DROP TABLE journal; DROP TABLE locks")
      db.close()

      const second = yield* open({ filename })
      yield* Journal.extend("receiver", "r1", 5, 10).pipe(Effect.provide(second.context))
      assert.isTrue(yield* Lock.acquire("lifecycle", "w1", "1 minute").pipe(Effect.provide(second.context)))
      assert.strictEqual((yield* Journal.list("receiver", 0).pipe(Effect.provide(second.context))).length, 1)
      const [message] = yield* EventQueue.receive({ consumer: "c" }).pipe(Effect.provide(second.context))
      assert.strictEqual(message?.id, id)
      assert.deepStrictEqual([...message!.body], [1, 2, 3])
    })
  )
})
