/**
 * Fuzzing beyond well-formed requests: clients that are slow or stop half-way, sent alongside normal
 * deliveries, and a queue that goes down for real (Redis behind a connection that is cut).
 */
import { WebhookSecrets, WebhookSignature } from "@account-activity/crc"
import { EventQueue, MemoryQueue } from "@account-activity/queue"
import { RedisQueue } from "@account-activity/queue-redis"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import fc from "fast-check"
import * as Receiver from "../src/Receiver.js"
import { baseUrl, connect, deliver, drainQueue, request, secret, sign, text } from "./utils/http.js"
import { link } from "./utils/link.js"
import { deleteKeys } from "./utils/overload.js"

const headersTimeout = 300
const requestTimeout = 700

const SlowLive = Receiver.layerServer({
  port: 0,
  host: "127.0.0.1",
  headersTimeout: `${headersTimeout} millis`,
  requestTimeout: `${requestTimeout} millis`,
  connectionsCheckingInterval: "50 millis"
}).pipe(Layer.provideMerge(MemoryQueue.layer()), Layer.provide(WebhookSecrets.layer(secret)), Layer.orDie)

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/**
 * How a slow client behaves:
 * - `silent`: connects and sends nothing;
 * - `trickle-headers`: a header line every `gap` ms, never the end of the headers;
 * - `stall-body`: complete headers, part of the body, then nothing (a valid signature for the whole body);
 * - `trickle-body`: the whole body in `pieces` pieces `gap` ms apart, ending well within `requestTimeout`.
 */
const slowClient = fc.record({
  kind: fc.constantFrom("silent", "trickle-headers", "stall-body", "trickle-body"),
  gap: fc.integer({ min: 10, max: 60 }),
  pieces: fc.integer({ min: 2, max: 4 }),
  size: fc.integer({ min: 2, max: 1500 }),
  seed: fc.integer({ min: 0, max: 1_000_000 })
})

type SlowClient = typeof slowClient extends fc.Arbitrary<infer A> ? A : never

const bodyOf = (client: SlowClient) => {
  const head = `{"for_user_id":"${client.seed}","follow_events":[{"pad":"`
  return Buffer.from(`${head}${"x".repeat(Math.max(0, client.size - head.length - 4))}"}]}`)
}

/** Plays one slow client; answers what the server sent before it closed, or the answer to a finished body. */
const play = async (
  base: string,
  client: SlowClient
): Promise<{ readonly answer: string; readonly body: Buffer; readonly closedAt: number }> => {
  const raw = await connect(base)
  const body = bodyOf(client)
  const head = `POST /webhook HTTP/1.1\r\nHost: receiver\r\nContent-Type: application/json\r\n${WebhookSignature.headerName}: ${sign(body)}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`
  switch (client.kind) {
    case "silent":
      break
    case "trickle-headers": {
      await raw.write("POST /webhook HTTP/1.1\r\nHost: receiver\r\n")
      for (let i = 0; !raw.socket.destroyed && i < 100; i++) {
        await sleep(client.gap)
        if (!raw.socket.destroyed) await raw.write(`X-Slow-${i}: ${"z".repeat(5)}\r\n`)
      }
      break
    }
    case "stall-body":
      await raw.write(head)
      await raw.write(body.subarray(0, body.length >> 1))
      break
    case "trickle-body": {
      await raw.write(head)
      const step = Math.ceil(body.length / client.pieces)
      for (let from = 0; from < body.length; from += step) {
        await sleep(client.gap)
        await raw.write(body.subarray(from, from + step))
      }
      break
    }
  }
  const answer = await Promise.race([raw.closed, sleep(5000).then(() => "(still open after 5 s)")])
  const closedAt = performance.now()
  raw.socket.destroy()
  return { answer, body, closedAt }
}

describe("fuzz: slow clients", () => {
  it.live(
    "slow and stalled clients are cut off with 408 and store nothing; deliveries sent meanwhile get 200 at once",
    () =>
      Effect.gen(function* () {
        const base = yield* baseUrl
        const stored = new Set<string>()
        const outcomes = new Map<string, number>()
        let delivered = 0
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(fc.array(slowClient, { minLength: 1, maxLength: 4 }), async (clients) => {
              const slow = Promise.all(clients.map((client) => play(base, client)))
              // A normal delivery while the slow ones hold their connections.
              await sleep(20)
              const body = `{"for_user_id":"1","follow_events":[],"n":${delivered}}`
              const normal = await Effect.runPromise(deliver(`${base}/webhook`, body))
              const answeredAt = performance.now()
              if (normal.status !== 200) throw new Error(`a normal delivery got ${normal.status}: ${normal.text}`)
              stored.add(body)
              delivered++
              for (const [index, { answer, body, closedAt }] of (await slow).entries()) {
                const kind = clients[index]!.kind
                const status = /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1] ?? "closed"
                outcomes.set(`${kind} ${status}`, (outcomes.get(`${kind} ${status}`) ?? 0) + 1)
                if (kind === "trickle-body") {
                  if (status !== "200") throw new Error(`a body sent in time in pieces got ${status}: ${answer}`)
                  stored.add(body.toString())
                } else if (status !== "408" && status !== "closed") {
                  throw new Error(`a ${kind} client got ${status}; only 408 or a closed connection are documented`)
                } else if (closedAt < answeredAt) {
                  throw new Error(`the normal delivery was answered only after a ${kind} client was cut off`)
                }
              }
            }),
            { numRuns: 25 }
          )
        )
        // Every kind was tried; the stalled ones were answered 408 at least once.
        for (const kind of ["silent", "trickle-headers", "stall-body", "trickle-body"]) {
          assert.isTrue(
            [...outcomes.keys()].some((key) => key.startsWith(kind)),
            `no ${kind} client: ${[...outcomes]}`
          )
        }
        assert.isTrue(
          [...outcomes.keys()].some((key) => key.endsWith(" 408")),
          `no 408: ${JSON.stringify([...outcomes])}`
        )
        // The receiver is still up, and the queue holds exactly the complete deliveries.
        assert.strictEqual((yield* request(`${base}/healthz`)).status, 200)
        const messages = yield* drainQueue
        assert.deepStrictEqual(messages.map((message) => text(message.body)).sort(), [...stored].sort())
      }).pipe(Effect.provide(SlowLive)),
    90_000
  )
})

