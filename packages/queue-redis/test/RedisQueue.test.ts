import { EventQueue, Journal, Lock, type QueueUnavailable, SeenStore } from "@account-activity/queue"
import { assert, it } from "@effect/vitest"
import {
  Chunk,
  Config,
  ConfigProvider,
  Context,
  Effect,
  Exit,
  Fiber,
  Layer,
  Redacted,
  Schedule,
  Scope,
  Stream
} from "effect"
import * as RedisQueue from "../src/RedisQueue.js"
import * as Proxy from "./utils/proxy.js"
import { describeRedis, freshPrefix, rawClient, redisUrl } from "./utils/redis.js"

type Services = EventQueue.EventQueue | SeenStore.SeenStore | Journal.Journal | Lock.Lock

const encoder = new TextEncoder()
const delivery = (text: string): EventQueue.Delivery => ({ body: encoder.encode(text), receivedAt: 1, headers: {} })
const text = (message: { readonly body: Uint8Array }) => new TextDecoder().decode(message.body)

/** Builds a layer in a scope of its own ("a process"), so a test can stop it. */
const start = (options: RedisQueue.Options) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(RedisQueue.layer({ url: redisUrl, ...options }), scope)
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    return { context, stop: Scope.close(scope, Exit.void) }
  })

const within = <A, E, R>(context: Context.Context<Services>, effect: Effect.Effect<A, E, R | Services>) =>
  Effect.provide(effect, context) as Effect.Effect<A, E, Exclude<R, Services>>

/** A raw client of the same server, closed with the scope. */
const raw = Effect.acquireRelease(
  Effect.promise(async () => {
    const client = rawClient()
    await client.connect()
    return client
  }),
  (client) => Effect.sync(() => client.disconnect())
)

const elapsedSince = (started: number) => performance.now() - started

const failure = <A>(exit: Exit.Exit<A, QueueUnavailable.QueueUnavailable>) => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  const error = Exit.isFailure(exit) ? exit.cause : undefined
  const failed = error !== undefined && error._tag === "Fail" ? error.error : undefined
  assert.isDefined(failed, `expected a QueueUnavailable, got ${String(error)}`)
  return failed!
}

