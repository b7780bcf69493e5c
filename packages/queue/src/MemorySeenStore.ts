/**
 * A `SeenStore` in the memory of the process: for tests and single-process tools. Expired keys are swept as
 * the store is used. Time comes from `Clock`.
 *
 * @since 0.1.0
 */
import { Clock, type Duration, Effect, Layer } from "effect"
import * as SeenStore from "./SeenStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long a key stays seen when `markIfNew` is not given a TTL. Default: 7 days. */
  readonly ttl?: Duration.DurationInput | undefined
}

/**
 * Makes an in-memory seen store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<SeenStore.Service> =>
  Effect.sync(() => {
    const defaultTtl = SeenStore.ttlMillis(options.ttl, SeenStore.defaultTtl)
    const expiries = new Map<string, number>()
    let marksSinceSweep = 0

    const sweep = (now: number) => {
      for (const [key, expiresAt] of expiries) if (expiresAt <= now) expiries.delete(key)
    }

    const markIfNew = (keys: ReadonlyArray<string>, markOptions?: SeenStore.MarkOptions) =>
      Effect.suspend(() => {
        const ttl = SeenStore.ttlMillis(markOptions?.ttl, defaultTtl)
        return Effect.map(Clock.currentTimeMillis, (now) => {
          marksSinceSweep += keys.length
          if (marksSinceSweep > Math.max(1024, expiries.size)) {
            marksSinceSweep = 0
            sweep(now)
          }
          const fresh = new Set<string>()
          for (const key of keys) {
            const expiresAt = expiries.get(key)
            if (expiresAt !== undefined && expiresAt > now) continue
            expiries.set(key, now + ttl)
            fresh.add(key)
          }
          return fresh as ReadonlySet<string>
        })
      })

    const has = (key: string) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const expiresAt = expiries.get(key)
        return expiresAt !== undefined && expiresAt > now
      })

    const forget = (keys: ReadonlyArray<string>) =>
      Effect.sync(() => {
        for (const key of keys) expiries.delete(key)
      })

    return SeenStore.SeenStore.of({ markIfNew, has, forget })
  })

/**
 * An in-memory `SeenStore`, fresh for each build of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<SeenStore.SeenStore> =>
  Layer.effect(SeenStore.SeenStore, make(options))
