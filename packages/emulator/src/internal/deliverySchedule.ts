/**
 * The v1.1 Enterprise delivery timeline, as offsets from the first attempt.
 *
 * X's table: attempt 1 when the activity is created, "times out in 3 s"; wait 3 s after that timeout,
 * attempt 2; wait 27 s, attempt 3; wait 242 s, attempt 4; stop. Every attempt owns its full timeout window,
 * so an attempt that fails early (a non-200, a refused connection) does not bring the next one forward:
 * with the defaults the attempts start at 0 s, 6 s, 36 s and 281 s whatever the failure.
 *
 * @internal
 */
import { Duration } from "effect"

/**
 * The timeout of one attempt: "times out in three seconds".
 *
 * @internal
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(3)

/**
 * The waits after each failed attempt: 3 s, 27 s, 242 s (then stop: four attempts in all).
 *
 * @internal
 */
export const defaultRetryWaits: ReadonlyArray<Duration.Duration> = [
  Duration.seconds(3),
  Duration.seconds(27),
  Duration.seconds(242)
]

/**
 * The start offset (in milliseconds from the first attempt) of every attempt: `[0]` plus, for each wait,
 * the previous offset + the timeout + the wait.
 *
 * @internal
 */
export const offsets = (timeout: Duration.Duration, waits: ReadonlyArray<Duration.Duration>): ReadonlyArray<number> => {
  const timeoutMillis = Duration.toMillis(timeout)
  const result = [0]
  for (const wait of waits) {
    result.push(result[result.length - 1]! + timeoutMillis + Duration.toMillis(wait))
  }
  return result
}

/**
 * Whether an error (or one of its `cause`s) is a refused TCP connection.
 *
 * @internal
 */
export const isConnectionRefused = (error: unknown): boolean => {
  let current: unknown = error
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const record = current as { readonly code?: unknown; readonly cause?: unknown; readonly errors?: unknown }
    if (record.code === "ECONNREFUSED") return true
    if (Array.isArray(record.errors) && record.errors.some(isConnectionRefused)) return true
    current = record.cause
  }
  return false
}

/**
 * A short, secret-free description of a transport failure.
 *
 * @internal
 */
export const describeTransport = (error: unknown): string => {
  let current: unknown = error
  let text = "transport error"
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const record = current as { readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }
    if (typeof record.code === "string") return record.code
    if (typeof record.message === "string" && record.message.length > 0) text = record.message
    current = record.cause
  }
  return text
}
