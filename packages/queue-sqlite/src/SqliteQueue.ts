/**
 * The embedded `EventQueue` and `SeenStore`: one SQLite file in WAL mode.
 *
 * - **Durable on return.** `append` commits with `synchronous = FULL`: when it succeeds, the deliveries are
 *   in the fsynced write-ahead log, so neither `kill -9` nor a power loss loses them.
 * - **Group commit.** Appends (and every other write) submitted while the event loop is busy, including
 *   during the previous commit, are committed together in the next single transaction: one fsync for many
 *   concurrent appends.
 * - **Leases in the same file.** Leases, attempts, errors and dead letters are rows of the same file; an
 *   expired lease is simply due again. Several processes may share the file (SQLite locks it for each
 *   write), so a receiver and a worker can run apart on one machine.
 * - **SeenStore in the same file**, with expiry; expired keys are pruned as keys are marked.
 * - **Journal and Lock in the same file**: `extend` reads and writes a key's newest span in one transaction;
 *   a lock is one row, taken with an atomic upsert that succeeds only when the lock is free, expired or
 *   already the owner's. Processes sharing the file share the journal and the locks.
 *
 * Time comes from `Clock`.
 *
 * @since 0.1.0
 */
import { EventQueue, Journal, Lock, QueueUnavailable, SeenStore } from "@account-activity/queue"
import Database from "better-sqlite3"
import {
  type Array as Arr,
  Clock,
  Config,
  type ConfigError,
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  FiberId,
  Layer,
  type Scope
} from "effect"
import * as Errors from "./internal/errors.js"
import * as Schema from "./internal/schema.js"
import * as Writer from "./internal/writer.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The SQLite file (created with its tables if missing; its directory must exist). */
  readonly filename: string
  /**
   * How often an idle consumer looks for messages written by other processes or whose lease expired.
   * Appends, nacks and redrives of this process wake its consumers at once. Default: 100 ms.
   */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** How long a write waits for another process holding the file's write lock. Default: 5 s. */
  readonly busyTimeout?: Duration.DurationInput | undefined
  /** Commit concurrent writes together (one transaction, one fsync). Default: `true`. */
  readonly groupCommit?: boolean | undefined
  /** At most this many operations per group commit. Default: 1000. */
  readonly maxBatch?: number | undefined
  /** The `SeenStore`'s default TTL. Default: 7 days. */
  readonly seenTtl?: Duration.DurationInput | undefined
  /** Journal spans that ended this long before the newest time written are dropped. Default: 7 days. */
  readonly journalRetention?: Duration.DurationInput | undefined
}

