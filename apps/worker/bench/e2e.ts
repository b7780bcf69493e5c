// End-to-end latency at 500 events/s: from the moment the emulator POSTs a delivery to the moment the plugin's
// handler runs, for
//   (a) the toolkit: emulator → receiver → SqliteQueue → worker (decode, dedup, ActivityStream) → plugin;
//   (b) a bare baseline: emulator → node:http + HMAC check + better-sqlite3 insert → a polling consumer →
//       JSON.parse → callback.
// This process runs the emulator's delivery engine (Deliveries: signs each body and POSTs it, as X does) and
// sends; each path runs in a process of its own (e2e-path.ts: receiver and worker share one process there,
// as in the sandbox). The bodies are Tweets from the emulator's generator, the same ones to both paths.
// Each path reports the Tweet id and the time its plugin (callback) saw it; the clocks of the processes are
// aligned over IPC beforehand (the offset with the shortest round trip of 30 pings).
//
// 2 s of warm-up per path, then the paths take turns of 1 s at 500 events/s (open loop: sent on schedule,
// whatever the answers) until each has had 10 s; a turn ends once every event of it reached the plugin, so
// the paths never run at the same time. Prints p50 / p99 / max of the latency, the rate each path sustained
// (events of a turn / time from its first POST to its last event at the plugin; below 500/s means the path
// fell behind and its latency grew during each turn) and the ratios. The emulator sends each event once (no
// retries): a POST not answered 200 within its 3 s is counted and left out of the latencies, and every event
// that was answered 200 must reach the plugin.
//
// Usage: pnpm bench --only e2e   (or, in this app, tsx bench/e2e.ts)
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import { appendFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Deliveries, Generator } from "@account-activity/emulator"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"

const rate = 500
const warmupMillis = 2000
const turnMillis = 1000
const measureMillis = 10_000
const consumerSecret = "bench-consumer-secret"
const forUserId = "2244994945"

const require = createRequire(import.meta.url)
const tsx = pathToFileURL(require.resolve("tsx")).href

interface Target {
  readonly name: string
  readonly child: ChildProcess
  readonly url: string
  /** child's performance.now() minus ours */
  offset: number
  readonly handled: Map<string, number>
}

/** The next IPC message of `type` from `child`. */
const next = <A>(child: ChildProcess, type: string, timeoutMillis = 15_000) =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage)
      reject(new Error(`no ${type} message from the path process within ${timeoutMillis} ms`))
    }, timeoutMillis)
    const onMessage = (message: { readonly type: string }) => {
      if (message.type !== type) return
      clearTimeout(timer)
      child.off("message", onMessage)
      resolve(message as A)
    }
    child.on("message", onMessage)
  })

const startPath = async (name: string, mode: string, filename: string): Promise<Target> => {
  const script = fileURLToPath(new URL("./e2e-path.ts", import.meta.url))
  const child = spawn(process.execPath, ["--import", tsx, script, mode, filename, consumerSecret], {
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`the ${name} process exited with ${code}`)))
  )
  const { port } = await Promise.race([next<{ port: number }>(child, "ready"), exited])
  // align the clocks: the ping with the shortest round trip bounds the error by half of it
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 }
  for (let id = 0; id < 30; id++) {
    const sent = performance.now()
    const pong = next<{ at: number }>(child, "pong")
    child.send({ type: "ping", id })
    const { at } = await pong
    const received = performance.now()
    if (received - sent < best.rtt) best = { rtt: received - sent, offset: at - (sent + received) / 2 }
  }
  return { name, child, url: `http://127.0.0.1:${port}/webhook`, offset: best.offset, handled: new Map() }
}

/** Collects what the path's plugin saw so far. */
const collect = async (path: Target) => {
  const reply = next<{ items: ReadonlyArray<[string, number]> }>(path.child, "handled")
  path.child.send({ type: "flush" })
  for (const [id, at] of (await reply).items) path.handled.set(id, at - path.offset)
}

