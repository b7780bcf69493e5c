// One path of the end-to-end benchmark (e2e.ts), in a process of its own, talking to its parent over IPC.
// Usage: node --import tsx bench/e2e-path.ts <toolkit|bare> <sqlite file> <consumer secret>
//
//   toolkit  the receiver (Receiver.layerServer) and the worker (Worker.layer) with a plugin, on one SqliteQueue
//            file with its default options, in this one process: what the sandbox runs.
//   bare     what one writes without the toolkit: node:http, an HMAC check with node:crypto, the bodies of one
//            turn of the event loop inserted into better-sqlite3 in one transaction (WAL, synchronous = FULL)
//            before the 200s go out; a consumer that polls the table (at once after each insert, as the
//            toolkit's consumer is woken by its append, else every 100 ms), JSON.parses each body and calls back,
//            then deletes what it handled (synchronous = NORMAL, as the toolkit's acks).
//
// Both report, for each Tweet handed to the plugin (callback), its id and `performance.now()` at that moment.
// Messages: parent → child `{ type: "ping", id }` (answered `{ type: "pong", id, at }`, to align the clocks) and
// `{ type: "flush" }` (answered `{ type: "handled", items: [[tweetId, at], …], cpu }`, cpu: the CPU time this
// process used so far, in µs); child → parent
// `{ type: "ready", port }` once it serves.
import { createHmac, createSecretKey, timingSafeEqual } from "node:crypto"
import * as Http from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import { Plugin } from "@account-activity/core"
import { WebhookSecrets } from "@account-activity/crc"
import { SqliteQueue } from "@account-activity/queue-sqlite"
import { Receiver } from "@account-activity/receiver"
import { HttpServer } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"
import * as Worker from "../src/Worker.js"

/** The part of better-sqlite3 the baseline uses (this app has no type declarations for it). */
interface Statement {
  run(...params: ReadonlyArray<unknown>): unknown
  all(...params: ReadonlyArray<unknown>): Array<unknown>
}
const Database = createRequire(import.meta.url)("better-sqlite3") as new (
  filename: string
) => {
  pragma(source: string): unknown
  exec(source: string): void
  prepare(source: string): Statement
  readonly inTransaction: boolean
}

const [mode = "bare", filename = "", consumerSecret = ""] = process.argv.slice(2)

let handled: Array<[string, number]> = []
const record = (tweetId: string) => {
  handled.push([tweetId, performance.now()])
}

const send = (message: unknown) => process.send?.(message)
process.on("message", (message: { readonly type: string; readonly id?: number }) => {
  if (message.type === "ping") send({ type: "pong", id: message.id, at: performance.now() })
  else if (message.type === "flush") {
    const items = handled
    handled = []
    const cpu = process.cpuUsage()
    send({ type: "handled", items, cpu: cpu.user + cpu.system })
  }
})
process.on("disconnect", () => process.exit(0))

const toolkit = async () => {
  const BenchPlugin = Plugin.make("bench", {
    Tweet: (event) => Effect.sync(() => record(event.tweetId))
  })
  const Live = Layer.merge(
    Receiver.layerServer({ port: 0, host: "127.0.0.1" }).pipe(
      Layer.provide(WebhookSecrets.layer(Redacted.make(consumerSecret)))
    ),
    Worker.layer({ consumer: "bench" }, BenchPlugin)
  ).pipe(Layer.provide(SqliteQueue.layer({ filename })))
  const program = Effect.gen(function* () {
    const server = yield* HttpServer.HttpServer
    send({ type: "ready", port: server.address._tag === "TcpAddress" ? server.address.port : 0 })
    return yield* Effect.never
  }).pipe(Effect.provide(Live))
  await Effect.runPromise(program as Effect.Effect<never, unknown>)
}

const bare = () => {
  const db = new Database(filename)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = FULL")
  db.exec(
    "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL, signature TEXT NOT NULL, received_at INTEGER NOT NULL)"
  )
  const insert = db.prepare("INSERT INTO messages (body, signature, received_at) VALUES (?, ?, ?)")
  const due = db.prepare("SELECT id, body FROM messages ORDER BY id LIMIT 64")
  const remove = db.prepare("DELETE FROM messages WHERE id <= ?")
  let synchronous = "FULL"
  const sync = (level: "FULL" | "NORMAL") => {
    if (synchronous !== level) db.pragma(`synchronous = ${level}`)
    synchronous = level
  }
  const key = createSecretKey(Buffer.from(consumerSecret, "utf8"))

  const callback = (event: { readonly tweet_create_events?: ReadonlyArray<{ readonly id_str: string }> }) => {
    const tweet = event.tweet_create_events?.[0]
    if (tweet !== undefined) record(tweet.id_str)
  }

  let polling = false
  const poll = () => {
    if (polling) return
    polling = true
    try {
      for (;;) {
        sync("NORMAL")
        db.exec("BEGIN IMMEDIATE")
        const rows = due.all() as Array<{ id: number; body: Buffer }>
        for (const row of rows) callback(JSON.parse(row.body.toString("utf8")))
        if (rows.length > 0) remove.run(rows[rows.length - 1]!.id)
        db.exec("COMMIT")
        if (rows.length < 64) break
      }
    } finally {
      if (db.inTransaction) db.exec("ROLLBACK")
      polling = false
    }
  }
  setInterval(poll, 100)

  let pending: Array<{ body: Buffer; signature: string; done: (ok: boolean) => void }> = []
  const flush = () => {
    const batch = pending
    pending = []
    let ok = true
    try {
      sync("FULL")
      db.exec("BEGIN IMMEDIATE")
      const now = Date.now()
      for (const item of batch) insert.run(item.body, item.signature, now)
      db.exec("COMMIT")
    } catch {
      ok = false
      if (db.inTransaction) db.exec("ROLLBACK")
    }
    for (const item of batch) item.done(ok)
    setImmediate(poll)
  }

  const server = Http.createServer((req, res) => {
    const reply = (status: number) => {
      res.writeHead(status)
      res.end()
    }
    if (req.method !== "POST") return reply(405)
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
      pending.push({ body, signature, done: (ok) => reply(ok ? 200 : 503) })
    })
  })
  server.listen(0, "127.0.0.1", () => send({ type: "ready", port: (server.address() as AddressInfo).port }))
}

if (mode === "toolkit") {
  toolkit().catch((error) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  })
} else bare()
