/**
 * The memory of what was already handled, so that a worker hands each event to the plugins once even
 * though the queue delivers at least once (and X itself sends duplicates).
 *
 * A key (an event's identity key) is **seen** from the moment `markIfNew` records it until its TTL has
 * passed. The default TTL is 7 days: longer than the 5-day Replay window, so an event replayed after an
 * outage is still recognised. Marking a key that is already seen changes nothing (its TTL is not
 * extended). Time comes from `Clock`.
 *
 * A typical worker filters with `markIfNew`, hands the new events to the plugins and, if that fails,
 * `forget`s them again before it nacks, so the redelivery is not taken for a duplicate.
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect } from "effect"
import type { QueueUnavailable } from "./QueueUnavailable.js"

/**
 * 7 days: longer than the 5-day Replay window.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultTtl: Duration.Duration = Duration.days(7)

/**
 * @since 0.1.0
 * @category models
 */
export interface MarkOptions {
  /** How long the keys stay seen. Default: the store's TTL (7 days unless configured). */
  readonly ttl?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Atomically marks the keys that are not seen yet and returns them: of several concurrent calls (from any
   * process sharing the store) with the same key, exactly one gets it back. A key repeated in one call counts
   * once.
   */
  readonly markIfNew: (
    keys: ReadonlyArray<string>,
    options?: MarkOptions
  ) => Effect.Effect<ReadonlySet<string>, QueueUnavailable>
  /** Whether the key is seen now (marked and its TTL not yet passed). */
  readonly has: (key: string) => Effect.Effect<boolean, QueueUnavailable>
  /** Unmarks keys (e.g. when handling them failed and they must count as new when they come again). */
  readonly forget: (keys: ReadonlyArray<string>) => Effect.Effect<void, QueueUnavailable>
}

/**
 * The deduplication keys already handled, with a TTL.
 *
 * @since 0.1.0
 * @category tags
 */
export class SeenStore extends Context.Tag("@account-activity/queue/SeenStore")<SeenStore, Service>() {}

/**
 * Resolves a TTL to whole milliseconds (at least 1). Throws a `RangeError` on an infinite or negative
 * duration (a programming error, so it becomes a defect).
 *
 * @since 0.1.0
 * @category adapters
 */
export const ttlMillis = (ttl: Duration.DurationInput | undefined, fallback: Duration.DurationInput): number => {
  const millis = Duration.toMillis(Duration.decode(ttl ?? fallback))
  if (!Number.isFinite(millis) || millis <= 0)
    throw new RangeError("SeenStore: ttl must be a finite, positive duration")
  return Math.max(1, Math.ceil(millis))
}

/**
 * Marks the keys not seen yet in the `SeenStore` of the context and returns them.
 *
 * @since 0.1.0
 * @category accessors
 */
export const markIfNew = (
  keys: ReadonlyArray<string>,
  options?: MarkOptions
): Effect.Effect<ReadonlySet<string>, QueueUnavailable, SeenStore> =>
  Effect.flatMap(SeenStore, (store) => store.markIfNew(keys, options))

/**
 * Whether the key is seen in the `SeenStore` of the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const has = (key: string): Effect.Effect<boolean, QueueUnavailable, SeenStore> =>
  Effect.flatMap(SeenStore, (store) => store.has(key))

/**
 * Unmarks keys in the `SeenStore` of the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const forget = (keys: ReadonlyArray<string>): Effect.Effect<void, QueueUnavailable, SeenStore> =>
  Effect.flatMap(SeenStore, (store) => store.forget(keys))
