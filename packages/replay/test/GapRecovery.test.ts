import { Deliveries } from "@account-activity/emulator"
import { Journal, Lock, MemoryJournal, MemoryLock } from "@account-activity/queue"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Exit, Layer, Logger, Scope, TestClock } from "effect"
import * as GapRecovery from "../src/GapRecovery.js"
import * as ReplayJobs from "../src/ReplayJobs.js"
import * as ReplayWindow from "../src/ReplayWindow.js"
import { EmulatorLive, eventually, MINUTE, realPause, type Setup, setup, T0, tweet } from "./utils/harness.js"

const DAY = 24 * 60 * MINUTE

const millis = (w: ReplayWindow.ReplayWindow) => [DateTime.toEpochMillis(w.from), DateTime.toEpochMillis(w.to)]

/**
 * The receiver ran [T0, T0+10m] and [T0+20m, T0+60m]; during the hole the emulator sent a Tweet that nobody
 * received (a dropped delivery: X believes it sent it, so Replay has it). The clock is at T0+60m.
 */
const withHole = (s: Setup) =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    yield* journal.record({ kind: "receiver", key: "receiver-1", from: T0, to: T0 + 10 * MINUTE })
    yield* journal.record({ kind: "receiver", key: "receiver-2", from: T0 + 20 * MINUTE, to: T0 + 60 * MINUTE })
    yield* TestClock.setTime(T0 + 15 * MINUTE)
    yield* s.deliveries.inject(Deliveries.drop)
    yield* tweet(s.userId)
    const dropped = (yield* s.deliveries.records)[0]!
    assert.strictEqual(dropped.outcome, "Dropped")
    assert.strictEqual(s.hook.posts.length, 0)
    yield* TestClock.setTime(T0 + 60 * MINUTE)
    return dropped.body
  })

const provided = (s: Setup) => Effect.provideService(ReplayJobs.ReplayJobs, s.jobs)

describe("GapRecovery.runOnce against the emulator", () => {
  it.scoped("a hole in the journal is replayed, recorded as recovered, and the next round does nothing", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      const body = yield* withHole(s)
      const journal = yield* Journal.Journal
      const report = yield* GapRecovery.runOnce({ webhookId: s.webhookId }).pipe(provided(s))
      const hole = [T0 + 9 * MINUTE, T0 + 21 * MINUTE]
      assert.deepStrictEqual(report.gaps.map(millis), [hole])
      assert.deepStrictEqual(
        report.recovered.map((r) => [millis(r.window), r.result.state]),
        [[hole, "Complete"]]
      )
      assert.deepStrictEqual(report.pending, [])
      assert.deepStrictEqual(report.lost, [])
      // the webhook got the missed Tweet, then the job's status
      assert.deepStrictEqual(
        s.hook.posts.map((post) => post.body),
        [body, s.hook.posts[1]!.body]
      )
      assert.strictEqual(s.hook.statuses.length, 1)
      const [job] = yield* s.emulator.replayJobs
      assert.deepStrictEqual([job!.fromDate, job!.toDate, job!.state], [...hole, "Complete"])
      assert.deepStrictEqual(yield* journal.list("recovered", 0), [
        { kind: "recovered", key: s.webhookId, from: hole[0]!, to: hole[1]! - 1 }
      ])
      // five minutes later (the receiver kept beating), the second round finds nothing to do
      yield* TestClock.adjust(5 * MINUTE)
      yield* journal.extend("receiver", "receiver-2", T0 + 65 * MINUTE, MINUTE * 10)
      const again = yield* GapRecovery.runOnce({ webhookId: s.webhookId }).pipe(provided(s))
      assert.deepStrictEqual([again.gaps, again.recovered, again.pending, again.lost], [[], [], [], []])
      assert.strictEqual((yield* s.emulator.replayJobs).length, 1)
      assert.strictEqual(s.hook.posts.length, 2)
    }).pipe(Effect.provide(Layer.merge(EmulatorLive, MemoryJournal.layer)))
  )

  it.scoped("too recent is pending with its time, older than 5 days is lost and logged, Incomplete stays a gap", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      yield* withHole(s)
      const journal = yield* Journal.Journal
      // a receiver six days ago, down for an hour; and the current receiver stopped 20 minutes ago
      yield* journal.record({ kind: "receiver", key: "old", from: T0 - 6 * DAY, to: T0 - 6 * DAY + 60 * MINUTE })
      yield* journal.record({ kind: "receiver", key: "old", from: T0 - 6 * DAY + 120 * MINUTE, to: T0 })
      yield* TestClock.setTime(T0 + 80 * MINUTE)
      // the replayed Tweet is answered 500: the job ends Incomplete, each time
      s.hook.answerNext(500, 200, 500)
      const logs: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") logs.push(String(Array.isArray(message) ? message[0] : message))
      })
      const report = yield* GapRecovery.runOnce({
        webhookId: s.webhookId,
        run: { maxAttempts: 2, backoff: 0 }
      }).pipe(provided(s), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      const lost = [T0 - 6 * DAY + 59 * MINUTE, T0 - 6 * DAY + 121 * MINUTE]
      assert.deepStrictEqual(report.lost.map(millis), [lost])
      assert.isTrue(
        logs.some(
          (line) => line.includes(ReplayWindow.format(ReplayWindow.make(lost[0]!, lost[1]!))) && line.includes("5 days")
        ),
        logs.join("\n")
      )
      assert.deepStrictEqual(report.recovered, [])
      const now = T0 + 80 * MINUTE
      assert.deepStrictEqual(
        report.pending.map((p) => [millis(p.window), p.reason, DateTime.toEpochMillis(p.retryAt)]),
        [
          // the hole: Incomplete twice, tried again in 5 minutes
          [[T0 + 9 * MINUTE, T0 + 21 * MINUTE], "Incomplete", now + 5 * MINUTE],
          // the current receiver stopped at T0+60m: examined up to now - 2 min, widened by 1 min
          [[T0 + 59 * MINUTE, T0 + 79 * MINUTE], "TooRecent", T0 + 59 * MINUTE + 31 * MINUTE + MINUTE]
        ]
      )
      assert.strictEqual((yield* s.emulator.replayJobs).length, 2)
      assert.deepStrictEqual(yield* journal.list("recovered", 0), [])
    }).pipe(Effect.provide(Layer.merge(EmulatorLive, MemoryJournal.layer)))
  )
})

