/**
 * The sandbox: the emulator, a receiver and a worker in one process, on the embedded SQLite queue, with
 * demo users, a stream of every activity kind, and a gap recovered by Replay.
 *
 * 1. The emulator starts with an app and three users; the receiver listens on loopback; the worker's
 *    lifecycle registers the receiver's URL as the webhook and subscribes the users (exactly as against X).
 * 2. One activity of each of the 19 kinds is generated; the log plugin prints each as it arrives.
 * 3. The receiver is stopped; activities generated meanwhile fail to deliver, and the emulator gives up after
 *    its retries (shortened here). The receiver comes back, the clock moves 40 minutes ahead (Replay only
 *    takes windows at least 31 minutes old), and the worker's gap recovery finds the hole in the receivers'
 *    heartbeats and replays it: the missed events arrive, each once.
 * 4. Then a live stream of random activity, until Ctrl-C (or the end, with `once`).
 *
 * @since 0.1.0
 */
import { mkdirSync, rmSync } from "node:fs"
import { dirname, resolve } from "node:path"
import * as Lifecycle from "@account-activity/app-worker/Lifecycle"
import * as Recovery from "@account-activity/app-worker/Recovery"
import * as Worker from "@account-activity/app-worker/Worker"
import { Credentials } from "@account-activity/auth"
import { AccountActivityClient } from "@account-activity/client"
import type { ActivityEvent } from "@account-activity/core"
import { WebhookSecrets } from "@account-activity/crc"
import { Emulator, Generator, Server } from "@account-activity/emulator"
import { LogPlugin } from "@account-activity/plugin-log"
import { Journal } from "@account-activity/queue"
import { SqliteQueue } from "@account-activity/queue-sqlite"
import { Receiver } from "@account-activity/receiver"
import { ReplayJobs } from "@account-activity/replay"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Console, Context, Duration, Effect, Exit, Layer, Ref, Schema, Scope } from "effect"
import * as SandboxClock from "./SandboxClock.js"
import * as Tally from "./Tally.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The receiver's port. Default 0 (a free port). */
  readonly port?: number | undefined
  /** The emulator's port. Default 0 (a free port). */
  readonly emulatorPort?: number | undefined
  /** The SQLite file (recreated at every start). Default `./data/sandbox.db`. */
  readonly filename?: string | undefined
  /** Stop after the gap has been recovered, instead of streaming until interrupted. */
  readonly once?: boolean | undefined
  /** The time between two generated activities. Default 250 ms. */
  readonly pace?: Duration.DurationInput | undefined
  /** Activities generated while the receiver is down. Default 5. */
  readonly missed?: number | undefined
  /** The log plugin's output: `pretty` lines (default) or nothing (`quiet`, for tests). */
  readonly output?: "pretty" | "quiet" | undefined
}

/**
 * What the run saw; `ok` when every event arrived exactly once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly generated: number
  readonly delivered: number
  readonly unique: number
  readonly doubled: ReadonlyArray<string>
  readonly recovered: number
  readonly tags: ReadonlyArray<ActivityEvent.Tag>
  readonly ok: boolean
}

const Injected = Schema.Struct({
  activities: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      kind: Schema.String,
      deliveries: Schema.Array(Schema.Struct({ deliveryId: Schema.String, forUserId: Schema.String }))
    })
  )
})

const banner = (text: string) => Console.log(`\n── ${text} ${"─".repeat(Math.max(3, 96 - text.length))}`)

/** Builds a layer into a scope of its own, so that it can be stopped on its own. */
const start = <A, E>(layer: Layer.Layer<A, E>) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(layer, scope).pipe(
      Effect.tapErrorCause(() => Scope.close(scope, Exit.void))
    )
    return { context, stop: Scope.close(scope, Exit.void) }
  })

const waitUntil = <E, R>(
  what: string,
  check: Effect.Effect<boolean, E, R>,
  timeout: Duration.DurationInput = "60 seconds"
) =>
  Effect.gen(function* () {
    const deadline = Date.now() + Duration.toMillis(Duration.decode(timeout))
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`the sandbox waited too long for ${what}`))
      yield* Effect.sleep("100 millis")
    }
  })

