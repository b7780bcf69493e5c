import * as Fs from "node:fs"
import * as Path from "node:path"
import { EventQueue, SeenStore } from "@account-activity/queue"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Array as Arr, Chunk, Config, ConfigProvider, Duration, Effect, Exit, Layer, Scope, Stream } from "effect"
import * as SqliteQueue from "../src/SqliteQueue.js"
import { tempDir, tempFile } from "./utils/tempFile.js"

const encoder = new TextEncoder()
const delivery = (text: string): EventQueue.Delivery => ({ body: encoder.encode(text), receivedAt: 1, headers: {} })
const text = (message: { readonly body: Uint8Array }) => new TextDecoder().decode(message.body)

/** Builds the layer in a scope of its own, so a test can close it and open the file again. */
const openQueues = (options: SqliteQueue.Options) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(SqliteQueue.layer(options), scope)
    return { context, close: Scope.close(scope, Exit.void) }
  })

const raw = <A>(filename: string, f: (db: Database.Database) => A): A => {
  const db = new Database(filename)
  try {
    return f(db)
  } finally {
    db.close()
  }
}

describe("SqliteQueue", () => {
  it.scopedLive(
    "keeps everything in one WAL-mode file with messages, dead letters, seen keys, journal, locks and meta",
    () =>
      Effect.gen(function* () {
        const filename = yield* tempFile
        yield* EventQueue.append([delivery("a")]).pipe(Effect.provide(SqliteQueue.layer({ filename })))
        raw(filename, (db) => {
          assert.strictEqual(db.pragma("journal_mode", { simple: true }), "wal")
          const tables = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .pluck()
            .all()
          assert.deepStrictEqual(tables, ["dead_letters", "journal", "locks", "messages", "meta", "seen"])
          assert.strictEqual(db.prepare("SELECT count(*) FROM messages").pluck().get(), 1)
        })
      })
  )

  it.scopedLive("group commit puts concurrent appends in one transaction", () =>
    Effect.gen(function* () {
      const walFrames = (groupCommit: boolean) =>
        Effect.gen(function* () {
          const filename = yield* tempFile
          const { context, close } = yield* openQueues({ filename, groupCommit })
          const queue = EventQueue.EventQueue.pipe(Effect.provide(context))
          const service = yield* queue
          const ids = yield* Effect.forEach(Arr.range(1, 32), (i) => service.append([delivery(`c${i}`)]), {
            concurrency: "unbounded"
          })
          assert.strictEqual(new Set(ids.flat()).size, 32)
          const [checkpoint] = raw(filename, (db) => db.pragma("wal_checkpoint(PASSIVE)")) as Array<{ log: number }>
          yield* close
          return checkpoint!.log
        })
      const grouped = yield* walFrames(true)
      const separate = yield* walFrames(false)
      // Each transaction appends its own frames (and its own fsync) to the write-ahead log.
      assert.isBelow(grouped * 4, separate, `grouped: ${grouped} WAL frames, separate: ${separate}`)
    })
  )

  it.scopedLive("messages, leases and seen keys survive closing and reopening the file", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const first = yield* openQueues({ filename })
      const ids = yield* EventQueue.append([delivery("one"), delivery("two"), delivery("three")]).pipe(
        Effect.provide(first.context)
      )
      const [leased] = yield* EventQueue.receive({ consumer: "c", max: 1, visibilityTimeout: "1 minute" }).pipe(
        Effect.provide(first.context)
      )
      assert.strictEqual(leased?.id, ids[0])
      yield* SeenStore.markIfNew(["key-1"]).pipe(Effect.provide(first.context))
      yield* first.close

      const second = yield* openQueues({ filename })
      const messages = yield* EventQueue.receive({ consumer: "c", max: 10 }).pipe(Effect.provide(second.context))
      assert.deepStrictEqual(messages.map(text), ["two", "three"])
      assert.deepStrictEqual(
        messages.map((m) => m.id),
        [ids[1], ids[2]]
      )
      assert.isTrue(yield* SeenStore.has("key-1").pipe(Effect.provide(second.context)))
      const more = yield* EventQueue.append([delivery("four")]).pipe(Effect.provide(second.context))
      assert.notInclude([...ids], more[0])
      yield* second.close
    })
  )

  it.scopedLive("a consumer sees appends made through another connection", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const reader = yield* openQueues({ filename, pollInterval: "20 millis" })
      const writer = yield* openQueues({ filename })
      const fiber = yield* EventQueue.consume({ consumer: "c" }).pipe(
        Stream.take(2),
        Stream.runCollect,
        Effect.provide(reader.context),
        Effect.fork
      )
      yield* Effect.sleep("50 millis")
      yield* EventQueue.append([delivery("x"), delivery("y")]).pipe(Effect.provide(writer.context))
      const received = yield* fiber.await.pipe(Effect.flatten, Effect.timeout("5 seconds"))
      assert.deepStrictEqual(Chunk.toReadonlyArray(received).map(text), ["x", "y"])
    })
  )

  it.scopedLive("expired seen keys are pruned from the file", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const { context, close } = yield* openQueues({ filename })
      const store = yield* SeenStore.SeenStore.pipe(Effect.provide(context))
      const keys = Arr.makeBy(600, (i) => `old-${i}`)
      assert.strictEqual((yield* store.markIfNew(keys, { ttl: Duration.millis(1) })).size, 600)
      yield* Effect.sleep("20 millis")
      yield* store.markIfNew(["new"])
      const count = raw(filename, (db) => db.prepare("SELECT count(*) FROM seen").pluck().get())
      assert.strictEqual(count, 101) // 500 pruned per mark, and the new key
      yield* close
    })
  )
})

