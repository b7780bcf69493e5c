/**
 * The signed delivery engine of the emulator: POSTs activity bodies to webhooks the way X does.
 *
 * - `Content-Type: application/json` and `x-twitter-webhooks-signature: sha256=<base64>` (HMAC-SHA256 of the
 *   exact body bytes under the app's consumer secret);
 * - success is HTTP `200` and nothing else; each attempt "times out in three seconds";
 * - on failure, the v1.1 Enterprise timeline: wait 3 s after the failed attempt's window, then 27 s, then
 *   242 s, then stop (four attempts, starting at 0 s, 6 s, 36 s and 281 s). Replay deliveries are never
 *   retried;
 * - `canDeliver(webhookId)` is asked before every attempt, so deliveries stop while a webhook is invalid;
 * - every attempt lands in a delivery log, every delivery in a record the replay engine can query by time;
 * - faults can be injected at runtime: duplicate, delay, drop, reorder.
 *
 * All waiting goes through `Clock`, so `TestClock.adjust` drives the whole timeline in tests.
 *
 * @since 0.1.0
 */

import { WebhookSignature } from "@account-activity/crc"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import {
  Cause,
  Clock,
  Context,
  Deferred,
  Duration,
  Effect,
  FiberSet,
  Layer,
  type Redacted,
  Schema,
  type Scope
} from "effect"
import * as Schedule from "./internal/deliverySchedule.js"

/**
 * What happened to one attempt.
 *
 * - `Delivered`: the webhook answered `200`.
 * - `Timeout`: no answer within the attempt timeout (3 s).
 * - `ConnectionRefused`: nothing listens at the URL.
 * - `BadStatus`: an answer other than `200` (`status` says which).
 * - `TransportError`: any other network failure (reset, DNS, invalid URL; `detail` says which).
 * - `Dropped`: a `Drop` fault: nothing was sent, as if the request was lost on the way.
 * - `Skipped`: `canDeliver` refused: the webhook is invalid, nothing was sent and the delivery stops.
 *
 * @since 0.1.0
 * @category models
 */
export const AttemptResult = Schema.Literal(
  "Delivered",
  "Timeout",
  "ConnectionRefused",
  "BadStatus",
  "TransportError",
  "Dropped",
  "Skipped"
)
/**
 * @since 0.1.0
 * @category models
 */
export type AttemptResult = typeof AttemptResult.Type

/**
 * How a delivery ended: `Delivered` (a `200`), `Failed` (every attempt failed), `Dropped` (a `Drop` fault) or
 * `Skipped` (the webhook was invalid before an attempt).
 *
 * @since 0.1.0
 * @category models
 */
export const Outcome = Schema.Literal("Delivered", "Failed", "Dropped", "Skipped")
/**
 * @since 0.1.0
 * @category models
 */
export type Outcome = typeof Outcome.Type

/**
 * One line of the delivery log: one attempt (or one drop or skip) of one delivery. `at` is the epoch
 * milliseconds (from the engine's `now`, by default `Clock`) when the attempt started; `outcome` is set on the
 * line that ended the delivery; `nextAttemptAt` on a failed attempt that will be retried. `copy` is `2` for the
 * second POST of a `Duplicate` fault.
 *
 * @since 0.1.0
 * @category models
 */
export const LogEntry = Schema.Struct({
  seq: Schema.Number,
  deliveryId: Schema.String,
  activityId: Schema.String,
  webhookId: Schema.String,
  forUserId: Schema.String,
  replayJobId: Schema.optional(Schema.String),
  copy: Schema.Number,
  attempt: Schema.Number,
  at: Schema.Number,
  result: AttemptResult,
  status: Schema.optional(Schema.Number),
  detail: Schema.optional(Schema.String),
  nextAttemptAt: Schema.optional(Schema.Number),
  outcome: Schema.optional(Outcome)
})
/**
 * @since 0.1.0
 * @category models
 */
export type LogEntry = typeof LogEntry.Type

/**
 * One delivery of one activity to one webhook for one subscribed user, with what the replay engine needs to
 * send it again: the body, the time of the first attempt and whether it was delivered. `outcome` is
 * `Pending` while the delivery runs. `attempted` is `false` only when nothing was ever sent or dropped
 * (skipped from the start).
 *
 * @since 0.1.0
 * @category models
 */
