import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Sandbox from "../src/Sandbox.js"

describe("Sandbox", () => {
  it.live(
    "every activity kind reaches the plugins once, and a receiver outage is recovered by Replay",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "aaa-sandbox-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
        const summary = yield* Sandbox.run({
          once: true,
          output: "quiet",
          filename: join(dir, "sandbox.db"),
          pace: "20 millis",
          missed: 6
        })
        assert.deepStrictEqual(summary.doubled, [], "no event reached the plugins twice")
        assert.isTrue(summary.ok, `every delivery's event arrived: ${JSON.stringify(summary)}`)
        assert.isAtLeast(summary.recovered, 6, "the missed activities came back through Replay")
        // The 19 activity kinds, plus the replay job's status.
        assert.isAtLeast(summary.tags.length, 20)
        assert.include(summary.tags, "ReplayJobStatus")
      }).pipe(Effect.scoped),
    120_000
  )
})
