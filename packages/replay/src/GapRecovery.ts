/**
 * Gap recovery: finds in the delivery journal the windows in which a webhook's deliveries may have been missed,
 * replays each one that X accepts now, and records what was recovered, so the next round does not replay it
 * again.
 *
 * One round ({@link runOnce}):
 *
 * 1. reads the journal: the `"receiver"` spans (every receiver), and the `"webhook-invalid"` and `"recovered"`
 *    spans of the webhook;
 * 2. computes the gaps and plans them (`Gaps.compute`): ready now, pending until a given instant, lost;
 * 3. replays each ready window with `ReplayJobs.run`, oldest first; a window whose job ends `Complete` is
 *    recorded as a `"recovered"` span;
 * 4. reports what it recovered, what is pending (too recent, or failed: with the instant to retry) and what
 *    is lost (older than 5 days, also logged as a warning).
 *
 * {@link layer} runs a round every `interval` in the background. When a `Lock` is in context, only the worker
 * that holds the lock named `"replay"` runs rounds (the lock is renewed while a round runs, and the round
 * stops if it is lost); without one, every round runs.
 *
 * @since 0.1.0
 */
import type { Ids } from "@account-activity/core"
import { Journal, Lock, type QueueUnavailable } from "@account-activity/queue"
import { Cause, DateTime, Duration, Effect, Either, Layer, Option, Random, Schedule } from "effect"
import * as Gaps from "./Gaps.js"
import * as ReplayJobs from "./ReplayJobs.js"
import * as ReplayWindow from "./ReplayWindow.js"

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends ReplayWindow.PlanOptions {
  /** The webhook whose gaps are recovered. */
  readonly webhookId: Ids.WebhookId
  /**
   * Where tracking starts: nothing before it is a gap. Default: the start of the oldest receiver span in the
   * journal (so nothing is recovered before the first receiver ever ran).
   */
  readonly since?: DateTime.DateTime.Input | undefined
  /** How far each gap is widened on both sides. Default: 1 minute. */
  readonly margin?: Duration.DurationInput | undefined
  /** The newest stretch not examined yet; longer than the receivers' heartbeat interval. Default: 2 minutes. */
  readonly settle?: Duration.DurationInput | undefined
  /** How each window is replayed (attempts, timeouts); default: the `ReplayJobs` service's defaults. */
  readonly run?: ReplayJobs.RunOptions | undefined
  /** When a window that failed is tried again, reported in `pending`. Default: 5 minutes. */
  readonly retryAfter?: Duration.DurationInput | undefined
}

/**
 * A window replayed completely and recorded as recovered.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recovered {
  readonly window: ReplayWindow.ReplayWindow
  readonly result: ReplayJobs.RunResult
}

/**
 * Why a window is still a gap: `TooRecent` (X does not accept it yet), `Incomplete` or `TimedOut` (its last
 * job), `Failed` (the Replay request failed: see `error`).
 *
 * @since 0.1.0
 * @category models
 */
export type PendingReason = "TooRecent" | "Incomplete" | "TimedOut" | "Failed"

/**
 * A gap not recovered yet, and the instant a round should try it again.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pending {
  readonly window: ReplayWindow.ReplayWindow
  readonly retryAt: DateTime.Utc
  readonly reason: PendingReason
  readonly error?: ReplayJobs.ReplayError | ReplayWindow.ReplayWindowError | undefined
  /** The jobs tried for it in this round. */
  readonly result?: ReplayJobs.RunResult | undefined
}

/**
 * What one round found and did.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly webhookId: Ids.WebhookId
  readonly checkedAt: DateTime.Utc
  /** Every gap found (before this round replayed anything). */
  readonly gaps: ReadonlyArray<ReplayWindow.ReplayWindow>
  readonly recovered: ReadonlyArray<Recovered>
  readonly pending: ReadonlyArray<Pending>
  /** Older than 5 days: Replay cannot recover these. */
  readonly lost: ReadonlyArray<ReplayWindow.ReplayWindow>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions extends Options {
  /** The time between two rounds. Default: 5 minutes. */
  readonly interval?: Duration.DurationInput | undefined
  /** The TTL of the lock; it is renewed every third of it while a round runs. Default: twice the interval. */
  readonly lockTtl?: Duration.DurationInput | undefined
  /** Who holds the lock (unique per worker). Default: a random name. */
  readonly owner?: string | undefined
}

