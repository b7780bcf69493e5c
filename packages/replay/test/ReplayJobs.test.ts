import { Ids } from "@account-activity/core"
import { ReplayEngine } from "@account-activity/emulator"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, TestClock } from "effect"
import * as ReplayWindow from "../src/ReplayWindow.js"
import { EmulatorLive, eventually, MINUTE, realPause, setup, sleepingUntil, T0, tweet } from "./utils/harness.js"

const replayRequests = (log: ReadonlyArray<{ readonly url: string; readonly status: number }>) =>
  log.filter((entry) => entry.url.includes("/replay/"))

describe("ReplayJobs against the emulator", () => {
  it.scoped("a job is started, its replay_job_status arrives at the webhook, the run ends Complete", () =>
    Effect.gen(function* () {
      const { emulator, hook, jobs, userId, webhookId } = yield* setup()
      yield* tweet(userId)
      assert.strictEqual(hook.posts.length, 1)
      yield* TestClock.setTime(T0 + 40 * MINUTE)
      const result = yield* jobs.run(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE))
      assert.strictEqual(result.state, "Complete")
      assert.strictEqual(result.attempts, 1)
      assert.strictEqual(result.jobs.length, 1)
      const [job] = yield* emulator.replayJobs
      assert.strictEqual(result.jobs[0]!.jobId, job!.id)
      assert.strictEqual(job!.state, "Complete")
      assert.strictEqual(job!.fromDate, T0)
      assert.strictEqual(job!.toDate, T0 + 5 * MINUTE)
      // the tweet came again, then the status
      assert.strictEqual(hook.posts.length, 3)
      assert.strictEqual(hook.posts[1]!.body, hook.posts[0]!.body)
      assert.deepStrictEqual(
        hook.statuses.map((status) => [status.jobId, status.isComplete]),
        [[job!.id, true]]
      )
    }).pipe(Effect.provide(EmulatorLive))
  )

  it.scoped("an Incomplete job is replayed again after the backoff, and the second one completes", () =>
    Effect.gen(function* () {
      const { emulator, hook, jobs, userId, webhookId } = yield* setup()
      yield* tweet(userId)
      const now = T0 + 40 * MINUTE
      yield* TestClock.setTime(now)
      // the replayed tweet is answered 500: X ends the job Incomplete
      hook.answerNext(500)
      const fiber = yield* Effect.fork(jobs.run(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE)))
      yield* eventually(
        "the Incomplete status",
        Effect.sync(() => hook.statuses.length === 1)
      )
      assert.isFalse(hook.statuses[0]!.isComplete)
      // the default backoff: 1 minute on the clock, and no second job before it
      yield* sleepingUntil(now + MINUTE)
      assert.strictEqual((yield* emulator.replayJobs).length, 1)
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.state, "Complete")
      assert.strictEqual(result.attempts, 2)
      const all = yield* emulator.replayJobs
      assert.deepStrictEqual(
        result.jobs.map((job) => [job.jobId, job.state]),
        all.map((job) => [job.id, job.state])
      )
      assert.deepStrictEqual(
        all.map((job) => job.state),
        ["Incomplete", "Complete"]
      )
      // the same window both times
      assert.isTrue(all.every((job) => job.fromDate === T0 && job.toDate === T0 + 5 * MINUTE))
    }).pipe(Effect.provide(EmulatorLive))
  )

  it.scoped("Incomplete every time: the run stops after maxAttempts and says so", () =>
    Effect.gen(function* () {
      const { emulator, hook, jobs, userId, webhookId } = yield* setup()
      yield* tweet(userId)
      yield* TestClock.setTime(T0 + 40 * MINUTE)
      hook.answerNext(500, 200, 500)
      const result = yield* jobs.run(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE), {
        maxAttempts: 2,
        backoff: 0
      })
      assert.strictEqual(result.state, "Incomplete")
      assert.strictEqual(result.attempts, 2)
      assert.deepStrictEqual(
        result.jobs.map((job) => job.state),
        ["Incomplete", "Incomplete"]
      )
      assert.strictEqual((yield* emulator.replayJobs).length, 2)
    }).pipe(Effect.provide(EmulatorLive))
  )

  it.scoped("a second run for the same webhook waits for the first job to end: X never answers 355", () =>
    Effect.gen(function* () {
      const { emulator, hook, jobs, userId, webhookId } = yield* setup()
      yield* tweet(userId)
      yield* TestClock.adjust(6 * MINUTE)
      yield* tweet(userId)
      yield* TestClock.setTime(T0 + 40 * MINUTE)
      // the first job's first replayed event is held: the job runs until the webhook answers
      hook.holdNext()
      // a run that meets 355 fails at once
      const options = { inProgressTimeout: 0 }
      const first = yield* Effect.fork(jobs.run(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE), options))
      yield* eventually(
        "the first job's replayed event",
        Effect.sync(() => hook.held() === 1)
      )
      const second = yield* Effect.fork(
        jobs.run(webhookId, ReplayWindow.make(T0 + 5 * MINUTE, T0 + 10 * MINUTE), options)
      )
      yield* realPause(50)
      assert.strictEqual((yield* emulator.replayJobs).length, 1, "the second run waits")
      hook.release()
      const [a, b] = [yield* Fiber.join(first), yield* Fiber.join(second)]
      assert.strictEqual(a.state, "Complete")
      assert.strictEqual(b.state, "Complete")
      const all = yield* emulator.replayJobs
      assert.deepStrictEqual(
        all.map((job) => [job.id, job.fromDate]),
        [
          [a.jobs[0]!.jobId, T0],
          [b.jobs[0]!.jobId, T0 + 5 * MINUTE]
        ]
      )
      const requests = replayRequests(yield* emulator.requestLog)
      assert.deepStrictEqual(
        requests.map((entry) => entry.status),
        [202, 202]
      )
    }).pipe(Effect.provide(EmulatorLive))
  )

  it.scoped("a status that arrives before the Replay request has answered is not missed", () =>
    Effect.gen(function* () {
      const statusSeen = yield* Deferred.make<void>()
      // the answer of the replay request is held until the job's status event has reached the webhook
      const { hook, jobs, webhookId } = yield* setup({
        http: HttpClient.transformResponse(
          Effect.tap((response) =>
            response.request.url.includes("/replay/") ? Deferred.await(statusSeen) : Effect.void
          )
        )
      })
      yield* TestClock.setTime(T0 + 40 * MINUTE)
      const fiber = yield* Effect.fork(
        jobs.run(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE), { maxAttempts: 1, statusTimeout: "10 minutes" })
      )
      yield* eventually(
        "the status event",
        Effect.sync(() => hook.statuses.length === 1)
      )
      yield* Deferred.succeed(statusSeen, undefined)
      yield* realPause(50)
      // were the early status lost, the run would time out once the clock passes 10 minutes
      yield* TestClock.adjust("10 minutes")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.state, "Complete")
      assert.strictEqual(result.jobs[0]!.jobId, hook.statuses[0]!.jobId)
    }).pipe(Effect.provide(EmulatorLive))
  )

  it.scoped("no status at all: the run times out on the clock and reports TimedOut", () =>
    Effect.gen(function* () {
      const { hook, jobs, webhookId } = yield* setup()
      hook.setJobs({ ...jobs, statusReceived: () => Effect.void })
      const now = T0 + 40 * MINUTE
      yield* TestClock.setTime(now)
      const fiber = yield* Effect.fork(
        jobs.run(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE), { maxAttempts: 1, statusTimeout: "10 minutes" })
      )
      yield* sleepingUntil(now + 10 * MINUTE)
      yield* TestClock.adjust("10 minutes")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.state, "TimedOut")
      assert.strictEqual(result.jobs.length, 1)
    }).pipe(Effect.provide(EmulatorLive))
  )

  it.scoped("start checks the window locally, and maps X's refusals to typed errors", () =>
    Effect.gen(function* () {
      const { emulator, hook, jobs, userId, webhookId } = yield* setup()
      yield* tweet(userId)
      yield* TestClock.setTime(T0 + 40 * MINUTE)
      // too recent: refused here, nothing sent
      const local = yield* Effect.flip(jobs.start(webhookId, ReplayWindow.make(T0 + 20 * MINUTE, T0 + 30 * MINUTE)))
      assert.strictEqual(local._tag, "ReplayWindowError")
      assert.strictEqual(local._tag === "ReplayWindowError" && local.reason, "FromTooRecent")
      assert.strictEqual(replayRequests(yield* emulator.requestLog).length, 0)
      // 355 while a job runs
      hook.holdNext()
      const running = yield* jobs.start(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE))
      const busy = yield* Effect.flip(jobs.start(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE)))
      assert.strictEqual(busy._tag === "ReplayError" && busy.reason, "InProgress")
      assert.include(busy.message, "already in progress")
      // 34: unknown webhook
      const unknown = yield* Effect.flip(jobs.start(Ids.WebhookId.make("1234"), ReplayWindow.make(T0, T0 + MINUTE)))
      assert.strictEqual(unknown._tag === "ReplayError" && unknown.reason, "WebhookNotFound")
      // the held job is still the only one, and it ends
      hook.release()
      const engine = yield* ReplayEngine.ReplayEngine
      assert.strictEqual((yield* engine.awaitJob(running.jobId)).state, "Complete")
      assert.deepStrictEqual(yield* jobs.awaitStatus(running.jobId, "1 minute"), Option.some("Complete" as const))
    }).pipe(Effect.provide(EmulatorLive))
  )

  it.scoped("an invalid webhook is WebhookInvalid, and run does not retry it", () =>
    Effect.gen(function* () {
      const { emulator, hook, jobs, webhookId } = yield* setup()
      yield* TestClock.setTime(T0 + 40 * MINUTE)
      // a failed CRC marks the webhook invalid
      hook.failCrc(true)
      const checked = yield* Effect.orDie(emulator.checkWebhook(webhookId, "put"))
      assert.isFalse(checked.valid)
      const error = yield* Effect.flip(jobs.run(webhookId, ReplayWindow.make(T0, T0 + 5 * MINUTE)))
      assert.strictEqual(error._tag === "ReplayError" && error.reason, "WebhookInvalid")
      assert.include(error.message, "CRC")
      assert.strictEqual(replayRequests(yield* emulator.requestLog).length, 1)
      assert.strictEqual((yield* emulator.replayJobs).length, 0)
    }).pipe(Effect.provide(EmulatorLive))
  )
})
