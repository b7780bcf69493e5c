import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Effect, Layer } from "effect"
import * as SqliteQueue from "../../src/SqliteQueue.js"

/** A fresh directory under the system's temp directory, removed (with the database and its WAL) on release. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "aaa-queue-sqlite-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

/** A path for a new database file, in a temp directory removed on release. */
export const tempFile = Effect.map(tempDir, (dir) => Path.join(dir, "queue.db"))

/** Both services on a new temp file, for each build of the layer. */
export const freshLayer = (options: Omit<SqliteQueue.Options, "filename"> = {}) =>
  Layer.unwrapScoped(Effect.map(tempFile, (filename) => SqliteQueue.layer({ ...options, filename })))
