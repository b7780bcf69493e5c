/**
 * File-system helpers of the log plugin.
 *
 * @internal
 */
import { mkdir, stat } from "node:fs/promises"
import { dirname } from "node:path"

/**
 * Whether the process's stdout is a terminal (false where there is no `process`).
 */
export const stdoutIsTerminal = (): boolean =>
  typeof process !== "undefined" && (process.stdout as { readonly isTTY?: boolean } | undefined)?.isTTY === true

const errorCode = (error: unknown): unknown =>
  typeof error === "object" && error !== null ? (error as { readonly code?: unknown }).code : undefined

/**
 * Creates the missing directories of `dir`, one level at a time from the deepest existing one. (Node's
 * `mkdir(…, { recursive: true })` can spin forever on a path whose parent refuses new entries, e.g. /proc.)
 */
export const ensureDirectory = async (dir: string): Promise<void> => {
  const missing: Array<string> = []
  let current = dir
  for (;;) {
    try {
      await stat(current)
      break
    } catch (error) {
      const parent = dirname(current)
      if (errorCode(error) !== "ENOENT" || parent === current) throw error
      missing.unshift(current)
      current = parent
    }
  }
  for (const path of missing) {
    try {
      await mkdir(path)
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error
    }
  }
}
