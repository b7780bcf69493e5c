import { assert, describe, it } from "@effect/vitest"
import { DateTime } from "effect"
import * as fc from "fast-check"
import * as Gaps from "../src/Gaps.js"
import * as ReplayWindow from "../src/ReplayWindow.js"

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
/** 2024-06-10T12:00:00Z */
const NOW = Date.UTC(2024, 5, 10, 12, 0, 0)

const millis = (w: ReplayWindow.ReplayWindow) => [DateTime.toEpochMillis(w.from), DateTime.toEpochMillis(w.to)]
const span = (from: number, to: number): Gaps.Span => ({ from, to })

describe("Gaps.compute", () => {
  it("a receiver hole becomes one gap, widened by the margin, ready once old enough", () => {
    const result = Gaps.compute({
      receiver: [span(NOW - 3 * 60 * MINUTE, NOW - 2 * 60 * MINUTE), span(NOW - 60 * MINUTE, NOW)],
      since: NOW - 3 * 60 * MINUTE,
      now: NOW
    })
    // the closed span ends at NOW - 2h inclusive: the gap starts 1 ms later, widened by 1 minute, on minutes
    assert.deepStrictEqual(result.gaps.map(millis), [[NOW - 121 * MINUTE, NOW - 59 * MINUTE]])
    assert.deepStrictEqual(result.ready.map(millis), [[NOW - 121 * MINUTE, NOW - 59 * MINUTE]])
    assert.deepStrictEqual(result.pending, [])
    assert.deepStrictEqual(result.lost, [])
  })

  it("a receiver that is down now: the open gap waits for X's rules; the settle stretch is not a gap", () => {
    const covered = Gaps.compute({
      receiver: [span(NOW - 60 * MINUTE, NOW - MINUTE)],
      since: NOW - 60 * MINUTE,
      now: NOW
    })
    assert.deepStrictEqual(covered.gaps, [], "the last heartbeat a minute ago is not a gap")
    const down = Gaps.compute({
      receiver: [span(NOW - 60 * MINUTE, NOW - 30 * MINUTE)],
      since: NOW - 60 * MINUTE,
      now: NOW,
      skew: 0
    })
    // examined up to now - settle (2 minutes), widened by the margin (1 minute)
    assert.deepStrictEqual(down.gaps.map(millis), [[NOW - 31 * MINUTE, NOW - MINUTE]])
    assert.deepStrictEqual(down.ready.map(millis), [[NOW - 31 * MINUTE, NOW - 10 * MINUTE]])
    assert.deepStrictEqual(
      down.pending.map((p) => [...millis(p.window), DateTime.toEpochMillis(p.at)]),
      [[NOW - 10 * MINUTE, NOW - MINUTE, NOW + 21 * MINUTE]]
    )
  })

  it("an invalid webhook is a gap even while receivers are up; recovered windows are no gaps", () => {
    const receiver = [span(NOW - 3 * 60 * MINUTE, NOW)]
    const invalid = [span(NOW - 150 * MINUTE, NOW - 140 * MINUTE)]
    const found = Gaps.compute({ receiver, invalid, since: NOW - 3 * 60 * MINUTE, now: NOW })
    // the invalid span includes its last millisecond (NOW - 140 min): widened, that reaches into the next minute
    assert.deepStrictEqual(found.gaps.map(millis), [[NOW - 151 * MINUTE, NOW - 138 * MINUTE]])
    const [gap] = found.gaps
    const { from, to } = ReplayWindow.toMillis(gap!)
    const after = Gaps.compute({
      receiver,
      invalid,
      recovered: [span(from, to - 1)],
      since: NOW - 3 * 60 * MINUTE,
      now: NOW
    })
    assert.deepStrictEqual(after.gaps, [])
  })

  it("what is older than 5 days is lost; nothing before since is a gap", () => {
    const found = Gaps.compute({
      receiver: [span(NOW - 6 * DAY + 60 * MINUTE, NOW)],
      since: NOW - 7 * DAY,
      now: NOW,
      skew: 0
    })
    assert.deepStrictEqual(found.gaps.map(millis), [[NOW - 7 * DAY, NOW - 6 * DAY + 61 * MINUTE]])
    assert.deepStrictEqual(found.lost.map(millis), [[NOW - 7 * DAY, NOW - 6 * DAY + 61 * MINUTE]])
    assert.deepStrictEqual(found.ready, [])
    const tracked = Gaps.compute({ receiver: [span(NOW - 6 * DAY + 60 * MINUTE, NOW)], since: NOW - 2 * DAY, now: NOW })
    assert.deepStrictEqual(tracked.gaps, [])
  })
})

// -----------------------------------------------------------------------------
// Properties
// -----------------------------------------------------------------------------

const RANGE = 6 * DAY

/** Spans within [NOW - RANGE, NOW]: an offset and a length (both in seconds, so many edges are not on minutes). */
const spans = (max: number, maxLength: number) =>
  fc.array(
    fc
      .tuple(fc.integer({ min: 0, max: RANGE / 1000 }), fc.integer({ min: 0, max: maxLength / 1000 }))
      .map(([offset, length]) =>
        span(NOW - RANGE + offset * 1000, Math.min(NOW, NOW - RANGE + (offset + length) * 1000))
      ),
    { maxLength: max }
  )

