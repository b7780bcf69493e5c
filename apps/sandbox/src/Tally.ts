/**
 * A plugin that counts what reaches the plugins, by identity key, so the sandbox can tell when the events it
 * caused have arrived and check that none arrived twice.
 *
 * @since 0.1.0
 */
import { type ActivityEvent, Plugin } from "@account-activity/core"
import { Effect, Ref } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Tally {
  /** Times each identity key was handed to the plugins. */
  readonly counts: Ref.Ref<ReadonlyMap<string, number>>
  /** The tags seen. */
  readonly tags: Ref.Ref<ReadonlySet<ActivityEvent.Tag>>
  readonly plugin: Plugin.Plugin
}

/**
 * Makes an empty tally and its plugin.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Tally> = Effect.gen(function* () {
  const counts = yield* Ref.make<ReadonlyMap<string, number>>(new Map())
  const tags = yield* Ref.make<ReadonlySet<ActivityEvent.Tag>>(new Set())
  const plugin = Plugin.all("sandbox-tally", (event) =>
    Effect.zipRight(
      Ref.update(counts, (map) => new Map(map).set(event.identityKey, (map.get(event.identityKey) ?? 0) + 1)),
      Ref.update(tags, (set) => new Set(set).add(event._tag))
    )
  )
  return { counts, tags, plugin }
})

/**
 * Identity keys seen more than once.
 *
 * @since 0.1.0
 * @category checks
 */
export const doubled = (tally: Tally): Effect.Effect<ReadonlyArray<string>> =>
  Effect.map(Ref.get(tally.counts), (map) => [...map].filter(([, n]) => n > 1).map(([key]) => key))
