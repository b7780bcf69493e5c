import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Option } from "effect"
import * as WorkerConfig from "../src/WorkerConfig.js"

const load = (vars: Record<string, string>) =>
  WorkerConfig.load.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars)))))

describe("WorkerConfig", () => {
  it.effect("has working defaults", () =>
    Effect.gen(function* () {
      const config = yield* load({})
      assert.strictEqual(config.queueUrl, "sqlite:./data/aaa.db")
      assert.strictEqual(config.concurrency, 16)
      assert.strictEqual(config.maxAttempts, 5)
      assert.isTrue(Duration.equals(config.visibilityTimeout, Duration.seconds(30)))
      assert.isTrue(Option.isNone(config.lifecycle))
    })
  )

  it.effect("reads AAA_VISIBILITY_TIMEOUT as a duration", () =>
    Effect.gen(function* () {
      const config = yield* load({ AAA_VISIBILITY_TIMEOUT: "5 seconds" })
      assert.isTrue(Duration.equals(config.visibilityTimeout, Duration.seconds(5)))
    })
  )

  it.effect("refuses a visibility timeout under a second, saying why", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(load({ AAA_VISIBILITY_TIMEOUT: "500 millis" }))
      assert.include(String(error), "AAA_VISIBILITY_TIMEOUT must be at least 1 second")
    })
  )
})
