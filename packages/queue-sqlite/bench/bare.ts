// The baseline of the queue benchmark: what one writes by hand on bare better-sqlite3 with the durability of
// SqliteQueue. One connection in WAL mode; the writes submitted in one turn of the event loop are committed
// together (group commit), appends with synchronous = FULL (fsynced before they resolve), leases and acks with
// NORMAL. A lease is one UPDATE … RETURNING that sets the visibility timeout; an ack one DELETE. No lease
// tokens, no attempts limit, no dead letters, no savepoints, no Effect.
import type { EventQueue } from "@account-activity/queue"
import Database from "better-sqlite3"

/** The hand-written baseline: a group-committing queue on bare better-sqlite3. */
export class BareQueue {
  private readonly db: Database.Database
  private readonly insert: Database.Statement
  private readonly leaseDue: Database.Statement
  private readonly remove: Database.Statement
  private pending: Array<{ durable: boolean; run: () => unknown; done: (error: unknown, value?: unknown) => void }> = []
  private synchronous = "FULL"
  private waiters: Array<() => void> = []

  constructor(filename: string) {
    this.db = new Database(filename)
    this.db.pragma("journal_mode = WAL")
    this.db.pragma("synchronous = FULL")
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL, headers TEXT NOT NULL, received_at INTEGER NOT NULL, available_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0); CREATE INDEX IF NOT EXISTS messages_available_at ON messages (available_at)"
    )
    this.insert = this.db.prepare("INSERT INTO messages (body, headers, received_at, available_at) VALUES (?, ?, ?, ?)")
    this.leaseDue = this.db.prepare(
      "UPDATE messages SET attempts = attempts + 1, available_at = ? WHERE id IN (SELECT id FROM messages WHERE available_at <= ? ORDER BY id LIMIT ?) RETURNING id, body, headers, received_at, attempts"
    )
    this.remove = this.db.prepare("DELETE FROM messages WHERE id = ?")
  }

  private write<A>(durable: boolean, run: () => A): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush())
      this.pending.push({ durable, run, done: (error, value) => (error ? reject(error) : resolve(value as A)) })
    })
  }

  private flush() {
    const batch = this.pending
    this.pending = []
    const level = batch.some((write) => write.durable) ? "FULL" : "NORMAL"
    const values: Array<unknown> = []
    try {
      if (level !== this.synchronous) {
        this.db.pragma(`synchronous = ${level}`)
        this.synchronous = level
      }
      this.db.exec("BEGIN IMMEDIATE")
      for (const write of batch) values.push(write.run())
      this.db.exec("COMMIT")
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK")
      for (const write of batch) write.done(error)
      return
    }
    batch.forEach((write, i) => {
      write.done(undefined, values[i])
    })
    if (level === "FULL") {
      const waiters = this.waiters
      this.waiters = []
      for (const wake of waiters) wake()
    }
  }

  append(delivery: EventQueue.Delivery) {
    const now = Date.now()
    return this.write(true, () =>
      Number(this.insert.run(delivery.body, JSON.stringify(delivery.headers), delivery.receivedAt, now).lastInsertRowid)
    )
  }

  lease(max: number, visibilityMillis = 30_000) {
    const now = Date.now()
    return this.write(false, () =>
      (
        this.leaseDue.all(now + visibilityMillis, now, max) as Array<{
          id: number
          body: Uint8Array
          headers: string
          received_at: number
          attempts: number
        }>
      ).map((row) => ({
        id: row.id,
        body: row.body,
        headers: JSON.parse(row.headers) as Record<string, string>,
        receivedAt: row.received_at,
        attempts: row.attempts
      }))
    )
  }

  ack(id: number) {
    return this.write(false, () => void this.remove.run(id))
  }

  /** Resolves after the next committed append, or after `millis`. */
  awaitAppend(millis: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, millis)
      this.waiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  close() {
    this.db.close()
  }
}
