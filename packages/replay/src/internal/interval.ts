/**
 * Half-open intervals `[from, to)` of epoch milliseconds, and the set operations gap detection needs. Every
 * function returns sorted, disjoint, non-empty intervals.
 *
 * @internal
 */

/** @internal */
export interface Interval {
  readonly from: number
  readonly to: number
}

/** @internal */
export const MINUTE = 60_000

/** @internal */
export const floorMinute = (millis: number): number => Math.floor(millis / MINUTE) * MINUTE

/** @internal */
export const ceilMinute = (millis: number): number => Math.ceil(millis / MINUTE) * MINUTE

/** Sorts and merges overlapping or touching intervals; drops empty ones. @internal */
export const union = (intervals: ReadonlyArray<Interval>): Array<Interval> => {
  const sorted = intervals.filter((i) => i.to > i.from).sort((a, b) => a.from - b.from || a.to - b.to)
  const merged: Array<{ from: number; to: number }> = []
  for (const interval of sorted) {
    const last = merged[merged.length - 1]
    if (last !== undefined && interval.from <= last.to) last.to = Math.max(last.to, interval.to)
    else merged.push({ from: interval.from, to: interval.to })
  }
  return merged
}

/** `a` minus `b`. @internal */
export const subtract = (a: ReadonlyArray<Interval>, b: ReadonlyArray<Interval>): Array<Interval> => {
  const cuts = union(b)
  const out: Array<Interval> = []
  for (const interval of union(a)) {
    let from = interval.from
    for (const cut of cuts) {
      if (cut.to <= from) continue
      if (cut.from >= interval.to) break
      if (cut.from > from) out.push({ from, to: cut.from })
      from = Math.max(from, cut.to)
      if (from >= interval.to) break
    }
    if (from < interval.to) out.push({ from, to: interval.to })
  }
  return out
}

/** `a` intersected with `[from, to)`. @internal */
export const clip = (a: ReadonlyArray<Interval>, from: number, to: number): Array<Interval> =>
  union(a.map((i) => ({ from: Math.max(i.from, from), to: Math.min(i.to, to) })))

/** Widens each interval to whole minutes (start floored, end ceiled), then merges. @internal */
export const alignMinutes = (a: ReadonlyArray<Interval>): Array<Interval> =>
  union(a.map((i) => ({ from: floorMinute(i.from), to: ceilMinute(i.to) })))

/** A journal span `[from, to]` (both inclusive) as the half-open `[from, to + 1)`. @internal */
export const fromClosed = (span: Interval): Interval => ({ from: span.from, to: span.to + 1 })
