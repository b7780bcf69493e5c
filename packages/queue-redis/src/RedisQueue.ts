/**
 * The scale-out `EventQueue`, `SeenStore`, `Journal` and `Lock`, on one Redis server shared by every receiver
 * and worker.
 *
 * - **EventQueue on a Redis Stream with one consumer group.** `append` is `XADD` (a batch in one
 *   `MULTI`/`EXEC`) and returns once Redis has acknowledged the write; workers lease records with
 *   `XREADGROUP`, and take over records whose lease expired (a crashed worker) with `XCLAIM`; `ack` is
 *   `XACK` + `XDEL`. Attempts are the stream's delivery counts. A `nack` appends the record again (at once or
 *   after its delay) with its message id, attempts and error; dead letters live in a stream of their own.
 *   Every step that reads and writes is one Lua script, so it is atomic.
 * - **SeenStore**: one key per identity key, `SET key 1 NX PX ttl`: Redis expires it.
 * - **Journal**: a sorted set of spans per kind; `extend` is one Lua script, so atomic per key.
 * - **Lock**: `SET name owner NX PX ttl`, renewed and released by Lua scripts that check the owner.
 *
 * Leases, nack delays, lock and seen-key TTLs run on the Redis server's clock, the one clock all processes
 * share. Calls fail promptly with `QueueUnavailable` (`Unreachable`) while Redis cannot be reached: commands
 * are never queued while disconnected, and each has a timeout.
 *
 * @since 0.1.0
 */
import { EventQueue, Journal, Lock, QueueUnavailable, SeenStore } from "@account-activity/queue"
import {
  type Array as Arr,
  Config,
  type ConfigError,
  Context,
  Duration,
  Effect,
  Layer,
  Redacted,
  type Scope
} from "effect"
import { Redis } from "ioredis"
import * as Blocking from "./internal/blocking.js"
import * as Codec from "./internal/codec.js"
import * as Errors from "./internal/errors.js"
import * as Scripts from "./internal/scripts.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The server, as a `redis://` or `rediss://` (TLS) URL; it may carry a user name, a password and a database
   * number (`redis://:password@host:6379/0`), so pass it `Redacted` when it does. Default:
   * `redis://127.0.0.1:6379`.
   */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** The namespace of every key (see the README for the layout). Default: `aaa`. */
  readonly prefix?: string | undefined
  /** The consumer group every worker of this queue joins. Default: `workers`. */
  readonly group?: string | undefined
  /**
   * How long an idle consumer blocks on the stream before it looks again for expired leases. New records,
   * nacks and redrives wake it at once; a delayed nack wakes it when it is due. Default: 1 s.
   */
  readonly blockTimeout?: Duration.DurationInput | undefined
  /**
   * How long Redis may leave a command unanswered before the connection is taken for dead: it is dropped (and
   * connected again in the background) and the waiting calls fail with `QueueUnavailable` (`Unreachable`).
   * Keep it well below X's 3 s delivery timeout, so that a receiver still answers 503 in time. Default: 1 s.
   */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /** How long the first connection may take before the layer fails. Default: 5 s. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** The `SeenStore`'s default TTL. Default: 7 days. */
  readonly seenTtl?: Duration.DurationInput | undefined
  /** Journal spans that ended this long before the newest time written are dropped. Default: 7 days. */
  readonly journalRetention?: Duration.DurationInput | undefined
  /** The name the connections give themselves (`CLIENT LIST`). Default: `account-activity`. */
  readonly connectionName?: string | undefined
}

/**
 * The four services, on one connection (plus one per consumer while it blocks waiting for records).
 *
 * @since 0.1.0
 * @category models
 */
export interface Queues {
  readonly queue: EventQueue.Service
  readonly seen: SeenStore.Service
  readonly journal: Journal.Service
  readonly lock: Lock.Service
}

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaultUrl = "redis://127.0.0.1:6379"

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaultPrefix = "aaa"

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaultGroup = "workers"

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.DurationInput, name: string) => {
  const value = Math.ceil(Duration.toMillis(Duration.decode(input ?? fallback)))
  if (!Number.isFinite(value) || value < 1)
    throw new RangeError(`RedisQueue: ${name} must be a finite, positive duration`)
  return value
}

