import { NodeHttpClient } from "@effect/platform-node"
import { assert, it } from "@effect/vitest"
import { Config, ConfigProvider, Context, Effect, Layer, Redacted } from "effect"
import * as AccountActivityClient from "../src/AccountActivityClient.js"
import { setup } from "./utils/harness.js"

it.scoped("layerConfig: credentials and options from Config, names chosen by the app", () =>
  Effect.gen(function* () {
    const { app, proxy, register, hook, emulator } = yield* setup()
    yield* register()
    const provider = ConfigProvider.fromMap(
      new Map([
        ["AAA_CONSUMER_KEY", app.credentials.consumerKey],
        ["AAA_CONSUMER_SECRET", Redacted.value(app.credentials.consumerSecret) as string],
        ["AAA_ACCESS_TOKEN", app.owner.accessToken],
        ["AAA_ACCESS_TOKEN_SECRET", Redacted.value(app.owner.accessTokenSecret) as string],
        ["AAA_API_URL", proxy.url],
        ["AAA_MAX_RATE_LIMIT_WAIT", "2 minutes"]
      ])
    )
    const context = yield* Layer.build(
      AccountActivityClient.layerConfig({
        app: {
          consumerKey: Config.string("AAA_CONSUMER_KEY"),
          consumerSecret: Config.redacted("AAA_CONSUMER_SECRET")
        },
        owner: {
          accessToken: Config.string("AAA_ACCESS_TOKEN"),
          accessTokenSecret: Config.redacted("AAA_ACCESS_TOKEN_SECRET")
        },
        baseUrl: Config.string("AAA_API_URL"),
        maxRateLimitWait: Config.duration("AAA_MAX_RATE_LIMIT_WAIT")
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
    ).pipe(Effect.withConfigProvider(provider))
    const client = Context.get(context, AccountActivityClient.AccountActivityClient)
    const webhooks = yield* client.listWebhooks
    assert.strictEqual(webhooks.length, 1)
    const registered = yield* client.registerWebhook(`${hook}/second`)
    assert.strictEqual(registered.url, `${hook}/second`)
    assert.strictEqual((yield* emulator.webhooks).length, 2)
  })
)

it.scoped("layerConfig: a missing credential fails the Layer with a ConfigError naming it", () =>
  Effect.gen(function* () {
    const error = yield* Layer.build(
      AccountActivityClient.layerConfig({
        app: { consumerKey: Config.string("AAA_CONSUMER_KEY"), consumerSecret: Config.redacted("AAA_CONSUMER_SECRET") }
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
    ).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())), Effect.flip)
    assert.include(String(error), "AAA_CONSUMER_KEY")
  })
)
