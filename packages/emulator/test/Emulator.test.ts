import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer, Option, Redacted } from "effect"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorConfig from "../src/EmulatorConfig.js"
import { receiver } from "./utils/emulator.js"

const Live = (options: Emulator.Options) => Emulator.layer(options).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

const credentials = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const created = yield* emulator.createApp({ name: "demo" })
  const user = yield* emulator.createUser({ appId: created.app.id })
  return {
    appId: created.app.id,
    key: created.credentials.consumerKey,
    secret: Redacted.value(created.credentials.consumerSecret),
    owner: created.owner.accessToken,
    user: user.user.id,
    token: user.tokens.accessToken
  }
})

describe("Emulator library API", () => {
  it.scoped("the same seed gives the same ids and credentials; another seed others", () =>
    Effect.gen(function* () {
      const a = yield* Effect.provide(credentials, Live({ seed: "demo" }))
      const b = yield* Effect.provide(credentials, Live({ seed: "demo" }))
      const c = yield* Effect.provide(credentials, Live({ seed: "other" }))
      assert.deepStrictEqual(a, b)
      assert.notDeepEqual(a, c)
      assert.match(a.appId, /^[1-9][0-9]{7}$/)
      assert.match(a.user, /^[1-9][0-9]{8,18}$/)
      assert.match(a.key, /^[A-Za-z0-9]{25}$/)
      assert.isTrue(a.token.startsWith(`${a.user}-`))
    })
  )

  it.scoped("secrets are Redacted: they never show in the app or in errors", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const created = yield* emulator.createApp()
      const secret = Redacted.value(created.app.consumerSecret)
      assert.notInclude(JSON.stringify(created.app), secret)
      assert.notInclude(String(created.app.consumerSecret), secret)
      const failure = yield* Effect.flip(emulator.createUser({ appId: "42" }))
      assert.strictEqual(failure.reason, "UnknownApp")
      assert.include(failure.message, "createApp")
    }).pipe(Effect.provide(Live({})))
  )

  it.scoped("operations without HTTP: register (with its CRC), subscribe, isDeliverable, delete", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const created = yield* emulator.createApp()
      const stub = yield* receiver
      stub.setSecret(created.credentials.consumerSecret)
      const webhook = yield* emulator.registerWebhook(created.app.id, stub.url)
      assert.isTrue(yield* emulator.isDeliverable(webhook))
      assert.strictEqual(stub.requests.length, 1)
      const user = yield* emulator.createUser({ appId: created.app.id })
      yield* emulator.subscribe({ appId: created.app.id, webhookId: webhook.id, userId: user.user.id })
      assert.deepStrictEqual(
        (yield* emulator.subscriptionsOfUser(user.user.id)).map((s) => s.webhookId),
        [webhook.id]
      )
      const refused = yield* Effect.flip(
        emulator.subscribe({ appId: created.app.id, webhookId: webhook.id, userId: user.user.id })
      )
      assert.strictEqual(refused.status, 409)
      assert.strictEqual(refused.code, 355)
      assert.include(refused.message, "Subscription already exists.")
      yield* emulator.deleteWebhook(created.app.id, webhook.id)
      assert.isFalse(yield* emulator.isDeliverable(webhook.id))
      assert.deepStrictEqual(yield* emulator.subscriptionsOfUser(user.user.id), [])
    }).pipe(Effect.provide(Live({})))
  )

  it.scoped("a second app of an existing user gets its own token", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const one = yield* emulator.createApp()
      const two = yield* emulator.createApp()
      const first = yield* emulator.createUser({ appId: one.app.id, screenName: "alice" })
      const second = yield* emulator.createUser({ appId: two.app.id, userId: first.user.id })
      assert.deepStrictEqual(second.user, first.user)
      assert.notStrictEqual(second.tokens.accessToken, first.tokens.accessToken)
      const snapshot = yield* emulator.snapshot
      assert.strictEqual(snapshot.users.filter((u) => u.id === first.user.id).length, 1)
      assert.isTrue(Option.isNone(snapshot.apps[0]!.bearerToken))
    }).pipe(Effect.provide(Live({})))
  )

  it("EmulatorConfig: X's defaults and patches", () => {
    const config = EmulatorConfig.make({ rateLimits: { replay: 7 }, strictAuth: true })
    assert.strictEqual(config.rateLimits.replay, 7)
    assert.strictEqual(config.rateLimits.listSubscriptions, 50)
    assert.strictEqual(config.strictAuth, true)
    assert.strictEqual(config.crcTimeoutMillis, 3000)
    assert.deepStrictEqual(
      Object.values(EmulatorConfig.defaultRateLimits),
      [15, 15, 15, 15, 500, 500, 15, 50, 500, 500, 5]
    )
  })

  it.scoped("layerConfig reads options from Config", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      assert.strictEqual((yield* emulator.config).webhookLimit, 5)
    }).pipe(
      Effect.provide(
        Emulator.layerConfig(Config.all({ seed: Config.string("SEED"), webhookLimit: Config.integer("LIMIT") })).pipe(
          Layer.provide(NodeHttpClient.layerUndici),
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromJson({ SEED: "s", LIMIT: 5 })))
        )
      )
    )
  )
})
