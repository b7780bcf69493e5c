/**
 * The chaos run: the toolkit's promise, "no event lost, none processed twice", checked under crashes.
 *
 * 1. The emulator (in this process, with X's retry schedule: 3 s timeout, then 3 s, 27 s, 242 s) creates an
 *    app and some users. A load balancer (`Balancer`) listens in front of two receivers; two workers run
 *    the counting plugin (`CountingPlugin`). Receivers and workers are the bundled apps, `node main.js` in
 *    processes of their own, on one queue: an SQLite file (one machine) or Redis (the scaled variant).
 * 2. The workers' lifecycle registers the balancer's URL as the webhook and subscribes the users, as in
 *    production; then the emulator generates `events` activities at `rate` per second.
 * 3. Meanwhile a random receiver is killed with SIGKILL every `receiverKillEvery` (± half) and a random worker
 *    every `workerKillEvery`, each started again `restartAfter` later. A delivery cut off by a dying receiver
 *    fails at X, which retries it; a record leased by a dying worker is leased again after the visibility
 *    timeout; duplicates are dropped by the worker's dedup.
 * 4. Once every delivery has ended (delivered, or given up after the fourth attempt) and the plugin's table
 *    holds every event, the run waits one more visibility timeout for late redeliveries, then compares the
 *    table with what the emulator delivered:
 *    - **missing**: an identity key the emulator delivered that is not in the table;
 *    - **doubled**: a second handler call for an event whose first call was made by a worker that was not
 *      killed between the two calls (the only allowed cause of a second call: the worker died between the
 *      plugin's commit and its own mark; the plugin's unique key absorbs it, and the run counts it as
 *      `redelivered`);
 *    - **unexpected**: an event in the table that the emulator never delivered.
 *
 * @since 0.1.0
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { type AddressInfo, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { Delivery } from "@account-activity/core"
import { Deliveries, Emulator, Provision, Server } from "@account-activity/emulator"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Either, Fiber, Layer, Random, type Scope } from "effect"
import { Redis } from "ioredis"
import * as Balancer from "./Balancer.js"
import * as CountingPlugin from "./CountingPlugin.js"
import * as Fleet from "./Fleet.js"

/**
 * @since 0.1.0
 * @category models
 */
export type QueueKind = "sqlite" | "redis"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Activities the emulator generates. Default 2,000. */
  readonly events?: number | undefined
  /** Activities per second. Default 100. */
  readonly rate?: number | undefined
  /** Default `sqlite`. */
  readonly queue?: QueueKind | undefined
  /** The Redis server of the `redis` variant. Default `REDIS_URL` or `redis://127.0.0.1:6379`. */
  readonly redisUrl?: string | undefined
  /** The mean time between two receiver kills. Default 3 s. */
  readonly receiverKillEvery?: Duration.DurationInput | undefined
  /** The mean time between two worker kills. Default 4 s. */
  readonly workerKillEvery?: Duration.DurationInput | undefined
  /** How long a killed process stays down. Default 250 ms. */
  readonly restartAfter?: Duration.DurationInput | undefined
  /** The workers' `AAA_VISIBILITY_TIMEOUT`. Default 15 s. */
  readonly visibilityTimeout?: Duration.DurationInput | undefined
  /** Subscribed users. Default 4. */
  readonly users?: number | undefined
  /** The seed of the emulator's activity and of the kills (victims, times). Default: a random one, reported. */
  readonly seed?: number | undefined
  /** Where the files and logs go. Default: a new temporary directory, removed when the run succeeds. */
  readonly dir?: string | undefined
  /** Progress lines. Default: none. */
  readonly onProgress?: ((line: string) => void) | undefined
}

