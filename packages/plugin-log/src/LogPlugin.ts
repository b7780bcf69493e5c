/**
 * The log plugin: every event of the `ActivityStream`, as one readable line on stdout (`pretty`, the
 * default) or as one JSON line appended to a file or written to stdout (`json`).
 *
 * ```ts
 * import { LogPlugin } from "@account-activity/plugin-log"
 *
 * // next to the worker's other layers: a line per event on stdout
 * const LogLive = LogPlugin.layer()
 *
 * // or JSON lines appended to a file, for jq and friends
 * const AuditLive = LogPlugin.layer({ format: "json", file: "./activity.jsonl", name: "audit" })
 * ```
 *
 * The plugin handles every `_tag`, `Unknown` included (marked `[unknown]`). Formatting never fails: an
 * event whose payload is not what the schema promises still gives one line. Writing can fail (disk full,
 * an I/O error): the handler then fails, so `publish` fails with a `PluginError` and the worker delivers
 * the batch again. A retried batch may therefore log an event twice; the `identityKey` of each JSON line
 * tells duplicates apart.
 *
 * @since 0.1.0
 */
import { open } from "node:fs/promises"
import { dirname } from "node:path"
import { type ActivityEvent, type ActivityStream, Plugin } from "@account-activity/core"
import { Clock, Config, type ConfigError, Effect, Layer, Option, Schema, type Scope } from "effect"
import * as File from "./internal/file.js"
import * as Format from "./internal/format.js"

/**
 * `pretty`: one readable line per event. `json`: one JSON object per line.
 *
 * @since 0.1.0
 * @category models
 */
export const LogFormat = Schema.Literal("pretty", "json")
/**
 * @since 0.1.0
 * @category models
 */
export type LogFormat = typeof LogFormat.Type

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `"pretty"` (default) or `"json"`. */
  readonly format?: LogFormat | undefined
  /** Append the lines to this file (created, with its directory, when missing). Default: stdout. */
  readonly file?: string | undefined
  /**
   * ANSI colours in `pretty` lines. Default: on when writing to stdout and stdout is a terminal; never in a
   * file unless set to `true`.
   */
  readonly color?: boolean | undefined
  /** The longest Tweet or Direct Message text of a `pretty` line before it is cut with `…`. Default: 80. */
  readonly maxTextLength?: number | undefined
  /** The name the plugin subscribes with (shown in `PluginError`s and log annotations). Default: `"log"`. */
  readonly name?: string | undefined
}

/**
 * The name the plugin subscribes with, unless `Options.name` says otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultName = "log"

/**
 * The log file could not be opened (`OpenFailed`, when the layer is built) or appended to (`WriteFailed`,
 * while handling an event).
 *
 * @since 0.1.0
 * @category errors
 */
export class LogPluginError extends Schema.TaggedError<LogPluginError>("@account-activity/plugin-log/LogPluginError")(
  "LogPluginError",
  {
    reason: Schema.Literal("OpenFailed", "WriteFailed"),
    file: Schema.String,
    cause: Schema.Defect
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const detail = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return this.reason === "OpenFailed"
      ? `Cannot open the log file "${this.file}" for appending (${detail}). Check that its directory is writable and that the path is not a directory, or leave the file out to log to stdout.`
      : `Cannot append to the log file "${this.file}" (${detail}). The batch is not acknowledged and will be delivered again; check free disk space and the file's permissions.`
  }
}

const DEFAULT_MAX_TEXT = 80

interface Output {
  readonly write: (line: string) => Effect.Effect<void, LogPluginError>
  readonly isTerminal: boolean
}

const stdout: Effect.Effect<Output> = Effect.map(Effect.console, (console) => ({
  write: (line) => console.log(line),
  isTerminal: File.stdoutIsTerminal()
}))

const appendTo = (file: string): Effect.Effect<Output, LogPluginError, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await File.ensureDirectory(dirname(file))
          return await open(file, "a")
        },
        catch: (cause) => new LogPluginError({ reason: "OpenFailed", file, cause })
      }),
      (handle) => Effect.promise(() => handle.close().catch(() => undefined))
    ),
    (handle) => ({
      write: (line) =>
        Effect.tryPromise({
          try: () => handle.appendFile(`${line}\n`, "utf8"),
          catch: (cause) => new LogPluginError({ reason: "WriteFailed", file, cause })
        }),
      isTerminal: false
    })
  )

