// Throughput of the Redis queue against bare ioredis in the same process, about 30 seconds in all (3 rounds,
// the two alternating). Run with `pnpm bench --only queue-redis` (or, in this package, `tsx bench/index.ts`)
// against the Redis at REDIS_URL (default redis://127.0.0.1:6379); every run uses a fresh key prefix and
// deletes it afterwards.
//
//  1. append + consume + ack per second: producers append single deliveries (as a receiver does, one per
//     request) while one consumer leases in batches and acks each message. The baseline does the same with
//     bare XADD / XREADGROUP / XACK.
//  2. appends per second from 32 concurrent appenders: RedisQueue against bare XADD.
import { appendFileSync } from "node:fs"
import { EventQueue } from "@account-activity/queue"
import { Array as Arr, Effect, Stream } from "effect"
import { Redis } from "ioredis"
import * as RedisQueue from "../src/RedisQueue.js"

const url = process.env.REDIS_URL ?? RedisQueue.defaultUrl

const body = new TextEncoder().encode(
  '{"for_user_id":"2244994945","tweet_delete_events":[{"status":{"id":"1556886030274000000","user_id":"2244994945"},"timestamp_ms":"1660746200593"}]}'
)
const delivery: EventQueue.Delivery = {
  body,
  receivedAt: 0,
  headers: { "content-type": "application/json", "x-twitter-webhooks-signature": "sha256=..." }
}
const headers = JSON.stringify(delivery.headers)

const withPrefix = async <A>(f: (prefix: string) => Promise<A>): Promise<A> => {
  const prefix = `aaa-bench:${crypto.randomUUID()}`
  try {
    return await f(prefix)
  } finally {
    const client = new Redis(url)
    let cursor = "0"
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500)
      cursor = next
      if (keys.length > 0) await client.del(...keys)
    } while (cursor !== "0")
    client.disconnect()
  }
}

/** Producers append `total` deliveries one by one while a consumer acks them; returns messages per second. */
const roundTrip = (prefix: string, total: number, producers = 8) =>
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
  }).pipe(Effect.provide(RedisQueue.layer({ url, prefix })), Effect.runPromise)

/** The same with bare commands: XADD per delivery, XREADGROUP COUNT 64 BLOCK on its own connection, XACK each. */
const bareRoundTrip = async (prefix: string, total: number, producers = 8) => {
  const stream = `${prefix}:stream`
  const writer = new Redis(url)
  const reader = new Redis(url)
  await writer.xgroup("CREATE", stream, "bench", "0", "MKSTREAM")
  const started = performance.now()
  const consume = (async () => {
    let handled = 0
    while (handled < total) {
      const reply = (await reader.callBuffer("xreadgroup", [
        "GROUP",
        "bench",
        "bench",
        "COUNT",
        64,
        "BLOCK",
        100,
        "STREAMS",
        stream,
        ">"
      ])) as Array<[Buffer, Array<[Buffer, Array<Buffer>]>]> | null
      for (const [id] of reply?.[0]?.[1] ?? []) {
        await writer.xack(stream, "bench", id)
        handled++
      }
    }
  })()
  await Promise.all(
    Arr.range(1, producers).map(async () => {
      for (let i = 0; i < total / producers; i++) {
        await writer.xadd(stream, "*", "body", Buffer.from(body), "headers", headers, "receivedAt", "0")
      }
    })
  )
  await consume
  const rate = total / ((performance.now() - started) / 1000)
  writer.disconnect()
  reader.disconnect()
  return rate
}

/** `appenders` concurrent appenders of single deliveries for `millis`; returns appends per second. */
const appendRate = (prefix: string, appenders: number, millis: number) =>
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
  }).pipe(Effect.provide(RedisQueue.layer({ url, prefix })), Effect.runPromise)

const bareAppendRate = async (prefix: string, appenders: number, millis: number) => {
  const client = new Redis(url)
  let count = 0
  const started = performance.now()
  const deadline = started + millis
  await Promise.all(
    Arr.range(1, appenders).map(async () => {
      while (performance.now() < deadline) {
        await client.xadd(`${prefix}:stream`, "*", "body", Buffer.from(body), "headers", headers, "receivedAt", "0")
        count++
      }
    })
  )
  client.disconnect()
  return count / ((performance.now() - started) / 1000)
}