/**
 * What a run saw. `ok` when nothing is missing, doubled or unexpected.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly queue: QueueKind
  /** Run again with this seed for the same activity and the same kill schedule. */
  readonly seed: number
  /** Activities generated. */
  readonly activities: number
  /** Live deliveries the emulator made (an activity goes to each subscribed user it concerns). */
  readonly deliveries: number
  /** POST attempts beyond the first, over every delivery. */
  readonly retries: number
  /** Failed POST attempts by what went wrong (`Timeout`, `ConnectionRefused`, `BadStatus 503`, …). */
  readonly failures: Readonly<Record<string, number>>
  /** Deliveries the emulator gave up on after four attempts. */
  readonly givenUp: number
  /** Distinct events delivered (identity keys). */
  readonly expected: number
  /** Rows in the plugin's table. */
  readonly counted: number
  readonly missing: ReadonlyArray<string>
  readonly doubled: ReadonlyArray<string>
  readonly unexpected: ReadonlyArray<string>
  /** Events handed to the plugin again after the worker that first handled them was killed. */
  readonly redelivered: number
  readonly receiverKills: number
  readonly workerKills: number
  /** Client connections the balancer closed because no receiver was up. */
  readonly refusedConnections: number
  readonly seconds: number
  /** Where the logs are (kept when the run is not ok). */
  readonly dir: string
  readonly ok: boolean
}

const appsDir = resolve(import.meta.dirname, "../..")
const rootDir = resolve(appsDir, "..")

/** Bundles the receiver, the worker and the counting plugin into `apps/chaos/dist`, as deployed. */
const bundle = Effect.sync(() => {
  const chaos = join(appsDir, "chaos")
  const script = join(rootDir, "scripts/bundle.mjs")
  for (const [entry, out] of [
    ["../receiver/src/main.ts", "dist/receiver.js"],
    ["../worker/src/main.ts", "dist/worker.js"],
    ["src/CountingPlugin.ts", "dist/counting-plugin.js"]
  ] as const) {
    execFileSync(process.execPath, [script, entry, "--out", out], { cwd: chaos, stdio: "pipe" })
  }
  return {
    receiver: join(chaos, "dist/receiver.js"),
    worker: join(chaos, "dist/worker.js"),
    plugin: join(chaos, "dist/counting-plugin.js")
  }
})

const freePort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Deletes every Redis key under the prefix. */
const deleteKeys = (url: string, prefix: string) =>
  Effect.promise(async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await client.connect()
      let cursor = "0"
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000)
        cursor = next
        if (keys.length > 0) await client.del(...keys)
      } while (cursor !== "0")
    } catch {
      // nothing to clean when Redis went away
    } finally {
      client.disconnect()
    }
  })

interface Call {
  readonly pid: number
  readonly at: number
}

/**
 * The repeated calls of one event, split into those a kill explains and the others. A call after the first
 * is explained when a process that made an earlier call was killed between that call and this one.
 */
const classify = (calls: ReadonlyArray<Call>, kills: ReadonlyArray<Fleet.Kill>) => {
  let explained = 0
  let unexplained = 0
  for (let i = 1; i < calls.length; i++) {
    const call = calls[i]!
    const earlier = calls.slice(0, i)
    const killed = earlier.some((before) =>
      kills.some((kill) => kill.pid === before.pid && kill.at >= before.at && kill.at <= call.at)
    )
    if (killed) explained++
    else unexplained++
  }
  return { explained, unexplained }
}