describe("GapRecovery.layer", () => {
  it.scoped('runs rounds only while it holds the lock "replay", and releases it when its scope closes', () =>
    Effect.gen(function* () {
      const s = yield* setup()
      yield* withHole(s)
      const journal = yield* Journal.Journal
      const lock = yield* Lock.Lock
      assert.isTrue(yield* lock.acquire(GapRecovery.lockName, "other-worker", "10 minutes"))
      const scope = yield* Scope.make()
      const live = GapRecovery.layer({ webhookId: s.webhookId, interval: "1 minute", owner: "this-worker" }).pipe(
        Layer.provide(Layer.succeed(ReplayJobs.ReplayJobs, s.jobs))
      )
      yield* Layer.buildWithScope(live, scope)
      // the first round runs at once, but the lock is taken: nothing happens
      yield* realPause(100)
      assert.strictEqual((yield* s.emulator.replayJobs).length, 0)
      // the other worker lets go; the next round takes the lock and recovers the hole
      yield* lock.release(GapRecovery.lockName, "other-worker")
      yield* TestClock.adjust("1 minute")
      yield* eventually(
        "a recovered span",
        Effect.map(journal.list("recovered", 0), (spans) => spans.length === 1)
      )
      assert.strictEqual((yield* s.emulator.replayJobs).length, 1)
      assert.isFalse(yield* lock.acquire(GapRecovery.lockName, "other-worker", "10 minutes"), "held by the layer")
      // the next round finds nothing more to do
      yield* TestClock.adjust("1 minute")
      yield* realPause(100)
      assert.strictEqual((yield* s.emulator.replayJobs).length, 1)
      yield* Scope.close(scope, Exit.void)
      assert.isTrue(yield* lock.acquire(GapRecovery.lockName, "other-worker", "10 minutes"), "released")
    }).pipe(Effect.provide(Layer.mergeAll(EmulatorLive, MemoryJournal.layer, MemoryLock.layer)))
  )

  it.scoped("without a Lock in context every round runs", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      yield* withHole(s)
      const journal = yield* Journal.Journal
      yield* Layer.build(
        GapRecovery.layer({ webhookId: s.webhookId, interval: "1 minute" }).pipe(
          Layer.provide(Layer.succeed(ReplayJobs.ReplayJobs, s.jobs))
        )
      )
      yield* eventually(
        "a recovered span",
        Effect.map(journal.list("recovered", 0), (spans) => spans.length === 1)
      )
      assert.strictEqual((yield* s.emulator.replayJobs).length, 1)
    }).pipe(Effect.provide(Layer.merge(EmulatorLive, MemoryJournal.layer)))
  )
})
