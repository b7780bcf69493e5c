import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ActivityEvent, ActivityStream, PluginError } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, type Console, Effect, Exit, Layer, Schema, type Scope, TestClock } from "effect"
import { LogPlugin } from "../src/index.js"
import { events, samples } from "./fixtures/deliveries.js"

const decodeEvent = Schema.decodeUnknownSync(ActivityEvent.ActivityEvent)
const encodeEvent = Schema.encodeSync(ActivityEvent.ActivityEvent)
const ESC = "\u001b"

/** A fresh directory under the OS temp directory, removed when the scope closes. */
const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "plugin-log-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const readLines = (file: string): ReadonlyArray<string> =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")

/** A console that records what `log` prints (everything else goes to the real console). */
const recordingConsole = Effect.map(Effect.console, (base) => {
  const lines: Array<string> = []
  const console: Console.Console = {
    ...base,
    log: (...args) =>
      Effect.sync(() => {
        lines.push(args.map(String).join(" "))
      })
  }
  return { lines, console }
})

/** Runs `effect` with the plugin layer (and an in-memory `ActivityStream`) built for its duration. */
const withPlugin = <A, E, E2>(
  plugin: Layer.Layer<never, E2, ActivityStream.ActivityStream>,
  effect: Effect.Effect<A, E, ActivityStream.ActivityStream>
) => effect.pipe(Effect.provide(plugin.pipe(Layer.provideMerge(ActivityStream.layer))))

const configFrom = (entries: Record<string, string>) =>
  ConfigProvider.fromMap(new Map(Object.entries(entries)), { pathDelim: "_" })

