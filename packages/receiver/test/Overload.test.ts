/**
 * Overload: deliveries offered at twice the rate the queue can store. The queue is the real Redis behind a
 * link of limited bandwidth (`link` with `bytesPerSecond`), so its capacity is known and does not depend on how busy the
 * machine is; the receiver runs in a process of its own, so its memory can be read.
 */
import { EventQueue } from "@account-activity/queue"
import { RedisQueue } from "@account-activity/queue-redis"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { link } from "./utils/link.js"
import { type Answer, bodyOf, closedLoop, deleteKeys, openLoop, rss, startReceiver } from "./utils/overload.js"

const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379")
/** About 120 appends of 2 KB per second. */
const linkBytesPerSecond = 300_000

describe("overload", () => {
  it.scopedLive(
    "at twice what the queue can store: 200 in time or 503 with Retry-After, every 200 stored, memory bounded",
    () =>
      Effect.gen(function* () {
        const slow = yield* link(redisUrl, { bytesPerSecond: linkBytesPerSecond })
        const prefix = `aaa-overload-${process.pid}-${Date.now()}`
        yield* Effect.addFinalizer(() => Effect.promise(() => deleteKeys(redisUrl, prefix)))
        const { child, port } = yield* Effect.acquireRelease(
          Effect.promise(() => startReceiver(slow.url, prefix)),
          ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
        )

        // The sustainable rate: as fast as the receiver answers, 8 connections, 2 s after 1 s of warm-up.
        yield* Effect.promise(() => closedLoop(port, 1000, 1_000_000))
        const sustainable = yield* Effect.promise(() => closedLoop(port, 2000, 2_000_000))
        assert.isAbove(sustainable, 20, "the receiver stores almost nothing even without overload")

        // Twice that, open loop, for 4 s, while the receiver's memory is sampled.
        const rate = 2 * sustainable
        const idle = rss(child.pid!)
        let peak = idle
        const sampler = setInterval(() => {
          peak = Math.max(peak, rss(child.pid!))
        }, 50)
        const answers = yield* Effect.promise(() => openLoop(port, rate, 4000)).pipe(
          Effect.ensuring(Effect.sync(() => clearInterval(sampler)))
        )

        const count = (status: Answer["status"]) => answers.filter((answer) => answer.status === status).length
        const summary = `sustainable ${sustainable.toFixed(0)}/s, offered ${answers.length} at ${rate.toFixed(0)}/s: ${count(200)} × 200, ${count(503)} × 503, ${count("gave up")} given up; RSS ${(idle / 2 ** 20).toFixed(0)} → ${(peak / 2 ** 20).toFixed(0)} MB`
        console.log(summary)
        for (const answer of answers) {
          if (answer.status === 503) assert.isDefined(answer.retryAfter, "a 503 without Retry-After")
          else if (answer.status !== 200 && answer.status !== "gave up") assert.fail(`answered ${answer.status}`)
        }
        // The excess is refused at once, not answered after X's timeout.
        assert.isAbove(count(503), answers.length / 4, summary)
        assert.isBelow(count("gave up"), answers.length / 50, summary)
        // What the queue can store is still stored: most of the sustainable rate is answered 200.
        assert.isAbove(count(200), sustainable * 4 * 0.6, summary)
        // Memory stays bounded: the excess is not held.
        assert.isBelow(peak - idle, 64 * 2 ** 20, summary)

        // Every delivery answered 200 is in the queue (read directly, not through the slow link).
        const stored = yield* Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const bodies = new Set<string>()
          while (true) {
            const batch = yield* queue.receive({ consumer: "inspector", max: 500 })
            if (batch.length === 0) return bodies
            for (const message of batch) bodies.add(new TextDecoder().decode(message.body))
          }
        }).pipe(Effect.provide(RedisQueue.layer({ url: redisUrl.href, prefix })), Effect.scoped)
        for (const answer of answers) {
          if (answer.status === 200) {
            assert.isTrue(stored.has(bodyOf(answer.n)), `delivery ${answer.n} answered 200 is not stored`)
          }
        }
      }),
    60_000
  )
})
