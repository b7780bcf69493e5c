import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer, Redacted } from "effect"
import * as WebhookSecrets from "../src/WebhookSecrets.js"
import * as WebhookSignature from "../src/WebhookSignature.js"

const fromEnv = (entries: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

const values = (service: WebhookSecrets.Service) => service.secrets.map((secret) => Redacted.value(secret))

describe("layerConfig", () => {
  const secretsLayer = WebhookSecrets.layerConfig(Config.redacted("AAA_CONSUMER_SECRET"))

  it.effect("reads one secret", () =>
    Effect.gen(function* () {
      const service = yield* WebhookSecrets.WebhookSecrets
      assert.deepStrictEqual(values(service), ["current-secret"])
    }).pipe(Effect.provide(secretsLayer.pipe(Layer.provide(fromEnv({ AAA_CONSUMER_SECRET: "current-secret" })))))
  )

  it.effect("splits a comma-separated rotation list, newest first, trimming each part", () =>
    Effect.gen(function* () {
      const service = yield* WebhookSecrets.WebhookSecrets
      assert.deepStrictEqual(values(service), ["new-secret", "old-secret"])
      assert.strictEqual(Redacted.value(yield* WebhookSecrets.current), "new-secret")
    }).pipe(
      Effect.provide(secretsLayer.pipe(Layer.provide(fromEnv({ AAA_CONSUMER_SECRET: " new-secret, old-secret\n" }))))
    )
  )

  it.effect("takes a list config entry by entry", () =>
    Effect.gen(function* () {
      const service = yield* WebhookSecrets.WebhookSecrets
      assert.deepStrictEqual(values(service), ["a", "b"])
    }).pipe(
      Effect.provide(
        WebhookSecrets.layerConfig(Config.array(Config.redacted(), "SECRETS")).pipe(
          Layer.provide(fromEnv({ SECRETS: "a,b" }))
        )
      )
    )
  )

  it.effect("fails with a ConfigError when the variable is missing", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(secretsLayer).pipe(Effect.scoped))
      assert.strictEqual(error._tag === "ConfigError" && error._op, "MissingData")
    }).pipe(Effect.provide(fromEnv({})))
  )

  it.effect("fails when the value holds no secret at all", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(secretsLayer).pipe(Effect.scoped))
      assert.strictEqual(error._tag, "WebhookSecretsError")
      assert.strictEqual(error._tag === "WebhookSecretsError" && error.reason, "NoSecrets")
    }).pipe(Effect.provide(fromEnv({ AAA_CONSUMER_SECRET: " , ," })))
  )
})

describe("make", () => {
  it.effect("refuses an empty list", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(WebhookSecrets.make([]))
      assert.strictEqual(error.reason, "NoSecrets")
      assert.include(error.message, "consumer secret")
    })
  )

  it.effect("refuses an empty secret and says which one", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(WebhookSecrets.make([Redacted.make("ok"), Redacted.make("")]))
      assert.strictEqual(error.reason, "EmptySecret")
      assert.strictEqual(error.index, 1)
      assert.include(error.message, "#2")
    })
  )

  it.effect("refuses surrounding whitespace without printing the secret", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(WebhookSecrets.make(Redacted.make("hunter2-secret\n")))
      assert.strictEqual(error.reason, "Whitespace")
      assert.notInclude(error.message, "hunter2")
      assert.notInclude(String(error), "hunter2")
    })
  )

  it.effect("never shows a secret when the service is printed", () =>
    Effect.gen(function* () {
      const service = yield* WebhookSecrets.make([Redacted.make("hunter2-secret")])
      assert.notInclude(String(service.secrets), "hunter2")
      assert.notInclude(JSON.stringify(service), "hunter2")
    })
  )

  it.effect("a layer from code is used by sign and verify", () =>
    Effect.gen(function* () {
      const header = yield* WebhookSignature.sign("test=1&other_test=2")
      assert.strictEqual(header, "sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc=")
      assert.strictEqual(yield* WebhookSignature.verify("test=1&other_test=2", header), 0)
    }).pipe(Effect.provide(WebhookSecrets.layer(Redacted.make("test"))))
  )
})
