import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Chaos from "../src/Chaos.js"

const events = 2000

const check = (summary: Chaos.Summary) => {
  const report = Chaos.format(summary)
  assert.deepStrictEqual(summary.missing, [], report)
  assert.deepStrictEqual(summary.doubled, [], report)
  assert.deepStrictEqual(summary.unexpected, [], report)
  assert.strictEqual(summary.activities, events, report)
  assert.isAtLeast(summary.deliveries, events, report)
  assert.strictEqual(summary.counted, summary.expected, report)
  assert.isAtLeast(summary.receiverKills, 2, report)
  assert.isAtLeast(summary.workerKills, 2, report)
  assert.isTrue(summary.ok, report)
}

describe("chaos run: 2,000 events, receivers and workers killed with SIGKILL", () => {
  for (const queue of ["sqlite", "redis"] as const) {
    it.live(
      `${queue}: every event reaches the plugin exactly once`,
      () =>
        Effect.gen(function* () {
          const summary = yield* Chaos.run({ events, queue })
          console.log(Chaos.format(summary))
          check(summary)
        }).pipe(Effect.scoped),
      400_000
    )
  }
})
