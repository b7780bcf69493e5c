import { EventQueue } from "@account-activity/queue"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import { Redis } from "ioredis"
import * as QueueUrl from "../src/QueueUrl.js"

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

describe("QueueUrl.parse", () => {
  it("reads an SQLite path", () => {
    assert.deepStrictEqual(
      QueueUrl.parse("sqlite:./data/aaa.db"),
      Either.right({ _tag: "Sqlite", filename: "./data/aaa.db" })
    )
    assert.deepStrictEqual(
      QueueUrl.parse("sqlite:///var/aaa.db"),
      Either.right({ _tag: "Sqlite", filename: "/var/aaa.db" })
    )
  })

  it("reads a Redis URL, with the key prefix taken out of the query", () => {
    assert.deepStrictEqual(
      QueueUrl.parse("redis://127.0.0.1:6379"),
      Either.right({ _tag: "Redis", url: "redis://127.0.0.1:6379", prefix: undefined })
    )
    assert.deepStrictEqual(
      QueueUrl.parse("rediss://:pw@cache.internal:6380/2?prefix=aaa-prod"),
      Either.right({ _tag: "Redis", url: "rediss://:pw@cache.internal:6380/2", prefix: "aaa-prod" })
    )
  })

  it("refuses other schemes, an empty path and a prefix with spaces, without printing the password", () => {
    for (const url of ["postgres://db/aaa", "sqlite:", "./aaa.db", "redis://h:6379?prefix=a%20b"]) {
      assert.isTrue(Either.isLeft(QueueUrl.parse(url)), url)
    }
    const error = Either.getLeft(QueueUrl.parse("redis://user:secret@h:6379?prefix=a%20b"))
    assert.isTrue(error._tag === "Some")
    if (error._tag === "Some") {
      assert.notInclude(error.value.message, "secret")
      assert.include(error.value.message, "?prefix=<name>")
    }
  })
})

describe("QueueUrl.layer with ?prefix=", () => {
  it.scopedLive("keeps every key of the deployment under its prefix", () =>
    Effect.gen(function* () {
      const prefix = `aaa-queueurl-${process.pid}-${Date.now()}`
      const layer = QueueUrl.layer(`${redisUrl}?prefix=${prefix}`)
      const body = new TextEncoder().encode('{"for_user_id":"1","follow_events":[]}')
      yield* Effect.gen(function* () {
        const queue = yield* EventQueue.EventQueue
        yield* queue.append([{ body, receivedAt: 0, headers: {} }])
      }).pipe(Effect.provide(layer), Effect.scoped)

      const client = new Redis(redisUrl)
      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          const keys = await client.keys(`${prefix}:*`)
          if (keys.length > 0) await client.del(...keys)
          client.disconnect()
        })
      )
      const keys = yield* Effect.promise(() => client.keys(`${prefix}:*`))
      assert.isAbove(keys.length, 0, "no key was written under the prefix")

      // A second process of the same deployment (same URL) consumes what the first appended.
      const received = yield* Effect.gen(function* () {
        const queue = yield* EventQueue.EventQueue
        return yield* queue.consume({ consumer: "test", max: 1 }).pipe(
          Stream.take(1),
          Stream.mapEffect((message) => Effect.as(message.ack, new TextDecoder().decode(message.body))),
          Stream.runCollect
        )
      }).pipe(Effect.provide(layer), Effect.scoped)
      assert.deepStrictEqual([...received], ['{"for_user_id":"1","follow_events":[]}'])
    })
  )
})
