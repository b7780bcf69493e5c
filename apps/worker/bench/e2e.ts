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

/** The offered rates: one the toolkit's path keeps up with on a small machine, and the one the issue asks for. */
const rates = [100, 500]
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

/** Collects what the path's plugin saw so far; answers the CPU time the path's process used so far, in µs. */
const collect = async (path: Target) => {
  const reply = next<{ items: ReadonlyArray<[string, number]>; cpu: number }>(path.child, "handled")
  path.child.send({ type: "flush" })
  const { cpu, items } = await reply
  for (const [id, at] of items) path.handled.set(id, at - path.offset)
  return cpu
}

interface Activity {
  readonly activity: Generator.Activity
  readonly body: string
  readonly tweetId: string
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
    const total =
      (rates[0]! * warmupMillis) / 1000 + rates.reduce((sum, rate) => sum + (rate * measureMillis) / 1000, 0)
    const { deliveries, activities } = await runtime.runPromise(
      Effect.gen(function* () {
        const generator = yield* Generator.Generator
        const activities = yield* Effect.forEach(Array.from({ length: total }), () =>
          Effect.map(generator.generate("Tweet", { forUserId }), (activity): Activity => {
            const body = activity.bodyFor(forUserId)
            const tweetId = (JSON.parse(body) as { tweet_create_events: Array<{ id_str: string }> })
              .tweet_create_events[0]!.id_str
            return { activity, body, tweetId }
          })
        )
        return { deliveries: yield* Deliveries.Deliveries, activities }
      })
    )
    // every event is new to both paths (the toolkit's worker would drop a repeated one as a duplicate)
    if (new Set(activities.map((a) => a.tweetId)).size !== activities.length) throw new Error("duplicate Tweet ids")

    paths.push(await startPath("bare", "bare", Path.join(dir, "bare.db")))
    paths.push(await startPath("toolkit", "toolkit", Path.join(dir, "toolkit.db")))
    const sentAt = paths.map(() => new Map<string, number>())
    // the events whose POST was not answered 200 (a 503, or no answer within the emulator's 3 s)
    const refused = paths.map(() => new Set<string>())
    const secret = Redacted.make(consumerSecret)

