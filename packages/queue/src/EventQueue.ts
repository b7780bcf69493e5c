/**
 * The durable queue between the receiver and the workers.
 *
 * The receiver `append`s each verified delivery (its exact bytes) and answers X's POST with `200` only
 * once `append` has succeeded: from then on the delivery survives a crash. Workers `consume` a stream of
 * leased messages, handle them and `ack` them. Delivery is **at least once**:
 *
 * - a message is leased to one consumer at a time, for a **visibility timeout**; two consumers never hold
 *   the same message at once;
 * - a message neither acked nor nacked within its visibility timeout comes back: it is delivered again
 *   (to any consumer) with `attempts + 1`;
 * - `nack(error)` hands it back at once (or after a delay) and records the error;
 * - once a message has been delivered `maxAttempts` times without an ack, it is not delivered again but
 *   moved to the **dead letters** with the last error, where it can be listed, redriven or discarded.
 *
 * The queue is one work queue: every message goes to one consumer, in the order appended (redeliveries
 * come first, as they are older). The consumer name identifies who holds a lease (in dead letters and in
 * the storage), it does not create a separate subscription.
 *
 * This module holds the abstract service. Adapters build it with {@link make} from a {@link Backend};
 * `MemoryQueue` is the in-process one, `@account-activity/queue-sqlite` the embedded durable default.
 *
 * @since 0.1.0
 */
import { Array as Arr, Chunk, Context, Duration, Effect, Schema, Stream } from "effect"
import type { QueueUnavailable } from "./QueueUnavailable.js"

/**
 * The id the queue gives a message when it is appended. Opaque: compare ids for equality only (their
 * order and format belong to the adapter).
 *
 * @since 0.1.0
 * @category models
 */
export const MessageId = Schema.String.pipe(
  Schema.minLength(1),
  Schema.brand("@account-activity/queue/MessageId"),
  Schema.annotations({ identifier: "MessageId", description: "the id of a queued message" })
)

/**
 * @since 0.1.0
 * @category models
 */
export type MessageId = typeof MessageId.Type

/**
 * One raw delivery as the receiver got it: what the queue stores, byte for byte.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  /** The exact bytes of the request body (verify and decode these, never a re-serialization). */
  readonly body: Uint8Array
  /** When the receiver got it, in epoch milliseconds. */
  readonly receivedAt: number
  /** The headers that matter later, e.g. `x-twitter-webhooks-signature` and `content-type`. */
  readonly headers: Readonly<Record<string, string>>
  /** Where it came from, e.g. `"webhook"` or `"replay"`; absent when not given. */
  readonly source?: string | undefined
}

/**
 * A leased message: the stored delivery, its id, how many times it has been delivered (this delivery
 * included, so `1` the first time) and the two ways to end the lease.
 *
 * @since 0.1.0
 * @category models
 */
