/**
 * An `EventQueue` in the memory of the process: for tests, the emulator sandbox and single-process tools.
 *
 * It has every semantic of the contract (leases, visibility timeout, attempts, dead letters) but its
 * durability ends with the process: use `@account-activity/queue-sqlite` when deliveries must survive a
 * crash. Time comes from `Clock`, so under `TestClock` a visibility timeout passes with `TestClock.adjust`.
 *
 * @since 0.1.0
 */
import { type Array as Arr, Clock, Deferred, Duration, Effect, Exit, FiberId, Layer } from "effect"
import * as EventQueue from "./EventQueue.js"
import { QueueUnavailable } from "./QueueUnavailable.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * At most this many messages (dead letters included); an `append` that would exceed it fails with
   * `QueueUnavailable` (`Full`) and stores nothing. Default: unbounded.
   */
  readonly capacity?: number | undefined
}

interface Entry {
  readonly id: EventQueue.MessageId
  readonly delivery: EventQueue.Delivery
  attempts: number
  state: "ready" | "leased" | "dead"
  /** Ready: when it may be leased. Leased: when the lease expires. */
  availableAt: number
  token: string | undefined
  consumer: string | undefined
  error: string | undefined
  failedAt: number
}

const copyBody = (delivery: EventQueue.Delivery): EventQueue.Delivery => ({ ...delivery, body: delivery.body.slice() })

/**
 * Makes an in-memory queue that works until the scope closes (then every call fails with
 * `QueueUnavailable` `Closed`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}) =>
  Effect.gen(function* () {
    const capacity = options.capacity ?? Number.POSITIVE_INFINITY
    // Insertion order is id order; dead letters stay in place, so a redriven message keeps its position.
    const entries = new Map<EventQueue.MessageId, Entry>()
    let nextId = 1
    let nextToken = 1
    let closed = false
    let signal = Deferred.unsafeMake<void>(FiberId.none)

    const notify = () => {
      const current = signal
      signal = Deferred.unsafeMake<void>(FiberId.none)
      Deferred.unsafeDone(current, Exit.void)
    }

    const unavailable = (operation: string) => new QueueUnavailable({ reason: "Closed", operation })

    const guard = <A>(operation: string, f: (now: number) => A): Effect.Effect<A, QueueUnavailable> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        closed ? Effect.fail(unavailable(operation)) : Effect.sync(() => f(now))
      )

    const bury = (entry: Entry, error: string, now: number) => {
      entry.state = "dead"
      entry.error = error
      entry.failedAt = now
      entry.token = undefined
    }

    const append = (deliveries: Arr.NonEmptyReadonlyArray<EventQueue.Delivery>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (closed) return Effect.fail(unavailable("append"))
        if (entries.size + deliveries.length > capacity) {
          return Effect.fail(
            new QueueUnavailable({
              reason: "Full",
              operation: "append",
              detail: `capacity of ${capacity} messages reached`
            })
          )
        }
        const ids = deliveries.map((delivery) => {
          const id = String(nextId++) as EventQueue.MessageId
          entries.set(id, {
            id,
            delivery,
            attempts: 0,
            state: "ready",
            availableAt: now,
            token: undefined,
            consumer: undefined,
            error: undefined,
            failedAt: 0
          })
          return id
        }) as unknown as Arr.NonEmptyReadonlyArray<EventQueue.MessageId>
        notify()
        return Effect.succeed(ids)
      })

    const lease = (request: EventQueue.LeaseRequest) =>
      guard("receive", (now) => {
        const leases: Array<EventQueue.Lease> = []
        for (const entry of entries.values()) {
          if (leases.length >= request.max) break
          if (entry.state === "dead" || entry.availableAt > now) continue
          if (entry.state === "leased" && entry.attempts >= request.maxAttempts) {
            bury(entry, EventQueue.expiredLeaseError(entry.consumer ?? "", entry.attempts, entry.error), now)
            continue
          }
          entry.state = "leased"
          entry.attempts += 1
          entry.token = String(nextToken++)
          entry.consumer = request.consumer
          entry.availableAt = now + request.visibilityTimeoutMillis
          leases.push({ ...copyBody(entry.delivery), id: entry.id, attempts: entry.attempts, token: entry.token })
        }
        return leases
      })

    const current = (lease: EventQueue.Lease): Entry | undefined => {
      const entry = entries.get(lease.id)
      return entry !== undefined && entry.state === "leased" && entry.token === lease.token ? entry : undefined
    }

    const ack = (lease: EventQueue.Lease) =>
      guard("ack", () => {
        if (current(lease) !== undefined) entries.delete(lease.id)
      })

    const nack = (
      lease: EventQueue.Lease,
      options: { readonly error: string; readonly delayMillis: number; readonly maxAttempts: number }
    ) =>
      guard("nack", (now) => {
        const entry = current(lease)
        if (entry === undefined) return
        if (entry.attempts >= options.maxAttempts) {
          bury(entry, options.error, now)
          return
        }
        entry.state = "ready"
        entry.token = undefined
        entry.error = options.error
        entry.availableAt = now + options.delayMillis
        notify()
      })

    const awaitAvailable = (_request: EventQueue.LeaseRequest) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (closed) return Effect.fail(unavailable("receive"))
        let next = Number.POSITIVE_INFINITY
        for (const entry of entries.values()) {
          if (entry.state !== "dead" && entry.availableAt < next) next = entry.availableAt
        }
        if (next <= now) return Effect.void
        const wake = Deferred.await(signal)
        return next === Number.POSITIVE_INFINITY
          ? wake
          : Effect.asVoid(Effect.timeoutOption(wake, Duration.millis(next - now)))
      })

    const deadLetters: EventQueue.DeadLetters = {
      list: (listOptions) =>
        guard("list dead letters", () => {
          const limit = listOptions?.limit ?? 100
          const out: Array<EventQueue.DeadLetter> = []
          for (const entry of entries.values()) {
            if (out.length >= limit) break
            if (entry.state !== "dead") continue
            out.push({
              ...copyBody(entry.delivery),
              id: entry.id,
              attempts: entry.attempts,
              error: entry.error ?? "",
              failedAt: entry.failedAt
            })
          }
          return out
        }),
      redrive: (ids) =>
        guard("redrive dead letters", (now) => {
          let count = 0
          for (const id of new Set(ids)) {
            const entry = entries.get(id)
            if (entry === undefined || entry.state !== "dead") continue
            entry.state = "ready"
            entry.attempts = 0
            entry.availableAt = now
            entry.error = undefined
            count++
          }
          if (count > 0) notify()
          return count
        }),
      discard: (ids) =>
        guard("discard dead letters", () => {
          let count = 0
          for (const id of new Set(ids)) {
            if (entries.get(id)?.state === "dead") {
              entries.delete(id)
              count++
            }
          }
          return count
        })
    }

    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        closed = true
        notify()
      })
    )

    return EventQueue.make({ append, lease, ack, nack, awaitAvailable, deadLetters })
  })

/**
 * An in-memory `EventQueue`, fresh for each build of the layer.
 *
 * @example
 * ```ts
 * import { EventQueue, MemoryQueue } from "@account-activity/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const queue = yield* EventQueue.EventQueue
 *   yield* queue.append([{ body: new TextEncoder().encode("{}"), receivedAt: Date.now(), headers: {} }])
 * }).pipe(Effect.provide(MemoryQueue.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<EventQueue.EventQueue> =>
  Layer.scoped(EventQueue.EventQueue, make(options))