/** Recovered spans as GapRecovery records them: whole minutes, `to` the last millisecond. */
const recoveredSpans = fc.array(
  fc
    .tuple(fc.integer({ min: 0, max: RANGE / MINUTE }), fc.integer({ min: 1, max: 600 }))
    .map(([offset, length]) => span(NOW - RANGE + offset * MINUTE, NOW - RANGE + (offset + length) * MINUTE - 1)),
  { maxLength: 4 }
)

const inClosed = (t: number, list: ReadonlyArray<Gaps.Span>) => list.some((s) => s.from <= t && t <= s.to)
const inWindows = (t: number, list: ReadonlyArray<ReplayWindow.ReplayWindow>) =>
  list.some((w) => DateTime.toEpochMillis(w.from) <= t && t < DateTime.toEpochMillis(w.to))
const disjoint = (list: ReadonlyArray<ReplayWindow.ReplayWindow>) => {
  const sorted = list.map(millis).sort((a, b) => a[0]! - b[0]!)
  for (let i = 1; i < sorted.length; i++) if (sorted[i]![0]! < sorted[i - 1]![1]!) return false
  return sorted.every(([from, to]) => from! < to!)
}

const arbitraryInput = fc.record({
  receiver: spans(8, DAY),
  invalid: spans(3, 6 * 60 * MINUTE),
  recovered: recoveredSpans,
  since: fc.integer({ min: 0, max: RANGE / 1000 }).map((s) => NOW - RANGE + s * 1000),
  margin: fc.integer({ min: 0, max: 5 * MINUTE }),
  settle: fc.integer({ min: 0, max: 10 * MINUTE }),
  skew: fc.integer({ min: 0, max: 2 * MINUTE })
})

/** The instants worth checking: every edge of every span, one millisecond either side, and random ones. */
const probes = (
  input: typeof arbitraryInput extends fc.Arbitrary<infer A> ? A : never,
  extra: ReadonlyArray<number>
) => {
  const edges = [...input.receiver, ...input.invalid, ...input.recovered].flatMap((s) => [
    s.from - 1,
    s.from,
    s.to,
    s.to + 1
  ])
  return [...edges, ...extra, input.since, NOW - input.settle - 1]
}

describe("Gaps properties", () => {
  it("every instant of the tracked range is covered, recovered, or in a ready, pending or lost window", () => {
    fc.assert(
      fc.property(arbitraryInput, fc.array(fc.integer({ min: 0, max: RANGE }), { maxLength: 20 }), (input, randoms) => {
        const found = Gaps.compute({ ...input, now: NOW })
        const planned = [...found.ready, ...found.pending.map((p) => p.window), ...found.lost]
        const horizon = NOW - input.settle
        for (const t of probes(
          input,
          randoms.map((r) => NOW - RANGE + r)
        )) {
          if (t < input.since || t >= horizon) continue
          const covered = inClosed(t, input.receiver) && !inClosed(t, input.invalid)
          if (covered || inClosed(t, input.recovered)) continue
          assert.isTrue(inWindows(t, found.gaps), `instant ${t} is in no gap`)
          assert.isTrue(inWindows(t, planned), `instant ${t} is neither ready, pending nor lost`)
        }
      }),
      { numRuns: 300 }
    )
  })

  it("gaps do not overlap; ready, pending and lost do not overlap and cover the gaps exactly", () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const found = Gaps.compute({ ...input, now: NOW })
        assert.isTrue(disjoint(found.gaps), "gaps overlap")
        const planned = [...found.ready, ...found.pending.map((p) => p.window), ...found.lost]
        assert.isTrue(disjoint(planned), "planned windows overlap")
        const total = (list: ReadonlyArray<ReplayWindow.ReplayWindow>) =>
          list.map(millis).reduce((sum, [from, to]) => sum + (to! - from!), 0)
        assert.strictEqual(total(planned), total(found.gaps))
        for (const w of planned) {
          const [from, to] = millis(w)
          assert.isTrue(inWindows(from!, found.gaps) && inWindows(to! - 1, found.gaps), "planned outside the gaps")
        }
        for (const ready of found.ready) {
          assert.isTrue(
            ReplayWindow.validate(ready, NOW).pipe((r) => r._tag === "Right"),
            "ready but invalid"
          )
        }
        for (const lost of found.lost)
          assert.isAtMost(DateTime.toEpochMillis(lost.to), NOW - 5 * DAY + input.skew + MINUTE)
      }),
      { numRuns: 300 }
    )
  })

  it("recovered spans remove gaps: no gap instant is recovered, and recording every gap leaves none", () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const found = Gaps.compute({ ...input, now: NOW })
        for (const gap of found.gaps) {
          const [from, to] = millis(gap)
          for (const r of input.recovered)
            assert.isFalse(r.from < to! && from! <= r.to, "a gap overlaps a recovered span")
        }
        const recorded = found.gaps.map((gap) => {
          const [from, to] = millis(gap)
          return span(from!, to! - 1)
        })
        const again = Gaps.compute({ ...input, recovered: [...input.recovered, ...recorded], now: NOW })
        assert.deepStrictEqual(again.gaps, [])
      }),
      { numRuns: 300 }
    )
  })
})