export interface Message extends Delivery {
  readonly id: MessageId
  /** Deliveries so far, this one included: `1` the first time, `2` after one redelivery, … */
  readonly attempts: number
  /**
   * Removes the message for good. Call it only once the message is handled (durably, by the next hop).
   *
   * If this lease is no longer the message's lease (it expired and the message was leased again, or it was
   * already acked or nacked), `ack` does nothing: the newer delivery owns the message. An ack after the
   * visibility timeout that comes before anyone leased the message again still removes it.
   */
  readonly ack: Effect.Effect<void, QueueUnavailable>
  /**
   * Ends the lease without success: records `error` as the message's last error and makes it available
   * again after `delay` (default: at once). When the message has already been delivered `maxAttempts`
   * times, it goes to the dead letters instead. Does nothing when this lease is no longer current.
   */
  readonly nack: (error: string, options?: NackOptions) => Effect.Effect<void, QueueUnavailable>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface NackOptions {
  /** How long the message stays invisible before it is delivered again. Default: 0. */
  readonly delay?: Duration.DurationInput | undefined
}

/**
 * A message that was delivered `maxAttempts` times without an ack.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeadLetter extends Delivery {
  readonly id: MessageId
  /** How many times it was delivered. */
  readonly attempts: number
  /** The last error: the reason given to `nack`, or a note that the last lease expired without an answer. */
  readonly error: string
  /** When it was moved to the dead letters, in epoch milliseconds. */
  readonly failedAt: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ReceiveOptions {
  /** Who leases: a name per worker (e.g. host and pid). Shown in the storage and in expiry errors. */
  readonly consumer: string
  /** At most this many messages per lease call. Default: 10 (see {@link defaultMax}). */
  readonly max?: number | undefined
  /**
   * How long a lease lasts: a message not acked or nacked within it is delivered again. Default: 30 s
   * (see {@link defaultVisibilityTimeout}). For `consume`, it also covers the time a leased message waits
   * in the stream's buffer, so keep `max` small when handling is slow.
   */
  readonly visibilityTimeout?: Duration.DurationInput | undefined
  /**
   * After this many deliveries without an ack, a nacked or expired message goes to the dead letters instead
   * of being delivered again. Default: 10 (see {@link defaultMaxAttempts}).
   */
  readonly maxAttempts?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type ConsumeOptions = ReceiveOptions

/**
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  /** At most this many, oldest first. Default: 100. */
  readonly limit?: number | undefined
}

/**
 * The dead letters of a queue.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeadLetters {
  /** The dead letters, oldest message first. */
  readonly list: (options?: ListOptions) => Effect.Effect<ReadonlyArray<DeadLetter>, QueueUnavailable>
  /**
   * Puts dead letters back in the queue, available at once, with their attempts reset (the next delivery
   * has `attempts: 1`). Body, headers, `receivedAt` and `source` are kept. Unknown ids are ignored; the
   * result is how many were put back.
   */
  readonly redrive: (ids: ReadonlyArray<MessageId>) => Effect.Effect<number, QueueUnavailable>
  /** Deletes dead letters for good. Unknown ids are ignored; the result is how many were deleted. */
  readonly discard: (ids: ReadonlyArray<MessageId>) => Effect.Effect<number, QueueUnavailable>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Appends a batch of deliveries, in order, and returns their ids (same order). When it succeeds, every
   * delivery of the batch is durable (as durable as the adapter's storage: a process crash loses nothing in
   * SQLite). When it fails, treat the batch as not stored; it may still have been stored, in which case it is
   * delivered once more than needed (duplicates are expected: dedupe with a `SeenStore`). An interrupted
   * `append` is likewise undecided.
   */
  readonly append: (
    deliveries: Arr.NonEmptyReadonlyArray<Delivery>
  ) => Effect.Effect<Arr.NonEmptyReadonlyArray<MessageId>, QueueUnavailable>
  /**
   * Leases up to `max` messages that are available now, oldest first, without waiting (possibly none). The
   * primitive under `consume`, handy for polling and for tests.
   */
  readonly receive: (options: ReceiveOptions) => Effect.Effect<ReadonlyArray<Message>, QueueUnavailable>
  /**
   * An endless stream of leased messages for one consumer: leases up to `max` at a time as the stream is
   * pulled, and waits (without busy looping) while nothing is available. Fails when the storage does; retry
   * the stream (e.g. `Stream.retry` with a schedule) to keep consuming.
   */
  readonly consume: (options: ConsumeOptions) => Stream.Stream<Message, QueueUnavailable>
  /** The messages that ran out of attempts. */
  readonly deadLetters: DeadLetters
}

/**
 * The durable queue of raw deliveries.
 *
 * @since 0.1.0
 * @category tags
 */
export class EventQueue extends Context.Tag("@account-activity/queue/EventQueue")<EventQueue, Service>() {}

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaultVisibilityTimeout: Duration.Duration = Duration.seconds(30)

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaultMaxAttempts = 10

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaultMax = 10

/**
 * One lease call, with every option resolved.
 *
 * @since 0.1.0
 * @category adapters
 */
export interface LeaseRequest {
  readonly consumer: string
  readonly max: number
  readonly visibilityTimeoutMillis: number
  readonly maxAttempts: number
}

/**
 * A leased message as an adapter returns it: the stored delivery, its id, its attempts (this delivery
 * included) and a token that identifies this lease and no other (a later lease of the same message has
 * another token).
 *
 * @since 0.1.0
 * @category adapters
 */
export interface Lease extends Delivery {
  readonly id: MessageId
  readonly attempts: number
  readonly token: string
}

