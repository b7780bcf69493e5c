/**
 * The control routes that drive the delivery engine: inject activities (`POST /_emulator/activity`) and read
 * the delivery log (`GET /_emulator/deliveries`). An activity goes to every valid webhook a concerned user is
 * subscribed to, signed with the consumer secret of the webhook's app.
 *
 * @internal
 */
import { Effect, Option, Schema } from "effect"
import * as Deliveries from "../Deliveries.js"
import type * as Emulator from "../Emulator.js"
import * as Generator from "../Generator.js"

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** The body of `POST /_emulator/activity`: one activity of `kind` (random when absent), or `count` random ones. @internal */
export const Inject = Schema.Struct({
  kind: optional(Generator.Kind),
  count: optional(Schema.Int.pipe(Schema.between(1, 1000))),
  forUserId: optional(Schema.String),
  counterpartId: optional(Schema.String),
  direction: optional(Schema.Literal("by", "of"))
})

/** @internal */
export type Inject = typeof Inject.Type

/** Generates the activities and starts their deliveries; fails with a message a person can act on. @internal */
export const inject = (
  emulator: Emulator.Service,
  deliveries: Deliveries.Service,
  request: Inject
): Effect.Effect<ReadonlyArray<unknown>, string> =>
  Effect.gen(function* () {
    const snapshot = yield* emulator.snapshot
    const subscribedIds = new Set(snapshot.subscriptions.map((s) => s.userId))
    const subscribed = snapshot.users.filter((u) => subscribedIds.has(u.id))
    if (subscribed.length === 0) {
      return yield* Effect.fail("no user is subscribed to a webhook yet: subscribe one before injecting activity")
    }
    const others = snapshot.users.filter((u) => !subscribedIds.has(u.id))
    const generator = yield* Generator.make({
      seed: yield* emulator.nextSeed,
      subscribed,
      ...(others.length > 0 ? { others } : {})
    }).pipe(Effect.mapError((error) => error.message))
    const activities =
      request.count !== undefined || request.kind === undefined
        ? yield* generator.random(request.count ?? 1)
        : [
            yield* generator
              .generate(request.kind, {
                forUserId: request.forUserId,
                counterpartId: request.counterpartId,
                direction: request.direction
              })
              .pipe(Effect.mapError((error) => error.message))
          ]
    return yield* Effect.forEach(activities, (activity) =>
      Effect.gen(function* () {
        const started: Array<{ deliveryId: string; webhookId: string; forUserId: string }> = []
        for (const forUserId of activity.concerns) {
          for (const subscription of yield* emulator.subscriptionsOfUser(forUserId)) {
            const webhook = yield* Effect.option(emulator.webhook(subscription.webhookId))
            const app = yield* Effect.option(emulator.app(subscription.appId))
            if (Option.isNone(webhook) || Option.isNone(app)) continue
            if (!(yield* emulator.isDeliverable(webhook.value))) continue
            const handle = yield* deliveries.deliver({
              webhookId: webhook.value.id,
              url: webhook.value.url,
              consumerSecret: app.value.consumerSecret,
              body: activity.bodyFor(forUserId),
              forUserId,
              activityId: activity.id
            })
            started.push({ deliveryId: handle.deliveryId, webhookId: webhook.value.id, forUserId })
          }
        }
        return { id: activity.id, kind: activity.kind, concerns: activity.concerns, deliveries: started }
      })
    )
  })

/** The delivery log as JSON. @internal */
export const log = (deliveries: Deliveries.Service) =>
  Effect.flatMap(deliveries.log, (entries) => Schema.encode(Schema.Array(Deliveries.LogEntry))(entries)).pipe(
    Effect.orDie
  )
