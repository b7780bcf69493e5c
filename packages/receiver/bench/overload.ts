// Overload: what the receiver does when deliveries arrive twice as fast as its queue can store them.
//
// The queue is the real Redis behind a link of limited bandwidth (a throttling TCP proxy, 300 KB/s: about 120
// appends of 2 KB per second), so its capacity does not depend on how busy the machine is. The receiver runs in
// a process of its own. Two receivers, one after the other:
//
//  - ours: the receiver as shipped (admission by time: `maxWait` 1 s);
//  - baseline: the same receiver with admission by time and the in-flight bound turned off, so that it takes
//    everything and answers when the queue has stored it.
//
// For each: the sustainable rate S (8 connections, as fast as it answers, 2 s), then an open-loop load at 2 × S
// for 10 s, sent like X (each delivery at its time, whatever became of the others, given up after 3 s).
// Counted: answered 200 within 3 s, 503 with Retry-After, given up (no answer within 3 s: X retries it, and
// if it was stored anyway the worker drops the copy), the p99 of the 200s, and the receiver's resident memory
// before and at its peak.
//
// Usage: pnpm --filter @account-activity/receiver exec tsx bench/overload.ts   (REDIS_URL, default 127.0.0.1:6379)
import { Effect } from "effect"
import { link } from "../test/utils/link.js"
import {
  type Answer,
  closedLoop,
  deleteKeys,
  openLoop,
  rss,
  startReceiver,
  timeoutMillis
} from "../test/utils/overload.js"
import { percentile, report } from "./harness.js"

const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379")
const linkBytesPerSecond = 300_000
const loadMillis = 10_000

interface Row {
  readonly name: string
  readonly sustainable: number
  readonly answers: ReadonlyArray<Answer>
  readonly idleRss: number
  readonly peakRss: number
}

const measure = (name: string, maxWaitMillis: number | undefined) =>
  Effect.gen(function* () {
    const slow = yield* link(redisUrl, { bytesPerSecond: linkBytesPerSecond })
    const prefix = `aaa-bench-overload-${process.pid}-${Date.now()}`
    yield* Effect.addFinalizer(() => Effect.promise(() => deleteKeys(redisUrl, prefix)))
    const { child, port } = yield* Effect.acquireRelease(
      Effect.promise(() => startReceiver(slow.url, prefix, maxWaitMillis)),
      ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
    )
    yield* Effect.promise(() => closedLoop(port, 1000, 10_000_000))
    const sustainable = yield* Effect.promise(() => closedLoop(port, 2000, 20_000_000))
    const idleRss = rss(child.pid!)
    let peakRss = idleRss
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rss(child.pid!))
    }, 50)
    const answers = yield* Effect.promise(() => openLoop(port, 2 * sustainable, loadMillis)).pipe(
      Effect.ensuring(Effect.sync(() => clearInterval(sampler)))
    )
    return { name, sustainable, answers, idleRss, peakRss } satisfies Row
  }).pipe(Effect.scoped)

const program = Effect.gen(function* () {
  const ours = yield* measure("receiver (maxWait 1 s)", undefined)
  const baseline = yield* measure("receiver without admission", Number.POSITIVE_INFINITY)
  const count = (row: Row, status: Answer["status"]) => row.answers.filter((answer) => answer.status === status).length
  const p99 = (row: Row) =>
    percentile(
      Float64Array.from(row.answers.filter((answer) => answer.status === 200).map((answer) => answer.millis)).sort(),
      0.99
    )
  const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(0)
  console.log(
    `Redis behind a ${linkBytesPerSecond / 1000} KB/s link; open loop at 2 × the sustainable rate for ${loadMillis / 1000} s; given up after ${timeoutMillis / 1000} s\n`
  )
  const pad = (text: string, width: number) => text.padEnd(width)
  console.log(
    `${pad("receiver", 30)}${pad("S/s", 7)}${pad("offered", 9)}${pad("200", 7)}${pad("503", 7)}${pad("gave up", 9)}${pad("p99 ms", 8)}RSS MB`
  )
  for (const row of [ours, baseline]) {
    console.log(
      `${pad(row.name, 30)}${pad(row.sustainable.toFixed(0), 7)}${pad(String(row.answers.length), 9)}${pad(String(count(row, 200)), 7)}${pad(String(count(row, 503)), 7)}${pad(String(count(row, "gave up")), 9)}${pad(p99(row).toFixed(0), 8)}${megabytes(row.idleRss)} → ${megabytes(row.peakRss)}`
    )
  }
  const share = (row: Row, status: Answer["status"]) => (100 * count(row, status)) / row.answers.length
  const common = {
    bench: "receiver-overload",
    title: "Receiver under overload (twice what its queue can store)",
    about: `Deliveries offered open-loop at twice the rate the receiver sustains, its Redis queue behind a ${linkBytesPerSecond / 1000} KB/s link, for ${loadMillis / 1000} s; X gives up after 3 s. The baseline is the same receiver with its admission by time and in-flight bound turned off.`,
    case: ours.name,
    baseline: baseline.name
  }
  report({
    ...common,
    metric: "given up by X (no answer within 3 s), % of offered",
    better: "lower",
    value: share(ours, "gave up"),
    baselineValue: share(baseline, "gave up"),
    note: `503 with Retry-After: ${share(ours, 503).toFixed(0)} % vs ${share(baseline, 503).toFixed(0)} %`
  })
  report({
    ...common,
    metric: "answered 200 within 3 s, per second",
    better: "higher",
    value: count(ours, 200) / (loadMillis / 1000),
    baselineValue: count(baseline, 200) / (loadMillis / 1000),
    note: `sustainable: ${ours.sustainable.toFixed(0)}/s and ${baseline.sustainable.toFixed(0)}/s`
  })
  report({
    ...common,
    metric: "p99 time to 200, ms",
    better: "lower",
    value: p99(ours),
    baselineValue: p99(baseline)
  })
  report({
    ...common,
    metric: "peak resident memory above idle, MB",
    better: "lower",
    value: (ours.peakRss - ours.idleRss) / 2 ** 20,
    baselineValue: (baseline.peakRss - baseline.idleRss) / 2 ** 20
  })
})

Effect.runPromise(program).catch((error) => {
  console.error(error)
  process.exit(1)
})