describeRedis("RedisQueue", () => {
  it.scopedLive("stores bodies as raw bytes in a stream, and removes acked records", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const { context } = yield* start({ prefix })
      const client = yield* raw
      const everyByte = new Uint8Array(256).map((_, index) => index)
      const invalidUtf8 = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xed, 0xa0, 0x80])
      const [first, second] = yield* within(
        context,
        EventQueue.append([
          { body: everyByte, receivedAt: 1_660_746_200_593, headers: { "content-type": "application/json" } },
          { body: invalidUtf8, receivedAt: 2, headers: {}, source: "replay" }
        ])
      )
      const entries = (yield* Effect.promise(() =>
        client.xrangeBuffer(`${prefix}:stream`, "-", "+")
      )) as unknown as Array<[Buffer, Array<Buffer>]>
      assert.deepStrictEqual(
        entries.map(([id]) => id.toString()),
        [first, second!]
      )
      const bodyOf = (fields: Array<Buffer>) => fields[fields.findIndex((f) => f.toString() === "body") + 1]!
      assert.deepStrictEqual([...bodyOf(entries[0]![1])], [...everyByte])
      assert.deepStrictEqual([...bodyOf(entries[1]![1])], [...invalidUtf8])

      const messages = yield* within(context, EventQueue.receive({ consumer: "c1" }))
      assert.deepStrictEqual([...messages[0]!.body], [...everyByte])
      assert.deepStrictEqual([...messages[1]!.body], [...invalidUtf8])
      assert.strictEqual(messages[1]!.source, "replay")
      yield* Effect.forEach(messages, (message) => message.ack, { discard: true })
      assert.strictEqual(yield* Effect.promise(() => client.xlen(`${prefix}:stream`)), 0)
      const [group] = (yield* Effect.promise(() => client.xinfo("GROUPS", `${prefix}:stream`))) as Array<
        Array<string | number>
      >
      assert.strictEqual(group![group!.indexOf("name") + 1], "workers")
      assert.strictEqual(group![group!.indexOf("pending") + 1], 0)
    })
  )

  it.scopedLive("a consumer that leases and never acks loses the record to another after the visibility timeout", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const client = yield* raw
      const crashed = yield* start({ prefix })
      const survivor = yield* start({ prefix, blockTimeout: "50 millis" })
      const [id] = yield* within(crashed.context, EventQueue.append([delivery("orphan")]))
      const options = { visibilityTimeout: "400 millis", max: 5 } as const
      const [leased] = yield* within(crashed.context, EventQueue.receive({ consumer: "crashed", ...options }))
      assert.strictEqual(leased?.id, id)
      yield* crashed.stop // the process dies holding the lease

      const pending = () =>
        Effect.promise(
          () =>
            client.xpending(`${prefix}:stream`, "workers", "-", "+", 10) as Promise<
              Array<[string, string, number, number]>
            >
        )
      assert.deepStrictEqual(
        (yield* pending()).map(([entry, holder, , count]) => [entry, holder, count]),
        [[id, "crashed", 1]]
      )
      const started = performance.now()
      assert.deepStrictEqual(
        yield* within(survivor.context, EventQueue.receive({ consumer: "survivor", ...options })),
        []
      )
      const taken = yield* within(
        survivor.context,
        EventQueue.consume({ consumer: "survivor", ...options }).pipe(Stream.take(1), Stream.runCollect)
      )
      const message = Chunk.unsafeHead(taken)
      assert.isAtLeast(elapsedSince(started), 350)
      assert.strictEqual(message.id, id)
      assert.strictEqual(message.attempts, 2)
      assert.strictEqual(text(message), "orphan")
      assert.deepStrictEqual(
        (yield* pending()).map(([entry, holder, , count]) => [entry, holder, count]),
        [[id, "survivor", 2]]
      )
      yield* message.ack
      assert.deepStrictEqual(yield* pending(), [])
    })
  )

  it.scopedLive("an idle consumer blocks on its own connection, and an append from another process wakes it", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const client = yield* raw
      const name = `aaa-test-${crypto.randomUUID().slice(0, 8)}`
      const worker = yield* start({ prefix, blockTimeout: "20 seconds", connectionName: name })
      const receiver = yield* start({ prefix })
      const fiber = yield* within(
        worker.context,
        EventQueue.consume({ consumer: "w" }).pipe(
          Stream.tap((message) => message.ack),
          Stream.take(1),
          Stream.runCollect
        )
      ).pipe(Effect.fork)
      const blockedClients = Effect.promise(async () => {
        const list = (await client.client("LIST")) as unknown as string
        return list.split("\n").filter((line) => line.includes(` name=${name} `) && line.includes("cmd=xread"))
      })
      let blocked = yield* blockedClients
      for (let tries = 0; blocked.length === 0 && tries < 100; tries++) {
        yield* Effect.sleep("20 millis")
        blocked = yield* blockedClients
      }
      assert.strictEqual(blocked.length, 1)
      assert.include(blocked[0], "flags=b")
      const started = performance.now()
      yield* within(receiver.context, EventQueue.append([delivery("wake up")]))
      const received = yield* Fiber.join(fiber)
      assert.isBelow(elapsedSince(started), 2_000)
      assert.deepStrictEqual(Chunk.toReadonlyArray(received).map(text), ["wake up"])
    })
  )

  it.scopedLive("a waiting consumer wakes when a delayed nack is due", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const { context } = yield* start({ prefix, blockTimeout: "20 seconds" })
      yield* within(context, EventQueue.append([delivery("retry me")]))
      const [first] = yield* within(context, EventQueue.receive({ consumer: "w" }))
      const started = performance.now()
      yield* first!.nack("busy", { delay: "300 millis" })
      const again = yield* within(
        context,
        EventQueue.consume({ consumer: "w" }).pipe(Stream.take(1), Stream.runCollect)
      )
      const elapsed = elapsedSince(started)
      assert.isAtLeast(elapsed, 250)
      assert.isBelow(elapsed, 3_000)
      assert.strictEqual(Chunk.unsafeHead(again).id, first!.id)
      assert.strictEqual(Chunk.unsafeHead(again).attempts, 2)
    })
  )

  it.scopedLive("two processes on one prefix share records, dedup keys, journal and locks", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const a = yield* start({ prefix })
      const b = yield* start({ prefix })
      const ids = yield* within(a.context, EventQueue.append([delivery("one"), delivery("two")]))
      const fromB = yield* within(b.context, EventQueue.receive({ consumer: "b", max: 1 }))
      const fromA = yield* within(a.context, EventQueue.receive({ consumer: "a", max: 5 }))
      assert.deepStrictEqual(
        [...fromB, ...fromA].map((m) => m.id),
        [...ids]
      )
      yield* Effect.forEach([...fromA, ...fromB], (m) => m.ack, { discard: true })

      assert.deepStrictEqual(yield* within(a.context, SeenStore.markIfNew(["k1", "k2"])), new Set(["k1", "k2"]))
      assert.deepStrictEqual(yield* within(b.context, SeenStore.markIfNew(["k2", "k3"])), new Set(["k3"]))
      assert.isTrue(yield* within(b.context, SeenStore.has("k1")))
      yield* within(b.context, SeenStore.forget(["k1"]))
      assert.isFalse(yield* within(a.context, SeenStore.has("k1")))

      yield* within(a.context, Journal.extend("receiver", "r1", 10_000, 5_000))
      yield* within(b.context, Journal.extend("receiver", "r1", 12_000, 5_000))
      assert.deepStrictEqual(yield* within(a.context, Journal.list("receiver", 0)), [
        { kind: "receiver", key: "r1", from: 10_000, to: 12_000 }
      ])

      assert.isTrue(yield* within(a.context, Lock.acquire("lifecycle", "a", "10 seconds")))
      assert.isFalse(yield* within(b.context, Lock.acquire("lifecycle", "b", "10 seconds")))
      yield* within(a.context, Lock.release("lifecycle", "a"))
      assert.isTrue(yield* within(b.context, Lock.acquire("lifecycle", "b", "10 seconds")))
    })
  )

  it.scopedLive("keys live under the prefix, with TTLs kept by Redis", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const client = yield* raw
      const { context } = yield* start({ prefix })
      yield* within(context, SeenStore.markIfNew(["tweet:1"], { ttl: "1 hour" }))
      yield* within(context, Lock.acquire("replay", "w1", "30 seconds"))
      yield* within(context, Journal.record({ kind: "recovered", key: "w", from: 1, to: 2 }))
      const seenTtl = yield* Effect.promise(() => client.pttl(`${prefix}:seen:tweet:1`))
      assert.isAbove(seenTtl, 3_500_000)
      assert.isAtMost(seenTtl, 3_600_000)
      assert.strictEqual(yield* Effect.promise(() => client.get(`${prefix}:lock:replay`)), "w1")
      const lockTtl = yield* Effect.promise(() => client.pttl(`${prefix}:lock:replay`))
      assert.isAbove(lockTtl, 25_000)
      assert.isAtMost(lockTtl, 30_000)
      const keys = yield* Effect.promise(() => client.keys(`${prefix}:*`))
      assert.deepStrictEqual(keys.sort(), [
        `${prefix}:journal:recovered`,
        `${prefix}:journal:recovered:newest`,
        `${prefix}:lock:replay`,
        `${prefix}:seen:tweet:1`,
        `${prefix}:stream`
      ])
    })
  )

  it.scopedLive("the journal drops spans that ended more than the retention before the newest time written", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const { context } = yield* start({ prefix, journalRetention: "1 minute" })
      yield* within(context, Journal.extend("receiver", "old", 1_000, 100))
      yield* within(context, Journal.record({ kind: "receiver", key: "kept", from: 30_000, to: 40_000 }))
      assert.strictEqual((yield* within(context, Journal.list("receiver", 0))).length, 2)
      yield* within(context, Journal.extend("receiver", "new", 61_001 + 1_000, 100))
      assert.deepStrictEqual(
        (yield* within(context, Journal.list("receiver", 0))).map((span) => span.key),
        ["kept", "new"]
      )
      // the old key's span is gone, so its next heartbeat starts a new span
      yield* within(context, Journal.extend("receiver", "old", 62_500, 100_000))
      assert.deepStrictEqual(
        (yield* within(context, Journal.list("receiver", 50_000))).map((span) => [span.key, span.from, span.to]),
        [
          ["new", 62_001, 62_001],
          ["old", 62_500, 62_500]
        ]
      )
    })
  )

  it.live("a server that cannot be reached fails the layer promptly with Unreachable", () =>
    Effect.gen(function* () {
      const port = yield* Proxy.closedPort
      const started = performance.now()
      const exit = yield* EventQueue.append([delivery("x")]).pipe(
        Effect.provide(RedisQueue.layer({ url: `redis://127.0.0.1:${port}`, connectTimeout: "2 seconds" })),
        Effect.exit
      )
      assert.isBelow(elapsedSince(started), 2_500)
      const error = failure(exit)
      assert.strictEqual(error.reason, "Unreachable")
      assert.include(error.detail, "ECONNREFUSED")
      assert.include(error.message, "cannot be opened or reached")
    })
  )

  it.scopedLive("while the server is down, calls fail at once with Unreachable; they work again once it is back", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const target = new URL(redisUrl)
      const proxy = yield* Proxy.make({ host: target.hostname, port: Number(target.port || 6379) })
      const through = new URL(redisUrl)
      through.hostname = "127.0.0.1"
      through.port = String(proxy.port)
      const { context } = yield* start({ prefix, url: Redacted.make(through.toString()) })
      const [before] = yield* within(context, EventQueue.append([delivery("before")]))

      yield* Effect.promise(proxy.cut)
      for (const operation of [
        EventQueue.append([delivery("during")]),
        EventQueue.receive({ consumer: "w" }),
        SeenStore.markIfNew(["k"]),
        Lock.acquire("lifecycle", "w", "1 second")
      ] as const) {
        const started = performance.now()
        const exit = yield* within(
          context,
          operation as Effect.Effect<unknown, QueueUnavailable.QueueUnavailable, Services>
        ).pipe(Effect.exit)
        assert.isBelow(elapsedSince(started), 1_500)
        assert.strictEqual(failure(exit).reason, "Unreachable")
      }

      yield* Effect.promise(proxy.restore)
      const [after] = yield* within(context, EventQueue.append([delivery("after")])).pipe(
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("10 seconds")))
      )
      const messages = yield* within(context, EventQueue.receive({ consumer: "w" }))
      assert.deepStrictEqual(
        messages.map((m) => [m.id, text(m)]),
        [
          [before, "before"],
          [after, "after"]
        ]
      )
    })
  )

  it.scopedLive("a server that stops answering fails calls with Unreachable after commandTimeout", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const target = new URL(redisUrl)
      const proxy = yield* Proxy.make({ host: target.hostname, port: Number(target.port || 6379) })
      const through = new URL(redisUrl)
      through.hostname = "127.0.0.1"
      through.port = String(proxy.port)
      const { context } = yield* start({ prefix, url: through.toString(), commandTimeout: "300 millis" })
      yield* within(context, EventQueue.append([delivery("before")]))

      proxy.freeze()
      const started = performance.now()
      const exit = yield* within(context, EventQueue.append([delivery("unanswered")])).pipe(Effect.exit)
      const elapsed = elapsedSince(started)
      assert.isAtLeast(elapsed, 250)
      assert.isBelow(elapsed, 1_500)
      const error = failure(exit)
      assert.strictEqual(error.reason, "Unreachable")
      assert.include(error.detail, "Socket timeout")

      proxy.thaw()
      yield* within(context, EventQueue.append([delivery("after")])).pipe(
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("10 seconds")))
      )
    })
  )

  it.scopedLive("calls after the layer's scope closed fail with Closed", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const { context, stop } = yield* start({ prefix })
      const queue = Context.get(context, EventQueue.EventQueue)
      yield* stop
      assert.strictEqual(failure(yield* Effect.exit(queue.append([delivery("late")]))).reason, "Closed")
    })
  )

  it.scopedLive("layerConfig reads the URL as a secret, and the prefix and group", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const layer = RedisQueue.layerConfig({
        url: Config.redacted("AAA_REDIS_URL"),
        prefix: Config.string("AAA_REDIS_PREFIX"),
        group: Config.string("AAA_REDIS_GROUP")
      })
      const provider = ConfigProvider.fromMap(
        new Map([
          ["AAA_REDIS_URL", redisUrl],
          ["AAA_REDIS_PREFIX", prefix],
          ["AAA_REDIS_GROUP", "replayers"]
        ])
      )
      yield* EventQueue.append([delivery("configured")]).pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(provider)
      )
      const client = yield* raw
      const groups = (yield* Effect.promise(() => client.xinfo("GROUPS", `${prefix}:stream`))) as Array<
        Array<string | number>
      >
      assert.deepStrictEqual(
        groups.map((group) => group[group.indexOf("name") + 1]),
        ["replayers"]
      )
    })
  )

  it.scopedLive("a deleted stream is created again, with its group", () =>
    Effect.gen(function* () {
      const prefix = yield* freshPrefix
      const client = yield* raw
      const { context } = yield* start({ prefix })
      yield* Effect.promise(() => client.del(`${prefix}:stream`))
      assert.deepStrictEqual(yield* within(context, EventQueue.receive({ consumer: "w" })), [])
      yield* within(context, EventQueue.append([delivery("again")]))
      const [message] = yield* within(context, EventQueue.receive({ consumer: "w" }))
      assert.strictEqual(text(message!), "again")
    })
  )
})
