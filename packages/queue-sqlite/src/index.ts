/**
 * `@account-activity/queue-sqlite`: the embedded `EventQueue`, `SeenStore`, `Journal` and `Lock`, one SQLite
 * file in WAL mode with group commit, surviving `kill -9` with nothing acknowledged lost.
 *
 * @since 0.1.0
 */

/**
 * `SqliteQueue.layer({ filename })`: the four services from one SQLite file.
 *
 * @since 0.1.0
 */
export * as SqliteQueue from "./SqliteQueue.js"