/**
 * Runs the sandbox. With `once` it returns a summary after the gap has been recovered; otherwise it streams
 * activity until interrupted.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (options: Options = {}): Effect.Effect<Summary, unknown, Scope.Scope> => {
  const clock = SandboxClock.make()
  return Effect.withClock(program(options, clock), clock)
}

const program = (options: Options, clock: SandboxClock.SandboxClock) =>
  Effect.gen(function* () {
    const pace = Duration.decode(options.pace ?? "250 millis")
    const filename = resolve(options.filename ?? "data/sandbox.db")
    mkdirSync(dirname(filename), { recursive: true })
    for (const suffix of ["", "-wal", "-shm"]) rmSync(filename + suffix, { force: true })

    // 1. The emulator, X's stand-in: short retries so that a delivery during the outage is given up quickly.
    const EmulatorLive = Server.layer({ port: options.emulatorPort ?? 0 }).pipe(
      Layer.provideMerge(Server.layerReplay),
      Layer.provideMerge(Server.layerDeliveries({ retryWaits: ["500 millis", "1 second"] })),
      Layer.provideMerge(Emulator.layer({ seed: 2026 })),
      Layer.provide(NodeHttpClient.layerUndici)
    )
    const emulatorContext = yield* Layer.build(EmulatorLive)
    const emulator = Context.get(emulatorContext, Emulator.Emulator)
    const apiUrl = yield* Effect.provide(Server.url, emulatorContext)
    const created = yield* emulator.createApp({ name: "sandbox" })
    const users = yield* Effect.forEach(["alice", "bob", "carol"], (screenName) =>
      emulator.createUser({ appId: created.app.id, screenName })
    )
    yield* Console.log(
      `emulator   ${apiUrl}  (app ${created.app.id}; users ${users.map((u) => `@${u.user.screenName}`).join(", ")})`
    )

    // 2. The queue and the receiver. The receiver runs in a scope of its own so that it can be stopped.
    const QueueLive = SqliteQueue.layer({ filename })
    const queueContext = yield* Layer.build(QueueLive)
    const journal = Context.get(queueContext, Journal.Journal)
    const SecretsLive = WebhookSecrets.layer([created.credentials.consumerSecret])
    let receiverRuns = 0
    const startReceiver = (port: number) =>
      start(
        Receiver.layerServer({
          port,
          host: "127.0.0.1",
          path: "/webhook",
          instanceId: `sandbox-receiver-${++receiverRuns}`,
          heartbeatInterval: "1 second"
        }).pipe(Layer.provide(SecretsLive), Layer.provide(Layer.succeedContext(queueContext)))
      )
    let receiver = yield* startReceiver(options.port ?? 0)
    const receiverUrl = yield* Effect.provide(Server.url, receiver.context)
    const receiverPort = Number(new URL(receiverUrl).port)
    const webhookUrl = `${receiverUrl}/webhook`
    yield* Console.log(`receiver   ${webhookUrl}  (queue ${filename})`)

    // 3. The worker: plugins (the log plugin and a tally), lifecycle, Replay and gap recovery.
    const tally = yield* Tally.make
    const ClientLive = AccountActivityClient.layer({
      baseUrl: apiUrl,
      app: created.credentials,
      owner: created.owner
    }).pipe(Layer.provide(NodeHttpClient.layerUndici))
    const Managed = Lifecycle.layer({
      webhookUrl,
      users: users.map((u) => Credentials.user(u.tokens)),
      interval: "30 seconds",
      owner: "sandbox-worker"
    }).pipe(Layer.merge(ReplayJobs.layer({ statusTimeout: "30 seconds", backoff: "2 seconds" })))
    const ManagedLive = Recovery.layer({ interval: "2 seconds", owner: "sandbox-worker", settle: "1 minute" }).pipe(
      Layer.provideMerge(Managed),
      Layer.provide(ClientLive)
    )
    const plugins =
      options.output === "quiet" ? tally.plugin : Layer.merge(tally.plugin, LogPlugin.layer({ format: "pretty" }))
    const WorkerLive = Worker.layer({ consumer: "sandbox-worker", retryBase: "200 millis" }, plugins).pipe(
      Layer.provide(ManagedLive),
      Layer.provide(Layer.succeedContext(queueContext))
    )
    yield* Layer.build(WorkerLive)

    yield* waitUntil(
      "the webhook and the subscriptions",
      Effect.map(emulator.subscriptions, (subscriptions) => subscriptions.length === users.length)
    )
    yield* Console.log(`worker     webhook registered and ${users.length} users subscribed by the worker's lifecycle`)

    const http = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)
    const delivered = yield* Ref.make(0)
    const generated = yield* Ref.make(0)
    const inject = (body: Record<string, unknown>) =>
      HttpClientRequest.post(`${apiUrl}/_emulator/activity`).pipe(
        HttpClientRequest.bodyUnsafeJson(body),
        http.execute,
        Effect.flatMap((response) => response.json),
        Effect.flatMap(Schema.decodeUnknown(Injected)),
        Effect.tap(({ activities }) =>
          Effect.zipRight(
            Ref.update(generated, (n) => n + activities.length),
            Ref.update(delivered, (n) => n + activities.reduce((sum, a) => sum + a.deliveries.length, 0))
          )
        ),
        Effect.scoped
      )
    const unique = Effect.map(Ref.get(tally.counts), (counts) => counts.size)
    const allArrived = Effect.zipWith(unique, Ref.get(delivered), (seen, expected) => seen >= expected)

    // Every kind, one by one.
    yield* banner("every activity kind, as X would deliver it")
    for (const kind of Generator.kinds) {
      yield* inject({ kind, forUserId: users[0]!.user.id })
      yield* Effect.sleep(pace)
    }
    yield* waitUntil("every kind to reach the plugins", allArrived)

    // A gap: the receiver goes away, X gives up, Replay brings the events back.
    const missed = options.missed ?? 5
    yield* banner(`gap recovery: the receiver stops, ${missed} activities are missed`)
    yield* receiver.stop
    yield* Console.log("receiver   stopped")
    const before = yield* unique
    const beforeDelivered = yield* Ref.get(delivered)
    yield* inject({ count: missed })
    yield* Effect.sleep("2500 millis") // the emulator's three attempts fail and it gives up
    receiver = yield* startReceiver(receiverPort)
    yield* Console.log("receiver   started again; nothing of the missed activities arrived")
    // Replay takes windows at least 31 minutes old: move the sandbox's clock 40 minutes ahead. No delivery
    // could be missed during the jump itself, so it is recorded as covered by a receiver.
    const jumpFrom = yield* Effect.clockWith((c) => c.currentTimeMillis)
    clock.advance(Duration.toMillis(Duration.minutes(40)))
    yield* journal.record({
      kind: "receiver",
      key: "sandbox-clock-jump",
      from: jumpFrom,
      to: jumpFrom + Duration.toMillis(Duration.minutes(40))
    })
    yield* Console.log("clock      moved 40 minutes ahead; the worker's gap recovery replays the hole")
    yield* waitUntil("the replayed events", allArrived, "90 seconds")
    const recovered = (yield* unique) - before
    yield* Console.log(
      `replay     ${recovered} missed events recovered (${(yield* Ref.get(delivered)) - beforeDelivered} deliveries were missed)`
    )

    const summarize = Effect.gen(function* () {
      const doubled = yield* Tally.doubled(tally)
      const counts = yield* Ref.get(tally.counts)
      const summary: Summary = {
        generated: yield* Ref.get(generated),
        delivered: yield* Ref.get(delivered),
        unique: counts.size,
        doubled,
        recovered,
        tags: [...(yield* Ref.get(tally.tags))].sort(),
        ok: doubled.length === 0 && counts.size >= (yield* Ref.get(delivered))
      }
      return summary
    })

    if (options.once) {
      yield* receiver.stop
      return yield* summarize
    }

    yield* banner("live: random activity every second; Ctrl-C to stop")
    return yield* Effect.forever(Effect.zipRight(inject({ count: 1 }), Effect.sleep("1 second"))).pipe(
      Effect.ensuring(receiver.stop)
    )
  }).pipe(Effect.provide(NodeHttpClient.layerUndici))
