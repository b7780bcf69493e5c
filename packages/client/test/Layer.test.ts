import { assert, it } from "@effect/vitest"
import { Config, ConfigProvider, Context, Effect, Layer, TestClock } from "effect"
import * as AccountActivityClient from "../src/AccountActivityClient.js"
import { NOW } from "./utils/harness.js"
import * as XStub from "./utils/XStub.js"

it.scoped("layerConfig: credentials and options from Config, names chosen by the app", () =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    const stub = yield* XStub.make()
    yield* stub.addWebhook("https://example.com/webhook", true)
    const provider = ConfigProvider.fromMap(
      new Map([
        ["AAA_CONSUMER_KEY", XStub.app.consumerKey],
        ["AAA_CONSUMER_SECRET", "stub consumer secret"],
        ["AAA_ACCESS_TOKEN", XStub.owner.accessToken],
        ["AAA_ACCESS_TOKEN_SECRET", "owner token secret"],
        ["AAA_API_URL", stub.url],
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
      })
    ).pipe(Effect.withConfigProvider(provider))
    const client = Context.get(context, AccountActivityClient.AccountActivityClient)
    const webhooks = yield* client.listWebhooks
    assert.strictEqual(webhooks.length, 1)
    const registered = yield* client.registerWebhook("https://example.com/second")
    assert.strictEqual(registered.url, "https://example.com/second")
  }).pipe(Effect.provide(XStub.ServerLive))
)

it.scoped("layerConfig: a missing credential fails the Layer with a ConfigError naming it", () =>
  Effect.gen(function* () {
    const error = yield* Layer.build(
      AccountActivityClient.layerConfig({
        app: { consumerKey: Config.string("AAA_CONSUMER_KEY"), consumerSecret: Config.redacted("AAA_CONSUMER_SECRET") }
      })
    ).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())), Effect.flip)
    assert.include(String(error), "AAA_CONSUMER_KEY")
  }).pipe(Effect.provide(XStub.ServerLive))
)