/**
 * Runs the emulator, two receivers and two workers under SIGKILLs, and answers what the plugin's table holds
 * against what the emulator delivered.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (options: Options = {}): Effect.Effect<Summary, Error, Scope.Scope> =>
  Effect.gen(function* () {
    const started = Date.now()
    const events = options.events ?? 2000
    const rate = options.rate ?? 100
    const queue = options.queue ?? "sqlite"
    const seed = options.seed ?? 1 + Math.floor(Math.random() * 999_999)
    const visibility = Duration.decode(options.visibilityTimeout ?? "15 seconds")
    const restartAfter = Duration.decode(options.restartAfter ?? "250 millis")
    const progress = options.onProgress ?? (() => {})
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), `aaa-chaos-${queue}-`))
    const logs = join(dir, "logs")
    mkdirSync(logs, { recursive: true })
    let ok = false
    if (options.dir === undefined) {
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => (ok ? rmSync(dir, { recursive: true, force: true }) : undefined))
      )
    }

    const bundles = yield* bundle

    // The queue. Redis: a prefix of this run's own, removed afterwards.
    const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
    const prefix = `aaa-chaos-${process.pid}-${started}`
    const queueUrl = queue === "sqlite" ? `sqlite:${join(dir, "queue.db")}` : `${redisUrl}?prefix=${prefix}`
    if (queue === "redis") yield* Effect.addFinalizer(() => deleteKeys(redisUrl, prefix))

    // X: the emulator, with X's retry schedule.
    const EmulatorLive = Server.layer().pipe(
      Layer.provideMerge(Server.layerReplay),
      Layer.provideMerge(Server.layerDeliveries()),
      Layer.provideMerge(Emulator.layer({ seed: `chaos-${seed}` })),
      Layer.provideMerge(NodeHttpClient.layerUndici)
    )
    const context = yield* Layer.build(EmulatorLive)
    const emulator = yield* Effect.provide(Emulator.Emulator, context)
    const deliveries = yield* Effect.provide(Deliveries.Deliveries, context)
    const http = (yield* Effect.provide(HttpClient.HttpClient, context)).pipe(HttpClient.filterStatusOk)
    const credentials = yield* Provision.demo({ appName: "chaos", users: options.users ?? 4 }).pipe(
      Effect.provide(context)
    )
    const usersFile = join(dir, "users.json")
    writeFileSync(
      usersFile,
      JSON.stringify(
        credentials.users.map(({ accessToken, accessTokenSecret }) => ({ accessToken, accessTokenSecret }))
      ),
      { mode: 0o600 }
    )

    // The balancer and the processes behind it.
    const receiverPorts = [yield* freePort, yield* freePort]
    const balancer = yield* Balancer.make(receiverPorts)
    const webhookUrl = `http://127.0.0.1:${balancer.port}/webhook`
    const countingFile = join(dir, "counting.db")
    CountingPlugin.open(countingFile).close()

    const fleet = yield* Fleet.make({ logs })
    const receivers = receiverPorts.map((port, index) =>
      fleet.add({
        name: `receiver-${index + 1}`,
        script: bundles.receiver,
        ready: /receiver listening on/,
        env: {
          PORT: String(port),
          HOST: "127.0.0.1",
          AAA_CONSUMER_SECRET: credentials.consumerSecret,
          AAA_QUEUE_URL: queueUrl
        }
      })
    )
    const workers = [1, 2].map((index) =>
      fleet.add({
        name: `worker-${index}`,
        script: bundles.worker,
        ready: /worker \S+: queue/,
        env: {
          AAA_QUEUE_URL: queueUrl,
          AAA_PLUGINS: bundles.plugin,
          COUNTING_FILE: countingFile,
          AAA_VISIBILITY_TIMEOUT: `${Duration.toMillis(visibility)} millis`,
          AAA_WEBHOOK_URL: webhookUrl,
          AAA_API_URL: credentials.baseUrl,
          AAA_CONSUMER_KEY: credentials.consumerKey,
          AAA_CONSUMER_SECRET: credentials.consumerSecret,
          AAA_ACCESS_TOKEN: credentials.accessToken,
          AAA_ACCESS_TOKEN_SECRET: credentials.accessTokenSecret,
          AAA_BEARER_TOKEN: credentials.bearerToken,
          AAA_USERS_FILE: usersFile
        }
      })
    )
    yield* Effect.forEach(receivers, (member) => member.start, { concurrency: "unbounded" })
    yield* Effect.forEach(workers, (member) => member.start, { concurrency: "unbounded" })
    progress(
      `${queue} (seed ${seed}): emulator ${credentials.baseUrl}, balancer ${webhookUrl} → receivers :${receiverPorts.join(", :")}, 2 workers; logs in ${logs}`
    )

    // The workers' lifecycle registers the webhook and subscribes the users.
    const users = credentials.users.length
    yield* Effect.gen(function* () {
      while (true) {
        const webhooks = yield* emulator.webhooks
        const subscriptions = yield* emulator.subscriptions
        if (webhooks.some((w) => w.url === webhookUrl && w.valid) && subscriptions.length >= users) return
        yield* Effect.sleep("100 millis")
      }
    }).pipe(
      Effect.timeoutFail({
        duration: "60 seconds",
        onTimeout: () => new Error(`the workers did not register the webhook and subscribe ${users} users; see ${logs}`)
      })
    )
    progress(`${queue}: webhook registered and ${users} users subscribed by the workers' lifecycle`)

    // Chaos: one fiber per kind of victim.
    const chaos = (members: ReadonlyArray<Fleet.Member>, every: Duration.Duration) =>
      Effect.gen(function* () {
        const mean = Duration.toMillis(every)
        while (true) {
          yield* Effect.sleep(Duration.millis(mean / 2 + (yield* Random.nextRange(0, mean))))
          const up = members.filter((member) => member.isReady())
          if (up.length === 0) continue
          const victim = up[yield* Random.nextIntBetween(0, up.length)]!
          yield* victim.kill
          yield* Effect.sleep(restartAfter)
          yield* victim.start.pipe(
            Effect.retry({ times: 3 }),
            Effect.catchAll((error) => Effect.sync(() => progress(`${queue}: ${error.message}`)))
          )
        }
      })
    const chaosFibers = yield* Effect.all(
      [
        Effect.fork(chaos(receivers, Duration.decode(options.receiverKillEvery ?? "3 seconds"))),
        Effect.fork(chaos(workers, Duration.decode(options.workerKillEvery ?? "4 seconds")))
      ].map((fiber, index) => Effect.withRandom(fiber, Random.make(seed + index)))
    )

    // The activities, at a fixed rate (in ticks of 100 ms).
    const inject = (count: number) =>
      HttpClientRequest.post(`${credentials.baseUrl}/_emulator/activity`).pipe(
        HttpClientRequest.bodyUnsafeJson({ count }),
        http.execute,
        Effect.scoped,
        Effect.orDie
      )
    const counting = CountingPlugin.open(countingFile)
    yield* Effect.addFinalizer(() => Effect.sync(() => counting.close()))
    const countRows = counting.prepare<[], { n: number }>("SELECT count(*) AS n FROM events")
    // The run's own event loop (the emulator and the balancer live in it): a stall here delays X's side, not the
    // toolkit's, so it is reported with the progress.
    const lag = monitorEventLoopDelay({ resolution: 20 })
    lag.enable()
    yield* Effect.addFinalizer(() => Effect.sync(() => lag.disable()))
    const lagNote = () => {
      const max = lag.max / 1e6
      lag.reset()
      return `; this process's event loop stalled up to ${max.toFixed(0)} ms`
    }
    let generated = 0
    const generateFrom = Date.now()
    let reported = generateFrom
    while (generated < events) {
      const due = Math.min(events, Math.floor(((Date.now() - generateFrom) / 1000) * rate))
      if (due > generated) {
        const count = Math.min(1000, due - generated)
        yield* inject(count)
        generated += count
      }
      if (Date.now() - reported >= 5000) {
        reported = Date.now()
        progress(
          `${queue}: ${generated}/${events} generated, ${countRows.get()!.n} events counted, ${fleet.kills().length} kills${lagNote()}`
        )
      }
      yield* Effect.sleep("100 millis")
    }
    yield* Effect.forEach(chaosFibers, Fiber.interrupt, { discard: true })
    yield* Effect.forEach([...receivers, ...workers], (member) => member.start, { discard: true })
    progress(`${queue}: ${events} activities generated in ${((Date.now() - generateFrom) / 1000).toFixed(1)} s`)

    // The expected events: the identity keys of every live delivery's body (decoded once per delivery).
    const keysOf = new Map<string, ReadonlyArray<string>>()
    const expectedKeys = Effect.gen(function* () {
      const records = (yield* deliveries.records).filter((record) => record.replayJobId === undefined)
      for (const record of records) {
        if (keysOf.has(record.deliveryId)) continue
        const decoded = yield* Effect.either(Delivery.decodeDelivery(record.body))
        if (Either.isLeft(decoded))
          return yield* Effect.fail(new Error(`the emulator sent a body that does not decode: ${decoded.left.message}`))
        keysOf.set(
          record.deliveryId,
          decoded.right.filter((event) => event._tag !== "ReplayJobStatus").map((event) => event.identityKey)
        )
      }
      return { records, keys: new Set([...keysOf.values()].flat()) }
    })
    const countedKeys = counting.prepare<[], { identity_key: string }>("SELECT identity_key FROM events")
    const counted = () => new Set(countedKeys.all().map((row) => row.identity_key))

    // Wait until every delivery has ended and the table holds every event (X's last attempt is 281 s late).
    const deadline = Date.now() + 300_000
    while (true) {
      const inFlight = yield* deliveries.inFlight
      const { keys } = yield* expectedKeys
      const have = counted()
      const missing = [...keys].filter((key) => !have.has(key)).length
      if (inFlight === 0 && missing === 0) break
      if (Date.now() > deadline) break
      if (Date.now() - reported >= 5000) {
        reported = Date.now()
        progress(`${queue}: waiting: ${inFlight} deliveries still running, ${missing} events not counted yet`)
      }
      yield* Effect.sleep("250 millis")
    }
    // Late redeliveries (records leased by a killed worker) come back within one visibility timeout.
    yield* Effect.sleep(Duration.sum(visibility, Duration.seconds(2)))

    const { keys, records } = yield* expectedKeys
    const rows = counting
      .prepare<[], { identity_key: string; tag: string }>("SELECT identity_key, tag FROM events")
      .all()
    const have = new Set(rows.map((row) => row.identity_key))
    const calls = new Map<string, Array<Call>>()
    for (const row of counting
      .prepare<[], { identity_key: string; pid: number; at: number }>(
        "SELECT identity_key, pid, at FROM calls ORDER BY at, rowid"
      )
      .all()) {
      const list = calls.get(row.identity_key) ?? []
      list.push({ pid: row.pid, at: row.at })
      calls.set(row.identity_key, list)
    }
    const kills = fleet.kills()
    const doubled: Array<string> = []
    let redelivered = 0
    for (const [key, list] of calls) {
      if (list.length < 2) continue
      const { explained, unexplained } = classify(list, kills)
      if (unexplained > 0) doubled.push(key)
      else if (explained > 0) redelivered++
    }
    const log = yield* deliveries.log
    // For a post-mortem: the emulator's delivery log and the kills, next to the processes' logs.
    writeFileSync(join(dir, "deliveries.jsonl"), log.map((entry) => JSON.stringify(entry)).join("\n"))
    writeFileSync(join(dir, "kills.jsonl"), kills.map((kill) => JSON.stringify(kill)).join("\n"))
    const summary: Summary = {
      queue,
      seed,
      activities: generated,
      deliveries: records.length,
      retries: log.filter((entry) => entry.attempt > 1).length,
      failures: log.reduce<Record<string, number>>((counts, entry) => {
        if (entry.result === "Delivered") return counts
        const what = entry.status === undefined ? entry.result : `${entry.result} ${entry.status}`
        counts[what] = (counts[what] ?? 0) + 1
        return counts
      }, {}),
      givenUp: records.filter((record) => record.outcome === "Failed").length,
      expected: keys.size,
      counted: have.size,
      missing: [...keys].filter((key) => !have.has(key)),
      doubled,
      unexpected: rows
        .filter((row) => !keys.has(row.identity_key) && row.tag !== "ReplayJobStatus")
        .map((row) => row.identity_key),
      redelivered,
      receiverKills: kills.filter((kill) => kill.name.startsWith("receiver")).length,
      workerKills: kills.filter((kill) => kill.name.startsWith("worker")).length,
      refusedConnections: balancer.refused(),
      seconds: (Date.now() - started) / 1000,
      dir,
      ok: false
    }
    ok = summary.missing.length === 0 && summary.doubled.length === 0 && summary.unexpected.length === 0
    return { ...summary, ok }
  })

/**
 * One line per number of a summary.
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (summary: Summary): string =>
  [
    `${summary.ok ? "ok" : "NOT OK"} (${summary.queue}): ${summary.expected} events expected, ${summary.counted} in the plugin's table: ${summary.missing.length} missing, ${summary.doubled.length} doubled, ${summary.unexpected.length} unexpected`,
    `  ${summary.activities} activities, ${summary.deliveries} deliveries, ${summary.retries} retried POSTs (failed attempts: ${
      Object.entries(summary.failures)
        .map(([what, n]) => `${n} ${what}`)
        .join(", ") || "none"
    }), ${summary.givenUp} given up by X`,
    `  ${summary.receiverKills} receivers and ${summary.workerKills} workers killed with SIGKILL; ${summary.redelivered} events handed over again after their worker was killed (absorbed by the plugin's unique key); ${summary.refusedConnections} connections found no receiver`,
    `  ${summary.seconds.toFixed(1)} s, seed ${summary.seed}${summary.ok ? "" : `; logs and files kept in ${summary.dir}`}`,
    ...(summary.missing.length > 0 ? [`  missing: ${summary.missing.slice(0, 10).join(", ")}`] : []),
    ...(summary.doubled.length > 0 ? [`  doubled: ${summary.doubled.slice(0, 10).join(", ")}`] : []),
    ...(summary.unexpected.length > 0 ? [`  unexpected: ${summary.unexpected.slice(0, 10).join(", ")}`] : [])
  ].join("\n")
