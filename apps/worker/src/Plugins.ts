/**
 * Loads the plugins named in the worker's configuration: `AAA_PLUGINS=@account-activity/plugin-log,./my-plugin.js`.
 *
 * Each entry is a module whose default export is a plugin `Layer` (it needs `ActivityStream` and provides
 * nothing; it may read its own configuration). A path starting with `.` or `/` is resolved from the working
 * directory; any other name is imported as a package. The toolkit's own plugins are bundled into the worker.
 *
 * @since 0.1.0
 */
import { isAbsolute, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import type { ActivityStream } from "@account-activity/core"
import { Effect, Layer, Schema } from "effect"

/**
 * A plugin module could not be loaded.
 *
 * @since 0.1.0
 * @category errors
 */
export class PluginLoadError extends Schema.TaggedError<PluginLoadError>("@account-activity/worker/PluginLoadError")(
  "PluginLoadError",
  { spec: Schema.String, detail: Schema.String }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Cannot load the plugin "${this.spec}": ${this.detail}. Check AAA_PLUGINS: each entry is a package name or a path (./my-plugin.js) to an ES module whose default export is a plugin Layer.`
  }
}

/**
 * A plugin layer as loaded from a module.
 *
 * @since 0.1.0
 * @category models
 */
export type LoadedPlugin = Layer.Layer<never, unknown, ActivityStream.ActivityStream>

const builtIn: Record<string, () => Promise<{ readonly default?: unknown }>> = {
  "@account-activity/plugin-log": () => import("@account-activity/plugin-log")
}

/**
 * Splits the `AAA_PLUGINS` list.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseList = (value: string): ReadonlyArray<string> =>
  value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)

const importSpec = (spec: string): Promise<{ readonly default?: unknown }> => {
  const known = builtIn[spec]
  if (known) return known()
  const target = spec.startsWith(".") || isAbsolute(spec) ? pathToFileURL(resolve(spec)).href : spec
  return import(target)
}

/**
 * Imports one plugin module and checks that its default export is a Layer.
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (spec: string): Effect.Effect<LoadedPlugin, PluginLoadError> =>
  Effect.tryPromise({
    try: () => importSpec(spec),
    catch: (error) => new PluginLoadError({ spec, detail: error instanceof Error ? error.message : String(error) })
  }).pipe(
    Effect.flatMap((module) =>
      Layer.isLayer(module.default)
        ? Effect.succeed(module.default as LoadedPlugin)
        : Effect.fail(new PluginLoadError({ spec, detail: "its default export is not a Layer" }))
    )
  )

/**
 * Loads every plugin of the list and merges them into one layer.
 *
 * @since 0.1.0
 * @category loading
 */
export const loadAll = (specs: ReadonlyArray<string>): Effect.Effect<LoadedPlugin, PluginLoadError> =>
  Effect.map(Effect.forEach(specs, load), (layers) =>
    layers.length === 0 ? Layer.empty : Layer.mergeAll(...(layers as [LoadedPlugin, ...Array<LoadedPlugin>]))
  )
