// The example plugin of docs/plugins.md (test/fixtures/dm-and-mentions.ts, the same code), run against a real
// chat webhook on loopback, on a stream of every kind of event.
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import { ActivityStream, PluginError } from "@account-activity/core"
import { FetchHttpClient, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted, Ref, type Scope } from "effect"
import { bodies, decode, events, samples } from "./fixtures/deliveries.js"
import DmAndMentionsDefault, * as DmAndMentions from "./fixtures/dm-and-mentions.js"

interface Received {
  readonly message: DmAndMentions.Message
  readonly idempotencyKey: string | undefined
}

/** A chat webhook on loopback that records each POST and answers `status`. */
const chatWebhook = (status = 200) =>
  Effect.gen(function* () {
    const received = yield* Ref.make<ReadonlyArray<Received>>([])
    yield* HttpServer.serveEffect()(
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const message = (yield* request.json) as DmAndMentions.Message
        yield* Ref.update(received, (list) => [
          ...list,
          { message, idempotencyKey: request.headers["idempotency-key"] }
        ])
        return HttpServerResponse.empty({ status })
      }).pipe(Effect.orDie)
    )
    const url = yield* HttpServer.addressFormattedWith((address) => Effect.succeed(`${address}/hooks/T000/B000`))
    return { received: Ref.get(received), url }
  })

const Server = NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })

const run = <A, E>(effect: Effect.Effect<A, E, HttpServer.HttpServer | Scope.Scope>) =>
  effect.pipe(Effect.scoped, Effect.provide(Server))

const withPlugin = <A, E, E2>(
  plugin: Layer.Layer<never, E2, ActivityStream.ActivityStream>,
  effect: Effect.Effect<A, E, ActivityStream.ActivityStream>
) => effect.pipe(Effect.provide(plugin.pipe(Layer.provideMerge(ActivityStream.layer))))

const expected = samples.filter(({ event }) => event._tag === "DirectMessageReceived" || event._tag === "Mention")

describe("the dm-and-mentions example plugin", () => {
  it.effect("forwards only the received Direct Messages and the mentions of a mixed stream", () =>
    run(
      Effect.gen(function* () {
        const chat = yield* chatWebhook()
        const plugin = DmAndMentions.layer({ url: Redacted.make(chat.url) }).pipe(Layer.provide(FetchHttpClient.layer))
        yield* withPlugin(plugin, ActivityStream.publish(events))
        const received = yield* chat.received
        assert.strictEqual(expected.length, 2)
        assert.deepStrictEqual(
          received.map((r) => r.message.identityKey),
          expected.map(({ event }) => event.identityKey)
        )
        assert.deepStrictEqual(
          received.map((r) => r.idempotencyKey),
          expected.map(({ event }) => event.identityKey)
        )
        assert.deepStrictEqual(
          received.map((r) => r.message.text),
          [
            "@zoe_builds mentioned user 2244994945: @XDevelopers merci, c'est réglé !",
            "DM from @kenji_tanaka: See https://example.com/status/incidents for the details"
          ]
        )
      })
    )
  )

  it.effect("skips mentions from blocked users when asked", () =>
    run(
      Effect.gen(function* () {
        const chat = yield* chatWebhook()
        const blocked = decode(bodies["Mention-of"]!.replace('"user_has_blocked":"false"', '"user_has_blocked":"true"'))
        const skipping = DmAndMentions.layer({ url: Redacted.make(chat.url), skipBlocked: true })
        yield* withPlugin(skipping.pipe(Layer.provide(FetchHttpClient.layer)), ActivityStream.publish(blocked))
        assert.strictEqual((yield* chat.received).length, 0)
        const forwarding = DmAndMentions.layer({ url: Redacted.make(chat.url) })
        yield* withPlugin(forwarding.pipe(Layer.provide(FetchHttpClient.layer)), ActivityStream.publish(blocked))
        assert.strictEqual((yield* chat.received).length, 1)
      })
    )
  )

  it.effect("a chat webhook that fails makes publish fail with the plugin's PluginError (the worker retries)", () =>
    run(
      Effect.gen(function* () {
        const chat = yield* chatWebhook(503)
        const plugin = DmAndMentions.layer({ url: Redacted.make(chat.url) }).pipe(Layer.provide(FetchHttpClient.layer))
        const error = yield* Effect.flip(withPlugin(plugin, ActivityStream.publish(events)))
        assert.instanceOf(error, PluginError)
        assert.strictEqual(error.plugin, "dm-and-mentions")
        assert.strictEqual(error.identityKey, expected[0]!.event.identityKey)
        assert.instanceOf(error.cause, DmAndMentions.ForwardError)
        assert.strictEqual((error.cause as DmAndMentions.ForwardError).status, 503)
        assert.notInclude(error.message, chat.url, "the URL is a secret")
        // the plugin stops at its first failure: the DM after the mention was not sent
        assert.strictEqual((yield* chat.received).length, 1)
      })
    )
  )

  it.effect("the default export is configured from DM_AND_MENTIONS_* and brings its own HttpClient", () =>
    run(
      Effect.gen(function* () {
        const chat = yield* chatWebhook()
        yield* withPlugin(DmAndMentionsDefault, ActivityStream.publish(events)).pipe(
          Effect.withConfigProvider(
            ConfigProvider.fromMap(new Map([["DM_AND_MENTIONS_URL", chat.url]]), { pathDelim: "_" })
          )
        )
        assert.strictEqual((yield* chat.received).length, expected.length)
      })
    )
  )

  it("is, verbatim, the example of docs/plugins.md", () => {
    const example = readFileSync(new URL("./fixtures/dm-and-mentions.ts", import.meta.url), "utf8")
    const doc = readFileSync(new URL("../../../docs/plugins.md", import.meta.url), "utf8")
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
    assert.include(blocks, example, "copy test/fixtures/dm-and-mentions.ts into the example block of docs/plugins.md")
  })
})
