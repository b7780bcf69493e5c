// One server of the benchmark, in a process of its own; prints "listening <port>" once it serves.
// Usage: node --import tsx bench/server.ts <baseline|sqlite|redis> <sqlite file or redis url> <consumer secret> [redis prefix]
import { createHmac, createSecretKey, timingSafeEqual } from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { WebhookSecrets } from "@account-activity/crc"
import type { EventQueue } from "@account-activity/queue"
import { SqliteQueue } from "@account-activity/queue-sqlite"
import { HttpServer } from "@effect/platform"
import Database from "better-sqlite3"
import { Effect, Layer, Redacted } from "effect"
import * as Receiver from "../src/Receiver.js"

process.on("SIGTERM", () => process.exit(0))

/** What this benchmark needs of @account-activity/queue-redis, which may not provide it yet. */
interface RedisModule {
  readonly RedisQueue?: {
    readonly layer?: (options: {
      readonly url: string
      readonly prefix: string
    }) => Layer.Layer<EventQueue.EventQueue, unknown>
  }
}

const [mode = "baseline", target = "", consumerSecret = "", prefix = "aaa-bench"] = process.argv.slice(2)

/**
 * The baseline: bare node:http, node:crypto HMAC verify, and a group-commit append into better-sqlite3 with the
 * durability of SqliteQueue (WAL, synchronous = FULL, one transaction for every append submitted while the
 * event loop was busy). The 200 goes out after COMMIT. A GET with `crc_token` gets the CRC answer.
 */
const baseline = () => {
  const db = new Database(target)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = FULL")
  db.exec(
    "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL, headers TEXT NOT NULL, source TEXT, received_at INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, available_at INTEGER NOT NULL)"
  )
  const insert = db.prepare(
    "INSERT INTO messages (body, headers, source, received_at, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?, ?)"
  )
  const key = createSecretKey(Buffer.from(consumerSecret, "utf8"))
  let pending: Array<{ body: Buffer; headers: string; at: number; done: (ok: boolean) => void }> = []
  const flush = () => {
    const batch = pending
    pending = []
    let ok = true
    try {
      db.exec("BEGIN IMMEDIATE")
      for (const item of batch) insert.run(item.body, item.headers, "webhook", item.at, item.at, item.at)
      db.exec("COMMIT")
    } catch {
      ok = false
      if (db.inTransaction) db.exec("ROLLBACK")
    }
    for (const item of batch) item.done(ok)
  }
  const server = Http.createServer((req, res) => {
    const reply = (status: number) => {
      res.writeHead(status)
      res.end()
    }
    if (req.method === "GET") {
      // CRC: HMAC-SHA256 of the crc_token under the consumer secret, as X documents it
      const token = new URL(req.url ?? "/", "http://localhost").searchParams.get("crc_token")
      if (token === null) return reply(400)
      const body = JSON.stringify({
        response_token: `sha256=${createHmac("sha256", key).update(token).digest("base64")}`
      })
      res.writeHead(200, { "content-type": "application/json" })
      return res.end(body)
    }
    const length = Number(req.headers["content-length"] ?? 0)
    const type = req.headers["content-type"]
    if (req.method !== "POST" || length > 1024 * 1024 || type?.split(";")[0]?.trim() !== "application/json") {
      return reply(400)
    }
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
      const signature = req.headers["x-twitter-webhooks-signature"]
      if (typeof signature !== "string" || !signature.startsWith("sha256=")) return reply(401)
      const expected = Buffer.from(signature.slice(7), "base64")
      const actual = createHmac("sha256", key).update(body).digest()
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return reply(401)
      if (pending.length === 0) setImmediate(flush)
      pending.push({
        body,
        headers: JSON.stringify({ "content-type": type, "x-twitter-webhooks-signature": signature }),
        at: Date.now(),
        done: (ok) => reply(ok ? 200 : 503)
      })
    })
  })
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`)
  })
}

const receiver = async () => {
  let queue: Layer.Layer<EventQueue.EventQueue, unknown>
  if (mode === "redis") {
    const module = (await import("@account-activity/queue-redis")) as unknown as RedisModule
    const layer = module.RedisQueue?.layer
    if (layer === undefined) throw new Error("@account-activity/queue-redis does not export RedisQueue.layer")
    queue = layer({ url: target, prefix })
  } else {
    // The receiver appends the deliveries of one turn of the event loop in one call (group append), so the
    // queue need not group them again: each append is committed at once, in the same turn.
    queue = SqliteQueue.layer({ filename: target, groupCommit: false })
  }
  const Live = Receiver.layerServer({ port: 0, host: "127.0.0.1" }).pipe(
    Layer.provide(queue),
    Layer.provide(WebhookSecrets.layer(Redacted.make(consumerSecret)))
  )
  const program = Effect.gen(function* () {
    const server = yield* HttpServer.HttpServer
    process.stdout.write(`listening ${server.address._tag === "TcpAddress" ? server.address.port : 0}\n`)
    return yield* Effect.never
  }).pipe(Effect.provide(Live))
  await Effect.runPromise(program as Effect.Effect<never, unknown>)
}

if (mode === "baseline") baseline()
else
  receiver().catch((error) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  })
