/**
 * The replay engine of the emulator: it runs every job the replay endpoint accepts, in the background, the way
 * X describes Replay:
 *
 * 1. a CRC of the webhook first ("We do perform a CRC before delivering replay events"): a failed CRC marks the
 *    webhook invalid and the job ends `Incomplete` with nothing replayed;
 * 2. every live delivery to that webhook attempted in `[from_date, to_date)` (delivered or not: "events will
 *    only be replayed if a previous delivery of them was attempted"), oldest first, one after another, each sent
 *    once with its original body and a fresh signature, never retried;
 * 3. the job's state: `Complete` when every replayed delivery was answered `200`, otherwise `Incomplete`; then
 *    the `replay_job_status` event with that state, delivered to the webhook (once, like replayed events).
 *
 * The state is set before the `replay_job_status` event is sent, so a receiver that requests the next job as soon
 * as it sees the event is not refused with 409. Jobs of different webhooks run side by side.
 *
 * @since 0.1.0
 */
import { Context, Deferred, Effect, FiberSet, Layer, Option, type Scope } from "effect"
import * as Deliveries from "./Deliveries.js"
import * as Emulator from "./Emulator.js"
import * as Generator from "./Generator.js"

/**
 * What a finished job did.
 *
 * - `crc`: what the CRC before the replay found (`None` when the webhook no longer existed);
 * - `replayed`: how many deliveries were sent again, `delivered` how many of them were answered `200`;
 * - `state`: the job's final state;
 * - `statusEvent`: how the delivery of the `replay_job_status` event ended (`None` when none was sent: the job
 *   had already been ended by hand or by deleting its webhook).
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly jobId: string
  readonly webhookId: string
  readonly crc: Option.Option<Emulator.CrcOutcome>
  readonly replayed: number
  readonly delivered: number
  readonly state: Exclude<Emulator.ReplayJobState, "Running">
  readonly statusEvent: Option.Option<Deliveries.Outcome>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The reports of the jobs finished so far, in the order they finished. */
  readonly reports: Effect.Effect<ReadonlyArray<Report>>
  /** Waits for a job started by this engine to finish and answers its report. */
  readonly awaitJob: (jobId: string) => Effect.Effect<Report, Emulator.EmulatorError>
  /** How many jobs are running. */
  readonly inFlight: Effect.Effect<number>
  /** Waits until no job is running. With a `TestClock`, a job waiting on a slow receiver needs the clock moved. */
  readonly awaitIdle: Effect.Effect<void>
}

/**
 * The replay engine.
 *
 * @since 0.1.0
 * @category tags
 */
export class ReplayEngine extends Context.Tag("@account-activity/emulator/ReplayEngine")<ReplayEngine, Service>() {}

const isRunning = (emulator: Emulator.Service, jobId: string) =>
  Effect.map(Effect.option(emulator.replayJob(jobId)), (job) => Option.exists(job, (j) => j.state === "Running"))

const stateOf = (emulator: Emulator.Service, job: Emulator.ReplayJob) =>
  Effect.map(
    Effect.option(emulator.replayJob(job.id)),
    (found): Exclude<Emulator.ReplayJobState, "Running"> =>
      Option.match(found, {
        onNone: () => "Incomplete",
        onSome: (current) => (current.state === "Running" ? "Incomplete" : current.state)
      })
  )

/**
 * Runs one job to its end: CRC, redelivery, state, `replay_job_status`. Never fails.
 */