    /**
     * Sends `batch` to the path at `rate`/s (open loop), then waits until its plugin saw every event answered 200.
     * Answers how many it saw, the time from the first POST to the last event at the plugin, and the CPU time
     * the path's process used meanwhile.
     */
    const turn = async (index: number, batch: ReadonlyArray<Activity>, rate: number) => {
      const path = paths[index]!
      const interval = 1000 / rate
      const cpuBefore = await collect(path)
      const started = performance.now()
      let sent = 0
      const outcomes: Array<Promise<void>> = []
      while (sent < batch.length) {
        const due = Math.min(batch.length, Math.floor((performance.now() - started) / interval) + 1)
        for (; sent < due; sent++) {
          const { activity, body, tweetId } = batch[sent]!
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
      const expected = batch.filter((a) => !refused[index]!.has(a.tweetId))
      const deadline = performance.now() + 30_000
      let cpuAfter = cpuBefore
      for (;;) {
        cpuAfter = await collect(path)
        if (expected.every((a) => path.handled.has(a.tweetId))) break
        if (performance.now() > deadline) throw new Error(`the ${path.name} path lost events`)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const last = Math.max(started, ...expected.map((a) => path.handled.get(a.tweetId)!))
      return { events: expected.length, millis: last - started, cpu: cpuAfter - cpuBefore }
    }

    let taken = 0
    const take = (n: number) => {
      taken += n
      return activities.slice(taken - n, taken)
    }
    const warmup = take((rates[0]! * warmupMillis) / 1000)
    for (let i = 0; i < paths.length; i++) await turn(i, warmup, rates[0]!)

    const phases: Array<{ rate: number; stats: Array<ReturnType<typeof summary>> }> = []
    const summary = (
      index: number,
      batch: ReadonlyArray<Activity>,
      drained: { events: number; millis: number; cpu: number }
    ) => {
      const latencies = batch
        .filter((a) => !refused[index]!.has(a.tweetId))
        .map((a) => paths[index]!.handled.get(a.tweetId)! - sentAt[index]!.get(a.tweetId)!)
        .sort((a, b) => a - b)
      const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!
      return {
        name: paths[index]!.name,
        events: latencies.length,
        p50: at(0.5),
        p99: at(0.99),
        max: latencies.at(-1)!,
        sustained: (drained.events / drained.millis) * 1000,
        cpuPerEvent: drained.cpu / 1000 / drained.events,
        refused: batch.length - latencies.length
      }
    }
    for (const rate of rates) {
      const batch = take((rate * measureMillis) / 1000)
      const perTurn = (rate * turnMillis) / 1000
      const drained = paths.map(() => ({ events: 0, millis: 0, cpu: 0 }))
      for (let t = 0; t < measureMillis / turnMillis; t++) {
        // alternate who goes first, so neither always follows the other's turn
        for (const i of t % 2 === 0 ? [0, 1] : [1, 0]) {
          const { cpu, events, millis } = await turn(i, batch.slice(t * perTurn, (t + 1) * perTurn), rate)
          drained[i]!.events += events
          drained[i]!.millis += millis
          drained[i]!.cpu += cpu
        }
      }
      phases.push({ rate, stats: paths.map((_, i) => summary(i, batch, drained[i]!)) })
    }

    const log = await runtime.runPromise(deliveries.log)
    console.log(
      `${warmupMillis / 1000} s warm-up, then ${measureMillis / 1000} s measured per path and rate, in turns of ${turnMillis / 1000} s; ${log.length} POSTs in all\n`
    )
    console.table(
      phases.flatMap(({ rate, stats }) =>
        stats.map((row) => ({
          "events/s": rate,
          path: row.name,
          events: row.events,
          "p50 ms": row.p50.toFixed(2),
          "p99 ms": row.p99.toFixed(2),
          "max ms": row.max.toFixed(2),
          "sustained /s": row.sustained.toFixed(0),
          "CPU ms/event": row.cpuPerEvent.toFixed(2),
          "not 200": row.refused
        }))
      )
    )

    const file = process.env.AAA_BENCH_RESULTS
    const report = (result: { metric: string; value: number; baselineValue: number; note: string }) => {
      if (!file) return
      const line = {
        bench: "e2e-latency",
        title: "End to end: emulator POST to plugin",
        about: `the time from the emulator's delivery engine starting a signed POST to the plugin's handler running, at ${rates.join(" and ")} Tweet events/s (open loop) for ${measureMillis / 1000} s per path and rate, after ${warmupMillis / 1000} s of warm-up. The emulator runs in the benchmark's process; each path in a process of its own (the toolkit's receiver and worker share one process and one SQLite file, as in the sandbox); the two paths take turns of ${turnMillis / 1000} s and never run at once. The toolkit's path also decodes every event into the typed union, dedupes it (SeenStore), and acks only after the plugin; the baseline polls a table and JSON.parses. A path that cannot keep up with the rate shows it in its sustained rate (events of a turn per second, from its first POST to its last event at the plugin): its latency then grows during each turn. CPU per event is the CPU time of the path's process over the measured turns, per event.`,
        case: "receiver → SqliteQueue → worker → plugin",
        baseline: "node:http + HMAC + better-sqlite3 → polling consumer → callback",
        better: "lower",
        ...result,
        ratio: result.value / result.baselineValue
      }
      appendFileSync(file, `${JSON.stringify(line)}\n`)
    }
    for (const { rate, stats } of phases) {
      const [bare, toolkit] = stats as [(typeof stats)[0], (typeof stats)[0]]
      console.log(
        `${rate} events/s, ratio (toolkit / bare): p50 ${(toolkit.p50 / bare.p50).toFixed(2)}x, p99 ${(toolkit.p99 / bare.p99).toFixed(2)}x, CPU per event ${(toolkit.cpuPerEvent / bare.cpuPerEvent).toFixed(2)}x`
      )
      const note = `sustained ${toolkit.sustained.toFixed(0)}/s (baseline ${bare.sustained.toFixed(0)}/s); max ${toolkit.max.toFixed(1)} ms (baseline ${bare.max.toFixed(1)} ms)${toolkit.refused + bare.refused > 0 ? `; POSTs not answered 200, left out: ${toolkit.refused} (baseline ${bare.refused})` : ""}`
      report({ metric: `p50 latency at ${rate}/s, ms`, value: toolkit.p50, baselineValue: bare.p50, note })
      report({ metric: `p99 latency at ${rate}/s, ms`, value: toolkit.p99, baselineValue: bare.p99, note })
      report({
        metric: `CPU per event at ${rate}/s, ms`,
        value: toolkit.cpuPerEvent,
        baselineValue: bare.cpuPerEvent,
        note: `${toolkit.events} events (baseline ${bare.events})`
      })
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
