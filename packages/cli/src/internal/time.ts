/**
 * Times on the command line (`--from`, `--to`) and the Replay window rules X applies, checked before X is
 * called.
 *
 * @internal
 */
import { Rest } from "@account-activity/core"
import { DateTime, Either, Option } from "effect"
import { UsageError } from "./errors.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const units: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(d|days?)$/, DAY],
  [/^(h|hrs?|hours?)$/, HOUR],
  [/^(m|mins?|minutes?)$/, MINUTE]
]

/** `2h`, `90m`, `1d2h30m`, `2 hours`: milliseconds, or `None`. */
const parseDuration = (text: string): Option.Option<number> => {
  const parts = [...text.trim().matchAll(/(\d+)\s*([a-z]+)\s*/gi)]
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text.trim()) return Option.none()
  let total = 0
  for (const part of parts) {
    const unit = units.find(([pattern]) => pattern.test(part[2]!.toLowerCase()))
    if (unit === undefined) return Option.none()
    total += Number(part[1]) * unit[1]
  }
  return Option.some(total)
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/** An ISO 8601 date-time; without an offset it is the local time of this machine. */
const parseIso = (text: string): Option.Option<number> => {
  const match = ISO.exec(text.trim())
  if (match === null) return Option.none()
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) => Number(match[index] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const millis = Number((match[7] ?? "0").padEnd(3, "0").slice(0, 3))
  const zone = match[8]
  let epoch: number
  if (zone === undefined) {
    const local = new Date(year, month - 1, day, hour, minute, second, millis)
    if (local.getFullYear() !== year || local.getMonth() !== month - 1 || local.getDate() !== day) return Option.none()
    epoch = local.getTime()
  } else {
    const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis)
    const check = new Date(utc)
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
      return Option.none()
    }
    let offset = 0
    if (zone.toUpperCase() !== "Z") {
      const digits = zone.replace(":", "")
      const sign = digits.startsWith("-") ? -1 : 1
      offset = sign * (Number(digits.slice(1, 3)) * HOUR + Number(digits.slice(3, 5) || "0") * MINUTE)
    }
    epoch = utc - offset
  }
  if (hour > 23 || minute > 59 || second > 59) return Option.none()
  return Option.some(epoch)
}

/**
 * Reads a time of the command line, relative to `now` (epoch milliseconds):
 *
 * - ISO 8601: `2026-01-15T10:00:00Z`, `2026-01-15T12:00+02:00`; without an offset (`2026-01-15 10:00`) the
 *   local time of this machine;
 * - X's own `yyyymmddhhmm`, in UTC: `202601151000`;
 * - relative: `now`, `now-2h`, `-90m`, `2h ago`, `1d2h30m ago` (units `d`, `h`, `m`).
 *
 * @internal
 */
export const parseTime = (text: string, now: number): Option.Option<number> => {
  const input = text.trim()
  if (/^[0-9]{12}$/.test(input)) return Option.map(Rest.parseReplayDate(input), DateTime.toEpochMillis)
  if (/^now$/i.test(input)) return Option.some(now)
  const relative = /^(?:now\s*)?-\s*(.+)$/i.exec(input) ?? /^(.+?)\s+ago$/i.exec(input)
  if (relative !== null) return Option.map(parseDuration(relative[1]!), (ago) => now - ago)
  return parseIso(input)
}

/** The formats `parseTime` accepts, for messages. @internal */
export const timeFormats =
  "an ISO time (2026-01-15T10:00:00Z, 2026-01-15T12:00+02:00; without an offset the local time), X's yyyymmddhhmm in UTC (202601151000), or a relative time (now-2h, -90m, 2h ago)"

/** A validated Replay window: both ends in UTC, floored to the minute as X receives them. @internal */
export interface Window {
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
}

const iso = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis)).replace(/:00\.000Z$/, "Z")

/**
 * Parses `--from` and `--to` and checks X's Replay rules (spec §6): `from` before `to`, `from` within the last
 * 5 days and at least 31 minutes ago, `to` at least 10 minutes ago. Seconds are dropped first, as X receives
 * the window in `yyyymmddhhmm`.
 *
 * @internal
 */
export const replayWindow = (fromText: string, toText: string, now: number): Either.Either<Window, UsageError> => {
  const fail = (message: string) => Either.left(new UsageError({ message }))
  const read = (name: string, text: string) =>
    Either.fromOption(
      parseTime(text, now),
      () => new UsageError({ message: `--${name} ${JSON.stringify(text)} is not a time: write ${timeFormats}.` })
    )
  return Either.gen(function* () {
    const from = DateTime.toEpochMillis(Rest.floorToMinute(DateTime.unsafeMake(yield* read("from", fromText))))
    const to = DateTime.toEpochMillis(Rest.floorToMinute(DateTime.unsafeMake(yield* read("to", toText))))
    if (from >= to) {
      return yield* fail(
        `--from (${iso(from)}) must be before --to (${iso(to)}): X replays from_date inclusive to to_date exclusive.`
      )
    }
    if (from < now - 5 * DAY) {
      return yield* fail(
        `--from (${iso(from)}) is more than 5 days ago: Replay reaches back 5 days, so start at ${iso(Math.ceil((now - 5 * DAY) / MINUTE) * MINUTE)} or later.`
      )
    }
    if (from > now - 31 * MINUTE) {
      return yield* fail(
        `--from (${iso(from)}) is less than 31 minutes ago: X replays only activity at least 31 minutes old at the start of the window, so use ${iso(Math.floor((now - 31 * MINUTE) / MINUTE) * MINUTE)} or earlier.`
      )
    }
    if (to > now - 10 * MINUTE) {
      return yield* fail(
        `--to (${iso(to)}) is less than 10 minutes ago: events become replayable about 10 minutes after they happen, so use ${iso(Math.floor((now - 10 * MINUTE) / MINUTE) * MINUTE)} or earlier.`
      )
    }
    return { from: DateTime.unsafeMake(from), to: DateTime.unsafeMake(to) }
  })
}