export const DeliveryRecord = Schema.Struct({
  deliveryId: Schema.String,
  activityId: Schema.String,
  webhookId: Schema.String,
  url: Schema.String,
  forUserId: Schema.String,
  replayJobId: Schema.optional(Schema.String),
  body: Schema.String,
  firstAttemptAt: Schema.Number,
  attempted: Schema.Boolean,
  delivered: Schema.Boolean,
  outcome: Schema.Literal("Pending", "Delivered", "Failed", "Dropped", "Skipped")
})
/**
 * @since 0.1.0
 * @category models
 */
export type DeliveryRecord = typeof DeliveryRecord.Type

/**
 * A fault to inject into the next deliveries:
 *
 * - `Duplicate`: the delivery is POSTed twice (the second copy after the first has ended);
 * - `Delay`: the first attempt waits `millis` more (on `Clock`);
 * - `Drop`: nothing is sent, the log says `Dropped` and the record counts as attempted (X thinks it sent it);
 * - `Reorder`: the delivery is held until the next delivery to the same webhook has made its first attempt
 *   (or until `releaseHeld`), so the receiver sees the two in the opposite order.
 *
 * @since 0.1.0
 * @category faults
 */
export const Fault = Schema.Union(
  Schema.TaggedStruct("Duplicate", {}),
  Schema.TaggedStruct("Delay", { millis: Schema.NonNegativeInt }),
  Schema.TaggedStruct("Drop", {}),
  Schema.TaggedStruct("Reorder", {})
)
/**
 * @since 0.1.0
 * @category faults
 */
export type Fault = typeof Fault.Type

/**
 * @since 0.1.0
 * @category faults
 */
export const duplicate: Fault = { _tag: "Duplicate" }
/**
 * @since 0.1.0
 * @category faults
 */
export const drop: Fault = { _tag: "Drop" }
/**
 * @since 0.1.0
 * @category faults
 */
export const reorder: Fault = { _tag: "Reorder" }
/**
 * @since 0.1.0
 * @category faults
 */
export const delay = (duration: Duration.DurationInput): Fault => ({
  _tag: "Delay",
  millis: Math.max(0, Math.round(Duration.toMillis(duration)))
})

/**
 * A fault waiting for deliveries: it applies to the next `remaining` deliveries (to `webhookId` only, when
 * set). `remaining` may be `Infinity`.
 *
 * @since 0.1.0
 * @category faults
 */
export interface PendingFault {
  readonly fault: Fault
  readonly remaining: number
  readonly webhookId?: string | undefined
}

/**
 * What to deliver. `body` is sent byte for byte and signed as is; `replayJobId` marks a Replay delivery (one
 * attempt, no retry, not listed by `attemptedBetween`).
 *
 * @since 0.1.0
 * @category models
 */
export interface DeliveryRequest {
  readonly webhookId: string
  readonly url: string
  readonly consumerSecret: Redacted.Redacted<string>
  readonly body: string
  readonly forUserId: string
  readonly activityId: string
  readonly replayJobId?: string | undefined
}

/**
 * A delivery running in the background: its id (as in the log) and an effect that waits for its outcome.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeliveryHandle {
  readonly deliveryId: string
  readonly await: Effect.Effect<Outcome>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Starts a delivery in the background and returns at once. */
  readonly deliver: (request: DeliveryRequest) => Effect.Effect<DeliveryHandle>
  /** Every attempt so far, oldest first. */
  readonly log: Effect.Effect<ReadonlyArray<LogEntry>>
  /** Every delivery so far, oldest first. */
  readonly records: Effect.Effect<ReadonlyArray<DeliveryRecord>>
  /**
   * The live (non-Replay) deliveries that were attempted (sent or dropped) with a first attempt in
   * `[from, to)` (epoch milliseconds), oldest first: what a Replay job of that window sends again.
   */
  readonly attemptedBetween: (from: number, to: number) => Effect.Effect<ReadonlyArray<DeliveryRecord>>
  /** Adds a fault for the next `times` deliveries (default 1; `Infinity` for all), optionally of one webhook. */
  readonly inject: (
    fault: Fault,
    options?: { readonly times?: number | undefined; readonly webhookId?: string | undefined }
  ) => Effect.Effect<void>
  /** The faults still waiting for deliveries. */
  readonly pendingFaults: Effect.Effect<ReadonlyArray<PendingFault>>
  /** Removes every pending fault. */
  readonly clearFaults: Effect.Effect<void>
  /** Releases every delivery held by a `Reorder` fault; returns how many. */
  readonly releaseHeld: Effect.Effect<number>
  /** How many deliveries are running (waiting, held, sending or between retries). */
  readonly inFlight: Effect.Effect<number>
  /** Waits until no delivery is running. With a `TestClock`, retries only end when the clock is moved. */
  readonly awaitIdle: Effect.Effect<void>
}

