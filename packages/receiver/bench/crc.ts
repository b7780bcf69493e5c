// CRC under load: `GET /webhook?crc_token=…` at a fixed offered rate of 1,000 requests/s (open loop: requests
// go out on schedule whether or not earlier ones were answered), against
//   (a) a baseline: bare node:http + node:crypto HMAC-SHA256 of the token (server.ts, mode "baseline");
//   (b) the receiver (server.ts, mode "sqlite"; CRC does not touch the queue).
// Each server runs in a process of its own; this process sends to both at once, request for request (a stall
// of the machine, which on a shared machine decides the p99, then hits both alike): 1 s of warm-up, then 10 s
// measured. Every answer is checked (status 200 and the right response_token). Prints p50 / p99 of the time from sending a request to its whole answer, the achieved
// rate, and the ratios.
//
// Usage: pnpm bench --only receiver-crc   (or, in this package, tsx bench/crc.ts)
import { createHmac, randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type Pool, percentile, pool, report, startServer, stopServer } from "./harness.js"

const rate = 1000
const warmupMillis = 1000
const measureMillis = 10_000
const consumerSecret = "bench-consumer-secret"

/** 1024 distinct tokens shaped like X's (43 characters of base64url), with their expected answers. */
const tokens = Array.from({ length: 1024 }, () => {
  const token = randomBytes(32).toString("base64url")
  return {
    path: `/webhook?crc_token=${token}&nonce=${randomBytes(12).toString("hex")}`,
    expected: `sha256=${createHmac("sha256", consumerSecret).update(token).digest("base64")}`
  }
})

interface Tally {
  readonly latencies: Array<number>
  sent: number
  answered: number
  wrong: number
  seconds: number
}

/**
 * Sends to every client at `rate` per second for `millis` (open loop; in each slot the clients take turns to
 * go first), records each latency, and waits for the last answers. Returns how many answers were wrong.
 */
const openLoop = async (clients: ReadonlyArray<Pool>, millis: number, tallies: ReadonlyArray<Tally> | undefined) => {
  const interval = 1000 / rate
  const started = performance.now()
  const inFlight = new Set<Promise<void>>()
  const wrong = clients.map(() => 0)
  let sent = 0
  const fire = (index: number, client: number) => {
    const { expected, path } = tokens[index % tokens.length]!
    const at = performance.now()
    const request = clients[client]!.request({ path, method: "GET" })
      .then(async (response) => {
        const text = await response.body.text()
        const latency = performance.now() - at
        if (
          response.statusCode !== 200 ||
          (JSON.parse(text) as { response_token?: string }).response_token !== expected
        ) {
          wrong[client]!++
        } else tallies?.[client]?.latencies.push(latency)
      })
      .catch(() => {
        wrong[client]!++
      })
      .finally(() => inFlight.delete(request))
    inFlight.add(request)
  }
  while (performance.now() - started < millis) {
    const due = Math.min(Math.floor((performance.now() - started) / interval) + 1, Math.round(millis / interval))
    for (; sent < due; sent++) {
      for (let i = 0; i < clients.length; i++) fire(sent, (sent + i) % clients.length)
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  const seconds = (performance.now() - started) / 1000
  await Promise.all(inFlight)
  tallies?.forEach((tally, i) => {
    tally.sent += sent
    tally.answered += sent - wrong[i]!
    tally.wrong += wrong[i]!
    tally.seconds += seconds
  })
  return wrong.reduce((sum, n) => sum + n, 0)
}

const run = async () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "aaa-crc-bench-"))
  const cases = [
    { name: "bare node:http + node:crypto", mode: "baseline", target: Path.join(dir, "baseline.db") },
    { name: "receiver (Receiver.layerServer)", mode: "sqlite", target: Path.join(dir, "queue.db") }
  ]
  console.log(
    `${rate} CRC GETs/s offered to each server at once (open loop), ${warmupMillis / 1000} s warm-up, ${measureMillis / 1000} s measured\n`
  )
  const servers: Array<{ child: Awaited<ReturnType<typeof startServer>>["child"]; client: Pool }> = []
  const tallies = cases.map((): Tally => ({ latencies: [], sent: 0, answered: 0, wrong: 0, seconds: 0 }))
  try {
    for (const test of cases) {
      const { child, port } = await startServer(test.mode, test.target, consumerSecret)
      servers.push({ child, client: pool(port, 64) })
    }
    const clients = servers.map((server) => server.client)
    if ((await openLoop(clients, warmupMillis, undefined)) > 0) throw new Error("a server answered a CRC GET wrongly")
    await openLoop(clients, measureMillis, tallies)
  } finally {
    for (const server of servers) {
      await server.client.close()
      await stopServer(server.child)
    }
    Fs.rmSync(dir, { recursive: true, force: true })
  }

  const stats = tallies.map((tally) => {
    const sorted = Float64Array.from(tally.latencies).sort()
    return {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      rate: tally.answered / tally.seconds,
      wrong: tally.wrong
    }
  })
  console.table(
    cases.map((test, i) => ({
      server: test.name,
      "p50 ms": stats[i]!.p50.toFixed(3),
      "p99 ms": stats[i]!.p99.toFixed(3),
      "answered/s": stats[i]!.rate.toFixed(0),
      wrong: stats[i]!.wrong
    }))
  )
  const [bare, ours] = stats as [(typeof stats)[0], (typeof stats)[0]]
  console.log(
    `ratio (receiver / bare): p50 ${(ours.p50 / bare.p50).toFixed(2)}x, p99 ${(ours.p99 / bare.p99).toFixed(2)}x`
  )
  const common = {
    bench: "receiver-crc",
    title: "CRC answers under 1,000 requests/s",
    about:
      "the time from sending a CRC GET (`?crc_token=…&nonce=…`, a fresh 43-character token each) to reading its whole answer, at a fixed offered rate of 1,000 requests/s to each server (open loop) for 10 s, from a separate process; both servers, each in a process of its own, are sent to at the same time, request for request, so that a stall of the machine hits both alike. Every answer is checked. The receiver also checks the token's shape and runs the request through its Effect HTTP stack; the baseline only computes the HMAC.",
    case: cases[1]!.name,
    baseline: cases[0]!.name,
    better: "lower" as const
  }
  const note = `achieved ${ours.rate.toFixed(0)}/s (baseline ${bare.rate.toFixed(0)}/s)${ours.wrong + bare.wrong > 0 ? `; wrong or failed ${ours.wrong} (baseline ${bare.wrong})` : ""}`
  report({ ...common, metric: "p50 latency, ms", value: ours.p50, baselineValue: bare.p50, note })
  report({ ...common, metric: "p99 latency, ms", value: ours.p99, baselineValue: bare.p99, note })
  if (ours.wrong + bare.wrong > 0) throw new Error("some CRC answers were wrong or failed")
}

run().catch((error) => {
  console.error(error)
  process.exit(1)
})
