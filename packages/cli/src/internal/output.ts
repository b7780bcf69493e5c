/**
 * What the commands print: tables and sentences for people, one JSON document for scripts, errors on
 * stderr, and the wrapper that turns a command's failure into its exit code.
 *
 * @internal
 */
import { Console, Effect } from "effect"
import { exitCodeOf, messageOf, Reported, toJson } from "./errors.js"

/** Prints one JSON document on one line of stdout. @internal */
export const printJson = (value: unknown): Effect.Effect<void> => Console.log(JSON.stringify(value))

/** Prints lines on stdout. @internal */
export const printLines = (...lines: ReadonlyArray<string>): Effect.Effect<void> => Console.log(lines.join("\n"))

/** Prints a progress or hint line on stderr, so stdout stays the command's result. @internal */
export const note = (line: string): Effect.Effect<void> => Console.error(line)

/**
 * A plain-text table: a header row in capitals, columns padded to their widest cell, two spaces between
 * columns. An empty table prints `empty` instead of rows.
 *
 * @internal
 */
export const table = (
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  empty: string
): string => {
  if (rows.length === 0) return empty
  const all = [headers.map((header) => header.toUpperCase()), ...rows]
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)))
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

/**
 * Runs a command's body; on failure prints the error (its message on stderr, or `{"error":{…}}` on stderr
 * with `--json`) and fails with `Reported`, which carries the exit code.
 *
 * @internal
 */
export const reporting =
  (json: boolean) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Reported, R> =>
    Effect.catchAll(self, (error) =>
      Effect.zipRight(
        json ? Console.error(JSON.stringify({ error: toJson(error) })) : Console.error(`error: ${messageOf(error)}`),
        Effect.fail(new Reported({ exitCode: exitCodeOf(error) }))
      )
    )
