/**
 * Gap recovery in the worker: once the lifecycle knows the webhook's id, `GapRecovery` looks for windows in
 * which no receiver was up (or the webhook was invalid) and replays them as soon as X's rules allow. With a
 * `Lock` in context only the worker holding the lock `"replay"` does it.
 *
 * @since 0.1.0
 */
import type { Journal } from "@account-activity/queue"
import { GapRecovery, type ReplayJobs } from "@account-activity/replay"
import { Effect, Layer, Option, Stream } from "effect"
import * as Lifecycle from "./Lifecycle.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Options = Omit<GapRecovery.LayerOptions, "webhookId">

/**
 * Runs gap recovery for the lifecycle's webhook, from the moment its id is known, until the scope closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<never, never, Lifecycle.Lifecycle | Journal.Journal | ReplayJobs.ReplayJobs> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const lifecycle = yield* Lifecycle.Lifecycle
      const context = yield* Effect.context<Journal.Journal | ReplayJobs.ReplayJobs>()
      const webhookId = lifecycle.webhookId.changes.pipe(
        Stream.filterMap((id) => id),
        Stream.runHead
      )
      yield* Effect.forkScoped(
        Effect.flatMap(webhookId, (id) =>
          Option.match(id, {
            onNone: () => Effect.void,
            onSome: (id) => Layer.launch(GapRecovery.layer({ ...options, webhookId: id })).pipe(Effect.provide(context))
          })
        )
      )
    })
  )
