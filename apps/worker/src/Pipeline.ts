/**
 * The worker's main loop: consume the `EventQueue`, decode each record into typed events, drop the events
 * already handled (`SeenStore`), publish the rest on the `ActivityStream` and ack the record only after every
 * plugin has handled every event.
 *
 * - A record whose events are all known is acked at once (X's retries, the emulator's duplicates, replays).
 * - Each new event is claimed for a short time (`claim:<identityKey>`), so two workers that got the same
 *   event in two records do not hand it to the plugins at the same time: the second nacks its record and
 *   finds the event handled when it comes back.
 * - A plugin failure nacks the record with the error and a growing delay (1 s, 2 s, 4 s, … up to 1 min);
 *   after `maxAttempts` the queue moves it to the dead letter store, where `aaa` and the queue API can list
 *   and redrive it. Plugins that already handled the events are not called again (see `DedupedStream`).
 * - A body that does not decode goes the same way: its error names the path that failed.
 * - `replay_job_status` events are also passed to `onReplayStatus` (the Replay scheduler waits for them) and
 *   `SubscriptionRevoke` events to `onRevoke` (the lifecycle stops subscribing that user).
 *
 * @since 0.1.0
 */
import { type ActivityEvent, ActivityStream, Delivery } from "@account-activity/core"
import { EventQueue, SeenStore } from "@account-activity/queue"
import { Deferred, Duration, Effect, FiberId, Metric, Stream } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** This worker's consumer name (unique per process). */
  readonly consumer: string
  /** Records handled at once. Default: 16. */
  readonly concurrency?: number | undefined
  /** Attempts before a record goes to the dead letter store. Default: 5. */
  readonly maxAttempts?: number | undefined
  /** How long a record stays leased to this worker. Default: 30 s. */
  readonly visibilityTimeout?: Duration.DurationInput | undefined
  /**
   * When the worker stops: how long it waits for the records it is handling to be handled and acked before it
   * leaves them (they come back after the visibility timeout). Default: 10 s. Used by `Worker.layer`.
   */
  readonly drainTimeout?: Duration.DurationInput | undefined
  /** The first retry delay after a failure; doubled per attempt, at most 1 minute. Default: 1 s. */
  readonly retryBase?: Duration.DurationInput | undefined
  readonly onReplayStatus?: ((event: ActivityEvent.ReplayJobStatus) => Effect.Effect<void>) | undefined
  readonly onRevoke?: ((event: ActivityEvent.SubscriptionRevoke) => Effect.Effect<void>) | undefined
}

/**
 * What happened to one record.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | { readonly _tag: "Handled"; readonly published: number; readonly duplicates: number }
  | { readonly _tag: "Retried"; readonly error: string }

const decoder = new TextDecoder()

const claimKey = (identityKey: string) => `claim:${identityKey}`

/**
 * Events handed to the plugins.
 *
 * @since 0.1.0
 * @category metrics
 */
export const eventsPublished = Metric.counter("aaa_worker_events_published_total")

/**
 * Events dropped because they were already handled.
 *
 * @since 0.1.0
 * @category metrics
 */
export const eventsDuplicate = Metric.counter("aaa_worker_events_duplicate_total")

/**
 * Records nacked for a retry.
 *
 * @since 0.1.0
 * @category metrics
 */
export const recordsRetried = Metric.counter("aaa_worker_records_retried_total")

/**
 * The delay before the next attempt of a record that failed `attempts` times.
 *
 * @since 0.1.0
 * @category retries
 */
export const retryDelay = (base: Duration.DurationInput, attempts: number): Duration.Duration =>
  Duration.min(Duration.times(Duration.decode(base), 2 ** Math.max(0, Math.min(attempts - 1, 16))), Duration.minutes(1))

/**
 * Handles one leased record.
 *
 * @since 0.1.0
 * @category pipeline
 */
