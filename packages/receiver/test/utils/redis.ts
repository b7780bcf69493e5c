import * as Net from "node:net"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"

/** The Redis the tests use. */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

const startHint = 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'

const encode = (args: ReadonlyArray<string>) =>
  `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`

/** Sends one command over a fresh connection and answers the raw reply (enough for PING, KEYS and DEL). */
export const command = (args: ReadonlyArray<string>) =>
  new Promise<string>((resolve, reject) => {
    const { hostname, port } = new URL(redisUrl)
    const socket = Net.connect({ host: hostname, port: Number(port || 6379) })
    let reply = ""
    socket.setTimeout(2000)
    socket.once("connect", () => socket.write(encode(args)))
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8")
      // Done once the reply is complete: a simple line, or an array whose announced items all arrived.
      const lines = reply.split("\r\n")
      const done = reply.startsWith("*")
        ? lines.filter((line) => line.startsWith("$")).length >= Number(lines[0]!.slice(1)) && reply.endsWith("\r\n")
        : reply.endsWith("\r\n")
      if (done) {
        socket.end()
        resolve(reply)
      }
    })
    socket.once("timeout", () => {
      socket.destroy()
      reject(new Error("Redis did not answer"))
    })
    socket.once("error", reject)
  })

const reachable = await command(["PING"]).then(
  (reply) => reply.startsWith("+PONG"),
  () => false
)

/**
 * `describe` for tests that need Redis: skipped when Redis is unreachable, except under CI, where a test
 * fails and says how to start it.
 */
export const describeRedis = (name: string, body: () => void): void => {
  if (reachable) describe(name, body)
  else if (process.env.CI) {
    describe(name, () => {
      it("needs a Redis server", () => {
        throw new Error(
          `Redis is not reachable at REDIS_URL (default redis://127.0.0.1:6379). Start one with: ${startHint}`
        )
      })
    })
  } else describe.skip(`${name} (Redis unreachable at REDIS_URL; start it with: ${startHint})`, body)
}

/** Deletes every key under a prefix. */
export const deleteKeys = (prefix: string) =>
  Effect.promise(async () => {
    const reply = await command(["KEYS", `${prefix}*`])
    const keys = reply.split("\r\n").filter((_, index, lines) => index > 0 && lines[index - 1]!.startsWith("$"))
    if (keys.length > 0) await command(["DEL", ...keys])
  })