const textLength = (value: number | undefined): number =>
  value === undefined || !Number.isFinite(value) ? DEFAULT_MAX_TEXT : Math.max(8, Math.floor(value))

/**
 * The `pretty` line of an event: time (ISO), `_tag`, subscribed user, direction and a summary of the
 * activity, with the text shortened. Never throws.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatPretty = (
  event: ActivityEvent.ActivityEvent,
  options: { readonly color?: boolean | undefined; readonly maxTextLength?: number | undefined } = {}
): string => Format.pretty(event, { color: options.color ?? false, maxTextLength: textLength(options.maxTextLength) })

/**
 * The `json` line of an event (without the newline):
 * `{"tag","identityKey","forUserId","timestampMs","time","direction","loggedAt","event"}`. `event` is the
 * event encoded with the `ActivityEvent` schema, so `ActivityEvent.decode(line.event)` gives it back;
 * fields an event does not have are left out. Never throws.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatJson = (event: ActivityEvent.ActivityEvent, loggedAtMillis: number): string =>
  Format.json(event, loggedAtMillis)

/**
 * The plugin: a layer that subscribes to the `ActivityStream` for as long as it lives and writes one line
 * per event. Fails with `OpenFailed` when the file cannot be opened.
 *
 * @example
 * ```ts
 * import { ActivityStream } from "@account-activity/core"
 * import { LogPlugin } from "@account-activity/plugin-log"
 * import { Layer } from "effect"
 *
 * const Plugins = Layer.mergeAll(
 *   LogPlugin.layer(),
 *   LogPlugin.layer({ format: "json", file: "/var/log/aaa/activity.jsonl", name: "log-json" })
 * ).pipe(Layer.provideMerge(ActivityStream.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<never, LogPluginError, ActivityStream.ActivityStream> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const format = options.format ?? "pretty"
      const output = options.file === undefined ? yield* stdout : yield* appendTo(options.file)
      const color = format === "pretty" && (options.color ?? output.isTerminal)
      const maxTextLength = textLength(options.maxTextLength)
      yield* Effect.logDebug(`log plugin: ${format} lines to ${options.file ?? "stdout"}`)
      return Plugin.all(options.name ?? defaultName, (event) =>
        format === "json"
          ? Effect.flatMap(Clock.currentTimeMillis, (now) => output.write(Format.json(event, now)))
          : output.write(Format.pretty(event, { color, maxTextLength }))
      )
    })
  )

/**
 * The options from configuration, nested under `LOG`: `LOG_FORMAT` (`pretty` | `json`, default `pretty`),
 * `LOG_FILE` (a path; empty or unset: stdout), `LOG_COLOR` (`true` | `false`, default: stdout is a
 * terminal), `LOG_TEXT_LENGTH` (default 80).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = Config.all({
  format: Config.literal("pretty", "json")("FORMAT").pipe(Config.withDefault("pretty" as const)),
  file: Config.option(Config.string("FILE")),
  color: Config.option(Config.boolean("COLOR")),
  maxTextLength: Config.option(
    Config.integer("TEXT_LENGTH").pipe(
      Config.validate({ message: "Expected an integer of at least 8", validation: (n) => n >= 8 })
    )
  )
}).pipe(
  Config.map(
    ({ format, file, color, maxTextLength }): Options => ({
      format,
      file: Option.getOrUndefined(Option.filter(file, (path) => path.trim() !== "")),
      color: Option.getOrUndefined(color),
      maxTextLength: Option.getOrUndefined(maxTextLength)
    })
  ),
  Config.nested("LOG")
)

/**
 * {@link layer} with the options read from {@link config} (`LOG_FORMAT`, `LOG_FILE`, `LOG_COLOR`,
 * `LOG_TEXT_LENGTH`). This is the module's default export, which the worker loads from `AAA_PLUGINS`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<never, LogPluginError | ConfigError.ConfigError, ActivityStream.ActivityStream> =
  Layer.unwrapEffect(Effect.map(config, layer))

/**
 * The plugin configured from `LOG_*` ({@link layerConfig}): what `AAA_PLUGINS=@account-activity/plugin-log`
 * loads.
 *
 * @since 0.1.0
 * @category layers
 */
export default layerConfig
