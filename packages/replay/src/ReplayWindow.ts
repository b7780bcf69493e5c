/**
 * The window of a Replay job and X's rules for it, as data and pure functions.
 *
 * X replays the window `[from, to)`: `from` inclusive, `to` exclusive, both sent as `yyyymmddhhmm` in UTC,
 * so at minute precision. X accepts a window only when
 *
 * - `from` is before `to`;
 * - `from` is within the last 5 days (code 356 "from_date must be within the past 5 days.");
 * - `from` is at least 31 minutes old and `to` at least 10 minutes old (code 368 "… is not in the past.").
 *
 * {@link validate} checks a window against those rules at a given instant and says when a window that is too
 * recent becomes valid; {@link plan} splits any wanted window into what can be requested now, what must wait
 * (and until when) and what is lost for good (older than 5 days). Nothing here reads the clock: pass `now`
 * (from `Clock`, e.g. `DateTime.now`).
 *
 * @since 0.1.0
 */
import { DateTime, Duration, Either, Option, Schema } from "effect"
import * as Interval from "./internal/interval.js"

const MINUTE = Interval.MINUTE

/**
 * X's rules for a Replay window.
 *
 * @since 0.1.0
 * @category rules
 */
export const rules = {
  /** `from` must be within this age: 5 days. */
  maxAge: Duration.days(5),
  /** `from` must be at least this old: 31 minutes. */
  minFromAge: Duration.minutes(31),
  /** `to` must be at least this old: 10 minutes. */
  minToAge: Duration.minutes(10),
  /** Both dates are whole minutes (`yyyymmddhhmm`). */
  precision: Duration.minutes(1)
} as const

const MAX_AGE = Duration.toMillis(rules.maxAge)
const MIN_FROM_AGE = Duration.toMillis(rules.minFromAge)
const MIN_TO_AGE = Duration.toMillis(rules.minToAge)

/**
 * A Replay window: `from` inclusive, `to` exclusive, in UTC.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayWindow {
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
}

/**
 * Makes a window from two instants (epoch milliseconds, `Date`, ISO strings or `DateTime`s). Throws on an
 * invalid date, like `DateTime.unsafeMake`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (from: DateTime.DateTime.Input, to: DateTime.DateTime.Input): ReplayWindow => ({
  from: DateTime.toUtc(DateTime.unsafeMake(from)),
  to: DateTime.toUtc(DateTime.unsafeMake(to))
})

/**
 * The window as epoch milliseconds, `[from, to)`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toMillis = (window: ReplayWindow): { readonly from: number; readonly to: number } => ({
  from: DateTime.toEpochMillis(window.from),
  to: DateTime.toEpochMillis(window.to)
})

const fromMillis = (from: number, to: number): ReplayWindow => make(from, to)

/**
 * The window for people and logs: `[2024-06-10T12:00:00.000Z, 2024-06-10T12:20:00.000Z)`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const format = (window: ReplayWindow): string =>
  `[${DateTime.formatIso(window.from)}, ${DateTime.formatIso(window.to)})`

const toMillisOf = (now: DateTime.DateTime.Input): number => DateTime.toEpochMillis(DateTime.unsafeMake(now))

// -----------------------------------------------------------------------------
// Errors
// -----------------------------------------------------------------------------

/**
 * Which rule a window breaks:
 *
 * - `NotMinutePrecise`: `from` or `to` has seconds or milliseconds (see {@link align});
 * - `FromNotBeforeTo`: the window is empty (X: code 356);
 * - `FromTooOld`: `from` is more than 5 days old; it never becomes valid (X: code 356);
 * - `FromTooRecent`: `from` is less than 31 minutes old (X: code 368);
 * - `ToTooRecent`: `to` is less than 10 minutes old (X: code 368).
 *
 * @since 0.1.0
 * @category errors
 */
