/**
 * The reference receiver process: `node dist/main.js` (or `pnpm receiver` from the repository root).
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `PORT` | the port to listen on | 8080 |
 * | `HOST` | the address to listen on | `0.0.0.0` |
 * | `AAA_WEBHOOK_PATH` | the webhook route (CRC GET and delivery POST) | `/webhook` |
 * | `AAA_CONSUMER_SECRET` | the app's consumer secret; several comma-separated during a rotation (new first) | required |
 * | `AAA_QUEUE_URL` | `sqlite:<path>` or `redis://…` | `sqlite:./data/aaa.db` |
 * | `AAA_MAX_BODY_BYTES` | the largest delivery accepted | 1048576 |
 *
 * @since 0.1.0
 */
import { WebhookSecrets } from "@account-activity/crc"
import { Receiver } from "@account-activity/receiver"
import { NodeRuntime } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"
import * as QueueUrl from "./QueueUrl.js"

const program = Effect.gen(function* () {
  const port = yield* Config.port("PORT").pipe(Config.withDefault(8080))
  const host = yield* Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
  const path = yield* Config.string("AAA_WEBHOOK_PATH").pipe(Config.withDefault("/webhook"))
  const maxBodyBytes = yield* Config.integer("AAA_MAX_BODY_BYTES").pipe(Config.withDefault(1024 * 1024))
  const queueUrl = yield* Config.string("AAA_QUEUE_URL").pipe(Config.withDefault(QueueUrl.defaultUrl))

  const SecretsLive = WebhookSecrets.layerConfig(Config.redacted("AAA_CONSUMER_SECRET"))
  const ReceiverLive = Receiver.layerServer({ port, host, path, maxBodyBytes }).pipe(
    Layer.provide(SecretsLive),
    Layer.provide(QueueUrl.layer(queueUrl))
  )
  yield* Layer.build(ReceiverLive)
  yield* Effect.logInfo(
    `receiver listening on ${host}:${port}${path} (queue ${QueueUrl.redact(queueUrl)}; health /healthz, metrics /metrics)`
  )
  return yield* Effect.never
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
