import type { QueueUnavailable } from "@account-activity/queue"
import type Database from "better-sqlite3"
import { Effect } from "effect"
import * as Errors from "./errors.js"

/**
 * The single writer of one connection, with group commit.
 *
 * Every write is an operation submitted here. With group commit, operations are queued and committed
 * together: the first one schedules a flush with `setImmediate`, so everything submitted until the event
 * loop's next check phase (every fiber that runs meanwhile, every request whose bytes arrived during the
 * previous commit) shares ONE `BEGIN IMMEDIATE … COMMIT` and one fsync. Each operation runs inside its own
 * SAVEPOINT, so one that throws is rolled back alone; if the commit itself fails, every operation of the
 * batch fails. Without group commit, each operation is its own transaction, run at once.
 *
 * A batch with an `append` commits with `synchronous = FULL` (the WAL is fsynced before COMMIT returns);
 * a batch of leases, acks and marks only with `NORMAL` (safe against a crash of the process; a power loss
 * may forget the latest of them, which only means a redelivery).
 */
export interface Writer {
  readonly submit: <A>(
    operation: string,
    durable: boolean,
    run: (db: Database.Database) => A
  ) => Effect.Effect<A, QueueUnavailable.QueueUnavailable>
  /** Commits what is queued, then refuses new operations. */
  readonly close: () => void
  readonly isClosed: () => boolean
}

interface Pending {
  readonly operation: string
  readonly durable: boolean
  readonly run: (db: Database.Database) => unknown
  readonly resume: (effect: Effect.Effect<unknown, QueueUnavailable.QueueUnavailable>) => void
  cancelled: boolean
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }

export const make = (
  db: Database.Database,
  options: { readonly groupCommit: boolean; readonly maxBatch: number }
): Writer => {
  let queue: Array<Pending> = []
  let scheduled = false
  let closed = false
  let synchronous: "FULL" | "NORMAL" | undefined
  // Prepared once: `exec` would parse the statement again at every operation.
  const begin = db.prepare("BEGIN IMMEDIATE")
  const commitStatement = db.prepare("COMMIT")
  const savepoint = db.prepare("SAVEPOINT operation")
  const release = db.prepare("RELEASE operation")
  const rollbackTo = db.prepare("ROLLBACK TO operation")

  const rollback = () => {
    try {
      if (db.inTransaction) db.exec("ROLLBACK")
    } catch {
      // the connection already rolled back
    }
  }

  const commit = (batch: ReadonlyArray<Pending>) => {
    const live = batch.filter((pending) => !pending.cancelled)
    if (live.length === 0) return
    const failAll = (error: unknown) => {
      for (const pending of live) pending.resume(Errors.failWith(pending.operation, error))
    }
    try {
      const level = live.some((pending) => pending.durable) ? "FULL" : "NORMAL"
      if (synchronous !== level) {
        db.pragma(`synchronous = ${level}`)
        synchronous = level
      }
      begin.run()
    } catch (error) {
      rollback()
      return failAll(error)
    }
    const outcomes: Array<Outcome> = []
    for (const pending of live) {
      try {
        savepoint.run()
        const value = pending.run(db)
        release.run()
        outcomes.push({ ok: true, value })
      } catch (error) {
        if (!db.inTransaction) return failAll(error) // the storage aborted the whole transaction
        try {
          rollbackTo.run()
          release.run()
        } catch (inner) {
          rollback()
          return failAll(inner)
        }
        outcomes.push({ ok: false, error })
      }
    }
    try {
      commitStatement.run()
    } catch (error) {
      rollback()
      return failAll(error)
    }
    live.forEach((pending, index) => {
      const outcome = outcomes[index]!
      pending.resume(outcome.ok ? Effect.succeed(outcome.value) : Errors.failWith(pending.operation, outcome.error))
    })
  }

  const flush = () => {
    scheduled = false
    while (queue.length > 0) {
      const batch = queue.length <= options.maxBatch ? queue : queue.slice(0, options.maxBatch)
      queue = queue.length <= options.maxBatch ? [] : queue.slice(options.maxBatch)
      commit(batch)
    }
  }

  const submit = <A>(operation: string, durable: boolean, run: (db: Database.Database) => A) =>
    Effect.async<A, QueueUnavailable.QueueUnavailable>((resume) => {
      if (closed) return resume(Effect.fail(Errors.closed(operation)))
      const pending: Pending = {
        operation,
        durable,
        run,
        resume: resume as Pending["resume"],
        cancelled: false
      }
      if (!options.groupCommit) return commit([pending])
      queue.push(pending)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
      return Effect.sync(() => {
        pending.cancelled = true
      })
    })

  return {
    submit,
    close: () => {
      if (closed) return
      flush()
      closed = true
    },
    isClosed: () => closed
  }
}