/**
 * What an adapter implements; {@link make} turns it into the service (validation, defaults, messages with
 * `ack` / `nack`, the `consume` stream). Every function must return an effect that does nothing until it is
 * run (`make` builds each message's `ack` when the message is leased), and read time from `Clock`.
 *
 * @since 0.1.0
 * @category adapters
 */
export interface Backend {
  /** Stores the deliveries durably and returns their ids, in order. Gets copies it may keep. */
  readonly append: (
    deliveries: Arr.NonEmptyReadonlyArray<Delivery>
  ) => Effect.Effect<Arr.NonEmptyReadonlyArray<MessageId>, QueueUnavailable>
  /**
   * Atomically leases up to `max` available messages, oldest first: those never leased or nacked and due, and
   * those whose lease expired. An expired message already delivered `maxAttempts` times goes to the dead
   * letters (with an error saying its lease expired) instead of being leased.
   */
  readonly lease: (request: LeaseRequest) => Effect.Effect<ReadonlyArray<Lease>, QueueUnavailable>
  /** Deletes the message if `lease.token` is still its lease; otherwise does nothing. */
  readonly ack: (lease: Lease) => Effect.Effect<void, QueueUnavailable>
  /**
   * If `lease.token` is still its lease: records `error`, and either moves the message to the dead letters
   * (when `lease.attempts >= maxAttempts`) or makes it available again after `delayMillis`.
   */
  readonly nack: (
    lease: Lease,
    options: { readonly error: string; readonly delayMillis: number; readonly maxAttempts: number }
  ) => Effect.Effect<void, QueueUnavailable>
  /**
   * Returns when a `lease` may find something (an append, a nack, a redrive, a lease expiring), or after a
   * while: spurious returns are fine, missed wake-ups are not (return at once when something is available).
   */
  readonly awaitAvailable: (request: LeaseRequest) => Effect.Effect<void, QueueUnavailable>
  readonly deadLetters: DeadLetters
}

/**
 * The error recorded when a lease expires on a message's last attempt, so that every adapter words it the
 * same way: who held the lease, on which attempt, and the error before it, if any.
 *
 * @since 0.1.0
 * @category adapters
 */
export const expiredLeaseError = (consumer: string, attempts: number, previousError?: string | undefined): string =>
  `The lease of consumer ${JSON.stringify(consumer)} expired without ack or nack on attempt ${attempts}${
    previousError === undefined ? "" : `; the error before it: ${previousError}`
  }`

const positiveInt = (value: number | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`EventQueue: ${name} must be a whole number of at least 1, got ${value}`)
  }
  return value
}

const millisOf = (input: Duration.DurationInput | undefined, fallback: Duration.Duration, name: string): number => {
  const duration = input === undefined ? fallback : Duration.decode(input)
  const millis = Duration.toMillis(duration)
  if (!Number.isFinite(millis) || millis < 0) {
    throw new RangeError(`EventQueue: ${name} must be a finite duration, got ${Duration.format(duration)}`)
  }
  return Math.ceil(millis)
}

/**
 * Resolves receive options against the defaults. Throws a `RangeError` on a value that makes no sense
 * (a programming error, so it becomes a defect).
 *
 * @since 0.1.0
 * @category adapters
 */
export const leaseRequest = (options: ReceiveOptions): LeaseRequest => {
  if (typeof options.consumer !== "string" || options.consumer.length === 0) {
    throw new RangeError("EventQueue: consumer must be a non-empty name, e.g. the host name and process id")
  }
  const visibilityTimeoutMillis = millisOf(options.visibilityTimeout, defaultVisibilityTimeout, "visibilityTimeout")
  if (visibilityTimeoutMillis < 1) throw new RangeError("EventQueue: visibilityTimeout must be at least 1 ms")
  return {
    consumer: options.consumer,
    max: positiveInt(options.max, defaultMax, "max"),
    visibilityTimeoutMillis,
    maxAttempts: positiveInt(options.maxAttempts, defaultMaxAttempts, "maxAttempts")
  }
}

/**
 * Checks a delivery and copies it (the caller may reuse its buffer). Throws a `TypeError` on a malformed
 * delivery (a programming error, so it becomes a defect).
 *
 * @since 0.1.0
 * @category adapters
 */
