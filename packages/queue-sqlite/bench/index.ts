// Throughput of the embedded queue, a few seconds in all. Run with `tsx bench/index.ts`.
//
//  1. append + consume + ack per second, SQLite against memory: producers append single deliveries (as a
//     receiver does, one per request) while one consumer leases in batches and acks each message;
//  2. appends per second from 32 concurrent appenders, with and without group commit.
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { EventQueue, MemoryQueue } from "@account-activity/queue"
import { Array as Arr, Effect, type Layer, Stream } from "effect"
import * as SqliteQueue from "../src/SqliteQueue.js"

const body = new TextEncoder().encode(
  '{"for_user_id":"2244994945","tweet_delete_events":[{"status":{"id":"1556886030274000000","user_id":"2244994945"},"timestamp_ms":"1660746200593"}]}'
)
const delivery: EventQueue.Delivery = {
  body,
  receivedAt: 0,
  headers: { "content-type": "application/json", "x-twitter-webhooks-signature": "sha256=..." }
}

const withTempFile = <A>(f: (filename: string) => Promise<A>): Promise<A> => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "aaa-queue-bench-"))
  return f(Path.join(dir, "queue.db")).finally(() => Fs.rmSync(dir, { recursive: true, force: true }))
}

/** Producers append `total` deliveries one by one while a consumer acks them; returns messages per second. */
const roundTrip = (layer: Layer.Layer<EventQueue.EventQueue, unknown>, total: number, producers = 8) =>
  Effect.gen(function* () {
    const queue = yield* EventQueue.EventQueue
    const started = performance.now()
    const consumer = yield* queue.consume({ consumer: "bench", max: 64 }).pipe(
      Stream.mapEffect((message) => message.ack),
      Stream.take(total),
      Stream.runDrain,
      Effect.fork
    )
    yield* Effect.forEach(
      Arr.range(1, producers),
      () => Effect.forEach(Arr.range(1, total / producers), () => queue.append([delivery]), { discard: true }),
      { concurrency: "unbounded", discard: true }
    )
    yield* consumer.await
    return total / ((performance.now() - started) / 1000)
  }).pipe(Effect.provide(layer), Effect.runPromise)

/** `appenders` fibers append single deliveries for `millis`; returns appends per second. */
const appendRate = (layer: Layer.Layer<EventQueue.EventQueue, unknown>, appenders: number, millis: number) =>
  Effect.gen(function* () {
    const queue = yield* EventQueue.EventQueue
    let count = 0
    const started = performance.now()
    const deadline = started + millis
    const appender = Effect.gen(function* () {
      while (performance.now() < deadline) {
        yield* queue.append([delivery])
        count++
      }
    })
    yield* Effect.forEach(Arr.range(1, appenders), () => appender, { concurrency: "unbounded", discard: true })
    return count / ((performance.now() - started) / 1000)
  }).pipe(Effect.provide(layer), Effect.runPromise)

const rate = (perSecond: number) => `${Math.round(perSecond).toLocaleString("en-US")}/s`

const main = async () => {
  const rows: Array<{ benchmark: string; rate: string }> = []
  const total = 4000

  rows.push({ benchmark: "append+consume+ack, memory", rate: rate(await roundTrip(MemoryQueue.layer(), total)) })
  rows.push({
    benchmark: "append+consume+ack, SQLite (group commit)",
    rate: rate(await withTempFile((filename) => roundTrip(SqliteQueue.layer({ filename }), total)))
  })

  const grouped = await withTempFile((filename) => appendRate(SqliteQueue.layer({ filename }), 32, 1500))
  const separate = await withTempFile((filename) =>
    appendRate(SqliteQueue.layer({ filename, groupCommit: false }), 32, 1500)
  )
  rows.push({ benchmark: "appends, 32 appenders, SQLite with group commit", rate: rate(grouped) })
  rows.push({ benchmark: "appends, 32 appenders, SQLite without group commit", rate: rate(separate) })
  rows.push({ benchmark: "group commit speed-up", rate: `${(grouped / separate).toFixed(1)}x` })

  console.table(rows)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
