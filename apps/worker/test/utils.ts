import type { ActivityEvent } from "@account-activity/core"
import { Plugin } from "@account-activity/core"
import { Generator } from "@account-activity/emulator"
import type { EventQueue } from "@account-activity/queue"
import { Effect, Ref } from "effect"

const encoder = new TextEncoder()

export const alice = { id: "1000000000000000001", screenName: "alice" }
export const bob = { id: "1000000000000000002", screenName: "bob" }

/** One activity of every kind, as the body X would POST for alice, with the tag it decodes to. */
export const everyKind = (seed = 7) =>
  Effect.gen(function* () {
    const generator = yield* Generator.make({ seed, subscribed: [alice, bob], fanOut: 0 })
    return yield* Effect.forEach(Generator.kinds, (kind) =>
      Effect.map(generator.generate(kind, { forUserId: alice.id }), (activity) => ({
        kind,
        body: activity.bodyFor(alice.id),
        tag: activity.recipients.find((r) => r.forUserId === alice.id)?.tag
      }))
    )
  })

export const deliveryOf = (body: string): EventQueue.Delivery => ({
  body: encoder.encode(body),
  receivedAt: Date.now(),
  headers: { "content-type": "application/json" }
})

/** A plugin that records every event it sees. */
export const recorder = (name: string, seen: Ref.Ref<ReadonlyArray<ActivityEvent.ActivityEvent>>) =>
  Plugin.all(name, (event) => Ref.update(seen, (all) => [...all, event]))

/** Polls `effect` every 20 ms until `done` holds (at most 10 s). */
export const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>, done: (a: A) => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 500; i++) {
      const value = yield* effect
      if (done(value)) return value
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.dieMessage("condition not reached in 10 s")
  })
