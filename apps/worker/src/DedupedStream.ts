/**
 * The `ActivityStream` the worker gives its plugins: the core stream, with every plugin's handler wrapped so
 * that it sees each event once even when the record carrying it is delivered again.
 *
 * After a plugin has handled an event, the key `plugin:<name>:<identityKey>` is marked in the `SeenStore`;
 * when the record is handled again (another plugin failed, the worker crashed before its ack, X retried, a
 * Replay sent the event again), a plugin whose key is marked skips the event. So a plugin that succeeded is
 * not called again while a failing one is retried.
 *
 * The keys of one `publish` are marked together once every plugin is done with it (whether it succeeded or a
 * plugin failed), in one write, outside the plugins' locks: a plugin goes on to its next event without waiting
 * for a commit. A worker that dies in between hands those events to the plugins again, as it would if it died
 * just before a mark of its own.
 *
 * @since 0.1.0
 */
import { ActivityStream } from "@account-activity/core"
import { SeenStore } from "@account-activity/queue"
import { Effect, FiberRef, Layer } from "effect"

/**
 * The `SeenStore` key that records that `plugin` handled the event `identityKey`.
 *
 * @since 0.1.0
 * @category keys
 */
export const pluginKey = (plugin: string, identityKey: string): string => `plugin:${plugin}:${identityKey}`

/**
 * Makes the deduplicating stream on top of a fresh core stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<ActivityStream.Service, never, SeenStore.SeenStore> = Effect.gen(function* () {
  const seen = yield* SeenStore.SeenStore
  const inner = yield* ActivityStream.make
  // The keys handled during the current publish; the plugins' fibers inherit it from the publishing fiber.
  const handled = FiberRef.unsafeMake<Array<string> | undefined>(undefined)
  const subscribe = (name: string, handler: ActivityStream.Handler) =>
    inner.subscribe(name, (event) => {
      const key = pluginKey(name, event.identityKey)
      return Effect.flatMap(seen.has(key), (done) =>
        done
          ? Effect.void
          : Effect.zipRight(
              handler(event),
              Effect.flatMap(FiberRef.get(handled), (keys) =>
                keys === undefined ? Effect.asVoid(seen.markIfNew([key])) : Effect.sync(() => void keys.push(key))
              )
            )
      )
    })
  const publish = (events: Parameters<ActivityStream.Service["publish"]>[0]) =>
    Effect.suspend(() => {
      const keys: Array<string> = []
      return inner
        .publish(events)
        .pipe(
          Effect.locally(handled, keys),
          Effect.ensuring(Effect.suspend(() => (keys.length === 0 ? Effect.void : Effect.ignore(seen.markIfNew(keys)))))
        )
    })
  return ActivityStream.ActivityStream.of({ publish, subscribe })
})

/**
 * The deduplicating `ActivityStream`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ActivityStream.ActivityStream, never, SeenStore.SeenStore> = Layer.effect(
  ActivityStream.ActivityStream,
  make
)
