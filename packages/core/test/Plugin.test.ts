import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Ref } from "effect"
import type * as ActivityEvent from "../src/ActivityEvent.js"
import * as ActivityStream from "../src/ActivityStream.js"
import { decodeDelivery } from "../src/index.js"
import * as Plugin from "../src/Plugin.js"
import { fixture } from "./fixtures/delivery/load.js"

const events: ReadonlyArray<ActivityEvent.ActivityEvent> = [
  "tweet-by-user",
  "mention",
  "dm-received",
  "favorite",
  "dm-sent-with-app"
].map((name) => Effect.runSync(decodeDelivery(fixture(name)))[0]!)

class Inbox extends Context.Tag("test/Inbox")<Inbox, Ref.Ref<ReadonlyArray<string>>>() {}

const inbox = Layer.effect(Inbox, Ref.make<ReadonlyArray<string>>([]))

const run = <A, E>(
  plugins: Layer.Layer<never, never, ActivityStream.ActivityStream | Inbox>,
  effect: Effect.Effect<A, E, ActivityStream.ActivityStream | Inbox>
) => effect.pipe(Effect.provide(plugins.pipe(Layer.provideMerge(ActivityStream.layer), Layer.provideMerge(inbox))))

const record = (line: string) => Effect.flatMap(Inbox, (ref) => Ref.update(ref, (lines) => [...lines, line]))

describe("Plugin.make", () => {
  it.effect("routes each _tag to its handler, with the narrowed event, and ignores the rest", () => {
    const Support = Plugin.make("support", {
      DirectMessageReceived: (event) => record(`dm from ${event.sender?.screen_name}: ${event.text}`),
      Mention: (event) => record(`mention by ${event.author.screen_name}: ${event.text}`)
    })
    return run(
      Support,
      Effect.gen(function* () {
        yield* ActivityStream.publish(events)
        assert.deepStrictEqual(yield* Ref.get(yield* Inbox), [
          "mention by furiouscamper: @XDevelopers is the webhook up?",
          "dm from furiouscamper: Hi, is support open?"
        ])
      })
    )
  })

  it("rejects keys that are not tags, at compile time", () => {
    const make = () =>
      Plugin.make("typo", {
        // @ts-expect-error "DirectMessage" is not a _tag
        DirectMessage: () => Effect.void
      })
    const wrongEvent = () =>
      Plugin.make("wrong", {
        // @ts-expect-error a Like handler cannot take a Mention
        Like: (event: ActivityEvent.Mention) => Effect.log(event.text)
      })
    assert.isFunction(make)
    assert.isFunction(wrongEvent)
  })

  it.effect("fails publish with a PluginError naming the plugin", () =>
    run(
      Plugin.make("flaky", { Like: () => Effect.fail("rate limited") }),
      Effect.gen(function* () {
        const error = yield* Effect.flip(ActivityStream.publish(events))
        assert.strictEqual(error._tag, "PluginError")
        assert.strictEqual(error.plugin, "flaky")
        assert.strictEqual(error.eventTag, "Like")
      })
    )
  )

  it.effect("annotates the handler's logs with the plugin name", () => {
    const annotations: Array<unknown> = []
    const capture = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ annotations: current }) => {
        annotations.push(Object.fromEntries(current))
      })
    )
    return run(
      Plugin.make("logger", { Tweet: (event) => Effect.logInfo(event.text) }),
      ActivityStream.publish(events)
    ).pipe(
      Effect.provide(capture),
      Effect.map(() => assert.deepStrictEqual(annotations, [{ plugin: "logger" }]))
    )
  })
})

describe("Plugin.all", () => {
  it.effect("receives every event, and several plugins each receive them", () =>
    run(
      Layer.mergeAll(
        Plugin.all("audit", (event) => record(`audit ${event._tag}`)),
        Plugin.make("likes", { Like: (event) => record(`like by ${event.likerId}`) })
      ),
      Effect.gen(function* () {
        yield* ActivityStream.publish(events)
        const lines = yield* Ref.get(yield* Inbox)
        assert.deepStrictEqual(
          lines.filter((line) => line.startsWith("audit")),
          events.map((event) => `audit ${event._tag}`)
        )
        assert.deepStrictEqual(
          lines.filter((line) => line.startsWith("like")),
          ["like by 3001969357"]
        )
      })
    )
  )
})
