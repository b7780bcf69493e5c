/**
 * The delivery journal: time spans that the worker's gap recovery reads to find the windows in which
 * deliveries may have been missed.
 *
 * A span is a closed interval `[from, to]` of epoch milliseconds, of one {@link Kind}, under a key:
 *
 * - `"receiver"`: a receiver instance (the key) was up and could store deliveries. Receivers `extend` their
 *   span with a heartbeat; a heartbeat that comes more than the tolerance after the span's end starts a new
 *   span, so a stopped receiver leaves a hole.
 * - `"webhook-invalid"`: the webhook (the key) was found invalid, so X sent nothing to any receiver.
 * - `"recovered"`: a window (keyed by the webhook) that a Replay job delivered completely.
 *
 * The journal lives in the same storage as the queue, so every receiver and worker sharing the queue
 * shares it. Spans older than the retention (default 7 days, longer than the 5-day Replay window) may be
 * dropped by the adapter.
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Schema } from "effect"
import type { QueueUnavailable } from "./QueueUnavailable.js"

/**
 * @since 0.1.0
 * @category models
 */
export const Kind = Schema.Literal("receiver", "webhook-invalid", "recovered")

/**
 * @since 0.1.0
 * @category models
 */
export type Kind = typeof Kind.Type

/**
 * @since 0.1.0
 * @category models
 */
export interface Span {
  readonly kind: Kind
  readonly key: string
  /** Epoch milliseconds, inclusive. */
  readonly from: number
  /** Epoch milliseconds, inclusive; `to >= from`. */
  readonly to: number
}

/**
 * 7 days: spans older than this may be dropped.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRetention: Duration.Duration = Duration.days(7)

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Extends the newest span of `(kind, key)` to `at` when that span ends no more than `toleranceMillis`
   * before `at` (and does not end after it); otherwise starts a new span `[at, at]`. Atomic per key.
   */
  readonly extend: (
    kind: Kind,
    key: string,
    at: number,
    toleranceMillis: number
  ) => Effect.Effect<void, QueueUnavailable>
  /** Records a whole span. */
  readonly record: (span: Span) => Effect.Effect<void, QueueUnavailable>
  /** The spans of `kind` (every key) that end at or after `since`, ordered by `from`, then `key`. */
  readonly list: (kind: Kind, since: number) => Effect.Effect<ReadonlyArray<Span>, QueueUnavailable>
}

/**
 * The delivery journal shared by receivers and workers.
 *
 * @since 0.1.0
 * @category tags
 */
export class Journal extends Context.Tag("@account-activity/queue/Journal")<Journal, Service>() {}

/**
 * Checks a span (a programming error otherwise, so it throws a `RangeError` that becomes a defect).
 *
 * @since 0.1.0
 * @category adapters
 */
export const checkSpan = (span: Span): Span => {
  if (!Number.isFinite(span.from) || !Number.isFinite(span.to) || span.to < span.from)
    throw new RangeError(`Journal: a span needs finite from <= to (got ${span.from}..${span.to})`)
  return span
}

/**
 * Orders spans by `from`, then `key`, then `to`.
 *
 * @since 0.1.0
 * @category adapters
 */
export const order = (a: Span, b: Span): number =>
  a.from - b.from || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.to - b.to

/**
 * Extends a span in the journal of the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const extend = (
  kind: Kind,
  key: string,
  at: number,
  toleranceMillis: number
): Effect.Effect<void, QueueUnavailable, Journal> =>
  Effect.flatMap(Journal, (journal) => journal.extend(kind, key, at, toleranceMillis))

/**
 * Records a span in the journal of the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const record = (span: Span): Effect.Effect<void, QueueUnavailable, Journal> =>
  Effect.flatMap(Journal, (journal) => journal.record(span))

/**
 * Lists the spans of a kind in the journal of the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const list = (kind: Kind, since: number): Effect.Effect<ReadonlyArray<Span>, QueueUnavailable, Journal> =>
  Effect.flatMap(Journal, (journal) => journal.list(kind, since))
