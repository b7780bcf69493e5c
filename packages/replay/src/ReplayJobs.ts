/**
 * Replay jobs, run to their end: start a job, wait for its `replay_job_status` event, retry the window when it
 * ends `Incomplete`, and never run two jobs of one webhook at once.
 *
 * X answers a Replay request with a job id only; the end of the job arrives later at the webhook, as a
 * `replay_job_status` delivery that goes through the receiver and the queue like any event. So the worker
 * that consumes events hands every `ReplayJobStatus` event to {@link Service.statusReceived}, and
 * {@link Service.run} waits for it. A status that arrives before the Replay request has even answered is kept
 * until someone waits for its job.
 *
 * X runs one job per webhook at a time and refuses another with code 355 while one runs. `run` takes a
 * per-webhook semaphore, so the jobs of one process never collide; across processes, the caller holds a
 * `Lock` (as `GapRecovery.layer` does). When X still answers 355 (a job started elsewhere, or one whose answer
 * was lost), `run` waits and asks again.
 *
 * Time comes from `Clock`: every wait is a `Clock` sleep, so tests drive it with `TestClock`.
 *
 * @since 0.1.0
 */
import { AccountActivityClient } from "@account-activity/client"
import { type ActivityEvent, type Ids, Rest } from "@account-activity/core"
import { Context, DateTime, Deferred, Duration, Effect, Either, Layer, Option, Schema } from "effect"
import * as ReplayWindow from "./ReplayWindow.js"

// -----------------------------------------------------------------------------
// Errors
// -----------------------------------------------------------------------------

/**
 * Why a Replay request failed:
 *
 * - `InProgress`: X kept answering that a job of this webhook is running (code 355);
 * - `InvalidWindow`: X refused the dates though they passed the local check (codes 356–368): usually this
 *   host's clock is off;
 * - `WebhookInvalid`: the webhook is marked invalid (code 214): it must pass a CRC (PUT) first;
 * - `WebhookNotFound`: no such webhook for this app (code 34);
 * - `Forbidden`: the credentials or the account may not use Replay (codes 32, 61, 200, …);
 * - `RateLimited`: more than 5 replay requests in 15 minutes (code 88);
 * - `Unavailable`: X failed (5xx) or did not answer: a job may or may not have started;
 * - `Unexpected`: any other answer.
 *
 * @since 0.1.0
 * @category errors
 */
