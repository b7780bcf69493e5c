/**
 * The worker process: `node dist/main.js` (or `pnpm worker` from the repository root), configured from the
 * environment (see `WorkerConfig`).
 *
 * @since 0.1.0
 */
import { hostname } from "node:os"
import * as QueueUrl from "@account-activity/app-receiver/QueueUrl"
import { AccountActivityClient } from "@account-activity/client"
import { ReplayJobs } from "@account-activity/replay"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"
import * as Lifecycle from "./Lifecycle.js"
import * as Plugins from "./Plugins.js"
import * as Recovery from "./Recovery.js"
import * as Worker from "./Worker.js"
import * as WorkerConfig from "./WorkerConfig.js"

const program = Effect.gen(function* () {
  const config = yield* WorkerConfig.load
  const specs = Plugins.parseList(config.plugins)
  const plugins = yield* Plugins.loadAll(specs)
  const consumer = `${hostname()}-${process.pid}`
  const QueueLive = QueueUrl.layer(config.queueUrl)

  const WorkerLive = Worker.layer(
    {
      consumer,
      concurrency: config.concurrency,
      maxAttempts: config.maxAttempts,
      visibilityTimeout: config.visibilityTimeout
    },
    plugins
  )
  // With AAA_WEBHOOK_URL: the lifecycle, Replay jobs and gap recovery, sharing one client.
  const LifecycleLive = Option.match(config.lifecycle, {
    onNone: () => Layer.empty,
    onSome: (lifecycle) => {
      const ClientLive = AccountActivityClient.layer({
        app: lifecycle.app,
        owner: lifecycle.owner,
        bearerToken: lifecycle.bearerToken,
        baseUrl: lifecycle.apiUrl
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const Managed = Lifecycle.layer({
        webhookUrl: lifecycle.webhookUrl,
        users: lifecycle.users,
        interval: lifecycle.interval,
        owner: consumer
      }).pipe(Layer.merge(ReplayJobs.layer()))
      return Recovery.layer({ interval: lifecycle.gapInterval, owner: consumer }).pipe(
        Layer.provideMerge(Managed),
        Layer.provide(ClientLive)
      )
    }
  })

  yield* Effect.logInfo(
    `worker ${consumer}: queue ${QueueUrl.redact(config.queueUrl)}, plugins ${specs.join(", ") || "(none)"}, lifecycle ${
      Option.isSome(config.lifecycle) ? `on for ${config.lifecycle.value.webhookUrl}` : "off (set AAA_WEBHOOK_URL)"
    }`
  )
  return yield* Layer.launch(WorkerLive.pipe(Layer.provide(LifecycleLive), Layer.provide(QueueLive)))
})

NodeRuntime.runMain(program)
