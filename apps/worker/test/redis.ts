import { describe, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { Redis } from "ioredis"

/** The Redis the tests use. */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

const startHint = 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'

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
 * `describe` for tests that need Redis: skipped when Redis is unreachable, except under CI, where a test fails
 * and says how to start it.
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

/** A plain client for checks from outside the queue, closed with the scope. */
export const rawClient: Effect.Effect<Redis, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => {
    const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    await client.connect()
    return client
  }),
  (client) => Effect.sync(() => client.disconnect())
)

const deleteKeys = (prefix: string) =>
  Effect.promise(async () => {
    const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
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
export const freshPrefix: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => `aaa-test:worker:${crypto.randomUUID()}`),
  deleteKeys
)
