import { EventQueue } from "@account-activity/queue"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Array as Arr, Duration, Effect } from "effect"
import * as SqliteQueue from "../src/SqliteQueue.js"
import { kill, start, waitFor } from "./utils/child.js"
import { tempFile } from "./utils/tempFile.js"

const text = (body: Uint8Array) => new TextDecoder().decode(body)

/** Every message available in the file, leased once by a fresh connection (and left leased). */
const drainFile = (filename: string, consumer = "inspector") =>
  Effect.gen(function* () {
    const queue = yield* EventQueue.EventQueue
    const out: Array<EventQueue.Message> = []
    while (true) {
      const batch = yield* queue.receive({ consumer, max: 500 })
      if (batch.length === 0) return out
      out.push(...batch)
    }
  }).pipe(Effect.provide(SqliteQueue.layer({ filename })))

const integrity = (filename: string) => {
  const db = new Database(filename)
  try {
    return db.pragma("integrity_check", { simple: true })
  } finally {
    db.close()
  }
}

describe("kill -9", () => {
  it.live(
    "of a producer mid-burst loses no acknowledged append",
    () =>
      Effect.gen(function* () {
        const filename = yield* tempFile
        const child = yield* start("producer.ts", [filename, "8"])
        yield* waitFor(child, (lines) => lines.length >= 400)
        const signal = yield* kill(child)
        assert.strictEqual(signal, "SIGKILL")
        const acknowledged = child.lines.map((line) => {
          const [id, seq] = line.split(" ")
          return { id: id!, seq: Number(seq) }
        })
        assert.isAtLeast(acknowledged.length, 400)
        assert.strictEqual(integrity(filename), "ok")

        const stored = new Map((yield* drainFile(filename)).map((message) => [message.id as string, message]))
        assert.isAtLeast(stored.size, acknowledged.length)
        for (const { id, seq } of acknowledged) {
          const message = stored.get(id)
          assert.isDefined(message, `acknowledged append ${id} (event-${seq}) is missing after kill -9`)
          assert.deepStrictEqual(Array.from(message!.body), [
            ...new TextEncoder().encode(`event-${seq}`),
            0xff,
            seq % 256
          ])
          assert.deepStrictEqual(message!.headers, { "x-seq": String(seq) })
          assert.strictEqual(message!.receivedAt, seq)
          assert.strictEqual(message!.source, "crash-test")
        }
      }).pipe(Effect.scoped),
    30_000
  )

  it.live(
    "of a consumer before its acks brings the unacked messages back after the visibility timeout",
    () =>
      Effect.gen(function* () {
        const filename = yield* tempFile
        const visibility = 3000
        yield* EventQueue.append(
          Arr.map(Arr.range(0, 5), (i) => ({ body: new TextEncoder().encode(`job-${i}`), receivedAt: i, headers: {} }))
        ).pipe(Effect.provide(SqliteQueue.layer({ filename })))

        const child = yield* start("consumer.ts", [filename, "doomed", String(visibility), "even"])
        yield* waitFor(
          child,
          (lines) =>
            lines.filter((line) => line.startsWith("leased ")).length === 6 &&
            lines.filter((line) => line.startsWith("acked ")).length === 3
        )
        yield* kill(child)
        const leasedAt = Date.now()

        // The unacked messages are still leased by the dead consumer.
        assert.deepStrictEqual(yield* drainFile(filename, "early"), [])
        yield* Effect.sleep(Duration.millis(Math.max(0, visibility + 200 - (Date.now() - leasedAt))))
        const back = yield* drainFile(filename, "rescuer")
        assert.deepStrictEqual(
          back.map((message) => text(message.body)),
          ["job-1", "job-3", "job-5"]
        )
        assert.deepStrictEqual(
          back.map((message) => message.attempts),
          [2, 2, 2]
        )
      }).pipe(Effect.scoped),
    30_000
  )
})

describe("several processes", () => {
  it.live(
    "two consumer processes on one file never get the same message",
    () =>
      Effect.gen(function* () {
        const filename = yield* tempFile
        const total = 300
        yield* EventQueue.append(
          Arr.map(Arr.range(1, total), (i) => ({
            body: new TextEncoder().encode(`m-${i}`),
            receivedAt: i,
            headers: {}
          }))
        ).pipe(Effect.provide(SqliteQueue.layer({ filename })))

        const a = yield* start("consumer.ts", [filename, "a", "60000", "all"])
        const b = yield* start("consumer.ts", [filename, "b", "60000", "all"])
        const acked = (lines: ReadonlyArray<string>) => lines.filter((line) => line.startsWith("acked "))
        yield* waitFor(a, () => acked(a.lines).length + acked(b.lines).length >= total)
        yield* kill(a)
        yield* kill(b)
        const leasedBy = (lines: ReadonlyArray<string>) =>
          lines.filter((line) => line.startsWith("leased ")).map((line) => line.split(" ")[1]!)
        const leasedA = leasedBy(a.lines)
        const leasedB = leasedBy(b.lines)
        assert.strictEqual(leasedA.length + leasedB.length, total)
        assert.strictEqual(new Set([...leasedA, ...leasedB]).size, total)
        assert.deepStrictEqual(yield* drainFile(filename), [])
      }).pipe(Effect.scoped),
    30_000
  )
})
