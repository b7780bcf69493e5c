// Ingest benchmark: 2 KB signed POSTs over 32 concurrent keep-alive connections, against
//   (a) a baseline written here: node:http + node:crypto HMAC + group-commit append into better-sqlite3;
//   (b) the receiver on SqliteQueue;
//   (c) the receiver on RedisQueue, when @account-activity/queue-redis provides it and Redis answers.
// Each server runs in a process of its own (the loader is this process). Every case warms up for 1 s, then
// the cases take turns in slices of 0.5 s until each has been measured for 5 s, so that a change in the
// machine's load (other processes) weighs on every case alike. Prints requests/s, p50 and p99 of the time to
// 200, and the ratio to the baseline.
//
// Usage: pnpm bench   (REDIS_URL picks the Redis server; default redis://127.0.0.1:6379)
import type { ChildProcess } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { WebhookSignature } from "@account-activity/crc"
import { Redacted } from "effect"
import { type Pool, percentile, pool, report, startServer, stopServer } from "./harness.js"

const connections = 32
const warmupMillis = 1000
const measureMillis = 5000
const consumerSecret = "bench-consumer-secret"
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

/** 4096 distinct deliveries of exactly 2048 bytes, signed once, before any measurement. */
const deliveries = Array.from({ length: 4096 }, (_, i) => {
  const head = `{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"${1556886030274000000n + BigInt(i)}","text":"`
  const tail = '"}]}'
  const body = Buffer.from(head + "x".repeat(2048 - head.length - tail.length) + tail)
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-twitter-webhooks-signature": WebhookSignature.signWith(body, Redacted.make(consumerSecret))
    }
  }
})

// the keys of this run only: the cleanup matches `${redisPrefix}:*`
const redisPrefix = `aaa-bench-ingest-${process.pid}-${Date.now()}`

interface Measured {
  readonly requests: number
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
  readonly failures: number
}

/** Keeps `connections` requests in flight against one server for `millis`; records the times to 200. */
const load = async (pool: Pool, millis: number, latencies: Array<number> | undefined) => {
  let next = 0
  let stop = false
  let failures = 0
  let count = 0
  const worker = async () => {
    while (!stop) {
      const delivery = deliveries[next++ % deliveries.length]!
      const started = performance.now()
      const response = await pool.request({
        path: "/webhook",
        method: "POST",
        headers: delivery.headers,
        body: delivery.body
      })
      await response.body.dump()
      if (response.statusCode !== 200) failures++
      else if (!stop) {
        count++
        latencies?.push(performance.now() - started)
      }
    }
  }
  const from = performance.now()
  const workers = Array.from({ length: connections }, worker)
  await new Promise((resolve) => setTimeout(resolve, millis))
  stop = true
  const seconds = (performance.now() - from) / 1000
  await Promise.all(workers)
  return { count, seconds, failures }
}

const slice = 500

