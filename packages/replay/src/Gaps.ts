/**
 * Gap detection, pure: from the spans of the delivery journal, the windows in which deliveries of one webhook
 * may have been missed, and what Replay can do about each.
 *
 * A delivery can be missed when
 *
 * - no receiver was up (time covered by no `"receiver"` span), or
 * - the webhook was invalid (a `"webhook-invalid"` span): X sent nothing at all;
 *
 * and is no longer missing once a Replay job delivered its window completely (a `"recovered"` span). So the
 * gaps are: the tracked range `[since, now - settle)`, minus the receiver spans, plus the invalid spans;
 * each gap widened by `margin` on both sides (a receiver's first and last heartbeat are not the exact instants
 * it started and stopped taking deliveries) and to whole minutes; merged; minus the recovered spans. Each gap
 * is then planned with `ReplayWindow.plan`: requestable now, pending until a given instant, or lost (older than
 * 5 days).
 *
 * Journal spans are closed intervals of epoch milliseconds (`to` inclusive); gaps are half-open `[from, to)`.
 *
 * @since 0.1.0
 */
import { DateTime, Duration, Option } from "effect"
import * as Interval from "./internal/interval.js"
import * as ReplayWindow from "./ReplayWindow.js"

/**
 * A span as the journal stores it: epoch milliseconds, `from` and `to` both inclusive.
 *
 * @since 0.1.0
 * @category models
 */
export interface Span {
  readonly from: number
  readonly to: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends ReplayWindow.PlanOptions {
  /** When a receiver was up (`"receiver"` spans, every key). */
  readonly receiver: ReadonlyArray<Span>
  /** When the webhook was invalid (`"webhook-invalid"` spans of the webhook). */
  readonly invalid?: ReadonlyArray<Span> | undefined
  /** What Replay already recovered (`"recovered"` spans of the webhook). */
  readonly recovered?: ReadonlyArray<Span> | undefined
  /** Where tracking starts: nothing before it is a gap. */
  readonly since: DateTime.DateTime.Input
  /** The current instant (from `Clock`). */
  readonly now: DateTime.DateTime.Input
  /** How far each gap is widened on both sides. Default: 1 minute. */
  readonly margin?: Duration.DurationInput | undefined
  /**
   * The newest stretch before `now` that is not examined, because receivers have not written their latest
   * heartbeat yet: it must be longer than the receivers' heartbeat interval. Default: 2 minutes.
   */
  readonly settle?: Duration.DurationInput | undefined
}

/**
 * The gaps and the plan for them:
 *
 * - `gaps`: the windows not covered, widened, whole minutes, merged, minus what was recovered; oldest first;
 * - `ready`: the windows to replay now (valid for X, see `ReplayWindow.plan`);
 * - `pending`: the windows that are too recent yet, each with the instant it can be requested;
 * - `lost`: the windows older than 5 days, which Replay cannot recover.
 *
 * `ready`, `pending` and `lost` together cover `gaps` exactly, without overlapping.
 *
 * @since 0.1.0
 * @category models
 */
export interface Gaps {
  readonly gaps: ReadonlyArray<ReplayWindow.ReplayWindow>
  readonly ready: ReadonlyArray<ReplayWindow.ReplayWindow>
  readonly pending: ReadonlyArray<ReplayWindow.Pending>
  readonly lost: ReadonlyArray<ReplayWindow.ReplayWindow>
}

/**
 * 1 minute.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultMargin: Duration.Duration = Duration.minutes(1)

/**
 * 2 minutes.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultSettle: Duration.Duration = Duration.minutes(2)

const millisOf = (input: Duration.DurationInput | undefined, fallback: Duration.Duration): number => {
  const millis = Duration.toMillis(Duration.decode(input ?? fallback))
  return Number.isFinite(millis) ? Math.max(0, millis) : Duration.toMillis(fallback)
}

const instant = (input: DateTime.DateTime.Input): number => DateTime.toEpochMillis(DateTime.unsafeMake(input))

/**
 * The gap windows alone (see {@link Gaps}), as half-open epoch-millisecond intervals, oldest first.
 *
 * @since 0.1.0
 * @category gaps
 */
export const windows = (options: Options): ReadonlyArray<{ readonly from: number; readonly to: number }> => {
  const since = instant(options.since)
  const now = instant(options.now)
  const horizon = now - millisOf(options.settle, defaultSettle)
  if (horizon <= since) return []
  const margin = millisOf(options.margin, defaultMargin)
  const receiver = Interval.union(options.receiver.map(Interval.fromClosed))
  const invalid = Interval.union((options.invalid ?? []).map(Interval.fromClosed))
  const recovered = Interval.union((options.recovered ?? []).map(Interval.fromClosed))
  const covered = Interval.subtract(receiver, invalid)
  const raw = Interval.subtract([{ from: since, to: horizon }], covered)
  const widened = Interval.clip(
    raw.map((gap) => ({ from: gap.from - margin, to: gap.to + margin })),
    since,
    now
  )
  // whole minutes before and after removing what was recovered (recovered spans are whole minutes when this
  // package recorded them; others are widened again so nothing is left out)
  return Interval.alignMinutes(Interval.subtract(Interval.alignMinutes(widened), recovered))
}

/**
 * Computes the gaps of one webhook and plans them (see {@link Gaps}).
 *
 * @since 0.1.0
 * @category gaps
 */
export const compute = (options: Options): Gaps => {
  const gaps = windows(options).map((gap) => ReplayWindow.make(gap.from, gap.to))
  const planOptions: ReplayWindow.PlanOptions = { skew: options.skew, maxSpan: options.maxSpan }
  const ready: Array<ReplayWindow.ReplayWindow> = []
  const pending: Array<ReplayWindow.Pending> = []
  const lost: Array<ReplayWindow.ReplayWindow> = []
  for (const gap of gaps) {
    const planned = ReplayWindow.plan(gap, options.now, planOptions)
    if (Option.isSome(planned.lost)) lost.push(planned.lost.value)
    ready.push(...planned.ready)
    if (Option.isSome(planned.pending)) pending.push(planned.pending.value)
  }
  return { gaps, ready, pending, lost }
}