/**
 * The delivery engine.
 *
 * @since 0.1.0
 * @category tags
 */
export class Deliveries extends Context.Tag("@account-activity/emulator/Deliveries")<Deliveries, Service>() {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Asked before every attempt; `false` skips the delivery (the webhook is invalid). Default: always `true`. */
  readonly canDeliver?: ((webhookId: string) => Effect.Effect<boolean>) | undefined
  /** The timeout of one attempt. Default: 3 seconds (v1.1). */
  readonly timeout?: Duration.DurationInput | undefined
  /** The waits after each failed attempt. Default: 3 s, 27 s, 242 s (four attempts in all). */
  readonly retryWaits?: ReadonlyArray<Duration.DurationInput> | undefined
  /** The most log lines kept (the oldest go first). Default: 100,000. */
  readonly maxLogEntries?: number | undefined
  /** How long delivery records are kept after their first attempt. Default: 5 days and 1 hour (Replay's window). */
  readonly retention?: Duration.DurationInput | undefined
  /**
   * The time the log and the records are written in, epoch milliseconds. Default: `Clock.currentTimeMillis`.
   * The emulator passes its own clock (`Clock` plus the offset of `advanceClock`), so a Replay window in
   * emulator time selects the right deliveries. Waits still run on `Clock`.
   */
  readonly now?: Effect.Effect<number> | undefined
}

type MutableRecord = {
  -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K]
}

interface Held {
  readonly webhookId: string
  readonly release: Deferred.Deferred<void>
}

type AttemptOutcome =
  | { readonly result: "Delivered"; readonly status: number }
  | { readonly result: "BadStatus"; readonly status: number }
  | { readonly result: "Timeout" | "ConnectionRefused" | "TransportError"; readonly detail: string }