/**
 * The name of the lock that only one worker holds to run gap recovery.
 *
 * @since 0.1.0
 * @category constants
 */
export const lockName = "replay"

const RETENTION = Duration.toMillis(Journal.defaultRetention)

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.Duration): number => {
  const value = Duration.toMillis(Duration.decode(input ?? fallback))
  return Number.isFinite(value) ? Math.max(0, value) : Duration.toMillis(fallback)
}

// -----------------------------------------------------------------------------
// One round
// -----------------------------------------------------------------------------

const round = (
  options: Options,
  warned: Set<number> | undefined
): Effect.Effect<Report, QueueUnavailable.QueueUnavailable, Journal.Journal | ReplayJobs.ReplayJobs> =>
  Effect.gen(function* () {
    const journal = yield* Journal.Journal
    const jobs = yield* ReplayJobs.ReplayJobs
    const webhookId = options.webhookId
    const checkedAt = yield* DateTime.now
    const now = DateTime.toEpochMillis(checkedAt)
    const lookback =
      options.since === undefined ? now - RETENTION : DateTime.toEpochMillis(DateTime.unsafeMake(options.since))
    const receiver = yield* journal.list("receiver", lookback)
    const ofWebhook = (spans: ReadonlyArray<Journal.Span>) => spans.filter((span) => span.key === webhookId)
    const invalid = ofWebhook(yield* journal.list("webhook-invalid", lookback))
    const recoveredSpans = ofWebhook(yield* journal.list("recovered", lookback))
    // without `since`, tracking starts with the oldest receiver span: no receiver ever ran, nothing is tracked
    const since =
      options.since === undefined
        ? receiver.reduce((oldest, span) => Math.min(oldest, span.from), Number.POSITIVE_INFINITY)
        : lookback
    const recovered: Array<Recovered> = []
    const pending: Array<Pending> = []
    if (!Number.isFinite(since)) return { webhookId, checkedAt, gaps: [], recovered, pending, lost: [] }

    const found = Gaps.compute({
      receiver,
      invalid,
      recovered: recoveredSpans,
      since,
      now,
      margin: options.margin,
      settle: options.settle,
      skew: options.skew,
      maxSpan: options.maxSpan
    })
    if (warned !== undefined) for (const key of warned) if (key < now - RETENTION) warned.delete(key)
    for (const lost of found.lost) {
      const key = DateTime.toEpochMillis(lost.from)
      if (warned?.has(key) === true) continue
      warned?.add(key)
      yield* Effect.logWarning(
        `deliveries of ${ReplayWindow.format(lost)} may be missing and are older than 5 days: Replay cannot recover them`
      )
    }
    for (const later of found.pending) {
      pending.push({ window: later.window, retryAt: later.at, reason: "TooRecent" })
    }

    const retryAfter = millis(options.retryAfter, Duration.minutes(5))
    const retryAt = Effect.map(DateTime.now, DateTime.addDuration(Duration.millis(retryAfter)))
    let stopped: ReplayJobs.ReplayError | undefined
    for (const window of found.ready) {
      if (stopped !== undefined) {
        pending.push({ window, retryAt: yield* retryAt, reason: "Failed", error: stopped })
        continue
      }
      const outcome = yield* Effect.either(jobs.run(webhookId, window, options.run))
      if (Either.isLeft(outcome)) {
        const error = outcome.left
        yield* Effect.logWarning(`gap ${ReplayWindow.format(window)} not recovered: ${error.message}`)
        pending.push({ window, retryAt: yield* retryAt, reason: "Failed", error })
        // a request that failed for the webhook or the account fails for every other window too
        if (error._tag === "ReplayError") stopped = error
        continue
      }
      const result = outcome.right
      if (result.state === "Complete") {
        const { from, to } = ReplayWindow.toMillis(window)
        yield* journal.record({ kind: "recovered", key: webhookId, from, to: to - 1 })
        yield* Effect.logInfo(`gap ${ReplayWindow.format(window)} recovered (${result.attempts} attempt(s))`)
        recovered.push({ window, result })
      } else {
        pending.push({ window, retryAt: yield* retryAt, reason: result.state, result })
      }
    }
    pending.sort((a, b) => DateTime.toEpochMillis(a.window.from) - DateTime.toEpochMillis(b.window.from))
    return { webhookId, checkedAt, gaps: found.gaps, recovered, pending, lost: found.lost } satisfies Report
  }).pipe(Effect.annotateLogs({ webhookId: options.webhookId }))