const rate = (perSecond: number) => `${Math.round(perSecond).toLocaleString("en-US")}/s`

/** Appends one comparison to the file named by AAA_BENCH_RESULTS (the protocol of scripts/bench.mjs), when set. */
const report = (line: { metric: string; value: number; baselineValue: number }) => {
  const file = process.env.AAA_BENCH_RESULTS
  if (!file) return
  const result = {
    bench: "queue-redis",
    title: "Redis queue: append + consume + ack",
    about:
      "messages per second through the Redis Streams queue, in one process against the Redis at REDIS_URL: 8 producers append single 150-byte deliveries while one consumer leases up to 64 at a time and acks each; and appends per second from 32 concurrent appenders. The baseline is bare ioredis doing the same with XADD, XREADGROUP (COUNT 64, BLOCK, on its own connection) and XACK, with no dedup, dead letters, lease bookkeeping or Effect. 3 rounds each, alternating.",
    case: "RedisQueue",
    baseline: "bare ioredis XADD / XREADGROUP / XACK",
    better: "higher",
    ...line,
    ratio: line.value / line.baselineValue
  }
  appendFileSync(file, `${JSON.stringify(result)}\n`)
}

/** Whether a Redis answers PING at `url` within 2 s (without ioredis's endless reconnects). */
const reachable = async () => {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null
  })
  client.on("error", () => {})
  try {
    await client.connect()
    return (await client.ping()) === "PONG"
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

const main = async () => {
  if (!(await reachable())) {
    const why = `no Redis answers at ${url}; start one (e.g. \`redis-server\`) or set REDIS_URL`
    console.log(`skipped: ${why}`)
    const file = process.env.AAA_BENCH_RESULTS
    if (file) {
      appendFileSync(
        file,
        `${JSON.stringify({ bench: "queue-redis", title: "Redis queue: append + consume + ack", skipped: why })}\n`
      )
    }
    return
  }
  const total = 4000
  const rounds = 3
  const seconds = { ours: 0, bare: 0 }
  const appends = { ours: 0, bare: 0 }
  for (let round = 0; round < rounds; round++) {
    // alternate who goes first, so that neither always runs on a warmer (or busier) machine
    for (const which of round % 2 === 0 ? (["bare", "ours"] as const) : (["ours", "bare"] as const)) {
      const perSecond = await withPrefix((prefix) =>
        which === "ours" ? roundTrip(prefix, total) : bareRoundTrip(prefix, total)
      )
      seconds[which] += total / perSecond
    }
    for (const which of round % 2 === 0 ? (["bare", "ours"] as const) : (["ours", "bare"] as const)) {
      appends[which] += await withPrefix((prefix) =>
        which === "ours" ? appendRate(prefix, 32, 1500) : bareAppendRate(prefix, 32, 1500)
      )
    }
  }
  const queue = (rounds * total) / seconds.ours
  const bare = (rounds * total) / seconds.bare
  const rows: Array<{ benchmark: string; rate: string }> = []
  rows.push({ benchmark: "append+consume+ack, bare XADD/XREADGROUP/XACK", rate: rate(bare) })
  rows.push({ benchmark: "append+consume+ack, RedisQueue", rate: rate(queue) })
  rows.push({ benchmark: "RedisQueue / bare", rate: `${(queue / bare).toFixed(2)}x` })
  rows.push({ benchmark: "appends, 32 appenders, bare XADD", rate: rate(appends.bare / rounds) })
  rows.push({ benchmark: "appends, 32 appenders, RedisQueue", rate: rate(appends.ours / rounds) })
  rows.push({ benchmark: "RedisQueue / bare (appends)", rate: `${(appends.ours / appends.bare).toFixed(2)}x` })
  console.table(rows)

  report({ metric: "append+consume+ack, messages/s (8 producers, 1 consumer)", value: queue, baselineValue: bare })
  report({
    metric: "appends/s (32 concurrent appenders)",
    value: appends.ours / rounds,
    baselineValue: appends.bare / rounds
  })
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