export const copyDelivery = (delivery: Delivery): Delivery => {
  if (!(delivery.body instanceof Uint8Array)) throw new TypeError("EventQueue: body must be a Uint8Array")
  if (!Number.isFinite(delivery.receivedAt)) {
    throw new TypeError("EventQueue: receivedAt must be a finite number of epoch milliseconds")
  }
  const entries = Object.entries(delivery.headers)
  for (const [name, value] of entries) {
    if (typeof value !== "string") throw new TypeError(`EventQueue: header ${JSON.stringify(name)} must be a string`)
  }
  // fromEntries defines own properties, so even a header named "__proto__" is kept as a header.
  const headers: Record<string, string> = Object.fromEntries(entries)
  if (delivery.source !== undefined && typeof delivery.source !== "string") {
    throw new TypeError("EventQueue: source must be a string when given")
  }
  return delivery.source === undefined
    ? { body: new Uint8Array(delivery.body), receivedAt: delivery.receivedAt, headers }
    : { body: new Uint8Array(delivery.body), receivedAt: delivery.receivedAt, headers, source: delivery.source }
}

const toMessage = (backend: Backend, request: LeaseRequest, lease: Lease): Message => {
  const message: Message = {
    id: lease.id,
    body: lease.body,
    receivedAt: lease.receivedAt,
    headers: lease.headers,
    attempts: lease.attempts,
    ack: backend.ack(lease),
    nack: (error, options) =>
      Effect.suspend(() =>
        backend.nack(lease, {
          error: String(error),
          delayMillis: millisOf(options?.delay, Duration.zero, "delay"),
          maxAttempts: request.maxAttempts
        })
      )
  }
  return lease.source === undefined ? message : { ...message, source: lease.source }
}

/**
 * Builds the service from an adapter's {@link Backend}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (backend: Backend): Service => {
  const receiveWith = (request: LeaseRequest) =>
    Effect.map(backend.lease(request), (leases) => leases.map((lease) => toMessage(backend, request, lease)))

  const receive = (options: ReceiveOptions) => Effect.suspend(() => receiveWith(leaseRequest(options)))

  const consume = (options: ConsumeOptions): Stream.Stream<Message, QueueUnavailable> =>
    Stream.suspend(() => {
      const request = leaseRequest(options)
      const next: Effect.Effect<Chunk.Chunk<Message>, QueueUnavailable> = Effect.flatMap(
        receiveWith(request),
        (messages) =>
          messages.length > 0
            ? Effect.succeed(Chunk.unsafeFromArray(messages))
            : Effect.zipRight(
                backend.awaitAvailable(request),
                Effect.suspend(() => next)
              )
      )
      return Stream.repeatEffectChunk(next)
    })

  const append = (deliveries: Arr.NonEmptyReadonlyArray<Delivery>) =>
    Effect.suspend(() => {
      if (!Arr.isNonEmptyReadonlyArray(deliveries)) {
        return Effect.dieMessage("EventQueue: append needs at least one delivery")
      }
      return backend.append(Arr.map(deliveries, copyDelivery))
    })

  return EventQueue.of({ append, receive, consume, deadLetters: backend.deadLetters })
}

/**
 * Appends deliveries to the `EventQueue` of the context (see {@link Service.append}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const append = (
  deliveries: Arr.NonEmptyReadonlyArray<Delivery>
): Effect.Effect<Arr.NonEmptyReadonlyArray<MessageId>, QueueUnavailable, EventQueue> =>
  Effect.flatMap(EventQueue, (queue) => queue.append(deliveries))

/**
 * Leases the messages available now from the `EventQueue` of the context (see {@link Service.receive}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const receive = (options: ReceiveOptions): Effect.Effect<ReadonlyArray<Message>, QueueUnavailable, EventQueue> =>
  Effect.flatMap(EventQueue, (queue) => queue.receive(options))

/**
 * The stream of leased messages of the `EventQueue` of the context (see {@link Service.consume}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const consume = (options: ConsumeOptions): Stream.Stream<Message, QueueUnavailable, EventQueue> =>
  Stream.unwrap(Effect.map(EventQueue, (queue) => queue.consume(options)))
