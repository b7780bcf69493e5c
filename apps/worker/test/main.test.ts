import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Delivery } from "@account-activity/core"
import { EventQueue } from "@account-activity/queue"
import { SqliteQueue } from "@account-activity/queue-sqlite"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Schedule } from "effect"
import * as App from "../../receiver/test/process.js"
import { deliveryOf, everyKind } from "./utils.js"

const dir = App.appDir("worker")

/** The real clock moved `millis` ahead: every lease taken now has expired on it. */
const aheadBy = (millis: number): Clock.Clock => {
  const real = Clock.make()
  const now = () => Date.now() + millis
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: now,
    currentTimeMillis: Effect.sync(now),
    unsafeCurrentTimeNanos: () => BigInt(now()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
}

interface Line {
  readonly tag: string
  readonly identityKey: string
}

const readLines = (file: string): ReadonlyArray<Line> =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Line)
    : []

describe("worker main (node dist/main.js)", () => {
  beforeAll(() => App.bundle(dir), 120_000)

  it.scopedLive(
    "hands the queued deliveries to the log plugin, acks them, and stops on SIGTERM",
    () =>
      Effect.gen(function* () {
        const temp = yield* App.tempDir
        const filename = join(temp, "q.db")
        const events = join(temp, "events.jsonl")

        // Two deliveries, as the receiver would have stored them.
        const [first, second] = yield* everyKind()
        const bodies = [first!.body, second!.body]
        const decoded = (yield* Effect.forEach(bodies, Delivery.decodeDelivery)).flat()
        const expected = decoded.map((event) => `${event._tag} ${event.identityKey}`).sort()
        assert.isAtLeast(expected.length, 2)
        yield* Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          yield* queue.append([deliveryOf(bodies[0]!), deliveryOf(bodies[1]!)])
        }).pipe(Effect.provide(SqliteQueue.layer({ filename })), Effect.scoped)

        const app = yield* App.start({
          dir,
          cwd: temp,
          vars: {
            AAA_QUEUE_URL: `sqlite:${filename}`,
            AAA_PLUGINS: "@account-activity/plugin-log",
            LOG_FORMAT: "json",
            LOG_FILE: events
          }
        })
        yield* app.waitFor(/plugins @account-activity\/plugin-log/)
        yield* Effect.sync(() => readLines(events)).pipe(
          Effect.repeat({ until: (lines) => lines.length >= expected.length, schedule: Schedule.spaced("50 millis") }),
          Effect.timeoutFail({
            duration: "30 seconds",
            onTimeout: () => new Error(`the events were not logged in time. Output:\n${app.output()}`)
          })
        )

        const stopping = Date.now()
        yield* app.kill("SIGTERM")
        const exit = yield* app.exited("20 seconds")
        const took = Date.now() - stopping
        assert.deepStrictEqual(exit, { code: 0, signal: null }, app.output())
        assert.isBelow(took, 10_000, `the worker took ${took} ms to stop`)

        // Each event once, as one JSON line with its tag and identity key.
        assert.deepStrictEqual(
          readLines(events)
            .map((line) => `${line.tag} ${line.identityKey}`)
            .sort(),
          expected
        )

        // Acked: nothing is left, not even a lease that would expire later (the probe's clock is a day ahead).
        const left = yield* Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          const due = yield* queue.receive({ consumer: "probe", max: 10 })
          const dead = yield* queue.deadLetters.list()
          return { due: due.length, dead: dead.length }
        }).pipe(
          Effect.provide(SqliteQueue.layer({ filename })),
          Effect.scoped,
          Effect.withClock(aheadBy(Duration.toMillis(Duration.days(1))))
        )
        assert.deepStrictEqual(left, { due: 0, dead: 0 })
      }),
    90_000
  )

  it.scopedLive(
    "exits non-zero with the PluginLoadError when a plugin cannot be loaded",
    () =>
      Effect.gen(function* () {
        const temp = yield* App.tempDir
        const app = yield* App.start({
          dir,
          cwd: temp,
          vars: { AAA_QUEUE_URL: `sqlite:${join(temp, "q.db")}`, AAA_PLUGINS: "./nope.js" }
        })
        const exit = yield* app.exited()
        assert.isNotNull(exit.code, app.output())
        assert.notStrictEqual(exit.code, 0, app.output())
        assert.match(app.output(), /PluginLoadError: Cannot load the plugin "\.\/nope\.js"/)
        assert.match(app.output(), /Check AAA_PLUGINS/)
      }),
    60_000
  )
})