export const ErrorReason = Schema.Literal(
  "InProgress",
  "InvalidWindow",
  "WebhookInvalid",
  "WebhookNotFound",
  "Forbidden",
  "RateLimited",
  "Unavailable",
  "Unexpected"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type ErrorReason = typeof ErrorReason.Type

const advice: { readonly [R in ErrorReason]: string } = {
  InProgress:
    'another replay job of this webhook is still running (started by another process, or by a request whose answer was lost). Wait for its replay_job_status event, and make sure only one process runs Replay (hold the Lock named "replay")',
  InvalidWindow:
    "X refused the dates although they pass X's documented rules on this host's clock. Check that this host's clock is synchronized (NTP), or plan with a larger skew",
  WebhookInvalid:
    "the webhook is marked invalid, and X replays nothing to an invalid webhook. Make it pass a CRC check (PUT the webhook, e.g. AccountActivityClient.validateWebhook), then replay",
  WebhookNotFound: "the webhook does not exist or belongs to another app. Check the webhook id (list the webhooks)",
  Forbidden:
    "X refused the credentials for Replay. Replay needs the app-only Bearer token and an enterprise account with Replay enabled",
  RateLimited: "X allows 5 replay requests per 15 minutes. Wait for the window to reset, then retry",
  Unavailable:
    "X failed or did not answer, so a job may have started anyway. Retry later: X answers code 355 while such a job runs",
  Unexpected: "X answered something this package does not expect of the Replay endpoint. Read the detail"
}

/**
 * A Replay request for `window` of webhook `webhookId` failed. `detail` is what the client said, `retryAt` when
 * X said when to retry (rate limits), `cause` the client's error.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReplayError extends Schema.TaggedError<ReplayError>("@account-activity/replay/ReplayError")(
  "ReplayError",
  {
    reason: ErrorReason,
    webhookId: Schema.String,
    from: Schema.DateTimeUtcFromSelf,
    to: Schema.DateTimeUtcFromSelf,
    detail: Schema.optionalWith(Schema.String, { exact: true }),
    retryAt: Schema.optionalWith(Schema.DateTimeUtcFromSelf, { exact: true }),
    cause: Schema.optional(Schema.Defect)
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const window = ReplayWindow.format({ from: this.from, to: this.to })
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    return `Replay of ${window} for webhook ${this.webhookId} failed${detail}: ${advice[this.reason]}.`
  }
}

const reasonOf = (error: AccountActivityClient.ClientError): ErrorReason => {
  switch (error._tag) {
    case "ReplayInProgress":
      return "InProgress"
    case "InvalidReplayDates":
      return "InvalidWindow"
    case "CrcFailed":
      return "WebhookInvalid"
    case "WebhookNotFound":
    case "NotFound":
      return "WebhookNotFound"
    case "Unauthorized":
      return "Forbidden"
    case "RateLimited":
      return "RateLimited"
    case "ServerError":
    case "TransportError":
      return "Unavailable"
    default:
      return "Unexpected"
  }
}

const fromClientError = (
  error: AccountActivityClient.ClientError,
  webhookId: Ids.WebhookId,
  window: ReplayWindow.ReplayWindow
): ReplayError =>
  new ReplayError({
    reason: reasonOf(error),
    webhookId,
    from: window.from,
    to: window.to,
    detail: error.message,
    ...(error._tag === "RateLimited" && error.resetAt !== undefined ? { retryAt: error.resetAt } : {}),
    cause: error
  })

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * A job X accepted.
 *
 * @since 0.1.0
 * @category models
 */
export interface Job {
  readonly jobId: Ids.JobId
  readonly webhookId: Ids.WebhookId
  readonly window: ReplayWindow.ReplayWindow
  /** X's `created_at`, or the local time when X's was not readable. */
  readonly createdAt: DateTime.Utc
}

/**
 * How a job ended: X's `job_state` (`"Complete"`, or `"Incomplete"`: anything else counts as `"Incomplete"`),
 * or `"TimedOut"` when no status arrived within `statusTimeout`.
 *
 * @since 0.1.0
 * @category models
 */
export type JobState = "Complete" | "Incomplete" | "TimedOut"

/**
 * One job of a {@link Service.run}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attempt {
  readonly jobId: Ids.JobId
  readonly createdAt: DateTime.Utc
  readonly state: JobState
}

/**
 * What {@link Service.run} did: the jobs it started, oldest first, the Replay requests it sent (`attempts`,
 * those answered 355 not counted) and the state of the last job.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunResult {
  readonly webhookId: Ids.WebhookId
  readonly window: ReplayWindow.ReplayWindow
  readonly jobs: ReadonlyArray<Attempt>
  readonly attempts: number
  readonly state: JobState
}

/**
 * How {@link Service.run} retries and waits.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** How long to wait for a job's `replay_job_status` event. Default: 1 hour. */
  readonly statusTimeout?: Duration.DurationInput | undefined
  /**
   * How many Replay requests at most: a job that ends `Incomplete` or without a status, a `5xx`, a lost answer
   * or a rate limit uses one. Default: 3.
   */
  readonly maxAttempts?: number | undefined
  /** The wait before the second request; each next wait doubles, up to 30 minutes. Default: 1 minute. */
  readonly backoff?: Duration.DurationInput | undefined
  /** How often to ask again while X answers 355 (a job is in progress). Default: 1 minute. */
  readonly inProgressPoll?: Duration.DurationInput | undefined
  /** How long to keep asking while X answers 355, before failing with `InProgress`. Default: 1 hour. */
  readonly inProgressTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Requests one Replay job, once: checks the window locally first (`ReplayWindowError`, nothing sent), then
   * sends it. Does not wait for the job, and does not take the webhook's semaphore: prefer {@link run}.
   */
  readonly start: (
    webhookId: Ids.WebhookId,
    window: ReplayWindow.ReplayWindow
  ) => Effect.Effect<Job, ReplayWindow.ReplayWindowError | ReplayError>
  /**
   * Hands over a `replay_job_status` event. The worker calls it for every `ReplayJobStatus` event it consumes
   * (duplicates are harmless); a job nobody waits for yet keeps its status until someone does.
   */
  readonly statusReceived: (event: ActivityEvent.ReplayJobStatus) => Effect.Effect<void>
  /** Waits up to `timeout` for the status of a job; `None` when it did not arrive in time. */
  readonly awaitStatus: (
    jobId: Ids.JobId,
    timeout: Duration.DurationInput
  ) => Effect.Effect<Option.Option<"Complete" | "Incomplete">>
  /**
   * Replays a window to its end, one job of the webhook at a time in this process: starts a job, waits for its
   * status, starts the same window again after an `Incomplete` or missing status (with backoff, up to
   * `maxAttempts` requests), waits while X answers 355. Succeeds with the last state, even `Incomplete`; fails
   * on a window X would refuse and on errors a retry cannot fix.
   */
  readonly run: (
    webhookId: Ids.WebhookId,
    window: ReplayWindow.ReplayWindow,
    options?: RunOptions
  ) => Effect.Effect<RunResult, ReplayWindow.ReplayWindowError | ReplayError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ReplayJobs extends Context.Tag("@account-activity/replay/ReplayJobs")<ReplayJobs, Service>() {}

// -----------------------------------------------------------------------------
// Constructors
// -----------------------------------------------------------------------------

/**
 * The defaults of {@link RunOptions}.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults = {
  statusTimeout: Duration.hours(1),
  maxAttempts: 3,
  backoff: Duration.minutes(1),
  inProgressPoll: Duration.minutes(1),
  inProgressTimeout: Duration.hours(1)
} as const

const MAX_BACKOFF = Duration.toMillis(Duration.minutes(30))

/** Statuses kept for jobs nobody waits for yet. */
const EARLY_STATUSES = 1024

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.Duration): number => {
  const value = Duration.toMillis(Duration.decode(input ?? fallback))
  return Number.isNaN(value) ? Duration.toMillis(fallback) : Math.max(0, value)
}

