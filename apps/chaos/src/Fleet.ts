/**
 * The processes of a chaos run: each one a bundled app (`node dist/main.js`) that the run starts, kills with
 * SIGKILL and starts again, like a supervisor (systemd, Kubernetes) restarts a crashed service. Everything a
 * process writes goes to `<logs>/<name>.log`, across restarts.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createWriteStream, type WriteStream } from "node:fs"
import { join } from "node:path"
import { Effect, type Scope } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Spec {
  readonly name: string
  /** The bundle to run. */
  readonly script: string
  readonly env: Readonly<Record<string, string>>
  /** A line the process prints once it is ready. */
  readonly ready: RegExp
}

/**
 * A SIGKILL sent by the run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Kill {
  readonly name: string
  readonly pid: number
  readonly at: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Member {
  readonly name: string
  /** The pid of the running process, or `undefined` while it is down. */
  readonly pid: () => number | undefined
  /** True from the ready line until the process exits. */
  readonly isReady: () => boolean
  /** Starts the process (if it is not running) and waits for its ready line. */
  readonly start: Effect.Effect<void, Error>
  /** Sends SIGKILL and waits for the exit; records the kill. Nothing happens if it is not running. */
  readonly kill: Effect.Effect<void>
  /** Sends SIGTERM and waits for the exit (SIGKILL after `grace`). */
  readonly stop: Effect.Effect<void>
  /** The process ids it ran with, oldest first. */
  readonly pids: () => ReadonlyArray<number>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Fleet {
  readonly add: (spec: Spec) => Member
  readonly kills: () => ReadonlyArray<Kill>
}

/** This process's environment without the variables the apps and the plugin read. */
const inherited = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(AAA_|LOG_|COUNTING_)/.test(key) && key !== "PORT" && key !== "HOST"
    )
  )

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

/**
 * A fleet whose processes are stopped when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly logs: string; readonly readyTimeoutMillis?: number }) =>
  Effect.gen(function* () {
    const kills: Array<Kill> = []
    const members: Array<Member> = []
    const logs: Array<WriteStream> = []
    const readyTimeout = options.readyTimeoutMillis ?? 30_000

    const add = (spec: Spec): Member => {
      let child: ChildProcess | undefined
      let ready = false
      const pids: Array<number> = []
      const log = createWriteStream(join(options.logs, `${spec.name}.log`), { flags: "a" })
      logs.push(log)

      const start = Effect.async<void, Error>((resume) => {
        if (child !== undefined) return resume(Effect.void)
        const current = spawn(process.execPath, ["--enable-source-maps", spec.script], {
          env: { ...inherited(), ...spec.env },
          stdio: ["ignore", "pipe", "pipe"]
        })
        child = current
        ready = false
        if (current.pid !== undefined) pids.push(current.pid)
        log.write(`── start pid ${current.pid} at ${new Date().toISOString()}\n`)
        let seen = ""
        let settled = false
        const settle = (error?: Error) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resume(error === undefined ? Effect.void : Effect.fail(error))
        }
        const timer = setTimeout(
          () => settle(new Error(`${spec.name} did not print ${spec.ready} within ${readyTimeout} ms`)),
          readyTimeout
        )
        const onData = (chunk: Buffer) => {
          log.write(chunk)
          if (settled) return
          seen = (seen + chunk.toString("utf8")).slice(-4096)
          if (spec.ready.test(seen)) {
            ready = true
            settle()
          }
        }
        current.stdout?.on("data", onData)
        current.stderr?.on("data", onData)
        current.once("exit", (code, signal) => {
          log.write(`── pid ${current.pid} exited (${signal ?? code}) at ${new Date().toISOString()}\n`)
          if (child === current) child = undefined
          ready = false
          settle(new Error(`${spec.name} exited (${signal ?? code}) before it was ready; see ${spec.name}.log`))
        })
      })

      const signal = (name: NodeJS.Signals, graceMillis: number, record: boolean) =>
        Effect.promise(async () => {
          const current = child
          if (current === undefined || current.pid === undefined) return
          if (record) kills.push({ name: spec.name, pid: current.pid, at: Date.now() })
          current.kill(name)
          const timer = setTimeout(() => current.kill("SIGKILL"), graceMillis)
          await exited(current)
          clearTimeout(timer)
        })

      const member: Member = {
        name: spec.name,
        pid: () => child?.pid,
        isReady: () => ready,
        start,
        kill: signal("SIGKILL", 0, true),
        stop: signal("SIGTERM", 10_000, false),
        pids: () => pids
      }
      members.push(member)
      return member
    }

    yield* Effect.addFinalizer(() =>
      Effect.forEach(members, (member) => member.stop, { concurrency: "unbounded", discard: true }).pipe(
        Effect.zipRight(
          Effect.forEach(logs, (log) => Effect.async<void>((resume) => void log.end(() => resume(Effect.void))), {
            discard: true
          })
        )
      )
    )
    return { add, kills: () => kills } satisfies Fleet
  }) as Effect.Effect<Fleet, never, Scope.Scope>
