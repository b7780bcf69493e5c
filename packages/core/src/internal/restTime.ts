import { DateTime, Option } from "effect"

const MINUTE = 60_000

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

/** Milliseconds since the epoch of a UTC calendar time, or `undefined` when a part is out of range. */
const utcMillis = (
  year: number,
  month: number,
  day: number,
  hours: number,
  minutes: number,
  seconds = 0,
  millis = 0
): number | undefined => {
  if (month < 1 || month > 12 || day < 1 || hours > 23 || minutes > 59 || seconds > 59) return undefined
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hours, minutes, seconds, millis)
  // Date rolls 31 February over into March: a part that changed was out of range.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? date.getTime()
    : undefined
}

const replayDatePattern = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/

/** @internal */
export const parseReplayDate = (input: string): Option.Option<DateTime.Utc> => {
  const match = replayDatePattern.exec(input)
  if (match === null) return Option.none()
  const [year, month, day, hours, minutes] = match.slice(1).map(Number) as [number, number, number, number, number]
  if (year < 1970) return Option.none()
  const millis = utcMillis(year, month, day, hours, minutes)
  return millis === undefined ? Option.none() : Option.some(DateTime.unsafeMake(millis))
}

/** @internal */
export const floorToMinute = (self: DateTime.DateTime): DateTime.Utc => {
  const millis = DateTime.toEpochMillis(self)
  return DateTime.unsafeMake(Math.floor(millis / MINUTE) * MINUTE)
}

/** @internal */
export const isMinutePrecise = (self: DateTime.DateTime): boolean => DateTime.toEpochMillis(self) % MINUTE === 0

/** @internal */
export const formatReplayDate = (self: DateTime.DateTime): string => {
  const date = DateTime.toDateUtc(floorToMinute(self))
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2)
  )
}

const timestampPattern =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/

/**
 * Reads the timestamps X writes in REST bodies: ISO 8601 (`2016-06-02T23:54:02Z`, `2025-01-15T12:00:00.000Z`),
 * the `yyyy-MM-dd HH:mm:ss` form some v1.1 clients saw in `created_timestamp` (read as UTC), and epoch
 * milliseconds as a digit string.
 *
 * @internal
 */
export const parseTimestamp = (input: string): Option.Option<DateTime.Utc> => {
  if (/^[0-9]{10,16}$/.test(input)) return Option.some(DateTime.unsafeMake(Number(input)))
  const match = timestampPattern.exec(input)
  if (match === null) return Option.none()
  const [, y, mo, d, h, mi, s, fraction, zone] = match
  const millis = utcMillis(
    Number(y),
    Number(mo),
    Number(d),
    Number(h),
    Number(mi),
    s === undefined ? 0 : Number(s),
    fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"))
  )
  if (millis === undefined) return Option.none()
  if (zone === undefined || zone === "Z") return Option.some(DateTime.unsafeMake(millis))
  const sign = zone.startsWith("-") ? -1 : 1
  const digits = zone.slice(1).replace(":", "")
  const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * MINUTE
  return Option.some(DateTime.unsafeMake(millis - offset))
}
