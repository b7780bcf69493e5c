import type { HttpClient, HttpServer } from "@effect/platform"
import { Chunk, Clock, Context, Effect, Fiber, Layer, Option, type Scope, TestClock, TestServices } from "effect"
import * as AccountActivityClient from "../../src/AccountActivityClient.js"
import * as XStub from "./XStub.js"

/** Sleeps further away than this are the request timeouts of the test clients, never moved to. */
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

export interface Harness {
  readonly stub: XStub.Stub
  readonly client: AccountActivityClient.Service
}

/** Starts the stub and builds the client with `AccountActivityClient.layer`, pointed at the stub. */
export const setup = (
  options: { readonly stub?: XStub.StubOptions; readonly client?: Partial<AccountActivityClient.LayerOptions> } = {}
): Effect.Effect<Harness, never, HttpServer.HttpServer | HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    const stub = yield* XStub.make(options.stub)
    const context = yield* Layer.build(
      AccountActivityClient.layer({
        app: XStub.app,
        owner: XStub.owner,
        baseUrl: stub.url,
        timeout: "1 day",
        ...options.client
      })
    )
    return { stub, client: Context.get(context, AccountActivityClient.AccountActivityClient) }
  })
