import { assert, it } from "@effect/vitest"
import { Effect } from "effect"

it.effect("the package loads", () =>
  Effect.promise(() => import("../src/index.js")).pipe(Effect.map((m) => assert.strictEqual(typeof m, "object")))
)
