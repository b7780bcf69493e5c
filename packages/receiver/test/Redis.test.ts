import { WebhookSecrets, WebhookSignature } from "@account-activity/crc"
import { Journal } from "@account-activity/queue"
import { RedisQueue } from "@account-activity/queue-redis"
import { assert, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Receiver from "../src/Receiver.js"
import { baseUrl, deliver, drainQueue, secret, text } from "./utils/http.js"
import { deleteKeys, describeRedis, redisUrl } from "./utils/redis.js"

const prefix = `aaa-receiver-test-${process.pid}-${Date.now()}`

describeRedis("the receiver on RedisQueue", () => {
  it.live("stores every acknowledged delivery byte for byte, and writes its heartbeat to the shared journal", () =>
    Effect.gen(function* () {
      const url = `${yield* baseUrl}/webhook`
      const bodies = Array.from({ length: 40 }, (_, i) => `{"for_user_id":"${i}","text":"caf\u00e9 \\/ ${i}"}`)
      const replies = yield* Effect.forEach(bodies, (body) => deliver(url, body), { concurrency: 16 })
      assert.isTrue(replies.every((reply) => reply.status === 200))
      const stored = yield* drainQueue
      assert.deepStrictEqual(stored.map((message) => text(message.body)).sort(), [...bodies].sort())
      for (const message of stored) {
        assert.strictEqual(
          message.headers[WebhookSignature.headerName],
          WebhookSignature.signWith(message.body, secret)
        )
      }
      const spans = yield* Journal.list("receiver", 0)
      assert.isTrue(spans.some((span) => span.key === "redis-test-receiver"))
    }).pipe(
      Effect.provide(
        Receiver.layerServer({ port: 0, host: "127.0.0.1", instanceId: "redis-test-receiver" }).pipe(
          Layer.provideMerge(RedisQueue.layer({ url: redisUrl, prefix })),
          Layer.provide(WebhookSecrets.layer(secret)),
          Layer.orDie
        )
      ),
      Effect.ensuring(deleteKeys(prefix))
    )
  )
})
