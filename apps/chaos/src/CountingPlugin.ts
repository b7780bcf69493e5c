/**
 * The chaos run's plugin: it writes every event it is handed into an SQLite file (`COUNTING_FILE`), the
 * ground truth the run checks at the end.
 *
 * - `events` holds one row per identity key (its primary key): the plugin's effect, idempotent as the
 *   worker asks of every plugin, so an event handed over again after a crash is not counted twice.
 * - `calls` holds one row per handler call, with the process id of the worker that made it, so the run can
 *   tell an event handed over again because the worker that first handled it was killed before it could
 *   mark it (allowed) from an event handed over twice for any other reason (a double).
 *
 * Both rows are written in one transaction, which commits before the handler returns: the worker acks a
 * record only after that, so a row is never missing for an acked event. `synchronous = NORMAL` in WAL mode
 * keeps every commit across a killed process (the run kills processes, not the machine).
 *
 * The worker loads it from `AAA_PLUGINS` (the default export is the plugin layer).
 *
 * @since 0.1.0
 */
import { Plugin } from "@account-activity/core"
import Database from "better-sqlite3"
import { Config, Effect, Layer } from "effect"

/**
 * The tables of the counting file.
 *
 * @since 0.1.0
 * @category schema
 */
export const schema = `
CREATE TABLE IF NOT EXISTS events (
  identity_key TEXT PRIMARY KEY,
  tag TEXT NOT NULL,
  first_pid INTEGER NOT NULL,
  first_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS calls (
  identity_key TEXT NOT NULL,
  pid INTEGER NOT NULL,
  at INTEGER NOT NULL
);
`

/**
 * Opens (and creates) a counting file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = (filename: string): Database.Database => {
  const db = new Database(filename, { timeout: 30_000 })
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  db.exec(schema)
  return db
}

/**
 * The plugin, writing into `filename`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (filename: string): Plugin.Plugin =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const db = yield* Effect.acquireRelease(
        Effect.sync(() => open(filename)),
        (db) => Effect.sync(() => db.close())
      )
      const call = db.prepare("INSERT INTO calls (identity_key, pid, at) VALUES (?, ?, ?)")
      const event = db.prepare(
        "INSERT INTO events (identity_key, tag, first_pid, first_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
      )
      const record = db.transaction((identityKey: string, tag: string, at: number) => {
        call.run(identityKey, process.pid, at)
        event.run(identityKey, tag, process.pid, at)
      })
      return Plugin.all("counting", (activity) =>
        Effect.try(() => record(activity.identityKey, activity._tag, Date.now()))
      )
    })
  )

/**
 * The plugin as the worker loads it: the file from `COUNTING_FILE`.
 *
 * @since 0.1.0
 * @category layers
 */
const fromConfig = Layer.unwrapEffect(Effect.map(Config.string("COUNTING_FILE"), layer))

export default fromConfig
