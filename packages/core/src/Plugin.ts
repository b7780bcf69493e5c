/**
 * Helpers to write a plugin: a `Layer` that subscribes to the {@link ActivityStream.ActivityStream} for as
 * long as it is alive and handles some (or all) of the events.
 *
 * ```ts
 * import { Plugin } from "@account-activity/core"
 * import { Effect } from "effect"
 *
 * export const Greeter = Plugin.make("greeter", {
 *   DirectMessageReceived: (event) => Effect.log(`${event.sender?.screen_name} wrote: ${event.text}`)
 * })
 * ```
 *
 * Handlers may use services (`R`); the layer requires them, together with `ActivityStream`. Logs of a
 * handler are annotated with `plugin=<name>`.
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import type * as ActivityEvent from "./ActivityEvent.js"
import { ActivityStream } from "./ActivityStream.js"

/**
 * A plugin: a layer that needs the stream (and whatever its handlers use) and provides nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type Plugin<R = never> = Layer.Layer<never, never, ActivityStream | R>

/**
 * Handlers keyed by `_tag`, each receiving the event of that tag.
 *
 * @since 0.1.0
 * @category models
 */
export type Handlers<R = unknown> = {
  readonly [T in ActivityEvent.Tag]?: (event: ActivityEvent.WithTag<T>) => Effect.Effect<unknown, unknown, R>
}

/**
 * The services the handlers of a {@link Handlers} object require.
 *
 * @since 0.1.0
 * @category models
 */
export type HandlersContext<H> = {
  [K in keyof H]: NonNullable<H[K]> extends (event: never) => Effect.Effect<unknown, unknown, infer R> ? R : never
}[keyof H]

type NoExtraKeys<H> = { readonly [K in Exclude<keyof H, ActivityEvent.Tag>]: never }

const withName = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>): Effect.Effect<void, E, R> =>
  effect.pipe(Effect.asVoid, Effect.annotateLogs("plugin", name))

/**
 * A plugin that handles the `_tag`s it lists and ignores every other event. A key that is not a `_tag` is
 * a type error.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const H extends Handlers>(
  name: string,
  handlers: H & NoExtraKeys<H>
): Plugin<HandlersContext<H>> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const stream = yield* ActivityStream
      const context = yield* Effect.context<HandlersContext<H>>()
      const table = handlers as Handlers<HandlersContext<H>>
      yield* stream.subscribe(name, (event) => {
        const handler = table[event._tag] as
          | ((event: ActivityEvent.ActivityEvent) => Effect.Effect<unknown, unknown, HandlersContext<H>>)
          | undefined
        return handler === undefined ? Effect.void : withName(name, Effect.provide(handler(event), context))
      })
    })
  )

/**
 * A plugin that handles every event.
 *
 * @since 0.1.0
 * @category constructors
 */
export const all = <E, R>(
  name: string,
  handler: (event: ActivityEvent.ActivityEvent) => Effect.Effect<unknown, E, R>
): Plugin<R> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const stream = yield* ActivityStream
      const context = yield* Effect.context<R>()
      yield* stream.subscribe(name, (event) => withName(name, Effect.provide(handler(event), context)))
    })
  )
