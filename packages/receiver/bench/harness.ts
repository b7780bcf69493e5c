// What the receiver's benchmarks share: the servers (each in a process of its own, see server.ts), the HTTP
// load client, percentiles and the results protocol of `pnpm bench` (scripts/bench.mjs).
import { type ChildProcess, spawn } from "node:child_process"
import { appendFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"

const require = createRequire(import.meta.url)

/** The part of undici's Pool the benchmarks use. */
export interface Pool {
  request(options: {
    readonly path: string
    readonly method: string
    readonly headers?: Record<string, string>
    readonly body?: Uint8Array
  }): Promise<{
    readonly statusCode: number
    readonly body: { dump(): Promise<void>; text(): Promise<string> }
  }>
  close(): Promise<void>
}

// undici comes with @effect/platform-node; it loads the server far less than node:http's client does.
const undici = createRequire(require.resolve("@effect/platform-node"))("undici") as {
  readonly Pool: new (origin: string, options: { connections: number; pipelining: number }) => Pool
}

/** A keep-alive connection pool to 127.0.0.1:`port`. */
export const pool = (port: number, connections: number): Pool =>
  new undici.Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 })

const tsx = pathToFileURL(require.resolve("tsx")).href

/**
 * Starts one server of server.ts in a process of its own and resolves with its port.
 * `mode`: `baseline` (bare node:http), `sqlite` or `redis` (the receiver on that queue).
 */
export const startServer = (mode: string, target: string, consumerSecret: string, redisPrefix = "aaa-bench") =>
  new Promise<{ child: ChildProcess; port: number }>((resolve, reject) => {
    const script = fileURLToPath(new URL("./server.ts", import.meta.url))
    const child = spawn(process.execPath, ["--import", tsx, script, mode, target, consumerSecret, redisPrefix], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const match = /listening (\d+)/.exec(out)
      if (match) resolve({ child, port: Number(match[1]) })
    })
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk
    })
    child.on("exit", (code) => reject(new Error(`the ${mode} server exited with ${code}: ${err}`)))
  })

export const stopServer = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** The value at quantile `p` (0..1) of ascending `sorted`. */
export const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

/** One comparison, as scripts/bench.mjs reads it. */
export interface Result {
  readonly bench: string
  readonly title: string
  readonly about?: string | undefined
  readonly case: string
  readonly baseline: string
  readonly metric: string
  readonly better: "higher" | "lower"
  readonly value: number
  readonly baselineValue: number
  readonly note?: string | undefined
}

/** Appends the result to the file named by AAA_BENCH_RESULTS, when `pnpm bench` runs this benchmark. */
export const report = (result: Result): void => {
  const file = process.env.AAA_BENCH_RESULTS
  if (file) appendFileSync(file, `${JSON.stringify({ ...result, ratio: result.value / result.baselineValue })}\n`)
}