/**
 * Runs one round of gap recovery (see the module documentation) with the `Journal` and `ReplayJobs` in
 * context. Fails only when the journal cannot be read or written; a window that could not be replayed is
 * reported in `pending`.
 *
 * @since 0.1.0
 * @category recovery
 */
export const runOnce = (
  options: Options
): Effect.Effect<Report, QueueUnavailable.QueueUnavailable, Journal.Journal | ReplayJobs.ReplayJobs> =>
  round(options, undefined)

// -----------------------------------------------------------------------------
// In the background
// -----------------------------------------------------------------------------

const logFailure = (what: string) => (cause: Cause.Cause<unknown>) =>
  Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : Effect.logError(`gap recovery: ${what}`, cause)

/**
 * Runs {@link runOnce} at once and then every `interval`, in the background of the layer's scope. With a `Lock`
 * in context, a round runs only on the worker that holds the lock `"replay"`: it is taken (or renewed) before
 * each round, renewed every third of its TTL while the round runs (the round stops when it is lost) and
 * released when the scope closes. A round that fails is logged and the next one runs as planned; a lost window
 * is logged once per process.
 *
 * @example
 * ```ts
 * import { GapRecovery, ReplayJobs } from "@account-activity/replay"
 * import { Ids } from "@account-activity/core"
 * import { Layer } from "effect"
 *
 * const GapRecoveryLive = GapRecovery.layer({
 *   webhookId: Ids.WebhookId.make("1234567890"),
 *   interval: "5 minutes"
 * }).pipe(Layer.provide(ReplayJobs.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LayerOptions): Layer.Layer<never, never, Journal.Journal | ReplayJobs.ReplayJobs> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const interval = millis(options.interval, Duration.minutes(5))
      const ttl = Math.max(1000, millis(options.lockTtl, Duration.millis(2 * interval)))
      const owner = options.owner ?? `gap-recovery-${(yield* Random.nextInt).toString(36)}`
      const lock = yield* Effect.serviceOption(Lock.Lock)
      const warned = new Set<number>()
      const once = round(options, warned).pipe(Effect.asVoid, Effect.catchAllCause(logFailure("a round failed")))

      const tick = Option.match(lock, {
        onNone: () => once,
        onSome: (lock) =>
          Effect.gen(function* () {
            const held = yield* lock.acquire(lockName, owner, Duration.millis(ttl))
            if (!held) return
            // renews the lock while the round runs; ends (and so stops the round) when the lock is lost
            const keeper = Effect.gen(function* () {
              while (true) {
                yield* Effect.sleep(Duration.millis(Math.max(1, Math.floor(ttl / 3))))
                // a renewal that fails counts as lost: another worker may take the lock when its TTL passes
                const still = yield* lock
                  .acquire(lockName, owner, Duration.millis(ttl))
                  .pipe(
                    Effect.catchAll((error) =>
                      Effect.as(Effect.logWarning(`renewing the lock failed: ${error.message}`), false)
                    )
                  )
                if (!still)
                  return yield* Effect.logWarning(`no longer holding the lock "${lockName}": this round stops`)
              }
            })
            yield* Effect.raceFirst(once, keeper)
          }).pipe(Effect.catchAllCause(logFailure("taking the lock failed")))
      })

      if (Option.isSome(lock)) {
        yield* Effect.addFinalizer(() => Effect.ignore(lock.value.release(lockName, owner)))
      }
      yield* Effect.forkScoped(Effect.repeat(tick, Schedule.spaced(Duration.millis(interval))))
    }).pipe(Effect.annotateLogs({ webhookId: options.webhookId }))
  )