describe("a slow client and the admission by time", () => {
  it.live("a client taking 1.5 s to send its body does not make the receiver refuse the deliveries after it", () =>
    Effect.gen(function* () {
      const base = yield* baseUrl
      const slow = yield* Effect.promise(() =>
        play(base, { kind: "trickle-body", gap: 500, pieces: 3, size: 600, seed: 7 })
      )
      assert.match(slow.answer, /^HTTP\/1\.1 200 /, "the slow but complete delivery is stored")
      // Right after its answer, in the same admission windows: every delivery is let in.
      for (let n = 0; n < 20; n++) {
        const reply = yield* deliver(`${base}/webhook`, `{"for_user_id":"1","follow_events":[],"after":${n}}`)
        assert.strictEqual(reply.status, 200, reply.text)
      }
    }).pipe(
      Effect.provide(
        Receiver.layerServer({ port: 0, host: "127.0.0.1" }).pipe(
          Layer.provideMerge(MemoryQueue.layer()),
          Layer.provide(WebhookSecrets.layer(secret)),
          Layer.orDie
        )
      )
    )
  )
})

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

describe("fuzz: the queue goes down", () => {
  it.scopedLive("every signed delivery is answered 503 with Retry-After, every other request its 4xx", () =>
    Effect.gen(function* () {
      const proxy = yield* link(new URL(redisUrl))
      const prefix = `aaa-fuzz-down-${process.pid}-${Date.now()}`
      const server = yield* Layer.build(
        Receiver.layerServer({ port: 0, host: "127.0.0.1", retryAfter: "3 seconds" }).pipe(
          Layer.provide(WebhookSecrets.layer(secret)),
          Layer.provide(RedisQueue.layer({ url: proxy.url, prefix, commandTimeout: "500 millis" }))
        )
      )
      const base = yield* Effect.provide(baseUrl, server)
      yield* proxy.cut

      yield* Effect.addFinalizer(() => Effect.promise(() => deleteKeys(new URL(redisUrl), prefix)))

      const statuses = new Map<string, number>()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.record({
              body: fc.oneof(
                fc.json({ maxDepth: 2 }).map((json) => Buffer.from(json)),
                fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes))
              ),
              signed: fc.boolean(),
              json: fc.boolean()
            }),
            async ({ body, json, signed }) => {
              const headers: Record<string, string> = { "content-type": json ? "application/json" : "text/plain" }
              if (signed) headers[WebhookSignature.headerName] = sign(body)
              const reply = await Effect.runPromise(
                request(`${base}/webhook`, { method: "POST", headers, body: new Uint8Array(body) })
              )
              const want = !json ? 415 : !signed ? 401 : 503
              statuses.set(`${reply.status}`, (statuses.get(`${reply.status}`) ?? 0) + 1)
              if (reply.status !== want) throw new Error(`answered ${reply.status} (${reply.text}), expected ${want}`)
              if (want === 503) {
                if (reply.headers["retry-after"] !== "3") throw new Error("a 503 without Retry-After: 3")
                if (!reply.text.includes("queue_unavailable")) throw new Error(`not queue_unavailable: ${reply.text}`)
              }
            }
          ),
          { numRuns: 60 }
        )
      )
      assert.isAbove(statuses.get("503") ?? 0, 0)
      assert.isAbove(statuses.get("401") ?? 0, 0)
      // The health check says so too; nothing reached the stream.
      const health = yield* Effect.provide(request(`${base}/healthz`), server)
      assert.strictEqual(health.status, 503)
      // Through a direct connection, the deployment's stream is empty.
      const leftover = yield* Effect.gen(function* () {
        const queue = yield* EventQueue.EventQueue
        return yield* queue.receive({ consumer: "inspector", max: 100 })
      }).pipe(Effect.provide(RedisQueue.layer({ url: redisUrl, prefix })), Effect.scoped)
      assert.deepStrictEqual(leftover, [])
    })
  )
})