const runJob = (
  emulator: Emulator.Service,
  deliveries: Deliveries.Service,
  job: Emulator.ReplayJob
): Effect.Effect<Report> =>
  Effect.gen(function* () {
    const base = { jobId: job.id, webhookId: job.webhookId }
    const checked = yield* Effect.option(emulator.checkWebhook(job.webhookId, "replay"))
    if (Option.isNone(checked)) {
      // the webhook was deleted, which already ended the job
      const state = yield* stateOf(emulator, job)
      return { ...base, crc: Option.none(), replayed: 0, delivered: 0, state, statusEvent: Option.none() }
    }
    const webhook = checked.value
    const crc = webhook.lastCrc.outcome
    const { consumerSecret } = yield* Effect.orDie(emulator.app(job.appId))
    const target = { webhookId: webhook.id, url: webhook.url, consumerSecret, replayJobId: job.id }
    let replayed = 0
    let delivered = 0
    let total = 0
    if (crc === "Ok") {
      const records = (yield* deliveries.attemptedBetween(job.fromDate, job.toDate)).filter(
        (record) => record.webhookId === job.webhookId
      )
      total = records.length
      for (const record of records) {
        if (!(yield* isRunning(emulator, job.id))) break
        const handle = yield* deliveries.deliver({
          ...target,
          body: record.body,
          forUserId: record.forUserId,
          activityId: record.activityId
        })
        replayed++
        if ((yield* handle.await) === "Delivered") delivered++
      }
    }
    const state: Report["state"] = crc === "Ok" && delivered === total ? "Complete" : "Incomplete"
    if (!(yield* isRunning(emulator, job.id))) {
      // ended by hand or by deleting the webhook while it ran: no completion event
      const ended = yield* stateOf(emulator, job)
      return { ...base, crc: Option.some(crc), replayed, delivered, state: ended, statusEvent: Option.none() }
    }
    yield* Effect.orDie(emulator.completeReplayJob(job.id, state))
    const status = yield* deliveries.deliver({
      ...target,
      body: Generator.replayJobStatusBody({ webhookId: webhook.id, jobId: job.id, state }),
      forUserId: "",
      activityId: job.id
    })
    const statusEvent = Option.some(yield* status.await)
    return { ...base, crc: Option.some(crc), replayed, delivered, state, statusEvent }
  }).pipe(
    Effect.catchAllCause((cause) =>
      Effect.gen(function* () {
        yield* Effect.logError("a replay job stopped on a defect", cause).pipe(
          Effect.annotateLogs({ jobId: job.id, webhookId: job.webhookId })
        )
        if (yield* isRunning(emulator, job.id)) yield* Effect.ignore(emulator.completeReplayJob(job.id, "Incomplete"))
        return {
          jobId: job.id,
          webhookId: job.webhookId,
          crc: Option.none(),
          replayed: 0,
          delivered: 0,
          state: "Incomplete" as const,
          statusEvent: Option.none()
        } satisfies Report
      })
    )
  )

/**
 * Builds the engine and registers it with the emulator: from then on every accepted replay job runs in the
 * background, in the scope of the caller of `make` (the layer's scope). Needs the delivery engine wired to the
 * emulator (`Server.layerDeliveries`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, Emulator.Emulator | Deliveries.Deliveries | Scope.Scope> = Effect.gen(
  function* () {
    const emulator = yield* Emulator.Emulator
    const deliveries = yield* Deliveries.Deliveries
    const fibers = yield* FiberSet.make<unknown, never>()
    // jobs run on the engine's runtime: the replay endpoint's handler runs uninterruptibly, its jobs must not
    const fork = yield* FiberSet.runtime(fibers)<never>()
    const reports: Array<Report> = []
    const running = new Map<string, Deferred.Deferred<Report>>()

    yield* emulator.onReplayJobAccepted((job) =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<Report>()
        running.set(job.id, done)
        const program = runJob(emulator, deliveries, job).pipe(
          Effect.tap((report) => Effect.sync(() => reports.push(report))),
          Effect.flatMap((report) => Deferred.succeed(done, report)),
          Effect.onInterrupt(() => Deferred.interrupt(done)),
          Effect.ensuring(Effect.sync(() => running.delete(job.id)))
        )
        yield* Effect.sync(() => fork(program))
      })
    )

    return ReplayEngine.of({
      reports: Effect.sync(() => reports.slice()),
      awaitJob: (jobId) =>
        Effect.suspend(() => {
          const finished = reports.find((report) => report.jobId === jobId)
          if (finished !== undefined) return Effect.succeed(finished)
          const pending = running.get(jobId)
          if (pending !== undefined) return Deferred.await(pending).pipe(Effect.orDie)
          return Effect.fail(new Emulator.EmulatorError({ reason: "UnknownReplayJob", id: jobId }))
        }),
      inFlight: FiberSet.size(fibers),
      awaitIdle: FiberSet.awaitEmpty(fibers)
    })
  }
)

/**
 * The engine as a layer: provide it on top of the emulator and its delivery engine
 * (`Server.layerDeliveries()`), as `Server.layerReplay` does. Its jobs stop when the layer's scope closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ReplayEngine, never, Emulator.Emulator | Deliveries.Deliveries> = Layer.scoped(
  ReplayEngine,
  make
)
