/**
 * The bus between the worker and the plugins, built for at-least-once delivery with acks.
 *
 * The worker `publish`es a batch of events and acknowledges its queue message only when `publish`
 * succeeds, which happens after every subscribed plugin has handled every event. A plugin that fails makes
 * `publish` fail with a {@link PluginError} naming it, so the worker leaves the message unacknowledged and
 * it is delivered again (plugins must therefore be idempotent; the identity key helps).
 *
 * Plugins run concurrently with each other; one plugin handles events one at a time, in publish order
 * (a handler never runs concurrently with itself, even across concurrent `publish` calls). A handler must
 * therefore not `publish` to the same stream and wait for it.
 *
 * @since 0.1.0
 */
import { Cause, Context, Effect, Layer, Schema, type Scope } from "effect"
import type { ActivityEvent } from "./ActivityEvent.js"

/**
 * A plugin failed (or died) while handling an event. `plugin` is the name it subscribed with, `eventTag`
 * and `identityKey` identify the event, `cause` is what the handler failed with.
 *
 * @since 0.1.0
 * @category errors
 */
export class PluginError extends Schema.TaggedError<PluginError>("@account-activity/core/PluginError")("PluginError", {
  plugin: Schema.String,
  eventTag: Schema.String,
  identityKey: Schema.String,
  cause: Schema.Defect
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `Plugin "${this.plugin}" failed to handle ${this.eventTag} event ${this.identityKey}: ${reason}. The batch was not acknowledged and will be delivered again; fix the plugin or make it skip this event.`
  }
}

/**
 * What a plugin does with one event. Any failure becomes a {@link PluginError}.
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = (event: ActivityEvent) => Effect.Effect<void, unknown>

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Hands events to every subscribed handler and completes when each has handled each event. Fails with
   * the {@link PluginError} of the first failing plugin (in subscription order) after all handlers have
   * finished; a plugin stops at its own first failure.
   */
  readonly publish: (events: ReadonlyArray<ActivityEvent>) => Effect.Effect<void, PluginError>
  /**
   * Registers a handler under a plugin name for the lifetime of the current scope.
   */
  readonly subscribe: (name: string, handler: Handler) => Effect.Effect<void, never, Scope.Scope>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ActivityStream extends Context.Tag("@account-activity/core/ActivityStream")<ActivityStream, Service>() {}

interface Subscriber {
  readonly name: string
  readonly handler: Handler
  readonly lock: Effect.Semaphore
}

const handleAll = (subscriber: Subscriber, events: ReadonlyArray<ActivityEvent>): Effect.Effect<void, PluginError> =>
  subscriber.lock.withPermits(1)(
    Effect.forEach(
      events,
      (event) =>
        Effect.suspend(() => subscriber.handler(event)).pipe(
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause)
              ? Effect.failCause(cause as Cause.Cause<never>)
              : Effect.fail(
                  new PluginError({
                    plugin: subscriber.name,
                    eventTag: event._tag,
                    identityKey: event.identityKey,
                    cause: Cause.squash(cause)
                  })
                )
          ),
          // One span per event and plugin: its call site is always this line, so it is not captured.
          Effect.withSpan("ActivityStream.handle", {
            attributes: { plugin: subscriber.name, tag: event._tag, identityKey: event.identityKey },
            captureStackTrace: false
          })
        ),
      { discard: true }
    )
  )

/**
 * The in-memory implementation.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service> = Effect.sync(() => {
  let subscribers: ReadonlyArray<Subscriber> = []

  const publish = (events: ReadonlyArray<ActivityEvent>): Effect.Effect<void, PluginError> =>
    Effect.suspend(() => {
      const current = subscribers
      if (events.length === 0 || current.length === 0) return Effect.void
      return Effect.forEach(current, (subscriber) => Effect.either(handleAll(subscriber, events)), {
        concurrency: "unbounded"
      }).pipe(
        Effect.flatMap((results) => {
          for (const result of results) {
            if (result._tag === "Left") return Effect.fail(result.left)
          }
          return Effect.void
        })
      )
    })

  const subscribe = (name: string, handler: Handler): Effect.Effect<void, never, Scope.Scope> =>
    Effect.acquireRelease(
      Effect.sync(() => {
        const subscriber: Subscriber = { name, handler, lock: Effect.unsafeMakeSemaphore(1) }
        subscribers = [...subscribers, subscriber]
        return subscriber
      }),
      (subscriber) =>
        Effect.sync(() => {
          subscribers = subscribers.filter((s) => s !== subscriber)
        })
    ).pipe(Effect.asVoid)

  return ActivityStream.of({ publish, subscribe })
})

/**
 * A layer with the in-memory `ActivityStream`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ActivityStream> = Layer.effect(ActivityStream, make)

/**
 * Publishes events on the `ActivityStream` of the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const publish = (events: ReadonlyArray<ActivityEvent>): Effect.Effect<void, PluginError, ActivityStream> =>
  Effect.flatMap(ActivityStream, (stream) => stream.publish(events))

/**
 * Subscribes a handler on the `ActivityStream` of the context, for the lifetime of the scope.
 *
 * @since 0.1.0
 * @category accessors
 */
export const subscribe = (name: string, handler: Handler): Effect.Effect<void, never, ActivityStream | Scope.Scope> =>
  Effect.flatMap(ActivityStream, (stream) => stream.subscribe(name, handler))