const name = (value: string | undefined, fallback: string, what: string) => {
  const resolved = value ?? fallback
  if (resolved.length === 0) throw new RangeError(`RedisQueue: ${what} must not be empty`)
  return resolved
}

const finite = (value: number, what: string) => {
  if (!Number.isFinite(value)) throw new RangeError(`Journal: ${what} must be a finite number, got ${value}`)
  return value
}

type LeaseReply = ReadonlyArray<readonly [Buffer, ReadonlyArray<Buffer>, number, number]>

interface RedisLease extends EventQueue.Lease {
  readonly entry: string
  readonly count: number
}

/**
 * Connects and makes the four services, until the scope closes: then the connections are closed and later
 * calls fail with `QueueUnavailable` (`Closed`). Fails with `QueueUnavailable` (`Unreachable`) when the server
 * cannot be reached within `connectTimeout`. Creates the stream and its consumer group when missing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Queues, QueueUnavailable.QueueUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const url =
      options.url === undefined
        ? defaultUrl
        : Redacted.isRedacted(options.url)
          ? Redacted.value(options.url)
          : options.url
    const prefix = name(options.prefix, defaultPrefix, "prefix")
    const group = name(options.group, defaultGroup, "group")
    const blockMillis = millis(options.blockTimeout, "1 second", "blockTimeout")
    const commandMillis = millis(options.commandTimeout, "1 second", "commandTimeout")
    const connectMillis = millis(options.connectTimeout, "5 seconds", "connectTimeout")
    const seenTtl = SeenStore.ttlMillis(options.seenTtl, SeenStore.defaultTtl)
    const retention = millis(options.journalRetention, Journal.defaultRetention, "journalRetention")
    const keys = Codec.keys(prefix)
    const state: Errors.ConnectionState = { closed: false, lastError: undefined }

    const client = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const redis = new Redis(url, {
          lazyConnect: true,
          // Never queue a command while disconnected, never resend one after a reconnect: fail it at once,
          // so that a receiver answers 503 and X delivers again.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          autoResendUnfulfilledCommands: false,
          // No reply for this long while a command waits: the connection is taken for dead and dropped, so
          // the waiting calls fail (one timer per connection, where ioredis's commandTimeout arms one per command).
          socketTimeout: commandMillis,
          connectTimeout: connectMillis,
          connectionName: options.connectionName ?? "account-activity"
        })
        redis.on("error", (error: Error) => {
          state.lastError = error.message
        })
        return redis
      }),
      (redis) =>
        Effect.promise(() => {
          state.closed = true
          return redis.status === "ready"
            ? redis.quit().then(
                () => undefined,
                () => redis.disconnect()
              )
            : Promise.resolve(redis.disconnect())
        })
    )

    const pool = Blocking.make(() => {
      const connection = client.duplicate({
        lazyConnect: true,
        socketTimeout: undefined,
        // A client-side limit for XREAD BLOCK on a dead connection: the block time plus commandTimeout.
        blockingTimeout: commandMillis,
        blockingTimeoutGrace: commandMillis
      })
      connection.on("error", (error: Error) => {
        state.lastError = error.message
      })
      return connection
    }, 4)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        state.closed = true
        pool.close()
      })
    )

    const call = <A>(operation: string, f: () => Promise<A>): Effect.Effect<A, QueueUnavailable.QueueUnavailable> =>
      Effect.suspend(() =>
        state.closed
          ? Effect.fail(Errors.closed(operation))
          : Effect.tryPromise({ try: f, catch: (error) => Errors.fromRedis(operation, error, state) })
      )

    const createGroup = call("create the consumer group", () =>
      client.call("xgroup", ["create", keys.stream, group, "0", "mkstream"]).catch((error: unknown) => {
        if (error instanceof Error && error.message.startsWith("BUSYGROUP")) return "OK"
        throw error
      })
    )

    /** Runs a queue command; when the group is missing (the stream was deleted), creates it and runs it again. */
    const withGroup = <A>(operation: string, f: () => Promise<A>) =>
      Effect.catchIf(call(operation, f), Errors.isNoGroup, () => Effect.zipRight(createGroup, call(operation, f)))

    yield* Effect.timeoutFail(
      call("connect to Redis", () => client.connect()),
      {
        duration: Duration.millis(connectMillis),
        onTimeout: () =>
          new QueueUnavailable.QueueUnavailable({
            reason: "Unreachable",
            operation: "connect to Redis",
            detail: `no connection within ${connectMillis} ms${state.lastError === undefined ? "" : ` (last connection error: ${state.lastError})`}`
          })
      }
    )
    yield* createGroup

    // EventQueue ---------------------------------------------------------------------------------------------

    const append = (
      deliveries: Arr.NonEmptyReadonlyArray<EventQueue.Delivery>
    ): Effect.Effect<Arr.NonEmptyReadonlyArray<EventQueue.MessageId>, QueueUnavailable.QueueUnavailable> =>
      call("append", async () => {
        if (deliveries.length === 1) {
          return [
            String(await client.call("xadd", [keys.stream, "*", ...Codec.encode(deliveries[0])]))
          ] as unknown as Arr.NonEmptyReadonlyArray<EventQueue.MessageId>
        }
        const transaction = client.multi()
        for (const delivery of deliveries) transaction.call("xadd", [keys.stream, "*", ...Codec.encode(delivery)])
        const results = await transaction.exec()
        if (results === null) throw new Error("the MULTI transaction was discarded")
        return results.map(([error, id]) => {
          if (error !== null) throw error
          return String(id)
        }) as unknown as Arr.NonEmptyReadonlyArray<EventQueue.MessageId>
      })

    const lease = (request: EventQueue.LeaseRequest) =>
      Effect.map(
        withGroup(
          "receive",
          () =>
            Scripts.run(
              client,
              Scripts.lease,
              keys.queue,
              [group, request.consumer, request.max, request.visibilityTimeoutMillis, request.maxAttempts],
              true
            ) as Promise<LeaseReply>
        ),
        (reply) =>
          reply.map(([entryId, fields, attempts, count]): RedisLease => {
            const byName = Codec.fieldsOf(fields)
            const entry = entryId.toString("utf8")
            return {
              ...Codec.decode(byName),
              id: (Codec.textOf(byName, "id") ?? entry) as EventQueue.MessageId,
              attempts,
              token: `${entry}/${count}`,
              entry,
              count
            }
          })
      )

    const ack = (lease: EventQueue.Lease) =>
      Effect.asVoid(
        withGroup("ack", () =>
          Scripts.run(client, Scripts.ack, keys.queue, [
            group,
            (lease as RedisLease).entry,
            (lease as RedisLease).count
          ])
        )
      )

    const nack = (
      lease: EventQueue.Lease,
      nackOptions: { readonly error: string; readonly delayMillis: number; readonly maxAttempts: number }
    ) =>
      Effect.asVoid(
        withGroup("nack", () =>
          Scripts.run(client, Scripts.nack, keys.queue, [
            group,
            (lease as RedisLease).entry,
            (lease as RedisLease).count,
            nackOptions.error,
            nackOptions.delayMillis,
            nackOptions.maxAttempts
          ])
        )
      )

    /** Blocks on a connection of its own until a record comes after the group's last delivered one. */
    const blockUntil = (after: string, waitMillis: number) =>
      Effect.async<void, QueueUnavailable.QueueUnavailable>((resume) => {
        let connection: Redis | undefined
        pool
          .acquire()
          .then((acquired) => {
            connection = acquired
            return acquired.callBuffer("xread", [
              "count",
              "1",
              "block",
              String(waitMillis),
              "streams",
              keys.stream,
              after
            ])
          })
          .then(
            () => resume(Effect.void),
            (error: unknown) => resume(Effect.fail(Errors.fromRedis("receive", error, state)))
          )
          .finally(() => {
            if (connection !== undefined) pool.release(connection)
          })
      })

    const awaitAvailable = (request: EventQueue.LeaseRequest) =>
      Effect.flatMap(
        withGroup(
          "receive",
          () =>
            Scripts.run(client, Scripts.probe, keys.queue, [group, request.visibilityTimeoutMillis]) as Promise<
              readonly [string, number, number, number]
            >
        ),
        ([last, expired, due, now]) => {
          if (expired === 1 || (due >= 0 && due <= now)) return Effect.void
          const wait = Math.max(1, due >= 0 ? Math.min(blockMillis, due - now) : blockMillis)
          return blockUntil(last, wait)
        }
      )

    const deadLetters: EventQueue.DeadLetters = {
      list: (listOptions) =>
        Effect.suspend(() => {
          const limit = listOptions?.limit ?? 100
          if (!Number.isSafeInteger(limit) || limit < 0) {
            return Effect.dieMessage(`EventQueue: limit must be a whole number of at least 0, got ${limit}`)
          }
          return Effect.map(
            call(
              "list dead letters",
              () => Scripts.run(client, Scripts.deadList, keys.queue, [limit], true) as Promise<ReadonlyArray<unknown>>
            ),
            (reply) =>
              reply.map((fields): EventQueue.DeadLetter => {
                const byName = Codec.fieldsOf(fields)
                const attempts = Number(Codec.textOf(byName, "attempts") ?? "0")
                const error = Codec.textOf(byName, "error")
                return {
                  ...Codec.decode(byName),
                  id: (Codec.textOf(byName, "id") ?? "") as EventQueue.MessageId,
                  attempts,
                  error:
                    Codec.textOf(byName, "reason") === "expired"
                      ? EventQueue.expiredLeaseError(Codec.textOf(byName, "consumer") ?? "", attempts, error)
                      : (error ?? ""),
                  failedAt: Number(Codec.textOf(byName, "failedAt") ?? "0")
                }
              })
          )
        }),
      redrive: (ids) =>
        Effect.suspend(() => {
          const sorted = Codec.sortIds(ids)
          if (sorted.length === 0) return Effect.succeed(0)
          return call("redrive dead letters", () =>
            Scripts.run(client, Scripts.redrive, keys.queue, sorted)
          ) as Effect.Effect<number, QueueUnavailable.QueueUnavailable>
        }),
      discard: (ids) =>
        Effect.suspend(() => {
          const unique = [...new Set(ids)]
          if (unique.length === 0) return Effect.succeed(0)
          return call("discard dead letters", () =>
            Scripts.run(client, Scripts.discard, keys.queue, unique)
          ) as Effect.Effect<number, QueueUnavailable.QueueUnavailable>
        })
    }

    const queue = EventQueue.make({ append, lease, ack, nack, awaitAvailable, deadLetters })

    // SeenStore ----------------------------------------------------------------------------------------------

    const seen = SeenStore.SeenStore.of({
      markIfNew: (markKeys, markOptions) =>
        Effect.suspend(() => {
          const ttl = SeenStore.ttlMillis(markOptions?.ttl, seenTtl)
          const unique = [...new Set(markKeys)]
          if (unique.length === 0) return Effect.succeed(new Set<string>() as ReadonlySet<string>)
          return call("markIfNew", async () => {
            const pipeline = client.pipeline()
            for (const key of unique) pipeline.call("set", [keys.seen(key), "1", "NX", "PX", ttl])
            const results = (await pipeline.exec()) ?? []
            const fresh = new Set<string>()
            results.forEach(([error, reply], index) => {
              if (error !== null) throw error
              if (reply === "OK") fresh.add(unique[index]!)
            })
            return fresh as ReadonlySet<string>
          })
        }),
      has: (key) => call("has", async () => (await client.call("exists", [keys.seen(key)])) === 1),
      forget: (forgetKeys) =>
        Effect.suspend(() =>
          forgetKeys.length === 0
            ? Effect.void
            : Effect.asVoid(call("forget", () => client.call("del", forgetKeys.map(keys.seen))))
        )
    })

    // Journal ------------------------------------------------------------------------------------------------

    const journal = Journal.Journal.of({
      extend: (kind, key, at, toleranceMillis) =>
        Effect.suspend(() => {
          finite(at, "at")
          if (!(toleranceMillis >= 0))
            throw new RangeError(`Journal: toleranceMillis must be at least 0, got ${toleranceMillis}`)
          return Effect.asVoid(
            call("extend the journal", () =>
              Scripts.run(
                client,
                Scripts.journalExtend,
                [keys.spans(kind), keys.newest(kind)],
                [key, String(at), String(toleranceMillis), `${String(at)}:${key}`, String(at - retention)]
              )
            )
          )
        }),
      record: (span) =>
        Effect.suspend(() => {
          Journal.checkSpan(span)
          return Effect.asVoid(
            call("record a journal span", () =>
              Scripts.run(
                client,
                Scripts.journalRecord,
                [keys.spans(span.kind), keys.newest(span.kind)],
                [
                  span.key,
                  String(span.from),
                  String(span.to),
                  `${String(span.from)}:${span.key}`,
                  String(span.to - retention)
                ]
              )
            )
          )
        }),
      list: (kind, since) =>
        Effect.map(
          call(
            "list the journal",
            () =>
              client.call("zrangebyscore", [keys.spans(kind), String(since), "+inf", "WITHSCORES"]) as Promise<
                ReadonlyArray<string>
              >
          ),
          (reply) => {
            const spans: Array<Journal.Span> = []
            for (let index = 0; index + 1 < reply.length; index += 2) {
              const member = reply[index]!
              const colon = member.indexOf(":")
              spans.push({
                kind,
                key: member.slice(colon + 1),
                from: Number(member.slice(0, colon)),
                to: Number(reply[index + 1])
              })
            }
            return spans.sort(Journal.order)
          }
        )
    })

    // Lock ---------------------------------------------------------------------------------------------------

    const lock = Lock.Lock.of({
      acquire: (lockName, owner, ttl) =>
        Effect.suspend(() => {
          const ttlMillis = Lock.ttlMillis(ttl)
          return Effect.map(
            call("acquire a lock", () =>
              Scripts.run(client, Scripts.lockAcquire, [keys.lock(lockName)], [owner, ttlMillis])
            ),
            (reply) => reply === 1
          )
        }),
      release: (lockName, owner) =>
        Effect.asVoid(
          call("release a lock", () => Scripts.run(client, Scripts.lockRelease, [keys.lock(lockName)], [owner]))
        )
    })

    return { queue, seen, journal, lock }
  })

