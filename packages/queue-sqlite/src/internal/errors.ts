import { QueueUnavailable } from "@account-activity/queue"
import { Effect } from "effect"

const reasonOf = (code: string): QueueUnavailable.Reason => {
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "Busy"
  if (code === "SQLITE_FULL") return "Full"
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") return "Corrupt"
  if (
    code.startsWith("SQLITE_CANTOPEN") ||
    code.startsWith("SQLITE_READONLY") ||
    code === "SQLITE_PERM" ||
    code === "SQLITE_AUTH"
  ) {
    return "Unreachable"
  }
  return "Failed"
}

const isSqliteError = (error: unknown): error is Error & { readonly code: string } =>
  error instanceof Error && typeof (error as { code?: unknown }).code === "string" && error.name === "SqliteError"

/** A driver error as a `QueueUnavailable`, or `undefined` when it is not a storage error (a defect). */
export const fromSqlite = (operation: string, error: unknown): QueueUnavailable.QueueUnavailable | undefined =>
  isSqliteError(error)
    ? new QueueUnavailable.QueueUnavailable({
        reason: reasonOf(error.code),
        operation,
        detail: `${error.code}: ${error.message}`,
        cause: error
      })
    : undefined

/** Storage errors become `QueueUnavailable`, anything else a defect. */
export const failWith = (
  operation: string,
  error: unknown
): Effect.Effect<never, QueueUnavailable.QueueUnavailable> => {
  const unavailable = fromSqlite(operation, error)
  return unavailable === undefined ? Effect.die(error) : Effect.fail(unavailable)
}

export const closed = (operation: string) => new QueueUnavailable.QueueUnavailable({ reason: "Closed", operation })
