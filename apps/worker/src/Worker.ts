/**
 * The worker as one Layer: the deduplicating `ActivityStream`, the plugins subscribed to it, and the
 * pipeline consuming the queue, for as long as the layer lives. When a `Lifecycle` is in context, revokes go
 * to it; when a Replay scheduler is, `replay_job_status` events go to it.
 *
 * @since 0.1.0
 */
import type { ActivityStream } from "@account-activity/core"
import type { EventQueue, SeenStore } from "@account-activity/queue"
import { ReplayJobs } from "@account-activity/replay"
import { Deferred, Duration, Effect, Fiber, Layer, Option } from "effect"
import * as DedupedStream from "./DedupedStream.js"
import * as Lifecycle from "./Lifecycle.js"
import * as Pipeline from "./Pipeline.js"
import type * as Plugins from "./Plugins.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Options = Omit<Pipeline.Options, "onRevoke" | "onReplayStatus">

/**
 * Runs the pipeline with `plugins` subscribed. The layer builds once every plugin has subscribed, then
 * consumes in the background until its scope closes. Closing it stops the leasing of new records and waits for
 * the records being handled to be acked, for at most `drainTimeout` (10 s); what is still unfinished then comes
 * back after the visibility timeout.
 * Revokes go to the `Lifecycle` and `replay_job_status` events to `ReplayJobs` when they are in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E, R>(
  options: Options,
  plugins: Layer.Layer<never, E, ActivityStream.ActivityStream | R> | Plugins.LoadedPlugin
): Layer.Layer<
  never,
  unknown,
  EventQueue.EventQueue | SeenStore.SeenStore | Exclude<R, ActivityStream.ActivityStream>
> => {
  const consume = Layer.scopedDiscard(
    Effect.gen(function* () {
      const lifecycle = yield* Effect.serviceOption(Lifecycle.Lifecycle)
      const replay = yield* Effect.serviceOption(ReplayJobs.ReplayJobs)
      const stop = yield* Deferred.make<void>()
      const running = yield* Effect.forkDaemon(
        Pipeline.run(
          {
            ...options,
            onRevoke: Option.isSome(lifecycle) ? lifecycle.value.revoked : undefined,
            onReplayStatus: Option.isSome(replay) ? replay.value.statusReceived : undefined
          },
          stop
        )
      )
      // Stopping: no new record is leased, the records in hand are handled and acked, for at most drainTimeout;
      // then what is left is interrupted (it comes back after the visibility timeout).
      const drainTimeout = Duration.decode(options.drainTimeout ?? "10 seconds")
      yield* Effect.addFinalizer(() =>
        Deferred.succeed(stop, undefined).pipe(
          Effect.zipRight(
            // Finalizers run uninterruptibly: the wait itself must be interruptible for the timeout to end it.
            Fiber.await(running).pipe(Effect.interruptible, Effect.timeout(drainTimeout))
          ),
          Effect.catchAll(() =>
            Effect.zipRight(
              Effect.logWarning(
                `The worker stopped before the records it was handling were done (drainTimeout ${Duration.format(drainTimeout)}); they will be handled again after the visibility timeout.`
              ),
              Fiber.interrupt(running).pipe(Effect.interruptible, Effect.timeout("1 second"), Effect.ignore)
            )
          )
        )
      )
    })
  )
  // The stream first, then every plugin subscribes, and only then the queue is consumed: no event is
  // published before its plugins listen.
  const subscribed = Layer.provideMerge(
    plugins as Layer.Layer<never, unknown, ActivityStream.ActivityStream>,
    DedupedStream.layer
  )
  return consume.pipe(Layer.provide(subscribed)) as never
}
