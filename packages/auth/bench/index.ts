/**
 * OAuth 1.0a header generation per second: `OAuth1.authorizationHeader` against the `oauth-1.0a` package
 * (with `node:crypto` HMAC-SHA1), same request, same process. Run with `pnpm bench`.
 */
import { createHmac } from "node:crypto"
import { appendFileSync } from "node:fs"
import OAuth from "oauth-1.0a"
import { Bench } from "tinybench"
import * as Credentials from "../src/Credentials.js"
import * as OAuth1 from "../src/OAuth1.js"

const consumer = { key: "xvz1evFS4wEEPTGEFPHBog", secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw" }
const token = {
  key: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
  secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
}
const nonce = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
const timestamp = 1318622958
const url = "https://api.x.com/1.1/statuses/update.json?include_entities=true"
const method = "POST"
const data = { status: "Hello Ladies + Gentlemen, a signed OAuth request!" }

const credentials: Credentials.OAuth1Credentials = {
  app: Credentials.app({ consumerKey: consumer.key, consumerSecret: consumer.secret }),
  user: Credentials.user({ accessToken: token.key, accessTokenSecret: token.secret })
}
const ours = () => OAuth1.authorizationHeader({ method, url, formParams: data, credentials, nonce, timestamp })

const oauth = new OAuth({
  consumer,
  signature_method: "HMAC-SHA1",
  hash_function: (base, key) => createHmac("sha1", key).update(base).digest("base64")
})
oauth.getNonce = () => nonce
oauth.getTimeStamp = () => timestamp
const theirs = () => oauth.toHeader(oauth.authorize({ url, method, data }, token)).Authorization

// both must produce the same, correct header before their speed means anything
const expected = 'oauth_signature="Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D"'
if (!ours().includes(expected) || !theirs().includes(expected)) {
  throw new Error(`the two implementations disagree:\n${ours()}\n${theirs()}`)
}

const bench = new Bench({ time: 1000, warmupTime: 200 })
bench.add("@account-activity/auth OAuth1.authorizationHeader", () => {
  ours()
})
bench.add("oauth-1.0a authorize + toHeader", () => {
  theirs()
})
await bench.run()

const opsPerSecond = bench.tasks.map((task) => {
  const result = task.result
  if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`)
  return { name: task.name, ops: result.throughput.mean, rme: result.throughput.rme }
})
for (const { name, ops, rme } of opsPerSecond) {
  console.log(`${name.padEnd(52)} ${Math.round(ops).toLocaleString("en-US").padStart(10)} ops/s  ±${rme.toFixed(2)}%`)
}
const [a, b] = opsPerSecond
console.log(`ratio (ours / oauth-1.0a): ${(a!.ops / b!.ops).toFixed(2)}x`)

// the results protocol of `pnpm bench` (scripts/bench.mjs)
const results = process.env.AAA_BENCH_RESULTS
if (results) {
  const line = {
    bench: "auth-oauth",
    title: "OAuth 1.0a signing",
    about:
      "Authorization headers made per second for the same signed POST (consumer and user token, a form parameter, fixed nonce and timestamp), in one process with tinybench (1 s per task after 0.2 s of warm-up); both must first produce the same, correct header. The baseline is the `oauth-1.0a` package with a node:crypto HMAC-SHA1.",
    case: "OAuth1.authorizationHeader",
    baseline: "oauth-1.0a authorize + toHeader",
    metric: "headers/s",
    better: "higher",
    value: a!.ops,
    baselineValue: b!.ops,
    ratio: a!.ops / b!.ops,
    note: `±${a!.rme.toFixed(1)}% (baseline ±${b!.rme.toFixed(1)}%)`
  }
  appendFileSync(results, `${JSON.stringify(line)}\n`)
}
