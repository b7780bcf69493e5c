/**
 * Helpers to run an app as its users do, `node dist/main.js` in a process of its own: used by the end-to-end
 * tests of `apps/receiver` and `apps/worker`.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { type AddressInfo, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Duration, Effect, type Scope } from "effect"

/** The directory of an app: `apps/<name>`. */
export const appDir = (name: string): string => resolve(import.meta.dirname, "../..", name)

/** Bundles the app's `src/main.ts` into `dist/main.js`, as its `build` script does. */
export const bundle = (dir: string): void => {
  execFileSync(process.execPath, [resolve(dir, "../../scripts/bundle.mjs")], { cwd: dir, stdio: "pipe" })
}

/** A loopback port that was free a moment ago. */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A fresh temporary directory, removed with the scope. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "aaa-app-main-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** The environment of this process without the variables the apps read, plus `vars`. */
const environment = (vars: Readonly<Record<string, string>>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AAA_|LOG_)/.test(key) || key === "PORT" || key === "HOST") continue
    env[key] = value
  }
  return { ...env, ...vars }
}

/** How a process ended. */
export interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** A running `node dist/main.js`. */
export interface App {
  readonly pid: number
  /** Everything written to stdout and stderr so far. */
  readonly output: () => string
  /** Waits until the output matches `pattern`; dies with the output when the process exits or time runs out. */
  readonly waitFor: (pattern: RegExp, timeout?: Duration.DurationInput) => Effect.Effect<void>
  /** Sends a signal. */
  readonly kill: (signal: NodeJS.Signals) => Effect.Effect<void>
  /** Waits for the exit; dies with the output when it takes longer than `timeout`. */
  readonly exited: (timeout?: Duration.DurationInput) => Effect.Effect<Exited>
}

/**
 * Spawns `node dist/main.js` of `dir` with `vars` (and the rest of this process's environment, without the
 * app's variables) in `cwd`. The process is killed when the scope closes, if it still runs.
 */
export const start = (options: {
  readonly dir: string
  readonly cwd: string
  readonly vars: Readonly<Record<string, string>>
}): Effect.Effect<App, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child: ChildProcess = spawn(process.execPath, ["--enable-source-maps", join(options.dir, "dist/main.js")], {
        cwd: options.cwd,
        env: environment(options.vars),
        stdio: ["ignore", "pipe", "pipe"]
      })
      let text = ""
      let exit: Exited | undefined
      const waiters = new Set<() => void>()
      const wake = () => {
        for (const waiter of waiters) waiter()
      }
      child.stdout?.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8")
        wake()
      })
      child.stderr?.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8")
        wake()
      })
      child.on("exit", (code, signal) => {
        exit = { code, signal }
        wake()
      })
      // The output streams may still hold data when "exit" fires: "close" comes after them.
      const closed = new Promise<void>((done) => child.on("close", () => done()))

      const until = <A>(
        what: string,
        check: () => A | undefined,
        timeout: Duration.DurationInput,
        exitFails: boolean
      ): Effect.Effect<A> =>
        Effect.async<A>((resume) => {
          const fail = (reason: string) =>
            resume(Effect.dieMessage(`${reason} while waiting for ${what}. Output so far:\n${text}`))
          const waiter = () => {
            const found = check()
            if (found !== undefined) {
              cleanup()
              resume(Effect.succeed(found))
            } else if (exitFails && exit !== undefined) {
              cleanup()
              fail(`the process exited (${JSON.stringify(exit)})`)
            }
          }
          const timer = setTimeout(
            () => {
              cleanup()
              fail(`${Duration.format(Duration.decode(timeout))} passed`)
            },
            Duration.toMillis(Duration.decode(timeout))
          )
          const cleanup = () => {
            clearTimeout(timer)
            waiters.delete(waiter)
          }
          waiters.add(waiter)
          waiter()
          return Effect.sync(cleanup)
        })

      const app: App = {
        pid: child.pid ?? -1,
        output: () => text,
        waitFor: (pattern, timeout = "30 seconds") =>
          until(`${pattern}`, () => (pattern.test(text) ? true : undefined), timeout, true),
        kill: (signal) => Effect.sync(() => void child.kill(signal)),
        exited: (timeout = "30 seconds") =>
          Effect.zipLeft(
            until("the exit", () => exit, timeout, false),
            Effect.promise(() => closed)
          )
      }
      return { child, app, isRunning: () => exit === undefined }
    }),
    ({ child, isRunning }) => Effect.sync(() => (isRunning() ? void child.kill("SIGKILL") : undefined))
  ).pipe(Effect.map(({ app }) => app))