const sleepMillis = (wait: number): Effect.Effect<void> =>
  wait > 0 && Number.isFinite(wait) ? Effect.sleep(Duration.millis(wait)) : Effect.void

/**
 * Builds the service on the `AccountActivityClient` in context. `options` are the defaults of every `run`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: RunOptions = {}
): Effect.Effect<Service, never, AccountActivityClient.AccountActivityClient> =>
  Effect.gen(function* () {
    const client = yield* AccountActivityClient.AccountActivityClient
    const waiting = new Map<string, Deferred.Deferred<"Complete" | "Incomplete">>()
    const early = new Map<string, "Complete" | "Incomplete">()
    const semaphores = new Map<string, Effect.Semaphore>()

    const semaphore = (webhookId: string): Effect.Semaphore => {
      let found = semaphores.get(webhookId)
      if (found === undefined) {
        found = Effect.unsafeMakeSemaphore(1)
        semaphores.set(webhookId, found)
      }
      return found
    }

    const start = (webhookId: Ids.WebhookId, window: ReplayWindow.ReplayWindow) =>
      Effect.gen(function* () {
        const now = yield* DateTime.now
        yield* ReplayWindow.validate(window, now)
        const created = yield* client
          .replay(webhookId, window)
          .pipe(Effect.mapError((error) => fromClientError(error, webhookId, window)))
        const job: Job = {
          jobId: created.job_id,
          webhookId,
          window,
          createdAt: Option.getOrElse(Rest.replayJobCreatedAt(created), () => now)
        }
        yield* Effect.logDebug(`replay job ${job.jobId} started for ${ReplayWindow.format(window)}`)
        return job
      }).pipe(Effect.annotateLogs({ webhookId }))

    const statusReceived = (event: ActivityEvent.ReplayJobStatus) =>
      Effect.suspend(() => {
        const state = event.isComplete ? "Complete" : "Incomplete"
        const jobId: string = event.jobId
        const waiter = waiting.get(jobId)
        if (waiter !== undefined) {
          waiting.delete(jobId)
          return Deferred.succeed(waiter, state)
        }
        early.delete(jobId)
        early.set(jobId, state)
        if (early.size > EARLY_STATUSES) {
          const oldest = early.keys().next()
          if (oldest.done !== true) early.delete(oldest.value)
        }
        return Effect.void
      }).pipe(
        Effect.zipRight(Effect.logDebug(`replay job ${event.jobId} ended: ${event.payload.job_state}`)),
        Effect.annotateLogs({ webhookId: event.webhookId })
      )

    const awaitStatus = (jobId: Ids.JobId, timeout: Duration.DurationInput) =>
      Effect.gen(function* () {
        const deferred = yield* Deferred.make<"Complete" | "Incomplete">()
        // one synchronous step: a status that arrived before (even before the request answered) is taken here,
        // one that arrives after finds the deferred
        const seen = yield* Effect.sync(() => {
          const state = early.get(jobId)
          if (state !== undefined) {
            early.delete(jobId)
            return state
          }
          waiting.set(jobId, deferred)
          return undefined
        })
        if (seen !== undefined) return Option.some(seen)
        return yield* Deferred.await(deferred).pipe(
          Effect.timeoutOption(timeout),
          Effect.ensuring(
            Effect.sync(() => {
              if (waiting.get(jobId) === deferred) waiting.delete(jobId)
            })
          )
        )
      })

    const run = (webhookId: Ids.WebhookId, window: ReplayWindow.ReplayWindow, runOptions: RunOptions = {}) => {
      const statusTimeout = millis(runOptions.statusTimeout ?? options.statusTimeout, defaults.statusTimeout)
      const maxAttempts = Math.max(1, Math.floor(runOptions.maxAttempts ?? options.maxAttempts ?? defaults.maxAttempts))
      const backoff = millis(runOptions.backoff ?? options.backoff, defaults.backoff)
      const poll = millis(runOptions.inProgressPoll ?? options.inProgressPoll, defaults.inProgressPoll)
      const inProgressTimeout = millis(
        runOptions.inProgressTimeout ?? options.inProgressTimeout,
        defaults.inProgressTimeout
      )
      const backoffAfter = (attempt: number) => Math.min(MAX_BACKOFF, backoff * 2 ** Math.max(0, attempt - 1))

      const loop = Effect.gen(function* () {
        const jobs: Array<Attempt> = []
        let attempts = 0
        let busySince: number | undefined
        while (true) {
          const started = yield* Effect.either(start(webhookId, window))
          if (Either.isLeft(started)) {
            const error = started.left
            if (error._tag === "ReplayWindowError") return yield* Effect.fail(error)
            const now = DateTime.toEpochMillis(yield* DateTime.now)
            if (error.reason === "InProgress") {
              busySince ??= now
              if (now - busySince >= inProgressTimeout) return yield* Effect.fail(error)
              yield* Effect.logInfo(`a replay job of this webhook is in progress: asking again in ${poll} ms`)
              yield* sleepMillis(poll)
              continue
            }
            attempts++
            if ((error.reason === "Unavailable" || error.reason === "RateLimited") && attempts < maxAttempts) {
              const resetIn = error.retryAt === undefined ? 0 : DateTime.toEpochMillis(error.retryAt) - now
              const wait = Math.max(backoffAfter(attempts), resetIn)
              yield* Effect.logWarning(`replay request failed (${error.reason}): retrying in ${wait} ms`)
              yield* sleepMillis(wait)
              continue
            }
            return yield* Effect.fail(error)
          }
          busySince = undefined
          attempts++
          const job = started.right
          const status = yield* awaitStatus(job.jobId, Duration.millis(statusTimeout))
          const state: JobState = Option.getOrElse(status, (): JobState => "TimedOut")
          jobs.push({ jobId: job.jobId, createdAt: job.createdAt, state })
          if (state === "Complete" || attempts >= maxAttempts) {
            if (state !== "Complete") {
              yield* Effect.logWarning(`replay job ${job.jobId} ended ${state}; no attempts left (${attempts})`)
            }
            return { webhookId, window, jobs, attempts, state } satisfies RunResult
          }
          const wait = backoffAfter(attempts)
          yield* Effect.logWarning(`replay job ${job.jobId} ended ${state}: replaying the window again in ${wait} ms`)
          yield* sleepMillis(wait)
        }
      })

      return semaphore(webhookId)
        .withPermits(1)(loop)
        .pipe(Effect.annotateLogs({ webhookId, window: ReplayWindow.format(window) }))
    }

    return ReplayJobs.of({ start, statusReceived, awaitStatus, run })
  })

/**
 * The service as a Layer, on the `AccountActivityClient` in context. `options` are the defaults of every `run`.
 *
 * @example
 * ```ts
 * import { AccountActivityClient } from "@account-activity/client"
 * import { ReplayJobs } from "@account-activity/replay"
 * import { Layer } from "effect"
 *
 * declare const ClientLive: Layer.Layer<AccountActivityClient.AccountActivityClient>
 *
 * const ReplayLive = ReplayJobs.layer({ maxAttempts: 3 }).pipe(Layer.provide(ClientLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RunOptions = {}
): Layer.Layer<ReplayJobs, never, AccountActivityClient.AccountActivityClient> =>
  Layer.effect(ReplayJobs, make(options))

// -----------------------------------------------------------------------------
// Accessors
// -----------------------------------------------------------------------------

/**
 * Requests one Replay job with the service in context (see {@link Service.start}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const start = (
  webhookId: Ids.WebhookId,
  window: ReplayWindow.ReplayWindow
): Effect.Effect<Job, ReplayWindow.ReplayWindowError | ReplayError, ReplayJobs> =>
  Effect.flatMap(ReplayJobs, (jobs) => jobs.start(webhookId, window))

/**
 * Hands a `replay_job_status` event to the service in context (see {@link Service.statusReceived}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const statusReceived = (event: ActivityEvent.ReplayJobStatus): Effect.Effect<void, never, ReplayJobs> =>
  Effect.flatMap(ReplayJobs, (jobs) => jobs.statusReceived(event))

/**
 * Hands any event to the service in context: `ReplayJobStatus` events go to `statusReceived`, the others are
 * ignored. Convenient in a worker that sees every event.
 *
 * @since 0.1.0
 * @category accessors
 */
export const eventReceived = (event: ActivityEvent.ActivityEvent): Effect.Effect<void, never, ReplayJobs> =>
  event._tag === "ReplayJobStatus" ? statusReceived(event) : Effect.void

/**
 * Replays a window to its end with the service in context (see {@link Service.run}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const run = (
  webhookId: Ids.WebhookId,
  window: ReplayWindow.ReplayWindow,
  options?: RunOptions
): Effect.Effect<RunResult, ReplayWindow.ReplayWindowError | ReplayError, ReplayJobs> =>
  Effect.flatMap(ReplayJobs, (jobs) => jobs.run(webhookId, window, options))