const run = async () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "aaa-e2e-bench-"))
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      // one attempt per delivery (no retries), so a failure shows up as such instead of as a late event
      Deliveries.layer({ retryWaits: [] }).pipe(Layer.provide(NodeHttpClient.layerUndici)),
      Generator.layer({ seed: "e2e-bench", subscribed: [{ id: forUserId, screenName: "XDevelopers" }] })
    )
  )
  const paths: Array<Target> = []
  try {
    const { deliveries, activities } = await runtime.runPromise(
      Effect.gen(function* () {
        const generator = yield* Generator.Generator
        const total = (rate * (warmupMillis + measureMillis)) / 1000
        const activities = yield* Effect.forEach(Array.from({ length: total }), () =>
          Effect.map(generator.generate("Tweet", { forUserId }), (activity) => {
            const body = activity.bodyFor(forUserId)
            const tweetId = (JSON.parse(body) as { tweet_create_events: Array<{ id_str: string }> })
              .tweet_create_events[0]!.id_str
            return { activity, body, tweetId }
          })
        )
        return { deliveries: yield* Deliveries.Deliveries, activities }
      })
    )
    if (new Set(activities.map((a) => a.tweetId)).size !== activities.length) throw new Error("duplicate Tweet ids")

    paths.push(await startPath("bare", "bare", Path.join(dir, "bare.db")))
    paths.push(await startPath("toolkit", "toolkit", Path.join(dir, "toolkit.db")))
    const sentAt = paths.map(() => new Map<string, number>())
    // the events whose POST was not answered 200 (a 503, or no answer within the emulator's 3 s)
    const refused = paths.map(() => new Set<string>())
    const secret = Redacted.make(consumerSecret)

    /** Sends `activities[from, to)` to the path at `rate`/s (open loop), then waits until its plugin saw them. */
    const turn = async (index: number, from: number, to: number) => {
      const path = paths[index]!
      const interval = 1000 / rate
      const started = performance.now()
      let sent = from
      const outcomes: Array<Promise<void>> = []
      while (sent < to) {
        const due = Math.min(to, from + Math.floor((performance.now() - started) / interval) + 1)
        for (; sent < due; sent++) {
          const { activity, body, tweetId } = activities[sent]!
          sentAt[index]!.set(tweetId, performance.now())
          const delivery = deliveries.deliver({
            webhookId: "bench",
            url: path.url,
            consumerSecret: secret,
            body,
            forUserId,
            activityId: activity.id
          })
          outcomes.push(
            runtime.runPromise(Effect.flatMap(delivery, (handle) => handle.await)).then((outcome) => {
              if (outcome !== "Delivered") refused[index]!.add(tweetId)
            })
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
      // every POST answered (or timed out after 3 s), then every event answered 200 must reach the plugin
      await Promise.all(outcomes)
      const expected = activities.slice(from, to).filter((a) => !refused[index]!.has(a.tweetId))
      const deadline = performance.now() + 30_000
      for (;;) {
        await collect(path)
        if (expected.every((a) => path.handled.has(a.tweetId))) break
        if (performance.now() > deadline) throw new Error(`the ${path.name} path lost events`)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const last = Math.max(started, ...expected.map((a) => path.handled.get(a.tweetId)!))
      return { events: expected.length, millis: last - started }
    }

    const warmup = (rate * warmupMillis) / 1000
    for (let i = 0; i < paths.length; i++) await turn(i, 0, warmup)
    const perTurn = (rate * turnMillis) / 1000
    // events / milliseconds from the first POST of a turn to the plugin seeing its last event, per path
    const drained = paths.map(() => ({ events: 0, millis: 0 }))
    for (let t = 0; t < measureMillis / turnMillis; t++) {
      const from = warmup + t * perTurn
      // alternate who goes first, so neither always follows the other's turn
      for (const i of t % 2 === 0 ? [0, 1] : [1, 0]) {
        const { events, millis } = await turn(i, from, from + perTurn)
        drained[i]!.events += events
        drained[i]!.millis += millis
      }
    }

    const log = await runtime.runPromise(deliveries.log)
    const stats = paths.map((path, i) => {
      const measured = activities.slice(warmup)
      const latencies = measured
        .filter((a) => !refused[i]!.has(a.tweetId))
        .map((a) => path.handled.get(a.tweetId)! - sentAt[i]!.get(a.tweetId)!)
        .sort((a, b) => a - b)
      const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!
      return {
        name: path.name,
        events: latencies.length,
        p50: at(0.5),
        p99: at(0.99),
        max: latencies.at(-1)!,
        sustained: (drained[i]!.events / drained[i]!.millis) * 1000,
        refused: measured.filter((a) => refused[i]!.has(a.tweetId)).length
      }
    })
    console.log(
      `${rate} events/s, ${warmupMillis / 1000} s warm-up, ${measureMillis / 1000} s measured per path in turns of ${turnMillis / 1000} s; ${log.length} POSTs in all\n`
    )
    console.table(
      stats.map((row) => ({
        path: row.name,
        events: row.events,
        "p50 ms": row.p50.toFixed(2),
        "p99 ms": row.p99.toFixed(2),
        "max ms": row.max.toFixed(2),
        "sustained /s": row.sustained.toFixed(0),
        "not 200": row.refused
      }))
    )
    const [bare, toolkit] = stats as [(typeof stats)[0], (typeof stats)[0]]
    console.log(
      `ratio (toolkit / bare): p50 ${(toolkit.p50 / bare.p50).toFixed(2)}x, p99 ${(toolkit.p99 / bare.p99).toFixed(2)}x`
    )

    const file = process.env.AAA_BENCH_RESULTS
    if (file) {
      const common = {
        bench: "e2e-latency",
        title: "End to end: emulator POST to plugin, 500 events/s",
        about:
          "the time from the emulator's delivery engine starting a signed POST to the plugin's handler running, at 500 Tweet events/s (open loop) for 10 s per path after 2 s of warm-up. The emulator runs in the benchmark's process; each path in a process of its own (the toolkit's receiver and worker share one process and one SQLite file, as in the sandbox); the two paths take turns of 1 s and never run at once. A path that falls behind shows it in the sustained rate (events of a turn per second from its first POST to its last event at the plugin). The toolkit's path also decodes every event into the typed union, dedupes it (SeenStore), and acks only after the plugin; the baseline polls a table and JSON.parses.",
        case: "receiver → SqliteQueue → worker → plugin",
        baseline: "node:http + HMAC + better-sqlite3 → polling consumer → callback",
        better: "lower"
      }
      const note = `${toolkit.events} events each; max ${toolkit.max.toFixed(1)} ms (baseline ${bare.max.toFixed(1)} ms); sustained ${toolkit.sustained.toFixed(0)}/s (baseline ${bare.sustained.toFixed(0)}/s)${toolkit.refused + bare.refused > 0 ? `; POSTs not answered 200 (left out of the latencies): ${toolkit.refused} (baseline ${bare.refused})` : ""}`
      for (const [metric, value, baselineValue] of [
        ["p50 latency, ms", toolkit.p50, bare.p50],
        ["p99 latency, ms", toolkit.p99, bare.p99]
      ] as const) {
        appendFileSync(
          file,
          `${JSON.stringify({ ...common, metric, value, baselineValue, ratio: value / baselineValue, note })}\n`
        )
      }
    }
  } finally {
    for (const path of paths) path.child.kill("SIGKILL")
    await runtime.dispose()
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

run().catch((error) => {
  console.error(error)
  process.exit(1)
})
