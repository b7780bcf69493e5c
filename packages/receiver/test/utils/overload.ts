/**
 * What the overload test and the overload benchmark share: a receiver on Redis in a process of its own
 * (`fixtures/redis-receiver.ts`), reached through a link of limited bandwidth (`throttle.ts`), and a load
 * client that sends like X: signed 2 KB POSTs, given up after 3 s.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import * as Http from "node:http"
import * as Net from "node:net"
import { fileURLToPath } from "node:url"
import { WebhookSignature } from "@account-activity/crc"
import { Redacted } from "effect"

export const consumerSecret = "overload-consumer-secret"
/** X stops waiting for an answer after 3 s. */
export const timeoutMillis = 3000

/** The 2 KB body of delivery `n`. */
export const bodyOf = (n: number): string => {
  const head = `{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"${1556886030274000000n + BigInt(n)}","text":"`
  return `${head}${"x".repeat(2048 - head.length - 4)}"}]}`
}

const agent = new Http.Agent({ keepAlive: true, maxSockets: 1024 })

export interface Answer {
  readonly n: number
  readonly status: number | "gave up"
  readonly retryAfter: string | undefined
  readonly millis: number
}

/** One signed POST of delivery `n`, given up after X's 3 s. */
export const post = (port: number, n: number): Promise<Answer> =>
  new Promise((resolve) => {
    const body = bodyOf(n)
    const started = performance.now()
    const request = Http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/webhook",
        method: "POST",
        agent,
        timeout: timeoutMillis,
        headers: {
          "content-type": "application/json",
          [WebhookSignature.headerName]: WebhookSignature.signWith(body, Redacted.make(consumerSecret))
        }
      },
      (response) => {
        response.resume()
        response.on("end", () => {
          const millis = performance.now() - started
          resolve({
            n,
            status: millis > timeoutMillis ? "gave up" : response.statusCode!,
            retryAfter: response.headers["retry-after"],
            millis
          })
        })
      }
    )
    request.on("timeout", () => request.destroy())
    request.on("error", () => resolve({ n, status: "gave up", retryAfter: undefined, millis: timeoutMillis }))
    request.end(body)
  })

/** Deliveries answered 200 per second, `connections` at a time, as fast as the receiver answers. */
export const closedLoop = async (port: number, millis: number, first: number, connections = 8): Promise<number> => {
  let n = first
  let ok = 0
  const until = performance.now() + millis
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        if ((await post(port, n++)).status === 200) ok++
      }
    })
  )
  return ok / (millis / 1000)
}

/** `rate` deliveries per second for `millis`, each sent at its time whatever became of the others. */
export const openLoop = async (port: number, rate: number, millis: number): Promise<ReadonlyArray<Answer>> => {
  const all: Array<Promise<Answer>> = []
  const start = performance.now()
  for (let n = 0; n < Math.floor((rate * millis) / 1000); n++) {
    const wait = start + (n * 1000) / rate - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    all.push(post(port, n))
  }
  return Promise.all(all)
}

/** The resident memory of a process, in bytes. */
export const rss = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024

/**
 * Starts the receiver on the Redis at `url` under `prefix` (`maxWaitMillis`: the receiver's `maxWait`; the
 * default when absent, admission by time off when `Infinity`).
 */
export const startReceiver = (url: string, prefix: string, maxWaitMillis?: number) =>
  new Promise<{ readonly child: ChildProcess; readonly port: number }>((resolve, reject) => {
    const script = fileURLToPath(new URL("../fixtures/redis-receiver.ts", import.meta.url))
    const args = ["--import", "tsx", script, url, prefix, consumerSecret]
    if (maxWaitMillis !== undefined) args.push(String(maxWaitMillis))
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const port = /listening (\d+)/.exec(out)?.[1]
      if (port !== undefined) resolve({ child, port: Number(port) })
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.on("exit", (code) => reject(new Error(`the receiver exited with ${code}: ${out}`)))
  })

/** Deletes the keys under `prefix` of the Redis at `url` (one EVAL over a plain connection). */
export const deleteKeys = (url: URL, prefix: string): Promise<void> =>
  new Promise((resolve) => {
    const script = "for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', key) end return 1"
    const args = ["EVAL", script, "0", `${prefix}:*`]
    const socket = Net.connect({ host: url.hostname, port: Number(url.port || 6379) }, () =>
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`)
    )
    const done = () => {
      socket.destroy()
      resolve()
    }
    socket.once("data", done)
    socket.once("error", done)
  })
