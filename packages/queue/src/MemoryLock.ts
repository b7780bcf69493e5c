/**
 * A `Lock` in the memory of the process: it coordinates fibers of one process only. Time comes from
 * `Clock`.
 *
 * @since 0.1.0
 */
import { Clock, type Duration, Effect, Layer } from "effect"
import * as Lock from "./Lock.js"

/**
 * Makes an in-memory lock service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Lock.Service> = Effect.sync(() => {
  const held = new Map<string, { owner: string; expiresAt: number }>()

  const acquire = (name: string, owner: string, ttl: Duration.DurationInput) =>
    Effect.suspend(() => {
      const millis = Lock.ttlMillis(ttl)
      return Effect.map(Clock.currentTimeMillis, (now) => {
        const current = held.get(name)
        if (current !== undefined && current.owner !== owner && current.expiresAt > now) return false
        held.set(name, { owner, expiresAt: now + millis })
        return true
      })
    })

  const release = (name: string, owner: string) =>
    Effect.sync(() => {
      if (held.get(name)?.owner === owner) held.delete(name)
    })

  return Lock.Lock.of({ acquire, release })
})

/**
 * An in-memory `Lock`, fresh for each build of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Lock.Lock> = Layer.effect(Lock.Lock, make)