describe("LogPlugin.layer", () => {
  it.scoped("json: one line per event appended to a real file, each with its identity key and decodable event", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = join(dir, "nested", "logs", "activity.jsonl")
      yield* TestClock.setTime(Date.UTC(2022, 7, 17, 15))
      yield* withPlugin(
        LogPlugin.layer({ format: "json", file }),
        Effect.gen(function* () {
          yield* ActivityStream.publish(events.slice(0, 10))
          yield* ActivityStream.publish(events.slice(10))
        })
      )
      const lines = readLines(file).map((line) => JSON.parse(line))
      assert.strictEqual(lines.length, events.length)
      assert.deepStrictEqual(
        lines.map((line) => line.identityKey),
        events.map((event) => event.identityKey)
      )
      assert.deepStrictEqual(
        lines.map((line) => line.tag),
        events.map((event) => event._tag)
      )
      for (const [index, line] of lines.entries()) {
        const event = events[index]!
        assert.strictEqual(line.forUserId, event.forUserId)
        assert.strictEqual(line.loggedAt, "2022-08-17T15:00:00.000Z")
        assert.deepStrictEqual(encodeEvent(decodeEvent(line.event)), encodeEvent(event))
      }
    })
  )

  it.scoped("json: appends to an existing file and never rewrites it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = join(dir, "activity.jsonl")
      writeFileSync(file, '{"existing":true}\n')
      const plugin = LogPlugin.layer({ format: "json", file })
      yield* withPlugin(plugin, ActivityStream.publish(events.slice(0, 2)))
      yield* withPlugin(plugin, ActivityStream.publish(events.slice(2, 3)))
      const lines = readLines(file)
      assert.strictEqual(lines.length, 4)
      assert.strictEqual(lines[0], '{"existing":true}')
      assert.deepStrictEqual(
        lines.slice(1).map((line) => JSON.parse(line).identityKey),
        events.slice(0, 3).map((event) => event.identityKey)
      )
    })
  )

  it.effect("pretty: one readable line per event on stdout, uncoloured unless asked", () =>
    Effect.gen(function* () {
      const { lines, console } = yield* recordingConsole
      yield* withPlugin(LogPlugin.layer({ color: false }), ActivityStream.publish(events)).pipe(
        Effect.withConsole(console)
      )
      assert.strictEqual(lines.length, events.length)
      for (const [index, line] of lines.entries()) {
        const event = events[index]!
        assert.notInclude(line, "\n")
        assert.notInclude(line, ESC)
        assert.include(line, event._tag)
        assert.strictEqual(line, LogPlugin.formatPretty(event))
      }
      assert.include(lines[samples.findIndex((sample) => sample.name === "Follow-of")]!, "@furiouscamper followed")
      assert.include(lines[samples.findIndex((sample) => sample.name === "Unknown-array")]!, "[unknown]")
    })
  )

  it.effect("pretty: colour and text length as configured", () =>
    Effect.gen(function* () {
      const { lines, console } = yield* recordingConsole
      const dm = samples.find((sample) => sample.name === "DirectMessageReceived")!.event
      yield* withPlugin(LogPlugin.layer({ color: true, maxTextLength: 12 }), ActivityStream.publish([dm])).pipe(
        Effect.withConsole(console)
      )
      assert.strictEqual(lines.length, 1)
      assert.include(lines[0]!, `${ESC}[34mDirectMessageReceived${ESC}[0m`)
      assert.include(lines[0]!, `: "See https:/…"`)
    })
  )

  it.effect("json to stdout when no file is given", () =>
    Effect.gen(function* () {
      const { lines, console } = yield* recordingConsole
      yield* withPlugin(LogPlugin.layer({ format: "json" }), ActivityStream.publish(events)).pipe(
        Effect.withConsole(console)
      )
      assert.deepStrictEqual(
        lines.map((line) => JSON.parse(line).identityKey),
        events.map((event) => event.identityKey)
      )
    })
  )

  it.effect("two instances under different names both log", () =>
    Effect.gen(function* () {
      const { lines, console } = yield* recordingConsole
      const both = Layer.merge(LogPlugin.layer({ color: false }), LogPlugin.layer({ format: "json", name: "log-json" }))
      yield* withPlugin(both, ActivityStream.publish(events.slice(0, 3))).pipe(Effect.withConsole(console))
      assert.strictEqual(lines.length, 6)
      assert.strictEqual(lines.filter((line) => line.startsWith("{")).length, 3)
    })
  )

  it.scoped("stops logging when its scope closes", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = join(dir, "activity.jsonl")
      const stream = yield* ActivityStream.make
      yield* Effect.gen(function* () {
        yield* Layer.build(LogPlugin.layer({ format: "json", file }))
        yield* stream.publish(events.slice(0, 1))
      }).pipe(Effect.scoped, Effect.provideService(ActivityStream.ActivityStream, stream))
      yield* stream.publish(events.slice(1, 2))
      assert.strictEqual(readLines(file).length, 1)
    })
  )

  it.scoped("a path that cannot be opened fails the layer with OpenFailed, naming the file", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const exit = yield* Effect.exit(withPlugin(LogPlugin.layer({ format: "json", file: dir }), Effect.void))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(withPlugin(LogPlugin.layer({ format: "json", file: dir }), Effect.void))
      assert.instanceOf(error, LogPlugin.LogPluginError)
      assert.strictEqual(error.reason, "OpenFailed")
      assert.include(error.message, dir)
      assert.include(error.message, "leave the file out to log to stdout")
    })
  )

  it.effect.skipIf(!existsSync("/proc/self"))(
    "a directory that cannot be created fails with OpenFailed instead of hanging",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          withPlugin(LogPlugin.layer({ file: "/proc/no-such-dir/activity.log" }), Effect.void)
        )
        assert.strictEqual(error.reason, "OpenFailed")
        assert.include(error.message, "/proc/no-such-dir/activity.log")
      })
  )

  it.effect.skipIf(!existsSync("/dev/full"))(
    "a write that fails (disk full) fails publish with the plugin's PluginError, so the batch is retried",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          withPlugin(LogPlugin.layer({ format: "json", file: "/dev/full" }), ActivityStream.publish(events.slice(0, 2)))
        )
        assert.instanceOf(error, PluginError)
        assert.strictEqual(error.plugin, "log")
        assert.strictEqual(error.identityKey, events[0]!.identityKey)
        assert.instanceOf(error.cause, LogPlugin.LogPluginError)
        assert.strictEqual((error.cause as LogPlugin.LogPluginError).reason, "WriteFailed")
        assert.include(error.message, "/dev/full")
      })
  )
})

