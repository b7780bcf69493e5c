/**
 * `@account-activity/plugin-log`: the reference plugin of the Account Activity toolkit: one readable line
 * per event, or JSON lines to a file.
 *
 * The default export is the plugin configured from `LOG_*` (`LogPlugin.layerConfig`), so a worker that
 * loads plugins by module name (`AAA_PLUGINS=@account-activity/plugin-log`) gets a ready plugin layer.
 *
 * @since 0.1.0
 */
import { layerConfig } from "./LogPlugin.js"

/**
 * The log plugin: `layer(options)`, `layerConfig`, the line formats.
 *
 * @since 0.1.0
 */
export * as LogPlugin from "./LogPlugin.js"

/**
 * The plugin configured from `LOG_FORMAT`, `LOG_FILE`, `LOG_COLOR` and `LOG_TEXT_LENGTH`.
 *
 * @since 0.1.0
 * @category layers
 */
export default layerConfig
