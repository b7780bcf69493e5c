import { WebhookSecrets, WebhookSignature } from "@account-activity/crc"
import { Deliveries, Emulator, Server } from "@account-activity/emulator"
import { SqliteQueue } from "@account-activity/queue-sqlite"
import { HttpServer } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Either, Layer } from "effect"
import * as Receiver from "../src/Receiver.js"
import { drainQueue, request, text } from "./utils/http.js"
import { tempFile } from "./utils/tempFile.js"

// The emulator on its own server, with its delivery engine (signed POSTs, X's retry timeline).
const EmulatorLive = Server.layer().pipe(
  Layer.provideMerge(Server.layerDeliveries()),
  Layer.provideMerge(Emulator.layer({ seed: "receiver" })),
  Layer.provideMerge(NodeHttpClient.layerUndici)
)

describe("the emulator as the peer", () => {
  it.live(
    "registers the receiver (CRC), and every delivery of every kind ends up in the SQLite queue, byte for byte",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const deliveries = yield* Deliveries.Deliveries
        const emulatorUrl = yield* Server.url
        const { app, credentials } = yield* emulator.createApp({ name: "receiver-test" })

        // The receiver, keyed with the app's consumer secret, checking the CRC GET's signature too.
        const filename = yield* tempFile
        const receiver = yield* Layer.build(
          Receiver.layerServer({ port: 0, host: "127.0.0.1", path: "/webhooks/x", verifyCrcSignature: true }).pipe(
            Layer.provideMerge(SqliteQueue.layer({ filename })),
            Layer.provide(WebhookSecrets.layer(credentials.consumerSecret)),
            Layer.orDie
          )
        )
        const address = Context.get(receiver, HttpServer.HttpServer).address
        assert.strictEqual(address._tag, "TcpAddress")
        const url = `http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}/webhooks/x`

        const webhook = yield* emulator.registerWebhook(app.id, url)
        assert.isTrue(webhook.valid)
        for (const screenName of ["alice", "bob", "carol"]) {
          const { user } = yield* emulator.createUser({ appId: app.id, screenName })
          yield* emulator.subscribe({ appId: app.id, webhookId: webhook.id, userId: user.id })
        }
        // Two of each of the 19 activity kinds, delivered to every subscribed user they concern.
        const injected = yield* request(`${emulatorUrl}/_emulator/activity`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ count: 38 })
        })
        assert.strictEqual(injected.status, 202, injected.text)
        yield* deliveries.awaitIdle

        const records = (yield* deliveries.records).filter((record) => record.webhookId === webhook.id)
        assert.isAtLeast(records.length, 38)
        assert.isTrue(
          records.every((record) => record.outcome === "Delivered"),
          "every delivery was answered 200"
        )
        const stored = yield* drainQueue.pipe(Effect.provide(receiver))
        assert.deepStrictEqual(stored.map((message) => text(message.body)).sort(), records.map((r) => r.body).sort())
        for (const message of stored) {
          assert.strictEqual(message.source, "webhook")
          assert.strictEqual(message.headers["content-type"], "application/json")
          const check = WebhookSignature.verifyWith(
            message.body,
            message.headers[WebhookSignature.headerName],
            credentials.consumerSecret
          )
          assert.isTrue(Either.isRight(check), "the stored signature still verifies the stored bytes")
        }

        const metrics = Context.get(receiver, Receiver.Receiver).metrics.snapshot()
        assert.strictEqual(metrics.accepted, records.length)
        assert.isAtLeast(metrics.crcAnswered, 1)
        assert.strictEqual(metrics.rejected.signature_invalid, 0)
        // A PUT runs the CRC again, against the signed GET check.
        const validated = yield* emulator.validateWebhook(app.id, webhook.id)
        assert.isTrue(validated.valid)
      }).pipe(Effect.scoped, Effect.provide(EmulatorLive)),
    30_000
  )
})
