// Throughput of the embedded queue against bare better-sqlite3 with the same durability, in the same process.
// About 15 seconds in all. Run with `pnpm bench --only queue-sqlite` (or, in this package, `tsx bench/index.ts`).
//
//  1. append + consume + ack per second: 8 producers append single deliveries (as a receiver does, one per
//     request) while one consumer leases up to 64 at a time and acks each message, one after another.
//  2. appends per second from 32 concurrent appenders of single deliveries.
//
// The baseline (BareQueue, bare.ts) is what one writes by hand with the same guarantees: one connection, WAL, the
// writes submitted in one turn of the event loop committed together (group commit), appends with
// synchronous = FULL (fsynced before they resolve), leases and acks with NORMAL; a lease is one
// UPDATE … RETURNING that sets the visibility timeout; an ack one DELETE. It has no lease tokens, no attempts
// limit, no dead letters, no savepoints (one failing write fails its whole batch) and no Effect.
//
// Each case runs 3 times, the two implementations alternating, in fresh files; the rates are totals over
// the rounds (messages / seconds), so that a change in the machine's load weighs on both alike.

import * as Fs from "node:fs"
import { appendFileSync } from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { EventQueue } from "@account-activity/queue"
import { Array as Arr, Effect, Stream } from "effect"
import * as SqliteQueue from "../src/SqliteQueue.js"
import { BareQueue } from "./bare.js"

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

/** SqliteQueue: producers append `total` deliveries one by one while a consumer acks them; returns seconds. */
const roundTrip = (filename: string, total: number, producers: number) =>
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
    return (performance.now() - started) / 1000
  }).pipe(Effect.provide(SqliteQueue.layer({ filename })), Effect.runPromise)

/** The same with BareQueue. */
const bareRoundTrip = async (filename: string, total: number, producers: number) => {
  const queue = new BareQueue(filename)
  const started = performance.now()
  const consume = (async () => {
    let handled = 0
    while (handled < total) {
      const messages = await queue.lease(64)
      if (messages.length === 0) await queue.awaitAppend(100)
      for (const message of messages) {
        await queue.ack(message.id)
        handled++
      }
    }
  })()
  await Promise.all(
    Arr.range(1, producers).map(async () => {
      for (let i = 0; i < total / producers; i++) await queue.append(delivery)
    })
  )
  await consume
  const seconds = (performance.now() - started) / 1000
  queue.close()
  return seconds
}

/** SqliteQueue: `appenders` fibers append single deliveries for `millis`; returns [appends, seconds]. */
const appendRate = (filename: string, appenders: number, millis: number) =>
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
    return [count, (performance.now() - started) / 1000] as const
  }).pipe(Effect.provide(SqliteQueue.layer({ filename })), Effect.runPromise)

const bareAppendRate = async (filename: string, appenders: number, millis: number) => {
  const queue = new BareQueue(filename)
  let count = 0
  const started = performance.now()
  const deadline = started + millis
  await Promise.all(
    Arr.range(1, appenders).map(async () => {
      while (performance.now() < deadline) {
        await queue.append(delivery)
        count++
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  queue.close()
  return [count, seconds] as const
}

const rounds = 3

const report = (result: Record<string, unknown> & { value: number; baselineValue: number }) => {
  const file = process.env.AAA_BENCH_RESULTS
  if (file) appendFileSync(file, `${JSON.stringify({ ...result, ratio: result.value / result.baselineValue })}\n`)
}

const main = async () => {
  const total = 4000
  const producers = 8
  const appenders = 32
  const appendMillis = 1500
  const sums = { ours: [0, 0], bare: [0, 0], oursAppends: [0, 0], bareAppends: [0, 0] }
  const add = (into: Array<number>, count: number, seconds: number) => {
    into[0]! += count
    into[1]! += seconds
  }
  // a short warm-up of both, not counted
  await withTempFile((filename) => roundTrip(filename, 800, producers))
  await withTempFile((filename) => bareRoundTrip(filename, 800, producers))
  for (let round = 0; round < rounds; round++) {
    const oursFirst = round % 2 === 0
    for (const which of oursFirst ? ["ours", "bare"] : ["bare", "ours"]) {
      if (which === "ours") add(sums.ours, total, await withTempFile((f) => roundTrip(f, total, producers)))
      else add(sums.bare, total, await withTempFile((f) => bareRoundTrip(f, total, producers)))
    }
    for (const which of oursFirst ? ["ours", "bare"] : ["bare", "ours"]) {
      if (which === "ours")
        add(sums.oursAppends, ...(await withTempFile((f) => appendRate(f, appenders, appendMillis))))
      else add(sums.bareAppends, ...(await withTempFile((f) => bareAppendRate(f, appenders, appendMillis))))
    }
  }
  const rate = ([count, seconds]: Array<number>) => count! / seconds!
  const rows = [
    {
      metric: `append+consume+ack, messages/s (${producers} producers, 1 consumer)`,
      ours: rate(sums.ours),
      bare: rate(sums.bare)
    },
    {
      metric: `appends/s (${appenders} concurrent appenders)`,
      ours: rate(sums.oursAppends),
      bare: rate(sums.bareAppends)
    }
  ]
  console.table(
    rows.map((row) => ({
      benchmark: row.metric,
      SqliteQueue: Math.round(row.ours),
      "bare better-sqlite3": Math.round(row.bare),
      ratio: `${(row.ours / row.bare).toFixed(2)}x`
    }))
  )
  for (const row of rows) {
    report({
      bench: "queue-sqlite",
      title: "SQLite queue: append + consume + ack",
      about:
        "messages per second through the embedded queue in one process: 8 producers append single 150-byte deliveries while one consumer leases up to 64 at a time and acks each; and appends per second from 32 concurrent appenders. The baseline is a hand-written queue on bare better-sqlite3 with the same durability (WAL, group commit, appends fsynced with synchronous = FULL before they return, leases and acks with NORMAL) but no lease tokens, attempt counts, dead letters, per-operation savepoints or Effect. 3 rounds each, alternating, totals.",
      case: "SqliteQueue (group commit)",
      baseline: "bare better-sqlite3, same durability",
      metric: row.metric,
      better: "higher",
      value: row.ours,
      baselineValue: row.bare
    })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