/**
 * Builds the engine. Deliveries are forked into the scope of the caller of `make` (the layer's scope) and
 * stop when it closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const fibers = yield* FiberSet.make<unknown, never>()
    // deliveries run on the engine's runtime, not on the caller's fiber: a caller inside an HTTP handler (which
    // runs uninterruptibly) must not make them uninterruptible
    const fork = yield* FiberSet.runtime(fibers)<never>()
    const currentTime = options.now ?? Clock.currentTimeMillis
    const canDeliver = options.canDeliver ?? (() => Effect.succeed(true))
    const timeout = Duration.decode(options.timeout ?? Schedule.defaultTimeout)
    const offsets = Schedule.offsets(
      timeout,
      options.retryWaits === undefined ? Schedule.defaultRetryWaits : options.retryWaits.map(Duration.decode)
    )
    const maxLogEntries = Math.max(1, options.maxLogEntries ?? 100_000)
    const retentionMillis = Duration.toMillis(
      Duration.decode(options.retention ?? Duration.sum(Duration.days(5), Duration.hours(1)))
    )

    const log: Array<LogEntry> = []
    const records: Array<MutableRecord> = []
    let pending: Array<{ fault: Fault; remaining: number; webhookId: string | undefined }> = []
    let held: Array<Held> = []
    let seq = 0
    let nextDeliveryId = 0

    const append = (entry: Omit<LogEntry, "seq">) =>
      Effect.sync(() => {
        log.push({ seq: ++seq, ...entry })
        if (log.length > maxLogEntries) log.splice(0, log.length - maxLogEntries)
      })

    const prune = (now: number) => {
      const cutoff = now - retentionMillis
      let index = 0
      while (
        index < records.length &&
        records[index]!.outcome !== "Pending" &&
        records[index]!.firstAttemptAt < cutoff
      ) {
        index++
      }
      if (index > 0) records.splice(0, index)
    }

    const takeFaults = (webhookId: string): ReadonlyArray<Fault> => {
      const taken: Array<Fault> = []
      for (const entry of pending) {
        if (entry.remaining > 0 && (entry.webhookId === undefined || entry.webhookId === webhookId)) {
          taken.push(entry.fault)
          entry.remaining--
        }
      }
      pending = pending.filter((entry) => entry.remaining > 0)
      return taken
    }

    const releaseFor = (webhookId: string) =>
      Effect.suspend(() => {
        const released = held.filter((entry) => entry.webhookId === webhookId)
        held = held.filter((entry) => entry.webhookId !== webhookId)
        return Effect.forEach(released, (entry) => Deferred.succeed(entry.release, undefined), { discard: true })
      })

    const post = (request: DeliveryRequest): Effect.Effect<AttemptOutcome> =>
      client
        .execute(
          HttpClientRequest.post(request.url).pipe(
            HttpClientRequest.setHeader(
              WebhookSignature.headerName,
              WebhookSignature.signWith(request.body, request.consumerSecret)
            ),
            HttpClientRequest.bodyText(request.body, "application/json")
          )
        )
        .pipe(
          Effect.flatMap((response) =>
            Effect.as(Effect.ignore(response.text), {
              result: response.status === 200 ? ("Delivered" as const) : ("BadStatus" as const),
              status: response.status
            })
          ),
          Effect.timeoutFail({ duration: timeout, onTimeout: () => "timeout" as const }),
          Effect.catchAll(
            (error): Effect.Effect<AttemptOutcome> =>
              Effect.succeed(
                error === "timeout"
                  ? { result: "Timeout", detail: `no answer within ${Duration.format(timeout)}` }
                  : Schedule.isConnectionRefused(error)
                    ? { result: "ConnectionRefused", detail: "ECONNREFUSED" }
                    : { result: "TransportError", detail: Schedule.describeTransport(error) }
              )
          )
        )

    const sleepUntil = (target: number) =>
      Effect.flatMap(currentTime, (now) => (target > now ? Effect.sleep(target - now) : Effect.void))

    /** One copy of a delivery: its attempts on the timeline. Returns how it ended. */
    const attempts = (
      request: DeliveryRequest,
      deliveryId: string,
      record: MutableRecord,
      copy: number,
      afterFirst: Effect.Effect<void>
    ): Effect.Effect<Outcome> =>
      Effect.gen(function* () {
        const maxAttempts = request.replayJobId === undefined ? offsets.length : 1
        const start = yield* currentTime
        if (copy === 1) record.firstAttemptAt = start
        const base = {
          deliveryId,
          activityId: request.activityId,
          webhookId: request.webhookId,
          forUserId: request.forUserId,
          ...(request.replayJobId === undefined ? {} : { replayJobId: request.replayJobId }),
          copy
        }
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
          yield* sleepUntil(start + offsets[attempt - 1]!)
          const at = yield* currentTime
          if (!(yield* canDeliver(request.webhookId))) {
            yield* append({ ...base, attempt, at, result: "Skipped", detail: "webhook invalid", outcome: "Skipped" })
            if (attempt === 1) yield* afterFirst
            return "Skipped" as const
          }
          record.attempted = true
          const outcome = yield* post(request)
          if (attempt === 1) yield* afterFirst
          if (outcome.result === "Delivered") {
            yield* append({ ...base, attempt, at, result: "Delivered", status: outcome.status, outcome: "Delivered" })
            return "Delivered" as const
          }
          const failure =
            outcome.result === "BadStatus"
              ? { result: outcome.result, status: outcome.status, detail: `HTTP ${outcome.status}, not 200` }
              : { result: outcome.result, detail: outcome.detail }
          if (attempt < maxAttempts) {
            yield* append({ ...base, attempt, at, ...failure, nextAttemptAt: start + offsets[attempt]! })
          } else {
            yield* append({ ...base, attempt, at, ...failure, outcome: "Failed" })
          }
        }
        return "Failed" as const
      })

    const run = (request: DeliveryRequest, deliveryId: string, record: MutableRecord, faults: ReadonlyArray<Fault>) =>
      Effect.gen(function* () {
        let released = false
        const afterFirst = Effect.suspend(() => {
          if (released) return Effect.void
          released = true
          return releaseFor(request.webhookId)
        })
        if (faults.some((fault) => fault._tag === "Drop")) {
          const at = yield* currentTime
          record.firstAttemptAt = at
          record.attempted = true
          yield* append({
            deliveryId,
            activityId: request.activityId,
            webhookId: request.webhookId,
            forUserId: request.forUserId,
            ...(request.replayJobId === undefined ? {} : { replayJobId: request.replayJobId }),
            copy: 1,
            attempt: 1,
            at,
            result: "Dropped",
            detail: "dropped by an injected fault",
            outcome: "Dropped"
          })
          yield* afterFirst
          return "Dropped" as const
        }
        for (const fault of faults) {
          if (fault._tag === "Delay") yield* Effect.sleep(fault.millis)
        }
        if (faults.some((fault) => fault._tag === "Reorder")) {
          const release = yield* Deferred.make<void>()
          held.push({ webhookId: request.webhookId, release })
          yield* Deferred.await(release)
          released = true // a held delivery releases nothing: the one that released it came first
        }
        const outcome = yield* attempts(request, deliveryId, record, 1, afterFirst)
        if (faults.some((fault) => fault._tag === "Duplicate")) {
          yield* attempts(request, deliveryId, record, 2, Effect.void)
        }
        return outcome
      })

    const deliver = (request: DeliveryRequest): Effect.Effect<DeliveryHandle> =>
      Effect.gen(function* () {
        const now = yield* currentTime
        const deliveryId = `${++nextDeliveryId}`
        const record: MutableRecord = {
          deliveryId,
          activityId: request.activityId,
          webhookId: request.webhookId,
          url: request.url,
          forUserId: request.forUserId,
          ...(request.replayJobId === undefined ? {} : { replayJobId: request.replayJobId }),
          body: request.body,
          firstAttemptAt: now,
          attempted: false,
          delivered: false,
          outcome: "Pending"
        }
        prune(now)
        records.push(record)
        const faults = takeFaults(request.webhookId)
        const done = yield* Deferred.make<Outcome>()
        yield* run(request, deliveryId, record, faults).pipe(
          Effect.tap((outcome) =>
            Effect.sync(() => {
              record.outcome = outcome
              record.delivered = outcome === "Delivered"
            })
          ),
          Effect.catchAllCause((cause) =>
            Effect.as(
              Effect.logError("a delivery stopped on a defect", Cause.pretty(cause)).pipe(
                Effect.annotateLogs({ deliveryId, webhookId: request.webhookId })
              ),
              "Failed" as const
            )
          ),
          Effect.flatMap((outcome) => Deferred.succeed(done, outcome)),
          Effect.onInterrupt(() => Deferred.interrupt(done)),
          (effect) => Effect.sync(() => fork(effect))
        )
        return {
          deliveryId,
          await: Deferred.await(done).pipe(Effect.catchAllCause(() => Effect.succeed("Failed" as const)))
        }
      })

    const snapshot = (record: MutableRecord): DeliveryRecord => ({ ...record })

    return Deliveries.of({
      deliver,
      log: Effect.sync(() => log.slice()),
      records: Effect.sync(() => records.map(snapshot)),
      attemptedBetween: (from, to) =>
        Effect.sync(() =>
          records
            .filter(
              (record) =>
                record.attempted &&
                record.replayJobId === undefined &&
                record.firstAttemptAt >= from &&
                record.firstAttemptAt < to
            )
            .map(snapshot)
            .sort((a, b) => a.firstAttemptAt - b.firstAttemptAt)
        ),
      inject: (fault, injectOptions) =>
        Effect.sync(() => {
          const times = injectOptions?.times ?? 1
          if (times > 0) pending.push({ fault, remaining: times, webhookId: injectOptions?.webhookId })
        }),
      pendingFaults: Effect.sync(() =>
        pending.map((entry) => ({
          fault: entry.fault,
          remaining: entry.remaining,
          ...(entry.webhookId === undefined ? {} : { webhookId: entry.webhookId })
        }))
      ),
      clearFaults: Effect.sync(() => {
        pending = []
      }),
      releaseHeld: Effect.suspend(() => {
        const all = held
        held = []
        return Effect.as(
          Effect.forEach(all, (entry) => Deferred.succeed(entry.release, undefined), { discard: true }),
          all.length
        )
      }),
      inFlight: FiberSet.size(fibers),
      awaitIdle: FiberSet.awaitEmpty(fibers)
    })
  })

/**
 * The engine as a layer. It needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici`); its deliveries stop
 * when the layer's scope closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Deliveries, never, HttpClient.HttpClient> =>
  Layer.scoped(Deliveries, make(options))

/**
 * Waits for the outcome of a delivery started with `deliver`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const deliverAndAwait = (request: DeliveryRequest): Effect.Effect<Outcome, never, Deliveries> =>
  Effect.flatMap(Deliveries, (service) => Effect.flatMap(service.deliver(request), (handle) => handle.await))