/**
 * The four services, on one connection.
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

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.DurationInput, name: string) => {
  const value = Duration.toMillis(Duration.decode(input ?? fallback))
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`SqliteQueue: ${name} must be a finite duration`)
  return Math.ceil(value)
}

class NewerLayout extends Error {}

const open = (filename: string, busyTimeoutMillis: number) =>
  Effect.try({
    try: () => {
      const db = new Database(filename, { timeout: busyTimeoutMillis })
      try {
        db.pragma("journal_mode = WAL")
        db.pragma("synchronous = FULL")
        const found = db.pragma("user_version", { simple: true }) as number
        if (found > Schema.version) {
          throw new NewerLayout(
            `the file has layout version ${found}, this version of @account-activity/queue-sqlite knows up to ${Schema.version}`
          )
        }
        db.exec("BEGIN IMMEDIATE")
        try {
          db.exec(Schema.ddl)
          db.exec("COMMIT")
        } catch (error) {
          if (db.inTransaction) db.exec("ROLLBACK")
          throw error
        }
        return db
      } catch (error) {
        db.close()
        throw error
      }
    },
    catch: (error) =>
      Errors.fromSqlite(`open ${filename}`, error) ??
      new QueueUnavailable.QueueUnavailable({
        reason: error instanceof NewerLayout ? "Corrupt" : "Unreachable",
        operation: `open ${filename}`,
        detail: error instanceof Error ? error.message : String(error),
        cause: error
      })
  })

const rowIdOf = (id: string): number | undefined => (/^[1-9][0-9]{0,14}$/.test(id) ? Number(id) : undefined)

const toDelivery = (row: {
  readonly body: Uint8Array
  readonly headers: string
  readonly source: string | null
  readonly received_at: number
}): EventQueue.Delivery => {
  const delivery = {
    // better-sqlite3 reads every blob into a fresh buffer of its own: a plain view of it is a copy nobody shares
    body: new Uint8Array(row.body.buffer, row.body.byteOffset, row.body.byteLength),
    receivedAt: row.received_at,
    headers: JSON.parse(row.headers) as Record<string, string>
  }
  return row.source === null ? delivery : { ...delivery, source: row.source }
}

/**
 * Opens (or creates) the file and makes the four services, until the scope closes: then queued writes are
 * committed, the file is closed, and later calls fail with `QueueUnavailable` (`Closed`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Queues, QueueUnavailable.QueueUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const pollInterval = millis(options.pollInterval, "100 millis", "pollInterval")
    const busyTimeout = millis(options.busyTimeout, "5 seconds", "busyTimeout")
    const seenTtl = SeenStore.ttlMillis(options.seenTtl, SeenStore.defaultTtl)
    const retention = millis(options.journalRetention, Journal.defaultRetention, "journalRetention")
    const maxBatch = options.maxBatch ?? 1000
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1)
      throw new RangeError("SqliteQueue: maxBatch must be at least 1")

    const db = yield* Effect.acquireRelease(open(options.filename, busyTimeout), (db) => Effect.sync(() => db.close()))
    const writer = Writer.make(db, { groupCommit: options.groupCommit ?? true, maxBatch })

    // Wakes the consumers waiting in `awaitAvailable`. The signal is made only when a consumer waits, so an
    // append that nobody waits for allocates nothing here.
    let signal: Deferred.Deferred<void> | undefined
    const notify = () => {
      const current = signal
      if (current === undefined) return
      signal = undefined
      Deferred.unsafeDone(current, Exit.void)
    }
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        writer.close()
        notify()
      })
    )

    const read = <A>(operation: string, f: () => A): Effect.Effect<A, QueueUnavailable.QueueUnavailable> =>
      Effect.suspend(() => {
        if (writer.isClosed()) return Effect.fail(Errors.closed(operation))
        try {
          return Effect.succeed(f())
        } catch (error) {
          return Errors.failWith(operation, error)
        }
      })

    const sql = {
      insert: db.prepare(
        "INSERT INTO messages (body, headers, source, received_at, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?, ?)"
      ),
      due: db.prepare<[number, number], Schema.MessageRow>(
        "SELECT id, body, headers, source, received_at, attempts, lease, consumer, last_error FROM messages WHERE available_at <= ? ORDER BY id LIMIT ?"
      ),
      nextToken: db
        .prepare<[], number>("UPDATE meta SET value = value + 1 WHERE key = 'lease' RETURNING value")
        .pluck(),
      leased: db.prepare(
        "UPDATE messages SET attempts = attempts + 1, lease = ?, consumer = ?, available_at = ? WHERE id = ?"
      ),
      bury: db.prepare(
        "INSERT INTO dead_letters (id, body, headers, source, received_at, enqueued_at, attempts, error, failed_at, consumer) SELECT id, body, headers, source, received_at, enqueued_at, attempts, ?, ?, consumer FROM messages WHERE id = ?"
      ),
      remove: db.prepare("DELETE FROM messages WHERE id = ?"),
      ack: db.prepare("DELETE FROM messages WHERE id = ? AND lease = ?"),
      attemptsOf: db
        .prepare<[number, number], number>("SELECT attempts FROM messages WHERE id = ? AND lease = ?")
        .pluck(),
      release: db.prepare("UPDATE messages SET lease = NULL, available_at = ?, last_error = ? WHERE id = ?"),
      nextDue: db.prepare<[], number | null>("SELECT min(available_at) FROM messages").pluck(),
      dead: db.prepare<[number], Schema.DeadLetterRow>(
        "SELECT id, body, headers, source, received_at, attempts, error, failed_at FROM dead_letters ORDER BY id LIMIT ?"
      ),
      redrive: db.prepare(
        "INSERT INTO messages (id, body, headers, source, received_at, enqueued_at, available_at, attempts) SELECT id, body, headers, source, received_at, enqueued_at, ?, 0 FROM dead_letters WHERE id = ?"
      ),
      discard: db.prepare("DELETE FROM dead_letters WHERE id = ?"),
      mark: db.prepare(
        "INSERT INTO seen (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE seen.expires_at <= ?"
      ),
      prune: db.prepare("DELETE FROM seen WHERE key IN (SELECT key FROM seen WHERE expires_at <= ? LIMIT 500)"),
      seen: db.prepare<[string, number], number>("SELECT 1 FROM seen WHERE key = ? AND expires_at > ?").pluck(),
      forget: db.prepare("DELETE FROM seen WHERE key = ?"),
      newestSpan: db.prepare<[string, string], { readonly id: number; readonly end_at: number }>(
        "SELECT rowid AS id, end_at FROM journal WHERE kind = ? AND key = ? ORDER BY end_at DESC LIMIT 1"
      ),
      extendSpan: db.prepare("UPDATE journal SET end_at = ? WHERE rowid = ?"),
      insertSpan: db.prepare("INSERT INTO journal (kind, key, start_at, end_at) VALUES (?, ?, ?, ?)"),
      pruneSpans: db.prepare(
        "DELETE FROM journal WHERE rowid IN (SELECT rowid FROM journal WHERE kind = ? AND end_at < ? LIMIT 500)"
      ),
      spans: db.prepare<[string, number], Schema.SpanRow>(
        "SELECT kind, key, start_at, end_at FROM journal WHERE kind = ? AND end_at >= ?"
      ),
      lock: db.prepare(
        "INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at WHERE locks.owner = excluded.owner OR locks.expires_at <= ?"
      ),
      unlock: db.prepare("DELETE FROM locks WHERE name = ? AND owner = ?")
    }

    const bury = (id: number, error: string, now: number) => {
      sql.bury.run(error, now, id)
      sql.remove.run(id)
    }

    const append = (deliveries: Arr.NonEmptyReadonlyArray<EventQueue.Delivery>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        writer.submit(
          "append",
          true,
          () =>
            deliveries.map(
              (delivery) =>
                String(
                  sql.insert.run(
                    delivery.body,
                    JSON.stringify(delivery.headers),
                    delivery.source ?? null,
                    delivery.receivedAt,
                    now,
                    now
                  ).lastInsertRowid
                ) as EventQueue.MessageId
            ) as unknown as Arr.NonEmptyReadonlyArray<EventQueue.MessageId>
        )
      ).pipe(Effect.tap(notify))

    const lease = (request: EventQueue.LeaseRequest) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        writer.submit("receive", false, () => {
          const leases: Array<EventQueue.Lease> = []
          // One token per lease call: it tells this lease from every other lease of the same messages.
          let token: number | undefined
          while (leases.length < request.max) {
            const rows = sql.due.all(now, request.max - leases.length)
            let buried = 0
            for (const row of rows) {
              if (row.lease !== null && row.attempts >= request.maxAttempts) {
                const error = EventQueue.expiredLeaseError(
                  row.consumer ?? "",
                  row.attempts,
                  row.last_error ?? undefined
                )
                bury(row.id, error, now)
                buried++
                continue
              }
              token ??= sql.nextToken.get()!
              sql.leased.run(token, request.consumer, now + request.visibilityTimeoutMillis, row.id)
              leases.push({
                ...toDelivery(row),
                id: String(row.id) as EventQueue.MessageId,
                attempts: row.attempts + 1,
                token: String(token)
              })
            }
            if (buried === 0) break
          }
          return leases
        })
      )

    const ack = (lease: EventQueue.Lease) =>
      Effect.suspend(() => writer.submit("ack", false, () => void sql.ack.run(Number(lease.id), Number(lease.token))))

    const nack = (
      lease: EventQueue.Lease,
      options: { readonly error: string; readonly delayMillis: number; readonly maxAttempts: number }
    ) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        writer.submit("nack", false, () => {
          const id = Number(lease.id)
          const attempts = sql.attemptsOf.get(id, Number(lease.token))
          if (attempts === undefined) return
          if (attempts >= options.maxAttempts) bury(id, options.error, now)
          else sql.release.run(now + options.delayMillis, options.error, id)
        })
      ).pipe(Effect.tap(notify))

    const awaitAvailable = (_request: EventQueue.LeaseRequest) =>
      Effect.suspend(() => {
        // Taken before the look at the table, so an append committed in between still wakes this consumer.
        signal ??= Deferred.unsafeMake<void>(FiberId.none)
        const current = signal
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.flatMap(
            read("receive", () => sql.nextDue.get() ?? null),
            (next): Effect.Effect<void> => {
              if (next !== null && next <= now) return Effect.void
              const wait = next === null ? pollInterval : Math.min(pollInterval, next - now)
              return Effect.asVoid(Effect.timeoutOption(Deferred.await(current), Duration.millis(wait)))
            }
          )
        )
      })

    const deadLetters: EventQueue.DeadLetters = {
      list: (listOptions) =>
        read("list dead letters", () =>
          sql.dead.all(listOptions?.limit ?? 100).map(
            (row): EventQueue.DeadLetter => ({
              ...toDelivery(row),
              id: String(row.id) as EventQueue.MessageId,
              attempts: row.attempts,
              error: row.error,
              failedAt: row.failed_at
            })
          )
        ),
      redrive: (ids) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          writer.submit("redrive dead letters", true, () => {
            let count = 0
            for (const id of new Set(ids)) {
              const rowId = rowIdOf(id)
              if (rowId === undefined) continue
              if (sql.redrive.run(now, rowId).changes > 0) {
                sql.discard.run(rowId)
                count++
              }
            }
            return count
          })
        ).pipe(Effect.tap(notify)),
      discard: (ids) =>
        writer.submit("discard dead letters", false, () => {
          let count = 0
          for (const id of new Set(ids)) {
            const rowId = rowIdOf(id)
            if (rowId !== undefined) count += sql.discard.run(rowId).changes
          }
          return count
        })
    }

    const queue = EventQueue.make({ append, lease, ack, nack, awaitAvailable, deadLetters })

    const seen: SeenStore.Service = {
      markIfNew: (keys, markOptions) =>
        Effect.suspend(() => {
          const ttl = SeenStore.ttlMillis(markOptions?.ttl, seenTtl)
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            writer.submit("markIfNew", false, () => {
              sql.prune.run(now)
              const fresh = new Set<string>()
              for (const key of keys) if (sql.mark.run(key, now + ttl, now).changes > 0) fresh.add(key)
              return fresh as ReadonlySet<string>
            })
          )
        }),
      has: (key) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => read("has", () => sql.seen.get(key, now) !== undefined)),
      forget: (keys) =>
        writer.submit("forget", false, () => {
          for (const key of keys) sql.forget.run(key)
        })
    }

    const journal = Journal.Journal.of({
      extend: (kind, key, at, toleranceMillis) =>
        Effect.suspend(() => {
          if (!Number.isFinite(at)) throw new RangeError(`Journal: at must be a finite number, got ${at}`)
          if (!(toleranceMillis >= 0)) {
            throw new RangeError(`Journal: toleranceMillis must be at least 0, got ${toleranceMillis}`)
          }
          return writer.submit("extend the journal", false, () => {
            const newest = sql.newestSpan.get(kind, key)
            if (newest !== undefined && newest.end_at <= at && at - newest.end_at <= toleranceMillis) {
              if (newest.end_at < at) sql.extendSpan.run(at, newest.id)
            } else if (newest === undefined || newest.end_at < at) {
              sql.insertSpan.run(kind, key, at, at)
            }
            sql.pruneSpans.run(kind, at - retention)
          })
        }),
      record: (span) =>
        Effect.suspend(() => {
          Journal.checkSpan(span)
          return writer.submit("record a journal span", false, () => {
            sql.insertSpan.run(span.kind, span.key, span.from, span.to)
            sql.pruneSpans.run(span.kind, span.to - retention)
          })
        }),
      list: (kind, since) =>
        read("list the journal", () =>
          sql.spans
            .all(kind, since)
            .map((row): Journal.Span => ({ kind, key: row.key, from: row.start_at, to: row.end_at }))
            .sort(Journal.order)
        )
    })

    const lock = Lock.Lock.of({
      acquire: (name, owner, ttl) =>
        Effect.suspend(() => {
          const ttlMillis = Lock.ttlMillis(ttl)
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            writer.submit("acquire a lock", false, () => sql.lock.run(name, owner, now + ttlMillis, now).changes > 0)
          )
        }),
      release: (name, owner) =>
        writer.submit("release a lock", false, () => {
          sql.unlock.run(name, owner)
        })
    })

    return { queue, seen, journal, lock }
  })

/**
 * The four services from one file: `EventQueue`, `SeenStore`, `Journal` and `Lock`.
 *
 * @example
 * ```ts
 * import { EventQueue } from "@account-activity/queue"
 * import { SqliteQueue } from "@account-activity/queue-sqlite"
 * import { Effect } from "effect"
 *
 * const QueueLive = SqliteQueue.layer({ filename: "/var/lib/aaa/queue.db" })
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
  options: Options
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
 * import { SqliteQueue } from "@account-activity/queue-sqlite"
 * import { Config } from "effect"
 *
 * // AAA_QUEUE_FILE=/var/lib/aaa/queue.db
 * const QueueLive = SqliteQueue.layerConfig({ filename: Config.string("AAA_QUEUE_FILE") })
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
