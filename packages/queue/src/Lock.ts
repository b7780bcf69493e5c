/**
 * A named lock with a TTL, so that of many workers sharing a queue only one runs the jobs that must not run
 * twice at once (the webhook and subscription reconciler, the Replay scheduler).
 *
 * The holder renews the lock by acquiring it again before the TTL passes; a holder that dies loses it when
 * the TTL passes, and another worker takes over. Time comes from `Clock` (memory, SQLite) or from the storage
 * own clock (Redis, SQLite).
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect } from "effect"
import type { QueueUnavailable } from "./QueueUnavailable.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Takes the lock `name` for `owner` for `ttl` when it is free, expired or already held by `owner` (then
   * its TTL starts again). Returns whether `owner` holds it now.
   */
  readonly acquire: (
    name: string,
    owner: string,
    ttl: Duration.DurationInput
  ) => Effect.Effect<boolean, QueueUnavailable>
  /** Frees the lock when `owner` holds it; does nothing otherwise. */
  readonly release: (name: string, owner: string) => Effect.Effect<void, QueueUnavailable>
}

/**
 * The named locks shared by the workers of one queue.
 *
 * @since 0.1.0
 * @category tags
 */
export class Lock extends Context.Tag("@account-activity/queue/Lock")<Lock, Service>() {}

/**
 * Resolves a lock TTL to whole milliseconds (at least 1); throws a `RangeError` on an infinite or
 * non-positive one.
 *
 * @since 0.1.0
 * @category adapters
 */
export const ttlMillis = (ttl: Duration.DurationInput): number => {
  const millis = Duration.toMillis(Duration.decode(ttl))
  if (!Number.isFinite(millis) || millis <= 0) throw new RangeError("Lock: ttl must be a finite, positive duration")
  return Math.max(1, Math.ceil(millis))
}

/**
 * Takes or renews a lock in the `Lock` service of the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const acquire = (
  name: string,
  owner: string,
  ttl: Duration.DurationInput
): Effect.Effect<boolean, QueueUnavailable, Lock> => Effect.flatMap(Lock, (lock) => lock.acquire(name, owner, ttl))

/**
 * Frees a lock in the `Lock` service of the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const release = (name: string, owner: string): Effect.Effect<void, QueueUnavailable, Lock> =>
  Effect.flatMap(Lock, (lock) => lock.release(name, owner))
