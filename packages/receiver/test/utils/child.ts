import { type ChildProcess, spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Duration, Effect, Schedule } from "effect"

const require = createRequire(import.meta.url)
const tsxLoader = pathToFileURL(require.resolve("tsx")).href

export interface Child {
  readonly process: ChildProcess
  /** The complete lines the child printed so far. */
  readonly lines: Array<string>
  readonly stderr: () => string
}

/**
 * Runs `test/fixtures/<script>` in a Node process of its own (TypeScript through tsx's loader, so killing
 * the process kills the code under test, not a wrapper). The child is SIGKILLed when the scope closes.
 */
export const start = (script: string, args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync((): Child => {
      const path = fileURLToPath(new URL(`../fixtures/${script}`, import.meta.url))
      const child = spawn(process.execPath, ["--import", tsxLoader, path, ...args], {
        stdio: ["ignore", "pipe", "pipe"]
      })
      const lines: Array<string> = []
      let partial = ""
      let stderr = ""
      child.stdout.setEncoding("utf8")
      child.stdout.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n")
        partial = parts.pop() ?? ""
        lines.push(...parts)
      })
      child.stderr.setEncoding("utf8")
      child.stderr.on("data", (chunk: string) => {
        stderr += chunk
      })
      return { process: child, lines, stderr: () => stderr }
    }),
    (child) => Effect.sync(() => child.process.kill("SIGKILL"))
  )

/** Waits until the child's output satisfies `done`; fails if the child exits first or the time runs out. */
export const waitFor = (child: Child, done: (lines: ReadonlyArray<string>) => boolean, within = Duration.seconds(15)) =>
  Effect.suspend(() => {
    if (done(child.lines)) return Effect.void
    if (child.process.exitCode !== null) {
      return Effect.dieMessage(`the child exited with ${child.process.exitCode}: ${child.stderr()}`)
    }
    return Effect.fail("not yet" as const)
  }).pipe(
    Effect.retry(Schedule.spaced(Duration.millis(10))),
    Effect.timeoutFail({
      duration: within,
      onTimeout: () => new Error(`the child did not get there in time; it printed ${child.lines.length} lines`)
    }),
    Effect.orDie
  )

/** SIGKILLs the child and waits until it is gone and everything it printed has been read. */
export const kill = (child: Child) =>
  Effect.async<NodeJS.Signals | null>((resume) => {
    child.process.once("close", (_code, signal) => resume(Effect.succeed(signal)))
    child.process.kill("SIGKILL")
  })
