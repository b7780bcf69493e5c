import { createHmac } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { AccountActivityClient } from "@account-activity/client"
import { type ActivityEvent, Delivery, Ids } from "@account-activity/core"
import { Deliveries, Emulator, Server } from "@account-activity/emulator"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert } from "@effect/vitest"
import { Context, Effect, Either, Layer, Redacted, Runtime, type Scope, TestClock, TestServices } from "effect"
import * as ReplayJobs from "../../src/ReplayJobs.js"

export const MINUTE = 60_000
/** 2024-06-10T12:00:00Z */
export const T0 = Date.UTC(2024, 5, 10, 12, 0, 0)

/** The emulator on loopback (any port) with its delivery and replay engines, and an `HttpClient`. */
export const EmulatorLive = Server.layer().pipe(
  Layer.provideMerge(Server.layerReplay),
  Layer.provideMerge(Server.layerDeliveries()),
  Layer.provideMerge(Emulator.layer({ seed: 5, rateLimits: { replay: 100 } })),
  Layer.provideMerge(NodeHttpClient.layerUndici)
)

/** Waits in real time (the test clock does not move). */
export const realPause = (millis = 5) => TestServices.provideLive(Effect.sleep(millis))

/** Polls (in real time) until `check` holds; fails the test after about 5 seconds. */
export const eventually = <E, R>(what: string, check: Effect.Effect<boolean, E, R>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000; i++) {
      if (yield* check) return
      yield* realPause(5)
    }
    assert.fail(`timed out waiting for: ${what}`)
  })

/** Waits (in real time) until a fiber sleeps on the test clock until exactly `at`. */
export const sleepingUntil = (at: number) =>
  eventually(
    `a sleep until ${new Date(at).toISOString()}`,
    Effect.map(TestClock.sleeps(), (sleeps) => Array.from(sleeps).includes(at))
  )

/** A POST the webhook received: its body and what it answered. */
export interface Post {
  readonly body: string
  readonly status: number
}

/**
 * A webhook on 127.0.0.1, the way a receiver plus worker behaves for Replay: answers CRC with the app's secret,
 * decodes every POST with core's decoder and hands the `replay_job_status` events to `ReplayJobs`.
 */
export interface Webhook {
  readonly url: string
  readonly posts: ReadonlyArray<Post>
  readonly statuses: ReadonlyArray<ActivityEvent.ReplayJobStatus>
  /** The statuses of the next POSTs (then 200). */
  readonly answerNext: (...statuses: ReadonlyArray<number>) => void
  /** Holds the next POST without answering until `release`. */
  readonly holdNext: () => void
  readonly held: () => number
  readonly release: () => void
  /** `true`: CRC checks get a wrong token, so X marks the webhook invalid. */
  readonly failCrc: (fail: boolean) => void
  /** Where status events go. */
  readonly setJobs: (jobs: ReplayJobs.Service) => void
}

export const webhook = (secret: Redacted.Redacted<string>): Effect.Effect<Webhook, never, Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    const posts: Array<Post> = []
    const statuses: Array<ActivityEvent.ReplayJobStatus> = []
    const next: Array<number> = []
    let holdNext = false
    const holding: Array<() => void> = []
    let jobs: ReplayJobs.Service | undefined
    let wrongCrc = false
    const server = createServer((req, res: ServerResponse) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        if (req.method !== "POST") {
          const token = new URL(req.url ?? "/", "http://webhook.invalid").searchParams.get("crc_token") ?? ""
          const digest = createHmac("sha256", Redacted.value(secret))
            .update(wrongCrc ? `${token}!` : token)
            .digest("base64")
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify({ response_token: `sha256=${digest}` }))
          return
        }
        const body = Buffer.concat(chunks).toString("utf8")
        const answer = () => {
          const status = next.shift() ?? 200
          posts.push({ body, status })
          if (status !== 200) {
            res.writeHead(status)
            res.end()
            return
          }
          const events = Delivery.decodeDeliveryEither(body)
          const handed = Either.isRight(events) ? events.right : []
          const program = Effect.forEach(
            handed,
            (event) =>
              event._tag === "ReplayJobStatus"
                ? Effect.suspend(() => {
                    statuses.push(event)
                    return jobs === undefined ? Effect.void : jobs.statusReceived(event)
                  })
                : Effect.void,
            { discard: true }
          )
          Runtime.runPromise(runtime)(program).then(
            () => {
              res.writeHead(200)
              res.end()
            },
            () => {
              res.writeHead(500)
              res.end()
            }
          )
        }
        if (holdNext) {
          holdNext = false
          holding.push(answer)
          return
        }
        answer()
      })
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return {
      url: `http://127.0.0.1:${port}/webhooks/x`,
      posts,
      statuses,
      answerNext: (...values) => {
        next.push(...values)
      },
      holdNext: () => {
        holdNext = true
      },
      held: () => holding.length,
      release: () => {
        for (const answer of holding.splice(0)) answer()
      },
      failCrc: (fail) => {
        wrongCrc = fail
      },
      setJobs: (service) => {
        jobs = service
      }
    } satisfies Webhook
  })

export interface Setup {
  readonly emulator: Emulator.Service
  readonly deliveries: Deliveries.Service
  readonly hook: Webhook
  readonly webhookId: Ids.WebhookId
  readonly userId: string
  readonly jobs: ReplayJobs.Service
  readonly client: AccountActivityClient.Service
}

export interface SetupOptions {
  readonly run?: ReplayJobs.RunOptions
  /** Transforms the HttpClient the AccountActivityClient uses. */
  readonly http?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/**
 * At T0: an app, the test webhook registered on it (CRC), a subscribed user, and `ReplayJobs` on a real
 * `AccountActivityClient` talking to the emulator; status events of the webhook go to that `ReplayJobs`.
 */
export const setup = (options: SetupOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(T0)
    const emulator = yield* Emulator.Emulator
    const deliveries = yield* Deliveries.Deliveries
    const base = yield* Server.url
    const created = yield* emulator.createApp()
    const appId = created.app.id
    const hook = yield* webhook(created.credentials.consumerSecret)
    const registered = yield* Effect.orDie(emulator.registerWebhook(appId, hook.url))
    const user = yield* Effect.orDie(emulator.createUser({ appId, screenName: "alice" }))
    yield* Effect.orDie(emulator.subscribe({ appId, webhookId: registered.id, userId: user.user.id }))
    const http = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, (client) => (options.http === undefined ? client : options.http(client)))
    )
    const clientLayer = AccountActivityClient.layer({
      app: created.credentials,
      owner: created.owner,
      baseUrl: base
    }).pipe(Layer.provide(http))
    const context = yield* Layer.build(ReplayJobs.layer(options.run).pipe(Layer.provideMerge(clientLayer)))
    const jobs = Context.get(context, ReplayJobs.ReplayJobs)
    hook.setJobs(jobs)
    return {
      emulator,
      deliveries,
      hook,
      webhookId: Ids.WebhookId.make(registered.id),
      userId: user.user.id,
      jobs,
      client: Context.get(context, AccountActivityClient.AccountActivityClient)
    } satisfies Setup
  })

/** Generates one Tweet of the user through the control API; waits until its deliveries have ended. */
export const tweet = (userId: string) =>
  Effect.gen(function* () {
    const base = yield* Server.url
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(`${base}/_emulator/activity`).pipe(
        HttpClientRequest.bodyUnsafeJson({ kind: "Tweet", forUserId: userId })
      )
    )
    assert.strictEqual(response.status, 202)
    const deliveries = yield* Deliveries.Deliveries
    yield* deliveries.awaitIdle
  }).pipe(Effect.orDie)
