import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Either, Option, TestClock } from "effect"
import * as fc from "fast-check"
import * as ReplayWindow from "../src/ReplayWindow.js"

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
/** 2024-06-10T12:00:00Z */
const NOW = Date.UTC(2024, 5, 10, 12, 0, 0)

const window = (from: number, to: number) => ReplayWindow.make(from, to)
const millis = (w: ReplayWindow.ReplayWindow) => [DateTime.toEpochMillis(w.from), DateTime.toEpochMillis(w.to)]
const reasonOf = (result: Either.Either<ReplayWindow.ReplayWindow, ReplayWindow.ReplayWindowError>) =>
  Either.match(result, { onLeft: (error) => error.reason, onRight: () => "valid" as const })

describe("ReplayWindow.validate", () => {
  it("from exactly 31 minutes old is valid, 1 minute less is not (and becomes valid 1 minute later)", () => {
    const ok = window(NOW - 31 * MINUTE, NOW - 20 * MINUTE)
    assert.strictEqual(reasonOf(ReplayWindow.validate(ok, NOW)), "valid")
    const early = window(NOW - 30 * MINUTE, NOW - 20 * MINUTE)
    const result = ReplayWindow.validate(early, NOW)
    assert.strictEqual(reasonOf(result), "FromTooRecent")
    const error = Either.getLeft(result).pipe(Option.getOrThrow)
    assert.deepStrictEqual(error.validAt, DateTime.unsafeMake(NOW + MINUTE))
    assert.include(error.message, "31 minutes")
    assert.include(error.message, "2024-06-10T12:01:00.000Z")
    // at validAt it is valid, one millisecond before it is not
    assert.strictEqual(reasonOf(ReplayWindow.validate(early, NOW + MINUTE)), "valid")
    assert.strictEqual(reasonOf(ReplayWindow.validate(early, NOW + MINUTE - 1)), "FromTooRecent")
  })

  it("to exactly 10 minutes old is valid, 1 minute less is not", () => {
    assert.strictEqual(reasonOf(ReplayWindow.validate(window(NOW - 60 * MINUTE, NOW - 10 * MINUTE), NOW)), "valid")
    const late = ReplayWindow.validate(window(NOW - 60 * MINUTE, NOW - 9 * MINUTE), NOW)
    assert.strictEqual(reasonOf(late), "ToTooRecent")
    const error = Either.getLeft(late).pipe(Option.getOrThrow)
    assert.deepStrictEqual(error.validAt, DateTime.unsafeMake(NOW + MINUTE))
    assert.include(error.message, "10 minutes")
  })

  it("both too recent: validAt is when the whole window is valid, the reason the rule that binds longer", () => {
    const both = ReplayWindow.validate(window(NOW - 25 * MINUTE, NOW - 5 * MINUTE), NOW)
    const error = Either.getLeft(both).pipe(Option.getOrThrow)
    assert.strictEqual(error.reason, "FromTooRecent")
    assert.deepStrictEqual(error.validAt, DateTime.unsafeMake(NOW + 6 * MINUTE))
    const toBinds = ReplayWindow.validate(window(NOW - 30 * MINUTE, NOW + 5 * MINUTE), NOW)
    assert.strictEqual(reasonOf(toBinds), "ToTooRecent")
    assert.deepStrictEqual(
      Either.getLeft(toBinds).pipe(Option.getOrThrow).validAt,
      DateTime.unsafeMake(NOW + 15 * MINUTE)
    )
  })

  it("from exactly 5 days old is valid, 1 minute older is lost for good (no validAt)", () => {
    assert.strictEqual(
      reasonOf(ReplayWindow.validate(window(NOW - 5 * DAY, NOW - 5 * DAY + 60 * MINUTE), NOW)),
      "valid"
    )
    const old = ReplayWindow.validate(window(NOW - 5 * DAY - MINUTE, NOW - 4 * DAY), NOW)
    assert.strictEqual(reasonOf(old), "FromTooOld")
    const error = Either.getLeft(old).pipe(Option.getOrThrow)
    assert.isUndefined(error.validAt)
    assert.include(error.message, "5 days")
    assert.include(error.message, "2024-06-05T12:00:00.000Z")
  })

  it("from must be before to; both on whole minutes", () => {
    assert.strictEqual(
      reasonOf(ReplayWindow.validate(window(NOW - 60 * MINUTE, NOW - 60 * MINUTE), NOW)),
      "FromNotBeforeTo"
    )
    assert.strictEqual(
      reasonOf(ReplayWindow.validate(window(NOW - 40 * MINUTE, NOW - 60 * MINUTE), NOW)),
      "FromNotBeforeTo"
    )
    const seconds = window(NOW - 60 * MINUTE + 30_000, NOW - 20 * MINUTE)
    assert.strictEqual(reasonOf(ReplayWindow.validate(seconds, NOW)), "NotMinutePrecise")
    assert.strictEqual(reasonOf(ReplayWindow.validate(ReplayWindow.align(seconds), NOW)), "valid")
    assert.deepStrictEqual(millis(ReplayWindow.align(window(NOW + 1, NOW + MINUTE + 1))), [NOW, NOW + 2 * MINUTE])
  })

  it.effect("on the TestClock: a window is refused now and accepted once the clock reaches validAt", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const w = window(NOW - 20 * MINUTE, NOW - 15 * MINUTE)
      const refused = ReplayWindow.validate(w, yield* DateTime.now)
      const validAt = Either.getLeft(refused).pipe(Option.getOrThrow).validAt!
      assert.deepStrictEqual(validAt, DateTime.unsafeMake(NOW + 11 * MINUTE))
      yield* TestClock.setTime(DateTime.toEpochMillis(validAt) - 1)
      assert.strictEqual(reasonOf(ReplayWindow.validate(w, yield* DateTime.now)), "FromTooRecent")
      yield* TestClock.adjust(1)
      assert.strictEqual(reasonOf(ReplayWindow.validate(w, yield* DateTime.now)), "valid")
    })
  )
})