/**
 * The four services from one Redis server: `EventQueue`, `SeenStore`, `Journal` and `Lock`.
 *
 * @example
 * ```ts
 * import { EventQueue } from "@account-activity/queue"
 * import { RedisQueue } from "@account-activity/queue-redis"
 * import { Effect } from "effect"
 *
 * const QueueLive = RedisQueue.layer({ url: "redis://127.0.0.1:6379", prefix: "aaa" })
 *
 * const program = Effect.gen(function* () {
 *   const queue = yield* EventQueue.EventQueue
 *   yield* queue.append([{ body: new TextEncoder().encode("{}"), receivedAt: Date.now(), headers: {} }])
 * }).pipe(Effect.provide(QueueLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  EventQueue.EventQueue | SeenStore.SeenStore | Journal.Journal | Lock.Lock,
  QueueUnavailable.QueueUnavailable
> =>
  Layer.scopedContext(
    Effect.map(make(options), ({ journal, lock, queue, seen }) =>
      Context.make(EventQueue.EventQueue, queue).pipe(
        Context.add(SeenStore.SeenStore, seen),
        Context.add(Journal.Journal, journal),
        Context.add(Lock.Lock, lock)
      )
    )
  )

/**
 * The four services, with the options read from configuration.
 *
 * @example
 * ```ts
 * import { RedisQueue } from "@account-activity/queue-redis"
 * import { Config } from "effect"
 *
 * // AAA_REDIS_URL=redis://:secret@redis.internal:6379
 * const QueueLive = RedisQueue.layerConfig({
 *   url: Config.redacted("AAA_REDIS_URL"),
 *   prefix: Config.string("AAA_REDIS_PREFIX").pipe(Config.withDefault("aaa"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<
  EventQueue.EventQueue | SeenStore.SeenStore | Journal.Journal | Lock.Lock,
  QueueUnavailable.QueueUnavailable | ConfigError.ConfigError
> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