describe("failures", () => {
  it.live("a missing directory is Unreachable, with the path in the message", () =>
    Effect.gen(function* () {
      const filename = Path.join("/nonexistent-dir-for-aaa-tests", "queue.db")
      const error = yield* Effect.flip(Layer.build(SqliteQueue.layer({ filename })).pipe(Effect.scoped))
      assert.strictEqual(error._tag, "QueueUnavailable")
      assert.strictEqual(error.reason, "Unreachable")
      assert.include(error.message, filename)
      assert.include(error.message, "directory exists")
    })
  )

  it.scopedLive("a file that is not a database is Corrupt", () =>
    Effect.gen(function* () {
      const filename = Path.join(yield* tempDir, "not-a.db")
      Fs.writeFileSync(filename, "this is not a database, just text that is long enough to have a header. ".repeat(20))
      const error = yield* Effect.flip(Layer.build(SqliteQueue.layer({ filename })).pipe(Effect.scoped))
      assert.strictEqual(error.reason, "Corrupt")
      assert.include(error.message, "integrity_check")
    })
  )

  it.scopedLive("a file written by a newer layout is refused", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      raw(filename, (db) => db.pragma("user_version = 99"))
      const error = yield* Effect.flip(Layer.build(SqliteQueue.layer({ filename })).pipe(Effect.scoped))
      assert.strictEqual(error.reason, "Corrupt")
      assert.include(error.message, "layout version 99")
    })
  )

  it.scopedLive("a write lock held too long is Busy, so the receiver can answer 503", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const { context, close } = yield* openQueues({ filename, busyTimeout: "100 millis" })
      const blocker = new Database(filename)
      blocker.exec("BEGIN IMMEDIATE")
      const error = yield* Effect.flip(EventQueue.append([delivery("blocked")]).pipe(Effect.provide(context)))
      blocker.exec("ROLLBACK")
      blocker.close()
      assert.strictEqual(error.reason, "Busy")
      assert.strictEqual(error.operation, "append")
      assert.include(error.message, "busy timeout")
      // Once the lock is gone, appends work again.
      const ids = yield* EventQueue.append([delivery("after")]).pipe(Effect.provide(context))
      assert.strictEqual(ids.length, 1)
      yield* close
    })
  )

  it.scopedLive("calls after the layer's scope closed fail with Closed", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const { context, close } = yield* openQueues({ filename })
      const queue = yield* EventQueue.EventQueue.pipe(Effect.provide(context))
      const seen = yield* SeenStore.SeenStore.pipe(Effect.provide(context))
      yield* close
      const errors = yield* Effect.all([
        Effect.flip(queue.append([delivery("late")])),
        Effect.flip(queue.receive({ consumer: "c" })),
        Effect.flip(queue.deadLetters.list()),
        Effect.flip(seen.has("k"))
      ])
      assert.deepStrictEqual(
        errors.map((e) => e.reason),
        ["Closed", "Closed", "Closed", "Closed"]
      )
      assert.include(errors[0]!.message, "shut down")
    })
  )
})

describe("layerConfig", () => {
  it.scopedLive("reads the options from configuration", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const layer = SqliteQueue.layerConfig({
        filename: Config.string("AAA_QUEUE_FILE"),
        pollInterval: Config.duration("AAA_QUEUE_POLL").pipe(Config.withDefault(Duration.millis(50)))
      }).pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["AAA_QUEUE_FILE", filename]])))))
      yield* EventQueue.append([delivery("configured")]).pipe(Effect.provide(layer))
      assert.isTrue(Fs.existsSync(filename))
      assert.strictEqual(
        raw(filename, (db) => db.prepare("SELECT count(*) FROM messages").pluck().get()),
        1
      )
    })
  )
})
