import { AccountActivityClient } from "@account-activity/client"
import { Delivery, Plugin } from "@account-activity/core"
// The worker's package does not list the receiver and its secrets among its dependencies: reach the sources.
import { WebhookSecrets } from "@account-activity/crc"
import { Deliveries, Emulator, Generator, Server } from "@account-activity/emulator"
import { RedisQueue } from "@account-activity/queue-redis"
import { Receiver } from "@account-activity/receiver"
import { ReplayJobs } from "@account-activity/replay"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, it } from "@effect/vitest"
import { Console, Context, Duration, Effect, Layer, Logger, LogLevel, Ref, Schema } from "effect"
import * as Lifecycle from "../src/Lifecycle.js"
import * as Recovery from "../src/Recovery.js"
import * as Worker from "../src/Worker.js"
import { describeRedis, freshPrefix, rawClient, redisUrl } from "./redis.js"

const Injected = Schema.Struct({
  activities: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      kind: Schema.String,
      deliveries: Schema.Array(Schema.Struct({ deliveryId: Schema.String, forUserId: Schema.String }))
    })
  )
})

/** Polls `check` every 50 ms until it holds; dies naming `what` after `timeout`. */
const waitUntil = <E, R>(what: string, check: Effect.Effect<boolean, E, R>, timeout: Duration.DurationInput) =>
  Effect.gen(function* () {
    const deadline = Date.now() + Duration.toMillis(Duration.decode(timeout))
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.dieMessage(`waited too long for ${what}`)
      yield* Effect.sleep("50 millis")
    }
  })

/** What the plugins saw: identity key → how many times (all workers), and events per worker. */
interface Seen {
  readonly counts: ReadonlyMap<string, number>
  readonly byWorker: ReadonlyMap<string, number>
}

const increment = <K>(map: ReadonlyMap<K, number>, key: K): ReadonlyMap<K, number> =>
  new Map(map).set(key, (map.get(key) ?? 0) + 1)

