import { type AddressInfo, createServer } from "node:net"
import { AccountActivityClient } from "@account-activity/client"
import { WebhookSecrets } from "@account-activity/crc"
import { Emulator, Server } from "@account-activity/emulator"
import { MemoryQueue } from "@account-activity/queue"
import { Receiver } from "@account-activity/receiver"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import * as Lifecycle from "../src/Lifecycle.js"
import { eventually } from "./utils.js"

const freePort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

describe("Lifecycle", () => {
  it.scopedLive("tries a failed check again soon, not only after the interval", () =>
    Effect.gen(function* () {
      const emulatorContext = yield* Layer.build(
        Server.layer({ port: 0 }).pipe(
          Layer.provideMerge(Emulator.layer({ seed: 31 })),
          Layer.provide(NodeHttpClient.layerUndici)
        )
      )
      const emulator = Context.get(emulatorContext, Emulator.Emulator)
      const apiUrl = yield* Effect.provide(Server.url, emulatorContext)
      const created = yield* emulator.createApp({ name: "late-receiver" })
      const alice = yield* emulator.createUser({ appId: created.app.id, screenName: "alice" })

      // The webhook URL points at a port where no receiver listens yet: X's CRC GET fails, nothing registers.
      const port = yield* freePort
      const webhookUrl = `http://127.0.0.1:${port}/webhook`
      yield* Layer.build(
        Lifecycle.layer({
          webhookUrl,
          users: [alice.tokens],
          interval: "1 hour",
          retryAfter: "200 millis",
          owner: "worker-1"
        }).pipe(
          Layer.provide(
            AccountActivityClient.layer({ baseUrl: apiUrl, app: created.credentials, owner: created.owner }).pipe(
              Layer.provide(NodeHttpClient.layerUndici)
            )
          )
        )
      )
      yield* eventually(
        Effect.map(emulator.requestLog, (requests) =>
          requests.filter((request) => request.method === "POST" && request.status === 403)
        ),
        (refused) => refused.length >= 1
      )
      assert.deepStrictEqual(yield* emulator.webhooks, [])

      // The receiver comes up: the next check, well within the hour, registers and subscribes.
      yield* Layer.build(
        Receiver.layerServer({ port, host: "127.0.0.1", path: "/webhook" }).pipe(
          Layer.provide(WebhookSecrets.layer([created.credentials.consumerSecret])),
          Layer.provide(MemoryQueue.layer())
        )
      )
      const subscriptions = yield* eventually(emulator.subscriptions, (all) => all.length === 1)
      const webhooks = yield* emulator.webhooks
      assert.deepStrictEqual(
        webhooks.map((webhook) => [webhook.url, webhook.valid]),
        [[webhookUrl, true]]
      )
      assert.strictEqual(subscriptions[0]!.userId, alice.user.id)
    })
  )
})