/** One Redis command over a fresh connection (RESP), answering the raw reply, or `undefined` on failure. */
const redis = (args: ReadonlyArray<string>) =>
  new Promise<string | undefined>((resolve) => {
    const { hostname, port } = new URL(redisUrl)
    const socket = Net.connect({ host: hostname, port: Number(port || 6379) })
    let reply = ""
    socket.setTimeout(2000)
    socket.once("connect", () => {
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`)
    })
    socket.on("data", (data) => {
      reply += data.toString()
      const lines = reply.split("\r\n")
      const complete = reply.startsWith("*")
        ? lines.filter((line) => line.startsWith("$")).length >= Number(lines[0]!.slice(1)) && reply.endsWith("\r\n")
        : reply.endsWith("\r\n")
      if (complete) {
        socket.end()
        resolve(reply)
      }
    })
    socket.once("timeout", () => {
      socket.destroy()
      resolve(undefined)
    })
    socket.once("error", () => resolve(undefined))
  })

const redisReachable = async () => (await redis(["PING"]))?.startsWith("+PONG") === true

/** Removes the keys the Redis case wrote. */
const redisCleanup = async () => {
  const reply = await redis(["KEYS", `${redisPrefix}:*`])
  if (reply === undefined) return
  const keys = reply.split("\r\n").filter((_, index, lines) => index > 0 && lines[index - 1]!.startsWith("$"))
  if (keys.length > 0) await redis(["DEL", ...keys])
}

/** What this benchmark needs of @account-activity/queue-redis, which may not provide it yet. */
interface RedisModule {
  readonly RedisQueue?: { readonly layer?: unknown }
}

const redisQueueAvailable = async () => {
  try {
    const module = (await import("@account-activity/queue-redis")) as unknown as RedisModule
    return typeof module.RedisQueue?.layer === "function"
  } catch {
    return false
  }
}

const run = async () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "aaa-receiver-bench-"))
  const cases: Array<{ name: string; mode: string; target: string }> = [
    { name: "baseline: node:http + HMAC + better-sqlite3", mode: "baseline", target: Path.join(dir, "baseline.db") },
    { name: "receiver + SqliteQueue", mode: "sqlite", target: Path.join(dir, "queue.db") }
  ]
  if (!(await redisQueueAvailable())) {
    console.log("skipped: receiver + RedisQueue (@account-activity/queue-redis does not export RedisQueue.layer)")
  } else if (!(await redisReachable())) {
    const why = `receiver + RedisQueue: no Redis answers at ${redisUrl}; start one or set REDIS_URL`
    console.log(`skipped: ${why}`)
    const file = process.env.AAA_BENCH_RESULTS
    if (file) Fs.appendFileSync(file, `${JSON.stringify({ bench: "receiver-ingest", skipped: why })}\n`)
  } else cases.push({ name: "receiver + RedisQueue", mode: "redis", target: redisUrl })

  console.log(
    `${connections} keep-alive connections, 2048-byte signed POSTs, ${warmupMillis / 1000} s warm-up, ${measureMillis / 1000} s measured per case (in turns of ${slice / 1000} s)\n`
  )
  const rows: Array<[string, Measured]> = []
  const servers: Array<{ child: ChildProcess; pool: Pool }> = []
  try {
    for (const test of cases) {
      const { child, port } = await startServer(test.mode, test.target, consumerSecret, redisPrefix)
      servers.push({ child, pool: pool(port, connections) })
    }
    for (const server of servers) await load(server.pool, warmupMillis, undefined)
    const totals = cases.map(() => ({ count: 0, seconds: 0, failures: 0, latencies: [] as Array<number> }))
    for (let round = 0; round < measureMillis / slice; round++) {
      for (let i = 0; i < servers.length; i++) {
        const result = await load(servers[i]!.pool, slice, totals[i]!.latencies)
        totals[i]!.count += result.count
        totals[i]!.seconds += result.seconds
        totals[i]!.failures += result.failures
      }
    }
    cases.forEach((test, i) => {
      const total = totals[i]!
      const sorted = Float64Array.from(total.latencies).sort()
      rows.push([
        test.name,
        {
          requests: total.count,
          perSecond: total.count / total.seconds,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          failures: total.failures
        }
      ])
    })
  } finally {
    for (const server of servers) {
      await server.pool.close()
      await stopServer(server.child)
    }
    Fs.rmSync(dir, { recursive: true, force: true })
    if (cases.some((test) => test.mode === "redis")) await redisCleanup()
  }
  const baseline = rows[0]![1].perSecond
  const pad = (text: string, width: number) => text.padEnd(width)
  console.log(`${pad("case", 46)}${pad("req/s", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("ratio", 8)}failures`)
  for (const [name, result] of rows) {
    console.log(
      `${pad(name, 46)}${pad(result.perSecond.toFixed(0), 10)}${pad(result.p50.toFixed(2), 9)}${pad(result.p99.toFixed(2), 9)}${pad(`${(result.perSecond / baseline).toFixed(2)}x`, 8)}${result.failures}`
    )
  }
  const [, bare] = rows[0]!
  for (const [name, result] of rows.slice(1)) {
    report({
      bench: "receiver-ingest",
      title: "Receiver ingest: 2 KB signed POSTs over 32 connections",
      about:
        "requests answered 200 per second, each one verified and durably stored before its answer (SQLite: fsynced WAL; Redis: XADD acknowledged), with 32 keep-alive connections each keeping one POST in flight. The load client and each server run in processes of their own and take turns of 0.5 s. The baseline is the least a correct receiver does: node:http, an HMAC check with node:crypto, and the bodies that arrived in one turn of the event loop inserted into better-sqlite3 in one transaction (WAL, synchronous = FULL) before the 200s go out.",
      case: name,
      baseline: "node:http + node:crypto HMAC + better-sqlite3 group commit",
      metric: "requests/s",
      better: "higher",
      value: result.perSecond,
      baselineValue: bare.perSecond,
      note: `p50 / p99 ${result.p50.toFixed(1)} / ${result.p99.toFixed(1)} ms (baseline ${bare.p50.toFixed(1)} / ${bare.p99.toFixed(1)} ms)${result.failures + bare.failures > 0 ? `; failures ${result.failures} (baseline ${bare.failures})` : ""}`
    })
  }
}

run().catch((error) => {
  console.error(error)
  process.exit(1)
})
