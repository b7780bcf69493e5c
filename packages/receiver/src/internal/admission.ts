/**
 * Admission by time: a delivery is let in only while deliveries are answered before X stops waiting.
 *
 * X gives a POST 3 seconds. A receiver offered more than its queue can store must refuse the excess at once
 * (`503`, X retries it later) rather than let it wait and answer it after X has given up: a late answer is
 * wasted work, and the delivery it stored comes again with X's retry.
 *
 * The signal is the stay: the longest time a delivery answered in this or the previous window of 250 ms spent
 * in the receiver from its body read in full to its answer (verified, waiting for the queue). The time a client
 * takes to send its body is left out, so a slow client cannot make the receiver refuse everyone else. Above `maxWait` new deliveries are refused. Refused
 * deliveries do not count, so once the deliveries let in earlier are answered (or time out), a window passes
 * without a long stay and the receiver lets deliveries in again.
 */

export interface Admission {
  /** Whether a delivery arriving now is let in. */
  readonly admit: () => boolean
  /** Called when a delivery that was let in is answered, with the time its body had been read. */
  readonly answered: (readMillis: number) => void
  /** The longest stay of the current and the previous window, in milliseconds. */
  readonly longestStay: () => number
}

const windowMillis = 250

export const make = (options: { readonly maxWaitMillis: number; readonly millis: () => number }): Admission => {
  const { maxWaitMillis, millis } = options
  let windowStart = Number.NEGATIVE_INFINITY
  let current = 0
  let previous = 0

  const roll = (now: number) => {
    const elapsed = now - windowStart
    if (elapsed < windowMillis) return
    previous = elapsed < 2 * windowMillis ? current : 0
    current = 0
    windowStart = elapsed < 2 * windowMillis ? windowStart + windowMillis : now
  }

  const longestStay = () => {
    roll(millis())
    return Math.max(current, previous)
  }

  return {
    admit: () => longestStay() <= maxWaitMillis,
    answered: (readMillis) => {
      const now = millis()
      roll(now)
      if (now - readMillis > current) current = now - readMillis
    },
    longestStay
  }
}
