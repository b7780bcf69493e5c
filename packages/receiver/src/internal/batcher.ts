/**
 * Group append: the verified deliveries of concurrent requests go to the queue together, in one
 * `EventQueue.append` call.
 *
 * A request hands its delivery to `enqueue` and waits for its callback. The first delivery of a batch schedules a flush with
 * `setImmediate`, so every request whose body was read in the same turn of the event loop joins the batch;
 * the flush appends the batch (at most `maxBatch` deliveries per call) on a fiber of its own, and every
 * waiting request then learns the same outcome. One append per batch instead of one per request: the
 * queue's fixed cost per call (a transaction savepoint, a round trip to Redis) is shared.
 *
 * The append timeout costs nothing per batch: one watchdog fiber, running only while appends are running,
 * wakes four times per timeout (on `Clock`) and interrupts the appends that have run longer than the timeout
 * (they are in start order, so it stops at the first younger one).
 *
 * `append` succeeds only once every delivery of the batch is stored, and fails (or times out) for all of
 * them: a request is answered `200` only when its delivery is stored.
 */
import type { EventQueue, QueueUnavailable } from "@account-activity/queue"
import { type Array as Arr, Cause, Duration, Effect, Exit, Option, Runtime } from "effect"

/** What became of a delivery. One object per batch, shared by its requests. */
export type Outcome =
  | { readonly _tag: "Stored" }
  | { readonly _tag: "Unavailable"; readonly error: QueueUnavailable.QueueUnavailable }
  | { readonly _tag: "TimedOut" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<unknown> }

const stored: Outcome = { _tag: "Stored" }
const timedOut: Outcome = { _tag: "TimedOut" }

interface Pending {
  readonly delivery: EventQueue.Delivery
  readonly resume: (outcome: Outcome) => void
  cancelled: boolean
}

export interface Batcher {
  /**
   * Appends the delivery with the others of its batch, then calls `done` with the outcome (unless cancelled
   * with the function returned).
   */
  readonly enqueue: (delivery: EventQueue.Delivery, done: (outcome: Outcome) => void) => () => void
  /** Deliveries submitted and not yet answered. */
  readonly inFlight: () => number
}

interface Running {
  readonly startedMillis: number
  cancel: (() => void) | undefined
  timedOut: boolean
}

export const make = <R>(options: {
  readonly append: (
    deliveries: Arr.NonEmptyReadonlyArray<EventQueue.Delivery>
  ) => Effect.Effect<unknown, QueueUnavailable.QueueUnavailable, R>
  readonly runtime: Runtime.Runtime<R>
  readonly maxBatch: number
  /** Per append call; `Infinity` for none. */
  readonly timeoutMillis: number
  readonly nanos: () => bigint
  readonly millis: () => number
  /** Called once per delivery when its outcome is known, with the seconds its append took. */
  readonly onDone: (seconds: number, remaining: number) => void
}): Batcher => {
  const run = Runtime.runCallback(options.runtime)
  const fork = Runtime.runFork(options.runtime)
  let pending: Array<Pending> = []
  let scheduled = false
  let inFlight = 0
  // Appends running now, oldest first (a Set keeps insertion order).
  const running = new Set<Running>()

  const settle = (batch: ReadonlyArray<Pending>, outcome: Outcome, startedNanos: bigint) => {
    const seconds = Number(options.nanos() - startedNanos) / 1e9
    for (const entry of batch) {
      inFlight--
      options.onDone(seconds, inFlight)
      if (!entry.cancelled) entry.resume(outcome)
    }
  }

  const appendBatch = (batch: ReadonlyArray<Pending>) => {
    const startedNanos = options.nanos()
    const live = batch.filter((entry) => !entry.cancelled)
    if (live.length === 0) return settle(batch, stored, startedNanos)
    const deliveries = live.map((entry) => entry.delivery) as unknown as Arr.NonEmptyReadonlyArray<EventQueue.Delivery>
    const current: Running = { startedMillis: options.millis(), cancel: undefined, timedOut: false }
    running.add(current)
    const cancel = run(options.append(deliveries), {
      onExit: (exit) => {
        running.delete(current)
        if (Exit.isSuccess(exit)) return settle(batch, stored, startedNanos)
        if (current.timedOut) return settle(batch, timedOut, startedNanos)
        const failure = Cause.failureOption(exit.cause)
        if (Option.isNone(failure)) return settle(batch, { _tag: "Failed", cause: exit.cause }, startedNanos)
        settle(batch, { _tag: "Unavailable", error: failure.value }, startedNanos)
      }
    })
    // The append may have ended already (a queue that answers at once).
    if (running.has(current)) {
      current.cancel = () => cancel()
      if (!watching && Number.isFinite(options.timeoutMillis)) {
        watching = true
        fork(watchdog)
      }
    }
  }

  const flush = () => {
    scheduled = false
    const all = pending
    pending = []
    for (let from = 0; from < all.length; from += options.maxBatch) {
      appendBatch(from === 0 && all.length <= options.maxBatch ? all : all.slice(from, from + options.maxBatch))
    }
  }

  const enqueue = (delivery: EventQueue.Delivery, done: (outcome: Outcome) => void) => {
    const entry: Pending = { delivery, resume: done, cancelled: false }
    inFlight++
    pending.push(entry)
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
    // The request went away: its delivery may still be stored with the batch (a duplicate at worst), but
    // nobody waits for the outcome.
    return () => {
      entry.cancelled = true
    }
  }

  /** Interrupts the appends started at least the timeout before `nowMillis`; their requests get `TimedOut`. */
  const expire = (nowMillis: number) => {
    for (const current of running) {
      if (nowMillis - current.startedMillis < options.timeoutMillis) return
      running.delete(current)
      current.timedOut = true
      current.cancel?.()
    }
  }

  let watching = false
  const tick = Duration.millis(Math.min(1000, Math.max(5, options.timeoutMillis / 4)))
  // Runs while appends run, then ends: an idle receiver has no timer (and TestClock can jump ahead freely).
  const watchdog: Effect.Effect<void> = Effect.suspend(() => {
    if (running.size === 0) {
      watching = false
      return Effect.void
    }
    return Effect.zipRight(
      Effect.sleep(tick),
      Effect.suspend(() => {
        expire(options.millis())
        return watchdog
      })
    )
  })

  return { enqueue, inFlight: () => inFlight }
}