describe("ReplayWindow helpers", () => {
  it("earliestStart, latestStart, latestEnd round to the side X accepts", () => {
    const now = NOW + 30_500 // 12:00:30.5
    assert.deepStrictEqual(ReplayWindow.earliestStart(now), DateTime.unsafeMake(NOW - 5 * DAY + MINUTE))
    assert.deepStrictEqual(ReplayWindow.latestStart(now), DateTime.unsafeMake(NOW - 31 * MINUTE))
    assert.deepStrictEqual(ReplayWindow.latestEnd(now), DateTime.unsafeMake(NOW - 10 * MINUTE))
  })

  it("clamp keeps the part valid now", () => {
    const clamped = ReplayWindow.clamp(window(NOW - 6 * DAY, NOW), NOW)
    assert.deepStrictEqual(clamped.pipe(Option.map(millis)), Option.some([NOW - 5 * DAY, NOW - 10 * MINUTE]))
    assert.isTrue(Option.isNone(ReplayWindow.clamp(window(NOW - 20 * MINUTE, NOW), NOW)))
    assert.isTrue(Option.isNone(ReplayWindow.clamp(window(NOW - 7 * DAY, NOW - 6 * DAY), NOW)))
  })
})

describe("ReplayWindow.plan", () => {
  it("splits a wanted window into lost, ready and pending (skew 0)", () => {
    const planned = ReplayWindow.plan(window(NOW - 6 * DAY, NOW), NOW, { skew: 0 })
    assert.deepStrictEqual(planned.lost.pipe(Option.map(millis)), Option.some([NOW - 6 * DAY, NOW - 5 * DAY]))
    assert.deepStrictEqual(planned.ready.map(millis), [[NOW - 5 * DAY, NOW - 10 * MINUTE]])
    const pending = Option.getOrThrow(planned.pending)
    assert.deepStrictEqual(millis(pending.window), [NOW - 10 * MINUTE, NOW])
    // from (now - 10 min) must be 31 minutes old: now + 21 min
    assert.deepStrictEqual(pending.at, DateTime.unsafeMake(NOW + 21 * MINUTE))
    // at that instant the rest is ready, whole
    const later = ReplayWindow.plan(pending.window, pending.at, { skew: 0 })
    assert.deepStrictEqual(later.ready.map(millis), [[NOW - 10 * MINUTE, NOW]])
    assert.isTrue(Option.isNone(later.pending))
  })

  it("keeps skew away from every edge", () => {
    const planned = ReplayWindow.plan(window(NOW - 6 * DAY, NOW), NOW, { skew: "1 minute" })
    assert.deepStrictEqual(planned.lost.pipe(Option.map(millis)), Option.some([NOW - 6 * DAY, NOW - 5 * DAY + MINUTE]))
    assert.deepStrictEqual(planned.ready.map(millis), [[NOW - 5 * DAY + MINUTE, NOW - 11 * MINUTE]])
    // rest starts at now - 11 min: 31 minutes later, plus the skew
    assert.deepStrictEqual(Option.getOrThrow(planned.pending).at, DateTime.unsafeMake(NOW + 21 * MINUTE))
  })

  it("a window too recent for now is all pending; an old one all lost", () => {
    const recent = ReplayWindow.plan(window(NOW - 20 * MINUTE, NOW - 15 * MINUTE), NOW, { skew: 0 })
    assert.deepStrictEqual(recent.ready, [])
    assert.deepStrictEqual(Option.getOrThrow(recent.pending).at, DateTime.unsafeMake(NOW + 11 * MINUTE))
    const old = ReplayWindow.plan(window(NOW - 7 * DAY, NOW - 6 * DAY), NOW)
    assert.deepStrictEqual(old.ready, [])
    assert.isTrue(Option.isNone(old.pending))
    assert.deepStrictEqual(old.lost.pipe(Option.map(millis)), Option.some([NOW - 7 * DAY, NOW - 6 * DAY]))
  })

  it("maxSpan splits the ready part; a chunk that would start too late waits with the rest", () => {
    const planned = ReplayWindow.plan(window(NOW - 40 * MINUTE, NOW), NOW, { skew: 0, maxSpan: "5 minutes" })
    assert.deepStrictEqual(planned.ready.map(millis), [
      [NOW - 40 * MINUTE, NOW - 35 * MINUTE],
      [NOW - 35 * MINUTE, NOW - 30 * MINUTE]
    ])
    assert.deepStrictEqual(millis(Option.getOrThrow(planned.pending).window), [NOW - 30 * MINUTE, NOW])
  })

  it("property: ready windows are valid within skew of now; the parts cover the aligned window without overlap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -7 * DAY, max: DAY }),
        fc.integer({ min: 1, max: 3 * DAY }),
        fc.integer({ min: 0, max: 3 }),
        fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
        (offset, length, skewMinutes, spanMinutes) => {
          const wanted = window(NOW + offset, NOW + offset + length)
          const skew = skewMinutes * MINUTE
          const planned = ReplayWindow.plan(wanted, NOW, {
            skew,
            maxSpan: spanMinutes === undefined ? undefined : spanMinutes * MINUTE
          })
          for (const ready of planned.ready) {
            assert.strictEqual(reasonOf(ReplayWindow.validate(ready, NOW - skew)), "valid")
            assert.strictEqual(reasonOf(ReplayWindow.validate(ready, NOW + skew)), "valid")
            if (spanMinutes !== undefined) assert.isAtMost(millis(ready)[1]! - millis(ready)[0]!, spanMinutes * MINUTE)
          }
          if (Option.isSome(planned.pending)) {
            const { at, window: rest } = planned.pending.value
            const later = ReplayWindow.plan(rest, at, { skew })
            assert.isTrue(Option.isNone(later.pending) && Option.isNone(later.lost))
          }
          const parts = [
            ...Option.toArray(planned.lost),
            ...planned.ready,
            ...Option.toArray(planned.pending).map((p) => p.window)
          ].map(millis)
          const aligned = millis(ReplayWindow.align(wanted))
          // consecutive, from the aligned start to the aligned end
          assert.strictEqual(parts[0]![0], aligned[0])
          assert.strictEqual(parts[parts.length - 1]![1], aligned[1])
          for (let i = 1; i < parts.length; i++) assert.strictEqual(parts[i]![0], parts[i - 1]![1])
          for (const [from, to] of parts) assert.isBelow(from!, to!)
        }
      ),
      { numRuns: 200 }
    )
  })
})