describeRedis("two workers on Redis", () => {
  it.scopedLive(
    "every event reaches the plugins once across both workers; only one runs the lifecycle",
    () =>
      Effect.gen(function* () {
        const prefix = yield* freshPrefix
        const redis = yield* rawClient

        // The emulator, X's stand-in, with deliveries and Replay.
        const emulatorContext = yield* Layer.build(
          Server.layer({ port: 0 }).pipe(
            Layer.provideMerge(Server.layerReplay),
            Layer.provideMerge(Server.layerDeliveries({ retryWaits: ["200 millis", "500 millis"] })),
            Layer.provideMerge(Emulator.layer({ seed: 2027 })),
            Layer.provide(NodeHttpClient.layerUndici)
          )
        )
        const emulator = Context.get(emulatorContext, Emulator.Emulator)
        const deliveries = Context.get(emulatorContext, Deliveries.Deliveries)
        const apiUrl = yield* Effect.provide(Server.url, emulatorContext)
        const created = yield* emulator.createApp({ name: "two-workers" })
        const users = yield* Effect.forEach(["alice", "bob", "carol"], (screenName) =>
          emulator.createUser({ appId: created.app.id, screenName })
        )

        // One receiver on the Redis queue.
        const receiverContext = yield* Layer.build(
          Receiver.layerServer({
            port: 0,
            host: "127.0.0.1",
            path: "/webhook",
            instanceId: "receiver-1",
            heartbeatInterval: "1 second"
          }).pipe(
            Layer.provide(WebhookSecrets.layer([created.credentials.consumerSecret])),
            Layer.provide(RedisQueue.layer({ url: redisUrl, prefix, connectionName: "receiver-1" }))
          )
        )
        const webhookUrl = `${yield* Effect.provide(Server.url, receiverContext)}/webhook`

        // Two workers, each with its own Redis connection and its own API client (counting its requests), and
        // the same plugin, recording into one shared map.
        const seen = yield* Ref.make<Seen>({ counts: new Map(), byWorker: new Map() })
        const startWorker = (name: string) =>
          Effect.gen(function* () {
            const requests = yield* Ref.make(0)
            const HttpLive = Layer.effect(
              HttpClient.HttpClient,
              Effect.map(
                HttpClient.HttpClient,
                HttpClient.tapRequest(() => Ref.update(requests, (n) => n + 1))
              )
            ).pipe(Layer.provide(NodeHttpClient.layerUndici))
            const ClientLive = AccountActivityClient.layer({
              baseUrl: apiUrl,
              app: created.credentials,
              owner: created.owner
            }).pipe(Layer.provide(HttpLive))
            const Managed = Lifecycle.layer({
              webhookUrl,
              users: users.map((user) => user.tokens),
              interval: "30 seconds",
              owner: name
            }).pipe(Layer.merge(ReplayJobs.layer({ statusTimeout: "30 seconds", backoff: "1 second" })))
            const ManagedLive = Recovery.layer({ interval: "2 seconds", owner: name, settle: "1 minute" }).pipe(
              Layer.provideMerge(Managed),
              Layer.provide(ClientLive)
            )
            const recorder = Plugin.all("recorder", (event) =>
              Ref.update(seen, ({ byWorker, counts }) => ({
                counts: increment(counts, event.identityKey),
                byWorker: increment(byWorker, name)
              }))
            )
            yield* Layer.build(
              Worker.layer({ consumer: name, concurrency: 4, retryBase: "50 millis" }, recorder).pipe(
                Layer.provide(ManagedLive),
                Layer.provide(
                  RedisQueue.layer({ url: redisUrl, prefix, blockTimeout: "100 millis", connectionName: name })
                )
              )
            )
            return { name, requests }
          })
        const workers = yield* Effect.all([startWorker("worker-a"), startWorker("worker-b")], { concurrency: 2 })

        // The lifecycle (of one of them) registers the receiver's URL and subscribes the users.
        yield* waitUntil(
          "the webhook and the subscriptions",
          Effect.map(emulator.subscriptions, (subscriptions) => subscriptions.length === users.length),
          "30 seconds"
        )
        const webhooks = yield* emulator.webhooks
        assert.deepStrictEqual(
          webhooks.map((webhook) => ({ url: webhook.url, valid: webhook.valid })),
          [{ url: webhookUrl, valid: true }]
        )

        // Every delivery is POSTed twice (the emulator's Duplicate fault), and one activity of every kind.
        const http = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)
        const control = (path: string, body: Record<string, unknown>) =>
          HttpClientRequest.post(`${apiUrl}/_emulator/${path}`).pipe(
            HttpClientRequest.bodyUnsafeJson(body),
            http.execute,
            Effect.flatMap((response) => response.json),
            Effect.scoped
          )
        yield* control("faults", { fault: "duplicate", times: 1000 })
        const started: Array<string> = []
        for (const user of users) {
          for (const kind of Generator.kinds) {
            const injected = yield* Effect.flatMap(
              control("activity", { kind, forUserId: user.user.id }),
              Schema.decodeUnknown(Injected)
            )
            for (const activity of injected.activities) started.push(...activity.deliveries.map((d) => d.deliveryId))
            yield* Effect.sleep("5 millis")
          }
        }

        // The events the receiver was sent, by identity key: the emulator's record of every delivery, decoded.
        yield* deliveries.awaitIdle
        const records = yield* deliveries.records
        assert.deepStrictEqual(records.map((record) => record.deliveryId).sort(), started.sort())
        const expected = new Set<string>()
        for (const record of records) {
          for (const event of yield* Delivery.decodeDelivery(record.body)) expected.add(event.identityKey)
        }
        const missing = Effect.map(Ref.get(seen), ({ counts }) => [...expected].filter((key) => !counts.has(key)))
        yield* waitUntil(
          "every event to reach the plugins",
          Effect.map(missing, (keys) => keys.length === 0),
          "60 seconds"
        ).pipe(
          Effect.tapDefect(() =>
            Effect.flatMap(missing, (keys) => Effect.logError(`never handled: ${keys.join(", ")}`))
          )
        )
        // Every record acked: nothing left in the stream, nothing delayed.
        yield* waitUntil(
          "every record to be acked",
          Effect.promise(
            async () => (await redis.xlen(`${prefix}:stream`)) + (await redis.xlen(`${prefix}:delayed`)) === 0
          ),
          "30 seconds"
        )

        // Each delivery reached the receiver twice (two records of one event).
        const copies = new Map<string, number>()
        for (const entry of yield* deliveries.log) {
          if (entry.result === "Delivered" && entry.status === 200) {
            copies.set(entry.deliveryId, (copies.get(entry.deliveryId) ?? 0) + 1)
          }
        }
        assert.strictEqual(copies.size, records.length, "every delivery reached the receiver")
        assert.deepStrictEqual(
          [...copies].filter(([, n]) => n < 2),
          [],
          "every delivery reached the receiver twice"
        )

        // Exactly once in total, across both workers.
        const { byWorker, counts } = yield* Ref.get(seen)
        const twice = [...counts].filter(([, n]) => n !== 1)
        assert.deepStrictEqual(twice, [], "no event reached the plugins twice")
        assert.deepStrictEqual([...counts.keys()].sort(), [...expected].sort())
        const split = workers.map((worker) => byWorker.get(worker.name) ?? 0)
        yield* Console.log(`events per worker: ${workers.map((w, i) => `${w.name} ${split[i]}`).join(", ")}`)
        assert.strictEqual(
          split.reduce((a, b) => a + b, 0),
          expected.size
        )
        assert.isTrue(
          split.every((n) => n > 0),
          `both workers handled events: ${split.join(" / ")}`
        )

        // One lifecycle holder: only it talked to the API, and it holds the lock.
        const requests = yield* Effect.forEach(workers, (worker) => Ref.get(worker.requests))
        const holders = workers.filter((_, i) => requests[i]! > 0).map((worker) => worker.name)
        assert.strictEqual(holders.length, 1, `API requests per worker: ${requests.join(" / ")}`)
        assert.strictEqual(yield* Effect.promise(() => redis.get(`${prefix}:lock:lifecycle`)), holders[0])
        assert.strictEqual((yield* emulator.webhooks).length, 1)
      }).pipe(
        Effect.provide(NodeHttpClient.layerUndici),
        // The claim conflicts between the workers are expected: keep their warnings out of the test output.
        Logger.withMinimumLogLevel(LogLevel.Error)
      ),
    120_000
  )
})