export const Reason = Schema.Literal(
  "NotMinutePrecise",
  "FromNotBeforeTo",
  "FromTooOld",
  "FromTooRecent",
  "ToTooRecent"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type Reason = typeof Reason.Type

/**
 * A window X would refuse. `now` is the instant it was checked at; `validAt`, for a window that is only too
 * recent, the first instant at which all of it is valid.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReplayWindowError extends Schema.TaggedError<ReplayWindowError>(
  "@account-activity/replay/ReplayWindowError"
)("ReplayWindowError", {
  reason: Reason,
  from: Schema.DateTimeUtcFromSelf,
  to: Schema.DateTimeUtcFromSelf,
  now: Schema.DateTimeUtcFromSelf,
  validAt: Schema.optionalWith(Schema.DateTimeUtcFromSelf, { exact: true })
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return explain(this)
  }
}

const explain = (error: ReplayWindowError): string => {
  const window = format({ from: error.from, to: error.to })
  const now = DateTime.formatIso(error.now)
  const later =
    error.validAt === undefined
      ? ""
      : ` It becomes valid at ${DateTime.formatIso(error.validAt)}: request it then, or let ReplayWindow.plan split off the part that can be requested now.`
  switch (error.reason) {
    case "NotMinutePrecise":
      return `The replay window ${window} is not on whole minutes: X takes from_date and to_date as yyyymmddhhmm (UTC), so the seconds would be dropped and the end of the window lost. Widen it to whole minutes with ReplayWindow.align first.`
    case "FromNotBeforeTo":
      return `The replay window ${window} is empty: from must be before to (from is inclusive, to exclusive). Check the order of the two dates.`
    case "FromTooOld": {
      const earliest = DateTime.formatIso(earliestStart(error.now))
      return `The replay window ${window} starts more than 5 days before now (${now}): X replays only the last 5 days (it would answer code 356). What is older cannot be recovered with Replay; start at ${earliest} or later (ReplayWindow.clamp and ReplayWindow.plan do it).`
    }
    case "FromTooRecent":
      return `The replay window ${window} starts less than 31 minutes before now (${now}): X wants from_date at least 31 minutes old (it would answer code 368).${later}`
    case "ToTooRecent":
      return `The replay window ${window} ends less than 10 minutes before now (${now}): X wants to_date at least 10 minutes old (it would answer code 368).${later}`
  }
}

// -----------------------------------------------------------------------------
// Rules
// -----------------------------------------------------------------------------

/**
 * The oldest `from` X accepts at `now`: 5 days before it, rounded up to the minute.
 *
 * @since 0.1.0
 * @category rules
 */
export const earliestStart = (now: DateTime.DateTime.Input): DateTime.Utc =>
  DateTime.unsafeMake(Interval.ceilMinute(toMillisOf(now) - MAX_AGE))

/**
 * The newest `from` X accepts at `now`: 31 minutes before it, rounded down to the minute.
 *
 * @since 0.1.0
 * @category rules
 */
export const latestStart = (now: DateTime.DateTime.Input): DateTime.Utc =>
  DateTime.unsafeMake(Interval.floorMinute(toMillisOf(now) - MIN_FROM_AGE))

/**
 * The newest `to` X accepts at `now`: 10 minutes before it, rounded down to the minute.
 *
 * @since 0.1.0
 * @category rules
 */
export const latestEnd = (now: DateTime.DateTime.Input): DateTime.Utc =>
  DateTime.unsafeMake(Interval.floorMinute(toMillisOf(now) - MIN_TO_AGE))

/**
 * Whether both ends of the window are whole minutes.
 *
 * @since 0.1.0
 * @category rules
 */
export const isMinutePrecise = (window: ReplayWindow): boolean => {
  const { from, to } = toMillis(window)
  return from % MINUTE === 0 && to % MINUTE === 0
}

/**
 * The smallest whole-minute window that holds `window`: `from` rounded down, `to` rounded up. Replaying a
 * little more is harmless (the worker dedupes), replaying less loses events.
 *
 * @since 0.1.0
 * @category rules
 */
export const align = (window: ReplayWindow): ReplayWindow => {
  const { from, to } = toMillis(window)
  return fromMillis(Interval.floorMinute(from), Interval.ceilMinute(to))
}

/**
 * Checks a window against X's rules at `now`. Boundaries are inclusive as X states them: `from` exactly 31
 * minutes or exactly 5 days old and `to` exactly 10 minutes old are valid.
 *
 * @since 0.1.0
 * @category rules
 */
export const validate = (
  window: ReplayWindow,
  now: DateTime.DateTime.Input
): Either.Either<ReplayWindow, ReplayWindowError> => {
  const at = toMillisOf(now)
  const { from, to } = toMillis(window)
  const fail = (reason: Reason, validAt?: number) =>
    Either.left(
      new ReplayWindowError({
        reason,
        from: window.from,
        to: window.to,
        now: DateTime.unsafeMake(at),
        ...(validAt === undefined ? {} : { validAt: DateTime.unsafeMake(validAt) })
      })
    )
  if (!isMinutePrecise(window)) return fail("NotMinutePrecise")
  if (from >= to) return fail("FromNotBeforeTo")
  if (from < at - MAX_AGE) return fail("FromTooOld")
  const fromValidAt = from + MIN_FROM_AGE
  const toValidAt = to + MIN_TO_AGE
  if (fromValidAt > at || toValidAt > at) {
    return fail(fromValidAt >= toValidAt ? "FromTooRecent" : "ToTooRecent", Math.max(fromValidAt, toValidAt))
  }
  return Either.right(window)
}

/**
 * The part of the window X accepts at `now` (`from` no older than 5 days, no newer than 31 minutes, `to` no
 * newer than 10 minutes), widened to whole minutes first; `None` when no part of it is valid now.
 *
 * @since 0.1.0
 * @category rules
 */
export const clamp = (window: ReplayWindow, now: DateTime.DateTime.Input): Option.Option<ReplayWindow> => {
  const { from, to } = toMillis(align(window))
  const start = Math.max(from, DateTime.toEpochMillis(earliestStart(now)))
  const end = Math.min(to, DateTime.toEpochMillis(latestEnd(now)))
  return start < end && start <= DateTime.toEpochMillis(latestStart(now))
    ? Option.some(fromMillis(start, end))
    : Option.none()
}

// -----------------------------------------------------------------------------
// Plan
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category plan
 */
export interface PlanOptions {
  /**
   * How far the clocks of this process and X may disagree: the plan keeps this far from every edge of the
   * rules, so that X accepts its windows even when its clock is that much off. Default: 1 minute.
   */
  readonly skew?: Duration.DurationInput | undefined
  /**
   * The longest window of one job; longer windows are split into consecutive jobs. X recommends windows of
   * about 2 hours but allows only 5 replay requests per 15 minutes. Default: no limit (one job).
   */
  readonly maxSpan?: Duration.DurationInput | undefined
}

/**
 * A part of a wanted window that is too recent to request now, and the instant from which all of it can be.
 *
 * @since 0.1.0
 * @category plan
 */
export interface Pending {
  readonly window: ReplayWindow
  readonly at: DateTime.Utc
}

/**
 * What to do with a wanted window at a given instant:
 *
 * - `ready`: valid windows to request now, oldest first (several when `maxSpan` splits);
 * - `pending`: the newest part, too recent for now, with the instant from which it can be requested;
 * - `lost`: the oldest part, older than 5 days: Replay cannot recover it.
 *
 * Together they cover the wanted window (widened to whole minutes) without overlapping.
 *
 * @since 0.1.0
 * @category plan
 */
export interface Plan {
  readonly ready: ReadonlyArray<ReplayWindow>
  readonly pending: Option.Option<Pending>
  readonly lost: Option.Option<ReplayWindow>
}

const millisOf = (duration: Duration.DurationInput | undefined, fallback: number): number => {
  if (duration === undefined) return fallback
  const millis = Duration.toMillis(Duration.decode(duration))
  return Number.isFinite(millis) ? Math.max(0, millis) : fallback
}

/**
 * Splits a wanted window into what can be requested at `now`, what must wait and what is lost (see
 * {@link Plan}). The wanted window is widened to whole minutes first. Every `ready` window passes
 * {@link validate} at any instant within `skew` of `now`.
 *
 * @since 0.1.0
 * @category plan
 */
export const plan = (window: ReplayWindow, now: DateTime.DateTime.Input, options: PlanOptions = {}): Plan => {
  const at = toMillisOf(now)
  const skew = Interval.ceilMinute(millisOf(options.skew, MINUTE))
  const maxSpan = Math.max(MINUTE, Interval.floorMinute(millisOf(options.maxSpan, Number.POSITIVE_INFINITY)))
  const { from, to } = toMillis(align(window))
  const empty: Plan = { ready: [], pending: Option.none(), lost: Option.none() }
  if (from >= to) return empty
  const earliest = Interval.ceilMinute(at + skew - MAX_AGE)
  const lost = from < earliest ? Option.some(fromMillis(from, Math.min(to, earliest))) : Option.none()
  const start = Math.max(from, earliest)
  if (start >= to) return { ...empty, lost }
  const latestFrom = Interval.floorMinute(at - skew - MIN_FROM_AGE)
  const latestTo = Interval.floorMinute(at - skew - MIN_TO_AGE)
  const ready: Array<ReplayWindow> = []
  let rest = start
  if (start <= latestFrom) {
    const end = Math.min(to, latestTo)
    // every chunk must start early enough itself: a chunk starting after latestFrom waits with the rest
    for (let chunk = start; chunk < end && chunk <= latestFrom; chunk += maxSpan) {
      rest = Math.min(end, chunk + maxSpan)
      ready.push(fromMillis(chunk, rest))
    }
  }
  const pending =
    rest < to
      ? Option.some({
          window: fromMillis(rest, to),
          at: DateTime.unsafeMake(Math.max(rest + MIN_FROM_AGE, to + MIN_TO_AGE) + skew)
        })
      : Option.none()
  return { ready, pending, lost }
}
