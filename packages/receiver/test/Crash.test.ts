import * as Http from "node:http"
import { WebhookSignature } from "@account-activity/crc"
import { SqliteQueue } from "@account-activity/queue-sqlite"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Redacted } from "effect"
import { kill, start, waitFor } from "./utils/child.js"
import { drainQueue, send, text } from "./utils/http.js"
import { tempFile } from "./utils/tempFile.js"

const consumerSecret = "crash-test-consumer-secret"

const integrity = (filename: string) => {
  const db = new Database(filename)
  try {
    return db.pragma("integrity_check", { simple: true })
  } finally {
    db.close()
  }
}

describe("kill -9", () => {
  it.live(
    "of a receiver in the middle of a burst over 32 connections loses no delivery that was answered 200",
    () =>
      Effect.gen(function* () {
        const filename = yield* tempFile
        const child = yield* start("receiver.ts", [filename, consumerSecret])
        yield* waitFor(child, (lines) => lines.some((line) => line.startsWith("listening ")))
        const port = child.lines.find((line) => line.startsWith("listening "))!.split(" ")[1]
        const url = `http://127.0.0.1:${port}/webhook`

        const agent = new Http.Agent({ keepAlive: true, maxSockets: 32 })
        const acknowledged: Array<string> = []
        const refused: Array<number> = []
        let stop = false
        // 32 senders, each posting signed deliveries one after another until the receiver is gone.
        const sender = async (id: number) => {
          for (let seq = 0; !stop; seq++) {
            const body = JSON.stringify({ for_user_id: String(id), seq, text: `caf\u00e9 \\/ ${"x".repeat(1500)}` })
            const signature = WebhookSignature.signWith(body, Redacted.make(consumerSecret))
            try {
              const reply = await send(url, {
                method: "POST",
                headers: { "content-type": "application/json", [WebhookSignature.headerName]: signature },
                body,
                agent
              })
              if (reply.status === 200) acknowledged.push(body)
              else refused.push(reply.status)
            } catch {
              return // the receiver was killed
            }
          }
        }
        const burst = Promise.all(Array.from({ length: 32 }, (_, id) => sender(id)))
        // Kill it mid-burst, once a good number of deliveries were acknowledged.
        for (let i = 0; i < 1500 && acknowledged.length < 600; i++) yield* Effect.sleep("10 millis")
        assert.isAtLeast(acknowledged.length, 600, "the receiver acknowledged too few deliveries before the kill")
        const signal = yield* kill(child)
        assert.strictEqual(signal, "SIGKILL")
        stop = true
        yield* Effect.promise(() => burst)
        agent.destroy()

        assert.deepStrictEqual(refused, [], "nothing is refused while the receiver runs")
        assert.strictEqual(integrity(filename), "ok")
        const stored = yield* drainQueue.pipe(Effect.provide(SqliteQueue.layer({ filename })))
        const bodies = new Set(stored.map((message) => text(message.body)))
        const missing = acknowledged.filter((body) => !bodies.has(body))
        assert.deepStrictEqual(missing.length, 0, `${missing.length} acknowledged deliveries are missing after kill -9`)
        assert.isAtLeast(bodies.size, acknowledged.length)
      }).pipe(Effect.scoped),
    30_000
  )

  // A consumer killed before its acks: the unacked records come back after the visibility timeout. The
  // receiver only appends; that half of the guarantee is the queue's, tested in
  // packages/queue-sqlite/test/Crash.test.ts ("of a consumer before its acks brings the unacked messages back").
})