export const handle = (
  message: EventQueue.Message,
  options: Options
): Effect.Effect<Outcome, never, SeenStore.SeenStore | ActivityStream.ActivityStream> =>
  Effect.gen(function* () {
    const seen = yield* SeenStore.SeenStore
    const stream = yield* ActivityStream.ActivityStream
    const claimTtl = options.visibilityTimeout ?? EventQueue.defaultVisibilityTimeout
    const base = options.retryBase ?? Duration.seconds(1)

    const retry = (error: string) =>
      message
        .nack(error, { delay: retryDelay(base, message.attempts) })
        .pipe(
          Effect.ignore,
          Effect.zipRight(Metric.increment(recordsRetried)),
          Effect.zipRight(
            Effect.logWarning(`record ${message.id} will be retried (attempt ${message.attempts}): ${error}`)
          ),
          Effect.as<Outcome>({ _tag: "Retried", error })
        )

    const work = Effect.gen(function* () {
      const decoded = yield* Delivery.decodeDelivery(decoder.decode(message.body))
      const unique = new Map<string, ActivityEvent.ActivityEvent>()
      for (const event of decoded) if (!unique.has(event.identityKey)) unique.set(event.identityKey, event)
      const events = [...unique.values()]

      // Every status (a waiting Replay may be in another record than the first copy); revokes once.
      for (const event of events)
        if (event._tag === "ReplayJobStatus" && options.onReplayStatus) yield* options.onReplayStatus(event)

      const known = yield* Effect.forEach(events, (event) => seen.has(event.identityKey), { concurrency: 8 })
      const fresh = events.filter((_, i) => !known[i])
      for (const event of fresh)
        if (event._tag === "SubscriptionRevoke" && options.onRevoke) yield* options.onRevoke(event)
      const duplicates = events.length - fresh.length
      if (fresh.length === 0) {
        yield* message.ack
        yield* Metric.incrementBy(eventsDuplicate, duplicates)
        return { _tag: "Handled", published: 0, duplicates } satisfies Outcome
      }

      const claims = fresh.map((event) => claimKey(event.identityKey))
      const claimed = yield* seen.markIfNew(claims, { ttl: claimTtl })
      if (claimed.size < claims.length) {
        yield* seen.forget([...claimed])
        return yield* retry("another worker is handling an event of this record; it will be checked again")
      }

      const published = yield* stream
        .publish(fresh)
        .pipe(
          Effect.zipRight(seen.markIfNew(fresh.map((event) => event.identityKey))),
          Effect.ensuring(Effect.ignore(seen.forget(claims))),
          Effect.either
        )
      if (published._tag === "Left") return yield* retry(published.left.message)
      yield* message.ack
      yield* Metric.incrementBy(eventsPublished, fresh.length)
      yield* Metric.incrementBy(eventsDuplicate, duplicates)
      return { _tag: "Handled", published: fresh.length, duplicates } satisfies Outcome
    })

    return yield* work.pipe(
      Effect.catchAll((error) => retry(error.message)),
      Effect.catchAllDefect((defect) => retry(defect instanceof Error ? defect.message : String(defect)))
    )
  }).pipe(
    Effect.withSpan("Worker.handle", {
      attributes: { record: message.id, attempts: message.attempts },
      captureStackTrace: false
    })
  )

/**
 * Consumes the queue until `stop` is done (or until interrupted). Queue outages are logged and retried; nothing
 * is acked that was not handled. Once `stop` is done no record is leased any more, the records already leased
 * are handled to their end, and the effect completes.
 *
 * @since 0.1.0
 * @category pipeline
 */
export const run = (
  options: Options,
  stop: Deferred.Deferred<void> = Deferred.unsafeMake(FiberId.none)
): Effect.Effect<void, never, EventQueue.EventQueue | SeenStore.SeenStore | ActivityStream.ActivityStream> => {
  const once = EventQueue.consume({
    consumer: options.consumer,
    max: options.concurrency ?? 16,
    visibilityTimeout: options.visibilityTimeout,
    maxAttempts: options.maxAttempts ?? 5
  }).pipe(
    // Stopping ends the leasing only: the records in hand go on through `handle`.
    Stream.interruptWhen(Deferred.await(stop)),
    Stream.mapEffect((message) => handle(message, options), {
      concurrency: options.concurrency ?? 16,
      unordered: true
    }),
    Stream.runDrain,
    Effect.catchAll((error) =>
      Effect.zipRight(
        Effect.logError(`${error.message} Consuming again in 1 s.`),
        Effect.raceFirst(Effect.sleep("1 second"), Deferred.await(stop))
      )
    )
  )
  return Effect.gen(function* () {
    while (!(yield* Deferred.isDone(stop))) yield* once
  })
}
