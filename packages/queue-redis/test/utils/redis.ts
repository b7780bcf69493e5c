import { describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Redis } from "ioredis"
import * as RedisQueue from "../../src/RedisQueue.js"

/** The Redis the tests use. */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

const startHint = 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'

/** A plain client for checks from outside the adapter; closed by the caller. */
export const rawClient = () => new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })

const ping = async (): Promise<boolean> => {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null
  })
  client.on("error", () => {})
  try {
    await client.connect()
    return (await client.ping()) === "PONG"
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

const reachable = await ping()

/**
 * `describe` for tests that need Redis: skipped when Redis is unreachable, except under CI, where a test
 * fails and says how to start it.
 */
export const describeRedis = (name: string, body: () => void): void => {
  if (reachable) {
    describe(name, body)
  } else if (process.env.CI) {
    describe(name, () => {
      it("needs a Redis server", () => {
        throw new Error(
          `Redis is not reachable at REDIS_URL (default redis://127.0.0.1:6379). Start one with: ${startHint}`
        )
      })
    })
  } else {
    describe.skip(`${name} (Redis unreachable at REDIS_URL; start it with: ${startHint})`, body)
  }
}

/** Deletes every key under a prefix. */
export const deleteKeys = (prefix: string) =>
  Effect.promise(async () => {
    const client = rawClient()
    try {
      await client.connect()
      let cursor = "0"
      do {
        const [next, found] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500)
        cursor = next
        if (found.length > 0) await client.del(...found)
      } while (cursor !== "0")
    } finally {
      client.disconnect()
    }
  })

/** A fresh, random key prefix, whose keys are deleted when the scope closes. */
export const freshPrefix = Effect.acquireRelease(
  Effect.sync(() => `aaa-test:${crypto.randomUUID()}`),
  (prefix) => deleteKeys(prefix)
)

/** The four services on a fresh prefix, for each build of the layer. */
export const freshLayer = (options: Omit<RedisQueue.Options, "prefix"> = {}) =>
  Layer.unwrapScoped(
    Effect.map(freshPrefix, (prefix) =>
      RedisQueue.layer({ url: redisUrl, blockTimeout: "100 millis", ...options, prefix })
    )
  )