describe("LogPlugin.layerConfig", () => {
  it.scoped("reads LOG_FORMAT and LOG_FILE", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = join(dir, "from-config.jsonl")
      yield* withPlugin(LogPlugin.layerConfig, ActivityStream.publish(events)).pipe(
        Effect.withConfigProvider(configFrom({ LOG_FORMAT: "json", LOG_FILE: file }))
      )
      assert.deepStrictEqual(
        readLines(file).map((line) => JSON.parse(line).identityKey),
        events.map((event) => event.identityKey)
      )
    })
  )

  it.effect("defaults to pretty lines on stdout; LOG_COLOR and LOG_TEXT_LENGTH apply", () =>
    Effect.gen(function* () {
      const { lines, console } = yield* recordingConsole
      yield* withPlugin(LogPlugin.layerConfig, ActivityStream.publish(events.slice(0, 1))).pipe(
        Effect.withConsole(console),
        Effect.withConfigProvider(configFrom({ LOG_COLOR: "false", LOG_FILE: "" }))
      )
      assert.deepStrictEqual(lines, [LogPlugin.formatPretty(events[0]!)])
      yield* withPlugin(LogPlugin.layerConfig, ActivityStream.publish(events.slice(0, 1))).pipe(
        Effect.withConsole(console),
        Effect.withConfigProvider(configFrom({ LOG_COLOR: "true", LOG_TEXT_LENGTH: "10" }))
      )
      assert.strictEqual(lines[1], LogPlugin.formatPretty(events[0]!, { color: true, maxTextLength: 10 }))
    })
  )

  it.effect("refuses an unknown LOG_FORMAT with a ConfigError that names the setting", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        withPlugin(LogPlugin.layerConfig, Effect.void).pipe(
          Effect.withConfigProvider(configFrom({ LOG_FORMAT: "xml" }))
        )
      )
      assert.notInstanceOf(error, LogPlugin.LogPluginError)
      assert.include(String(error), "LOG.FORMAT")
      assert.include(String(error), "pretty")
      const short = yield* Effect.flip(
        withPlugin(LogPlugin.layerConfig, Effect.void).pipe(
          Effect.withConfigProvider(configFrom({ LOG_TEXT_LENGTH: "3" }))
        )
      )
      assert.include(String(short), "LOG.TEXT_LENGTH")
      assert.include(String(short), "at least 8")
    })
  )
})

describe("the default export", () => {
  it.effect("is the plugin configured from LOG_*, loadable by module name as the worker does", () =>
    Effect.gen(function* () {
      const byName = yield* Effect.promise(() => import("@account-activity/plugin-log"))
      const byPath = yield* Effect.promise(() => import("../src/index.js"))
      const module = yield* Effect.promise(() => import("../src/LogPlugin.js"))
      assert.isTrue(Layer.isLayer(byName.default))
      assert.strictEqual(byPath.default, LogPlugin.layerConfig)
      assert.strictEqual(module.default, LogPlugin.layerConfig)
      const { lines, console } = yield* recordingConsole
      yield* withPlugin(byName.default, ActivityStream.publish(events.slice(0, 3))).pipe(
        Effect.withConsole(console),
        Effect.withConfigProvider(configFrom({ LOG_FORMAT: "json" }))
      )
      assert.deepStrictEqual(
        lines.map((line) => JSON.parse(line).identityKey),
        events.slice(0, 3).map((event) => event.identityKey)
      )
    })
  )
})
