import { Ids } from "@account-activity/core"
import * as Emulator from "@account-activity/emulator/Emulator"
import * as Server from "@account-activity/emulator/Server"
import { NodeHttpClient } from "@effect/platform-node"
import { Chunk, Clock, Context, Effect, Fiber, Layer, Option, type Scope, TestClock, TestServices } from "effect"
import * as AccountActivityClient from "../../src/AccountActivityClient.js"
import type * as Endpoint from "../../src/Endpoint.js"
import * as Proxy from "./proxy.js"
import * as Receiver from "./receiver.js"

export { Emulator }

/** Sleeps further away than this (the emulator's CRC limit in these tests, request timeouts) are never moved to. */
const HORIZON = 6 * 60 * 60 * 1000

/** 2026-01-15T12:00:00Z: a plausible "now" for replay windows and OAuth timestamps. */
export const NOW = Date.UTC(2026, 0, 15, 12, 0)

/**
 * Runs `effect` in a fiber and moves the `TestClock` to each sleep it starts (a backoff, a rate-limit
 * wait) as soon as it starts it, while real HTTP round trips proceed in real time.
 */
export const withClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    while (true) {
      const exit = yield* Fiber.poll(fiber)
      if (Option.isSome(exit)) return yield* exit.value
      const now = yield* Clock.currentTimeMillis
      const due = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((at) => at <= now + HORIZON)
      if (due.length > 0) yield* TestClock.setTime(Math.min(...due))
      else yield* TestServices.provideLive(Effect.sleep("1 millis"))
    }
  })

/**
 * The emulator's settings in these tests: its CRC time limit beyond `HORIZON` (so `withClock` never moves
 * the `TestClock` through a CRC in flight; the test of X's 3 s limit sets it back) and no periodic CRC.
 */
export const testConfig: Emulator.Options = { seed: 7, crcTimeoutMillis: 7 * 60 * 60 * 1000, revalidation: "off" }

export interface Harness {
  readonly emulator: Emulator.Service
  readonly app: Emulator.CreatedApp
  readonly alice: Emulator.CreatedUser
  readonly bob: Emulator.CreatedUser
  readonly receiver: Receiver.Receiver
  readonly proxy: Proxy.Proxy
  /** The emulator's own URL (the client talks to the proxy). */
  readonly emulatorUrl: string
  readonly client: AccountActivityClient.Service
  /** The receiver's URL: a webhook URL that passes the emulator's CRC. */
  readonly hook: string
  /** Registers a webhook through the emulator's library API (a real CRC, not through the client). */
  readonly register: (url?: string) => Effect.Effect<Ids.WebhookId>
  /** Marks a webhook invalid the way X does: a failed CRC. */
  readonly invalidate: (webhookId: string) => Effect.Effect<void>
  /** The auth the client used on `endpoint`: `AppOwner`, `User:<id>` or `AppOnly`. */
  readonly authSeen: (endpoint: Endpoint.Name) => Effect.Effect<ReadonlyArray<string>>
  /** The statuses the client got on `endpoint`. */
  readonly statuses: (endpoint: Proxy.Target) => Effect.Effect<ReadonlyArray<number>>
  /** Builds another client of the same app (its own rate-limit memory), pointed at the proxy. */
  readonly another: (
    options?: Partial<AccountActivityClient.LayerOptions>
  ) => Effect.Effect<AccountActivityClient.Service, never, Scope.Scope>
}

/**
 * Starts the emulator (a real HTTP server on 127.0.0.1, on the `TestClock` set to {@link NOW}), a CRC
 * receiver, the proxy, an app with two users, and the client built with `AccountActivityClient.layer`.
 */
export const setup = (
  options: { readonly emulator?: Emulator.Options; readonly client?: Partial<AccountActivityClient.LayerOptions> } = {}
): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    const context = yield* Layer.build(
      Server.layer().pipe(
        Layer.provideMerge(Emulator.layer({ ...testConfig, ...options.emulator })),
        Layer.provideMerge(NodeHttpClient.layerUndici)
      )
    ).pipe(Effect.orDie)
    const emulator = Context.get(context, Emulator.Emulator)
    const emulatorUrl = yield* Effect.provide(Server.url, context)
    const receiver = yield* Receiver.make
    const proxy = yield* Proxy.make(emulatorUrl)
    const app = yield* emulator.createApp({ name: "client-tests" })
    receiver.setSecret(app.credentials.consumerSecret)
    const alice = yield* Effect.orDie(emulator.createUser({ appId: app.app.id, screenName: "alice" }))
    const bob = yield* Effect.orDie(emulator.createUser({ appId: app.app.id, screenName: "bob" }))

    const another = (clientOptions: Partial<AccountActivityClient.LayerOptions> = {}) =>
      Layer.build(
        AccountActivityClient.layer({
          app: app.credentials,
          owner: app.owner,
          baseUrl: proxy.url,
          timeout: "1 day",
          ...clientOptions
        }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      ).pipe(Effect.map((built) => Context.get(built, AccountActivityClient.AccountActivityClient)))
    const client = yield* another(options.client)

    const register = (url: string = receiver.url) =>
      emulator.registerWebhook(app.app.id, url).pipe(
        Effect.map((webhook) => Ids.WebhookId.make(webhook.id)),
        Effect.orDie
      )

    const invalidate = (webhookId: string) =>
      Effect.gen(function* () {
        receiver.setMode("non-200")
        yield* Effect.orDie(emulator.checkWebhook(webhookId, "periodic"))
        receiver.setMode("ok")
      })

    const label = (auth: string) =>
      auth === `OAuth1:${app.app.ownerId}` ? "AppOwner" : auth.startsWith("OAuth1:") ? `User:${auth.slice(7)}` : auth

    const authSeen = (endpoint: Endpoint.Name) =>
      Effect.map(proxy.seen, (seen) =>
        seen.filter((entry) => entry.endpoint === endpoint).map((entry) => label(entry.auth))
      )

    const statuses = (endpoint: Proxy.Target) =>
      Effect.map(proxy.seen, (seen) => seen.filter((entry) => entry.endpoint === endpoint).map((entry) => entry.status))

    return {
      emulator,
      app,
      alice,
      bob,
      receiver,
      proxy,
      emulatorUrl,
      client,
      hook: receiver.url,
      register,
      invalidate,
      authSeen,
      statuses,
      another
    } satisfies Harness
  })
