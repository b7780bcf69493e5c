/**
 * The sandbox's clock: the real clock plus an offset the sandbox moves forward, so that a Replay window
 * (which X accepts only once it is 31 minutes old) becomes valid in seconds. Every component of the sandbox
 * (emulator, receiver, worker) reads this one clock, so their times agree; sleeping still takes real time.
 *
 * @since 0.1.0
 */
import { Clock, type Duration, Effect } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface SandboxClock extends Clock.Clock {
  /** Moves the clock forward. */
  readonly advance: (millis: number) => void
  /** How far the clock is ahead of the real one, in milliseconds. */
  readonly offset: () => number
}

/**
 * Makes a clock that starts at the real time.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): SandboxClock => {
  const real = Clock.make()
  let offset = 0
  const millis = () => Date.now() + offset
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: () => BigInt(millis()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
    sleep: (duration: Duration.Duration) => real.sleep(duration),
    advance: (by: number) => {
      offset += by
    },
    offset: () => offset
  }
}
