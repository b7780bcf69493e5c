/**
 * Signature verification cost per delivery: `WebhookSignature.verifyWith` against a bare node:crypto
 * `createHmac` + `timingSafeEqual` baseline, in the same process, for 2 KB and 10 KB bodies.
 *
 * Run with `pnpm bench` (a few seconds).
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { appendFileSync } from "node:fs"
import { Either, Redacted } from "effect"
import { Bench } from "tinybench"
import * as WebhookSignature from "../src/WebhookSignature.js"

const secretText = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw3Np5W1a"
const secret = Redacted.make(secretText)

/** A delivery-shaped JSON body of about `size` bytes, with X's `\/` escapes. */
const bodyOf = (size: number): string => {
  const event = String.raw`{"created_at":"Wed Aug 17 10:23:20 +0000 2022","id_str":"1556886030274000000","text":"hello https:\/\/t.co\/abc","source":"\u003ca href=\"https:\/\/mobile.twitter.com\"\u003eTwitter Web App\u003c\/a\u003e","user":{"id_str":"2244994945","screen_name":"XDevelopers"}}`
  const events: Array<string> = []
  let length = 60
  while (length < size) {
    events.push(event)
    length += event.length + 1
  }
  return `{"for_user_id":"2244994945","tweet_create_events":[${events.join(",")}]}`
}

/** The median latency of a task, in µs. */
const median = (bench: Bench, name: string): number => {
  const result = bench.getTask(name)?.result
  if (result === undefined || !("latency" in result) || result.latency.p50 === undefined) {
    throw new Error(`the task ${name} did not complete`)
  }
  return (result.latency.p50 * 1000) / batch
}

/** What a receiver writes without this package. */
const bareVerify = (body: string, header: string): boolean => {
  if (!header.startsWith("sha256=")) return false
  const expected = Buffer.from(header.slice(7), "base64")
  const actual = createHmac("sha256", secretText).update(body).digest()
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

const rounds = 6
const batch = 25
const results: Array<{ size: string; ours: number; bare: number }> = []

for (const size of [2 * 1024, 10 * 1024]) {
  const body = bodyOf(size)
  const header = WebhookSignature.signWith(body, secret)
  if (!bareVerify(body, header) || Either.isLeft(WebhookSignature.verifyWith(body, header, secret))) {
    throw new Error("the benchmark's signature does not verify")
  }
  let sink = 0
  // Several short interleaved rounds, keeping each task's best median: robust against a busy machine.
  let bare = Number.POSITIVE_INFINITY
  let ours = Number.POSITIVE_INFINITY
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: 150, warmupTime: 50 })
    // Each sample is a batch of calls, so the timer's own cost does not blur a few-µs call.
    const tasks = {
      bare: () => {
        for (let i = 0; i < batch; i++) if (bareVerify(body, header)) sink++
      },
      verifyWith: () => {
        for (let i = 0; i < batch; i++) if (Either.isRight(WebhookSignature.verifyWith(body, header, secret))) sink++
      }
    }
    // Alternate the order, so neither task always runs on a warmer (or busier) machine.
    for (const name of round % 2 === 0 ? (["bare", "verifyWith"] as const) : (["verifyWith", "bare"] as const)) {
      bench.add(name, tasks[name])
    }
    await bench.run()
    bare = Math.min(bare, median(bench, "bare"))
    ours = Math.min(ours, median(bench, "verifyWith"))
  }
  if (sink === 0) throw new Error("nothing was verified")
  results.push({ size: `${(Buffer.byteLength(body) / 1024).toFixed(1)} KB`, bare, ours })
}

console.log(`signature verification, µs per call (best median of ${rounds} rounds)`)
console.table(
  results.map((row) => ({
    body: row.size,
    "bare node:crypto": row.bare.toFixed(2),
    "WebhookSignature.verifyWith": row.ours.toFixed(2),
    "ratio (ours / bare)": (row.ours / row.bare).toFixed(3)
  }))
)

// the results protocol of `pnpm bench` (scripts/bench.mjs)
const file = process.env.AAA_BENCH_RESULTS
if (file) {
  for (const row of results) {
    const line = {
      bench: "crc-verify",
      title: "Signature verification",
      about: `time to verify the \`x-twitter-webhooks-signature\` of one delivery body (HMAC-SHA256 over the raw bytes, timing-safe compare), in one process with tinybench: the best median of ${rounds} short interleaved rounds, each sample a batch of ${batch} calls. The baseline is node:crypto \`createHmac\` + \`timingSafeEqual\` with nothing else; \`verifyWith\` also parses the header, checks its shape and tries every secret of a rotation.`,
      case: `WebhookSignature.verifyWith, ${row.size} body`,
      baseline: "node:crypto createHmac + timingSafeEqual",
      metric: "µs per call",
      better: "lower",
      value: row.ours,
      baselineValue: row.bare,
      ratio: row.ours / row.bare
    }
    appendFileSync(file, `${JSON.stringify(line)}\n`)
  }
}
